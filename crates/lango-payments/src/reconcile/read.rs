//! Reading runs and their findings back.

use super::{Item, Run};
use lango_core::db::Db;
use lango_core::Result;
use sqlx::Row;

const RUN_COLUMNS: &str = "id, source, file_name, file_sha256, period_from, period_to, rows_read, \
    skipped, matched, verified, amount_mismatch, missing_in_ledger, missing_in_statement, bad_rows, \
    created_by, created_at";

fn run_of(r: &sqlx::any::AnyRow) -> Result<Run> {
    let from: Option<i64> = r.try_get("period_from")?;
    let to: Option<i64> = r.try_get("period_to")?;
    Ok(Run {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        file_name: r.try_get("file_name")?,
        file_sha256: r.try_get("file_sha256")?,
        period: from.zip(to),
        rows_read: r.try_get("rows_read")?,
        skipped: r.try_get("skipped")?,
        matched: r.try_get("matched")?,
        verified: r.try_get("verified")?,
        amount_mismatch: r.try_get("amount_mismatch")?,
        missing_in_ledger: r.try_get("missing_in_ledger")?,
        missing_in_statement: r.try_get("missing_in_statement")?,
        bad_rows: r.try_get("bad_rows")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) async fn by_sha256(db: &Db, sha256: &str) -> Result<Option<Run>> {
    let row = sqlx::query(&format!(
        "SELECT {RUN_COLUMNS} FROM reconciliation_runs WHERE file_sha256 = $1"
    ))
    .bind(sha256)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(run_of).transpose()
}

/// One run.
pub async fn get(db: &Db, id: &str) -> Result<Option<Run>> {
    let row = sqlx::query(&format!(
        "SELECT {RUN_COLUMNS} FROM reconciliation_runs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(run_of).transpose()
}

/// The newest runs first.
pub async fn runs(db: &Db, limit: i64) -> Result<Vec<Run>> {
    let rows = sqlx::query(&format!(
        "SELECT {RUN_COLUMNS} FROM reconciliation_runs ORDER BY created_at DESC, id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(run_of).collect()
}

/// A run's findings of one kind (of [`KINDS`]), in the order found, at most `limit`.
pub async fn items(db: &Db, run: &str, kind: &str, limit: i64) -> Result<Vec<Item>> {
    let rows = sqlx::query(
        "SELECT i.item, i.line, i.kind, i.receipt, i.statement_amount, i.ledger_amount, i.account, \
         i.completed_at, i.raw, i.note, i.posted_at, i.posted_by, i.proposed_by, i.proposed_at, \
         r.trans_id AS held \
         FROM reconciliation_items i LEFT JOIN mpesa_receipts r ON r.trans_id = i.receipt \
         WHERE i.run_id = $1 AND i.kind = $2 ORDER BY i.item LIMIT $3",
    )
    .bind(run)
    .bind(kind)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Item {
                item: r.try_get("item")?,
                line: r.try_get("line")?,
                kind: r.try_get("kind")?,
                receipt: r.try_get("receipt")?,
                statement_amount: r.try_get("statement_amount")?,
                ledger_amount: r.try_get("ledger_amount")?,
                account: r.try_get("account")?,
                completed_at: r.try_get("completed_at")?,
                raw: r.try_get("raw")?,
                note: r.try_get("note")?,
                posted_at: r.try_get("posted_at")?,
                posted_by: r.try_get("posted_by")?,
                proposed_by: r.try_get("proposed_by")?,
                proposed_at: r.try_get("proposed_at")?,
                in_ledger: r.try_get::<Option<String>, _>("held")?.is_some(),
            })
        })
        .collect()
}
