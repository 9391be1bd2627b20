//! Finance pages over real HTTP, on receipts made by the real C2B confirmation endpoint:
//! the revenue dashboard (totals per agency, channel and currency, SVG chart), the suspense
//! queue and audited manual matching (checked, confirmed once, refused twice, auditors read
//! only), and the auditor's export whose rows and totals equal the ledger.

mod chromium;

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::support::{c2b_confirmation, TestApp};
use lango_core::money::{Currency, Money};
use lango_identity::model::Role;
use std::collections::BTreeMap;

const PASSWORD: &str = "correct horse battery";

/// When the test receipts were paid (EAT), as Safaricom writes `TransTime`.
const PAID_AT: &str = "20261122103015";

/// A Daraja C2B confirmation as Safaricom sends it (every value a string).
async fn pay(app: &TestApp, trans_id: &str, amount: &str, typed: &str) {
    c2b_confirmation(&app.client, &app.base, trans_id, amount, typed, PAID_AT).await;
}

/// Raises a bill through the agency API; returns its reference.
async fn bill(app: &TestApp, key: &str, service: &str, amount: &str, currency: &str) -> String {
    let body = serde_json::json!({"service_code": service, "amount": amount, "currency": currency,
        "agency_reference": "CASE-7"});
    app.raise_bill(key, body).await
}

async fn signed_in<'a>(app: &'a TestApp, email: &str, role: Option<Role>) -> Browser<'a> {
    match role {
        Some(r) => app.staff(email, PASSWORD, r, None).await,
        None => {
            app.person(&format!("{}", 20_000_000 + email.len()), email, PASSWORD)
                .await
        }
    };
    let mut b = Browser::new(app);
    let res = b.sign_in(email, PASSWORD).await;
    assert_eq!(res.status, 303, "{email} signs in");
    b
}

/// The part of a page from `start` to the next `</section>`.
fn section<'p>(page: &'p Page, start: &str) -> &'p str {
    let from = page
        .html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not on the page"));
    let rest = &page.html[from..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

fn ledger_verifies(app: &TestApp) {
    let out = app.cli(&["ledger", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && text.contains(", 0 faults"),
        "{text}"
    );
}

/// A card payment of `minor` for bill `reference`, confirmed by the provider: the attempt as
/// `cards::start` records it once the provider made the payment, then the provider's report
/// of success (its wire format) applied through the card module, which posts it. Returns
/// the provider's payment id.
async fn card_paid(app: &TestApp, reference: &str, minor: i64, currency: &str) -> String {
    let db = app.db().await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let provider_id = format!("pay{}", &id[..12]);
    sqlx::query(
        "INSERT INTO card_payments (id, provider_payment_id, bill_reference, amount, currency, status, \
         failure_code, failure_message, next_url, posted, outcome, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'created', '', '', 'https://card.example/pay', 0, '', $6, $6)",
    )
    .bind(&id).bind(&provider_id).bind(reference).bind(minor).bind(currency).bind(lango_core::clock::now_ms())
    .execute(db.pool()).await.unwrap();
    let card = lango_payments::cards::get(&db, &id).await.unwrap().unwrap();
    let reported: lango_payments::cards::ProviderPayment =
        serde_json::from_value(serde_json::json!({
            "payment_id": provider_id, "amount": minor, "reference": reference,
            "state": {"status": "success", "finished": true}
        }))
        .unwrap();
    let after = lango_payments::cards::apply_state(&db, &card, &reported)
        .await
        .unwrap();
    assert!(after.posted);
    db.close().await;
    provider_id
}

/// Reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// A reference with a good check character that no bill has.
fn unknown_reference() -> String {
    lango_payments::BillReference::generate(&mut rand::thread_rng())
        .as_str()
        .to_string()
}

backend_tests! {
    spawn = TestApp::spawn_mpesa;

    async fn dashboard_totals_per_agency_channel_and_currency(app: TestApp) {
        let dis = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let ntsa = app.agency_key("NTSA", &["bills:write"]).await;
        let passport = bill(&app, &dis, "DIS-PASSPORT", "4550.00", "KES").await;
        let licence = bill(&app, &ntsa, "NTSA-DL-RENEW", "3000.00", "KES").await;
        pay(&app, "TFA0000001", "4600.00", &passport).await;
        pay(&app, "TFA0000002", "500.00", &licence.to_lowercase()).await;
        pay(&app, "TFA0000003", "300.00", "INVOICE-9").await;
        let visa = bill(&app, &dis, "DIS-PASSPORT", "100.00", "USD").await;
        card_paid(&app, &visa, 10_100, "USD").await;

        let mut fin = signed_in(&app, "fin@treasury.example", Some(Role::FinanceOfficer)).await;
        let page = fin.get("/finance").await;
        assert_eq!(page.status, 200, "{}", page.html);
        for link in ["/finance/suspense", "/finance/reconciliation", "/finance/settlements", "/finance/export"] {
            assert!(page.html.contains(&format!("href=\"{link}\"")), "link to {link}");
        }
        let kes = section(&page, "id=\"cur-KES\"");
        // Collected 4,600 + 500 + 300; revenue DIS 4,550 and NTSA 500 (the service is paid
        // before its fee); fees 50; 300 held in suspense.
        for want in ["KES 5,400.00", "KES 5,050.00", "KES 50.00", "KES 300.00", "KES 4,550.00", "KES 500.00"] {
            assert!(kes.contains(want), "KES section lacks {want}");
        }
        assert!(kes.contains("DIS – ") && kes.contains("NTSA – ") && kes.contains("M-Pesa"));
        assert!(kes.contains("<svg class=\"chart\"") && kes.contains("role=\"img\"") && kes.contains("aria-label=\"Agency revenue by day (KES)\""));
        assert_eq!(kes.matches("<rect class=\"chart-bar\"").count(), 30, "a bar per day of the last 30");
        let usd = section(&page, "id=\"cur-USD\"");
        for want in ["USD 101.00", "USD 100.00", "USD 1.00", "Card"] {
            assert!(usd.contains(want), "USD section lacks {want}");
        }
        assert!(!usd.contains("KES") && !kes.contains("USD"), "currencies are never mixed");

        // The same numbers straight from the ledger.
        assert_eq!(app.balance("collection:mpesa:KES").await, 540_000);
        assert_eq!(app.balance("revenue:DIS:KES").await + app.balance("revenue:NTSA:KES").await, -505_000);
        assert_eq!(app.balance("platform_fees:KES").await, -5_000);

        // Another period, a bad period, another language.
        let empty = fin.get("/finance?from=2020-01-01&to=2020-01-31").await;
        assert_eq!(empty.status, 200);
        assert!(empty.html.contains("No money was received in this period.") && !empty.html.contains("id=\"cur-USD\""));
        let held = section(&empty, "id=\"cur-KES\"");
        assert!(held.contains("KES 300.00") && !held.contains("<svg"), "only what suspense holds now");
        let bad = fin.get("/finance?from=2026-02-30&to=2026-01-01").await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("error-summary") && bad.html.contains("href=\"#f-from\""));
        let backwards = fin.get("/finance?from=2026-02-03&to=2026-01-01").await;
        assert!(backwards.status == 400 && backwards.html.contains("href=\"#f-to\""));
        fin.cookies.insert("lang".into(), "sw".into());
        let sw = fin.get("/finance").await;
        assert!(sw.status == 200 && sw.html.contains("Mapato ya mashirika"));

        // Auditors read; citizens, agency staff and strangers do not.
        let mut auditor = signed_in(&app, "audit@oag.example", Some(Role::Auditor)).await;
        assert_eq!(auditor.get("/finance").await.status, 200);
        let mut citizen = signed_in(&app, "wanjiku@example.com", None).await;
        assert_eq!(citizen.get("/finance").await.status, 403);
        assert_eq!(citizen.get("/finance/suspense").await.status, 403);
        assert_eq!(citizen.get("/finance/export?from=2026-01-01&to=2026-01-02&format=csv").await.status, 403);
        app.staff("officer@dis.example", PASSWORD, Role::Officer, Some("DIS")).await;
        let mut officer = Browser::new(&app);
        officer.sign_in("officer@dis.example", PASSWORD).await;
        assert_eq!(officer.get("/finance").await.status, 403);
        let anonymous = Browser::new(&app).get("/finance").await;
        assert_eq!((anonymous.status, anonymous.location.as_str()), (303, "/signin?next=%2Ffinance"));
    }

    async fn suspense_is_matched_once_with_its_audit_record(app: TestApp) {
        let dis = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let reference = bill(&app, &dis, "DIS-PASSPORT", "4550.00", "KES").await;
        pay(&app, "TFB0000001", "4600.00", "PASPORT 12").await;
        assert_eq!(app.balance("suspense:KES").await, -460_000);

        let mut fin = signed_in(&app, "fin@treasury.example", Some(Role::FinanceOfficer)).await;
        let queue = fin.get("/finance/suspense").await;
        assert_eq!(queue.status, 200);
        assert!(queue.html.contains("TFB0000001") && queue.html.contains("PASPORT 12") && queue.html.contains("KES 4,600.00"));
        assert!(queue.html.contains("href=\"/finance/suspense/TFB0000001/match\""));
        assert_eq!(fin.get("/finance/suspense/TFB0000001/match").await.status, 200);
        assert_eq!(fin.get("/finance/suspense/NOSUCH/match").await.status, 404);

        // Wrong answers: an error summary linked to the field, nothing changed.
        let transactions = app.count("ledger_transactions").await;
        let mut typo = reference.clone().into_bytes();
        typo[3] = if typo[3] == b'2' { b'3' } else { b'2' };
        let typo = String::from_utf8(typo).unwrap();
        let nobody = unknown_reference();
        for (typed, reason, field) in [
            ("XX", "payer called", "reference"),
            (typo.as_str(), "payer called", "reference"),
            (nobody.as_str(), "payer called", "reference"),
            (reference.as_str(), "", "reason"),
        ] {
            let res = fin.post("/finance/suspense/TFB0000001/match", &[("reference", typed), ("reason", reason)]).await;
            assert_eq!(res.status, 400, "{typed:?} {reason:?}");
            assert!(res.html.contains("error-summary") && res.html.contains(&format!("href=\"#f-{field}\"")), "{typed:?}");
        }
        let res = fin.post("/finance/suspense/TFB0000001/match/confirm", &[("reference", &nobody), ("reason", "payer called")]).await;
        assert!(res.status == 400 && res.html.contains("There is no bill with this reference"));
        assert_eq!(app.count("ledger_transactions").await, transactions);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id = $1 AND outcome = 'suspense'", "TFB0000001").await, 1);

        // Check your answers: the bill, its agency and the split; still nothing posted.
        let typed = format!("{}-{}", reference[..4].to_lowercase(), &reference[4..]);
        let check = fin.post("/finance/suspense/TFB0000001/match", &[("reference", &typed), ("reason", "payer called with the bill")]).await;
        assert_eq!(check.status, 200, "{}", check.html);
        for want in [reference.as_str(), "DIS – ", "CASE-7", "KES 4,600.00", "KES 4,550.00", "KES 50.00", "Paid", "payer called with the bill"] {
            assert!(check.html.contains(want), "check page lacks {want}");
        }
        assert!(check.html.contains("action=\"/finance/suspense/TFB0000001/match/confirm\""));
        assert_eq!(app.count("ledger_transactions").await, transactions);

        // An auditor sees the queue but cannot match.
        let mut auditor = signed_in(&app, "audit@oag.example", Some(Role::Auditor)).await;
        let seen = auditor.get("/finance/suspense").await;
        assert!(seen.status == 200 && seen.html.contains("TFB0000001") && !seen.html.contains("/match\""));
        assert_eq!(auditor.get("/finance/suspense/TFB0000001/match").await.status, 403);
        let refused = auditor.post("/finance/suspense/TFB0000001/match/confirm", &[("reference", &reference), ("reason", "x")]).await;
        assert_eq!(refused.status, 403);
        assert_eq!(auditor.post("/finance/suspense/TFB0000001/match", &[("reference", &reference), ("reason", "x")]).await.status, 403);
        assert_eq!(app.count("ledger_transactions").await, transactions);

        // The first confirmation proposes (four eyes); a second officer's moves the money:
        // the reversal and the bill's posting, in one go.
        let proposed = fin.post("/finance/suspense/TFB0000001/match/confirm", &[("reference", &reference), ("reason", "payer called with the bill")]).await;
        assert_eq!((proposed.status, proposed.location.as_str()), (303, "/finance/suspense/TFB0000001/match"), "{}", proposed.html);
        assert_eq!(app.count("ledger_transactions").await, transactions);
        let mut fin2 = signed_in(&app, "fin2@treasury.example", Some(Role::FinanceOfficer)).await;
        fin2.get("/finance/suspense").await;
        let done = fin2.post("/finance/suspense/TFB0000001/match/confirm", &[("reference", &reference), ("reason", "checked")]).await;
        assert_eq!((done.status, done.location.as_str()), (303, "/finance/suspense/TFB0000001/matched"), "{}", done.html);
        let confirmation = fin.get("/finance/suspense/TFB0000001/matched").await;
        assert_eq!(confirmation.status, 200);
        assert!(confirmation.html.contains(&reference) && confirmation.html.contains("Staff Member") && confirmation.html.contains("payer called with the bill"));
        assert_eq!(app.count("ledger_transactions").await, transactions + 2);
        assert_eq!(app.balance("suspense:KES").await, 0);
        assert_eq!(app.balance("collection:mpesa:KES").await, 460_000, "collected once");
        assert_eq!(app.balance("revenue:DIS:KES").await, -455_000);
        let got = app.client.get(format!("{}/api/v1/bills/{reference}", app.base)).bearer_auth(&dis).send().await.unwrap();
        assert_eq!(got.json::<serde_json::Value>().await.unwrap()["status"], "paid");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM events WHERE type = 'payment.received' AND order_key = $1", &reference).await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'payment.suspense_matched' AND object = $1", "mpesa_receipt:TFB0000001").await, 1);
        let db = app.db().await;
        let (actor, detail): (String, String) = sqlx::query_as("SELECT actor, detail FROM audit_log WHERE action = 'payment.suspense_matched'")
            .fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert!(actor.starts_with("account:") && detail.contains(&reference) && detail.contains("payer called with the bill") && detail.contains("KES 4,600.00"), "{detail}");
        ledger_verifies(&app);
        let audit = app.cli(&["audit", "verify"]);
        assert!(audit.status.success(), "{}", String::from_utf8_lossy(&audit.stdout));

        // A second click: refused clearly, nothing posted twice.
        let again = fin.post("/finance/suspense/TFB0000001/match/confirm", &[("reference", &reference), ("reason", "again")]).await;
        assert_eq!(again.status, 409);
        assert!(again.html.contains("already been matched"));
        assert_eq!(fin.get("/finance/suspense/TFB0000001/match").await.status, 409);
        assert_eq!(app.count("ledger_transactions").await, transactions + 2);
        // A receipt that was posted to its bill on arrival is not in suspense.
        pay(&app, "TFB0000002", "10.00", &reference).await;
        assert_eq!(fin.post("/finance/suspense/TFB0000002/match/confirm", &[("reference", &reference), ("reason", "x")]).await.status, 409);

        // Two officers confirming a third's proposal at once: one match, one refusal, one
        // posting.
        pay(&app, "TFB0000003", "100.00", "nothing").await;
        let other = bill(&app, &dis, "DIS-PASSPORT", "1000.00", "KES").await;
        let mut fin3 = signed_in(&app, "fin3@treasury.example", Some(Role::FinanceOfficer)).await;
        fin3.get("/finance/suspense").await;
        fin2.get("/finance/suspense").await;
        let before = app.count("ledger_transactions").await;
        let fields = [("reference", other.as_str()), ("reason", "both saw it")];
        assert_eq!(fin3.post("/finance/suspense/TFB0000003/match/confirm", &fields).await.status, 303);
        let (a, b) = tokio::join!(
            fin.post("/finance/suspense/TFB0000003/match/confirm", &fields),
            fin2.post("/finance/suspense/TFB0000003/match/confirm", &fields)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [303, 409]);
        assert_eq!(app.count("ledger_transactions").await, before + 2);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM events WHERE type = 'payment.received' AND order_key = $1", &other).await, 1);
        let empty = fin.get("/finance/suspense").await;
        assert!(empty.html.contains("No money is held in suspense."));
        ledger_verifies(&app);
    }

    async fn the_export_adds_up_to_the_ledger(app: TestApp) {
        let dis = app.agency_key("DIS", &["bills:write"]).await;
        let ntsa = app.agency_key("NTSA", &["bills:write"]).await;
        let passport = bill(&app, &dis, "DIS-PASSPORT", "4550.00", "KES").await;
        let licence = bill(&app, &ntsa, "NTSA-DL-RENEW", "3000.00", "KES").await;
        pay(&app, "TFC0000001", "5000.00", &passport).await;
        pay(&app, "TFC0000002", "1000.00", &licence).await;
        pay(&app, "TFC0000003", "250.00", "=HYPERLINK(\"x\")").await;
        pay(&app, "TFC0000004", "2050.00", "licence please").await;
        let visa = bill(&app, &dis, "DIS-PASSPORT", "100.00", "USD").await;
        let card = card_paid(&app, &visa, 10_100, "USD").await;
        let mut fin = signed_in(&app, "fin@treasury.example", Some(Role::FinanceOfficer)).await;
        fin.get("/finance/suspense").await;
        let mut fin2 = signed_in(&app, "fin2@treasury.example", Some(Role::FinanceOfficer)).await;
        fin2.get("/finance/suspense").await;
        for officer in [&mut fin, &mut fin2] {
            let done = officer.post("/finance/suspense/TFC0000004/match/confirm", &[("reference", &licence), ("reason", "payer sent the bill")]).await;
            assert_eq!(done.status, 303);
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM suspense_matches WHERE trans_id = $1", "TFC0000004").await, 1);

        let mut auditor = signed_in(&app, "audit@oag.example", Some(Role::Auditor)).await;
        let form = auditor.get("/finance/export").await;
        assert!(form.status == 200 && form.html.contains("method=\"get\"") && form.html.contains("name=\"format\""));
        let bad = auditor.get("/finance/export?from=2026-01-05&to=2026-01-01&format=xml").await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("href=\"#f-to\"") && bad.html.contains("href=\"#f-format-0\""));

        let today = lango_payments::finance::Day::today().date();
        let url = format!("{}/finance/export?from={today}&to={today}&format=csv", app.base);
        let cookie = auditor.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let res = app.client.get(&url).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"lango-receipts-"));
        let csv = res.text().await.unwrap();
        let (head, body) = csv.split_once('\n').unwrap();
        let field = |name: &str| head.split(' ').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("{name} in {head}")).to_string();
        assert!(head.starts_with("# lango receipts"));
        assert_eq!((field("receipts"), field("KES_receipts"), field("KES_total")), ("5".into(), "4".into(), "8300.00".into()));
        assert_eq!((field("USD_receipts"), field("USD_total")), ("1".into(), "101.00".into()));
        let mut records = parse_csv(body);
        let headers = records.remove(0);
        let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
        let rows = records;
        assert_eq!(rows.len().to_string(), field("rows"));
        // 4 entries for the overpaid bill (service, fee, excess), 2 for the part payment, 2
        // for suspense, for the match 2 (suspense) + 2 (reversal) + 3 (the bill), and 3 for
        // the card payment.
        assert_eq!(rows.len(), 18);
        let mut by_account: BTreeMap<String, i64> = BTreeMap::new();
        let mut receipts: BTreeMap<String, (String, String, String)> = BTreeMap::new();
        for r in &rows {
            let currency: Currency = r[col("currency")].parse().unwrap();
            let amount = Money::parse_decimal(r[col("entry_amount")].trim_start_matches('-'), currency).unwrap().minor();
            let signed = if r[col("entry_amount")].starts_with('-') { -amount } else { amount };
            *by_account.entry(r[col("account")].to_string()).or_default() += signed;
            receipts.insert(r[col("receipt")].to_string(), (r[col("outcome")].to_string(), r[col("bill")].to_string(), r[col("agency")].to_string()));
            if &r[col("receipt")] == "TFC0000003" {
                assert_eq!(&r[col("typed_reference")], "'=HYPERLINK(\"x\")", "formulas are defused");
            }
        }
        assert_eq!(receipts["TFC0000001"], ("posted".into(), passport.clone(), "DIS".into()));
        assert_eq!(receipts["TFC0000003"], ("suspense".into(), String::new(), String::new()));
        assert_eq!(receipts["TFC0000004"], ("matched".into(), licence.clone(), "NTSA".into()));
        assert_eq!(receipts[&card], ("bill".into(), visa.clone(), "DIS".into()));
        assert!(rows.iter().any(|r| r[col("channel")] == "card" && r[col("account")] == "collection:card:USD" && r[col("verified_at")].ends_with("+03:00")));
        for (account, sum) in &by_account {
            assert_eq!(*sum, app.balance(account).await, "{account}");
        }
        assert_eq!(by_account["suspense:KES"], -25_000);

        let url = format!("{}/finance/export?from={today}&to={today}&format=json", app.base);
        let json: serde_json::Value = app.client.get(&url).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
        assert_eq!((json["receipts"].as_i64(), json["rows"].as_i64()), (Some(5), Some(18)));
        assert_eq!(json["totals"]["KES"], serde_json::json!({"receipts": 4, "amount": "8300.00"}));
        assert_eq!(json["totals"]["USD"], serde_json::json!({"receipts": 1, "amount": "101.00"}));
        let items = json["items"].as_array().unwrap();
        assert_eq!(items.len(), 5);
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        let mut received = 0;
        for i in items {
            let currency: Currency = i["currency"].as_str().unwrap().parse().unwrap();
            if currency == Currency::Kes {
                received += Money::parse_decimal(i["amount"].as_str().unwrap(), currency).unwrap().minor();
            }
            for t in i["transactions"].as_array().unwrap() {
                for e in t["entries"].as_array().unwrap() {
                    let a = e["amount"].as_str().unwrap();
                    let m = Money::parse_decimal(a.trim_start_matches('-'), currency).unwrap().minor();
                    *sums.entry(e["account"].as_str().unwrap().to_string()).or_default() += if a.starts_with('-') { -m } else { m };
                }
            }
        }
        assert_eq!(received, 830_000);
        assert_eq!(sums, by_account);
        let matched = items.iter().find(|i| i["receipt"] == "TFC0000004").unwrap();
        assert_eq!(matched["transactions"].as_array().unwrap().len(), 3);
        assert_eq!(matched["verified_at"], serde_json::Value::Null);

        // Finance officers may export too; anyone else may not.
        assert_eq!(fin.get(&format!("/finance/export?from={today}&to={today}&format=json")).await.status, 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "finance.export").await, 3);
    }

    async fn the_export_pages_through_many_receipts(app: TestApp) {
        // 450 receipts, 50 at a time: the committer stores each group with one time, so
        // pages must break ties by receipt.
        for group in 0..9 {
            let mut set = tokio::task::JoinSet::new();
            for i in 0..50 {
                let (client, base) = (app.client.clone(), app.base.clone());
                set.spawn(async move { c2b_confirmation(&client, &base, &format!("TFE{group}{i:06}"), "10.00", "no bill", PAID_AT).await });
            }
            while let Some(done) = set.join_next().await {
                done.unwrap();
            }
        }
        let mut auditor = signed_in(&app, "audit@oag.example", Some(Role::Auditor)).await;
        let today = lango_payments::finance::Day::today().date();
        let page = auditor.get(&format!("/finance/export?from={today}&to={today}&format=csv")).await;
        assert_eq!(page.status, 200);
        let mut records = parse_csv(page.html.split_once('\n').unwrap().1);
        let headers = records.remove(0);
        let receipt = headers.iter().position(|h| h == "receipt").unwrap();
        assert_eq!(records.len(), 900, "two entries a receipt");
        let distinct: std::collections::BTreeSet<&str> = records.iter().map(|r| r[receipt].as_str()).collect();
        assert_eq!(distinct.len(), 450);
        let json = auditor.get(&format!("/finance/export?from={today}&to={today}&format=json")).await;
        let json: serde_json::Value = serde_json::from_str(&json.html).unwrap();
        let items = json["items"].as_array().unwrap();
        let distinct: std::collections::BTreeSet<&str> = items.iter().map(|i| i["receipt"].as_str().unwrap()).collect();
        assert_eq!((items.len(), distinct.len(), json["receipts"].as_i64()), (450, 450, Some(450)));
        assert_eq!(json["totals"]["KES"]["amount"], "4500.00");
    }
}
