//! The method, as pure functions of a period's scale, a contract and the actual values:
//! achievement, raw score, weighted score, composite, grade and the ranking within each
//! category. docs/performance-contracting.md works an example by hand; a test reproduces it.

use super::decimal::{write_scaled, Dec, Q};
use super::model::{Contract, Direction, Indicator, Scale};
use serde::Serialize;

/// Places of a weighted score: a raw score (4 places) × a weight (4 places) ÷ 100 is exact
/// at 10 places.
pub const WEIGHTED_PLACES: u32 = 10;

/// An indicator's actual value: exact, in the indicator's unit (percent, number or major
/// units of money), with what it was made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actual {
    /// The value.
    pub value: Q,
    /// What it was made of, e.g. `1,035 of 1,100` or the evidence of an entered value.
    pub basis: String,
}

/// An achievement: percent of target, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Achievement {
    /// Percent of target.
    Percent(Q),
    /// Beyond any bound: a lower-is-better indicator whose actual is zero.
    Unbounded,
}

impl Achievement {
    /// Written to two places (`104.55`), or `∞`.
    pub fn display(&self) -> String {
        match self {
            Achievement::Percent(q) => q.display(2),
            Achievement::Unbounded => "∞".into(),
        }
    }
}

/// One indicator, scored (every step `None` from the first with no data).
#[derive(Debug, Clone)]
pub struct IndicatorScore {
    /// The indicator.
    pub indicator: Indicator,
    /// Its actual value, `None` when there is no data.
    pub actual: Option<Actual>,
    /// Achievement against the target.
    pub achievement: Option<Achievement>,
    /// The raw score on the scale, rounded half up to 4 places.
    pub raw: Option<Dec>,
    /// raw × weight ÷ 100, exact, in units of 10^-10.
    pub weighted: Option<i128>,
}

impl IndicatorScore {
    /// The weighted score written exactly (at least four places).
    pub fn weighted_text(&self) -> Option<String> {
        self.weighted.map(|w| write_scaled(w, WEIGHTED_PLACES, 4))
    }
}

/// One agency's scores in a period.
#[derive(Debug, Clone)]
pub struct Standing {
    /// The agency's code.
    pub agency: String,
    /// Its category.
    pub category: String,
    /// Each indicator, in the contract's order.
    pub indicators: Vec<IndicatorScore>,
    /// Σ weighted, rounded half up to 4 places; `None` ("no data") when any indicator has none.
    pub composite: Option<Dec>,
    /// The grade of the composite.
    pub grade: Option<String>,
    /// Its rank in its category (1 is best; ties share a rank); `None` when unranked.
    pub rank: Option<u32>,
}

/// The agencies of one category, ranked first (best first), then those with no data.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryTable {
    /// The category.
    pub category: String,
    /// Agencies in order.
    #[serde(skip)]
    pub standings: Vec<Standing>,
}

/// Achievement of `actual` against `target`: actual ÷ target (or target ÷ actual when lower
/// is better) as a percentage.
pub fn achievement(actual: Q, target: Dec, direction: Direction) -> Achievement {
    let hundred = Q::int(100);
    let target = target.q();
    match direction {
        Direction::HigherIsBetter => actual
            .checked_div(target)
            .map_or(Achievement::Unbounded, |r| {
                Achievement::Percent(r * hundred)
            }),
        Direction::LowerIsBetter => target
            .checked_div(actual)
            .map_or(Achievement::Unbounded, |r| {
                Achievement::Percent(r * hundred)
            }),
    }
}

/// Scores one indicator against `scale`.
pub fn score_indicator(
    scale: &Scale,
    indicator: &Indicator,
    actual: Option<Actual>,
) -> IndicatorScore {
    let achievement = actual
        .as_ref()
        .map(|a| achievement(a.value, indicator.target, indicator.direction));
    let raw = achievement.map(|a| match a {
        Achievement::Percent(q) => scale.raw(Some(q)),
        Achievement::Unbounded => scale.raw(None),
    });
    let weighted = raw.map(|r| i128::from(r.units()) * i128::from(indicator.weight.units()));
    IndicatorScore {
        indicator: indicator.clone(),
        actual,
        achievement,
        raw,
        weighted,
    }
}

/// Scores a contract with its actual values (one per indicator, in order): composite and
/// grade; the rank is given by [`rank`].
pub fn standing(scale: &Scale, contract: &Contract, actuals: Vec<Option<Actual>>) -> Standing {
    let indicators: Vec<IndicatorScore> = contract
        .indicators
        .iter()
        .zip(actuals.into_iter().chain(std::iter::repeat(None)))
        .map(|(i, a)| score_indicator(scale, i, a))
        .collect();
    let sum: Option<i128> = indicators.iter().map(|s| s.weighted).sum();
    // Half up from 10 places to 4.
    let composite = sum.map(|s| {
        let step = 10_i128.pow(WEIGHTED_PLACES - 4);
        Dec::from_units(i64::try_from((s + step / 2) / step).unwrap_or(i64::MAX))
    });
    let grade = composite
        .and_then(|c| scale.grade(c))
        .map(|g| g.name.clone());
    Standing {
        agency: contract.agency.clone(),
        category: contract.category.clone(),
        indicators,
        composite,
        grade,
        rank: None,
    }
}

/// Ranks `standings` within each category: best composite first (lowest when lower is
/// better), equal composites share a rank and the next rank skips (1, 2, 2, 4); agencies
/// with no data come last, unranked. Categories are in alphabetical order, and agencies of
/// equal rank (or unranked) in the order of their codes.
pub fn rank(scale: &Scale, standings: Vec<Standing>) -> Vec<CategoryTable> {
    let mut categories: Vec<String> = standings.iter().map(|s| s.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let lower = scale.lower_is_better();
    let mut all = standings;
    categories
        .into_iter()
        .map(|category| {
            let (mut mine, rest): (Vec<Standing>, Vec<Standing>) =
                all.drain(..).partition(|s| s.category == category);
            all = rest;
            mine.sort_by(|a, b| match (a.composite, b.composite) {
                (Some(x), Some(y)) => {
                    let order = if lower { x.cmp(&y) } else { y.cmp(&x) };
                    order.then_with(|| a.agency.cmp(&b.agency))
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.agency.cmp(&b.agency),
            });
            let composites: Vec<Option<Dec>> = mine.iter().map(|s| s.composite).collect();
            for s in &mut mine {
                s.rank = s.composite.map(|c| {
                    let better = composites
                        .iter()
                        .flatten()
                        .filter(|o| if lower { **o < c } else { **o > c })
                        .count();
                    u32::try_from(better).unwrap_or(u32::MAX - 1) + 1
                });
            }
            CategoryTable {
                category,
                standings: mine,
            }
        })
        .collect()
}
