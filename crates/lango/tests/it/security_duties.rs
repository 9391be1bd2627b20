//! Separation of duties, each exploited as it could be before the rule: staff deciding
//! their own, a dependant's or their business's application (refused by the cases engine,
//! so the workbench refuses too, and audited); a supervisor handing an officer their own
//! application; one finance officer alone posting money only a statement shows, or moving
//! money out of suspense (four eyes: one proposes, a different one approves).

use crate::backend_tests;
use crate::cases_work::{
    actor, define, engine, named_staff, signed_in, submitted, PASSWORD, SERVICE,
};
use crate::reconciliation::{self, confirm, raise, statement};
use crate::support::TestApp;
use lango_cases::definition::{PageInput, Profile};
use lango_cases::Cases;
use lango_identity::model::Role;
use lango_identity::policy::Actor;

/// An application `citizen` makes for `business`; returns its reference.
async fn submitted_for(cases: &Cases, citizen: &Actor, business: &str) -> String {
    let draft = cases
        .start(citizen, SERVICE, Some(business), &Profile::default())
        .await
        .expect("start");
    let input = PageInput {
        values: vec![
            ("full_name".into(), "Kamau Traders".into()),
            ("purpose".into(), "business".into()),
        ],
        files: Vec::new(),
    };
    cases
        .answer(citizen, &draft.reference, "traveller", &input)
        .await
        .expect("answer")
        .expect("valid answers");
    cases
        .submit(citizen, &draft.reference)
        .await
        .expect("submit")
        .expect("complete")
        .reference
}

/// The application's assignee and revision as stored.
async fn assignee(app: &TestApp, reference: &str) -> (Option<String>, i64) {
    let db = app.db().await;
    let row = sqlx::query_as("SELECT assigned_to, revision FROM applications WHERE reference = $1")
        .bind(reference)
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    row
}

/// How many audit records have `action` on `object`.
async fn audited(app: &TestApp, action: &str, object: &str) -> i64 {
    let db = app.db().await;
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object = $2")
            .bind(action)
            .bind(object)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    n
}

backend_tests! {
    async fn staff_never_decide_their_own_their_dependants_or_their_business_applications(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        // Olive is a citizen and an officer of DIS; Sam supervises DIS.
        let olive = app.person("31000001", "olive@dis.example", PASSWORD).await;
        let db = app.db().await;
        lango_identity::seed::grant(&db, &olive, Role::Officer, Some("DIS"), None).await.unwrap();
        let child = app.person("31000002", "child@example.com", PASSWORD).await;
        sqlx::query("INSERT INTO guardianships (guardian_id, dependant_id, relationship, granted_at) VALUES ($1, $2, 'parent', $3)")
            .bind(&olive).bind(&child).bind(lango_core::clock::now_ms())
            .execute(db.pool()).await.unwrap();
        let partner = app.person("31000003", "partner@example.com", PASSWORD).await;
        let biz = lango_identity::seed::business(&db, &partner, "PVT-DUTIES1", "Kamau Traders").await.unwrap();
        lango_identity::seed::member(&db, &biz, &olive, "representative").await.unwrap();
        db.close().await;
        let sam = named_staff(&app, "sam@dis.example", "Sam", "Supervisor", Role::Supervisor, "DIS").await;

        let own = submitted(&cases, &actor(&app, &olive).await, "Olive Own").await;
        let dependants = submitted(&cases, &actor(&app, &child).await, "Child Own").await;
        let business = submitted_for(&cases, &actor(&app, &partner).await, &biz).await;
        let stranger = app.person("31000004", "stranger@example.com", PASSWORD).await;
        let others = submitted(&cases, &actor(&app, &stranger).await, "Someone Else").await;

        // The engine refuses Olive every one of her own, whatever the caller (workbench or
        // not), and writes each attempt to the audit log.
        let officer = actor(&app, &olive).await;
        for reference in [&own, &dependants, &business] {
            let (_, revision) = assignee(&app, reference).await;
            let err = cases.claim(&officer, reference, revision).await.unwrap_err();
            assert!(matches!(err, lango_core::Error::Forbidden(_)), "{reference}: {err}");
            assert!(err.to_string().contains("your own application"), "{err}");
            let err = cases.act(&officer, reference, "approve", None, revision).await.unwrap_err();
            assert!(matches!(err, lango_core::Error::Forbidden(_)), "{reference}: {err}");
            assert_eq!(assignee(&app, reference).await, (None, revision), "nothing changed");
            assert_eq!(audited(&app, "application.refused_own", &format!("application:{reference}")).await, 2);
        }
        // Over the workbench: refused, nothing changed; she still works anyone else's.
        let mut b = signed_in(&app, "olive@dis.example").await;
        let path = format!("/work/DIS/applications/{own}");
        let page = b.get(&path).await;
        assert_eq!(page.status, 200, "she may look at her own application");
        assert!(!page.html.contains("Take this application"), "no claim form on her own");
        let (_, revision) = assignee(&app, &own).await;
        let refused = b.post(&format!("{path}/claim"), &[("revision", &revision.to_string())]).await;
        assert_eq!(refused.status, 403);
        assert_eq!(assignee(&app, &own).await, (None, revision));
        let (_, revision) = assignee(&app, &others).await;
        let claimed = b.post(&format!("/work/DIS/applications/{others}/claim"), &[("revision", &revision.to_string())]).await;
        assert_eq!(claimed.status, 303, "{}", claimed.html);
        assert_eq!(assignee(&app, &others).await.0.as_deref(), Some(olive.as_str()));

        // A supervisor cannot hand Olive her own application, nor decide her own.
        let supervisor = actor(&app, &sam).await;
        for reference in [&own, &dependants, &business] {
            let (_, revision) = assignee(&app, reference).await;
            let err = cases.assign(&supervisor, reference, Some(&olive), revision).await.unwrap_err();
            assert!(matches!(err, lango_core::Error::Invalid { .. }), "{err}");
            assert_eq!(assignee(&app, reference).await, (None, revision));
        }
        let (_, revision) = assignee(&app, &own).await;
        let given = cases.assign(&supervisor, &own, Some(&sam), revision).await.expect("to another");
        assert_eq!(given.assigned_to.as_deref(), Some(sam.as_str()));
        let db = app.db().await;
        lango_identity::seed::grant(&db, &olive, Role::Supervisor, Some("DIS"), None).await.unwrap();
        db.close().await;
        let olive_supervising = actor(&app, &olive).await;
        let (_, revision) = assignee(&app, &own).await;
        let err = cases.assign(&olive_supervising, &own, None, revision).await.unwrap_err();
        assert!(matches!(err, lango_core::Error::Forbidden(_)), "{err}");
        assert_eq!(assignee(&app, &own).await.0.as_deref(), Some(sam.as_str()));
        let verify = app.cli(&["audit", "verify"]);
        assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    }
}

backend_tests! {
    spawn = TestApp::spawn_mpesa;

    async fn one_finance_officer_alone_cannot_post_money_only_a_statement_shows(app: TestApp) {
        let key = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let bill = raise(&app, &key, "DIS-PASSPORT", "250.00", "DUTY-1").await;
        let now = lango_core::clock::now_ms();
        // The forger's statement: a payment M-Pesa never made, paying the bill.
        let text = statement(now - 86_400_000, now, &[("TKF0000001", now - 60_000, "260.00", &bill)], &[]);
        let path = app.data_dir.path().join("forged.csv");
        std::fs::write(&path, &text).unwrap();
        let out = app.cli(&["reconcile", "statement", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let run: String = {
            let db = app.db().await;
            let r = sqlx::query_scalar("SELECT id FROM reconciliation_runs").fetch_one(db.pool()).await.unwrap();
            db.close().await;
            r
        };
        let item = app.scalar("SELECT item FROM reconciliation_items WHERE run_id = $1 AND kind = 'missing_in_ledger'", &run).await.to_string();
        let post = format!("/finance/reconciliation/{run}/post");
        let mut mallory = reconciliation::signed_in(&app, "mallory@treasury.example", Role::FinanceOfficer, None).await;
        mallory.get(&format!("/finance/reconciliation/{run}")).await;
        let transactions = app.count("ledger_transactions").await;

        // Posting proposes; posting again (however often) is refused: no money moves.
        let first = mallory.post(&post, &[("item", &item)]).await;
        assert!(first.location.ends_with("posted=0&proposed=1&own=0"), "{}", first.location);
        let again = mallory.post(&post, &[("item", &item)]).await;
        assert!(again.location.ends_with("posted=0&proposed=0&own=1"), "{}", again.location);
        let shown = mallory.get(&again.location).await;
        assert!(shown.html.contains("a different finance officer must approve them"), "{}", shown.html);
        assert!(shown.html.contains("a second finance officer must approve it"));
        // The proposer is named, not shown as a raw `account:…` label.
        assert!(shown.html.contains("Proposed by Staff Member, "), "{}", shown.html);
        assert!(!shown.html.contains("Proposed by account:"));
        assert_eq!(app.count("ledger_transactions").await, transactions);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1", "TKF0000001").await, 0);
        let status = app.client.get(format!("{}/api/v1/bills/{bill}", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(status.json::<serde_json::Value>().await.unwrap()["status"], "open");
        let receipt = "receipt:mpesa:TKF0000001";
        assert_eq!(audited(&app, "reconciliation.propose", receipt).await, 1);
        assert_eq!(audited(&app, "reconciliation.approve_refused", receipt).await, 1);

        // A different officer approves: posted once, naming both.
        let mut trent = reconciliation::signed_in(&app, "trent@treasury.example", Role::FinanceOfficer, None).await;
        trent.get(&format!("/finance/reconciliation/{run}")).await;
        let approved = trent.post(&post, &[("item", &item)]).await;
        assert!(approved.location.ends_with("posted=1&proposed=0&own=0"), "{}", approved.location);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1", "TKF0000001").await, 1);
        let db = app.db().await;
        let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'reconciliation.post' AND object = $1")
            .bind(receipt).fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert!(detail.contains("proposed by account:") && detail.contains("approved by account:"), "{detail}");
        let verify = app.cli(&["ledger", "verify"]);
        assert!(verify.status.success());
    }

    async fn one_finance_officer_alone_cannot_move_money_out_of_suspense(app: TestApp) {
        let key = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let bill = raise(&app, &key, "DIS-PASSPORT", "4550.00", "DUTY-2").await;
        let now = lango_core::clock::now_ms();
        confirm(&app, "TKF0000002", "4600.00", "PASPORT 12", now - 60_000).await;
        assert_eq!(app.balance("suspense:KES").await, -460_000);
        let mut mallory = reconciliation::signed_in(&app, "mallory@treasury.example", Role::FinanceOfficer, None).await;
        mallory.get("/finance/suspense").await;
        let transactions = app.count("ledger_transactions").await;
        let confirm_path = "/finance/suspense/TKF0000002/match/confirm";
        let fields = [("reference", bill.as_str()), ("reason", "payer called")];

        // Her confirmation only proposes; confirming her own proposal is refused.
        let proposed = mallory.post(confirm_path, &fields).await;
        assert_eq!((proposed.status, proposed.location.as_str()), (303, "/finance/suspense/TKF0000002/match"));
        let page = mallory.get(&proposed.location).await;
        assert!(page.html.contains("You proposed this match"), "{}", page.html);
        let own = mallory.post(confirm_path, &fields).await;
        assert_eq!(own.status, 409);
        assert!(own.html.contains("A different finance officer must confirm this match"));
        assert_eq!(app.count("ledger_transactions").await, transactions);
        assert_eq!(app.balance("suspense:KES").await, -460_000);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1 AND outcome = 'suspense'", "TKF0000002").await, 1);
        let object = "mpesa_receipt:TKF0000002";
        assert_eq!(audited(&app, "payment.suspense_match_proposed", object).await, 1);
        assert_eq!(audited(&app, "payment.suspense_match_refused", object).await, 1);

        // A second officer finds the proposal filled in, and confirming it moves the money.
        let mut trent = reconciliation::signed_in(&app, "trent@treasury.example", Role::FinanceOfficer, None).await;
        let form = trent.get("/finance/suspense/TKF0000002/match").await;
        assert!(form.html.contains("Another finance officer proposed this match") && form.html.contains(&format!("value=\"{bill}\"")), "{}", form.html);
        let done = trent.post(confirm_path, &[("reference", bill.as_str()), ("reason", "checked")]).await;
        assert_eq!((done.status, done.location.as_str()), (303, "/finance/suspense/TKF0000002/matched"), "{}", done.html);
        assert_eq!(app.balance("suspense:KES").await, 0);
        assert_eq!(app.count("ledger_transactions").await, transactions + 2);
        let db = app.db().await;
        let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'payment.suspense_matched' AND object = $1")
            .bind(object).fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert!(detail.contains("proposed by account:") && detail.contains("confirmed by account:"), "{detail}");
    }
}
