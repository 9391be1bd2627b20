//! Refunds over real HTTP: partial and repeated, guarded by `refund_amount_available` (a
//! stale or repeated request refunds nothing), card refunds reaching the provider simulator,
//! M-Pesa refunds recorded as payouts, per-agency access, the finance officer's pages (the
//! auditor may look but not refund), and a clean ledger after all of it.

use crate::browser_kit::Browser;
use crate::cards::{bill, ledger_is_clean, pay, KEY};
use crate::support::{c2b_confirmation, TestApp};
use lango_identity::model::Role;
use lango_simulators::card::CardSimulator;

async fn refund(
    app: &TestApp,
    key: &str,
    reference: &str,
    amount: &str,
    available: &str,
    idempotency: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = app
        .client
        .post(format!("{}/api/v1/bills/{reference}/refunds", app.base))
        .bearer_auth(key)
        .json(&serde_json::json!({"amount": amount, "refund_amount_available": available, "reason": "Charged twice"}));
    if let Some(k) = idempotency {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

async fn refunds(app: &TestApp, key: &str, reference: &str) -> (u16, serde_json::Value) {
    let res = app
        .client
        .get(format!("{}/api/v1/bills/{reference}/refunds", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// The provider's own view of a payment's refunds.
async fn provider_refunds(sim: &CardSimulator, payment_id: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!(
            "{}/v1/payments/{payment_id}/refunds",
            sim.base_url()
        ))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A C2B confirmation from Safaricom (loopback is a trusted source in tests).
async fn mpesa(app: &TestApp, trans_id: &str, amount: &str, reference: &str) {
    c2b_confirmation(
        &app.client,
        &app.base,
        trans_id,
        amount,
        reference,
        "20261122103015",
    )
    .await;
}

crate::card_tests! {
    async fn card_refunds_are_partial_repeated_and_never_twice(app, sim) {
        let reference = bill(&app, "4550.00", "KES").await;
        let payment_id = pay(&app, &sim, &reference).await;
        let key = app.agency_key("DIS", &["bills:write"]).await;
        let (status, list) = refunds(&app, &key, &reference).await;
        assert_eq!(status, 200);
        assert_eq!((list["amount_available"].as_str(), list["amount_paid"].as_str()), (Some("4550.00"), Some("4600.00")));
        let (status, first) = refund(&app, &key, &reference, "100.00", "4550.00", None).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!((first["method"].as_str(), first["amount_available"].as_str()), (Some("card"), Some("4450.00")));
        // The same request again: its available amount is stale now, so nothing happens.
        let (status, again) = refund(&app, &key, &reference, "100.00", "4550.00", None).await;
        assert_eq!((status, again["error"]["code"].as_str()), (409, Some("refund_amount_available_mismatch")));
        for (amount, available, code) in [
            ("4450.01", "4450.00", "refund_amount_too_large"),
            ("0", "4450.00", "refund_amount_not_positive"),
            ("1e3", "4450.00", "refund_amount_invalid"),
            ("-5", "4450.00", "refund_amount_invalid"),
            ("10.001", "4450.00", "refund_amount_invalid"),
        ] {
            let (status, body) = refund(&app, &key, &reference, amount, available, None).await;
            assert_eq!((status, body["error"]["code"].as_str()), (400, Some(code)), "{amount}");
        }
        let (status, second) = refund(&app, &key, &reference, "450.00", "4450.00", None).await;
        assert_eq!((status, second["amount_available"].as_str()), (201, Some("4000.00")));
        // A retried request with its Idempotency-Key is answered with the same refund.
        let (status, keyed) = refund(&app, &key, &reference, "10.00", "4000.00", Some("r-1")).await;
        assert_eq!(status, 201);
        let (status, replayed) = refund(&app, &key, &reference, "10.00", "4000.00", Some("r-1")).await;
        assert_eq!((status, &replayed["refund_id"]), (201, &keyed["refund_id"]));
        let (status, _) = refund(&app, &key, &reference, "20.00", "3990.00", Some("r-1")).await;
        assert_eq!(status, 409);
        // Five identical requests at once: one refund.
        let k = &key;
        let r = &reference;
        let (a, b, c, d, e) = tokio::join!(
            refund(&app, k, r, "1.00", "3990.00", None), refund(&app, k, r, "1.00", "3990.00", None),
            refund(&app, k, r, "1.00", "3990.00", None), refund(&app, k, r, "1.00", "3990.00", None),
            refund(&app, k, r, "1.00", "3990.00", None));
        let mut statuses = [a.0, b.0, c.0, d.0, e.0];
        statuses.sort();
        assert_eq!(statuses, [201, 409, 409, 409, 409]);
        // A retry racing its original with the same Idempotency-Key: one refund, one answer.
        let (x, y) = tokio::join!(
            refund(&app, k, r, "1.00", "3989.00", Some("r-2")),
            refund(&app, k, r, "1.00", "3989.00", Some("r-2"))
        );
        assert_eq!((x.0, y.0), (201, 201));
        assert_eq!(x.1["refund_id"], y.1["refund_id"]);
        let (_, list) = refunds(&app, &key, &reference).await;
        assert_eq!(list["refunds"].as_array().unwrap().len(), 5);
        assert_eq!((list["amount_refunded"].as_str(), list["amount_available"].as_str()), (Some("562.00"), Some("3988.00")));
        // Every refund reached the provider and succeeded there, and Lango heard so.
        app.eventually("provider refunds succeed", || async {
            let p = provider_refunds(&sim, &payment_id).await;
            let list = p["_embedded"]["refunds"].as_array().cloned().unwrap_or_default();
            list.len() == 5 && list.iter().all(|r| r["status"] == "success")
        }).await;
        app.eventually("Lango follows", || async {
            refunds(&app, &key, &reference).await.1["refunds"].as_array().unwrap().iter().all(|r| r["status"] == "success")
        }).await;
        assert_eq!(app.balance("collection:card:KES").await, 460_000 - 56_200);
        assert_eq!(app.balance("revenue:DIS:KES").await, -(455_000 - 56_200));
        assert_eq!(app.balance("platform_fees:KES").await, -5_000);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM events WHERE type = 'refund.issued' AND order_key = $1", &reference).await, 5);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'refund.issue' AND object = $1", &format!("bill:{reference}")).await, 5);
        // Another agency's bill is as good as absent; a read-only key may read, not refund.
        let ntsa = app.agency_key("NTSA", &["bills:write", "bills:read"]).await;
        assert_eq!(refund(&app, &ntsa, &reference, "1.00", "3988.00", None).await.0, 404);
        assert_eq!(refunds(&app, &ntsa, &reference).await.0, 404);
        let reader = app.agency_key("DIS", &["bills:read"]).await;
        assert_eq!(refunds(&app, &reader, &reference).await.0, 200);
        assert_eq!(refund(&app, &reader, &reference, "1.00", "3988.00", None).await.0, 403);
        assert_eq!(refunds(&app, &key, "NOTABILL").await.0, 404);
        let doc = app.get_json("/api/v1/openapi.json", 200).await;
        let documented = &doc["paths"]["/api/v1/bills/{reference}/refunds"];
        assert!(documented["post"].is_object() && documented["get"].is_object());
        // The provider gone: the refund fails cleanly and nothing is refunded.
        drop(sim);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let (status, body) = refund(&app, &key, &reference, "5.00", "3988.00", None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (502, Some("refund_provider_refused")));
        let (_, list) = refunds(&app, &key, &reference).await;
        assert_eq!(list["amount_available"], "3988.00");
        assert_eq!(app.balance("collection:card:KES").await, 460_000 - 56_200);
        ledger_is_clean(&app);
    }

    async fn mpesa_refunds_are_payouts_owed_to_the_payer(app, _sim) {
        let reference = bill(&app, "4550.00", "KES").await;
        mpesa(&app, "TKR0000001", "5000.00", &reference).await;
        let key = app.agency_key("DIS", &["bills:write"]).await;
        let (_, list) = refunds(&app, &key, &reference).await;
        assert_eq!(list["amount_available"], "4950.00", "service amount and excess; the fee stays");
        let (status, excess) = refund(&app, &key, &reference, "400.00", "4950.00", None).await;
        assert_eq!(status, 201, "{excess}");
        assert_eq!((excess["method"].as_str(), excess["status"].as_str()), (Some("payout"), Some("pending_payout")));
        // The excess already sat in refunds payable: nothing moves in the ledger.
        assert_eq!(app.balance("refunds_payable:KES").await, -40_000);
        let (status, _) = refund(&app, &key, &reference, "100.00", "4550.00", None).await;
        assert_eq!(status, 201);
        assert_eq!(app.balance("refunds_payable:KES").await, -50_000);
        assert_eq!(app.balance("revenue:DIS:KES").await, -445_000);
        assert_eq!(refund(&app, &key, &reference, "4450.01", "4450.00", None).await.0, 400);
        // A bill shared with another agency gives back from each in proportion.
        let shared = app.raise_bill(&key, serde_json::json!({"service_code": "DIS-PASSPORT", "amount": "4000.00",
            "currency": "KES", "shares": [{"agency_code": "KRA", "amount": "1000.00"}]})).await;
        mpesa(&app, "TKR0000002", "4050.00", &shared).await;
        let (dis, kra) = (app.balance("revenue:DIS:KES").await, app.balance("revenue:KRA:KES").await);
        let (status, _) = refund(&app, &key, &shared, "400.00", "4000.00", None).await;
        assert_eq!(status, 201);
        assert_eq!(app.balance("revenue:DIS:KES").await - dis, 30_000);
        assert_eq!(app.balance("revenue:KRA:KES").await - kra, 10_000);
        ledger_is_clean(&app);
    }

    async fn finance_officers_refund_on_their_pages_and_auditors_only_look(app, sim) {
        let reference = bill(&app, "4550.00", "KES").await;
        let payment_id = pay(&app, &sim, &reference).await;
        app.staff("finance@treasury.example", "correct horse battery", Role::FinanceOfficer, None).await;
        app.staff("auditor@treasury.example", "correct horse battery", Role::Auditor, None).await;
        app.staff("officer@dis.example", "correct horse battery", Role::Officer, Some("DIS")).await;
        let mut fin = Browser::new(&app);
        fin.sign_in("finance@treasury.example", "correct horse battery").await;
        let path = format!("/finance/bills/{reference}/refunds");
        let page = fin.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("KES 4,550.00") && page.html.contains(&payment_id));
        assert!(page.html.contains("name=\"refund_amount_available\" value=\"4550.00\""));
        let bad = fin.post(&format!("{path}/check"), &[("refund_amount", "9000"), ("refund_reason", "x"), ("refund_amount_available", "4550.00")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("href=\"#f-refund_amount\""));
        let missing = fin.post(&format!("{path}/check"), &[("refund_amount", "10"), ("refund_reason", ""), ("refund_amount_available", "4550.00")]).await;
        assert!(missing.html.contains("href=\"#f-refund_reason\""));
        let check = fin.post(&format!("{path}/check"), &[("refund_amount", "250.00"), ("refund_reason", "Service not given"), ("refund_amount_available", "4550.00")]).await;
        assert_eq!(check.status, 200);
        assert!(check.html.contains("KES 250.00") && check.html.contains(&payment_id));
        let key = check.html.split("name=\"idempotency_key\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let answers = [("refund_amount", "250.00"), ("refund_reason", "Service not given"), ("refund_amount_available", "4550.00"), ("idempotency_key", key.as_str())];
        let made = fin.post(&path, &answers).await;
        assert_eq!(made.status, 303);
        assert!(made.location.starts_with("/finance/refunds/"));
        // A second press of the button is the same refund.
        assert_eq!(fin.post(&path, &answers).await.location, made.location);
        let done = fin.get(&made.location).await;
        assert!(done.html.contains("Refund made") && done.html.contains(made.location.rsplit('/').next().unwrap()));
        // The same answers from a page that is out of date: refused, nothing refunded.
        let stale = fin.post(&path, &[("refund_amount", "250.00"), ("refund_reason", "Service not given"), ("refund_amount_available", "4550.00"), ("idempotency_key", "another")]).await;
        assert_eq!(stale.status, 400);
        assert!(stale.html.contains("Another refund was made since you opened this page"));
        assert!(stale.html.contains("value=\"4300.00\""));
        app.eventually("the provider refunded it", || async {
            provider_refunds(&sim, &payment_id).await["_embedded"]["refunds"][0]["status"] == "success"
        }).await;
        let list = fin.get(&format!("/finance/refunds?refund_bill={}", reference.to_lowercase())).await;
        assert_eq!((list.status, list.location.as_str()), (303, path.as_str()));
        assert!(fin.get("/finance/refunds").await.html.contains(&reference));
        // The auditor reads everything and refunds nothing.
        let mut auditor = Browser::new(&app);
        auditor.sign_in("auditor@treasury.example", "correct horse battery").await;
        let seen = auditor.get(&path).await;
        assert_eq!(seen.status, 200);
        assert!(seen.html.contains("Only finance officers can make refunds"));
        let refused = auditor.post(&format!("{path}/check"), &[("refund_amount", "1.00"), ("refund_reason", "x"), ("refund_amount_available", "4300.00")]).await;
        assert_eq!(refused.status, 403);
        let refused = auditor.post(&path, &[("refund_amount", "1.00"), ("refund_reason", "x"), ("refund_amount_available", "4300.00")]).await;
        assert_eq!(refused.status, 403);
        let mut officer = Browser::new(&app);
        officer.sign_in("officer@dis.example", "correct horse battery").await;
        assert_eq!(officer.get(&path).await.status, 403);
        // In Kiswahili.
        fin.cookies.insert("lang".into(), "sw".into());
        assert!(fin.get(&path).await.html.contains("Marejesho ya bili"));
        assert_eq!(app.count("refunds").await, 1);
        ledger_is_clean(&app);
    }
}
