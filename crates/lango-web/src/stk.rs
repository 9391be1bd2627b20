//! The M-Pesa Express (STK push) callback: Daraja reports how a payment prompt ended.
//!
//! Believed only from `mpesa_source_networks` (and loopback in the demo), like the C2B
//! callbacks: Daraja signs nothing. A malformed body is a 400, never a 5xx; Daraja gets
//! `{"ResultCode":0,"ResultDesc":"Success"}` only after the outcome is committed, and a 503
//! when the store fails.

use crate::channels::from_networks;
use crate::AppState;
use axum::body::to_bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lango_payments::stk::{self, CallbackOutcome};
use std::net::SocketAddr;

/// Daraja bodies are small; a larger one is not Daraja.
const BODY_LIMIT: usize = 16 * 1024;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/channels/mpesa/stk/callback", post(callback))
}

/// `POST /channels/mpesa/stk/callback`
pub async fn callback(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !from_networks(&state, &state.config.mpesa_source_networks, peer) {
        tracing::warn!(peer = ?peer, "STK callback from a network not in mpesa_source_networks");
        return (StatusCode::FORBIDDEN, "not from an allowed network").into_response();
    }
    let Ok(body) = to_bytes(req.into_body(), BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
    };
    match stk::callback(&state.db, &state.mpesa, &body).await {
        Ok(Ok(outcome)) => {
            match &outcome {
                CallbackOutcome::Paid(c) => tracing::info!(outcome = ?c, "STK payment recorded"),
                CallbackOutcome::Failed(f) => tracing::info!(failure = ?f, "STK prompt failed"),
                CallbackOutcome::Repeat => tracing::info!("repeated STK callback acknowledged"),
                CallbackOutcome::Unknown => {}
            }
            Json(serde_json::json!({"ResultCode": 0, "ResultDesc": "Success"})).into_response()
        }
        Ok(Err(why)) => {
            tracing::warn!(reason = %why, "STK callback that cannot be read");
            (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"ResultCode": 1, "ResultDesc": why.to_string()})),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "STK callback not recorded");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}
