//! The history of a service entry's saved edits: who, when, each field's old and new
//! text; after a save it is also the confirmation, with the change's number.

use super::{base, change_rows, codes, ChangeRow};
use crate::pages::{account::when, render, Chrome};
use crate::visitor::SignedIn;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use lango_catalogue::admin;
use lango_core::Error;
use serde::Deserialize;

/// This page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/admin/agencies/{code}/services/{service}/history",
        get(show),
    )
}

/// One saved edit as the history lists it.
pub struct HistoryRow {
    revision: i64,
    when: String,
    who: String,
    changes: Vec<ChangeRow>,
}

#[derive(Template)]
#[template(path = "services_admin_history.html")]
struct HistoryPage {
    c: Chrome,
    agency: String,
    code: String,
    service_name: String,
    saved: Option<i64>,
    rows: Vec<HistoryRow>,
}

/// `?saved=REVISION` after a save, for the confirmation.
#[derive(Deserialize)]
struct Saved {
    saved: Option<i64>,
}

/// `GET /admin/agencies/{code}/services/{service}/history`
async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, service)): Path<(String, String)>,
    saved: Result<Query<Saved>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = s.v.lang;
    let found = async {
        let (agency, code) = codes(&agency, &service)?;
        let entries = admin::history(&state.db, &s.v.actor, &agency, &code).await?;
        let snapshot = state.catalogue.snapshot();
        let hit = snapshot
            .service(&code)
            .filter(|h| h.entry.service.agency_code == agency)
            .ok_or_else(|| Error::NotFound("service".into()))?;
        let name = lang
            .pick(&hit.entry.service.name, &hit.entry.service.name_sw)
            .to_string();
        Ok::<_, Error>((agency, code, name, entries))
    };
    let (agency, code, service_name, entries) = match found.await {
        Ok(x) => x,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let rows = entries
        .into_iter()
        .map(|h| HistoryRow {
            revision: h.revision,
            when: when(h.at),
            who: if h.actor_name.is_empty() {
                h.actor
            } else {
                format!("{} ({})", h.actor_name, h.actor)
            },
            changes: change_rows(lang, &h.changes),
        })
        .collect();
    render(
        StatusCode::OK,
        &HistoryPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("{}/history", base(&agency, &code)),
            ),
            agency: agency.to_string(),
            code: code.to_string(),
            service_name,
            saved: saved.ok().and_then(|Query(q)| q.saved),
            rows,
        },
    )
}
