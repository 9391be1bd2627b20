//! Domain events: what happened, to which agency's object, in commit order.
//!
//! Emitting is part of the caller's transaction: the event (and its webhook deliveries)
//! exists exactly when the change does. Consumers follow `seq`.

use lango_core::clock::now_ms;
use lango_core::db::{backend_of, kept_rows, next_counter, padded, take_counter, Db};
use lango_core::Result;
use sqlx::Row;

/// The counter that numbers events.
pub const EVENTS_COUNTER: &str = "events";

/// Every event type Lango emits, with what it means. Agencies filter webhooks by these.
pub const EVENT_TYPES: &[(&str, &str)] = &[
    (
        "application.started",
        "An applicant started a draft application",
    ),
    (
        "application.received",
        "An application was submitted to the agency",
    ),
    (
        "application.information_requested",
        "An officer asked the applicant for more information",
    ),
    ("application.approved", "An application was approved"),
    ("application.rejected", "An application was rejected"),
    (
        "application.completed",
        "An application reached a completed outcome (e.g. its document was issued)",
    ),
    (
        "document.issued",
        "A document (permit, certificate) was issued",
    ),
    (
        "document.revoked",
        "A document was revoked by the agency that issued it",
    ),
    ("bill.raised", "A bill was raised"),
    ("payment.received", "A payment was received against a bill"),
    ("refund.issued", "A refund was issued"),
    ("appointment.reminder", "An appointment is coming up"),
    ("staff.added", "A person was given a role in the agency"),
    (
        "staff.removed",
        "A person's role in the agency was taken away",
    ),
    ("apikey.created", "An API key was created for the agency"),
    ("apikey.revoked", "An API key of the agency was revoked"),
    ("webhook.ping", "A test event sent by an administrator"),
];

/// True for a known event type.
pub fn is_event_type(t: &str) -> bool {
    EVENT_TYPES.iter().any(|(k, _)| *k == t)
}

/// An event to emit.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// One of [`EVENT_TYPES`].
    pub kind: &'a str,
    /// The agency it concerns.
    pub agency: &'a str,
    /// Events with the same key reach each receiver in order (a case id, a bill reference).
    pub order_key: &'a str,
    /// The event's data (becomes CloudEvents `data`).
    pub data: serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Position in commit order, from 1.
    pub seq: i64,
    /// Unique id (CloudEvents `id`).
    pub id: String,
    /// Event type.
    pub kind: String,
    /// Agency.
    pub agency: String,
    /// Ordering key.
    pub order_key: String,
    /// JSON data.
    pub data: String,
    /// When, unix ms.
    pub occurred_at: i64,
}

/// Emits `event` inside `tx` and fans it out to the agency's matching webhook subscriptions.
pub async fn emit(tx: &mut sqlx::AnyConnection, event: &NewEvent<'_>) -> Result<i64> {
    let seq = next_counter(tx, EVENTS_COUNTER).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO events (seq, id, type, agency_code, order_key, data, occurred_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(seq)
    .bind(&id)
    .bind(event.kind)
    .bind(event.agency)
    .bind(event.order_key)
    .bind(event.data.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    crate::webhooks::fan_out(tx, seq, event).await?;
    Ok(seq)
}

/// Emits many events inside `tx` with one counter step and multi-row inserts (the path of
/// writes committed in groups); returns the first `seq` taken, or 0 when `events` is empty.
pub async fn emit_many(tx: &mut sqlx::AnyConnection, events: &[NewEvent<'_>]) -> Result<i64> {
    if events.is_empty() {
        return Ok(0);
    }
    let first = take_counter(tx, EVENTS_COUNTER, events.len() as i64).await?;
    let now = now_ms();
    let backend = backend_of(tx);
    let rows: Vec<(i64, String, &NewEvent)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (first + i as i64, uuid::Uuid::now_v7().to_string(), e))
        .collect();
    for run in padded(&rows) {
        let sql = format!(
            "INSERT INTO events (seq, id, type, agency_code, order_key, data, occurred_at) {}",
            kept_rows(backend, run.listed(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (keep, (seq, id, e)) in run.rows() {
            q = q
                .bind(keep)
                .bind(*seq)
                .bind(id)
                .bind(e.kind)
                .bind(e.agency)
                .bind(e.order_key)
                .bind(e.data.to_string())
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    crate::webhooks::fan_out_many(tx, first, events).await?;
    Ok(first)
}

fn event_of(row: &sqlx::any::AnyRow) -> Result<Event> {
    Ok(Event {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        kind: row.try_get("type")?,
        agency: row.try_get("agency_code")?,
        order_key: row.try_get("order_key")?,
        data: row.try_get("data")?,
        occurred_at: row.try_get("occurred_at")?,
    })
}

const COLUMNS: &str = "seq, id, type, agency_code, order_key, data, occurred_at";

/// Events after `seq`, oldest first, at most `limit`.
pub async fn since(db: &Db, seq: i64, limit: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(seq)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(event_of).collect()
}

/// One event by its seq.
pub async fn get(db: &Db, seq: i64) -> Result<Option<Event>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM events WHERE seq = $1"))
        .bind(seq)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(event_of).transpose()
}

/// Where consumer `name` has got to (0 at first).
pub async fn cursor(db: &Db, name: &str) -> Result<i64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM event_cursors WHERE name = $1")
        .bind(name)
        .fetch_optional(db.pool())
        .await?;
    Ok(seq.unwrap_or(0))
}

/// Moves consumer `name`'s cursor to `seq` (never backwards).
pub async fn advance(db: &Db, name: &str, seq: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO event_cursors (name, seq) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET seq = CASE WHEN event_cursors.seq > excluded.seq \
         THEN event_cursors.seq ELSE excluded.seq END",
    )
    .bind(name)
    .bind(seq)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The newest event's `seq` (0 when there is none).
pub async fn head<'c>(conn: impl sqlx::AnyExecutor<'c>) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
            .fetch_one(conn)
            .await?,
    )
}

/// Takes consumer `name`'s cursor inside write transaction `tx` and returns where it stands.
/// The cursor row is written first (SQLite's write lock) and so locked (PostgreSQL: another
/// node waits here, then reads where this one left it); events commit in `seq` order, so
/// every event up to [`head`] read after this is visible.
pub async fn hold_cursor(tx: &mut sqlx::AnyConnection, name: &str) -> Result<i64> {
    sqlx::query(
        "INSERT INTO event_cursors (name, seq) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .execute(&mut *tx)
    .await?;
    Ok(
        sqlx::query_scalar("UPDATE event_cursors SET seq = seq WHERE name = $1 RETURNING seq")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?,
    )
}

/// Sets consumer `name`'s cursor, held in `tx` by [`hold_cursor`], to `seq`.
pub async fn set_cursor(tx: &mut sqlx::AnyConnection, name: &str, seq: i64) -> Result<()> {
    sqlx::query("UPDATE event_cursors SET seq = $1 WHERE name = $2")
        .bind(seq)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
