//! Registered agents for the public and for businesses: the directory ("find help near
//! you", `/agents` by county and service) and a business owner's application to become an
//! agent (`/agents/apply`), with its confirmation.

use super::auth::{form_page, send};
use super::centres::service_name;
use super::{render, Chrome, PageLang};
use crate::forms::{Choice, Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use lango_agents::model::{Agent, ApplyForm};
use lango_agents::{documents, registry};
use lango_cases::service::Refusal;
use lango_identity::business;
use lango_identity::model::Problems;
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agents", get(directory))
        .route(
            "/agents/apply",
            get(apply_form)
                .post(apply)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/agents/applied", get(applied))
}

/// An agent as the directory shows it.
struct AgentRow {
    name: String,
    location: String,
    phone: String,
    services: String,
}

#[derive(Template)]
#[template(path = "agents.html")]
struct DirectoryPage {
    c: Chrome,
    counties: Vec<(String, bool)>,
    services: Vec<(String, String, bool)>,
    groups: Vec<(String, Vec<AgentRow>)>,
    total: usize,
}

/// The directory's filters.
#[derive(Deserialize, Default)]
pub struct DirectoryParams {
    county: Option<String>,
    service: Option<String>,
}

fn row(state: &AppState, lang: Lang, a: &Agent) -> AgentRow {
    AgentRow {
        name: a.name.clone(),
        location: a.location.clone(),
        phone: a.phone.clone(),
        services: a
            .services
            .iter()
            .map(|s| service_name(state, lang, s))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `GET /agents`: approved agents by county, filtered by county and service.
async fn directory(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    params: Result<Query<DirectoryParams>, QueryRejection>,
) -> Response {
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let (all, shown) = match tokio::try_join!(
        registry::directory(&state.db, None, None),
        registry::directory(&state.db, p.county.as_deref(), p.service.as_deref()),
    ) {
        Ok(found) => found,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let county = p.county.unwrap_or_default();
    let service = p.service.unwrap_or_default();
    let mut counties: Vec<String> = all.iter().map(|a| a.county.clone()).collect();
    counties.dedup();
    let mut offered: Vec<String> = all.iter().flat_map(|a| a.services.clone()).collect();
    offered.sort();
    offered.dedup();
    let mut services: Vec<(String, String, bool)> = offered
        .into_iter()
        .map(|code| {
            let chosen = code.eq_ignore_ascii_case(service.trim());
            (code.clone(), service_name(&state, lang, &code), chosen)
        })
        .collect();
    services.sort_by(|a, b| a.1.cmp(&b.1));
    let mut groups: Vec<(String, Vec<AgentRow>)> = Vec::new();
    for a in &shown {
        match groups.last_mut() {
            Some((k, rows)) if *k == a.county => rows.push(row(&state, lang, a)),
            _ => groups.push((a.county.clone(), vec![row(&state, lang, a)])),
        }
    }
    let page = DirectoryPage {
        c: Chrome::new(lang, state.config.demo, "/agents"),
        counties: counties
            .into_iter()
            .map(|k| {
                let chosen = k.eq_ignore_ascii_case(county.trim());
                (k, chosen)
            })
            .collect(),
        services,
        total: shown.len(),
        groups,
    };
    render(StatusCode::OK, &page)
}

/// The application form, with the businesses the person owns to choose from.
async fn apply_page(
    state: &AppState,
    s: &SignedIn,
    f: &ApplyForm,
    problems: &lango_identity::model::Problems,
) -> Response {
    let lang = s.v.lang;
    let owned = match business::of_account(&state.db, &s.account.id).await {
        Ok(b) => b,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let mut businesses = Field::new(lang, "business", "radios");
    businesses.choices = owned
        .into_iter()
        .filter(|(_, role)| role == "owner")
        .map(|(b, _)| Choice {
            checked: b.id == f.business,
            label: format!("{} ({})", b.name, b.registration_number),
            value: b.id,
        })
        .collect();
    if businesses.choices.is_empty() {
        // Agents are businesses: a person who owns none is told how to register one.
        return super::render_message_page(state, lang, StatusCode::OK, "agent_no_business");
    }
    let form = Form::new(
        "/agents/apply",
        &s.v.csrf,
        tr(lang, "agent_apply_button"),
        vec![
            businesses,
            Field::new(lang, "trading_name", "text").value(&f.trading_name),
            Field::new(lang, "county", "text").value(&f.county),
            Field::new(lang, "location", "text").value(&f.location),
            Field::new(lang, "phone", "tel").value(&f.phone),
            Field::new(lang, "permit_number", "text").value(&f.permit_number),
            Field::new(lang, "services", "textarea").value(&f.services),
            Field::new(lang, "permit_file", "file"),
            Field::new(lang, "id_file", "file"),
        ],
    )
    .problems(lang, problems);
    send(form_page(
        state,
        &s.v,
        "/agents/apply",
        "agent_apply_title",
        "agent_apply_lead",
        form,
    ))
}

/// `GET /agents/apply`
async fn apply_form(State(state): State<AppState>, s: SignedIn) -> Response {
    apply_page(&state, &s, &ApplyForm::default(), &Default::default()).await
}

/// `POST /agents/apply` (a multipart form: the fields and the two documents): records the
/// application; its confirmation names the agent code. Nothing is stored while any field
/// or document has a problem.
async fn apply(
    State(state): State<AppState>,
    s: SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((pairs, uploads)) = super::apply::form::read_body(&headers, body).await else {
        return super::render_message_page(
            &state,
            s.v.lang,
            StatusCode::BAD_REQUEST,
            "apply_invalid",
        );
    };
    let fields: serde_json::Map<String, serde_json::Value> = pairs
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    let f: ApplyForm =
        serde_json::from_value(serde_json::Value::Object(fields)).unwrap_or_default();
    let parsed = f.parse();
    let mut problems = parsed.as_ref().err().cloned().unwrap_or_default();
    let sent: Vec<&str> = uploads
        .iter()
        .filter_map(|u| documents::kind(&u.field))
        .collect();
    let refused: Vec<(&'static str, Refusal)> = uploads
        .iter()
        .filter_map(|u| {
            let kind = documents::kind(&u.field)?;
            let why =
                lango_cases::documents::check(&u.bytes, &documents::accept(), documents::MAX_KB)
                    .err()?;
            Some((kind, why))
        })
        .collect();
    problems.0.extend(documents::problems(&sent, &refused).0);
    if !problems.0.is_empty() {
        return apply_page(&state, &s, &f, &problems).await;
    }
    let Ok(parsed) = parsed else {
        return apply_page(&state, &s, &f, &problems).await;
    };
    let mut files = Vec::new();
    for u in uploads {
        // One file of each kind: a field sent twice keeps its first.
        let Some(kind) = documents::kind(&u.field) else {
            continue;
        };
        if files.iter().any(|(k, _)| *k == kind) {
            continue;
        }
        match state
            .cases
            .documents()
            .put(&u.name, u.bytes, &documents::accept(), documents::MAX_KB)
            .await
        {
            Ok(Ok(stored)) => files.push((kind, stored)),
            Ok(Err(why)) => {
                let refused = Problems::one(kind, documents::refusal_code(&why));
                return apply_page(&state, &s, &f, &refused).await;
            }
            Err(e) => return crate::error::page_error(&state, s.v.lang, e),
        }
    }
    match registry::apply(&state.db, &s.v.actor, &parsed, &files).await {
        Ok(Ok(a)) => Redirect::to(&format!("/agents/applied?code={}", a.code)).into_response(),
        Ok(Err(problems)) => apply_page(&state, &s, &f, &problems).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[derive(Template)]
#[template(path = "agent_applied.html")]
struct AppliedPage {
    c: Chrome,
    code: String,
    name: String,
}

/// Which application was just made.
#[derive(Deserialize, Default)]
pub struct Which {
    #[serde(default)]
    code: String,
}

/// `GET /agents/applied?code=`: the confirmation, with the reference to quote.
async fn applied(
    State(state): State<AppState>,
    s: SignedIn,
    which: Result<Query<Which>, QueryRejection>,
) -> Response {
    let code = which.map(|Query(w)| w.code).unwrap_or_default();
    match registry::get_for(&state.db, &s.v.actor, &code).await {
        Ok(a) => render(
            StatusCode::OK,
            &AppliedPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/agents/applied"),
                code: a.code,
                name: a.name,
            },
        ),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
