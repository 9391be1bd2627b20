//! The centre's desk for its staff: reception issues tickets (walk-ins in their lane, and
//! today's appointments checking in), each counter calls and finishes tickets, and the
//! manager's live view shows the lines and counters now.

use super::centres::service_name;
use super::{render, render_status_page, Chrome};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use fluent_bundle::FluentValue;
use lango_centres::model::Centre;
use lango_centres::queue::{Act, Issue};
use lango_centres::Centres;
use lango_core::Error;
use lango_identity::policy::Action;
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desk/{code}", get(desk))
        .route("/desk/{code}/tickets", post(issue))
        .route("/desk/{code}/appointments", post(book))
        .route("/desk/{code}/live", get(live))
        .route("/desk/{code}/counters/{counter}", get(counter))
        .route("/desk/{code}/counters/{counter}/call", post(call))
        .route(
            "/desk/{code}/counters/{counter}/tickets/{number}",
            post(act),
        )
        .merge(super::desk_cash::routes())
}

/// The centre, if `s` may work at it (its staff; the platform's administrators look).
async fn centre_for(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    action: Action,
) -> Result<Centre, Response> {
    let not_found = || render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    let c = state.centres.get(code).await.map_err(|_| not_found())?;
    Centres::check(&s.v.actor, action, &c)
        .map_err(|e| crate::error::page_error(state, s.v.lang, e))?;
    Ok(c)
}

/// A service a form offers: (code, name).
fn services(state: &AppState, lang: Lang, c: &Centre) -> Vec<(String, String)> {
    c.offers
        .iter()
        .map(|o| {
            (
                o.service.clone(),
                format!("{} {}", o.letter, service_name(state, lang, &o.service)),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    c: Chrome,
    code: String,
    name: String,
    csrf: String,
    services: Vec<(String, String)>,
    lanes: Vec<(String, &'static str)>,
    notice: String,
    error: String,
    appointments: Vec<(String, String, String, String, bool)>,
    counters: Vec<String>,
    /// The reader may change the centre (its manager): the desk links its administration.
    manage: bool,
}

/// What the desk was just told.
#[derive(Deserialize, Default)]
pub struct Told {
    issued: Option<String>,
    ahead: Option<i64>,
    wait: Option<i64>,
    booked: Option<String>,
}

/// `GET /desk/{code}`: reception, today's appointments and the counters.
async fn desk(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    told: Result<Query<Told>, QueryRejection>,
) -> Response {
    let c = match centre_for(&state, &s, &code, Action::Assist).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let told = told.map(|Query(t)| t).unwrap_or_default();
    let booked = told.booked.clone().unwrap_or_default();
    let notice = told.issued.map_or(booked, |n| {
        tr_with(
            s.v.lang,
            "desk_issued",
            [
                FluentValue::from(&n),
                FluentValue::from(told.ahead.unwrap_or(0)),
                FluentValue::from(told.wait.unwrap_or(0)),
            ],
        )
    });
    desk_page(&state, &s, &c, notice, String::new()).await
}

async fn desk_page(
    state: &AppState,
    s: &SignedIn,
    c: &Centre,
    notice: String,
    error: String,
) -> Response {
    let lang = s.v.lang;
    let today = lango_centres::calendar::today();
    let appointments = state
        .centres
        .day_list(&s.v.actor, c, &today)
        .await
        .unwrap_or_default();
    let page = DeskPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &format!("/desk/{}", c.code)),
        code: c.code.clone(),
        name: c.name_in(lang.tag()).to_string(),
        csrf: s.v.csrf.clone(),
        services: services(state, lang, c),
        lanes: std::iter::once("walk_in".to_string())
            .chain(c.lanes.iter().filter(|l| *l != "appointment").cloned())
            .map(|l| {
                let words = tr(lang, &format!("desk_lane_{l}"));
                (l, words)
            })
            .collect(),
        notice,
        error,
        appointments: appointments
            .iter()
            .map(|a| {
                (
                    a.reference.clone(),
                    a.time(),
                    a.name.clone(),
                    service_name(state, lang, &a.service),
                    a.status == lango_centres::appointments::Status::Booked,
                )
            })
            .collect(),
        counters: c.counters.iter().map(|k| k.code.clone()).collect(),
        manage: Centres::check(&s.v.actor, Action::Edit, c).is_ok(),
    };
    let status = if page.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(status, &page)
}

/// Reception's booking for a person at the desk (or on the phone to it).
#[derive(Deserialize, Default)]
pub struct BookForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
}

/// `POST /desk/{code}/appointments`: staff book an appointment for a person (channel `centre`).
async fn book(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<BookForm>,
) -> Response {
    let c = match centre_for(&state, &s, &code, Action::Book).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let start = lango_centres::calendar::parse_rfc3339(&format!(
        "{}T{}:00{}",
        f.day.trim(),
        f.time.trim(),
        lango_core::clock::local_offset_text()
    ));
    let Some(start_ms) = start else {
        let words = tr(s.v.lang, "desk_book_start_invalid").to_string();
        return desk_page(&state, &s, &c, String::new(), words).await;
    };
    let booking = lango_centres::appointments::Booking {
        centre: c.code.clone(),
        service: f.service,
        start_ms,
        name: f.name,
        phone: f.phone,
        id_number: f.id_number,
        account_id: None,
        channel: lango_centres::appointments::Channel::Centre,
        language: s.v.lang.tag().to_string(),
    };
    match state.centres.book(&s.v.actor, &booking).await {
        Ok(a) => {
            let notice: String = form_urlencoded::byte_serialize(
                tr_with(s.v.lang, "desk_booked", [FluentValue::from(&a.reference)]).as_bytes(),
            )
            .collect();
            Redirect::to(&format!("/desk/{}?booked={notice}", c.code)).into_response()
        }
        Err(e) => match super::centres_refusal::worded_error(s.v.lang, &e) {
            Some(words) => desk_page(&state, &s, &c, String::new(), words).await,
            None => crate::error::page_error(&state, s.v.lang, e),
        },
    }
}

/// The reception form.
#[derive(Deserialize, Default)]
pub struct IssueForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    lane: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    appointment: String,
}

/// `POST /desk/{code}/tickets`: a ticket for a walk-in, or an appointment checking in.
async fn issue(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<IssueForm>,
) -> Response {
    let c = match centre_for(&state, &s, &code, Action::Assist).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let issue = Issue {
        service: f.service,
        lane: Some(f.lane).filter(|l| !l.is_empty()),
        appointment: Some(f.appointment).filter(|a| !a.trim().is_empty()),
        phone: Some(f.phone),
        channel: "reception".into(),
    };
    match state.centres.issue(&s.v.actor, &c, issue).await {
        Ok(t) => Redirect::to(&format!(
            "/desk/{}?issued={}&ahead={}&wait={}",
            c.code,
            t.number,
            t.position - 1,
            t.estimated_wait_minutes
        ))
        .into_response(),
        Err(e) => match super::centres_refusal::worded_error(s.v.lang, &e) {
            Some(words) => desk_page(&state, &s, &c, String::new(), words).await,
            None => crate::error::page_error(&state, s.v.lang, e),
        },
    }
}

#[derive(Template)]
#[template(path = "desk_counter.html")]
struct CounterPage {
    c: Chrome,
    code: String,
    counter: String,
    title: String,
    csrf: String,
    serving: Option<(String, String)>,
    held: Vec<String>,
    services: Vec<(String, String)>,
    counters: Vec<String>,
    notice: String,
    /// The ticket this counter finished last, while it is not yet rated.
    rate: Option<String>,
}

/// What the counter was just told.
#[derive(Deserialize, Default)]
pub struct CounterTold {
    notice: Option<String>,
}

/// `GET /desk/{code}/counters/{counter}`: the ticket being served and what to do with it.
async fn counter(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    told: Result<Query<CounterTold>, QueryRejection>,
) -> Response {
    let c = match centre_for(&state, &s, &code, Action::Assist).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(k) = c.counter(&counter).cloned() else {
        return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    };
    let now = match state.centres.at_counter(&c, &k.code).await {
        Ok(n) => n,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let lang = s.v.lang;
    let notice = told.ok().and_then(|Query(t)| t.notice).unwrap_or_default();
    let rate = match state.centres.last_unrated(&c, &k.code).await {
        Ok(r) => r,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let page = CounterPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/desk/{}/counters/{}", c.code, k.code),
        ),
        title: tr_with(lang, "counter_title", [FluentValue::from(&k.code)]),
        code: c.code.clone(),
        counter: k.code.clone(),
        csrf: s.v.csrf.clone(),
        serving: now
            .serving
            .map(|t| (t.number.clone(), service_name(&state, lang, &t.service))),
        held: now.held.iter().map(|t| t.number.clone()).collect(),
        services: services(&state, lang, &c),
        counters: c
            .counters
            .iter()
            .map(|x| x.code.clone())
            .filter(|x| *x != k.code)
            .collect(),
        notice,
        rate,
    };
    render(StatusCode::OK, &page)
}

fn back_to(c: &Centre, counter: &str, notice: &str) -> Response {
    let notice: String = form_urlencoded::byte_serialize(notice.as_bytes()).collect();
    Redirect::to(&format!(
        "/desk/{}/counters/{counter}?notice={notice}",
        c.code
    ))
    .into_response()
}

/// `POST /desk/{code}/counters/{counter}/call`: finishes the ticket served and calls the next.
async fn call(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
) -> Response {
    let c = match centre_for(&state, &s, &code, Action::Assist).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match state.centres.call(&s.v.actor, &c, &counter).await {
        Ok(Some(_)) => back_to(&c, &counter.to_ascii_uppercase(), ""),
        Ok(None) => back_to(
            &c,
            &counter.to_ascii_uppercase(),
            tr(s.v.lang, "counter_none_waiting"),
        ),
        Err(e) => match super::centres_refusal::worded_error(s.v.lang, &e) {
            Some(words) => back_to(&c, &counter.to_ascii_uppercase(), &words),
            None => crate::error::page_error(&state, s.v.lang, e),
        },
    }
}

/// A counter's action on a ticket.
#[derive(Deserialize, Default)]
pub struct ActForm {
    #[serde(default)]
    act: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    to_counter: String,
}

/// `POST /desk/{code}/counters/{counter}/tickets/{number}`: done, no-show, hold, resume,
/// recall or transfer.
async fn act(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter, number)): Path<(String, String, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    let c = match centre_for(&state, &s, &code, Action::Assist).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = s.v.lang;
    let (act, word) = match f.act.as_str() {
        "done" => (Act::Done, "counter_done"),
        "no_show" => (Act::NoShow, "counter_no_show"),
        "hold" => (Act::Hold, "counter_hold"),
        "resume" => (Act::Resume, "counter_resume"),
        "recall" => (Act::Recall, "counter_recall"),
        "transfer" => (
            Act::Transfer {
                service: Some(f.service.trim().to_ascii_uppercase()).filter(|x| !x.is_empty()),
                counter: Some(f.to_counter.trim().to_ascii_uppercase()).filter(|x| !x.is_empty()),
            },
            "counter_transfer",
        ),
        _ => {
            return crate::error::page_error(&state, lang, Error::invalid("act", "unknown action"))
        }
    };
    let counter = counter.to_ascii_uppercase();
    match state
        .centres
        .act(&s.v.actor, &c, &number, act, Some(&counter))
        .await
    {
        Ok(t) => back_to(
            &c,
            &counter,
            &tr_with(
                lang,
                "counter_done_notice",
                [
                    FluentValue::from(&t.number),
                    FluentValue::from(tr(lang, word)),
                ],
            ),
        ),
        Err(e) => match super::centres_refusal::worded_error(lang, &e) {
            Some(words) => back_to(&c, &counter, &words),
            None => crate::error::page_error(&state, lang, e),
        },
    }
}

#[derive(Template)]
#[template(path = "desk_live.html")]
struct LivePage {
    c: Chrome,
    code: String,
    name: String,
    lines: Vec<(char, String, i64, i64)>,
    counters: Vec<(String, String, bool, i64)>,
}

/// `GET /desk/{code}/live`: the manager's view of the hall now, refreshing itself.
async fn live(State(state): State<AppState>, s: SignedIn, Path(code): Path<String>) -> Response {
    let c = match centre_for(&state, &s, &code, Action::View).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let hall = match state.centres.hall(&c).await {
        Ok(h) => h,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let lang = s.v.lang;
    let page = LivePage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &format!("/desk/{}/live", c.code)),
        code: c.code.clone(),
        name: c.name_in(lang.tag()).to_string(),
        lines: hall
            .lines
            .iter()
            .map(|l| {
                (
                    l.letter,
                    service_name(&state, lang, &l.service),
                    l.waiting,
                    l.longest_wait_minutes,
                )
            })
            .collect(),
        counters: hall
            .counters
            .iter()
            .map(|k| {
                (
                    k.code.clone(),
                    k.serving.clone().unwrap_or_default(),
                    k.open,
                    k.served_today,
                )
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}
