//! Payment: an application in a state with `paid_to` waits for its bill; once the bill
//! is `paid` it moves on, by this sweep (every second on each node) or when it is looked at.

use crate::application::Transition;
use crate::definition::model::Outcome;
use crate::service::Cases;
use crate::sla;
use crate::store::{self, NewTransition};
use lango_core::clock::now_ms;
use lango_core::Result;
use std::sync::atomic::{AtomicI64, Ordering};

/// Most applications moved by one full sweep; the rest wait for the next.
const SWEEP_LIMIT: i64 = 500;

/// How often a node looks at every waiting application (between, it follows payments).
const FULL_SWEEP_MS: i64 = 60_000;

/// Where this node's sweep has got to.
#[derive(Debug)]
pub(crate) struct Progress {
    /// The last event seq whose payments were followed (`-1` before the first full sweep).
    seq: AtomicI64,
    /// When the last full sweep finished (unix ms).
    full_at: AtomicI64,
}

impl Progress {
    /// A sweep that starts with a full one.
    pub(crate) fn new() -> Progress {
        Progress {
            seq: AtomicI64::new(-1),
            full_at: AtomicI64::new(0),
        }
    }
}

impl Cases {
    /// Moves applications whose bills are now paid out of their awaiting-payment state;
    /// returns how many moved. Idempotent and safe on several nodes (each move is
    /// conditional on the application still waiting at the revision read). Each call
    /// follows the `payment.received` events since the last one (one query joining the
    /// bills), and every minute it looks at every waiting application instead, for bills
    /// paid by any other path. The node runs it every second and `get` on each view.
    pub async fn advance_paid(&self) -> Result<u64> {
        let now = now_ms();
        // Read first: events committed after this are followed next time.
        let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
            .fetch_one(self.db.pool())
            .await?;
        let seen = self.paid.seq.load(Ordering::Acquire);
        let full = seen < 0 || now - self.paid.full_at.load(Ordering::Acquire) >= FULL_SWEEP_MS;
        let ids: Vec<String> = if full {
            sqlx::query_scalar(
                "SELECT a.id FROM applications a JOIN bills b ON b.reference = a.bill_reference \
                 WHERE a.awaiting_payment = 1 AND b.status = 'paid' LIMIT $1",
            )
            .bind(SWEEP_LIMIT)
            .fetch_all(self.db.pool())
            .await?
        } else {
            sqlx::query_scalar(
                "SELECT DISTINCT a.id FROM events e \
                 JOIN applications a ON a.bill_reference = e.order_key AND a.awaiting_payment = 1 \
                 JOIN bills b ON b.reference = a.bill_reference \
                 WHERE e.seq > $1 AND e.seq <= $2 AND e.type = 'payment.received' AND b.status = 'paid'",
            )
            .bind(seen)
            .bind(head)
            .fetch_all(self.db.pool())
            .await?
        };
        let mut moved = 0;
        for id in &ids {
            if self.advance_one(id).await? {
                moved += 1;
            }
        }
        // A full sweep that hit its limit goes on next time before following events.
        if !full || (ids.len() as i64) < SWEEP_LIMIT {
            self.paid.seq.fetch_max(head, Ordering::AcqRel);
            if full {
                self.paid.full_at.store(now, Ordering::Release);
            }
        }
        Ok(moved)
    }

    /// Moves one application on if it waits for a bill that is now paid; true when it moved.
    pub(crate) async fn advance_one(&self, id: &str) -> Result<bool> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM applications a JOIN bills b ON b.reference = a.bill_reference \
             WHERE a.id = $1 AND a.awaiting_payment = 1 AND b.status = 'paid'",
            store::COLUMNS
                .split(", ")
                .map(|c| format!("a.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row else { return Ok(false) };
        let app = store::application_of(&row)?;
        let versioned = self.definition_of(&app).await?;
        let definition = &versioned.definition;
        let Some(target) = definition
            .state(&app.state)
            .and_then(|s| s.paid_to.as_deref())
            .and_then(|to| definition.state(to))
        else {
            return Ok(false);
        };
        let now = now_ms();
        let due_at = target.sla_days.map(|d| sla::due_at(now, d));
        let open = !crate::service::journey_is_final(target);
        let mut tx = self.db.pool().begin().await?;
        let changed = sqlx::query(
            "UPDATE applications SET state = $1, state_since = $2, due_at = $3, due_key = $4, queued = $5, \
             awaiting_payment = 0, revision = revision + 1, updated_at = $2 \
             WHERE id = $6 AND revision = $7 AND awaiting_payment = 1",
        )
        .bind(&target.id)
        .bind(now)
        .bind(due_at)
        .bind(sla::due_key(due_at))
        .bind(i64::from(open))
        .bind(&app.id)
        .bind(app.revision)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            // Another node (or view) moved it first.
            return Ok(false);
        }
        let transition = Transition {
            at: now,
            actor: "system".into(),
            actor_name: "Lango".into(),
            from: app.state.clone(),
            to: target.id.clone(),
            action: "paid".into(),
            reason: app
                .bill_reference
                .as_ref()
                .map(|b| format!("bill {b} paid")),
        };
        store::insert_transitions(
            &mut tx,
            &[NewTransition {
                application_id: &app.id,
                seq: app.revision + 1,
                agency: &app.agency,
                transition: &transition,
            }],
        )
        .await?;
        if target.outcome == Some(Outcome::Completed) {
            // Paying delivered the service: published usage counts it as completed.
            lango_notify::events::emit(
                &mut tx,
                &lango_notify::events::NewEvent {
                    kind: "application.completed",
                    agency: &app.agency,
                    order_key: &app.reference,
                    data: serde_json::json!({
                        "reference": app.reference,
                        "service": app.service,
                        "state": target.id,
                        "action": "paid",
                        "at": now,
                        "channel": app.channel,
                        "county": crate::service::county_of(definition, &app.answers),
                        "submitted_at": app.submitted_at,
                    }),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Runs [`Cases::advance_paid`] every `every`, from a task of its own.
    pub fn spawn_paid_sweeper(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let cases = self.clone();
        tokio::spawn(async move {
            loop {
                match cases.advance_paid().await {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(moved = n, "paid applications moved on"),
                    Err(e) => {
                        tracing::warn!(error = %e, "moving paid applications failed; trying again")
                    }
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}
