//! Templates in force: an administrator's text from the database, else the shipped default.

use super::{event_type, render, validate, EventType, Problem, CHANNELS, EVENT_TYPES, LANGUAGES};
use crate::defaults;
use crate::Channel;
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::HashMap;

/// A template in force: an administrator's text, or the shipped default.
#[derive(Debug, Clone)]
pub struct Template {
    /// Its event type.
    pub event: &'static EventType,
    /// SMS or e-mail.
    pub channel: Channel,
    /// `en` or `sw`.
    pub lang: &'static str,
    /// E-mail subject (empty for SMS).
    pub subject: String,
    /// The text.
    pub body: String,
    /// Who changed it last (`account:ID`), `None` while the default is in force.
    pub changed_by: Option<String>,
    /// When, unix milliseconds.
    pub changed_at: Option<i64>,
}

impl Template {
    /// Renders subject and body with `values`.
    pub fn render(&self, values: &HashMap<&str, &str>) -> (String, String) {
        (render(&self.subject, values), render(&self.body, values))
    }
}

/// Resolves names from a URL or a caller to the registry's; `NotFound` for anything else.
pub fn key(
    event: &str,
    channel: &str,
    lang: &str,
) -> Result<(&'static EventType, Channel, &'static str)> {
    let e = event_type(event).ok_or_else(|| Error::NotFound(format!("event type {event}")))?;
    let c = Channel::parse(channel).ok_or_else(|| Error::NotFound(format!("channel {channel}")))?;
    let l = LANGUAGES
        .iter()
        .find(|l| **l == lang)
        .ok_or_else(|| Error::NotFound(format!("language {lang}")))?;
    Ok((e, c, l))
}

/// The shipped text of a template.
pub fn default_template(
    event: &'static EventType,
    channel: Channel,
    lang: &'static str,
) -> Template {
    let d = defaults::texts(event.name, lang).expect("every event has defaults in every language");
    let (subject, body) = match channel {
        Channel::Sms => ("", d.sms),
        Channel::Email => (d.email_subject, d.email_body),
    };
    Template {
        event,
        channel,
        lang,
        subject: subject.to_string(),
        body: body.to_string(),
        changed_by: None,
        changed_at: None,
    }
}

/// The template in force, read on `conn` (inside the caller's transaction when sending).
pub async fn load(
    conn: &mut sqlx::AnyConnection,
    event: &'static EventType,
    channel: Channel,
    lang: &'static str,
) -> Result<Template> {
    let row = sqlx::query(
        "SELECT subject, body, updated_by, updated_at FROM notification_templates \
         WHERE event_type = $1 AND channel = $2 AND lang = $3",
    )
    .bind(event.name)
    .bind(channel.as_str())
    .bind(lang)
    .fetch_optional(&mut *conn)
    .await?;
    let mut t = default_template(event, channel, lang);
    if let Some(row) = row {
        t.subject = row.try_get("subject")?;
        t.body = row.try_get("body")?;
        t.changed_by = Some(row.try_get("updated_by")?);
        t.changed_at = Some(row.try_get("updated_at")?);
    }
    Ok(t)
}

/// Every template in force, by event type, channel and language.
pub async fn list(db: &Db) -> Result<Vec<Template>> {
    let rows = sqlx::query(
        "SELECT event_type, channel, lang, subject, body, updated_by, updated_at \
         FROM notification_templates",
    )
    .fetch_all(db.pool())
    .await?;
    let mut changed = HashMap::new();
    for row in &rows {
        let k: (String, String, String) = (
            row.try_get("event_type")?,
            row.try_get("channel")?,
            row.try_get("lang")?,
        );
        changed.insert(k, row);
    }
    let mut out = Vec::new();
    for event in EVENT_TYPES {
        for channel in CHANNELS {
            for lang in LANGUAGES {
                let mut t = default_template(event, channel, lang);
                let k = (
                    event.name.to_string(),
                    channel.as_str().to_string(),
                    lang.to_string(),
                );
                if let Some(row) = changed.get(&k) {
                    t.subject = row.try_get("subject")?;
                    t.body = row.try_get("body")?;
                    t.changed_by = Some(row.try_get("updated_by")?);
                    t.changed_at = Some(row.try_get("updated_at")?);
                }
                out.push(t);
            }
        }
    }
    Ok(out)
}

/// Saves a template after checking it; on problems nothing changes and they are returned.
/// The caller has asked the policy (this crate sits below the identity crate). `actor` is
/// the audit log's name for who saved it.
pub async fn save(
    db: &Db,
    actor: &str,
    event: &'static EventType,
    channel: Channel,
    lang: &'static str,
    subject: &str,
    body: &str,
) -> Result<std::result::Result<(), Vec<Problem>>> {
    // Line endings as browsers send them (CRLF) would double in e-mail and cost in SMS.
    let subject = match channel {
        Channel::Sms => String::new(),
        Channel::Email => subject.replace("\r\n", "\n").trim().to_string(),
    };
    let body = body.replace("\r\n", "\n").trim().to_string();
    let problems = validate(event, channel, &subject, &body);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO notification_templates (event_type, channel, lang, subject, body, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (event_type, channel, lang) DO UPDATE SET subject = excluded.subject, \
         body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(event.name)
    .bind(channel.as_str())
    .bind(lang)
    .bind(&subject)
    .bind(&body)
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let object = format!("template:{}/{}/{lang}", event.name, channel.as_str());
    audit::append(
        &mut tx,
        Entry {
            actor,
            action: "template.update",
            object: &object,
            subject: "",
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Puts the shipped default back in force.
pub async fn reset(
    db: &Db,
    actor: &str,
    event: &'static EventType,
    channel: Channel,
    lang: &'static str,
) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "DELETE FROM notification_templates WHERE event_type = $1 AND channel = $2 AND lang = $3",
    )
    .bind(event.name)
    .bind(channel.as_str())
    .bind(lang)
    .execute(&mut *tx)
    .await?;
    let object = format!("template:{}/{}/{lang}", event.name, channel.as_str());
    audit::append(
        &mut tx,
        Entry {
            actor,
            action: "template.reset",
            object: &object,
            subject: "",
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_valid_for_its_event() {
        for event in EVENT_TYPES {
            for channel in CHANNELS {
                for lang in LANGUAGES {
                    let t = default_template(event, channel, lang);
                    let problems = validate(event, channel, &t.subject, &t.body);
                    assert!(
                        problems.is_empty(),
                        "{} {channel:?} {lang}: {problems:?}",
                        event.name
                    );
                }
            }
        }
        assert_eq!(
            defaults::DEFAULTS.len(),
            EVENT_TYPES.len() * LANGUAGES.len()
        );
    }
}
