//! M-Pesa C2B as Daraja calls it: validation (may this payment go ahead?) and confirmation
//! (money has moved: record it exactly once and post it to the ledger).
//!
//! A confirmation is stored with its raw body in the same transaction as its ledger posting
//! and bill update, keyed by TransID, so a retried callback is acknowledged and never posted
//! twice, and a crash before commit leaves nothing half-done (Safaricom retries). Money for
//! no open bill goes to suspense for finance staff to match; nothing is ever refused after
//! the fact.

use crate::daraja::{self, C2bRequest, Checked};
use crate::ledger::{self, Due};
use crate::store;
use lango_core::clock::now_ms;
use lango_core::db::{Backend, Db};
use lango_core::money::{Currency, Money};
use lango_core::Result;
use serde_json::Value;
use sqlx::Row;

/// The channel name in ledger accounts (`collection:mpesa:KES`).
pub const CHANNEL: &str = "mpesa";

/// Answers a validation request: accepted only for a well-formed payment to an open bill.
pub async fn validate(db: &Db, body: &[u8], shortcode: &str) -> Result<Value> {
    let Ok(req) = daraja::parse_body(body) else {
        return Ok(daraja::validation_rejected(&daraja::Rejection::TransId));
    };
    let checked = match daraja::check(&req, shortcode, Currency::Kes) {
        Ok(c) => c,
        Err(r) => return Ok(daraja::validation_rejected(&r)),
    };
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM bills WHERE reference = $1 AND currency = 'KES'")
            .bind(checked.reference.as_str())
            .fetch_optional(db.pool())
            .await?;
    Ok(match status.as_deref() {
        Some("open" | "partly_paid") => daraja::validation_accepted(),
        _ => daraja::validation_rejected(&daraja::Rejection::AccountNumber(
            crate::reference::ReferenceError::Check,
        )),
    })
}

/// What a confirmation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// Posted against a bill.
    Posted {
        /// The bill.
        reference: String,
        /// Its status now.
        status: String,
    },
    /// Posted to suspense: no open bill matched.
    Suspense,
    /// This TransID was already recorded; nothing posted.
    Repeat,
}

/// Why a confirmation could not be recorded at all (no TransID or amount to record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecordable(pub String);

/// Records a confirmation exactly once and posts it.
pub async fn confirm(
    db: &Db,
    body: &[u8],
    shortcode: &str,
) -> Result<std::result::Result<Confirmed, Unrecordable>> {
    let req = match daraja::parse_body(body) {
        Ok(r) => r,
        Err(e) => return Ok(Err(Unrecordable(e.to_string()))),
    };
    let checked = daraja::check(&req, shortcode, Currency::Kes);
    // Money that moved is recorded even when the reference is wrong; without a TransID or a
    // readable amount there is nothing to record it by.
    let amount = match (
        &checked,
        Money::parse_decimal(&req.trans_amount, Currency::Kes),
    ) {
        (Ok(c), _) => c.amount,
        (Err(_), Ok(m)) if m.minor() > 0 => m,
        _ => return Ok(Err(Unrecordable("amount is not a positive decimal".into()))),
    };
    if req.trans_id.is_empty()
        || req.trans_id.len() > 20
        || !req.trans_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Ok(Err(Unrecordable(
            "TransID is not 1–20 letters and digits".into(),
        )));
    }
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO mpesa_receipts (trans_id, bill_reference, amount, currency, trans_time, raw, outcome, received_at) \
         VALUES ($1, $2, $3, 'KES', $4, $5, 'pending', $6) ON CONFLICT (trans_id) DO NOTHING",
    )
    .bind(&req.trans_id)
    .bind(req.bill_ref_number.chars().take(40).collect::<String>())
    .bind(amount.minor())
    .bind(checked.as_ref().ok().map(|c| c.trans_time_ms))
    .bind(String::from_utf8_lossy(body).to_string())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        tx.commit().await?;
        return Ok(Ok(Confirmed::Repeat));
    }
    let outcome = match &checked {
        Ok(c) => post_to_bill(&mut tx, db, &req, c).await?,
        Err(_) => None,
    };
    let (outcome, ledger_id) = match outcome {
        Some((confirmed, id)) => (confirmed, id),
        None => {
            let memo = format!("mpesa {} unmatched", req.trans_id);
            let t = ledger::unmatched(&memo, CHANNEL, amount)
                .map_err(|e| lango_core::Error::Internal(e.to_string()))?;
            (Confirmed::Suspense, store::post(&mut tx, &t).await?)
        }
    };
    sqlx::query(
        "UPDATE mpesa_receipts SET outcome = $1, ledger_transaction = $2 WHERE trans_id = $3",
    )
    .bind(if outcome == Confirmed::Suspense {
        "suspense"
    } else {
        "posted"
    })
    .bind(&ledger_id)
    .bind(&req.trans_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(outcome))
}

/// Posts against the bill if it can take money; `None` sends the receipt to suspense.
async fn post_to_bill(
    tx: &mut sqlx::AnyConnection,
    db: &Db,
    req: &C2bRequest,
    c: &Checked,
) -> Result<Option<(Confirmed, String)>> {
    // Two confirmations for one bill must not both read the old amounts.
    let lock = if db.backend() == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = sqlx::query(&format!(
        "SELECT agency_code, status, service_amount, fee, service_paid, fee_paid FROM bills \
         WHERE reference = $1 AND currency = 'KES'{lock}"
    ))
    .bind(c.reference.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let status: String = row.try_get("status")?;
    if !matches!(status.as_str(), "open" | "partly_paid" | "paid") {
        return Ok(None);
    }
    let agency: String = row.try_get("agency_code")?;
    let kes = |m: i64| Money::from_minor(m, Currency::Kes);
    let due = Due {
        service: kes(
            row.try_get::<i64, _>("service_amount")? - row.try_get::<i64, _>("service_paid")?
        ),
        fee: kes(row.try_get::<i64, _>("fee")? - row.try_get::<i64, _>("fee_paid")?),
    };
    let memo = format!("mpesa {} bill {}", req.trans_id, c.reference.as_str());
    let split = ledger::receipt(&memo, CHANNEL, &agency, due, c.amount)
        .map_err(|e| lango_core::Error::Internal(e.to_string()))?;
    let id = store::post(tx, &split.transaction).await?;
    let settled = split.due.service.minor() == 0 && split.due.fee.minor() == 0;
    let new_status = if settled { "paid" } else { "partly_paid" };
    sqlx::query(
        "UPDATE bills SET service_paid = service_amount - $1, fee_paid = fee - $2, excess = excess + $3, \
         status = $4, updated_at = $5 WHERE reference = $6",
    )
    .bind(split.due.service.minor())
    .bind(split.due.fee.minor())
    .bind(split.excess)
    .bind(new_status)
    .bind(now_ms())
    .bind(c.reference.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(Some((
        Confirmed::Posted {
            reference: c.reference.as_str().to_string(),
            status: new_status.to_string(),
        },
        id,
    )))
}
