//! The till page: this session's receipts, what the drawer should hold, and its count and
//! close.

use super::{counter_for, till_of, worded, TILL_CURRENCY};
use crate::pages::survey::no_store;
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use lango_centres::model::Centre;
use lango_core::money::Money;
use lango_core::Error;
use lango_payments::cash;
use serde::Deserialize;

struct ReceiptRow {
    number: String,
    href: String,
    time: String,
    bill: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "desk_till.html")]
struct TillPage {
    c: Chrome,
    code: String,
    counter: String,
    till: String,
    session: String,
    opened: String,
    receipts: Vec<ReceiptRow>,
    expected: String,
    counted: String,
    reason: String,
    errors: Vec<(String, String)>,
    counted_error: String,
    reason_error: String,
    /// The close just made: (expected, counted, difference, reason, matched).
    result: Option<(String, String, String, String, bool)>,
}

/// What the till page was just told.
#[derive(Deserialize, Default)]
pub struct TillTold {
    closed: Option<String>,
}

/// The till form: `act` is `open` or `close`.
#[derive(Deserialize, Default)]
pub struct TillForm {
    #[serde(default)]
    act: String,
    #[serde(default)]
    counted: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    session: String,
}

async fn till_view(
    state: &AppState,
    s: &SignedIn,
    c: &Centre,
    counter: &str,
    closed: Option<&str>,
    entered: (&str, &str),
    problems: (String, String),
) -> Response {
    let lang = s.v.lang;
    let till = till_of(c, counter);
    let now = match cash::now(&state.db, &till).await {
        Ok(n) => n,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let result = now
        .last_closed
        .as_ref()
        .filter(|l| closed.is_some_and(|id| id == l.id))
        .and_then(|l| l.closed.as_ref())
        .map(|x| {
            (
                x.expected.display(),
                x.counted.display(),
                x.difference.display(),
                x.reason.clone(),
                x.difference.minor() == 0,
            )
        });
    let (counted_error, reason_error) = problems;
    let mut errors = Vec::new();
    if !counted_error.is_empty() {
        errors.push(("#f-counted".to_string(), counted_error.clone()));
    }
    if !reason_error.is_empty() {
        errors.push(("#f-reason".to_string(), reason_error.clone()));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let path = format!("/desk/{}/counters/{counter}/till", c.code);
    let page = TillPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &path),
        code: c.code.clone(),
        counter: counter.to_string(),
        till: till.id(),
        session: now
            .session
            .as_ref()
            .map(|x| x.id.clone())
            .unwrap_or_default(),
        opened: now
            .session
            .as_ref()
            .map(|x| crate::pages::when(x.opened_at))
            .unwrap_or_default(),
        receipts: now
            .receipts
            .iter()
            .map(|r| ReceiptRow {
                number: r.number.clone(),
                href: format!("/desk/{}/counters/{counter}/receipts/{}", c.code, r.number),
                time: crate::pages::when(r.created_at),
                bill: r.bill_reference.clone(),
                amount: r.amount.display(),
            })
            .collect(),
        expected: now.expected.display(),
        counted: entered.0.to_string(),
        reason: entered.1.to_string(),
        errors,
        counted_error,
        reason_error,
        result,
    };
    no_store(render(status, &page))
}

/// `GET /desk/{code}/counters/{counter}/till`: today's receipts, what the drawer should hold,
/// the count and close (and, after a close, its result).
pub(super) async fn till_page(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    told: Result<Query<TillTold>, QueryRejection>,
) -> Response {
    let (c, counter) = match counter_for(&state, &s, &code, &counter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let closed = told.ok().and_then(|Query(t)| t.closed);
    till_view(
        &state,
        &s,
        &c,
        &counter,
        closed.as_deref(),
        ("", ""),
        (String::new(), String::new()),
    )
    .await
}

/// `POST /desk/{code}/counters/{counter}/till`: open a session, or count and close it.
pub(super) async fn till_act(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    Form(f): Form<TillForm>,
) -> Response {
    let (c, counter) = match counter_for(&state, &s, &code, &counter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = s.v.lang;
    let till = till_of(&c, &counter);
    let path = format!("/desk/{}/counters/{counter}/till", c.code);
    let again = |problems: (String, String)| {
        till_view(
            &state,
            &s,
            &c,
            &counter,
            None,
            (f.counted.as_str(), f.reason.as_str()),
            problems,
        )
    };
    match f.act.as_str() {
        "open" => match cash::open(&state.db, &till, &s.account.id).await {
            Ok(Ok(_)) => Redirect::to(&path).into_response(),
            // The open button has no field to mark: the refusal is the page.
            Ok(Err(r)) => crate::error::page_error(&state, lang, r.into()),
            Err(e) => crate::error::page_error(&state, lang, e),
        },
        "close" => {
            let typed = f.counted.trim().replace([',', ' '], "");
            let counted = match Money::parse_decimal(&typed, TILL_CURRENCY) {
                Ok(m) => m,
                Err(_) => {
                    let key = if typed.is_empty() {
                        "cash_counted_required"
                    } else {
                        "cash_counted_invalid"
                    };
                    return again((tr(lang, key).to_string(), String::new())).await;
                }
            };
            let name = s.account.display_name();
            let who = cash::Counter {
                account: &s.account.id,
                name: &name,
            };
            let session = Some(f.session.as_str()).filter(|x| !x.is_empty());
            match cash::close(&state.db, &till, who, counted, &f.reason, session).await {
                Ok(Ok(closed)) => {
                    Redirect::to(&format!("{path}?closed={}", closed.id)).into_response()
                }
                // A refusal of the session or the till shows by the count: the button the
                // staff press again is there.
                Ok(Err(r)) => {
                    let words = worded(lang, &r);
                    if r.field() == "reason" {
                        again((String::new(), words)).await
                    } else {
                        again((words, String::new())).await
                    }
                }
                Err(e) => crate::error::page_error(&state, lang, e),
            }
        }
        _ => crate::error::page_error(&state, lang, Error::invalid("act", "unknown action")),
    }
}
