//! Reconciliation over real HTTP and the real binary: receipts made by the C2B confirmation
//! endpoint compared with a portal statement (imported by `lango reconcile statement` and by
//! the page) and with Pull Transactions from the Daraja simulator. Matched receipts are
//! verified; mismatches and receipts M-Pesa never saw are reported and stay unverified;
//! money M-Pesa saw but Lango did not is posted once after review.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::support::{c2b_confirmation, Backend, TestApp};
use lango_identity::model::Role;
use lango_payments::daraja_api::eat_timestamp;
use lango_payments::statement::eat_string;

pub(crate) const PASSWORD: &str = "correct horse battery";

/// Raises a bill with `key` and returns its reference.
pub(crate) async fn raise(
    app: &TestApp,
    key: &str,
    service: &str,
    amount: &str,
    agency_ref: &str,
) -> String {
    let body = serde_json::json!({"service_code": service, "amount": amount, "currency": "KES",
        "agency_reference": agency_ref});
    app.raise_bill(key, body).await
}

/// A C2B confirmation as Safaricom sends it, completed at `at` (unix ms).
pub(crate) async fn confirm(app: &TestApp, trans_id: &str, amount: &str, typed: &str, at: i64) {
    let time = eat_timestamp(at);
    c2b_confirmation(&app.client, &app.base, trans_id, amount, typed, &time).await;
}

/// A statement row: receipt, completion time (unix ms), `Paid In` as written, `A/C No.`.
pub(crate) type Row<'a> = (&'a str, i64, &'a str, &'a str);

/// A portal statement for the period `from`..`to` (unix ms) with `rows`, and extra raw lines.
pub(crate) fn statement(from: i64, to: i64, rows: &[Row], extra: &[&str]) -> String {
    let mut s = format!(
        "Account Holder:,Lango Payments\nShort Code:,222222\nTime Period:,From {} To {}\n\
         Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.\n",
        eat_string(from),
        eat_string(to)
    );
    for (id, at, paid, account) in rows {
        let when = eat_string(*at);
        s.push_str(&format!(
            "{id},{when},{when},Pay Bill from 254712***678 - WANJIKU KAMAU Acc. {account},Completed,\"{paid}\",,1.00,true,Pay Bill Online,254712***678 - WANJIKU KAMAU,,{account}\n"
        ));
    }
    for line in extra {
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// When reconciliation verified `trans_id`, if it has.
pub(crate) async fn verified(app: &TestApp, trans_id: &str) -> Option<i64> {
    let db = app.db().await;
    let v: Option<i64> =
        sqlx::query_scalar("SELECT verified_at FROM mpesa_receipts WHERE trans_id = $1")
            .bind(trans_id)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    v
}

/// A staff member of `role`, signed in.
pub(crate) async fn signed_in<'a>(
    app: &'a TestApp,
    email: &str,
    role: Role,
    agency: Option<&str>,
) -> Browser<'a> {
    app.staff(email, PASSWORD, role, agency).await;
    let mut b = Browser::new(app);
    b.sign_in(email, PASSWORD).await;
    b
}

/// The run id `lango reconcile` printed.
pub(crate) fn run_id(stdout: &str) -> String {
    stdout
        .split("run ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

backend_tests! {
    spawn = TestApp::spawn_mpesa;

    async fn a_statement_verifies_reports_and_posts_the_missing_after_review(app: TestApp) {
        let key = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let a = raise(&app, &key, "DIS-PASSPORT", "4550.00", "DIS-A").await;
        let b = raise(&app, &key, "DIS-PASSPORT", "4550.00", "DIS-B").await;
        let c = raise(&app, &key, "DIS-PASSPORT", "250.00", "DIS-C").await;
        let now = lango_core::clock::now_ms();
        let t = now - 3_600_000;
        confirm(&app, "TKR0000001", "4600.00", &a, t).await;
        confirm(&app, "TKR0000002", "1000.00", &b, t + 1000).await;
        // A callback M-Pesa never made (a forgery): in the ledger, never in the statement.
        confirm(&app, "TKR0000003", "500.00", &b, t + 2000).await;
        let typed_c = format!("{} {}", c[..4].to_lowercase(), &c[4..]);
        let text = statement(
            now - 86_400_000,
            now,
            &[
                ("TKR0000001", t, "4,600.00", &a),
                ("TKR0000002", t + 1000, "1200.00", &b),
                ("TKR0000004", t + 3000, "260.00", &typed_c),
            ],
            &[
                "TKR0000005,not a time,,x,Completed,12.00,,,,,,,X",
                "TKR0000006,2026-11-22 10:00:00,,x,Failed,99.00,,,,,,,X",
            ],
        );
        let path = app.data_dir.path().join("statement.csv");
        std::fs::write(&path, &text).unwrap();
        let out = app.cli(&["reconcile", "statement", path.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
        for want in [
            "rows read: 5 (1 not money in)",
            "matched: 1 (1 newly verified)",
            "amount mismatch: 1",
            "missing in ledger: 1",
            "missing in statement: 1",
            "bad rows: 1",
            "bad row: line 8: Completion Time",
        ] {
            assert!(stdout.contains(want), "{want:?} in {stdout}");
        }
        let run = run_id(&stdout);
        assert!(verified(&app, "TKR0000001").await.is_some());
        assert!(verified(&app, "TKR0000002").await.is_none(), "an amount mismatch is not verified");
        assert!(verified(&app, "TKR0000003").await.is_none(), "a receipt M-Pesa never saw is not verified");

        // The same file again: the same run, nothing new.
        let again = app.cli(&["reconcile", "statement", path.to_str().unwrap()]);
        let again_out = String::from_utf8_lossy(&again.stdout).to_string();
        assert!(again.status.success());
        assert!(again_out.contains(&format!("already imported as run {run}")), "{again_out}");
        assert_eq!(app.count("reconciliation_runs").await, 1);

        // Finance reviews the run and posts the missing payment; an auditor may only look.
        let mut finance = signed_in(&app, "finance@treasury.example", Role::FinanceOfficer, None).await;
        let page = finance.get(&format!("/finance/reconciliation/{run}")).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("TKR0000004") && page.html.contains("TKR0000003"));
        // Staff pages name people: a run a person made says who by name, not by account id.
        let db = app.db().await;
        sqlx::query("UPDATE reconciliation_runs SET created_by = (SELECT 'account:' || id FROM accounts WHERE email = $1) WHERE id = $2")
            .bind("finance@treasury.example").bind(&run).execute(db.pool()).await.unwrap();
        db.close().await;
        let named = finance.get(&format!("/finance/reconciliation/{run}")).await;
        assert!(named.html.contains("<dd>Staff Member, ") && !named.html.contains("account:"), "{}", named.html);
        let item = app.scalar("SELECT item FROM reconciliation_items WHERE run_id = $1 AND kind = 'missing_in_ledger'", &run).await;
        let item = item.to_string();
        let mut auditor = signed_in(&app, "auditor@audit.example", Role::Auditor, None).await;
        assert_eq!(auditor.get(&format!("/finance/reconciliation/{run}")).await.status, 200);
        let refused = auditor.post(&format!("/finance/reconciliation/{run}/post"), &[("item", &item)]).await;
        assert_eq!(refused.status, 403);
        let none = finance.post(&format!("/finance/reconciliation/{run}/post"), &[]).await;
        assert_eq!(none.status, 400, "nothing ticked");
        assert!(none.html.contains("href=\"#post\""));
        // Only the statement shows it: one officer proposes, a second approves (four eyes).
        let proposed = finance.post(&format!("/finance/reconciliation/{run}/post"), &[("item", &item)]).await;
        assert_eq!((proposed.status, proposed.location.as_str()), (303, format!("/finance/reconciliation/{run}?posted=0&proposed=1&own=0").as_str()));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1", "TKR0000004").await, 0);
        let mut finance2 = signed_in(&app, "finance2@treasury.example", Role::FinanceOfficer, None).await;
        finance2.get(&format!("/finance/reconciliation/{run}")).await;
        let posted = finance2.post(&format!("/finance/reconciliation/{run}/post"), &[("item", &item)]).await;
        assert_eq!((posted.status, posted.location.as_str()), (303, format!("/finance/reconciliation/{run}?posted=1&proposed=0&own=0").as_str()));
        let twice = finance.post(&format!("/finance/reconciliation/{run}/post"), &[("item", &item)]).await;
        assert!(twice.location.ends_with("?posted=0&proposed=0&own=0"), "{}", twice.location);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1", "TKR0000004").await, 1);
        assert!(verified(&app, "TKR0000004").await.is_some(), "seen by reconciliation: verified at once");
        let bill = app.client.get(format!("{}/api/v1/bills/{c}", app.base)).bearer_auth(&key).send().await.unwrap();
        let bill: serde_json::Value = bill.json().await.unwrap();
        assert_eq!(bill["status"], "paid", "posted to its bill by the account number typed");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "reconciliation.post").await, 1);
        let shown = finance.get(&format!("/finance/reconciliation/{run}?posted=1")).await;
        assert!(shown.html.contains("One payment posted and verified."));
        let verify = app.cli(&["ledger", "verify"]);
        assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));

        // The same statement pasted on the page: the earlier run.
        finance.get("/finance/reconciliation").await;
        let pasted = finance.post("/finance/reconciliation", &[("file_name", "again.csv"), ("statement", &text)]).await;
        assert_eq!(pasted.status, 303);
        assert_eq!(pasted.location, format!("/finance/reconciliation/{run}?imported=repeat"));
        let list = finance.get("/finance/reconciliation").await;
        assert!(list.html.contains(&run));
        let refused = auditor.post("/finance/reconciliation", &[("statement", &text)]).await;
        assert_eq!(refused.status, 403);
    }

    async fn a_statement_without_the_needed_columns_is_refused_naming_them(app: TestApp) {
        let text = "Receipt No.,Completion Time,Transaction Status,Withdrawn\nTKR1,2026-11-22 10:00:00,Completed,1.00\n";
        let path = app.data_dir.path().join("columns.csv");
        std::fs::write(&path, text).unwrap();
        let out = app.cli(&["reconcile", "statement", path.to_str().unwrap()]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no column Paid In, no column A/C No."), "{stderr}");
        let missing = app.cli(&["reconcile", "statement", "/no/such/file.csv"]);
        assert!(!missing.status.success());

        let mut finance = signed_in(&app, "finance@treasury.example", Role::FinanceOfficer, None).await;
        finance.get("/finance/reconciliation").await;
        let refused = finance.post("/finance/reconciliation", &[("statement", text)]).await;
        assert_eq!(refused.status, 400);
        assert!(refused.html.contains("href=\"#f-statement\""));
        assert!(refused.html.contains("Paid In, A/C No."), "the columns are named");
        let empty = finance.post("/finance/reconciliation", &[("statement", "  ")]).await;
        assert_eq!(empty.status, 400);
        let binary = finance.post_raw("/finance/reconciliation", format!("csrf={}&statement=%FF%FE%00", finance.csrf)).await;
        assert_eq!(binary.status, 400);
        assert_eq!(app.count("reconciliation_runs").await, 0, "a refused file makes no run");
        assert_eq!(finance.get("/finance/reconciliation/RC-NOPE").await.status, 404);
        let mut officer = signed_in(&app, "officer@dis.example", Role::Officer, Some("DIS")).await;
        assert_eq!(officer.get("/finance/reconciliation").await.status, 403);
    }
}

mod with_simulator {
    use super::*;
    use crate::stk::{env_with, fast, Env};

    async fn run(env: Env) {
        let Env { app, sim } = env;
        let key = app.agency_key("DIS", &["bills:write"]).await;
        let paid = raise(&app, &key, "DIS-PASSPORT", "4550.00", "P-1").await;
        let lost = raise(&app, &key, "DIS-PASSPORT", "250.00", "P-2").await;
        let pay = |bill: String, amount: &'static str, deliver: bool| {
            let url = format!("{}/simulator/pay", sim.base_url());
            async move {
                let res = reqwest::Client::new()
                    .post(url)
                    .json(&serde_json::json!({"bill_ref": bill, "amount": amount, "msisdn": "254712345678",
                        "name": "WANJIKU KAMAU", "deliver": deliver}))
                    .send()
                    .await
                    .unwrap();
                let body: serde_json::Value = res.json().await.unwrap();
                body["TransID"].as_str().unwrap().to_string()
            }
        };
        let delivered = pay(paid.clone(), "4600.00", true).await;
        let missing = pay(lost.clone(), "260.00", false).await;
        app.eventually("the confirmation is recorded", || async {
            app.scalar(
                "SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1",
                &delivered,
            )
            .await
                == 1
        })
        .await;

        // The sweep (every 300 ms here) verifies what Pull Transactions shows and reports the
        // payment whose callback was lost.
        app.eventually("a pull sweep verifies the receipt", || async {
            verified(&app, &delivered).await.is_some()
        })
        .await;
        let run = app.scalar("SELECT COUNT(*) FROM reconciliation_items WHERE kind = 'missing_in_ledger' AND receipt = $1", &missing).await;
        assert!(run >= 1, "the lost payment is reported");
        assert!(
            app.scalar(
                "SELECT COUNT(*) FROM reconciliation_runs WHERE source = $1",
                "pull"
            )
            .await
                >= 1
        );
        // From the shell, with the same Daraja settings as the server.
        let cfg = sim.config();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lango"))
            .args(["reconcile", "pull"])
            .env("LANGO_DATA_DIR", app.data_dir.path())
            .env("LANGO_DATABASE_URL", &app.db_url)
            .env("LANGO_LOG", "warn")
            .env("LANGO_DARAJA_BASE_URL", &cfg.base_url)
            .env("LANGO_DARAJA_CONSUMER_KEY", &cfg.consumer_key)
            .env(
                "LANGO_DARAJA_CONSUMER_SECRET",
                &sim.settings().consumer_secret,
            )
            .env("LANGO_DARAJA_PASSKEY", &sim.settings().passkey)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("(pull)") && stdout.contains("missing in ledger: 1"),
            "{stdout}"
        );
        assert!(stdout.contains(&missing));

        // The portal statement of the same day, downloaded and pasted by finance.
        let today = eat_string(lango_core::clock::now_ms())[..10].to_string();
        let csv = reqwest::get(format!(
            "{}/simulator/statement.csv?from={today}&to={today}",
            sim.base_url()
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        let mut finance =
            signed_in(&app, "finance@treasury.example", Role::FinanceOfficer, None).await;
        finance.get("/finance/reconciliation").await;
        let imported = finance
            .post(
                "/finance/reconciliation",
                &[("file_name", "portal.csv"), ("statement", &csv)],
            )
            .await;
        assert_eq!(imported.status, 303, "{}", imported.html);
        let page = finance.get(&imported.location).await;
        assert!(page.html.contains("Statement imported and compared"));
        assert!(page.html.contains(&missing));
        let run_id = imported
            .location
            .split('/')
            .nth(3)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let item = app.scalar("SELECT item FROM reconciliation_items WHERE run_id = $1 AND kind = 'missing_in_ledger'", &run_id).await;
        let posted = finance
            .post(
                &format!("/finance/reconciliation/{run_id}/post"),
                &[("item", &item.to_string())],
            )
            .await;
        assert_eq!(posted.status, 303);
        assert!(verified(&app, &missing).await.is_some());
        let db = app.db().await;
        let status: String = sqlx::query_scalar("SELECT status FROM bills WHERE reference = $1")
            .bind(&lost)
            .fetch_one(db.pool())
            .await
            .unwrap();
        db.close().await;
        assert_eq!(status, "paid");
    }

    async fn env(backend: Backend) -> Option<Env> {
        env_with(
            backend,
            fast(),
            &[("LANGO_RECONCILE_SWEEP_MS", "300".to_string())],
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pull_sweep_and_portal_statement_sqlite() {
        run(env(Backend::Sqlite).await.unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pull_sweep_and_portal_statement_postgres() {
        match env(Backend::Postgres).await {
            Some(e) => run(e).await,
            None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
        }
    }
}
