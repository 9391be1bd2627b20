//! Webhook subscriptions for agency systems: subscribe, list, stop, ping, the delivery log
//! and redelivery of dead letters. The key needs `webhooks:manage` for its own agency.

use super::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use lango_identity::policy::{check, Action, Actor, Object};
use lango_notify::events::{self, NewEvent, EVENT_TYPES};
use lango_notify::webhooks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The webhook routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_subscriptions, subscribe))
        .routes(routes!(unsubscribe))
        .routes(routes!(ping))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
        .routes(routes!(event_types))
}

fn allowed(agent: &Agent) -> Result<String, ApiError> {
    let actor = Actor::ApiClient(agent.0.clone());
    check(
        &actor,
        Action::ManageWebhooks,
        Object::Agency(&agent.0.agency),
    )?;
    Ok(agent.0.agency.clone())
}

/// A subscription.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionBody {
    /// Its id.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// Event types it receives (empty: all).
    pub event_types: Vec<String>,
    /// Still delivering.
    pub active: bool,
    /// The signing secret: only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// A new subscription.
#[derive(Deserialize, ToSchema)]
pub struct NewSubscription {
    /// An http(s) URL of the agency's system.
    pub url: String,
    /// Event types to receive; empty or absent for all.
    #[serde(default)]
    pub event_types: Vec<String>,
}

/// The agency's subscriptions.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("api_key" = [])),
    responses((status = 200, body = [SubscriptionBody]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_subscriptions(
    State(state): State<AppState>,
    agent: Agent,
) -> Result<Json<Vec<SubscriptionBody>>, ApiError> {
    let agency = allowed(&agent)?;
    let subs = webhooks::list(&state.db, &agency).await?;
    Ok(Json(
        subs.into_iter()
            .map(|s| SubscriptionBody {
                id: s.id,
                url: s.url,
                event_types: s.event_types,
                active: s.active,
                secret: None,
            })
            .collect(),
    ))
}

/// Subscribes a URL; the answer carries the signing secret, shown this once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("api_key" = [])), request_body = NewSubscription,
    responses((status = 201, body = SubscriptionBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn subscribe(
    State(state): State<AppState>,
    agent: Agent,
    body: Result<Json<NewSubscription>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<SubscriptionBody>), ApiError> {
    let agency = allowed(&agent)?;
    let Json(body) =
        body.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text()))?;
    let by = format!("apikey:{}", agent.0.key_id);
    let policy = state.webhook_receivers();
    match webhooks::create(
        &state.db,
        &agency,
        &body.url,
        &body.event_types,
        &by,
        policy,
    )
    .await?
    {
        Ok((id, secret)) => Ok((
            StatusCode::CREATED,
            Json(SubscriptionBody {
                id,
                url: body.url.trim().to_string(),
                event_types: body.event_types,
                active: true,
                secret: Some(secret),
            }),
        )),
        Err(code) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            if code == "url_invalid" {
                "url must be an http:// or https:// address of at most 500 characters"
            } else if let Some(refused) = lango_notify::receiver::Refused::from_code(code) {
                refused.message()
            } else {
                "event_types has a type Lango does not emit; see GET /api/v1/event-types"
            },
        )),
    }
}

/// Stops a subscription; its pending deliveries are cancelled.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("api_key" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unsubscribe(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let agency = allowed(&agent)?;
    webhooks::deactivate(&state.db, &agency, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A `webhook.ping` event to every subscription of the agency that takes it.
#[utoipa::path(post, path = "/api/v1/webhooks/ping", tag = "webhooks", security(("api_key" = [])),
    responses((status = 202, description = "Queued for delivery")))]
async fn ping(State(state): State<AppState>, agent: Agent) -> Result<StatusCode, ApiError> {
    let agency = allowed(&agent)?;
    emit_ping(&state, &agency, &format!("apikey:{}", agent.0.key_id)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Emits a ping event for `agency` (also used by the admin page).
pub async fn emit_ping(state: &AppState, agency: &str, by: &str) -> lango_core::Result<()> {
    let mut tx = state.db.pool().begin().await?;
    events::emit(
        &mut tx,
        &NewEvent {
            kind: "webhook.ping",
            agency,
            order_key: "ping",
            data: serde_json::json!({ "requested_by": by }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A delivery in the log.
#[derive(Serialize, ToSchema)]
pub struct DeliveryBody {
    /// Its id.
    pub id: String,
    /// The subscription.
    pub subscription_id: String,
    /// The event's position.
    pub event_seq: i64,
    /// The event's type.
    pub event_type: String,
    /// `pending`, `delivered`, `dead` or `cancelled`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The last HTTP status received.
    pub last_status: Option<i64>,
    /// The last error.
    pub last_error: String,
    /// The last attempt's duration.
    pub last_duration_ms: Option<i64>,
}

/// Filter of the delivery log.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct DeliveryQuery {
    /// Only this status (`dead` lists the dead letters).
    pub status: Option<String>,
}

/// The newest 200 deliveries.
#[utoipa::path(get, path = "/api/v1/webhooks/deliveries", tag = "webhooks", security(("api_key" = [])), params(DeliveryQuery),
    responses((status = 200, body = [DeliveryBody])))]
async fn list_deliveries(
    State(state): State<AppState>,
    agent: Agent,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryBody>>, ApiError> {
    let agency = allowed(&agent)?;
    let list = webhooks::deliveries(&state.db, &agency, q.status.as_deref(), 200).await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DeliveryBody {
                id: d.id,
                subscription_id: d.subscription_id,
                event_seq: d.event_seq,
                event_type: d.event_type,
                status: d.status,
                attempts: d.attempts,
                last_status: d.last_status,
                last_error: d.last_error,
                last_duration_ms: d.last_duration_ms,
            })
            .collect(),
    ))
}

/// Sends a dead delivery again.
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/redeliver", tag = "webhooks", security(("api_key" = [])),
    responses((status = 202), (status = 404, body = ErrorBody)))]
async fn redeliver(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let agency = allowed(&agent)?;
    webhooks::redeliver(&state.db, &agency, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// An event type.
#[derive(Serialize, ToSchema)]
pub struct EventType {
    /// The name used in subscriptions and in CloudEvents `type` (after `ke.lango.`).
    pub name: &'static str,
    /// What it means.
    pub description: &'static str,
}

/// Every event type Lango emits.
#[utoipa::path(get, path = "/api/v1/event-types", tag = "webhooks", responses((status = 200, body = [EventType])))]
async fn event_types() -> Json<Vec<EventType>> {
    Json(
        EVENT_TYPES
            .iter()
            .map(|(name, description)| EventType { name, description })
            .collect(),
    )
}
