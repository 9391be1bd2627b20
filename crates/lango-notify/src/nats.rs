//! Domain events on NATS JetStream, for agency systems that consume at scale.
//!
//! A publisher follows the `events` table from its cursor (named [`CURSOR`]) and publishes
//! each event, as CloudEvents 1.0 JSON (the very body a webhook receives), to
//! `<prefix>.<agency>.<event type>`, for example `lango.dis.application.approved`.
//! Delivery is at-least-once: the cursor moves only after JetStream has acknowledged every
//! message up to it, and each message carries the event id as `Nats-Msg-Id`, so a
//! republish after a crash is dropped by the stream's duplicate window instead of reaching
//! consumers twice.
//!
//! The publisher runs as its own task and never holds up anything else: while NATS is
//! down it logs, backs off and retries, and events simply wait in the table.
//!
//! Nodes sharing one PostgreSQL each run a publisher on the same cursor. That is wasteful
//! but correct: their copies carry the same `Nats-Msg-Id`, so the stream keeps the first,
//! and a publisher only sends an event after the events before it, so the stream's order
//! is still commit order; the cursor never moves backwards.

use crate::events::{self, Event};
use async_nats::jetstream::{self, message::PublishMessage, stream};
use lango_core::db::Db;
use lango_core::{Error, Result};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The name of the publisher's cursor in `event_cursors`.
pub const CURSOR: &str = "nats";
/// The stream the publisher creates when it does not exist.
pub const DEFAULT_STREAM: &str = "LANGO_EVENTS";
/// The first subject token of every event.
pub const DEFAULT_PREFIX: &str = "lango";

/// Where and how to publish. [`Settings::new`] gives the defaults Lango runs with; tests
/// change the stream and prefix so that runs do not see each other's messages.
#[derive(Clone)]
pub struct Settings {
    /// The server, e.g. `nats://127.0.0.1:4222` (may carry credentials: never logged).
    pub url: String,
    /// The JetStream stream to ensure and publish into.
    pub stream: String,
    /// The first subject token; the stream captures `<prefix>.>`.
    pub prefix: String,
    /// The cursor name in `event_cursors`.
    pub cursor: String,
    /// Most events read and published (pipelined) before the cursor moves.
    pub batch: i64,
    /// How long the stream remembers message ids: a republish later than this after the
    /// first publish reaches consumers twice. Used only when the stream is created.
    pub duplicate_window: Duration,
    /// How long the stream keeps events. Used only when the stream is created.
    pub max_age: Duration,
    /// How often the running publisher looks for new events when caught up.
    pub poll: Duration,
}

impl Settings {
    /// The defaults: stream [`DEFAULT_STREAM`], prefix [`DEFAULT_PREFIX`], cursor
    /// [`CURSOR`], batches of 256, a 10-minute duplicate window (long enough to cover a
    /// crash and restart) and 30 days' retention.
    pub fn new(url: impl Into<String>) -> Settings {
        Settings {
            url: url.into(),
            stream: DEFAULT_STREAM.to_string(),
            prefix: DEFAULT_PREFIX.to_string(),
            cursor: CURSOR.to_string(),
            batch: 256,
            duplicate_window: Duration::from_secs(10 * 60),
            max_age: Duration::from_secs(30 * 24 * 3600),
            poll: Duration::from_millis(250),
        }
    }

    /// The stream the publisher creates when it is missing: file storage, capturing
    /// `<prefix>.>`, with these settings' duplicate window and retention.
    pub fn stream_config(&self) -> stream::Config {
        stream::Config {
            name: self.stream.clone(),
            subjects: vec![format!("{}.>", self.prefix)],
            duplicate_window: self.duplicate_window,
            max_age: self.max_age,
            storage: stream::StorageType::File,
            description: Some("Lango domain events (CloudEvents JSON)".to_string()),
            ..Default::default()
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a user and password.
        f.debug_struct("Settings")
            .field("stream", &self.stream)
            .field("prefix", &self.prefix)
            .field("cursor", &self.cursor)
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

/// What publishing some events achieved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    /// Messages JetStream acknowledged (duplicates included).
    pub acked: usize,
    /// Of those, how many the stream recognised as already stored (by `Nats-Msg-Id`).
    pub duplicates: usize,
    /// The seq of the last acknowledged event.
    pub last_seq: Option<i64>,
}

impl Published {
    fn add(&mut self, other: Published) {
        self.acked += other.acked;
        self.duplicates += other.duplicates;
        self.last_seq = other.last_seq.or(self.last_seq);
    }
}

/// A NATS token from free text: lower case, and anything that is not a letter, digit,
/// `_` or `-` (the subject separators and wildcards among them) becomes `_`.
fn token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() {
        "_".to_string()
    } else {
        t
    }
}

/// The subject of `event`: `<prefix>.<agency code, lower case>.<event type>`.
pub fn subject(prefix: &str, event: &Event) -> String {
    let kind: Vec<String> = event.kind.split('.').map(token).collect();
    format!("{prefix}.{}.{}", token(&event.agency), kind.join("."))
}

fn nats_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("nats: {what}: {e}"))
}

/// A connection to NATS that publishes events from the database.
pub struct Publisher {
    db: Db,
    js: jetstream::Context,
    settings: Settings,
}

impl Publisher {
    /// Connects (failing within a few seconds when the server is unreachable) and makes
    /// sure the stream exists.
    pub async fn connect(db: Db, settings: Settings) -> Result<Publisher> {
        let client = async_nats::ConnectOptions::new()
            .name("lango-events")
            .connection_timeout(Duration::from_secs(5))
            .connect(settings.url.as_str())
            .await
            .map_err(|e| nats_error("cannot connect", e))?;
        let publisher = Publisher {
            db,
            js: jetstream::new(client),
            settings,
        };
        publisher.ensure_stream().await?;
        Ok(publisher)
    }

    /// Creates the stream when it is missing. An existing stream is left as the operator
    /// configured it (retention, replicas), so its settings are theirs to change.
    pub async fn ensure_stream(&self) -> Result<()> {
        self.js
            .get_or_create_stream(self.settings.stream_config())
            .await
            .map_err(|e| {
                nats_error(&format!("cannot ensure stream {}", self.settings.stream), e)
            })?;
        Ok(())
    }

    /// Publishes `events` in order without touching the cursor. All are sent before any
    /// acknowledgement is awaited (one round trip per batch, not per event); the stream
    /// stores them in send order because they share one connection.
    pub async fn send(&self, events: &[Event]) -> Result<Published> {
        let (done, outcome) = self.send_counting(events).await;
        outcome.map(|()| done)
    }

    /// Like [`Publisher::send`], but also reports what was acknowledged before a failure,
    /// so the cursor can move that far.
    async fn send_counting(&self, events: &[Event]) -> (Published, Result<()>) {
        let mut done = Published::default();
        let mut pending = Vec::with_capacity(events.len());
        for event in events {
            // The very body a webhook receives, so one parser serves both channels.
            let body = crate::webhooks::cloudevent(event);
            let message = PublishMessage::build()
                .payload(body.into())
                .message_id(&event.id)
                .header("Content-Type", "application/cloudevents+json");
            match self
                .js
                .send_publish(subject(&self.settings.prefix, event), message)
                .await
            {
                Ok(ack) => pending.push((event.seq, ack)),
                Err(e) => {
                    // What was sent before may still be acknowledged: count it first.
                    let earlier = self.await_acks(pending, &mut done).await;
                    return (done, earlier.and(Err(nats_error("cannot publish", e))));
                }
            }
        }
        let outcome = self.await_acks(pending, &mut done).await;
        (done, outcome)
    }

    /// Awaits acknowledgements in seq order, stopping at the first failure: everything
    /// after it will be sent again, so the cursor must not pass it.
    async fn await_acks(
        &self,
        pending: Vec<(i64, jetstream::context::PublishAckFuture)>,
        done: &mut Published,
    ) -> Result<()> {
        for (seq, ack) in pending {
            let ack = ack.await.map_err(|e| nats_error("no acknowledgement", e))?;
            done.acked += 1;
            done.duplicates += usize::from(ack.duplicate);
            done.last_seq = Some(seq);
        }
        Ok(())
    }

    /// One pass: publishes every event after the cursor, batch by batch, moving the cursor
    /// after each batch's acknowledgements. Returns what was published; on a failure the
    /// cursor has moved past everything acknowledged before it.
    pub async fn publish_pending(&self) -> Result<Published> {
        let mut total = Published::default();
        loop {
            let from = events::cursor(&self.db, &self.settings.cursor).await?;
            let batch = events::since(&self.db, from, self.settings.batch).await?;
            if batch.is_empty() {
                return Ok(total);
            }
            let (done, outcome) = self.send_counting(&batch).await;
            if let Some(seq) = done.last_seq {
                events::advance(&self.db, &self.settings.cursor, seq).await?;
            }
            total.add(done);
            outcome?;
            if (batch.len() as i64) < self.settings.batch {
                return Ok(total);
            }
        }
    }
}

/// The longest wait between attempts while NATS is unreachable.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Starts the publisher as a background task that runs until aborted. It connects (again
/// after any failure), publishes what is pending, and polls for more; failures are logged
/// and retried with exponential backoff from 1 s up to a minute.
pub fn spawn(db: Db, settings: Settings) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut publisher: Option<Publisher> = None;
        let mut backoff = Duration::from_secs(1);
        loop {
            let result = match &publisher {
                Some(p) => p.publish_pending().await.map(|_| ()),
                None => match Publisher::connect(db.clone(), settings.clone()).await {
                    Ok(p) => {
                        tracing::info!(stream = %settings.stream, "publishing events to NATS");
                        publisher = Some(p);
                        continue;
                    }
                    Err(e) => Err(e),
                },
            };
            match result {
                Ok(()) => {
                    backoff = Duration::from_secs(1);
                    tokio::time::sleep(settings.poll).await;
                }
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        retry_in_s = backoff.as_secs(),
                        "NATS event publishing failed"
                    );
                    // Reconnect and re-ensure the stream next time: it may have been
                    // deleted, or the server replaced.
                    publisher = None;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(agency: &str, kind: &str) -> Event {
        Event {
            seq: 7,
            id: "e-1".into(),
            kind: kind.into(),
            agency: agency.into(),
            order_key: "case-1".into(),
            data: r#"{"a":1}"#.into(),
            occurred_at: 1_709_214_307_123,
        }
    }

    #[test]
    fn subjects_are_safe_tokens() {
        let e = event("DIS", "application.approved");
        assert_eq!(subject("lango", &e), "lango.dis.application.approved");
        let odd = event("K.R A*>", "bill.raised");
        assert_eq!(subject("lango", &odd), "lango.k_r_a__.bill.raised");
        assert_eq!(subject("p", &event("", "x")), "p._.x");
    }
}
