//! A person's activity page: who looked at or changed their data, in plain words in their
//! language, grouped by East Africa Time day; staff named by role and agency for looks and
//! also by name for decisions; no raw labels (`account:…`, `application.view`).

use crate::backend_tests;
use crate::cases_work::{actor, define, engine, named_staff, signed_in, submitted, PASSWORD};
use lango_identity::model::Role;

backend_tests! {
    async fn activity_says_who_did_what_in_plain_words(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let citizen_id = app.person("24681357", "akinyi@example.com", PASSWORD).await;
        let citizen = actor(&app, &citizen_id).await;
        let reference = submitted(&cases, &citizen, "Akinyi Odhiambo").await;
        let officer_id = named_staff(&app, "zawadi@dis.example", "Zawadi", "Kiprono", Role::Officer, "DIS").await;
        let officer = actor(&app, &officer_id).await;
        // A look, then a decision (taking the application to work on).
        let seen = cases.get(&officer, &reference).await.expect("officer opens it");
        cases.claim(&officer, &reference, seen.revision).await.expect("claim");

        let mut b = signed_in(&app, "akinyi@example.com").await;
        let page = b.get("/account/activity").await;
        assert_eq!(page.status, 200);
        let html = page.html;
        for raw in ["account:", "apikey:", "application.view", "application.claim", "session.start"] {
            assert!(!html.contains(raw), "raw {raw} shown: {html}");
        }
        let today = lango_core::clock::Civil::local(lango_core::clock::now_ms()).date();
        assert!(html.contains(&format!("<h2>{today}</h2>")), "grouped by EAT day: {html}");
        // The look: role and agency only, never the officer's name.
        assert!(
            html.contains(&format!(
                "An officer of the Directorate of Immigration Services opened your application {reference}"
            )),
            "{html}"
        );
        // The decision: the officer by name too.
        assert!(
            html.contains(&format!(
                "Zawadi Kiprono, an officer of the Directorate of Immigration Services took your application {reference}"
            )),
            "{html}"
        );
        assert_eq!(html.matches("Zawadi Kiprono").count(), 1, "named for the decision only");
        assert!(html.contains("You signed in to your account") && html.contains(&format!("You sent your application {reference}")));

        // In Kiswahili.
        b.get("/language?to=sw&next=%2Faccount%2Factivity").await;
        let sw = b.get("/account/activity").await.html;
        assert!(
            sw.contains("lilifunguliwa na afisa wa Kurugenzi ya Huduma za Uhamiaji"),
            "{sw}"
        );
        assert!(sw.contains("Kuingia kwenye akaunti yako kulifanywa na wewe"), "{sw}");
    }
}
