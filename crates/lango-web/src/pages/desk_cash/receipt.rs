//! What follows the pay form: the M-Pesa prompt's status and the printable cash receipt.

use super::pay::bill_view;
use super::{counter_for, till_of};
use crate::pages::{render, render_status_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use lango_payments::cash;

#[derive(Template)]
#[template(path = "desk_pay_status.html")]
struct PromptPage {
    c: Chrome,
    code: String,
    counter: String,
    reference: String,
    amount: String,
    /// `waiting`, `paid`, `confirmed`, `held` or `failed`.
    state: &'static str,
    receipt: String,
    failure: &'static str,
}

/// `GET /desk/{code}/counters/{counter}/pay/mpesa/{checkout}`: the prompt's outcome, followed
/// without JavaScript.
pub(super) async fn prompt_status(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter, checkout)): Path<(String, String, String)>,
) -> Response {
    let (c, counter) = match counter_for(&state, &s, &code, &counter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = s.v.lang;
    let found = state.prompter.status(&state.db, &checkout).await;
    let request = match found {
        Ok(Some(r)) => r,
        Ok(None) => return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let (page_state, failure) = crate::pages::pay::prompt_state(&request);
    let failure = if failure.is_empty() {
        ""
    } else {
        tr(lang, failure)
    };
    let path = format!("/desk/{}/counters/{counter}/pay/mpesa/{checkout}", c.code);
    let page = PromptPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &path),
        code: c.code.clone(),
        counter,
        reference: request.bill_reference.clone(),
        amount: request.amount.display(),
        state: page_state,
        receipt: request.receipt.clone().unwrap_or_default(),
        failure,
    };
    crate::pages::pay::following(render(StatusCode::OK, &page), page_state)
}

#[derive(Template)]
#[template(path = "desk_receipt.html")]
struct ReceiptPage {
    c: Chrome,
    code: String,
    centre: String,
    counter: String,
    number: String,
    amount: String,
    bill: String,
    service: String,
    balance_after: String,
    balance_now: String,
    status_now: String,
    when: String,
    by: String,
}

/// `GET /desk/{code}/counters/{counter}/receipts/{number}`: the printable receipt.
pub(super) async fn receipt_page(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter, number)): Path<(String, String, String)>,
) -> Response {
    let (c, counter) = match counter_for(&state, &s, &code, &counter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = s.v.lang;
    let not_found = || render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    let r = match cash::get_receipt(&state.db, &number).await {
        Ok(Some(r)) if r.till == till_of(&c, &counter).id() => r,
        Ok(_) => return not_found(),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let view = match bill_view(&state, lang, &r.bill_reference).await {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let by = if r.staff == s.account.id {
        s.account.display_name()
    } else {
        let label = format!("account:{}", r.staff);
        match lango_identity::account::name_of_label(&state.db, &label).await {
            Ok(name) => name,
            Err(e) => return crate::error::page_error(&state, lang, e),
        }
    };
    let path = format!("/desk/{}/counters/{counter}/receipts/{number}", c.code);
    let page = ReceiptPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &path),
        code: c.code.clone(),
        centre: c.name_in(lang.tag()).to_string(),
        counter,
        number: r.number.clone(),
        amount: r.amount.display(),
        bill: r.bill_reference.clone(),
        service: view.service,
        balance_after: r.balance_after.display(),
        balance_now: view.balance,
        status_now: view.status,
        when: crate::pages::when(r.created_at),
        by,
    };
    render(StatusCode::OK, &page)
}
