//! After review: a finance officer posts the money a run found missing in the ledger. Each
//! receipt is recorded exactly once (by its TransID, with the same group posting as every
//! M-Pesa receipt, M-Pesa's row as its raw body), matched to its bill by the account number
//! typed (else suspense), and verified at once: reconciliation has seen it. The item's mark,
//! its verification and the audit record commit together.

use crate::receipts::{self, Confirmed, Incoming};
use crate::reference::BillReference;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::Result;
use sqlx::Row;

/// What posting the reviewed items came to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Posted {
    /// Each receipt posted now, with where it went.
    pub posted: Vec<(String, Confirmed)>,
    /// Items that were already posted, are not missing-in-ledger items, or do not exist.
    pub skipped: usize,
}

/// Posts items `items` of run `run` (missing in ledger, not yet posted). Posting an item
/// twice, or a receipt that arrived meanwhile, records nothing twice.
pub async fn post_reviewed(db: &Db, run: &str, items: &[i64], by: &str) -> Result<Posted> {
    let mut out = Posted::default();
    let mut todo: Vec<(i64, Incoming)> = Vec::new();
    for &item in items {
        let row = sqlx::query(
            "SELECT receipt, statement_amount, account, completed_at, raw FROM reconciliation_items \
             WHERE run_id = $1 AND item = $2 AND kind = 'missing_in_ledger' AND posted_at IS NULL",
        )
        .bind(run)
        .bind(item)
        .fetch_optional(db.pool())
        .await?;
        let Some(row) = row else {
            out.skipped += 1;
            continue;
        };
        if todo.iter().any(|(i, _)| *i == item) {
            continue;
        }
        let account: String = row.try_get("account")?;
        let amount: Option<i64> = row.try_get("statement_amount")?;
        todo.push((
            item,
            Incoming {
                trans_id: row.try_get("receipt")?,
                reference: BillReference::parse(&account).ok(),
                bill_ref: account,
                amount: Money::from_minor(amount.unwrap_or(0), Currency::Kes),
                trans_time_ms: row.try_get("completed_at")?,
                raw: row.try_get("raw")?,
            },
        ));
    }
    if todo.is_empty() {
        return Ok(out);
    }
    // Recorded first (by TransID, once, however often this runs); if the marking below never
    // commits, posting again finds the receipt recorded (a repeat) and only marks the item.
    let group: Vec<&Incoming> = todo.iter().map(|(_, i)| i).collect();
    let outcomes = receipts::record_group(db, &group).await?;
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let mut claimed = Vec::new();
    for ((item, incoming), outcome) in todo.iter().zip(outcomes) {
        let marked = sqlx::query(
            "UPDATE reconciliation_items SET posted_at = $1, posted_by = $2 \
             WHERE run_id = $3 AND item = $4 AND posted_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(run)
        .bind(item)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            out.skipped += 1;
        } else {
            claimed.push(((*item, incoming), outcome));
        }
    }
    for ((item, incoming), outcome) in claimed {
        // Seen in M-Pesa's record for this amount: verified (a receipt recorded meanwhile
        // for another amount stays unverified).
        sqlx::query(
            "UPDATE mpesa_receipts SET verified_at = $1 WHERE trans_id = $2 AND amount = $3 \
             AND verified_at IS NULL",
        )
        .bind(now)
        .bind(&incoming.trans_id)
        .bind(incoming.amount.minor())
        .execute(&mut *tx)
        .await?;
        let went = match &outcome {
            Confirmed::Posted { reference, .. } => format!("posted to bill {reference}"),
            Confirmed::Suspense => "posted to suspense".to_string(),
            Confirmed::Repeat => "already recorded; not posted again".to_string(),
        };
        lango_core::audit::append(
            &mut tx,
            lango_core::audit::Entry {
                actor: by,
                action: "reconciliation.post",
                object: &format!("receipt:mpesa:{}", incoming.trans_id),
                subject: "",
                detail: &format!(
                    "run {run} item {item}: {} for account {:?} {went}",
                    incoming.amount.display(),
                    incoming.bill_ref
                ),
            },
        )
        .await?;
        out.posted.push((incoming.trans_id.clone(), outcome));
    }
    tx.commit().await?;
    Ok(out)
}
