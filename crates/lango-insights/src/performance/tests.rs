//! The documented example reproduced exactly from the documentation page itself, and the
//! method's rules one by one.

use super::bundle::{parse_bundle, Doc};
use super::decimal::{Dec, Q};
use super::model::{Contract, Period};
use super::score::{rank, standing, Achievement, Actual, CategoryTable};
use super::service::actual_of;
use crate::kpi::Figure;
use lango_core::money::{Currency, Money};
use std::collections::HashMap;

/// docs/performance-contracting.md, read at build time so the test follows the page.
const DOC: &str = include_str!("../../../../docs/performance-contracting.md");

/// The fenced code block of the page whose first line is `# example: NAME`.
fn block(name: &str) -> String {
    let marker = format!("# example: {name}\n");
    let start = DOC
        .find(&marker)
        .unwrap_or_else(|| panic!("no block {name}"));
    let rest = &DOC[start..];
    rest[..rest.find("\n```").expect("block ends")].to_string()
}

/// The rows of the markdown table after `<!-- example: NAME -->`, header and rule skipped.
fn table(name: &str) -> Vec<Vec<String>> {
    let marker = format!("<!-- example: {name} -->");
    let start = DOC
        .find(&marker)
        .unwrap_or_else(|| panic!("no table {name}"));
    DOC[start + marker.len()..]
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// A measured figure as the page writes it: `1035 of 1100` or `KES 2300000.00`.
fn figure(text: &str) -> Figure {
    if let Some((n, d)) = text.split_once(" of ") {
        Figure::Ratio {
            numerator: n.parse().unwrap(),
            denominator: d.parse().unwrap(),
        }
    } else {
        let (cur, amount) = text.split_once(' ').unwrap();
        let cur: Currency = cur.parse().unwrap();
        Figure::Amount(Money::parse_decimal(amount, cur).unwrap())
    }
}

/// The example's league, computed from the page's bundle and measured figures.
fn example() -> (Period, Vec<CategoryTable>) {
    let mut period = None;
    let mut contracts: Vec<Contract> = Vec::new();
    let mut entered = HashMap::new();
    for doc in parse_bundle(&block("bundle")).expect("the example bundle is valid") {
        match doc {
            Doc::Period(p, _) => period = Some(p),
            Doc::Contract(c, _) => contracts.push(c),
            Doc::Entries(_, values) => {
                for v in values {
                    entered.insert((v.agency, v.indicator), (v.value, v.evidence));
                }
            }
        }
    }
    let measured: HashMap<String, HashMap<String, String>> =
        serde_yaml_ng::from_str(&block("measured")).expect("measured figures");
    let period = period.expect("a period");
    let standings = contracts
        .iter()
        .map(|c| {
            let actuals = c
                .indicators
                .iter()
                .map(|i| {
                    if i.is_entered() {
                        entered.get(&(c.agency.clone(), i.id.clone())).map(
                            |(v, e): &(Dec, String)| Actual {
                                value: v.q(),
                                basis: e.clone(),
                            },
                        )
                    } else {
                        measured[&c.agency]
                            .get(&i.id)
                            .and_then(|t| actual_of(figure(t)))
                    }
                })
                .collect();
            standing(&period.scale, c, actuals)
        })
        .collect();
    let tables = rank(&period.scale, standings);
    (period, tables)
}

fn or_no_data(v: Option<String>) -> String {
    v.unwrap_or_else(|| "no data".into())
}

#[test]
fn the_documented_example_is_reproduced_exactly() {
    let (_, tables) = example();
    let standings: Vec<_> = tables.iter().flat_map(|t| &t.standings).collect();
    let expected = table("indicator scores");
    assert_eq!(expected.len(), 21, "the page lists 21 indicators");
    for row in &expected {
        let s = standings
            .iter()
            .find(|s| s.agency == row[0])
            .unwrap_or_else(|| panic!("{} scored", row[0]));
        let i = s
            .indicators
            .iter()
            .find(|i| i.indicator.id == row[1])
            .unwrap_or_else(|| panic!("{} {}", row[0], row[1]));
        let got = [
            s.agency.clone(),
            i.indicator.id.clone(),
            or_no_data(i.actual.as_ref().map(|a| a.value.to_dec().to_string())),
            i.indicator.target.to_string(),
            or_no_data(i.achievement.map(|a| a.display())),
            or_no_data(i.raw.map(|r| r.fixed(4))),
            i.indicator.weight.to_string(),
            or_no_data(i.weighted_text()),
        ];
        assert_eq!(got.as_slice(), row.as_slice(), "{} {}", row[0], row[1]);
    }
    let league = table("league");
    assert_eq!(league.len(), 7, "the page ranks 7 agencies");
    let got: Vec<Vec<String>> = tables
        .iter()
        .flat_map(|t| {
            t.standings.iter().map(|s| {
                vec![
                    t.category.clone(),
                    s.rank.map_or("–".into(), |r| r.to_string()),
                    s.agency.clone(),
                    or_no_data(s.composite.map(|c| c.fixed(4))),
                    s.grade.clone().unwrap_or_else(|| "–".into()),
                ]
            })
        })
        .collect();
    assert_eq!(got, league, "the league, in the page's order");
}

#[test]
fn the_documented_contract_and_period_examples_are_valid() {
    // The two format examples at the top of the page parse as they are.
    let yaml_blocks: Vec<&str> = DOC
        .split("```yaml\n")
        .skip(1)
        .map(|b| &b[..b.find("```").unwrap()])
        .collect();
    assert!(super::check::parse_period(yaml_blocks[0]).is_ok());
    let c = super::check::parse_contract(yaml_blocks[1]).expect("contract example");
    assert_eq!(c.indicators.len(), 3);
    // The same contract as JSON.
    let json = serde_json::to_string(&serde_json::json!({
        "period": "FY2025-26", "agency": "NTSA", "category": "state_corporation",
        "indicators": [
            {"id": "sla", "name": "Applications decided within the service standard", "weight": 40, "measure": "sla_compliance", "target": 90},
            {"id": "revenue", "name": "Revenue collected", "weight": 30, "measure": "revenue", "currency": "KES", "target": "2000000.00"},
            {"id": "pay_days", "name": "Average days to pay suppliers", "weight": 30, "entered": "number", "direction": "lower_is_better", "target": 30}
        ]
    }))
    .unwrap();
    assert_eq!(super::check::parse_contract(&json).expect("JSON"), c);
}

fn period_with(grades: &str, anchors: &str) -> String {
    format!(
        "code: P1\nname: Test\nstarts: 2025-07-01\nends: 2026-06-30\nscale:\n  best: 1.0\n  worst: 5.0\n  anchors:\n{anchors}  grades:\n{grades}"
    )
}

const ANCHORS: &str = "    - {achievement: 70, raw: 5.0}\n    - {achievement: 100, raw: 3.0}\n    - {achievement: 130, raw: 1.0}\n";
const GRADES: &str = "    - {name: Excellent, from: 1.00, to: 2.40}\n    - {name: Very good, from: 2.41, to: 3.00}\n    - {name: Good, from: 3.01, to: 3.60}\n    - {name: Fair, from: 3.61, to: 4.00}\n    - {name: Poor, from: 4.01, to: 5.00}\n";

/// The one problem of a refused period, as `path: message`.
fn period_refusal(text: &str) -> String {
    let problems = super::check::parse_period(text).expect_err("refused");
    problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_bands_are_refused_naming_the_band() {
    let overlap = GRADES.replace("from: 2.41", "from: 2.40");
    let m = period_refusal(&period_with(&overlap, ANCHORS));
    assert!(
        m.starts_with("scale.grades[1].from: Very good (2.40) starts at 2.40, inside Excellent"),
        "{m}"
    );
    assert!(m.contains("must not overlap"), "{m}");
    let gap = GRADES.replace("from: 2.41", "from: 2.42");
    let m = period_refusal(&period_with(&gap, ANCHORS));
    assert!(m.contains("scale.grades[1].from: Very good starts at 2.42 but Excellent (scale.grades[0]) ends at 2.40: 2.41 is in no band"), "{m}");
    let short = GRADES.replace("to: 5.00", "to: 4.50");
    let m = period_refusal(&period_with(&short, ANCHORS));
    assert!(
        m.contains("scale.grades[4].to: the highest band ends at 4.50 but the scale ends at 5.00"),
        "{m}"
    );
    let late = GRADES.replace("from: 1.00", "from: 1.50");
    let m = period_refusal(&period_with(&late, ANCHORS));
    assert!(
        m.contains("scale.grades[0].from: the lowest band starts at 1.50"),
        "{m}"
    );
    let twice = GRADES.replace("name: Poor", "name: good");
    let m = period_refusal(&period_with(&twice, ANCHORS));
    assert!(
        m.contains("scale.grades[4].name: \"good\" is the name of another band too"),
        "{m}"
    );
}

#[test]
fn bad_anchors_and_dates_are_refused() {
    let backwards = ANCHORS.replace("achievement: 130", "achievement: 90");
    let m = period_refusal(&period_with(GRADES, &backwards));
    assert!(
        m.contains(
            "scale.anchors[2].achievement: 90 must be greater than the achievement before it (100)"
        ),
        "{m}"
    );
    let worse = ANCHORS.replace("raw: 1.0", "raw: 4.0");
    let m = period_refusal(&period_with(GRADES, &worse));
    assert!(
        m.contains("scale.anchors[2].raw: 4 is worse than 3 at the lower achievement before it"),
        "{m}"
    );
    let outside = ANCHORS.replace("raw: 1.0", "raw: 0.5");
    let m = period_refusal(&period_with(GRADES, &outside));
    assert!(
        m.contains("scale.anchors[2].raw: 0.5 is outside the scale"),
        "{m}"
    );
    let one = "    - {achievement: 100, raw: 3.0}\n";
    assert!(period_refusal(&period_with(GRADES, one))
        .contains("scale.anchors: needs at least two points"));
    let text = period_with(GRADES, ANCHORS);
    let m = period_refusal(&text.replace("2025-07-01", "2025-02-30"));
    assert!(
        m.contains("starts: \"2025-02-30\" is not a real date"),
        "{m}"
    );
    let m = period_refusal(&text.replace("2026-06-30", "2025-06-30"));
    assert!(
        m.contains("ends: 2025-06-30 is before the start, 2025-07-01"),
        "{m}"
    );
    let m = period_refusal(&text.replace("best: 1.0", "best: 5.0"));
    assert!(m.contains("scale.worst: equals best (5)"), "{m}");
    let m = period_refusal(&text.replace("best: 1.0", "best: 1.00001"));
    assert!(
        m.contains("scale.best: 1.00001 has more than 4 decimal places"),
        "{m}"
    );
    let m = period_refusal(&text.replace("code: P1", "code: \"P 1\""));
    assert!(m.contains("code: \"P 1\" is not a valid code"), "{m}");
    let m = period_refusal(&text.replace("name: Test\n", ""));
    assert!(m.contains("name: is missing; it is required"), "{m}");
}

#[test]
fn yaml_mistakes_name_their_line() {
    let text = period_with(GRADES, ANCHORS).replace("worst: 5.0", "wrost: 5.0");
    let problems = super::check::parse_period(&text).expect_err("refused");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, Some(7));
    assert!(
        problems[0].message.contains("unknown key `wrost`"),
        "{:?}",
        problems[0]
    );
    assert_eq!(problems[0].path, "scale");
    let empty = super::check::parse_period("  \n").expect_err("refused");
    assert!(empty[0].message.contains("the text is empty"));
    let json = super::check::parse_period("{\"code\": \"P1\",\n \"nam\": 1}").expect_err("refused");
    assert_eq!(json[0].line, Some(2));
    assert!(
        json[0].message.contains("unknown key `nam`"),
        "{:?}",
        json[0]
    );
}

const CONTRACT: &str = "period: P1\nagency: NTSA\ncategory: state_corporation\nindicators:\n  - id: sla\n    name: Within the standard\n    weight: 40\n    measure: sla_compliance\n    target: 90\n  - id: revenue\n    name: Revenue\n    weight: 30\n    measure: revenue\n    currency: KES\n    target: 2000000.00\n  - id: pay_days\n    name: Days to pay\n    weight: 30\n    entered: number\n    direction: lower_is_better\n    target: 30\n";

fn contract_refusal(text: &str) -> String {
    super::check::parse_contract(text)
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_contracts_are_refused_naming_the_place() {
    assert!(super::check::parse_contract(CONTRACT).is_ok());
    let m =
        contract_refusal(&CONTRACT.replace("weight: 30\n    entered", "weight: 25\n    entered"));
    assert_eq!(m, "line 4, indicators: the weights add up to 95 (sla 40 + revenue 30 + pay_days 25); they must add up to exactly 100");
    let m = contract_refusal(&CONTRACT.replace("    target: 90\n", ""));
    assert_eq!(
        m,
        "line 5, indicators[0].target: is missing: every indicator needs a target"
    );
    let m = contract_refusal(&CONTRACT.replace("target: 90", "target: 0"));
    assert!(m.contains("indicators[0].target: must be above 0"), "{m}");
    let m = contract_refusal(&CONTRACT.replace("target: 90", "target: 120"));
    assert!(
        m.contains("indicators[0].target: 120 is above 100, but this indicator is a percentage"),
        "{m}"
    );
    let m = contract_refusal(&CONTRACT.replace("measure: sla_compliance", "measure: sla"));
    assert!(m.contains("line 8, indicators[0].measure: \"sla\" is not a measure Lango computes; use one of sla_compliance, digital_take_up"), "{m}");
    let m = contract_refusal(&CONTRACT.replace("    currency: KES\n", ""));
    assert!(
        m.contains("indicators[1].currency: is missing: an amount needs its currency"),
        "{m}"
    );
    let m = contract_refusal(&CONTRACT.replace("currency: KES", "currency: XYZ"));
    assert!(m.contains("\"XYZ\" is not a currency Lango knows"), "{m}");
    let m = contract_refusal(&CONTRACT.replace("entered: number", "entered: days"));
    assert!(
        m.contains("indicators[2].entered: \"days\" is not a unit"),
        "{m}"
    );
    let m = contract_refusal(
        &CONTRACT.replace("entered: number", "entered: number\n    measure: revenue"),
    );
    assert!(
        m.contains("indicators[2]: has both measure and entered"),
        "{m}"
    );
    let m = contract_refusal(&CONTRACT.replace("    entered: number\n", ""));
    assert!(
        m.contains("indicators[2]: says neither where its value comes from"),
        "{m}"
    );
    let m = contract_refusal(&CONTRACT.replace("lower_is_better", "smaller"));
    assert!(
        m.contains("indicators[2].direction: \"smaller\" is not a direction"),
        "{m}"
    );
    let m = contract_refusal(&CONTRACT.replace("id: revenue", "id: sla"));
    assert!(
        m.contains("indicators[1].id: \"sla\" is the id of another indicator too"),
        "{m}"
    );
    let m = contract_refusal(&CONTRACT.replace(
        "category: state_corporation",
        "category: State Corporations",
    ));
    assert!(
        m.contains("category: \"State Corporations\" is not a valid code"),
        "{m}"
    );
    let m = contract_refusal(&CONTRACT.replace("agency: NTSA", "agency: ntsa"));
    assert!(m.contains("agency: \"ntsa\" is not a valid code"), "{m}");
    let m = contract_refusal(&CONTRACT.replace("weight: 40", "weight: 0"));
    assert!(m.contains("indicators[0].weight: must be above 0"), "{m}");
}

fn scale() -> super::model::Scale {
    super::check::parse_period(&period_with(GRADES, ANCHORS))
        .unwrap()
        .scale
}

#[test]
fn raw_scores_follow_the_anchors_and_stop_at_the_ends() {
    let s = scale();
    let raw = |x: i64| s.raw(Some(Q::int(x))).to_string();
    assert_eq!(raw(100), "3");
    assert_eq!(raw(70), "5");
    assert_eq!(raw(10), "5");
    assert_eq!(raw(130), "1");
    assert_eq!(raw(500), "1");
    assert_eq!(raw(85), "4");
    assert_eq!(
        s.raw(None).to_string(),
        "1",
        "beyond every bound is the best"
    );
    // 2/3 of the way from 100 to 130: 3 − 2 × 2/3 = 1.6666… → 1.6667 (half up).
    assert_eq!(raw(120), "1.6667");
}

#[test]
fn grades_are_looked_up_at_the_bands_precision() {
    let s = scale();
    let grade = |c: &str| s.grade(Dec::parse(c).unwrap()).map(|g| g.name.clone());
    assert_eq!(grade("2.4049").as_deref(), Some("Excellent"));
    assert_eq!(grade("2.4050").as_deref(), Some("Very good"));
    assert_eq!(grade("1").as_deref(), Some("Excellent"));
    assert_eq!(grade("5").as_deref(), Some("Poor"));
    assert_eq!(grade("4.0049").as_deref(), Some("Fair"));
}

#[test]
fn lower_is_better_with_nothing_is_unbounded() {
    use super::model::Direction;
    let a = super::score::achievement(Q::int(0), Dec::int(30), Direction::LowerIsBetter);
    assert_eq!(a, Achievement::Unbounded);
    assert_eq!(a.display(), "∞");
    let a = super::score::achievement(Q::int(0), Dec::int(30), Direction::HigherIsBetter);
    assert_eq!(a, Achievement::Percent(Q::int(0)));
}

#[test]
fn a_higher_is_better_scale_ranks_the_highest_first_and_ties_share() {
    let text = "code: P2\nname: Hundred\nstarts: 2025-07-01\nends: 2026-06-30\nscale:\n  best: 100\n  worst: 0\n  anchors:\n    - {achievement: 0, raw: 0}\n    - {achievement: 100, raw: 100}\n  grades:\n    - {name: Pass, from: 50, to: 100}\n    - {name: Fail, from: 0, to: 49}\n";
    let period = super::check::parse_period(text).expect("valid");
    let contract = |agency: &str| {
        Contract {
        period: "P2".into(),
        agency: agency.into(),
        category: "ministry".into(),
        indicators: super::check::parse_contract(
            "period: P2\nagency: XX\ncategory: ministry\nindicators:\n  - {id: a, name: A, weight: 100, entered: percent, target: 100}\n",
        )
        .unwrap()
        .indicators,
    }
    };
    let value = |v: i64| {
        Some(Actual {
            value: Q::int(v),
            basis: String::new(),
        })
    };
    let standings = vec![
        standing(&period.scale, &contract("AAA"), vec![value(40)]),
        standing(&period.scale, &contract("BBB"), vec![value(90)]),
        standing(&period.scale, &contract("CCC"), vec![value(90)]),
        standing(&period.scale, &contract("DDD"), vec![None]),
        standing(&period.scale, &contract("EEE"), vec![value(95)]),
    ];
    let tables = rank(&period.scale, standings);
    let order: Vec<(String, Option<u32>, Option<String>)> = tables[0]
        .standings
        .iter()
        .map(|s| (s.agency.clone(), s.rank, s.grade.clone()))
        .collect();
    let pass = Some("Pass".to_string());
    assert_eq!(
        order,
        [
            ("EEE".into(), Some(1), pass.clone()),
            ("BBB".into(), Some(2), pass.clone()),
            ("CCC".into(), Some(2), pass),
            ("AAA".into(), Some(4), Some("Fail".into())),
            ("DDD".into(), None, None),
        ]
    );
}

#[test]
fn a_measure_without_a_denominator_is_no_data() {
    assert_eq!(
        actual_of(Figure::Ratio {
            numerator: 0,
            denominator: 0
        }),
        None
    );
    let a = actual_of(Figure::Amount(Money::from_minor(123_456, Currency::Kes))).unwrap();
    assert_eq!(a.value, Q::new(123_456, 100));
}

#[test]
fn bundles_refuse_a_bad_document_by_number() {
    let text = format!(
        "{}---\n{}",
        period_with(GRADES, ANCHORS),
        CONTRACT.replace("weight: 40", "weight: 45")
    );
    let e = parse_bundle(&text).expect_err("refused").to_string();
    assert!(
        e.contains("document 2 (contract) refused") && e.contains("add up to 105"),
        "{e}"
    );
    assert!(parse_bundle("just: words\n").is_err());
}

#[test]
fn the_demo_bundle_is_valid_and_its_values_fit_their_indicators() {
    let text = include_str!("../../../lango/demo/performance/FY2026-27.yaml");
    let docs = parse_bundle(text).expect("the demo bundle is valid");
    let contracts: Vec<&Contract> = docs
        .iter()
        .filter_map(|d| match d {
            Doc::Contract(c, _) => Some(c),
            _ => None,
        })
        .collect();
    assert!(contracts.len() >= 7);
    let mut categories: Vec<&str> = contracts.iter().map(|c| c.category.as_str()).collect();
    categories.dedup();
    assert!(categories.len() >= 3);
    for d in &docs {
        if let Doc::Entries(period, values) = d {
            assert_eq!(period, "FY2026-27");
            for v in values {
                let c = contracts
                    .iter()
                    .find(|c| c.agency == v.agency)
                    .unwrap_or_else(|| panic!("{} has a contract", v.agency));
                let i = c
                    .indicators
                    .iter()
                    .find(|i| i.id == v.indicator && i.is_entered())
                    .unwrap_or_else(|| panic!("{} {}", v.agency, v.indicator));
                super::check::parse_value(i, &v.value.to_string()).expect("value fits");
                assert!(!v.evidence.is_empty());
            }
        }
    }
}
