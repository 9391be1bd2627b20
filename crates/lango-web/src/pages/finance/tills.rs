//! `/finance/tills`: cash tills counted and closed at service centre counters, for finance
//! staff and auditors: centre, counter, day, what the ledger expected, what was counted, the
//! difference, its reason and who closed it.

use super::forbidden;
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use lango_identity::policy::Action;
use lango_payments::finance::eat_time;
use serde::Deserialize;

/// How many closings the page lists.
const LIMIT: i64 = 500;

struct Row {
    centre: String,
    counter: String,
    day: String,
    expected: String,
    counted: String,
    difference: String,
    differs: bool,
    reason: String,
    by: String,
    at: String,
    receipts: i64,
}

#[derive(Template)]
#[template(path = "finance_tills.html")]
struct TillsPage {
    c: Chrome,
    rows: Vec<Row>,
    differences: bool,
}

/// What the page is asked.
#[derive(Deserialize, Default)]
pub struct TillsQuery {
    differences: Option<String>,
}

/// `GET /finance/tills[?differences=1]`
pub async fn closings(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<TillsQuery>, QueryRejection>,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::View) {
        return r;
    }
    let differences = q
        .ok()
        .and_then(|Query(q)| q.differences)
        .is_some_and(|d| d == "1");
    let list = match lango_payments::cash::closings(&state.db, differences, LIMIT).await {
        Ok(l) => l,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let rows = list
        .into_iter()
        .map(|c| {
            let closed = c.closed;
            Row {
                centre: c.centre,
                counter: c.counter,
                day: c.day,
                expected: closed.expected.display(),
                counted: closed.counted.display(),
                difference: closed.difference.display(),
                differs: closed.difference.minor() != 0,
                reason: closed.reason,
                by: closed.by_name,
                at: eat_time(closed.at),
                receipts: c.receipts,
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &TillsPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/tills"),
            rows,
            differences,
        },
    )
}
