//! Performance contracting: periods, each agency's indicators with weights and targets,
//! values computed from platform data or entered with evidence, raw scores on a configured
//! scale, a weighted composite, a grade and the ranking within each category.
//!
//! The method is in docs/performance-contracting.md, with an example worked by hand that
//! `tests::the_documented_example_is_reproduced_exactly` reproduces from the page itself.

pub mod bundle;
pub mod check;
pub mod decimal;
pub mod model;
pub mod score;
pub mod service;
pub mod store;
#[cfg(test)]
mod tests;

pub use bundle::load_texts;
pub use model::{Contract, Indicator, Period, Problem};
pub use score::{Achievement, CategoryTable, IndicatorScore, Standing};
pub use service::League;

use crate::open_data::{Cell, Column, Dataset, Filter, Kind};
use crate::Insights;
use lango_core::Result;

const SCORES: &[Column] = &[
    Column { name: "period", kind: Kind::Text, meaning: "The performance period's code" },
    Column { name: "agency", kind: Kind::Text, meaning: "The agency's code" },
    Column { name: "category", kind: Kind::Text, meaning: "The category it is ranked in, e.g. ministry, state_corporation, county" },
    Column { name: "composite", kind: Kind::Decimal, meaning: "Sum of the weighted scores, rounded half up to 4 places; empty (no data) when any indicator has no value" },
    Column { name: "grade", kind: Kind::Text, meaning: "The grade band the composite falls in; empty when there is no composite" },
    Column { name: "rank", kind: Kind::Integer, meaning: "Rank within the category, 1 best; equal composites share a rank; empty when unranked (no data)" },
];

const INDICATORS: &[Column] = &[
    Column { name: "period", kind: Kind::Text, meaning: "The performance period's code" },
    Column { name: "agency", kind: Kind::Text, meaning: "The agency's code" },
    Column { name: "indicator", kind: Kind::Text, meaning: "The indicator's id in the agency's contract" },
    Column { name: "source", kind: Kind::Text, meaning: "measure:NAME when computed from platform data, entered:UNIT when entered by the agency with evidence" },
    Column { name: "weight", kind: Kind::Decimal, meaning: "Its weight, percent of the composite" },
    Column { name: "target", kind: Kind::Decimal, meaning: "The target, in the indicator's unit (percent, number, or major units of money)" },
    Column { name: "actual", kind: Kind::Decimal, meaning: "The actual value, in the same unit, rounded half up to 4 places (scores use the exact value); empty when there is no data" },
    Column { name: "achievement", kind: Kind::Decimal, meaning: "Actual ÷ target (target ÷ actual when lower is better), percent, rounded half up to 2 places; empty when there is no data" },
    Column { name: "raw", kind: Kind::Decimal, meaning: "The raw score on the period's scale, from the exact achievement, rounded half up to 4 places" },
    Column { name: "weighted", kind: Kind::Decimal, meaning: "raw × weight ÷ 100, exact" },
];

/// This room's published datasets.
pub const DATASETS: &[Dataset] = &[
    Dataset {
        name: "performance_scores",
        title: "Performance contracting: composite scores, grades and ranks",
        description: "One row per agency with a contract in a period: its composite score, grade and rank within its category, computed as docs/performance-contracting.md describes.",
        columns: SCORES,
    },
    Dataset {
        name: "performance_indicators",
        title: "Performance contracting: each indicator's score",
        description: "One row per indicator of each agency's contract: weight, target, actual value, achievement, raw score and weighted score: how each composite was computed.",
        columns: INDICATORS,
    },
];

/// The rows of dataset `name` when it is one of this room's: periods overlapping the
/// filter's days, only its agency's rows when it names one.
pub(crate) async fn rows(
    insights: &Insights,
    name: &str,
    filter: &Filter,
) -> Result<Option<Vec<Vec<Cell>>>> {
    if !DATASETS.iter().any(|d| d.name == name) {
        return Ok(None);
    }
    let mut out = Vec::new();
    let mut periods = insights.performance_periods().await?;
    periods.reverse();
    for p in periods {
        let p = p.value;
        let after = filter.from.as_ref().is_some_and(|from| p.ends < *from);
        let before = filter.to.as_ref().is_some_and(|to| p.starts > *to);
        if after || before {
            continue;
        }
        let Some(league) = insights.league(&p.code).await? else {
            continue;
        };
        for s in league.tables.iter().flat_map(|t| &t.standings) {
            if filter.agency.as_ref().is_some_and(|a| *a != s.agency) {
                continue;
            }
            if name == "performance_scores" {
                out.push(score_row(&p.code, s));
            } else {
                out.extend(
                    s.indicators
                        .iter()
                        .map(|i| indicator_row(&p.code, &s.agency, i)),
                );
            }
        }
    }
    Ok(Some(out))
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn score_row(period: &str, s: &Standing) -> Vec<Cell> {
    vec![
        text(period),
        text(&s.agency),
        text(&s.category),
        s.composite
            .map_or(Cell::Missing, |c| Cell::Decimal(c.fixed(4))),
        s.grade.as_deref().map_or(Cell::Missing, text),
        s.rank.map_or(Cell::Missing, |r| Cell::Int(i64::from(r))),
    ]
}

fn indicator_row(period: &str, agency: &str, i: &IndicatorScore) -> Vec<Cell> {
    let ind = &i.indicator;
    vec![
        text(period),
        text(agency),
        text(&ind.id),
        text(&ind.source_name()),
        Cell::Decimal(ind.weight.to_string()),
        Cell::Decimal(ind.target.to_string()),
        i.actual.as_ref().map_or(Cell::Missing, |a| {
            Cell::Decimal(a.value.to_dec().to_string())
        }),
        match i.achievement {
            Some(Achievement::Percent(q)) => Cell::Decimal(q.display(2)),
            _ => Cell::Missing,
        },
        i.raw.map_or(Cell::Missing, |r| Cell::Decimal(r.fixed(4))),
        i.weighted_text().map_or(Cell::Missing, Cell::Decimal),
    ]
}
