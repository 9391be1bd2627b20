//! Settlement over the real binary, pages and API: yesterday's receipts (made by the C2B
//! confirmation endpoint, verified by a statement) settled once per agency and currency, the
//! ledger balanced, unverified receipts held back, the bank's file and the agency's statement,
//! and each agency's systems seeing only their own batches.

use crate::backend_tests;
use crate::reconciliation::{confirm, raise, signed_in, statement};
use crate::support::TestApp;
use lango_identity::model::Role;
use lango_payments::finance::Day;

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn get_json(app: &TestApp, key: &str, path: &str) -> (u16, serde_json::Value) {
    let res = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

backend_tests! {
    spawn = TestApp::spawn_mpesa;

    async fn a_day_is_settled_once_from_verified_receipts_only(app: TestApp) {
        let dis = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let ntsa = app.agency_key("NTSA", &["bills:write", "bills:read"]).await;
        let a = raise(&app, &dis, "DIS-PASSPORT", "4550.00", "DIS-APP-1").await;
        let b = raise(&app, &dis, "DIS-PASSPORT", "1000.00", "DIS-APP-2").await;
        let m = raise(&app, &dis, "DIS-PASSPORT", "700.00", "DIS-APP-3").await;
        let f = raise(&app, &dis, "DIS-PASSPORT", "800.00", "DIS-APP-4").await;
        let n = raise(&app, &ntsa, "NTSA-DL-RENEW", "3000.00", "NT-9").await;
        let yesterday = Day::today().plus(-1);
        let t = yesterday.start_ms() + 10 * 3_600_000;
        confirm(&app, "TKS0000001", "4600.00", &a, t).await; // paid in full: DIS gets 4550
        confirm(&app, "TKS0000002", "600.00", &b, t + 60_000).await; // part: all to DIS's share
        confirm(&app, "TKS0000003", "725.00", &m, t + 120_000).await; // statement says otherwise
        confirm(&app, "TKS0000004", "850.00", &f, t + 180_000).await; // never in the statement
        confirm(&app, "TKS0000005", "3050.00", &n, t + 240_000).await; // NTSA in full
        let day_end = yesterday.plus(1).start_ms() - 1;
        let csv = statement(
            yesterday.start_ms(),
            day_end,
            &[
                ("TKS0000001", t, "4600.00", &a),
                ("TKS0000002", t + 60_000, "600.00", &b),
                ("TKS0000003", t + 120_000, "752.00", &m),
                ("TKS0000005", t + 240_000, "3050.00", &n),
            ],
            &[],
        );
        let path = app.data_dir.path().join("yesterday.csv");
        std::fs::write(&path, &csv).unwrap();
        let out = app.cli(&["reconcile", "statement", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        let transactions_before = app.count("ledger_transactions").await;

        let date = yesterday.date();
        let out = app.cli(&["settle", "--date", &date]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("2 new batches"), "{}", text(&out));
        let compact = date.replace('-', "");
        let dis_batch = format!("ST-{compact}-DIS-KES");
        let ntsa_batch = format!("ST-{compact}-NTSA-KES");
        // The verified share only: 4550 + 600; the mismatched and the unseen receipts wait.
        assert_eq!(app.scalar("SELECT amount FROM settlement_batches WHERE id = $1", &dis_batch).await, 515_000);
        assert_eq!(app.scalar("SELECT receipts FROM settlement_batches WHERE id = $1", &dis_batch).await, 2);
        assert_eq!(app.scalar("SELECT amount FROM settlement_batches WHERE id = $1", &ntsa_batch).await, 300_000);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM settlement_items WHERE receipt IN ('TKS0000003', 'TKS0000004') AND channel = $1", "mpesa").await, 0);
        assert_eq!(app.balance("settlements:DIS:KES").await, -515_000);
        assert_eq!(app.balance("revenue:DIS:KES").await, -(70_000 + 80_000), "outstanding: the two unverified");
        assert_eq!(app.count("ledger_transactions").await, transactions_before + 2);
        let verify = app.cli(&["ledger", "verify"]);
        assert!(verify.status.success(), "{}", text(&verify));

        // Again: nothing new.
        let again = app.cli(&["settle", "--date", &date]);
        assert!(again.status.success());
        assert!(text(&again).contains("0 new batches, 2 made before"), "{}", text(&again));
        assert_eq!(app.count("settlement_batches").await, 2);
        assert_eq!(app.count("settlement_items").await, 3);
        assert_eq!(app.count("ledger_transactions").await, transactions_before + 2);
        let today = app.cli(&["settle", "--date", &Day::today().date()]);
        assert!(!today.status.success(), "a day not yet ended is refused");
        assert!(!app.cli(&["settle", "--date", "2026-02-30"]).status.success());

        // The receipt the statement missed is verified later: it waits for a later day's
        // batch, never a second batch of this day.
        let late = statement(yesterday.start_ms(), day_end, &[("TKS0000004", t + 180_000, "850.00", &f)], &[]);
        let late_path = app.data_dir.path().join("late.csv");
        std::fs::write(&late_path, &late).unwrap();
        assert!(app.cli(&["reconcile", "statement", late_path.to_str().unwrap()]).status.success());
        assert!(text(&app.cli(&["settle", "--date", &date])).contains("0 new batches"));
        assert_eq!(app.count("settlement_items").await, 3);

        // The bank's file and the agency's statement.
        let file = app.cli(&["settle", "file", &dis_batch]);
        assert_eq!(
            String::from_utf8_lossy(&file.stdout),
            format!("batch_id,agency,currency,amount,count,value_date,narrative\n{dis_batch},DIS,KES,5150.00,2,{date},Lango settlement DIS {date}\n")
        );
        let st = app.cli(&["settle", "file", &dis_batch, "--statement"]);
        let st = String::from_utf8_lossy(&st.stdout).to_string();
        let lines: Vec<&str> = st.lines().collect();
        assert_eq!(lines[0], "batch_id,bill_reference,agency_reference,channel,receipt,paid_at,amount,currency");
        assert!(lines[1].starts_with(&format!("{dis_batch},{a},DIS-APP-1,mpesa,TKS0000001,{date}T10:00:00+03:00,4550.00,KES")), "{st}");
        assert!(lines[2].contains(&format!("{b},DIS-APP-2,mpesa,TKS0000002")) && lines[2].ends_with(",600.00,KES"));
        assert_eq!(lines.len(), 3);
        assert!(!app.cli(&["settle", "file", "ST-NOPE"]).status.success());

        // Each agency's systems see their own batches only.
        let q = format!("/api/v1/settlements?from={date}&to={date}");
        let (status, body) = get_json(&app, &dis, &q).await;
        assert_eq!(status, 200);
        assert_eq!(body["agency"], "DIS");
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["batch_id"], dis_batch.as_str());
        assert_eq!(items[0]["amount"], "5150.00");
        assert_eq!(items[0]["items"].as_array().unwrap().len(), 2);
        assert_eq!(items[0]["items"][0]["receipt"], "TKS0000001");
        let (_, body) = get_json(&app, &ntsa, &q).await;
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        assert_eq!(body["items"][0]["batch_id"], ntsa_batch.as_str());
        let (status, _) = get_json(&app, &dis, "/api/v1/settlements").await;
        assert_eq!(status, 200, "the last 30 days by default");
        let (status, body) = get_json(&app, &dis, "/api/v1/settlements?from=2026-13-01&to=2026-11-01").await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_request")));
        let cases = app.agency_key("DIS", &["cases:read"]).await;
        assert_eq!(get_json(&app, &cases, &q).await.0, 403);
        assert_eq!(get_json(&app, "lango_nope", &q).await.0, 401);
        let doc = app.get("/api/v1/openapi.json").await.text().await.unwrap();
        assert!(doc.contains("/api/v1/settlements"));

        // Pages: finance officers settle, auditors look, agency administrators see their own.
        let mut finance = signed_in(&app, "finance@treasury.example", Role::FinanceOfficer, None).await;
        let list = finance.get("/finance/settlements").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains(&dis_batch) && list.html.contains("KES 5,150.00"));
        let page = finance.get(&format!("/finance/settlements/{dis_batch}")).await;
        assert!(page.html.contains("TKS0000002") && page.html.contains("DIS-APP-2"));
        let csv = finance.get(&format!("/finance/settlements/{dis_batch}.csv")).await;
        assert!(csv.html.starts_with("batch_id,agency,currency,amount"));
        let not_ended = finance.post("/finance/settlements", &[("date", &Day::today().date())]).await;
        assert_eq!(not_ended.status, 400);
        assert!(not_ended.html.contains("href=\"#f-date\""));
        let done = finance.post("/finance/settlements", &[("date", &date)]).await;
        assert_eq!((done.status, done.location.as_str()), (303, format!("/finance/settlements?day={date}&made=0").as_str()));
        let mut auditor = signed_in(&app, "auditor@audit.example", Role::Auditor, None).await;
        assert_eq!(auditor.get("/finance/settlements").await.status, 200);
        assert_eq!(auditor.post("/finance/settlements", &[("date", &date)]).await.status, 403);
        assert_eq!(auditor.get(&format!("/finance/settlements/{dis_batch}")).await.status, 200);
        let mut admin = signed_in(&app, "admin@dis.example", Role::AgencyAdmin, Some("DIS")).await;
        let own = admin.get("/admin/agencies/DIS/statement").await;
        assert_eq!(own.status, 200);
        assert!(own.html.contains(&dis_batch) && own.html.contains("TKS0000001"));
        assert!(!own.html.contains(&ntsa_batch));
        let file = admin.get(&format!("/admin/agencies/DIS/statement?batch={dis_batch}")).await;
        assert!(file.html.starts_with("batch_id,bill_reference"));
        assert_eq!(admin.get(&format!("/admin/agencies/DIS/statement?batch={ntsa_batch}")).await.status, 404);
        assert_eq!(admin.get("/admin/agencies/NTSA/statement").await.status, 403);
        assert_eq!(admin.get("/finance/settlements").await.status, 403);
        let bad = admin.get("/admin/agencies/DIS/statement?from=2026-11-30&to=2026-11-01").await;
        assert_eq!(bad.status, 400);
        let mut officer = signed_in(&app, "officer@dis.example", Role::Officer, Some("DIS")).await;
        assert_eq!(officer.get("/admin/agencies/DIS/statement").await.status, 403);
    }
}
