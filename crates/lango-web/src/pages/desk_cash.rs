//! Payment at the counter of a service centre: staff find a bill by its reference (or come
//! from the assisted application with `?bill=REF`), see its balance and take it either as
//! an M-Pesa Express prompt to the payer's phone or as cash received (a printable receipt
//! numbered `CSH…`). The till page lists today's cash receipts with what the ledger expects
//! in the drawer, and counts and closes it. Rules live in `lango_payments::cash`.

use super::centres::service_name;
use super::{render, render_status_page, Chrome};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use lango_centres::model::Centre;
use lango_centres::Centres;
use lango_core::money::{Currency, Money};
use lango_core::Error;
use lango_identity::policy::Action;
use lango_payments::cash::{self, Submission, Till};
use lango_payments::stk::{self, Refusal, StkRequest, StkStatus};
use lango_payments::BillReference;
use serde::Deserialize;

/// The currency a centre's tills take: the country's own.
const TILL_CURRENCY: Currency = Currency::Kes;

/// This module's routes (merged into the desk's).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/desk/{code}/counters/{counter}/pay",
            get(pay_page).post(take),
        )
        .route(
            "/desk/{code}/counters/{counter}/pay/mpesa/{checkout}",
            get(prompt_status),
        )
        .route(
            "/desk/{code}/counters/{counter}/receipts/{number}",
            get(receipt_page),
        )
        .route(
            "/desk/{code}/counters/{counter}/till",
            get(till_page).post(till_act),
        )
}

/// The centre and its counter, if `s` serves there.
async fn counter_for(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    counter: &str,
) -> Result<(Centre, String), Response> {
    let not_found = || render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    let c = state.centres.get(code).await.map_err(|_| not_found())?;
    Centres::check(&s.v.actor, Action::Assist, &c)
        .map_err(|e| crate::error::page_error(state, s.v.lang, e))?;
    let Some(k) = c.counter(counter).map(|k| k.code.clone()) else {
        return Err(not_found());
    };
    Ok((c, k))
}

fn till_of(c: &Centre, counter: &str) -> Till {
    Till::new(&c.code, counter, TILL_CURRENCY)
}

/// The staff member's name as finance pages show it.
fn staff_name(s: &SignedIn) -> String {
    let a = &s.account;
    let name = format!("{} {}", a.given_name.trim(), a.family_name.trim());
    let name = name.trim();
    if name.is_empty() {
        a.email.clone().unwrap_or_else(|| a.id.clone())
    } else {
        name.to_string()
    }
}

/// A refusal of `lango_payments::cash` in the reader's language: English says the domain's
/// own words (with their amounts); Kiswahili says the matching words. Returns (field, words).
fn worded(lang: Lang, e: &Error) -> Option<(String, String)> {
    /// (a phrase of the domain's message, the words' key)
    const KNOWN: &[(&str, &str)] = &[
        ("enter the bill's reference", "cash_bill_required"),
        ("has a typing mistake", "cash_bill_typo"),
        ("is not a bill reference", "cash_bill_invalid"),
        ("no bill has the reference", "cash_bill_unknown"),
        ("takes no payment", "cash_bill_not_payable"),
        ("this till takes", "cash_bill_currency"),
        ("more than 0", "cash_amount_positive"),
        ("more than the balance", "cash_amount_over"),
        ("closed while this form was open", "cash_session_closed"),
        ("still open from", "cash_session_stale"),
        ("no valid key", "cash_key_invalid"),
        ("0 or more", "cash_counted_invalid"),
        ("count the till in", "cash_counted_invalid"),
        ("characters on one line", "cash_reason_too_long"),
        ("no open session", "cash_till_not_open"),
        ("was closed already", "cash_till_not_open"),
        ("say why", "cash_reason_required"),
    ];
    let Error::Invalid { field, message } = e else {
        return None;
    };
    let words = match lang {
        Lang::En => {
            let mut chars = message.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        }
        _ => KNOWN
            .iter()
            .find(|(phrase, _)| message.contains(phrase))
            .map_or_else(|| message.clone(), |(_, key)| tr(lang, key).to_string()),
    };
    Some((field.clone(), words))
}

/// A bill as the counter shows it.
struct BillView {
    reference: String,
    service: String,
    amount: String,
    paid: String,
    balance: String,
    /// The balance as a decimal to prefill the cash amount.
    balance_decimal: String,
    status: String,
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

async fn bill_view(
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
        match BillReference::parse(typed) {
            Ok(r) => match bill_view(state, lang, r.as_str()).await {
                Ok(Some(v)) => bill = Some(v),
                Ok(None) => {
                    problems.bill = tr(lang, "cash_bill_unknown_short").to_string();
                }
                Err(e) => return crate::error::page_error(state, lang, e),
            },
            Err(lango_payments::reference::ReferenceError::Check) => {
                problems.bill = tr(lang, "cash_bill_typo").to_string();
            }
            Err(_) => problems.bill = tr(lang, "cash_bill_invalid").to_string(),
        }
    }
    let till = till_of(c, counter);
    let session = match cash::now(&state.db, &till).await {
        Ok(n) => n.session.map(|s| s.id).unwrap_or_default(),
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
        prompt: state.daraja.is_some(),
    };
    let mut res = render(status, &page);
    // The form's one-time key must not come back from a cache.
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    res
}

/// `GET /desk/{code}/counters/{counter}/pay?bill=REF`: find the bill and take its payment.
async fn pay_page(
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
async fn take(
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
                Ok(t) => Redirect::to(&format!(
                    "/desk/{}/counters/{counter}/receipts/{}",
                    c.code, t.receipt.number
                ))
                .into_response(),
                Err(e @ Error::Invalid { .. }) => {
                    let (field, words) = worded(lang, &e).unwrap_or_default();
                    let problems = if field == "bill" {
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
            let Ok(reference) = BillReference::parse(&f.bill) else {
                return back(PayProblems {
                    bill: tr(lang, "cash_bill_invalid").to_string(),
                    ..PayProblems::default()
                })
                .await;
            };
            let reference = reference.as_str().to_string();
            let outcome = match &state.daraja {
                Some(daraja) => {
                    let callback = crate::mpesa::paths(&state).url(
                        &state.config.public_url,
                        lango_payments::callbacks::Callback::Stk,
                    );
                    stk::start(&state.db, daraja, &callback, &reference, &f.mpesa_phone).await
                }
                None => Ok(Err(Refusal::Unavailable)),
            };
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
async fn prompt_status(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter, checkout)): Path<(String, String, String)>,
) -> Response {
    let (c, counter) = match counter_for(&state, &s, &code, &counter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = s.v.lang;
    let found = match &state.daraja {
        Some(d) => stk::refresh(&state.db, d, &checkout, stk::QUERY_AFTER_MS).await,
        None => stk::get(&state.db, &checkout).await,
    };
    let request = match found {
        Ok(Some(r)) => r,
        Ok(None) => return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let (page_state, failure) = match (request.status, &request.receipt) {
        (StkStatus::Pending, _) => ("waiting", ""),
        (StkStatus::Succeeded, Some(_)) => ("paid", ""),
        (StkStatus::Succeeded, None) => ("confirmed", ""),
        (StkStatus::Failed, Some(_)) => ("held", ""),
        (StkStatus::Failed, None) => (
            "failed",
            tr(
                lang,
                request.failure().unwrap_or(stk::Failure::Other).code(),
            ),
        ),
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
    let mut res = render(StatusCode::OK, &page);
    let every = match page_state {
        "waiting" => Some("3"),
        "confirmed" => Some("10"),
        _ => None,
    };
    if let Some(every) = every {
        res.headers_mut()
            .insert("refresh", HeaderValue::from_static(every));
    }
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    res
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
async fn receipt_page(
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
        staff_name(&s)
    } else {
        r.staff.clone()
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
        when: super::when(r.created_at),
        by,
    };
    render(StatusCode::OK, &page)
}

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
            .map(|x| super::when(x.opened_at))
            .unwrap_or_default(),
        receipts: now
            .receipts
            .iter()
            .map(|r| ReceiptRow {
                number: r.number.clone(),
                href: format!("/desk/{}/counters/{counter}/receipts/{}", c.code, r.number),
                time: super::when(r.created_at),
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
    let mut res = render(status, &page);
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    res
}

/// `GET /desk/{code}/counters/{counter}/till`: today's receipts, what the drawer should hold,
/// the count and close (and, after a close, its result).
async fn till_page(
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
async fn till_act(
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
            Ok(_) => Redirect::to(&path).into_response(),
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
            let name = staff_name(&s);
            let who = cash::Counter {
                account: &s.account.id,
                name: &name,
            };
            let session = Some(f.session.as_str()).filter(|x| !x.is_empty());
            match cash::close(&state.db, &till, who, counted, &f.reason, session).await {
                Ok(closed) => Redirect::to(&format!("{path}?closed={}", closed.id)).into_response(),
                Err(e @ Error::Invalid { .. }) => {
                    let (field, words) = worded(lang, &e).unwrap_or_default();
                    if field == "reason" {
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
