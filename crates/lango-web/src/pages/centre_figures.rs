//! The public figures of the service centres over the last 30 days: per centre tickets a
//! day, waiting (median and 90th percentile), time at the counter, no-shows and
//! appointments kept, exit satisfaction (answers, share satisfied), each centre opening to
//! its services, and a chart of the median wait. The figures are `lango_centres::figures`'; the same rows are open data.

use super::chart::{self, Bar};
use super::insights::views::{count, kept, service_name};
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
use lango_centres::calendar::{add_days, today};
use lango_centres::figures::Figures;
use lango_centres::model::Status;
use std::collections::HashMap;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/performance/centres", get(page))
}

/// Days the page covers, today included.
pub const DAYS: i64 = 30;

/// The first and last day of the page's period, East Africa Time.
pub fn period() -> (String, String) {
    let to = today();
    (add_days(&to, -(DAYS - 1)), to)
}

/// The word keys of the figure columns, in [`cells`] order.
const HEADERS: [&str; 9] = [
    "cfig_tickets",
    "cfig_per_day",
    "cfig_wait_median",
    "cfig_wait_p90",
    "cfig_service_median",
    "cfig_no_show",
    "cfig_kept",
    "cfig_responses",
    "cfig_satisfied",
];

/// One row: a centre or a service, and its figures written.
struct Row {
    code: String,
    name: String,
    cells: Vec<String>,
    /// It opens to its services below.
    more: bool,
}

/// A centre's figures by service.
struct Services {
    code: String,
    name: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "centre_figures.html")]
struct FiguresPage {
    c: Chrome,
    from: String,
    to: String,
    period: String,
    headers: [&'static str; 9],
    rows: Vec<Row>,
    services: Vec<Services>,
    chart: String,
    /// Mobile centres' stops in the period: date, centre, place, tickets, appointments,
    /// people helped to apply, cash.
    stops: Vec<[String; 7]>,
}

/// Minutes as people read them (`3.5 min`).
fn minutes(lang: Lang, m: f64) -> String {
    tr_with(
        lang,
        "cfig_minutes",
        [FluentValue::from(&format!("{m:.1}"))],
    )
}

/// The figures written, in [`HEADERS`] order; figures of tickets when there were none,
/// and of appointments when none was booked, are "no data", never a zero in disguise.
fn cells(lang: Lang, f: Option<&Figures>) -> Vec<String> {
    let none = || tr(lang, "cfig_no_data").to_string();
    let Some(f) = f else {
        let mut out = vec!["0".to_string()];
        out.extend((1..HEADERS.len()).map(|_| none()));
        return out;
    };
    let ticketed = |s: String| if f.tickets > 0 { s } else { none() };
    vec![
        count(f.tickets),
        ticketed(format!("{:.1}", f.tickets_per_day)),
        ticketed(minutes(lang, f.wait_median_minutes)),
        ticketed(minutes(lang, f.wait_p90_minutes)),
        ticketed(minutes(lang, f.service_median_minutes)),
        ticketed(format!("{:.1}%", f.no_show_rate * 100.0)),
        if f.appointments > 0 {
            tr_with(
                lang,
                "cfig_of",
                [
                    FluentValue::from(&count(f.appointments_kept)),
                    FluentValue::from(&count(f.appointments)),
                ],
            )
        } else {
            none()
        },
        count(f.satisfaction_responses),
        if f.satisfaction_responses > 0 {
            format!("{:.1}%", f.satisfied_share * 100.0)
        } else {
            none()
        },
    ]
}

/// The page's figures.
async fn make(state: &AppState, lang: Lang) -> lango_core::Result<FiguresPage> {
    let (from, to) = period();
    let centres = state.centres.all().await?;
    let figures = state.centres.figures(&from, &to).await?;
    let by_key: HashMap<(&str, &str), &Figures> = figures
        .iter()
        .map(|f| ((f.centre.as_str(), f.service.as_str()), f))
        .collect();
    let mut rows = Vec::new();
    let mut services = Vec::new();
    let mut bars = Vec::new();
    // Open centres, and closed ones that still served people in the period.
    for c in centres
        .iter()
        .filter(|c| c.status == Status::Open || by_key.contains_key(&(c.code.as_str(), "")))
    {
        let name = c.name_in(lang.tag()).to_string();
        let whole = by_key.get(&(c.code.as_str(), "")).copied();
        let mut row = Row {
            code: c.code.clone(),
            name: name.clone(),
            cells: cells(lang, whole),
            more: false,
        };
        if let Some(f) = whole.filter(|f| f.tickets > 0) {
            bars.push(Bar {
                label: c.code.clone(),
                title: format!("{name}: {}", minutes(lang, f.wait_median_minutes)),
                value: (f.wait_median_minutes * 10.0).round() as i64,
            });
        }
        let by_service: Vec<Row> = figures
            .iter()
            .filter(|f| f.centre == c.code && !f.service.is_empty())
            .map(|f| Row {
                code: f.service.clone(),
                name: service_name(state, lang, &f.service),
                cells: cells(lang, Some(f)),
                more: false,
            })
            .collect();
        row.more = !by_service.is_empty();
        rows.push(row);
        if !by_service.is_empty() {
            services.push(Services {
                code: c.code.clone(),
                name,
                rows: by_service,
            });
        }
    }
    let chart = if bars.is_empty() {
        String::new()
    } else {
        let top = bars.iter().map(|b| b.value).max().unwrap_or(0) as f64 / 10.0;
        chart::bars(tr(lang, "cfig_chart"), &minutes(lang, top), &bars)
    };
    let stops = state
        .centres
        .stop_figures(&from, &to)
        .await?
        .into_iter()
        .map(|v| {
            let name = centres
                .iter()
                .find(|c| c.code == v.centre)
                .map_or(v.centre.clone(), |c| c.name_in(lang.tag()).to_string());
            [
                v.date,
                name,
                format!("{}, {}", v.place, v.county),
                count(v.tickets),
                count(v.appointments),
                count(v.helped),
                lango_core::money::Money::from_minor(v.cash, lango_core::money::Currency::Kes)
                    .display(),
            ]
        })
        .collect();
    Ok(FiguresPage {
        c: Chrome::new(lang, state.config.demo, "/performance/centres"),
        period: tr_with(
            lang,
            "cfig_period",
            [FluentValue::from(&from), FluentValue::from(&to)],
        ),
        from,
        to,
        headers: HEADERS,
        rows,
        services,
        chart,
        stops,
    })
}

/// `GET /performance/centres`
async fn page(State(state): State<AppState>, PageLang(lang): PageLang, uri: Uri) -> Response {
    kept(&state, lang, &uri, make(&state, lang)).await
}
