//! `POST /api/v1/bills` and `GET /api/v1/bills/{reference}`: agency systems raise bills and
//! read their state. Amounts are decimal strings in major units.

use super::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use lango_identity::policy::{check, Action, Actor, Object};
use lango_payments::bills::{self, Bill, BillRequest};
use lango_payments::BillReference;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The bill routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(raise))
        .routes(routes!(get_bill))
        .routes(routes!(cancel_bill))
}

/// A bill as agency systems see it.
#[derive(Serialize, ToSchema)]
pub struct BillBody {
    /// The payment reference people type (the paybill account number).
    pub reference: String,
    /// `open`, `partly_paid`, `paid`, `cancelled` or `expired`.
    pub status: String,
    /// What the agency asked for.
    pub service_amount: String,
    /// The platform's convenience fee.
    pub convenience_fee: String,
    /// What the payer owes in all.
    pub amount: String,
    /// Paid so far.
    pub amount_paid: String,
    /// Still to pay.
    pub balance: String,
    /// ISO 4217.
    pub currency: String,
    /// The agency's own reference.
    pub agency_reference: String,
    /// When the bill is owed to several agencies: each agency's part and what it received.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<ShareBody>,
}

/// One agency's part of a shared bill.
#[derive(Serialize, ToSchema)]
pub struct ShareBody {
    /// The agency.
    pub agency_code: String,
    /// Its part of the service amount.
    pub amount: String,
    /// Received toward it so far.
    pub amount_paid: String,
}

impl From<Bill> for BillBody {
    fn from(b: Bill) -> Self {
        BillBody {
            status: b.status.to_string(),
            service_amount: b.service_amount.to_decimal(),
            convenience_fee: b.fee.to_decimal(),
            amount: b.amount().to_decimal(),
            amount_paid: b.paid.to_decimal(),
            balance: b.balance().to_decimal(),
            currency: b.fee.currency().code().to_string(),
            agency_reference: b.agency_reference,
            reference: b.reference,
            shares: b
                .shares
                .into_iter()
                .map(|s| ShareBody {
                    agency_code: s.agency,
                    amount: s.amount.to_decimal(),
                    amount_paid: s.paid.to_decimal(),
                })
                .collect(),
        }
    }
}

/// The request body, for the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
struct BillRequestDoc {
    /// The catalogue service being paid for (one of the agency's).
    service_code: String,
    /// Decimal string in major units, e.g. "4550.00".
    amount: String,
    /// ISO 4217, e.g. "KES".
    currency: String,
    /// The agency's own reference.
    agency_reference: Option<String>,
    /// `{"name","phone","email"}`.
    payer: Option<serde_json::Value>,
    /// What it is for.
    description: Option<String>,
    /// Parts owed to other agencies, `[{"agency_code","amount"}]`; the raising agency keeps the
    /// rest. Each receipt's service part is apportioned between them.
    shares: Option<Vec<serde_json::Value>>,
}

/// Raises a bill. With `Idempotency-Key`, the same key and body give the same bill (201 with
/// the same body); the same key with another body is a 409.
#[utoipa::path(post, path = "/api/v1/bills", tag = "payments", security(("api_key" = [])),
    request_body = BillRequestDoc,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe")),
    responses((status = 201, body = BillBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn raise(
    State(state): State<AppState>,
    agent: Agent,
    headers: HeaderMap,
    body: Result<Json<BillRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<BillBody>), ApiError> {
    let actor = Actor::ApiClient(agent.0.clone());
    check(&actor, Action::Edit, Object::Bill(&agent.0.agency))?;
    let Json(req) =
        body.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text()))?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let by = format!("apikey:{}", agent.0.key_id);
    let (bill, _) = bills::raise(&state.db, &agent.0.agency, &by, &req, key, &state.fees).await?;
    Ok((StatusCode::CREATED, Json(bill.into())))
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such bill")
}

/// A reference as people type it; one that fails its check names no bill.
fn parse_reference(typed: &str) -> Result<BillReference, ApiError> {
    BillReference::parse(typed).map_err(|_| not_found())
}

/// A bill of the calling agency, with its current status and amounts. References are read as
/// people type them (case, spaces and hyphens forgiven).
#[utoipa::path(get, path = "/api/v1/bills/{reference}", tag = "payments", security(("api_key" = [])),
    responses((status = 200, body = BillBody), (status = 404, body = ErrorBody)))]
async fn get_bill(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
) -> Result<Json<BillBody>, ApiError> {
    let reference = parse_reference(&reference)?;
    let bill = bills::get(&state.db, reference.as_str())
        .await?
        .ok_or_else(not_found)?;
    // Another agency's bill is as good as absent.
    let actor = Actor::ApiClient(agent.0);
    check(&actor, Action::View, Object::Bill(&bill.agency)).map_err(|_| not_found())?;
    Ok(Json(bill.into()))
}

/// Cancels a bill of the calling agency that is not yet fully paid: it takes no more money
/// (payments that still arrive are held in suspense) and what was paid can be refunded.
#[utoipa::path(post, path = "/api/v1/bills/{reference}/cancel", tag = "payments", security(("api_key" = [])),
    responses((status = 200, body = BillBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel_bill(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
) -> Result<Json<BillBody>, ApiError> {
    let reference = parse_reference(&reference)?;
    let actor = Actor::ApiClient(agent.0.clone());
    check(&actor, Action::Edit, Object::Bill(&agent.0.agency))?;
    let by = format!("apikey:{}", agent.0.key_id);
    let bill = bills::cancel(&state.db, &agent.0.agency, reference.as_str(), &by).await?;
    Ok(Json(bill.into()))
}
