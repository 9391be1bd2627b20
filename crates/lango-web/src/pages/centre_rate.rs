//! The counter's tablet page of a centre's exit survey: after a ticket is finished, the
//! person rates the service 1–5 (`GET`/`POST /centres/{code}/rate/{number}`). Public, no
//! sign-in; only a ticket served today at that centre and not yet rated can be rated.

use super::centres::service_name;
use super::{render, render_status_page, Chrome};
use crate::i18n::Lang;
use crate::visitor::Visitor;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use fluent_bundle::FluentValue;
use lango_centres::model::Centre;
use lango_centres::survey::{Rated, Rating};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/centres/{code}/rate/{number}", get(page).post(send))
}

/// The five answers, worst first: (value, word key).
const SCORES: [(&str, &str); 5] = [
    ("1", "rate_score_1"),
    ("2", "rate_score_2"),
    ("3", "rate_score_3"),
    ("4", "rate_score_4"),
    ("5", "rate_score_5"),
];

#[derive(Template)]
#[template(path = "centre_rate.html")]
struct RatePage {
    c: Chrome,
    code: String,
    number: String,
    lead: String,
    /// (value, label, checked).
    choices: Vec<(&'static str, String, bool)>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "centre_rate_done.html")]
struct DonePage {
    c: Chrome,
    title: String,
    body: String,
}

/// The answer sent.
#[derive(Deserialize, Default)]
pub struct RateForm {
    #[serde(default)]
    score: String,
}

fn chrome(state: &AppState, v: &Visitor, c: &Centre, number: &str) -> Chrome {
    Chrome::for_visitor(
        v,
        state.config.demo,
        &format!("/centres/{}/rate/{number}", c.code),
    )
}

/// A page that changes nothing: already rated, or not a ticket served here today.
fn refused(state: &AppState, v: &Visitor, c: &Centre, number: &str, rated: bool) -> Response {
    let lang = v.lang;
    let (title, body, status) = if rated {
        ("rate_already_title", "rate_already", StatusCode::CONFLICT)
    } else {
        (
            "rate_not_served_title",
            "rate_not_served",
            StatusCode::NOT_FOUND,
        )
    };
    render(
        status,
        &DonePage {
            c: chrome(state, v, c, number),
            title: tr(lang, title).to_string(),
            body: tr_with(
                lang,
                body,
                [
                    FluentValue::from(number),
                    FluentValue::from(c.name_in(lang.tag())),
                ],
            ),
        },
    )
}

fn form(
    state: &AppState,
    v: &Visitor,
    c: &Centre,
    number: &str,
    service: &str,
    error: Option<String>,
    chosen: &str,
) -> RatePage {
    let lang: Lang = v.lang;
    RatePage {
        c: chrome(state, v, c, number),
        code: c.code.clone(),
        number: number.to_string(),
        lead: tr_with(
            lang,
            "rate_lead",
            [
                FluentValue::from(&service_name(state, lang, service)),
                FluentValue::from(c.name_in(lang.tag())),
                FluentValue::from(number),
            ],
        ),
        choices: SCORES
            .iter()
            .map(|(value, word)| (*value, tr(lang, word).to_string(), *value == chosen))
            .collect(),
        error,
    }
}

async fn centre_and_rating(
    state: &AppState,
    v: &Visitor,
    code: &str,
    number: &str,
) -> Result<(Centre, Rating), Response> {
    let c = state
        .centres
        .get(code)
        .await
        .map_err(|_| render_status_page(StatusCode::NOT_FOUND, v.lang, state.config.demo))?;
    let rating = state
        .centres
        .rating(&c, number)
        .await
        .map_err(|e| crate::error::page_error(state, v.lang, e))?;
    Ok((c, rating))
}

/// `GET /centres/{code}/rate/{number}`: the question.
async fn page(
    State(state): State<AppState>,
    v: Visitor,
    Path((code, number)): Path<(String, String)>,
) -> Response {
    let number = number.trim().to_ascii_uppercase();
    let (c, rating) = match centre_and_rating(&state, &v, &code, &number).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match rating {
        Rating::Open(service) => render(
            StatusCode::OK,
            &form(&state, &v, &c, &number, &service, None, ""),
        ),
        Rating::Rated => refused(&state, &v, &c, &number, true),
        Rating::NotServed => refused(&state, &v, &c, &number, false),
    }
}

/// `POST /centres/{code}/rate/{number}`: the answer; thanks, or the question again with
/// the problem.
async fn send(
    State(state): State<AppState>,
    v: Visitor,
    Path((code, number)): Path<(String, String)>,
    Form(f): Form<RateForm>,
) -> Response {
    let number = number.trim().to_ascii_uppercase();
    let (c, rating) = match centre_and_rating(&state, &v, &code, &number).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let service = match rating {
        Rating::Open(s) => s,
        Rating::Rated => return refused(&state, &v, &c, &number, true),
        Rating::NotServed => return refused(&state, &v, &c, &number, false),
    };
    let chosen = f.score.trim();
    let Some(score) = SCORES
        .iter()
        .position(|(value, _)| *value == chosen)
        .map(|i| i as i64 + 1)
    else {
        let error = Some(tr(v.lang, "rate_missing").to_string());
        return render(
            StatusCode::BAD_REQUEST,
            &form(&state, &v, &c, &number, &service, error, ""),
        );
    };
    match state.centres.rate(&c, &number, score).await {
        Ok(Rated::Recorded) => render(
            StatusCode::OK,
            &DonePage {
                c: chrome(&state, &v, &c, &number),
                title: tr(v.lang, "rate_thanks_title").to_string(),
                body: tr(v.lang, "rate_thanks").to_string(),
            },
        ),
        Ok(Rated::AlreadyRated) => refused(&state, &v, &c, &number, true),
        Ok(Rated::NotServed) => refused(&state, &v, &c, &number, false),
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}
