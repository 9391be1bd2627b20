//! M-Pesa Express (STK push): a payment prompt on the payer's phone for what a bill still owes.
//!
//! Rules:
//! - Only an open or partly paid bill in shillings, for exactly its balance. M-Pesa Express
//!   takes whole shillings, so a balance with cents is refused here (the payer is pointed to
//!   the paybill, which takes cents); so is one above M-Pesa's KSh 250,000 limit.
//! - One prompt at a time per bill (a pending one younger than [`PENDING_WINDOW_MS`]
//!   blocks the next), and at most [`MAX_PER_MINUTE`] a minute: a payment page is public,
//!   and each prompt rings someone's phone.
//! - The money is recorded through the M-Pesa receipts committer, keyed by the receipt
//!   number, so a receipt that also arrives as a C2B confirmation or through reconciliation
//!   is posted once whichever way comes first. A repeated callback changes nothing.
//! - A success callback must be for what was asked: the prompt's amount, from the prompt's
//!   phone. One that is not (a forged or garbled callback) is recorded, never posted to the
//!   bill: its money is held in suspense, where finance staff review and match it.
//! - A prompt with no callback after [`QUERY_AFTER_MS`] is asked about (Daraja's status
//!   query); a success learnt that way has no receipt number yet, so the bill is paid when
//!   the receipt arrives (callback or reconciliation), never on the query's word.

mod callback;
mod phone;
mod prompter;
mod view;

pub use callback::{parse as parse_callback, CallbackError, Paid, StkCallback};
pub use phone::Msisdn;
pub use prompter::Prompter;
pub use view::{bill_payments, pay_view, BillPayment, PayView};

use crate::bills;
use crate::daraja_api::{DarajaClient, DarajaError, StkPush, StkQueryOutcome};
use crate::mpesa::{Confirmed, Incoming, Receipts};
use crate::reference::BillReference;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;
use std::time::Duration;

/// Most prompts for one bill in a minute.
pub const MAX_PER_MINUTE: i64 = 3;
/// A pending prompt younger than this blocks another for the same bill (a phone shows a
/// prompt for about a minute; Daraja then reports a timeout).
pub const PENDING_WINDOW_MS: i64 = 120_000;
// `reserve` counts the last minute inside the pending window's rows.
const _: () = assert!(PENDING_WINDOW_MS >= 60_000);
/// A prompt with no callback this long after it was sent is asked about.
pub const QUERY_AFTER_MS: i64 = 20_000;
/// And asked again no sooner than this.
pub const QUERY_EVERY_MS: i64 = 10_000;
/// What a prompt whose callback did not match it says (its receipt waits in suspense).
pub const HELD: &str = "held for finance review: the payment's amount or phone is not the prompt's";
/// M-Pesa's largest single payment, in cents.
pub const MAX_MINOR: i64 = 25_000_000;

/// Why a prompt was not sent; each has a word key for the payer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a Kenyan mobile number.
    Phone,
    /// The bill is paid, cancelled, expired, or not in shillings.
    NotPayable,
    /// The balance has cents; M-Pesa Express takes whole shillings.
    Cents,
    /// More than M-Pesa takes in one payment.
    TooLarge,
    /// A prompt for this bill is still waiting for the payer.
    Pending,
    /// Too many prompts for this bill in the last minute.
    TooMany,
    /// M-Pesa says the phone is busy with another request.
    Busy,
    /// Daraja could not be reached or refused the request.
    Unavailable,
}

impl Refusal {
    /// The word key that explains it.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Phone => "stk_phone_invalid",
            Refusal::NotPayable => "stk_not_payable",
            Refusal::Cents => "stk_cents",
            Refusal::TooLarge => "stk_too_large",
            Refusal::Pending => "stk_pending",
            Refusal::TooMany => "stk_too_many",
            Refusal::Busy => "stk_busy",
            Refusal::Unavailable => "stk_unavailable",
        }
    }
}

/// How a prompt failed, as the payer should hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 1032: the payer pressed cancel.
    Cancelled,
    /// 1037: the phone could not be reached (off, no signal, or no answer in time).
    Unreachable,
    /// 2001: wrong M-Pesa PIN.
    WrongPin,
    /// 1: not enough money in M-Pesa.
    InsufficientFunds,
    /// Anything else, including Daraja refusing the request.
    Other,
}

impl Failure {
    /// The failure a Daraja `ResultCode` means.
    pub fn from_code(code: Option<i64>) -> Failure {
        match code {
            Some(1032) => Failure::Cancelled,
            Some(1037) => Failure::Unreachable,
            Some(2001) => Failure::WrongPin,
            Some(1) => Failure::InsufficientFunds,
            _ => Failure::Other,
        }
    }

    /// The word key that explains it.
    pub fn code(self) -> &'static str {
        match self {
            Failure::Cancelled => "stk_failed_cancelled",
            Failure::Unreachable => "stk_failed_unreachable",
            Failure::WrongPin => "stk_failed_pin",
            Failure::InsufficientFunds => "stk_failed_funds",
            Failure::Other => "stk_failed_other",
        }
    }
}

lango_core::word_enum! {
    /// Where a payment prompt stands.
    pub enum StkStatus {
        /// Sent; the payer has not answered.
        Pending = "pending",
        /// Paid: the callback brought a receipt.
        Succeeded = "succeeded",
        /// Declined, timed out, or Daraja could not be asked.
        Failed = "failed",
    }
}

/// A prompt as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StkRequest {
    /// Lango's id of the prompt.
    pub id: String,
    /// Daraja's id, once Daraja accepted it.
    pub checkout_request_id: Option<String>,
    /// The bill.
    pub bill_reference: String,
    /// What was asked for.
    pub amount: Money,
    /// The phone prompted (`2547…`).
    pub phone: String,
    /// Where it stands.
    pub status: StkStatus,
    /// Daraja's `ResultCode`, once known.
    pub result_code: Option<i64>,
    /// Daraja's words, or why Daraja could not be asked.
    pub result_desc: String,
    /// The M-Pesa receipt number, once the callback brought it.
    pub receipt: Option<String>,
    /// When it was asked for (unix ms).
    pub created_at: i64,
}

impl StkRequest {
    /// How it failed, when it did.
    pub fn failure(&self) -> Option<Failure> {
        (self.status == StkStatus::Failed).then(|| Failure::from_code(self.result_code))
    }
}

/// Sends a prompt to `phone` for the balance of the bill `reference` (canonical form).
/// `callback_url` is where Daraja reaches this service with the outcome
/// ([`crate::callbacks::CallbackPaths::url`]).
pub async fn start(
    db: &Db,
    daraja: &DarajaClient,
    callback_url: &str,
    reference: &str,
    phone: &str,
) -> Result<std::result::Result<StkRequest, Refusal>> {
    let bill = bills::get(db, reference)
        .await?
        .ok_or_else(|| Error::NotFound("bill".into()))?;
    let balance = bill.balance();
    if !bill.status.is_payable() || balance.currency() != Currency::Kes || balance.minor() <= 0 {
        return Ok(Err(Refusal::NotPayable));
    }
    let Some(msisdn) = Msisdn::parse(phone) else {
        return Ok(Err(Refusal::Phone));
    };
    if balance.minor() % 100 != 0 {
        return Ok(Err(Refusal::Cents));
    }
    if balance.minor() > MAX_MINOR {
        return Ok(Err(Refusal::TooLarge));
    }
    let id = match reserve(db, &bill.reference, &msisdn, balance).await? {
        Ok(id) => id,
        Err(r) => return Ok(Err(r)),
    };
    let push = StkPush {
        phone: msisdn.as_str().to_string(),
        amount: balance.minor() / 100,
        account_reference: bill.reference.clone(),
        description: description(&bill.agency),
        callback_url: callback_url.to_string(),
    };
    let now = now_ms();
    match daraja.stk_push(&push).await {
        Ok(accepted) => {
            sqlx::query(
                "UPDATE stk_requests SET checkout_request_id = $1, merchant_request_id = $2, \
                 updated_at = $3 WHERE id = $4",
            )
            .bind(&accepted.checkout_request_id)
            .bind(&accepted.merchant_request_id)
            .bind(now)
            .bind(&id)
            .execute(db.pool())
            .await?;
        }
        Err(e) => {
            tracing::warn!(error = %e, bill = %bill.reference, "STK push not accepted");
            sqlx::query(
                "UPDATE stk_requests SET status = 'failed', result_desc = $1, completed_at = $2, \
                 updated_at = $2 WHERE id = $3",
            )
            .bind(e.to_string().chars().take(300).collect::<String>())
            .bind(now)
            .bind(&id)
            .execute(db.pool())
            .await?;
            let busy = matches!(&e, DarajaError::Api { code, message, .. }
                if code == "500.001.1001" && message.to_ascii_lowercase().contains("in process"));
            return Ok(Err(if busy {
                Refusal::Busy
            } else {
                Refusal::Unavailable
            }));
        }
    }
    by_id(db, &id)
        .await?
        .ok_or_else(|| Error::Internal("STK request vanished".into()))
        .map(Ok)
}

/// `TransactionDesc` (≤13 characters): what the payer's phone shows the payment is for.
fn description(agency: &str) -> String {
    format!("Pay {agency}").chars().take(13).collect()
}

/// Writes the pending row under the bill's lock, so that the one-at-a-time and per-minute
/// rules hold even when two requests for one bill arrive together.
async fn reserve(
    db: &Db,
    reference: &str,
    msisdn: &Msisdn,
    amount: Money,
) -> Result<std::result::Result<String, Refusal>> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    // A write first: it takes the row lock on PostgreSQL and the write lock on SQLite, so
    // the counts below cannot change until this transaction ends. The value is unchanged.
    sqlx::query("UPDATE bills SET updated_at = updated_at WHERE reference = $1")
        .bind(reference)
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query(
        "SELECT \
           COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
           COALESCE(SUM(CASE WHEN created_at > $2 THEN 1 ELSE 0 END), 0) AS recent \
         FROM stk_requests WHERE bill_reference = $1 AND created_at > $3",
    )
    .bind(reference)
    .bind(now - 60_000)
    .bind(now - PENDING_WINDOW_MS)
    .fetch_one(&mut *tx)
    .await?;
    let pending: i64 = row.try_get("pending")?;
    let recent: i64 = row.try_get("recent")?;
    if pending > 0 {
        return Ok(Err(Refusal::Pending));
    }
    if recent >= MAX_PER_MINUTE {
        return Ok(Err(Refusal::TooMany));
    }
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO stk_requests (id, bill_reference, phone, amount, currency, status, \
         result_desc, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', '', $6, $6)",
    )
    .bind(&id)
    .bind(reference)
    .bind(msisdn.as_str())
    .bind(amount.minor())
    .bind(amount.currency().code())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

const COLUMNS: &str = "id, checkout_request_id, bill_reference, amount, currency, phone, status, \
                       result_code, result_desc, receipt, created_at";

fn read(r: &sqlx::any::AnyRow) -> Result<StkRequest> {
    let currency: Currency = r
        .try_get::<String, _>("currency")?
        .parse()
        .map_err(|_| Error::Internal("stored currency unknown".into()))?;
    Ok(StkRequest {
        id: r.try_get("id")?,
        checkout_request_id: r.try_get("checkout_request_id")?,
        bill_reference: r.try_get("bill_reference")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        phone: r.try_get("phone")?,
        status: r.try_get::<String, _>("status")?.parse()?,
        result_code: r.try_get("result_code")?,
        result_desc: r.try_get("result_desc")?,
        receipt: r.try_get("receipt")?,
        created_at: r.try_get("created_at")?,
    })
}

async fn by_id(db: &Db, id: &str) -> Result<Option<StkRequest>> {
    let sql = format!("SELECT {COLUMNS} FROM stk_requests WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(read).transpose()
}

/// A prompt by Daraja's CheckoutRequestID.
pub async fn get(db: &Db, checkout_request_id: &str) -> Result<Option<StkRequest>> {
    let sql = format!("SELECT {COLUMNS} FROM stk_requests WHERE checkout_request_id = $1");
    let row = sqlx::query(&sql)
        .bind(checkout_request_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(read).transpose()
}

/// What a callback came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// Money recorded (or, for a receipt already known, acknowledged: see the inner value).
    Paid(Confirmed),
    /// The prompt failed; the bill is unchanged.
    Failed(Failure),
    /// Already settled by an earlier callback: nothing changed.
    Repeat,
    /// A failure for a prompt Lango never sent: nothing to do.
    Unknown,
    /// A success whose amount or phone is not the prompt's: recorded in suspense for
    /// finance staff to review, never posted to the bill.
    Held(Confirmed),
}

/// Settles a prompt from Daraja's callback. A success is recorded as an M-Pesa receipt
/// (even for a prompt Lango does not know: money that moved is never dropped, it goes to
/// suspense); a failure marks a pending prompt failed.
pub async fn callback(
    db: &Db,
    receipts: &Receipts,
    body: &[u8],
) -> Result<std::result::Result<CallbackOutcome, CallbackError>> {
    let cb = match parse_callback(body) {
        Ok(cb) => cb,
        Err(e) => return Ok(Err(e)),
    };
    // Daraja can call back before the push's own answer has been stored: wait a moment.
    let mut request = get(db, &cb.checkout_request_id).await?;
    for _ in 0..10 {
        if request.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        request = get(db, &cb.checkout_request_id).await?;
    }
    let raw = String::from_utf8_lossy(body).into_owned();
    let now = now_ms();
    let Some(paid) = &cb.paid else {
        let Some(request) = request else {
            tracing::warn!(checkout = %cb.checkout_request_id, "STK failure callback for an unknown prompt");
            return Ok(Ok(CallbackOutcome::Unknown));
        };
        let changed = sqlx::query(
            "UPDATE stk_requests SET status = 'failed', result_code = $1, result_desc = $2, \
             callback_raw = $3, completed_at = $4, updated_at = $4 WHERE id = $5 AND status = 'pending'",
        )
        .bind(cb.result_code)
        .bind(&cb.result_desc)
        .bind(&raw)
        .bind(now)
        .bind(&request.id)
        .execute(db.pool())
        .await?
        .rows_affected();
        return Ok(Ok(if changed == 0 {
            CallbackOutcome::Repeat
        } else {
            CallbackOutcome::Failed(Failure::from_code(Some(cb.result_code)))
        }));
    };
    let bill_ref = request
        .as_ref()
        .map(|r| r.bill_reference.clone())
        .unwrap_or_default();
    let matches = request.as_ref().is_some_and(|r| {
        r.amount == paid.amount && paid.phone.as_ref().map(Msisdn::as_str) == Some(r.phone.as_str())
    });
    let confirmed = receipts
        .record(Incoming {
            trans_id: paid.receipt.clone(),
            // Not for what was asked: no bill reference, so the money goes to suspense.
            reference: BillReference::parse(&bill_ref).ok().filter(|_| matches),
            bill_ref,
            amount: paid.amount,
            trans_time_ms: paid.transaction_ms,
            raw: raw.clone(),
        })
        .await?;
    let Some(request) = request else {
        tracing::warn!(checkout = %cb.checkout_request_id, "STK payment for an unknown prompt: held in suspense");
        return Ok(Ok(CallbackOutcome::Paid(confirmed)));
    };
    if !matches {
        tracing::warn!(checkout = %cb.checkout_request_id, receipt = %paid.receipt,
            "STK payment whose amount or phone is not the prompt's: held in suspense for review");
        sqlx::query(
            "UPDATE stk_requests SET status = 'failed', result_code = $1, result_desc = $2, \
             receipt = $3, callback_raw = $4, completed_at = COALESCE(completed_at, $5), updated_at = $5 \
             WHERE id = $6 AND receipt IS NULL",
        )
        .bind(cb.result_code)
        .bind(HELD)
        .bind(&paid.receipt)
        .bind(&raw)
        .bind(now)
        .bind(&request.id)
        .execute(db.pool())
        .await?;
        return Ok(Ok(CallbackOutcome::Held(confirmed)));
    }
    // Also after a failure learnt from a status query: the money did move.
    let changed = sqlx::query(
        "UPDATE stk_requests SET status = 'succeeded', result_code = $1, result_desc = $2, \
         receipt = $3, callback_raw = $4, completed_at = COALESCE(completed_at, $5), updated_at = $5 \
         WHERE id = $6 AND receipt IS NULL",
    )
    .bind(cb.result_code)
    .bind(&cb.result_desc)
    .bind(&paid.receipt)
    .bind(&raw)
    .bind(now)
    .bind(&request.id)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(Ok(if changed == 0 && confirmed == Confirmed::Repeat {
        CallbackOutcome::Repeat
    } else {
        CallbackOutcome::Paid(confirmed)
    }))
}

/// The prompt by CheckoutRequestID, first asking Daraja how it ended when it is still
/// pending `query_after_ms` after it was sent (and not asked in the last
/// [`QUERY_EVERY_MS`]). A failed query leaves it pending; it is logged, not raised.
pub async fn refresh(
    db: &Db,
    daraja: &DarajaClient,
    checkout_request_id: &str,
    query_after_ms: i64,
) -> Result<Option<StkRequest>> {
    let Some(request) = get(db, checkout_request_id).await? else {
        return Ok(None);
    };
    let now = now_ms();
    if request.status != StkStatus::Pending || now - request.created_at < query_after_ms {
        return Ok(Some(request));
    }
    // Claim the query, so that many page loads (and nodes) ask once.
    let claimed = sqlx::query(
        "UPDATE stk_requests SET queried_at = $1 WHERE id = $2 AND status = 'pending' \
         AND (queried_at IS NULL OR queried_at < $3)",
    )
    .bind(now)
    .bind(&request.id)
    .bind(now - QUERY_EVERY_MS)
    .execute(db.pool())
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(Some(request));
    }
    match daraja.stk_query(checkout_request_id).await {
        Ok(StkQueryOutcome::Done { code, desc }) => {
            let status = if code == 0 {
                StkStatus::Succeeded
            } else {
                StkStatus::Failed
            };
            sqlx::query(
                "UPDATE stk_requests SET status = $1, result_code = $2, result_desc = $3, \
                 completed_at = $4, updated_at = $4 WHERE id = $5 AND status = 'pending'",
            )
            .bind(status.as_str())
            .bind(code)
            .bind(desc.chars().take(300).collect::<String>())
            .bind(now_ms())
            .bind(&request.id)
            .execute(db.pool())
            .await?;
        }
        Ok(StkQueryOutcome::Processing) => {}
        Err(e) => {
            tracing::warn!(error = %e, checkout = %checkout_request_id, "STK status query failed")
        }
    }
    get(db, checkout_request_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_fit_daraja() {
        assert_eq!(description("DIS"), "Pay DIS");
        assert_eq!(description("NAIROBI-COUNTY").chars().count(), 13);
    }

    #[test]
    fn failure_codes_have_their_own_words() {
        assert_eq!(Failure::from_code(Some(1032)), Failure::Cancelled);
        assert_eq!(Failure::from_code(Some(1037)), Failure::Unreachable);
        assert_eq!(Failure::from_code(Some(2001)), Failure::WrongPin);
        assert_eq!(Failure::from_code(Some(1)), Failure::InsufficientFunds);
        assert_eq!(Failure::from_code(Some(17)), Failure::Other);
        assert_eq!(Failure::from_code(None), Failure::Other);
    }
}
