//! Tests of definitions: the demo files, answers page by page, fees and conditions.

use super::*;
use serde_json::json;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../lango/demo/definitions");

/// A fixed day: 2026-03-05.
fn today() -> Today {
    Today {
        days: lango_core::clock::days_from_civil(2026, 3, 5),
    }
}

fn demo(code: &str) -> Definition {
    let text = std::fs::read_to_string(format!("{DEMO}/{code}.yaml")).expect("demo file");
    Definition::parse(&text).unwrap_or_else(|e| panic!("{code}: {e:#?}"))
}

fn input(pairs: &[(&str, &str)]) -> PageInput {
    PageInput {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        files: Vec::new(),
    }
}

fn photo() -> FileAnswer {
    FileAnswer {
        id: "doc1".into(),
        name: "me.jpg".into(),
        content_type: "image/jpeg".into(),
        size: 40_000,
        sha256: "ab".repeat(32),
    }
}

/// Every `{en, sw}` text under `v` whose Kiswahili is missing or empty, by path.
fn words_without_sw(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) if m.contains_key("en") && m.len() <= 2 => {
            let sw = m.get("sw").and_then(|s| s.as_str()).unwrap_or("");
            if sw.is_empty() {
                out.push(at);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                words_without_sw(x, format!("{at}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                words_without_sw(x, format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn definition_demo_files_all_parse() {
    let mut n = 0;
    for entry in std::fs::read_dir(DEMO).expect("demo folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("read");
            let def =
                Definition::parse(&text).unwrap_or_else(|e| panic!("{}: {e:#?}", path.display()));
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            assert_eq!(def.service(), stem, "file named after its service");
            // The free ones are free in life too: no fee, no payment step.
            let free = [
                "KRA-PIN-REG",
                "PPRA-SUPPLIER-REG",
                "PSC-JOBS",
                "SHA-REGISTER",
            ];
            assert_eq!(
                def.file().fees.is_none(),
                free.contains(&stem),
                "{stem}'s fee"
            );
            assert!(!def.file().outputs.is_empty(), "{stem} issues an output");
            let mut untranslated = Vec::new();
            let file = serde_json::to_value(def.file()).expect("definition as JSON");
            words_without_sw(&file, stem.to_string(), &mut untranslated);
            assert!(
                untranslated.is_empty(),
                "texts with no sw: {untranslated:?}"
            );
            n += 1;
        }
    }
    assert!(n >= 8, "demo definitions found: {n}");
}

#[test]
fn definition_good_conduct_journey() {
    let def = demo("DCI-GOOD-CONDUCT");
    let mut answers = Answers::new();
    // Errors leave the answers unchanged and name each field.
    let bad = input(&[
        ("full_name", "Wanjiku Kamau"),
        ("national_id", "12ab"),
        ("date_of_birth", "2015-01-01"),
        ("phone", "12345"),
    ]);
    let errs = def
        .answer_page("about-you", &bad, today(), &mut answers)
        .unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["national_id", "date_of_birth", "phone"]);
    assert!(
        errs[2].message.en.contains("0712 345 678"),
        "{:?}",
        errs[2].message
    );
    assert!(answers.is_empty());

    let good = input(&[
        ("full_name", "  Wanjiku Kamau "),
        ("national_id", "1234 5678"),
        ("date_of_birth", "27/3/1990"),
        ("phone", "0712-345 678"),
    ]);
    def.answer_page("about-you", &good, today(), &mut answers)
        .expect("valid");
    assert_eq!(answers["full_name"], json!("Wanjiku Kamau"));
    assert_eq!(answers["national_id"], json!("12345678"));
    assert_eq!(answers["date_of_birth"], json!("1990-03-27"));
    assert_eq!(answers["phone"], json!("+254712345678"));

    // The conviction page shows only after a yes.
    let p = input(&[("purpose", "employment"), ("convicted", "no")]);
    def.answer_page("purpose", &p, today(), &mut answers)
        .expect("valid");
    let ids: Vec<&str> = def
        .pages_at(&answers, today())
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(ids, ["about-you", "purpose", "fingerprints"]);
    let p = input(&[("purpose", "other"), ("convicted", "yes")]);
    let errs = def
        .answer_page("purpose", &p, today(), &mut answers)
        .unwrap_err();
    assert_eq!(errs[0].field, "purpose_other");
    let p = input(&[
        ("purpose", "other"),
        ("purpose_other", "Adoption"),
        ("convicted", "yes"),
    ]);
    def.answer_page("purpose", &p, today(), &mut answers)
        .expect("valid");
    assert_eq!(def.pages_at(&answers, today()).len(), 4);
    def.answer_page(
        "conviction",
        &input(&[("conviction_details", "Traffic offence, Milimani, 2012")]),
        today(),
        &mut answers,
    )
    .expect("valid");

    let mut fp = input(&[("centre", "dci-hq")]);
    fp.files.push((
        "photo".into(),
        FileAnswer {
            content_type: "application/pdf".into(),
            ..photo()
        },
    ));
    let errs = def
        .answer_page("fingerprints", &fp, today(), &mut answers)
        .unwrap_err();
    assert!(errs[0].message.en.contains("JPEG, PNG"), "{:?}", errs[0]);
    fp.files[0].1 = photo();
    def.answer_page("fingerprints", &fp, today(), &mut answers)
        .expect("valid");
    // A re-post without a new file keeps the photo.
    def.answer_page(
        "fingerprints",
        &input(&[("centre", "huduma-gpo")]),
        today(),
        &mut answers,
    )
    .expect("kept");
    assert_eq!(answers["photo"]["name"], json!("me.jpg"));

    // Changing the answer to no drops the conviction page at submission.
    def.answer_page(
        "purpose",
        &input(&[("purpose", "travel"), ("convicted", "no")]),
        today(),
        &mut answers,
    )
    .expect("valid");
    let checked = def.check_all(&answers, today()).expect("complete");
    assert!(!checked.contains_key("conviction_details"));
    assert!(!checked.contains_key("purpose_other"));

    let fee = def.fee(&checked).expect("a fee");
    assert_eq!(fee.total.to_decimal(), "1050.00");
    assert_eq!(fee.total.display(), "KES 1,050.00");

    // Missing answers are reported at submission.
    let mut partial = checked.clone();
    partial.remove("phone");
    let errs = def.check_all(&partial, today()).unwrap_err();
    assert_eq!(errs[0].field, "phone");
}

#[test]
fn definition_business_name_groups_and_counties() {
    let def = demo("BRS-BUSINESS-NAME");
    let mut answers = Answers::new();
    let loc = input(&[
        ("county", "nairobi"),
        ("sub_county", "Westlands"),
        ("street", "Mpaka Road"),
    ]);
    def.answer_page("location", &loc, today(), &mut answers)
        .expect("valid");
    assert_eq!(answers["county"], json!("Nairobi City"));
    let loc = input(&[
        ("county", "Mombasa"),
        ("sub_county", "Westlands"),
        ("street", "Moi Avenue"),
    ]);
    let errs = def
        .answer_page("location", &loc, today(), &mut answers)
        .unwrap_err();
    assert_eq!(errs[0].field, "sub_county");
    assert!(errs[0].message.en.contains("Mombasa"));

    let owners = input(&[
        ("kra_pin", "A012345678Z"),
        ("has_partners", "yes"),
        ("partners.0.name", "Otieno Odhiambo"),
        ("partners.0.national_id", "23456789"),
        ("partners.1.name", ""),
        ("partners.1.national_id", ""),
        ("partners.2.name", "Achieng"),
        ("partners.2.national_id", "99"),
    ]);
    let errs = def
        .answer_page("owners", &owners, today(), &mut answers)
        .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "partners.2.national_id");
    let owners = input(&[
        ("kra_pin", "A012345678Z"),
        ("has_partners", "yes"),
        ("partners.0.name", "Otieno Odhiambo"),
        ("partners.0.national_id", "23456789"),
        ("partners.1.name", ""),
        ("partners.2.name", "Achieng Atieno"),
        ("partners.2.national_id", "3456789"),
        ("partners.2.phone", "+254 110 123456"),
    ]);
    def.answer_page("owners", &owners, today(), &mut answers)
        .expect("valid");
    let rows = answers["partners"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "the empty row is ignored");
    assert_eq!(rows[1]["phone"], json!("+254110123456"));
    let partners = def.field("partners").expect("field");
    assert_eq!(
        def.display(partners, &answers["partners"], "en"),
        "Full name: Otieno Odhiambo, National ID number: 23456789\nFull name: Achieng Atieno, National ID number: 3456789, Mobile phone number: +254 110 123 456"
    );
    // No partners: the group is hidden and its answer dropped with the page's.
    def.answer_page(
        "owners",
        &input(&[("kra_pin", "A012345678Z"), ("has_partners", "no")]),
        today(),
        &mut answers,
    )
    .expect("valid");
    assert!(!answers.contains_key("partners"));
    assert_eq!(def.fee(&answers).expect("fee").total.to_decimal(), "950.00");
}

#[test]
fn definition_schema_names_itself() {
    let s = schema_json();
    assert_eq!(s["$id"], json!("/api/v1/schemas/service-definition.json"));
    assert_eq!(s["title"], json!("Lango service definition"));
    assert!(s["properties"]["workflow"].is_object(), "{s}");
}

#[test]
fn definition_a_guarantor_who_is_the_applicant_is_refused_at_the_field() {
    let d = demo("DIS-PASSPORT");
    let mut answers = Answers::new();
    answers.insert("national_id".into(), json!("27654321"));
    let page = |id: &'static str| {
        input(&[
            ("guarantor_name", "Amina Hassan"),
            ("guarantor_id", id),
            ("guarantor_phone", "0722 333 444"),
            ("guarantor_years", "5"),
        ])
    };
    let mut with_card = page("2765 4321");
    with_card.files.push(("guarantor_id_card".into(), photo()));
    let errors = d
        .answer_page("guarantor", &with_card, today(), &mut answers.clone())
        .expect_err("the applicant cannot guarantee themself");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].field, "guarantor_id");
    assert!(errors[0]
        .message
        .sw
        .as_deref()
        .is_some_and(|s| s.contains("mdhamini")));
    let mut other = page("23456789");
    other.files.push(("guarantor_id_card".into(), photo()));
    d.answer_page("guarantor", &other, today(), &mut answers)
        .expect("another person may");
    assert!(
        d.check_all(&answers, today()).is_err(),
        "other pages still unanswered"
    );
}

#[test]
fn definition_field_operands_must_name_a_field_of_the_same_type() {
    let text = std::fs::read_to_string(format!("{DEMO}/DIS-PASSPORT.yaml"))
        .unwrap()
        .replace(
            "not_equals: \"field:national_id\"",
            "not_equals: \"field:full_name\"",
        );
    let e = Definition::parse(&text).expect_err("a national ID is never a name");
    assert!(format!("{e:?}").contains("not of the same type"), "{e:?}");
}
