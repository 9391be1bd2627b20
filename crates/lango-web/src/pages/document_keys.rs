//! `/admin/document-keys`: platform administrators see every signing key (never a private
//! half) and rotate an agency's key (`lango_documents::keys`).

use super::{render, Chrome};
use crate::visitor::SignedIn;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_documents::keys::{self, KeyInfo};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/document-keys", get(list))
        .route("/admin/document-keys/{agency}/rotate", post(rotate))
}

#[derive(Template)]
#[template(path = "document_keys.html")]
struct KeysPage {
    c: Chrome,
    keys: Vec<KeyInfo>,
    rotated: String,
}

#[derive(serde::Deserialize)]
struct Done {
    rotated: Option<String>,
}

/// `GET /admin/document-keys`
async fn list(State(state): State<AppState>, s: SignedIn, Query(q): Query<Done>) -> Response {
    match keys::list(&state.db, &s.v.actor).await {
        Ok(keys) => render(
            StatusCode::OK,
            &KeysPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/document-keys"),
                keys,
                rotated: q.rotated.unwrap_or_default().chars().take(20).collect(),
            },
        ),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/document-keys/{agency}/rotate`
async fn rotate(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    match keys::rotate(&state.db, &s.v.actor, &agency).await {
        Ok(_) => Redirect::to(&format!(
            "/admin/document-keys?rotated={}",
            super::work::enc(&agency)
        ))
        .into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
