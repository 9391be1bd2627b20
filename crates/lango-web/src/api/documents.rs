//! `POST /api/v1/documents/{number}/revoke`: an agency's system withdraws a document it
//! issued (permission `documents:write`); the trust list names it at once.

use super::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use lango_identity::policy::Actor;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The document routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(revoke))
}

/// Why the document is withdrawn.
#[derive(Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// Published in the trust list and on the verify page: 1 to 300 characters, one line.
    pub reason: String,
}

/// A revocation.
#[derive(Serialize, ToSchema)]
pub struct RevokedBody {
    /// The document's number.
    pub number: String,
    /// Why it was revoked (the first reason, when it was revoked before).
    pub reason: String,
    /// When, RFC 3339 UTC.
    pub revoked_at: String,
}

/// Revokes a document the calling agency issued. Verifiers learn it from the trust list
/// (`/.well-known/lango/trust-list.json`) and the verify page at once. Revoking again
/// answers the first revocation.
#[utoipa::path(post, path = "/api/v1/documents/{number}/revoke", tag = "documents", security(("api_key" = [])),
    request_body = RevokeRequest,
    params(("number" = String, Path, description = "The document's number, e.g. LD-7K3M-9QX2")),
    responses((status = 200, body = RevokedBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    agent: Agent,
    Path(number): Path<String>,
    body: Result<Json<RevokeRequest>, JsonRejection>,
) -> Result<Json<RevokedBody>, ApiError> {
    let Json(req) =
        body.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text()))?;
    let actor = Actor::ApiClient(agent.0.clone());
    let r = state
        .cases
        .revoke_document(&actor, &number, &req.reason)
        .await?;
    Ok(Json(RevokedBody {
        revoked_at: lango_core::clock::Civil::rfc3339(r.revoked_at),
        number: r.number,
        reason: r.reason,
    }))
}
