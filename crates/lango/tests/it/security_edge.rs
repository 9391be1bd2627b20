//! The web edge under attack: each test below exploits a hole the edge used to have.
//! Open redirects through `next`, M-Pesa callbacks at guessable paths and with amounts or
//! phones that are not the prompt's, rate limits that a proxy header could dodge or that
//! grew without bound, bill references found by trying them, `/metrics` open to anyone,
//! and webhooks sent into Lango's own network.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::cases_work::{actor, define, engine, submitted, PASSWORD};
use crate::stk::{ask, bill, env_with, fast};
use crate::support::{Backend, TestApp};
use lango_simulators::daraja::Settings;
use serde_json::{json, Value};
use std::time::Duration;

const TOKEN: &str = "cb_0123456789abcdefghijklmnopqrstuvwxyz";

/// A C2B confirmation body for `reference`.
fn confirmation(trans_id: &str, amount: &str, reference: &str) -> Value {
    json!({
        "TransactionType": "Pay Bill", "TransID": trans_id, "TransTime": "20261122103015",
        "TransAmount": amount, "BusinessShortCode": "222222", "BillRefNumber": reference,
        "InvoiceNumber": "", "OrgAccountBalance": "", "ThirdPartyTransID": "",
        "MSISDN": "2547*****149", "FirstName": "WANJIKU", "MiddleName": "", "LastName": "KAMAU"
    })
}

async fn post_json(app: &TestApp, path: &str, body: &Value) -> u16 {
    app.client
        .post(format!("{}{path}", app.base))
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn get_from(app: &TestApp, path: &str, forwarded_for: &str) -> u16 {
    app.client
        .get(format!("{}{path}", app.base))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

backend_tests! {
    async fn next_is_only_ever_a_path_on_this_site(app: TestApp) {
        // Each of these leaves the site in some browser (a tab or newline is stripped, a
        // backslash read as a slash), or cannot even be put in a header.
        for bad in ["//evil.example", "/%09/evil.example", "/%0A/evil.example", "/%5Cevil.example",
            "https://evil.example/", "/%0D%0ASet-Cookie:%20x=1", "/caf%C3%A9", "/%20/evil.example"] {
            let res = app.get(&format!("/language?to=sw&next={bad}")).await;
            assert_eq!(res.status().as_u16(), 303, "{bad}");
            assert_eq!(res.headers()["location"], "/", "{bad}");
            let page = app.get(&format!("/signin?next={bad}")).await;
            assert_eq!(page.status().as_u16(), 200, "{bad}");
            let html = page.text().await.unwrap();
            assert!(!html.contains("evil.example") && !html.contains("Set-Cookie"), "{bad}: {html}");
            assert!(html.contains("value=\"/account\""), "{bad}: the default is kept");
        }
        let res = app.get("/language?to=sw&next=/services%3Fq%3Dpasport").await;
        assert_eq!(res.headers()["location"], "/services?q=pasport");
    }

    async fn another_agencys_bill_is_not_there(app: TestApp) {
        let dis = app.agency_key("DIS", &["bills:write"]).await;
        let ntsa = app.agency_key("NTSA", &["bills:write", "bills:read"]).await;
        let body = json!({"service_code": "DIS-PASSPORT", "amount": "4550.00", "currency": "KES"});
        let reference = app.raise_bill(&dis, body).await;
        // A well-formed reference of no bill (its check character holds).
        let other = loop {
            let r = lango_payments::BillReference::generate(&mut rand::thread_rng());
            if r.as_str() != reference {
                break r.as_str().to_string();
            }
        };
        let ask = |r: String| {
            let ntsa = ntsa.clone();
            let app = &app;
            async move {
                let res = app.client.get(format!("{}{r}", app.base)).bearer_auth(&ntsa).send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }
        };
        for path in ["/api/v1/bills/{}", "/api/v1/bills/{}/refunds"] {
            let theirs = ask(path.replace("{}", &reference)).await;
            let nobody = ask(path.replace("{}", &other)).await;
            assert_eq!(theirs.0, 404, "{path}: {}", theirs.1);
            assert_eq!(theirs, nobody, "{path}: another agency's bill answers as no bill does");
        }
    }

    async fn an_application_key_learns_nothing_of_other_agencies_applications(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let citizen_id = app.person("23456782", "njoki@example.com", PASSWORD).await;
        let citizen = actor(&app, &citizen_id).await;
        let reference = submitted(&cases, &citizen, "Njoki Wambui").await;
        // A key of another agency that may not read applications at all.
        let key = app.agency_key("NTSA", &["bills:write"]).await;
        let mut unknown = reference.clone();
        let last = unknown.pop().unwrap();
        unknown.push(if last == '2' { '3' } else { '2' });
        let mut answers = Vec::new();
        for r in [&reference, &unknown] {
            let res = app.client.get(format!("{}/api/v1/applications/{r}", app.base))
                .bearer_auth(&key).send().await.unwrap();
            answers.push((res.status().as_u16(), res.text().await.unwrap()));
        }
        assert_eq!(answers[0], answers[1], "an existing application answers as a missing one does");
    }

    async fn bill_lookups_are_limited_per_client(app: TestApp) {
        let reference = bill(&app, "950.00").await;
        // Someone trying references one after another.
        let mut limited = None;
        for i in 0..100 {
            let status = app.get(&format!("/pay/ABCD{i:04}")).await.status().as_u16();
            if status == 429 {
                limited = Some(i);
                break;
            }
            assert_eq!(status, 404);
        }
        let at = limited.expect("the lookups were never limited");
        assert!(at >= lango_web::limits::LOOKUPS_PER_MINUTE as usize - 1, "limited after {at}");
        // The real bill is not found that way either, now.
        let page = app.get(&format!("/pay/{reference}")).await;
        assert_eq!(page.status().as_u16(), 429);
        assert!(page.text().await.unwrap().contains("Too many requests"));
    }
}

/// A forwarded-for header counts only from a trusted proxy: straight from a client it is
/// the client's own say-so and cannot buy a fresh allowance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let direct = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let limit = lango_web::limits::LOOKUPS_PER_MINUTE as usize;
    for i in 0..limit {
        assert_eq!(
            get_from(&direct, "/pay/ABCD2345", &format!("198.51.100.{i}")).await,
            404
        );
    }
    assert_eq!(
        get_from(&direct, "/pay/ABCD2345", "198.51.100.250").await,
        429
    );

    let behind = [("LANGO_TRUSTED_PROXIES", "127.0.0.0/8".to_string())];
    let proxied = TestApp::spawn_configured(Backend::Sqlite, false, &behind)
        .await
        .unwrap();
    for _ in 0..limit {
        // The client put a made-up first hop; the proxy appended the real one.
        assert_eq!(
            get_from(&proxied, "/pay/ABCD2345", "1.1.1.1, 198.51.100.7").await,
            404
        );
    }
    assert_eq!(
        get_from(&proxied, "/pay/ABCD2345", "2.2.2.2, 198.51.100.7").await,
        429
    );
    // Another client behind the same proxy has its own allowance.
    assert_eq!(
        get_from(&proxied, "/pay/ABCD2345", "198.51.100.8").await,
        404
    );
}

#[test]
fn limiter_state_is_pruned() {
    let limits = lango_web::limits::Limits::new();
    for i in 0..200u32 {
        let ip = std::net::IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
        assert!(limits.allow(lango_web::limits::Limit::Lookups, Some(ip)));
        assert!(limits.allow(lango_web::limits::Limit::Forms, Some(ip)));
    }
    assert_eq!(limits.len(), 400);
    // Once every client's allowance has come back, nothing about them needs keeping.
    std::thread::sleep(Duration::from_millis(4_500));
    limits.prune();
    assert!(limits.is_empty(), "{} entries left", limits.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_only_for_the_configured_networks() {
    let settings = [
        ("LANGO_TRUSTED_PROXIES", "127.0.0.0/8".to_string()),
        ("LANGO_METRICS_NETWORKS", "10.0.0.0/8".to_string()),
    ];
    let app = TestApp::spawn_configured(Backend::Sqlite, false, &settings)
        .await
        .unwrap();
    assert_eq!(app.get("/metrics").await.status().as_u16(), 200, "loopback");
    assert_eq!(
        get_from(&app, "/metrics", "10.1.2.3").await,
        200,
        "a configured network"
    );
    assert_eq!(
        get_from(&app, "/metrics", "203.0.113.5").await,
        404,
        "the internet"
    );
    assert_eq!(
        get_from(&app, "/metrics", "10.1.2.3, 203.0.113.5").await,
        404,
        "a forged first hop"
    );

    // Unset: loopback only outside the demo, anyone in the demo.
    let proxy = [("LANGO_TRUSTED_PROXIES", "127.0.0.0/8".to_string())];
    let serve = TestApp::spawn_configured(Backend::Sqlite, false, &proxy)
        .await
        .unwrap();
    assert_eq!(get_from(&serve, "/metrics", "203.0.113.5").await, 404);
    let demo = TestApp::spawn_configured(Backend::Sqlite, true, &proxy)
        .await
        .unwrap();
    assert_eq!(get_from(&demo, "/metrics", "203.0.113.5").await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpesa_callbacks_with_a_token_are_taken_only_at_its_paths() {
    let settings = [
        ("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string()),
        ("LANGO_MPESA_CALLBACK_TOKEN", TOKEN.to_string()),
    ];
    let app = TestApp::spawn_configured(Backend::Sqlite, false, &settings)
        .await
        .unwrap();
    let reference = bill(&app, "950.00").await;
    let wrong = TOKEN.replace('c', "d");
    for path in [
        "/channels/mpesa/c2b/confirmation".to_string(),
        format!("/channels/mpesa/{wrong}/c2b/confirmation"),
        format!("/channels/mpesa/{}/c2b/confirmation", &TOKEN[..20]),
        "/channels/mpesa/c2b/validation".to_string(),
        format!("/channels/mpesa/{wrong}/c2b/validation"),
        "/channels/mpesa/stk/callback".to_string(),
        format!("/channels/mpesa/{wrong}/stk/callback"),
    ] {
        assert_eq!(
            post_json(
                &app,
                &path,
                &confirmation("TKB0000001", "975.00", &reference)
            )
            .await,
            404,
            "{path}"
        );
    }
    assert_eq!(
        app.count("mpesa_receipts").await,
        0,
        "nothing recorded at a wrong path"
    );
    let v = post_json(
        &app,
        &format!("/channels/mpesa/{TOKEN}/c2b/validation"),
        &confirmation("TKB0000001", "975.00", &reference),
    )
    .await;
    assert_eq!(v, 200);
    let c = post_json(
        &app,
        &format!("/channels/mpesa/{TOKEN}/c2b/confirmation"),
        &confirmation("TKB0000001", "975.00", &reference),
    )
    .await;
    assert_eq!(c, 200);
    assert_eq!(app.count("mpesa_receipts").await, 1);

    // Without a token (the demo, and the fixed contract), the plain paths work and a token
    // path is nothing.
    let plain = TestApp::spawn_mpesa(Backend::Sqlite).await.unwrap();
    let reference = bill(&plain, "950.00").await;
    let at_token = format!("/channels/mpesa/{TOKEN}/c2b/confirmation");
    assert_eq!(
        post_json(
            &plain,
            &at_token,
            &confirmation("TKB0000002", "975.00", &reference)
        )
        .await,
        404
    );
    assert_eq!(
        post_json(
            &plain,
            "/channels/mpesa/c2b/confirmation",
            &confirmation("TKB0000002", "975.00", &reference)
        )
        .await,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_sends_its_token_callback_url() {
    let token = [("LANGO_MPESA_CALLBACK_TOKEN", TOKEN.to_string())];
    // Kept whole: dropping the simulator would stop it.
    let env = env_with(Backend::Sqlite, fast(), &token).await.unwrap();
    let app = &env.app;
    let reference = bill(app, "950.00").await;
    let mut b = Browser::new(app);
    let sent = ask(&mut b, &reference, "0712345678").await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    // The simulator calls back at the URL in the request: only the token path takes it.
    app.eventually("the prompt's payment is posted", || async {
        app.scalar(
            "SELECT COUNT(*) FROM bills WHERE reference = $1 AND status = 'paid'",
            &reference,
        )
        .await
            == 1
    })
    .await;
}

async fn stk_callback(
    app: &TestApp,
    checkout: &str,
    receipt: &str,
    amount: &str,
    phone: u64,
) -> u16 {
    let body = format!(
        r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"1-2-3","CheckoutRequestID":"{checkout}","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{{"Item":[{{"Name":"Amount","Value":{amount}}},{{"Name":"MpesaReceiptNumber","Value":"{receipt}"}},{{"Name":"Balance"}},{{"Name":"TransactionDate","Value":20261122103015}},{{"Name":"PhoneNumber","Value":{phone}}}]}}}}}}}}"#
    );
    app.client
        .post(format!("{}/channels/mpesa/stk/callback", app.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_stk_callback_not_for_what_was_asked_is_held_for_review() {
    // The simulator's own answer comes much later: the forged ones arrive first.
    let slow = Settings {
        stk_delay: Duration::from_secs(120),
        ..fast()
    };
    let env = env_with(Backend::Sqlite, slow, &[]).await.unwrap();
    let app = &env.app;
    let mut b = Browser::new(app);
    let state = |reference: String| async move {
        app.scalar(
            "SELECT service_paid + fee_paid FROM bills WHERE reference = $1",
            &reference,
        )
        .await
    };
    // 950 + 25 fee: each prompt asks 975.
    // (receipt, amount, paying phone, phone asked): a phone has one prompt open at a time.
    let cases = [
        ("TKC0000001", "1.00", 254712345678_u64, "0712345678"),
        ("TKC0000002", "975.00", 254799999999_u64, "0712345679"),
    ];
    for (receipt, amount, phone, asked) in cases {
        let reference = bill(app, "950.00").await;
        let sent = ask(&mut b, &reference, asked).await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        let checkout = sent.location.rsplit('/').next().unwrap().to_string();
        assert_eq!(
            stk_callback(app, &checkout, receipt, amount, phone).await,
            200
        );
        assert_eq!(
            state(reference.clone()).await,
            0,
            "{receipt}: nothing posted to the bill"
        );
        let held = app
            .scalar(
                "SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1 AND outcome = 'suspense'",
                receipt,
            )
            .await;
        assert_eq!(held, 1, "{receipt}: recorded, in suspense");
        // The payer is told the money is held, never that none was taken (they would pay again).
        let page = b.get(&sent.location).await;
        assert!(
            page.html.contains("held for review")
                && page.html.contains(receipt)
                && !page.html.contains("No money was taken"),
            "{}",
            page.html
        );
    }
    // Finance staff see both where they review held money.
    let mut fin = crate::reconciliation::signed_in(
        app,
        "fin@treasury.example",
        lango_identity::model::Role::FinanceOfficer,
        None,
    )
    .await;
    let queue = fin.get("/finance/suspense").await;
    assert_eq!(queue.status, 200);
    assert!(
        queue.html.contains("TKC0000001") && queue.html.contains("TKC0000002"),
        "{}",
        queue.html
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_never_go_into_our_own_network() {
    let strict = [("LANGO_WEBHOOK_ALLOW_PRIVATE", "false".to_string())];
    let app = TestApp::spawn_configured(Backend::Sqlite, false, &strict)
        .await
        .unwrap();
    let key = app.agency_key("DIS", &["webhooks:manage"]).await;
    let receiver =
        crate::webhook_receiver::Receiver::start(crate::webhook_receiver::Mode::Up).await;
    let port = receiver
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    for (url, why) in [
        (receiver.url.clone(), "https"),
        (format!("https://127.0.0.1:{port}/hook"), "public internet"),
        (format!("https://localhost:{port}/hook"), "public internet"),
        ("https://10.0.0.5/hook".to_string(), "public internet"),
        (
            "https://169.254.169.254/latest/meta-data".to_string(),
            "public internet",
        ),
        (
            "https://[::ffff:10.0.0.5]/hook".to_string(),
            "public internet",
        ),
        ("https://[fd00::1]/hook".to_string(), "public internet"),
    ] {
        let res = app
            .client
            .post(format!("{}/api/v1/webhooks", app.base))
            .bearer_auth(&key)
            .json(&json!({"url": url, "event_types": []}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, 400, "{url}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(why),
            "{url}: {body}"
        );
    }
    assert_eq!(app.count("webhook_subscriptions").await, 0);

    // A subscription made before the rule (or whose name now resolves inside): refused at
    // delivery, never sent.
    let db = app.db().await;
    for (id, url) in [
        ("s-literal", format!("https://127.0.0.1:{port}/hook")),
        ("s-name", format!("https://localhost:{port}/hook")),
        ("s-http", receiver.url.clone()),
    ] {
        sqlx::query("INSERT INTO webhook_subscriptions (id, agency_code, url, secret, event_types, active, created_by, created_at) \
                     VALUES ($1, 'DIS', $2, 'whsec_test', '[]', 1, 'test', 0)")
            .bind(id).bind(&url).execute(db.pool()).await.unwrap();
    }
    db.close().await;
    let ping = app
        .client
        .post(format!("{}/api/v1/webhooks/ping", app.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(ping.status().as_u16(), 202);
    app.eventually("every delivery attempted", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts > 0 AND subscription_id LIKE $1", "s-%").await == 3
    }).await;
    let db = app.db().await;
    let errors: Vec<(String, String)> = sqlx::query_as(
        "SELECT subscription_id, last_error FROM webhook_deliveries ORDER BY subscription_id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    db.close().await;
    for (id, error) in &errors {
        assert!(error.starts_with("refused:"), "{id}: {error}");
    }
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}

/// A card provider's webhook secret too short to protect anything stops start-up.
#[test]
fn a_short_card_webhook_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lango"))
        .arg("migrate")
        .env("LANGO_DATA_DIR", dir.path())
        .env("LANGO_LOG", "warn")
        .env("LANGO_CARD_PROVIDER_URL", "https://pay.example")
        .env("LANGO_CARD_API_KEY", "k")
        .env("LANGO_CARD_WEBHOOK_SECRET", "short-secret")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("LANGO_CARD_WEBHOOK_SECRET") && err.contains("32"),
        "{err}"
    );
}
