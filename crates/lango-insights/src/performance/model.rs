//! Periods and contracts: the checked types the scores are computed from. The files the
//! performance office writes are read and checked in [`super::check`].

use super::decimal::{Dec, Q};
use crate::kpi::Measure;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A performance period with its scale: how achievement becomes a raw score, and the grades.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Its code, e.g. `FY2025-26`.
    pub code: String,
    /// Its name, e.g. `Financial year 2025/26`.
    pub name: String,
    /// First day, `YYYY-MM-DD` (East Africa Time).
    pub starts: String,
    /// Last day, included.
    pub ends: String,
    /// The scale scores are given on.
    pub scale: Scale,
}

/// How achievement maps to a raw score, and the grade bands over the composite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// The best raw score (Kenya: 1.0).
    pub best: Dec,
    /// The worst raw score (Kenya: 5.0).
    pub worst: Dec,
    /// Achievement (% of target) → raw score, achievement strictly rising; straight lines
    /// between them, flat beyond the first and the last.
    pub anchors: Vec<Anchor>,
    /// Grades over the composite, covering best to worst without gap or overlap.
    pub grades: Vec<Grade>,
}

/// One point of the achievement → raw score map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// Achievement, percent of target.
    pub achievement: Dec,
    /// The raw score at that achievement.
    pub raw: Dec,
}

/// A grade band: composites from `from` to `to` (both included, at the bands' precision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grade {
    /// Its name, e.g. `Excellent`.
    pub name: String,
    /// Lowest composite in it.
    pub from: Dec,
    /// Highest composite in it.
    pub to: Dec,
}

impl Scale {
    /// True when a lower score is better (Kenya's 1.0 excellent … 5.0 poor).
    pub fn lower_is_better(&self) -> bool {
        self.best < self.worst
    }

    /// Places the grade bands are written to: a composite is rounded half up to these
    /// before its band is looked up.
    pub fn precision(&self) -> u32 {
        self.grades
            .iter()
            .flat_map(|g| [g.from.places(), g.to.places()])
            .max()
            .unwrap_or(0)
    }

    /// The raw score for `achievement` (percent of target; `None` is beyond every bound,
    /// e.g. a lower-is-better indicator whose actual is zero), rounded half up to 4 places.
    pub fn raw(&self, achievement: Option<Q>) -> Dec {
        let (Some(first), Some(last)) = (self.anchors.first(), self.anchors.last()) else {
            return self.worst;
        };
        let Some(x) = achievement else {
            return last.raw;
        };
        if x <= first.achievement.q() {
            return first.raw;
        }
        for pair in self.anchors.windows(2) {
            let (a0, a1) = (pair[0].achievement.q(), pair[1].achievement.q());
            if x <= a1 {
                let (r0, r1) = (pair[0].raw.q(), pair[1].raw.q());
                let share = (x - a0).checked_div(a1 - a0).unwrap_or(Q::int(0));
                return (r0 + (r1 - r0) * share).to_dec();
            }
        }
        last.raw
    }

    /// The grade of `composite`, rounded half up to the bands' precision first.
    pub fn grade(&self, composite: Dec) -> Option<&Grade> {
        let p = self.precision();
        let rounded = Dec::parse(&composite.fixed(p)).ok()?;
        self.grades
            .iter()
            .find(|g| g.from <= rounded && rounded <= g.to)
    }
}

/// One agency's contract for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// The period's code.
    pub period: String,
    /// The agency's code.
    pub agency: String,
    /// The category it is ranked in, e.g. `ministry`, `state_corporation`, `county`.
    pub category: String,
    /// Its indicators; weights add up to exactly 100.
    pub indicators: Vec<Indicator>,
}

/// One performance indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// Its id within the contract, e.g. `sla`.
    pub id: String,
    /// What it measures, in words.
    pub name: String,
    /// Its weight, percent of the composite.
    pub weight: Dec,
    /// Where its actual value comes from.
    pub source: Source,
    /// The target (above zero), in the indicator's unit.
    pub target: Dec,
    /// Whether more is better.
    pub direction: Direction,
}

/// Where an indicator's actual value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Source {
    /// Computed from platform data.
    Measure {
        /// Which measure.
        measure: Measure,
        /// The currency, for revenue.
        currency: Option<String>,
    },
    /// Entered by the agency with evidence.
    Entered {
        /// What the value counts.
        unit: Unit,
        /// The currency, for an amount.
        currency: Option<String>,
    },
}

/// The unit of an entered value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A percentage, 0 to 100.
    Percent,
    /// A count or any other number.
    Number,
    /// An amount of money in the indicator's currency.
    Amount,
}

/// Whether more of an indicator is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Achievement = actual ÷ target.
    #[default]
    HigherIsBetter,
    /// Achievement = target ÷ actual.
    LowerIsBetter,
}

impl Direction {
    /// Its name in files and data.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
        }
    }
}

/// Every measure a contract may name, with its name in files.
pub const MEASURES: [(&str, Measure); 6] = [
    ("sla_compliance", Measure::SlaCompliance),
    ("digital_take_up", Measure::DigitalTakeUp),
    ("satisfaction", Measure::Satisfaction),
    ("completion_rate", Measure::CompletionRate),
    ("revenue", Measure::Revenue),
    ("share_end_to_end", Measure::ShareEndToEnd),
];

/// The name of `measure` in files.
pub fn measure_name(measure: &Measure) -> &'static str {
    MEASURES
        .iter()
        .find(|(_, m)| m == measure)
        .map_or("", |(n, _)| n)
}

impl Indicator {
    /// The unit its actual and target are in.
    pub fn unit(&self) -> Unit {
        match &self.source {
            Source::Measure {
                measure: Measure::Revenue,
                ..
            } => Unit::Amount,
            Source::Measure { .. } => Unit::Percent,
            Source::Entered { unit, .. } => *unit,
        }
    }

    /// The currency of an amount.
    pub fn currency(&self) -> Option<&str> {
        match &self.source {
            Source::Measure { currency, .. } | Source::Entered { currency, .. } => {
                currency.as_deref()
            }
        }
    }

    /// True for an indicator the agency enters.
    pub fn is_entered(&self) -> bool {
        matches!(self.source, Source::Entered { .. })
    }

    /// `measure:sla_compliance` or `entered:percent`: where the value comes from.
    pub fn source_name(&self) -> String {
        match &self.source {
            Source::Measure { measure, .. } => format!("measure:{}", measure_name(measure)),
            Source::Entered { unit, .. } => format!(
                "entered:{}",
                match unit {
                    Unit::Percent => "percent",
                    Unit::Number => "number",
                    Unit::Amount => "amount",
                }
            ),
        }
    }
}

/// One thing wrong with a period, contract or entered value, named by its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line in the text, when known.
    pub line: Option<usize>,
    /// Where, e.g. `indicators[2].weight` (empty for the whole text).
    pub path: String,
    /// What is wrong, in English.
    pub message: String,
}

impl fmt::Display for Problem {
    /// `line 12, indicators[2].weight: must be above 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.path.is_empty()) {
            (Some(l), false) => write!(f, "line {l}, {}: {}", self.path, self.message),
            (Some(l), true) => write!(f, "line {l}: {}", self.message),
            (None, false) => write!(f, "{}: {}", self.path, self.message),
            (None, true) => f.write_str(&self.message),
        }
    }
}

/// Every problem in one sentence list, for JSON errors and logs.
pub fn describe(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
