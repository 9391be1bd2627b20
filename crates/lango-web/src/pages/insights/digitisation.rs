//! Digitisation progress against the target, and the searches that found little.

use super::views::{count, kept, share, Range, RangeParams, Row, TableView};
use crate::i18n::Lang;
use crate::pages::chart::{self, Bar};
use crate::pages::{Chrome, PageLang};
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use fluent_bundle::FluentValue;
use lango_insights::digitisation::StageCounts;
use lango_insights::Scope;

/// Most services listed as still to move (the catalogue's stage filter lists them all).
const TO_MOVE_SHOWN: usize = 200;

#[derive(Template)]
#[template(path = "insights_digitisation.html")]
struct DigitisationPage {
    c: Chrome,
    /// (word key, services, share).
    stages: Vec<(&'static str, String, String)>,
    share: String,
    target: String,
    chart: String,
    history: Vec<Row>,
    agencies: TableView,
    to_move: Vec<Row>,
    more_to_move: usize,
}

/// A stage's services and share of all.
fn stage_rows(lang: Lang, s: &StageCounts) -> Vec<(&'static str, String, String)> {
    let total = s.total();
    [
        ("stage_information", s.information),
        ("stage_downloadable", s.downloadable),
        ("stage_partial", s.partial),
        ("stage_end_to_end", s.end_to_end),
    ]
    .into_iter()
    .map(|(key, n)| (key, count(n), share(lang, n, total)))
    .collect()
}

/// `GET /performance/digitisation`: the share of services at each stage, nationally and
/// per agency, over time, against the target, and the services still to move.
pub async fn page(State(state): State<AppState>, PageLang(lang): PageLang, uri: Uri) -> Response {
    kept(&state, lang, &uri, digitisation_page(&state, lang)).await
}

async fn digitisation_page(state: &AppState, lang: Lang) -> lango_core::Result<DigitisationPage> {
    let progress = state.insights.digitisation(&Scope::National).await?;
    let by_agency = state.insights.digitisation_by_agency().await?;
    let agency_name = |code: &str| super::views::agency_name(state, lang, code);
    // Shares in tenths of a percent, so a bar moves with each service moved.
    let tenths = |s: &StageCounts| {
        let total = s.total();
        if total == 0 {
            0
        } else {
            s.end_to_end * 1000 / total
        }
    };
    let bars: Vec<Bar> = progress
        .history
        .iter()
        .map(|(day, s)| Bar {
            label: day.get(5..).unwrap_or(day).to_string(),
            title: format!("{day}: {}", share(lang, s.end_to_end, s.total())),
            value: tenths(s),
        })
        .collect();
    let peak = progress
        .history
        .iter()
        .map(|(_, s)| tenths(s))
        .max()
        .unwrap_or(0);
    let chart = chart::bars(
        tr(lang, "ins_e2e_over_time"),
        &format!("{}.{}%", peak / 10, peak % 10),
        &bars,
    );
    let mut target = tr_with(
        lang,
        "ins_target_is",
        [
            FluentValue::from(&progress.target.percent.to_string()),
            FluentValue::from(&progress.target.by),
        ],
    );
    if progress.still_needed > 0 {
        target.push_str(". ");
        target.push_str(&tr_with(
            lang,
            "ins_target_needs",
            [
                FluentValue::from(&count(progress.still_needed)),
                FluentValue::from(&count(progress.days_left.max(0))),
            ],
        ));
    }
    let shown = progress.to_move.len().min(TO_MOVE_SHOWN);
    let more_to_move = (progress.to_move_total as usize).saturating_sub(shown);
    Ok(DigitisationPage {
        c: Chrome::new(lang, state.config.demo, "/performance/digitisation"),
        stages: stage_rows(lang, &progress.latest),
        share: share(lang, progress.latest.end_to_end, progress.latest.total()),
        target,
        chart,
        history: progress
            .history
            .iter()
            .rev()
            .map(|(day, s)| Row {
                name: day.clone(),
                href: None,
                cells: vec![
                    count(s.end_to_end),
                    count(s.total()),
                    share(lang, s.end_to_end, s.total()),
                ],
            })
            .collect(),
        agencies: TableView {
            id: "by-agency",
            title: "ins_by_agency",
            headers: vec![
                "ins_agency",
                "stage_information",
                "stage_downloadable",
                "stage_partial",
                "stage_end_to_end",
                "ins_share_e2e",
            ],
            rows: by_agency
                .iter()
                .map(|(code, s)| Row {
                    name: agency_name(code),
                    href: Some(format!("/performance/agencies/{code}")),
                    cells: vec![
                        count(s.information),
                        count(s.downloadable),
                        count(s.partial),
                        count(s.end_to_end),
                        share(lang, s.end_to_end, s.total()),
                    ],
                })
                .collect(),
        },
        to_move: progress
            .to_move
            .iter()
            .take(TO_MOVE_SHOWN)
            .map(|s| Row {
                name: s.name.clone(),
                href: Some(format!("/services/{}", s.code)),
                cells: vec![
                    agency_name(&s.agency),
                    tr(lang, &format!("stage_{}", s.stage)).to_string(),
                ],
            })
            .collect(),
        more_to_move,
    })
}

#[derive(Template)]
#[template(path = "insights_searches.html")]
struct SearchesPage {
    c: Chrome,
    here: String,
    ranges: Vec<(i64, String, bool)>,
    rows: Vec<Row>,
}

/// `GET /performance/searches`: what people searched for and found little or nothing.
pub async fn searches(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    q: Result<Query<RangeParams>, QueryRejection>,
) -> Response {
    let range = Range::of(&q.map(|Query(p)| p).unwrap_or_default());
    kept(&state, lang, &uri, searches_page(&state, lang, range)).await
}

async fn searches_page(
    state: &AppState,
    lang: Lang,
    range: Range,
) -> lango_core::Result<SearchesPage> {
    let gaps = state
        .insights
        .search_gaps(&range.from, &range.to, 100)
        .await?;
    Ok(SearchesPage {
        c: Chrome::new(lang, state.config.demo, "/performance/searches"),
        here: "/performance/searches".into(),
        ranges: range.options(lang),
        rows: gaps
            .iter()
            .map(|g| Row {
                href: Some(format!(
                    "/services?q={}",
                    form_urlencoded::byte_serialize(g.query.as_bytes()).collect::<String>()
                )),
                name: g.query.clone(),
                cells: vec![count(g.searches), count(g.results)],
            })
            .collect(),
    })
}
