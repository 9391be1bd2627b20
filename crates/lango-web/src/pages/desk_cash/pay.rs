//! The pay page: find a bill and take its payment, in cash or as an M-Pesa Express prompt.

use super::{counter_for, till_of, worded, TILL_CURRENCY};
use crate::i18n::Lang;
use crate::pages::centres::service_name;
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
use lango_payments::cash::{self, Submission};
use lango_payments::stk::{self, Refusal, StkRequest};
use serde::Deserialize;

/// A bill as the counter shows it (the receipt shows its service, balance and status too).
pub(super) struct BillView {
    reference: String,
    pub(super) service: String,
    amount: String,
    paid: String,
    pub(super) balance: String,
    /// The balance as a decimal to prefill the cash amount.
    balance_decimal: String,
    pub(super) status: String,
    payable: bool,
    prompt_possible: bool,
}

#[derive(Template)]
#[template(path = "desk_pay.html")]
struct PayPage {
    c: Chrome,
    code: String,
    counter: String,
    typed: String,
    bill: Option<BillView>,
    /// (anchor, message)
    errors: Vec<(String, String)>,
    amount: String,
    amount_error: String,
    phone: String,
    phone_error: String,
    bill_error: String,
    key: String,
    session: String,
    prompt: bool,
}

/// What the pay page is asked.
#[derive(Deserialize, Default)]
pub struct PayQuery {
    bill: Option<String>,
}

/// The pay form as sent: `method` is `cash` or `mpesa`.
#[derive(Deserialize, Default)]
pub struct PayForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    bill: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    mpesa_phone: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    session: String,
}

/// What went wrong on the pay page, by field.
#[derive(Default)]
struct PayProblems {
    bill: String,
    amount: String,
    phone: String,
}

pub(super) async fn bill_view(
    state: &AppState,
    lang: Lang,
    reference: &str,
) -> Result<Option<BillView>, Error> {
    let Some(view) = stk::pay_view(&state.db, reference).await? else {
        return Ok(None);
    };
    let b = &view.bill;
    Ok(Some(BillView {
        reference: b.reference.clone(),
        service: service_name(state, lang, &view.service_code),
        amount: b.amount().display(),
        paid: b.paid.display(),
        balance: b.balance().display(),
        balance_decimal: b.balance().to_decimal(),
        status: tr(lang, &format!("bill_status_{}", b.status)).to_string(),
        payable: b.status.is_payable(),
        prompt_possible: view.prompt_possible,
    }))
}

/// The pay page for `typed` (a reference, possibly empty), with `problems` and the cash and
/// phone fields as they came back (`None`: prefilled).
async fn pay_view(
    state: &AppState,
    s: &SignedIn,
    c: &Centre,
    counter: &str,
    typed: &str,
    mut problems: PayProblems,
    entered: Option<(&str, &str)>,
) -> Response {
    let lang = s.v.lang;
    let mut bill = None;
    if !typed.trim().is_empty() && problems.bill.is_empty() {
        match cash::parse_reference(typed) {
            Ok(r) => match bill_view(state, lang, &r).await {
                Ok(Some(v)) => bill = Some(v),
                Ok(None) => {
                    problems.bill = tr(lang, "cash_bill_unknown_short").to_string();
                }
                Err(e) => return crate::error::page_error(state, lang, e),
            },
            Err(r) => problems.bill = worded(lang, &r),
        }
    }
    let till = till_of(c, counter);
    let session = match cash::open_session(&state.db, &till).await {
        Ok(id) => id.unwrap_or_default(),
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let phone = match (&bill, entered) {
        (_, Some((_, phone))) => phone.to_string(),
        (Some(b), None) => cash::payer_phone(&state.db, &b.reference)
            .await
            .ok()
            .flatten()
            .unwrap_or_default(),
        (None, None) => String::new(),
    };
    let amount = match (&bill, entered) {
        (_, Some((amount, _))) => amount.to_string(),
        (Some(b), None) => b.balance_decimal.clone(),
        (None, None) => String::new(),
    };
    let mut errors = Vec::new();
    for (anchor, message) in [
        ("#f-bill", &problems.bill),
        ("#f-amount", &problems.amount),
        ("#f-mpesa_phone", &problems.phone),
    ] {
        if !message.is_empty() {
            errors.push((anchor.to_string(), message.clone()));
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let path = format!("/desk/{}/counters/{counter}/pay", c.code);
    let page = PayPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &path),
        code: c.code.clone(),
        counter: counter.to_string(),
        typed: bill
            .as_ref()
            .map_or_else(|| typed.trim().to_string(), |b| b.reference.clone()),
        bill,
        errors,
        amount,
        amount_error: problems.amount,
        phone,
        phone_error: problems.phone,
        bill_error: problems.bill,
        key: uuid::Uuid::new_v4().simple().to_string(),
        session,
        prompt: state.prompter.is_configured(),
    };
    // The form's one-time key must not come back from a cache.
    no_store(render(status, &page))
}

/// `GET /desk/{code}/counters/{counter}/pay?bill=REF`: find the bill and take its payment.
pub(super) async fn pay_page(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    q: Result<Query<PayQuery>, QueryRejection>,
) -> Response {
    let (c, counter) = match counter_for(&state, &s, &code, &counter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let typed = q.ok().and_then(|Query(q)| q.bill).unwrap_or_default();
    pay_view(
        &state,
        &s,
        &c,
        &counter,
        &typed,
        PayProblems::default(),
        None,
    )
    .await
}

/// `POST /desk/{code}/counters/{counter}/pay`: cash received (→ the receipt) or a prompt
/// to the payer's phone (→ its status page).
pub(super) async fn take(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    Form(f): Form<PayForm>,
) -> Response {
    let (c, counter) = match counter_for(&state, &s, &code, &counter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = s.v.lang;
    let entered = Some((f.amount.as_str(), f.mpesa_phone.as_str()));
    let back =
        |problems: PayProblems| pay_view(&state, &s, &c, &counter, &f.bill, problems, entered);
    match f.method.as_str() {
        "cash" => {
            let typed = f.amount.trim().replace([',', ' '], "");
            let amount = match Money::parse_decimal(&typed, TILL_CURRENCY) {
                Ok(m) => m,
                Err(_) if typed.is_empty() => {
                    return back(PayProblems {
                        amount: tr(lang, "cash_amount_required").to_string(),
                        ..PayProblems::default()
                    })
                    .await
                }
                Err(_) => {
                    return back(PayProblems {
                        amount: tr(lang, "cash_amount_invalid").to_string(),
                        ..PayProblems::default()
                    })
                    .await
                }
            };
            let till = till_of(&c, &counter);
            let form = Submission {
                key: &f.key,
                session: Some(f.session.as_str()).filter(|x| !x.is_empty()),
            };
            match cash::receipt(&state.db, &till, &s.account.id, &f.bill, amount, form).await {
                Ok(Ok(t)) => Redirect::to(&format!(
                    "/desk/{}/counters/{counter}/receipts/{}",
                    c.code, t.number
                ))
                .into_response(),
                // A refusal of the key, the session or the till shows by the amount: the
                // button the cashier presses again is there.
                Ok(Err(r)) => {
                    let words = worded(lang, &r);
                    let problems = if r.field() == "bill" {
                        PayProblems {
                            bill: words,
                            ..PayProblems::default()
                        }
                    } else {
                        PayProblems {
                            amount: words,
                            ..PayProblems::default()
                        }
                    };
                    back(problems).await
                }
                Err(e) => crate::error::page_error(&state, lang, e),
            }
        }
        "mpesa" => {
            let reference = match cash::parse_reference(&f.bill) {
                Ok(r) => r,
                Err(r) => {
                    return back(PayProblems {
                        bill: worded(lang, &r),
                        ..PayProblems::default()
                    })
                    .await
                }
            };
            let outcome = state
                .prompter
                .start(&state.db, &reference, &f.mpesa_phone)
                .await;
            match outcome {
                Ok(Ok(StkRequest {
                    checkout_request_id: Some(checkout),
                    ..
                })) => Redirect::to(&format!(
                    "/desk/{}/counters/{counter}/pay/mpesa/{checkout}",
                    c.code
                ))
                .into_response(),
                Ok(Ok(_)) => {
                    back(PayProblems {
                        phone: tr(lang, Refusal::Unavailable.code()).to_string(),
                        ..PayProblems::default()
                    })
                    .await
                }
                Ok(Err(r)) => {
                    let mut res = back(PayProblems {
                        phone: tr(lang, r.code()).to_string(),
                        ..PayProblems::default()
                    })
                    .await;
                    if matches!(r, Refusal::Pending | Refusal::TooMany) {
                        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                    }
                    res
                }
                Err(Error::NotFound(_)) => {
                    back(PayProblems {
                        bill: tr(lang, "cash_bill_unknown_short").to_string(),
                        ..PayProblems::default()
                    })
                    .await
                }
                Err(e) => crate::error::page_error(&state, lang, e),
            }
        }
        _ => crate::error::page_error(&state, lang, Error::invalid("method", "unknown method")),
    }
}
