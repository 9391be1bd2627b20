//! The public pages: the league of a period (a table and a bar chart of composites per
//! category) and one agency's scores with every step of how they were computed.

use super::views::{self, agency_name, category_label, IndicatorRow};
use crate::pages::chart::{self, Bar};
use crate::pages::{render, Chrome, PageLang};
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use lango_insights::performance::{League, Period};

/// A period linked from the league page.
pub struct PeriodLink {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The one shown.
    pub current: bool,
}

/// One agency's row of the league.
pub struct LeagueRow {
    /// Its rank, or "not ranked".
    pub rank: String,
    /// Its code.
    pub agency: String,
    /// Its name.
    pub name: String,
    /// Its score page.
    pub href: String,
    /// Composite, four places, or "no data".
    pub composite: String,
    /// Grade, or "no data".
    pub grade: String,
}

/// One category of the league.
pub struct CategoryView {
    /// Its anchor id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// The bar chart of composites (server-rendered SVG), empty when nothing is ranked.
    pub chart: String,
    /// Its agencies, best first.
    pub rows: Vec<LeagueRow>,
}

/// The scale as shown under the league and on each score page.
pub struct ScaleView {
    /// "Lower is better" or "Higher is better", with the best and worst.
    pub summary: String,
    /// (achievement %, raw score).
    pub anchors: Vec<(String, String)>,
    /// (name, from, to).
    pub grades: Vec<(String, String, String)>,
}

/// The scale of `period` in words.
pub fn scale_view(lang: crate::i18n::Lang, period: &Period) -> ScaleView {
    let s = &period.scale;
    let p = s.precision();
    let key = if s.lower_is_better() {
        "perf_scale_lower"
    } else {
        "perf_scale_higher"
    };
    ScaleView {
        summary: tr_with(
            lang,
            key,
            [
                FluentValue::from(&s.best.to_string()),
                FluentValue::from(&s.worst.to_string()),
            ],
        ),
        anchors: s
            .anchors
            .iter()
            .map(|a| (format!("{}%", a.achievement), a.raw.fixed(4)))
            .collect(),
        grades: s
            .grades
            .iter()
            .map(|g| (g.name.clone(), g.from.fixed(p), g.to.fixed(p)))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "performance_league.html")]
struct LeaguePage {
    c: Chrome,
    period_name: String,
    period_code: String,
    dates: String,
    periods: Vec<PeriodLink>,
    categories: Vec<CategoryView>,
    scale: ScaleView,
}

#[derive(Template)]
#[template(path = "performance_none.html")]
struct NonePage {
    c: Chrome,
}

/// `GET /performance/league`: the latest period that has started.
pub async fn latest(State(state): State<AppState>, PageLang(lang): PageLang) -> Response {
    match state.insights.latest_performance_period().await {
        Ok(Some(p)) => {
            Redirect::to(&format!("/performance/league/{}", p.value.code)).into_response()
        }
        Ok(None) => render(
            StatusCode::OK,
            &NonePage {
                c: Chrome::new(lang, state.config.demo, "/performance/league"),
            },
        ),
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}

/// The bars of one category: each ranked agency's composite.
fn bars(table: &lango_insights::performance::CategoryTable) -> Vec<Bar> {
    table
        .standings
        .iter()
        .filter_map(|s| {
            let c = s.composite?;
            Some(Bar {
                label: s.agency.clone(),
                title: format!(
                    "{}: {}{}",
                    s.agency,
                    c.fixed(4),
                    s.grade
                        .as_deref()
                        .map(|g| format!(" ({g})"))
                        .unwrap_or_default()
                ),
                value: c.units(),
            })
        })
        .collect()
}

/// `GET /performance/league/{period}`
pub async fn period(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path(code): Path<String>,
) -> Response {
    let loaded = async {
        let league = state.insights.league(&code).await?;
        let periods = state.insights.performance_periods().await?;
        Ok::<_, lango_core::Error>((league, periods))
    };
    let (league, periods): (League, _) = match loaded.await {
        Ok((Some(l), p)) => (l, p),
        Ok((None, _)) => {
            return crate::error::page_error(
                &state,
                lang,
                lango_core::Error::NotFound("period".into()),
            )
        }
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let here = format!("/performance/league/{}", league.period.code);
    let direction = if league.period.scale.lower_is_better() {
        tr(lang, "perf_chart_lower")
    } else {
        tr(lang, "perf_chart_higher")
    };
    let categories = league
        .tables
        .iter()
        .map(|t| {
            let label = category_label(lang, &t.category);
            let bars = bars(t);
            let top = bars.iter().map(|b| b.value).max().unwrap_or(0);
            let top_label = lango_insights::performance::decimal::Dec::from_units(top).fixed(2);
            CategoryView {
                id: format!("cat-{}", t.category),
                chart: if bars.is_empty() {
                    String::new()
                } else {
                    chart::bars(
                        &format!("{} – {}: {direction}", tr(lang, "perf_composite"), label),
                        &top_label,
                        &bars,
                    )
                },
                label,
                rows: t
                    .standings
                    .iter()
                    .map(|s| LeagueRow {
                        rank: views::rank(lang, s),
                        name: agency_name(&state, lang, &s.agency),
                        href: format!("{here}/{}", s.agency),
                        agency: s.agency.clone(),
                        composite: views::composite(lang, s),
                        grade: views::grade(lang, s),
                    })
                    .collect(),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &LeaguePage {
            c: Chrome::new(lang, state.config.demo, &here),
            dates: format!("{} – {}", league.period.starts, league.period.ends),
            period_name: league.period.name.clone(),
            periods: periods
                .into_iter()
                .map(|p| PeriodLink {
                    current: p.value.code == league.period.code,
                    code: p.value.code,
                    name: p.value.name,
                })
                .collect(),
            categories,
            scale: scale_view(lang, &league.period),
            period_code: league.period.code,
        },
    )
}

#[derive(Template)]
#[template(path = "performance_score.html")]
struct ScorePage {
    c: Chrome,
    period_name: String,
    period_code: String,
    agency: String,
    name: String,
    category: String,
    composite: String,
    grade: String,
    rank: String,
    ranked: usize,
    has_rank: bool,
    total: String,
    rows: Vec<IndicatorRow>,
    scale: ScaleView,
}

/// `GET /performance/league/{period}/{agency}`: every step of the agency's scores.
pub async fn agency(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path((code, agency)): Path<(String, String)>,
) -> Response {
    let league = match state.insights.league(&code).await {
        Ok(Some(l)) => l,
        Ok(None) => {
            return crate::error::page_error(
                &state,
                lang,
                lango_core::Error::NotFound("period".into()),
            )
        }
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let Some((s, ranked)) = league.of(&agency) else {
        return crate::error::page_error(
            &state,
            lang,
            lango_core::Error::NotFound("contract".into()),
        );
    };
    let sum: Option<i128> = s.indicators.iter().map(|i| i.weighted).sum();
    let here = format!("/performance/league/{}/{}", league.period.code, s.agency);
    render(
        StatusCode::OK,
        &ScorePage {
            c: Chrome::new(lang, state.config.demo, &here),
            period_name: league.period.name.clone(),
            period_code: league.period.code.clone(),
            agency: s.agency.clone(),
            name: agency_name(&state, lang, &s.agency),
            category: category_label(lang, &s.category),
            composite: views::composite(lang, s),
            grade: views::grade(lang, s),
            rank: views::rank(lang, s),
            ranked,
            has_rank: s.rank.is_some(),
            total: sum.map_or_else(
                || tr(lang, "perf_no_data").to_string(),
                |w| {
                    lango_insights::performance::decimal::write_scaled(
                        w,
                        lango_insights::performance::score::WEIGHTED_PLACES,
                        4,
                    )
                },
            ),
            rows: views::indicator_rows(lang, s),
            scale: scale_view(lang, &league.period),
        },
    )
}
