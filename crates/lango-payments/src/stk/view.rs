//! What the public payment page shows of a bill: amounts, status and the payments made,
//! never the payer.

use super::MAX_MINOR;
use crate::bills;
use lango_core::db::Db;
use lango_core::money::Currency;
use lango_core::Result;

/// A payment recorded against a bill, from any channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillPayment {
    /// `mpesa`, `card`, …
    pub channel: String,
    /// The channel's receipt number.
    pub receipt: String,
    /// What was paid (decimal string, major units).
    pub amount: String,
    /// When it was recorded (unix ms).
    pub at: i64,
}

/// The payments recorded against a bill, oldest first: its `payment.received` events, the
/// one record every channel (and finance staff matching suspense) leaves.
pub async fn bill_payments(db: &Db, reference: &str) -> Result<Vec<BillPayment>> {
    let rows = crate::posting::payment_events(db, reference).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (data, at) in rows {
        let v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        out.push(BillPayment {
            channel: text("channel"),
            receipt: text("receipt"),
            amount: text("amount"),
            at,
        });
    }
    Ok(out)
}

/// A bill as its public payment page shows it: no payer details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayView {
    /// The bill's amounts and status.
    pub bill: bills::Bill,
    /// The catalogue service it is for.
    pub service_code: String,
    /// True when a prompt can be asked for its balance (whole shillings, within M-Pesa's
    /// limit); otherwise the paybill is the way to pay.
    pub prompt_possible: bool,
}

/// The view of the bill `reference` (canonical form) that every way of paying starts from:
/// the payment page, the counter, USSD and SMS. What was paid before is
/// [`bill_payments`]', read by the page that lists it.
pub async fn pay_view(db: &Db, reference: &str) -> Result<Option<PayView>> {
    let Some(bill) = bills::get(db, reference).await? else {
        return Ok(None);
    };
    let service_code: String =
        sqlx::query_scalar("SELECT service_code FROM bills WHERE reference = $1")
            .bind(reference)
            .fetch_one(db.pool())
            .await?;
    let balance = bill.balance();
    let prompt_possible = balance.currency() == Currency::Kes
        && balance.minor() > 0
        && balance.minor() % 100 == 0
        && balance.minor() <= MAX_MINOR;
    Ok(Some(PayView {
        bill,
        service_code,
        prompt_possible,
    }))
}
