//! `/work/{agency}/supervisor`: open work and SLA per officer, as a table and a bar chart
//! drawn on the server (the same numbers in both, so the chart is never the only source).

use super::{agency_name, enc};
use crate::pages::chart::{self, Bar};
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;

struct LoadRow {
    name: String,
    href: Option<String>,
    open: i64,
    breached: i64,
    at_risk: i64,
    done_7d: i64,
}

#[derive(Template)]
#[template(path = "work_supervisor.html")]
struct SupervisorPage {
    c: Chrome,
    agency: String,
    queue: String,
    rows: Vec<LoadRow>,
    totals: (i64, i64, i64, i64),
    chart: String,
}

/// `GET /work/{agency}/supervisor`
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    let lang = s.v.lang;
    if !super::plausible(&agency) {
        return crate::pages::render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    }
    let load = match state.cases.workload(&s.v.actor, &agency).await {
        Ok(l) => l,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let queue = format!("/work/{}", enc(&agency));
    let rows: Vec<LoadRow> = load
        .iter()
        .map(|l| LoadRow {
            name: match &l.officer {
                Some(_) => l.name.clone(),
                None => tr(lang, "work_nobody").to_string(),
            },
            // Unassigned work is one click from the queue's own filter.
            href: l
                .officer
                .is_none()
                .then(|| format!("{queue}?assigned=unassigned")),
            open: l.open,
            breached: l.breached,
            at_risk: l.at_risk,
            done_7d: l.done_7d,
        })
        .collect();
    let totals = rows.iter().fold((0, 0, 0, 0), |t, r| {
        (
            t.0 + r.open,
            t.1 + r.breached,
            t.2 + r.at_risk,
            t.3 + r.done_7d,
        )
    });
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: r.name.split_whitespace().next().unwrap_or("").to_string(),
            title: tr_with(
                lang,
                "work_chart_bar",
                [
                    FluentValue::from(&r.name),
                    FluentValue::from(r.open),
                    FluentValue::from(r.breached),
                ],
            ),
            value: r.open,
        })
        .collect();
    let peak = rows.iter().map(|r| r.open).max().unwrap_or(0);
    render(
        StatusCode::OK,
        &SupervisorPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &format!("{queue}/supervisor")),
            agency: agency_name(&state, lang, &agency),
            chart: chart::bars(tr(lang, "work_chart"), &peak.to_string(), &bars),
            queue,
            rows,
            totals,
        },
    )
}
