//! Webhooks over real HTTP: signed CloudEvents, retries while the receiver is down, order
//! per case, a hanging receiver that holds up no one, dead letters and redelivery, and the
//! exchange log.

use crate::support::{Backend, TestApp};
use crate::webhook_receiver::{Mode, Receiver};
use lango_identity::model::Role;
use lango_notify::events::{emit, NewEvent};
use lango_notify::webhooks::verify_signature;
use std::collections::HashMap;

/// A short clock: retries after 20 ms doubling to 200 ms; "ten minutes down" becomes seconds.
fn fast(max_attempts: u32) -> Vec<(&'static str, String)> {
    vec![
        ("LANGO_WEBHOOK_BACKOFF_MS", "20".into()),
        ("LANGO_WEBHOOK_BACKOFF_CAP_MS", "200".into()),
        ("LANGO_WEBHOOK_TIMEOUT_MS", "500".into()),
        ("LANGO_WEBHOOK_MAX_ATTEMPTS", max_attempts.to_string()),
    ]
}

async fn spawn(backend: Backend, max_attempts: u32) -> Option<TestApp> {
    TestApp::spawn_configured(backend, false, &fast(max_attempts)).await
}

async fn subscribe(
    app: &TestApp,
    key: &str,
    url: &str,
    types: serde_json::Value,
) -> (String, String) {
    let res = app
        .client
        .post(format!("{}/api/v1/webhooks", app.base))
        .bearer_auth(key)
        .json(&serde_json::json!({ "url": url, "event_types": types }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    (
        body["id"].as_str().unwrap().to_string(),
        body["secret"].as_str().unwrap().to_string(),
    )
}

/// Emits `per_case` events for each of `cases` cases, interleaved, in one transaction each.
async fn emit_cases(app: &TestApp, agency: &str, cases: usize, per_case: usize) {
    let db = app.db().await;
    for i in 0..per_case {
        for c in 0..cases {
            let mut tx = db.pool().begin().await.unwrap();
            let case = format!("case-{c}");
            emit(
                &mut tx,
                &NewEvent {
                    kind: "application.approved",
                    agency,
                    order_key: &case,
                    data: serde_json::json!({ "case": case, "n": i }),
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    }
    db.close().await;
}

/// The `n` values each case's events arrived with, in arrival order (first arrival only).
fn per_case(received: &[crate::webhook_receiver::Received]) -> HashMap<String, Vec<i64>> {
    let mut seen = std::collections::HashSet::new();
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for r in received {
        if seen.insert(r.json["id"].as_str().unwrap_or("").to_string()) {
            out.entry(r.json["subject"].as_str().unwrap_or("").to_string())
                .or_default()
                .push(r.json["data"]["n"].as_i64().unwrap_or(-1));
        }
    }
    out
}

/// Like `backend_tests!`, but each app runs on the short clock with `max` attempts.
macro_rules! fast_clock_tests {
    ($(async fn $name:ident($app:ident, max = $max:expr) $body:block)*) => {
        $(
            mod $name {
                use super::*;
                async fn run($app: TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(spawn(Backend::Sqlite, $max).await.unwrap()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match spawn(Backend::Postgres, $max).await {
                        Some(app) => run(app).await,
                        None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                    }
                }
            }
        )*
    };
}

fast_clock_tests! {
    async fn events_survive_a_receiver_that_is_down_and_arrive_in_order(app, max = 200) {
        let key = app.agency_key("DIS", &["webhooks:manage"]).await;
        let receiver = Receiver::start(Mode::Down).await;
        let (id, secret) = subscribe(&app, &key, &receiver.url, serde_json::json!(["application.approved"])).await;
        // Stored sealed: the database alone cannot sign as Lango.
        let db = app.db().await;
        let stored: String = sqlx::query_scalar("SELECT secret FROM webhook_subscriptions WHERE id = $1")
            .bind(&id).fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert!(stored.starts_with("v1:") && !stored.contains(&secret) && !stored.contains("whsec_"), "{stored}");
        emit_cases(&app, "DIS", 3, 10).await;
        // Down long enough for every delivery to be retried many times at the capped wait.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert!(receiver.received().is_empty());
        receiver.set(Mode::Up);
        app.eventually("all 30 events delivered", || async { per_case(&receiver.received()).values().map(Vec::len).sum::<usize>() == 30 }).await;
        for (case, ns) in per_case(&receiver.received()) {
            assert_eq!(ns, (0..10).collect::<Vec<i64>>(), "{case} in order");
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        for r in receiver.received() {
            assert!(verify_signature(&secret, &r.signature, &r.body, now), "signed");
            assert_eq!(r.json["specversion"], "1.0");
            assert_eq!(r.json["type"], "ke.lango.application.approved");
            assert_eq!(r.json["source"], "/agencies/DIS");
        }
        let log: serde_json::Value = app.client.get(format!("{}/api/v1/webhooks/deliveries", app.base)).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
        let list = log.as_array().unwrap();
        assert_eq!(list.len(), 30);
        assert!(list.iter().all(|d| d["status"] == "delivered"));
        assert!(list.iter().any(|d| d["attempts"].as_i64().unwrap() > 1), "retried while down");
        let out = app.cli(&["audit", "verify"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success() && text.contains("exchange log") && text.contains(", 0 faults"), "{text}");
        // Tamper with one exchange record: verify names it.
        let db = app.db().await;
        sqlx::query("UPDATE exchange_log SET detail = 'nothing happened' WHERE seq = 3").execute(db.pool()).await.unwrap();
        db.close().await;
        let out = app.cli(&["audit", "verify"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(!out.status.success() && text.contains("exchange log: record 3 was altered"), "{text}");
    }

    async fn a_hanging_receiver_holds_up_no_one_and_dead_letters_are_resent(app, max = 3) {
        let key = app.agency_key("DIS", &["webhooks:manage"]).await;
        let hanging = Receiver::start(Mode::Hang).await;
        let redirecting = Receiver::start(Mode::Redirect).await;
        let healthy = Receiver::start(Mode::Up).await;
        subscribe(&app, &key, &hanging.url, serde_json::json!([])).await;
        let (redirect_id, _) = subscribe(&app, &key, &redirecting.url, serde_json::json!([])).await;
        subscribe(&app, &key, &healthy.url, serde_json::json!([])).await;
        emit_cases(&app, "DIS", 20, 1).await;
        app.eventually("the healthy receiver has everything", || async { healthy.received().len() == 20 }).await;
        assert!(hanging.received().is_empty());
        // Three attempts each, then dead letters.
        let dead = || async {
            let res = app.client.get(format!("{}/api/v1/webhooks/deliveries?status=dead", app.base)).bearer_auth(&key).send().await.unwrap();
            res.json::<serde_json::Value>().await.unwrap().as_array().unwrap().iter()
                .filter(|d| d["subscription_id"] == redirect_id.as_str()).cloned().collect::<Vec<_>>()
        };
        app.eventually("redirected deliveries are dead", || async { dead().await.len() == 20 }).await;
        let first = &dead().await[0];
        assert_eq!(first["last_status"], 302);
        assert_eq!(first["attempts"], 3);
        redirecting.set(Mode::Up);
        for d in dead().await {
            let res = app.client.post(format!("{}/api/v1/webhooks/deliveries/{}/redeliver", app.base, d["id"].as_str().unwrap())).bearer_auth(&key).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 202);
        }
        app.eventually("redelivered", || async { redirecting.received().len() == 20 }).await;
        let res = app.client.post(format!("{}/api/v1/webhooks/deliveries/nope/redeliver", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
    }

    async fn webhook_access_and_bad_input(app, max = 20) {
        let key = app.agency_key("DIS", &["webhooks:manage"]).await;
        let other = app.agency_key("NTSA", &["webhooks:manage"]).await;
        let receiver = Receiver::start(Mode::Up).await;
        for (body, why) in [
            (serde_json::json!({"url": "ftp://x"}), "bad scheme"),
            (serde_json::json!({"url": "https://user:pw@x/"}), "credentials"),
            (serde_json::json!({"url": "https://x/", "event_types": ["no.such"]}), "unknown type"),
            (serde_json::json!({"nothing": 1}), "missing url"),
        ] {
            let res = app.client.post(format!("{}/api/v1/webhooks", app.base)).bearer_auth(&key).json(&body).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 400, "{why}");
        }
        let (id, _) = subscribe(&app, &key, &receiver.url, serde_json::json!(["webhook.ping"])).await;
        // Another agency's key can neither see nor stop it.
        let list: serde_json::Value = app.client.get(format!("{}/api/v1/webhooks", app.base)).bearer_auth(&other).send().await.unwrap().json().await.unwrap();
        assert_eq!(list, serde_json::json!([]));
        let res = app.client.delete(format!("{}/api/v1/webhooks/{id}", app.base)).bearer_auth(&other).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        // A key without the permission is refused.
        let plain = app.agency_key("DIS", &["cases:read"]).await;
        let res = app.client.get(format!("{}/api/v1/webhooks", app.base)).bearer_auth(&plain).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        // Ping reaches the subscriber; the agency's own key changes are events too.
        let res = app.client.post(format!("{}/api/v1/webhooks/ping", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 202);
        app.eventually("ping delivered", || async { receiver.received().iter().any(|r| r.json["type"] == "ke.lango.webhook.ping") }).await;
        let types: serde_json::Value = app.get_json("/api/v1/event-types", 200).await;
        assert!(types.as_array().unwrap().iter().any(|t| t["name"] == "apikey.created"));
        let db = app.db().await;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE type = 'apikey.created' AND agency_code = 'DIS'").fetch_one(db.pool()).await.unwrap();
        assert_eq!(n, 2);
        let calls: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM exchange_log WHERE action = 'api.call'").fetch_one(db.pool()).await.unwrap();
        assert!(calls >= 8, "agency API calls are in the exchange log ({calls})");
        db.close().await;
        let res = app.client.delete(format!("{}/api/v1/webhooks/{id}", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 204);
    }
}

fast_clock_tests! {
    async fn administrators_manage_webhooks_on_their_page(app, max = 20) {
        use crate::browser_kit::Browser;
        app.staff("admin@dis.example", "correct horse battery", Role::AgencyAdmin, Some("DIS")).await;
        app.staff("officer@dis.example", "correct horse battery", Role::Officer, Some("DIS")).await;
        let receiver = Receiver::start(Mode::Up).await;
        let mut admin = Browser::new(&app);
        admin.sign_in("admin@dis.example", "correct horse battery").await;
        assert!(admin.get("/account").await.html.contains("/admin/agencies/DIS/webhooks"));
        admin.get("/admin/agencies/DIS/webhooks").await;
        let bad = admin.post("/admin/agencies/DIS/webhooks", &[("url", "not a url")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("href=\"#f-url\""));
        let made = admin.post("/admin/agencies/DIS/webhooks", &[("url", &receiver.url), ("event_types", "webhook.ping")]).await;
        assert_eq!(made.status, 200);
        let secret = made.html.split("id=\"new-secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert!(secret.starts_with("whsec_"));
        let page = admin.get("/admin/agencies/DIS/webhooks").await;
        assert!(!page.html.contains(&secret), "the secret is shown once");
        assert_eq!(admin.post("/admin/agencies/DIS/webhooks/ping", &[]).await.status, 303);
        app.eventually("ping delivered", || async { receiver.received().len() == 1 }).await;
        assert_eq!(admin.get("/admin/agencies/NTSA/webhooks").await.status, 403);
        let mut officer = Browser::new(&app);
        officer.sign_in("officer@dis.example", "correct horse battery").await;
        officer.get("/admin/agencies/DIS/webhooks").await;
        let refused = officer.post("/admin/agencies/DIS/webhooks/ping", &[]).await;
        assert_eq!(refused.status, 403, "officers see but do not manage webhooks");
    }
}
