//! M-Pesa Express (STK push) end to end against the Daraja simulator: the payment page sends
//! a prompt, the simulator answers after a delay, the callback pays the bill exactly once
//! (also when the same receipt arrives as a C2B confirmation), failures are explained, and
//! the OAuth token is reused and refreshed.

use crate::browser_kit::Browser;
use crate::support::{Backend, TestApp};
use lango_payments::daraja_api::{DarajaClient, DarajaError};
use lango_simulators::daraja::{self, DarajaSimulator, Settings};
use std::time::Duration;

/// A test app wired to its own Daraja simulator, callbacks believed from loopback.
pub struct Env {
    pub app: TestApp,
    pub sim: DarajaSimulator,
}

/// The simulator as tests want it: prompts answered fast, confirmations retried fast.
pub fn fast() -> Settings {
    Settings {
        stk_delay: Duration::from_millis(800),
        confirmation_backoff: Duration::from_millis(100),
        ..Settings::default()
    }
}

/// Starts a simulator with `settings` and an app configured to use it, with the C2B URLs
/// registered as the demo does; `None` when PostgreSQL is asked for but not configured.
pub async fn env_with(
    backend: Backend,
    settings: Settings,
    extra: &[(&str, String)],
) -> Option<Env> {
    let sim = daraja::start(settings).await.expect("simulator starts");
    let cfg = sim.config();
    let mut vars = vec![
        ("LANGO_DARAJA_BASE_URL", cfg.base_url.clone()),
        ("LANGO_DARAJA_CONSUMER_KEY", cfg.consumer_key.clone()),
        (
            "LANGO_DARAJA_CONSUMER_SECRET",
            sim.settings().consumer_secret.clone(),
        ),
        ("LANGO_DARAJA_PASSKEY", sim.settings().passkey.clone()),
        ("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    let app = TestApp::spawn_configured(backend, false, &vars).await?;
    DarajaClient::new(sim.config(), "222222")
        .register_c2b_urls(
            &format!("{}/channels/mpesa/c2b/validation", app.base),
            &format!("{}/channels/mpesa/c2b/confirmation", app.base),
        )
        .await
        .expect("C2B URLs registered");
    Some(Env { app, sim })
}

/// Runs each body on SQLite and PostgreSQL, each with its own simulator (`fast()` settings
/// unless the test names others with `using SETTINGS;`).
macro_rules! simulator_tests {
    ($(async fn $name:ident($env:ident : Env) $(using $settings:expr;)? $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($env: Env) $body

                fn settings() -> lango_simulators::daraja::Settings {
                    $crate::stk::settings_or_fast!($($settings)?)
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::stk::env_with($crate::support::Backend::Sqlite, settings(), &[]).await.unwrap()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::stk::env_with($crate::support::Backend::Postgres, settings(), &[]).await {
                        Some(env) => run(env).await,
                        None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                    }
                }
            }
        )*
    };
}

/// The settings a test names, else [`fast`].
macro_rules! settings_or_fast {
    () => {
        $crate::stk::fast()
    };
    ($s:expr) => {
        $s
    };
}
pub(crate) use settings_or_fast;
pub(crate) use simulator_tests;

/// Raises a DIS passport bill for `amount` (the fee is added); returns its reference.
pub async fn bill(app: &TestApp, amount: &str) -> String {
    let key = app.agency_key("DIS", &["bills:write"]).await;
    let body = serde_json::json!({"service_code": "DIS-PASSPORT", "amount": amount, "currency": "KES",
        "payer": {"name": "Wanjiku Kamau", "phone": "+254712345678", "email": "wanjiku@example.com"}});
    app.raise_bill(&key, body).await
}

/// Asks for a prompt from the payment page, as a browser would.
pub async fn ask(b: &mut Browser<'_>, reference: &str, phone: &str) -> crate::browser_kit::Page {
    b.get(&format!("/pay/{reference}")).await;
    b.post(
        &format!("/pay/{reference}/mpesa"),
        &[("mpesa_phone", phone)],
    )
    .await
}

/// Follows the prompt's page until it stops saying "Check your phone".
pub async fn outcome(app: &TestApp, b: &mut Browser<'_>, status_page: &str) -> String {
    for _ in 0..100 {
        let page = b.get(status_page).await;
        assert_eq!(page.status, 200, "{}", page.html);
        if !page.html.contains("Check your phone") && !page.html.contains("Angalia simu yako") {
            return page.html;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the prompt never settled on {} ({})", status_page, app.base);
}

async fn bill_state(app: &TestApp, reference: &str) -> (String, i64) {
    let db = app.db().await;
    let row: (String, i64) =
        sqlx::query_as("SELECT status, service_paid + fee_paid FROM bills WHERE reference = $1")
            .bind(reference)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    row
}

async fn ledger_clean(app: &TestApp) {
    let db = app.db().await;
    let (checked, faults) = lango_payments::store::verify(&db).await.unwrap();
    db.close().await;
    assert!(checked > 0 && faults.is_empty(), "{faults:?}");
}

async fn callback(app: &TestApp, body: &[u8]) -> u16 {
    app.client
        .post(format!("{}/channels/mpesa/stk/callback", app.base))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The stored callback of the prompt whose page is `location`.
async fn stored_callback(app: &TestApp, location: &str) -> String {
    let checkout = location.rsplit('/').next().unwrap();
    let db = app.db().await;
    let raw: String =
        sqlx::query_scalar("SELECT callback_raw FROM stk_requests WHERE checkout_request_id = $1")
            .bind(checkout)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    raw
}

simulator_tests! {
    async fn a_prompt_pays_the_bill_once(env: Env) {
        let Env { app, sim } = &env;
        let reference = bill(app, "4550.00").await;
        let mut b = Browser::new(app);
        let sent = ask(&mut b, &reference, "0712 345 678").await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        assert!(sent.location.starts_with(&format!("/pay/{reference}/mpesa/ws_CO_")), "{}", sent.location);
        let waiting = app.get(&sent.location).await;
        assert_eq!(waiting.headers()["refresh"], "3", "the page follows the prompt without JavaScript");
        assert!(waiting.text().await.unwrap().contains("Check your phone"));

        let html = outcome(app, &mut b, &sent.location).await;
        assert!(html.contains("Payment received"), "{html}");
        let receipt = html.split("id=\"receipt\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert_eq!(receipt.len(), 10);
        assert_eq!(bill_state(app, &reference).await, ("paid".to_string(), 460_000));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1", &receipt).await, 1);
        assert_eq!(app.balance("collection:mpesa:KES").await, 460_000);
        ledger_clean(app).await;
        // M-Pesa's books hold it too (what the statement and Pull Transactions return).
        let held = sim.transactions();
        assert!(held.iter().any(|t| t.trans_id == receipt && t.amount_minor == 460_000 && t.bill_ref == reference));
        // The payment page now says paid, with the receipt, and offers no more prompts.
        let page = b.get(&format!("/pay/{reference}")).await;
        assert!(page.html.contains("This bill is paid") && page.html.contains(&receipt), "{}", page.html);
        assert!(!page.html.contains("mpesa_phone"));

        // The same callback again (Daraja retrying): acknowledged, nothing posted.
        let raw = stored_callback(app, &sent.location).await;
        assert_eq!(callback(app, raw.as_bytes()).await, 200);
        // The same receipt as a C2B confirmation: acknowledged, nothing posted.
        let c2b = serde_json::json!({
            "TransactionType": "Pay Bill", "TransID": receipt, "TransTime": "20261122103015",
            "TransAmount": "4600.00", "BusinessShortCode": "222222", "BillRefNumber": reference,
            "InvoiceNumber": "", "OrgAccountBalance": "", "ThirdPartyTransID": "",
            "MSISDN": "2547*****678", "FirstName": "WANJIKU", "MiddleName": "", "LastName": "KAMAU"});
        let res = app.client.post(format!("{}/channels/mpesa/c2b/confirmation", app.base)).json(&c2b).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1", &receipt).await, 1);
        assert_eq!(app.balance("collection:mpesa:KES").await, 460_000);
        assert_eq!(bill_state(app, &reference).await, ("paid".to_string(), 460_000));
        ledger_clean(app).await;
    }

    async fn a_c2b_receipt_then_its_stk_callback_posts_once(env: Env) {
        let Env { app, .. } = &env;
        let reference = bill(app, "950.00").await;
        let mut b = Browser::new(app);
        // This payer's callback is lost on the way; the money arrives as a C2B confirmation.
        let sent = ask(&mut b, &reference, "254700000404").await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        let checkout = sent.location.rsplit('/').next().unwrap().to_string();
        let c2b = serde_json::json!({
            "TransactionType": "Pay Bill", "TransID": "TKA7X2M9QP", "TransTime": "20261122103015",
            "TransAmount": "975.00", "BusinessShortCode": "222222", "BillRefNumber": reference,
            "InvoiceNumber": "", "OrgAccountBalance": "", "ThirdPartyTransID": "",
            "MSISDN": "2547*****404", "FirstName": "JOHN", "MiddleName": "", "LastName": "DOE"});
        let res = app.client.post(format!("{}/channels/mpesa/c2b/confirmation", app.base)).json(&c2b).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(bill_state(app, &reference).await, ("paid".to_string(), 97_500));
        let late = serde_json::json!({"Body": {"stkCallback": {
            "MerchantRequestID": "1-2-3", "CheckoutRequestID": checkout, "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "CallbackMetadata": {"Item": [
                {"Name": "Amount", "Value": 975.00}, {"Name": "MpesaReceiptNumber", "Value": "TKA7X2M9QP"},
                {"Name": "Balance"}, {"Name": "TransactionDate", "Value": 20261122103015_u64},
                {"Name": "PhoneNumber", "Value": 254700000404_u64}]}}}});
        assert_eq!(callback(app, late.to_string().as_bytes()).await, 200);
        assert_eq!(callback(app, late.to_string().as_bytes()).await, 200);
        assert_eq!(app.count("mpesa_receipts").await, 1);
        assert_eq!(app.balance("collection:mpesa:KES").await, 97_500);
        assert_eq!(app.balance("refunds_payable:KES").await, 0, "not paid twice");
        let page = b.get(&sent.location).await;
        assert!(page.html.contains("TKA7X2M9QP"), "the prompt learnt its receipt: {}", page.html);
        ledger_clean(app).await;
    }

    async fn failures_are_explained_and_change_nothing(env: Env) {
        let Env { app, sim } = &env;
        let cases = [
            ("254700001032", "You cancelled the request on your phone"),
            ("254700001037", "We could not reach your phone"),
            ("254700002001", "The M-Pesa PIN was wrong"),
            ("254700000001", "There is not enough money in your M-Pesa account"),
            ("254700001019", "M-Pesa could not complete the payment"),
        ];
        let mut b = Browser::new(app);
        let mut reference = String::new();
        for (i, (phone, words)) in cases.iter().enumerate() {
            // At most three prompts a minute per bill.
            if i % 3 == 0 {
                reference = bill(app, "1950.00").await;
            }
            let sent = ask(&mut b, &reference, phone).await;
            assert_eq!(sent.status, 303, "{phone}: {}", sent.html);
            let html = outcome(app, &mut b, &sent.location).await;
            assert!(html.contains("The payment did not go through") && html.contains(words), "{phone}: {html}");
            assert!(html.contains(&format!("href=\"/pay/{reference}#prompt\"")), "try again");
            assert_eq!(bill_state(app, &reference).await, ("open".to_string(), 0));
        }
        assert_eq!(app.count("mpesa_receipts").await, 0);
        assert!(sim.transactions().is_empty(), "no money moved");
        // In Kiswahili too.
        b.cookies.insert("lang".into(), "sw".into());
        let reference = bill(app, "1950.00").await;
        let sent = ask(&mut b, &reference, "254700002001").await;
        let html = outcome(app, &mut b, &sent.location).await;
        assert!(html.contains("Malipo hayakufanikiwa") && html.contains("PIN ya M-Pesa haikuwa sahihi"), "{html}");
    }

    async fn one_prompt_at_a_time_and_three_a_minute(env: Env)
        using Settings { stk_delay: Duration::from_millis(1500), ..fast() }; {
        let Env { app, sim } = &env;
        let reference = bill(app, "450.00").await;
        let mut b = Browser::new(app);
        let first = ask(&mut b, &reference, "254700001032").await;
        assert_eq!(first.status, 303);
        let again = ask(&mut b, &reference, "0722 000 111").await;
        assert_eq!(again.status, 429);
        assert!(again.html.contains("A payment request for this bill was sent a moment ago"), "{}", again.html);
        assert!(again.html.contains("href=\"#f-mpesa_phone\""), "the summary links to the field");
        outcome(app, &mut b, &first.location).await;
        for _ in 0..2 {
            let next = ask(&mut b, &reference, "254700001032").await;
            assert_eq!(next.status, 303, "{}", next.html);
            outcome(app, &mut b, &next.location).await;
        }
        let fourth = ask(&mut b, &reference, "254700001032").await;
        assert_eq!(fourth.status, 429);
        assert!(fourth.html.contains("Too many payment requests for this bill"), "{}", fourth.html);
        assert_eq!(sim.counters().stk_pushes.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    async fn a_lost_callback_is_found_by_the_status_query(env: Env)
        using Settings { stk_delay: Duration::from_millis(1500), ..fast() }; {
        let Env { app, sim } = &env;
        let reference = bill(app, "450.00").await;
        let mut b = Browser::new(app);
        let sent = ask(&mut b, &reference, "254700000404").await;
        assert_eq!(sent.status, 303);
        let checkout = sent.location.rsplit('/').next().unwrap().to_string();
        let db = app.db().await;
        let client = DarajaClient::new(sim.config(), "222222");
        // Before the payer answers, Daraja says it is still being processed.
        let early = lango_payments::stk::refresh(&db, &client, &checkout, 0).await.unwrap().unwrap();
        assert_eq!(early.status, lango_payments::stk::StkStatus::Pending);
        tokio::time::sleep(Duration::from_millis(1700)).await;
        // Asked again only after QUERY_EVERY_MS: pretend that long has passed.
        sqlx::query("UPDATE stk_requests SET queried_at = 0").execute(db.pool()).await.unwrap();
        let late = lango_payments::stk::refresh(&db, &client, &checkout, 0).await.unwrap().unwrap();
        db.close().await;
        assert_eq!((late.status.as_str(), late.result_code, late.receipt.as_deref()), ("succeeded", Some(0), None));
        assert_eq!(sim.counters().stk_queries.load(std::sync::atomic::Ordering::SeqCst), 2);
        let page = b.get(&sent.location).await;
        assert!(page.html.contains("M-Pesa confirmed your payment") && page.html.contains("Do not pay again"), "{}", page.html);
        // The bill waits for the receipt itself: a query's word moves no money.
        assert_eq!(bill_state(app, &reference).await, ("open".to_string(), 0));
    }

    async fn malformed_callbacks_are_refused_without_a_5xx(env: Env) {
        let Env { app, .. } = &env;
        let bodies: Vec<Vec<u8>> = vec![
            b"".to_vec(), b"{".to_vec(), b"[]".to_vec(), b"null".to_vec(), b"\"text\"".to_vec(),
            br#"{"Body":{}}"#.to_vec(),
            br#"{"Body":{"stkCallback":{"CheckoutRequestID":"ws_CO_1","ResultCode":"x"}}}"#.to_vec(),
            br#"{"Body":{"stkCallback":{"CheckoutRequestID":"ws_CO_1","ResultCode":0}}}"#.to_vec(),
            br#"{"Body":{"stkCallback":{"CheckoutRequestID":"ws_CO_1","ResultCode":0,"CallbackMetadata":{"Item":[{"Name":"Amount","Value":-1},{"Name":"MpesaReceiptNumber","Value":"TKA0000001"}]}}}}"#.to_vec(),
            vec![0xff, 0xfe, 0x00],
        ];
        for body in bodies {
            assert_eq!(callback(app, &body).await, 400, "{}", String::from_utf8_lossy(&body));
        }
        let huge = format!(r#"{{"Body":{{"stkCallback":{{"CheckoutRequestID":"{}","ResultCode":1}}}}}}"#, "x".repeat(20_000));
        let status = callback(app, huge.as_bytes()).await;
        assert!((400..500).contains(&status), "{status}");
        // A failure for a prompt never sent: acknowledged, nothing changes.
        let unknown = br#"{"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"ws_CO_unknown","ResultCode":1032,"ResultDesc":"Request cancelled by user"}}}"#;
        assert_eq!(callback(app, unknown).await, 200);
        assert_eq!(app.count("mpesa_receipts").await, 0);
        assert_eq!(app.count("stk_requests").await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_from_other_networks_are_refused() {
    // Not the demo, and loopback is not among the configured networks.
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let body = br#"{"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"ws_CO_1","ResultCode":0,"ResultDesc":"ok","CallbackMetadata":{"Item":[{"Name":"Amount","Value":10},{"Name":"MpesaReceiptNumber","Value":"TKA0000009"}]}}}}"#;
    assert_eq!(callback(&app, body).await, 403);
    assert_eq!(app.count("mpesa_receipts").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_reused_and_refreshed() {
    // Usable for two seconds: Lango renews a token a minute before Daraja says it expires.
    let sim = daraja::start(Settings {
        token_lifetime: Duration::from_secs(62),
        ..fast()
    })
    .await
    .unwrap();
    let client = DarajaClient::new(sim.config(), "222222");
    let register = || client.register_c2b_urls("http://127.0.0.1:9/v", "http://127.0.0.1:9/c");
    register().await.unwrap();
    register().await.unwrap();
    assert_eq!(sim.tokens_issued(), 1, "one token for both calls");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    register().await.unwrap();
    assert_eq!(sim.tokens_issued(), 2, "renewed before it ran out");
    // Daraja forgets the token early: the 401 fetches a new one and the call goes through.
    sim.revoke_tokens();
    register().await.unwrap();
    assert_eq!(sim.tokens_issued(), 3);
    assert_eq!(
        sim.counters()
            .unauthorized
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    // An STK query for a prompt Daraja never saw is Daraja's own 400.
    match client.stk_query("ws_CO_nothing").await {
        Err(DarajaError::Api {
            status: 400, code, ..
        }) => assert_eq!(code, "400.002.02"),
        other => panic!("{other:?}"),
    }
    // Wrong credentials are refused, and say so without the secret.
    let mut wrong = sim.config();
    wrong.consumer_secret = "not-the-secret".to_string().into();
    let refused = DarajaClient::new(wrong, "222222")
        .register_c2b_urls("http://x/v", "http://x/c")
        .await;
    match refused {
        Err(e @ DarajaError::Auth(_)) => assert!(!e.to_string().contains("not-the-secret"), "{e}"),
        other => panic!("{other:?}"),
    }
    // A wrong passkey makes a wrong STK password.
    let mut wrong = sim.config();
    wrong.passkey = "wrong".to_string().into();
    let push = lango_payments::daraja_api::StkPush {
        phone: "254712345678".into(),
        amount: 10,
        account_reference: "AB12CD34".into(),
        description: "Pay DIS".into(),
        callback_url: "http://127.0.0.1:9/cb".into(),
    };
    assert!(matches!(
        DarajaClient::new(wrong, "222222").stk_push(&push).await,
        Err(DarajaError::Api { status: 500, .. })
    ));
    assert_eq!(
        sim.counters()
            .stk_pushes
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulators_books_by_pull_and_statement() {
    let sim = daraja::start(Settings {
        pull_page_size: 2,
        ..fast()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let pay = |body: serde_json::Value| {
        let http = http.clone();
        let url = format!("{}/simulator/pay", sim.base_url());
        async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    // Nobody registered C2B URLs and one payment is never delivered: the money still moved.
    let now = lango_core::clock::now_ms();
    let hour_ago = lango_payments::daraja_api::eat_timestamp(now - 3_600_000);
    let a = pay(serde_json::json!({"bill_ref": "AB12 CD3", "amount": "4,600.00"})).await;
    assert_eq!(a["error"], "Amount is missing or not valid", "{a}");
    let a = pay(serde_json::json!({"bill_ref": "AB12 CD3", "amount": "4600.00", "name": "Wanjiku Kamau", "trans_time": hour_ago})).await;
    let b =
        pay(serde_json::json!({"bill_ref": "ZZ, \"X\"", "amount": "10", "deliver": false})).await;
    let c = pay(serde_json::json!({"bill_ref": "QQ", "amount": "0.50", "msisdn": "254711000222"}))
        .await;
    let ids: Vec<String> = [&a, &b, &c]
        .iter()
        .map(|v| v["TransID"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.iter().all(|id| id.len() == 10
        && id
            .bytes()
            .all(|x| x.is_ascii_uppercase() || x.is_ascii_digit())));
    // Pull Transactions: register, then page through the last 48 hours two rows at a time.
    let client = DarajaClient::new(sim.config(), "222222");
    let reg = client
        .post_json(
            "/pulltransactions/v1/register",
            &serde_json::json!({
        "ShortCode": "222222", "RequestType": "Pull", "NominatedNumber": "254722000000",
        "CallBackURL": "https://lango.example/pull"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            reg["ResponseStatus"].as_str(),
            reg["ResponseDescription"].as_str()
        ),
        (Some("1000"), Some("ShortCode Registered Successfully"))
    );
    let eat = |ms: i64| {
        let t = lango_payments::daraja_api::eat_timestamp(ms);
        format!(
            "{}-{}-{} {}:{}:{}",
            &t[..4],
            &t[4..6],
            &t[6..8],
            &t[8..10],
            &t[10..12],
            &t[12..]
        )
    };
    let mut rows = Vec::new();
    loop {
        let page = client.post_json("/pulltransactions/v1/query", &serde_json::json!({
            "ShortCode": "222222", "StartDate": eat(now - 72 * 3_600_000), "EndDate": eat(now + 60_000),
            "OffSetValue": rows.len().to_string()})).await.unwrap();
        assert_eq!(page["ResponseCode"], "1000");
        let got = page["Response"][0].as_array().unwrap().clone();
        let n = got.len();
        rows.extend(got);
        if n < 2 {
            break;
        }
    }
    let pulled: Vec<&str> = rows
        .iter()
        .map(|r| r["transactionId"].as_str().unwrap())
        .collect();
    assert_eq!(
        pulled,
        ids.iter().map(String::as_str).collect::<Vec<_>>(),
        "oldest first, every page"
    );
    assert_eq!(rows[0]["amount"], "4600.00");
    assert_eq!(rows[0]["msisdn"], 254712345678_u64);
    assert_eq!(rows[0]["sender"], "WANJIKU KAMAU");
    assert_eq!(rows[0]["billreference"], "AB12 CD3");
    assert!(rows[0]["trxDate"].as_str().unwrap().ends_with('Z'));
    // The statement: preamble, header, one row each, commas quoted, balances running.
    let today = &eat(now)[..10];
    let csv = http
        .get(format!(
            "{}/simulator/statement.csv?from={today}&to={today}",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Account Holder:,Lango Payments");
    assert_eq!(lines[1], "Short Code:,222222");
    assert!(lines[2].starts_with(&format!(
        "Time Period:,From {today} 00:00:00 To {today} 23:59:59"
    )));
    assert!(lines[3].starts_with(
        "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In"
    ));
    let body: Vec<&str> = lines[4..].to_vec();
    // The payment an hour ago may fall on yesterday (East Africa Time) just after midnight.
    assert!(body.len() == 3 || body.len() == 2, "{csv}");
    let last = body.last().unwrap();
    assert!(
        last.starts_with(&format!("{},", ids[2]))
            && last.contains(",Completed,0.50,,4610.50,true,")
            && last.ends_with(",QQ"),
        "{last}"
    );
    assert!(
        csv.contains(",Completed,10.00,,4610.00,true,") && csv.contains(",\"ZZ, \"\"X\"\"\"\r\n"),
        "a typed comma is quoted: {csv}"
    );
    let all: serde_json::Value = http
        .get(format!("{}/simulator/transactions", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[1]["delivered"], false);
}
