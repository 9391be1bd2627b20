//! `POST /api/v1/bills/{reference}/refunds` and `GET /api/v1/bills/{reference}/refunds`:
//! agency systems refund their bills' payments, guarded the GOV.UK Pay way (the request
//! states `refund_amount_available`; a stale one is refused and nothing is refunded).

use super::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use lango_core::money::{Currency, Money};
use lango_identity::policy::{check, Action, Actor, Object};
use lango_payments::bills::{self, Bill};
use lango_payments::cards::HttpCardProvider;
use lango_payments::refunds::{self, Refund, RefundRequest, Refusal};
use lango_payments::BillReference;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The refund routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create, list))
}

/// A refund as agency systems see it.
#[derive(Serialize, ToSchema)]
pub struct RefundBody {
    /// The refund's id.
    pub refund_id: String,
    /// The bill.
    pub reference: String,
    /// How much, decimal string in major units.
    pub amount: String,
    /// ISO 4217.
    pub currency: String,
    /// `card` (back through the card provider), `payout` (owed to the payer, paid outside
    /// Lango) or `mpesa_reversal` (M-Pesa took the payment back itself).
    pub method: String,
    /// `submitted`, `success`, `pending_payout`, `requested` (waiting for the provider),
    /// `failed` or `reversed` (an M-Pesa reversal).
    pub status: String,
    /// Why it was made.
    pub reason: String,
    /// When, RFC 3339 UTC.
    pub created_at: String,
}

/// What may still be refunded after this refund, with the refund.
#[derive(Serialize, ToSchema)]
pub struct CreatedBody {
    /// The refund.
    #[serde(flatten)]
    pub refund: RefundBody,
    /// What may be refunded now: state it as `refund_amount_available` in the next request.
    pub amount_available: String,
}

/// A bill's refunds.
#[derive(Serialize, ToSchema)]
pub struct RefundList {
    /// The bill.
    pub reference: String,
    /// ISO 4217.
    pub currency: String,
    /// Paid in all (service, fee and any excess).
    pub amount_paid: String,
    /// Refunded so far (every refund that did not fail).
    pub amount_refunded: String,
    /// What may still be refunded: state it as `refund_amount_available`.
    pub amount_available: String,
    /// The refunds, newest first.
    pub refunds: Vec<RefundBody>,
}

/// The request body, for the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
struct RefundRequestDoc {
    /// Decimal string in the bill's currency, e.g. "100.00"; more than zero.
    amount: String,
    /// What you believe may still be refunded (the list's `amount_available`), e.g. "4550.00".
    refund_amount_available: String,
    /// Why (kept in the audit log and sent with the `refund.issued` event).
    reason: String,
}

impl From<&Refund> for RefundBody {
    fn from(r: &Refund) -> Self {
        RefundBody {
            refund_id: r.id.clone(),
            reference: r.bill_reference.clone(),
            amount: r.amount.to_decimal(),
            currency: r.amount.currency().code().to_string(),
            method: r.method.clone(),
            status: r.status.to_string(),
            reason: r.reason.clone(),
            created_at: lango_core::clock::Civil::rfc3339(r.created_at),
        }
    }
}

/// The bill `reference` when `agent` may `action` it; another agency's bill is as good as absent.
async fn bill_of(
    state: &AppState,
    agent: &Agent,
    reference: &str,
    action: Action,
) -> Result<Bill, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such bill");
    let reference = BillReference::parse(reference).map_err(|_| not_found())?;
    let bill = bills::get(&state.db, reference.as_str())
        .await?
        .ok_or_else(not_found)?;
    let actor = Actor::ApiClient(agent.0.clone());
    check(&actor, Action::View, Object::Bill(&bill.agency)).map_err(|_| not_found())?;
    check(&actor, action, Object::Bill(&bill.agency))?;
    Ok(bill)
}

fn refused(r: &Refusal, currency: Currency) -> ApiError {
    let status = match r {
        Refusal::Mismatch { .. } | Refusal::InFlight => StatusCode::CONFLICT,
        Refusal::Provider(_) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, r.code(), r.message(currency))
}

/// Refunds part or all of a bill's payments. State `refund_amount_available` as the list
/// gives it: when it is not the amount available now (another refund came first, or this
/// request is a repeat) the answer is 409 `refund_amount_available_mismatch` and nothing is
/// refunded. With `Idempotency-Key`, a retried request gets the same refund.
#[utoipa::path(post, path = "/api/v1/bills/{reference}/refunds", tag = "payments", security(("api_key" = [])),
    request_body = RefundRequestDoc,
    params(("reference" = String, Path, description = "The bill's reference"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe")),
    responses((status = 201, body = CreatedBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "refund_amount_available is stale, or a card refund is in flight", body = ErrorBody),
        (status = 502, description = "The card provider refused or did not answer; nothing was refunded", body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RefundRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedBody>), ApiError> {
    let bill = bill_of(&state, &agent, &reference, Action::Edit).await?;
    let Json(req) =
        body.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text()))?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let provider = state.config.card.as_ref().map(HttpCardProvider::new);
    let by = format!("apikey:{}", agent.0.key_id);
    let currency = bill.fee.currency();
    let refund = refunds::issue(
        &state.db,
        provider.as_ref(),
        &bill.reference,
        &by,
        &req,
        key,
    )
    .await?
    .map_err(|r| refused(&r, currency))?;
    let available = refunds::summary(&state.db, &bill.reference)
        .await?
        .map_or(0, |s| s.position.available());
    Ok((
        StatusCode::CREATED,
        Json(CreatedBody {
            refund: RefundBody::from(&refund),
            amount_available: Money::from_minor(available, currency).to_decimal(),
        }),
    ))
}

/// A bill's refunds and what may still be refunded (`amount_available`).
#[utoipa::path(get, path = "/api/v1/bills/{reference}/refunds", tag = "payments", security(("api_key" = [])),
    params(("reference" = String, Path, description = "The bill's reference")),
    responses((status = 200, body = RefundList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
) -> Result<Json<RefundList>, ApiError> {
    let bill = bill_of(&state, &agent, &reference, Action::View).await?;
    let s = refunds::summary(&state.db, &bill.reference)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such bill"))?;
    let m = |v: i64| Money::from_minor(v, s.position.currency).to_decimal();
    Ok(Json(RefundList {
        reference: bill.reference.clone(),
        currency: s.position.currency.code().to_string(),
        amount_paid: m(s.position.paid.total()),
        amount_refunded: m(s.position.refunded.total()),
        amount_available: m(s.position.available()),
        refunds: s.refunds.iter().map(RefundBody::from).collect(),
    }))
}
