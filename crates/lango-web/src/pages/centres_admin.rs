//! Platform administrators and centre managers keep the service centres: the list of the
//! centres they may change, the spreadsheet of them (download, change, upload back: all or
//! nothing), a centre's form and its closures. The rules live in `lango_centres`; these
//! handlers parse, call one operation and render.

mod closures;
mod edit;

use super::{render, Chrome};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use fluent_bundle::FluentValue;
use lango_centres::model::Centre;
use lango_centres::SaveError;
use lango_core::Error;
use lango_identity::policy::{may, Action, Actor, Object};
use serde::Deserialize;

/// This module's routes; the list takes spreadsheet uploads, as large as any upload form.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/centres",
            get(list)
                .post(import)
                .layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/admin/centres.csv", get(export))
        .merge(edit::routes())
        .merge(closures::routes())
}

/// True when `actor` makes centres and changes every one (a platform administrator).
fn platform_admin(actor: &Actor) -> bool {
    may(actor, Action::Edit, Object::Platform)
}

/// The words of a centre's kind.
fn kind_words(lang: Lang, c: &Centre) -> &'static str {
    tr(lang, &format!("cadm_kind_{}", c.kind))
}

/// The words of a centre's status.
fn status_words(lang: Lang, c: &Centre) -> &'static str {
    tr(lang, &format!("cadm_status_{}", c.status))
}

/// One centre in the list.
struct Row {
    code: String,
    name: String,
    county: String,
    kind: &'static str,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "centres_admin_list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    may_create: bool,
    notice: String,
    errors: Vec<String>,
    /// The spreadsheet's columns, as the file names them.
    columns: String,
}

/// `?imported=N` after an import.
#[derive(Deserialize)]
struct Imported {
    imported: Option<usize>,
}

/// The list of the centres the visitor may change, with the import's `errors` (400 when
/// there are any).
async fn page(state: &AppState, s: &SignedIn, notice: String, errors: Vec<String>) -> Response {
    let lang = s.v.lang;
    let centres = match state.centres.editable(&s.v.actor).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let rows = centres
        .iter()
        .map(|c| Row {
            code: c.code.clone(),
            name: c.name_in(lang.tag()).to_string(),
            county: c.county.clone(),
            kind: kind_words(lang, c),
            status: status_words(lang, c),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &ListPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/centres"),
            rows,
            may_create: platform_admin(&s.v.actor),
            notice,
            errors,
            columns: lango_centres::csv::COLUMNS.join(", "),
        },
    )
}

/// `GET /admin/centres`
async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<Imported>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let notice = match q.ok().and_then(|Query(q)| q.imported) {
        Some(n) => tr_with(s.v.lang, "cadm_imported", [FluentValue::from(n)]),
        None => String::new(),
    };
    page(&state, &s, notice, Vec::new()).await
}

/// The uploaded file's bytes, or the words of what is wrong with the upload.
async fn read_upload(mut form: Multipart) -> Result<Vec<u8>, &'static str> {
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| "cadm_file_unreadable")?
    {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|_| "cadm_file_unreadable")?;
            if !bytes.is_empty() {
                file = Some(bytes.to_vec());
            }
        }
    }
    file.ok_or("cadm_file_missing")
}

/// `POST /admin/centres` (multipart, `csrf` first): imports a spreadsheet, all or nothing,
/// then the list with how many were saved, or the list with every row's problem.
async fn import(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = s.v.lang;
    // Refused before reading the file: someone who may change no centre learns nothing.
    if let Err(e) = state.centres.editable(&s.v.actor).await {
        return crate::error::page_error(&state, lang, e);
    }
    let read = match form {
        Ok(form) => read_upload(form).await,
        Err(_) => Err("cadm_file_unreadable"),
    };
    let bytes = match read {
        Ok(b) => b,
        Err(key) => return page(&state, &s, String::new(), vec![tr(lang, key).into()]).await,
    };
    match state.centres.import(&s.v.actor, &bytes).await {
        Ok(saved) => {
            Redirect::to(&format!("/admin/centres?imported={}", saved.len())).into_response()
        }
        Err(SaveError::Problems(p)) => {
            let errors = p.0.into_iter().map(|(_, message)| message).collect();
            page(&state, &s, String::new(), errors).await
        }
        Err(SaveError::Other(Error::Forbidden(_))) => {
            let errors = vec![tr(lang, "cadm_import_forbidden").to_string()];
            page(&state, &s, String::new(), errors).await
        }
        Err(SaveError::Other(e)) => crate::error::page_error(&state, lang, e),
    }
}

/// `GET /admin/centres.csv`: the centres the visitor may change, as the import takes them.
async fn export(State(state): State<AppState>, s: SignedIn) -> Response {
    match state.centres.export_for(&s.v.actor).await {
        Ok(bytes) => crate::download::file(
            bytes,
            "text/csv; charset=utf-8",
            &format!("centres-{}.csv", lango_centres::calendar::today()),
        ),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
