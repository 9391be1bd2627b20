//! The node's audit committer: records that stand alone (not part of a change of the
//! caller's, such as the exchange log's line for every agency call) written in groups.
//!
//! One durable transaction per record was one commit per API call: on SQLite each took the
//! one write lock and an fsync of its own, competing with the queue and receipt
//! committers' groups. Here the records waiting at the moment share one transaction (one
//! counter step and one multi-row insert per chain), and each caller is answered only once
//! that transaction has committed, so a record acknowledged is never lost. The chain stays
//! exactly what one-by-one appends make: numbered without gaps in commit order, each
//! record hashing the one before it.

use super::{append_many, Chain, Entry, Line};
use crate::db::{begin_write, Db, Held};
use crate::Result;
use tokio::sync::{mpsc, oneshot};

/// Most records in one transaction (several chunks of [`append_many`]'s multi-row insert).
const GROUP_LIMIT: usize = 512;

struct Job {
    chain: Chain,
    entry: Line,
    reply: oneshot::Sender<Result<i64>>,
}

/// The node's audit committer: cheap to clone; every clone feeds the same thread.
#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("audit::Committer").finish_non_exhaustive()
    }
}

impl Committer {
    /// Starts the committer on a thread of its own (see [`crate::own_thread`]: its round
    /// trips must not wait behind the web server's tasks). It stops once every clone is
    /// dropped, after writing what it was given.
    pub fn start(db: Db) -> Committer {
        let (jobs, rx) = mpsc::channel(4 * GROUP_LIMIT);
        crate::own_thread::spawn(
            "audit-committer",
            db.backend() == crate::db::Backend::Postgres,
            run(db, rx),
        );
        Committer { jobs }
    }

    /// Appends `entry` to `chain` in the next group; returns its seq once that group has
    /// committed (as [`super::record_in`] does for a transaction of its own).
    pub async fn record(&self, chain: Chain, entry: Entry<'_>) -> Result<i64> {
        crate::committer::ask(&self.jobs, "audit", |reply| Job {
            chain,
            entry: Line::of(&entry),
            reply,
        })
        .await
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut conn = Held::default();
    let mut jobs: Vec<Job> = Vec::with_capacity(GROUP_LIMIT);
    while crate::committer::next_group(&mut rx, &mut jobs, GROUP_LIMIT, 0).await {
        let group: Vec<Job> = std::mem::take(&mut jobs);
        let started = std::time::Instant::now();
        match commit(&db, &mut conn, &group).await {
            Ok(seqs) => {
                crate::telemetry::group_committed(
                    crate::telemetry::committer::AUDIT,
                    group.len(),
                    started.elapsed(),
                );
                for (job, seq) in group.into_iter().zip(seqs) {
                    let _ = job.reply.send(Ok(seq));
                }
            }
            Err(e) => {
                // Nothing of the group committed: each record alone, so a fault that was
                // the group's (a busy lock, a bind limit) does not fail every caller.
                tracing::warn!(error = %e, size = group.len(), "audit group failed; one by one");
                for job in group {
                    let answer = commit(&db, &mut conn, std::slice::from_ref(&job))
                        .await
                        .map(|s| s.first().copied().unwrap_or(0));
                    let _ = job.reply.send(answer);
                }
            }
        }
    }
}

/// Writes `group` in one transaction, each chain's records in arrival order; returns each
/// record's seq, in the group's order.
async fn commit(db: &Db, held: &mut Held, group: &[Job]) -> Result<Vec<i64>> {
    let conn = held.get(db).await?;
    let seqs = commit_in(db, conn, group).await;
    if seqs.is_err() {
        held.release();
    }
    seqs
}

async fn commit_in(db: &Db, conn: &mut sqlx::AnyConnection, group: &[Job]) -> Result<Vec<i64>> {
    let _turn = db.write_turn().await;
    let mut tx = begin_write(conn).await?;
    let mut seqs = vec![0i64; group.len()];
    let mut chains: Vec<Chain> = Vec::new();
    for job in group {
        if !chains.contains(&job.chain) {
            chains.push(job.chain);
        }
    }
    for chain in chains {
        let at: Vec<usize> = (0..group.len())
            .filter(|&i| group[i].chain == chain)
            .collect();
        let entries: Vec<Entry<'_>> = at.iter().map(|&i| group[i].entry.entry()).collect();
        let last = append_many(&mut tx, chain, &entries).await?;
        let first = last - entries.len() as i64 + 1;
        for (k, &i) in at.iter().enumerate() {
            seqs[i] = first + k as i64;
        }
    }
    tx.commit().await?;
    Ok(seqs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{verify, AUDIT, EXCHANGE};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn grouped_records_keep_both_chains_whole() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/audit.db?mode=rwc", dir.path().display());
        let db = Db::connect(&url, 4).await.unwrap();
        db.migrate(&[crate::db::migrations()]).await.unwrap();
        // One record first on its own, so the group continues an existing chain.
        crate::audit::record_in(&db, EXCHANGE, entry("first"))
            .await
            .unwrap();
        let committer = Committer::start(db.clone());
        let mut tasks = Vec::new();
        for i in 0..300 {
            let c = committer.clone();
            tasks.push(tokio::spawn(async move {
                let chain = if i % 3 == 0 { AUDIT } else { EXCHANGE };
                let detail = format!("call {i}");
                let seq = c.record(chain, entry(&detail)).await.unwrap();
                (chain, seq, detail)
            }));
        }
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        // Each answered seq holds that caller's record, and the seqs are the whole chain.
        for (chain, seq, detail) in &seen {
            let stored: String = sqlx::query_scalar(&format!(
                "SELECT detail FROM {} WHERE seq = $1",
                chain.table
            ))
            .bind(seq)
            .fetch_one(db.pool())
            .await
            .unwrap();
            assert_eq!(&stored, detail);
        }
        for (chain, count) in [(AUDIT, 100u64), (EXCHANGE, 201)] {
            let (checked, faults) = verify(&db, chain, &mut |_, _| {}).await.unwrap();
            assert_eq!(checked, count, "{}", chain.table);
            assert!(faults.is_empty(), "{}: {faults:?}", chain.table);
        }
        drop(committer);
        db.close().await;
    }

    fn entry(detail: &str) -> Entry<'_> {
        Entry {
            actor: "apikey:test",
            action: "api.call",
            object: "POST /api/v1/test",
            subject: "TEST",
            detail,
        }
    }
}
