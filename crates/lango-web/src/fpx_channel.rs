//! The FPX gateway's signed confirmations (`AC`): `POST /channels/fpx/direct` server to
//! server, answered `OK` once kept (the gateway resends until it reads `OK`), and
//! `POST /channels/fpx/indirect` through the payer's browser, which then goes on to the
//! attempt's page. The signature is checked before anything is kept; a missing or wrong one
//! is answered 401 and changes nothing. A confirmation about a transaction Lango did not
//! start is kept for review and never posted.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use lango_payments::fpx::{self, Message, Received, Via};

/// Largest confirmation read.
const LIMIT: usize = 16 * 1024;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/fpx/direct", post(direct))
        .route("/channels/fpx/indirect", post(indirect))
}

/// Reads and applies a confirmation; `Err` is the answer to give instead.
async fn handle(state: &AppState, body: &[u8], via: Via) -> Result<(Message, Received), Response> {
    let refuse =
        |status, code: &'static str, why: String| ApiError::new(status, code, why).into_response();
    let Some(seller) = &state.fpx else {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            "FPX is not configured".into(),
        ));
    };
    if body.len() > LIMIT {
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "confirmation too large".into(),
        ));
    }
    let m = Message::from_form(body)
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))?;
    match fpx::receive(&state.db, seller, &m, via).await {
        Ok(Received::BadSignature) => {
            tracing::warn!(
                bytes = body.len(),
                "FPX confirmation refused: missing or wrong fpx_checkSum"
            );
            Err(refuse(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing or wrong fpx_checkSum".into(),
            ))
        }
        Ok(Received::Malformed(why)) => {
            Err(refuse(StatusCode::BAD_REQUEST, "invalid_request", why))
        }
        Ok(r) => Ok((m, r)),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

async fn direct(State(state): State<AppState>, body: Bytes) -> Response {
    match handle(&state, &body, Via::Direct).await {
        // Kept (applied, or for review): the gateway may stop resending.
        Ok(_) => (StatusCode::OK, "OK").into_response(),
        Err(r) => r,
    }
}

async fn indirect(State(state): State<AppState>, body: Bytes) -> Response {
    match handle(&state, &body, Via::Indirect).await {
        Ok((_, Received::Applied(p))) => {
            Redirect::to(&format!("/pay/{}/fpx/{}", p.bill_reference, p.id)).into_response()
        }
        Ok((m, _)) => match lango_payments::BillReference::parse(m.get("fpx_sellerOrderNo")) {
            Ok(r) => Redirect::to(&format!("/pay/{}", r.as_str())).into_response(),
            Err(_) => Redirect::to("/").into_response(),
        },
        Err(r) => r,
    }
}
