//! The national dashboard and the page of each agency and service.

use super::views::{
    self, count, count_cells, kept, ratio, share, Range, RangeParams, Row, TableView,
};
use crate::i18n::Lang;
use crate::pages::{Chrome, PageLang};
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use fluent_bundle::FluentValue;
use lango_insights::kpi::Kpis;
use lango_insights::survey::Group;
use lango_insights::usage::Revenue;
use lango_insights::Scope;

/// A dashboard page: headline figures, the trend, tables, and links onwards.
#[derive(Template)]
#[template(path = "insights_dashboard.html")]
struct DashboardPage {
    c: Chrome,
    title: String,
    lead: String,
    here: String,
    ranges: Vec<(i64, String, bool)>,
    /// (word key, figure, how it was counted).
    headlines: Vec<(&'static str, String, String)>,
    trend_chart: String,
    trend_rows: Vec<Row>,
    tables: Vec<TableView>,
    /// (href, word key).
    links: Vec<(String, &'static str)>,
}

/// The four KPIs and the money received as headline figures.
fn headlines(lang: Lang, k: &Kpis, revenue: &[Revenue]) -> Vec<(&'static str, String, String)> {
    let of = |r: Option<(i64, i64)>| match r {
        Some((n, d)) => tr_with(
            lang,
            "ins_of",
            [FluentValue::from(&count(n)), FluentValue::from(&count(d))],
        ),
        None => String::new(),
    };
    let mut out = vec![
        (
            "ins_completion_rate",
            ratio(lang, k.completion_rate),
            of(k.completion_rate),
        ),
        (
            "ins_digital_take_up",
            ratio(lang, k.digital_take_up),
            of(k.digital_take_up),
        ),
        (
            "ins_satisfaction",
            ratio(lang, k.satisfaction),
            of(k.satisfaction),
        ),
        (
            "ins_cost_per_transaction",
            k.cost_per_transaction
                .map(|m| m.display())
                .unwrap_or_else(|| tr(lang, "ins_no_data").to_string()),
            String::new(),
        ),
    ];
    for r in revenue {
        out.push((
            "ins_received",
            r.amount.display(),
            tr_with(
                lang,
                "ins_payments",
                [FluentValue::from(&count(r.payments))],
            ),
        ));
    }
    out
}

/// The usage tables every dashboard has: by channel (and what else the caller adds).
fn channel_table(lang: Lang, rows: &[(String, lango_insights::usage::Counts)]) -> TableView {
    TableView {
        id: "by-channel",
        title: "ins_by_channel",
        headers: [&["ins_channel"][..], &views::COUNT_HEADERS[..]].concat(),
        rows: rows
            .iter()
            .map(|(channel, c)| Row {
                name: tr(lang, &format!("ins_channel_{channel}")).to_string(),
                href: None,
                cells: count_cells(lang, c),
            })
            .collect(),
    }
}

/// Fewest survey answers a published group may have (fewer could identify people).
const GROUP_MIN: i64 = 5;

/// Satisfaction per group people chose to say (groups with too few answers left out).
fn satisfaction_table(
    lang: Lang,
    group: Group,
    id: &'static str,
    title: &'static str,
    rows: &[(String, lango_insights::survey::Summary)],
) -> TableView {
    TableView {
        id,
        title,
        headers: vec!["ins_group", "ins_answers", "ins_satisfaction"],
        rows: rows
            .iter()
            .filter(|(_, s)| s.responses >= GROUP_MIN)
            .map(|(value, s)| Row {
                name: match (group, value.as_str()) {
                    (_, "") => tr(lang, "ins_not_said").to_string(),
                    (Group::Sex, sex) => tr(lang, &format!("ins_sex_{sex}")).to_string(),
                    (_, other) => other.to_string(),
                },
                href: None,
                cells: vec![count(s.responses), share(lang, s.satisfied, s.responses)],
            })
            .collect(),
    }
}

/// Everything a dashboard over `scope` reads, rendered with `title` and `lead`.
async fn dashboard(
    state: &AppState,
    lang: Lang,
    scope: Scope,
    range: &Range,
    here: String,
    title: String,
    lead: String,
) -> lango_core::Result<DashboardPage> {
    let ins = &state.insights;
    let kpis = ins.kpis(&scope, &range.from_month, &range.to_month).await?;
    let revenue = ins.revenue(&scope, &range.from, &range.to).await?;
    let days = ins.trend(&scope, &range.from, &range.to).await?;
    let (trend_chart, trend_rows) = views::trend(lang, &days);
    let mut tables = vec![channel_table(
        lang,
        &ins.by_channel(&scope, &range.from, &range.to).await?,
    )];
    match &scope {
        Scope::National => {
            let rows = ins.by_agency(&range.from, &range.to).await?;
            tables.insert(
                0,
                TableView {
                    id: "by-agency",
                    title: "ins_by_agency",
                    headers: [&["ins_agency"][..], &views::COUNT_HEADERS[..]].concat(),
                    rows: rows
                        .iter()
                        .map(|(code, c)| Row {
                            name: views::agency_name(state, lang, code),
                            href: Some(format!("/performance/agencies/{code}")),
                            cells: count_cells(lang, c),
                        })
                        .collect(),
                },
            );
        }
        Scope::Agency(_) => {
            let rows = ins.by_service(&scope, &range.from, &range.to).await?;
            tables.insert(
                0,
                TableView {
                    id: "by-service",
                    title: "ins_by_service",
                    headers: [&["ins_service"][..], &views::COUNT_HEADERS[..]].concat(),
                    rows: rows
                        .iter()
                        .map(|(code, c)| Row {
                            name: views::service_name(state, lang, code),
                            href: Some(format!("/performance/services/{code}")),
                            cells: count_cells(lang, c),
                        })
                        .collect(),
                },
            );
        }
        Scope::Service(_) => {
            let rows = ins
                .by_county(&scope, &range.from_month, &range.to_month)
                .await?;
            tables.push(TableView {
                id: "by-county",
                title: "ins_by_county",
                headers: [&["ins_county"][..], &views::COUNT_HEADERS[..]].concat(),
                rows: rows
                    .iter()
                    .map(|(county, c)| Row {
                        name: if county.is_empty() {
                            tr(lang, "ins_not_said").to_string()
                        } else {
                            county.clone()
                        },
                        href: None,
                        cells: count_cells(lang, c),
                    })
                    .collect(),
            });
            for (group, id, title) in [
                (Group::Sex, "satisfaction-sex", "ins_satisfaction_by_sex"),
                (
                    Group::AgeBand,
                    "satisfaction-age",
                    "ins_satisfaction_by_age",
                ),
                (
                    Group::County,
                    "satisfaction-county",
                    "ins_satisfaction_by_county",
                ),
            ] {
                let rows = ins
                    .satisfaction_by(&scope, &range.from_month, &range.to_month, group)
                    .await?;
                tables.push(satisfaction_table(lang, group, id, title, &rows));
            }
            let s = ins
                .satisfaction(&scope, &range.from_month, &range.to_month)
                .await?;
            tables.push(TableView {
                id: "satisfaction",
                title: "ins_satisfaction_attributes",
                headers: vec!["ins_attribute", "ins_answered", "ins_said_yes"],
                rows: lango_insights::survey::ATTRIBUTES
                    .iter()
                    .zip(s.attributes)
                    .map(|((key, _), (n, yes))| Row {
                        name: tr(lang, &format!("ins_attr_{key}")).to_string(),
                        href: None,
                        cells: vec![count(n), share(lang, yes, n)],
                    })
                    .collect(),
            });
        }
    }
    let months = ins
        .kpis_by_month(&scope, &range.from_month, &range.to_month)
        .await?;
    tables.push(TableView {
        id: "kpis-by-month",
        title: "ins_kpis_by_month",
        headers: vec![
            "ins_month",
            "ins_cost_per_transaction",
            "ins_satisfaction",
            "ins_completion_rate",
            "ins_digital_take_up",
        ],
        rows: months
            .iter()
            .rev()
            .map(|(month, k)| Row {
                name: month.clone(),
                href: None,
                cells: vec![
                    k.cost_per_transaction
                        .map(|m| m.display())
                        .unwrap_or_else(|| tr(lang, "ins_no_data").to_string()),
                    ratio(lang, k.satisfaction),
                    ratio(lang, k.completion_rate),
                    ratio(lang, k.digital_take_up),
                ],
            })
            .collect(),
    });
    let mut links = vec![
        (
            "/performance/digitisation".to_string(),
            "ins_digitisation_link",
        ),
        ("/performance/league".to_string(), "ins_league_link"),
        ("/performance/centres".to_string(), "cfig_link"),
        ("/performance/phone".to_string(), "pfig_link"),
        ("/performance/agents".to_string(), "afig_link"),
        ("/performance/searches".to_string(), "ins_searches_link"),
        ("/open-data".to_string(), "ins_open_data_link"),
    ];
    if !matches!(scope, Scope::National) {
        links.insert(0, ("/performance".to_string(), "ins_national_link"));
    }
    Ok(DashboardPage {
        c: Chrome::new(lang, state.config.demo, &here),
        ranges: range.options(lang),
        headlines: headlines(lang, &kpis, &revenue),
        title,
        lead,
        here,
        trend_chart,
        trend_rows,
        tables,
        links,
    })
}

fn range_of(q: Result<Query<RangeParams>, QueryRejection>) -> Range {
    Range::of(&q.map(|Query(p)| p).unwrap_or_default())
}

/// `GET /performance`: the whole platform.
pub async fn national(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    q: Result<Query<RangeParams>, QueryRejection>,
) -> Response {
    let range = range_of(q);
    let page = dashboard(
        &state,
        lang,
        Scope::National,
        &range,
        "/performance".into(),
        tr(lang, "ins_national_title").into(),
        tr(lang, "ins_national_lead").into(),
    );
    kept(&state, lang, &uri, page).await
}

/// `GET /performance/agencies/{code}`: one agency.
pub async fn agency(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    Path(code): Path<String>,
    q: Result<Query<RangeParams>, QueryRejection>,
) -> Response {
    let Some(agency) = views::known_agency(&state, &code) else {
        return crate::error::page_error(
            &state,
            lang,
            lango_core::Error::NotFound("agency".into()),
        );
    };
    let range = range_of(q);
    let page = dashboard(
        &state,
        lang,
        Scope::Agency(agency.code.to_string()),
        &range,
        format!("/performance/agencies/{}", agency.code),
        lang.pick(&agency.name, &agency.name_sw).to_string(),
        tr(lang, "ins_agency_lead").into(),
    );
    kept(&state, lang, &uri, page).await
}

/// `GET /performance/services/{code}`: one service.
pub async fn service(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    Path(code): Path<String>,
    q: Result<Query<RangeParams>, QueryRejection>,
) -> Response {
    let Some(hit) = views::known_service(&state, &code) else {
        return crate::error::page_error(
            &state,
            lang,
            lango_core::Error::NotFound("service".into()),
        );
    };
    let range = range_of(q);
    let page = dashboard(
        &state,
        lang,
        Scope::Service(hit.entry.service.code.to_string()),
        &range,
        format!("/performance/services/{}", hit.entry.service.code),
        lang.pick(&hit.entry.service.name, &hit.entry.service.name_sw)
            .to_string(),
        format!(
            "{} {}",
            tr(lang, "ins_service_lead"),
            lang.pick(&hit.agency.name, &hit.agency.name_sw)
        ),
    );
    kept(&state, lang, &uri, page).await
}
