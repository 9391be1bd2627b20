//! The reversals a statement shows: listed with the run's findings (kind `reversed`) as
//! the statement is imported, and recorded against their bills (see
//! [`crate::refunds::reversal`]) only when two finance officers agree, as money only a
//! supplied file shows is: the first proposes, a second approves. Each finding's note says
//! what became of it: recorded as a refund, recorded before, or left for finance because
//! the payment is not a bill's or the bill no longer holds that much.

use crate::refunds::reversal::{self, Recorded, Reversal};
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::Result;

/// What became of one reversal, as the run's finding notes it.
fn note(r: &Reversal, recorded: &Recorded) -> String {
    match recorded {
        Recorded::New(refund) => format!(
            "M-Pesa reversed payment {}: recorded as refund {} of bill {}",
            r.original, refund.id, refund.bill_reference
        ),
        Recorded::Already => format!("M-Pesa reversed payment {}: recorded before", r.original),
        Recorded::Unmatched => format!(
            "M-Pesa reversed payment {}, which Lango did not post to a bill: look into it",
            r.original
        ),
        Recorded::Exceeds { left } => format!(
            "M-Pesa reversed payment {}, but its bill holds only {} now (refunded meanwhile): look into it",
            r.original,
            Money::from_minor(*left, Currency::Kes).display()
        ),
    }
}

/// Lists every reversal of run `run` (a statement's) with the run's findings, once
/// however often the statement is imported: one listed before is not listed again.
pub async fn list_all(db: &Db, run: &str, reversals: &[(u64, Reversal)]) -> Result<()> {
    for (line, r) in reversals {
        let listed: Option<i64> = sqlx::query_scalar(
            "SELECT item FROM reconciliation_items WHERE run_id = $1 AND kind = 'reversed' AND receipt = $2",
        )
        .bind(run)
        .bind(&r.receipt)
        .fetch_optional(db.pool())
        .await?;
        if listed.is_some() {
            continue;
        }
        // Reads, then writes: the write lock first (SQLite), or a writer committing in
        // between makes the insert fail at once with "database is locked".
        let mut conn = db.pool().acquire().await?;
        let mut tx = lango_core::db::begin_write(&mut conn).await?;
        let after: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(item), 0) AS BIGINT) FROM reconciliation_items WHERE run_id = $1",
        )
        .bind(run)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO reconciliation_items (run_id, item, line, kind, receipt, statement_amount, \
             ledger_amount, account, completed_at, raw, note) \
             VALUES ($1, $2, $3, 'reversed', $4, $5, NULL, $6, $7, '{}', $8)",
        )
        .bind(run)
        .bind(after + 1)
        .bind(*line as i64)
        .bind(&r.receipt)
        .bind(r.amount)
        .bind(&r.original)
        .bind((r.completed_at > 0).then_some(r.completed_at))
        .bind(format!(
            "M-Pesa reversed payment {}: waiting for two finance officers to record it",
            r.original
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A reversal finding as a decision reads it: (reversal receipt, amount, payment reversed,
/// completed at, proposed by).
type Finding = (String, Option<i64>, String, Option<i64>, Option<String>);

/// What finance's decision on reversal findings came to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Decided {
    /// Reversals recorded now (their receipts).
    pub recorded: Vec<String>,
    /// Proposed now, waiting for a second officer.
    pub proposed: Vec<String>,
    /// Proposed earlier by this officer: another must approve them.
    pub own: Vec<String>,
}

/// Proposes or approves reversal findings `items` of run `run` for `by` (see the module
/// notes); other items, and those already recorded, are left alone.
pub async fn decide(db: &Db, run: &str, items: &[i64], by: &str) -> Result<Decided> {
    let mut out = Decided::default();
    for &item in items {
        let row: Option<Finding> = sqlx::query_as(
            "SELECT receipt, statement_amount, account, completed_at, proposed_by FROM reconciliation_items \
             WHERE run_id = $1 AND item = $2 AND kind = 'reversed' AND posted_at IS NULL",
        )
        .bind(run)
        .bind(item)
        .fetch_optional(db.pool())
        .await?;
        let Some((receipt, amount, original, completed_at, proposed_by)) = row else {
            continue;
        };
        match proposed_by {
            None => {
                if propose(db, run, item, &receipt, by).await? {
                    out.proposed.push(receipt);
                }
            }
            Some(p) if p == by => out.own.push(receipt),
            Some(p) => {
                let r = Reversal {
                    receipt: receipt.clone(),
                    original,
                    amount: amount.unwrap_or(0),
                    completed_at: completed_at.unwrap_or(0),
                };
                let recorded = reversal::record(db, &r, by).await?;
                let done = matches!(recorded, Recorded::New(_) | Recorded::Already);
                let mut tx = db.pool().begin().await?;
                sqlx::query(
                    "UPDATE reconciliation_items SET note = $1, posted_at = $2, posted_by = $3 \
                     WHERE run_id = $4 AND item = $5 AND posted_at IS NULL",
                )
                .bind(format!(
                    "{}; proposed by {p}, approved by {by}",
                    note(&r, &recorded)
                ))
                .bind(done.then(lango_core::clock::now_ms))
                .bind(done.then_some(by))
                .bind(run)
                .bind(item)
                .execute(&mut *tx)
                .await?;
                lango_core::audit::append(
                    &mut tx,
                    lango_core::audit::Entry {
                        actor: by,
                        action: "reconciliation.reversal",
                        object: &format!("receipt:mpesa:{}", r.original),
                        subject: "",
                        detail: &format!(
                            "run {run} item {item}: {}; proposed by {p}",
                            note(&r, &recorded)
                        ),
                    },
                )
                .await?;
                tx.commit().await?;
                if done {
                    out.recorded.push(receipt);
                }
            }
        }
    }
    Ok(out)
}

/// Marks item `item` proposed by `by` (unless someone proposed it meanwhile), audited.
async fn propose(db: &Db, run: &str, item: i64, receipt: &str, by: &str) -> Result<bool> {
    let mut tx = db.pool().begin().await?;
    let marked = sqlx::query(
        "UPDATE reconciliation_items SET proposed_by = $1, proposed_at = $2 \
         WHERE run_id = $3 AND item = $4 AND proposed_by IS NULL AND posted_at IS NULL",
    )
    .bind(by)
    .bind(lango_core::clock::now_ms())
    .bind(run)
    .bind(item)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() == 0 {
        return Ok(false);
    }
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: by,
            action: "reconciliation.reversal_proposed",
            object: &format!("receipt:mpesa:{receipt}"),
            subject: "",
            detail: &format!("run {run} item {item}: a reversal proposed for recording"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
