//! Notifications end to end: templates checked when saved and previewed by platform
//! administrators; messages through the SMS gateway simulator and a real SMTP server
//! (aiosmtpd) in the person's language and channels; delivery reports; retries; history.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::sms_simulator::SmsSimulator;
use crate::smtp_server::SmtpServer;
use crate::support::{Backend, TestApp};
use lango_identity::model::Role;
use std::collections::HashMap;

const PASSWORD: &str = "correct horse battery";
const PHONE: &str = "+254700000001";

/// An app whose SMS go to the simulator and whose e-mail goes to aiosmtpd.
pub struct Kit {
    app: TestApp,
    sms: SmsSimulator,
    smtp: SmtpServer,
}

impl Kit {
    async fn start(backend: Backend, extra: &[(&'static str, String)]) -> Option<Kit> {
        let sms = SmsSimulator::start().await;
        let smtp = SmtpServer::start().await;
        let mut settings = sms.settings();
        settings.extend(smtp.settings());
        settings.extend(extra.iter().cloned());
        let app = TestApp::spawn_configured(backend, false, &settings).await?;
        sms.set_callback(&app.base);
        Some(Kit { app, sms, smtp })
    }

    /// A verified person (phone [`PHONE`]) with `language`; returns the account id.
    async fn person(&self, email: &str, language: &str) -> String {
        let id = self.app.person("22223333", email, PASSWORD).await;
        self.sql(
            "UPDATE accounts SET language = $1 WHERE id = $2",
            &[language, &id],
        )
        .await;
        id
    }

    async fn sql(&self, sql: &str, binds: &[&str]) {
        let db = self.app.db().await;
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(db.pool()).await.expect("sql");
        db.close().await;
    }

    /// Tells the account `id` about `event` as a domain operation would, in its own transaction.
    async fn notify(&self, id: &str, event: &str, values: &[(&str, &str)]) -> Vec<String> {
        let db = self.app.db().await;
        let account = lango_identity::account::get(&db, id)
            .await
            .expect("account");
        let to = lango_identity::messages::recipient(&account);
        let values: HashMap<&str, &str> = values.iter().copied().collect();
        let mut tx = db.pool().begin().await.expect("tx");
        let ids = lango_notify::notify(&mut tx, &to, event, &values)
            .await
            .expect("notify");
        tx.commit().await.expect("commit");
        db.close().await;
        ids
    }

    async fn message(&self, id: &str) -> lango_notify::Stored {
        let db = self.app.db().await;
        let m = lango_notify::get(&db, id).await.expect("message");
        db.close().await;
        m
    }

    /// Waits until message `id` has `status`.
    async fn wait_status(&self, id: &str, status: &str) -> lango_notify::Stored {
        for _ in 0..150 {
            let m = self.message(id).await;
            if m.status == status {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "message {id} never became {status}: {:?}",
            self.message(id).await
        );
    }
}

/// Runs each body on SQLite and (when configured) PostgreSQL with a fresh [`Kit`].
macro_rules! channel_tests {
    ($(async fn $name:ident($kit:ident : Kit) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($kit: Kit) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if !SmtpServer::available() {
                    return;
                }
                run(Kit::start(Backend::Sqlite, &[]).await.expect("kit")).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !SmtpServer::available() {
                    return;
                }
                match Kit::start(Backend::Postgres, &[]).await {
                    Some(kit) => run(kit).await,
                    None => lango_core::testdb::skip_postgres(),
                }
            }
        }
    )*};
}

backend_tests! {
    async fn templates_are_checked_when_saved_and_previewed(app: TestApp) {
        app.staff("root@example.com", PASSWORD, Role::PlatformAdmin, None).await;
        app.person("12121212", "citizen@example.com", PASSWORD).await;
        let mut admin = Browser::new(&app);
        admin.sign_in("root@example.com", PASSWORD).await;
        assert!(admin.get("/account").await.html.contains("/admin/templates"));
        let list = admin.get("/admin/templates").await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains("Appointment reminder") && list.html.contains("/admin/templates/bill.raised/email/sw"));

        let url = "/admin/templates/bill.raised/sms/en";
        let page = admin.get(url).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("{payment_number}") && page.html.contains("must be used"));
        // The preview is the default text filled with example values.
        assert!(page.html.contains("Lango: please pay KES 4,550.00 for Passport application. Payment number 222-431-998"), "{}", page.html);

        let unknown = admin.post(url, &[("body", "Pay {amount} to {payment_number} by {colour}"), ("intent", "save")]).await;
        assert_eq!(unknown.status, 400);
        assert!(unknown.html.contains("{colour} is not a placeholder of this message"), "{}", unknown.html);
        let missing = admin.post(url, &[("body", "Pay {amount} now."), ("intent", "save")]).await;
        assert_eq!(missing.status, 400);
        assert!(missing.html.contains("The text must use {payment_number}"));
        let braces = admin.post(url, &[("body", "Pay {amount now {payment_number}"), ("intent", "save")]).await;
        assert_eq!(braces.status, 400);
        assert!(braces.html.contains("The brace at character 5"), "{}", braces.html);
        assert_eq!(app.count("notification_templates").await, 0, "refused templates change nothing");
        assert!(admin.get(url).await.html.contains("Lango: please pay {amount} for {service}"), "the old one stays");

        let text = "Lango: {amount} due on {payment_number}. Thanks, {name}.";
        let preview = admin.post(url, &[("body", text), ("intent", "preview")]).await;
        assert_eq!(preview.status, 200);
        assert!(preview.html.contains("Lango: KES 4,550.00 due on 222-431-998. Thanks, Amina."));
        assert_eq!(app.count("notification_templates").await, 0, "a preview saves nothing");
        let saved = admin.post(url, &[("body", text), ("intent", "save")]).await;
        assert_eq!((saved.status, saved.location.as_str()), (303, "/admin/templates/bill.raised/sms/en?done=saved"));
        let page = admin.get(&saved.location).await;
        assert!(page.html.contains("The template has been saved") && page.html.contains("Changed"));
        assert_eq!(app.count("notification_templates").await, 1);
        let e = admin.post("/admin/templates/bill.raised/email/en", &[("subject", ""), ("body", "{amount} {payment_number}"), ("intent", "save")]).await;
        assert_eq!(e.status, 400, "an e-mail needs a subject");

        let mut citizen = Browser::new(&app);
        citizen.sign_in("12121212", PASSWORD).await;
        assert_eq!(citizen.get("/admin/templates").await.status, 403);
        assert_eq!(citizen.get(url).await.status, 403);
        let refused = citizen.post(url, &[("body", "{amount} {payment_number} hacked"), ("intent", "save")]).await;
        assert_eq!(refused.status, 403);
        assert_eq!(citizen.post(&format!("{url}/reset"), &[]).await.status, 403);
        assert_eq!(Browser::new(&app).get(url).await.status, 303, "anonymous: sign in first");
        assert!(admin.get(url).await.html.contains("Thanks, {name}"), "the citizen changed nothing");

        assert_eq!(admin.post(&format!("{url}/reset"), &[]).await.status, 303);
        assert_eq!(app.count("notification_templates").await, 0);
        let db = app.db().await;
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('template.update', 'template.reset')")
            .fetch_one(db.pool()).await.unwrap();
        db.close().await;
        assert_eq!(audited, 2);
        assert_eq!(admin.get("/admin/templates/no.such/sms/en").await.status, 404);
    }
}

channel_tests! {
    async fn notify_reaches_the_gateway_and_the_mailbox_in_the_persons_language(kit: Kit) {
        let id = kit.person("amina@example.com", "sw").await;
        let ids = kit.notify(&id, "application.received", &[("reference", "DIS-2025-000001"), ("service", "Pasipoti")]).await;
        assert_eq!(ids.len(), 2, "both channels by default");

        let sms = kit.sms.wait_for(PHONE, "Lango: tumepokea ombi lako la Pasipoti. Nambari ya kumbukumbu ni DIS-2025-000001.").await;
        assert_eq!(sms.from, "LANGO");
        let mail = kit.smtp.wait_for("amina@example.com", "Mpendwa Test,").await;
        assert_eq!(mail.subject, "Tumepokea ombi lako DIS-2025-000001");
        assert!(mail.body.contains("Tumepokea ombi lako la Pasipoti") && mail.from.contains("no-reply@lango.test"), "{mail:?}");

        let (sms_id, email_id) = if kit.message(&ids[0]).await.channel == "sms" { (&ids[0], &ids[1]) } else { (&ids[1], &ids[0]) };
        kit.wait_status(email_id, "delivered").await;
        let sent = kit.wait_status(sms_id, "sending").await;
        assert_eq!(sent.provider_id.as_deref(), Some(sms.id.as_str()), "the gateway's id is kept");
        assert_eq!(sent.event_type.as_deref(), Some("application.received"));
        assert_eq!(kit.sms.report(&sms.id, "Success", "").await, 200);
        kit.wait_status(sms_id, "delivered").await;
        assert_eq!(kit.sms.report(&sms.id, "Success", "").await, 200, "a repeated report is fine");
        assert_eq!(kit.sms.report(&sms.id, "Failed", "UserInBlacklist").await, 200);
        assert_eq!(kit.message(sms_id).await.status, "delivered", "a settled message stays settled");

        // The person chooses e-mail only on their profile; the next message follows.
        let mut b = Browser::new(&kit.app);
        b.sign_in("22223333", PASSWORD).await;
        assert!(b.get("/account/profile").await.html.contains("name=\"contact_preference\" value=\"both\" checked"));
        let saved = b.post("/account/profile", &[("given_name", "Test"), ("family_name", "Person"), ("date_of_birth", "1990-01-01"),
            ("phone", PHONE), ("email", "amina@example.com"), ("language", "en"), ("contact_preference", "email")]).await;
        assert_eq!(saved.status, 200, "{}", saved.html);
        let ids = kit.notify(&id, "payment.received", &[("amount", "KES 4,550.00"), ("payment_number", "222-431-998"), ("receipt", "RCP-1")]).await;
        assert_eq!(ids.len(), 1);
        let mail = kit.smtp.wait_for("amina@example.com", "We received your payment of KES 4,550.00 for payment number 222-431-998").await;
        assert_eq!(mail.subject, "We received your payment of KES 4,550.00");
        assert_eq!(kit.sms.messages().len(), 1, "no SMS this time");
        let bad = b.post("/account/profile", &[("given_name", "Test"), ("family_name", "Person"), ("date_of_birth", "1990-01-01"),
            ("phone", PHONE), ("email", "amina@example.com"), ("contact_preference", "pigeon")]).await;
        assert_eq!(bad.status, 400);
    }

    async fn one_time_codes_reach_the_gateway_and_the_mailbox(kit: Kit) {
        let mut b = Browser::new(&kit.app);
        b.cookies.insert("lang".into(), "sw".into());
        b.get("/register").await;
        let res = b.post("/register", &[("kind", "citizen"), ("id_number", "29876543"), ("given_name", "Amina"),
            ("family_name", "Hassan"), ("date_of_birth", "1994-07-12"), ("phone", "0711 222 333"),
            ("email", "amina@example.com"), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await;
        assert_eq!(res.status, 303, "{}", res.html);
        let sms = kit.sms.wait_for("+254711222333", "Lango: nambari yako ni").await;
        let mail = kit.smtp.wait_for("amina@example.com", "Lango: nambari yako ni").await;
        assert_eq!(mail.subject, "Nambari yako ya uthibitisho ya Lango");
        let code = |text: &str| text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_string();
        b.get("/confirm-contacts").await;
        let ok = b.post("/confirm-contacts", &[("phone_code", &code(&sms.message)), ("email_code", &code(&mail.body))]).await;
        assert_eq!((ok.status, ok.location.as_str()), (303, "/account"), "the codes as received work");
    }

    async fn delivery_reports_and_refusals_settle_messages_and_show_in_the_history(kit: Kit) {
        let id = kit.person("amina@example.com", "en").await;
        kit.sql("UPDATE accounts SET contact_preference = 'sms' WHERE id = $1", &[&id]).await;
        let first = kit.notify(&id, "application.approved", &[("reference", "DIS-1"), ("service", "Passport")]).await;
        let sms = kit.sms.wait_for(PHONE, "has been approved").await;
        kit.wait_status(&first[0], "sending").await;
        assert_eq!(kit.sms.report(&sms.id, "Buffered", "").await, 200);
        assert_eq!(kit.message(&first[0]).await.status, "sending", "not settled yet");
        assert_eq!(kit.sms.report(&sms.id, "Rejected", "UserInBlacklist").await, 200);
        let failed = kit.wait_status(&first[0], "permanent-failure").await;
        assert!(failed.failure_reason.contains("UserInBlacklist"), "{failed:?}");

        // The gateway refuses a number for good: no retry.
        kit.sms.refuse(PHONE, 403, "InvalidPhoneNumber");
        let before = kit.sms.requests();
        let second = kit.notify(&id, "document.issued", &[("reference", "DIS-1"), ("document", "passport")]).await;
        let refused = kit.wait_status(&second[0], "permanent-failure").await;
        assert!(refused.failure_reason.contains("InvalidPhoneNumber"));
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert_eq!(kit.sms.requests(), before + 1, "never retried");

        // Reports need a message id the gateway gave, and a status.
        assert_eq!(kit.sms.report("ATXid_nobody", "Success", "").await, 404);
        let empty = kit.app.client.post(format!("{}/channels/sms/delivery-reports", kit.app.base)).form(&[("id", "x")]).send().await.unwrap();
        assert_eq!(empty.status().as_u16(), 400);

        let mut b = Browser::new(&kit.app);
        b.sign_in("22223333", PASSWORD).await;
        let history = b.get("/account/activity").await;
        assert!(history.html.contains("Application approved (SMS)") && history.html.contains("Document issued (SMS)"), "{}", history.html);
        assert!(history.html.contains("Could not be delivered"));
    }

    async fn a_gateway_that_answers_500_is_retried_until_delivered(kit: Kit) {
        let id = kit.person("amina@example.com", "en").await;
        kit.sql("UPDATE accounts SET contact_preference = 'sms' WHERE id = $1", &[&id]).await;
        kit.sms.fail_next(1);
        kit.sms.auto_report("Success");
        let ids = kit.notify(&id, "appointment.reminder", &[("service", "Passport"), ("date", "2025-07-14"), ("time", "09:30"), ("centre", "Huduma Centre GPO")]).await;
        let waiting = kit.wait_status(&ids[0], "temporary-failure").await;
        assert!(waiting.failure_reason.contains("HTTP 500"), "{waiting:?}");
        kit.sms.wait_for(PHONE, "your appointment for Passport is on 2025-07-14 at 09:30 at Huduma Centre GPO").await;
        kit.wait_status(&ids[0], "delivered").await;
        assert_eq!(kit.sms.requests(), 2, "one failure, one success");

        let mut b = Browser::new(&kit.app);
        b.sign_in("22223333", PASSWORD).await;
        let history = b.get("/account/activity").await;
        assert!(history.html.contains("Appointment reminder (SMS)") && history.html.contains("Delivered"));
    }
}

mod reports_from_other_networks_are_refused {
    use super::*;

    async fn run(backend: Backend) {
        // Only a documentation range is believed, so the loopback simulator is not.
        let only = [("LANGO_SMS_REPORT_NETWORKS", "192.0.2.0/24".to_string())];
        if !SmtpServer::available() {
            return;
        }
        let Some(kit) = Kit::start(backend, &only).await else {
            return lango_core::testdb::skip_postgres();
        };
        let id = kit.person("amina@example.com", "en").await;
        kit.sql(
            "UPDATE accounts SET contact_preference = 'sms' WHERE id = $1",
            &[&id],
        )
        .await;
        let ids = kit
            .notify(
                &id,
                "application.approved",
                &[("reference", "DIS-1"), ("service", "Passport")],
            )
            .await;
        let sms = kit.sms.wait_for(PHONE, "approved").await;
        kit.wait_status(&ids[0], "sending").await;
        assert_eq!(kit.sms.report(&sms.id, "Success", "").await, 403);
        assert_eq!(kit.message(&ids[0]).await.status, "sending");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await;
    }
}
