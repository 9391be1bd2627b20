//! Telling a person that something happened: the event's template in their language, on
//! the channels they chose, put in the outbox inside the caller's transaction.

use crate::templates::{self, LANGUAGES};
use crate::{enqueue_event, Channel, Message};
use lango_core::{Error, Result};
use std::collections::HashMap;

/// How a person wants to hear from Lango.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preference {
    /// Text messages only.
    Sms,
    /// E-mail only.
    Email,
    /// Both (the default: a message that matters should not hang on one channel).
    #[default]
    Both,
}

impl Preference {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Preference::Sms => "sms",
            Preference::Email => "email",
            Preference::Both => "both",
        }
    }

    /// The preference with this stored name.
    pub fn parse(s: &str) -> Option<Preference> {
        match s {
            "sms" => Some(Preference::Sms),
            "email" => Some(Preference::Email),
            "both" => Some(Preference::Both),
            _ => None,
        }
    }
}

/// Who a message is for and how to reach them (the identity crate fills it from an account).
#[derive(Debug, Clone, Default)]
pub struct Recipient {
    /// Their account, so the message shows in their history.
    pub account_id: Option<String>,
    /// Their name, the `{name}` of every template.
    pub name: String,
    /// A confirmed mobile number (E.164).
    pub phone: Option<String>,
    /// A confirmed e-mail address.
    pub email: Option<String>,
    /// `en` or `sw`; anything else reads English.
    pub language: String,
    /// Channels they chose.
    pub preference: Preference,
}

impl Recipient {
    /// The channels and addresses to use: the chosen ones that have an address, or else
    /// whichever does, so that someone who chose SMS but has no phone still hears.
    pub fn routes(&self) -> Vec<(Channel, &str)> {
        let sms = self.phone.as_deref().map(|p| (Channel::Sms, p));
        let email = self.email.as_deref().map(|e| (Channel::Email, e));
        let chosen: Vec<_> = match self.preference {
            Preference::Sms => sms.into_iter().collect(),
            Preference::Email => email.into_iter().collect(),
            Preference::Both => sms.into_iter().chain(email).collect(),
        };
        if chosen.is_empty() {
            sms.into_iter().chain(email).take(1).collect()
        } else {
            chosen
        }
    }
}

/// Puts the message of `event` for `to` in the outbox inside `tx`, once per channel, and
/// returns the messages' ids (none when the person has no address at all, or only a phone
/// that opted out of this non-essential event: see [`crate::optout`]). `values` must hold
/// every placeholder the event type requires; `{name}` comes from `to` unless given.
pub async fn notify(
    tx: &mut sqlx::AnyConnection,
    to: &Recipient,
    event: &str,
    values: &HashMap<&str, &str>,
) -> Result<Vec<String>> {
    let event = templates::event_type(event)
        .ok_or_else(|| Error::invalid("event", format!("unknown event type {event}")))?;
    if let Some(p) = event
        .placeholders
        .iter()
        .find(|p| p.required && values.get(p.name).is_none_or(|v| v.is_empty()))
    {
        return Err(Error::invalid(
            p.name,
            format!("{} needs a value for {{{}}}", event.name, p.name),
        ));
    }
    let mut values = values.clone();
    values.entry("name").or_insert(to.name.as_str());
    let lang = LANGUAGES
        .iter()
        .find(|l| **l == to.language)
        .unwrap_or(&LANGUAGES[0]);
    let mut ids = Vec::new();
    for (channel, address) in to.routes() {
        // A phone that sent STOP hears only what it cannot do without (see `optout`).
        if channel == Channel::Sms && !crate::optout::sms_allowed(tx, event.name, address).await? {
            tracing::debug!(event = event.name, "SMS skipped: the phone opted out");
            continue;
        }
        let template = templates::load(tx, event, channel, lang).await?;
        let (subject, body) = template.render(&values);
        let message = Message {
            account_id: to.account_id.clone(),
            channel,
            recipient: address.to_string(),
            subject,
            body,
        };
        ids.push(enqueue_event(tx, &message, Some(event.name)).await?);
    }
    if to.routes().is_empty() {
        tracing::warn!(event = event.name, account = ?to.account_id, "no address to tell this person");
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_preference_and_fall_back() {
        let mut r = Recipient {
            phone: Some("+254700000001".into()),
            email: Some("a@example.com".into()),
            ..Recipient::default()
        };
        assert_eq!(r.routes().len(), 2);
        r.preference = Preference::Email;
        assert_eq!(r.routes(), vec![(Channel::Email, "a@example.com")]);
        r.email = None;
        assert_eq!(r.routes(), vec![(Channel::Sms, "+254700000001")]);
        r.phone = None;
        assert!(r.routes().is_empty());
    }
}
