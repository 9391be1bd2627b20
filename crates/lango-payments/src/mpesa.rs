//! M-Pesa C2B as Daraja calls it: validation (may this payment go ahead?) and confirmation
//! (money has moved: record it exactly once and post it to the ledger).
//!
//! A confirmation becomes an [`Incoming`] receipt and is recorded by the node's committer
//! (`receipts`): stored with its raw body, keyed by TransID, in the same transaction as its
//! ledger posting and bill update, so a retried callback is acknowledged and never posted
//! twice, and a crash before commit leaves nothing half-done (Safaricom retries). Money for
//! no open bill goes to suspense for finance staff to match; nothing is refused after the fact.

use crate::daraja;
pub use crate::receipts::{Confirmed, Incoming, Receipts, CHANNEL};
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::Result;
use serde_json::Value;

/// Answers a validation request: accepted only for a well-formed payment to an open bill.
pub async fn validate(db: &Db, body: &[u8], shortcode: &str) -> Result<Value> {
    let Ok(req) = daraja::parse_body(body) else {
        return Ok(daraja::validation_rejected(&daraja::Rejection::TransId));
    };
    let checked = match daraja::check(&req, shortcode, Currency::Kes) {
        Ok(c) => c,
        Err(r) => return Ok(daraja::validation_rejected(&r)),
    };
    let status: Option<String> = sqlx::query_scalar(&format!(
        "SELECT {} FROM bills WHERE reference = $2 AND currency = 'KES'",
        crate::bills::status_at("$1")
    ))
    .bind(lango_core::clock::now_ms())
    .bind(checked.reference.as_str())
    .fetch_optional(db.pool())
    .await?;
    let payable = status
        .as_deref()
        .and_then(crate::BillStatus::parse)
        .is_some_and(crate::BillStatus::is_payable);
    Ok(if payable {
        daraja::validation_accepted()
    } else {
        daraja::validation_rejected(&daraja::Rejection::AccountNumber(
            crate::reference::ReferenceError::Check,
        ))
    })
}

/// Why a confirmation could not be recorded at all (no TransID or amount to record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecordable(pub String);

/// Reads a confirmation body into the receipt to record. Money that moved is recorded even
/// when its reference or shortcode is wrong (it goes to suspense); without a TransID or a
/// readable amount there is nothing to record it by.
pub fn incoming(body: &[u8], shortcode: &str) -> std::result::Result<Incoming, Unrecordable> {
    let req = daraja::parse_body(body).map_err(|e| Unrecordable(e.to_string()))?;
    let checked = daraja::check(&req, shortcode, Currency::Kes);
    let amount = match (
        &checked,
        Money::parse_decimal(&req.trans_amount, Currency::Kes),
    ) {
        (Ok(c), _) => c.amount,
        (Err(_), Ok(m)) if m.minor() > 0 => m,
        _ => return Err(Unrecordable("amount is not a positive decimal".into())),
    };
    if req.trans_id.is_empty()
        || req.trans_id.len() > 20
        || !req.trans_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Unrecordable(
            "TransID is not 1–20 letters and digits".into(),
        ));
    }
    let (reference, trans_time_ms) = match checked {
        Ok(c) => (Some(c.reference), Some(c.trans_time_ms)),
        Err(_) => (None, None),
    };
    Ok(Incoming {
        trans_id: req.trans_id,
        bill_ref: req.bill_ref_number,
        reference,
        amount,
        trans_time_ms,
        raw: String::from_utf8_lossy(body).into_owned(),
    })
}

/// Records a confirmation exactly once and posts it, through the node's committer.
pub async fn confirm(
    receipts: &Receipts,
    body: &[u8],
    shortcode: &str,
) -> Result<std::result::Result<Confirmed, Unrecordable>> {
    match incoming(body, shortcode) {
        Ok(i) => Ok(Ok(receipts.record(i).await?)),
        Err(e) => Ok(Err(e)),
    }
}
