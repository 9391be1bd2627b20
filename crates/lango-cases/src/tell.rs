//! Telling people about their own cases: the teller follows the events table with a cursor of
//! its own (`tell`) and, for every event a person hears about (their application received,
//! information asked for, approved, rejected, a document issued or revoked, a bill raised, a payment
//! received, a refund issued), puts the message in the notification outbox in the
//! transaction that moves its cursor. The event is written in the transaction that causes
//! it; the message follows from the event exactly once, also when several nodes follow at the
//! same time (they queue on the cursor's row) and when the causing step was retried (a
//! retried step writes no second event).

use crate::Cases;
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::HashMap;

mod who;

pub use who::Telling;

/// The teller's cursor in `event_cursors`.
pub const CURSOR: &str = "tell";
/// Events read per transaction.
const BATCH: i64 = 200;
/// Batches per round at most, so one round never runs long.
const ROUNDS: usize = 20;
/// The event types people are told about (each has its templates in `lango_notify`).
pub const TOLD: [&str; 9] = [
    "application.received",
    "application.information_requested",
    "application.approved",
    "application.rejected",
    "document.issued",
    "document.revoked",
    "bill.raised",
    "payment.received",
    "refund.issued",
];

/// An event the teller read.
#[derive(Debug, Clone)]
pub(crate) struct Told {
    /// Its position.
    pub seq: i64,
    /// One of [`TOLD`].
    pub kind: String,
    /// Its ordering key (an application's or a bill's reference).
    pub order_key: String,
    /// Its data.
    pub data: serde_json::Value,
}

impl Cases {
    /// Tells people about the events since the teller's cursor; returns how many events it
    /// read. Safe to call from several tasks and nodes at once: each event is told once.
    pub async fn tell(&self) -> Result<u64> {
        let mut read = 0;
        for _ in 0..ROUNDS {
            let n = self.tell_batch().await?;
            read += n as u64;
            if n < BATCH {
                break;
            }
        }
        Ok(read)
    }

    /// Runs [`Cases::tell`] every `every`, from a task of its own.
    pub fn spawn_teller(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let cases = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = cases.tell().await {
                    tracing::warn!(error = %e, "telling people about their cases failed; retrying");
                }
                tokio::time::sleep(every).await;
            }
        })
    }

    /// One batch; returns how many told events it read.
    async fn tell_batch(&self) -> Result<i64> {
        // A cheap look without a transaction: an idle node writes nothing.
        let cursor = lango_notify::events::cursor(&self.db, CURSOR).await?;
        let head = lango_notify::events::head(self.db.pool()).await?;
        if head <= cursor {
            return Ok(0);
        }
        // Whom to tell what, read before the transaction so that it never waits for a
        // pooled connection (or a slow read) while holding the write lock.
        let mut prepared: HashMap<i64, Vec<Telling>> = HashMap::new();
        {
            let mut conn = self.db.pool().acquire().await?;
            let mut lookups = who::Lookups::default();
            for event in told_after(&mut conn, cursor, head).await? {
                let tellings = self.tellings(&mut conn, &mut lookups, &event).await?;
                prepared.insert(event.seq, tellings);
            }
        }
        let mut tx = self.db.pool().begin().await?;
        let cursor = lango_notify::events::hold_cursor(&mut tx, CURSOR).await?;
        let head = lango_notify::events::head(&mut *tx).await?;
        let events = told_after(&mut tx, cursor, head).await?;
        let mut to = if events.len() as i64 == BATCH {
            events.last().map_or(head, |e| e.seq)
        } else {
            head
        };
        let mut read = 0;
        for event in &events {
            let Some(tellings) = prepared.get(&event.seq) else {
                // Committed after the look above: the next round tells from here.
                to = event.seq - 1;
                break;
            };
            for t in tellings {
                let values: HashMap<&str, &str> =
                    t.values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                match lango_notify::notify(&mut tx, &t.to, t.event, &values).await {
                    // Refused before any write (a value missing): one message lost beats a
                    // teller stuck on this event for ever.
                    Err(Error::Invalid { message, .. }) => {
                        tracing::error!(seq = event.seq, %message, "message not told");
                    }
                    other => {
                        other?;
                    }
                }
            }
            read += 1;
        }
        lango_notify::events::set_cursor(&mut tx, CURSOR, to).await?;
        tx.commit().await?;
        Ok(read)
    }
}

/// The told events after `cursor` up to `head`, oldest first, at most a batch.
async fn told_after(conn: &mut sqlx::AnyConnection, cursor: i64, head: i64) -> Result<Vec<Told>> {
    let listed = TOLD
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT seq, type, order_key, data FROM events WHERE seq > $1 AND seq <= $2 \
         AND type IN ({listed}) ORDER BY seq LIMIT $3"
    ))
    .bind(cursor)
    .bind(head)
    .bind(BATCH)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let data: String = row.try_get("data")?;
            Ok(Told {
                seq: row.try_get("seq")?,
                kind: row.try_get("type")?,
                order_key: row.try_get("order_key")?,
                // Lango wrote it; anything unreadable tells with what the key gives.
                data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}
