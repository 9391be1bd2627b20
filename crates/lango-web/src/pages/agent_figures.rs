//! The agents' public figures (`/performance/agents`): approved agents by county, and month
//! by month what agents applied for, the money paid on those bills and the commission it
//! earned them, with a chart. The figures are `lango_agents::figures`'.

use super::chart::{self, Bar};
use super::insights::views::{count, kept};
use super::{Chrome, PageLang};
use crate::i18n::Lang;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use lango_core::money::{Currency, Money};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/performance/agents", get(page))
}

/// Months shown.
const MONTHS: usize = 12;

#[derive(Template)]
#[template(path = "agent_figures.html")]
struct FiguresPage {
    c: Chrome,
    counties: Vec<(String, String)>,
    agents: String,
    rows: Vec<[String; 5]>,
    chart: String,
}

async fn make(state: &AppState, lang: Lang) -> lango_core::Result<FiguresPage> {
    let f = lango_agents::figures::published(&state.db, MONTHS).await?;
    let kes = |m: i64| Money::from_minor(m, Currency::Kes).display();
    let bars: Vec<Bar> = f
        .months
        .iter()
        .map(|m| Bar {
            label: m.month.clone(),
            title: format!("{}: {}", m.month, count(m.applications)),
            value: m.applications,
        })
        .collect();
    let top = bars.iter().map(|b| b.value).max().unwrap_or(0);
    Ok(FiguresPage {
        c: Chrome::new(lang, state.config.demo, "/performance/agents"),
        agents: count(f.by_county.iter().map(|(_, n)| n).sum()),
        counties: f
            .by_county
            .into_iter()
            .map(|(c, n)| (c, count(n)))
            .collect(),
        chart: if top > 0 {
            chart::bars(tr(lang, "afig_chart"), &count(top), &bars)
        } else {
            String::new()
        },
        rows: f
            .months
            .iter()
            .rev()
            .map(|m| {
                [
                    m.month.clone(),
                    count(m.applications),
                    count(m.paid),
                    kes(m.money),
                    kes(m.commission),
                ]
            })
            .collect(),
    })
}

/// `GET /performance/agents`
async fn page(State(state): State<AppState>, PageLang(lang): PageLang, uri: Uri) -> Response {
    kept(&state, lang, &uri, make(&state, lang)).await
}
