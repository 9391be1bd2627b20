//! The suspense queue: M-Pesa money that matched no bill (card payments never reach it),
//! oldest first, and finance staff matching a receipt to its bill.
//!
//! A match happens in one database transaction: the receipt is claimed by a conditional
//! update (`suspense` → `matched`, so a double click or two officers at once match it only
//! once), the suspense posting is reversed, the money is posted to the bill through
//! [`crate::posting::post_one`] (bill amounts, `payment.received`), the match is recorded
//! with who, when and why, and the audit log names all of it.
//!
//! Four eyes: one finance officer proposes a match, a different one confirms it
//! ([`four_eyes`]); only the confirmation moves money.

mod four_eyes;

pub use four_eyes::{confirm, pending, Decision, Pending};

use crate::ledger;
use crate::posting::{self, Applied, BillState, Payment};
use crate::reference::{BillReference, ReferenceError};
use crate::store;
use lango_core::audit;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;

/// The channel whose money can be held in suspense.
const CHANNEL: &str = "mpesa";
/// Longest reason kept with a match.
pub const REASON_MAX: usize = 500;

/// A receipt as finance staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// M-Pesa's receipt number (TransID).
    pub trans_id: String,
    /// The account number exactly as the payer typed it.
    pub typed: String,
    /// What was paid.
    pub amount: Money,
    /// When M-Pesa completed it (unix ms), when known.
    pub trans_time: Option<i64>,
    /// When Lango received it (unix ms).
    pub received_at: i64,
    /// `posted`, `suspense` or `matched`.
    pub outcome: String,
}

/// The queue: the oldest receipts held, how many there are and what they add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// The oldest held receipts, oldest first.
    pub items: Vec<Receipt>,
    /// How many receipts are held in all.
    pub count: i64,
    /// What they add up to, per currency.
    pub totals: Vec<Money>,
}

/// Why a match was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Problems with what was entered: (field, problem code), in field order.
    Problems(Vec<(&'static str, &'static str)>),
    /// Someone matched this receipt already.
    AlreadyMatched,
    /// The receipt was posted to a bill when it arrived; it is not in suspense.
    NotInSuspense,
    /// The officer proposed this very match: a different finance officer must confirm it.
    OwnProposal,
}

/// A match checked and ready to confirm: the receipt, the bill, and how the money will
/// split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The receipt.
    pub receipt: Receipt,
    /// The bill as it stands.
    pub bill: BillState,
    /// What goes to the agency's service amount.
    pub to_service: Money,
    /// What goes to the convenience fee.
    pub to_fee: Money,
    /// What is beyond the bill's balance, held for refund.
    pub excess: Money,
    /// The bill's status after the match.
    pub status_after: crate::BillStatus,
    /// The reason given.
    pub reason: String,
}

/// A match as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The receipt.
    pub receipt: Receipt,
    /// The bill it was matched to.
    pub bill: String,
    /// The bill's agency.
    pub agency: String,
    /// The agency's own reference for the bill.
    pub agency_reference: String,
    /// The bill's status now.
    pub bill_status: crate::BillStatus,
    /// Why.
    pub reason: String,
    /// Who (`account:ID`).
    pub matched_by: String,
    /// When (unix ms).
    pub matched_at: i64,
    /// The ledger transaction that reversed the suspense posting.
    pub reversal_transaction: String,
    /// The ledger transaction that posted the money to the bill.
    pub posting_transaction: String,
}

fn receipt_of(r: &sqlx::any::AnyRow) -> Result<Receipt> {
    let currency: String = r.try_get("currency")?;
    let currency: Currency = currency
        .parse()
        .map_err(|_| Error::Internal(format!("receipt currency {currency}")))?;
    Ok(Receipt {
        trans_id: r.try_get("trans_id")?,
        typed: r.try_get("bill_reference")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        trans_time: r.try_get("trans_time")?,
        received_at: r.try_get("received_at")?,
        outcome: r.try_get("outcome")?,
    })
}

const RECEIPT_COLUMNS: &str =
    "trans_id, bill_reference, amount, currency, trans_time, received_at, outcome";

/// The oldest `limit` receipts held in suspense, with the count and totals of all of them.
pub async fn queue(db: &Db, limit: i64) -> Result<Queue> {
    let rows = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM mpesa_receipts WHERE outcome = 'suspense' \
         ORDER BY received_at, trans_id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let items = rows.iter().map(receipt_of).collect::<Result<Vec<_>>>()?;
    let sums = sqlx::query(
        "SELECT currency, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS total FROM mpesa_receipts \
         WHERE outcome = 'suspense' GROUP BY currency ORDER BY currency",
    )
    .fetch_all(db.pool())
    .await?;
    let mut count = 0;
    let mut totals = Vec::new();
    for r in &sums {
        count += r.try_get::<i64, _>("n")?;
        let code: String = r.try_get("currency")?;
        if let Ok(c) = code.parse::<Currency>() {
            totals.push(Money::from_minor(r.try_get("total")?, c));
        }
    }
    Ok(Queue {
        items,
        count,
        totals,
    })
}

/// One M-Pesa receipt, whatever its outcome.
pub async fn receipt(db: &Db, trans_id: &str) -> Result<Option<Receipt>> {
    let row = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM mpesa_receipts WHERE trans_id = $1"
    ))
    .bind(trans_id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(receipt_of).transpose()
}

/// Checks what was entered without looking anything up: the reference's form and the reason.
fn check_entry(typed: &str, reason: &str) -> std::result::Result<(BillReference, String), Refusal> {
    let mut problems = Vec::new();
    let reference = if typed.trim().is_empty() {
        problems.push(("reference", "finance_match_reference_required"));
        None
    } else {
        match BillReference::parse(typed) {
            Ok(r) => Some(r),
            Err(ReferenceError::Check) => {
                problems.push(("reference", "finance_match_reference_typo"));
                None
            }
            Err(_) => {
                problems.push(("reference", "finance_match_reference_invalid"));
                None
            }
        }
    };
    let reason = reason.trim();
    if reason.is_empty() {
        problems.push(("reason", "finance_match_reason_required"));
    } else if reason.chars().count() > REASON_MAX || reason.chars().any(char::is_control) {
        problems.push(("reason", "finance_match_reason_too_long"));
    }
    match reference {
        Some(r) if problems.is_empty() => Ok((r, reason.to_string())),
        _ => Err(Refusal::Problems(problems)),
    }
}

/// Refuses a bill that cannot take this money.
fn check_bill(bill: Option<&BillState>, amount: Money) -> std::result::Result<(), Refusal> {
    let one = |code| Err(Refusal::Problems(vec![("reference", code)]));
    match bill {
        None => one("finance_match_no_bill"),
        Some(b) if !b.takes_money() => one("finance_match_bill_closed"),
        Some(b) if b.currency != amount.currency() => one("finance_match_bill_currency"),
        Some(_) => Ok(()),
    }
}

fn claimable(receipt: &Receipt) -> std::result::Result<(), Refusal> {
    match receipt.outcome.as_str() {
        "suspense" => Ok(()),
        "matched" => Err(Refusal::AlreadyMatched),
        _ => Err(Refusal::NotInSuspense),
    }
}

fn payment(receipt: &Receipt) -> Payment {
    Payment {
        channel: CHANNEL.to_string(),
        receipt: receipt.trans_id.clone(),
        amount: receipt.amount,
    }
}

/// Checks a match (the page that asks "is this right?"): the receipt must be in suspense,
/// the reference must name a bill that takes money in the receipt's currency, and a reason
/// must be given. Nothing is written.
pub async fn propose(
    db: &Db,
    trans_id: &str,
    typed: &str,
    reason: &str,
) -> Result<std::result::Result<Proposal, Refusal>> {
    let receipt = receipt(db, trans_id)
        .await?
        .ok_or_else(|| Error::NotFound("receipt".into()))?;
    if let Err(r) = claimable(&receipt) {
        return Ok(Err(r));
    }
    let (reference, reason) = match check_entry(typed, reason) {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    // Outside a transaction a PostgreSQL row lock lasts only for this statement.
    let mut conn = db.pool().acquire().await?;
    let mut bills =
        posting::lock_bills(&mut conn, db.backend(), &[reference.as_str().to_string()]).await?;
    let bill = bills.remove(reference.as_str());
    if let Err(r) = check_bill(bill.as_ref(), receipt.amount) {
        return Ok(Err(r));
    }
    let bill = bill.ok_or_else(|| Error::Internal("bill checked but absent".into()))?;
    let mut after = bill.clone();
    posting::apply(Some(&mut after), &payment(&receipt))?;
    let c = bill.currency;
    Ok(Ok(Proposal {
        to_service: Money::from_minor(after.service_paid - bill.service_paid, c),
        to_fee: Money::from_minor(after.fee_paid - bill.fee_paid, c),
        excess: Money::from_minor(after.excess - bill.excess, c),
        status_after: after.status,
        receipt,
        bill,
        reason,
    }))
}

/// Matches a receipt held in suspense to a bill, in one transaction (see the module notes).
/// `actor` is who confirms it (`account:ID`), already allowed by the policy, after
/// `proposed_by` (another finance officer) proposed it.
async fn execute(
    db: &Db,
    trans_id: &str,
    typed: &str,
    reason: &str,
    actor: &str,
    proposed_by: &str,
) -> Result<std::result::Result<Matched, Refusal>> {
    let (reference, reason) = match check_entry(typed, reason) {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    let mut tx = db.pool().begin().await?;
    // The claim comes first: a second officer (or a second click) waits on this row and
    // then finds it matched.
    let claimed = sqlx::query(
        "UPDATE mpesa_receipts SET outcome = 'matched' WHERE trans_id = $1 AND outcome = 'suspense'",
    )
    .bind(trans_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        drop(tx);
        let receipt = receipt(db, trans_id)
            .await?
            .ok_or_else(|| Error::NotFound("receipt".into()))?;
        return Ok(Err(claimable(&receipt)
            .err()
            .unwrap_or(Refusal::AlreadyMatched)));
    }
    let row = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS}, ledger_transaction FROM mpesa_receipts WHERE trans_id = $1"
    ))
    .bind(trans_id)
    .fetch_one(&mut *tx)
    .await?;
    let receipt = receipt_of(&row)?;
    let suspense_transaction: Option<String> = row.try_get("ledger_transaction")?;
    let suspense_transaction = suspense_transaction
        .ok_or_else(|| Error::Internal(format!("receipt {trans_id} has no ledger posting")))?;
    let mut bills =
        posting::lock_bills(&mut tx, db.backend(), &[reference.as_str().to_string()]).await?;
    let bill = bills.remove(reference.as_str());
    if let Err(r) = check_bill(bill.as_ref(), receipt.amount) {
        return Ok(Err(r));
    }
    let bill = bill.ok_or_else(|| Error::Internal("bill checked but absent".into()))?;
    let pay = payment(&receipt);
    let held = ledger::unmatched(
        &format!("{CHANNEL} {trans_id} unmatched"),
        CHANNEL,
        pay.amount,
    )
    .map_err(|e| Error::Internal(e.to_string()))?;
    let reversal = held.reversal(format!(
        "{CHANNEL} {trans_id} out of suspense to bill {}",
        bill.reference
    ));
    let reversal_id = store::post(&mut tx, &reversal).await?;
    let (applied, posting_id) =
        posting::post_one(&mut tx, db.backend(), Some(&bill.reference), &pay).await?;
    let Applied::Bill { status, .. } = applied else {
        return Err(Error::Internal(format!(
            "bill {} refused money it was checked to take",
            bill.reference
        )));
    };
    let now = now_ms();
    sqlx::query("UPDATE mpesa_receipts SET ledger_transaction = $1 WHERE trans_id = $2")
        .bind(&posting_id)
        .bind(trans_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO suspense_matches (trans_id, bill_reference, reason, matched_by, matched_at, \
         suspense_transaction, reversal_transaction, posting_transaction) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(trans_id)
    .bind(&bill.reference)
    .bind(&reason)
    .bind(actor)
    .bind(now)
    .bind(&suspense_transaction)
    .bind(&reversal_id)
    .bind(&posting_id)
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "bill {} of {}, {}, typed {:?}; ledger: reversal {reversal_id}, posting {posting_id}; reason: {reason}; \
         proposed by {proposed_by}, confirmed by {actor}",
        bill.reference,
        bill.agency,
        pay.amount.display(),
        receipt.typed,
    );
    audit::append(
        &mut tx,
        audit::Entry {
            actor,
            action: "payment.suspense_matched",
            object: &format!("mpesa_receipt:{trans_id}"),
            subject: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Matched {
        receipt: Receipt {
            outcome: "matched".into(),
            ..receipt
        },
        bill: bill.reference,
        agency: bill.agency,
        agency_reference: bill.agency_reference,
        bill_status: status,
        reason,
        matched_by: actor.to_string(),
        matched_at: now,
        reversal_transaction: reversal_id,
        posting_transaction: posting_id,
    }))
}

/// The match of a receipt, if it was matched.
pub async fn matched(db: &Db, trans_id: &str) -> Result<Option<Matched>> {
    let row = sqlx::query(
        "SELECT r.trans_id, r.bill_reference, r.amount, r.currency, r.trans_time, r.received_at, \
         r.outcome, m.bill_reference AS bill, b.agency_code, b.agency_reference, b.status, \
         m.reason, m.matched_by, m.matched_at, m.reversal_transaction, m.posting_transaction \
         FROM suspense_matches m JOIN mpesa_receipts r ON r.trans_id = m.trans_id \
         JOIN bills b ON b.reference = m.bill_reference WHERE m.trans_id = $1",
    )
    .bind(trans_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Matched {
        receipt: receipt_of(&r)?,
        bill: r.try_get("bill")?,
        agency: r.try_get("agency_code")?,
        agency_reference: r.try_get("agency_reference")?,
        bill_status: r.try_get::<String, _>("status")?.parse()?,
        reason: r.try_get("reason")?,
        matched_by: r.try_get("matched_by")?,
        matched_at: r.try_get("matched_at")?,
        reversal_transaction: r.try_get("reversal_transaction")?,
        posting_transaction: r.try_get("posting_transaction")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good_reference() -> String {
        BillReference::generate(&mut rand::thread_rng())
            .as_str()
            .to_string()
    }

    #[test]
    fn entries_are_checked_together() {
        let r = good_reference();
        let (parsed, reason) = check_entry(&r.to_lowercase(), "  payer called ").unwrap();
        assert_eq!(
            (parsed.as_str(), reason.as_str()),
            (r.as_str(), "payer called")
        );
        assert_eq!(
            check_entry("", ""),
            Err(Refusal::Problems(vec![
                ("reference", "finance_match_reference_required"),
                ("reason", "finance_match_reason_required")
            ]))
        );
        assert_eq!(
            check_entry("NOT A BILL!", "x"),
            Err(Refusal::Problems(vec![(
                "reference",
                "finance_match_reference_invalid"
            )]))
        );
        let mut typo = r.clone().into_bytes();
        typo[0] = if typo[0] == b'2' { b'3' } else { b'2' };
        assert_eq!(
            check_entry(std::str::from_utf8(&typo).unwrap(), "x"),
            Err(Refusal::Problems(vec![(
                "reference",
                "finance_match_reference_typo"
            )]))
        );
        assert_eq!(
            check_entry(&r, &"x".repeat(REASON_MAX + 1)),
            Err(Refusal::Problems(vec![(
                "reason",
                "finance_match_reason_too_long"
            )]))
        );
    }

    #[test]
    fn only_bills_that_take_the_money() {
        let mut bill = BillState {
            reference: good_reference(),
            agency: "DIS".into(),
            agency_reference: "A".into(),
            currency: Currency::Kes,
            service_amount: 100,
            fee: 5,
            service_paid: 0,
            fee_paid: 0,
            excess: 0,
            status: crate::BillStatus::Open,
            shares: Vec::new(),
            last_payment: None,
        };
        let kes = Money::from_minor(50, Currency::Kes);
        assert_eq!(check_bill(Some(&bill), kes), Ok(()));
        assert!(check_bill(None, kes).is_err());
        assert!(check_bill(Some(&bill), Money::from_minor(50, Currency::Usd)).is_err());
        bill.status = crate::BillStatus::Cancelled;
        assert_eq!(
            check_bill(Some(&bill), kes),
            Err(Refusal::Problems(vec![(
                "reference",
                "finance_match_bill_closed"
            )]))
        );
    }
}
