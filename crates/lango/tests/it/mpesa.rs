//! M-Pesa C2B callbacks over real HTTP: validation codes, confirmations posted exactly once,
//! partial and over-payments, suspense, the ledger, and callbacks from elsewhere refused.

use crate::support::{Backend, TestApp};

/// A Daraja C2B body as Safaricom sends it (every value a string).
fn c2b(trans_id: &str, amount: &str, reference: &str, shortcode: &str) -> serde_json::Value {
    serde_json::json!({
        "TransactionType": "Pay Bill", "TransID": trans_id, "TransTime": "20261122103015",
        "TransAmount": amount, "BusinessShortCode": shortcode, "BillRefNumber": reference,
        "InvoiceNumber": "", "OrgAccountBalance": "49197.00", "ThirdPartyTransID": "",
        "MSISDN": "2547*****149", "FirstName": "WANJIKU", "MiddleName": "", "LastName": "KAMAU"
    })
}

async fn bill(app: &TestApp, amount: &str) -> String {
    let key = app.agency_key("DIS", &["bills:write"]).await;
    let res = app.client.post(format!("{}/api/v1/bills", app.base)).bearer_auth(&key)
        .json(&serde_json::json!({"service_code": "DIS-PASSPORT", "amount": amount, "currency": "KES"}))
        .send().await.unwrap();
    res.json::<serde_json::Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn call(app: &TestApp, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let res = app
        .client
        .post(format!("{}/channels/mpesa/c2b/{path}", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

async fn balance(app: &TestApp, account: &str) -> i64 {
    let db = app.db().await;
    let b = lango_payments::store::balance(&db, account).await.unwrap();
    db.close().await;
    b
}

async fn run(app: TestApp) {
    let reference = bill(&app, "4550.00").await;
    let typed = format!("{} {}", reference[..4].to_lowercase(), &reference[4..]);
    let accepted = serde_json::json!({"ResultCode": "0", "ResultDesc": "Accepted"});
    assert_eq!(
        call(
            &app,
            "validation",
            c2b("TKA0000001", "4600.00", &typed, "222222")
        )
        .await,
        (200, accepted)
    );
    let mut typo = reference.clone().into_bytes();
    typo[2] = if typo[2] == b'2' { b'3' } else { b'2' };
    let typo = String::from_utf8(typo).unwrap();
    for (body, code) in [
        (c2b("TKA0000001", "4600.00", &typo, "222222"), "C2B00012"),
        (
            c2b("TKA0000001", "4600.00", "NOTABILL", "222222"),
            "C2B00012",
        ),
        (c2b("TKA0000001", "1e3", &reference, "222222"), "C2B00013"),
        (c2b("TKA0000001", "-5", &reference, "222222"), "C2B00013"),
        (
            c2b("TKA0000001", "10.001", &reference, "222222"),
            "C2B00013",
        ),
        (
            c2b("TKA0000001", "4600.00", &reference, "600000"),
            "C2B00015",
        ),
    ] {
        let (status, reply) = call(&app, "validation", body).await;
        assert_eq!((status, reply["ResultCode"].as_str().unwrap()), (200, code));
        assert_eq!(reply["ResultDesc"], "Rejected");
    }

    let ack = serde_json::json!({"ResultCode": 0, "ResultDesc": "Success"});
    // Partly paid, then the same TransID again (Safaricom retries): posted once.
    assert_eq!(
        call(
            &app,
            "confirmation",
            c2b("TKA0000001", "1000.00", &typed, "222222")
        )
        .await,
        (200, ack.clone())
    );
    assert_eq!(
        call(
            &app,
            "confirmation",
            c2b("TKA0000001", "1000.00", &typed, "222222")
        )
        .await,
        (200, ack.clone())
    );
    assert_eq!(balance(&app, "collection:mpesa:KES").await, 100_000);
    assert_eq!(
        balance(&app, "revenue:DIS:KES").await,
        -100_000,
        "the agency's part first"
    );
    // The rest, then more than was due.
    call(
        &app,
        "confirmation",
        c2b("TKA0000002", "3600", &reference, "222222"),
    )
    .await;
    call(
        &app,
        "confirmation",
        c2b("TKA0000003", "500.00", &reference, "222222"),
    )
    .await;
    assert_eq!(balance(&app, "revenue:DIS:KES").await, -455_000);
    assert_eq!(balance(&app, "platform_fees:KES").await, -5_000);
    assert_eq!(balance(&app, "refunds_payable:KES").await, -50_000);
    // Money for no bill, or with a typo, is held in suspense, never lost.
    call(
        &app,
        "confirmation",
        c2b("TKA0000004", "700.00", &typo, "222222"),
    )
    .await;
    call(
        &app,
        "confirmation",
        c2b("TKA0000005", "300.00", "INVOICE-9", "222222"),
    )
    .await;
    assert_eq!(balance(&app, "suspense:KES").await, -100_000);
    assert_eq!(
        balance(&app, "collection:mpesa:KES").await,
        100_000 + 360_000 + 50_000 + 100_000
    );
    assert_eq!(app.count("mpesa_receipts").await, 5);

    // Nothing a caller sends gives a 5xx or posts anything.
    for body in [
        serde_json::json!("nonsense"),
        serde_json::json!({"TransAmount": "10"}),
        c2b("TKA0000006", "abc", &reference, "222222"),
        c2b("", "10", &reference, "222222"),
    ] {
        let (status, _) = call(&app, "confirmation", body).await;
        assert_eq!(status, 400);
    }
    let res = app
        .client
        .post(format!("{}/channels/mpesa/c2b/confirmation", app.base))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(app.count("mpesa_receipts").await, 5);

    let out = app.cli(&["ledger", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && text.contains("5 transactions checked, 0 faults"),
        "{text}"
    );
    let db = app.db().await;
    let (status, paid): (String, i64) =
        sqlx::query_as("SELECT status, service_paid + fee_paid FROM bills WHERE reference = $1")
            .bind(&reference)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    assert_eq!((status.as_str(), paid), ("paid", 460_000));
}

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_configured(
        backend,
        false,
        &[("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string())],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c2b_callbacks_sqlite() {
    run(spawn(Backend::Sqlite).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c2b_callbacks_postgres() {
    match spawn(Backend::Postgres).await {
        Some(app) => run(app).await,
        None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_from_other_networks_are_refused() {
    // Not the demo, and loopback is not among the configured networks.
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (status, _) = call(
        &app,
        "confirmation",
        c2b("TKA0000009", "10", "AAAA2222", "222222"),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(app.count("mpesa_receipts").await, 0);
}
