//! `/finance/fpx`: FPX confirmations and settlement rows about transactions Lango did not
//! start (or not as it started them). They were kept, never posted; a finance officer looks
//! into each with the gateway and marks it looked into (audited).

use super::forbidden;
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lango_identity::policy::Action;
use lango_payments::finance::eat_time;
use lango_payments::fpx;

/// How many the page lists.
const LIMIT: i64 = 500;

struct Row {
    id: String,
    via: String,
    txn: String,
    order: String,
    code: String,
    amount: String,
    note: String,
    at: String,
}

#[derive(Template)]
#[template(path = "finance_fpx.html")]
struct ReviewPage {
    c: Chrome,
    rows: Vec<Row>,
    can_mark: bool,
}

/// `GET /finance/fpx`
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::View) {
        return r;
    }
    let found = match fpx::to_review(&state.db, LIMIT).await {
        Ok(l) => l,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let rows = found
        .into_iter()
        .map(|n| Row {
            code: format!(
                "{} ({})",
                n.debit_auth_code,
                fpx::message::describe(&n.debit_auth_code)
            ),
            id: n.id,
            via: n.via,
            txn: n.fpx_txn_id,
            order: n.seller_order_no,
            amount: format!("MYR {}", n.amount),
            note: n.note,
            at: eat_time(n.received_at),
        })
        .collect();
    let can_mark = lango_identity::policy::may(
        &s.v.actor,
        Action::Edit,
        lango_identity::policy::Object::Finance,
    );
    render(
        StatusCode::OK,
        &ReviewPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/fpx"),
            rows,
            can_mark,
        },
    )
}

/// `POST /finance/fpx/{id}/reviewed`: a finance officer has looked into it.
pub async fn reviewed(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::Edit) {
        return r;
    }
    let by = format!("account:{}", s.account.id);
    match fpx::mark_reviewed(&state.db, &id, &by).await {
        Ok(_) => Redirect::to("/finance/fpx").into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
