//! The reversals a statement shows: each is recorded against its bill (see
//! [`crate::refunds::reversal`]) as the statement is imported, and listed with the run's
//! findings (kind `reversed`), its note saying what became of it: recorded as a refund,
//! recorded before, or left for finance because the payment is not a bill's or the bill no
//! longer holds that much.

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

/// Records every reversal of run `run` (new, from a statement) and lists each with the
/// run's findings.
pub async fn record_all(db: &Db, run: &str, reversals: &[(u64, Reversal)]) -> Result<()> {
    if reversals.is_empty() {
        return Ok(());
    }
    let by: String = sqlx::query_scalar("SELECT created_by FROM reconciliation_runs WHERE id = $1")
        .bind(run)
        .fetch_one(db.pool())
        .await?;
    let mut after: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(item), 0) AS BIGINT) FROM reconciliation_items WHERE run_id = $1",
    )
    .bind(run)
    .fetch_one(db.pool())
    .await?;
    for (line, r) in reversals {
        let recorded = reversal::record(db, r, &by).await?;
        after += 1;
        sqlx::query(
            "INSERT INTO reconciliation_items (run_id, item, line, kind, receipt, statement_amount, \
             ledger_amount, account, completed_at, raw, note) \
             VALUES ($1, $2, $3, 'reversed', $4, $5, NULL, $6, $7, '{}', $8)",
        )
        .bind(run)
        .bind(after)
        .bind(*line as i64)
        .bind(&r.receipt)
        .bind(r.amount)
        .bind(&r.original)
        .bind((r.completed_at > 0).then_some(r.completed_at))
        .bind(note(r, &recorded))
        .execute(db.pool())
        .await?;
    }
    Ok(())
}
