//! Every demo service answered from start to submission, reaching its fee, with a
//! workflow that pays, asks for more information, decides and issues its output.

use super::model::{Actor, FieldDef, FieldType, ReasonRule};
use super::*;
use std::collections::HashSet;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../lango/demo/definitions");

/// Answers that fit fields with patterns or narrow ranges.
const OVERRIDES: &[(&str, &str)] = &[
    ("reservation_ref", "BN-ABC1234"),
    ("kra_pin", "A012345678Z"),
    ("number", "AK0123456"),
    ("licence_number", "DLABC1234"),
    ("entry_number", "123456"),
    ("plot_number", "209/1234"),
    ("expiry_date", "2026-01-31"),
    ("registration_date", "1990-01-02"),
    ("guarantor_years", "5"),
    ("guarantor_id", "23456789"),
    ("sign_area", "2.5"),
    ("year_of_study", "2"),
    ("employees", "12"),
    ("rateable_value", "2000000.00"),
    ("arrears", "500.00"),
];

/// A valid answer for a field, as typed.
fn sample(f: &FieldDef) -> String {
    if let Some((_, v)) = OVERRIDES.iter().find(|(id, _)| *id == f.id) {
        return v.to_string();
    }
    match f.kind {
        FieldType::Number => f.min.clone().unwrap_or_else(|| "1".into()),
        FieldType::Money => "1000.00".into(),
        FieldType::Date => "1990-01-01".into(),
        FieldType::Choice | FieldType::MultipleChoice => f.choices[0].value.clone(),
        FieldType::YesNo => "yes".into(),
        FieldType::NationalId => "12345678".into(),
        FieldType::Phone => "0712 345 678".into(),
        FieldType::Email => "amina@example.com".into(),
        FieldType::County => "Nairobi City".into(),
        FieldType::SubCounty => "Westlands".into(),
        _ => "Amina Wanjiru".into(),
    }
}

fn input_for(page: &model::PageDef) -> PageInput {
    let mut input = PageInput::default();
    for f in &page.fields {
        match f.kind {
            FieldType::Group => {
                for sub in &f.fields {
                    input
                        .values
                        .push((format!("{}.0.{}", f.id, sub.id), sample(sub)));
                }
            }
            FieldType::File => {
                let pdf = f.accept.is_empty() || f.accept.iter().any(|a| a == "pdf");
                input.files.push((
                    f.id.clone(),
                    FileAnswer {
                        id: format!("doc-{}", f.id),
                        name: if pdf {
                            "letter.pdf".into()
                        } else {
                            "photo.jpg".into()
                        },
                        content_type: if pdf {
                            "application/pdf".into()
                        } else {
                            "image/jpeg".into()
                        },
                        size: 20_000,
                        sha256: "0".repeat(64),
                    },
                ));
            }
            _ => input.values.push((f.id.clone(), sample(f))),
        }
    }
    input
}

#[test]
fn definition_every_demo_service_reaches_a_fee_and_an_output() {
    let today = Today {
        days: lango_core::clock::days_from_civil(2026, 3, 5),
    };
    let expected = [
        ("DIS-PASSPORT", "4550.00"),
        ("DCI-GOOD-CONDUCT", "1050.00"),
        ("BRS-BUSINESS-NAME", "950.00"),
        ("NTSA-DL-RENEW", "650.00"),
        ("CRS-BIRTH-CERT-COPY", "200.00"),
        ("CG-NBI-SBP", "10000.00"),
        ("CG-NBI-LAND-RATES", "2800.00"),
        ("HELB-LOAN", "100.00"),
    ];
    for (code, fee) in expected {
        let text = std::fs::read_to_string(format!("{DEMO}/{code}.yaml")).expect("demo file");
        let def = Definition::parse(&text).unwrap_or_else(|e| panic!("{code}: {e:#?}"));
        let mut answers = Answers::new();
        let mut done = HashSet::new();
        while let Some(page) = def
            .pages_at(&answers, today)
            .into_iter()
            .find(|p| !done.contains(&p.id))
        {
            def.answer_page(&page.id, &input_for(page), today, &mut answers)
                .unwrap_or_else(|e| panic!("{code} page {}: {e:#?}", page.id));
            done.insert(page.id.clone());
        }
        let checked = def
            .check_all(&answers, today)
            .unwrap_or_else(|e| panic!("{code}: {e:#?}"));
        assert_eq!(
            def.fee(&checked).expect("a fee").total.to_decimal(),
            fee,
            "{code}"
        );
        for page in def.pages_at(&checked, today) {
            for f in def.fields_at(page, &checked, today) {
                let shown = def.display(f, &checked[&f.id], "sw");
                assert!(!shown.is_empty(), "{code} {} shows something", f.id);
            }
        }

        // The workflow: pay, review with an SLA, ask, decide, issue.
        let wf = &def.file().workflow;
        let start = def.start_state();
        assert_eq!(
            (start.id.as_str(), start.actor),
            ("awaiting_payment", Actor::System),
            "{code}"
        );
        let review = def
            .state(start.paid_to.as_deref().expect("paid_to"))
            .expect("review state");
        assert!(review.sla_days.is_some(), "{code}: the review has an SLA");
        let ask = review
            .actions
            .iter()
            .find(|a| a.request_info)
            .expect("request_info");
        let back = def.state(&ask.to).expect("applicant state");
        assert_eq!(back.actor, Actor::Applicant);
        assert!(
            back.actions.iter().any(|a| a.to == review.id),
            "{code}: respond leads back"
        );
        let reject = review
            .actions
            .iter()
            .find(|a| a.id == "reject")
            .expect("reject");
        assert_eq!(reject.reason, ReasonRule::Required);
        let approve = review
            .actions
            .iter()
            .find(|a| a.id == "approve")
            .expect("approve");
        let issue = def
            .state(&approve.to)
            .expect("approved")
            .actions
            .iter()
            .find(|a| a.issues.is_some())
            .expect("issue");
        let output = def
            .output(issue.issues.as_deref().unwrap_or_default())
            .expect("output");
        // The holder and the dates are among every document's particulars; the body names
        // the application and its answers, in both languages, and verifiers get key fields.
        let sw = output.template_sw.as_deref().expect("a Kiswahili body");
        for body in [output.template.as_str(), sw] {
            assert!(
                body.contains("{{ reference }}") && body.contains("{{ answers."),
                "{code}"
            );
        }
        assert!(!output.fields.is_empty(), "{code}: key fields");
        // Proof-reading the issued document in both languages: every placeholder filled,
        // choices printed without their fee, the Kiswahili body there.
        let app = crate::Application {
            id: "app".into(),
            reference: "DIS-2026-000123".into(),
            service: code.into(),
            agency: "AGENCY".into(),
            version: 1,
            applicant: "account".into(),
            applicant_name: "Wanjiku Kamau".into(),
            business: None,
            state: "issued".into(),
            answers: checked.clone(),
            assigned_to: None,
            bill_reference: None,
            channel: crate::Channel::Online,
            created_at: 0,
            submitted_at: None,
            state_since: 0,
            due_at: None,
            revision: 1,
            open: false,
            awaiting_payment: false,
        };
        let values = crate::outputs::render::Values {
            app: &app,
            applicant_name: "Wanjiku Kamau",
            service_name: "Service",
            issued_on: "2026-03-05",
            valid_until: Some("2027-03-04"),
            fields: Some(&def),
        };
        let mut printed: Vec<String> = output
            .fields
            .iter()
            .map(|f| values.fill(&f.value, "en"))
            .collect();
        for lang in ["en", "sw"] {
            let template = if lang == "en" {
                output.template.as_str()
            } else {
                sw
            };
            for block in values.blocks(template, lang) {
                printed.push(format!("{block:?}"));
            }
        }
        for text in &printed {
            assert!(
                !text.contains("{{") && !text.contains("}}"),
                "{code}: {text}"
            );
            assert!(
                !text.contains("(KES"),
                "{code}: a choice's fee printed on the document: {text}"
            );
            assert!(
                !text.contains("  ") && !text.contains(" ,") && !text.contains(" ."),
                "{code}: a gap where an answer is missing: {text}"
            );
        }

        assert!(
            wf.states.iter().filter(|s| s.outcome.is_some()).count() >= 2,
            "{code}"
        );
        // Kiswahili throughout.
        for s in &wf.states {
            assert!(s.label.sw.is_some(), "{code} state {} in Kiswahili", s.id);
        }
        for p in &def.file().pages {
            assert!(p.title.sw.is_some(), "{code} page {}", p.id);
            for f in &p.fields {
                assert!(f.label.sw.is_some(), "{code} field {}", f.id);
            }
        }
    }
}
