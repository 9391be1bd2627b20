//! Card refunds and the provider: completing a refund the provider accepted, and bringing
//! Lango's records in line with the provider's list of a payment's refunds (after a webhook,
//! or when a refund's answer was lost).

use super::issue::{bill_info, record_issued, service_by_agency};
use super::store::{get, RefundStatus};
use super::transaction;
use crate::cards::{CardPayment, CardProvider, ProviderRefund};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::Row;

/// A `requested` refund older than this has certainly had its provider call end (the client
/// gives up after 15 s): its outcome is read from the provider's list. Younger ones may still
/// be waiting for their answer and are left alone.
const SETTLED_AFTER_MS: i64 = 60_000;

/// The provider accepted refund `id`: it becomes `submitted` (or `success`) and is posted,
/// audited and announced, in one transaction. A refund already completed is left as it is.
pub(super) async fn complete(db: &Db, id: &str, pr: &ProviderRefund) -> Result<()> {
    if pr.status == "error" {
        return mark_failed(db, id).await;
    }
    let status = if pr.status == "success" {
        RefundStatus::Success
    } else {
        RefundStatus::Submitted
    };
    let mut tx = db.pool().begin().await?;
    let done = sqlx::query(
        "UPDATE refunds SET status = $1, provider_refund_id = $2, updated_at = $3 \
         WHERE id = $4 AND status = 'requested'",
    )
    .bind(status.as_str())
    .bind(&pr.refund_id)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 1 {
        let reference = get(&mut tx, id).await?.bill_reference;
        let info = bill_info(&mut tx, &reference).await?;
        record_issued(&mut tx, id, &info).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The provider refused refund `id` (or never received it): it counts for nothing.
pub(super) async fn mark_failed(db: &Db, id: &str) -> Result<()> {
    move_status(db, id, RefundStatus::Requested, RefundStatus::Failed).await
}

/// Moves refund `id` from status `from` to `to`; nothing when it has moved on already.
async fn move_status(db: &Db, id: &str, from: RefundStatus, to: RefundStatus) -> Result<()> {
    sqlx::query("UPDATE refunds SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to.as_str())
        .bind(now_ms())
        .bind(id)
        .bind(from.as_str())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Brings the refunds of card payment `card_payment_id` in line with the provider's list:
/// statuses move on (`submitted` → `success`; a provider `error` undoes the refund with a
/// reversing transaction), and `requested` refunds whose answer was lost are completed when
/// the provider has them, or failed when it does not. `own` is a refund whose provider call
/// has just ended, so it need not be old to be settled. If the provider cannot be reached,
/// nothing changes.
pub(super) async fn resolve<P: CardProvider>(
    db: &Db,
    provider: &P,
    card_payment_id: &str,
    own: Option<&str>,
) -> Result<()> {
    let provider_id: Option<String> = sqlx::query_scalar::<_, Option<String>>(
        "SELECT provider_payment_id FROM card_payments WHERE id = $1",
    )
    .bind(card_payment_id)
    .fetch_optional(db.pool())
    .await?
    .flatten();
    let Some(provider_id) = provider_id else {
        return Ok(());
    };
    let theirs = match provider.refunds(&provider_id).await {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(card = %card_payment_id, error = %e, "cannot read the provider's refunds");
            return Ok(());
        }
    };
    let ours = sqlx::query(
        "SELECT id, provider_refund_id, status, amount, updated_at FROM refunds WHERE card_payment_id = $1",
    )
    .bind(card_payment_id)
    .fetch_all(db.pool())
    .await?;
    let mut known = Vec::new();
    let mut waiting = Vec::new();
    let settled_before = now_ms() - SETTLED_AFTER_MS;
    for r in &ours {
        let id: String = r.try_get("id")?;
        let status: RefundStatus = r.try_get::<String, _>("status")?.parse()?;
        if let Some(p) = r.try_get::<Option<String>, _>("provider_refund_id")? {
            known.push((id, p, status));
        } else if status == RefundStatus::Requested
            && (own == Some(id.as_str()) || r.try_get::<i64, _>("updated_at")? < settled_before)
        {
            waiting.push((id, r.try_get::<i64, _>("amount")?));
        }
    }
    for pr in &theirs {
        match known.iter().find(|(_, p, _)| *p == pr.refund_id) {
            Some((id, _, status)) => follow(db, id, *status, &pr.status).await?,
            None if pr.status != "error" => {
                // A refund the provider made whose answer we lost: it is the waiting one of
                // that amount (one card refund per bill is in flight at a time).
                if let Some(i) = waiting.iter().position(|(_, a)| *a == pr.amount) {
                    let (id, _) = waiting.remove(i);
                    complete(db, &id, pr).await?;
                }
            }
            None => {}
        }
    }
    for (id, _) in waiting {
        mark_failed(db, &id).await?;
    }
    Ok(())
}

/// Moves a refund on to the provider's status.
async fn follow(db: &Db, id: &str, ours: RefundStatus, theirs: &str) -> Result<()> {
    match (ours, theirs) {
        (RefundStatus::Submitted, "success") => {
            move_status(db, id, RefundStatus::Submitted, RefundStatus::Success).await?
        }
        (RefundStatus::Submitted | RefundStatus::Success, "error") => undo(db, id).await?,
        _ => {}
    }
    Ok(())
}

/// The provider could not pay a refund back: it fails, and its ledger transaction is reversed.
async fn undo(db: &Db, id: &str) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    let done = sqlx::query(
        "UPDATE refunds SET status = 'failed', updated_at = $1 WHERE id = $2 AND status IN ('submitted', 'success')",
    )
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 1 {
        let r = get(&mut tx, id).await?;
        let memo = format!("refund {} bill {}", r.id, r.bill_reference);
        let shares = service_by_agency(&mut tx, &r.id).await?;
        let t = transaction(
            &memo,
            Some(crate::cards::CHANNEL),
            r.amount.currency(),
            r.parts,
            &shares,
        )
        .map_err(|e| Error::Internal(e.to_string()))?;
        if let Some(t) = t {
            let reversal = t.reversal(format!("refund {} failed at the provider", r.id));
            crate::store::post(&mut tx, &reversal).await?;
        }
        tracing::warn!(refund = %id, "card provider could not pay a refund; reversed");
        tx.commit().await?;
    }
    Ok(())
}

/// Settles the bill's card refunds whose provider call ended long ago without an outcome.
pub(super) async fn resolve_stale<P: CardProvider>(
    db: &Db,
    provider: &P,
    reference: &str,
) -> Result<()> {
    let cards: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT card_payment_id FROM refunds WHERE bill_reference = $1 AND status = 'requested' \
         AND card_payment_id IS NOT NULL AND updated_at < $2",
    )
    .bind(reference)
    .bind(now_ms() - SETTLED_AFTER_MS)
    .fetch_all(db.pool())
    .await?;
    for c in cards {
        resolve(db, provider, &c, None).await?;
    }
    Ok(())
}

/// After the provider's `card_payment_refunded` webhook: follows its refunds of `card`.
pub async fn sync_card<P: CardProvider>(db: &Db, provider: &P, card: &CardPayment) -> Result<()> {
    resolve(db, provider, &card.id, None).await
}
