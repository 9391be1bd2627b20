//! The applications engine driven directly (no pages): definitions and their versions,
//! the journey, payment, the officer's work, the refusals, and submissions in groups.

use crate::support::{c2b_confirmation, TestApp};
use lango_cases::application::{QueueFilter, SlaFilter};
use lango_cases::definition::{PageInput, Profile};
use lango_cases::service::Settings;
use lango_cases::{Application, Cases};
use lango_core::Error;
use lango_identity::model::Role;
use lango_identity::policy::Actor;

const SERVICE: &str = "DCI-MV-CLEARANCE";

/// A small definition of the good-conduct certificate: one page, a fixed fee, a payment
/// state, an officer's review with a request for information, approval and issue.
const V1: &str = r#"
service: DCI-MV-CLEARANCE
title:
  en: Apply for a certificate of good conduct
  sw: Omba cheti cha maadili mema
declaration:
  en: I declare that the information I have given is true.
pages:
  - id: about
    title:
      en: About you
    fields:
      - id: full_name
        type: text
        label:
          en: Full name
        required: true
        prefill: full_name
      - id: national_id
        type: national_id
        label:
          en: National ID number
        required: true
fees:
  currency: KES
  items:
    - label:
        en: Certificate fee
      amount: "1050.00"
workflow:
  start: awaiting_payment
  states:
    - id: awaiting_payment
      label:
        en: Waiting for payment
      actor: system
      paid_to: review
    - id: review
      label:
        en: Being checked
      actor: officer
      sla_days: 5
      actions:
        - id: approve
          label:
            en: Approve
          to: approved
        - id: request_info
          label:
            en: Ask for more information
          to: more_info
          reason: required
          request_info: true
        - id: reject
          label:
            en: Reject
          to: rejected
          reason: required
    - id: more_info
      label:
        en: Waiting for you
      actor: applicant
      sla_days: 10
      actions:
        - id: resubmit
          label:
            en: Send
          to: review
    - id: approved
      label:
        en: Approved
      actor: officer
      sla_days: 2
      actions:
        - id: issue
          label:
            en: Issue the certificate
          to: issued
          issues: certificate
    - id: issued
      label:
        en: Issued
      actor: system
      outcome: completed
    - id: rejected
      label:
        en: Rejected
      actor: system
      outcome: rejected
outputs:
  - id: certificate
    title:
      en: Certificate of good conduct
    template: |
      # Certificate of good conduct

      This certifies that {{ applicant.name }} (ID {{ answers.national_id }}) has no criminal record. Reference {{ reference }}.
"#;

async fn open_cases(app: &TestApp) -> Cases {
    let dir = app.data_dir.path().join("engine-documents");
    Cases::open(
        app.db().await,
        Settings::new(dir.display().to_string(), Vec::new()),
    )
    .await
    .expect("cases open")
}

async fn actor(app: &TestApp, account: &str) -> Actor {
    let db = app.db().await;
    let person = lango_identity::account::actor(&db, account)
        .await
        .expect("actor");
    db.close().await;
    Actor::Person(person)
}

async fn load_v1(cases: &Cases) {
    let stored = lango_cases::registry::load_texts(cases.db(), &[("v1.yaml".into(), V1.into())])
        .await
        .expect("load");
    assert!(stored <= 1);
    assert!(
        cases.definition(SERVICE, None).await.unwrap().is_some(),
        "v1 refused"
    );
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

fn profile(name: &str) -> Profile {
    Profile {
        values: vec![("full_name".into(), name.into())],
    }
}

/// A submitted application of `citizen`.
async fn submitted(cases: &Cases, citizen: &Actor) -> Application {
    let draft = cases
        .start(citizen, SERVICE, None, &profile("Wanjiku Kamau"))
        .await
        .expect("start");
    cases
        .answer(
            citizen,
            &draft.reference,
            "about",
            &input(&[("full_name", "Wanjiku Kamau"), ("national_id", "12345678")]),
        )
        .await
        .expect("answer")
        .expect("valid");
    cases
        .submit(citizen, &draft.reference)
        .await
        .expect("submit")
        .expect("complete")
}

fn refused(result: Result<Application, Error>, what: &str) -> Error {
    match result {
        Ok(a) => panic!("{what}: allowed, now {}", a.state),
        Err(e) => e,
    }
}

crate::backend_tests! {
    spawn = TestApp::spawn_mpesa;

    async fn engine_a_whole_application_is_paid_worked_and_issued(app: TestApp) {
        let cases = open_cases(&app).await;
        load_v1(&cases).await;
        let citizen_id = app.person("11112222", "engine-citizen@example.ke", "correct horse battery").await;
        let officer_id = app.staff("engine-officer@dci.example", "correct horse battery", Role::Officer, Some("DCI")).await;
        let citizen = actor(&app, &citizen_id).await;
        let officer = actor(&app, &officer_id).await;

        let draft = cases.start(&citizen, SERVICE, None, &profile("Wanjiku Kamau")).await.unwrap();
        assert_eq!(draft.state, "draft");
        assert_eq!(draft.version, 1);
        assert_eq!(draft.agency, "DCI");
        assert_eq!(draft.answers["full_name"], "Wanjiku Kamau", "prefilled");
        assert!(lango_cases::reference::parse(&draft.reference.to_lowercase()).is_some());

        // An invalid answer changes nothing.
        let errors = cases
            .answer(&citizen, &draft.reference, "about", &input(&[("full_name", "Wanjiku Kamau"), ("national_id", "12ab")]))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(errors[0].field, "national_id");
        let same = cases.get(&citizen, &draft.reference).await.unwrap();
        assert_eq!(same.revision, draft.revision);
        assert!(!same.answers.contains_key("national_id"));
        // Submitting it incomplete is refused with the missing answer.
        let missing = cases.submit(&citizen, &draft.reference).await.unwrap().unwrap_err();
        assert_eq!(missing[0].field, "national_id");

        cases
            .answer(&citizen, &draft.reference, "about", &input(&[("full_name", "Wanjiku Kamau"), ("national_id", "1234 5678")]))
            .await
            .unwrap()
            .unwrap();
        let sent = cases.submit(&citizen, &draft.reference).await.unwrap().unwrap();
        assert_eq!(sent.state, "awaiting_payment");
        assert!(sent.awaiting_payment && sent.open);
        let bill_ref = sent.bill_reference.clone().expect("a bill");
        let bill = lango_payments::bills::get(cases.db(), &bill_ref).await.unwrap().expect("bill stored");
        assert_eq!(bill.service_amount.to_decimal(), "1050.00");
        assert_eq!(bill.amount().to_decimal(), "1100.00");
        assert_eq!(bill.agency, "DCI");
        assert_eq!(bill.agency_reference, sent.reference);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM events WHERE type = 'application.received' AND order_key = $1", &sent.reference).await, 1);

        // Nobody skips the payment.
        let e = refused(cases.act(&officer, &sent.reference, "approve", None, sent.revision).await, "approve unpaid");
        assert!(matches!(e, Error::Conflict(_)), "{e:?}");
        // And a submitted application cannot be edited.
        let e = cases
            .answer(&citizen, &sent.reference, "about", &input(&[("full_name", "Someone Else"), ("national_id", "12345678")]))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict(_)), "{e:?}");
        let e = cases.submit(&citizen, &sent.reference).await.unwrap_err();
        assert!(matches!(e, Error::Conflict(_)), "{e:?}");

        // The first sweep looks at every waiting application; later ones follow payments.
        assert_eq!(cases.advance_paid().await.unwrap(), 0, "nothing paid yet");
        c2b_confirmation(&app.client, &app.base, "SKE1ENGINE1", "1100.00", &bill_ref, "20261122101500").await;
        // Followed from the payment event (this sweep or the node's, both well inside the
        // minute between full sweeps), without looking at it through `get`.
        app.eventually("the paid application moves on", || {
            let cases = cases.clone();
            let reference = sent.reference.clone();
            async move {
                cases.advance_paid().await.unwrap();
                let db = cases.db().clone();
                let state: String = sqlx::query_scalar("SELECT state FROM applications WHERE reference = $1")
                    .bind(reference)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
                state == "review"
            }
        })
        .await;
        let paid = cases.get(&citizen, &sent.reference).await.unwrap();
        assert_eq!(paid.state, "review");
        assert!(!paid.awaiting_payment);
        assert!(paid.due_at.is_some_and(|d| d > paid.state_since), "SLA set");
        assert_eq!(cases.advance_paid().await.unwrap(), 0, "idempotent");

        let claimed = cases.claim(&officer, &paid.reference, paid.revision).await.unwrap();
        assert_eq!(claimed.assigned_to.as_deref(), Some(officer_id.as_str()));
        let e = refused(cases.claim(&officer, &paid.reference, claimed.revision).await, "claim twice");
        assert!(matches!(e, Error::Conflict(_)));

        // A request for information needs its reason, which the applicant then reads.
        let e = refused(cases.act(&officer, &paid.reference, "request_info", None, claimed.revision).await, "no reason");
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "reason"), "{e:?}");
        let asked = cases
            .act(&officer, &paid.reference, "request_info", Some("Your ID photo is unreadable"), claimed.revision)
            .await
            .unwrap();
        assert_eq!(asked.state, "more_info");
        let messages = cases.messages(&citizen, &paid.reference).await.unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].body, "Your ID photo is unreadable");
        assert!(!messages[0].from_applicant);
        let back = cases.respond(&citizen, &paid.reference, "Here is a clearer copy", Vec::new()).await.unwrap();
        assert_eq!(back.state, "review");
        assert_eq!(cases.messages(&citizen, &paid.reference).await.unwrap().len(), 2);

        // Replaying the old transition is refused; the current revision is not.
        let e = refused(cases.act(&officer, &paid.reference, "approve", None, asked.revision).await, "replay");
        assert!(matches!(e, Error::Conflict(_)), "{e:?}");
        let approved = cases.act(&officer, &paid.reference, "approve", None, back.revision).await.unwrap();
        assert_eq!(approved.state, "approved");
        let issued = cases.act(&officer, &paid.reference, "issue", None, approved.revision).await.unwrap();
        assert_eq!(issued.state, "issued");
        assert!(!issued.open);

        let history = cases.history(&citizen, &paid.reference).await.unwrap();
        let steps: Vec<(&str, &str, &str)> = history.iter().map(|t| (t.action.as_str(), t.from.as_str(), t.to.as_str())).collect();
        assert_eq!(
            steps,
            [
                ("submit", "draft", "awaiting_payment"),
                ("paid", "awaiting_payment", "review"),
                ("claim", "review", "review"),
                ("request_info", "review", "more_info"),
                ("resubmit", "more_info", "review"),
                ("approve", "review", "approved"),
                ("issue", "approved", "issued"),
            ]
        );
        assert_eq!(history[3].reason.as_deref(), Some("Your ID photo is unreadable"));
        assert_eq!(history[3].actor, officer_id);
        for kind in ["application.information_requested", "application.approved", "document.issued"] {
            let n = app.scalar(&format!("SELECT COUNT(*) FROM events WHERE type = '{kind}' AND order_key = $1"), &paid.reference).await;
            assert_eq!(n, 1, "{kind}");
        }
        // The officer's looks are on the citizen's record.
        cases.get(&officer, &paid.reference).await.unwrap();
        assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'application.view' AND subject = $1", &citizen_id).await >= 1);
        // Nothing more can happen to a closed application.
        let e = refused(cases.act(&officer, &paid.reference, "approve", None, issued.revision).await, "after the end");
        assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    }

    async fn engine_refuses_acting_without_the_role_and_reading_others(app: TestApp) {
        let cases = open_cases(&app).await;
        load_v1(&cases).await;
        let citizen_id = app.person("22223333", "engine-a@example.ke", "correct horse battery").await;
        let other_id = app.person("33334444", "engine-b@example.ke", "correct horse battery").await;
        let dis_id = app.staff("engine-officer@dis.example", "correct horse battery", Role::Officer, Some("DIS")).await;
        let dci_id = app.staff("engine-officer2@dci.example", "correct horse battery", Role::Officer, Some("DCI")).await;
        let sup_id = app.staff("engine-sup@dci.example", "correct horse battery", Role::Supervisor, Some("DCI")).await;
        let (citizen, other, dis, dci, sup) = (
            actor(&app, &citizen_id).await,
            actor(&app, &other_id).await,
            actor(&app, &dis_id).await,
            actor(&app, &dci_id).await,
            actor(&app, &sup_id).await,
        );
        let sent = submitted(&cases, &citizen).await;
        // Into review without M-Pesa: the bill is marked paid as a receipt would.
        sqlx::query("UPDATE bills SET status = 'paid' WHERE reference = $1")
            .bind(sent.bill_reference.as_deref().unwrap())
            .execute(cases.db().pool())
            .await
            .unwrap();
        let app1 = cases.get(&citizen, &sent.reference).await.unwrap();
        assert_eq!(app1.state, "review", "moved when looked at");

        // Another citizen can neither read nor act.
        assert!(matches!(cases.get(&other, &sent.reference).await, Err(Error::Forbidden(_))));
        assert!(matches!(cases.history(&other, &sent.reference).await, Err(Error::Forbidden(_))));
        assert!(matches!(cases.act(&other, &sent.reference, "approve", None, app1.revision).await, Err(Error::Forbidden(_))));
        // The applicant cannot approve their own application.
        assert!(matches!(cases.act(&citizen, &sent.reference, "approve", None, app1.revision).await, Err(Error::Forbidden(_))));
        // Another agency's officer can do nothing with it.
        assert!(matches!(cases.get(&dis, &sent.reference).await, Err(Error::Forbidden(_))));
        assert!(matches!(cases.claim(&dis, &sent.reference, app1.revision).await, Err(Error::Forbidden(_))));
        assert!(matches!(cases.act(&dis, &sent.reference, "approve", None, app1.revision).await, Err(Error::Forbidden(_))));
        assert!(matches!(cases.queue(&dis, "DCI", &QueueFilter::default(), None, 10).await, Err(Error::Forbidden(_))));
        // An officer cannot assign; a supervisor assigns only to the agency's officers.
        assert!(matches!(cases.assign(&dci, &sent.reference, Some(&dci_id), app1.revision).await, Err(Error::Forbidden(_))));
        assert!(matches!(
            cases.assign(&sup, &sent.reference, Some(&dis_id), app1.revision).await,
            Err(Error::Invalid { .. })
        ));
        let assigned = cases.assign(&sup, &sent.reference, Some(&dci_id), app1.revision).await.unwrap();
        assert_eq!(assigned.assigned_to.as_deref(), Some(dci_id.as_str()));
        // A missing reason for a rejection is refused and changes nothing.
        assert!(matches!(
            cases.act(&dci, &sent.reference, "reject", Some("   "), assigned.revision).await,
            Err(Error::Invalid { .. })
        ));
        // An action the state does not have is refused.
        assert!(matches!(cases.act(&dci, &sent.reference, "issue", None, assigned.revision).await, Err(Error::Invalid { .. })));
        let rejected = cases.act(&dci, &sent.reference, "reject", Some("Not eligible"), assigned.revision).await.unwrap();
        assert_eq!(rejected.state, "rejected");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM events WHERE type = 'application.rejected' AND order_key = $1", &sent.reference).await, 1);
        // A draft is its applicant's alone, even for the agency.
        let draft = cases.start(&citizen, SERVICE, None, &profile("Wanjiku Kamau")).await.unwrap();
        assert!(matches!(cases.get(&dci, &draft.reference).await, Err(Error::NotFound(_))));
        assert!(matches!(cases.get(&citizen, "A2345-NOPE").await, Err(Error::NotFound(_))));
        // Mine lists the citizen's own only.
        let mine = cases.mine(&citizen).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert!(cases.mine(&other).await.unwrap().is_empty());
        // The supervisor sees the workload; the officer may not.
        let load = cases.workload(&sup, "DCI").await.unwrap();
        let officer_load = load.iter().find(|l| l.officer.as_deref() == Some(dci_id.as_str())).expect("officer listed");
        assert_eq!(officer_load.done_7d, 1, "{load:?}");
        assert!(matches!(cases.workload(&dci, "DCI").await, Err(Error::Forbidden(_))));
    }

    async fn engine_definitions_are_versioned_and_bad_ones_refused(app: TestApp) {
        let cases = open_cases(&app).await;
        let admin_id = app.staff("engine-admin@dci.example", "correct horse battery", Role::AgencyAdmin, Some("DCI")).await;
        let dis_admin_id = app.staff("engine-admin@dis.example", "correct horse battery", Role::AgencyAdmin, Some("DIS")).await;
        let citizen_id = app.person("44445555", "engine-c@example.ke", "correct horse battery").await;
        let (admin, dis_admin, citizen) = (
            actor(&app, &admin_id).await,
            actor(&app, &dis_admin_id).await,
            actor(&app, &citizen_id).await,
        );
        let before = app.count("service_definitions").await;
        // Another agency's admin and a citizen may not upload the DCI's service.
        assert!(matches!(cases.upload_definition(&dis_admin, V1).await, Err(Error::Forbidden(_))));
        assert!(matches!(cases.upload_definition(&citizen, V1).await, Err(Error::Forbidden(_))));
        let v1 = cases.upload_definition(&admin, V1).await.unwrap().expect("v1 accepted");
        assert_eq!(v1.version, 1);
        assert_eq!(v1.agency, "DCI");
        // The same text again adds no version.
        assert_eq!(cases.upload_definition(&admin, V1).await.unwrap().unwrap().version, 1);
        let started = cases.start(&citizen, SERVICE, None, &profile("Wanjiku Kamau")).await.unwrap();

        // A bad definition is refused with its errors and the running version stays.
        let bad = V1.replace("to: approved", "to: nowhere");
        let errors = cases.upload_definition(&admin, &bad).await.unwrap().unwrap_err();
        assert!(errors.iter().any(|e| e.message.contains("nowhere") && e.line.is_some()), "{errors:?}");
        let broken = cases.upload_definition(&admin, "service: DCI-MV-CLEARANCE\npages: [\n").await.unwrap().unwrap_err();
        assert!(!broken.is_empty());
        assert_eq!(app.count("service_definitions").await, before + 1);
        assert_eq!(cases.definition(SERVICE, None).await.unwrap().unwrap().version, 1);

        let v2_text = V1.replace("amount: \"1050.00\"", "amount: \"2000.00\"");
        let v2 = cases.upload_definition(&admin, &v2_text).await.unwrap().unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(cases.definition(SERVICE, None).await.unwrap().unwrap().version, 2);
        assert_eq!(cases.definition_history(SERVICE).await.unwrap().iter().map(|h| h.0).collect::<Vec<_>>(), [2, 1]);
        assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'definition.upload' AND actor = $1", &format!("account:{admin_id}")).await >= 2);

        // The draft started on v1 keeps v1 and its fee; a new one takes v2.
        cases
            .answer(&citizen, &started.reference, "about", &input(&[("full_name", "Wanjiku Kamau"), ("national_id", "12345678")]))
            .await
            .unwrap()
            .unwrap();
        let old = cases.submit(&citizen, &started.reference).await.unwrap().unwrap();
        assert_eq!(old.version, 1);
        let bill = lango_payments::bills::get(cases.db(), old.bill_reference.as_deref().unwrap()).await.unwrap().unwrap();
        assert_eq!(bill.service_amount.to_decimal(), "1050.00");
        let new = submitted(&cases, &citizen).await;
        assert_eq!(new.version, 2);
        let bill = lango_payments::bills::get(cases.db(), new.bill_reference.as_deref().unwrap()).await.unwrap().unwrap();
        assert_eq!(bill.service_amount.to_decimal(), "2000.00");

        // A folder load: an unchanged file adds nothing, a bad one is skipped.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("good.yaml"), &v2_text).unwrap();
        std::fs::write(dir.path().join("bad.yaml"), &bad).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a definition").unwrap();
        assert_eq!(cases.load_definitions(dir.path()).await.unwrap(), 0);
        assert_eq!(cases.definition(SERVICE, None).await.unwrap().unwrap().version, 2);
    }

    async fn engine_concurrent_submissions_all_commit_exactly_once(app: TestApp) {
        let cases = open_cases(&app).await;
        load_v1(&cases).await;
        let citizen_id = app.person("55556666", "engine-d@example.ke", "correct horse battery").await;
        let citizen = actor(&app, &citizen_id).await;
        let mut drafts = Vec::new();
        for _ in 0..200 {
            let d = cases.start(&citizen, SERVICE, None, &profile("Wanjiku Kamau")).await.unwrap();
            cases
                .answer(&citizen, &d.reference, "about", &input(&[("full_name", "Wanjiku Kamau"), ("national_id", "12345678")]))
                .await
                .unwrap()
                .unwrap();
            drafts.push(d.reference);
        }
        // Every draft submitted at once, and the first ten twice more, racing themselves:
        // each draft is submitted exactly once, whichever of its racers wins.
        let started = std::time::Instant::now();
        let mut tasks = Vec::new();
        for r in drafts.iter().chain(drafts.iter().take(10)).chain(drafts.iter().take(10)) {
            let (cases, citizen, r) = (cases.clone(), citizen.clone(), r.clone());
            tasks.push(tokio::spawn(async move { (r.clone(), cases.submit(&citizen, &r).await) }));
        }
        let mut won: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut conflicts = 0;
        for t in tasks {
            match t.await.unwrap() {
                (r, Ok(Ok(a))) => {
                    assert_eq!(a.state, "awaiting_payment");
                    *won.entry(r).or_default() += 1;
                }
                (_, Err(Error::Conflict(_))) => conflicts += 1,
                (r, other) => panic!("submission of {r}: {other:?}"),
            }
        }
        eprintln!("220 submissions in {:?}", started.elapsed());
        assert_eq!(won.len(), 200, "every draft submitted");
        assert!(won.values().all(|n| *n == 1), "none twice");
        assert_eq!(conflicts, 20);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM applications WHERE state = $1", "awaiting_payment").await, 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM application_transitions WHERE action = $1", "submit").await, 200);
        assert_eq!(app.scalar("SELECT COUNT(DISTINCT agency_reference) FROM bills WHERE created_by = $1", "application").await, 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM bills WHERE created_by = $1", "application").await, 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM events WHERE type = $1", "application.received").await, 200);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "application.submit").await, 200);
    }

    async fn engine_queue_pages_by_due_date_with_filters(app: TestApp) {
        let cases = open_cases(&app).await;
        load_v1(&cases).await;
        let citizen_id = app.person("66667777", "engine-e@example.ke", "correct horse battery").await;
        let officer_id = app.staff("engine-officer3@dci.example", "correct horse battery", Role::Officer, Some("DCI")).await;
        let (citizen, officer) = (actor(&app, &citizen_id).await, actor(&app, &officer_id).await);
        let mut refs = Vec::new();
        for _ in 0..7 {
            refs.push(submitted(&cases, &citizen).await.reference);
        }
        // All seven wait for payment: page through them three at a time.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = cases.queue(&officer, "DCI", &QueueFilter::default(), after.as_deref(), 3).await.unwrap();
            assert!(page.items.len() <= 3);
            seen.extend(page.items.iter().map(|a| a.reference.clone()));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        seen.sort();
        let mut expected = refs.clone();
        expected.sort();
        assert_eq!(seen, expected);
        assert!(matches!(
            cases.queue(&officer, "DCI", &QueueFilter::default(), Some("garbage"), 3).await,
            Err(Error::Invalid { .. })
        ));

        // Two paid: they enter review with an SLA and sort before those without one.
        for r in &refs[..2] {
            let a = cases.get(&citizen, r).await.unwrap();
            sqlx::query("UPDATE bills SET status = 'paid' WHERE reference = $1")
                .bind(a.bill_reference.as_deref().unwrap())
                .execute(cases.db().pool())
                .await
                .unwrap();
        }
        // This sweep or the node's own moves them.
        cases.advance_paid().await.unwrap();
        let review = QueueFilter { state: Some("review".into()), ..QueueFilter::default() };
        let page = cases.queue(&officer, "DCI", &review, None, 50).await.unwrap();
        assert_eq!(page.items.len(), 2);
        let all = cases.queue(&officer, "DCI", &QueueFilter::default(), None, 50).await.unwrap();
        assert_eq!(all.items.iter().take(2).filter(|a| a.state == "review").count(), 2, "due first");
        let first = &page.items[0];
        let claimed = cases.claim(&officer, &first.reference, first.revision).await.unwrap();
        let mine = QueueFilter { assigned_to: Some(officer_id.clone()), ..QueueFilter::default() };
        let page = cases.queue(&officer, "DCI", &mine, None, 50).await.unwrap();
        assert_eq!(page.items.iter().map(|a| a.reference.as_str()).collect::<Vec<_>>(), [claimed.reference.as_str()]);
        let unassigned = QueueFilter { unassigned: true, ..QueueFilter::default() };
        assert_eq!(cases.queue(&officer, "DCI", &unassigned, None, 50).await.unwrap().items.len(), 6);
        // Past its SLA: breached; due within the day: at risk.
        let now = lango_core::clock::now_ms();
        sqlx::query("UPDATE applications SET due_at = $1, due_key = $1 WHERE reference = $2")
            .bind(now - 1000)
            .bind(&claimed.reference)
            .execute(cases.db().pool())
            .await
            .unwrap();
        let other = &refs[..2].iter().find(|r| **r != claimed.reference).unwrap().to_string();
        sqlx::query("UPDATE applications SET due_at = $1, due_key = $1 WHERE reference = $2")
            .bind(now + 3_600_000)
            .bind(other)
            .execute(cases.db().pool())
            .await
            .unwrap();
        let breached = QueueFilter { sla: Some(SlaFilter::Breached), ..QueueFilter::default() };
        let page = cases.queue(&officer, "DCI", &breached, None, 50).await.unwrap();
        assert_eq!(page.items.iter().map(|a| a.reference.as_str()).collect::<Vec<_>>(), [claimed.reference.as_str()]);
        let at_risk = QueueFilter { sla: Some(SlaFilter::AtRisk), ..QueueFilter::default() };
        let page = cases.queue(&officer, "DCI", &at_risk, None, 50).await.unwrap();
        assert_eq!(page.items.iter().map(|a| a.reference.as_str()).collect::<Vec<_>>(), [other.as_str()]);
    }
}

crate::backend_tests! {
    async fn engine_demo_definitions_are_loaded_and_demo_staff_work_them(app: TestApp) {
        let cases = open_cases(&app).await;
        for code in lango::demo::popular() {
            let v = cases
                .definition(&code, None)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{code} not loaded"));
            assert!(v.definition.file().fees.is_some(), "{code} has a fee");
            assert!(!v.definition.file().outputs.is_empty(), "{code} issues a document");
            assert_eq!(v.uploaded_by, "system");
        }
        // Loading them again adds nothing.
        assert_eq!(lango::demo::load_definitions(cases.db()).await.unwrap(), 0);
        // The demo officer and supervisor work at every agency of those services.
        let credentials = lango::demo::seed_people(cases.db(), "http://127.0.0.1:8080").await.unwrap();
        assert!(credentials["accounts"].as_array().unwrap().iter().any(|a| a["role"] == "officer"));
        // The demo citizen holds one signed document, made once.
        let number = lango::demo::seed_document(&cases).await.unwrap().expect("a document");
        assert!(lango::demo::seed_document(&cases).await.unwrap().is_none(), "made once");
        let verified = cases.verify(&number).await.unwrap().expect("issued");
        assert!(verified.signature_valid && verified.holder_in_full.is_some_and(|(n, _)| n == "Wanjiku Kamau"));
        for role in ["officer", "supervisor"] {
            let n = app
                .scalar("SELECT COUNT(DISTINCT r.agency_code) FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE r.role = $1 AND a.email LIKE '%@dis.demo.lango.ke'", role)
                .await;
            assert_eq!(n, 7, "{role}");
        }
    }
}
