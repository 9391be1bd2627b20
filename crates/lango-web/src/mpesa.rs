//! M-Pesa Daraja callbacks: C2B validation and confirmation, answered exactly as Safaricom
//! specifies. Daraja signs nothing, so callbacks are believed only from the configured
//! source networks (anything else gets a 403 and a log line) and, when
//! `mpesa_callback_token` is set, only at the secret paths under `/channels/mpesa/{token}/`
//! (a wrong token, or a plain path, is answered 404 as if nothing were there).

use crate::channels::from_networks;
use crate::AppState;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lango_payments::callbacks::CallbackPaths;
use lango_payments::mpesa::{self, Confirmed};

/// Daraja bodies are small; a larger one is not Daraja.
pub(crate) const BODY_LIMIT: usize = 16 * 1024;

/// The C2B routes, at the plain paths and under a path token.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/mpesa/c2b/validation", post(validation))
        .route("/channels/mpesa/c2b/confirmation", post(confirmation))
        .route(
            "/channels/mpesa/{token}/c2b/validation",
            post(validation_at),
        )
        .route(
            "/channels/mpesa/{token}/c2b/confirmation",
            post(confirmation_at),
        )
}

/// The callback paths in force (`mpesa_callback_token`).
pub fn paths(state: &AppState) -> CallbackPaths {
    CallbackPaths::new(state.config.mpesa_callback_token.clone())
}

/// Lets a Daraja callback in, or answers it: 404 at the wrong path (a wrong token, or a plain
/// path while a token is set), 403 from outside `mpesa_source_networks`. `None` lets it in.
pub(crate) fn admit(state: &AppState, token: Option<&str>, req: &Request) -> Option<Response> {
    if !paths(state).admits(token) {
        // The path itself is not logged: it may hold a near-miss of the token.
        tracing::warn!("M-Pesa callback at a path without the right mpesa_callback_token");
        // The same page as for any unknown address: a wrong token learns nothing.
        let lang = crate::pages::lang_of(req.headers());
        return Some(crate::pages::render_status_page(
            StatusCode::NOT_FOUND,
            lang,
            state.config.demo,
        ));
    }
    let client = crate::client::of(state, req);
    if !from_networks(state, &state.config.mpesa_source_networks, client) {
        tracing::warn!(client = ?client, "M-Pesa callback from a network not in mpesa_source_networks");
        return Some((StatusCode::FORBIDDEN, "not from an allowed network").into_response());
    }
    None
}

async fn read(
    state: &AppState,
    token: Option<&str>,
    req: Request,
) -> Result<axum::body::Bytes, Response> {
    if let Some(refused) = admit(state, token, &req) {
        return Err(refused);
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
    validate(state, None, req).await
}

/// `POST /channels/mpesa/{token}/c2b/validation`
pub async fn validation_at(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    validate(state, Some(&token), req).await
}

async fn validate(state: AppState, token: Option<&str>, req: Request) -> Response {
    let body = match read(&state, token, req).await {
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
    confirm(state, None, req).await
}

/// `POST /channels/mpesa/{token}/c2b/confirmation`
pub async fn confirmation_at(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    confirm(state, Some(&token), req).await
}

async fn confirm(state: AppState, token: Option<&str>, req: Request) -> Response {
    let body = match read(&state, token, req).await {
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
