//! The webhook dispatcher: at-least-once, in order per order key, never held up by one slow
//! receiver.
//!
//! - **Claim**: due deliveries that are the oldest pending one of their (subscription,
//!   order key) are leased (`lease_until`), so a later event of a case waits for the earlier
//!   one, and several nodes (PostgreSQL, `SKIP LOCKED`) never send the same delivery at once.
//! - **Send**: each delivery is its own task under a bound on requests in flight, with a
//!   timeout and no redirects followed: a hanging or redirecting receiver costs only its own
//!   deliveries a timeout each.
//! - **Record**: outcomes are committed in groups by one writer, together with their
//!   exchange-log records. A crash before that commit leaves the lease to expire and the
//!   delivery is sent again: at-least-once, never lost.

use crate::events::Event;
use crate::receiver::{self, Policy};
use crate::webhooks::{cloudevent, signature};
use lango_core::audit::{append_many, Entry, EXCHANGE};
use lango_core::clock::now_ms;
use lango_core::db::{Backend, Db};
use lango_core::Result;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

/// The retry schedule and limits.
#[derive(Debug, Clone)]
pub struct Settings {
    /// First retry after this long; each later one waits twice as long…
    pub backoff_ms: i64,
    /// …but never longer than this.
    pub backoff_cap_ms: i64,
    /// After this many failed attempts a delivery is dead (redelivered only by hand).
    pub max_attempts: i64,
    /// A receiver gets this long to answer.
    pub timeout_ms: u64,
    /// Requests in flight at once.
    pub max_in_flight: usize,
    /// How often to look for due deliveries when there were none.
    pub poll_ms: u64,
    /// Which receivers may be reached (`webhook_allow_private`); checked at every delivery.
    pub receivers: crate::receiver::Policy,
}

impl Default for Settings {
    /// 1 s doubling to 10 min, 20 attempts (about 2.5 hours), 10 s timeout.
    fn default() -> Self {
        Settings {
            backoff_ms: 1_000,
            backoff_cap_ms: 600_000,
            max_attempts: 20,
            timeout_ms: 10_000,
            max_in_flight: 256,
            poll_ms: 50,
            receivers: crate::receiver::Policy::default(),
        }
    }
}

impl Settings {
    /// When attempt number `attempts` (1 = first) failed at `now`, when to try again.
    pub fn next_attempt(&self, attempts: i64, now: i64) -> i64 {
        let wait = self
            .backoff_ms
            .saturating_mul(1i64 << (attempts - 1).clamp(0, 30))
            .min(self.backoff_cap_ms);
        now + wait
    }

    fn lease_ms(&self) -> i64 {
        self.timeout_ms as i64 * 2 + 1_000
    }
}

/// One claimed delivery with what sending it needs.
struct Job {
    id: String,
    attempts: i64,
    url: String,
    secret: String,
    event: Event,
}

/// What one attempt came to.
struct Outcome {
    id: String,
    attempts: i64,
    ok: bool,
    status: Option<i64>,
    error: String,
    duration_ms: i64,
    url: String,
    agency: String,
    event_seq: i64,
    body_sha256: String,
}

/// Leases up to `limit` deliveries that are due and first in line for their order key.
async fn claim(db: &Db, s: &Settings, limit: i64) -> Result<Vec<Job>> {
    let now = now_ms();
    // A look first, without writing: polled every few milliseconds, the leasing UPDATE
    // would take SQLite's write lock each time, and every such lock makes the payment
    // committers wait out a busy-timeout sleep.
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM webhook_deliveries \
         WHERE status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1 LIMIT 1",
    )
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let lock = if db.backend() == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let ids: Vec<String> = sqlx::query_scalar(&format!(
        "UPDATE webhook_deliveries SET lease_until = $1 WHERE id IN (\
           SELECT d.id FROM webhook_deliveries d \
           WHERE d.status = 'pending' AND d.next_attempt_at <= $2 AND d.lease_until <= $2 \
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.subscription_id = d.subscription_id \
             AND p.order_key = d.order_key AND p.status = 'pending' AND p.event_seq < d.event_seq) \
           ORDER BY d.next_attempt_at LIMIT $3{lock}) RETURNING id"
    ))
    .bind(now + s.lease_ms())
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT d.id, d.attempts, s.id AS subscription_id, s.url, s.secret, e.seq, e.id AS event_id, e.type, e.agency_code, \
         e.order_key, e.data, e.occurred_at FROM webhook_deliveries d \
         JOIN webhook_subscriptions s ON s.id = d.subscription_id JOIN events e ON e.seq = d.event_seq \
         WHERE d.id IN ({})",
        marks.join(",")
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(db.pool()).await?;
    let keyring = db.keyring().await?;
    rows.iter()
        .map(|r| {
            let subscription: String = r.try_get("subscription_id")?;
            let sealed: String = r.try_get("secret")?;
            Ok(Job {
                id: r.try_get("id")?,
                attempts: r.try_get("attempts")?,
                url: r.try_get("url")?,
                secret: keyring.open(&crate::webhooks::SEALED, &subscription, &sealed)?,
                event: Event {
                    seq: r.try_get("seq")?,
                    id: r.try_get("event_id")?,
                    kind: r.try_get("type")?,
                    agency: r.try_get("agency_code")?,
                    order_key: r.try_get("order_key")?,
                    data: r.try_get("data")?,
                    occurred_at: r.try_get("occurred_at")?,
                },
            })
        })
        .collect()
}

async fn send(client: &reqwest::Client, policy: Policy, job: Job) -> Outcome {
    let body = cloudevent(&job.event);
    let body_sha256 = hex::encode(Sha256::digest(body.as_bytes()));
    let sig = signature(&job.secret, now_ms() / 1000, &body);
    let start = Instant::now();
    // A subscription checked when made may point elsewhere now (or predate the rule):
    // an address in the URL is checked here, a name by the client's resolver.
    if let Err(refused) = receiver::check_form(&job.url, policy) {
        return outcome(
            job,
            false,
            None,
            format!("refused: {refused}"),
            start,
            body_sha256,
        );
    }
    let res = client
        .post(&job.url)
        .header("content-type", "application/cloudevents+json")
        .header("lango-signature", sig)
        .header("lango-delivery", &job.id)
        .body(body)
        .send()
        .await;
    let (ok, status, error) = match res {
        Ok(r) => {
            let code = r.status();
            // Read (and drop) the body so the connection can be reused.
            let _ = r.bytes().await;
            let error = if code.is_redirection() {
                "redirects are not followed".to_string()
            } else if code.is_success() {
                String::new()
            } else {
                format!("answered {code}")
            };
            (code.is_success(), Some(i64::from(code.as_u16())), error)
        }
        Err(e) if receiver::refusal_in(&e).is_some() => {
            let refused = receiver::refusal_in(&e).unwrap_or(receiver::Refused::NotPublic);
            (false, None, format!("refused: {refused}"))
        }
        Err(e) if e.is_timeout() => (false, None, "timed out".to_string()),
        Err(e) if e.is_connect() => (false, None, "could not connect".to_string()),
        Err(e) => (false, None, format!("failed: {e}")),
    };
    outcome(job, ok, status, error, start, body_sha256)
}

fn outcome(
    job: Job,
    ok: bool,
    status: Option<i64>,
    error: String,
    start: Instant,
    body_sha256: String,
) -> Outcome {
    Outcome {
        id: job.id,
        attempts: job.attempts + 1,
        ok,
        status,
        error,
        duration_ms: start.elapsed().as_millis() as i64,
        url: job.url,
        agency: job.event.agency,
        event_seq: job.event.seq,
        body_sha256,
    }
}

/// Commits a group of outcomes and their exchange-log records in one transaction.
async fn record(db: &Db, s: &Settings, outcomes: &[Outcome]) -> Result<()> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    for o in outcomes {
        let (status, next) = if o.ok {
            ("delivered", now)
        } else if o.attempts >= s.max_attempts {
            ("dead", now)
        } else {
            ("pending", s.next_attempt(o.attempts, now))
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, lease_until = 0, \
             last_status = $4, last_error = $5, last_duration_ms = $6, \
             delivered_at = CASE WHEN $1 = 'delivered' THEN $7 ELSE delivered_at END \
             WHERE id = $8 AND status = 'pending'",
        )
        .bind(status)
        .bind(o.attempts)
        .bind(next)
        .bind(o.status)
        .bind(&o.error)
        .bind(o.duration_ms)
        .bind(now)
        .bind(&o.id)
        .execute(&mut *tx)
        .await?;
    }
    let details: Vec<(String, String)> = outcomes
        .iter()
        .map(|o| {
            (
                format!("delivery:{}", o.id),
                format!(
                    "event {} POST {} → {} in {} ms, attempt {}, body sha256 {}",
                    o.event_seq,
                    o.url,
                    o.status.map_or_else(|| o.error.clone(), |c| c.to_string()),
                    o.duration_ms,
                    o.attempts,
                    o.body_sha256
                ),
            )
        })
        .collect();
    let entries: Vec<Entry> = outcomes
        .iter()
        .zip(&details)
        .map(|(o, (object, detail))| Entry {
            actor: "lango",
            action: "webhook.deliver",
            object,
            subject: &o.agency,
            detail,
        })
        .collect();
    append_many(&mut tx, EXCHANGE, &entries).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs the dispatcher until the task is aborted.
pub fn spawn(db: Db, settings: Settings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_millis(settings.timeout_ms))
            .pool_max_idle_per_host(settings.max_in_flight);
        if !settings.receivers.allow_private {
            // Names resolve to public addresses only, and the connection goes straight to
            // them: no proxy in between, so the address checked is the one reached.
            builder = builder
                .dns_resolver(Arc::new(receiver::PublicOnly))
                .no_proxy();
        }
        let client = match builder.build() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhook client failed to start");
                return;
            }
        };
        let settings = Arc::new(settings);
        let (done_tx, mut done_rx) = mpsc::channel::<Outcome>(settings.max_in_flight * 4);
        let writer_db = db.clone();
        let writer_settings = settings.clone();
        // The writer ends by itself once this task and every send task are gone.
        tokio::spawn(async move {
            let mut group = Vec::new();
            while let Some(first) = done_rx.recv().await {
                group.push(first);
                while group.len() < 1000 {
                    match done_rx.try_recv() {
                        Ok(o) => group.push(o),
                        Err(_) => break,
                    }
                }
                // A failed commit leaves the leases to expire: those deliveries are sent again.
                if let Err(e) = record(&writer_db, &writer_settings, &group).await {
                    tracing::warn!(error = %e, "webhook outcomes not recorded; they will be retried");
                }
                group.clear();
            }
        });
        let permits = Arc::new(Semaphore::new(settings.max_in_flight));
        loop {
            // Wait for a free request slot rather than sleeping: slots free up in milliseconds.
            let Ok(first) = permits.clone().acquire_owned().await else {
                return;
            };
            let free = permits.available_permits() + 1;
            let jobs = match claim(&db, &settings, free as i64).await {
                Ok(j) => j,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook claim failed");
                    Vec::new()
                }
            };
            if jobs.is_empty() {
                drop(first);
                tokio::time::sleep(Duration::from_millis(settings.poll_ms)).await;
                continue;
            }
            let mut first = Some(first);
            for job in jobs {
                let permit = match first.take() {
                    Some(p) => p,
                    None => match permits.clone().acquire_owned().await {
                        Ok(p) => p,
                        Err(_) => return,
                    },
                };
                let client = client.clone();
                let done = done_tx.clone();
                let policy = settings.receivers;
                tokio::spawn(async move {
                    let outcome = send(&client, policy, job).await;
                    let _ = done.send(outcome).await;
                    drop(permit);
                });
            }
        }
    })
}
