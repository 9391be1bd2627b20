//! Hash-chained logs: the audit log (state changes, looks at people's data) and the exchange
//! log (webhooks sent, agency systems' calls). Append inside the caller's transaction,
//! verify from the shell.
//!
//! Appends take the chain's counter row lock, so records are numbered without gaps in
//! commit order and each one can read the hash of the one before it. A record that stands
//! alone (not part of a change) goes through the node's [`Committer`], which commits many
//! callers' records in one transaction.

use crate::clock::now_ms;
use crate::db::{read_counter, Backend, Db};
use crate::Result;
use sha2::{Digest, Sha256};
use sqlx::Row;

mod committer;
pub use committer::Committer;

/// One hash-chained log: its table and the counter that numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chain {
    /// The table.
    pub table: &'static str,
    /// The counter.
    pub counter: &'static str,
}

/// State changes and every look at a person's data.
pub const AUDIT: Chain = Chain {
    table: "audit_log",
    counter: "audit",
};

/// Outbound webhooks and agency systems' calls.
pub const EXCHANGE: Chain = Chain {
    table: "exchange_log",
    counter: "exchange",
};
/// The `prev_hash` of the first record.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One thing to record.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Who did it: `account:ID`, `apikey:ID`, `system`, `cli`.
    pub actor: &'a str,
    /// What was done, e.g. `profile.update`.
    pub action: &'a str,
    /// What it was done to, e.g. `account:ID`.
    pub object: &'a str,
    /// Whose data it concerns (an account id), so people can see who touched theirs.
    pub subject: &'a str,
    /// Details for the auditor (no secrets).
    pub detail: &'a str,
}

/// An [`Entry`] that owns its text: held until a group committer writes it (an agency
/// system's call is logged in the transaction of the change it asked for).
#[derive(Debug, Clone)]
pub struct Line {
    actor: String,
    action: String,
    object: String,
    subject: String,
    detail: String,
}

impl Line {
    /// An owned copy of `e`.
    pub fn of(e: &Entry<'_>) -> Line {
        Line {
            actor: e.actor.to_string(),
            action: e.action.to_string(),
            object: e.object.to_string(),
            subject: e.subject.to_string(),
            detail: e.detail.to_string(),
        }
    }

    /// The entry to append.
    pub fn entry(&self) -> Entry<'_> {
        Entry {
            actor: &self.actor,
            action: &self.action,
            object: &self.object,
            subject: &self.subject,
            detail: &self.detail,
        }
    }
}

/// A stored record.
#[derive(Debug, Clone)]
pub struct Record {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, unix milliseconds.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub object: String,
    /// Whose data.
    pub subject: String,
    /// Details.
    pub detail: String,
}

fn field(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn chain_hash(prev: &str, r: &Record) -> String {
    let mut h = Sha256::new();
    field(&mut h, prev);
    h.update(r.seq.to_be_bytes());
    h.update(r.at.to_be_bytes());
    for s in [&r.actor, &r.action, &r.object, &r.subject, &r.detail] {
        field(&mut h, s);
    }
    hex::encode(h.finalize())
}

/// Appends `entry` to the audit log inside `tx`; it becomes visible (and chained) when
/// `tx` commits.
pub async fn append(tx: &mut sqlx::AnyConnection, entry: Entry<'_>) -> Result<i64> {
    append_many(tx, AUDIT, std::slice::from_ref(&entry)).await
}

/// Appends `entries` to `chain` inside `tx`, in order, with one counter step and one
/// multi-row insert (the webhook hot path logs hundreds at once); returns the last seq.
pub async fn append_many(
    tx: &mut sqlx::AnyConnection,
    chain: Chain,
    entries: &[Entry<'_>],
) -> Result<i64> {
    if entries.is_empty() {
        return Ok(0);
    }
    let n = entries.len() as i64;
    let step = "INSERT INTO counters (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + $2 RETURNING value";
    let (last, prev): (i64, Option<String>) = if crate::db::backend_of(tx) == Backend::Sqlite {
        // The counter's step and the hash before it in one statement: one hand-over to the
        // connection's thread fewer in every group a committer writes. (Not on PostgreSQL:
        // there the statement's snapshot may predate the entry before ours, whose writer
        // held the counter's row until it committed.)
        sqlx::query_as(&format!(
            "{step}, (SELECT hash FROM {} WHERE seq = counters.value - $2)",
            chain.table
        ))
        .bind(chain.counter)
        .bind(n)
        .fetch_one(&mut *tx)
        .await?
    } else {
        let last: i64 = sqlx::query_scalar(step)
            .bind(chain.counter)
            .bind(n)
            .fetch_one(&mut *tx)
            .await?;
        let prev = if last - n >= 1 {
            sqlx::query_scalar(&format!("SELECT hash FROM {} WHERE seq = $1", chain.table))
                .bind(last - n)
                .fetch_optional(&mut *tx)
                .await?
        } else {
            None
        };
        (last, prev)
    };
    let first = last - n + 1;
    // The first entry, and an entry whose predecessor is gone, chain from the genesis.
    let mut prev = prev
        .filter(|_| first > 1)
        .unwrap_or_else(|| GENESIS.to_string());
    let at = now_ms();
    // 9 values a row: 100 rows stay under both engines' bind limits.
    for (c, chunk) in entries.chunks(100).enumerate() {
        let mut sql = format!(
            "INSERT INTO {} (seq, at, actor, action, object, subject, detail, prev_hash, hash) VALUES ",
            chain.table
        );
        for i in 0..chunk.len() {
            let b = i * 9;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
        }
        let mut q = sqlx::query(&sql);
        for (i, e) in chunk.iter().enumerate() {
            let record = Record {
                seq: first + (c * 100 + i) as i64,
                at,
                actor: e.actor.to_string(),
                action: e.action.to_string(),
                object: e.object.to_string(),
                subject: e.subject.to_string(),
                detail: e.detail.to_string(),
            };
            let hash = chain_hash(&prev, &record);
            q = q
                .bind(record.seq)
                .bind(record.at)
                .bind(record.actor)
                .bind(record.action)
                .bind(record.object)
                .bind(record.subject)
                .bind(record.detail)
                .bind(prev)
                .bind(hash.clone());
            prev = hash;
        }
        q.execute(&mut *tx).await?;
    }
    Ok(last)
}

/// Appends one entry to the audit log in its own transaction.
pub async fn record(db: &Db, entry: Entry<'_>) -> Result<i64> {
    record_in(db, AUDIT, entry).await
}

/// Appends one entry to `chain` in its own transaction (on a hot path, prefer the node's
/// [`Committer`], which shares one commit among many callers).
pub async fn record_in(db: &Db, chain: Chain, entry: Entry<'_>) -> Result<i64> {
    let mut tx = db.pool().begin().await?;
    let seq = append_many(&mut tx, chain, std::slice::from_ref(&entry)).await?;
    tx.commit().await?;
    Ok(seq)
}

fn record_of(row: &sqlx::any::AnyRow) -> Result<Record> {
    Ok(Record {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        object: row.try_get("object")?,
        subject: row.try_get("subject")?,
        detail: row.try_get("detail")?,
    })
}

/// The newest records that concern `subject`, newest first.
pub async fn for_subject(db: &Db, subject: &str, limit: i64) -> Result<Vec<Record>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, object, subject, detail FROM audit_log \
         WHERE subject = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(subject)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record_of).collect()
}

/// What `verify` found wrong, naming the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The record's content no longer matches its hash.
    Altered(i64),
    /// Records are missing before this one (or at the end, after it).
    Missing { after: i64, next: Option<i64> },
    /// The record does not follow the one before it (moved or replaced).
    Broken(i64),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Altered(s) => write!(f, "record {s} was altered"),
            Fault::Missing {
                after,
                next: Some(n),
            } => {
                write!(f, "records between {after} and {n} were removed")
            }
            Fault::Missing { after, next: None } => {
                write!(f, "records after {after} were removed")
            }
            Fault::Broken(s) => write!(f, "record {s} does not follow the record before it"),
        }
    }
}

/// Walks a whole chain; returns how many records it checked and every fault found.
pub async fn verify(
    db: &Db,
    chain: Chain,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(u64, Vec<Fault>)> {
    let total = read_counter(db, chain.counter).await?;
    let mut faults = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut expected = 1i64;
    let mut checked = 0u64;
    let mut after = 0i64;
    const PAGE: i64 = 5_000;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT seq, at, actor, action, object, subject, detail, prev_hash, hash FROM {} \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
            chain.table
        ))
        .bind(after)
        .bind(PAGE)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let r = record_of(row)?;
            let stored_prev: String = row.try_get("prev_hash")?;
            let stored_hash: String = row.try_get("hash")?;
            if r.seq != expected {
                faults.push(Fault::Missing {
                    after: expected - 1,
                    next: Some(r.seq),
                });
            } else if stored_prev != prev_hash {
                faults.push(Fault::Broken(r.seq));
            }
            if chain_hash(&stored_prev, &r) != stored_hash {
                faults.push(Fault::Altered(r.seq));
            }
            prev_hash = stored_hash;
            expected = r.seq + 1;
            after = r.seq;
            checked += 1;
        }
        progress(checked, total.max(0) as u64);
    }
    if expected - 1 < total {
        faults.push(Fault::Missing {
            after: expected - 1,
            next: None,
        });
    }
    Ok((checked, faults))
}
