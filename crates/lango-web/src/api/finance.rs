//! `GET /api/v1/settlements`: an agency's systems read the settlement batches paid to their
//! agency, with every receipt in each (the agency statement), to reconcile their own books.

use super::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use lango_identity::policy::{check, Action, Actor, Object};
use lango_payments::finance::{local_rfc3339, Period};
use lango_payments::settlement;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The settlement routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(settlements))
}

/// Which days' batches.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SettlementParams {
    /// First day settled, `YYYY-MM-DD` (East Africa Time); with `to`, at most 366 days.
    from: Option<String>,
    /// Last day settled (included); both absent means the last 30 days.
    to: Option<String>,
}

/// A receipt's share in a batch.
#[derive(Serialize, ToSchema)]
pub struct SettlementItemBody {
    /// `mpesa` or `card`; `refund` for money refunded to a payer (a negative amount).
    pub channel: String,
    /// The channel's receipt id (the M-Pesa TransID), or the refund's id.
    pub receipt: String,
    /// The bill it paid.
    pub bill_reference: String,
    /// The agency's own reference for the bill.
    pub agency_reference: String,
    /// When it was paid, RFC 3339 in East Africa Time.
    pub paid_at: String,
    /// The agency's share, a decimal string in major units (negative for a refund).
    pub amount: String,
}

/// A settlement batch.
#[derive(Serialize, ToSchema)]
pub struct SettlementBody {
    /// The batch reference (`ST-YYYYMMDD-AGENCY-CUR`), the narrative of the bank transfer.
    pub batch_id: String,
    /// ISO 4217.
    pub currency: String,
    /// What the batch pays, a decimal string in major units.
    pub amount: String,
    /// How many receipts it covers.
    pub count: i64,
    /// The East Africa Time day it settles.
    pub value_date: String,
    /// Every receipt in it.
    pub items: Vec<SettlementItemBody>,
}

/// The batches.
#[derive(Serialize, ToSchema)]
pub struct SettlementsBody {
    /// The agency.
    pub agency: String,
    /// Newest day first.
    pub items: Vec<SettlementBody>,
}

/// The calling agency's settlement batches of the days asked for, each with its receipts.
/// A key needs `bills:read` (or `bills:write`); it only ever sees its own agency's.
#[utoipa::path(get, path = "/api/v1/settlements", tag = "payments", security(("api_key" = [])),
    params(SettlementParams),
    responses((status = 200, body = SettlementsBody), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn settlements(
    State(state): State<AppState>,
    agent: Agent,
    params: Result<Query<SettlementParams>, QueryRejection>,
) -> Result<Json<SettlementsBody>, ApiError> {
    let agency = agent.0.agency.clone();
    check(
        &Actor::ApiClient(agent.0),
        Action::View,
        Object::Settlements(&agency),
    )?;
    let Query(p) = params?;
    let period = match (p.from, p.to) {
        (None, None) => Period::last(30),
        (from, to) => Period::parse(
            from.as_deref().unwrap_or(""),
            to.as_deref().unwrap_or(""),
        )
        .map_err(|errors| {
            let fields: Vec<&str> = errors.iter().map(|e| e.field()).collect();
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!(
                    "give from and to as real dates (YYYY-MM-DD), from not after to, at most 366 days apart (check: {})",
                    fields.join(", ")
                ),
            )
        })?,
    };
    let batches = settlement::batches(&state.db, Some(&agency), Some(period), 1000).await?;
    let mut items = Vec::with_capacity(batches.len());
    for b in batches {
        let receipts = settlement::items(&state.db, &b).await?;
        items.push(SettlementBody {
            batch_id: b.id,
            currency: b.currency.code().to_string(),
            amount: b.amount.to_decimal(),
            count: b.receipts,
            value_date: b.value_date,
            items: receipts
                .into_iter()
                .map(|i| SettlementItemBody {
                    channel: i.channel,
                    receipt: i.receipt,
                    bill_reference: i.bill_reference,
                    agency_reference: i.agency_reference,
                    paid_at: local_rfc3339(i.paid_at),
                    amount: i.amount.to_decimal(),
                })
                .collect(),
        });
    }
    Ok(Json(SettlementsBody { agency, items }))
}
