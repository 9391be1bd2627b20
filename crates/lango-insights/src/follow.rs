//! The follower: reads the event log after its cursor and adds what it finds to the usage
//! aggregates, in the same transaction that moves the cursor on from where it read (so each
//! event counts once, also when several nodes follow at the same time).
//!
//! What counts: `application.started` (started), `application.received` (submitted),
//! `application.completed` and `application.rejected` (decided, and whether within the
//! service's SLA), `payment.received` (revenue, and a bill paid when the payment made it so).

use crate::usage::tally::{Decision, Slas, Tally};
use crate::Insights;
use lango_core::db::{backend_of, marks, pow2_chunks};
use lango_core::money::{Currency, Money};
use lango_core::Result;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// The follower's cursor in `event_cursors`.
pub const CURSOR: &str = "insights";
/// Most events followed in one transaction.
const BATCH: i64 = 2_000;

/// One event as the follower reads it.
#[derive(Debug, Clone)]
pub(crate) struct Followed {
    pub seq: i64,
    pub kind: String,
    pub agency: String,
    pub data: Value,
    pub occurred_at: i64,
}

/// What the follower looks up about a batch's events besides the events themselves.
#[derive(Debug, Default)]
pub(crate) struct Lookups {
    /// Services' SLAs.
    pub slas: Slas,
    /// Bill reference → the service it was raised for.
    pub bill_services: HashMap<String, String>,
    /// Payment event seq → the status its bill's previous payment left (`None`: none before).
    pub previous_status: HashMap<i64, Option<String>>,
}

fn text<'a>(data: &'a Value, key: &str) -> Option<&'a str> {
    data.get(key).and_then(Value::as_str)
}

/// The counts of `events` (in seq order).
pub(crate) fn tally_events(events: &[Followed], lookups: &Lookups) -> Tally {
    let mut tally = Tally::default();
    for e in events {
        let d = &e.data;
        let service = text(d, "service").unwrap_or_default();
        // Events from before channels were recorded came in online.
        let channel = text(d, "channel").unwrap_or("online");
        let county = text(d, "county");
        let at = d.get("at").and_then(Value::as_i64).unwrap_or(e.occurred_at);
        match e.kind.as_str() {
            "application.started" => tally.started(at, &e.agency, service, channel),
            "application.received" => {
                let submitted = d
                    .get("submitted_at")
                    .and_then(Value::as_i64)
                    .unwrap_or(e.occurred_at);
                tally.submitted(submitted, &e.agency, service, channel, county);
            }
            "application.completed" | "application.rejected" => {
                let decision = if e.kind == "application.completed" {
                    Decision::Completed
                } else {
                    Decision::Rejected
                };
                let submitted = d.get("submitted_at").and_then(Value::as_i64);
                let in_sla = lookups.slas.in_sla(service, submitted, at);
                tally.decided(at, &e.agency, service, channel, county, decision, in_sla);
            }
            "payment.received" => {
                let bill = text(d, "reference").unwrap_or_default();
                let amount = text(d, "currency")
                    .and_then(|c| c.parse::<Currency>().ok())
                    .and_then(|c| Money::parse_decimal(text(d, "amount")?, c).ok());
                let Some(amount) = amount else {
                    tracing::warn!(
                        seq = e.seq,
                        "payment.received without a readable amount: not counted"
                    );
                    continue;
                };
                let paid = text(d, "status") == Some("paid");
                let paid_before = lookups
                    .previous_status
                    .get(&e.seq)
                    .is_some_and(|s| s.as_deref() == Some("paid"));
                let service = lookups
                    .bill_services
                    .get(bill)
                    .map(String::as_str)
                    .unwrap_or_default();
                tally.payment(
                    e.occurred_at,
                    &e.agency,
                    service,
                    text(d, "channel").unwrap_or("unknown"),
                    amount,
                    paid && !paid_before,
                );
            }
            _ => {}
        }
    }
    tally
}

/// Fills `lookups` for `events` inside `tx`: SLAs of decided applications' services, the
/// services of paid bills, and for each payment that left its bill paid, what the bill's
/// payment before it left (a group of payments committed together all report the
/// group's final status, so "became paid" is "paid, and not already paid before").
async fn look_up(tx: &mut sqlx::AnyConnection, events: &[Followed]) -> Result<Lookups> {
    let mut lookups = Lookups::default();
    let decided = events
        .iter()
        .filter(|e| e.kind == "application.completed" || e.kind == "application.rejected")
        .filter_map(|e| text(&e.data, "service"));
    lookups.slas.load(tx, decided).await?;
    let payments: Vec<&Followed> = events
        .iter()
        .filter(|e| e.kind == "payment.received")
        .collect();
    if payments.is_empty() {
        return Ok(lookups);
    }
    let backend = backend_of(tx);
    let mut bills: Vec<&str> = payments
        .iter()
        .filter_map(|e| text(&e.data, "reference"))
        .collect();
    bills.sort_unstable();
    bills.dedup();
    for chunk in pow2_chunks(&bills) {
        let sql = format!(
            "SELECT reference, service_code FROM bills WHERE reference IN ({})",
            marks(backend, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for b in chunk {
            q = q.bind(*b);
        }
        lookups.bill_services.extend(q.fetch_all(&mut *tx).await?);
    }
    let paid: Vec<i64> = payments
        .iter()
        .filter(|e| text(&e.data, "status") == Some("paid"))
        .map(|e| e.seq)
        .collect();
    for chunk in pow2_chunks(&paid) {
        let sql = format!(
            "SELECT l.seq, e.data FROM bill_payment_links l LEFT JOIN events e ON e.seq = l.previous \
             WHERE l.seq IN ({})",
            marks(backend, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (i64, Option<String>)>(&sql);
        for seq in chunk {
            q = q.bind(*seq);
        }
        for (seq, data) in q.fetch_all(&mut *tx).await? {
            let status = data
                .and_then(|d| serde_json::from_str::<Value>(&d).ok())
                .and_then(|d| text(&d, "status").map(str::to_string));
            lookups.previous_status.insert(seq, status);
        }
    }
    Ok(lookups)
}

impl Insights {
    /// Adds the events after the cursor to the aggregates (at most one batch); returns how
    /// many events it added.
    ///
    /// The batch is read and tallied without the write lock, so payments committing meanwhile
    /// never wait for it; the write then moves the cursor only from where the read began
    /// (compare and set), so a follower that another beat to the same events writes nothing
    /// and reads again from the new cursor. Each event still counts exactly once.
    pub async fn follow_once(&self) -> Result<u64> {
        loop {
            // One read transaction: the cursor, the events and what they need looked up all
            // from one snapshot. Events are numbered in commit order, so every event up to
            // the newest one visible is there to read.
            let mut read = self.db.pool().begin().await?;
            let at: Option<i64> =
                sqlx::query_scalar("SELECT seq FROM event_cursors WHERE name = $1")
                    .bind(CURSOR)
                    .fetch_optional(&mut *read)
                    .await?;
            let cursor = at.unwrap_or(0);
            let rows = sqlx::query_as::<_, (i64, String, String, String, i64)>(
                "SELECT seq, type, agency_code, data, occurred_at FROM events WHERE seq > $1 \
                 ORDER BY seq LIMIT $2",
            )
            .bind(cursor)
            .bind(BATCH)
            .fetch_all(&mut *read)
            .await?;
            let Some(last) = rows.last().map(|r| r.0) else {
                return Ok(0);
            };
            let events: Vec<Followed> = rows
                .into_iter()
                .map(|(seq, kind, agency, data, occurred_at)| Followed {
                    seq,
                    data: serde_json::from_str(&data).unwrap_or(Value::Null),
                    kind,
                    agency,
                    occurred_at,
                })
                .collect();
            let lookups = look_up(&mut read, &events).await?;
            read.rollback().await?;
            let tally = tally_events(&events, &lookups);
            let mut conn = self.db.pool().acquire().await?;
            let mut tx = lango_core::db::begin_write(&mut conn).await?;
            // Written first: on PostgreSQL a second follower waits on this row and then
            // finds it moved.
            let moved = match at {
                Some(from) => {
                    sqlx::query("UPDATE event_cursors SET seq = $1 WHERE name = $2 AND seq = $3")
                        .bind(last)
                        .bind(CURSOR)
                        .bind(from)
                }
                None => sqlx::query(
                    "INSERT INTO event_cursors (name, seq) VALUES ($1, $2) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(CURSOR)
                .bind(last),
            }
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                // Another follower counted these events first.
                tx.rollback().await?;
                continue;
            }
            tally.write(&mut tx).await?;
            tx.commit().await?;
            return Ok(events.len() as u64);
        }
    }

    /// Runs [`Insights::tick`] every `every`, from a task of its own.
    pub fn spawn_follower(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let insights = self.clone();
        tokio::spawn(async move {
            loop {
                match insights.tick().await {
                    // A full batch: more are waiting.
                    Ok(n) if n >= BATCH as u64 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "insights follower failed; retrying"),
                }
                tokio::time::sleep(every).await;
            }
        })
    }

    /// One round of the room's background work: follows events into the aggregates, writes
    /// the search gaps counted in memory, takes the day's digitisation snapshot and invites
    /// completed applications' applicants to the survey. Returns the events followed.
    pub async fn tick(&self) -> Result<u64> {
        let followed = self.follow_once().await?;
        self.flush_search_gaps().await?;
        self.snapshot_digitisation().await?;
        self.invite_surveys().await?;
        Ok(followed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DAY: i64 = 86_400_000;

    fn event(seq: i64, kind: &str, data: Value) -> Followed {
        Followed {
            seq,
            kind: kind.into(),
            agency: "DIS".into(),
            data,
            occurred_at: 20_000 * DAY,
        }
    }

    #[test]
    fn events_become_counts() {
        let submitted = 20_000 * DAY;
        let events = [
            event(
                1,
                "application.started",
                json!({"service": "P", "channel": "online", "at": submitted}),
            ),
            event(
                2,
                "application.received",
                json!({"service": "P", "channel": "online", "county": "Kisumu", "submitted_at": submitted}),
            ),
            event(3, "application.approved", json!({"service": "P"})),
            event(
                4,
                "application.completed",
                json!({"service": "P", "channel": "online", "county": "Kisumu", "submitted_at": submitted, "at": submitted + DAY}),
            ),
            // Late: a 1-day SLA and decided a week later.
            event(
                5,
                "application.rejected",
                json!({"service": "S", "channel": "centre", "county": null, "submitted_at": submitted, "at": submitted + 7 * DAY}),
            ),
            event(
                6,
                "payment.received",
                json!({"reference": "B1", "channel": "mpesa", "amount": "550.00", "currency": "KES", "status": "partly_paid"}),
            ),
            event(
                7,
                "payment.received",
                json!({"reference": "B1", "channel": "mpesa", "amount": "550.00", "currency": "KES", "status": "paid"}),
            ),
            event(
                8,
                "payment.received",
                json!({"reference": "B1", "channel": "mpesa", "amount": "1.00", "currency": "KES", "status": "paid"}),
            ),
            event(
                9,
                "payment.received",
                json!({"reference": "B2", "channel": "card", "amount": "nonsense", "currency": "KES", "status": "paid"}),
            ),
        ];
        let mut lookups = Lookups::default();
        lookups.bill_services.insert("B1".into(), "P".into());
        lookups
            .previous_status
            .insert(7, Some("partly_paid".into()));
        lookups.previous_status.insert(8, Some("paid".into()));
        let mut slas = Slas::default();
        slas.insert_for_test("S", Some(1));
        lookups.slas = slas;
        let mut expected = Tally::default();
        expected.started(submitted, "DIS", "P", "online");
        expected.submitted(submitted, "DIS", "P", "online", Some("Kisumu"));
        expected.decided(
            submitted + DAY,
            "DIS",
            "P",
            "online",
            Some("Kisumu"),
            Decision::Completed,
            true,
        );
        expected.decided(
            submitted + 7 * DAY,
            "DIS",
            "S",
            "centre",
            None,
            Decision::Rejected,
            false,
        );
        let kes = |m| Money::from_minor(m, Currency::Kes);
        expected.payment(submitted, "DIS", "P", "mpesa", kes(55_000), false);
        expected.payment(submitted, "DIS", "P", "mpesa", kes(55_000), true);
        expected.payment(submitted, "DIS", "P", "mpesa", kes(100), false);
        assert_eq!(tally_events(&events, &lookups), expected);
    }
}
