//! Settlement pages: each agency's position and the batches, with the form that settles a
//! day (`/finance/settlements`), one batch and its bank file (`/finance/settlements/{batch}`,
//! `….csv`), and an agency's own statements (`/admin/agencies/{code}/statement`).

use super::super::{render, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use lango_core::Error;
use lango_identity::model::Problems;
use lango_identity::policy::{check, may, Action, Object};
use lango_payments::finance::{eat_time, Day, Period, PeriodError};
use lango_payments::settlement::{self, Batch, Position};
use serde::Deserialize;

/// How many receipts of a batch a page lists (the CSV has them all).
const ITEMS_SHOWN: usize = 500;

/// A position as the pages show it.
struct PositionRow {
    agency: String,
    currency: &'static str,
    owed: String,
    settled: String,
    outstanding: String,
    ready: String,
}

impl From<&Position> for PositionRow {
    fn from(p: &Position) -> Self {
        PositionRow {
            agency: p.agency.clone(),
            currency: p.currency.code(),
            owed: p.owed.display(),
            settled: p.settled.display(),
            outstanding: p.outstanding.display(),
            ready: p.ready.display(),
        }
    }
}

/// A batch as the pages list it.
struct BatchRow {
    id: String,
    agency: String,
    value_date: String,
    amount: String,
    receipts: i64,
}

impl From<&Batch> for BatchRow {
    fn from(b: &Batch) -> Self {
        BatchRow {
            id: b.id.clone(),
            agency: b.agency.clone(),
            value_date: b.value_date.clone(),
            amount: b.amount.display(),
            receipts: b.receipts,
        }
    }
}

/// A receipt of a batch as the pages list it.
struct ItemRow {
    channel: String,
    receipt: String,
    bill_reference: String,
    agency_reference: String,
    paid_at: String,
    amount: String,
}

async fn item_rows(state: &AppState, b: &Batch) -> lango_core::Result<(Vec<ItemRow>, usize)> {
    let items = settlement::items(&state.db, b).await?;
    let total = items.len();
    Ok((
        items
            .into_iter()
            .take(ITEMS_SHOWN)
            .map(|i| ItemRow {
                channel: i.channel,
                receipt: i.receipt,
                bill_reference: i.bill_reference,
                agency_reference: i.agency_reference,
                paid_at: eat_time(i.paid_at),
                amount: i.amount.display(),
            })
            .collect(),
        total,
    ))
}

fn csv_file(name: &str, text: String) -> Response {
    crate::download::file(text, "text/csv; charset=utf-8", &format!("{name}.csv"))
}

#[derive(Template)]
#[template(path = "settlements.html")]
struct SettlementsPage {
    c: Chrome,
    notice: String,
    positions: Vec<PositionRow>,
    batches: Vec<BatchRow>,
    form: Option<Form>,
}

#[derive(Deserialize, Default)]
pub(super) struct Done {
    day: Option<String>,
    made: Option<i64>,
}

fn settle_form(lang: Lang, csrf: &str, date: &str) -> Form {
    let mut f = Field::new(lang, "date", "date")
        .label(lang, "settle_date")
        .value(date);
    f.hint = tr(lang, "settle_date_hint");
    Form::new(
        "/finance/settlements",
        csrf,
        tr(lang, "settle_run"),
        vec![f],
    )
}

async fn list_page(state: &AppState, s: &SignedIn, notice: String, form: Option<Form>) -> Response {
    let lang = s.v.lang;
    let positions = settlement::positions(&state.db, None).await;
    let batches = settlement::batches(&state.db, None, None, 100).await;
    let (positions, batches) = match (positions, batches) {
        (Ok(p), Ok(b)) => (p, b),
        (Err(e), _) | (_, Err(e)) => return crate::error::page_error(state, lang, e),
    };
    let form = if may(&s.v.actor, Action::Edit, Object::Finance) {
        Some(form.unwrap_or_else(|| settle_form(lang, &s.v.csrf, &Day::today().plus(-1).date())))
    } else {
        None
    };
    render(
        form.as_ref().map_or(StatusCode::OK, Form::status),
        &SettlementsPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/settlements"),
            notice,
            positions: positions.iter().map(PositionRow::from).collect(),
            batches: batches.iter().map(BatchRow::from).collect(),
            form,
        },
    )
}

/// `GET /finance/settlements`
pub(super) async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<Done>, QueryRejection>,
) -> Response {
    if let Some(r) = super::refuse(&state, &s, Action::View) {
        return r;
    }
    let done = q.map(|Query(d)| d).unwrap_or_default();
    let notice = match (done.day.as_deref().and_then(Day::parse), done.made) {
        (Some(day), Some(made)) => tr_with(
            s.v.lang,
            "settle_done",
            [FluentValue::from(&day.date()), FluentValue::from(made)],
        ),
        _ => String::new(),
    };
    list_page(&state, &s, notice, None).await
}

/// `POST /finance/settlements`: settles one day that has ended.
pub(super) async fn settle(
    State(state): State<AppState>,
    s: SignedIn,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = super::refuse(&state, &s, Action::Edit) {
        return r;
    }
    let lang = s.v.lang;
    let date = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "date")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let problem = |code: &'static str| {
        Some(settle_form(lang, &s.v.csrf, &date).problems(lang, &Problems::one("date", code)))
    };
    let Some(day) = Day::parse(&date) else {
        return list_page(&state, &s, String::new(), problem("settle_date_invalid")).await;
    };
    let by = lango_identity::account::actor_label(&s.v.actor);
    match settlement::settle_day(&state.db, day, &by).await {
        Ok(done) => Redirect::to(&format!(
            "/finance/settlements?day={}&made={}",
            day.date(),
            done.created.len()
        ))
        .into_response(),
        Err(Error::Invalid { .. }) => {
            list_page(&state, &s, String::new(), problem("settle_day_not_ended")).await
        }
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}

#[derive(Template)]
#[template(path = "settlement.html")]
struct BatchPage {
    c: Chrome,
    batch: BatchRow,
    currency: &'static str,
    ledger_transaction: String,
    made: String,
    items: Vec<ItemRow>,
    total_items: usize,
}

/// `GET /finance/settlements/{batch}`, or `{batch}.csv` for the bank's settlement file.
pub(super) async fn batch(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = super::refuse(&state, &s, Action::View) {
        return r;
    }
    let lang = s.v.lang;
    let (id, file) = match id.strip_suffix(".csv") {
        Some(id) => (id.to_string(), true),
        None => (id, false),
    };
    let b = match settlement::batch(&state.db, &id).await {
        Ok(Some(b)) => b,
        Ok(None) => return crate::error::page_error(&state, lang, Error::NotFound("batch".into())),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    if file {
        return match settlement::settlement_file(&b) {
            Ok(text) => csv_file(&b.id, text),
            Err(e) => crate::error::page_error(&state, lang, e),
        };
    }
    let (items, total_items) = match item_rows(&state, &b).await {
        Ok(i) => i,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    render(
        StatusCode::OK,
        &BatchPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("/finance/settlements/{}", b.id),
            ),
            batch: BatchRow::from(&b),
            currency: b.currency.code(),
            ledger_transaction: b.ledger_transaction.clone().unwrap_or_default(),
            made: format!("{}, {}", b.created_by, eat_time(b.created_at)),
            items,
            total_items,
        },
    )
}

/// A batch with its receipts, on the agency's statement page.
struct AgencyBatch {
    batch: BatchRow,
    items: Vec<ItemRow>,
    total_items: usize,
}

#[derive(Template)]
#[template(path = "settlement_agency.html")]
struct AgencyPage {
    c: Chrome,
    agency: String,
    positions: Vec<PositionRow>,
    form: Form,
    batches: Vec<AgencyBatch>,
}

#[derive(Deserialize, Default)]
pub(super) struct StatementParams {
    from: Option<String>,
    to: Option<String>,
    batch: Option<String>,
}

fn period_code(e: PeriodError) -> &'static str {
    match e {
        PeriodError::From | PeriodError::To => "settle_period_date_invalid",
        PeriodError::Backwards => "settle_period_backwards",
        PeriodError::TooLong => "settle_period_too_long",
    }
}

fn period_form(lang: Lang, agency: &str, from: &str, to: &str) -> Form {
    let fields = [("from", from), ("to", to)]
        .into_iter()
        .map(|(name, value)| {
            let mut f = Field::new(lang, name, "date")
                .label(lang, &format!("settle_{name}"))
                .value(value);
            f.hint = tr(lang, "settle_date_hint");
            f
        })
        .collect();
    Form::new(
        format!("/admin/agencies/{agency}/statement"),
        "",
        tr(lang, "settle_show"),
        fields,
    )
}

/// `GET /admin/agencies/{code}/statement?from=&to=`: the agency's settlements; with
/// `batch=ID` the agency's statement of that batch as CSV.
pub(super) async fn agency_statement(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
    q: Result<Query<StatementParams>, QueryRejection>,
) -> Response {
    let lang = s.v.lang;
    if let Err(e) = check(&s.v.actor, Action::View, Object::Settlements(&agency)) {
        return crate::error::page_error(&state, lang, e);
    }
    let p = q.map(|Query(p)| p).unwrap_or_default();
    if let Some(id) = &p.batch {
        let b = match settlement::batch(&state.db, id).await {
            Ok(Some(b)) if b.agency == agency => b,
            Ok(_) => {
                return crate::error::page_error(&state, lang, Error::NotFound("batch".into()))
            }
            Err(e) => return crate::error::page_error(&state, lang, e),
        };
        let text = match settlement::items(&state.db, &b).await {
            Ok(items) => settlement::agency_statement(&b, &items),
            Err(e) => Err(e),
        };
        return match text {
            Ok(text) => csv_file(&format!("{}-statement", b.id), text),
            Err(e) => crate::error::page_error(&state, lang, e),
        };
    }
    let given = p.from.is_some() || p.to.is_some();
    let (from, to) = (p.from.unwrap_or_default(), p.to.unwrap_or_default());
    let (period, form) = if given {
        match Period::parse(&from, &to) {
            Ok(period) => (Some(period), period_form(lang, &agency, &from, &to)),
            Err(errors) => {
                let mut problems = Problems::default();
                for e in errors {
                    problems.add(e.field(), period_code(e));
                }
                let form = period_form(lang, &agency, &from, &to).problems(lang, &problems);
                (None, form)
            }
        }
    } else {
        let last = Period::last(30);
        let form = period_form(lang, &agency, &last.from.date(), &last.to.date());
        (Some(last), form)
    };
    let positions = match settlement::positions(&state.db, Some(&agency)).await {
        Ok(p) => p,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let mut batches = Vec::new();
    if let Some(period) = period {
        let list = match settlement::batches(&state.db, Some(&agency), Some(period), 100).await {
            Ok(l) => l,
            Err(e) => return crate::error::page_error(&state, lang, e),
        };
        for b in &list {
            let (items, total_items) = match item_rows(&state, b).await {
                Ok(i) => i,
                Err(e) => return crate::error::page_error(&state, lang, e),
            };
            batches.push(AgencyBatch {
                batch: BatchRow::from(b),
                items,
                total_items,
            });
        }
    }
    render(
        form.status(),
        &AgencyPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("/admin/agencies/{agency}/statement"),
            ),
            agency,
            positions: positions.iter().map(PositionRow::from).collect(),
            form,
            batches,
        },
    )
}
