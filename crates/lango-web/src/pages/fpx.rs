//! Paying a bill by FPX online banking: `GET /pay/{reference}/fpx` asks which bank (one
//! question), `POST` to it records the attempt and shows the signed request the payer's
//! browser takes to the gateway, and `GET /pay/{reference}/fpx/{id}` is where they come
//! back (after `/channels/fpx/indirect`). The gateway's own confirmations arrive at
//! `crate::fpx_channel`.

use super::auth::{form_page, send};
use super::card::ResultPage;
use super::{render, Chrome};
use crate::forms::{Field, Form};
use crate::visitor::Visitor;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use lango_core::Error;
use lango_identity::model::Problems;
use lango_payments::fpx::{self, Bank, FpxPayment, FpxStatus, Refusal};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pay/{reference}/fpx", get(choose_bank).post(start))
        .route("/pay/{reference}/fpx/{id}", get(came_back))
}

#[derive(Template)]
#[template(path = "fpx_continue.html")]
struct ContinuePage {
    c: Chrome,
    reference: String,
    bank: String,
    amount: String,
    action: String,
    fields: Vec<(String, String)>,
}

/// The page saying FPX cannot be used now (none configured, or the gateway failed).
fn unavailable(state: &AppState, v: &Visitor, reference: &str) -> Response {
    let c = Chrome::for_visitor(v, state.config.demo, &format!("/pay/{reference}"));
    render(
        StatusCode::SERVICE_UNAVAILABLE,
        &ResultPage::new(c, reference, "fpx_unavailable"),
    )
}

fn bank_form(v: &Visitor, reference: &str, banks: &[Bank], chosen: &str) -> Form {
    let lang = v.lang;
    let labels: Vec<(String, String)> = banks
        .iter()
        .map(|b| {
            let label = if b.online {
                b.name.clone()
            } else {
                format!("{} {}", b.name, tr(lang, "fpx_bank_offline"))
            };
            (b.id.clone(), label)
        })
        .collect();
    let choices: Vec<(&str, &str)> = labels
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Form::new(
        format!("/pay/{reference}/fpx"),
        &v.csrf,
        tr(lang, "fpx_bank_submit"),
        vec![Field::new(lang, "fpx_bank", "radios").labelled_choices(&choices, &[chosen])],
    )
}

fn bank_page(state: &AppState, v: &Visitor, reference: &str, form: Form) -> Response {
    send(form_page(
        state,
        v,
        &format!("/pay/{reference}/fpx"),
        "fpx_bank_title",
        "fpx_bank_lead",
        form,
    ))
}

/// The bank page again, with problem `code` on the bank chosen.
fn refuse_bank(
    state: &AppState,
    v: &Visitor,
    reference: &str,
    banks: &[Bank],
    chosen: &str,
    code: &'static str,
) -> Response {
    let form =
        bank_form(v, reference, banks, chosen).problems(v.lang, &Problems::one("fpx_bank", code));
    bank_page(state, v, reference, form)
}

/// The bill's reference as typed, if it is one.
fn canonical(typed: &str) -> Option<String> {
    lango_payments::BillReference::parse(typed)
        .ok()
        .map(|r| r.as_str().to_string())
}

/// `GET /pay/{reference}/fpx`: which bank will you pay from?
async fn choose_bank(
    State(state): State<AppState>,
    v: Visitor,
    Path(typed): Path<String>,
) -> Response {
    let Some(reference) = canonical(&typed) else {
        return crate::error::page_error(&state, v.lang, Error::NotFound("bill".into()));
    };
    let Some(seller) = state.fpx.clone() else {
        return unavailable(&state, &v, &reference);
    };
    match fpx::banks(&seller).await {
        Ok(banks) => bank_page(
            &state,
            &v,
            &reference,
            bank_form(&v, &reference, &banks, ""),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "FPX bank list unavailable");
            unavailable(&state, &v, &reference)
        }
    }
}

/// `POST /pay/{reference}/fpx`: records the attempt and hands the payer's browser the
/// signed request for the gateway.
async fn start(
    State(state): State<AppState>,
    v: Visitor,
    Path(typed): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Some(reference) = canonical(&typed) else {
        return crate::error::page_error(&state, v.lang, Error::NotFound("bill".into()));
    };
    let Some(seller) = state.fpx.clone() else {
        return unavailable(&state, &v, &reference);
    };
    let chosen = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "fpx_bank")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let banks = match fpx::banks(&seller).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "FPX bank list unavailable");
            return unavailable(&state, &v, &reference);
        }
    };
    // A bank the gateway lists, and online now.
    let bank = match banks.iter().find(|b| b.id == chosen) {
        Some(b) if b.online => b.clone(),
        found => {
            let code = match found {
                Some(_) => "fpx_bank_unavailable",
                None => "fpx_bank_missing",
            };
            return refuse_bank(&state, &v, &reference, &banks, &chosen, code);
        }
    };
    let c = Chrome::for_visitor(&v, state.config.demo, &format!("/pay/{reference}"));
    match fpx::start(&state.db, &seller, &reference, &bank).await {
        Ok(Ok(auth)) => {
            let origin = origin_of(&auth.action);
            let page = ContinuePage {
                c,
                reference,
                bank: bank.name,
                amount: auth.amount.display(),
                action: auth.action,
                fields: auth.fields,
            };
            let mut res = render(StatusCode::OK, &page);
            // This page's one form goes to the gateway: the policy names it, and nothing else.
            let csp = crate::middleware::CSP.replace(
                "form-action 'self'",
                &format!("form-action 'self' {origin}"),
            );
            if let Ok(value) = HeaderValue::from_str(&csp) {
                res.headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, value);
            }
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Ok(Err(Refusal::NotPayable)) => Redirect::to(&format!("/pay/{reference}")).into_response(),
        Ok(Err(Refusal::Currency(_))) => render(
            StatusCode::CONFLICT,
            &ResultPage::new(c, &reference, "fpx_currency"),
        ),
        Ok(Err(Refusal::Amount(_))) => render(
            StatusCode::CONFLICT,
            &ResultPage::new(c, &reference, "fpx_amount"),
        ),
        Ok(Err(Refusal::Bank)) => refuse_bank(
            &state,
            &v,
            &reference,
            &banks,
            &chosen,
            "fpx_bank_unavailable",
        ),
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// `scheme://host[:port]` of `url`.
fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// The words for how an attempt stands.
fn key_of(p: &FpxPayment) -> &'static str {
    match p.status {
        FpxStatus::Success => "fpx_paid",
        FpxStatus::Cancelled => "fpx_cancelled",
        FpxStatus::Failed => "fpx_failed",
        FpxStatus::Created | FpxStatus::Pending => "fpx_pending",
    }
}

/// `GET /pay/{reference}/fpx/{id}`: how the attempt ended. Unless it already has, the
/// gateway is asked (a redirect alone proves nothing).
async fn came_back(
    State(state): State<AppState>,
    v: Visitor,
    Path((reference, id)): Path<(String, String)>,
) -> Response {
    let here = format!("/pay/{reference}/fpx/{id}");
    let Some(seller) = state.fpx.clone() else {
        return unavailable(&state, &v, &reference);
    };
    let c = Chrome::for_visitor(&v, state.config.demo, &here);
    let payment = match fpx::refresh(&state.db, &seller, &reference, &id).await {
        Ok(Some(Ok(p))) => p,
        Ok(Some(Err(e))) => {
            tracing::warn!(error = %e, payment = %id, "cannot ask the FPX gateway");
            match fpx::get(&state.db, &id).await {
                Ok(Some(p)) => p,
                _ => return unavailable(&state, &v, &reference),
            }
        }
        Ok(None) => {
            return crate::error::page_error(&state, v.lang, Error::NotFound("FPX payment".into()))
        }
        Err(e) => return crate::error::page_error(&state, v.lang, e),
    };
    let key = key_of(&payment);
    let mut page = ResultPage::new(c, &payment.bill_reference, key);
    page.here = here;
    match payment.status {
        FpxStatus::Success => {
            page.paid = true;
            let lang = v.lang;
            let t = |k: &str| tr(lang, k);
            let standing = match super::card::standing(&state, lang, &payment.bill_reference).await
            {
                Ok(s) => s,
                Err(refused) => return refused,
            };
            page.receipt = vec![
                (
                    t("card_receipt_number"),
                    payment.fpx_txn_id.clone().unwrap_or_default(),
                ),
                (t("fpx_bank"), fpx::bank_name(&payment.bank_id).to_string()),
                (t("card_amount"), payment.amount.display()),
                (
                    t("card_date"),
                    super::account::when(payment.posted_at.unwrap_or(payment.created_at)),
                ),
                (t("card_bill"), payment.bill_reference.clone()),
                (t("card_bill_status"), standing),
            ];
        }
        FpxStatus::Created | FpxStatus::Pending => page.refresh = true,
        FpxStatus::Failed | FpxStatus::Cancelled => {}
    }
    render(StatusCode::OK, &page)
}
