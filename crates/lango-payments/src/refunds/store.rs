//! Refunds' records: a bill's position (what a refund decision stands on), and the refunds
//! finance staff and agency systems read.

use super::issue::parse;
use super::{plan, AgencyShare, CardRoute, Parts, Plan, Position, Refusal};
use crate::bills::{self, Bill};
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::HashMap;

/// A refund request as an agency system or a finance officer makes it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct RefundRequest {
    /// Decimal string in the bill's currency, e.g. `"100.00"`.
    pub amount: String,
    /// What the caller believes may still be refunded, e.g. `"4550.00"`.
    pub refund_amount_available: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A refund as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Its id.
    pub id: String,
    /// The bill.
    pub bill_reference: String,
    /// The bill's agency.
    pub agency: String,
    /// How much.
    pub amount: Money,
    /// Which parts of the bill it drew on.
    pub parts: Parts,
    /// `card` or `payout`.
    pub method: String,
    /// The card payment it goes back through.
    pub card_payment_id: Option<String>,
    /// The provider's refund id, once the provider accepted it.
    pub provider_refund_id: Option<String>,
    /// Where it stands.
    pub status: RefundStatus,
    /// Why it was made.
    pub reason: String,
    /// Who made it (`account:ID`, `apikey:ID`).
    pub requested_by: String,
    /// Its ledger transaction, when money moved in the ledger.
    pub ledger_transaction: Option<String>,
    /// When, unix ms.
    pub created_at: i64,
}

lango_core::word_enum! {
    /// Where a refund stands.
    pub enum RefundStatus {
        /// Reserved; the card provider has not answered yet.
        Requested = "requested",
        /// The provider accepted it and is sending the money.
        Submitted = "submitted",
        /// The money went back to the card.
        Success = "success",
        /// Owed to the payer's phone, paid by finance outside Lango.
        PendingPayout = "pending_payout",
        /// The provider did not make it: nothing went back.
        Failed = "failed",
        /// M-Pesa took the payment back from the paybill (a reversal): the money is back
        /// with the payer.
        Reversed = "reversed",
    }
}

/// A payment of the bill, as its `payment.received` event recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    /// `mpesa`, `card`…
    pub channel: String,
    /// The channel's receipt.
    pub receipt: String,
    /// How much.
    pub amount: Money,
    /// When, unix ms.
    pub at: i64,
}

/// A bill's refunds and what stands behind them.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The bill.
    pub bill: Bill,
    /// Paid, refunded, and the routes back.
    pub position: Position,
    /// Its payments, oldest first.
    pub payments: Vec<PaymentLine>,
    /// Its refunds, newest first.
    pub refunds: Vec<Refund>,
}

pub(super) const COLUMNS: &str = "id, bill_reference, agency_code, currency, amount, from_excess, from_service, from_fee, \
     method, card_payment_id, provider_refund_id, status, reason, requested_by, ledger_transaction, created_at";

pub(super) fn row_to_refund(r: &sqlx::any::AnyRow) -> Result<Refund> {
    let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
    Ok(Refund {
        id: r.try_get("id")?,
        bill_reference: r.try_get("bill_reference")?,
        agency: r.try_get("agency_code")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        parts: Parts {
            excess: r.try_get("from_excess")?,
            service: r.try_get("from_service")?,
            fee: r.try_get("from_fee")?,
        },
        method: r.try_get("method")?,
        card_payment_id: r.try_get("card_payment_id")?,
        provider_refund_id: r.try_get("provider_refund_id")?,
        status: r.try_get::<String, _>("status")?.parse()?,
        reason: r.try_get("reason")?,
        requested_by: r.try_get("requested_by")?,
        ledger_transaction: r.try_get("ledger_transaction")?,
        created_at: r.try_get("created_at")?,
    })
}

fn currency_of(code: &str) -> Result<Currency> {
    code.parse()
        .map_err(|_| Error::Internal(format!("stored currency {code}")))
}

/// One refund by id.
pub(super) async fn get(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Refund> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::Internal("refund vanished".into()))?;
    row_to_refund(&row)
}

/// A bill's refunds, newest first.
pub async fn list(db: &Db, reference: &str) -> Result<Vec<Refund>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM refunds WHERE bill_reference = $1 ORDER BY created_at DESC, id"
    ))
    .bind(reference)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_refund).collect()
}

/// The bill's agency and its own reference (for events), and its refund position.
pub(super) struct BillInfo {
    pub(super) agency_reference: String,
}

/// Reads what a refund decision stands on; `None` when there is no such bill.
pub(super) async fn load_position(
    conn: &mut sqlx::AnyConnection,
    reference: &str,
) -> Result<Option<(BillInfo, Position)>> {
    let Some(b) = sqlx::query(
        "SELECT agency_code, agency_reference, currency, service_paid, fee_paid, excess, status \
         FROM bills WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let paid = Parts {
        excess: b.try_get("excess")?,
        service: b.try_get("service_paid")?,
        fee: b.try_get("fee_paid")?,
    };
    let cards = sqlx::query(
        "SELECT id, provider_payment_id, amount FROM card_payments \
         WHERE bill_reference = $1 AND posted = 1 AND outcome = 'bill' ORDER BY posted_at DESC, id",
    )
    .bind(reference)
    .fetch_all(&mut *conn)
    .await?;
    let refunds = sqlx::query(
        "SELECT amount, from_excess, from_service, from_fee, method, card_payment_id, status \
         FROM refunds WHERE bill_reference = $1 AND status <> 'failed'",
    )
    .bind(reference)
    .fetch_all(&mut *conn)
    .await?;
    let mut refunded = Parts::default();
    let mut by_card: HashMap<String, (i64, bool)> = HashMap::new();
    let mut payout_refunded = 0;
    for r in &refunds {
        let amount: i64 = r.try_get("amount")?;
        refunded.excess += r.try_get::<i64, _>("from_excess")?;
        refunded.service += r.try_get::<i64, _>("from_service")?;
        refunded.fee += r.try_get::<i64, _>("from_fee")?;
        match r.try_get::<Option<String>, _>("card_payment_id")? {
            Some(c) => {
                let e = by_card.entry(c).or_default();
                e.0 += amount;
                e.1 |= r.try_get::<String, _>("status")? == "requested";
            }
            None => payout_refunded += amount,
        }
    }
    let mut card_total = 0;
    let mut routes = Vec::with_capacity(cards.len());
    for c in &cards {
        let id: String = c.try_get("id")?;
        let amount: i64 = c.try_get("amount")?;
        let (refunded, in_flight) = by_card.get(&id).copied().unwrap_or_default();
        card_total += amount;
        routes.push(CardRoute {
            provider_payment_id: c
                .try_get::<Option<String>, _>("provider_payment_id")?
                .unwrap_or_default(),
            card_payment_id: id,
            paid: amount,
            refunded,
            in_flight,
        });
    }
    let shares = sqlx::query(
        "SELECT agency_code, paid FROM bill_shares WHERE reference = $1 ORDER BY position",
    )
    .bind(reference)
    .fetch_all(&mut *conn)
    .await?;
    let mut agencies: Vec<AgencyShare> = Vec::with_capacity(shares.len().max(1));
    for r in &shares {
        agencies.push(AgencyShare {
            agency: r.try_get("agency_code")?,
            received: r.try_get("paid")?,
            refunded: 0,
        });
    }
    if agencies.is_empty() {
        agencies.push(AgencyShare {
            agency: b.try_get("agency_code")?,
            received: paid.service,
            refunded: 0,
        });
    }
    // Cast in SQL: PostgreSQL's SUM of BIGINT is NUMERIC.
    let given_back = sqlx::query(
        "SELECT s.agency_code, CAST(SUM(s.amount) AS BIGINT) AS total FROM refund_shares s \
         JOIN refunds r ON r.id = s.refund_id WHERE r.bill_reference = $1 AND r.status <> 'failed' \
         GROUP BY s.agency_code",
    )
    .bind(reference)
    .fetch_all(&mut *conn)
    .await?;
    for r in &given_back {
        let agency: String = r.try_get("agency_code")?;
        if let Some(a) = agencies.iter_mut().find(|a| a.agency == agency) {
            a.refunded = r.try_get("total")?;
        }
    }
    let position = Position {
        currency: currency_of(&b.try_get::<String, _>("currency")?)?,
        paid,
        fee_refundable: b.try_get::<String, _>("status")? == "cancelled",
        refunded,
        agencies,
        cards: routes,
        payout_paid: (paid.total() - card_total).max(0),
        payout_refunded,
    };
    let info = BillInfo {
        agency_reference: b.try_get("agency_reference")?,
    };
    Ok(Some((info, position)))
}

/// A bill's payments (from their `payment.received` events), refunds and position.
pub async fn summary(db: &Db, reference: &str) -> Result<Option<Summary>> {
    let Some(bill) = bills::get(db, reference).await? else {
        return Ok(None);
    };
    let mut conn = db.pool().acquire().await?;
    let Some((_, position)) = load_position(&mut conn, reference).await? else {
        return Ok(None);
    };
    drop(conn);
    let currency = position.currency;
    let rows = crate::posting::payment_events(db, reference).await?;
    let mut payments = Vec::with_capacity(rows.len());
    for (data, at) in &rows {
        let data: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
        let text = |k: &str| {
            data.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let Ok(amount) = Money::parse_decimal(&text("amount"), currency) else {
            continue;
        };
        payments.push(PaymentLine {
            channel: text("channel"),
            receipt: text("receipt"),
            amount,
            at: *at,
        });
    }
    Ok(Some(Summary {
        refunds: list(db, reference).await?,
        bill,
        position,
        payments,
    }))
}

/// Decides `req` against bill `reference` as it stands, without recording anything (the
/// finance officer's check-your-answers page). The decision is made again on issue.
pub async fn preview(
    db: &Db,
    reference: &str,
    req: &RefundRequest,
) -> Result<std::result::Result<(Plan, Position), Refusal>> {
    let mut conn = db.pool().acquire().await?;
    let (_, pos) = load_position(&mut conn, reference)
        .await?
        .ok_or_else(|| Error::NotFound("bill".into()))?;
    drop(conn);
    let (amount, stated, _) = match parse(req, pos.currency) {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    Ok(plan(&pos, amount.minor(), stated.minor()).map(|p| (p, pos)))
}

/// One refund by its id.
pub async fn find(db: &Db, id: &str) -> Result<Option<Refund>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM refunds WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(row_to_refund).transpose()
}

/// Refunds across all bills for finance: those awaiting payout first (oldest first), then
/// the newest others; at most `limit`.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Refund>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM refunds WHERE status = 'pending_payout' ORDER BY created_at, id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Refund> = rows.iter().map(row_to_refund).collect::<Result<_>>()?;
    let rest = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM refunds WHERE status <> 'pending_payout' ORDER BY created_at DESC, id LIMIT $1"
    ))
    .bind((limit - out.len() as i64).max(0))
    .fetch_all(db.pool())
    .await?;
    for r in &rest {
        out.push(row_to_refund(r)?);
    }
    Ok(out)
}
