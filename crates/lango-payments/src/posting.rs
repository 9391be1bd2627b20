//! Posting a payment to its bill: the split (service, then fee, then excess), the ledger
//! transaction, the bill's new amounts and status, and the `payment.received` event, all in
//! the caller's transaction. Every channel posts through here: M-Pesa (C2B and STK, in
//! groups), cards, and finance staff matching money out of suspense.

use crate::ledger::{self, Transaction};
use crate::store;
use crate::BillStatus;
use lango_core::clock::now_ms;
use lango_core::db::{kept_rows, marks, marks_from, padded, values_marks, Backend, Db};
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::HashMap;

/// A bill as posting sees it: what it asks for and what has been paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillState {
    /// The bill's reference.
    pub reference: String,
    /// The agency owed the service amount.
    pub agency: String,
    /// The agency's own reference for it.
    pub agency_reference: String,
    /// The bill's currency.
    pub currency: Currency,
    /// What the agency asked for, minor units.
    pub service_amount: i64,
    /// The convenience fee, minor units.
    pub fee: i64,
    /// Paid toward the service amount.
    pub service_paid: i64,
    /// Paid toward the fee.
    pub fee_paid: i64,
    /// Paid beyond the total, held for refund.
    pub excess: i64,
    /// Where it stands.
    pub status: BillStatus,
    /// The agencies' parts (agency, amount, received) when the bill is shared; else empty.
    pub shares: Vec<(String, i64, i64)>,
    /// The seq of its latest `payment.received` event (see [`link_payments`]).
    pub last_payment: Option<i64>,
}

impl BillState {
    /// True when money may still be posted to it (a paid bill takes an overpayment as excess).
    pub fn takes_money(&self) -> bool {
        self.status.takes_money()
    }

    /// What the payer still owes, minor units.
    pub fn balance(&self) -> i64 {
        self.service_amount - self.service_paid + self.fee - self.fee_paid
    }
}

/// A payment to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The channel (`mpesa`, `card`): names the collection account.
    pub channel: String,
    /// The channel's receipt id (M-Pesa TransID, card payment id).
    pub receipt: String,
    /// What was paid.
    pub amount: Money,
}

/// Where a payment went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// To a bill, which now has this status.
    Bill {
        /// The bill.
        reference: String,
        /// Its status afterwards.
        status: BillStatus,
    },
    /// To suspense: no bill could take it.
    Suspense,
}

fn internal(e: ledger::LedgerError) -> Error {
    Error::Internal(e.to_string())
}

/// Applies `payment` to `bill` in memory (or to suspense when there is no bill that can take
/// it in its currency) and returns the ledger transaction to post.
pub fn apply(bill: Option<&mut BillState>, payment: &Payment) -> Result<(Transaction, Applied)> {
    let currency = payment.amount.currency();
    let bill = bill.filter(|b| b.takes_money() && b.currency == currency);
    let Some(bill) = bill else {
        let memo = format!("{} {} unmatched", payment.channel, payment.receipt);
        let t = ledger::unmatched(&memo, &payment.channel, payment.amount).map_err(internal)?;
        return Ok((t, Applied::Suspense));
    };
    let memo = format!(
        "{} {} bill {}",
        payment.channel, payment.receipt, bill.reference
    );
    let owed: Vec<(String, i64)> = if bill.shares.is_empty() {
        vec![(bill.agency.clone(), bill.service_amount - bill.service_paid)]
    } else {
        bill.shares
            .iter()
            .map(|(agency, amount, paid)| (agency.clone(), amount - paid))
            .collect()
    };
    let fee_due = Money::from_minor(bill.fee - bill.fee_paid, currency);
    let (split, parts) =
        ledger::receipt_apportioned(&memo, &payment.channel, &owed, fee_due, payment.amount)
            .map_err(internal)?;
    for (share, part) in bill.shares.iter_mut().zip(parts) {
        share.2 += part;
    }
    bill.service_paid = bill.service_amount - split.due.service.minor();
    bill.fee_paid = bill.fee - split.due.fee.minor();
    bill.excess += split.excess;
    bill.status = BillStatus::after_payment(bill.balance());
    Ok((
        split.transaction,
        Applied::Bill {
            reference: bill.reference.clone(),
            status: bill.status,
        },
    ))
}

/// Loads `references` for update (locked on PostgreSQL, in reference order so that two
/// nodes never wait on each other in a cycle; SQLite has one writer at a time anyway), with
/// their shares in the same statement. A bill's shares change only under its lock.
pub async fn lock_bills(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    references: &[String],
) -> Result<HashMap<String, BillState>> {
    let mut out: HashMap<String, BillState> = HashMap::new();
    let now = now_ms();
    let lock = if backend == Backend::Postgres {
        " FOR UPDATE OF b"
    } else {
        ""
    };
    // `now` is bound, not written in: a statement that differs every millisecond would be
    // prepared afresh for every group and push others out of the statement cache.
    let status = crate::bills::status_at(&marks(backend, 1));
    for run in padded(references) {
        let sql = format!(
            "SELECT b.reference, b.agency_code, b.agency_reference, b.currency, b.service_amount, \
             b.fee, b.service_paid, b.fee_paid, b.excess, b.last_payment, {} AS status, \
             s.agency_code AS share_agency, s.amount AS share_amount, s.paid AS share_paid \
             FROM bills b LEFT JOIN bill_shares s ON s.reference = b.reference \
             WHERE b.reference IN ({}) ORDER BY b.reference, s.position{lock}",
            // Its `status` and `expires_at` are the bill's: bill_shares has neither.
            status,
            marks_from(backend, 2, run.listed())
        );
        let mut q = sqlx::query(&sql).bind(now);
        for (_, r) in run.rows() {
            q = q.bind(r);
        }
        for row in q.fetch_all(&mut *tx).await? {
            let reference: String = row.try_get("reference")?;
            let share: Option<String> = row.try_get("share_agency")?;
            if !out.contains_key(&reference) {
                let currency: String = row.try_get("currency")?;
                let bill = BillState {
                    reference: reference.clone(),
                    agency: row.try_get("agency_code")?,
                    agency_reference: row.try_get("agency_reference")?,
                    currency: currency
                        .parse::<Currency>()
                        .map_err(|_| Error::Internal(format!("bill currency {currency}")))?,
                    service_amount: row.try_get("service_amount")?,
                    fee: row.try_get("fee")?,
                    service_paid: row.try_get("service_paid")?,
                    fee_paid: row.try_get("fee_paid")?,
                    excess: row.try_get("excess")?,
                    status: row.try_get::<String, _>("status")?.parse()?,
                    shares: Vec::new(),
                    last_payment: row.try_get("last_payment")?,
                };
                out.insert(reference.clone(), bill);
            }
            if let (Some(agency), Some(bill)) = (share, out.get_mut(&reference)) {
                bill.shares.push((
                    agency,
                    row.try_get("share_amount")?,
                    row.try_get("share_paid")?,
                ));
            }
        }
    }
    Ok(out)
}

/// Writes the amounts and status of each bill back, many bills to a statement.
pub async fn save_bills<'a>(
    tx: &mut sqlx::AnyConnection,
    bills: impl IntoIterator<Item = &'a BillState>,
) -> Result<()> {
    let now = now_ms();
    let backend = lango_core::db::backend_of(tx);
    let bills: Vec<&BillState> = bills.into_iter().collect();
    for run in padded(&bills) {
        let sql = format!(
            "WITH v (keep, reference, service_paid, fee_paid, excess, status, last_payment, \
             updated_at) AS (VALUES {}) \
             UPDATE bills SET service_paid = v.service_paid, fee_paid = v.fee_paid, \
             excess = v.excess, status = v.status, last_payment = v.last_payment, \
             updated_at = v.updated_at FROM v WHERE bills.reference = v.reference AND v.keep = 1",
            values_marks(backend, run.listed(), 8)
        );
        let mut q = sqlx::query(&sql);
        for (keep, b) in run.rows() {
            q = q
                .bind(keep)
                .bind(&b.reference)
                .bind(b.service_paid)
                .bind(b.fee_paid)
                .bind(b.excess)
                .bind(b.status.as_str())
                .bind(b.last_payment)
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    for b in bills.iter().filter(|b| !b.shares.is_empty()) {
        for (position, (_, _, paid)) in b.shares.iter().enumerate() {
            sqlx::query("UPDATE bill_shares SET paid = $1 WHERE reference = $2 AND position = $3")
                .bind(*paid)
                .bind(&b.reference)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

/// The `payment.received` event for an agency's system.
pub fn received_event(bill: &BillState, payment: &Payment) -> serde_json::Value {
    let major = |m: i64| Money::from_minor(m, bill.currency).to_decimal();
    serde_json::json!({
        "reference": bill.reference,
        "agency_reference": bill.agency_reference,
        "channel": payment.channel,
        "receipt": payment.receipt,
        "amount": payment.amount.to_decimal(),
        "currency": bill.currency.code(),
        "status": bill.status,
        "amount_paid": major(bill.service_paid + bill.fee_paid + bill.excess),
        "balance": major(bill.balance()),
    })
}

/// Posts `payment` to bill `reference` inside `tx`, as [`post_one`] does, and names how it
/// was applied (`bill` or `suspense`) beside its ledger transaction: what a channel keeps on
/// its own row (card and FPX payments).
pub async fn post_named(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    reference: &str,
    payment: &Payment,
) -> Result<(&'static str, String)> {
    let (applied, ledger) = post_one(tx, backend, Some(reference), payment).await?;
    let outcome = match applied {
        Applied::Bill { .. } => "bill",
        Applied::Suspense => "suspense",
    };
    Ok((outcome, ledger))
}

/// Posts one payment: locks the bill (if any), posts its transaction, updates the bill and
/// emits `payment.received`, in `tx`. Returns where it went and the ledger transaction id.
pub async fn post_one(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    reference: Option<&str>,
    payment: &Payment,
) -> Result<(Applied, String)> {
    let mut bills = match reference {
        Some(r) => lock_bills(tx, backend, &[r.to_string()]).await?,
        None => HashMap::new(),
    };
    let mut bill = reference.and_then(|r| bills.remove(r));
    let (t, applied) = apply(bill.as_mut(), payment)?;
    let id = store::post(tx, &t).await?;
    if let (Applied::Bill { .. }, Some(bill)) = (&applied, &mut bill) {
        let seq = lango_notify::events::emit(
            tx,
            &lango_notify::events::NewEvent {
                kind: "payment.received",
                agency: &bill.agency,
                order_key: &bill.reference,
                data: received_event(bill, payment),
            },
        )
        .await?;
        store_links(tx, &[chain_payment(bill, seq)]).await?;
        save_bills(tx, [&*bill]).await?;
    }
    Ok((applied, id))
}

/// Makes `seq`, a `payment.received` event just emitted for the locked `bill`, the bill's
/// latest payment (for [`save_bills`] to write) and returns its link to the bill's payment
/// before it, for [`store_links`]. A bill's payments are found by walking back from the
/// bill ([`payment_events`]): each payment appends a link in event order, where an index
/// on events by bill cost every payment a write to a random page.
pub fn chain_payment(bill: &mut BillState, seq: i64) -> (i64, Option<i64>) {
    let link = (seq, bill.last_payment);
    bill.last_payment = Some(seq);
    link
}

/// Stores links from [`chain_payment`] (seq, the bill's payment before it).
pub async fn store_links(tx: &mut sqlx::AnyConnection, links: &[(i64, Option<i64>)]) -> Result<()> {
    let backend = lango_core::db::backend_of(tx);
    for run in padded(links) {
        let sql = format!(
            "INSERT INTO bill_payment_links (seq, previous) {}",
            kept_rows(backend, run.listed(), 2)
        );
        let mut q = sqlx::query(&sql);
        for (keep, (seq, previous)) in run.rows() {
            q = q.bind(keep).bind(*seq).bind(*previous);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The `payment.received` events of bill `reference` as (data, occurred_at), oldest first:
/// the one record every channel (and finance staff matching suspense) leaves.
pub async fn payment_events(db: &Db, reference: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "WITH RECURSIVE chain (seq) AS ( \
           SELECT last_payment FROM bills WHERE reference = $1 AND last_payment IS NOT NULL \
           UNION ALL \
           SELECT l.previous FROM chain JOIN bill_payment_links l ON l.seq = chain.seq \
           WHERE l.previous IS NOT NULL) \
         SELECT e.data, e.occurred_at FROM chain JOIN events e ON e.seq = chain.seq \
         WHERE e.type = 'payment.received' ORDER BY e.seq",
    )
    .bind(reference)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("data")?, r.try_get("occurred_at")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bill(service: i64, fee: i64) -> BillState {
        BillState {
            reference: "ABC".into(),
            agency: "DIS".into(),
            agency_reference: "A-1".into(),
            currency: Currency::Kes,
            service_amount: service,
            fee,
            service_paid: 0,
            fee_paid: 0,
            excess: 0,
            status: BillStatus::Open,
            shares: Vec::new(),
            last_payment: None,
        }
    }

    fn pay(minor: i64) -> Payment {
        Payment {
            channel: "mpesa".into(),
            receipt: "R1".into(),
            amount: Money::from_minor(minor, Currency::Kes),
        }
    }

    #[test]
    fn part_then_rest_then_excess() {
        let mut b = bill(455_000, 5_000);
        let (_, a) = apply(Some(&mut b), &pay(100_000)).unwrap();
        assert!(matches!(a, Applied::Bill { ref status, .. } if *status == BillStatus::PartlyPaid));
        assert_eq!(
            (b.service_paid, b.fee_paid, b.balance()),
            (100_000, 0, 360_000)
        );
        apply(Some(&mut b), &pay(360_000)).unwrap();
        assert_eq!((b.status.as_str(), b.balance()), ("paid", 0));
        apply(Some(&mut b), &pay(700)).unwrap();
        assert_eq!((b.status.as_str(), b.excess), ("paid", 700));
    }

    #[test]
    fn a_shared_bill_pays_each_agency_in_proportion() {
        let mut b = bill(400_000, 5_000);
        b.shares = vec![("CG-NBI".into(), 300_000, 0), ("NEMA".into(), 100_000, 0)];
        let (t, _) = apply(Some(&mut b), &pay(200_000)).unwrap();
        assert_eq!(b.shares[0].2 + b.shares[1].2, 200_000);
        assert_eq!((b.shares[0].2, b.shares[1].2), (150_000, 50_000));
        assert!(t
            .postings()
            .iter()
            .any(|p| p.account.to_string() == "revenue:NEMA:KES" && p.amount == -50_000));
        apply(Some(&mut b), &pay(205_000)).unwrap();
        assert_eq!((b.shares[0].2, b.shares[1].2), (300_000, 100_000));
        assert_eq!((b.status.as_str(), b.fee_paid), ("paid", 5_000));
    }

    #[test]
    fn no_bill_wrong_currency_or_cancelled_goes_to_suspense() {
        assert_eq!(apply(None, &pay(100)).unwrap().1, Applied::Suspense);
        let mut usd = bill(100, 0);
        usd.currency = Currency::Usd;
        assert_eq!(
            apply(Some(&mut usd), &pay(100)).unwrap().1,
            Applied::Suspense
        );
        let mut cancelled = bill(100, 0);
        cancelled.status = BillStatus::Cancelled;
        assert_eq!(
            apply(Some(&mut cancelled), &pay(100)).unwrap().1,
            Applied::Suspense
        );
        assert_eq!(cancelled.service_paid, 0);
    }
}
