//! Reconciliation: M-Pesa's own record of the paybill (a portal statement, or a Pull
//! Transactions sweep) compared with the receipts Lango holds, matched on the receipt number
//! (TransID).
//!
//! - **matched**: the same receipt for the same amount. The receipt becomes *verified*, and
//!   only verified receipts are ever settled, so a forged callback never moves money out.
//! - **amount mismatch**: the same receipt for another amount. Reported; not verified.
//! - **missing in ledger**: M-Pesa shows money Lango never recorded (a lost callback). Reported
//!   for review; a finance officer proposes it and a second one approves it, unless Daraja's
//!   own Pull Transactions shows it too ([`review::post_reviewed`]).
//! - **missing in statement**: Lango holds a receipt, inside the period M-Pesa's record covers,
//!   that M-Pesa does not show: possibly a forged callback. Reported; never verified.
//!
//! A run is stored with what it found, in one transaction with the verifications it makes.
//! A statement file is recognised by its SHA-256: importing it again returns the first run.

mod read;
pub mod reversals;
pub mod review;

pub use read::{get, items, runs};

use crate::statement::{self, BadRow, StatementError};
use lango_core::clock::now_ms;
use lango_core::db::{values_list, Db, ROWS_PER_STATEMENT};
use lango_core::money::Money;
use lango_core::Result;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// A run made from a portal statement file.
pub const STATEMENT: &str = "statement";
/// A run made by the Pull Transactions sweep.
pub const PULL: &str = "pull";

/// What reconciliation found about one receipt.
pub const KINDS: [&str; 6] = [
    "matched",
    "amount_mismatch",
    "missing_in_ledger",
    "missing_in_statement",
    "bad_row",
    "reversed",
];

/// Where a channel's receipts are, so that its provider's record can be compared with them.
/// `{in}` stands for the receipts' placeholders.
#[derive(Debug)]
pub struct Ledger {
    /// `trans_id, amount, verified_at` of the receipts named in `{in}` (`$1`…).
    pub held: &'static str,
    /// Marks the receipts named in `{in}` (`$2`…) verified at `$1`.
    pub verify: &'static str,
    /// `trans_id, amount, bill_reference, at` of every receipt paid between `$1` and `$2`.
    pub within: &'static str,
}

/// M-Pesa's receipts.
pub const MPESA: Ledger = Ledger {
    held: "SELECT trans_id, amount, verified_at FROM mpesa_receipts WHERE trans_id IN ({in})",
    verify: "UPDATE mpesa_receipts SET verified_at = $1 WHERE verified_at IS NULL AND trans_id IN ({in})",
    within: "SELECT trans_id, amount, bill_reference, COALESCE(trans_time, received_at) AS at \
             FROM mpesa_receipts WHERE (trans_time >= $1 AND trans_time <= $2) \
             OR (trans_time IS NULL AND received_at >= $1 AND received_at <= $2) ORDER BY trans_id",
};

/// The currency a run's amounts are in: M-Pesa's paybill takes shillings, FPX ringgit.
pub fn currency_of(source: &str) -> lango_core::money::Currency {
    if source == crate::fpx::settlement::SOURCE {
        lango_core::money::Currency::Myr
    } else {
        lango_core::money::Currency::Kes
    }
}

/// True when a finance officer may post a run's missing receipts from it (M-Pesa's; an FPX
/// transaction Lango did not start is never posted).
pub fn postable(source: &str) -> bool {
    source == STATEMENT || source == PULL
}

/// A payment M-Pesa's record shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Where in the record (statement line, or position in the Pull answer).
    pub line: u64,
    /// The receipt number (TransID).
    pub receipt: String,
    /// The amount paid in.
    pub amount: Money,
    /// When M-Pesa completed it, unix ms.
    pub completed_at: i64,
    /// The account number the payer typed.
    pub account: String,
    /// The record's own row, as JSON.
    pub raw: String,
}

impl From<statement::Row> for Seen {
    fn from(r: statement::Row) -> Seen {
        Seen {
            line: r.line,
            receipt: r.receipt,
            amount: r.amount,
            completed_at: r.completed_at,
            account: r.account,
            raw: r.raw,
        }
    }
}

/// One comparison to make.
#[derive(Debug, Clone)]
pub struct Comparison<'a> {
    /// [`STATEMENT`], [`PULL`] or [`crate::fpx::settlement::SOURCE`].
    pub source: &'a str,
    /// Where the channel's receipts are.
    pub ledger: &'a Ledger,
    /// The statement's file name (empty for a sweep).
    pub file_name: &'a str,
    /// The statement file's SHA-256 (none for a sweep).
    pub sha256: Option<String>,
    /// The span M-Pesa's record covers: receipts inside it must appear in it.
    pub period: Option<(i64, i64)>,
    /// The payments it shows.
    pub seen: Vec<Seen>,
    /// Rows that could not be read.
    pub bad: Vec<BadRow>,
    /// Rows that are not money in.
    pub skipped: u64,
    /// Who asked (`account:ID`, `cli`, `system`).
    pub by: &'a str,
}

/// A stored run and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Its reference.
    pub id: String,
    /// [`STATEMENT`] or [`PULL`].
    pub source: String,
    /// The statement's file name.
    pub file_name: String,
    /// The statement file's SHA-256.
    pub file_sha256: Option<String>,
    /// The span compared (unix ms), when known.
    pub period: Option<(i64, i64)>,
    /// Rows read (payments, skipped and bad).
    pub rows_read: i64,
    /// Rows that were not money in.
    pub skipped: i64,
    /// Payments found with the same amount in the ledger.
    pub matched: i64,
    /// Of those, receipts this run verified for the first time.
    pub verified: i64,
    /// Same receipt, other amount.
    pub amount_mismatch: i64,
    /// In M-Pesa's record, not in the ledger.
    pub missing_in_ledger: i64,
    /// In the ledger within the period, not in M-Pesa's record.
    pub missing_in_statement: i64,
    /// Rows that could not be read.
    pub bad_rows: i64,
    /// Who made it.
    pub created_by: String,
    /// When, unix ms.
    pub created_at: i64,
}

impl Run {
    /// True when the run found nothing to look into.
    pub fn clean(&self) -> bool {
        self.amount_mismatch + self.missing_in_ledger + self.missing_in_statement + self.bad_rows
            == 0
    }
}

/// One finding of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its number in the run.
    pub item: i64,
    /// Its line in the statement (or position in the Pull answer).
    pub line: Option<i64>,
    /// One of [`KINDS`].
    pub kind: String,
    /// The receipt number.
    pub receipt: String,
    /// What M-Pesa's record says, minor units (KES).
    pub statement_amount: Option<i64>,
    /// What the ledger's receipt says.
    pub ledger_amount: Option<i64>,
    /// The account number typed (statement) or recorded (ledger).
    pub account: String,
    /// When M-Pesa completed it (or the receipt's time), unix ms.
    pub completed_at: Option<i64>,
    /// M-Pesa's row as JSON (empty for receipts missing in the statement and bad rows).
    pub raw: String,
    /// Why a row is bad, or other detail.
    pub note: String,
    /// When a missing receipt was posted after review.
    pub posted_at: Option<i64>,
    /// Who posted it.
    pub posted_by: Option<String>,
    /// Who proposed posting it, waiting for a second finance officer's approval.
    pub proposed_by: Option<String>,
    /// When it was proposed, unix ms.
    pub proposed_at: Option<i64>,
    /// True when the receipt is in the ledger now (a missing one posted since, by anyone).
    pub in_ledger: bool,
}

/// Imports a portal statement file: parses it and compares it with the ledger. The same
/// file again (same SHA-256) returns the earlier run and changes nothing; `Ok(Err(_))` is a
/// file that cannot be used at all. (An FPX settlement report goes to
/// [`crate::fpx::settlement::import`]; callers tell them apart with `is_report`.)
pub async fn import_statement(
    db: &Db,
    file_name: &str,
    bytes: &[u8],
    by: &str,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<std::result::Result<(Run, bool), StatementError>> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let parsed = match statement::parse(bytes) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(run) = read::by_sha256(db, &sha256).await? {
        // Its reversals again: a listing cut short lists the rest now.
        reversals::list_all(db, &run.id, &parsed.reversals).await?;
        return Ok(Ok((run, false)));
    }
    let period = parsed.span();
    let file_name: String = file_name.chars().take(200).collect();
    let reversed = parsed.reversals;
    let comparison = Comparison {
        source: STATEMENT,
        ledger: &MPESA,
        file_name: &file_name,
        sha256: Some(sha256),
        period,
        seen: parsed.rows.into_iter().map(Seen::from).collect(),
        bad: parsed.bad,
        skipped: parsed.skipped,
        by,
    };
    let (run, new) = compare(db, comparison, progress).await?;
    // Every import, not only the first: a listing cut short lists the rest next time.
    reversals::list_all(db, &run.id, &reversed).await?;
    Ok(Ok((run, new)))
}

/// Imports either file a finance officer brings, told apart by its columns: an FPX
/// settlement report ([`crate::fpx::settlement::import`], asking the gateway through
/// `seller` when FPX is configured) or an M-Pesa portal statement ([`import_statement`]).
pub async fn import_file(
    db: &Db,
    seller: Option<&crate::fpx::Seller>,
    file_name: &str,
    bytes: &[u8],
    by: &str,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<std::result::Result<(Run, bool), StatementError>> {
    if crate::fpx::settlement::is_report(bytes) {
        crate::fpx::settlement::import(db, seller, file_name, bytes, by).await
    } else {
        import_statement(db, file_name, bytes, by, progress).await
    }
}

/// Compares `c` with the ledger and stores the run; returns it and whether it is new (a
/// statement already imported returns its first run).
pub async fn compare(
    db: &Db,
    c: Comparison<'_>,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<(Run, bool)> {
    let id = format!(
        "RC-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10].to_uppercase()
    );
    let now = now_ms();
    let total = c.seen.len() as u64;
    let mut tx = db.pool().begin().await?;
    // The run's row first: it takes the write lock (SQLite) and, for a file, claims its hash.
    let inserted = sqlx::query(
        "INSERT INTO reconciliation_runs (id, source, file_name, file_sha256, period_from, period_to, \
         rows_read, skipped, matched, verified, amount_mismatch, missing_in_ledger, missing_in_statement, \
         bad_rows, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, 0, 0, 0, 0, $7, $8) \
         ON CONFLICT (file_sha256) DO NOTHING",
    )
    .bind(&id)
    .bind(c.source)
    .bind(c.file_name)
    .bind(c.sha256.as_deref())
    .bind(c.period.map(|p| p.0))
    .bind(c.period.map(|p| p.1))
    .bind(c.by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        tx.rollback().await?;
        let sha = c.sha256.unwrap_or_default();
        let run = read::by_sha256(db, &sha)
            .await?
            .ok_or_else(|| lango_core::Error::Internal("imported run vanished".into()))?;
        return Ok((run, false));
    }
    let mut held: HashMap<String, (i64, Option<i64>)> = HashMap::new();
    let receipts: Vec<&str> = c.seen.iter().map(|s| s.receipt.as_str()).collect();
    for (n, chunk) in receipts.chunks(ROWS_PER_STATEMENT).enumerate() {
        let sql = c.ledger.held.replace("{in}", &marks(chunk.len()));
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(*r);
        }
        for row in q.fetch_all(&mut *tx).await? {
            held.insert(
                row.try_get("trans_id")?,
                (row.try_get("amount")?, row.try_get("verified_at")?),
            );
        }
        progress(
            ((n * ROWS_PER_STATEMENT + chunk.len()) as u64).min(total),
            total,
        );
    }
    let mut items: Vec<NewItem> = Vec::new();
    let mut to_verify: Vec<&str> = Vec::new();
    let mut matched = 0_i64;
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for s in &c.seen {
        let kind = match held.get(&s.receipt) {
            None => "missing_in_ledger",
            Some((amount, _)) if *amount != s.amount.minor() => "amount_mismatch",
            Some((_, verified)) => {
                matched += 1;
                if verified.is_some() {
                    continue;
                }
                to_verify.push(&s.receipt);
                "matched"
            }
        };
        *counts.entry(kind).or_default() += 1;
        items.push(NewItem {
            line: Some(s.line as i64),
            kind,
            receipt: s.receipt.clone(),
            statement_amount: Some(s.amount.minor()),
            ledger_amount: held.get(&s.receipt).map(|h| h.0),
            account: s.account.clone(),
            completed_at: Some(s.completed_at),
            raw: s.raw.clone(),
            note: String::new(),
        });
    }
    for chunk in to_verify.chunks(ROWS_PER_STATEMENT) {
        let sql = c.ledger.verify.replace(
            "{in}",
            &(2..chunk.len() + 2)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        let mut q = sqlx::query(&sql).bind(now);
        for r in chunk {
            q = q.bind(*r);
        }
        q.execute(&mut *tx).await?;
    }
    if let Some((from, to)) = c.period {
        let shown: HashSet<&str> = receipts.iter().copied().collect();
        let rows = sqlx::query(c.ledger.within)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *tx)
            .await?;
        for row in rows {
            let receipt: String = row.try_get("trans_id")?;
            if shown.contains(receipt.as_str()) {
                continue;
            }
            *counts.entry("missing_in_statement").or_default() += 1;
            items.push(NewItem {
                line: None,
                kind: "missing_in_statement",
                receipt,
                statement_amount: None,
                ledger_amount: Some(row.try_get("amount")?),
                account: row.try_get("bill_reference")?,
                completed_at: Some(row.try_get("at")?),
                raw: String::new(),
                note: String::new(),
            });
        }
    }
    for b in &c.bad {
        items.push(NewItem {
            line: Some(b.line as i64),
            kind: "bad_row",
            receipt: String::new(),
            statement_amount: None,
            ledger_amount: None,
            account: String::new(),
            completed_at: None,
            raw: String::new(),
            note: b.reason.clone(),
        });
    }
    insert_items(&mut tx, &id, &items).await?;
    let count = |k: &str| counts.get(k).copied().unwrap_or(0);
    let rows_read = (c.seen.len() + c.bad.len()) as i64 + c.skipped as i64;
    sqlx::query(
        "UPDATE reconciliation_runs SET rows_read = $1, skipped = $2, matched = $3, verified = $4, \
         amount_mismatch = $5, missing_in_ledger = $6, missing_in_statement = $7, bad_rows = $8 \
         WHERE id = $9",
    )
    .bind(rows_read)
    .bind(c.skipped as i64)
    .bind(matched)
    .bind(to_verify.len() as i64)
    .bind(count("amount_mismatch"))
    .bind(count("missing_in_ledger"))
    .bind(count("missing_in_statement"))
    .bind(c.bad.len() as i64)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "{} {}: {matched} matched ({} newly verified), {} amount mismatches, {} missing in ledger, \
         {} missing in statement, {} bad rows",
        c.source,
        c.file_name,
        to_verify.len(),
        count("amount_mismatch"),
        count("missing_in_ledger"),
        count("missing_in_statement"),
        c.bad.len()
    );
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: c.by,
            action: "reconciliation.run",
            object: &format!("reconciliation:{id}"),
            subject: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    progress(total, total);
    let run = get(db, &id)
        .await?
        .ok_or_else(|| lango_core::Error::Internal("stored run vanished".into()))?;
    Ok((run, true))
}

/// A finding to store.
struct NewItem {
    line: Option<i64>,
    kind: &'static str,
    receipt: String,
    statement_amount: Option<i64>,
    ledger_amount: Option<i64>,
    account: String,
    completed_at: Option<i64>,
    raw: String,
    note: String,
}

async fn insert_items(tx: &mut sqlx::AnyConnection, run: &str, items: &[NewItem]) -> Result<()> {
    for (c, chunk) in items.chunks(ROWS_PER_STATEMENT).enumerate() {
        let sql = format!(
            "INSERT INTO reconciliation_items (run_id, item, line, kind, receipt, statement_amount, \
             ledger_amount, account, completed_at, raw, note) VALUES {}",
            values_list(chunk.len(), 11)
        );
        let mut q = sqlx::query(&sql);
        for (i, it) in chunk.iter().enumerate() {
            q = q
                .bind(run)
                .bind((c * ROWS_PER_STATEMENT + i + 1) as i64)
                .bind(it.line)
                .bind(it.kind)
                .bind(&it.receipt)
                .bind(it.statement_amount)
                .bind(it.ledger_amount)
                .bind(&it.account)
                .bind(it.completed_at)
                .bind(&it.raw)
                .bind(&it.note);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

fn marks(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
