//! Signed documents for agencies' systems (permission `documents:write`):
//! `POST /api/v1/documents` signs a document issued in the agency's own system (the PDF,
//! its QR code, its number), `GET /api/v1/documents/{number}/pdf` fetches that PDF again,
//! and `POST /api/v1/documents/{number}/revoke` withdraws one; the trust list names it at once.

use super::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_identity::policy::Actor;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The document routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign))
        .routes(routes!(pdf))
        .routes(routes!(revoke))
}

/// The document's holder.
#[derive(Deserialize, ToSchema)]
pub struct Holder {
    /// Their full name, as printed (1 to 120 characters).
    pub name: String,
    /// Their ID number: printed and signed masked but for its last four characters; the
    /// document is also in the wallet of the account with this ID number.
    #[serde(default)]
    pub id_number: Option<String>,
}

/// A document issued in the agency's own system, to sign.
#[derive(Deserialize, ToSchema)]
pub struct SignRequest {
    /// Its type as printed, e.g. "Fishing licence" (1 to 80 characters).
    #[serde(rename = "type")]
    pub kind: String,
    /// Whose it is.
    pub holder: Holder,
    /// Its last valid day, `YYYY-MM-DD` (today or later), if it expires.
    #[serde(default)]
    pub expires: Option<String>,
    /// Its key fields, label to value (at most 6; labels up to 40 characters, values up to 80).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// A signed document.
#[derive(Serialize, ToSchema)]
pub struct SignedBody {
    /// Its number, e.g. `LD-7K3M-9QX2`.
    pub number: String,
    /// Its signed QR text (`LG1:…`), to print on the agency's own copy if it likes.
    pub qr: String,
    /// Where its PDF is fetched (with the same key).
    pub pdf_url: String,
    /// Its public verification page.
    pub verify_url: String,
}

/// Signs a document issued in the calling agency's own system with the agency's key: the
/// PDF (with its QR code and number line) is made and kept, and anyone can check it
/// offline against the trust list or at its verify page.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", security(("api_key" = [])),
    request_body = SignRequest,
    responses((status = 201, body = SignedBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn sign(
    State(state): State<AppState>,
    agent: Agent,
    body: Result<Json<SignRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<SignedBody>), ApiError> {
    let Json(req) =
        body.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text()))?;
    let actor = Actor::ApiClient(agent.0.clone());
    let signed = state
        .cases
        .sign_document(
            &actor,
            &lango_cases::service::DocumentRequest {
                kind: req.kind,
                holder_name: req.holder.name,
                holder_id: req.holder.id_number.unwrap_or_default(),
                expires: req.expires,
                fields: req.fields,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SignedBody {
            pdf_url: format!("/api/v1/documents/{}/pdf", signed.number),
            verify_url: lango_documents::verify_url(&state.config.public_url, &signed.number),
            number: signed.number,
            qr: signed.qr,
        }),
    ))
}

/// The PDF of a document the calling agency signed through this API.
#[utoipa::path(get, path = "/api/v1/documents/{number}/pdf", tag = "documents", security(("api_key" = [])),
    params(("number" = String, Path, description = "The document's number, e.g. LD-7K3M-9QX2")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn pdf(
    State(state): State<AppState>,
    agent: Agent,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let actor = Actor::ApiClient(agent.0.clone());
    let (file, bytes) = state.cases.signed_pdf(&actor, &number).await?;
    Ok(crate::download::document(&file, bytes, crate::download::Show::Attachment).into_response())
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
