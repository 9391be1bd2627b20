//! M-Pesa Daraja callbacks: C2B validation and confirmation, answered exactly as Safaricom
//! specifies. Daraja signs nothing, so callbacks are believed only from the configured
//! source networks; anything else gets a 403 and a log line.

use crate::channels::from_networks;
use crate::AppState;
use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_payments::mpesa::{self, Confirmed};
use std::net::SocketAddr;

/// Daraja bodies are small; a larger one is not Daraja.
const BODY_LIMIT: usize = 16 * 1024;

async fn read(state: &AppState, req: Request) -> Result<axum::body::Bytes, Response> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !from_networks(state, &state.config.mpesa_source_networks, peer) {
        tracing::warn!(peer = ?peer, "M-Pesa callback from a network not in mpesa_source_networks");
        return Err((StatusCode::FORBIDDEN, "not from an allowed network").into_response());
    }
    to_bytes(req.into_body(), BODY_LIMIT)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response())
}

fn failed(e: lango_core::Error) -> Response {
    tracing::error!(error = %e, "M-Pesa callback failed; Safaricom will retry");
    (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
}

/// `POST /channels/mpesa/c2b/validation`
pub async fn validation(State(state): State<AppState>, req: Request) -> Response {
    let body = match read(&state, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match mpesa::validate(&state.db, &body, &state.config.mpesa_shortcode).await {
        Ok(reply) => Json(reply).into_response(),
        Err(e) => failed(e),
    }
}

/// `POST /channels/mpesa/c2b/confirmation`: acknowledged only after the receipt is committed.
pub async fn confirmation(State(state): State<AppState>, req: Request) -> Response {
    let body = match read(&state, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match mpesa::confirm(&state.mpesa, &body, &state.config.mpesa_shortcode).await {
        Ok(Ok(outcome)) => {
            match &outcome {
                Confirmed::Suspense => {
                    tracing::warn!("M-Pesa receipt for no open bill: held in suspense")
                }
                Confirmed::Repeat => {
                    tracing::info!("repeated M-Pesa confirmation acknowledged, not posted")
                }
                Confirmed::Posted { .. } => {}
            }
            Json(lango_payments::daraja::confirmation_ack()).into_response()
        }
        Ok(Err(why)) => {
            tracing::warn!(reason = %why.0, "M-Pesa confirmation that cannot be recorded");
            (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"ResultCode": "C2B00016", "ResultDesc": why.0})),
            )
                .into_response()
        }
        Err(e) => failed(e),
    }
}
