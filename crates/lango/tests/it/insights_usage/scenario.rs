//! Real applications through the real engine for the usage tests: started, submitted,
//! paid (once in two parts), completed and rejected.

use crate::support::{c2b_confirmation, TestApp};
use lango_cases::definition::{PageInput, Profile};
use lango_cases::service::Settings;
use lango_cases::{Application, Cases};
use lango_identity::model::Role;
use lango_identity::policy::Actor;
use lango_insights::Insights;

pub const SERVICE: &str = "DCI-MV-CLEARANCE";
pub const PASSWORD: &str = "correct horse battery";

/// The motor vehicle clearance as a definition with a county question, a fee, a payment
/// state, an officer's review (approve or reject) and an issued certificate.
const DEFINITION: &str = r#"
service: DCI-MV-CLEARANCE
title: {en: "Get a motor vehicle clearance certificate"}
declaration: {en: "The information I have given is true."}
pages:
  - id: about
    title: {en: "About you"}
    fields:
      - {id: full_name, type: text, label: {en: "Full name"}, required: true, prefill: full_name}
      - {id: national_id, type: national_id, label: {en: "National ID number"}, required: true}
      - {id: home_county, type: county, label: {en: "County"}, required: true}
fees:
  currency: KES
  items:
    - {label: {en: "Clearance fee"}, amount: "1050.00"}
workflow:
  start: awaiting_payment
  states:
    - id: awaiting_payment
      label: {en: "Waiting for payment"}
      actor: system
      paid_to: review
    - id: review
      label: {en: "Being checked"}
      actor: officer
      sla_days: 5
      actions:
        - {id: approve, label: {en: "Approve"}, to: approved}
        - {id: reject, label: {en: "Reject"}, to: rejected, reason: required}
    - id: approved
      label: {en: "Approved"}
      actor: officer
      actions:
        - {id: issue, label: {en: "Issue"}, to: issued, issues: certificate}
    - id: issued
      label: {en: "Issued"}
      actor: system
      outcome: completed
    - id: rejected
      label: {en: "Rejected"}
      actor: system
      outcome: rejected
outputs:
  - id: certificate
    title: {en: "Motor vehicle clearance certificate"}
    template: |
      # Clearance

      Reference {{ reference }}.
"#;

/// The same service delivered by its payment alone: paying moves it straight to issued.
pub fn instant_definition() -> String {
    let (questions, _) = DEFINITION.split_once("workflow:").expect("a workflow");
    format!(
        "{questions}workflow:
  start: awaiting_payment
  states:
    - id: awaiting_payment
      label: {{en: \"Waiting for payment\"}}
      actor: system
      paid_to: issued
    - id: issued
      label: {{en: \"Paid and issued\"}}
      actor: system
      outcome: completed
"
    )
}

/// Answers for the scenario's service.
pub fn answers() -> PageInput {
    input(&[
        ("full_name", "Achieng Otieno"),
        ("national_id", "27182818"),
        ("home_county", "Kisumu"),
    ])
}

/// The rooms over a pool of their own (a second node, as far as the database can tell).
pub async fn rooms(app: &TestApp) -> (Cases, Insights) {
    let db = app.db().await;
    let dir = app.data_dir.path().join("usage-documents");
    let cases = Cases::open(
        db.clone(),
        Settings::new(dir.display().to_string(), Vec::new()),
    )
    .await
    .expect("cases open");
    let target = lango_insights::digitisation::Target::parse("80% by 2030-06-30").unwrap();
    let insights = Insights::new(
        db,
        cases.clone(),
        lango_insights::Settings {
            digitisation_target: target,
        },
    );
    (cases, insights)
}

pub async fn actor(app: &TestApp, account: &str) -> Actor {
    let db = app.db().await;
    let person = lango_identity::account::actor(&db, account)
        .await
        .expect("actor");
    db.close().await;
    Actor::Person(person)
}

/// What the scenario did.
pub struct Scenario {
    /// The four drafts as started.
    pub drafts: Vec<Application>,
    /// The three submitted, as submitted.
    pub submitted: Vec<Application>,
    /// The completed one, as completed.
    pub completed: Application,
    /// The rejected one, as rejected.
    pub rejected: Application,
    /// The agency administrator of DCI.
    pub admin: Actor,
    /// An officer of DCI.
    pub officer: Actor,
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

/// Four drafts started, three submitted from Kisumu, all three paid (one in two parts:
/// four payments, three bills paid), one completed (issued), one rejected.
pub async fn run(app: &TestApp, cases: &Cases) -> Scenario {
    lango_cases::registry::load_texts(cases.db(), &[("mv.yaml".into(), DEFINITION.into())])
        .await
        .expect("load");
    assert!(
        cases.definition(SERVICE, None).await.unwrap().is_some(),
        "definition refused"
    );
    let citizen_id = app
        .person("31415926", "usage-citizen@example.ke", PASSWORD)
        .await;
    let officer_id = app
        .staff(
            "usage-officer@dci.example",
            PASSWORD,
            Role::Officer,
            Some("DCI"),
        )
        .await;
    let admin_id = app
        .staff(
            "usage-admin@dci.example",
            PASSWORD,
            Role::AgencyAdmin,
            Some("DCI"),
        )
        .await;
    let citizen = actor(app, &citizen_id).await;
    let officer = actor(app, &officer_id).await;
    let profile = Profile {
        values: vec![("full_name".into(), "Achieng Otieno".into())],
    };
    let mut drafts = Vec::new();
    for _ in 0..4 {
        drafts.push(
            cases
                .start(&citizen, SERVICE, None, &profile)
                .await
                .expect("start"),
        );
    }
    let mut submitted = Vec::new();
    for draft in &drafts[..3] {
        cases
            .answer(
                &citizen,
                &draft.reference,
                "about",
                &input(&[
                    ("full_name", "Achieng Otieno"),
                    ("national_id", "31415926"),
                    ("home_county", "Kisumu"),
                ]),
            )
            .await
            .unwrap()
            .expect("valid answers");
        submitted.push(
            cases
                .submit(&citizen, &draft.reference)
                .await
                .unwrap()
                .expect("submitted"),
        );
    }
    let bill = |a: &Application| a.bill_reference.clone().expect("a bill");
    c2b_confirmation(
        &app.client,
        &app.base,
        "UST0000001",
        "1100.00",
        &bill(&submitted[0]),
        "20261123101500",
    )
    .await;
    c2b_confirmation(
        &app.client,
        &app.base,
        "UST0000002",
        "1100.00",
        &bill(&submitted[1]),
        "20261123101600",
    )
    .await;
    // The third bill in two parts: partly paid, then paid.
    c2b_confirmation(
        &app.client,
        &app.base,
        "UST0000003",
        "500.00",
        &bill(&submitted[2]),
        "20261123101700",
    )
    .await;
    c2b_confirmation(
        &app.client,
        &app.base,
        "UST0000004",
        "600.00",
        &bill(&submitted[2]),
        "20261123101800",
    )
    .await;
    let mut reviewed = Vec::new();
    for s in &submitted[..2] {
        let reference = s.reference.clone();
        app.eventually("the paid application moves on", || {
            let cases = cases.clone();
            let reference = reference.clone();
            async move {
                cases.advance_paid().await.unwrap();
                let state: String =
                    sqlx::query_scalar("SELECT state FROM applications WHERE reference = $1")
                        .bind(reference)
                        .fetch_one(cases.db().pool())
                        .await
                        .unwrap();
                state == "review"
            }
        })
        .await;
        reviewed.push(cases.get(&officer, &s.reference).await.unwrap());
    }
    let approved = cases
        .act(
            &officer,
            &reviewed[0].reference,
            "approve",
            None,
            reviewed[0].revision,
        )
        .await
        .expect("approve");
    let completed = cases
        .act(
            &officer,
            &approved.reference,
            "issue",
            None,
            approved.revision,
        )
        .await
        .expect("issue");
    assert_eq!(completed.state, "issued");
    let rejected = cases
        .act(
            &officer,
            &reviewed[1].reference,
            "reject",
            Some("The logbook does not match"),
            reviewed[1].revision,
        )
        .await
        .expect("reject");
    Scenario {
        drafts,
        submitted,
        completed,
        rejected,
        admin: actor(app, &admin_id).await,
        officer,
    }
}

/// Follows until nothing is left (other followers may be taking events meanwhile).
pub async fn follow_all(insights: &Insights) {
    while insights.follow_once().await.expect("follow") > 0 {}
}
