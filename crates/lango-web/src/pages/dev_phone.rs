//! `/dev/phone` (demo only): a feature phone in the browser. It dials the USSD code, shows
//! each screen and takes the answer, sends SMS keywords, and lists the SMS the number has
//! received, so a newcomer can try every menu without a phone or a gateway. Server-rendered,
//! no JavaScript: the session's id and its inputs so far travel in the form, as the gateway
//! carries them, and each step goes through the same engine as `POST /channels/ussd`.

use super::{render, render_status_page, Chrome};
use crate::visitor::Visitor;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use lango_identity::token::random_token;
use lango_phone::sms_inbound::Inbound;
use lango_phone::ussd::{self, Request};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dev/phone", get(page))
        .route("/dev/phone/ussd", post(step))
        .route("/dev/phone/sms", post(sms))
}

/// The number the page stands for when none is chosen: the demo's first citizen.
const DEMO_PHONE: &str = "+254712345678";
/// The code the demo phone dials (the gateway gives each country its own).
const USSD_CODE: &str = "*384*222#";
/// SMS shown, newest first.
const INBOX: i64 = 10;

#[derive(Template)]
#[template(path = "dev_phone.html")]
struct PhonePage {
    c: Chrome,
    phone: String,
    code: &'static str,
    /// The screen shown, line by line (none before dialling).
    screen: Vec<String>,
    /// The session going on (a screen that waits for an answer), else `None`.
    session: Option<(String, String)>,
    /// What the last SMS sent from here was answered (its reply arrives in the inbox).
    sent: Option<String>,
    inbox: Vec<lango_notify::Stored>,
    error: Option<String>,
}

/// The number chosen.
#[derive(Deserialize, Default)]
pub struct Number {
    #[serde(default)]
    number: String,
}

/// One step: the session so far and what was typed.
#[derive(Deserialize, Default)]
pub struct Step {
    #[serde(default)]
    number: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    answer: String,
}

/// An SMS typed on the phone.
#[derive(Deserialize, Default)]
pub struct Sms {
    #[serde(default)]
    number: String,
    #[serde(default)]
    message: String,
}

/// `GET /dev/phone`: the phone, idle.
async fn page(State(state): State<AppState>, v: Visitor, Query(q): Query<Number>) -> Response {
    if !state.config.demo {
        return render_status_page(StatusCode::NOT_FOUND, v.lang, false);
    }
    show(
        &state,
        &v,
        number_or_demo(&q.number),
        Vec::new(),
        None,
        None,
        None,
    )
    .await
}

/// `POST /dev/phone/ussd`: dials (no session yet) or answers the screen shown.
async fn step(State(state): State<AppState>, v: Visitor, Form(f): Form<Step>) -> Response {
    if !state.config.demo {
        return render_status_page(StatusCode::NOT_FOUND, v.lang, false);
    }
    let phone = number_or_demo(&f.number);
    // Dialling starts a session with no inputs; each answer adds one, as the gateway joins them.
    let (session, text) = if f.session.is_empty() {
        (new_session(), String::new())
    } else if f.text.is_empty() {
        (f.session, f.answer.trim().to_string())
    } else {
        (f.session, format!("{}*{}", f.text, f.answer.trim()))
    };
    let screen = ussd::answer(
        &state.ussd,
        &Request {
            session_id: Some(session.clone()),
            phone: Some(phone.clone()),
            text: Some(text.clone()),
        },
    )
    .await;
    let lines = screen.text().lines().map(str::to_string).collect();
    let going = (!screen.is_end()).then_some((session, text));
    show(&state, &v, phone, lines, going, None, None).await
}

/// `POST /dev/phone/sms`: sends an SMS from the phone to the platform's number.
async fn sms(State(state): State<AppState>, v: Visitor, Form(f): Form<Sms>) -> Response {
    if !state.config.demo {
        return render_status_page(StatusCode::NOT_FOUND, v.lang, false);
    }
    let phone = number_or_demo(&f.number);
    if f.message.trim().is_empty() {
        let error = tr(v.lang, "phone_sms_empty").to_string();
        return show(&state, &v, phone, Vec::new(), None, None, Some(error)).await;
    }
    let message = Inbound {
        from: phone.clone(),
        to: state.config.mpesa_shortcode.clone(),
        text: f.message.trim().to_string(),
        date: String::new(),
        id: format!("ATXid_dev_{}", random_token()),
        link_id: String::new(),
    };
    let sent = match crate::sms_inbound::desk(&state).receive(&message).await {
        Ok(_) => tr(v.lang, "phone_sms_sent").to_string(),
        Err(e) => return crate::error::page_error(&state, v.lang, e),
    };
    show(&state, &v, phone, Vec::new(), None, Some(sent), None).await
}

async fn show(
    state: &AppState,
    v: &Visitor,
    phone: String,
    screen: Vec<String>,
    session: Option<(String, String)>,
    sent: Option<String>,
    error: Option<String>,
) -> Response {
    let inbox = match lango_notify::to_recipient(&state.db, &phone, INBOX).await {
        Ok(m) => m.into_iter().filter(|m| m.channel == "sms").collect(),
        Err(e) => return crate::error::page_error(state, v.lang, e),
    };
    render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PhonePage {
            c: Chrome::for_visitor(v, true, "/dev/phone"),
            code: USSD_CODE,
            phone,
            screen,
            session,
            sent,
            inbox,
            error,
        },
    )
}

/// The number typed, in the gateway's form (`+2547…`), or the demo's when none or unreadable.
fn number_or_demo(typed: &str) -> String {
    ussd::phone_of(typed).unwrap_or_else(|| DEMO_PHONE.to_string())
}

/// A session id as a gateway makes one: unique per dial.
fn new_session() -> String {
    format!("ATUid_dev_{}", random_token())
}
