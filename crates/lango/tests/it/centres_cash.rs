//! Payment at the counter of a service centre, through the desk's pages with forms and CSRF:
//! cash received posts to the ledger (channel `cash`) and pays the bill the applicant sees;
//! bad input changes nothing; a form sent twice posts once; the till is counted and closed
//! (a difference needs a reason, is audited and shows on finance's page); a receipt after
//! the close opens a new session; M-Pesa Express from the counter reaches the simulator.

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::stk::{simulator_tests, Env};
use crate::support::TestApp;
use lango_cases::definition::{PageInput, Profile};
use lango_cases::service::Settings;
use lango_cases::Cases;
use lango_core::money::{Currency, Money};
use lango_core::Error;
use lango_identity::model::Role;
use lango_identity::policy::Actor;
use lango_payments::cash::{self, Refusal, Submission, Till};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";
const CENTRE: &str = "TC-CSH";
const PAY: &str = "/desk/TC-CSH/counters/1/pay";
const TILL: &str = "/desk/TC-CSH/counters/1/till";

const SERVICE: &str = "DCI-MV-CLEARANCE";
/// One page, a fee of KES 1,050 (the bill asks 1,100 with the convenience fee), payment.
const DEFINITION: &str = r#"
service: DCI-MV-CLEARANCE
title: {en: "Get a motor vehicle clearance certificate", sw: "Pata cheti cha ukaguzi wa gari"}
declaration: {en: "The information I have given is true."}
pages:
  - id: about
    title: {en: "About you"}
    fields:
      - {id: full_name, type: text, label: {en: "Full name"}, required: true, prefill: full_name}
fees:
  currency: KES
  items:
    - {label: {en: "Clearance fee"}, amount: "1050.00"}
workflow:
  start: awaiting_payment
  states:
    - {id: awaiting_payment, label: {en: "Waiting for payment"}, actor: system, paid_to: review}
    - id: review
      label: {en: "Being checked"}
      actor: officer
      sla_days: 5
      actions:
        - {id: approve, label: {en: "Approve"}, to: done}
    - {id: done, label: {en: "Cleared"}, actor: system, outcome: completed}
"#;

/// The test centre and a browser signed in as its desk staff.
async fn desk(app: &TestApp) -> Browser<'_> {
    crate::centres::test_centre(app, CENTRE, 2, "00:00-23:59", 15, 40).await;
    let email = format!("cash-{}@huduma.example", uuid::Uuid::new_v4().simple());
    let staff = app
        .staff(&email, PASSWORD, Role::Officer, Some("DIS"))
        .await;
    let db = app.db().await;
    lango_identity::seed::grant(&db, &staff, Role::CentreStaff, None, Some(CENTRE))
        .await
        .unwrap();
    db.close().await;
    let mut b = Browser::new(app);
    assert_eq!(b.sign_in(&email, PASSWORD).await.status, 303);
    b
}

/// A DIS bill of `amount` (plus the fee) raised through the agency API.
async fn bill(app: &TestApp, amount: &str, currency: &str) -> String {
    let key = app.agency_key("DIS", &["bills:write"]).await;
    let body = serde_json::json!({"service_code": "DIS-PASSPORT", "amount": amount, "currency": currency,
        "payer": {"name": "Wanjiku Kamau", "phone": "+254712345678", "email": "wanjiku@example.com"}});
    app.raise_bill(&key, body).await
}

/// The value of the hidden or text input `name` on a page.
pub(crate) fn input(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        .to_string()
}

/// The cash form of bill `reference` as the pay page gives it: (key, session).
async fn cash_form(b: &mut Browser<'_>, reference: &str) -> (String, String) {
    let page = b.get(&format!("{PAY}?bill={reference}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    (input(&page.html, "key"), input(&page.html, "session"))
}

async fn pay_cash(
    b: &mut Browser<'_>,
    reference: &str,
    amount: &str,
    form: &(String, String),
) -> Page {
    b.post(
        PAY,
        &[
            ("method", "cash"),
            ("bill", reference),
            ("amount", amount),
            ("key", &form.0),
            ("session", &form.1),
        ],
    )
    .await
}

async fn bill_state(app: &TestApp, reference: &str) -> (String, i64) {
    let db = app.db().await;
    let row: (String, i64) =
        sqlx::query_as("SELECT status, service_paid + fee_paid FROM bills WHERE reference = $1")
            .bind(reference)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    row
}

async fn ledger_clean(app: &TestApp) {
    let db = app.db().await;
    let (_, faults) = lango_payments::store::verify(&db).await.unwrap();
    db.close().await;
    assert!(faults.is_empty(), "{faults:?}");
}

/// A citizen's submitted application waiting for payment: (citizen id number, application
/// reference, bill reference).
async fn application(app: &TestApp) -> (String, String, String) {
    let dir = app.data_dir.path().join("cash-documents");
    let cases = Cases::open(
        app.db().await,
        Settings::new(dir.display().to_string(), Vec::new()),
    )
    .await
    .expect("cases open");
    lango_cases::registry::load_texts(cases.db(), &[("cash.yaml".into(), DEFINITION.into())])
        .await
        .expect("definition loads");
    let id_number = "32323232";
    let account = app
        .person(id_number, "cash-citizen@example.ke", PASSWORD)
        .await;
    let db = app.db().await;
    let citizen = Actor::Person(lango_identity::account::actor(&db, &account).await.unwrap());
    db.close().await;
    let profile = Profile {
        values: vec![("full_name".into(), "Wanjiku Kamau".into())],
    };
    let draft = cases
        .start(&citizen, SERVICE, None, &profile)
        .await
        .expect("start");
    let input = PageInput {
        values: vec![("full_name".into(), "Wanjiku Kamau".into())],
        files: Vec::new(),
    };
    cases
        .answer(&citizen, &draft.reference, "about", &input)
        .await
        .unwrap()
        .expect("valid");
    let sent = cases
        .submit(&citizen, &draft.reference)
        .await
        .unwrap()
        .expect("complete");
    (
        id_number.to_string(),
        sent.reference,
        sent.bill_reference.expect("a bill"),
    )
}

backend_tests! {
    async fn cash_at_the_counter_pays_the_bill_and_the_applicant_sees_it(app: TestApp) {
        let (citizen, application, reference) = application(&app).await;
        let mut b = desk(&app).await;
        let counter = b.get("/desk/TC-CSH/counters/1").await;
        assert!(counter.html.contains(&format!("href=\"{PAY}\"")), "the counter links taking a payment");
        assert!(counter.html.contains(&format!("href=\"{TILL}\"")));
        let find = b.get(PAY).await;
        assert_eq!(find.status, 200);
        assert!(find.html.contains("id=\"f-bill\""));
        // The assisted application links here with the reference: it is filled in.
        let page = b.get(&format!("{PAY}?bill={}", reference.to_lowercase())).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains(&format!("value=\"{reference}\"")));
        assert!(page.html.contains("KES 1,100.00"), "the balance: {}", page.html);
        assert_eq!(input(&page.html, "amount"), "1100.00", "the cash amount is the balance");
        let form = (input(&page.html, "key"), input(&page.html, "session"));
        assert_eq!(form.1, "", "no till session is open yet");

        // Part of it first: a receipt, the bill partly paid, the ledger holds it.
        let first = pay_cash(&mut b, &reference, "600", &form).await;
        assert_eq!(first.status, 303, "{}", first.html);
        assert!(first.location.starts_with("/desk/TC-CSH/counters/1/receipts/CSH"), "{}", first.location);
        let receipt = b.get(&first.location).await;
        assert_eq!(receipt.status, 200);
        let number = first.location.rsplit('/').next().unwrap().to_string();
        assert!(receipt.html.contains(&number) && receipt.html.contains(&reference));
        assert!(receipt.html.contains("KES 600.00") && receipt.html.contains("KES 500.00"), "{}", receipt.html);
        assert_eq!(bill_state(&app, &reference).await, ("partly_paid".into(), 60_000));
        assert_eq!(app.balance("collection:cash:KES").await, 60_000);

        // The rest: paid.
        let form = cash_form(&mut b, &reference).await;
        assert!(!form.1.is_empty(), "the first receipt opened a session");
        let rest = pay_cash(&mut b, &reference, "500.00", &form).await;
        assert_eq!(rest.status, 303, "{}", rest.html);
        assert_eq!(bill_state(&app, &reference).await, ("paid".into(), 110_000));
        assert_eq!(app.balance("collection:cash:KES").await, 110_000);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM cash_receipts WHERE bill_reference = $1", &reference).await, 2);
        ledger_clean(&app).await;
        let again = b.get(&format!("{PAY}?bill={reference}")).await;
        assert!(again.html.contains("takes no more payment") && !again.html.contains("name=\"key\""));

        // The applicant sees the bill paid, and the payment by cash on the bill's page.
        let mut citizen_b = Browser::new(&app);
        assert_eq!(citizen_b.sign_in(&citizen, PASSWORD).await.status, 303);
        let track = citizen_b.get(&format!("/applications/{application}")).await;
        assert_eq!(track.status, 200);
        assert!(track.html.contains("Paid"), "{}", track.html);
        let pay = citizen_b.get(&format!("/pay/{reference}")).await;
        assert!(pay.html.contains("Cash at a centre") && pay.html.contains(&number), "{}", pay.html);
    }

    async fn over_balance_unknown_and_foreign_bills_are_refused_and_change_nothing(app: TestApp) {
        let reference = bill(&app, "4550.00", "KES").await;
        let mut b = desk(&app).await;
        let form = cash_form(&mut b, &reference).await;
        let over = pay_cash(&mut b, &reference, "4700", &form).await;
        assert_eq!(over.status, 400, "{}", over.html);
        assert!(over.html.contains("error-summary") && over.html.contains("href=\"#f-amount\""));
        assert!(over.html.contains("give change"), "{}", over.html);
        let zero = pay_cash(&mut b, &reference, "0", &form).await;
        assert_eq!(zero.status, 400);
        assert!(zero.html.contains("href=\"#f-amount\""));
        let words = pay_cash(&mut b, &reference, "four thousand", &form).await;
        assert_eq!(words.status, 400);
        // An unknown bill: a well-formed reference no bill has, and one with a typo.
        let unknown = loop {
            let r = lango_payments::BillReference::generate(&mut rand::thread_rng()).as_str().to_string();
            if r != reference {
                break r;
            }
        };
        let none = pay_cash(&mut b, &unknown, "100", &form).await;
        assert_eq!(none.status, 400, "{}", none.html);
        assert!(none.html.contains("href=\"#f-bill\"") && none.html.contains("No bill has"), "{}", none.html);
        let typo = b.get(&format!("{PAY}?bill=NOTABILL")).await;
        assert_eq!(typo.status, 400);
        assert!(typo.html.contains("href=\"#f-bill\""));
        // Nothing moved.
        assert_eq!(app.count("cash_receipts").await, 0);
        assert_eq!(app.balance("collection:cash:KES").await, 0);
        assert_eq!(bill_state(&app, &reference).await, ("open".into(), 0));
        // The same refusals in Kiswahili.
        b.get("/language?to=sw&next=%2F").await;
        let form = cash_form(&mut b, &reference).await;
        let over = pay_cash(&mut b, &reference, "4700", &form).await;
        assert_eq!(over.status, 400);
        assert!(over.html.contains("urudishe chenji"), "{}", over.html);

        // The rules themselves: another currency, a cancelled bill, a closed session named.
        let usd = bill(&app, "50.00", "USD").await;
        let db = app.db().await;
        let till = Till::new(CENTRE, "2", Currency::Kes);
        let kes = |minor| Money::from_minor(minor, Currency::Kes);
        let refused = cash::receipt(&db, &till, "staff", &usd, kes(100), Submission { key: "k-usd", session: None }).await;
        assert!(matches!(&refused, Ok(Err(r @ Refusal::BillCurrency { bill: Currency::Usd, .. })) if r.field() == "bill" && r.to_string().contains("USD")), "{refused:?}");
        let as_error = Error::from(refused.unwrap().unwrap_err());
        assert!(matches!(&as_error, Error::Invalid { field, message } if field == "bill" && message.contains("USD")), "{as_error:?}");
        let stale = cash::receipt(&db, &till, "staff", &reference, kes(100), Submission { key: "k-stale", session: Some("gone") }).await;
        assert!(matches!(&stale, Ok(Err(r @ Refusal::SessionClosed)) if r.field() == "session"), "{stale:?}");
        sqlx::query("UPDATE bills SET status = 'cancelled' WHERE reference = $1").bind(&reference).execute(db.pool()).await.unwrap();
        let cancelled = cash::receipt(&db, &till, "staff", &reference, kes(100), Submission { key: "k-c", session: None }).await;
        assert!(matches!(&cancelled, Ok(Err(r @ Refusal::BillNotPayable { .. })) if r.field() == "bill"), "{cancelled:?}");
        db.close().await;
        assert_eq!(app.count("cash_receipts").await, 0);
        assert_eq!(app.count("cash_sessions").await, 0, "a refused receipt opens no session");
    }

    async fn a_receipt_form_sent_twice_posts_once(app: TestApp) {
        let reference = bill(&app, "4550.00", "KES").await;
        let mut b = desk(&app).await;
        let form = cash_form(&mut b, &reference).await;
        let first = pay_cash(&mut b, &reference, "1000", &form).await;
        assert_eq!(first.status, 303);
        let second = pay_cash(&mut b, &reference, "1000", &form).await;
        assert_eq!(second.status, 303);
        assert_eq!(first.location, second.location, "the same receipt");
        // Twice at the same moment, as a double click sends it.
        let form = cash_form(&mut b, &reference).await;
        let mut twin = Browser::new(&app);
        twin.cookies = b.cookies.clone();
        twin.csrf = b.csrf.clone();
        let (x, y) = tokio::join!(
            pay_cash(&mut b, &reference, "500", &form),
            pay_cash(&mut twin, &reference, "500", &form)
        );
        assert_eq!((x.status, y.status), (303, 303), "{} {}", x.html, y.html);
        assert_eq!(x.location, y.location);
        assert_eq!(app.count("cash_receipts").await, 2);
        assert_eq!(app.balance("collection:cash:KES").await, 150_000);
        assert_eq!(bill_state(&app, &reference).await, ("partly_paid".into(), 150_000));
        ledger_clean(&app).await;
    }

    async fn the_till_is_counted_and_closed_and_finance_sees_the_difference(app: TestApp) {
        let reference = bill(&app, "4550.00", "KES").await;
        let mut b = desk(&app).await;
        let empty = b.get(TILL).await;
        assert_eq!(empty.status, 200);
        assert!(empty.html.contains("Open the till"));
        let form = cash_form(&mut b, &reference).await;
        assert_eq!(pay_cash(&mut b, &reference, "1000", &form).await.status, 303);
        let form = cash_form(&mut b, &reference).await;
        assert_eq!(pay_cash(&mut b, &reference, "200", &form).await.status, 303);
        let till = b.get(TILL).await;
        assert_eq!(till.status, 200);
        assert!(till.html.contains("KES 1,200.00"), "expected: {}", till.html);
        assert_eq!(till.html.matches("/receipts/CSH").count(), 2);
        let session = input(&till.html, "session");
        // A form shown before the close.
        let stale_form = cash_form(&mut b, &reference).await;

        // The count matches: closed with no reason.
        let closed = b.post(TILL, &[("act", "close"), ("counted", "1200.00"), ("reason", ""), ("session", &session)]).await;
        assert_eq!(closed.status, 303, "{}", closed.html);
        let result = b.get(&closed.location).await;
        assert!(result.html.contains("The count matches the ledger"), "{}", result.html);
        assert!(result.html.contains("Open the till"), "no session is open now");
        let again = b.post(TILL, &[("act", "close"), ("counted", "0"), ("reason", ""), ("session", &session)]).await;
        assert_eq!(again.status, 400, "a closed till is not closed twice");
        // The form shown before the close takes no more cash.
        let late = pay_cash(&mut b, &reference, "100", &stale_form).await;
        assert_eq!(late.status, 400, "{}", late.html);
        assert!(late.html.contains("closed while this form was open"));

        // A receipt after the close opens a new session.
        let form = cash_form(&mut b, &reference).await;
        assert!(form.1.is_empty());
        assert_eq!(pay_cash(&mut b, &reference, "500", &form).await.status, 303);
        assert_eq!(app.count("cash_sessions").await, 2);
        let till = b.get(TILL).await;
        assert_eq!(till.html.matches("/receipts/CSH").count(), 1, "only this session's receipts");
        let session = input(&till.html, "session");

        // Short by 100: a reason is needed; without one nothing changes.
        let bare = b.post(TILL, &[("act", "close"), ("counted", "400"), ("reason", ""), ("session", &session)]).await;
        assert_eq!(bare.status, 400);
        assert!(bare.html.contains("error-summary") && bare.html.contains("href=\"#f-reason\""), "{}", bare.html);
        let bad = b.post(TILL, &[("act", "close"), ("counted", "lots"), ("reason", ""), ("session", &session)]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("href=\"#f-counted\""));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM cash_sessions WHERE closed_at IS NULL AND id = $1", &session).await, 1);
        let closed = b.post(TILL, &[("act", "close"), ("counted", "400"), ("reason", "A 100 note was given as change twice"), ("session", &session)]).await;
        assert_eq!(closed.status, 303, "{}", closed.html);
        let result = b.get(&closed.location).await;
        assert!(result.html.contains("KES -100.00"), "{}", result.html);
        assert_eq!(app.scalar("SELECT difference FROM cash_sessions WHERE id = $1", &session).await, -10_000);

        // Both closes are audited, with the amounts and who.
        let db = app.db().await;
        let details: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'till.close' ORDER BY seq")
            .fetch_all(db.pool()).await.unwrap();
        db.close().await;
        assert_eq!(details.len(), 2);
        let last: serde_json::Value = serde_json::from_str(&details[1]).unwrap();
        assert_eq!(last["expected"], "500.00");
        assert_eq!(last["counted"], "400.00");
        assert_eq!(last["difference"], "-100.00");
        assert_eq!(last["till"], "TC-CSH/1");
        assert_eq!(last["by_name"], "Staff Member");
        assert!(app.cli(&["audit", "verify"]).status.success());

        // Finance staff and auditors see the closings; the desk's staff do not.
        assert_eq!(b.get("/finance/tills").await.status, 403);
        for (email, role) in [("fin@treasury.example", Role::FinanceOfficer), ("audit@oag.example", Role::Auditor)] {
            app.staff(email, PASSWORD, role, None).await;
            let mut f = Browser::new(&app);
            assert_eq!(f.sign_in(email, PASSWORD).await.status, 303);
            let dashboard = f.get("/finance").await;
            assert!(dashboard.html.contains("href=\"/finance/tills\""), "linked from finance");
            let list = f.get("/finance/tills").await;
            assert_eq!(list.status, 200, "{}", list.html);
            assert!(list.html.contains("TC-CSH") && list.html.contains("A 100 note was given as change twice"));
            assert!(list.html.contains("KES -100.00") && list.html.contains("KES 1,200.00") && list.html.contains("Staff Member"));
            let only = f.get("/finance/tills?differences=1").await;
            assert!(only.html.contains("KES -100.00") && !only.html.contains("KES 1,200.00"), "{}", only.html);
        }
    }
}

/// English words of the counter's own word table that no Kiswahili text uses.
fn english_markers() -> std::collections::BTreeSet<String> {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    let mut sw = std::collections::BTreeSet::new();
    let mut en = std::collections::BTreeSet::new();
    for (key, e, s) in lango_web::words::all() {
        sw.extend(words(s));
        if key.starts_with("cash_") {
            en.extend(words(e));
        }
    }
    en.retain(|w| !sw.contains(w));
    en
}

/// Fails when a Kiswahili page shows an English word of the counter's word table.
fn assert_kiswahili(page: &Page, markers: &std::collections::BTreeSet<String>) {
    let mut text = String::new();
    for part in page.html.split('<') {
        text.push(' ');
        text.push_str(part.split_once('>').map_or("", |(_, t)| t));
    }
    // The test kit's staff are called "Staff Member": a name is not English.
    let text = text.replace("Staff Member", " ");
    let found: Vec<String> = text
        .split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|w| markers.contains(w))
        .collect();
    assert!(
        found.is_empty(),
        "English on a Kiswahili page: {found:?}\n{text}"
    );
}

backend_tests! {
    async fn the_counter_pages_speak_kiswahili(app: TestApp) {
        let reference = bill(&app, "4550.00", "KES").await;
        let mut b = desk(&app).await;
        b.get("/language?to=sw&next=%2F").await;
        let markers = english_markers();
        let pay = b.get(&format!("{PAY}?bill={reference}")).await;
        assert_eq!(pay.status, 200);
        assert!(pay.html.contains("Pokea malipo"));
        assert_kiswahili(&pay, &markers);
        let form = (input(&pay.html, "key"), input(&pay.html, "session"));
        let zero = pay_cash(&mut b, &reference, "0", &form).await;
        assert_eq!(zero.status, 400);
        assert_kiswahili(&zero, &markers);
        let taken = pay_cash(&mut b, &reference, "100", &form).await;
        assert_eq!(taken.status, 303);
        let receipt = b.get(&taken.location).await;
        assert!(receipt.html.contains("Risiti ya pesa taslimu"));
        assert_kiswahili(&receipt, &markers);
        let till = b.get(TILL).await;
        assert_kiswahili(&till, &markers);
        let session = input(&till.html, "session");
        let bare = b.post(TILL, &[("act", "close"), ("counted", "50"), ("reason", ""), ("session", &session)]).await;
        assert_eq!(bare.status, 400);
        assert!(bare.html.contains("eleza kwa nini"), "{}", bare.html);
        assert_kiswahili(&bare, &markers);
        let closed = b.post(TILL, &[("act", "close"), ("counted", "50"), ("reason", "Chenji"), ("session", &session)]).await;
        assert_eq!(closed.status, 303);
        assert_kiswahili(&b.get(&closed.location).await, &markers);
        app.staff("fin-sw@treasury.example", PASSWORD, Role::FinanceOfficer, None).await;
        let mut f = Browser::new(&app);
        f.sign_in("fin-sw@treasury.example", PASSWORD).await;
        f.get("/language?to=sw&next=%2F").await;
        let list = f.get("/finance/tills").await;
        assert!(list.html.contains("Ufungaji wa droo") && list.html.contains("Chenji"));
        assert_kiswahili(&list, &markers);
    }
}

simulator_tests! {
    async fn mpesa_express_from_the_counter_pays_the_bill(env: Env) {
        let Env { app, sim } = &env;
        let reference = bill(app, "4550.00", "KES").await;
        let mut b = desk(app).await;
        let page = b.get(&format!("{PAY}?bill={reference}")).await;
        assert_eq!(input(&page.html, "mpesa_phone"), "+254712345678", "the payer's phone is filled in");
        let bad = b.post(PAY, &[("method", "mpesa"), ("bill", &reference), ("mpesa_phone", "12")]).await;
        assert_eq!(bad.status, 400);
        assert!(bad.html.contains("href=\"#f-mpesa_phone\""));
        let sent = b.post(PAY, &[("method", "mpesa"), ("bill", &reference), ("mpesa_phone", "0712 345 678")]).await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        assert!(sent.location.starts_with("/desk/TC-CSH/counters/1/pay/mpesa/ws_CO_"), "{}", sent.location);
        let mut html = String::new();
        for _ in 0..100 {
            let p = b.get(&sent.location).await;
            assert_eq!(p.status, 200, "{}", p.html);
            if !p.html.contains("This page follows it") {
                html = p.html;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(html.contains("Payment received"), "{html}");
        assert_eq!(bill_state(app, &reference).await, ("paid".into(), 460_000));
        assert_eq!(app.balance("collection:mpesa:KES").await, 460_000);
        assert!(sim.transactions().iter().any(|t| t.bill_ref == reference && t.amount_minor == 460_000));
        ledger_clean(app).await;
    }
}
