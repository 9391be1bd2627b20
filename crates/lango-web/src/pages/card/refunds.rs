//! Finance officers refund a bill's payments: `/finance/bills/{reference}/refunds` shows the
//! payments, the refunds so far and what is available, with the refund form → check your
//! answers → confirmation with the refund's id. Auditors see the pages; only finance
//! officers may refund (the policy's finance `Edit`). `/finance/refunds` lists refunds, those
//! awaiting payout first, and finds a bill's refunds by its reference.

use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::pages::{account::when, render, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_core::money::Money;
use lango_core::Error;
use lango_identity::model::Problems;
use lango_identity::policy::{check, may, Action, Object};
use lango_payments::cards::HttpCardProvider;
use lango_payments::refunds::{self, Refund, RefundRequest, Refusal, Route};
use lango_payments::BillReference;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance/refunds", get(list))
        .route("/finance/refunds/{id}", get(done))
        .route(
            "/finance/bills/{reference}/refunds",
            get(show).post(confirm),
        )
        .route(
            "/finance/bills/{reference}/refunds/check",
            post(check_answers),
        )
}

/// One refund as a table row.
struct Row {
    id: String,
    at: String,
    reference: String,
    amount: String,
    method: &'static str,
    status: &'static str,
    reason: String,
    by: String,
}

fn row(lang: Lang, r: &Refund) -> Row {
    Row {
        id: r.id.clone(),
        at: when(r.created_at),
        reference: r.bill_reference.clone(),
        amount: r.amount.display(),
        method: tr(lang, &format!("refund_method_{}", r.method)),
        status: tr(lang, &format!("refund_status_{}", r.status)),
        reason: r.reason.clone(),
        by: r.requested_by.clone(),
    }
}

#[derive(Template)]
#[template(path = "refunds.html")]
struct BillPage {
    c: Chrome,
    reference: String,
    facts: Vec<(&'static str, String)>,
    payments: Vec<(String, String, String, String)>,
    refunds: Vec<Row>,
    can_refund: bool,
    nothing_left: bool,
    form: Form,
}

/// The refusal page when the policy does not allow `action` on finance.
fn refused(state: &AppState, s: &SignedIn, action: Action) -> Option<Response> {
    check(&s.v.actor, action, Object::Finance)
        .err()
        .map(|e| crate::error::page_error(state, s.v.lang, e))
}

/// The bill reference as stored, when `reference` is one.
fn canonical(reference: &str) -> Option<String> {
    BillReference::parse(reference)
        .ok()
        .map(|r| r.as_str().to_string())
}

fn no_bill(state: &AppState, lang: Lang) -> Response {
    crate::error::page_error(state, lang, Error::NotFound("bill".into()))
}

/// The form field a refusal is shown on.
fn field_of(r: &Refusal) -> &'static str {
    match r.field() {
        "reason" => "refund_reason",
        _ => "refund_amount",
    }
}

/// The bill's refund page, with the form as `values` left it and `problem`, if any.
async fn page(
    state: &AppState,
    s: &SignedIn,
    reference: &str,
    values: &RefundRequest,
    problem: Option<&Refusal>,
) -> Response {
    let lang = s.v.lang;
    if let Some(r) = refused(state, s, Action::View) {
        return r;
    }
    let summary = match refunds::summary(&state.db, reference).await {
        Ok(Some(s)) => s,
        Ok(None) => return crate::error::page_error(state, lang, Error::NotFound("bill".into())),
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let pos = &summary.position;
    let m = |v: i64| Money::from_minor(v, pos.currency).display();
    let t = |k: &str| tr(lang, k);
    let facts = vec![
        (t("refund_agency"), summary.bill.agency.clone()),
        (
            t("refund_bill_status"),
            t(&format!("refund_bill_{}", summary.bill.status)).to_string(),
        ),
        (
            t("refund_service_amount"),
            summary.bill.service_amount.display(),
        ),
        (t("refund_fee"), summary.bill.fee.display()),
        (t("refund_paid"), m(pos.paid.total())),
        (t("refund_refunded"), m(pos.refunded.total())),
        (t("refund_available"), m(pos.available())),
    ];
    let payments = summary
        .payments
        .iter()
        .map(|p| {
            (
                when(p.at),
                p.channel.clone(),
                p.receipt.clone(),
                p.amount.display(),
            )
        })
        .collect();
    let available = Money::from_minor(pos.available(), pos.currency).to_decimal();
    let mut form = Form::new(
        format!("/finance/bills/{reference}/refunds/check"),
        &s.v.csrf,
        tr(lang, "continue"),
        vec![
            Field::new(lang, "refund_amount", "text").value(values.amount.clone()),
            Field::new(lang, "refund_reason", "text").value(values.reason.clone()),
            Field::new(lang, "refund_amount_available", "hidden").value(available),
        ],
    );
    if let Some(r) = problem {
        form = form.problems(lang, &Problems::one(field_of(r), r.code()));
    }
    let status = form.status();
    let here = format!("/finance/bills/{reference}/refunds");
    render(
        status,
        &BillPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &here),
            reference: reference.to_string(),
            facts,
            payments,
            refunds: summary.refunds.iter().map(|r| row(lang, r)).collect(),
            can_refund: may(&s.v.actor, Action::Edit, Object::Finance),
            nothing_left: pos.available() == 0,
            form,
        },
    )
}

/// `GET /finance/bills/{reference}/refunds`
async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    let Some(reference) = canonical(&reference) else {
        return no_bill(&state, s.v.lang);
    };
    page(&state, &s, &reference, &RefundRequest::default(), None).await
}

/// The refund form's fields (and the check page's idempotency key).
fn read_form(body: &[u8]) -> (RefundRequest, String) {
    let mut req = RefundRequest::default();
    let mut key = String::new();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "refund_amount" => req.amount = v.into_owned(),
            "refund_reason" => req.reason = v.into_owned(),
            "refund_amount_available" => req.refund_amount_available = v.into_owned(),
            "idempotency_key" => key = v.into_owned(),
            _ => {}
        }
    }
    (req, key)
}

#[derive(Template)]
#[template(path = "refund_check.html")]
struct CheckPage {
    c: Chrome,
    reference: String,
    answers: Vec<(&'static str, String)>,
    amount: String,
    reason: String,
    available: String,
    key: String,
}

/// `POST /finance/bills/{reference}/refunds/check`: check your answers, or the form again.
async fn check_answers(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let lang = s.v.lang;
    if let Some(r) = refused(&state, &s, Action::Edit) {
        return r;
    }
    let Some(reference) = canonical(&reference) else {
        return no_bill(&state, s.v.lang);
    };
    let (req, _) = read_form(&body);
    let (plan, pos) = match refunds::preview(&state.db, &reference, &req).await {
        Ok(Ok(p)) => p,
        Ok(Err(refusal)) => return page(&state, &s, &reference, &req, Some(&refusal)).await,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let t = |k: &str| tr(lang, k);
    let method = match plan.route {
        Route::Card(i) => format!(
            "{} {}",
            t("refund_method_card_long"),
            pos.cards[i].provider_payment_id
        ),
        Route::Payout => t("refund_method_payout_long").to_string(),
    };
    let amount = Money::from_minor(plan.amount, pos.currency);
    let here = format!("/finance/bills/{reference}/refunds");
    render(
        axum::http::StatusCode::OK,
        &CheckPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &here),
            answers: vec![
                (t("refund_bill"), reference.clone()),
                (t("refund_amount"), amount.display()),
                (t("refund_method"), method),
                (t("refund_reason"), req.reason.trim().to_string()),
            ],
            reference,
            amount: amount.to_decimal(),
            reason: req.reason.trim().to_string(),
            available: req.refund_amount_available.trim().to_string(),
            // A second press of the button is the same refund, not a refused second one.
            key: uuid::Uuid::new_v4().simple().to_string(),
        },
    )
}

/// `POST /finance/bills/{reference}/refunds`: makes the refund.
async fn confirm(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let lang = s.v.lang;
    if let Some(r) = refused(&state, &s, Action::Edit) {
        return r;
    }
    let Some(reference) = canonical(&reference) else {
        return no_bill(&state, s.v.lang);
    };
    let (req, key) = read_form(&body);
    let provider = state.config.card.as_ref().map(HttpCardProvider::new);
    let by = lango_identity::account::actor_label(&s.v.actor);
    let key = Some(key.as_str()).filter(|k| !k.is_empty());
    match refunds::issue(&state.db, provider.as_ref(), &reference, &by, &req, key).await {
        Ok(Ok(r)) => Redirect::to(&format!("/finance/refunds/{}", r.id)).into_response(),
        Ok(Err(refusal)) => page(&state, &s, &reference, &req, Some(&refusal)).await,
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}

#[derive(Template)]
#[template(path = "refund_done.html")]
struct DonePage {
    c: Chrome,
    refund: Row,
    next: &'static str,
}

/// `GET /finance/refunds/{id}`: the confirmation, with the refund's id.
async fn done(State(state): State<AppState>, s: SignedIn, Path(id): Path<String>) -> Response {
    let lang = s.v.lang;
    if let Some(r) = refused(&state, &s, Action::View) {
        return r;
    }
    let refund = match refunds::find(&state.db, &id).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return crate::error::page_error(&state, lang, Error::NotFound("refund".into()))
        }
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    render(
        axum::http::StatusCode::OK,
        &DonePage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &format!("/finance/refunds/{id}")),
            next: tr(lang, &format!("refund_next_{}", refund.status)),
            refund: row(lang, &refund),
        },
    )
}

#[derive(Template)]
#[template(path = "refund_list.html")]
struct ListPage {
    c: Chrome,
    refunds: Vec<Row>,
    form: Form,
}

#[derive(serde::Deserialize, Default)]
struct Find {
    refund_bill: Option<String>,
}

/// `GET /finance/refunds[?refund_bill=REF]`: refunds awaiting payout and the newest others;
/// with a reference, that bill's refund page.
async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<Find>, QueryRejection>,
) -> Response {
    let lang = s.v.lang;
    if let Some(r) = refused(&state, &s, Action::View) {
        return r;
    }
    let asked = q.map(|Query(f)| f).unwrap_or_default().refund_bill;
    let mut problem = None;
    if let Some(typed) = asked.as_deref().filter(|t| !t.trim().is_empty()) {
        match BillReference::parse(typed) {
            Ok(r) => match lango_payments::bills::get(&state.db, r.as_str()).await {
                Ok(Some(b)) => {
                    return Redirect::to(&format!("/finance/bills/{}/refunds", b.reference))
                        .into_response()
                }
                Ok(None) => problem = Some("refund_bill_unknown"),
                Err(e) => return crate::error::page_error(&state, lang, e),
            },
            Err(_) => problem = Some("refund_bill_unknown"),
        }
    }
    let refunds = match refunds::recent(&state.db, 200).await {
        Ok(r) => r,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let mut form = Form::new(
        "/finance/refunds",
        &s.v.csrf,
        tr(lang, "refund_find"),
        vec![Field::new(lang, "refund_bill", "text")
            .label(lang, "refund_bill_label")
            .value(asked.unwrap_or_default())],
    );
    if let Some(code) = problem {
        form = form.problems(lang, &Problems::one("refund_bill", code));
    }
    render(
        form.status(),
        &ListPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/refunds"),
            refunds: refunds.iter().map(|r| row(lang, r)).collect(),
            form,
        },
    )
}
