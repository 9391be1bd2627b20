//! Submissions, committed in groups.
//!
//! Everything a submission needs that does not write (reading the draft, checking every
//! answer, pricing the fee, the payer's contacts, the bill's reference) is done by the
//! caller before it queues. One committer per node then takes every submission waiting
//! and writes them in one transaction: the applications' move out of `draft` (only if
//! each is still the draft the caller checked), their bills, their first transitions,
//! the `application.received` events and the audit records, all with multi-row
//! statements. Each caller is answered only after the group's commit.

use crate::application::{Application, Transition};
use crate::store::{self, NewTransition};
use lango_core::db::{pow2_chunks, values_list, Db};
use lango_core::{Error, Result};
use lango_payments::bills_in_tx::{self, NewBill};
use std::collections::HashSet;
use tokio::sync::{mpsc, oneshot};

/// Most submissions in one group; more waiting form the next.
const GROUP_LIMIT: usize = 512;

/// Times the committer lets other tasks run before closing a group.
const GATHER_YIELDS: usize = 4;

/// A submission checked and ready to write.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The application as it will be once committed.
    pub app: Application,
    /// The revision the caller checked; the write happens only if it is still current.
    pub seen_revision: i64,
    /// The checked answers, as stored.
    pub answers_json: String,
    /// The queue key for `app.due_at`.
    pub due_key: i64,
    /// The fee's bill, if the service has a fee.
    pub bill: Option<NewBill>,
    /// The submission's transitions (submit, and for a fee-less service entering a payment
    /// state, its move on).
    pub transitions: Vec<Transition>,
    /// `application.received`'s data.
    pub event: serde_json::Value,
    /// The submitter as the audit log names them.
    pub audit_actor: String,
}

struct Job {
    prepared: Prepared,
    reply: oneshot::Sender<Result<Application>>,
}

/// The node's submission committer: cheap to clone.
#[derive(Clone)]
pub(crate) struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the committer task on `db`.
    pub fn start(db: Db) -> Committer {
        let (jobs, rx) = mpsc::channel(8 * GROUP_LIMIT);
        tokio::spawn(run(db, rx));
        Committer { jobs }
    }

    /// Writes `prepared`; returns once it is committed (or refused).
    pub async fn submit(&self, prepared: Prepared) -> Result<Application> {
        lango_core::committer::ask(&self.jobs, "submission", |reply| Job { prepared, reply }).await
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(GROUP_LIMIT);
    let mut conn = lango_core::db::Held::default();
    while lango_core::committer::next_group(&mut rx, &mut jobs, GROUP_LIMIT, GATHER_YIELDS).await {
        let mut group: Vec<Prepared> = Vec::with_capacity(jobs.len());
        let mut replies = Vec::with_capacity(jobs.len());
        for job in jobs.drain(..) {
            group.push(job.prepared);
            replies.push(job.reply);
        }
        let started = std::time::Instant::now();
        let outcome = commit_with_retry(&db, &mut conn, &mut group).await;
        match outcome {
            Ok(done) => {
                use lango_core::telemetry::{committer, group_committed};
                group_committed(committer::SUBMISSIONS, group.len(), started.elapsed());
                for ((reply, p), ok) in replies.into_iter().zip(group).zip(done) {
                    let _ = reply.send(if ok {
                        Ok(p.app)
                    } else {
                        Err(Error::Conflict(
                            "the application was changed or submitted meanwhile; look at it again"
                                .into(),
                        ))
                    });
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "submission group failed");
                for reply in replies {
                    let _ = reply.send(Err(Error::Internal(e.to_string())));
                }
            }
        }
    }
}

/// A group that raced another node (PostgreSQL) or drew a taken bill reference is tried
/// again from the start, which is safe because nothing of it committed.
async fn commit_with_retry(
    db: &Db,
    conn: &mut lango_core::db::Held,
    group: &mut [Prepared],
) -> Result<Vec<bool>> {
    let mut attempt = 0;
    loop {
        let c = conn.get(db).await?;
        // On SQLite the node's committers take turns (see `Db::write_turn`).
        let turn = db.write_turn().await;
        let result = commit_group(c, group).await;
        drop(turn);
        if result.is_err() {
            conn.release();
        }
        match result {
            Err(e @ (Error::Database(_) | Error::Conflict(_))) if attempt < 5 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "submission group failed; trying again");
                for p in group.iter_mut() {
                    if let Some(bill) = &mut p.bill {
                        bill.renew_reference();
                        p.app.bill_reference = Some(bill.reference.clone());
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
            }
            other => return other,
        }
    }
}

/// Writes one group in one transaction; returns, in order, whether each was written.
async fn commit_group(conn: &mut sqlx::AnyConnection, group: &[Prepared]) -> Result<Vec<bool>> {
    // The same draft twice in a group: the first counts.
    let mut seen = HashSet::new();
    let mut order: Vec<usize> = (0..group.len())
        .filter(|&i| seen.insert(group[i].app.id.as_str()))
        .collect();
    // Sorted, so two nodes writing overlapping groups lock rows in one order.
    order.sort_by(|&a, &b| group[a].app.id.cmp(&group[b].app.id));
    let mut tx = sqlx::Connection::begin(conn).await?;
    let mut written: HashSet<String> = HashSet::new();
    for chunk in pow2_chunks(&order) {
        let sql = format!(
            "WITH v (id, seen, state, answers, bill_reference, submitted_at, due_key, queued, \
             awaiting, revision) AS (VALUES {}) \
             UPDATE applications SET state = v.state, answers = v.answers, \
             bill_reference = NULLIF(v.bill_reference, ''), submitted_at = v.submitted_at, \
             state_since = v.submitted_at, due_key = v.due_key, \
             due_at = CASE WHEN v.due_key = {} THEN NULL ELSE v.due_key END, \
             queued = v.queued, awaiting_payment = v.awaiting, revision = v.revision, \
             updated_at = v.submitted_at \
             FROM v WHERE applications.id = v.id AND applications.revision = v.seen \
             AND applications.state = 'draft' RETURNING applications.id",
            values_list(chunk.len(), 10),
            crate::sla::NO_DUE
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for &i in chunk {
            let p = &group[i];
            q = q
                .bind(&p.app.id)
                .bind(p.seen_revision)
                .bind(&p.app.state)
                .bind(&p.answers_json)
                .bind(p.app.bill_reference.clone().unwrap_or_default())
                .bind(p.app.submitted_at.unwrap_or(p.app.state_since))
                .bind(p.due_key)
                .bind(i64::from(p.app.open))
                .bind(i64::from(p.app.awaiting_payment))
                .bind(p.app.revision);
        }
        written.extend(q.fetch_all(&mut *tx).await?);
    }
    let done: Vec<usize> = order
        .into_iter()
        .filter(|&i| written.contains(&group[i].app.id))
        .collect();
    let bills: Vec<&NewBill> = done
        .iter()
        .filter_map(|&i| group[i].bill.as_ref())
        .collect();
    bills_in_tx::raise_many_in(&mut tx, &bills).await?;
    let transitions: Vec<NewTransition> = done
        .iter()
        .flat_map(|&i| {
            let p = &group[i];
            let n = p.transitions.len() as i64;
            p.transitions
                .iter()
                .enumerate()
                .map(move |(k, t)| NewTransition {
                    application_id: &p.app.id,
                    seq: p.app.revision - n + 1 + k as i64,
                    agency: &p.app.agency,
                    transition: t,
                })
        })
        .collect();
    store::insert_transitions(&mut tx, &transitions).await?;
    // The bills' events first (as they were raised), then the applications': one counter
    // step and one webhook fan-out for the group.
    let events: Vec<lango_notify::events::NewEvent> = bills
        .iter()
        .map(|b| lango_payments::bill_events::Raised::from(*b).event())
        .chain(done.iter().map(|&i| lango_notify::events::NewEvent {
            kind: "application.received",
            agency: &group[i].app.agency,
            order_key: &group[i].app.reference,
            data: group[i].event.clone(),
        }))
        .collect();
    lango_notify::events::emit_many(&mut tx, &events).await?;
    let objects: Vec<(String, String)> = done
        .iter()
        .map(|&i| {
            let a = &group[i].app;
            (
                format!("application:{}", a.reference),
                format!(
                    "{} v{} submitted; bill {}",
                    a.service,
                    a.version,
                    a.bill_reference.as_deref().unwrap_or("none")
                ),
            )
        })
        .collect();
    let entries: Vec<lango_core::audit::Entry> = done
        .iter()
        .zip(&objects)
        .map(|(&i, (object, detail))| lango_core::audit::Entry {
            actor: &group[i].audit_actor,
            action: "application.submit",
            object,
            subject: &group[i].app.applicant,
            detail,
        })
        .collect();
    lango_core::audit::append_many(&mut tx, lango_core::audit::AUDIT, &entries).await?;
    tx.commit().await?;
    let done: HashSet<usize> = done.into_iter().collect();
    Ok((0..group.len()).map(|i| done.contains(&i)).collect())
}
