//! The demo's phone in the browser (`/dev/phone`: dial the USSD code, answer the screens,
//! send an SMS keyword, read the SMS received), and the phone menus' drop-off figures
//! (`/performance/phone`) counting the sessions the gateway really carried.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::support::{Backend, TestApp};
use crate::ussd::dial;

/// A demo node: `/dev/phone` exists only there.
async fn demo(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, true).await
}

/// The demo person whose phone the page stands for by default.
const DEMO_PHONE: &str = "+254712345678";

backend_tests! {
    spawn = demo;

    async fn the_demo_phone_dials_answers_and_reads_its_sms(app: TestApp) {
        let mut b = Browser::new(&app);
        let idle = b.get("/dev/phone").await;
        assert_eq!(idle.status, 200, "{}", idle.html);
        assert!(idle.html.contains("*384*222#") && idle.html.contains(DEMO_PHONE), "{}", idle.html);

        // Dialling shows the home screen and keeps the session in the form.
        let home = b.post("/dev/phone/ussd", &[("number", DEMO_PHONE)]).await;
        assert_eq!(home.status, 200, "{}", home.html);
        assert!(home.html.contains("Lango: government services") && home.html.contains("2 Pay a bill"), "{}", home.html);
        let session = field(&home.html, "session");
        assert!(session.starts_with("ATUid_dev_"), "{session}");
        assert_eq!(field(&home.html, "text"), "");

        // Each answer is one more input of the same session, as the gateway joins them.
        let ask = b
            .post("/dev/phone/ussd", &[("number", DEMO_PHONE), ("session", &session), ("text", ""), ("answer", "2")])
            .await;
        assert!(ask.html.contains("Enter the bill reference"), "{}", ask.html);
        assert_eq!(field(&ask.html, "text"), "2");
        let back = b
            .post("/dev/phone/ussd", &[("number", DEMO_PHONE), ("session", &session), ("text", "2"), ("answer", "0")])
            .await;
        assert!(back.html.contains("1 Application status"), "0 goes back home: {}", back.html);
        assert_eq!(field(&back.html, "text"), "2*0");

        // An SMS keyword from the phone is answered by SMS, which the page lists.
        let sent = b.post("/dev/phone/sms", &[("number", DEMO_PHONE), ("message", "help")]).await;
        assert_eq!(sent.status, 200, "{}", sent.html);
        assert!(sent.html.contains("PAY and a bill reference to pay by M-Pesa"), "{}", sent.html);
        let empty = b.post("/dev/phone/sms", &[("number", DEMO_PHONE), ("message", " ")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.html.contains("error-summary") && empty.html.contains("href=\"#f-message\""), "{}", empty.html);

        // Another number: the page stands for it, its inbox is its own.
        let other = b.get("/dev/phone?number=0733000999").await;
        assert!(other.html.contains("+254733000999") && !other.html.contains("PAY and a bill reference"), "{}", other.html);
        // Forms without the page's token are refused, as every form.
        let forged = b.post_raw("/dev/phone/ussd", "csrf=wrong&number=0712345678".into()).await;
        assert_eq!(forged.status, 403);
    }

    async fn the_drop_off_figures_count_where_gateway_sessions_ended(app: TestApp) {
        let phone = "+254711222333";
        // Sessions left at home, on menu 2's first screen (twice) and on menu 1's first.
        dial(&app, "ATUid_drop_1", phone, "").await;
        dial(&app, "ATUid_drop_2", phone, "").await;
        dial(&app, "ATUid_drop_2", phone, "2").await;
        dial(&app, "ATUid_drop_3", phone, "").await;
        dial(&app, "ATUid_drop_3", phone, "2").await;
        dial(&app, "ATUid_drop_4", phone, "1").await;
        app.eventually("the recorder wrote the four sessions", || async {
            app.count("ussd_sessions").await == 4
        })
        .await;
        let db = app.db().await;
        let steps: i64 = sqlx::query_scalar("SELECT CAST(SUM(steps) AS BIGINT) FROM ussd_sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(steps, 6, "every request is a step");
        // Three minutes on: a gateway has closed them, so each was given up where it stood.
        sqlx::query("UPDATE ussd_sessions SET updated_at = updated_at - 200000")
            .execute(db.pool())
            .await
            .unwrap();
        let ends = lango_phone::figures::ends(&db, "2000-01-01", "2999-12-31").await.unwrap();
        db.close().await;
        let found: Vec<(String, i64, i64)> =
            ends.into_iter().map(|e| (e.step, e.sessions, e.given_up)).collect();
        assert_eq!(found, [("2.0".to_string(), 2, 2), ("1.0".into(), 1, 1), ("home".into(), 1, 1)]);

        // The public page names the screens and is linked from the performance page.
        let page = app.get("/performance/phone").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Pay a bill, screen 1") && html.contains("Home menu"), "{html}");
        assert!(html.contains("<svg"), "a chart of where people give up: {html}");
        let performance = app.get("/performance").await.text().await.unwrap();
        assert!(performance.contains("href=\"/performance/phone\""), "linked from /performance");
        let sw = app.get_sw("/performance/phone").await;
        assert!(sw.contains("skrini 1") && sw.contains("Menyu kuu"), "{sw}");
    }
}

/// The value of the hidden field `name` in a page.
fn field(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_phone_exists_only_in_the_demo() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert_eq!(app.get("/dev/phone").await.status(), 404);
}
