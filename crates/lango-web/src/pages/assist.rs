//! Assisted applications at a centre's counter or by a registered agent: staff find the
//! person present by their ID number (at a centre, or register them), the person confirms
//! (a code to their phone; at a centre, or staff record the document they inspected), and
//! the helper then starts and fills in any service's application for them on the ordinary
//! application pages (channel `centre` or `agent`); the person sees it in their own account,
//! with who made it. The rules are `lango_identity::assist`'s and the policy's.

mod confirm;
pub(crate) mod desk;

use super::apply::{list_rows, profile, to_first_page, ListRow};
use super::auth::{form_page, FormPage};
use super::centres::service_name;
use super::{render, render_status_page, Chrome};
use crate::forms::{Field, Form};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form as Posted, Router};
use desk::Desk;
use lango_identity::account;
use lango_identity::assist::{self, NewPersonForm};
use lango_identity::model::Problems;
use serde::Deserialize;
use std::collections::HashMap;

/// This module's routes: the same pages at a centre's counter and at an agent's desk.
pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for at in [
        "/desk/{code}/counters/{counter}/assist",
        "/agent/{code}/assist",
    ] {
        r = r
            .route(at, get(home))
            .route(&format!("{at}/find"), post(find))
            .route(&format!("{at}/register"), post(register))
            .route(&format!("{at}/confirm"), get(confirm::page))
            .route(&format!("{at}/code"), post(confirm::send_code))
            .route(&format!("{at}/begin"), post(confirm::begin))
            .route(&format!("{at}/apply"), post(apply))
            .route(&format!("{at}/end"), post(end));
    }
    r
}

/// The path's parameters: `code`, and `counter` at a centre.
type Where = Path<HashMap<String, String>>;

/// Where a counter's assistance pages live.
pub(super) fn base(code: &str, counter: &str) -> String {
    format!("/desk/{code}/counters/{counter}/assist")
}

/// The form that finds a person by their ID number.
fn find_form(state: &AppState, s: &SignedIn, desk: &Desk, problems: &Problems) -> FormPage {
    let lang = s.v.lang;
    let at = &desk.at();
    let (back, back_words) = desk.back();
    let form = Form::new(
        format!("{at}/find"),
        &s.v.csrf,
        tr(lang, "assist_find_button"),
        vec![Field::new(lang, "id_number", "text").label(lang, "assist_id_number")],
    )
    .problems(lang, problems);
    let lead = if desk.is_centre() {
        "assist_find_lead"
    } else {
        "agent_find_lead"
    };
    FormPage {
        links: vec![(back, tr(lang, back_words))],
        ..form_page(state, &s.v, at, "assist_find_title", lead, form)
    }
}

/// The form that registers a person who has no account yet.
fn register_form(
    state: &AppState,
    s: &SignedIn,
    at: &str,
    f: &NewPersonForm,
    problems: &Problems,
) -> FormPage {
    let lang = s.v.lang;
    let form = Form::new(
        format!("{at}/register"),
        &s.v.csrf,
        tr(lang, "assist_register_button"),
        vec![
            Field::new(lang, "id_number", "text")
                .label(lang, "assist_id_number")
                .value(&f.id_number),
            Field::new(lang, "given_name", "text").value(&f.given_name),
            Field::new(lang, "family_name", "text").value(&f.family_name),
            Field::date(lang, "date_of_birth", &f.dob, ""),
            Field::new(lang, "phone", "tel").value(&f.phone),
        ],
    )
    .naming()
    .problems(lang, problems);
    form_page(
        state,
        &s.v,
        at,
        "assist_register_title",
        "assist_register_lead",
        form,
    )
}

#[derive(Template)]
#[template(path = "assist.html")]
struct AssistPage {
    c: Chrome,
    at: String,
    csrf: String,
    name: String,
    q: String,
    /// The centre's services: (code, name).
    offered: Vec<(String, String)>,
    /// Services found by the search: (code, name, agency).
    found: Vec<(String, String, String)>,
    searched: bool,
    /// Their applications.
    applications: Vec<ListRow>,
    error: String,
    /// At an agent's desk: the agent's name, which the person's account will show.
    agent: String,
}

/// What the assistance page was asked.
#[derive(Deserialize, Default)]
pub struct Asked {
    #[serde(default)]
    q: String,
}

/// `GET …/assist`: whom staff are helping and what to start for them; the find form when
/// they help nobody yet.
async fn home(
    State(state): State<AppState>,
    s: SignedIn,
    Path(path): Where,
    asked: Result<Query<Asked>, QueryRejection>,
) -> Response {
    let desk = match Desk::of(&state, &s, &path).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if desk.assisting(&s).is_none() {
        let page = find_form(&state, &s, &desk, &Problems::default());
        return render(page.form.status(), &page);
    }
    let q = asked.map(|Query(a)| a.q).unwrap_or_default();
    assist_page(&state, &s, &desk, q, String::new()).await
}

async fn assist_page(
    state: &AppState,
    s: &SignedIn,
    desk: &Desk,
    q: String,
    error: String,
) -> Response {
    let at = &desk.at();
    let lang = s.v.lang;
    let name =
        s.v.assisting
            .as_ref()
            .map(|a| a.person_name.clone())
            .unwrap_or_default();
    let q: String = q.trim().chars().take(100).collect();
    let found = if q.is_empty() {
        Vec::new()
    } else {
        let req = lango_catalogue::search::SearchRequest {
            q: q.clone(),
            page: 1,
            per_page: 10,
            ..Default::default()
        };
        match state.catalogue.search(&req).await {
            Ok(p) => p
                .items
                .iter()
                .map(|h| {
                    let s = &h.entry.service;
                    (
                        s.code.to_string(),
                        lang.pick(&s.name, &s.name_sw).to_string(),
                        h.agency.name.clone(),
                    )
                })
                .collect(),
            Err(e) => return crate::error::page_error(state, lang, e),
        }
    };
    let apps = match state.cases.assisted(&s.v.actor).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let applications = match list_rows(state, lang, apps).await {
        Ok(r) => r,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let page = AssistPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, at),
        at: at.to_string(),
        csrf: s.v.csrf.clone(),
        name,
        searched: !q.is_empty(),
        q,
        offered: desk
            .offered()
            .into_iter()
            .map(|code| {
                let name = service_name(state, lang, &code);
                (code, name)
            })
            .collect(),
        found,
        applications,
        error,
        agent: match desk {
            Desk::Agent(a) => a.name.clone(),
            Desk::Counter(..) => String::new(),
        },
    };
    let status = if page.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(status, &page)
}

/// The find form as posted.
#[derive(Deserialize, Default)]
pub struct FindForm {
    #[serde(default)]
    id_number: String,
}

/// `POST …/assist/find`: the person's account, to confirm; the registration form when the
/// number has none.
async fn find(
    State(state): State<AppState>,
    s: SignedIn,
    Path(path): Where,
    Posted(f): Posted<FindForm>,
) -> Response {
    let desk = match Desk::of(&state, &s, &path).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let at = desk.at();
    if f.id_number.trim().is_empty() {
        let page = find_form(&state, &s, &desk, &Problems::one("id_number", "required"));
        return render(page.form.status(), &page);
    }
    match assist::find(&state.db, &f.id_number).await {
        Ok(Some(a)) => Redirect::to(&format!("{at}/confirm?person={}", a.id)).into_response(),
        // An agent does not register people: they make an account themselves or at a centre.
        Ok(None) if !desk.is_centre() => {
            let page = find_form(
                &state,
                &s,
                &desk,
                &Problems::one("id_number", "agent_no_account"),
            );
            render(page.form.status(), &page)
        }
        Ok(None) => {
            let form = NewPersonForm {
                id_number: f.id_number.trim().to_string(),
                ..Default::default()
            };
            let page = register_form(&state, &s, &at, &form, &Problems::default());
            render(StatusCode::OK, &page)
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST …/assist/register`: registers the person present, then their confirmation.
async fn register(
    State(state): State<AppState>,
    s: SignedIn,
    Path(path): Where,
    Posted(f): Posted<NewPersonForm>,
) -> Response {
    let (c, at) = match Desk::of(&state, &s, &path).await {
        Ok(Desk::Counter(c, counter)) => {
            let at = base(&c.code, &counter);
            (c, at)
        }
        Ok(Desk::Agent(_)) => {
            return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo)
        }
        Err(r) => return r,
    };
    let again = |problems: &Problems| {
        let page = register_form(&state, &s, &at, &f, problems);
        render(page.form.status(), &page)
    };
    let person = match f.parse() {
        Ok(p) => p,
        Err(problems) => return again(&problems),
    };
    let Some(staff) = s.v.person() else {
        return render_status_page(StatusCode::FORBIDDEN, s.v.lang, state.config.demo);
    };
    match assist::register(&state.db, staff, &c.code, &person, s.v.lang.tag()).await {
        Ok(Ok(a)) => Redirect::to(&format!("{at}/confirm?person={}", a.id)).into_response(),
        Ok(Err(problems)) => again(&problems),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// The service to start.
#[derive(Deserialize, Default)]
pub struct ApplyForm {
    #[serde(default)]
    service: String,
}

/// `POST …/assist/apply`: starts the service's application for the person (channel
/// `centre`) and goes to its first page.
async fn apply(
    State(state): State<AppState>,
    s: SignedIn,
    Path(path): Where,
    Posted(f): Posted<ApplyForm>,
) -> Response {
    let desk = match Desk::of(&state, &s, &path).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let Some(helped) = desk.assisting(&s) else {
        return Redirect::to(&desk.at()).into_response();
    };
    let person = match account::get(&state.db, &helped.person_id).await {
        Ok(p) => p,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    if let Some(agent) = desk.agent() {
        match lango_agents::fraud::within_cap(&state.db, agent).await {
            Ok(()) => {}
            Err(lango_core::Error::Clash { .. }) => {
                let message = tr(s.v.lang, "agent_daily_cap").to_string();
                return assist_page(&state, &s, &desk, String::new(), message).await;
            }
            Err(e) => return crate::error::page_error(&state, s.v.lang, e),
        }
    }
    let started = state
        .cases
        .start_assisted(
            &s.v.actor,
            &person.id,
            f.service.trim(),
            &profile(&person),
            desk.agent(),
        )
        .await;
    let app = match started {
        Ok(app) => app,
        Err(e @ (lango_core::Error::NotFound(_) | lango_core::Error::Conflict(_))) => {
            let message = match e {
                lango_core::Error::NotFound(_) => tr(s.v.lang, "assist_no_such_service"),
                _ => tr(s.v.lang, "assist_service_retired"),
            };
            return assist_page(&state, &s, &desk, String::new(), message.to_string()).await;
        }
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    to_first_page(&state, s.v.lang, &app).await
}

/// `POST …/assist/end`: staff finish helping the person; back to the counter.
async fn end(State(state): State<AppState>, s: SignedIn, Path(path): Where) -> Response {
    let desk = match Desk::of(&state, &s, &path).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    if let Err(e) = assist::end(&state.db, &s.session.id).await {
        return crate::error::page_error(&state, s.v.lang, e);
    }
    let notice: String =
        form_urlencoded::byte_serialize(tr(s.v.lang, "assist_ended").as_bytes()).collect();
    Redirect::to(&format!("{}?notice={notice}", desk.back().0)).into_response()
}
