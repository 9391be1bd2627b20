//! `POST /channels/card/webhook`: the card provider's signed webhooks. The signature
//! (`Pay-Signature`, HMAC-SHA256 of the raw body) is checked before anything is read; a
//! missing or wrong one is answered 401 and logged (never with the secret). Handling is
//! idempotent, so the provider's retries are safe; a fault answers 500 and it retries.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lango_payments::cards::{self, HttpCardProvider, WebhookOutcome};

/// Largest webhook body read.
const LIMIT: usize = 64 * 1024;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/channels/card/webhook", post(webhook))
}

async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(config) = &state.config.card else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "card payments are not configured",
        )
        .into_response();
    };
    if body.len() > LIMIT {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "webhook body too large",
        )
        .into_response();
    }
    let provider = HttpCardProvider::new(config);
    let signature = headers.get("pay-signature").and_then(|v| v.to_str().ok());
    match cards::webhook(&state.db, &provider, &body, signature).await {
        Ok(WebhookOutcome::BadSignature) => {
            tracing::warn!(
                signed = signature.is_some(),
                bytes = body.len(),
                "card webhook refused: missing or wrong Pay-Signature"
            );
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing or wrong Pay-Signature",
            )
            .into_response()
        }
        Ok(WebhookOutcome::Malformed(why)) => {
            tracing::warn!(%why, "card webhook not understood");
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", why).into_response()
        }
        Ok(WebhookOutcome::Unknown) => {
            tracing::info!("card webhook about a payment Lango did not make; acknowledged");
            Json(serde_json::json!({"status": "ignored"})).into_response()
        }
        Ok(WebhookOutcome::Handled { event_type, status }) => {
            tracing::info!(%event_type, %status, "card webhook handled");
            Json(serde_json::json!({"status": "ok"})).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
