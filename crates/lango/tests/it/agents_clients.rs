//! One agent's client is not another agent's: over real HTTP, on both backends, the consent
//! code a person was sent for one agent is wrong at every other agent's desk, a code is
//! used once, another agent cannot open the application the first made, nor act at the
//! first agent's desk.

use crate::agents::{admin, application, apply, both, eta_app, owner};
use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::support::TestApp;

const FIRST: &str = "/agent/AG00001/assist";
const SECOND: &str = "/agent/AG00002/assist";

/// Two approved agents: the owners' browsers, first and second.
async fn two_agents(app: &TestApp) -> (Browser<'_>, Browser<'_>) {
    let (first, a) = owner(app, "28441011", "first@cyber.example", "BN-TEST-0011").await;
    let (second, b) = owner(app, "28441012", "second@cyber.example", "BN-TEST-0012").await;
    for (browser, business, name) in [
        (&first, &a, "Cyber Point Kisumu"),
        (&second, &b, "Second Cyber Kisumu"),
    ] {
        let mut form = application(business);
        form[1].1 = name.into();
        let applied = apply(app, browser, &form, &both()).await;
        assert_eq!(applied.status, 303, "{}", applied.html);
    }
    let mut root = admin(app).await;
    for code in ["AG00001", "AG00002"] {
        let approved = root
            .post(&format!("/admin/agents/{code}"), &[("decision", "approve")])
            .await;
        assert_eq!(approved.status, 303, "{}", approved.html);
    }
    (first, second)
}

backend_tests! {
    spawn = eta_app;

    async fn an_agent_cannot_act_for_another_agents_client(app: TestApp) {
        let (mut first, mut second) = two_agents(&app).await;
        let person = app.person("33350011", "client@example.com", "correct horse battery").await;
        // The first agent asks; the person is sent a code naming the first agent.
        assert_eq!(first.get(FIRST).await.status, 200);
        assert_eq!(first.post(&format!("{FIRST}/find"), &[("id_number", "33350011")]).await.status, 303);
        assert_eq!(first.post(&format!("{FIRST}/code"), &[("person", &person)]).await.status, 303);
        let code = app.last_code("+254700000001").await;
        // The second agent finds the same person and enters the code the first was given.
        assert_eq!(second.get(SECOND).await.status, 200);
        assert_eq!(second.post(&format!("{SECOND}/find"), &[("id_number", "33350011")]).await.status, 303);
        let stolen = second.post(&format!("{SECOND}/begin"), &[("person", person.as_str()), ("code", &code)]).await;
        assert_eq!(stolen.status, 400, "a code is good only for the agent it was sent for");
        assert!(stolen.html.contains("href=\"#f-code\""), "{}", stolen.html);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM assists WHERE person_id = $1", &person).await, 0, "nothing begun");
        assert_eq!(
            app.scalar("SELECT attempts FROM otp_codes WHERE account_id = $1 AND used_at IS NULL", &person).await,
            0,
            "nor is the first agent's code used up by the second's tries"
        );
        // Nor at the first agent's desk: the second agent's people are not the first's.
        assert_eq!(second.get(FIRST).await.status, 403);
        let through = second.post(&format!("{FIRST}/begin"), &[("person", person.as_str()), ("code", &code)]).await;
        assert_eq!(through.status, 403);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM assists WHERE person_id = $1", &person).await, 0);
        // The first agent, with the person's consent, starts their application.
        let begun = first.post(&format!("{FIRST}/begin"), &[("person", person.as_str()), ("code", &code)]).await;
        assert_eq!(begun.status, 303, "{}", begun.html);
        let started = first.post(&format!("{FIRST}/apply"), &[("service", "DIS-ETA")]).await;
        assert_eq!(started.status, 303, "{}", started.html);
        let reference = started.location.trim_start_matches("/applications/").split('/').next().unwrap().to_string();
        // The second agent cannot open it, fill it in or submit it.
        assert_eq!(second.get(&format!("/applications/{reference}")).await.status, 404);
        assert_eq!(second.get(&started.location).await.status, 404);
        let filled = second.post(&started.location, &[("full_name", "Someone Else")]).await;
        assert_eq!(filled.status, 404);
        let submitted = second.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(submitted.status, 404);
        assert_eq!(second.get("/agent/AG00001/statement").await.status, 404, "nor read its statement");
        // A code is used once: after the first agent ends, it starts nothing again.
        assert_eq!(first.post(&format!("{FIRST}/end"), &[]).await.status, 303);
        let again = first.post(&format!("{FIRST}/begin"), &[("person", person.as_str()), ("code", &code)]).await;
        assert_eq!(again.status, 400, "a used code is refused");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM assists WHERE person_id = $1", &person).await, 1);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM applications WHERE reference = $1 AND agent = 'AG00001' AND state = 'draft'", &reference).await,
            1,
            "the application is still the first agent's draft, untouched"
        );
    }
}
