//! The performance office's pages: the periods, one period with its contracts, and the
//! forms that save a period or a contract pasted as YAML or JSON. A refused text comes
//! back as typed with every problem in the error summary; nothing is stored.

use super::views::{agency_name, category_label};
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
use lango_identity::policy::{check, Action, Object};
use serde::Deserialize;

/// A period or contract as the lists show it.
pub struct ListRow {
    /// Where it is edited or shown.
    pub href: String,
    /// Its code (period) or agency code (contract).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Dates (period) or category (contract).
    pub detail: String,
    /// How many times it was saved, and when last.
    pub saved: String,
}

#[derive(Template)]
#[template(path = "performance_manage.html")]
struct ListPage {
    c: Chrome,
    periods: Vec<ListRow>,
    /// Whether the reader may add or change periods and contracts (an auditor only reads).
    may_edit: bool,
}

#[derive(Template)]
#[template(path = "performance_period.html")]
struct PeriodPage {
    c: Chrome,
    code: String,
    name: String,
    dates: String,
    notice: String,
    contracts: Vec<ListRow>,
    may_edit: bool,
}

#[derive(Template)]
#[template(path = "performance_text.html")]
struct TextPage {
    c: Chrome,
    title: String,
    lead: &'static str,
    back: (String, String),
    action: String,
    text: String,
    errors: Vec<String>,
    example: &'static str,
    may_edit: bool,
}

/// What the forms post.
#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

/// `?code=` (edit that period) or `?agency=` (edit that contract); `?saved=` after a save.
#[derive(Deserialize, Default)]
pub struct Which {
    code: Option<String>,
    agency: Option<String>,
    saved: Option<String>,
}

const PERIOD_EXAMPLE: &str = "code: FY2026-27\nname: Financial year 2026/27\nstarts: 2026-07-01\nends: 2027-06-30\nscale:\n  best: 1.0\n  worst: 5.0\n  anchors:\n    - {achievement: 70, raw: 5.0}\n    - {achievement: 100, raw: 3.0}\n    - {achievement: 130, raw: 1.0}\n  grades:\n    - {name: Excellent, from: 1.00, to: 2.40}\n    - {name: Very good, from: 2.41, to: 3.00}\n    - {name: Good, from: 3.01, to: 3.60}\n    - {name: Fair, from: 3.61, to: 4.00}\n    - {name: Poor, from: 4.01, to: 5.00}\n";

const CONTRACT_EXAMPLE: &str = "period: FY2026-27\nagency: NTSA\ncategory: state_corporation\nindicators:\n  - id: sla\n    name: Applications decided within the service standard\n    weight: 40\n    measure: sla_compliance\n    target: 90\n  - id: revenue\n    name: Revenue collected\n    weight: 30\n    measure: revenue\n    currency: KES\n    target: 2000000.00\n  - id: pay_days\n    name: Average days to pay suppliers\n    weight: 30\n    entered: number\n    direction: lower_is_better\n    target: 30\n";

/// The refusal page unless the visitor may see the office's pages.
fn refused(state: &AppState, s: &SignedIn) -> Option<Response> {
    check(&s.v.actor, Action::View, Object::Performance(None))
        .err()
        .map(|e| crate::error::page_error(state, s.v.lang, e))
}

/// Whether the visitor may save periods and contracts (the office), not only read them.
fn may_edit(s: &SignedIn) -> bool {
    lango_identity::policy::may(&s.v.actor, Action::Edit, Object::Performance(None))
}

fn saved(lang: crate::i18n::Lang, revision: i64, at: i64) -> String {
    tr_with(
        lang,
        "perf_saved_times",
        [FluentValue::from(revision), FluentValue::from(&when(at))],
    )
}

/// `GET /admin/performance`
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Response {
    if let Some(r) = refused(&state, &s) {
        return r;
    }
    let lang = s.v.lang;
    match state.insights.performance_periods().await {
        Ok(periods) => render(
            StatusCode::OK,
            &ListPage {
                may_edit: may_edit(&s),
                c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/performance"),
                periods: periods
                    .into_iter()
                    .map(|p| ListRow {
                        href: format!("/admin/performance/periods/{}", p.value.code),
                        detail: format!("{} – {}", p.value.starts, p.value.ends),
                        saved: saved(lang, p.revision, p.saved_at),
                        code: p.value.code,
                        name: p.value.name,
                    })
                    .collect(),
            },
        ),
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}

/// `GET /admin/performance/periods/{period}`
pub async fn period(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    which: Result<Query<Which>, QueryRejection>,
) -> Response {
    if let Some(r) = refused(&state, &s) {
        return r;
    }
    let lang = s.v.lang;
    let loaded = async {
        let period = state.insights.performance_period(&code).await?;
        let contracts = state.insights.contracts(&code).await?;
        Ok::<_, lango_core::Error>((period, contracts))
    };
    let (period, contracts) = match loaded.await {
        Ok((Some(p), c)) => (p, c),
        Ok((None, _)) => {
            return crate::error::page_error(
                &state,
                lang,
                lango_core::Error::NotFound("period".into()),
            )
        }
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let notice = match which.ok().and_then(|Query(w)| w.saved) {
        Some(what) if what == "period" => tr(lang, "perf_period_saved").to_string(),
        Some(agency) => tr_with(lang, "perf_contract_saved", [FluentValue::from(&agency)]),
        None => String::new(),
    };
    let here = format!("/admin/performance/periods/{code}");
    render(
        StatusCode::OK,
        &PeriodPage {
            may_edit: may_edit(&s),
            c: Chrome::for_visitor(&s.v, state.config.demo, &here),
            name: period.value.name.clone(),
            dates: format!("{} – {}", period.value.starts, period.value.ends),
            notice,
            contracts: contracts
                .into_iter()
                .map(|c| ListRow {
                    href: format!("{here}/contract?agency={}", c.value.agency),
                    name: agency_name(&state, lang, &c.value.agency),
                    detail: category_label(lang, &c.value.category),
                    saved: saved(lang, c.revision, c.saved_at),
                    code: c.value.agency,
                })
                .collect(),
            code,
        },
    )
}

/// `GET /admin/performance/period` (`?code=` to edit one).
pub async fn period_form(
    State(state): State<AppState>,
    s: SignedIn,
    which: Result<Query<Which>, QueryRejection>,
) -> Response {
    if let Some(r) = refused(&state, &s) {
        return r;
    }
    let code = which.ok().and_then(|Query(w)| w.code);
    let text = match &code {
        Some(code) => match state.insights.performance_period(code).await {
            Ok(Some(p)) => p.source,
            Ok(None) => {
                return crate::error::page_error(
                    &state,
                    s.v.lang,
                    lango_core::Error::NotFound("period".into()),
                )
            }
            Err(e) => return crate::error::page_error(&state, s.v.lang, e),
        },
        None => String::new(),
    };
    period_page(&state, &s, text, Vec::new())
}

fn period_page(state: &AppState, s: &SignedIn, text: String, errors: Vec<String>) -> Response {
    let lang = s.v.lang;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &TextPage {
            may_edit: may_edit(s),
            c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/performance/period"),
            title: tr(lang, "perf_save_period").to_string(),
            lead: tr(lang, "perf_save_period_lead"),
            back: (
                "/admin/performance".into(),
                tr(lang, "perf_manage_title").to_string(),
            ),
            action: "/admin/performance/period".into(),
            text,
            errors,
            example: PERIOD_EXAMPLE,
        },
    )
}

/// `POST /admin/performance/period`
pub async fn period_save(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<TextForm>,
) -> Response {
    match state.insights.save_period(&s.v.actor, &f.text, None).await {
        Ok(Ok(p)) => Redirect::to(&format!(
            "/admin/performance/periods/{}?saved=period",
            p.code
        ))
        .into_response(),
        Ok(Err(problems)) => {
            let errors = problems.iter().map(ToString::to_string).collect();
            period_page(&state, &s, f.text, errors)
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `GET /admin/performance/periods/{period}/contract` (`?agency=` to edit one).
pub async fn contract_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    which: Result<Query<Which>, QueryRejection>,
) -> Response {
    if let Some(r) = refused(&state, &s) {
        return r;
    }
    let lang = s.v.lang;
    match state.insights.performance_period(&code).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return crate::error::page_error(
                &state,
                lang,
                lango_core::Error::NotFound("period".into()),
            )
        }
        Err(e) => return crate::error::page_error(&state, lang, e),
    }
    let text = match which.ok().and_then(|Query(w)| w.agency) {
        Some(agency) => match state.insights.contract(&code, &agency).await {
            Ok(Some(c)) => c.source,
            Ok(None) => {
                return crate::error::page_error(
                    &state,
                    lang,
                    lango_core::Error::NotFound("contract".into()),
                )
            }
            Err(e) => return crate::error::page_error(&state, lang, e),
        },
        None => format!("period: {code}\nagency: \ncategory: \nindicators:\n"),
    };
    contract_page(&state, &s, &code, text, Vec::new())
}

fn contract_page(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    text: String,
    errors: Vec<String>,
) -> Response {
    let lang = s.v.lang;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let back = format!("/admin/performance/periods/{code}");
    render(
        status,
        &TextPage {
            may_edit: may_edit(s),
            c: Chrome::for_visitor(&s.v, state.config.demo, &format!("{back}/contract")),
            title: tr_with(lang, "perf_save_contract", [FluentValue::from(code)]),
            lead: tr(lang, "perf_save_contract_lead"),
            action: format!("{back}/contract"),
            back: (back, code.to_string()),
            text,
            errors,
            example: CONTRACT_EXAMPLE,
        },
    )
}

/// `POST /admin/performance/periods/{period}/contract`
pub async fn contract_save(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<TextForm>,
) -> Response {
    match state
        .insights
        .save_contract(&s.v.actor, &f.text, Some(&code), None)
        .await
    {
        Ok(Ok(c)) => Redirect::to(&format!(
            "/admin/performance/periods/{code}?saved={}",
            c.agency
        ))
        .into_response(),
        Ok(Err(problems)) => {
            let errors = problems.iter().map(ToString::to_string).collect();
            contract_page(&state, &s, &code, f.text, errors)
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
