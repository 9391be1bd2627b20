//! Bills over real HTTP (DESIGN.md's contract) and `lango ledger verify`.

use crate::backend_tests;
use lango_core::money::{Currency, Money};
use lango_payments::ledger;

fn passport(amount: &str) -> serde_json::Value {
    serde_json::json!({
        "service_code": "DIS-PASSPORT", "amount": amount, "currency": "KES", "agency_reference": "APP-2026-001",
        "payer": {"name": "Wanjiku Kamau", "phone": "+254712345678", "email": "wanjiku@example.com"},
        "description": "Passport, 34 pages"
    })
}

/// Records one M-Pesa receipt through the committer's path; returns where it went.
async fn pay(
    app: &crate::support::TestApp,
    reference: &str,
    trans_id: &str,
    cents: i64,
) -> lango_payments::mpesa::Confirmed {
    let db = app.db().await;
    let incoming = lango_payments::mpesa::Incoming {
        trans_id: trans_id.into(),
        bill_ref: reference.into(),
        reference: lango_payments::BillReference::parse(reference).ok(),
        amount: Money::from_minor(cents, Currency::Kes),
        trans_time_ms: None,
        raw: "{}".into(),
    };
    let done = lango_payments::receipts::record_group(&db, &[&incoming])
        .await
        .unwrap();
    db.close().await;
    done[0].clone()
}

backend_tests! {
    async fn bills_follow_the_contract(app: TestApp) {
        let key = app.agency_key("DIS", &["bills:write"]).await;
        let post = |body: serde_json::Value, idem: Option<&str>| {
            let mut req = app.client.post(format!("{}/api/v1/bills", app.base)).bearer_auth(&key).json(&body);
            if let Some(k) = idem {
                req = req.header("idempotency-key", k);
            }
            req.send()
        };
        let res = post(passport("4550.00"), None).await.unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let bill: serde_json::Value = res.json().await.unwrap();
        assert_eq!(bill["status"], "open");
        assert_eq!(bill["service_amount"], "4550.00");
        assert_eq!(bill["convenience_fee"], "50.00");
        assert_eq!(bill["amount"], "4600.00");
        assert_eq!(bill["amount_paid"], "0.00");
        assert_eq!(bill["balance"], "4600.00");
        assert_eq!(bill["currency"], "KES");
        assert_eq!(bill["agency_reference"], "APP-2026-001");
        let reference = bill["reference"].as_str().unwrap().to_string();
        assert!(lango_payments::BillReference::parse(&reference).is_ok());

        // Read back as a person would type it.
        let typed = format!("{}-{}", reference[..4].to_lowercase(), &reference[4..]);
        let got: serde_json::Value = app.client.get(format!("{}/api/v1/bills/{typed}", app.base)).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
        assert_eq!(got, bill);

        // Idempotency: same key and body → same bill; other body → 409.
        let a: serde_json::Value = post(passport("150"), Some("k-1")).await.unwrap().json().await.unwrap();
        assert_eq!(a["convenience_fee"], "5.00");
        let again = post(passport("150"), Some("k-1")).await.unwrap();
        assert_eq!(again.status().as_u16(), 201);
        assert_eq!(again.json::<serde_json::Value>().await.unwrap(), a);
        let clash = post(passport("151"), Some("k-1")).await.unwrap();
        assert_eq!(clash.status().as_u16(), 409);
        assert_eq!(clash.json::<serde_json::Value>().await.unwrap()["error"]["code"], "conflict");
        assert_eq!(app.count("bills").await, 2);

        // Bad input: the JSON error, nothing stored.
        for (body, why) in [
            (passport("1e3"), "exponent"), (passport("-5"), "negative"), (passport("10.001"), "too precise"),
            (passport(""), "empty"), (passport(" 100"), "space"), (passport("0"), "zero"),
            (passport("99999999999999999999"), "overflow"),
            (serde_json::json!({"service_code": "NTSA-DL-RENEW", "amount": "100", "currency": "KES"}), "another agency's service"),
            (serde_json::json!({"service_code": "NO-SUCH", "amount": "100", "currency": "KES"}), "unknown service"),
            (serde_json::json!({"service_code": "DIS-PASSPORT", "amount": "100", "currency": "XXX"}), "currency"),
            (serde_json::json!({"amount": 100}), "malformed"),
        ] {
            let res = post(body, None).await.unwrap();
            assert_eq!(res.status().as_u16(), 400, "{why}");
            let e: serde_json::Value = res.json().await.unwrap();
            assert_eq!(e["error"]["code"], "invalid_request", "{why}");
        }
        let usd = post(serde_json::json!({"service_code": "DIS-PASSPORT", "amount": "120", "currency": "USD"}), None).await.unwrap();
        assert_eq!(usd.json::<serde_json::Value>().await.unwrap()["convenience_fee"], "1.00");
        assert_eq!(app.count("bills").await, 3);

        // Other agencies and missing permissions.
        let other = app.agency_key("NTSA", &["bills:read", "bills:write"]).await;
        let res = app.client.get(format!("{}/api/v1/bills/{reference}", app.base)).bearer_auth(&other).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "another agency's bill is not there");
        let reader = app.agency_key("DIS", &["cases:read"]).await;
        let res = app.client.post(format!("{}/api/v1/bills", app.base)).bearer_auth(&reader).json(&passport("100")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let mut typo = reference.clone().into_bytes();
        typo.swap(0, 1);
        if typo[0] != typo[1] {
            let res = app.client.get(format!("{}/api/v1/bills/{}", app.base, String::from_utf8(typo).unwrap())).bearer_auth(&key).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 404);
        }
    }

    async fn the_ledger_verifies_and_names_tampering(app: TestApp) {
        let db = app.db().await;
        let due = ledger::Due { service: Money::from_minor(455_000, Currency::Kes), fee: Money::from_minor(5_000, Currency::Kes) };
        let mut tx = db.pool().begin().await.unwrap();
        let split = ledger::receipt("r1", "mpesa", "DIS", due, Money::from_minor(500_000, Currency::Kes)).unwrap();
        lango_payments::store::post(&mut tx, &split.transaction).await.unwrap();
        let stray = ledger::unmatched("r2", "mpesa", Money::from_minor(10_000, Currency::Kes)).unwrap();
        lango_payments::store::post(&mut tx, &stray).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(lango_payments::store::balance(&db, "revenue:DIS:KES").await.unwrap(), -455_000);
        assert_eq!(lango_payments::store::balance(&db, "collection:mpesa:KES").await.unwrap(), 510_000);
        let out = app.cli(&["ledger", "verify"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success() && text.contains("2 transactions checked, 0 faults"), "{text}");
        sqlx::query("UPDATE ledger_entries SET amount = amount + 1 WHERE account = 'platform_fees:KES'").execute(db.pool()).await.unwrap();
        db.close().await;
        let out = app.cli(&["ledger", "verify"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(!out.status.success(), "{text}");
        assert!(text.contains("does not balance in KES") && text.contains("account platform_fees:KES: balance -5000 but its entries sum to -4999"), "{text}");
    }

    async fn a_bill_shared_by_agencies_pays_each_its_part(app: TestApp) {
        let key = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let raise = |shares: serde_json::Value| {
            let mut body = passport("4000.00");
            body["shares"] = shares;
            app.client.post(format!("{}/api/v1/bills", app.base)).bearer_auth(&key).json(&body).send()
        };
        for (bad, field) in [
            (serde_json::json!([{"agency_code": "NOPE", "amount": "10.00"}]), "no such agency"),
            (serde_json::json!([{"agency_code": "DIS", "amount": "10.00"}]), "appear once"),
            (serde_json::json!([{"agency_code": "KRA", "amount": "-1"}]), ""),
            (serde_json::json!([{"agency_code": "KRA", "amount": "1.00"}, {"agency_code": "kra", "amount": "1.00"}]), "appear once"),
            (serde_json::json!([{"agency_code": "KRA", "amount": "4000.00"}]), "less than the amount"),
        ] {
            let res = raise(bad.clone()).await.unwrap();
            assert_eq!(res.status().as_u16(), 400, "{bad}");
            let e: serde_json::Value = res.json().await.unwrap();
            let message = e["error"]["message"].as_str().unwrap();
            assert!(!message.is_empty() && message.contains(field), "{bad}: {e}");
        }
        assert_eq!(app.count("bills").await, 0, "a refused bill stores nothing");
        let res = raise(serde_json::json!([{"agency_code": "KRA", "amount": "1000.00"}])).await.unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let bill: serde_json::Value = res.json().await.unwrap();
        assert_eq!(bill["shares"][0]["agency_code"], "DIS");
        assert_eq!(bill["shares"][0]["amount"], "3000.00");
        assert_eq!(bill["shares"][1]["agency_code"], "KRA");
        let reference = bill["reference"].as_str().unwrap().to_string();
        // Half the service amount, then the rest with the fee, through the receipts' committer.
        for (id, cents) in [("SHR0000001", 200_000), ("SHR0000002", 205_000)] {
            let done = pay(&app, &reference, id, cents).await;
            assert!(matches!(done, lango_payments::mpesa::Confirmed::Posted { .. }), "{done:?}");
            if id == "SHR0000001" {
                let now = app.client.get(format!("{}/api/v1/bills/{reference}", app.base)).bearer_auth(&key)
                    .send().await.unwrap().json::<serde_json::Value>().await.unwrap();
                assert_eq!(now["status"], "partly_paid");
                assert_eq!(now["shares"][0]["amount_paid"], "1500.00");
                assert_eq!(now["shares"][1]["amount_paid"], "500.00");
            }
        }
        let db = app.db().await;
        assert_eq!(lango_payments::store::balance(&db, "revenue:DIS:KES").await.unwrap(), -300_000);
        assert_eq!(lango_payments::store::balance(&db, "revenue:KRA:KES").await.unwrap(), -100_000);
        assert_eq!(lango_payments::store::balance(&db, "platform_fees:KES").await.unwrap(), -5_000);
        let (_, faults) = lango_payments::store::verify(&db).await.unwrap();
        assert!(faults.is_empty(), "{faults:?}");
        db.close().await;
        let paid = app.client.get(format!("{}/api/v1/bills/{reference}", app.base)).bearer_auth(&key)
            .send().await.unwrap().json::<serde_json::Value>().await.unwrap();
        assert_eq!(paid["status"], "paid");
        assert_eq!(paid["shares"][1]["amount_paid"], "1000.00");
    }

    async fn bills_expire_and_can_be_cancelled(app: TestApp) {
        let key = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let raise = |expires_on: &str| {
            let mut body = passport("1000.00");
            body["expires_on"] = serde_json::json!(expires_on);
            app.client.post(format!("{}/api/v1/bills", app.base)).bearer_auth(&key).json(&body).send()
        };
        for bad in ["2020-01-01", "2026-02-30", "soon", "2026-13-01"] {
            assert_eq!(raise(bad).await.unwrap().status().as_u16(), 400, "{bad}");
        }
        let later = lango_core::clock::Civil::from_ms(lango_core::clock::now_ms() + 3 * 86_400_000).date();
        // Past its expiry, an unpaid bill takes no money, and the sweep marks it expired.
        let res = raise(&later).await.unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let expiring = res.json::<serde_json::Value>().await.unwrap()["reference"].as_str().unwrap().to_string();
        let db = app.db().await;
        sqlx::query("UPDATE bills SET expires_at = $1 WHERE reference = $2")
            .bind(lango_core::clock::now_ms() - 1_000).bind(&expiring).execute(db.pool()).await.unwrap();
        assert_eq!(pay(&app, &expiring, "EXP0000001", 105_000).await, lango_payments::mpesa::Confirmed::Suspense);
        assert!(lango_payments::bills::expire_due(&db).await.unwrap() >= 1);
        db.close().await;
        let get = |reference: String| app.client.get(format!("{}/api/v1/bills/{reference}", app.base)).bearer_auth(&key).send();
        let expired = get(expiring).await.unwrap().json::<serde_json::Value>().await.unwrap();
        assert_eq!(expired["status"], "expired");
        // Cancelled: no more money; twice is a conflict; another agency sees nothing.
        let open = raise("").await.unwrap().json::<serde_json::Value>().await.unwrap()["reference"].as_str().unwrap().to_string();
        let cancel = |key: String, reference: String| app.client.post(format!("{}/api/v1/bills/{reference}/cancel", app.base)).bearer_auth(key).send();
        let other = app.agency_key("KRA", &["bills:write"]).await;
        assert_eq!(cancel(other, open.clone()).await.unwrap().status().as_u16(), 404);
        let res = cancel(key.clone(), open.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["status"], "cancelled");
        assert_eq!(cancel(key.clone(), open.clone()).await.unwrap().status().as_u16(), 409);
        assert_eq!(pay(&app, &open, "CAN0000001", 105_000).await, lango_payments::mpesa::Confirmed::Suspense);
        assert_eq!(get(open).await.unwrap().json::<serde_json::Value>().await.unwrap()["amount_paid"], "0.00");
        let out = app.cli(&["ledger", "verify"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convenience_fees_come_from_configuration() {
    let settings = [("LANGO_CONVENIENCE_FEES", "1000:10,*:99".to_string())];
    let app = crate::support::TestApp::spawn_configured(
        crate::support::Backend::Sqlite,
        false,
        &settings,
    )
    .await
    .unwrap();
    let key = app.agency_key("DIS", &["bills:write"]).await;
    for (amount, fee) in [("999.00", "10.00"), ("4550.00", "99.00")] {
        let res = app
            .client
            .post(format!("{}/api/v1/bills", app.base))
            .bearer_auth(&key)
            .json(&passport(amount))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.json::<serde_json::Value>().await.unwrap()["convenience_fee"],
            fee
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("LANGO_CONVENIENCE_FEES", "500:5,200:2".to_string()),
        ("LANGO_DATA_DIR", dir.path().display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let bad = lango_core::config::Config::from_sources(None, &env).unwrap();
    let err = lango::Node::open(bad, vec![]).await.err().expect("refused");
    assert!(err.to_string().contains("convenience_fees"), "{err}");
}
