//! An agency's administrators: their contracts, and the values of their entered
//! indicators, each entered with its evidence on a page of its own.

use super::views::{in_unit, source_label};
use crate::pages::account::when;
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use fluent_bundle::FluentValue;
use lango_core::Error;
use lango_identity::policy::{check, Action, Object};
use lango_insights::performance::Indicator;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "performance_agency.html")]
struct AgencyPage {
    c: Chrome,
    agency: String,
    periods: Vec<String>,
}

/// One indicator of the agency's contract.
pub struct Row {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where its value comes from.
    pub source: String,
    /// Its target.
    pub target: String,
    /// The value entered, if any.
    pub value: String,
    /// Its evidence.
    pub evidence: String,
    /// When it was entered.
    pub entered: String,
    /// Whether the agency enters it.
    pub entered_here: bool,
}

#[derive(Template)]
#[template(path = "performance_entries.html")]
struct EntriesPage {
    c: Chrome,
    agency: String,
    period: String,
    notice: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "performance_enter.html")]
struct EnterPage {
    c: Chrome,
    agency: String,
    period: String,
    action: String,
    name: String,
    target: String,
    hint: &'static str,
    value: String,
    evidence: String,
    value_error: Option<&'static str>,
    evidence_error: Option<&'static str>,
}

/// What the entry form posts.
#[derive(Deserialize, Default)]
pub struct EnterForm {
    #[serde(default)]
    value: String,
    #[serde(default)]
    evidence: String,
}

/// `?saved=INDICATOR` after a value was entered.
#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// The refusal page unless the visitor may do `action` with the agency's values.
fn refused(state: &AppState, s: &SignedIn, agency: &str, action: Action) -> Option<Response> {
    check(&s.v.actor, action, Object::Performance(Some(agency)))
        .err()
        .map(|e| crate::error::page_error(state, s.v.lang, e))
}

/// `GET /admin/agencies/{code}/performance`
pub async fn agency(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    if let Some(r) = refused(&state, &s, &agency, Action::View) {
        return r;
    }
    match state.insights.contract_periods(&agency).await {
        Ok(periods) => render(
            StatusCode::OK,
            &AgencyPage {
                c: Chrome::for_visitor(
                    &s.v,
                    state.config.demo,
                    &format!("/admin/agencies/{agency}/performance"),
                ),
                agency,
                periods,
            },
        ),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `GET /admin/agencies/{code}/performance/{period}`
pub async fn period(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, period)): Path<(String, String)>,
    saved: Result<Query<Saved>, QueryRejection>,
) -> Response {
    if let Some(r) = refused(&state, &s, &agency, Action::View) {
        return r;
    }
    let lang = s.v.lang;
    let loaded = async {
        let contract = state.insights.contract(&period, &agency).await?;
        let entries = state.insights.entries(&period, Some(&agency)).await?;
        Ok::<_, Error>((contract, entries))
    };
    let (contract, entries) = match loaded.await {
        Ok((Some(c), e)) => (c.value, e),
        Ok((None, _)) => {
            return crate::error::page_error(&state, lang, Error::NotFound("contract".into()))
        }
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let rows = contract
        .indicators
        .iter()
        .map(|i| {
            let e = entries.iter().find(|e| e.indicator == i.id);
            let value =
                e.and_then(|e| lango_insights::performance::decimal::Dec::parse(&e.value).ok());
            Row {
                id: i.id.clone(),
                name: i.name.clone(),
                source: source_label(lang, i),
                target: in_unit(i, i.target.q()),
                value: value.map(|v| in_unit(i, v.q())).unwrap_or_default(),
                evidence: e.map(|e| e.evidence.clone()).unwrap_or_default(),
                entered: e.map(|e| when(e.entered_at)).unwrap_or_default(),
                entered_here: i.is_entered(),
            }
        })
        .collect();
    let notice = saved
        .ok()
        .and_then(|Query(q)| q.saved)
        .map(|id| tr_with(lang, "perf_value_saved", [FluentValue::from(&id)]))
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &EntriesPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("/admin/agencies/{agency}/performance/{period}"),
            ),
            agency,
            period,
            notice,
            rows,
        },
    )
}

/// The words of an indicator's value field: `perf_value_{hint,error}_{unit}`.
fn words(lang: crate::i18n::Lang, what: &str, indicator: &Indicator) -> &'static str {
    use lango_insights::performance::model::Unit;
    let unit = match indicator.unit() {
        Unit::Percent => "percent",
        Unit::Number => "number",
        Unit::Amount => "amount",
    };
    tr(lang, &format!("perf_value_{what}_{unit}"))
}

#[allow(clippy::too_many_arguments)]
fn enter_page(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    period: &str,
    i: &Indicator,
    f: &EnterForm,
    value_error: Option<&'static str>,
    evidence_error: Option<&'static str>,
) -> Response {
    let lang = s.v.lang;
    let action = format!("/admin/agencies/{agency}/performance/{period}/{}", i.id);
    let status = if value_error.is_some() || evidence_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(
        status,
        &EnterPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &action),
            agency: agency.to_string(),
            period: period.to_string(),
            action,
            name: i.name.clone(),
            target: in_unit(i, i.target.q()),
            hint: words(lang, "hint", i),
            value: f.value.clone(),
            evidence: f.evidence.clone(),
            value_error,
            evidence_error,
        },
    )
}

/// `GET /admin/agencies/{code}/performance/{period}/{indicator}`
pub async fn form(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, period, id)): Path<(String, String, String)>,
) -> Response {
    if let Some(r) = refused(&state, &s, &agency, Action::Edit) {
        return r;
    }
    let lang = s.v.lang;
    let i = match state
        .insights
        .entered_indicator(&period, &agency, &id)
        .await
    {
        Ok(i) => i,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let current = match state.insights.entries(&period, Some(&agency)).await {
        Ok(e) => e.into_iter().find(|e| e.indicator == id),
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let f = EnterForm {
        value: current
            .as_ref()
            .map(|e| e.value.clone())
            .unwrap_or_default(),
        evidence: current.map(|e| e.evidence).unwrap_or_default(),
    };
    enter_page(&state, &s, &agency, &period, &i, &f, None, None)
}

/// `POST /admin/agencies/{code}/performance/{period}/{indicator}`
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, period, id)): Path<(String, String, String)>,
    Form(f): Form<EnterForm>,
) -> Response {
    let lang = s.v.lang;
    let done = state
        .insights
        .enter_value(&s.v.actor, &period, &agency, &id, &f.value, &f.evidence)
        .await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!(
            "/admin/agencies/{agency}/performance/{period}?saved={id}"
        ))
        .into_response(),
        Ok(Err(problems)) => {
            let i = match state
                .insights
                .entered_indicator(&period, &agency, &id)
                .await
            {
                Ok(i) => i,
                Err(e) => return crate::error::page_error(&state, lang, e),
            };
            let value_error = problems
                .iter()
                .any(|p| p.path == "value")
                .then(|| words(lang, "error", &i));
            let evidence_error = problems.iter().any(|p| p.path == "evidence").then(|| {
                if f.evidence.trim().is_empty() {
                    tr(lang, "perf_evidence_missing")
                } else {
                    tr(lang, "perf_evidence_too_long")
                }
            });
            enter_page(
                &state,
                &s,
                &agency,
                &period,
                &i,
                &f,
                value_error,
                evidence_error,
            )
        }
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}
