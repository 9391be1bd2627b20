//! Issuing a refund: parse and decide under the bill's lock, reserve it, ask the card
//! provider when it goes back to a card, and only then post, audit and announce it.

use super::store::{
    get, load_position, row_to_refund, BillInfo, Refund, RefundRequest, RefundStatus, COLUMNS,
};
use super::{card, plan, reversal, transaction, Refusal, Route};
use crate::bills;
use crate::cards::{CardProvider, ProviderError};
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Reads a request's amounts in the bill's currency and its reason.
pub(super) fn parse(
    req: &RefundRequest,
    currency: Currency,
) -> std::result::Result<(Money, Money, String), Refusal> {
    let amount =
        Money::parse_decimal(req.amount.trim(), currency).map_err(|_| Refusal::AmountInvalid)?;
    let stated = Money::parse_decimal(req.refund_amount_available.trim(), currency)
        .map_err(|_| Refusal::AvailableInvalid)?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    if reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(Refusal::ReasonInvalid);
    }
    Ok((amount, stated, reason.to_string()))
}

fn request_hash(amount: i64, stated: i64, reason: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{amount}\n{stated}\n{reason}").as_bytes(),
    ))
}

/// The answer given earlier to a request with the same idempotency key: the same refund
/// (or the same refusal, if the provider refused it); another request with that key is a
/// conflict.
async fn replay(
    conn: &mut sqlx::AnyConnection,
    reference: &str,
    key: &str,
    hash: &str,
) -> Result<Option<std::result::Result<Refund, Refusal>>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, request_hash FROM refunds WHERE bill_reference = $1 AND idempotency_key = $2"
    ))
    .bind(reference)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.try_get::<String, _>("request_hash")? != hash {
        return Err(Error::Conflict(
            "this Idempotency-Key was used with a different request".into(),
        ));
    }
    let refund = row_to_refund(&row)?;
    Ok(Some(if refund.status == RefundStatus::Failed {
        Err(Refusal::Provider(
            "the card provider did not make this refund".into(),
        ))
    } else {
        Ok(refund)
    }))
}

/// Refunds part or all of what bill `reference` (canonical) may still refund, for `by`
/// (`account:ID` or `apikey:ID`; the caller has checked access). A refusal changes nothing.
/// A card refund needs `provider`; a payout does not.
pub async fn issue<P: CardProvider>(
    db: &Db,
    provider: Option<&P>,
    reference: &str,
    by: &str,
    req: &RefundRequest,
    key: Option<&str>,
) -> Result<std::result::Result<Refund, Refusal>> {
    let bill = bills::get(db, reference)
        .await?
        .ok_or_else(|| Error::NotFound("bill".into()))?;
    let currency = bill.fee.currency();
    let (amount, stated, reason) = match parse(req, currency) {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let reason = reason.as_str();
    let key = key.map(str::trim).filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.chars().count() > 200) {
        return Err(Error::invalid(
            "Idempotency-Key",
            "Idempotency-Key must be at most 200 characters",
        ));
    }
    let hash = request_hash(amount.minor(), stated.minor(), reason);
    if let Some(p) = provider {
        card::resolve_stale(db, p, reference).await?;
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let mut tx = db.pool().begin().await?;
    // A write first: it takes the bill's lock (the row on PostgreSQL, the database on SQLite)
    // before anything is read, so two requests are decided one after the other.
    sqlx::query("UPDATE bills SET updated_at = updated_at WHERE reference = $1")
        .bind(reference)
        .execute(&mut *tx)
        .await?;
    // Under the lock, so a retry racing its original waits for it and gets its answer.
    if let Some(k) = key {
        if let Some(answer) = replay(&mut tx, reference, k, &hash).await? {
            return Ok(answer);
        }
    }
    let (info, pos) = load_position(&mut tx, reference)
        .await?
        .ok_or_else(|| Error::NotFound("bill".into()))?;
    let planned = match plan(&pos, amount.minor(), stated.minor()) {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let route = match planned.route {
        Route::Card(i) => match provider {
            Some(p) => Some((p, pos.cards[i].clone())),
            None => {
                return Ok(Err(Refusal::Provider(
                    "card payments are not configured".into(),
                )))
            }
        },
        Route::Payout => None,
    };
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO refunds (id, bill_reference, agency_code, currency, amount, from_excess, from_service, \
         from_fee, method, card_payment_id, provider_refund_id, status, reason, requested_by, idempotency_key, \
         request_hash, ledger_transaction, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12, $13, $14, $15, NULL, $16, $16)",
    )
    .bind(&id)
    .bind(reference)
    .bind(&bill.agency)
    .bind(currency.code())
    .bind(planned.amount)
    .bind(planned.parts.excess)
    .bind(planned.parts.service)
    .bind(planned.parts.fee)
    .bind(if route.is_some() { "card" } else { "payout" })
    .bind(route.as_ref().map(|(_, c)| c.card_payment_id.clone()))
    .bind(if route.is_some() {
        RefundStatus::Requested.as_str()
    } else {
        RefundStatus::PendingPayout.as_str()
    })
    .bind(reason)
    .bind(by)
    .bind(key)
    .bind(&hash)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() && key.is_some() => {
            // Only if the bill's lock failed to order two requests with one key.
            return Err(Error::Conflict("this Idempotency-Key is in use".into()));
        }
        other => {
            other?;
        }
    }
    insert_shares(&mut tx, &id, &planned.service_by_agency).await?;
    let Some((provider, card)) = route else {
        record_issued(&mut tx, &id, &info).await?;
        let refund = get(&mut tx, &id).await?;
        tx.commit().await?;
        return Ok(Ok(refund));
    };
    tx.commit().await?;
    // The reservation is committed: now the provider, with the amount we believe is still
    // available on that payment (its refunds before this one).
    let answer = provider
        .refund(&card.provider_payment_id, planned.amount, card.capacity())
        .await;
    let refusal = match answer {
        Ok(pr) => {
            card::complete(db, &id, &pr).await?;
            None
        }
        Err(ProviderError::Refused {
            status,
            code,
            description,
        }) => {
            tracing::warn!(refund = %id, status, %code, %description, "card provider refused a refund");
            card::mark_failed(db, &id).await?;
            Some(Refusal::Provider(format!("{code} {description}")))
        }
        Err(ProviderError::NotReached(why)) => {
            tracing::warn!(refund = %id, %why, "card provider not reached for a refund");
            card::mark_failed(db, &id).await?;
            Some(Refusal::Provider(why))
        }
        Err(ProviderError::Unreachable(why)) => {
            // It may have been done: the provider's own list decides.
            tracing::warn!(refund = %id, %why, "card provider did not answer a refund");
            card::resolve(db, provider, &card.card_payment_id, Some(&id)).await?;
            Some(Refusal::Provider(why))
        }
    };
    let mut conn = db.pool().acquire().await?;
    let refund = get(&mut conn, &id).await?;
    match refusal {
        Some(r)
            if matches!(
                refund.status,
                RefundStatus::Failed | RefundStatus::Requested
            ) =>
        {
            Ok(Err(r))
        }
        _ => Ok(Ok(refund)),
    }
}

/// Posts an issued refund's ledger transaction and records its audit entry and
/// `refund.issued` event, inside `tx`.
pub(super) async fn record_issued(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    info: &BillInfo,
) -> Result<()> {
    let r = get(tx, id).await?;
    let currency = r.amount.currency();
    let memo = format!("refund {} bill {}", r.id, r.bill_reference);
    let shares = service_by_agency(tx, &r.id).await?;
    let through = match r.method.as_str() {
        "card" => Some(crate::cards::CHANNEL),
        reversal::METHOD => Some(crate::receipts::CHANNEL),
        _ => None,
    };
    let t = transaction(&memo, through, currency, r.parts, &shares)
        .map_err(|e| Error::Internal(e.to_string()))?;
    if let Some(t) = t {
        let ledger = crate::store::post(tx, &t).await?;
        sqlx::query("UPDATE refunds SET ledger_transaction = $1 WHERE id = $2")
            .bind(&ledger)
            .bind(&r.id)
            .execute(&mut *tx)
            .await?;
    }
    let detail = format!(
        "refund {} of {} by {}: {}",
        r.id,
        r.amount.display(),
        r.method,
        r.reason
    );
    audit::append(
        tx,
        Entry {
            actor: &r.requested_by,
            action: "refund.issue",
            object: &format!("bill:{}", r.bill_reference),
            subject: "",
            detail: &detail,
        },
    )
    .await?;
    lango_notify::events::emit(
        tx,
        &lango_notify::events::NewEvent {
            kind: "refund.issued",
            agency: &r.agency,
            order_key: &r.bill_reference,
            data: serde_json::json!({
                "reference": r.bill_reference,
                "agency_reference": info.agency_reference,
                "refund_id": r.id,
                "amount": r.amount.to_decimal(),
                "currency": currency.code(),
                "method": r.method,
                "status": r.status.as_str(),
                "reason": r.reason,
            }),
        },
    )
    .await?;
    Ok(())
}

/// Records how refund `id`'s service part is shared between agencies.
pub(super) async fn insert_shares(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    shares: &[(String, i64)],
) -> Result<()> {
    for (agency, part) in shares {
        sqlx::query(
            "INSERT INTO refund_shares (refund_id, agency_code, amount) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(agency)
        .bind(part)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// How refund `id`'s service part was shared between agencies.
pub(super) async fn service_by_agency(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT agency_code, amount FROM refund_shares WHERE refund_id = $1 ORDER BY agency_code",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("agency_code")?, r.try_get("amount")?)))
        .collect()
}

/// The bill information `record_issued` needs, for a refund completed later.
pub(super) async fn bill_info(conn: &mut sqlx::AnyConnection, reference: &str) -> Result<BillInfo> {
    let agency_reference: String =
        sqlx::query_scalar("SELECT agency_reference FROM bills WHERE reference = $1")
            .bind(reference)
            .fetch_one(&mut *conn)
            .await?;
    Ok(BillInfo { agency_reference })
}
