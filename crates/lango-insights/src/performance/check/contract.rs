//! A contract: its file format and its checks (indicators, weights, targets, sources), and
//! an entered value's.

use super::{agency_code_ok, period_code_ok, read, slug_ok, Check, MAX_INDICATORS};
use crate::performance::decimal::{Dec, Num};
use crate::performance::model::*;
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractFile {
    period: Option<Num>,
    agency: Option<Num>,
    category: Option<Num>,
    indicators: Option<Vec<IndicatorFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    id: Option<Num>,
    name: Option<Num>,
    weight: Option<Num>,
    measure: Option<Num>,
    entered: Option<Num>,
    currency: Option<Num>,
    target: Option<Num>,
    direction: Option<Num>,
}

/// Reads and checks a contract (the period and agency are checked to exist when it is saved).
pub fn parse_contract(text: &str) -> Result<Contract, Vec<Problem>> {
    let (f, lines) = read::<ContractFile>(text, "contract")?;
    let mut c = Check {
        lines,
        problems: Vec::new(),
    };
    let period = c.code(
        "period",
        &f.period,
        period_code_ok,
        "use the code of a saved period, e.g. FY2025-26",
    );
    let agency = c.code(
        "agency",
        &f.agency,
        agency_code_ok,
        "use the agency's code in capitals, e.g. DIS",
    );
    let category = c.code(
        "category",
        &f.category,
        slug_ok,
        "use lower-case letters, digits and '_', e.g. state_corporation",
    );
    let indicators = match f.indicators.as_deref() {
        Some(list) if !list.is_empty() && list.len() <= MAX_INDICATORS => {
            check_indicators(&mut c, list)
        }
        _ => {
            c.add(
                "indicators",
                format!("needs 1 to {MAX_INDICATORS} indicators"),
            );
            None
        }
    };
    let contract = match (period, agency, category, indicators) {
        (Some(period), Some(agency), Some(category), Some(indicators)) => Some(Contract {
            period,
            agency,
            category,
            indicators,
        }),
        _ => None,
    };
    c.done(contract)
}

fn check_indicators(c: &mut Check, list: &[IndicatorFile]) -> Option<Vec<Indicator>> {
    let before = c.problems.len();
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for (i, f) in list.iter().enumerate() {
        let at = format!("indicators[{i}]");
        let id = c.code(
            &format!("{at}.id"),
            &f.id,
            slug_ok,
            "use lower-case letters, digits and '_', e.g. sla",
        );
        if let Some(id) = &id {
            if !ids.insert(id.clone()) {
                c.add(
                    &format!("{at}.id"),
                    format!("{id:?} is the id of another indicator too"),
                );
            }
        }
        let name = c.text(&format!("{at}.name"), &f.name, 200);
        let weight = c.dec(&format!("{at}.weight"), &f.weight);
        if weight.is_some_and(|w| w == Dec::ZERO || w > Dec::int(100)) {
            c.add(
                &format!("{at}.weight"),
                "must be above 0 and at most 100 (percent of the composite)",
            );
        }
        let source = check_source(c, &at, f);
        let target = match &f.target {
            None => {
                c.add(
                    &format!("{at}.target"),
                    "is missing: every indicator needs a target",
                );
                None
            }
            Some(_) => c.dec(&format!("{at}.target"), &f.target),
        };
        if target == Some(Dec::ZERO) {
            c.add(
                &format!("{at}.target"),
                "must be above 0 (achievement is measured against it)",
            );
        }
        let is_percent = matches!(&source, Some(s) if unit_of(s) == Unit::Percent);
        if let Some(t) = target.filter(|t| is_percent && *t > Dec::int(100)) {
            c.add(
                &format!("{at}.target"),
                format!("{t} is above 100, but this indicator is a percentage"),
            );
        }
        let direction = match f.direction.as_ref().map(|d| d.0.trim()) {
            None | Some("higher_is_better") => Some(Direction::HigherIsBetter),
            Some("lower_is_better") => Some(Direction::LowerIsBetter),
            Some(d) => {
                c.add(
                    &format!("{at}.direction"),
                    format!("{d:?} is not a direction: use higher_is_better or lower_is_better"),
                );
                None
            }
        };
        if let (Some(id), Some(name), Some(weight), Some(source), Some(target), Some(direction)) =
            (id, name, weight, source, target, direction)
        {
            out.push(Indicator {
                id,
                name,
                weight,
                source,
                target,
                direction,
            });
        }
    }
    if c.problems.len() != before || out.len() != list.len() {
        return None;
    }
    let sum: i64 = out.iter().map(|i| i.weight.units()).sum();
    if sum != Dec::int(100).units() {
        let parts: Vec<String> = out
            .iter()
            .map(|i| format!("{} {}", i.id, i.weight))
            .collect();
        c.add(
            "indicators",
            format!(
                "the weights add up to {} ({}); they must add up to exactly 100",
                Dec::from_units(sum),
                parts.join(" + ")
            ),
        );
        return None;
    }
    Some(out)
}

fn unit_of(s: &Source) -> Unit {
    match s {
        Source::Measure {
            measure: crate::kpi::Measure::Revenue,
            ..
        } => Unit::Amount,
        Source::Measure { .. } => Unit::Percent,
        Source::Entered { unit, .. } => *unit,
    }
}

fn check_source(c: &mut Check, at: &str, f: &IndicatorFile) -> Option<Source> {
    let names: Vec<&str> = MEASURES.iter().map(|(n, _)| *n).collect();
    let currency = f.currency.as_ref().map(|n| n.0.trim().to_string());
    let currency_ok = |c: &mut Check, needed: bool| -> Option<Option<String>> {
        match (&currency, needed) {
            (None, true) => {
                c.add(
                    &format!("{at}.currency"),
                    "is missing: an amount needs its currency, e.g. KES",
                );
                None
            }
            (Some(code), true) => match code.parse::<lango_core::money::Currency>() {
                Ok(cur) => Some(Some(cur.code().to_string())),
                Err(_) => {
                    c.add(
                        &format!("{at}.currency"),
                        format!("{code:?} is not a currency Lango knows, e.g. KES or USD"),
                    );
                    None
                }
            },
            (Some(_), false) => {
                c.add(
                    &format!("{at}.currency"),
                    "is only for amounts (revenue, or entered: amount)",
                );
                None
            }
            (None, false) => Some(None),
        }
    };
    match (&f.measure, &f.entered) {
        (Some(m), None) => {
            let m = m.0.trim();
            let Some((_, measure)) = MEASURES.iter().find(|(n, _)| *n == m) else {
                c.add(&format!("{at}.measure"), format!("{m:?} is not a measure Lango computes; use one of {}, or entered: percent, number or amount", names.join(", ")));
                return None;
            };
            let currency = currency_ok(c, *measure == crate::kpi::Measure::Revenue)?;
            Some(Source::Measure {
                measure: measure.clone(),
                currency,
            })
        }
        (None, Some(u)) => {
            let unit = match u.0.trim() {
                "percent" => Unit::Percent,
                "number" => Unit::Number,
                "amount" => Unit::Amount,
                other => {
                    c.add(
                        &format!("{at}.entered"),
                        format!("{other:?} is not a unit: use percent, number or amount"),
                    );
                    return None;
                }
            };
            let currency = currency_ok(c, unit == Unit::Amount)?;
            Some(Source::Entered { unit, currency })
        }
        (Some(_), Some(_)) => {
            c.add(at, "has both measure and entered: an indicator is either computed (measure) or entered by the agency, not both");
            None
        }
        (None, None) => {
            c.add(at, format!("says neither where its value comes from: add measure (one of {}) or entered (percent, number or amount)", names.join(", ")));
            None
        }
    }
}

/// Reads an entered value for `indicator`: an exact decimal, at most 100 for a percentage.
pub fn parse_value(indicator: &Indicator, value: &str) -> Result<Dec, String> {
    let v = Dec::parse(value)?;
    if indicator.unit() == Unit::Percent && v > Dec::int(100) {
        return Err(format!(
            "{v} is above 100, but this indicator is a percentage"
        ));
    }
    Ok(v)
}
