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
}
