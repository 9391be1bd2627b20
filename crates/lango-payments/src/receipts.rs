//! M-Pesa receipts, recorded exactly once and committed in groups.
//!
//! Every M-Pesa receipt (a C2B confirmation, an STK callback, a receipt reconciliation found)
//! goes through one committer per node. It gathers the receipts waiting at that moment into
//! one database transaction: the raw receipts keyed by TransID (a TransID already stored is
//! a repeat and posts nothing), the bills they pay, their ledger transactions, the balance
//! changes summed per account, and the `payment.received` events (each chained to its bill's
//! payment before it, see `posting::chain_payment`), with multi-row statements. On SQLite
//! the committer runs on a thread of its own (`lango_core::own_thread`), so its round trips
//! to the database never queue behind the web server's tasks. Each caller is answered only
//! after the group's commit, so an acknowledged receipt is durable and a crash before the
//! commit leaves nothing (Safaricom retries).

use crate::posting::{self, Applied, BillState, Payment};
use crate::reference::BillReference;
use crate::store;
use lango_core::clock::now_ms;
use lango_core::db::{kept_rows, marks, padded, Backend, Db};
use lango_core::money::Money;
use lango_core::{Error, Result};
use std::collections::{HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};

/// The channel name in ledger accounts (`collection:mpesa:KES`).
pub const CHANNEL: &str = "mpesa";

/// Most receipts in one group; more waiting form the next group.
const GROUP_LIMIT: usize = 1024;

/// Times the committer lets other tasks run before closing a group (on PostgreSQL, where it
/// shares the server's runtime).
const GATHER_YIELDS: usize = 4;

/// An M-Pesa receipt to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// Safaricom's receipt number (`TransID`, `MpesaReceiptNumber`): 1–20 letters and digits.
    pub trans_id: String,
    /// The account number as the payer typed it (kept for finance staff, up to 40 chars).
    pub bill_ref: String,
    /// The bill it pays, when known and well-formed; `None` sends it to suspense.
    pub reference: Option<BillReference>,
    /// What was paid.
    pub amount: Money,
    /// When M-Pesa completed it (unix ms), when known.
    pub trans_time_ms: Option<i64>,
    /// The body exactly as received, for the auditor.
    pub raw: String,
}

/// What recording a receipt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// Posted against a bill.
    Posted {
        /// The bill.
        reference: String,
        /// Its status now.
        status: crate::BillStatus,
    },
    /// Posted to suspense: no open bill matched.
    Suspense,
    /// This TransID was already recorded; nothing posted.
    Repeat,
}

struct Job {
    incoming: Incoming,
    reply: oneshot::Sender<Result<Confirmed>>,
}

/// The node's receipt committer: cheap to clone, shared by every handler.
#[derive(Clone)]
pub struct Receipts {
    jobs: mpsc::Sender<Job>,
}

impl Receipts {
    /// Starts the committer on `db` (on SQLite, on a thread of its own).
    pub fn start(db: Db) -> Receipts {
        let (jobs, rx) = mpsc::channel(16 * GROUP_LIMIT);
        match db.backend() {
            Backend::Sqlite => lango_core::own_thread::spawn("lango-receipts", false, run(db, rx)),
            // A PostgreSQL connection's socket answers to the runtime that opened it, which
            // would wake a thread of its own late (measured: a third of the rate).
            Backend::Postgres => {
                tokio::spawn(run(db, rx));
            }
        }
        Receipts { jobs }
    }

    /// Records `incoming`; returns once it is committed (or known to be a repeat).
    pub async fn record(&self, incoming: Incoming) -> Result<Confirmed> {
        lango_core::committer::ask(&self.jobs, "receipt", |reply| Job { incoming, reply }).await
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(GROUP_LIMIT);
    // The committer keeps one connection: no wait for the pool between groups.
    let mut conn = lango_core::db::Held::default();
    while lango_core::committer::next_group(&mut rx, &mut jobs, GROUP_LIMIT, GATHER_YIELDS).await {
        let incoming: Vec<&Incoming> = jobs.iter().map(|j| &j.incoming).collect();
        let started = std::time::Instant::now();
        let mut outcome = commit_with_retry(&db, &mut conn, &incoming).await;
        if outcome.is_ok() {
            use lango_core::telemetry::{committer, group_committed};
            group_committed(committer::RECEIPTS, incoming.len(), started.elapsed());
        }
        for (i, job) in jobs.drain(..).enumerate() {
            let answer = match &mut outcome {
                Ok(all) => Ok(std::mem::replace(&mut all[i], Confirmed::Repeat)),
                Err(e) => Err(Error::Internal(e.to_string())),
            };
            let _ = job.reply.send(answer);
        }
    }
}

/// Records a group directly, outside any node's committer (the shell, reconciliation).
pub async fn record_group(db: &Db, group: &[&Incoming]) -> Result<Vec<Confirmed>> {
    commit_with_retry(db, &mut lango_core::db::Held::default(), group).await
}

/// PostgreSQL may abort a group that raced another node (deadlock, serialisation); the
/// group is tried again from the start, which is safe because nothing of it committed.
async fn commit_with_retry(
    db: &Db,
    conn: &mut lango_core::db::Held,
    group: &[&Incoming],
) -> Result<Vec<Confirmed>> {
    let mut attempt = 0;
    loop {
        let c = conn.get(db).await?;
        // On SQLite the node's committers take turns (see `Db::write_turn`).
        let turn = db.write_turn().await;
        let result = commit_group(db.backend(), c, group).await;
        drop(turn);
        if result.is_err() {
            // The connection may be what failed; the next attempt takes a fresh one.
            conn.release();
        }
        match result {
            Err(e @ (Error::Database(_) | Error::Conflict(_))) if attempt < 5 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "receipt group failed; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(10 << attempt)).await;
            }
            other => return other,
        }
    }
}

/// Records one group in one transaction; returns each receipt's outcome in order.
pub async fn commit_group(
    backend: Backend,
    conn: &mut sqlx::AnyConnection,
    group: &[&Incoming],
) -> Result<Vec<Confirmed>> {
    let mut outcomes = vec![Confirmed::Repeat; group.len()];
    // A TransID twice in one group: the first one counts.
    let mut seen = HashSet::new();
    let mut firsts: Vec<usize> = (0..group.len())
        .filter(|&i| seen.insert(group[i].trans_id.as_str()))
        .collect();
    let t0 = std::time::Instant::now();
    let mut tx = lango_core::db::begin_write(conn).await?;
    let locked = t0.elapsed();
    let stored = already_stored(&mut tx, group, &firsts).await?;
    firsts.retain(|&i| !stored.contains(group[i].trans_id.as_str()));
    let new = firsts;
    let mut references: Vec<String> = new
        .iter()
        .filter_map(|&i| group[i].reference.as_ref().map(|r| r.as_str().to_string()))
        .collect();
    references.sort();
    references.dedup();
    let mut bills = posting::lock_bills(&mut tx, backend, &references).await?;
    let mut transactions = Vec::with_capacity(new.len());
    let mut paid: Vec<(String, Payment)> = Vec::new();
    for &i in &new {
        let r = group[i];
        let payment = Payment {
            channel: CHANNEL.to_string(),
            receipt: r.trans_id.clone(),
            amount: r.amount,
        };
        let bill = r.reference.as_ref().and_then(|b| bills.get_mut(b.as_str()));
        let (t, applied) = posting::apply(bill, &payment)?;
        transactions.push(t);
        outcomes[i] = match applied {
            Applied::Bill { reference, status } => {
                paid.push((reference.clone(), payment));
                Confirmed::Posted { reference, status }
            }
            Applied::Suspense => Confirmed::Suspense,
        };
    }
    let ids = store::post_many(&mut tx, &transactions).await?;
    // Sorted, so two nodes inserting the same receipts wait on each other in one order.
    let mut rows: Vec<(&Incoming, &str, &str)> = new
        .iter()
        .zip(&ids)
        .map(|(&i, id)| {
            let outcome = if outcomes[i] == Confirmed::Suspense {
                "suspense"
            } else {
                "posted"
            };
            (group[i], outcome, id.as_str())
        })
        .collect();
    rows.sort_by(|a, b| a.0.trans_id.cmp(&b.0.trans_id));
    if insert_receipts(&mut tx, backend, &rows).await? != rows.len() {
        // Another node recorded one of these since we looked (PostgreSQL): nothing of this
        // group is kept, and the retry finds it stored.
        return Err(Error::Conflict(
            "a receipt of the group was recorded meanwhile".into(),
        ));
    }
    // The events are numbered from `first` in the order of `paid`.
    let first = emit_received(&mut tx, &bills, &paid).await?;
    let mut links = Vec::with_capacity(paid.len());
    for (k, (r, _)) in paid.iter().enumerate() {
        if let Some(bill) = bills.get_mut(r) {
            links.push(posting::chain_payment(bill, first + k as i64));
        }
    }
    posting::store_links(&mut tx, &links).await?;
    let changed: HashSet<&str> = paid.iter().map(|(r, _)| r.as_str()).collect();
    let mut changed: Vec<&BillState> = changed.iter().map(|r| &bills[*r]).collect();
    changed.sort_by(|a, b| a.reference.cmp(&b.reference));
    posting::save_bills(&mut tx, changed).await?;
    let written = t0.elapsed();
    tx.commit().await?;
    let total = t0.elapsed();
    tracing::debug!(
        receipts = group.len(),
        new = new.len(),
        ms = total.as_secs_f64() * 1000.0,
        lock_ms = locked.as_secs_f64() * 1000.0,
        commit_ms = (total - written).as_secs_f64() * 1000.0,
        "receipt group committed"
    );
    Ok(outcomes)
}

/// The TransIDs among `which` that are already stored.
async fn already_stored(
    tx: &mut sqlx::AnyConnection,
    group: &[&Incoming],
    which: &[usize],
) -> Result<HashSet<String>> {
    let mut stored = HashSet::new();
    let backend = lango_core::db::backend_of(tx);
    for run in padded(which) {
        let sql = format!(
            "SELECT trans_id FROM mpesa_receipts WHERE trans_id IN ({})",
            marks(backend, run.listed())
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for (_, &i) in run.rows() {
            q = q.bind(&group[i].trans_id);
        }
        stored.extend(q.fetch_all(&mut *tx).await?);
    }
    Ok(stored)
}

/// Inserts the receipts with their outcome and ledger transaction; returns how many were
/// new (a TransID stored meanwhile is skipped, and the caller starts again).
async fn insert_receipts(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: &[(&Incoming, &str, &str)],
) -> Result<usize> {
    let now = now_ms();
    let mut inserted = 0;
    for run in padded(rows) {
        let sql = format!(
            "INSERT INTO mpesa_receipts (trans_id, bill_reference, amount, currency, trans_time, raw, \
             outcome, ledger_transaction, received_at) {} \
             ON CONFLICT (trans_id) DO NOTHING RETURNING trans_id",
            kept_rows(backend, run.listed(), 9)
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for (keep, (r, outcome, ledger)) in run.rows() {
            q = q
                .bind(keep)
                .bind(&r.trans_id)
                .bind(r.bill_ref.chars().take(40).collect::<String>())
                .bind(r.amount.minor())
                .bind(r.amount.currency().code())
                .bind(r.trans_time_ms)
                .bind(&r.raw)
                .bind(*outcome)
                .bind(*ledger)
                .bind(now);
        }
        inserted += q.fetch_all(&mut *tx).await?.len();
    }
    Ok(inserted)
}

/// One `payment.received` event per posted receipt, with the bill as it stands after the
/// whole group (later receipts of the same bill show its final state); returns the first
/// event's seq (the others follow in the order of `paid`).
async fn emit_received(
    tx: &mut sqlx::AnyConnection,
    bills: &HashMap<String, BillState>,
    paid: &[(String, Payment)],
) -> Result<i64> {
    let data: Vec<(&BillState, serde_json::Value)> = paid
        .iter()
        .map(|(r, p)| (&bills[r], posting::received_event(&bills[r], p)))
        .collect();
    let events: Vec<lango_notify::events::NewEvent> = data
        .iter()
        .map(|(bill, data)| lango_notify::events::NewEvent {
            kind: "payment.received",
            agency: &bill.agency,
            order_key: &bill.reference,
            data: data.clone(),
        })
        .collect();
    lango_notify::events::emit_many(tx, &events).await
}
