//! A signed-in person's own data: the readable page, the JSON download with every kind of
//! record, and a correction request that is stored, audited and confirmed with a reference.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::cases_journey::{demo_definitions, spawn_with_definitions};
use crate::support::{Backend, TestApp};
use lango_identity::model::Role;

/// An app with the demo's service definitions, so applications can be started.
async fn demo_app(backend: Backend) -> Option<TestApp> {
    spawn_with_definitions(backend, &demo_definitions(), false).await
}

const PASS: &str = "correct horse battery";

backend_tests! {
    spawn = demo_app;

    async fn a_person_downloads_everything_held_about_them(app: TestApp) {
        let id = app.person("23456789", "wanjiru@example.com", PASS).await;
        let mut b = Browser::new(&app);
        b.sign_in("23456789", PASS).await;
        // Something in each room: an application with answers, its bill, a correction.
        b.get("/services/DCI-GOOD-CONDUCT/apply").await;
        let start = b.post("/services/DCI-GOOD-CONDUCT/apply", &[]).await;
        assert_eq!(start.status, 303, "{}", start.html);
        b.get("/account/data/correction").await;
        let sent = b.post("/account/data/correction", &[("topic", "name"), ("details", "My family name is Wanjiru, not Person.")]).await;
        assert_eq!(sent.status, 303, "{}", sent.html);

        let res = app.client.get(format!("{}/account/data.json", app.base))
            .header("cookie", b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(res.headers()["cache-control"], "no-store");
        let data: serde_json::Value = res.json().await.unwrap();
        assert_eq!(data["account"]["id_number"], "23456789");
        assert_eq!(data["account"]["email"], "wanjiru@example.com");
        for key in ["businesses", "dependants", "applications", "bills", "messages", "sessions", "activity", "correction_requests"] {
            assert!(data[key].is_array(), "{key} is listed");
        }
        assert_eq!(data["applications"][0]["service"], "DCI-GOOD-CONDUCT");
        assert!(data["applications"][0]["answers"].is_object(), "answers are there");
        assert!(!data["sessions"].as_array().unwrap().is_empty(), "this sign-in is listed");
        assert!(data["activity"].as_array().unwrap().iter().any(|r| r["what"] == "correction.request"));
        assert_eq!(data["correction_requests"][0]["topic"], "name");

        // The page says the same in words, in both languages.
        let page = b.get("/account/data").await;
        assert_eq!(page.status, 200);
        for text in ["What Lango holds about you", "23456789", "wanjiru@example.com", "/account/data.json", "Corrections you asked for", "Wanjiru, not Person"] {
            assert!(page.html.contains(text), "data page lacks {text}");
        }
        b.cookies.insert("lang".into(), "sw".into());
        let sw = b.get("/account/data").await;
        assert!(sw.html.contains("Kile Lango inachoshikilia kukuhusu") && !sw.html.contains(">?<"));
        // Another person's data is never in it; signed out, there is nothing.
        let anon = app.get("/account/data.json").await;
        assert_eq!(anon.status().as_u16(), 303);
        let _ = id;
    }

    async fn a_correction_request_is_checked_stored_audited_and_confirmed(app: TestApp) {
        let id = app.person("23456790", "baraka@example.com", PASS).await;
        let mut b = Browser::new(&app);
        b.sign_in("23456790", PASS).await;
        let form = b.get("/account/data/correction").await;
        assert_eq!(form.status, 200);
        assert!(form.html.contains("<textarea") && form.html.contains("name=\"topic\""));

        // Nothing chosen and nothing written: both fields named, nothing stored.
        let before = app.count("correction_requests").await;
        let bad = b.post("/account/data/correction", &[("topic", "nonsense"), ("details", "  ")]).await;
        assert_eq!(bad.status, 400, "{}", bad.html);
        assert!(bad.html.contains("href=\"#f-topic") && bad.html.contains("href=\"#f-details"), "{}", bad.html);
        let long = "x".repeat(2001);
        let bad = b.post("/account/data/correction", &[("topic", "other"), ("details", &long)]).await;
        assert_eq!(bad.status, 400);
        assert_eq!(app.count("correction_requests").await, before, "a refused request stores nothing");

        let ok = b.post("/account/data/correction", &[("topic", "date_of_birth"), ("details", "Born 1990-03-27, not 1990-03-28.")]).await;
        assert_eq!(ok.status, 303, "{}", ok.html);
        let reference = ok.location.rsplit('/').next().unwrap().to_string();
        assert!(reference.starts_with('C') && reference.len() == 8, "{reference}");
        let done = b.get(&ok.location).await;
        assert_eq!(done.status, 200);
        assert!(done.html.contains(&reference) && done.html.contains("My date of birth") && done.html.contains("Born 1990-03-27"));
        assert_eq!(app.count("correction_requests").await, before + 1);
        let audited = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'correction.request' AND subject = $1", &id).await;
        assert_eq!(audited, 1, "the request is in the audit log");

        // Someone else cannot read it by its reference.
        app.person("23456791", "other@example.com", PASS).await;
        let mut other = Browser::new(&app);
        other.sign_in("23456791", PASS).await;
        assert_eq!(other.get(&ok.location).await.status, 404);

        // Platform staff find it among the open requests; nobody else may look.
        assert_eq!(other.get("/admin/corrections").await.status, 403);
        app.staff("dpo@lango.example", PASS, Role::PlatformAdmin, None).await;
        let mut staff = Browser::new(&app);
        staff.sign_in("dpo@lango.example", PASS).await;
        let account = staff.get("/account").await;
        assert!(account.html.contains("href=\"/admin/corrections\""), "linked from the staff links");
        let list = staff.get("/admin/corrections").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains(&reference) && list.html.contains("My date of birth"), "{}", list.html);
        let path = format!("/admin/corrections/{reference}");
        let open = staff.get(&path).await;
        assert!(open.html.contains("Born 1990-03-27") && open.html.contains("name=\"outcome\""));
        // An answer needs an outcome and words; a refused one changes nothing.
        let bad = staff.post(&path, &[("outcome", "maybe"), ("answer", " ")]).await;
        assert_eq!(bad.status, 400, "{}", bad.html);
        assert!(bad.html.contains("href=\"#f-outcome") && bad.html.contains("href=\"#f-answer"));
        let answer = "Your date of birth now reads 27 March 1990.";
        let done = staff.post(&path, &[("outcome", "corrected"), ("answer", answer)]).await;
        assert_eq!((done.status, done.location.as_str()), (303, "/admin/corrections?done=1"), "{}", done.html);
        assert!(!staff.get("/admin/corrections").await.html.contains(&reference), "no longer open");
        // Answered once: a second answer is refused.
        let again = staff.post(&path, &[("outcome", "declined"), ("answer", "No.")]).await;
        assert_eq!(again.status, 409, "{}", again.html);
        // The person is told by their channels, sees the answer, and the log has it.
        let told = app.scalar("SELECT COUNT(*) FROM notifications WHERE event_type = 'correction.answered' AND account_id = $1", &id).await;
        assert!(told >= 1, "the person is told");
        let mine = b.get("/account/data").await;
        assert!(mine.html.contains("Corrected") && mine.html.contains(answer), "{}", mine.html);
        let audited = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'correction.answer' AND subject = $1", &id).await;
        assert_eq!(audited, 1);
    }
}
