//! The message outbox: messages to people, written in the transaction that causes them and
//! delivered afterwards through a channel, with statuses like GOV.UK Notify's.
//!
//! A worker *claims* due messages (a lease: `next_attempt_at` moves a minute on and the
//! attempt is counted) and commits, *sends* them concurrently outside any transaction, then
//! *records* the outcomes together. A node that dies mid-send leaves the lease to expire,
//! and the message is sent again: at-least-once, never lost.

use futures_util::stream::{self, StreamExt};
use lango_core::clock::now_ms;
use lango_core::db::{Backend, Db};
use lango_core::Result;
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A text message to a phone.
    Sms,
    /// An e-mail.
    Email,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }

    /// The channel with this stored name.
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "sms" => Some(Channel::Sms),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct Message {
    /// The account it is for, when there is one.
    pub account_id: Option<String>,
    /// SMS or e-mail.
    pub channel: Channel,
    /// A phone number (E.164) or an e-mail address.
    pub recipient: String,
    /// E-mail subject (empty for SMS).
    pub subject: String,
    /// The text.
    pub body: String,
}

/// A message as stored, with its delivery status.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its id.
    pub id: String,
    /// `sms` or `email`.
    pub channel: String,
    /// Where it goes.
    pub recipient: String,
    /// E-mail subject.
    pub subject: String,
    /// The text.
    pub body: String,
    /// `created`, `sending`, `delivered`, `temporary-failure`, `permanent-failure`, `technical-failure`.
    pub status: String,
    /// When it was written, unix milliseconds.
    pub created_at: i64,
    /// The event it tells of (`application.received`…), when sent by [`crate::notify()`].
    pub event_type: Option<String>,
    /// The gateway's id for it, once a gateway accepted it.
    pub provider_id: Option<String>,
    /// Why it failed, as the channel put it.
    pub failure_reason: String,
}

/// Puts `message` in the outbox inside `tx`: it is sent only if `tx` commits.
pub async fn enqueue(tx: &mut sqlx::AnyConnection, message: &Message) -> Result<String> {
    enqueue_event(tx, message, None).await
}

/// [`enqueue`], remembering which event the message tells of.
pub async fn enqueue_event(
    tx: &mut sqlx::AnyConnection,
    message: &Message,
    event_type: Option<&str>,
) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO notifications (id, account_id, channel, recipient, subject, body, status, \
         attempts, next_attempt_at, created_at, updated_at, event_type) \
         VALUES ($1, $2, $3, $4, $5, $6, 'created', 0, $7, $7, $7, $8)",
    )
    .bind(&id)
    .bind(message.account_id.clone())
    .bind(message.channel.as_str())
    .bind(&message.recipient)
    .bind(&message.subject)
    .bind(&message.body)
    .bind(now)
    .bind(event_type)
    .execute(&mut *tx)
    .await?;
    Ok(id)
}

fn stored(row: &sqlx::any::AnyRow) -> Result<Stored> {
    Ok(Stored {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
        event_type: row.try_get("event_type")?,
        provider_id: row.try_get("provider_id")?,
        failure_reason: row.try_get("failure_reason")?,
    })
}

const COLUMNS: &str = "id, channel, recipient, subject, body, status, created_at, event_type, \
    provider_id, failure_reason";

/// The newest messages of every kind (the demo's developer page).
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Stored>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM notifications ORDER BY created_at DESC, id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(stored).collect()
}

/// The newest messages to one recipient.
pub async fn to_recipient(db: &Db, recipient: &str, limit: i64) -> Result<Vec<Stored>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE recipient = $1 ORDER BY created_at DESC, id LIMIT $2"
    ))
    .bind(recipient)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(stored).collect()
}

/// The newest messages sent to an account (its message history).
pub async fn for_account(db: &Db, account_id: &str, limit: i64) -> Result<Vec<Stored>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE account_id = $1 ORDER BY created_at DESC, id LIMIT $2"
    ))
    .bind(account_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(stored).collect()
}

/// One message, by id.
pub async fn get(db: &Db, id: &str) -> Result<Stored> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| lango_core::Error::NotFound("message".into()))?;
    stored(&row)
}

/// What became of one attempt to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handed over for good: the channel will not say more (SMTP relay, log).
    Delivered,
    /// Accepted by a gateway that reports delivery later, under this id.
    Sending(String),
    /// Worth trying again later (network, gateway busy, no credit).
    Retry(String),
    /// Never worth trying again (the number or address cannot receive it).
    Permanent(String),
    /// Lango's side is wrong (refused credentials, bad sender id): an operator must act.
    Technical(String),
}

/// Where messages actually go.
#[async_trait::async_trait]
pub trait Sender: Send + Sync {
    /// Tries to deliver one message.
    async fn send(&self, message: &Stored) -> Outcome;
}

/// Writes messages to the log. Bodies (which may hold one-time codes) only in demo mode.
pub struct LogSender {
    /// Print bodies too (demo only: they can hold secrets).
    pub show_bodies: bool,
}

#[async_trait::async_trait]
impl Sender for LogSender {
    async fn send(&self, m: &Stored) -> Outcome {
        if self.show_bodies {
            tracing::info!(channel = %m.channel, to = %m.recipient, body = %m.body, "message (demo: not really sent)");
        } else {
            tracing::info!(channel = %m.channel, id = %m.id, "message delivered to the log channel");
        }
        Outcome::Delivered
    }
}

/// Longer than any channel's own timeout, so a message is never sent twice while the first
/// attempt is still under way.
const LEASE_MS: i64 = 60_000;
/// After this many attempts a message that keeps failing is given up (technical failure).
const MAX_ATTEMPTS: i64 = 8;
/// Sends in flight at once per worker: gateways answer in tens of milliseconds, so one at a
/// time would cap a node at a few dozen messages a second.
const PARALLEL: usize = 32;

/// Leases up to `batch` due messages and returns them with their attempt number (from 1).
async fn claim(db: &Db, batch: i64, now: i64) -> Result<Vec<(Stored, i64)>> {
    let mut tx = db.pool().begin().await?;
    // PostgreSQL: several nodes share the outbox; each claims rows the others have not locked.
    let lock = if db.backend() == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, attempts FROM notifications \
         WHERE status IN ('created', 'temporary-failure') AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at LIMIT $2{lock}"
    ))
    .bind(now)
    .bind(batch)
    .fetch_all(&mut *tx)
    .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        claimed.push((stored(row)?, row.try_get::<i64, _>("attempts")? + 1));
    }
    if !claimed.is_empty() {
        let ids: Vec<String> = (0..claimed.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = $1, updated_at = $2 \
             WHERE id IN ({})",
            ids.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(now + LEASE_MS).bind(now);
        for (m, _) in &claimed {
            q = q.bind(&m.id);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(claimed)
}

/// The status, next attempt time, gateway id and reason an outcome leads to.
fn next_state(
    id: &str,
    attempts: i64,
    outcome: Outcome,
    now: i64,
) -> (&'static str, i64, Option<String>, String) {
    match outcome {
        Outcome::Delivered => ("delivered", now, None, String::new()),
        Outcome::Sending(provider_id) => ("sending", now, Some(provider_id), String::new()),
        Outcome::Permanent(why) => ("permanent-failure", now, None, why),
        Outcome::Technical(why) => {
            tracing::error!(id, error = %why, "message cannot be sent: check the channel's settings");
            ("technical-failure", now, None, why)
        }
        Outcome::Retry(why) if attempts >= MAX_ATTEMPTS => {
            tracing::warn!(id, error = %why, "message given up");
            ("technical-failure", now, None, why)
        }
        Outcome::Retry(why) => {
            tracing::warn!(id, error = %why, "message will be retried");
            // Exponential backoff: 2 s, 4 s, 8 s … capped at ten minutes.
            let wait = (2_000i64 << (attempts - 1).clamp(0, 9)).min(600_000);
            ("temporary-failure", now + wait, None, why)
        }
    }
}

/// Claims due messages and delivers them; returns how many it handled.
pub async fn deliver_due(db: &Db, sender: &dyn Sender, batch: i64) -> Result<usize> {
    let claimed = claim(db, batch, now_ms()).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let outcomes: Vec<(String, i64, Outcome)> = stream::iter(claimed)
        .map(|(m, attempts)| async move {
            let outcome = sender.send(&m).await;
            (m.id, attempts, outcome)
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    for (id, attempts, outcome) in &outcomes {
        let (status, next, provider_id, reason) = next_state(id, *attempts, outcome.clone(), now);
        // Only a claimed message changes: a row a delivery report already settled stays.
        sqlx::query(
            "UPDATE notifications SET status = $1, next_attempt_at = $2, updated_at = $3, \
             provider_id = COALESCE($4, provider_id), failure_reason = $5 \
             WHERE id = $6 AND status IN ('created', 'temporary-failure')",
        )
        .bind(status)
        .bind(next)
        .bind(now)
        .bind(provider_id)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(outcomes.len())
}

/// Settles a message the gateway reported on: `delivered` or `permanent-failure` (any other
/// status leaves it `sending`). Repeated reports change nothing. Returns false when no
/// message of `channel` has the gateway id `provider_id`.
pub async fn record_report(
    db: &Db,
    channel: Channel,
    provider_id: &str,
    status: &str,
    reason: &str,
) -> Result<bool> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT status FROM notifications WHERE channel = $1 AND provider_id = $2",
    )
    .bind(channel.as_str())
    .bind(provider_id)
    .fetch_optional(db.pool())
    .await?;
    if found.is_none() {
        return Ok(false);
    }
    if status == "delivered" || status == "permanent-failure" {
        sqlx::query(
            "UPDATE notifications SET status = $1, failure_reason = $2, updated_at = $3 \
             WHERE channel = $4 AND provider_id = $5 AND status = 'sending'",
        )
        .bind(status)
        .bind(reason)
        .bind(now_ms())
        .bind(channel.as_str())
        .bind(provider_id)
        .execute(db.pool())
        .await?;
    }
    Ok(true)
}

/// Runs the delivery worker until the task is aborted.
pub fn spawn_worker(
    db: Db,
    sender: Arc<dyn Sender>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_due(&db, sender.as_ref(), 100).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "notification delivery failed"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
