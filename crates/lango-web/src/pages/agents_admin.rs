//! Platform staff's agent pages: the register by status (`/admin/agents`), one agent with
//! its vetting decisions (approve, refuse, suspend, reinstate: each with its reason, each
//! audited), and the commission rules in force (`/admin/agents/commission`), where a rule
//! that overlaps one in force is refused naming that rule.

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
use axum::routing::{get, post};
use axum::{Form as Posted, Router};
use lango_agents::commission::{Refused, Rule, Scope};
use lango_agents::model::{Agent, Status};
use lango_agents::registry::{self, Decision};
use lango_agents::rules::{self, RuleForm, CHANNELS};
use lango_core::money::{Currency, Money};
use lango_identity::model::Problems;
use lango_identity::policy::{may, Action, Object};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/agents", get(list))
        .route("/admin/agents/alerts", get(alerts))
        .route("/admin/agents/commission", get(rules_page).post(add_rule))
        .route("/admin/agents/commission/{id}/retire", post(retire_rule))
        .route("/admin/agents/{code}", get(one).post(decide))
        .route("/admin/agents/{code}/cap", post(set_cap))
}

#[derive(Template)]
#[template(path = "agents_admin.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<(String, String, String, &'static str, String)>,
}

/// Which status to list.
#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    status: String,
}

/// `GET /admin/agents?status=`: the register, applications waiting first by default.
async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    q: Result<Query<Filter>, QueryRejection>,
) -> Response {
    let lang = s.v.lang;
    let status = q.ok().and_then(|Query(f)| Status::parse(&f.status));
    let agents = match registry::list(&state.db, &s.v.actor, status).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let page = ListPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/agents"),
        statuses: ["applied", "approved", "suspended", "refused"]
            .into_iter()
            .map(|w| {
                (
                    w,
                    tr(lang, &format!("agent_status_{w}")),
                    status.map(Status::as_str) == Some(w),
                )
            })
            .collect(),
        rows: agents
            .into_iter()
            .map(|a| {
                let st = tr(lang, &format!("agent_status_{}", a.status.as_str()));
                (a.code, a.name, a.county, st, day(a.applied_at))
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "agent_admin.html")]
struct OnePage {
    c: Chrome,
    agent: Agent,
    status: &'static str,
    applied: String,
    form: Form,
    may_decide: bool,
    may_edit: bool,
    /// Alerts of the last 30 days: (what, evidence).
    alerts: Vec<Worded>,
    /// The daily cap's form.
    cap: Form,
    /// The application's documents: (what, file name, link).
    documents: Vec<(&'static str, String, String)>,
}

fn decisions(a: &Agent) -> Vec<Decision> {
    match a.status {
        Status::Applied => vec![Decision::Approve, Decision::Refuse],
        Status::Approved => vec![Decision::Suspend],
        Status::Suspended => vec![Decision::Reinstate],
        Status::Refused => Vec::new(),
    }
}

fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Approve => "approve",
        Decision::Refuse => "refuse",
        Decision::Suspend => "suspend",
        Decision::Reinstate => "reinstate",
    }
}

async fn one_page(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    f: &DecideForm,
    (problems, cap_error): (&Problems, &[(String, String)]),
) -> Response {
    let lang = s.v.lang;
    let a = match registry::get_for(&state.db, &s.v.actor, code).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let choices: Vec<&str> = decisions(&a).into_iter().map(decision_word).collect();
    let form = Form::new(
        format!("/admin/agents/{}", a.code),
        &s.v.csrf,
        tr(lang, "agent_decide_button"),
        vec![
            Field::new(lang, "decision", "radios").worded_choices(
                lang,
                "agent_decision_",
                &choices,
                &f.decision,
            ),
            Field::new(lang, "reason", "textarea").value(&f.reason),
        ],
    )
    .problems(lang, problems);
    let object = Object::Agent {
        code: &a.code,
        business: &a.business_id,
    };
    let alerts = match lango_agents::fraud::alerts(&state.db, &a.code, ALERT_DAYS).await {
        Ok(found) => worded(lang, found),
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let documents = match lango_agents::documents::of(&state.db, &a.code).await {
        Ok(d) => super::agent_documents::links(lang, &a.code, d),
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let cap = match lango_agents::fraud::cap_of(&state.db, &a.code).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let cap = Form::new(
        format!("/admin/agents/{}/cap", a.code),
        &s.v.csrf,
        tr(lang, "save"),
        vec![
            Field::new(lang, "daily_cap", "text").value(if f.daily_cap.is_empty() {
                cap.to_string()
            } else {
                f.daily_cap.clone()
            }),
        ],
    )
    .messages(cap_error);
    let page = OnePage {
        documents,
        cap,
        alerts,
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/admin/agents/{}", a.code),
        ),
        status: tr(lang, &format!("agent_status_{}", a.status.as_str())),
        applied: day(a.applied_at),
        may_decide: !choices.is_empty() && may(&s.v.actor, Action::Edit, object),
        may_edit: may(&s.v.actor, Action::Edit, object),
        form,
        agent: a,
    };
    let status = if page.cap.errors.is_empty() {
        page.form.status()
    } else {
        page.cap.status()
    };
    render(status, &page)
}

/// `GET /admin/agents/{code}`
async fn one(State(state): State<AppState>, s: SignedIn, Path(code): Path<String>) -> Response {
    one_page(
        &state,
        &s,
        &code,
        &DecideForm::default(),
        (&Problems::default(), &[]),
    )
    .await
}

/// A vetting decision as posted.
#[derive(Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    daily_cap: String,
}

/// `POST /admin/agents/{code}/cap`: sets the agent's daily cap.
async fn set_cap(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Posted(f): Posted<DecideForm>,
) -> Response {
    let cap = f.daily_cap.trim().parse::<i64>().unwrap_or(0);
    match lango_agents::fraud::set_cap(&state.db, &s.v.actor, &code, cap).await {
        Ok(()) => Redirect::to(&format!("/admin/agents/{code}")).into_response(),
        Err(lango_core::Error::Invalid { field, .. }) => {
            let error = [(field, tr(s.v.lang, "agent_cap_invalid").to_string())];
            one_page(&state, &s, &code, &f, (&Problems::default(), &error)).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/agents/{code}`: records the decision.
async fn decide(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Posted(f): Posted<DecideForm>,
) -> Response {
    let Some(d) = Decision::parse(&f.decision) else {
        return one_page(
            &state,
            &s,
            &code,
            &f,
            (&Problems::one("decision", "choose_one"), &[]),
        )
        .await;
    };
    match registry::decide(&state.db, &s.v.actor, &code, d, &f.reason).await {
        Ok(Ok(a)) => Redirect::to(&format!("/admin/agents/{}", a.code)).into_response(),
        Ok(Err(p)) => one_page(&state, &s, &code, &f, (&p, &[])).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// How far back alerts look.
const ALERT_DAYS: i64 = 30;

/// An alert as pages show it: (what, in words; evidence).
type Worded = (&'static str, Vec<String>);

/// Alerts as pages show them.
fn worded(lang: crate::i18n::Lang, alerts: Vec<lango_agents::fraud::Alert>) -> Vec<Worded> {
    alerts
        .into_iter()
        .map(|a| (tr(lang, &format!("alert_{}", a.kind.as_str())), a.evidence))
        .collect()
}

#[derive(Template)]
#[template(path = "agents_alerts.html")]
struct AlertsPage {
    c: Chrome,
    flagged: Vec<(String, String, Vec<Worded>)>,
}

/// `GET /admin/agents/alerts`: agents whose work shows a pattern to look at.
async fn alerts(State(state): State<AppState>, s: SignedIn) -> Response {
    let lang = s.v.lang;
    if let Err(e) = lango_identity::policy::check(&s.v.actor, Action::View, Object::Platform) {
        return crate::error::page_error(&state, lang, e);
    }
    let flagged = match lango_agents::fraud::flagged(&state.db, ALERT_DAYS).await {
        Ok(f) => f,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let page = AlertsPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/agents/alerts"),
        flagged: flagged
            .into_iter()
            .map(|(code, name, found)| (code, name, worded(lang, found)))
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// A rule as the page lists it.
struct RuleRow {
    id: String,
    text: String,
}

#[derive(Template)]
#[template(path = "commission_rules.html")]
struct RulesPage {
    c: Chrome,
    rules: Vec<RuleRow>,
    form: Form,
    may_edit: bool,
}

fn rule_text(lang: crate::i18n::Lang, r: &Rule) -> String {
    let money = |m: i64| Money::from_minor(m, Currency::Kes).to_decimal();
    let scope = match &r.scope {
        Scope::All => tr(lang, "commission_scope_all").to_string(),
        Scope::Category(c) => format!("{} {c}", tr(lang, "commission_scope_category")),
        Scope::Service(s) => format!("{} {s}", tr(lang, "commission_scope_service")),
    };
    let band = match r.band_max {
        Some(m) => format!("{} {}–{}", r.currency, money(r.band_min), money(m)),
        None => format!("{} {}+", r.currency, money(r.band_min)),
    };
    let mut earns = format!("{} {}", r.currency, money(r.flat));
    if r.percent_bps > 0 {
        earns.push_str(&format!(" + {}%", money(r.percent_bps)));
    }
    if let Some(c) = r.cap {
        earns.push_str(&format!(", ≤ {}", money(c)));
    }
    format!(
        "{scope} · {} · {band} · {earns} · {} · {}{}",
        r.channel.as_deref().unwrap_or("any"),
        tr(lang, &format!("commission_source_{}", r.source.as_str())),
        r.valid_from,
        r.valid_to
            .as_deref()
            .map(|t| format!(" – {t}"))
            .unwrap_or_default(),
    )
}

async fn rules_view(
    state: &AppState,
    s: &SignedIn,
    f: &RuleForm,
    errors: &[(String, String)],
) -> Response {
    let lang = s.v.lang;
    let list = match rules::list(&state.db, &s.v.actor).await {
        Ok(r) => r,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let form = Form::new(
        "/admin/agents/commission",
        &s.v.csrf,
        tr(lang, "commission_add"),
        vec![
            Field::new(lang, "scope", "radios").worded_choices(
                lang,
                "commission_scope_",
                &["all", "category", "service"],
                &f.scope,
            ),
            Field::new(lang, "scope_value", "text").value(&f.scope_value),
            Field::new(lang, "channel", "radios").worded_choices(
                lang,
                "commission_channel_",
                &CHANNELS,
                &f.channel,
            ),
            Field::new(lang, "band_min", "text").value(&f.band_min),
            Field::new(lang, "band_max", "text").value(&f.band_max),
            Field::new(lang, "flat", "text").value(&f.flat),
            Field::new(lang, "percent", "text").value(&f.percent),
            Field::new(lang, "cap", "text").value(&f.cap),
            Field::new(lang, "source", "radios").worded_choices(
                lang,
                "commission_source_",
                &["platform_fee", "agency"],
                &f.source,
            ),
            Field::new(lang, "valid_from", "text").value(&f.valid_from),
            Field::new(lang, "valid_to", "text").value(&f.valid_to),
        ],
    )
    .messages(errors);
    let page = RulesPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/agents/commission"),
        rules: list
            .iter()
            .map(|r| RuleRow {
                id: r.id.clone(),
                text: rule_text(lang, r),
            })
            .collect(),
        may_edit: may(&s.v.actor, Action::Edit, Object::Platform),
        form,
    };
    render(page.form.status(), &page)
}

/// `GET /admin/agents/commission`
async fn rules_page(State(state): State<AppState>, s: SignedIn) -> Response {
    rules_view(&state, &s, &RuleForm::default(), &[]).await
}

/// `POST /admin/agents/commission`: adds a rule, or says what is wrong with it (an
/// overlap names the rule it overlaps).
async fn add_rule(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<RuleForm>,
) -> Response {
    let lang = s.v.lang;
    let refused = |r: Refused| -> Vec<(String, String)> {
        match r {
            Refused::Field(field, code) => vec![(field.to_string(), tr(lang, code).to_string())],
            Refused::Overlaps(other) => vec![(
                "scope".to_string(),
                format!(
                    "{} {}: {}",
                    tr(lang, "commission_overlaps"),
                    other.id,
                    rule_text(lang, &other)
                ),
            )],
        }
    };
    let rule = match f.parse() {
        Ok(r) => r,
        Err(r) => return rules_view(&state, &s, &f, &refused(r)).await,
    };
    match rules::add(&state.db, &s.v.actor, &rule).await {
        Ok(Ok(())) => Redirect::to("/admin/agents/commission").into_response(),
        Ok(Err(r)) => rules_view(&state, &s, &f, &refused(r)).await,
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}

/// `POST /admin/agents/commission/{id}/retire`
async fn retire_rule(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Response {
    match rules::retire(&state.db, &s.v.actor, &id).await {
        Ok(()) => Redirect::to("/admin/agents/commission").into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
