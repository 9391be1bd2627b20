//! `/pay/{reference}`: the public payment page of a bill. Anyone holding the reference may
//! see what it is for, what is due and how to pay (paybill, a prompt on their phone, card),
//! never who the payer is. The prompt's page follows it until M-Pesa answers.

use super::{render, render_status_page, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::limits::Limit;
use crate::visitor::Visitor;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_catalogue::ServiceCode;
use lango_core::money::Money;
use lango_identity::model::Problems;
use lango_payments::stk::{self, Refusal, StkRequest, StkStatus};
use lango_payments::BillReference;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pay/{reference}", get(show))
        .route("/pay/{reference}/mpesa", post(mpesa))
        .route("/pay/{reference}/mpesa/{checkout}", get(prompt_status))
}

/// A payment as the page lists it.
struct PaymentRow {
    receipt: String,
    channel: String,
    amount: String,
    when: String,
}

#[derive(Template)]
#[template(path = "pay.html")]
struct PayPage {
    c: Chrome,
    reference: String,
    grouped: String,
    service: String,
    agency: String,
    amount: String,
    paid: String,
    balance: String,
    status: &'static str,
    status_word: &'static str,
    shortcode: String,
    payments: Vec<PaymentRow>,
    /// The prompt form, when Daraja is configured and the balance can be prompted for.
    form: Option<Form>,
    /// Daraja is configured but the balance has cents or is too large.
    prompt_impossible: bool,
    card: bool,
    /// FPX online banking is offered (a ringgit bill where the country pays by FPX).
    fpx: bool,
    /// The country pays by M-Pesa (Paybill and the prompt are offered).
    mpesa: bool,
}

impl PayPage {
    fn payable(&self) -> bool {
        lango_payments::BillStatus::parse(self.status).is_some_and(|s| s.is_payable())
    }
}

#[derive(Template)]
#[template(path = "pay_status.html")]
struct StatusPage {
    c: Chrome,
    reference: String,
    grouped: String,
    amount: String,
    /// `waiting`, `paid`, `confirmed` (M-Pesa said paid, receipt not yet here) or `failed`.
    state: &'static str,
    checkout: String,
    receipt: String,
    failure: &'static str,
}

/// `ABCD 2345`: a reference in two groups, as people read it out.
fn grouped(reference: &str) -> String {
    let (a, b) = reference.split_at(reference.len() / 2);
    format!("{a} {b}")
}

fn canonical(typed: &str) -> Option<String> {
    BillReference::parse(typed)
        .ok()
        .map(|r| r.as_str().to_string())
}

/// The payment page, with `form` (the prompt form as it came back) when given.
async fn page(state: &AppState, v: &Visitor, reference: &str, form: Option<Form>) -> Response {
    let lang = v.lang;
    let view = match stk::pay_view(&state.db, reference).await {
        Ok(Some(view)) => view,
        Ok(None) => return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let payments = match stk::bill_payments(&state.db, reference).await {
        Ok(p) => p,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let bill = &view.bill;
    let hit = ServiceCode::parse(&view.service_code)
        .ok()
        .and_then(|code| state.catalogue.snapshot().service(&code));
    let (service, agency) = match &hit {
        Some(h) => (
            lang.pick(&h.entry.service.name, &h.entry.service.name_sw)
                .to_string(),
            lang.pick(&h.agency.name, &h.agency.name_sw).to_string(),
        ),
        None => (view.service_code.clone(), bill.agency.clone()),
    };
    let payable = bill.status.is_payable();
    let prompt = payable && state.prompter.is_configured();
    let form = (prompt && view.prompt_possible)
        .then(|| form.unwrap_or_else(|| prompt_form(lang, &v.csrf, reference, "")));
    let page = PayPage {
        c: Chrome::for_visitor(v, state.config.demo, &format!("/pay/{reference}")),
        reference: reference.to_string(),
        grouped: grouped(reference),
        service,
        agency,
        amount: bill.amount().display(),
        paid: bill.paid.display(),
        balance: bill.balance().display(),
        status: bill.status.as_str(),
        status_word: tr(lang, &format!("bill_status_{}", bill.status)),
        shortcode: state.config.mpesa_shortcode.clone(),
        payments: payments
            .iter()
            .map(|p| PaymentRow {
                receipt: p.receipt.clone(),
                channel: match p.channel.as_str() {
                    "mpesa" => "M-Pesa".to_string(),
                    "card" => tr(lang, "pay_by_card_channel").to_string(),
                    "cash" => tr(lang, "cash_channel").to_string(),
                    "fpx" => tr(lang, "fpx_channel").to_string(),
                    other => other.to_string(),
                },
                amount: Money::parse_decimal(&p.amount, bill.fee.currency())
                    .map(Money::display)
                    .unwrap_or_else(|_| p.amount.clone()),
                when: super::when(p.at),
            })
            .collect(),
        prompt_impossible: prompt && !view.prompt_possible,
        card: payable && state.config.card.is_some() && state.config.country.pays_by("card"),
        fpx: payable
            && state.config.fpx.is_some()
            && state.config.country.pays_by("fpx")
            && bill.balance().currency() == lango_core::money::Currency::Myr,
        mpesa: state.config.country.pays_by("mpesa"),
        form,
    };
    let status = page.form.as_ref().map_or(StatusCode::OK, Form::status);
    render(status, &page)
}

fn prompt_form(lang: Lang, csrf: &str, reference: &str, phone: &str) -> Form {
    Form::new(
        format!("/pay/{reference}/mpesa"),
        csrf,
        tr(lang, "pay_stk_submit"),
        vec![Field::new(lang, "mpesa_phone", "tel")
            .value(phone)
            .auto("tel")],
    )
}

/// Refuses a client that has looked up too many bills this minute: references are short,
/// and this page must not be a way to find other people's bills by trying them.
fn too_many_lookups(state: &AppState, v: &Visitor) -> Option<Response> {
    super::auth::over_limit(state, v, Limit::Lookups)
}

/// `GET /pay/{reference}`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(typed): Path<String>,
) -> Response {
    if let Some(refused) = too_many_lookups(&state, &v) {
        return refused;
    }
    match canonical(&typed) {
        Some(r) if r == typed => page(&state, &v, &r, None).await,
        // A reference typed in lower case or with a space: the page has one address.
        Some(r) => Redirect::to(&format!("/pay/{r}")).into_response(),
        None => render_status_page(StatusCode::NOT_FOUND, v.lang, state.config.demo),
    }
}

/// `POST /pay/{reference}/mpesa`: sends the prompt, then follows it on its own page.
pub async fn mpesa(
    State(state): State<AppState>,
    v: Visitor,
    Path(typed): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refused) = too_many_lookups(&state, &v) {
        return refused;
    }
    let Some(reference) = canonical(&typed) else {
        return render_status_page(StatusCode::NOT_FOUND, v.lang, state.config.demo);
    };
    let phone = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "mpesa_phone")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let outcome = state.prompter.start(&state.db, &reference, &phone).await;
    match outcome {
        Ok(Ok(StkRequest {
            checkout_request_id: Some(checkout),
            ..
        })) => Redirect::to(&format!("/pay/{reference}/mpesa/{checkout}")).into_response(),
        Ok(Ok(_)) => refused(&state, &v, &reference, &phone, Refusal::Unavailable).await,
        Ok(Err(r)) => refused(&state, &v, &reference, &phone, r).await,
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

async fn refused(
    state: &AppState,
    v: &Visitor,
    reference: &str,
    phone: &str,
    why: Refusal,
) -> Response {
    // The bill itself is why (paid meanwhile, closed, cents): its page says so, with no form.
    if matches!(
        why,
        Refusal::NotPayable | Refusal::Cents | Refusal::TooLarge
    ) {
        return Redirect::to(&format!("/pay/{reference}")).into_response();
    }
    let form = prompt_form(v.lang, &v.csrf, reference, phone)
        .problems(v.lang, &Problems::one("mpesa_phone", why.code()));
    let mut res = page(state, v, reference, Some(form)).await;
    if matches!(why, Refusal::Pending | Refusal::TooMany) {
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    }
    res
}

/// `GET /pay/{reference}/mpesa/{checkout}`: waiting, paid or failed.
pub async fn prompt_status(
    State(state): State<AppState>,
    v: Visitor,
    Path((typed, checkout)): Path<(String, String)>,
) -> Response {
    let lang = v.lang;
    let not_found = || render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    let Some(reference) = canonical(&typed) else {
        return not_found();
    };
    let found = state.prompter.status(&state.db, &checkout).await;
    let request = match found {
        Ok(Some(r)) if r.bill_reference == reference => r,
        Ok(_) => return not_found(),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let (page_state, failure) = prompt_state(&request);
    let page = StatusPage {
        c: Chrome::for_visitor(
            &v,
            state.config.demo,
            &format!("/pay/{reference}/mpesa/{checkout}"),
        ),
        grouped: grouped(&reference),
        reference,
        amount: request.amount.display(),
        state: page_state,
        checkout: checkout.clone(),
        receipt: request.receipt.clone().unwrap_or_default(),
        failure: if failure.is_empty() {
            ""
        } else {
            tr(lang, failure)
        },
    };
    following(render(StatusCode::OK, &page), page_state)
}

/// How a prompt's status page reads its request: (the page's state, the failure's word key).
pub(super) fn prompt_state(request: &stk::StkRequest) -> (&'static str, &'static str) {
    match (request.status, &request.receipt) {
        (StkStatus::Pending, _) => ("waiting", ""),
        (StkStatus::Succeeded, Some(_)) => ("paid", ""),
        (StkStatus::Succeeded, None) => ("confirmed", ""),
        // Failed with a receipt: money came, but not what the prompt asked (held for review).
        (StkStatus::Failed, Some(_)) => ("held", ""),
        (StkStatus::Failed, None) => (
            "failed",
            request.failure().unwrap_or(stk::Failure::Other).code(),
        ),
    }
}

/// A prompt's status page as sent: it follows the prompt without JavaScript, the browser
/// reloading it (the HTTP form of <meta http-equiv="refresh">) until M-Pesa has answered,
/// and it is never cached.
pub(super) fn following(mut res: Response, page_state: &str) -> Response {
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

#[cfg(test)]
mod tests {
    #[test]
    fn references_read_in_two_groups() {
        assert_eq!(super::grouped("ABCD2345"), "ABCD 2345");
    }
}
