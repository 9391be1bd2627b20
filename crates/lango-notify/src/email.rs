//! E-mail over SMTP with lettre. A message the relay accepted counts as delivered: SMTP
//! tells no more, and a bounce later is the relay's to report.

use crate::{Outcome, Sender, Stored};
use lango_core::config::EmailConfig;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use std::time::Duration;

/// Sends e-mail through the configured SMTP relay.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for `smtp://`, `smtp://…?tls=required` (STARTTLS) or `smtps://` URLs.
    pub fn new(config: &EmailConfig) -> Result<SmtpMailer, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("email_from: {e}"))?;
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(config.smtp_url.expose_secret())
                .map_err(|e| format!("smtp_url: {e}"))?
                // Well inside the outbox's lease, so a hung relay never causes a second copy.
                .timeout(Some(Duration::from_secs(20)))
                .build();
        Ok(SmtpMailer { transport, from })
    }
}

#[async_trait::async_trait]
impl Sender for SmtpMailer {
    async fn send(&self, m: &Stored) -> Outcome {
        let to: Mailbox = match m.recipient.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::Permanent(format!("not an e-mail address: {e}")),
        };
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone());
        let email = match email {
            Ok(e) => e,
            Err(e) => return Outcome::Permanent(format!("cannot build the e-mail: {e}")),
        };
        match self.transport.send(email).await {
            Ok(_) => Outcome::Delivered,
            // 5xx: the relay will never take this message (no such mailbox, refused).
            Err(e) if e.is_permanent() => Outcome::Permanent(e.to_string()),
            // 4xx, a dropped connection, a timeout: try again later.
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }
}
