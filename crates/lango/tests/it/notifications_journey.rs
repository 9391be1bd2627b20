//! People hear about their own cases: every event a person is told about (application
//! received, information requested, approved, rejected, document issued, bill raised, payment
//! received, refund issued) reaches the SMS gateway simulator and a real SMTP server
//! (aiosmtpd) once per channel, at the right address and in the person's language, through
//! the real flows (pages, the agency API, the M-Pesa callback, refunds); a retried step and
//! two tellers at once still leave one message each.

use crate::browser_kit::Browser;
use crate::cases_journey::{definitions, reference_of};
use crate::sms_simulator::SmsSimulator;
use crate::smtp_server::SmtpServer;
use crate::support::{c2b_confirmation, Backend, TestApp};
use serde_json::{json, Value};

pub(crate) const PASSWORD: &str = "correct horse battery";

/// A service with a fee (KES 6,050 + 50 convenience fee) and a workflow that asks, approves,
/// rejects and issues.
pub(crate) const DEFINITION: &str = r#"
service: DIS-ETA
title: { en: Apply for an electronic travel authorisation, sw: Omba idhini ya kielektroniki ya kusafiri }
declaration: { en: I declare that my answers are true., sw: Natangaza kwamba majibu yangu ni ya kweli. }
pages:
  - id: traveller
    title: { en: The traveller, sw: Msafiri }
    fields:
      - id: full_name
        type: text
        label: { en: Full name, sw: Jina kamili }
        required: true
fees:
  currency: KES
  items:
    - label: { en: eTA fee, sw: Ada ya eTA }
      amount: "6050.00"
workflow:
  start: review
  states:
    - id: review
      label: { en: Being checked, sw: Inakaguliwa }
      actor: officer
      sla_days: 3
      actions:
        - id: approve
          label: { en: Approve, sw: Idhinisha }
          to: approved
          reason: optional
        - id: request_info
          label: { en: Ask for more information, sw: Omba maelezo zaidi }
          to: more_info
          reason: required
          request_info: true
        - id: reject
          label: { en: Refuse, sw: Kataa }
          to: rejected
          reason: required
    - id: more_info
      label: { en: Waiting for the applicant, sw: Inasubiri mwombaji }
      actor: applicant
      sla_days: 14
      actions:
        - id: respond
          label: { en: Send my reply, sw: Tuma jibu langu }
          to: review
          reason: required
    - id: approved
      label: { en: Approved, sw: Imeidhinishwa }
      actor: officer
      sla_days: 2
      actions:
        - id: issue
          label: { en: Issue the authorisation, sw: Toa idhini }
          to: issued
          issues: eta
    - id: issued
      label: { en: Issued, sw: Imetolewa }
      actor: system
      outcome: completed
    - id: rejected
      label: { en: Refused, sw: Imekataliwa }
      actor: system
      outcome: rejected
outputs:
  - id: eta
    title: { en: Electronic travel authorisation, sw: Idhini ya kielektroniki ya kusafiri }
    valid_days: 90
    template: |
      # Republic of Kenya: Directorate of Immigration Services

      Electronic travel authorisation {{ reference }} for {{ answers.full_name }}.
"#;

/// A message in the outbox: (event, channel, recipient, subject, body).
pub(crate) type Told = (String, String, String, String, String);

/// The catalogue's names of DIS-ETA.
pub(crate) const SERVICE_EN: &str = "Apply for an Electronic Travel Authorisation (eTA)";
pub(crate) const SERVICE_SW: &str = "Omba Kibali cha Kielektroniki cha Kusafiri (eTA)";

/// An app with [`DEFINITION`] whose SMS go to the simulator and e-mail to aiosmtpd.
pub(crate) struct Kit {
    pub app: TestApp,
    pub sms: SmsSimulator,
    pub smtp: SmtpServer,
    _definitions: tempfile::TempDir,
}

impl Kit {
    /// Starts the outside parties and the app (plus `extra` settings).
    pub(crate) async fn start(backend: Backend, extra: &[(&str, String)]) -> Option<Kit> {
        let dir = definitions(DEFINITION);
        let sms = SmsSimulator::start().await;
        let smtp = SmtpServer::start().await;
        let mut settings: Vec<(&str, String)> = sms.settings();
        settings.extend(smtp.settings());
        settings.push(("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string()));
        settings.push(("LANGO_DEFINITIONS_DIR", dir.path().display().to_string()));
        settings.extend(extra.iter().cloned());
        let app = TestApp::spawn_configured(backend, false, &settings).await?;
        sms.set_callback(&app.base);
        Some(Kit {
            app,
            sms,
            smtp,
            _definitions: dir,
        })
    }

    /// A verified person with `phone`, `email` and `language`; returns the account id.
    pub(crate) async fn person(
        &self,
        id_number: &str,
        email: &str,
        phone: &str,
        language: &str,
    ) -> String {
        let id = self.app.person(id_number, email, PASSWORD).await;
        let db = self.app.db().await;
        sqlx::query("UPDATE accounts SET language = $1, phone = $2 WHERE id = $3")
            .bind(language)
            .bind(phone)
            .bind(&id)
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
        id
    }

    /// The messages the teller put in the outbox: (event, channel, recipient, subject, body),
    /// oldest first.
    pub(crate) async fn told(&self) -> Vec<Told> {
        let db = self.app.db().await;
        let told = lango_cases::tell::TOLD.map(|t| format!("'{t}'")).join(", ");
        let rows: Vec<Told> = sqlx::query_as(&format!(
            "SELECT event_type, channel, recipient, subject, body FROM notifications \
             WHERE event_type IN ({told}) ORDER BY created_at, id"
        ))
        .fetch_all(db.pool())
        .await
        .unwrap();
        db.close().await;
        rows
    }

    /// The outbox messages of `event` to `recipient`.
    pub(crate) async fn told_to(
        &self,
        event: &str,
        recipient: &str,
    ) -> Vec<(String, String, String)> {
        self.told()
            .await
            .into_iter()
            .filter(|m| m.0 == event && m.2 == recipient)
            .map(|m| (m.1, m.3, m.4))
            .collect()
    }

    /// Waits until `event` was told to `phone` by SMS and `email` by e-mail, each once, with
    /// every one of `texts` in both bodies; returns the SMS text.
    pub(crate) async fn heard(
        &self,
        event: &str,
        phone: &str,
        email: &str,
        texts: &[&str],
    ) -> String {
        let mut sms = String::new();
        for _ in 0..150 {
            let by_sms = self.told_to(event, phone).await;
            let by_mail = self.told_to(event, email).await;
            if !by_sms.is_empty() && !by_mail.is_empty() {
                assert_eq!(
                    (by_sms.len(), by_mail.len()),
                    (1, 1),
                    "{event} once each: {by_sms:?} {by_mail:?}"
                );
                assert_eq!(
                    (by_sms[0].0.as_str(), by_mail[0].0.as_str()),
                    ("sms", "email")
                );
                for t in texts {
                    assert!(
                        by_sms[0].2.contains(t),
                        "{event} SMS lacks {t:?}: {}",
                        by_sms[0].2
                    );
                    assert!(
                        by_mail[0].2.contains(t),
                        "{event} e-mail lacks {t:?}: {}",
                        by_mail[0].2
                    );
                }
                sms = by_sms[0].2.clone();
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            !sms.is_empty(),
            "{event} never told to {phone} and {email}: {:#?}",
            self.told().await
        );
        // Out through the gateway and the mail server, as written.
        self.app
            .eventually(&format!("{event} SMS at the gateway"), || async {
                self.sms
                    .messages()
                    .iter()
                    .any(|m| m.to == phone && m.message == sms)
            })
            .await;
        self.smtp
            .wait_for(email, texts.first().copied().unwrap_or(""))
            .await;
        sms
    }

    /// Lets the teller catch up with every event so far (calls it directly, as a node does).
    pub(crate) async fn settle(&self) {
        let cases = crate::cases_work::engine(&self.app).await;
        cases.tell().await.expect("tell");
    }
}

/// A citizen signed in with the plain-HTTP browser applies through the pages; returns the
/// application's reference and its bill.
pub(crate) async fn apply(app: &TestApp, id_number: &str, name: &str) -> (String, String) {
    let mut b = Browser::new(app);
    assert_eq!(b.sign_in(id_number, PASSWORD).await.status, 303);
    b.get("/services/DIS-ETA/apply").await;
    let started = b.post("/services/DIS-ETA/apply", &[]).await;
    assert_eq!(started.status, 303, "{}", started.html);
    let reference = reference_of(&started.location);
    let page = b.post(&started.location, &[("full_name", name)]).await;
    assert_eq!(
        page.location,
        format!("/applications/{reference}/check"),
        "{}",
        page.html
    );
    let sent = b
        .post(
            &format!("/applications/{reference}/submit"),
            &[("declaration", "yes")],
        )
        .await;
    assert_eq!(
        sent.location,
        format!("/applications/{reference}/confirmation"),
        "{}",
        sent.html
    );
    // Sending the same form again (a double click, a retry) is refused: nothing new.
    let again = b
        .post(
            &format!("/applications/{reference}/submit"),
            &[("declaration", "yes")],
        )
        .await;
    assert_eq!(again.status, 409);
    let db = app.db().await;
    let bill: String =
        sqlx::query_scalar("SELECT bill_reference FROM applications WHERE reference = $1")
            .bind(&reference)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    (reference, bill)
}

/// Posts to the agency's applications API; returns the reply.
async fn agency(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    let res = app
        .client
        .post(format!("{}/api/v1/applications/{path}", app.base))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let reply: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{path}: {reply}");
    reply
}

/// An officer's system claims `reference` and takes `action` with `reason`.
pub(crate) async fn act(app: &TestApp, key: &str, reference: &str, action: &str, reason: &str) {
    let res = app
        .client
        .get(format!("{}/api/v1/applications/{reference}", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let one: Value = res.json().await.unwrap();
    let mut revision = one["revision"].as_i64().unwrap();
    if one["assigned_to"].as_str().is_none_or(str::is_empty) {
        let claimed = agency(
            app,
            key,
            &format!("{reference}/claim"),
            json!({"revision": revision}),
        )
        .await;
        revision = claimed["revision"].as_i64().unwrap();
    }
    agency(
        app,
        key,
        &format!("{reference}/actions"),
        json!({"action": action, "reason": reason, "revision": revision}),
    )
    .await;
}

/// Amina (English, SMS and e-mail) applies, pays (the confirmation sent twice), is asked for
/// information; Baraka (Kiswahili) applies, is approved and gets his document; Chebet is
/// refused; an agency bills a payer who has no account, who pays and is refunded.
async fn every_event_once_in_the_persons_language(kit: Kit) {
    let app = &kit.app;
    let key = app
        .agency_key("DIS", &["cases:read", "cases:write", "bills:write"])
        .await;
    kit.person("22223333", "amina@example.com", "+254700000011", "en")
        .await;
    kit.person("22224444", "baraka@example.com", "+254700000022", "sw")
        .await;
    kit.person("22225555", "chebet@example.com", "+254700000033", "en")
        .await;

    // Received, and the fee's bill: to the applicant's confirmed contacts, once each (the
    // bill's copy of them is not a second address).
    let (amina, amina_bill) = apply(app, "22223333", "Amina Njeri").await;
    kit.heard(
        "application.received",
        "+254700000011",
        "amina@example.com",
        &["received your application for", SERVICE_EN, &amina],
    )
    .await;
    let sms = kit
        .heard(
            "bill.raised",
            "+254700000011",
            "amina@example.com",
            &[
                "KES 6,100.00",
                &amina_bill,
                SERVICE_EN,
                "Last day to pay: none",
            ],
        )
        .await;
    assert!(
        sms.starts_with("Lango: please pay KES 6,100.00 for"),
        "{sms}"
    );
    let mail = kit
        .smtp
        .wait_for("amina@example.com", "A bill of KES 6,100.00")
        .await;
    assert!(
        mail.body.contains(&format!("(reference {amina})")) && mail.body.contains("Dear Test,"),
        "{}",
        mail.body
    );

    // Paid by M-Pesa; Safaricom retries the confirmation: one payment, one message.
    for _ in 0..2 {
        c2b_confirmation(
            &app.client,
            &app.base,
            "TKN0000001",
            "6100.00",
            &amina_bill,
            "20261204101500",
        )
        .await;
    }
    kit.heard(
        "payment.received",
        "+254700000011",
        "amina@example.com",
        &["KES 6,100.00", &amina_bill, "TKN0000001"],
    )
    .await;

    // More information asked for, with the applicant's last day (14 working days, in EAT).
    act(
        app,
        &key,
        &amina,
        "request_info",
        "A clearer copy of your passport's photo page",
    )
    .await;
    let sms = kit
        .heard(
            "application.information_requested",
            "+254700000011",
            "amina@example.com",
            &[
                "A clearer copy of your passport's photo page",
                &amina,
                "Last day: 20",
            ],
        )
        .await;
    assert!(sms.contains(SERVICE_EN), "{sms}");

    // In Kiswahili for Baraka, approval and then the document, named in his language.
    let (baraka, _) = apply(app, "22224444", "Baraka Otieno").await;
    kit.heard(
        "application.received",
        "+254700000022",
        "baraka@example.com",
        &["umepokea ombi lako la", SERVICE_SW, &baraka],
    )
    .await;
    kit.heard(
        "bill.raised",
        "+254700000022",
        "baraka@example.com",
        &["KES 6,100.00", "Siku ya mwisho ya kulipa: hakuna"],
    )
    .await;
    act(app, &key, &baraka, "approve", "All in order").await;
    kit.heard(
        "application.approved",
        "+254700000022",
        "baraka@example.com",
        &["limekubaliwa", SERVICE_SW, &baraka],
    )
    .await;
    act(app, &key, &baraka, "issue", "Issued").await;
    kit.heard(
        "document.issued",
        "+254700000022",
        "baraka@example.com",
        &["Idhini ya kielektroniki ya kusafiri", &baraka],
    )
    .await;

    // Refused, with the officer's reason.
    let (chebet, _) = apply(app, "22225555", "Chebet Kiprop").await;
    act(app, &key, &chebet, "reject", "The passport has expired").await;
    kit.heard(
        "application.rejected",
        "+254700000033",
        "chebet@example.com",
        &["was not approved", "The passport has expired", &chebet],
    )
    .await;

    // An agency's own bill: to the payer's phone and e-mail as on the bill (no account).
    let bill = app
        .raise_bill(&key, json!({"service_code": "DIS-PASSPORT", "amount": "4550.00", "currency": "KES",
            "agency_reference": "INV-77", "expires_on": "2099-12-31",
            "payer": {"name": "Wanjiku Kamau", "phone": "0712 345 678", "email": "Wanjiku@Example.com"}}))
        .await;
    kit.heard(
        "bill.raised",
        "+254712345678",
        "wanjiku@example.com",
        &["KES 4,600.00", &bill, "Apply for a passport", "2099-12-31"],
    )
    .await;
    c2b_confirmation(
        &app.client,
        &app.base,
        "TKN0000002",
        "5000.00",
        &bill,
        "20261204101600",
    )
    .await;
    kit.heard(
        "payment.received",
        "+254712345678",
        "wanjiku@example.com",
        &["KES 5,000.00", "TKN0000002"],
    )
    .await;
    let refunded = app
        .client
        .post(format!("{}/api/v1/bills/{bill}/refunds", app.base))
        .bearer_auth(&key)
        .json(&json!({"amount": "400.00", "refund_amount_available": "4950.00", "reason": "Paid too much"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refunded.status().as_u16(), 201);
    kit.heard(
        "refund.issued",
        "+254712345678",
        "wanjiku@example.com",
        &["KES 400.00", &bill, "a payment to your phone"],
    )
    .await;

    // Nothing else was told: each event once per channel, and no event twice.
    kit.settle().await;
    let told = kit.told().await;
    let mut seen = std::collections::HashSet::new();
    for m in &told {
        assert!(
            seen.insert((m.0.clone(), m.1.clone(), m.2.clone(), m.4.clone())),
            "told twice: {m:?}"
        );
    }
    assert_eq!(told.len(), 2 * 14, "{told:#?}");
}

/// The same submission sent twice, the same receipt twice, and two tellers racing over the
/// same events leave one message per event and channel.
async fn retries_and_racing_tellers_tell_once(kit: Kit) {
    let app = &kit.app;
    kit.person("33334444", "neema@example.com", "+254700000044", "en")
        .await;
    let (reference, bill) = apply(app, "33334444", "Neema Wafula").await;
    let pays: Vec<_> = (0..3)
        .map(|_| {
            let (client, base, bill) = (app.client.clone(), app.base.clone(), bill.clone());
            tokio::spawn(async move {
                c2b_confirmation(
                    &client,
                    &base,
                    "TKN0000009",
                    "6100.00",
                    &bill,
                    "20261204101700",
                )
                .await;
            })
        })
        .collect();
    for p in pays {
        p.await.unwrap();
    }
    // Several tellers at once (as on several nodes) besides the node's own.
    let tellers: Vec<_> = (0..3)
        .map(|_| {
            let app_db = app.db_url.clone();
            let dir = app.data_dir.path().join("documents").display().to_string();
            tokio::spawn(async move {
                let db = lango_core::db::Db::connect(&app_db, 2).await.unwrap();
                let cases = lango_cases::Cases::open(
                    db.clone(),
                    lango_cases::service::Settings::new(dir, Vec::new()),
                )
                .await
                .unwrap();
                for _ in 0..5 {
                    cases.tell().await.expect("tell");
                }
                db.close().await;
            })
        })
        .collect();
    for t in tellers {
        t.await.unwrap();
    }
    for event in ["application.received", "bill.raised", "payment.received"] {
        kit.heard(event, "+254700000044", "neema@example.com", &[])
            .await;
    }
    kit.settle().await;
    let told = kit.told().await;
    assert_eq!(told.len(), 6, "{told:#?}");
    assert!(told.iter().any(|m| m.4.contains(&reference)));
    // At the gateway and the mail server, once each too.
    app.eventually("all six delivered", || async {
        kit.sms
            .messages()
            .iter()
            .filter(|m| m.to == "+254700000044")
            .count()
            == 3
            && kit
                .smtp
                .received()
                .iter()
                .filter(|m| m.rcpt_tos.iter().any(|r| r == "neema@example.com"))
                .count()
                == 3
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        kit.sms
            .messages()
            .iter()
            .filter(|m| m.to == "+254700000044")
            .count(),
        3
    );
}

macro_rules! kit_tests {
    ($(async fn $name:ident;)*) => {$(
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(Kit::start(Backend::Sqlite, &[]).await.unwrap()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match Kit::start(Backend::Postgres, &[]).await {
                    Some(kit) => super::$name(kit).await,
                    None => eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
                }
            }
        }
    )*};
}

kit_tests! {
    async fn every_event_once_in_the_persons_language;
    async fn retries_and_racing_tellers_tell_once;
}
