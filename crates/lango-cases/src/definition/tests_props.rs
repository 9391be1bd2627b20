//! Property tests: every field type's validator never panics, accepts what it should in
//! a canonical form that it accepts again unchanged, and refuses what it should.

use super::fields::{self, Ctx};
use super::model::FieldDef;
use super::*;
use proptest::prelude::*;
use serde_json::Value;

/// One field of each type, from a definition so they are checked like real ones.
fn field(yaml: &str) -> FieldDef {
    serde_yaml_ng::from_str(yaml).expect("a field")
}

fn today() -> Today {
    Today {
        days: lango_core::clock::days_from_civil(2026, 3, 5),
    }
}

fn cx(county: Option<&str>) -> Ctx<'_> {
    Ctx {
        today: today(),
        currency: lango_core::money::Currency::Kes,
        pattern: None,
        county,
    }
}

fn run(f: &FieldDef, raw: &str) -> Result<Option<Value>, model::Words> {
    fields::validate(f, &[raw.to_string()], &cx(Some("Nairobi City")))
}

/// Valid input → canonical; canonical → itself.
fn canon_stable(f: &FieldDef, raw: &str) -> String {
    let first = run(f, raw)
        .unwrap_or_else(|e| panic!("{raw:?} refused: {e:?}"))
        .expect("answered");
    let s = first.as_str().expect("a string").to_string();
    let again = run(f, &s).expect("canonical accepted").expect("answered");
    assert_eq!(again, first, "canonical form is stable for {raw:?}");
    s
}

fn all_fields() -> Vec<FieldDef> {
    [
        "{id: t, type: text, label: {en: T}, min_length: 2, max_length: 20}",
        "{id: n, type: number, label: {en: N}, min: '-50', max: '1000', decimals: 2}",
        "{id: m, type: money, label: {en: M}, min: '1.00', max: '1000000.00'}",
        "{id: d, type: date, label: {en: D}, min: '1900-01-01', max: today}",
        "{id: c, type: choice, label: {en: C}, choices: [{value: a, label: {en: A}}, {value: b, label: {en: B}}]}",
        "{id: mc, type: multiple_choice, label: {en: MC}, max_items: 2, choices: [{value: a, label: {en: A}}, {value: b, label: {en: B}}, {value: c, label: {en: C}}]}",
        "{id: y, type: yes_no, label: {en: Y}}",
        "{id: i, type: national_id, label: {en: I}}",
        "{id: p, type: phone, label: {en: P}}",
        "{id: e, type: email, label: {en: E}}",
        "{id: k, type: county, label: {en: K}}",
        "{id: s, type: sub_county, label: {en: S}, county_field: k}",
    ]
    .iter()
    .map(|y| field(y))
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn definition_prop_arbitrary_input_never_panics(raw in any::<String>(), many in proptest::collection::vec(any::<String>(), 0..4)) {
        for f in all_fields() {
            let _ = run(&f, &raw);
            let _ = fields::validate(&f, &many, &cx(None));
            if let Ok(Some(v)) = run(&f, &raw) {
                // Whatever is accepted is accepted again unchanged.
                let again = match &v {
                    Value::String(s) => run(&f, s),
                    Value::Array(a) => fields::validate(&f, &a.iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect::<Vec<_>>(), &cx(Some("Nairobi City"))),
                    _ => panic!("unexpected {v:?}"),
                };
                prop_assert_eq!(again.expect("accepted again"), Some(v));
            }
        }
    }

    #[test]
    fn definition_prop_text(s in "[a-zA-Z0-9 ,.'-]{0,30}", pad in " {0,3}") {
        let f = &all_fields()[0];
        let trimmed = s.trim();
        let n = trimmed.chars().count();
        let r = run(f, &format!("{pad}{s}{pad}"));
        if trimmed.is_empty() { prop_assert_eq!(r, Ok(None)); }
        else if (2..=20).contains(&n) { prop_assert_eq!(canon_stable(f, &s), trimmed); }
        else { prop_assert!(r.is_err()); }
        let bell = format!("ab{}cd", '\u{7}');
        prop_assert!(run(f, &bell).is_err(), "control characters refused");
    }

    #[test]
    fn definition_prop_number(whole in -100_i64..2000, cents in 0_u32..100) {
        let f = &all_fields()[1];
        let raw = if whole < 0 { format!("-{}.{cents:02}", -whole) } else { format!("{whole}.{cents:02}") };
        let value = whole as f64 + if whole < 0 { -(cents as f64) } else { cents as f64 } / 100.0;
        let r = run(f, &raw);
        if (-50.0..=1000.0).contains(&value) { canon_stable(f, &raw); } else { prop_assert!(r.is_err(), "{raw}"); }
        prop_assert!(run(f, &format!("{whole}.123")).is_err(), "three decimals refused");
    }

    #[test]
    fn definition_prop_money(whole in 0_u64..2_000_000, cents in 0_u32..100) {
        let f = &all_fields()[2];
        let raw = format!("{whole}.{cents:02}");
        let ok = (1..1_000_000).contains(&whole) || (whole == 1_000_000 && cents == 0);
        if ok {
            prop_assert_eq!(canon_stable(f, &raw), raw.clone());
            // Thousands separators and a currency prefix are accepted.
            let grouped = format!("KES {},{:03}.{cents:02}", whole / 1000, whole % 1000);
            if whole >= 1000 { prop_assert_eq!(canon_stable(f, &grouped), raw); }
        } else {
            prop_assert!(run(f, &raw).is_err());
        }
        prop_assert!(run(f, &format!("{whole}.{cents:02}5")).is_err(), "sub-cent refused");
        prop_assert!(run(f, &format!("-{whole}")).is_err(), "negative refused");
    }

    #[test]
    fn definition_prop_date(y in 1890_i64..2040, m in 1_i64..=12, d in 1_i64..=31) {
        let f = &all_fields()[3];
        let raw = format!("{y:04}-{m:02}-{d:02}");
        let real = values::ymd_days(y, m, d);
        match real {
            Some(days) if days <= today().days && y >= 1900 => {
                prop_assert_eq!(canon_stable(f, &raw), raw.clone());
                prop_assert_eq!(canon_stable(f, &format!("{d}/{m}/{y}")), raw);
            }
            _ => prop_assert!(run(f, &raw).is_err(), "{raw}"),
        }
    }

    #[test]
    fn definition_prop_choices(pick in proptest::sample::subsequence(vec!["a", "b", "c"], 0..=3), other in "[a-z]{2,5}") {
        let all = all_fields();
        let (choice, multi) = (&all[4], &all[5]);
        prop_assert_eq!(canon_stable(choice, "a"), "a");
        prop_assert!(run(choice, &other).is_err());
        let raw: Vec<String> = pick.iter().rev().map(|s| s.to_string()).collect();
        let r = fields::validate(multi, &raw, &cx(None));
        if pick.is_empty() { prop_assert_eq!(r, Ok(None)); }
        else if pick.len() > 2 { prop_assert!(r.is_err()); }
        else {
            let v = r.expect("accepted").expect("answered");
            let expected: Vec<Value> = pick.iter().map(|s| Value::String(s.to_string())).collect();
            prop_assert_eq!(&v, &Value::Array(expected), "in the choices' order");
        }
        let mut bad = raw.clone();
        bad.push(other);
        prop_assert!(fields::validate(multi, &bad, &cx(None)).is_err());
    }

    #[test]
    fn definition_prop_yes_no(word in prop_oneof!["yes", "YES", "Ndiyo", "no", "Hapana", "nope", "y"]) {
        let f = &all_fields()[6];
        match word.to_lowercase().as_str() {
            "yes" | "ndiyo" => prop_assert_eq!(canon_stable(f, &word), "yes"),
            "no" | "hapana" => prop_assert_eq!(canon_stable(f, &word), "no"),
            _ => prop_assert!(run(f, &word).is_err()),
        }
    }

    #[test]
    fn definition_prop_national_id(digits in "[0-9]{1,11}", split in 0_usize..8) {
        let f = &all_fields()[7];
        let cut = split.min(digits.len());
        let spaced = format!("{} {}", &digits[..cut], &digits[cut..]);
        if (7..=8).contains(&digits.len()) { prop_assert_eq!(canon_stable(f, &spaced), digits); }
        else { prop_assert!(run(f, &spaced).is_err()); }
    }

    #[test]
    fn definition_prop_phone(lead in prop_oneof!["7", "1", "8", "2"], rest in "[0-9]{8}", form in 0_usize..5) {
        let f = &all_fields()[8];
        let nine = format!("{lead}{rest}");
        let raw = match form {
            0 => format!("0{nine}"),
            1 => format!("+254{nine}"),
            2 => format!("254{nine}"),
            3 => format!("0{} {} {}", &nine[..3], &nine[3..6], &nine[6..]),
            _ => format!("+254-{}-{}", &nine[..3], &nine[3..]),
        };
        if lead == "7" || lead == "1" { prop_assert_eq!(canon_stable(f, &raw), format!("+254{nine}")); }
        else { prop_assert!(run(f, &raw).is_err()); }
        prop_assert!(run(f, &format!("0{nine}9")).is_err(), "too long");
    }

    #[test]
    fn definition_prop_email(local in "[a-z0-9][a-z0-9._+-]{0,10}[a-z0-9]", host in "[a-z]{1,10}", tld in "[a-z]{2,5}", upper in any::<bool>()) {
        let f = &all_fields()[9];
        let domain = if upper { format!("{host}.{tld}").to_uppercase() } else { format!("{host}.{tld}") };
        let raw = format!("{local}@{domain}");
        if local.contains("..") { prop_assert!(run(f, &raw).is_err()); }
        else { prop_assert_eq!(canon_stable(f, &raw), format!("{local}@{host}.{tld}")); }
        prop_assert!(run(f, &format!("{local}{host}.{tld}")).is_err(), "no @");
        prop_assert!(run(f, &format!("{local}@{host}")).is_err(), "no dot in the domain");
    }

    #[test]
    fn definition_prop_counties(i in 0_usize..47, j in 0_usize..20, shout in any::<bool>()) {
        let all = all_fields();
        let (county, sub) = (&all[10], &all[11]);
        let (name, subs) = (counties::regions()[i].name.as_str(), &counties::regions()[i].subregions);
        let typed = if shout { name.to_uppercase() } else { name.to_lowercase() };
        prop_assert_eq!(canon_stable(county, &typed), name);
        let s = subs[j % subs.len()].as_str();
        let got = fields::validate(sub, &[s.to_lowercase()], &cx(Some(name))).expect("valid").expect("answered");
        prop_assert_eq!(got, Value::String(s.to_string()));
        // A sub-county of another county is refused.
        let other_region = &counties::regions()[(i + 1) % 47];
        let (other, foreign) = (other_region.name.as_str(), other_region.subregions[0].as_str());
        if !subs.iter().any(|x| x == foreign) {
            prop_assert!(fields::validate(sub, &[foreign.to_string()], &cx(Some(name))).is_err(), "{foreign} is not in {name} but in {other}");
        }
    }

    #[test]
    fn definition_prop_files(kind in prop_oneof!["application/pdf", "image/jpeg", "image/png", "text/html"], size in 0_u64..4_000_000) {
        let f = field("{id: f, type: file, label: {en: F}, accept: [jpeg, png], max_size_kb: 2048}");
        let a = FileAnswer { id: "d".into(), name: "x".into(), content_type: kind.to_string(), size, sha256: "0".repeat(64) };
        let ok = (kind == "image/jpeg" || kind == "image/png") && size <= 2048 * 1024;
        prop_assert_eq!(fields::file(&f, &a).is_ok(), ok);
    }

    #[test]
    fn definition_prop_groups(rows in proptest::collection::vec(("[A-Za-z ]{0,12}", "[0-9]{6,9}"), 0..25)) {
        let def = Definition::parse(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../lango/demo/definitions/BRS-BUSINESS-NAME.yaml")).expect("demo")).expect("valid");
        let mut values = vec![("kra_pin".to_string(), "A012345678Z".to_string()), ("has_partners".to_string(), "yes".to_string())];
        for (i, (name, id)) in rows.iter().enumerate() {
            values.push((format!("partners.{i}.name"), name.clone()));
            values.push((format!("partners.{i}.national_id"), id.clone()));
        }
        let mut answers = Answers::new();
        let r = def.answer_page("owners", &PageInput { values, files: vec![] }, today(), &mut answers);
        let ok = !rows.is_empty() && rows.len() <= 20 && rows.iter().all(|(n, id)| !n.trim().is_empty() && (7..=8).contains(&id.len()));
        prop_assert_eq!(r.is_ok(), ok, "{:?}", r);
        if ok {
            prop_assert_eq!(answers["partners"].as_array().map(|a| a.len()), Some(rows.len()));
            // Stored answers pass the submission check unchanged.
            let complete = def.check_all(&answers, today());
            if let Ok(checked) = complete { prop_assert_eq!(&checked["partners"], &answers["partners"]); }
        } else {
            prop_assert!(answers.is_empty(), "answers unchanged on error");
        }
    }
}
