//! What the dashboard pages share: the range of days shown, table rows, figures as people
//! read them, and the trend chart.

use crate::i18n::Lang;
use crate::pages::chart::{self, Bar};
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Response};
use fluent_bundle::FluentValue;
use lango_core::clock::now_ms;
use lango_insights::usage::Counts;
use serde::Deserialize;

/// The ranges a reader may choose, in days; the first is the default.
pub const RANGES: [i64; 3] = [90, 30, 365];
const DAY_MS: i64 = 86_400_000;

/// The query string of a dashboard: `?days=30|90|365`.
#[derive(Debug, Default, Deserialize)]
pub struct RangeParams {
    /// How many days back, today included.
    pub days: Option<String>,
}

/// The days a dashboard covers.
pub struct Range {
    /// How many.
    pub days: i64,
    /// The first, `YYYY-MM-DD`.
    pub from: String,
    /// The last (today), `YYYY-MM-DD`.
    pub to: String,
    /// The first's month, `YYYY-MM`.
    pub from_month: String,
    /// The last's month, `YYYY-MM`.
    pub to_month: String,
}

impl Range {
    /// The range asked for; anything but a listed range is the default.
    pub fn of(params: &RangeParams) -> Range {
        let days = params
            .days
            .as_deref()
            .and_then(|d| d.parse::<i64>().ok())
            .filter(|d| RANGES.contains(d))
            .unwrap_or(RANGES[0]);
        let now = now_ms();
        let first = now - (days - 1) * DAY_MS;
        Range {
            days,
            from: lango_insights::day_of(first),
            to: lango_insights::day_of(now),
            from_month: lango_insights::month_of(first),
            to_month: lango_insights::month_of(now),
        }
    }

    /// The options of the range selector: (days, label, chosen).
    pub fn options(&self, lang: Lang) -> Vec<(i64, String, bool)> {
        RANGES
            .iter()
            .map(|&d| {
                (
                    d,
                    tr_with(lang, "ins_last_days", [FluentValue::from(d)]),
                    d == self.days,
                )
            })
            .collect()
    }
}

/// The page at `uri` in `lang`: kept from the last few seconds, or made by `make` (a
/// future, so it does nothing when the page is kept) and kept.
pub async fn kept<T: Template>(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    make: impl std::future::Future<Output = lango_core::Result<T>>,
) -> Response {
    let key = format!("{}|{uri}", lang.tag());
    let made = state
        .published
        .get_or_make(key, async {
            let page = make.await?;
            page.render()
                .map_err(|e| lango_core::Error::Internal(format!("template failed: {e}")))
        })
        .await;
    match made {
        Ok(body) => Html(body).into_response(),
        Err(e) => crate::error::page_error(state, lang, e),
    }
}

/// The catalogue's agency with this code, if there is one.
pub fn known_agency(
    state: &AppState,
    code: &str,
) -> Option<std::sync::Arc<lango_catalogue::Agency>> {
    let code = lango_catalogue::AgencyCode::parse(code).ok()?;
    state.catalogue.snapshot().agency(&code).cloned()
}

/// The catalogue's service with this code (and its agency), if there is one.
pub fn known_service(state: &AppState, code: &str) -> Option<lango_catalogue::SearchHit> {
    let code = lango_catalogue::ServiceCode::parse(code).ok()?;
    state.catalogue.snapshot().service(&code)
}

/// An agency's name in `lang`, or its code when the catalogue does not know it.
pub fn agency_name(state: &AppState, lang: Lang, code: &str) -> String {
    known_agency(state, code).map_or_else(
        || code.to_string(),
        |a| lang.pick(&a.name, &a.name_sw).to_string(),
    )
}

/// A service's name in `lang`, or its code when the catalogue does not know it.
pub fn service_name(state: &AppState, lang: Lang, code: &str) -> String {
    known_service(state, code).map_or_else(
        || code.to_string(),
        |h| {
            lang.pick(&h.entry.service.name, &h.entry.service.name_sw)
                .to_string()
        },
    )
}

/// One row of a table: its name (a link when `href` is set) and its cells.
pub struct Row {
    /// The first column.
    pub name: String,
    /// Where the name links to.
    pub href: Option<String>,
    /// The other columns, written.
    pub cells: Vec<String>,
}

/// A table of a dashboard: its id and caption key, column header keys and rows.
pub struct TableView {
    /// The section's id (for its heading).
    pub id: &'static str,
    /// The word key of its heading.
    pub title: &'static str,
    /// The word keys of its columns, the name column first.
    pub headers: Vec<&'static str>,
    /// Its rows.
    pub rows: Vec<Row>,
}

/// A whole number with thousands separators (`1,059,997`).
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A share as people read it (`87.5%`), or "no data".
pub fn share(lang: Lang, numerator: i64, denominator: i64) -> String {
    match lango_insights::percent(numerator, denominator) {
        Some(p) => format!("{p}%"),
        None => tr(lang, "ins_no_data").to_string(),
    }
}

/// A KPI ratio (`Some((numerator, denominator))`) as people read it.
pub fn ratio(lang: Lang, r: Option<(i64, i64)>) -> String {
    match r {
        Some((n, d)) => share(lang, n, d),
        None => tr(lang, "ins_no_data").to_string(),
    }
}

/// The columns every usage table shows after its name.
pub const COUNT_HEADERS: [&str; 5] = [
    "ins_submitted",
    "ins_completed",
    "ins_rejected",
    "ins_completion_rate",
    "ins_in_sla",
];

/// A usage row's cells, in [`COUNT_HEADERS`] order.
pub fn count_cells(lang: Lang, c: &Counts) -> Vec<String> {
    vec![
        count(c.submitted),
        count(c.completed),
        count(c.rejected),
        share(lang, c.completed, c.started),
        share(lang, c.decided_in_sla, c.completed + c.rejected),
    ]
}

/// Applications submitted per day (per week beyond 90 days) as a bar chart, and the same
/// numbers as rows (newest first).
pub fn trend(lang: Lang, days: &[(String, Counts)]) -> (String, Vec<Row>) {
    let weekly = days.len() > 90;
    let mut buckets: Vec<(String, Counts)> = Vec::new();
    for (i, (day, c)) in days.iter().enumerate() {
        if !weekly || i % 7 == 0 {
            buckets.push((day.clone(), Counts::default()));
        }
        if let Some((_, b)) = buckets.last_mut() {
            b.started += c.started;
            b.submitted += c.submitted;
            b.completed += c.completed;
            b.rejected += c.rejected;
            b.decided_in_sla += c.decided_in_sla;
        }
    }
    let unit = tr(lang, if weekly { "ins_week_of" } else { "ins_day" });
    let bars: Vec<Bar> = buckets
        .iter()
        .map(|(day, c)| Bar {
            label: day.get(5..).unwrap_or(day).to_string(),
            title: format!(
                "{unit} {day}: {} {}",
                count(c.submitted),
                tr(lang, "ins_submitted").to_lowercase()
            ),
            value: c.submitted,
        })
        .collect();
    let peak = buckets.iter().map(|(_, c)| c.submitted).max().unwrap_or(0);
    let svg = chart::bars(
        tr(
            lang,
            if weekly {
                "ins_trend_weekly"
            } else {
                "ins_trend_daily"
            },
        ),
        &count(peak),
        &bars,
    );
    let rows = buckets
        .iter()
        .rev()
        .map(|(day, c)| Row {
            name: day.clone(),
            href: None,
            cells: vec![
                count(c.started),
                count(c.submitted),
                count(c.completed),
                count(c.rejected),
            ],
        })
        .collect();
    (svg, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(10_000_000), "10,000,000");
        assert_eq!(count(-1234), "-1,234");
    }

    #[test]
    fn ranges_fall_back_to_the_default() {
        for (asked, got) in [
            (None, 90),
            (Some("30"), 30),
            (Some("365"), 365),
            (Some("7"), 90),
            (Some("x"), 90),
        ] {
            let r = Range::of(&RangeParams {
                days: asked.map(str::to_string),
            });
            assert_eq!(r.days, got);
        }
    }
}
