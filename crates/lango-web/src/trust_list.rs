//! `GET /.well-known/lango/trust-list.json`: the public keys that sign documents and the
//! documents revoked, signed by the platform's root key; verifiers download it once and
//! check documents offline (`lango_documents`).

use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/.well-known/lango/trust-list.json", get(trust_list))
}

async fn trust_list(State(state): State<AppState>) -> Response {
    match lango_documents::keys::trust_list(&state.db, &state.config.public_url).await {
        // Short-lived in caches: a revocation must reach verifiers soon.
        Ok(list) => ([(header::CACHE_CONTROL, "public, max-age=300")], Json(list)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot make the trust list");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
