//! Which channel carries a message: the SMS gateway and the SMTP relay when configured,
//! else the log channel (the demo, and development machines, never reach anyone).

use crate::email::SmtpMailer;
use crate::sms::SmsGateway;
use crate::{Channel, LogSender, Outcome, Sender, Stored};
use lango_core::config::Config;
use std::sync::Arc;

/// A [`Sender`] that hands each message to its channel's sender.
pub struct Channels {
    sms: Option<SmsGateway>,
    email: Option<SmtpMailer>,
    log: LogSender,
}

impl Channels {
    /// The channels `config` sets up; an unusable setting is named in the error.
    pub fn from_config(config: &Config) -> Result<Channels, String> {
        let sms = config.sms.clone().map(SmsGateway::new).transpose()?;
        let email = config.email.as_ref().map(SmtpMailer::new).transpose()?;
        Ok(Channels {
            sms,
            email,
            log: LogSender {
                show_bodies: config.demo,
            },
        })
    }

    /// Where each channel goes, for the start-up log line.
    pub fn describe(&self) -> String {
        format!(
            "sms: {}, email: {}",
            if self.sms.is_some() { "gateway" } else { "log" },
            if self.email.is_some() { "smtp" } else { "log" }
        )
    }
}

/// The configured channels as the outbox worker's sender.
pub fn sender(config: &Config) -> Result<Arc<dyn Sender>, String> {
    let channels = Channels::from_config(config)?;
    tracing::info!(channels = %channels.describe(), "notification channels");
    Ok(Arc::new(channels))
}

#[async_trait::async_trait]
impl Sender for Channels {
    async fn send(&self, m: &Stored) -> Outcome {
        match (Channel::parse(&m.channel), &self.sms, &self.email) {
            (Some(Channel::Sms), Some(sms), _) => sms.send(m).await,
            (Some(Channel::Email), _, Some(email)) => email.send(m).await,
            (Some(_), _, _) => self.log.send(m).await,
            (None, _, _) => Outcome::Technical(format!("unknown channel {:?}", m.channel)),
        }
    }
}
