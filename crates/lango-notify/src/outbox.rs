//! The message outbox: messages to people, written in the transaction that causes them and
//! delivered afterwards through a channel, with statuses like GOV.UK Notify's.

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
}

/// Puts `message` in the outbox inside `tx`: it is sent only if `tx` commits.
pub async fn enqueue(tx: &mut sqlx::AnyConnection, message: &Message) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO notifications (id, account_id, channel, recipient, subject, body, status, \
         attempts, next_attempt_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'created', 0, $7, $7, $7)",
    )
    .bind(&id)
    .bind(message.account_id.clone())
    .bind(message.channel.as_str())
    .bind(&message.recipient)
    .bind(&message.subject)
    .bind(&message.body)
    .bind(now)
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
    })
}

const COLUMNS: &str = "id, channel, recipient, subject, body, status, created_at";

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

/// Where messages actually go.
pub trait Sender: Send + Sync {
    /// Delivers one message; an error is retried later.
    fn send(&self, message: &Stored) -> std::result::Result<(), String>;
}

/// Writes messages to the log. Bodies (which may hold one-time codes) only in demo mode.
pub struct LogSender {
    /// Print bodies too (demo only: they can hold secrets).
    pub show_bodies: bool,
}

impl Sender for LogSender {
    fn send(&self, m: &Stored) -> std::result::Result<(), String> {
        if self.show_bodies {
            tracing::info!(channel = %m.channel, to = %m.recipient, body = %m.body, "message (demo: not really sent)");
        } else {
            tracing::info!(channel = %m.channel, id = %m.id, "message delivered to the log channel");
        }
        Ok(())
    }
}

/// Claims due messages and delivers them; returns how many it handled.
pub async fn deliver_due(db: &Db, sender: &dyn Sender, batch: i64) -> Result<usize> {
    let now = now_ms();
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
    for row in &rows {
        let m = stored(row)?;
        let attempts: i64 = row.try_get("attempts")?;
        let (status, next) = match sender.send(&m) {
            Ok(()) => ("delivered", now),
            Err(e) if attempts + 1 >= 8 => {
                tracing::warn!(id = %m.id, error = %e, "message given up");
                ("technical-failure", now)
            }
            Err(e) => {
                tracing::warn!(id = %m.id, error = %e, "message will be retried");
                // Exponential backoff: 2 s, 4 s, 8 s … capped at ten minutes.
                let wait = (2_000i64 << attempts.min(9)).min(600_000);
                ("temporary-failure", now + wait)
            }
        };
        sqlx::query(
            "UPDATE notifications SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
             updated_at = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(next)
        .bind(now)
        .bind(&m.id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
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
