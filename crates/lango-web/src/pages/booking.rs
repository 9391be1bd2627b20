//! Booking an appointment at a centre, one question a page (service, day, time), then
//! "check your appointment" and the confirmation with its reference; and the person's
//! appointments in their account, where they can cancel one.

use super::centres::service_name;
use super::{render, render_status_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use lango_centres::appointments::{Appointment, Booking, Channel, ALREADY_BOOKED, SLOT_FULL};
use lango_centres::calendar::{self, minute_of};
use lango_centres::model::{clock, Centre};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/centres/{code}/book", get(step).post(book))
        .route("/centres/{code}/book/check", post(check))
        .route("/account/appointments", get(list))
        .route("/account/appointments/{reference}", get(show))
        .route("/account/appointments/{reference}/cancel", post(cancel))
}

/// What has been chosen so far.
#[derive(Deserialize, Default, Clone)]
pub struct Chosen {
    #[serde(default)]
    service: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    start: String,
    /// The question the form that sent this asked: unanswered, it is asked again with an error.
    #[serde(default)]
    asked: String,
}

/// One radio of a step.
pub struct Option_ {
    /// Its value.
    pub value: String,
    /// What people read.
    pub label: String,
    /// Chosen.
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "book_step.html")]
struct StepPage {
    c: Chrome,
    centre: String,
    action: String,
    method: &'static str,
    csrf: String,
    hidden: Vec<(&'static str, String)>,
    name: &'static str,
    legend: &'static str,
    hint: &'static str,
    options: Vec<Option_>,
    empty: &'static str,
    error: Option<&'static str>,
    back: String,
}

/// The centre `code`, or the not-found page.
async fn centre_or_404(state: &AppState, s: &SignedIn, code: &str) -> Result<Centre, Response> {
    state
        .centres
        .get(code)
        .await
        .map_err(|_| render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo))
}

/// `GET /centres/{code}/book`: the next question not yet answered (service, day, time).
async fn step(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    chosen: Result<Query<Chosen>, QueryRejection>,
) -> Response {
    let chosen = chosen.map(|Query(c)| c).unwrap_or_default();
    let c = match centre_or_404(&state, &s, &code).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    step_page(&state, &s, &c, &chosen, None).await
}

async fn step_page(
    state: &AppState,
    s: &SignedIn,
    c: &Centre,
    chosen: &Chosen,
    error: Option<&'static str>,
) -> Response {
    let lang = s.v.lang;
    let base = format!("/centres/{}/book", c.code);
    let mut page = StepPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &base),
        centre: c.name_in(lang.tag()).to_string(),
        action: base.clone(),
        method: "get",
        csrf: s.v.csrf.clone(),
        hidden: Vec::new(),
        name: "service",
        legend: tr(lang, "book_service"),
        hint: "",
        options: Vec::new(),
        empty: "",
        error,
        back: format!("/centres/{}", c.code),
    };
    let service = c
        .offer(&chosen.service.trim().to_ascii_uppercase())
        .filter(|o| c.counters_for(&o.service) > 0)
        .map(|o| o.service.clone());
    let Some(service) = service else {
        page.options = c
            .offers
            .iter()
            .filter(|o| c.counters_for(&o.service) > 0)
            .map(|o| Option_ {
                value: o.service.clone(),
                label: service_name(state, lang, &o.service),
                checked: false,
            })
            .collect();
        page.hidden.push(("asked", "service".into()));
        page.error = error.or((chosen.asked == "service").then_some("book_choose_service"));
        return render(status(&page.error), &page);
    };
    page.hidden.push(("service", service.clone()));
    page.back = base.clone();
    if !lango_centres::model::is_date(chosen.day.trim()) {
        let days = match state.centres.open_days(c, &service).await {
            Ok(d) => d,
            Err(e) => return crate::error::page_error(state, lang, e),
        };
        page.name = "day";
        page.legend = tr(lang, "book_day");
        page.hint = tr(lang, "book_day_hint");
        page.empty = tr(lang, "book_no_days");
        page.options = days
            .into_iter()
            .map(|(d, free)| {
                let weekday = tr(
                    lang,
                    &format!(
                        "day_{}",
                        lango_centres::model::DAYS[calendar::weekday(&d) as usize]
                    ),
                );
                Option_ {
                    label: format!("{weekday} {d} ({free} {})", tr(lang, "book_places")),
                    value: d,
                    checked: false,
                }
            })
            .collect();
        page.hidden.push(("asked", "day".into()));
        page.error = error.or((chosen.asked == "day").then_some("book_choose_day"));
        return render(status(&page.error), &page);
    }
    let day = chosen.day.trim().to_string();
    let slots = match state.centres.slots(c, &service, &day).await {
        Ok(s) => s,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    page.back = format!("{base}?service={service}");
    page.action = format!("{base}/check");
    page.method = "post";
    page.hidden.push(("day", day));
    page.name = "start";
    page.legend = tr(lang, "book_time");
    page.hint = tr(lang, "book_time_hint");
    page.empty = tr(lang, "book_no_times");
    page.options = slots
        .into_iter()
        .filter(|s| s.available > 0)
        .map(|s| Option_ {
            value: s.start_ms.to_string(),
            label: format!(
                "{} ({} {})",
                clock(minute_of(s.start_ms)),
                s.available,
                tr(lang, "book_places")
            ),
            checked: chosen.start == s.start_ms.to_string(),
        })
        .collect();
    render(status(&page.error), &page)
}

fn status(error: &Option<&'static str>) -> StatusCode {
    if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

#[derive(Template)]
#[template(path = "book_check.html")]
struct CheckPage {
    c: Chrome,
    code: String,
    centre: String,
    service: String,
    service_name: String,
    day: String,
    time: String,
    start: String,
    who: String,
    phone: String,
    id_number: String,
    csrf: String,
}

/// The person's details for a booking, or why their account cannot book yet.
fn booking_of(s: &SignedIn, c: &Centre, chosen: &Chosen) -> Option<Booking> {
    let a = &s.account;
    let phone = a.phone.clone().filter(|_| a.phone_verified)?;
    let id_number = a.id_number.clone()?;
    Some(Booking {
        centre: c.code.clone(),
        service: chosen.service.trim().to_ascii_uppercase(),
        start_ms: chosen.start.trim().parse().ok()?,
        name: a.display_name(),
        phone,
        id_number,
        account_id: Some(a.id.clone()),
        channel: Channel::Online,
        language: s.v.lang.tag().to_string(),
    })
}

/// `POST /centres/{code}/book/check`: check your appointment, with a change link for each answer.
async fn check(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(chosen): Form<Chosen>,
) -> Response {
    let c = match centre_or_404(&state, &s, &code).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if chosen.start.trim().is_empty() {
        return step_page(&state, &s, &c, &chosen, Some("book_choose_time")).await;
    }
    let Some(b) = booking_of(&s, &c, &chosen) else {
        return super::render_message_page(
            &state,
            s.v.lang,
            StatusCode::BAD_REQUEST,
            "book_needs_profile",
        );
    };
    let page = CheckPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/centres/{}/book", c.code),
        ),
        code: c.code.clone(),
        centre: c.name_in(s.v.lang.tag()).to_string(),
        service_name: service_name(&state, s.v.lang, &b.service),
        service: b.service.clone(),
        day: calendar::date_of(b.start_ms),
        time: clock(minute_of(b.start_ms)),
        start: b.start_ms.to_string(),
        who: b.name.clone(),
        phone: b.phone.clone(),
        id_number: b.id_number.clone(),
        csrf: s.v.csrf.clone(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /centres/{code}/book`: books it; a time taken meanwhile goes back to the times.
async fn book(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(chosen): Form<Chosen>,
) -> Response {
    let c = match centre_or_404(&state, &s, &code).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(b) = booking_of(&s, &c, &chosen) else {
        return super::render_message_page(
            &state,
            s.v.lang,
            StatusCode::BAD_REQUEST,
            "book_needs_profile",
        );
    };
    let again = Chosen {
        day: calendar::date_of(b.start_ms),
        start: String::new(),
        ..chosen
    };
    match state.centres.book(&s.v.actor, &b).await {
        Ok(a) => {
            Redirect::to(&format!("/account/appointments/{}?booked=1", a.reference)).into_response()
        }
        // By the code the API answers with too (a refusal's plain kind).
        Err(e) => match e.code() {
            ALREADY_BOOKED => step_page(&state, &s, &c, &again, Some("book_already")).await,
            // A full slot or day, or a time no longer offered: the day's times again.
            SLOT_FULL | "invalid_request" => {
                step_page(&state, &s, &c, &again, Some("book_slot_gone")).await
            }
            _ => crate::error::page_error(&state, s.v.lang, e),
        },
    }
}

/// An appointment as the person's pages show it.
pub struct AppointmentRow {
    /// Its reference.
    pub reference: String,
    /// The service's name.
    pub service: String,
    /// The centre's name.
    pub centre: String,
    /// The centre's code.
    pub centre_code: String,
    /// `YYYY-MM-DD HH:MM EAT`.
    pub when: String,
    /// Its status in words.
    pub status: &'static str,
    /// Still to come: it can be cancelled.
    pub booked: bool,
}

async fn row(state: &AppState, lang: crate::i18n::Lang, a: &Appointment) -> AppointmentRow {
    let centre = state
        .centres
        .get(&a.centre)
        .await
        .map(|c| c.name_in(lang.tag()).to_string())
        .unwrap_or_else(|_| a.centre.clone());
    AppointmentRow {
        reference: a.reference.clone(),
        service: service_name(state, lang, &a.service),
        centre,
        centre_code: a.centre.clone(),
        when: format!("{} {} {}", a.day, a.time(), crate::pages::time_zone()),
        status: tr(lang, &format!("appointment_status_{}", a.status.as_str())),
        booked: a.status == lango_centres::appointments::Status::Booked,
    }
}

#[derive(Template)]
#[template(path = "appointments.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<AppointmentRow>,
}

/// `GET /account/appointments`
async fn list(State(state): State<AppState>, s: SignedIn) -> Response {
    let all = match state.centres.appointments_of(&s.account.id).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let mut rows = Vec::new();
    for a in &all {
        rows.push(row(&state, s.v.lang, a).await);
    }
    render(
        StatusCode::OK,
        &ListPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/account/appointments"),
            rows,
        },
    )
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct ShowPage {
    c: Chrome,
    r: AppointmentRow,
    booked_now: bool,
    cancelled_now: bool,
    csrf: String,
}

/// Whether the page was reached right after booking or cancelling.
#[derive(Deserialize, Default)]
pub struct Just {
    booked: Option<String>,
    cancelled: Option<String>,
}

/// `GET /account/appointments/{reference}`: the confirmation right after booking, and the
/// appointment's page afterwards.
async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    just: Result<Query<Just>, QueryRejection>,
) -> Response {
    let just = just.map(|Query(j)| j).unwrap_or_default();
    let (a, _) = match state.centres.appointment(&s.v.actor, &reference).await {
        Ok(x) => x,
        Err(_) => return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo),
    };
    let r = row(&state, s.v.lang, &a).await;
    let page = ShowPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, "/account/appointments"),
        booked_now: just.booked.is_some() && r.booked,
        cancelled_now: just.cancelled.is_some(),
        csrf: s.v.csrf.clone(),
        r,
    };
    render(StatusCode::OK, &page)
}

/// `POST /account/appointments/{reference}/cancel`
async fn cancel(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    match state
        .centres
        .cancel(&s.v.actor, &reference, s.v.lang.tag())
        .await
    {
        Ok(a) => Redirect::to(&format!(
            "/account/appointments/{}?cancelled=1",
            a.reference
        ))
        .into_response(),
        Err(e) if e.code() == "not_found" => {
            render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo)
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
