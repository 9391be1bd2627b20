//! Two-way SMS (issue 19, part 3): messages posted to `/channels/sms/inbound` as Africa's
//! Talking posts them, answered through the SMS outbox. Keywords in English and Kiswahili,
//! STATUS of an application (all of it to the applicant's phone, the state only to others),
//! PAY of a bill with an M-Pesa request from the Daraja simulator, STOP holding back
//! non-essential messages (a centre's survey) while essential ones still go, a score
//! answering a survey, one action per message id, and a flood from one phone answered a few
//! times only and changing nothing.

use crate::centres::test_centre;
use crate::support::{Backend, TestApp};
use lango_simulators::daraja::DarajaSimulator;
use reqwest::Method;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Lango's short code, as the gateway names it in `to`.
const SHORT_CODE: &str = "22384";
/// A phone no account holds.
const STRANGER: &str = "+254711000071";

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// The gateway believed from loopback.
fn gateway() -> (&'static str, String) {
    ("LANGO_SMS_REPORT_NETWORKS", "127.0.0.0/8,::1".to_string())
}

/// An app with a Daraja simulator of its own (kept alive by the returned handle).
async fn with_daraja(backend: Backend) -> Option<(TestApp, DarajaSimulator)> {
    let env = crate::stk::env_with(backend, crate::stk::fast(), &[gateway()]).await?;
    Some((env.app, env.sim))
}

/// Posts a message with gateway id `id`; returns the status.
async fn post_as(app: &TestApp, id: &str, from: &str, text: &str) -> u16 {
    post_to(&app.client, &app.base, id, from, text).await
}

/// [`post_as`] with a client and base of its own (for tasks).
async fn post_to(client: &reqwest::Client, base: &str, id: &str, from: &str, text: &str) -> u16 {
    let form = [
        ("from", from),
        ("to", SHORT_CODE),
        ("text", text),
        ("date", "2026-12-05 10:15:00"),
        ("id", id),
        ("linkId", "SampleLinkId123"),
        ("networkCode", "63902"),
    ];
    client
        .post(format!("{base}/channels/sms/inbound"))
        .form(&form)
        .send()
        .await
        .expect("POST inbound")
        .status()
        .as_u16()
}

/// Posts a message with a new gateway id; returns the status.
async fn send(app: &TestApp, from: &str, text: &str) -> u16 {
    let id = format!("ATXid_in_{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    post_as(app, &id, from, text).await
}

/// The answers sent to `phone` (messages of no event), oldest first.
async fn answers(app: &TestApp, phone: &str) -> Vec<String> {
    let db = app.db().await;
    let mut sent: Vec<String> = lango_notify::to_recipient(&db, phone, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.event_type.is_none() && m.channel == "sms")
        .map(|m| m.body)
        .collect();
    db.close().await;
    sent.reverse();
    sent
}

/// Sends `text` from `from` and returns the one new answer.
async fn ask(app: &TestApp, from: &str, text: &str) -> String {
    let before = answers(app, from).await.len();
    assert_eq!(send(app, from, text).await, 200, "{text:?}");
    let after = answers(app, from).await;
    assert_eq!(after.len(), before + 1, "one answer to {text:?}: {after:?}");
    after.last().unwrap().clone()
}

async fn count(app: &TestApp, sql: &str, arg: &str) -> i64 {
    app.scalar(sql, arg).await
}

/// Runs `$body` with an app from `$spawn` on SQLite and on PostgreSQL.
macro_rules! both {
    ($spawn:path => $(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let $app = $spawn(Backend::Sqlite).await.unwrap();
                    $body
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $spawn(Backend::Postgres).await {
                        Some($app) => $body,
                        None => lango_core::testdb::skip_postgres(),
                    }
                }
            }
        )*
    };
}

async fn plain(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_configured(backend, false, &[gateway()]).await
}

both! { with_daraja =>
    async fn pay_and_status_of_a_bill_by_sms(app) {
        let (app, sim) = app;
        let reference = crate::stk::bill(&app, "1000.00").await;
        let typed = format!("{}-{}", &reference[..4], &reference[4..]).to_lowercase();

        // PAY in any case, with a hyphen: service, balance, and one M-Pesa request.
        let reply = ask(&app, STRANGER, &format!("pay {typed}")).await;
        assert!(reply.contains("KES 1,"), "{reply}");
        assert!(reply.contains("We sent an M-Pesa request to this phone"), "{reply}");
        assert!(reply.contains(&format!("{}-{}", &reference[..4], &reference[4..])), "{reply}");
        let prompts = "SELECT COUNT(*) FROM stk_requests WHERE bill_reference = $1";
        assert_eq!(count(&app, prompts, &reference).await, 1);
        // The same message delivered again acts once: no second answer, no second request.
        let id = "ATXid_pay_repeat";
        assert_eq!(post_as(&app, id, STRANGER, &format!("LIPA {reference}")).await, 200);
        let n = answers(&app, STRANGER).await.len();
        assert_eq!(post_as(&app, id, STRANGER, &format!("LIPA {reference}")).await, 200);
        assert_eq!(answers(&app, STRANGER).await.len(), n, "a repeat is not answered");
        let waiting = answers(&app, STRANGER).await.pop().unwrap();
        assert!(waiting.contains("tayari linasubiri"), "Kiswahili, and the prompt still waits: {waiting}");
        assert_eq!(count(&app, prompts, &reference).await, 1, "never a second request");

        // A typo is caught by the check character; junk is not a reference.
        let mut bad = reference.clone().into_bytes();
        bad[7] = if bad[7] == b'2' { b'3' } else { b'2' };
        let reply = ask(&app, STRANGER, &format!("PAY {}", String::from_utf8(bad).unwrap())).await;
        assert!(reply.contains("typo"), "{reply}");
        let reply = ask(&app, STRANGER, "PAY hello").await;
        assert!(reply.contains("not a reference"), "{reply}");
        let reply = ask(&app, STRANGER, "PAY").await;
        assert!(reply.contains("send PAY followed by the reference"), "{reply}");

        // STATUS of a bill tells its state without asking for money.
        let reply = ask(&app, "+254711000072", &format!("status {reference}")).await;
        assert!(reply.contains("to pay") && reply.contains("Send PAY"), "{reply}");
        assert_eq!(count(&app, prompts, &reference).await, 1);

        // A cancelled bill says so.
        let key = app.agency_key("DIS", &["bills:write"]).await;
        let (status, body) = app.api(Method::POST, &key, &format!("/api/v1/bills/{reference}/cancel"), None).await;
        assert_eq!(status, 200, "{body}");
        let reply = ask(&app, "+254711000073", &format!("PAY {reference}")).await;
        assert!(reply.contains("was cancelled and cannot be paid"), "{reply}");
        assert_eq!(count(&app, prompts, &reference).await, 1);
        drop(sim);
    }
}

both! { plain =>
    async fn keywords_help_and_bad_input(app) {
        let reply = ask(&app, STRANGER, "HELP").await;
        assert!(reply.contains("STATUS") && reply.contains("STOP"), "{reply}");
        let reply = ask(&app, STRANGER, "msaada").await;
        assert!(reply.contains("HALI") && reply.contains("SITISHA"), "{reply}");
        assert!(reply.contains("MASHINANI"), "{reply}");
        // Mobile centres' next stops, by county, in the keyword's language.
        let mobile = app.get_json("/api/v1/centres/HM-RIFT", 200).await;
        let stop = &mobile["schedule"][0];
        let county = stop["county"].as_str().unwrap();
        let reply = ask(&app, "+254711000076", &format!("mobile {county}")).await;
        assert!(reply.contains(&format!("mobile centres in {county}:")) && reply.contains(stop["date"].as_str().unwrap()), "{reply}");
        let reply = ask(&app, "+254711000077", "MASHINANI Turkana").await;
        assert!(reply.contains("hakuna kituo kinachohama katika Turkana"), "{reply}");
        let reply = ask(&app, STRANGER, "hello there").await;
        assert!(reply.contains("did not understand"), "{reply}");
        // A number with no survey behind it is not understood either.
        let reply = ask(&app, "+254711000074", "4").await;
        assert!(reply.contains("did not understand"), "{reply}");

        // Bad input: never a 5xx; a missing sender is refused.
        for text in ["", &"x".repeat(2000), "\u{0}\u{1b}[2J", "\u{202E}STATUS A7K3M9QX2", "مرحبا"] {
            assert_eq!(send(&app, "+254711000075", text).await, 200, "{text:?}");
        }
        let res = app.client.post(format!("{}/channels/sms/inbound", app.base))
            .form(&[("text", "HELP"), ("id", "ATXid_nofrom")]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 400);
        assert_eq!(send(&app, "not a phone", "HELP").await, 200, "ignored, not retried");
        // Unknown application references say so; a draft is not told either.
        let reply = ask(&app, STRANGER, "STATUS A7K3M9QX2").await;
        assert!(reply.contains("not a reference") || reply.contains("typo") || reply.contains("no application"), "{reply}");
    }

    async fn a_flood_from_one_phone_is_answered_a_few_times_and_changes_nothing(app) {
        let flood = "+254711000076";
        // Concurrent, as a gateway may deliver them.
        let mut sends = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let (client, base) = (app.client.clone(), app.base.clone());
            let id = format!("ATXid_in_{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
            sends.spawn(async move { post_to(&client, &base, &id, flood, "HELP").await });
        }
        while let Some(status) = sends.join_next().await {
            assert_eq!(status.unwrap(), 200);
        }
        let got = answers(&app, flood).await;
        let limit = lango_phone::sms_inbound::PER_WINDOW as usize;
        assert_eq!(got.len(), limit + 1, "{got:?}");
        assert_eq!(got.iter().filter(|b| b.contains("too many messages")).count(), 1, "{got:?}");
        // Over the limit, STOP changes nothing and is not answered.
        assert_eq!(send(&app, flood, "STOP").await, 200);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_opt_outs WHERE phone = $1", flood).await, 0);
        assert_eq!(answers(&app, flood).await.len(), limit + 1);
        // Other phones are answered as ever.
        assert!(ask(&app, STRANGER, "HELP").await.contains("STATUS"));
    }

    async fn stop_holds_back_surveys_not_receipts_and_a_score_answers_by_sms(app) {
        let phone = "+254711000077";
        let reply = ask(&app, phone, "sitisha").await;
        assert!(reply.contains("hutapokea tena"), "{reply}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_opt_outs WHERE phone = $1", phone).await, 1);

        // A centre visit finished: its survey is non-essential, so it is not sent.
        test_centre(&app, "T-SMS", 1, "00:00-23:59", 5, 10_000).await;
        let key = app.agency_key("HUDUMA", &["queue:write"]).await;
        let visit = |number: &'static str| {
            let app = &app;
            let key = key.clone();
            async move {
                let (s, t) = app.api(Method::POST, &key, "/api/v1/centres/T-SMS/tickets",
                    Some(json!({"service": "NRB-ID-REPLACE", "phone": "0711000077"}))).await;
                assert_eq!(s, 201, "{t}");
                let (_, t) = app.api(Method::POST, &key, "/api/v1/centres/T-SMS/counters/1/call", None).await;
                assert_eq!(t["number"], number);
                let (s, t) = app.api(Method::POST, &key, &format!("/api/v1/centres/T-SMS/tickets/{number}/done"), None).await;
                assert_eq!(s, 200, "{t}");
            }
        };
        let surveys = |app: &TestApp| {
            let db_url = app.db_url.clone();
            async move {
                let db = lango_core::db::Db::connect(&db_url, 1).await.unwrap();
                let n = lango_notify::to_recipient(&db, phone, 50).await.unwrap().into_iter()
                    .filter(|m| m.event_type.as_deref() == Some("ticket.survey")).count();
                db.close().await;
                n
            }
        };
        visit("B001").await;
        assert_eq!(surveys(&app).await, 0, "opted out: no survey");

        // Essential messages still go: a receipt-like event through the same notify path.
        {
            let db = app.db().await;
            let mut tx = db.pool().begin().await.unwrap();
            let to = lango_notify::Recipient { phone: Some(phone.into()), language: "en".into(), ..Default::default() };
            let values = std::collections::HashMap::from([("amount", "KES 100.00"), ("payment_number", "222-431-998")]);
            let ids = lango_notify::notify(&mut tx, &to, "payment.received", &values).await.unwrap();
            assert_eq!(ids.len(), 1, "a receipt reaches an opted-out phone");
            let none = lango_notify::notify(&mut tx, &to, "survey.invitation",
                &std::collections::HashMap::from([("reference", "A7K3M9QX2"), ("service", "X")])).await.unwrap();
            assert!(none.is_empty(), "an invitation does not");
            tx.commit().await.unwrap();
            db.close().await;
        }

        // START: surveys again; the next visit is asked, and "5" answers it through /inbound.
        let reply = ask(&app, phone, "START").await;
        assert!(reply.contains("all messages again"), "{reply}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_opt_outs WHERE phone = $1", phone).await, 0);
        visit("B002").await;
        assert_eq!(surveys(&app).await, 1, "opted in: asked");
        let reply = ask(&app, phone, "5").await;
        assert!(reply.contains("thank you"), "{reply}");
        let score = count(&app, "SELECT s.score FROM ticket_surveys s JOIN tickets t ON t.id = s.ticket_id WHERE t.number = $1", "B002").await;
        assert_eq!(score, 5);
        // The visit the phone was not asked about (opted out then) is not scored by SMS.
        let unasked = "SELECT COUNT(*) FROM ticket_surveys s JOIN tickets t ON t.id = s.ticket_id \
            WHERE t.number = $1 AND s.score IS NULL AND s.phone IS NULL";
        assert_eq!(count(&app, unasked, "B001").await, 1);
        let reply = ask(&app, phone, "2").await;
        assert!(reply.contains("did not understand"), "{reply}");
        assert_eq!(count(&app, unasked, "B001").await, 1);
        assert_eq!(count(&app, "SELECT s.score FROM ticket_surveys s JOIN tickets t ON t.id = s.ticket_id WHERE t.number = $1", "B002").await, 5);
    }

    async fn status_tells_the_applicant_everything_and_others_only_the_state(app) {
        let k = crate::insights_survey::kit(&app).await;
        let (reference, bill) = crate::insights_survey::submitted(&k).await;
        // The applicant's confirmed phone: service, state and the bill to pay.
        let reply = ask(&app, crate::insights_survey::PHONE, &format!("status {reference}")).await;
        assert!(reply.contains("Waiting for payment"), "{reply}");
        assert!(reply.contains("your ") && reply.contains(&format!("PAY {}-{}", &bill[..4], &bill[4..])), "{reply}");
        // Anyone else: the state only.
        let reply = ask(&app, STRANGER, &format!("HALI {reference}")).await;
        assert_eq!(reply, format!("Lango: ombi {reference}: Waiting for payment."));
        let reply = ask(&app, STRANGER, &format!("STATUS {}", reference.to_lowercase())).await;
        assert_eq!(reply, format!("Lango: application {reference}: Waiting for payment."));
        // A typo in an application reference is caught.
        let mut bad = reference.clone().into_bytes();
        bad[8] = if bad[8] == b'2' { b'3' } else { b'2' };
        let reply = ask(&app, STRANGER, &format!("STATUS {}", String::from_utf8(bad).unwrap())).await;
        assert!(reply.contains("typo"), "{reply}");
    }
}
