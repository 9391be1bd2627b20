//! The M-Pesa Express (STK push) callback: Daraja reports how a payment prompt ended.
//!
//! Believed only from `mpesa_source_networks` (and loopback in the demo), and only at the
//! path carrying `mpesa_callback_token` when one is set, like the C2B callbacks: Daraja signs
//! nothing. A success whose amount or phone is not the prompt's is held for finance review. A malformed body is a 400, never a 5xx; Daraja gets
//! `{"ResultCode":0,"ResultDesc":"Success"}` only after the outcome is committed, and a 503
//! when the store fails.

use crate::mpesa::{admit, BODY_LIMIT};
use crate::AppState;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lango_payments::stk::{self, CallbackOutcome};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/mpesa/stk/callback", post(callback))
        .route("/channels/mpesa/{token}/stk/callback", post(callback_at))
}

/// `POST /channels/mpesa/stk/callback`
pub async fn callback(State(state): State<AppState>, req: Request) -> Response {
    settle(state, None, req).await
}

/// `POST /channels/mpesa/{token}/stk/callback`
pub async fn callback_at(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    settle(state, Some(&token), req).await
}

async fn settle(state: AppState, token: Option<&str>, req: Request) -> Response {
    if let Some(refused) = admit(&state, token, &req) {
        return refused;
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
                CallbackOutcome::Unknown | CallbackOutcome::Held(_) => {}
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
