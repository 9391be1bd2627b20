//! Satisfaction surveys: the page after a completed application and the one-question SMS.
//!
//! An application is driven for real (submit → M-Pesa payment → officer approves → completed);
//! the node's follower invites the applicant, the SMS reaches the gateway simulator, and the
//! reply comes back as Africa's Talking posts incoming messages.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::sms_simulator::SmsSimulator;
use crate::support::{c2b_confirmation, Backend, TestApp};
use lango_cases::definition::{PageInput, Profile};
use lango_cases::service::Settings;
use lango_cases::Cases;
use lango_identity::model::Role;
use lango_identity::policy::Actor;
use lango_insights::survey::Group;
use lango_insights::{Insights, Scope};
use std::sync::Mutex;

const SERVICE: &str = "DCI-MV-CLEARANCE";
pub(crate) const PASSWORD: &str = "correct horse battery";
/// Every test person's confirmed phone.
pub(crate) const PHONE: &str = "+254700000001";

/// A small definition: one page, a fee, payment, an officer's approval that completes it.
const DEFINITION: &str = r#"
service: DCI-MV-CLEARANCE
title: {en: "Get a motor vehicle clearance certificate", sw: "Pata cheti cha ukaguzi wa gari"}
declaration: {en: "The information I have given is true."}
pages:
  - id: about
    title: {en: "About you"}
    fields:
      - {id: full_name, type: text, label: {en: "Full name"}, required: true, prefill: full_name}
fees:
  currency: KES
  items:
    - {label: {en: "Clearance fee"}, amount: "1050.00"}
workflow:
  start: awaiting_payment
  states:
    - {id: awaiting_payment, label: {en: "Waiting for payment"}, actor: system, paid_to: review}
    - id: review
      label: {en: "Being checked"}
      actor: officer
      sla_days: 5
      actions:
        - {id: approve, label: {en: "Approve"}, to: done}
        - {id: reject, label: {en: "Reject"}, to: rejected, reason: required}
    - {id: done, label: {en: "Cleared"}, actor: system, outcome: completed}
    - {id: rejected, label: {en: "Refused"}, actor: system, outcome: rejected}
"#;

/// Simulators of the apps spawned by [`spawn`], by the app's base URL.
static SIMULATORS: Mutex<Vec<(String, SmsSimulator)>> = Mutex::new(Vec::new());

/// An app whose SMS go to a simulator of its own and which believes M-Pesa and the SMS
/// gateway from loopback.
pub(crate) async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_as(backend, false).await
}

/// [`spawn`], in demo mode (plain cookies over http, as a real browser needs) when `demo`.
pub(crate) async fn spawn_as(backend: Backend, demo: bool) -> Option<TestApp> {
    let sms = SmsSimulator::start().await;
    let mut settings = sms.settings();
    settings.push(("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string()));
    let app = TestApp::spawn_configured(backend, demo, &settings).await?;
    sms.set_callback(&app.base);
    SIMULATORS.lock().unwrap().push((app.base.clone(), sms));
    Some(app)
}

/// The simulator of `app`.
pub(crate) fn simulator(app: &TestApp) -> SmsSimulator {
    let mut all = SIMULATORS.lock().unwrap();
    let at = all
        .iter()
        .position(|(b, _)| *b == app.base)
        .expect("simulator");
    all.remove(at).1
}

/// The domain rooms as the test drives them, with a citizen and an officer of DCI.
pub(crate) struct Kit {
    cases: Cases,
    insights: Insights,
    citizen: Actor,
    pub(crate) citizen_email: String,
    officer: Actor,
}

async fn actor(app: &TestApp, account: &str) -> Actor {
    let db = app.db().await;
    let person = lango_identity::account::actor(&db, account)
        .await
        .expect("actor");
    db.close().await;
    Actor::Person(person)
}

async fn insights_of(app: &TestApp, cases: &Cases) -> Insights {
    let target = lango_insights::digitisation::Target::parse("80% by 2027-06-30").unwrap();
    Insights::new(
        app.db().await,
        cases.clone(),
        lango_insights::Settings {
            digitisation_target: target,
        },
    )
}

pub(crate) async fn kit(app: &TestApp) -> Kit {
    let dir = app.data_dir.path().join("survey-documents");
    let cases = Cases::open(
        app.db().await,
        Settings::new(dir.display().to_string(), Vec::new()),
    )
    .await
    .expect("cases open");
    lango_cases::registry::load_texts(cases.db(), &[("survey.yaml".into(), DEFINITION.into())])
        .await
        .expect("definition loads");
    let citizen_email = "survey-citizen@example.ke".to_string();
    let citizen_id = app.person("31313131", &citizen_email, PASSWORD).await;
    let officer_id = app
        .staff(
            "survey-officer@dci.example",
            PASSWORD,
            Role::Officer,
            Some("DCI"),
        )
        .await;
    Kit {
        insights: insights_of(app, &cases).await,
        citizen: actor(app, &citizen_id).await,
        officer: actor(app, &officer_id).await,
        citizen_email,
        cases,
    }
}

/// A submitted application of the kit's citizen, waiting for payment; returns (reference, bill).
pub(crate) async fn submitted(k: &Kit) -> (String, String) {
    let profile = Profile {
        values: vec![("full_name".into(), "Wanjiku Kamau".into())],
    };
    let draft = k
        .cases
        .start(&k.citizen, SERVICE, None, &profile)
        .await
        .expect("start");
    let input = PageInput {
        values: vec![("full_name".into(), "Wanjiku Kamau".into())],
        files: Vec::new(),
    };
    k.cases
        .answer(&k.citizen, &draft.reference, "about", &input)
        .await
        .unwrap()
        .expect("valid");
    let sent = k
        .cases
        .submit(&k.citizen, &draft.reference)
        .await
        .unwrap()
        .expect("complete");
    (sent.reference, sent.bill_reference.expect("a bill"))
}

/// An application paid by M-Pesa and approved by the officer: completed. Returns its reference.
pub(crate) async fn completed(app: &TestApp, k: &Kit, trans_id: &str) -> String {
    let (reference, bill) = submitted(k).await;
    c2b_confirmation(
        &app.client,
        &app.base,
        trans_id,
        "1100.00",
        &bill,
        "20261122101500",
    )
    .await;
    app.eventually("the paid application moves on", || {
        let cases = k.cases.clone();
        let reference = reference.clone();
        async move {
            cases.advance_paid().await.unwrap();
            let db = cases.db().clone();
            let state: String =
                sqlx::query_scalar("SELECT state FROM applications WHERE reference = $1")
                    .bind(reference)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            state == "review"
        }
    })
    .await;
    let paid = k.cases.get(&k.officer, &reference).await.unwrap();
    let done = k
        .cases
        .act(&k.officer, &reference, "approve", None, paid.revision)
        .await
        .unwrap();
    assert_eq!(done.state, "done");
    reference
}

/// This month (East Africa Time), as the aggregates name it.
fn this_month() -> String {
    lango_insights::month_of(lango_core::clock::now_ms())
}

/// Satisfaction of the test service this month.
pub(crate) async fn summary(k: &Kit) -> lango_insights::survey::Summary {
    let month = this_month();
    k.insights
        .satisfaction(&Scope::Service(SERVICE.into()), &month, &month)
        .await
        .unwrap()
}

/// Posts an incoming SMS as Africa's Talking does; returns the status.
async fn incoming(app: &TestApp, from: &str, text: &str) -> u16 {
    let form = [
        ("from", from),
        ("to", "22384"),
        ("text", text),
        ("date", "2026-11-23 10:15:00"),
        ("id", "ATXid_incoming_1"),
        ("linkId", "SampleLinkId123"),
        ("networkCode", "63902"),
    ];
    let res = app
        .client
        .post(format!("{}/channels/sms/incoming", app.base))
        .form(&form)
        .send()
        .await
        .expect("POST incoming");
    res.status().as_u16()
}

/// The stored response of `reference`: (channel, overall).
async fn response(app: &TestApp, reference: &str) -> Option<(String, i64)> {
    let db = app.db().await;
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT channel, overall FROM survey_responses WHERE reference = $1")
            .bind(reference)
            .fetch_optional(db.pool())
            .await
            .unwrap();
    db.close().await;
    row
}

/// A browser signed in as the kit's citizen.
async fn citizen_browser<'a>(app: &'a TestApp, k: &Kit) -> Browser<'a> {
    let mut b = Browser::new(app);
    let page = b.sign_in(&k.citizen_email, PASSWORD).await;
    assert_eq!(page.status, 303, "signed in: {}", page.html);
    b
}

/// A refused page answer: the fields sent, the error summary's link and its message.
type BadInput<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

/// A full page answer.
const FULL: &[(&str, &str)] = &[
    ("overall", "5"),
    ("access", "yes"),
    ("affordability", "no"),
    ("effective_delivery", "yes"),
    ("equal_treatment", ""),
    ("timeliness", "yes"),
    ("comment", "Quick and clear."),
    ("sex", "female"),
    ("age_band", "25-34"),
    ("county", "Kisumu"),
];

backend_tests! {
    spawn = spawn;

    async fn survey_sms_invites_once_and_a_reply_is_counted(app: TestApp) {
        let sms = simulator(&app);
        let k = kit(&app).await;
        // Four more followers (as four more nodes would) race the node's own. On PostgreSQL
        // the cursor is held meanwhile, so that every follower has read the completion and
        // waits at the cursor at once: only the cursor's lock keeps them from each inviting.
        let mut racers = Vec::new();
        for _ in 0..4 {
            racers.push(insights_of(&app, &k.cases).await);
        }
        let db = app.db().await;
        let mut hold = None;
        if app.db_url.starts_with("postgres") {
            let mut tx = db.pool().begin().await.unwrap();
            sqlx::query("INSERT INTO event_cursors (name, seq) VALUES ('surveys', 0) ON CONFLICT (name) DO NOTHING")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("UPDATE event_cursors SET seq = seq WHERE name = 'surveys'")
                .execute(&mut *tx)
                .await
                .unwrap();
            hold = Some(tx);
        }
        let reference = completed(&app, &k, "SKS1SURVEY1").await;
        let tasks: Vec<_> = racers
            .into_iter()
            .map(|f| tokio::spawn(async move { f.invite_surveys().await.unwrap() }))
            .collect();
        if let Some(tx) = hold {
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            tx.commit().await.unwrap();
        }
        for t in tasks {
            t.await.unwrap();
        }
        db.close().await;
        // The applicant also hears of each step of the case: the question is the one asking.
        let asking = format!("({reference})? Reply 1");
        let question = sms.wait_for(PHONE, &asking).await;
        assert!(question.message.contains("Reply 1 (very dissatisfied) to 5 (very satisfied)"), "{}", question.message);
        assert!(question.message.contains("Get a motor vehicle clearance certificate"), "{}", question.message);
        k.insights.invite_surveys().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let asked = sms.messages().iter().filter(|m| m.message.contains(&asking)).count();
        assert_eq!(asked, 1, "invited exactly once: {:?}", sms.messages());
        let outbox = "SELECT COUNT(*) FROM notifications WHERE event_type = $1 AND channel = 'sms'";
        assert_eq!(app.scalar(outbox, "survey.invitation").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM survey_invitations WHERE reference = $1 AND phone = '+254700000001'", &reference).await, 1);
        assert_eq!(response(&app, &reference).await, None);

        // The reply, as the gateway posts it, answers the survey.
        assert_eq!(incoming(&app, "+254 700 000001", " 4 ").await, 200);
        assert_eq!(response(&app, &reference).await, Some(("sms".into(), 4)));
        let s = summary(&k).await;
        assert_eq!((s.responses, s.satisfied, s.overall_sum), (1, 1, 4));
        assert_eq!(s.attributes, [(0, 0); 5], "the SMS asks only the overall question");
        let by_channel = k.insights.satisfaction_by(&Scope::Service(SERVICE.into()), &this_month(), &this_month(), Group::Channel).await.unwrap();
        assert_eq!(by_channel.iter().map(|(c, s)| (c.as_str(), s.responses)).collect::<Vec<_>>(), [("sms", 1)]);

        // A second reply (or the gateway's retry) changes nothing; neither does a stranger's.
        assert_eq!(incoming(&app, PHONE, "1").await, 200);
        assert_eq!(incoming(&app, "+254799999999", "2").await, 200);
        assert_eq!(response(&app, &reference).await, Some(("sms".into(), 4)));
        assert_eq!(summary(&k).await.responses, 1);
        // Nor can the page answer it again.
        let mut b = citizen_browser(&app, &k).await;
        let page = b.get(&format!("/applications/{reference}/survey")).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("You have already answered this survey"), "{}", page.html);
    }

    async fn survey_page_answer_is_counted_once(app: TestApp) {
        let sms = simulator(&app);
        let k = kit(&app).await;
        let reference = completed(&app, &k, "SKS1SURVEY2").await;
        sms.wait_for(PHONE, &format!("({reference})? Reply 1")).await;
        let mut b = citizen_browser(&app, &k).await;
        let path = format!("/applications/{reference}/survey");
        let track = b.get(&format!("/applications/{reference}")).await.html;
        assert!(track.contains(&format!("href=\"{path}\"")), "the track page links to the survey");
        let page = b.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.html);
        for needle in ["Overall, how satisfied were you with the service?", "name=\"overall\" value=\"5\"", "Very dissatisfied", "Did you get what you needed?", "<textarea", "Kisumu", "name=\"csrf\""] {
            assert!(page.html.contains(needle), "{needle}");
        }
        let sent = b.post(&path, FULL).await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        assert_eq!(sent.location, format!("/applications/{reference}/survey/thanks"));
        let thanks = b.get(&sent.location).await;
        assert_eq!(thanks.status, 200);
        assert!(thanks.html.contains("Thank you for your answers") && thanks.html.contains(&reference));

        assert_eq!(response(&app, &reference).await, Some(("page".into(), 5)));
        let s = summary(&k).await;
        assert_eq!((s.responses, s.satisfied, s.overall_sum), (1, 1, 5));
        // access yes, affordability no, effective yes, equal not answered, timeliness yes.
        assert_eq!(s.attributes, [(1, 1), (1, 0), (1, 1), (0, 0), (1, 1)]);
        let scope = Scope::Agency("DCI".into());
        let by_sex = k.insights.satisfaction_by(&scope, &this_month(), &this_month(), Group::Sex).await.unwrap();
        assert_eq!(by_sex.iter().map(|(g, s)| (g.as_str(), s.responses)).collect::<Vec<_>>(), [("female", 1)]);
        let by_county = k.insights.satisfaction_by(&scope, &this_month(), &this_month(), Group::County).await.unwrap();
        assert_eq!(by_county[0].0, "Kisumu");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM survey_responses WHERE comment = $1", "Quick and clear.").await, 1);

        // A second answer is refused with a clear message and changes nothing.
        b.get(&path).await;
        let again = b.post(&path, &[("overall", "1"), ("comment", "changed my mind")]).await;
        assert_eq!(again.status, 409);
        assert!(again.html.contains("You have already answered this survey") && again.html.contains("Nothing was changed"));
        assert_eq!(response(&app, &reference).await, Some(("page".into(), 5)));
        assert_eq!(summary(&k).await, s);
        // So is a later SMS reply.
        assert_eq!(incoming(&app, PHONE, "1").await, 200);
        assert_eq!(response(&app, &reference).await, Some(("page".into(), 5)));
        assert_eq!(summary(&k).await, s);

        // Published: one response is too few to show; a group of 5 is shown with its shares.
        let table = k.insights.open_data("satisfaction", &Default::default()).await.unwrap();
        assert!(table.rows.is_empty(), "a group of one is not published: {:?}", table.rows);
        let db = app.db().await;
        sqlx::query("UPDATE insight_satisfaction SET responses = 5, satisfied = 4, access_n = 4, access_yes = 3 WHERE service = $1")
            .bind(SERVICE)
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
        let csv = k.insights.open_data("satisfaction", &Default::default()).await.unwrap().to_csv();
        assert!(csv.contains(&format!("{},DCI,{SERVICE},page,female,25-34,Kisumu,5,4,80.0,75.0,0.0,100.0,,100.0", this_month())), "{csv}");
    }

    async fn survey_refuses_others_and_unfinished_applications(app: TestApp) {
        let _sms = simulator(&app);
        let k = kit(&app).await;
        let reference = completed(&app, &k, "SKS1SURVEY3").await;
        let path = format!("/applications/{reference}/survey");

        // Another citizen: as if it did not exist.
        app.person("42424242", "someone-else@example.ke", PASSWORD).await;
        let mut other = Browser::new(&app);
        other.sign_in("someone-else@example.ke", PASSWORD).await;
        assert_eq!(other.get(&path).await.status, 404);
        other.get("/account").await;
        assert_eq!(other.post(&path, &[("overall", "1")]).await.status, 404);
        // The officer who worked it may see the case but does not answer for the citizen.
        let mut officer = Browser::new(&app);
        officer.sign_in("survey-officer@dci.example", PASSWORD).await;
        assert_eq!(officer.get(&path).await.status, 404);
        officer.get("/account").await;
        assert_eq!(officer.post(&path, &[("overall", "1")]).await.status, 404);
        // Signed out: sign in first.
        let anonymous = app.get(&path).await;
        assert_eq!(anonymous.status().as_u16(), 303);
        assert!(anonymous.headers()["location"].to_str().unwrap().starts_with("/signin"));
        assert_eq!(app.count("survey_responses").await, 0);

        // The citizen's own application that is not completed yet.
        let (waiting, _) = submitted(&k).await;
        let mut b = citizen_browser(&app, &k).await;
        let page = b.get(&format!("/applications/{waiting}/survey")).await;
        assert_eq!(page.status, 409);
        assert!(page.html.contains("The survey is not open yet"), "{}", page.html);
        b.get(&path).await;
        assert_eq!(b.post(&format!("/applications/{waiting}/survey"), &[("overall", "4")]).await.status, 409);
        assert_eq!(b.get("/applications/ZZZZZZZZZ/survey").await.status, 404);
        assert_eq!(app.count("survey_responses").await, 0);
        assert_eq!(summary(&k).await.responses, 0);
    }

    async fn survey_bad_input_is_refused_and_attempts_are_limited(app: TestApp) {
        let _sms = simulator(&app);
        let k = kit(&app).await;
        let reference = completed(&app, &k, "SKS1SURVEY4").await;
        let path = format!("/applications/{reference}/survey");
        let mut b = citizen_browser(&app, &k).await;
        b.get(&path).await;
        let long = "x".repeat(1001);
        let cases: [BadInput; 5] = [
            (&[("overall", "0")], "#f-overall", "Select how satisfied you were with the service"),
            (&[("overall", "6")], "#f-overall", "Select how satisfied you were with the service"),
            (&[("overall", "x"), ("access", "maybe")], "#f-access", "Select yes, no or not sure"),
            (&[("overall", "4"), ("comment", &long)], "#f-comment", "Your comment must be 1,000 characters or fewer"),
            (&[("overall", "4"), ("comment", "kept <b>"), ("county", "Atlantis")], "#f-county", "Select a county from the list"),
        ];
        let mut last = String::new();
        for (fields, anchor, message) in cases {
            let page = b.post(&path, fields).await;
            last = page.html.clone();
            assert_eq!(page.status, 400, "{fields:?}");
            assert!(page.html.contains("There is a problem"), "{fields:?}");
            assert!(page.html.contains(&format!("<a href=\"{anchor}\">{message}</a>")), "{fields:?}: {}", page.html);
            assert!(page.html.contains("<title>Error:"), "{fields:?}");
            assert_eq!(app.count("survey_responses").await, 0);
        }
        // What was typed comes back, escaped.
        assert!(last.contains("kept &lt;b&gt;</textarea>") || last.contains("kept &#60;b&#62;</textarea>"), "{last}");
        // Five attempts within the hour: a sixth, even a good one, waits.
        let limited = b.post(&path, FULL).await;
        assert_eq!(limited.status, 429);
        assert!(limited.html.contains("Too many attempts"));
        assert_eq!(app.count("survey_responses").await, 0);
        assert_eq!(summary(&k).await.responses, 0);
        // An hour later it is accepted.
        let db = app.db().await;
        sqlx::query("UPDATE survey_invitations SET window_start = window_start - 3600001 WHERE reference = $1")
            .bind(&reference)
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
        b.get(&path).await;
        assert_eq!(b.post(&path, FULL).await.status, 303);
        assert_eq!(summary(&k).await.responses, 1);
    }
}

backend_tests! {
    async fn sms_replies_are_believed_only_from_the_gateway_networks(app: TestApp) {
        assert_eq!(incoming(&app, PHONE, "5").await, 403);
        assert_eq!(app.count("survey_responses").await, 0);
    }
}
