//! The citizen's application journey: start page → questions → check your answers →
//! declaration → confirmation → track; and the person's list of applications and drafts.
//!
//! Every rule (which pages, what is valid, what it costs, who may see it) is the
//! definition's and `lango-cases`'s; these handlers read forms and render.

mod counties;
mod finish;
pub(crate) mod form;
mod questions;
mod track;
mod view;

use super::views::{document_rows, fee_rows};
use super::{day, when};
use super::{render, render_status_page, Chrome};
use crate::i18n::Lang;
use crate::visitor::{SignedIn, Visitor};
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_cases::application::{Application, DRAFT};
use lango_cases::definition::{Answers, Profile};
use lango_cases::service::Versioned;
use lango_catalogue::ServiceCode;
use lango_core::Error;
use std::sync::Arc;
use view::pick;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    let upload = axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT);
    Router::new()
        .route("/services/{code}/apply", get(start_page).post(start))
        .route("/account/applications", get(list))
        .route("/applications/{reference}", get(track::show))
        .route(
            "/applications/{reference}/pages/{page}",
            get(questions::show).post(questions::save).layer(upload),
        )
        .route("/applications/{reference}/check", get(finish::check))
        .route(
            "/applications/{reference}/declaration",
            get(finish::declaration).post(finish::submit),
        )
        .route("/applications/{reference}/submit", post(finish::submit))
        .route(
            "/applications/{reference}/confirmation",
            get(finish::confirmation),
        )
        .route(
            "/applications/{reference}/messages",
            post(track::send).layer(upload),
        )
        .route(
            "/applications/{reference}/respond",
            post(track::respond).layer(upload),
        )
        .route(
            "/applications/{reference}/documents/{id}",
            get(track::document),
        )
}

/// An application with the definition version it keeps.
pub(super) struct Loaded {
    /// The application.
    pub app: Application,
    /// Its definition.
    pub def: Arc<Versioned>,
}

/// The application `reference` if `v` may see it, with its definition; otherwise the page
/// that says no (another person's application is "not found": its existence is not told).
pub(super) async fn load(
    state: &AppState,
    v: &Visitor,
    reference: &str,
) -> Result<Loaded, Response> {
    if !plausible(reference) {
        return Err(render_status_page(
            StatusCode::NOT_FOUND,
            v.lang,
            state.config.demo,
        ));
    }
    let app = state
        .cases
        .get(&v.actor, reference)
        .await
        .map_err(|e| refuse(state, v.lang, e))?;
    let def = match state
        .cases
        .definition(&app.service, Some(app.version))
        .await
    {
        Ok(Some(d)) => d,
        Ok(None) => return Err(refuse(state, v.lang, Error::NotFound("definition".into()))),
        Err(e) => return Err(refuse(state, v.lang, e)),
    };
    Ok(Loaded { app, def })
}

/// Could this be a reference or a document id? Anything else is not looked up at all.
pub(super) fn plausible(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A refusal of the domain as a page: unknown and not yours are both 404, a conflict (the
/// application moved on) a page that says so, faults the 500 page.
pub(super) fn refuse(state: &AppState, lang: Lang, e: Error) -> Response {
    match e {
        Error::NotFound(_) | Error::Forbidden(_) => {
            render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo)
        }
        Error::Conflict(_) => {
            super::render_message_page(state, lang, StatusCode::CONFLICT, "apply_conflict")
        }
        Error::Invalid { .. } => {
            super::render_message_page(state, lang, StatusCode::BAD_REQUEST, "apply_invalid")
        }
        e => crate::error::page_error(state, lang, e),
    }
}

/// A page that tells an applicant the application can no longer be changed, with a link to it.
#[derive(Template)]
#[template(path = "apply_message.html")]
pub(super) struct MessagePage {
    pub c: Chrome,
    pub title: &'static str,
    pub body: &'static str,
    pub link: String,
    pub link_text: &'static str,
}

/// "Already submitted": 409 with the way to the track page.
pub(super) fn submitted_already(state: &AppState, v: &Visitor, reference: &str) -> Response {
    let page = MessagePage {
        c: Chrome::for_visitor(v, state.config.demo, &format!("/applications/{reference}")),
        title: tr(v.lang, "apply_submitted_title"),
        body: tr(v.lang, "apply_submitted_body"),
        link: format!("/applications/{reference}"),
        link_text: tr(v.lang, "apply_track_link"),
    };
    render(StatusCode::CONFLICT, &page)
}

/// Days since 1970 today, for validation of dates.
pub(super) fn today() -> lango_cases::definition::Today {
    lango_cases::definition::Today {
        days: lango_core::clock::now_ms().div_euclid(86_400_000),
    }
}

/// The first shown page with a required question not yet answered: where a draft resumes
/// (check your answers when every page is done).
pub(super) fn resume_at(def: &Versioned, answers: &Answers, reference: &str) -> String {
    let d = &def.definition;
    for p in d.pages_for(answers) {
        let open = d
            .fields_for(p, answers)
            .iter()
            .any(|f| f.required && answers.get(&f.id).is_none_or(|v| v.is_null()));
        if open {
            return format!("/applications/{reference}/pages/{}", p.id);
        }
    }
    format!("/applications/{reference}/check")
}

/// The first page of a new application.
fn first_page(def: &Versioned, answers: &Answers, reference: &str) -> String {
    match def.definition.pages_for(answers).first() {
        Some(p) => format!("/applications/{reference}/pages/{}", p.id),
        None => format!("/applications/{reference}/check"),
    }
}

/// The service's name in the catalogue, or the definition's title.
pub(super) fn service_name(state: &AppState, lang: Lang, def: &Versioned) -> String {
    ServiceCode::parse(def.definition.service())
        .ok()
        .and_then(|c| state.catalogue.snapshot().service(&c))
        .map(|h| {
            lang.pick(&h.entry.service.name, &h.entry.service.name_sw)
                .to_string()
        })
        .unwrap_or_else(|| pick(lang, &def.definition.file().title))
}

#[derive(Template)]
#[template(path = "apply_start.html")]
struct StartPage {
    c: Chrome,
    code: String,
    name: String,
    title: String,
    start: String,
    documents: Vec<String>,
    fees: Vec<(String, String)>,
    sla_days: Option<u32>,
    signed_in: bool,
}

/// `GET /services/{code}/apply`: the start page of a service defined as data; other
/// services keep the catalogue's "not open online yet" page.
pub async fn start_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Response {
    let hit = ServiceCode::parse(&code)
        .ok()
        .and_then(|c| state.catalogue.snapshot().service(&c));
    // A service on its agency's own system starts there, whatever Lango holds for it.
    let def = match &hit {
        Some(h) if h.entry.service.apply_url.is_none() => state.cases.definition(&code, None).await,
        _ => Ok(None),
    };
    let (Some(hit), Ok(Some(def))) = (hit, def) else {
        return super::catalogue::apply(State(state), super::PageLang(v.lang), Ok(Path(code)))
            .await;
    };
    let lang = v.lang;
    let s = &hit.entry.service;
    let file = def.definition.file();
    let page = StartPage {
        c: Chrome::for_visitor(&v, state.config.demo, &format!("/services/{code}/apply")),
        code: s.code.to_string(),
        name: lang.pick(&s.name, &s.name_sw).to_string(),
        title: pick(lang, &file.title),
        start: file
            .start
            .as_ref()
            .map(|w| pick(lang, w))
            .unwrap_or_default(),
        documents: document_rows(&hit, lang),
        fees: fee_rows(&hit, lang),
        sla_days: s.sla_days,
        signed_in: v.account.is_some(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "apply_for.html")]
struct ForPage {
    c: Chrome,
    code: String,
    title: String,
    options: Vec<view::Opt>,
    error: Option<&'static str>,
}

/// The profile's values for prefill.
pub(super) fn profile(a: &lango_identity::account::Account) -> Profile {
    let mut values = vec![
        ("full_name".to_string(), a.display_name()),
        ("given_name".into(), a.given_name.clone()),
        ("family_name".into(), a.family_name.clone()),
        ("postal_address".into(), a.postal_address.clone()),
        ("county".into(), a.county.clone()),
        ("sub_county".into(), a.sub_county.clone()),
    ];
    let optional = [
        ("date_of_birth", &a.date_of_birth),
        ("phone", &a.phone),
        ("email", &a.email),
        ("national_id", &a.id_number),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            values.push((k.to_string(), v.clone()));
        }
    }
    values.retain(|(_, v)| !v.trim().is_empty());
    Profile { values }
}

/// `POST /services/{code}/apply`: starts a draft (asking first, for a representative of
/// businesses, who it is for) and goes to its first page.
pub async fn start(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let lang = s.v.lang;
    let chosen = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "for")
        .map(|(_, v)| v.into_owned());
    let represents =
        s.v.person()
            .map(|p| p.represents.clone())
            .unwrap_or_default();
    let business = match chosen.as_deref() {
        _ if represents.is_empty() => None,
        Some("self") => None,
        Some(b) if represents.iter().any(|r| r == b) => Some(b.to_string()),
        other => return for_page(&state, &s, &code, other.is_some()).await,
    };
    match state
        .cases
        .start(&s.v.actor, &code, business.as_deref(), &profile(&s.account))
        .await
    {
        Ok(app) => to_first_page(&state, lang, &app).await,
        Err(e) => refuse(&state, lang, e),
    }
}

/// Sends a new application to its first page (check your answers when it has none).
pub(super) async fn to_first_page(state: &AppState, lang: Lang, app: &Application) -> Response {
    match state
        .cases
        .definition(&app.service, Some(app.version))
        .await
    {
        Ok(Some(def)) => {
            Redirect::to(&first_page(&def, &app.answers, &app.reference)).into_response()
        }
        Ok(None) => Redirect::to(&format!("/applications/{}/check", app.reference)).into_response(),
        Err(e) => refuse(state, lang, e),
    }
}

/// "Who is this application for?": the person or one of the businesses they represent.
async fn for_page(state: &AppState, s: &SignedIn, code: &str, wrong: bool) -> Response {
    let lang = s.v.lang;
    let def = match state.cases.definition(code, None).await {
        Ok(Some(d)) => d,
        Ok(None) => return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        Err(e) => return refuse(state, lang, e),
    };
    let businesses = match lango_identity::business::of_account(&state.db, &s.account.id).await {
        Ok(b) => b,
        Err(e) => return refuse(state, lang, e),
    };
    let mut options = vec![view::Opt {
        value: "self".into(),
        label: format!(
            "{} ({})",
            s.account.display_name(),
            tr(lang, "apply_for_self")
        ),
        checked: false,
    }];
    options.extend(businesses.into_iter().map(|(b, _)| view::Opt {
        label: format!("{} ({})", b.name, b.registration_number),
        value: b.id,
        checked: false,
    }));
    let page = ForPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &format!("/services/{code}/apply")),
        code: code.to_string(),
        title: pick(lang, &def.definition.file().title),
        options,
        error: wrong.then(|| tr(lang, "apply_for_required")),
    };
    let status = if wrong {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(status, &page)
}

/// An application as the lists show it.
pub(super) struct ListRow {
    /// Its reference.
    pub reference: String,
    /// The service's name.
    pub service: String,
    /// Where it stands, in words.
    pub state: String,
    /// Not yet submitted.
    pub draft: bool,
    /// The day it was started.
    pub started: String,
    /// Where its link goes.
    pub href: String,
    /// The registered agent that made it for the applicant, if one did.
    pub made_by: String,
}

#[derive(Template)]
#[template(path = "apply_list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<ListRow>,
}

/// `GET /account/applications`: the person's applications and drafts, newest first.
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Response {
    let lang = s.v.lang;
    let apps = match state.cases.mine(&s.v.actor).await {
        Ok(a) => a,
        Err(e) => return refuse(&state, lang, e),
    };
    let mut rows = match list_rows(&state, lang, apps).await {
        Ok(r) => r,
        Err(e) => return refuse(&state, lang, e),
    };
    // Who made an application for them: the person sees it was an agent, and which.
    let made = match lango_agents::registry::makers(&state.db, &s.account.id).await {
        Ok(m) => m,
        Err(e) => return refuse(&state, lang, e),
    };
    for r in &mut rows {
        if let Some((_, code, name)) = made
            .iter()
            .find(|(reference, _, _)| *reference == r.reference)
        {
            r.made_by = format!("{name} ({code})");
        }
    }
    render(
        StatusCode::OK,
        &ListPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/account/applications"),
            rows,
        },
    )
}

/// Applications as lists show them: a draft links to where it resumes, others to their
/// track page.
pub(super) async fn list_rows(
    state: &AppState,
    lang: Lang,
    apps: Vec<Application>,
) -> Result<Vec<ListRow>, Error> {
    let mut rows = Vec::new();
    for app in apps {
        let def = state
            .cases
            .definition(&app.service, Some(app.version))
            .await?;
        let draft = app.state == DRAFT;
        let (service, state_label, href) = match &def {
            Some(d) => (
                service_name(state, lang, d),
                state_label(lang, d, &app.state),
                if draft {
                    resume_at(d, &app.answers, &app.reference)
                } else {
                    format!("/applications/{}", app.reference)
                },
            ),
            None => (
                app.service.clone(),
                app.state.clone(),
                format!("/applications/{}", app.reference),
            ),
        };
        rows.push(ListRow {
            reference: app.reference.clone(),
            service,
            state: state_label,
            draft,
            started: day(app.created_at),
            href,
            made_by: String::new(),
        });
    }
    Ok(rows)
}

/// A state's label in the reader's language (`draft` has words of its own).
pub(super) fn state_label(lang: Lang, def: &Versioned, state: &str) -> String {
    if state == DRAFT {
        return tr(lang, "apply_state_draft").to_string();
    }
    def.definition
        .state(state)
        .map(|s| pick(lang, &s.label))
        .unwrap_or_else(|| state.to_string())
}
