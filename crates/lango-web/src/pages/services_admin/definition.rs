//! A service's definition (its application form, fees, workflow and outputs) for its
//! agency's administrators: the version in use with its YAML, every version, and the
//! upload of a new one. `lango_cases` checks and stores it; a refused file leaves the
//! version in use as it was and comes back with every error's line and path.

use super::{base, codes};
use crate::pages::{account::when, render, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use lango_cases::definition::DefinitionError;
use lango_cases::Definition;
use lango_catalogue::admin;
use lango_catalogue::{AgencyCode, ServiceCode};
use lango_core::Error;
use serde::Deserialize;

/// This page's route; uploads may be as large as any upload form.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/agencies/{code}/services/{service}/definition",
            get(show)
                .post(upload)
                .layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route(
            "/admin/agencies/{code}/services/{service}/definition.yaml",
            get(download),
        )
}

/// One version in the list.
pub struct VersionRow {
    version: i64,
    when: String,
    by: String,
}

#[derive(Template)]
#[template(path = "services_admin_definition.html")]
struct DefinitionPage {
    c: Chrome,
    action: String,
    agency: String,
    code: String,
    service_name: String,
    current: Option<VersionRow>,
    current_yaml: String,
    /// The version in use is the standard one made from the catalogue entry.
    standard: bool,
    versions: Vec<VersionRow>,
    live: Option<i64>,
    errors: Vec<String>,
    yaml: String,
}

/// `?live=N` after a successful upload, for the confirmation.
#[derive(Deserialize)]
struct Live {
    live: Option<i64>,
}

/// Checks the actor may edit the agency's catalogue and that the service is the agency's;
/// returns the codes and the service's name.
async fn allowed(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    service: &str,
) -> Result<(AgencyCode, ServiceCode, String), Error> {
    let (agency, code) = codes(agency, service)?;
    let e = admin::service_for_edit(&state.db, &s.v.actor, &agency, &code).await?;
    let name =
        s.v.lang
            .pick(&e.service.name, &e.service.name_sw)
            .to_string();
    Ok((agency, code, name))
}

/// Renders the page with the stored versions, what was typed and what was wrong with it.
async fn page(
    state: &AppState,
    s: &SignedIn,
    (agency, code, service_name): (AgencyCode, ServiceCode, String),
    live: Option<i64>,
    yaml: String,
    errors: Vec<String>,
) -> Response {
    let loaded = async {
        let current = state.cases.definition(code.as_str(), None).await?;
        let versions = state.cases.definition_history(code.as_str()).await?;
        Ok::<_, Error>((current, versions))
    };
    let (current, versions) = match loaded.await {
        Ok(x) => x,
        Err(e) => return crate::error::page_error(state, s.v.lang, e),
    };
    let mut names = std::collections::HashMap::new();
    for by in versions.iter().map(|(_, _, by)| by) {
        if !names.contains_key(by) {
            names.insert(by.clone(), uploader(state, by, s.v.lang).await);
        }
    }
    let named = |by: &str| names.get(by).cloned().unwrap_or_else(|| by.to_string());
    let path = format!("{}/definition", base(&agency, &code));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &DefinitionPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &path),
            action: path,
            agency: agency.to_string(),
            code: code.to_string(),
            service_name,
            current: current.as_ref().map(|v| VersionRow {
                version: v.version,
                when: when(v.uploaded_at),
                by: named(&v.uploaded_by),
            }),
            standard: current.as_ref().is_some_and(|v| v.is_standard()),
            current_yaml: current.map(|v| v.yaml.clone()).unwrap_or_default(),
            versions: versions
                .into_iter()
                .map(|(version, at, by)| VersionRow {
                    version,
                    when: when(at),
                    by: named(&by),
                })
                .collect(),
            live,
            errors,
            yaml,
        },
    )
}

/// Who uploaded a version, as people read it: the account's name, or the label as stored
/// (`system` for the definitions folder).
async fn uploader(state: &AppState, by: &str, lang: crate::i18n::Lang) -> String {
    if by == lango_cases::standard::BY {
        return tr(lang, "svc_def_standard_by").to_string();
    }
    match lango_identity::account::get(&state.db, by).await {
        Ok(a) => format!("{} {}", a.given_name, a.family_name),
        Err(_) => by.to_string(),
    }
}

/// `GET /admin/agencies/{code}/services/{service}/definition`
async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, service)): Path<(String, String)>,
    live: Result<Query<Live>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match allowed(&state, &s, &agency, &service).await {
        Ok(who) => {
            let live = live.ok().and_then(|Query(l)| l.live);
            page(&state, &s, who, live, String::new(), Vec::new()).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `GET …/definition.yaml`: the version in use as a file, to change and upload again.
async fn download(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, service)): Path<(String, String)>,
) -> Response {
    let current = match allowed(&state, &s, &agency, &service).await {
        Ok((_, code, _)) => state.cases.definition(code.as_str(), None).await,
        Err(e) => Err(e),
    };
    match current {
        Ok(Some(v)) => crate::download::file(
            v.yaml.clone(),
            "application/yaml; charset=utf-8",
            &format!("{}.yaml", v.definition.service()),
        ),
        Ok(None) => {
            crate::pages::render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo)
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// The upload form's text: the chosen file when there is one, else the textarea.
async fn read_upload(mut form: Multipart) -> Result<String, &'static str> {
    let mut typed = String::new();
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = form.next_field().await.map_err(|_| "svc_def_unreadable")? {
        match field.name() {
            Some("yaml") => typed = field.text().await.map_err(|_| "svc_def_unreadable")?,
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| "svc_def_unreadable")?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    let text = match file {
        Some(bytes) => String::from_utf8(bytes).map_err(|_| "svc_def_not_text")?,
        None => typed,
    };
    if text.trim().is_empty() {
        return Err("svc_def_empty");
    }
    Ok(text)
}

/// "Line 14, pages[1].fields[0].pattern: …"
fn wording(lang: crate::i18n::Lang, e: &DefinitionError) -> String {
    let place = match (e.line, e.path.is_empty()) {
        (Some(line), true) => format!("{} {line}", tr(lang, "svc_def_line")),
        (Some(line), false) => format!("{} {line}, {}", tr(lang, "svc_def_line"), e.path),
        (None, false) => e.path.clone(),
        (None, true) => String::new(),
    };
    if place.is_empty() {
        e.message.clone()
    } else {
        format!("{place}: {}", e.message)
    }
}

/// `POST /admin/agencies/{code}/services/{service}/definition` (multipart, `csrf` first).
async fn upload(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, service)): Path<(String, String)>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = s.v.lang;
    let who = match allowed(&state, &s, &agency, &service).await {
        Ok(who) => who,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let read = match form {
        Ok(form) => read_upload(form).await,
        Err(_) => Err("svc_def_unreadable"),
    };
    let yaml = match read {
        Ok(yaml) => yaml,
        Err(code) => {
            return page(
                &state,
                &s,
                who,
                None,
                String::new(),
                vec![tr(lang, code).into()],
            )
            .await
        }
    };
    // Checked here first only to keep each upload on its own service's page; the cases
    // room checks it again (and the policy) when it stores it.
    if let Ok(def) = Definition::parse(&yaml) {
        if !def.service().eq_ignore_ascii_case(who.1.as_str()) {
            let errors = vec![tr(lang, "svc_def_other_service").to_string()];
            return page(&state, &s, who, None, yaml, errors).await;
        }
    }
    match state.cases.upload_definition(&s.v.actor, &yaml).await {
        Ok(Ok(stored)) => Redirect::to(&format!(
            "{}/definition?live={}",
            base(&who.0, &who.1),
            stored.version
        ))
        .into_response(),
        Ok(Err(errors)) => {
            let errors = errors.iter().map(|e| wording(lang, e)).collect();
            page(&state, &s, who, None, yaml, errors).await
        }
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}
