//! Assisted applications at a centre's counter: staff find the person present by their ID
//! number (or register them), the person confirms (a code to their phone, or staff record
//! the document they inspected), and staff then start and fill in any service's
//! application for them on the ordinary application pages (channel `centre`); the person
//! sees it in their own account. The rules are `lango_identity::assist`'s and the policy's.

mod confirm;

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
use lango_centres::model::Centre;
use lango_centres::Centres;
use lango_identity::account;
use lango_identity::assist::{self, NewPersonForm};
use lango_identity::model::Problems;
use lango_identity::policy::Action;
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    let at = "/desk/{code}/counters/{counter}/assist";
    Router::new()
        .route(at, get(home))
        .route(&format!("{at}/find"), post(find))
        .route(&format!("{at}/register"), post(register))
        .route(&format!("{at}/confirm"), get(confirm::page))
        .route(&format!("{at}/code"), post(confirm::send_code))
        .route(&format!("{at}/begin"), post(confirm::begin))
        .route(&format!("{at}/apply"), post(apply))
        .route(&format!("{at}/end"), post(end))
}

/// The centre and counter, if `s` serves at that centre.
pub(super) async fn counter_for(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    counter: &str,
) -> Result<Centre, Response> {
    let not_found = || render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    let c = state.centres.get(code).await.map_err(|_| not_found())?;
    Centres::check(&s.v.actor, Action::Assist, &c)
        .map_err(|e| crate::error::page_error(state, s.v.lang, e))?;
    if c.counter(counter).is_none() {
        return Err(not_found());
    }
    Ok(c)
}

/// Where a counter's assistance pages live.
pub(super) fn base(code: &str, counter: &str) -> String {
    format!("/desk/{code}/counters/{counter}/assist")
}

/// The form that finds a person by their ID number.
fn find_form(state: &AppState, s: &SignedIn, at: &str, problems: &Problems) -> FormPage {
    let lang = s.v.lang;
    let form = Form::new(
        format!("{at}/find"),
        &s.v.csrf,
        tr(lang, "assist_find_button"),
        vec![Field::new(lang, "id_number", "text").label(lang, "assist_id_number")],
    )
    .problems(lang, problems);
    FormPage {
        links: vec![(
            at.trim_end_matches("/assist").to_string(),
            tr(lang, "assist_back_counter"),
        )],
        ..form_page(
            state,
            &s.v,
            at,
            "assist_find_title",
            "assist_find_lead",
            form,
        )
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

/// The person being assisted here, when this session assists someone at this counter.
fn assisting_here<'a>(s: &'a SignedIn, code: &str, counter: &str) -> Option<&'a assist::Assist> {
    s.v.assisting
        .as_ref()
        .filter(|a| a.centre == code && a.counter == counter)
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
    Path((code, counter)): Path<(String, String)>,
    asked: Result<Query<Asked>, QueryRejection>,
) -> Response {
    let c = match counter_for(&state, &s, &code, &counter).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let at = base(&c.code, &counter);
    if assisting_here(&s, &c.code, &counter).is_none() {
        let page = find_form(&state, &s, &at, &Problems::default());
        return render(page.form.status(), &page);
    }
    let q = asked.map(|Query(a)| a.q).unwrap_or_default();
    assist_page(&state, &s, &c, &at, q, String::new()).await
}

async fn assist_page(
    state: &AppState,
    s: &SignedIn,
    c: &Centre,
    at: &str,
    q: String,
    error: String,
) -> Response {
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
        offered: c
            .offers
            .iter()
            .map(|o| (o.service.clone(), service_name(state, lang, &o.service)))
            .collect(),
        found,
        applications,
        error,
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
    Path((code, counter)): Path<(String, String)>,
    Posted(f): Posted<FindForm>,
) -> Response {
    let c = match counter_for(&state, &s, &code, &counter).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let at = base(&c.code, &counter);
    if f.id_number.trim().is_empty() {
        let page = find_form(&state, &s, &at, &Problems::one("id_number", "required"));
        return render(page.form.status(), &page);
    }
    match assist::find(&state.db, &f.id_number).await {
        Ok(Some(a)) => Redirect::to(&format!("{at}/confirm?person={}", a.id)).into_response(),
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
    Path((code, counter)): Path<(String, String)>,
    Posted(f): Posted<NewPersonForm>,
) -> Response {
    let c = match counter_for(&state, &s, &code, &counter).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let at = base(&c.code, &counter);
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
    Path((code, counter)): Path<(String, String)>,
    Posted(f): Posted<ApplyForm>,
) -> Response {
    let c = match counter_for(&state, &s, &code, &counter).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let at = base(&c.code, &counter);
    let Some(helped) = assisting_here(&s, &c.code, &counter) else {
        return Redirect::to(&at).into_response();
    };
    let person = match account::get(&state.db, &helped.person_id).await {
        Ok(p) => p,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let started = state
        .cases
        .start_assisted(&s.v.actor, &person.id, f.service.trim(), &profile(&person))
        .await;
    let app = match started {
        Ok(app) => app,
        Err(e @ (lango_core::Error::NotFound(_) | lango_core::Error::Conflict(_))) => {
            let message = match e {
                lango_core::Error::NotFound(_) => tr(s.v.lang, "assist_no_such_service"),
                _ => tr(s.v.lang, "assist_service_retired"),
            };
            return assist_page(&state, &s, &c, &at, String::new(), message.to_string()).await;
        }
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    to_first_page(&state, s.v.lang, &app).await
}

/// `POST …/assist/end`: staff finish helping the person; back to the counter.
async fn end(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
) -> Response {
    let c = match counter_for(&state, &s, &code, &counter).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = assist::end(&state.db, &s.session.id).await {
        return crate::error::page_error(&state, s.v.lang, e);
    }
    let notice: String =
        form_urlencoded::byte_serialize(tr(s.v.lang, "assist_ended").as_bytes()).collect();
    Redirect::to(&format!(
        "/desk/{}/counters/{counter}?notice={notice}",
        c.code
    ))
    .into_response()
}
