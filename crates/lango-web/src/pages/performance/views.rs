//! Scores turned into what pages and the API show: agency names, category labels, actual
//! values in their unit, and each indicator's row of "how it was computed".

use crate::i18n::Lang;
use crate::words::{has, tr};
use crate::AppState;
use lango_catalogue::AgencyCode;
use lango_core::money::{Currency, Money};
use lango_insights::performance::decimal::Q;
use lango_insights::performance::model::{measure_name, Direction, Indicator, Source, Unit};
use lango_insights::performance::{Achievement, IndicatorScore, Standing};

/// The agency's name in `lang` (its code when the catalogue does not know it).
pub fn agency_name(state: &AppState, lang: Lang, code: &str) -> String {
    let snap = state.catalogue.snapshot();
    AgencyCode::parse(code)
        .ok()
        .and_then(|c| {
            snap.agency(&c)
                .map(|a| lang.pick(&a.name, &a.name_sw).to_string())
        })
        .unwrap_or_else(|| code.to_string())
}

/// A category's label: its words (`perf_cat_NAME`) when there are some, else the code
/// with spaces.
pub fn category_label(lang: Lang, category: &str) -> String {
    let key = format!("perf_cat_{category}");
    if has(&key) {
        tr(lang, &key).to_string()
    } else {
        let words = category.replace('_', " ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }
}

/// An exact value written in an indicator's unit: `94.0909%`, `24`, `KES 2,300,000.00`
/// (to four places at most; scores use the exact value).
pub fn in_unit(indicator: &Indicator, value: Q) -> String {
    match indicator.unit() {
        Unit::Percent => format!("{}%", value.to_dec()),
        Unit::Number => value.to_dec().to_string(),
        Unit::Amount => {
            let currency: Currency = indicator
                .currency()
                .and_then(|c| c.parse().ok())
                .unwrap_or(Currency::Kes);
            let minor = value.round(currency.exponent());
            Money::from_minor(i64::try_from(minor).unwrap_or(i64::MAX), currency).display()
        }
    }
}

/// Where an indicator's value comes from, in words.
pub fn source_label(lang: Lang, indicator: &Indicator) -> String {
    match &indicator.source {
        Source::Measure { measure, .. } => format!(
            "{}: {}",
            tr(lang, "perf_computed"),
            tr(lang, &format!("perf_measure_{}", measure_name(measure)))
        ),
        Source::Entered { .. } => tr(lang, "perf_entered").to_string(),
    }
}

/// One indicator's row of the score page.
pub struct IndicatorRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where its value comes from.
    pub source: String,
    /// The actual value in its unit, or "no data".
    pub actual: String,
    /// What the actual was made of (`1035 of 1100`, the evidence).
    pub basis: String,
    /// The target in its unit.
    pub target: String,
    /// "Higher is better" or "Lower is better".
    pub direction: &'static str,
    /// Achievement, percent to two places.
    pub achievement: String,
    /// Raw score to four places.
    pub raw: String,
    /// Weight, percent.
    pub weight: String,
    /// raw × weight ÷ 100, exact.
    pub weighted: String,
}

/// The rows of a standing's indicators.
pub fn indicator_rows(lang: Lang, s: &Standing) -> Vec<IndicatorRow> {
    let no_data = tr(lang, "perf_no_data");
    s.indicators
        .iter()
        .map(|i: &IndicatorScore| {
            let ind = &i.indicator;
            IndicatorRow {
                id: ind.id.clone(),
                name: ind.name.clone(),
                source: source_label(lang, ind),
                actual: i
                    .actual
                    .as_ref()
                    .map_or_else(|| no_data.to_string(), |a| in_unit(ind, a.value)),
                basis: i
                    .actual
                    .as_ref()
                    .map(|a| a.basis.clone())
                    .unwrap_or_default(),
                target: in_unit(ind, ind.target.q()),
                direction: match ind.direction {
                    Direction::HigherIsBetter => tr(lang, "perf_higher_better"),
                    Direction::LowerIsBetter => tr(lang, "perf_lower_better"),
                },
                achievement: match i.achievement {
                    Some(a @ Achievement::Percent(_)) => format!("{}%", a.display()),
                    Some(a) => a.display(),
                    None => no_data.to_string(),
                },
                raw: i.raw.map_or_else(|| no_data.to_string(), |r| r.fixed(4)),
                weight: format!("{}%", ind.weight),
                weighted: i.weighted_text().unwrap_or_else(|| no_data.to_string()),
            }
        })
        .collect()
}

/// A composite as shown: four places, or "no data".
pub fn composite(lang: Lang, s: &Standing) -> String {
    s.composite
        .map_or_else(|| tr(lang, "perf_no_data").to_string(), |c| c.fixed(4))
}

/// A grade as shown, or "no data".
pub fn grade(lang: Lang, s: &Standing) -> String {
    s.grade
        .clone()
        .unwrap_or_else(|| tr(lang, "perf_no_data").to_string())
}

/// A rank as shown: `2`, or "not ranked".
pub fn rank(lang: Lang, s: &Standing) -> String {
    s.rank
        .map_or_else(|| tr(lang, "perf_unranked").to_string(), |r| r.to_string())
}
