//! The phone menus' public figures over the last 30 days: where USSD sessions ended, and
//! where people gave up (a screen left unanswered), per menu screen, with a chart, so the
//! service owners see which screen loses people. The figures are `lango_phone::figures`'.

use super::centre_figures::period;
use super::chart::{self, Bar};
use super::insights::views::{count, kept};
use super::{Chrome, PageLang};
use crate::i18n::Lang;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use fluent_bundle::FluentValue;
use lango_phone::figures::{ends, label};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/performance/phone", get(page))
}

/// One screen's row.
struct Row {
    name: String,
    sessions: String,
    given_up: String,
    share: String,
}

#[derive(Template)]
#[template(path = "phone_figures.html")]
struct FiguresPage {
    c: Chrome,
    period: String,
    total: String,
    rows: Vec<Row>,
    chart: String,
}

/// The page's figures.
async fn make(state: &AppState, lang: Lang) -> lango_core::Result<FiguresPage> {
    let (from, to) = period();
    let found = ends(&state.db, &from, &to).await?;
    let total: i64 = found.iter().map(|e| e.sessions).sum();
    let plang = lango_phone::prefs::Lang::of(lang.tag());
    let mut bars = Vec::new();
    let rows = found
        .iter()
        .map(|e| {
            let name = label(&e.step, plang);
            if e.given_up > 0 {
                bars.push(Bar {
                    label: e.step.clone(),
                    title: format!("{name}: {}", count(e.given_up)),
                    value: e.given_up,
                });
            }
            Row {
                sessions: count(e.sessions),
                given_up: count(e.given_up),
                share: if total > 0 {
                    format!("{:.1}%", e.given_up as f64 * 100.0 / total as f64)
                } else {
                    tr(lang, "cfig_no_data").to_string()
                },
                name,
            }
        })
        .collect();
    let chart = if bars.is_empty() {
        String::new()
    } else {
        let top = bars.iter().map(|b| b.value).max().unwrap_or(0);
        chart::bars(tr(lang, "pfig_chart"), &count(top), &bars)
    };
    Ok(FiguresPage {
        c: Chrome::new(lang, state.config.demo, "/performance/phone"),
        period: tr_with(
            lang,
            "cfig_period",
            [FluentValue::from(&from), FluentValue::from(&to)],
        ),
        total: count(total),
        rows,
        chart,
    })
}

/// `GET /performance/phone`
async fn page(State(state): State<AppState>, PageLang(lang): PageLang, uri: Uri) -> Response {
    kept(&state, lang, &uri, make(&state, lang)).await
}
