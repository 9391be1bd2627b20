//! The officer workbench over real HTTP: the queue and its filters, claiming, asking the
//! applicant for more information (a reason required, the applicant's answer bringing it
//! back), approving and issuing (the document exists and verifies), stale and replayed
//! forms refused without change, other agencies' officers and citizens kept out, the
//! supervisor's workload, and garbage input never giving a 5xx. Applications are made by
//! the cases engine itself, as the citizen's journey would make them.

mod chromium;

use crate::backend_tests;
use crate::browser_kit::{Browser, Page};
use crate::support::TestApp;
use lango_cases::definition::{PageInput, Profile};
use lango_cases::Cases;
use lango_identity::model::Role;
use lango_identity::policy::Actor;

/// Every test account's password.
pub(crate) const PASSWORD: &str = "correct horse battery";

/// The service the tests apply for (a DIS service no demo definition uses).
pub(crate) const SERVICE: &str = "DIS-ETA";

/// A small definition: no fee, an officer's review with approve / ask / refuse, the
/// applicant's reply, and an issuing step.
pub(crate) const DEFINITION: &str = r#"
service: DIS-ETA
title: { en: Apply for an electronic travel authorisation, sw: Omba idhini ya kielektroniki ya kusafiri }
declaration: { en: I declare that my answers are true., sw: Natangaza kwamba majibu yangu ni ya kweli. }
pages:
  - id: traveller
    title: { en: The traveller, sw: Msafiri }
    fields:
      - id: full_name
        type: text
        label: { en: Full name, sw: Jina kamili }
        required: true
      - id: purpose
        type: choice
        label: { en: Purpose of the visit, sw: Madhumuni ya ziara }
        required: true
        choices:
          - { value: tourism, label: { en: Tourism, sw: Utalii } }
          - { value: business, label: { en: Business, sw: Biashara } }
workflow:
  start: review
  states:
    - id: review
      label: { en: Being checked, sw: Inakaguliwa }
      actor: officer
      sla_days: 3
      actions:
        - id: approve
          label: { en: Approve, sw: Idhinisha }
          to: approved
          reason: optional
        - id: request_info
          label: { en: Ask for more information, sw: Omba maelezo zaidi }
          to: more_info
          reason: required
          request_info: true
        - id: reject
          label: { en: Refuse, sw: Kataa }
          to: rejected
          reason: required
    - id: more_info
      label: { en: Waiting for the applicant, sw: Inasubiri mwombaji }
      actor: applicant
      sla_days: 14
      actions:
        - id: respond
          label: { en: Send my reply, sw: Tuma jibu langu }
          to: review
          reason: required
    - id: approved
      label: { en: Approved, sw: Imeidhinishwa }
      actor: officer
      sla_days: 2
      actions:
        - id: issue
          label: { en: Issue the authorisation, sw: Toa idhini }
          to: issued
          issues: eta
    - id: issued
      label: { en: Issued, sw: Imetolewa }
      actor: system
      outcome: completed
    - id: rejected
      label: { en: Refused, sw: Imekataliwa }
      actor: system
      outcome: rejected
outputs:
  - id: eta
    title: { en: Electronic travel authorisation, sw: Idhini ya kielektroniki ya kusafiri }
    valid_days: 90
    template: |
      # Republic of Kenya: Directorate of Immigration Services

      Electronic travel authorisation {{ reference }} for {{ answers.full_name }}.

      Issued on {{ issued_on }}. Valid until {{ valid_until }}.
"#;

/// The cases engine on the app's own database and document store.
pub(crate) async fn engine(app: &TestApp) -> Cases {
    let settings = lango_cases::service::Settings::new(
        app.data_dir.path().join("documents").display().to_string(),
        Vec::new(),
    );
    Cases::open(app.db().await, settings).await.expect("cases")
}

/// Loads [`DEFINITION`] as the system does from its folder.
pub(crate) async fn define(cases: &Cases) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{SERVICE}.yaml")), DEFINITION).unwrap();
    assert_eq!(cases.load_definitions(dir.path()).await.expect("load"), 1);
}

/// The policy's view of an account.
pub(crate) async fn actor(app: &TestApp, account: &str) -> Actor {
    let db = app.db().await;
    let p = lango_identity::account::actor(&db, account)
        .await
        .expect("actor");
    db.close().await;
    Actor::Person(p)
}

/// A citizen's submitted application; returns its reference.
pub(crate) async fn submitted(cases: &Cases, citizen: &Actor, name: &str) -> String {
    let draft = cases
        .start(citizen, SERVICE, None, &Profile::default())
        .await
        .expect("start");
    let input = PageInput {
        values: vec![
            ("full_name".into(), name.into()),
            ("purpose".into(), "tourism".into()),
        ],
        files: Vec::new(),
    };
    cases
        .answer(citizen, &draft.reference, "traveller", &input)
        .await
        .expect("answer")
        .expect("valid answers");
    let app = cases
        .submit(citizen, &draft.reference)
        .await
        .expect("submit")
        .expect("complete");
    assert_eq!(app.state, "review");
    app.reference
}

/// A staff member named `given family` holding `role` at `agency`; returns the account id.
pub(crate) async fn named_staff(
    app: &TestApp,
    email: &str,
    given: &str,
    family: &str,
    role: Role,
    agency: &str,
) -> String {
    let id = app.staff(email, PASSWORD, role, Some(agency)).await;
    let db = app.db().await;
    sqlx::query("UPDATE accounts SET given_name = $1, family_name = $2 WHERE id = $3")
        .bind(given)
        .bind(family)
        .bind(&id)
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    id
}

/// A browser signed in as `email`.
pub(crate) async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    assert_eq!(
        b.sign_in(email, PASSWORD).await.status,
        303,
        "{email} signs in"
    );
    b
}

/// The revision the page's forms carry.
fn revision(page: &Page) -> String {
    page.html
        .split("name=\"revision\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a form with the revision")
        .to_string()
}

/// The application's state and revision as stored.
async fn stored(app: &TestApp, reference: &str) -> (String, i64) {
    let db = app.db().await;
    let row: (String, i64) =
        sqlx::query_as("SELECT state, revision FROM applications WHERE reference = $1")
            .bind(reference)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    row
}

/// True when the queue page at `query` lists `reference`.
async fn lists(b: &mut Browser<'_>, query: &str, reference: &str) -> bool {
    let page = b.get(&format!("/work/DIS{query}")).await;
    assert_eq!(page.status, 200, "queue {query}: {}", page.html);
    page.html.contains(reference)
}

backend_tests! {
    async fn officer_works_an_application_from_queue_to_issued_document(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let citizen_id = app.person("23456789", "wanjiku@example.com", PASSWORD).await;
        let citizen = actor(&app, &citizen_id).await;
        let reference = submitted(&cases, &citizen, "Wanjiku Kamau").await;
        let officer = named_staff(&app, "amina@dis.example", "Amina", "Otieno", Role::Officer, "DIS").await;
        named_staff(&app, "brian@dis.example", "Brian", "Mwangi", Role::Officer, "DIS").await;

        let mut b = signed_in(&app, "amina@dis.example").await;
        let desk = b.get("/work").await;
        assert_eq!((desk.status, desk.location.as_str()), (303, "/work/DIS"));

        // The queue and its filters.
        assert!(lists(&mut b, "", &reference).await);
        assert!(lists(&mut b, "?state=review", &reference).await);
        assert!(!lists(&mut b, "?state=approved", &reference).await);
        assert!(lists(&mut b, "?assigned=unassigned", &reference).await);
        assert!(!lists(&mut b, "?assigned=me", &reference).await);
        assert!(lists(&mut b, &format!("?service={SERVICE}"), &reference).await);
        assert!(!lists(&mut b, "?sla=breached", &reference).await);
        let queue = b.get("/work/DIS").await;
        assert!(queue.html.contains("Being checked") && !queue.html.contains("Overdue</strong>"));

        // Made overdue, it is breached and tagged.
        let db = app.db().await;
        let past = lango_core::clock::now_ms() - 86_400_000;
        sqlx::query("UPDATE applications SET due_at = $1, due_key = $1 WHERE reference = $2")
            .bind(past).bind(&reference).execute(db.pool()).await.unwrap();
        db.close().await;
        assert!(lists(&mut b, "?sla=breached", &reference).await);
        assert!(!lists(&mut b, "?sla=at_risk", &reference).await);
        assert!(b.get("/work/DIS").await.html.contains("tag-overdue"));

        // The application: its answers and the forms that act, each carrying the revision.
        let path = format!("/work/DIS/applications/{reference}");
        // Found by its reference as a caller reads it out (any case, with a hyphen); a typo
        // is caught by the check character and said next to the box.
        let typed = format!("{}-{}", reference[..4].to_lowercase(), &reference[4..]);
        let found = b.get(&format!("/work/DIS?reference={typed}")).await;
        assert_eq!((found.status, found.location.as_str()), (303, path.as_str()));
        let mut wrong = reference.clone().into_bytes();
        wrong[3] = if wrong[3] == b'2' { b'3' } else { b'2' };
        let wrong = String::from_utf8(wrong).unwrap();
        let typo = b.get(&format!("/work/DIS?reference={wrong}")).await;
        assert_eq!(typo.status, 200);
        assert!(typo.html.contains("error-summary") && typo.html.contains(&wrong), "{}", typo.html);
        let page = b.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains("Wanjiku Kamau") && page.html.contains("Tourism"));
        assert!(page.html.contains("Take this application"));
        let first = revision(&page);

        let claimed = b.post(&format!("{path}/claim"), &[("revision", &first)]).await;
        assert_eq!(claimed.status, 303, "{}", claimed.html);
        assert!(lists(&mut b, "?assigned=me", &reference).await);
        assert!(!lists(&mut b, "?assigned=unassigned", &reference).await);
        let page = b.get(&format!("{path}?done=claim")).await;
        assert!(page.html.contains("You have taken this application") && page.html.contains("Amina Otieno"));
        // Refusing looks different from approving: a warning button.
        assert!(page.html.contains("<button type=\"submit\" class=\"warning\">Refuse</button>"), "{}", page.html);
        assert!(page.html.contains("<button type=\"submit\">Approve</button>"));
        let second = revision(&page);
        assert_ne!(first, second);

        // A replayed claim (the old revision) is refused and changes nothing.
        let before = stored(&app, &reference).await;
        let replay = b.post(&format!("{path}/claim"), &[("revision", &first)]).await;
        assert_eq!(replay.status, 409);
        assert!(replay.html.contains("changed since you opened it"));
        assert_eq!(stored(&app, &reference).await, before);

        // Asking for more information needs a reason: refused empty, nothing changes.
        let empty = b.post(&format!("{path}/act"), &[("action", "request_info"), ("reason", "  "), ("revision", &second)]).await;
        assert_eq!(empty.status, 400);
        assert!(empty.html.contains("error-summary") && empty.html.contains("href=\"#reason-request_info\""));
        assert!(empty.html.contains("Enter the reason"));
        assert_eq!(stored(&app, &reference).await, before);
        let asked = b.post(&format!("{path}/act"), &[("action", "request_info"),
            ("reason", "Send a copy of your return ticket"), ("revision", &second)]).await;
        assert_eq!(asked.status, 303, "{}", asked.html);
        assert_eq!(stored(&app, &reference).await.0, "more_info");
        let page = b.get(&path).await;
        assert!(page.html.contains("Send a copy of your return ticket"), "the reason is on the history");
        assert!(page.html.contains("There is nothing for you to do"), "the applicant acts now");

        // An old form replayed after the move is refused and changes nothing.
        let before = stored(&app, &reference).await;
        let replay = b.post(&format!("{path}/act"), &[("action", "approve"), ("reason", ""), ("revision", &second)]).await;
        assert_eq!(replay.status, 409);
        assert_eq!(stored(&app, &reference).await, before);

        // The applicant's answer brings it back to the officer.
        cases.respond(&citizen, &reference, "Ticket KQ100 attached", Vec::new()).await.expect("respond");
        let page = b.get(&path).await;
        assert!(page.html.contains("Ticket KQ100 attached") && page.html.contains("Being checked"));
        let rev = revision(&page);

        // A message to the applicant: empty refused, then sent.
        let blank = b.post(&format!("{path}/messages"), &[("body", "")]).await;
        assert_eq!(blank.status, 400);
        assert!(blank.html.contains("href=\"#message-body\""));
        let sent = b.post(&format!("{path}/messages"), &[("body", "Thank you, checking now")]).await;
        assert_eq!(sent.status, 303);
        assert!(b.get(&path).await.html.contains("Thank you, checking now"));

        // Approve, then issue: the document exists, downloads and verifies.
        let rev = {
            let page = b.get(&path).await;
            assert_eq!(revision(&page), rev, "a message does not move the application");
            rev
        };
        let approved = b.post(&format!("{path}/act"), &[("action", "approve"), ("reason", ""), ("revision", &rev)]).await;
        assert_eq!(approved.status, 303, "{}", approved.html);
        let page = b.get(&format!("{path}?done=act")).await;
        assert!(page.html.contains("The application is now at: Approved"));
        let issued = b.post(&format!("{path}/act"), &[("action", "issue"), ("revision", &revision(&page))]).await;
        assert_eq!(issued.status, 303, "{}", issued.html);
        assert_eq!(stored(&app, &reference).await.0, "issued");
        let page = b.get(&path).await;
        assert!(page.html.contains("Electronic travel authorisation"));
        let number = page.html.split("href=\"/verify/").nth(1).and_then(|r| r.split('"').next())
            .expect("the verify link").to_string();
        assert!(number.starts_with("LD-"), "{number}");
        let doc_href = page.html.split("<a href=\"").skip(1).map(|r| r.split('"').next().unwrap())
            .find(|h| h.contains("/documents/") && page.html.contains(&format!("<a href=\"{h}\">Electronic travel")))
            .expect("the issued document's link").to_string();
        let doc = app.client.get(format!("{}{doc_href}", app.base))
            .header("cookie", crate::cases_journey::cookie_string(&b)).send().await.unwrap();
        assert_eq!(doc.status().as_u16(), 200);
        let text = crate::cases_files::pdf_text(&doc.bytes().await.unwrap());
        assert!(text.contains(&number) && text.contains("Wanjiku Kamau"), "{text}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM issued WHERE number = $1", &number).await, 1);

        // Anyone can verify it; an unknown number is not found.
        let public = app.get(&format!("/verify/{number}")).await;
        assert_eq!(public.status().as_u16(), 200);
        let text = public.text().await.unwrap();
        assert!(text.contains("This document is genuine") && text.contains("Electronic travel authorisation"), "{text}");
        // What the paper says, to compare: the holder's name, and the ID number masked.
        assert!(text.contains("<dd>Test Person</dd>"), "the holder's name, as the signed code carries it: {text}");
        assert!(text.contains("****"), "the ID number masked: {text}");
        let unknown = app.get("/verify/LD-2345-6789").await;
        assert_eq!(unknown.status().as_u16(), 404);
        assert!(unknown.text().await.unwrap().contains("No document has this number"));
        let lower = app.get(&format!("/verify/{}", number.to_lowercase())).await;
        assert_eq!(lower.status().as_u16(), 200, "typed in lower case");
        // Revoked by its agency's system: the page says so, with the reason (the trust list too).
        let revoke = |key: String, reason: &'static str| {
            let url = format!("{}/api/v1/documents/{number}/revoke", app.base);
            let client = app.client.clone();
            async move {
                client.post(url).bearer_auth(key).json(&serde_json::json!({"reason": reason}))
                    .send().await.unwrap()
            }
        };
        let other = app.agency_key("NTSA", &["documents:write"]).await;
        assert_eq!(revoke(other, "Not ours").await.status().as_u16(), 404, "another agency's document");
        let reader = app.agency_key("DIS", &["cases:read"]).await;
        assert_eq!(revoke(reader, "No right").await.status().as_u16(), 403);
        let key = app.agency_key("DIS", &["documents:write"]).await;
        assert_eq!(revoke(key.clone(), " ").await.status().as_u16(), 400, "a reason is needed");
        let done = revoke(key.clone(), "Issued in error").await;
        assert_eq!(done.status().as_u16(), 200);
        let body: serde_json::Value = done.json().await.unwrap();
        assert_eq!((body["number"].as_str(), body["reason"].as_str()), (Some(number.as_str()), Some("Issued in error")));
        let again: serde_json::Value = revoke(key, "Changed my mind").await.json().await.unwrap();
        assert_eq!(again["reason"], "Issued in error", "the first revocation stands");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "document.revoke").await, 1);
        let revoked = app.get(&format!("/verify/{number}")).await.text().await.unwrap();
        assert!(revoked.contains("This document has been revoked") && revoked.contains("Issued in error"), "{revoked}");
        let list = app.get_json("/.well-known/lango/trust-list.json", 200).await;
        assert_eq!(list["revoked"][0]["number"], number.as_str());
        // A record whose signature no longer matches is reported, not passed.
        let db = app.db().await;
        sqlx::query("UPDATE issued SET signature = $1 WHERE number = $2")
            .bind("0".repeat(64)).bind(&number).execute(db.pool()).await.unwrap();
        db.close().await;
        let forged = app.get(&format!("/verify/{number}")).await.text().await.unwrap();
        assert!(forged.contains("signature is not valid") && !forged.contains("is genuine"), "{forged}");

        // A final application offers nothing to do; the history records every step with its actor.
        let page = b.get(&path).await;
        assert!(page.html.contains("There is nothing for you to do"));
        assert!(page.html.matches("Amina Otieno").count() >= 3, "actor on each step");
        let _ = officer;
    }

    async fn outsiders_are_kept_out_and_nothing_changes(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let citizen_id = app.person("23456780", "otieno@example.com", PASSWORD).await;
        let citizen = actor(&app, &citizen_id).await;
        let reference = submitted(&cases, &citizen, "Otieno Ouma").await;
        named_staff(&app, "carol@ntsa.example", "Carol", "Njeri", Role::Officer, "NTSA").await;
        named_staff(&app, "dan@dis.example", "Dan", "Kip", Role::Officer, "DIS").await;
        let path = format!("/work/DIS/applications/{reference}");
        let before = stored(&app, &reference).await;

        // An officer of another agency: not the queue, not the application, cannot act.
        let mut other = signed_in(&app, "carol@ntsa.example").await;
        assert_eq!(other.get("/work/DIS").await.status, 403);
        let seen = other.get(&path).await.status;
        assert!(seen == 403 || seen == 404, "{seen}");
        let rev = before.1.to_string();
        for (to, fields) in [
            ("claim", vec![("revision", rev.as_str())]),
            ("act", vec![("action", "approve"), ("revision", rev.as_str())]),
            ("assign", vec![("officer", ""), ("revision", rev.as_str())]),
            ("messages", vec![("body", "hello")]),
        ] {
            let res = other.post(&format!("{path}/{to}"), &fields).await;
            assert!(res.status == 403 || res.status == 404, "{to}: {}", res.status);
        }
        let own = other.get(&format!("/work/NTSA/applications/{reference}")).await.status;
        assert!(own == 403 || own == 404, "{own}");
        assert_eq!(stored(&app, &reference).await, before);

        // A citizen has no desk, and cannot open the application as staff.
        let mut c = signed_in(&app, "otieno@example.com").await;
        assert_eq!(c.get("/work").await.status, 403);
        assert_eq!(c.get("/work/DIS").await.status, 403);
        let act = c.post(&format!("{path}/act"), &[("action", "approve"), ("revision", &rev)]).await;
        assert!(act.status == 403 || act.status == 404, "{}", act.status);
        // Signed out: to the sign-in page.
        let anon = app.get("/work/DIS").await;
        assert_eq!(anon.status().as_u16(), 303);

        // An officer (not a supervisor) cannot see the supervisor view nor assign.
        let mut dan = signed_in(&app, "dan@dis.example").await;
        assert_eq!(dan.get("/work/DIS/supervisor").await.status, 403);
        let res = dan.post(&format!("{path}/assign"), &[("officer", ""), ("revision", &rev)]).await;
        assert_eq!(res.status, 403);
        assert_eq!(stored(&app, &reference).await, before);

        // Garbage never gives a 5xx.
        for q in ["/work/DIS?after=garbage", "/work/DIS?after=9.x", "/work/DIS?sla=%00&state=%3Cscript%3E&assigned=x&service=..",
            "/work/DIS?state=&sla=&assigned=&service=&after=", "/work/%3Cx%3E", "/work/DIS/applications/NOPE",
            "/work/DIS/applications/%00/documents/x", &format!("{path}/documents/nope"), &format!("{path}?done=%3Cb%3E"),
            "/verify/%3Cscript%3E", "/verify/LD-0000-0000", &format!("/verify/{}", "A".repeat(500))] {
            let status = dan.get(q).await.status;
            assert!(status < 500, "{q}: {status}");
        }
        let page = dan.get(&path).await;
        assert_eq!(page.status, 200);
        for body in [vec![("revision", "abc")], vec![("revision", "")], vec![]] {
            let res = dan.post(&format!("{path}/claim"), &body).await;
            assert_eq!(res.status, 409, "{body:?}");
        }
        for body in [vec![("action", "nonsense"), ("revision", rev.as_str())], vec![("action", ""), ("revision", rev.as_str())],
            vec![("action", "approve"), ("reason", &"x".repeat(5000)), ("revision", rev.as_str())]] {
            let res = dan.post(&format!("{path}/act"), &body).await;
            assert!(res.status < 500 && res.status != 303, "{}", res.status);
        }
        let huge = dan.post(&format!("{path}/messages"), &[("body", &"y".repeat(20_000))]).await;
        assert!(huge.status < 500 && huge.status != 303, "{}", huge.status);
        assert_eq!(stored(&app, &reference).await, before);
    }

    async fn supervisor_sees_workload_and_assigns(app: TestApp) {
        let cases = engine(&app).await;
        define(&cases).await;
        let citizen_id = app.person("23456781", "akinyi@example.com", PASSWORD).await;
        let citizen = actor(&app, &citizen_id).await;
        let first = submitted(&cases, &citizen, "Akinyi One").await;
        let second = submitted(&cases, &citizen, "Akinyi Two").await;
        let third = submitted(&cases, &citizen, "Akinyi Three").await;
        let amina = named_staff(&app, "amina@dis.example", "Amina", "Otieno", Role::Officer, "DIS").await;
        named_staff(&app, "sara@dis.example", "Sara", "Wekesa", Role::Supervisor, "DIS").await;

        let mut sup = signed_in(&app, "sara@dis.example").await;
        // The supervisor assigns two to Amina from the application page's select.
        for reference in [&first, &second] {
            let path = format!("/work/DIS/applications/{reference}");
            let page = sup.get(&path).await;
            assert!(page.html.contains(&format!("<option value=\"{amina}\">Amina Otieno</option>")));
            let res = sup.post(&format!("{path}/assign"), &[("officer", &amina), ("revision", &revision(&page))]).await;
            assert_eq!(res.status, 303, "{}", res.html);
        }
        // Assigning to someone who is not an officer of the agency is refused.
        let path = format!("/work/DIS/applications/{third}");
        let page = sup.get(&path).await;
        let res = sup.post(&format!("{path}/assign"), &[("officer", &citizen_id), ("revision", &revision(&page))]).await;
        assert_eq!(res.status, 400, "{}", res.html);
        assert_eq!(stored(&app, &third).await.1.to_string(), revision(&page));

        let db = app.db().await;
        let past = lango_core::clock::now_ms() - 3_600_000;
        sqlx::query("UPDATE applications SET due_at = $1, due_key = $1 WHERE reference = $2")
            .bind(past).bind(&first).execute(db.pool()).await.unwrap();
        db.close().await;

        let page = sup.get("/work/DIS/supervisor").await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains("<svg class=\"chart\""), "the chart");
        let row = page.html.split("Amina Otieno</th>").nth(1).expect("Amina's row");
        let cells: Vec<&str> = row.split("<td class=\"num\">").skip(1).take(3).map(|c| c.split('<').next().unwrap()).collect();
        assert_eq!(cells, ["2", "1", "0"], "open, overdue, due within a day");
        let unassigned = page.html.split("assigned=unassigned\">Nobody</a></th>").nth(1).expect("the unassigned row");
        assert!(unassigned.starts_with("<td class=\"num\">1<"), "one unassigned");
        // The queue links to the supervisor's view for supervisors.
        assert!(sup.get("/work/DIS").await.html.contains("/work/DIS/supervisor"));
    }
}
