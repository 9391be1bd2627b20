//! M-Pesa reversals: Safaricom took a bill's payment back from the paybill and returned it
//! to the payer (see `statement::reversal` for how the portal statement shows one).
//! Lango records it as a refund that went back through M-Pesa itself: a refund of method
//! [`METHOD`] and status `reversed`, drawing on the bill's parts in the refund order
//! (excess, then service, then the fee: the whole payment went back, its fee with it), and
//! a ledger transaction that takes the money out of `collection:mpesa`. Once per reversal
//! receipt, under the bill's lock; everything downstream of refunds (what may still be
//! refunded, agents' commission clawed back, the `refund.issued` event) follows.

use super::issue::{bill_info, insert_shares, record_issued};
use super::store::{get, load_position, Refund, RefundStatus};
use super::{apportion, Parts, Position};
use crate::reference::BillReference;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;

/// The refund method of a reversal.
pub const METHOD: &str = "mpesa_reversal";

/// A reversal M-Pesa's record shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal {
    /// The reversal's own receipt (TransID).
    pub receipt: String,
    /// The receipt of the payment it took back.
    pub original: String,
    /// How much went back, minor units.
    pub amount: i64,
    /// When M-Pesa completed it, unix ms (0 when the record did not say).
    pub completed_at: i64,
}

/// What recording a reversal came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Recorded now, as this refund.
    New(Box<Refund>),
    /// This reversal was recorded before.
    Already,
    /// The payment is not one Lango posted to a bill (unknown, or held in suspense): left
    /// for finance to look into; nothing recorded.
    Unmatched,
    /// More than the bill still holds (it was refunded meanwhile): left for finance to look
    /// into; nothing recorded.
    Exceeds {
        /// What the bill still holds, minor units.
        left: i64,
    },
}

/// The parts a reversal of `amount` takes back, or `None` when the bill holds less.
pub fn parts(pos: &Position, amount: i64) -> Option<Parts> {
    let excess = amount.min((pos.paid.excess - pos.refunded.excess).max(0));
    let service = (amount - excess).min((pos.paid.service - pos.refunded.service).max(0));
    let fee = amount - excess - service;
    (amount > 0 && fee <= (pos.paid.fee - pos.refunded.fee).max(0)).then_some(Parts {
        excess,
        service,
        fee,
    })
}

/// Records reversal `r` (seen by `by`, e.g. a reconciliation run) against the bill its
/// payment was posted to.
pub async fn record(db: &Db, r: &Reversal, by: &str) -> Result<Recorded> {
    // A posted receipt keeps the account number as typed (it named its bill); one matched
    // out of suspense later has its bill in the match.
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT m.bill_reference, s.bill_reference FROM mpesa_receipts m \
         LEFT JOIN suspense_matches s ON s.trans_id = m.trans_id \
         WHERE m.trans_id = $1 AND m.outcome IN ('posted', 'matched')",
    )
    .bind(&r.original)
    .fetch_optional(db.pool())
    .await?;
    let bill = match found {
        Some((_, Some(matched))) => Some(matched),
        Some((typed, None)) => BillReference::parse(&typed)
            .ok()
            .map(|b| b.as_str().to_string()),
        None => None,
    };
    let Some(bill) = bill else {
        return Ok(Recorded::Unmatched);
    };
    let mut tx = db.pool().begin().await?;
    // The bill's lock first, as a refund takes it: one decision at a time per bill.
    sqlx::query("UPDATE bills SET updated_at = updated_at WHERE reference = $1")
        .bind(&bill)
        .execute(&mut *tx)
        .await?;
    let seen: Option<String> =
        sqlx::query_scalar("SELECT id FROM refunds WHERE provider_refund_id = $1")
            .bind(&r.receipt)
            .fetch_optional(&mut *tx)
            .await?;
    if seen.is_some() {
        return Ok(Recorded::Already);
    }
    let Some((_, pos)) = load_position(&mut tx, &bill).await? else {
        return Ok(Recorded::Unmatched);
    };
    let Some(parts) = parts(&pos, r.amount) else {
        let left = pos.paid.total() - pos.refunded.total();
        return Ok(Recorded::Exceeds { left });
    };
    let held: Vec<(String, i64)> = pos
        .agencies
        .iter()
        .map(|a| (a.agency.clone(), (a.received - a.refunded).max(0)))
        .collect();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    let agency: String = sqlx::query_scalar("SELECT agency_code FROM bills WHERE reference = $1")
        .bind(&bill)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO refunds (id, bill_reference, agency_code, currency, amount, from_excess, from_service, \
         from_fee, method, card_payment_id, provider_refund_id, status, reason, requested_by, idempotency_key, \
         request_hash, ledger_transaction, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12, $13, NULL, '', NULL, $14, $14)",
    )
    .bind(&id)
    .bind(&bill)
    .bind(&agency)
    .bind(pos.currency.code())
    .bind(r.amount)
    .bind(parts.excess)
    .bind(parts.service)
    .bind(parts.fee)
    .bind(METHOD)
    .bind(&r.receipt)
    .bind(RefundStatus::Reversed.as_str())
    .bind(format!(
        "M-Pesa reversed payment {} (reversal {})",
        r.original, r.receipt
    ))
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let shares: Vec<(String, i64)> = apportion(parts.service, &held)
        .into_iter()
        .zip(held)
        .filter(|(part, _)| *part > 0)
        .map(|(part, (agency, _))| (agency, part))
        .collect();
    insert_shares(&mut tx, &id, &shares).await?;
    let info = bill_info(&mut tx, &bill).await?;
    record_issued(&mut tx, &id, &info).await?;
    let refund = get(&mut tx, &id).await?;
    tx.commit().await?;
    tracing::info!(bill = %bill, reversal = %r.receipt, payment = %r.original, "M-Pesa reversal recorded");
    Ok(Recorded::New(Box::new(refund)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_core::money::Currency;

    fn position(excess: i64, service: i64, fee: i64, refunded_service: i64) -> Position {
        Position {
            currency: Currency::Kes,
            paid: Parts {
                excess,
                service,
                fee,
            },
            fee_refundable: false,
            refunded: Parts {
                service: refunded_service,
                ..Parts::default()
            },
            agencies: Vec::new(),
            cards: Vec::new(),
            payout_paid: excess + service + fee,
            payout_refunded: 0,
        }
    }

    #[test]
    fn a_reversal_takes_the_whole_payment_back_fee_included_and_never_more_than_is_held() {
        let pos = position(0, 600_000, 5_000, 0);
        assert_eq!(
            parts(&pos, 605_000),
            Some(Parts {
                excess: 0,
                service: 600_000,
                fee: 5_000
            })
        );
        assert_eq!(
            parts(&position(1_000, 600_000, 5_000, 0), 2_000),
            Some(Parts {
                excess: 1_000,
                service: 1_000,
                fee: 0
            })
        );
        assert_eq!(
            parts(&position(0, 600_000, 5_000, 100_000), 605_000),
            None,
            "refunded meanwhile"
        );
        assert_eq!(parts(&pos, 0), None);
    }
}
