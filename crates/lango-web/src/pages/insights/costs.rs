//! `/admin/agencies/{code}/costs`: an agency's administrators enter what delivering its
//! services cost per month (all channels), the numerator of "cost per transaction".

use super::views::Row;
use crate::forms::{Choice, Field, Form};
use crate::i18n::Lang;
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lango_core::money::{Currency, Money};
use lango_core::Error;
use lango_identity::model::Problems;
use lango_identity::policy::{check, Action, Object};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "insights_costs.html")]
struct CostsPage {
    c: Chrome,
    agency: String,
    notice: &'static str,
    form: Form,
    rows: Vec<Row>,
}

/// The typed fields of the form.
#[derive(Default)]
struct Typed {
    service: String,
    month: String,
    amount: String,
    currency: String,
    note: String,
}

fn typed(body: &[u8]) -> Typed {
    let all: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| all.get(k).cloned().unwrap_or_default();
    Typed {
        service: get("service"),
        month: get("month"),
        amount: get("amount"),
        currency: get("currency"),
        note: get("note"),
    }
}

/// The form, its service choices being the agency's services (and "all of them").
fn form(state: &AppState, lang: Lang, csrf: &str, agency: &str, t: &Typed) -> Form {
    let snap = state.catalogue.snapshot();
    let mut services: Vec<(String, String)> = snap
        .by_name()
        .iter()
        .filter(|e| e.service.agency_code.as_str() == agency)
        .map(|e| {
            (
                e.service.code.to_string(),
                lang.pick(&e.service.name, &e.service.name_sw).to_string(),
            )
        })
        .collect();
    services.insert(
        0,
        (String::new(), tr(lang, "cost_all_services").to_string()),
    );
    let mut service = Field::new(lang, "cost_service", "radios");
    service.name = "service";
    service.choices = services
        .into_iter()
        .map(|(value, label)| Choice {
            checked: value == t.service,
            value,
            label,
        })
        .collect();
    let mut currency = Field::new(lang, "cost_currency", "radios");
    currency.name = "currency";
    let chosen = if t.currency.is_empty() {
        "KES"
    } else {
        t.currency.as_str()
    };
    currency.choices = ["KES", "USD"]
        .iter()
        .map(|c| Choice {
            value: c.to_string(),
            label: c.to_string(),
            checked: *c == chosen,
        })
        .collect();
    let mut month = Field::new(lang, "cost_month", "text").value(&t.month);
    month.name = "month";
    let mut amount = Field::new(lang, "cost_amount", "text").value(&t.amount);
    amount.name = "amount";
    let mut note = Field::new(lang, "cost_note", "text").value(&t.note);
    note.name = "note";
    Form::new(
        format!("/admin/agencies/{agency}/costs"),
        csrf,
        tr(lang, "cost_save"),
        vec![service, month, amount, currency, note],
    )
}

async fn show(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    form: Form,
    notice: &'static str,
) -> Response {
    let lang = s.v.lang;
    let costs = match state.insights.costs(agency).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let status = form.status();
    render(
        status,
        &CostsPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("/admin/agencies/{agency}/costs"),
            ),
            agency: agency.to_string(),
            notice,
            form,
            rows: costs
                .iter()
                .map(|c| Row {
                    name: c.month.clone(),
                    href: None,
                    cells: vec![
                        c.service
                            .clone()
                            .unwrap_or_else(|| tr(lang, "cost_all_services").to_string()),
                        c.amount.display(),
                        c.note.clone(),
                    ],
                })
                .collect(),
        },
    )
}

/// The agency, when it exists and the visitor administers it.
fn allowed(state: &AppState, s: &SignedIn, code: &str) -> Result<String, Error> {
    let agency = super::views::known_agency(state, code)
        .ok_or_else(|| Error::NotFound("agency".into()))?
        .code
        .to_string();
    check(&s.v.actor, Action::Edit, Object::Agency(&agency))?;
    Ok(agency.to_string())
}

/// `?saved=1` after a save.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /admin/agencies/{code}/costs`
pub async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    q: Result<Query<Saved>, QueryRejection>,
) -> Response {
    let agency = match allowed(&state, &s, &code) {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let notice = if q.is_ok_and(|Query(q)| q.saved.is_some()) {
        tr(s.v.lang, "cost_saved")
    } else {
        ""
    };
    let form = form(&state, s.v.lang, &s.v.csrf, &agency, &Typed::default());
    show(&state, &s, &agency, form, notice).await
}

/// `POST /admin/agencies/{code}/costs`: saves one month's cost, or shows what is wrong.
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let agency = match allowed(&state, &s, &code) {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let lang = s.v.lang;
    let t = typed(&body);
    let again = |field: &'static str, code: &'static str| {
        form(&state, lang, &s.v.csrf, &agency, &t).problems(lang, &Problems::one(field, code))
    };
    let currency = match t.currency.as_str() {
        "USD" => Currency::Usd,
        _ => Currency::Kes,
    };
    let amount = match Money::parse_decimal(t.amount.trim(), currency) {
        Ok(m) => m,
        Err(_) => {
            return show(
                &state,
                &s,
                &agency,
                again("amount", "cost_amount_invalid"),
                "",
            )
            .await
        }
    };
    let service = Some(t.service.as_str()).filter(|s| !s.is_empty());
    match state
        .insights
        .set_cost(&s.v.actor, &agency, service, &t.month, amount, &t.note)
        .await
    {
        Ok(()) => Redirect::to(&format!("/admin/agencies/{agency}/costs?saved=1")).into_response(),
        Err(Error::Invalid { field, message }) => {
            let code = match field.as_str() {
                "month" => "cost_month_invalid",
                "note" => "cost_note_too_long",
                "service" => "cost_service_invalid",
                _ if message.contains("costs are entered in") => "cost_currency_mixed",
                _ => "cost_amount_invalid",
            };
            let field = match field.as_str() {
                "month" => "month",
                "note" => "note",
                "service" => "service",
                _ => "amount",
            };
            show(&state, &s, &agency, again(field, code), "").await
        }
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}
