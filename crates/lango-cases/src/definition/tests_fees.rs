//! Fees of the demo services, worked by hand, and conditions.

use super::tests_bad::{variant, BASE};
use super::*;
use serde_json::json;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../lango/demo/definitions");

fn demo(code: &str) -> Definition {
    let text = std::fs::read_to_string(format!("{DEMO}/{code}.yaml")).expect("demo file");
    Definition::parse(&text).unwrap_or_else(|e| panic!("{code}: {e:#?}"))
}

fn answers(v: serde_json::Value) -> Answers {
    v.as_object().cloned().expect("an object")
}

fn total(def: &Definition, a: serde_json::Value) -> String {
    def.fee(&answers(a)).expect("a fee").total.to_decimal()
}

#[test]
fn definition_fees_of_the_demo_services() {
    let d = demo("DIS-PASSPORT");
    assert_eq!(total(&d, json!({"booklet": "34"})), "4550.00");
    assert_eq!(total(&d, json!({"booklet": "50"})), "6050.00");
    assert_eq!(total(&d, json!({"booklet": "66"})), "7550.00");
    assert_eq!(
        total(&d, json!({})),
        "0.00",
        "not chosen yet: nothing charged"
    );

    let d = demo("NTSA-DL-RENEW");
    assert_eq!(total(&d, json!({"period": "one_year"})), "650.00");
    assert_eq!(total(&d, json!({"period": "three_years"})), "3050.00");

    let d = demo("CG-NBI-SBP");
    for (employees, fee) in [
        ("1", "5000.00"),
        ("5", "5000.00"),
        ("6", "10000.00"),
        ("50", "10000.00"),
        ("51", "30000.00"),
    ] {
        assert_eq!(
            total(&d, json!({ "employees": employees })),
            fee,
            "{employees}"
        );
    }

    let d = demo("CG-NBI-LAND-RATES");
    // 0.115% of 500,000 is 575: the minimum of 1,000 applies.
    assert_eq!(
        total(
            &d,
            json!({"rateable_value": "500000.00", "has_arrears": "no"})
        ),
        "1000.00"
    );
    assert_eq!(
        total(
            &d,
            json!({"rateable_value": "2000000.00", "has_arrears": "no"})
        ),
        "2300.00"
    );
    // 1,234,567.89 × 0.00115 = 1,419.7530735 → 1,419.75; plus arrears 500.50.
    let fee = d
        .fee(&answers(
            json!({"rateable_value": "1234567.89", "has_arrears": "yes", "arrears": "500.50"}),
        ))
        .expect("fee");
    assert_eq!(fee.items.len(), 2);
    assert_eq!(fee.items[0].1.to_decimal(), "1419.75");
    assert_eq!(fee.total.display(), "KES 1,920.25");
    // 1,000,004.35 × 0.00115 = 1,150.0050025 → rounds half up to 1,150.01.
    assert_eq!(
        total(
            &d,
            json!({"rateable_value": "1000004.35", "has_arrears": "no"})
        ),
        "1150.01"
    );

    assert_eq!(total(&demo("DCI-GOOD-CONDUCT"), json!({})), "1050.00");
    assert_eq!(total(&demo("BRS-BUSINESS-NAME"), json!({})), "950.00");
    assert_eq!(total(&demo("CRS-BIRTH-CERT-COPY"), json!({})), "200.00");
    assert_eq!(total(&demo("HELB-LOAN"), json!({})), "100.00");
}

#[test]
fn definition_formula_faults_are_errors_not_panics() {
    let yaml = variant(
        "      by_choice:\n        field: kind\n        amounts: { a: \"10.00\", b: \"20.00\" }\n",
        "      formula: \"1000 / (count - 2)\"\n",
    );
    let def = Definition::parse(&yaml).expect("valid");
    let today = Today { days: 20_000 };
    let a = answers(json!({"name": "Amina", "kind": "a", "count": "2"}));
    let fee = def.fee(&a).expect("fee");
    assert_eq!(fee.total.minor(), 0, "the faulty item is not charged");
    let errors = def.check_all(&a, today).expect_err("refused at submission");
    assert_eq!(errors[0].field, "count");
    assert!(errors[0].message.en.contains("cannot be worked out"));
    // On its page too, leaving the answers as they were.
    let mut kept = answers(json!({"name": "Amina", "kind": "a"}));
    let input = PageInput {
        values: vec![("count".into(), "2".into())],
        files: vec![],
    };
    assert!(def.answer_page("two", &input, today, &mut kept).is_err());
    assert!(!kept.contains_key("count"));
    // A negative result is a fault as well.
    let a = answers(json!({"name": "Amina", "kind": "a", "count": "1"}));
    assert!(def.check_all(&a, today).is_err());
    let a = answers(json!({"name": "Amina", "kind": "a", "count": "6"}));
    assert_eq!(def.fee(&a).expect("fee").total.to_decimal(), "250.00");
}

#[test]
fn definition_conditions_show_and_hide() {
    let today = Today {
        days: lango_core::clock::days_from_civil(2026, 3, 5),
    };
    let def = Definition::parse(BASE).expect("valid");
    let ids = |a: serde_json::Value| -> Vec<String> {
        def.pages_at(&answers(a), today)
            .iter()
            .map(|p| p.id.clone())
            .collect()
    };
    assert_eq!(ids(json!({})), ["one"]);
    assert_eq!(ids(json!({"kind": "a"})), ["one", "two"]);
    assert_eq!(ids(json!({"kind": "b"})), ["one"]);
    // Answers of a page hidden later are dropped at submission.
    let checked = def
        .check_all(
            &answers(json!({"name": "x", "kind": "b", "count": "3"})),
            today,
        )
        .expect("ok");
    assert!(!checked.contains_key("count"));

    let rates = demo("CRS-BIRTH-CERT-COPY");
    let mut a = answers(
        json!({"relationship": "self", "applicant_id": "1234567", "registered_name": "Baraka Mwangi", "date_of_birth": "2001-06-15", "county_of_birth": "Kisumu", "mother_name": "Grace"}),
    );
    let reg = |date: &str| PageInput {
        values: vec![
            ("registration_date".into(), date.into()),
            ("registry".into(), "kisumu".into()),
        ],
        files: vec![],
    };
    let errors = rates
        .answer_page("registration", &reg("2001-06-14"), today, &mut a)
        .expect_err("before birth");
    assert_eq!(errors[0].field, "registration_date");
    assert!(errors[0].message.en.contains("before the date of birth"));
    rates
        .answer_page("registration", &reg("2001-06-15"), today, &mut a)
        .expect("same day is fine");
    rates.check_all(&a, today).expect("complete");

    // Composite conditions and comparisons.
    use model::Condition;
    let sbp = demo("CG-NBI-SBP");
    let c = |y: &str| -> Condition { serde_yaml_ng::from_str(y).expect("condition") };
    let a = answers(json!({"employees": "12", "activity": "hotel", "signboard": "yes"}));
    let holds = |y: &str| condition::holds(&sbp, &c(y), &a, today);
    assert!(holds("{ field: employees, more_than: '5' }"));
    assert!(!holds("{ field: employees, less_than: '12' }"));
    assert!(holds("{ all: [ { field: signboard, equals: 'yes' }, { field: activity, one_of: [hotel, retail] } ] }"));
    assert!(holds("{ any: [ { field: employees, more_than: '100' }, { not: { field: activity, equals: retail } } ] }"));
    assert!(holds("{ field: sign_area, answered: false }"));
    assert!(holds("{ field: sign_area, not_equals: '3' }"));
    assert!(!holds("{ field: sign_area, equals: '3' }"));
    let dates = answers(json!({"date_of_birth": "2008-03-06"}));
    let dob = |y: &str| condition::holds(&demo("DCI-GOOD-CONDUCT"), &c(y), &dates, today);
    assert!(
        dob("{ field: date_of_birth, more_than: today-18y }"),
        "not yet 18 on 2026-03-05"
    );
    assert!(!dob("{ field: date_of_birth, more_than: today-17y }"));
}

#[test]
fn definition_display_for_check_your_answers() {
    let d = demo("DIS-PASSPORT");
    let f = |id: &str| d.field(id).expect("field").clone();
    assert_eq!(
        d.display(&f("booklet"), &json!("50"), "en"),
        "50 pages (KES 6,050)"
    );
    assert_eq!(
        d.display(&f("booklet"), &json!("50"), "sw"),
        "Kurasa 50 (KES 6,050)"
    );
    assert_eq!(d.display(&f("had_passport"), &json!("yes"), "en"), "Yes");
    assert_eq!(d.display(&f("had_passport"), &json!("no"), "sw"), "Hapana");
    assert_eq!(
        d.display(&f("date_of_birth"), &json!("2026-03-05"), "en"),
        "5 March 2026"
    );
    assert_eq!(
        d.display(&f("date_of_birth"), &json!("2026-03-05"), "sw"),
        "5 Machi 2026"
    );
    let rates = demo("CG-NBI-LAND-RATES");
    let value = rates.field("rateable_value").expect("field");
    assert_eq!(
        rates.display(value, &json!("1050.00"), "en"),
        "KES 1,050.00"
    );
    let helb = demo("HELB-LOAN");
    let needs = helb.field("needs").expect("field");
    assert_eq!(
        helb.display(needs, &json!(["tuition", "books"]), "en"),
        "Tuition fees, Books and equipment"
    );
}

#[test]
fn definition_prefill_takes_valid_profile_values() {
    let d = demo("DIS-PASSPORT");
    let profile = Profile {
        values: vec![
            ("full_name".into(), "Wanjiru Njoroge".into()),
            ("national_id".into(), "2345 6789".into()),
            ("phone".into(), "0722000111".into()),
            ("email".into(), "not an email".into()),
        ],
    };
    let a = d.prefill(&profile);
    assert_eq!(a["full_name"], json!("Wanjiru Njoroge"));
    assert_eq!(a["national_id"], json!("23456789"));
    assert_eq!(a["phone"], json!("+254722000111"));
    assert!(
        !a.contains_key("email"),
        "an invalid profile value is not prefilled"
    );
}
