//! A payment M-Pesa reverses, as the portal statement shows it, on both backends: the run
//! lists the statement's reversal row; once one finance officer proposes it and another
//! approves it (the first alone cannot), it is recorded against the bill once (a refund
//! that went back through M-Pesa, out of `collection:mpesa`), the agent whose application
//! the bill was for has its commission clawed back once, and the ledger verifies. The same
//! reversal in another statement records nothing twice; one of a payment Lango never
//! posted is left for finance.

use crate::backend_tests;
use crate::reconciliation::{signed_in, statement};
use crate::support::TestApp;
use lango_identity::model::Role;
use lango_payments::statement::eat_string;

/// The demo's agents, the first with paid work; returns one of its paid bills with the
/// M-Pesa receipt that paid it and the amount.
async fn agent_with_paid_work(app: &TestApp) -> (String, String, i64) {
    let db = app.db().await;
    lango::demo::seed_people(&db, &app.base).await.unwrap();
    let cases = lango_cases::Cases::open(db.clone(), lango::cases_settings(&app.config()).unwrap())
        .await
        .unwrap();
    crate::agents::seed_demo_agents(&db, &cases).await;
    let paid: (String, String, i64) = sqlx::query_as(
        "SELECT b.reference, m.trans_id, m.amount FROM applications p JOIN bills b ON b.reference = p.bill_reference \
         JOIN mpesa_receipts m ON m.bill_reference = b.reference WHERE p.agent = 'AG00001' ORDER BY m.trans_id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    db.close().await;
    paid
}

/// Imports `text` as a statement with the CLI; its output and the run's id.
fn import(app: &TestApp, path: &std::path::Path, text: &str) -> (String, String) {
    std::fs::write(path, text).unwrap();
    let out = app.cli(&["reconcile", "statement", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = crate::reconciliation::run_id(&stdout);
    (stdout, run)
}

/// The items of run `run` `b` may choose on its page.
async fn choosable(b: &mut crate::browser_kit::Browser<'_>, run: &str) -> Vec<String> {
    let page = b.get(&format!("/finance/reconciliation/{run}")).await;
    page.html
        .split("name=\"item\" value=\"")
        .skip(1)
        .map(|v| v.split('"').next().unwrap().to_string())
        .collect()
}

/// A reversal row as the portal writes it: money out, linked to the payment it undoes.
fn reversal_row(receipt: &str, original: &str, amount: &str, at: i64) -> String {
    let when = eat_string(at);
    format!("{receipt},{when},{when},Reversal of transaction {original},Completed,,\"{amount}\",1.00,true,Reversal,254712***678 - WANJIKU KAMAU,{original},")
}

backend_tests! {
    async fn a_payment_reversed_by_mpesa_claws_back_its_agents_commission_once(app: TestApp) {
        let (bill, receipt, amount) = agent_with_paid_work(&app).await;
        app.eventually("the commission accrued", || async {
            app.scalar("SELECT COUNT(*) FROM agent_commissions WHERE bill_reference = $1", &bill).await == 1
        }).await;
        let earned = app.scalar("SELECT commission FROM agent_commissions WHERE bill_reference = $1", &bill).await;
        assert!(earned > 0);
        let owed = app.balance("agent_commissions:AG00001:KES").await;
        let collected = app.balance("collection:mpesa:KES").await;
        let now = lango_core::clock::now_ms();
        let paid = format!("{}.{:02}", amount / 100, amount % 100);
        let text = statement(now - 86_400_000, now + 60_000, &[(&receipt, now - 60_000, &paid, &bill)], &[&reversal_row("RVS0000001", &receipt, &paid, now)]);
        let path = app.data_dir.path().join("reversal.csv");
        let (stdout, run) = import(&app, &path, &text);
        assert!(stdout.contains(&format!("reversed: line 6: M-Pesa reversed payment {receipt}: waiting for two finance officers")), "{stdout}");
        assert_eq!(app.count("refunds").await, 0, "listed, not recorded");
        // One officer proposes; the same officer cannot approve; a second one records it.
        let mut first = signed_in(&app, "finance@treasury.example", Role::FinanceOfficer, None).await;
        let mut second = signed_in(&app, "finance2@treasury.example", Role::FinanceOfficer, None).await;
        let items = choosable(&mut first, &run).await;
        assert_eq!(items.len(), 1, "the reversal to choose");
        let pairs: Vec<(&str, &str)> = items.iter().map(|i| ("item", i.as_str())).collect();
        let proposed = first.post(&format!("/finance/reconciliation/{run}/post"), &pairs).await;
        assert_eq!(proposed.status, 303, "{}", proposed.html);
        assert!(proposed.location.contains("proposed=1"), "{}", proposed.location);
        let own = first.post(&format!("/finance/reconciliation/{run}/post"), &pairs).await;
        assert!(own.location.contains("own=1"), "{}", own.location);
        assert_eq!(app.count("refunds").await, 0, "one officer alone records nothing");
        choosable(&mut second, &run).await;
        let approved = second.post(&format!("/finance/reconciliation/{run}/post"), &pairs).await;
        assert!(approved.location.contains("posted=1"), "{}", approved.location);
        // Recorded once, against the bill, as money that left through M-Pesa.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM refunds WHERE bill_reference = $1 AND method = 'mpesa_reversal' AND status = 'reversed'", &bill).await, 1);
        assert_eq!(app.scalar("SELECT amount FROM refunds WHERE provider_refund_id = $1", "RVS0000001").await, amount);
        assert_eq!(app.balance("collection:mpesa:KES").await, collected - amount, "the money left the paybill");
        // The agent's commission on it comes back, once.
        app.eventually("the commission clawed back", || async {
            app.balance("agent_commissions:AG00001:KES").await == owed + earned
        }).await;
        assert_eq!(app.scalar("SELECT COUNT(*) FROM agent_commissions WHERE bill_reference = $1 AND clawback_transaction IS NOT NULL", &bill).await, 1);
        let verify = app.cli(&["ledger", "verify"]);
        assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
        // Finance sees it with the run's findings, and who agreed.
        let page = first.get(&format!("/finance/reconciliation/{run}")).await;
        assert!(page.html.contains("Reversed by M-Pesa") && page.html.contains("RVS0000001") && page.html.contains("approved by"), "{}", page.html);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "reconciliation.reversal").await, 1);
        // The same reversal in a later statement: listed again, recorded nothing twice.
        let (_, later) = import(&app, &path, &format!("{text}\n"));
        assert_ne!(later, run);
        let items = choosable(&mut first, &later).await;
        let pairs: Vec<(&str, &str)> = items.iter().map(|i| ("item", i.as_str())).collect();
        first.post(&format!("/finance/reconciliation/{later}/post"), &pairs).await;
        choosable(&mut second, &later).await;
        second.post(&format!("/finance/reconciliation/{later}/post"), &pairs).await;
        assert!(first.get(&format!("/finance/reconciliation/{later}")).await.html.contains("recorded before"));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM refunds WHERE provider_refund_id = $1", "RVS0000001").await, 1);
        // A reversal of a payment Lango never posted is left for finance, nothing recorded.
        let unknown = statement(now - 86_400_000, now + 60_000, &[], &[&reversal_row("RVS0000002", "QQQ0000000", "10.00", now)]);
        let (_, odd) = import(&app, &path, &unknown);
        let items = choosable(&mut first, &odd).await;
        let pairs: Vec<(&str, &str)> = items.iter().map(|i| ("item", i.as_str())).collect();
        first.post(&format!("/finance/reconciliation/{odd}/post"), &pairs).await;
        choosable(&mut second, &odd).await;
        second.post(&format!("/finance/reconciliation/{odd}/post"), &pairs).await;
        let left = first.get(&format!("/finance/reconciliation/{odd}")).await;
        assert!(left.html.contains("which Lango did not post to a bill: look into it"), "{}", left.html);
        assert_eq!(app.count("refunds").await, 1);
        assert_eq!(app.balance("agent_commissions:AG00001:KES").await, owed + earned, "clawed back once");
    }
}
