//! Finance's agent pages: every agent's statement of a month as one CSV, and the monthly
//! payout batch (`/finance/agent-payouts`): made once a month is over, listing what each
//! agent is paid, with the file M-Pesa (B2C) or the bank takes.

use super::{day, render, Chrome};
use crate::forms::{Field, Form};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form as Posted, Router};
use lango_agents::payout::{self, Batch};
use lango_agents::statement;
use lango_core::money::{Currency, Money};
use lango_identity::policy::{check, may, Action, Object};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance/agent-payouts", get(list).post(make))
        .route("/finance/agent-payouts/{month}", get(one))
        .route("/finance/agent-payouts/{month}/file", get(file))
        .route("/finance/agent-statements.csv", get(statements_csv))
}

fn kes(m: i64) -> String {
    Money::from_minor(m, Currency::Kes).to_decimal()
}

#[derive(Template)]
#[template(path = "agent_payouts.html")]
struct ListPage {
    c: Chrome,
    batches: Vec<(String, String, String, String)>,
    form: Option<Form>,
}

/// The batch form as posted.
#[derive(Deserialize, Default)]
pub struct MakeForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    method: String,
}

async fn list_page(
    state: &AppState,
    s: &SignedIn,
    f: &MakeForm,
    error: Option<(String, String)>,
) -> Response {
    let lang = s.v.lang;
    let batches = match payout::batches(&state.db, &s.v.actor).await {
        Ok(b) => b,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let form = may(&s.v.actor, Action::Edit, Object::Finance).then(|| {
        let method = if f.method.is_empty() {
            "mpesa_b2c"
        } else {
            &f.method
        };
        Form::new(
            "/finance/agent-payouts",
            &s.v.csrf,
            tr(lang, "payouts_make"),
            vec![
                Field::new(lang, "month", "text").value(&f.month),
                Field::new(lang, "method", "radios").worded_choices(
                    lang,
                    "payouts_method_",
                    &["mpesa_b2c", "bank"],
                    method,
                ),
            ],
        )
        .messages(error.as_slice())
    });
    let status = form.as_ref().map_or(StatusCode::OK, Form::status);
    let page = ListPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/agent-payouts"),
        batches: batches
            .into_iter()
            .map(|b| {
                (
                    b.month,
                    tr(lang, &format!("payouts_method_{}", b.method)).to_string(),
                    kes(b.total),
                    day(b.created_at),
                )
            })
            .collect(),
        form,
    };
    render(status, &page)
}

/// `GET /finance/agent-payouts`
async fn list(State(state): State<AppState>, s: SignedIn) -> Response {
    list_page(&state, &s, &MakeForm::default(), None).await
}

/// `POST /finance/agent-payouts`: makes a month's batch (once).
async fn make(State(state): State<AppState>, s: SignedIn, Posted(f): Posted<MakeForm>) -> Response {
    match payout::run(&state.db, &s.v.actor, &f.month, &f.method).await {
        Ok(b) => Redirect::to(&format!("/finance/agent-payouts/{}", b.month)).into_response(),
        Err(lango_core::Error::Invalid { field, message }) => {
            list_page(&state, &s, &f, Some((field, message))).await
        }
        Err(lango_core::Error::Conflict(message)) => {
            list_page(&state, &s, &f, Some(("month".into(), message))).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[derive(Template)]
#[template(path = "agent_payout.html")]
struct OnePage {
    c: Chrome,
    batch: Batch,
    method: &'static str,
    total: String,
    rows: Vec<(String, String, String, String)>,
}

/// `GET /finance/agent-payouts/{month}`
async fn one(State(state): State<AppState>, s: SignedIn, Path(month): Path<String>) -> Response {
    let lang = s.v.lang;
    let b = match payout::batch(&state.db, &s.v.actor, &month).await {
        Ok(b) => b,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let page = OnePage {
        c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/agent-payouts"),
        method: tr(lang, &format!("payouts_method_{}", b.method)),
        total: kes(b.total),
        rows: b
            .payouts
            .iter()
            .map(|p| {
                (
                    p.agent.clone(),
                    p.name.clone(),
                    p.phone.clone(),
                    kes(p.amount),
                )
            })
            .collect(),
        batch: b,
    };
    render(StatusCode::OK, &page)
}

/// `GET /finance/agent-payouts/{month}/file`: what the payer takes.
async fn file(State(state): State<AppState>, s: SignedIn, Path(month): Path<String>) -> Response {
    match payout::batch(&state.db, &s.v.actor, &month).await {
        Ok(b) => crate::download::file(
            payout::file(&b).into_bytes(),
            "text/csv; charset=utf-8",
            &format!("agent-payouts-{}-{}.csv", b.month, b.method),
        ),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// Which month.
#[derive(Deserialize, Default)]
pub struct MonthParams {
    #[serde(default)]
    month: String,
}

/// `GET /finance/agent-statements.csv?month=`: every agent's statement of the month.
async fn statements_csv(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<MonthParams>, QueryRejection>,
) -> Response {
    let lang = s.v.lang;
    if let Err(e) = check(&s.v.actor, Action::View, Object::Finance) {
        return crate::error::page_error(&state, lang, e);
    }
    let month = q.map(|Query(q)| q.month).unwrap_or_default();
    let all = match statement::month_all(&state.db, &month).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let mut out = String::new();
    for (i, st) in all.iter().enumerate() {
        let csv = statement::csv(st);
        // One header for the whole file.
        out.push_str(if i == 0 {
            &csv
        } else {
            csv.split_once("\r\n").map_or("", |(_, rest)| rest)
        });
    }
    let month = all.first().map_or(month, |s| s.month.clone());
    crate::download::file(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("agent-statements-{month}.csv"),
    )
}
