//! FPX online banking through the gateway simulator, over real HTTP: the payer chooses a
//! bank, their browser takes Lango's signed request to the gateway, the bank decides, and the
//! gateway's signed confirmations come back direct (retried until `OK`) and through the
//! browser. An approval is posted exactly once whatever arrives and however often; forged,
//! unknown and altered confirmations post nothing; the settlement report reconciles.

use crate::browser_kit::Browser;
use crate::cards::{bill, bill_state, ledger_is_clean};
use crate::reconciliation::signed_in;
use crate::sign_in_kit::hidden_fields;
use crate::support::{Backend, TestApp};
use lango_identity::model::Role;
use lango_simulators::fpx::{self, FpxSimulator};
use std::collections::BTreeMap;

/// Runs each body on SQLite and PostgreSQL with an app whose FPX gateway is a simulator.
macro_rules! fpx_tests {
    ($(async fn $name:ident($app:ident, $sim:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($app: TestApp, $sim: FpxSimulator) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let (app, sim) = spawn(Backend::Sqlite).await.unwrap();
                    run(app, sim).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match spawn(Backend::Postgres).await {
                        Some((app, sim)) => run(app, sim).await,
                        None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                    }
                }
            }
        )*
    };
}

/// An app configured (by its settings, key files and all) with a fresh FPX simulator.
async fn spawn(backend: Backend) -> Option<(TestApp, FpxSimulator)> {
    let sim = fpx::start(fpx::Settings::new("http://127.0.0.1:9"))
        .await
        .expect("FPX simulator");
    let app = TestApp::spawn_configured(backend, false, &settings(&sim)).await?;
    sim.set_seller(&app.base);
    Some((app, sim))
}

/// The settings an operator gives a node (and its commands) for the gateway `sim`: its
/// address, Lango's ids there and the two key files.
fn settings(sim: &FpxSimulator) -> Vec<(&'static str, String)> {
    let config = sim.config();
    let port = sim.base_url().rsplit(':').next().unwrap_or("0").to_string();
    let dir = std::env::temp_dir().join(format!("lango-fpx-keys-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let (seller_key, gateway_key) = (dir.join("seller.pem"), dir.join("gateway.pem"));
    std::fs::write(&seller_key, sim.seller_key_pem()).unwrap();
    std::fs::write(&gateway_key, sim.gateway_key_pem()).unwrap();
    vec![
        // A Kenyan node that also bills in ringgit: FPX's currency.
        ("LANGO_BILL_CURRENCIES", "KES,MYR".to_string()),
        ("LANGO_FPX_GATEWAY_URL", config.gateway_url),
        ("LANGO_FPX_EXCHANGE_ID", config.exchange_id),
        ("LANGO_FPX_SELLER_ID", config.seller_id),
        (
            "LANGO_FPX_SELLER_KEY_FILE",
            seller_key.display().to_string(),
        ),
        (
            "LANGO_FPX_GATEWAY_KEY_FILE",
            gateway_key.display().to_string(),
        ),
    ]
}

/// `lango ARGS` against the app's database, configured for the gateway `sim`.
fn cli(app: &TestApp, sim: &FpxSimulator, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lango"))
        .args(args)
        .env("LANGO_DATA_DIR", app.data_dir.path())
        .env("LANGO_DATABASE_URL", &app.db_url)
        .env("LANGO_LOG", "warn")
        .envs(settings(sim))
        .output()
        .expect("run lango")
}

/// The action of the form on `html` whose action holds `part`.
fn action_with(html: &str, part: &str) -> String {
    html.split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.contains(part))
        .unwrap_or_else(|| panic!("a form to {part}: {html}"))
        .to_string()
}

/// The payer chooses `bank` for `reference`; returns the gateway's action and Lango's signed
/// request, as the continue page gives them.
async fn choose(
    b: &mut Browser<'_>,
    reference: &str,
    bank: &str,
) -> (String, Vec<(String, String)>) {
    assert_eq!(b.get(&format!("/pay/{reference}/fpx")).await.status, 200);
    let page = b
        .post(&format!("/pay/{reference}/fpx"), &[("fpx_bank", bank)])
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("Continue to your bank"));
    let action = action_with(&page.html, "seller2DReceiver");
    let request = hidden_fields(&page.html, &action);
    (action, request)
}

/// Posts Lango's request to the gateway and answers `decision` at the bank; returns the
/// transaction id and the indirect confirmation the bank's page carries.
async fn at_bank(
    app: &TestApp,
    action: &str,
    request: &[(String, String)],
    decision: &str,
) -> (String, String, Vec<(String, String)>) {
    let bank = app.client.post(action).form(request).send().await.unwrap();
    assert_eq!(bank.status().as_u16(), 200);
    let html = bank.text().await.unwrap();
    let to = action_with(&html, "/FPXMain/bank/");
    let txn = to.rsplit('/').next().unwrap().to_string();
    let sim_base = action.split("/FPXMain").next().unwrap();
    let decided = app
        .client
        .post(format!("{sim_base}{to}"))
        .form(&[("decision", decision)])
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status().as_u16(), 200);
    let html = decided.text().await.unwrap();
    let indirect = action_with(&html, "/channels/fpx/indirect");
    let fields = hidden_fields(&html, &indirect);
    (txn, indirect, fields)
}

fn form_body(fields: &BTreeMap<String, String>) -> String {
    fpx::to_form(fields)
}

async fn direct(app: &TestApp, body: String) -> (u16, String) {
    let res = app
        .client
        .post(format!("{}/channels/fpx/direct", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fpx_tests! {
    async fn an_approval_is_posted_once_by_direct_indirect_enquiry_and_settlement(app, sim) {
        let reference = bill(&app, "150.00", "MYR").await;
        let due = bill_state(&app, &reference).await["balance"].as_str().unwrap().to_string();
        let mut b = Browser::new(&app);
        // One question: which bank. An offline bank is listed but cannot be chosen.
        let page = b.get(&format!("/pay/{reference}/fpx")).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains("Maybank2U") && page.html.contains("BSN (not available now)"), "{}", page.html);
        let none = b.post(&format!("/pay/{reference}/fpx"), &[]).await;
        assert_eq!(none.status, 400);
        assert!(none.html.contains("Choose the bank you will pay from") && none.html.contains("href=\"#f-fpx_bank-0\""));
        let offline = b.post(&format!("/pay/{reference}/fpx"), &[("fpx_bank", "BSN0601")]).await;
        assert_eq!(offline.status, 400);
        assert!(offline.html.contains("not available now: choose another bank"));
        assert_eq!(app.count("fpx_payments").await, 0, "refusals record nothing");

        let (action, request) = choose(&mut b, &reference, "MB2U0227").await;
        assert_eq!(action, format!("{}/FPXMain/seller2DReceiver.jsp", sim.base_url()));
        let field = |k: &str| request.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        assert_eq!((field("fpx_msgType").as_str(), field("fpx_sellerOrderNo").as_str(), field("fpx_txnCurrency").as_str()), ("AR", reference.as_str(), "MYR"));
        assert_eq!(field("fpx_txnAmount"), due);
        let id = field("fpx_sellerExOrderNo");
        let (txn, indirect, confirmation) = at_bank(&app, &action, &request, "00").await;
        assert_eq!(indirect, format!("{}/channels/fpx/indirect", app.base));
        app.eventually("the direct confirmation delivered", || async {
            sim.deliveries().iter().any(|d| d.delivered && d.fpx_txn_id == txn)
        }).await;
        // The payer comes back through the browser: applied again, nothing twice.
        let back = app.client.post(&indirect).form(&confirmation).send().await.unwrap();
        assert_eq!(back.status().as_u16(), 303);
        let location = back.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(location, format!("/pay/{reference}/fpx/{id}"));
        let result = b.get(&location).await;
        assert!(result.html.contains("Payment received") && result.html.contains(&txn) && result.html.contains("Maybank2U"), "{}", result.html);
        // The gateway resends; the result page asks again: still once.
        sim.resend(&txn);
        app.eventually("the resent confirmation delivered", || async {
            sim.deliveries().iter().filter(|d| d.delivered && d.fpx_txn_id == txn).count() == 2
        }).await;
        b.get(&location).await;
        assert_eq!(bill_state(&app, &reference).await["status"], "paid");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM ledger_transactions WHERE memo = $1", &format!("fpx {txn} bill {reference}")).await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_notifications WHERE outcome = 'applied' AND payment_id = $1", &id).await, 3);
        assert_eq!(app.balance("collection:fpx:MYR").await, lango_payments::fpx::message::parse_amount(&due).unwrap());
        // The pay page lists the receipt as FPX.
        assert!(b.get(&format!("/pay/{reference}")).await.html.contains("FPX online banking"));

        // Pending at the bank: the result page asks the gateway, which says pending, then
        // approved once the bank decides (its direct confirmation finds no one: lost).
        let second = bill(&app, "80.00", "MYR").await;
        let (action, request) = choose(&mut b, &second, "PBB0233").await;
        let second_id = request.iter().find(|(k, _)| k == "fpx_sellerExOrderNo").unwrap().1.clone();
        let (second_txn, _, _) = at_bank(&app, &action, &request, "09").await;
        let waiting = b.get(&format!("/pay/{second}/fpx/{second_id}")).await;
        assert!(waiting.html.contains("Waiting for your bank"), "{}", waiting.html);
        sim.set_seller("http://127.0.0.1:9");
        sim.decide(&second_txn, "00");
        let paid = b.get(&format!("/pay/{second}/fpx/{second_id}")).await;
        assert!(paid.html.contains("Payment received"), "{}", paid.html);
        assert_eq!(bill_state(&app, &second).await["status"], "paid");

        // Approved, and neither confirmation ever arrives: the settlement report posts it.
        let third = bill(&app, "20.00", "MYR").await;
        let (action, request) = choose(&mut b, &third, "RHB0218").await;
        let (third_txn, _, _) = at_bank(&app, &action, &request, "00").await;
        assert_eq!(bill_state(&app, &third).await["status"], "open");
        let today = lango_payments::fpx::fpx_time(lango_core::clock::now_ms())[..8].to_string();
        let mut report = sim.settlement_report(&today);
        // A settled transaction Lango never started: kept for review, never posted.
        report.push_str(&format!("{today},2612059999990001,not-ours,ZZZZ2345,MB2U0227,{today}120000,99.00,MYR,00\n"));
        let file = app.data_dir.path().join("fpx-settlement.csv");
        std::fs::write(&file, &report).unwrap();
        // The report alone proves nothing: Lango asks the gateway about the third payment.
        let out = cli(&app, &sim, &["reconcile", "statement", file.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(bill_state(&app, &third).await["status"], "paid", "{stdout}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_payments WHERE settled_at IS NOT NULL AND fpx_txn_id = $1", &third_txn).await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_payments WHERE settled_at IS NOT NULL AND fpx_txn_id = $1", &txn).await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM reconciliation_items WHERE kind = 'missing_in_ledger' AND receipt = $1", "2612059999990001").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_notifications WHERE outcome = 'review' AND fpx_txn_id = $1", "2612059999990001").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM ledger_transactions WHERE memo LIKE $1", "fpx 2612059999990001%").await, 0);
        // The same file again changes nothing.
        let again = cli(&app, &sim, &["reconcile", "statement", file.to_str().unwrap()]);
        assert!(String::from_utf8_lossy(&again.stdout).contains("already imported"));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_notifications WHERE outcome = $1", "review").await, 1);
        ledger_is_clean(&app);
    }

    async fn forged_unknown_and_altered_confirmations_post_nothing(app, sim) {
        let reference = bill(&app, "150.00", "MYR").await;
        let mut b = Browser::new(&app);
        let (_, request) = choose(&mut b, &reference, "MB2U0227").await;
        let id = request.iter().find(|(k, _)| k == "fpx_sellerExOrderNo").unwrap().1.clone();
        let amount = request.iter().find(|(k, _)| k == "fpx_txnAmount").unwrap().1.clone();
        let ours = |extra: &[(&str, &str)]| {
            let mut o: Vec<(&str, &str)> = vec![("fpx_sellerExOrderNo", &id), ("fpx_sellerOrderNo", &reference), ("fpx_txnAmount", &amount)];
            o.extend_from_slice(extra);
            sim.signed(&o)
        };
        // Altered after signing, unsigned, or signed by someone else: 401, nothing kept.
        let mut altered = ours(&[]);
        altered.insert("fpx_txnAmount".into(), "1.00".into());
        assert_eq!(direct(&app, form_body(&altered)).await.0, 401);
        let mut unsigned = ours(&[]);
        unsigned.remove("fpx_checkSum");
        assert_eq!(direct(&app, form_body(&unsigned)).await.0, 401);
        let forged = app.client.post(format!("{}/channels/fpx/indirect", app.base)).body(form_body(&altered)).header("content-type", "application/x-www-form-urlencoded").send().await.unwrap();
        assert_eq!(forged.status().as_u16(), 401);
        assert_eq!(app.count("fpx_notifications").await, 0);
        // Signed, but for a transaction Lango never started, or for another amount: kept
        // for review (the gateway is told OK so it stops resending), never posted.
        let (status, body) = direct(&app, form_body(&sim.signed(&[]))).await;
        assert_eq!((status, body.as_str()), (200, "OK"));
        let (status, _) = direct(&app, form_body(&ours(&[("fpx_txnAmount", "1.50"), ("fpx_fpxTxnId", "2612051200000077")]))).await;
        assert_eq!(status, 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_notifications WHERE outcome = $1", "review").await, 2);
        assert_eq!(app.balance("collection:fpx:MYR").await, 0);
        assert_eq!(bill_state(&app, &reference).await["status"], "open");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_payments WHERE status = 'created' AND id = $1", &id).await, 1);
        // A settlement file saying that attempt was paid proves nothing: the gateway, asked,
        // never saw it, so nothing is posted and the row is a finding.
        let today = lango_payments::fpx::fpx_time(lango_core::clock::now_ms())[..8].to_string();
        let forged_report = format!(
            "Settlement Date,FPX Txn ID,Seller Exchange Order No,Seller Order No,Buyer Bank,Txn Time,Txn Amount,Currency,Debit Auth Code\n\
             {today},2612051200000088,{id},{reference},MB2U0227,{today}120000,{amount},MYR,00\n"
        );
        let file = app.data_dir.path().join("forged-settlement.csv");
        std::fs::write(&file, forged_report).unwrap();
        let out = cli(&app, &sim, &["reconcile", "statement", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(bill_state(&app, &reference).await["status"], "open");
        assert_eq!(app.balance("collection:fpx:MYR").await, 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM reconciliation_items WHERE kind = 'missing_in_ledger' AND receipt = $1", "2612051200000088").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM fpx_notifications WHERE outcome = $1", "review").await, 2, "the gateway's 'never saw it' is no confirmation");
        // A finance officer sees them, and marks one looked into (audited).
        let mut officer = signed_in(&app, "fin@treasury.example", Role::FinanceOfficer, None).await;
        let list = officer.get("/finance/fpx").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains("2612051200009999") && list.html.contains("a transaction Lango did not start"), "{}", list.html);
        assert!(list.html.contains("MYR 1.50 is not the MYR 150.00 asked") || list.html.contains("is not the"), "{}", list.html);
        assert!(officer.get("/finance").await.html.contains("href=\"/finance/fpx\""));
        let first = app.db().await;
        let nid: String = sqlx::query_scalar("SELECT id FROM fpx_notifications WHERE fpx_txn_id = '2612051200009999'").fetch_one(first.pool()).await.unwrap();
        first.close().await;
        let marked = officer.post(&format!("/finance/fpx/{nid}/reviewed"), &[]).await;
        assert_eq!(marked.status, 303);
        assert!(!officer.get("/finance/fpx").await.html.contains("2612051200009999"));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "fpx.reviewed").await, 1);
        // A citizen cannot see the list.
        let mut citizen = Browser::new(&app);
        assert_ne!(citizen.get("/finance/fpx").await.status, 200);
        // A declined payment changes nothing; a KES bill is not offered to FPX.
        let (action, request) = choose(&mut b, &reference, "MB2U0227").await;
        let (txn, _, _) = at_bank(&app, &action, &request, "51").await;
        app.eventually("the decline delivered", || async {
            sim.deliveries().iter().any(|d| d.delivered && d.fpx_txn_id == txn)
        }).await;
        let declined_id = request.iter().find(|(k, _)| k == "fpx_sellerExOrderNo").unwrap().1.clone();
        let page = b.get(&format!("/pay/{reference}/fpx/{declined_id}")).await;
        assert!(page.html.contains("Your bank did not approve the payment"), "{}", page.html);
        assert_eq!(bill_state(&app, &reference).await["status"], "open");
        let kes = bill(&app, "1000.00", "KES").await;
        let refused = b.post(&format!("/pay/{kes}/fpx"), &[("fpx_bank", "MB2U0227")]).await;
        assert_eq!(refused.status, 409);
        assert!(refused.html.contains("FPX takes payments in ringgit only"));
        ledger_is_clean(&app);
    }
}
