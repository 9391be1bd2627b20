//! Confirmations and settlement rows kept for review (about transactions Lango did not
//! start, or not as it started them): listed for finance officers, marked looked into.

use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use sqlx::Row;

/// A confirmation kept for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its id.
    pub id: String,
    /// `direct`, `indirect`, `enquiry` or `settlement`.
    pub via: String,
    /// The gateway's transaction id.
    pub fpx_txn_id: String,
    /// The order number it names (a bill reference).
    pub seller_order_no: String,
    /// The debit authorisation code.
    pub debit_auth_code: String,
    /// The amount, as FPX wrote it.
    pub amount: String,
    /// Why it is kept for review.
    pub note: String,
    /// When it came, unix ms.
    pub received_at: i64,
}

/// Confirmations waiting for review, newest first.
pub async fn to_review(db: &Db, limit: i64) -> Result<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT id, via, fpx_txn_id, seller_order_no, debit_auth_code, amount, note, received_at \
         FROM fpx_notifications WHERE outcome = 'review' AND reviewed_at IS NULL \
         ORDER BY received_at DESC, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get("id")?,
                via: r.try_get("via")?,
                fpx_txn_id: r.try_get("fpx_txn_id")?,
                seller_order_no: r.try_get("seller_order_no")?,
                debit_auth_code: r.try_get("debit_auth_code")?,
                amount: r.try_get("amount")?,
                note: r.try_get("note")?,
                received_at: r.try_get("received_at")?,
            })
        })
        .collect()
}

/// Marks a confirmation kept for review as looked into by `by` (audited); false when there
/// is no such confirmation waiting.
pub async fn mark_reviewed(db: &Db, id: &str, by: &str) -> Result<bool> {
    let mut tx = db.pool().begin().await?;
    let done = sqlx::query(
        "UPDATE fpx_notifications SET reviewed_by = $1, reviewed_at = $2 \
         WHERE id = $3 AND outcome = 'review' AND reviewed_at IS NULL",
    )
    .bind(by)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 1 {
        lango_core::audit::append(
            &mut tx,
            lango_core::audit::Entry {
                actor: by,
                action: "fpx.reviewed",
                object: &format!("fpx_notification:{id}"),
                subject: "",
                detail: "looked into; nothing posted",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done == 1)
}
