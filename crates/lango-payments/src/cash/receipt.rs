//! Taking cash for a bill: the receipt form's checks, the posting and the receipt's row in
//! one transaction, and reading receipts back.

use super::till::{lock_till, new_session, open_session_in};
use super::{currency_of, CashReceipt, Refusal, Till, CHANNEL};
use crate::finance::Day;
use crate::posting::{self, Applied, Payment};
use crate::reference::{BillReference, ReferenceError};
use lango_core::clock::now_ms;
use lango_core::db::{begin_write, Db};
use lango_core::money::Money;
use lango_core::{Error, Result};
use sqlx::Row;

/// The receipt form as sent.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// The form's one-time key: the same key posts once.
    pub key: &'a str,
    /// The till session the form was shown with (`None` when none was open).
    pub session: Option<&'a str>,
}

const RECEIPT_COLUMNS: &str = "number, session_id, till, bill_reference, amount, currency, \
     balance_after, status_after, staff, ledger_transaction, created_at";

fn row_to_receipt(r: &sqlx::any::AnyRow) -> Result<CashReceipt> {
    let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
    Ok(CashReceipt {
        number: r.try_get("number")?,
        session: r.try_get("session_id")?,
        till: r.try_get("till")?,
        bill_reference: r.try_get("bill_reference")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        balance_after: Money::from_minor(r.try_get("balance_after")?, currency),
        status_after: r.try_get::<String, _>("status_after")?.parse()?,
        staff: r.try_get("staff")?,
        ledger_transaction: r.try_get("ledger_transaction")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The bill reference as typed, in canonical form, or why not (a [`Refusal`] of the `bill`
/// field: required, typo or invalid).
pub fn parse_reference(typed: &str) -> std::result::Result<String, Refusal> {
    if typed.trim().is_empty() {
        return Err(Refusal::BillRequired);
    }
    match BillReference::parse(typed) {
        Ok(r) => Ok(r.as_str().to_string()),
        Err(ReferenceError::Check) => Err(Refusal::BillTypo),
        Err(_) => Err(Refusal::BillInvalid),
    }
}

/// Takes `amount` in cash at `till` for bill `bill_reference` from `staff` (account id),
/// posts it and returns the receipt (for a form sent before, the first one's: nothing is
/// posted again). See [`crate::cash`] for what is refused (each a
/// [`Refusal`] naming the field: `bill`, `amount`, `session`, `key` or `till`).
pub async fn receipt(
    db: &Db,
    till: &Till,
    staff: &str,
    bill_reference: &str,
    amount: Money,
    form: Submission<'_>,
) -> Result<std::result::Result<CashReceipt, Refusal>> {
    if form.key.trim().is_empty() || form.key.len() > 100 {
        return Ok(Err(Refusal::KeyInvalid));
    }
    let reference = match parse_reference(bill_reference) {
        Ok(r) => r,
        Err(r) => return Ok(Err(r)),
    };
    let named = form.session.filter(|s| !s.is_empty());
    let backend = db.backend();
    let mut conn = db.pool().acquire().await?;
    // Dropping `tx` on a refusal rolls back the till's row made by `lock_till`.
    let mut tx = begin_write(&mut conn).await?;
    if let Err(r) = lock_till(&mut tx, backend, till).await? {
        return Ok(Err(r));
    }
    if let Some(r) = receipt_by_key(&mut tx, form.key).await? {
        tx.rollback().await?;
        return Ok(Ok(r));
    }
    let bills = posting::lock_bills(&mut tx, backend, std::slice::from_ref(&reference)).await?;
    let Some(bill) = bills.get(&reference) else {
        return Ok(Err(Refusal::BillUnknown { reference }));
    };
    if !bill.status.is_payable() {
        return Ok(Err(Refusal::BillNotPayable {
            status: bill.status,
            reference,
        }));
    }
    if bill.currency != till.currency || amount.currency() != bill.currency {
        return Ok(Err(Refusal::BillCurrency {
            bill: bill.currency,
            till: till.currency,
            reference,
        }));
    }
    if amount.minor() <= 0 {
        return Ok(Err(Refusal::AmountNotPositive));
    }
    let balance = bill.balance();
    if amount.minor() > balance {
        return Ok(Err(Refusal::AmountOver {
            balance: Money::from_minor(balance, bill.currency),
        }));
    }
    let session = match open_session_in(&mut tx, &till.id()).await? {
        Some(s) => {
            if named.is_some_and(|named| named != s.id) {
                return Ok(Err(Refusal::SessionClosed));
            }
            if s.day != Day::today().date() {
                return Ok(Err(Refusal::SessionStale { day: s.day }));
            }
            s
        }
        None if named.is_some() => return Ok(Err(Refusal::SessionClosed)),
        None => new_session(&mut tx, till, staff).await?,
    };
    let n = lango_core::db::next_counter(&mut tx, "cash_receipt").await?;
    let number = format!("CSH{n:08}");
    let payment = Payment {
        channel: CHANNEL.to_string(),
        receipt: number.clone(),
        amount,
    };
    let (applied, transaction) =
        posting::post_one(&mut tx, backend, Some(&reference), &payment).await?;
    let Applied::Bill { status, .. } = applied else {
        return Err(Error::Internal(format!(
            "cash {number} did not reach bill {reference}"
        )));
    };
    let r = CashReceipt {
        number,
        session: session.id.clone(),
        till: till.id(),
        bill_reference: reference,
        amount,
        balance_after: Money::from_minor(balance - amount.minor(), amount.currency()),
        status_after: status,
        staff: staff.to_string(),
        ledger_transaction: transaction,
        created_at: now_ms(),
    };
    sqlx::query(
        "INSERT INTO cash_receipts (number, session_id, till, bill_reference, amount, currency, \
         balance_after, status_after, staff, form_key, ledger_transaction, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&r.number)
    .bind(&r.session)
    .bind(&r.till)
    .bind(&r.bill_reference)
    .bind(r.amount.minor())
    .bind(r.amount.currency().code())
    .bind(r.balance_after.minor())
    .bind(r.status_after.as_str())
    .bind(&r.staff)
    .bind(form.key)
    .bind(&r.ledger_transaction)
    .bind(r.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(r))
}

async fn receipt_by_key(tx: &mut sqlx::AnyConnection, key: &str) -> Result<Option<CashReceipt>> {
    let row = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM cash_receipts WHERE form_key = $1"
    ))
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?;
    row.as_ref().map(row_to_receipt).transpose()
}

/// A receipt by its number.
pub async fn get_receipt(db: &Db, number: &str) -> Result<Option<CashReceipt>> {
    let row = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM cash_receipts WHERE number = $1"
    ))
    .bind(number)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(row_to_receipt).transpose()
}

pub(super) async fn receipts_in(
    conn: &mut sqlx::AnyConnection,
    session: &str,
) -> Result<Vec<CashReceipt>> {
    let rows = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM cash_receipts WHERE session_id = $1 ORDER BY created_at, number"
    ))
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(row_to_receipt).collect()
}

/// The payer's phone on bill `reference` (canonical), for a prompt from the counter.
pub async fn payer_phone(db: &Db, reference: &str) -> Result<Option<String>> {
    let phone: Option<String> =
        sqlx::query_scalar("SELECT payer_phone FROM bills WHERE reference = $1")
            .bind(reference)
            .fetch_optional(db.pool())
            .await?;
    Ok(phone.filter(|p| !p.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_checked_before_any_lookup() {
        assert_eq!(parse_reference("  "), Err(Refusal::BillRequired));
        assert_eq!(parse_reference("!!"), Err(Refusal::BillInvalid));
        assert!(parse_reference("  ").is_err_and(|r| r.field() == "bill"));
    }
}
