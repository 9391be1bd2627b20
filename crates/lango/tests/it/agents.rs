//! Registered agents over real HTTP, on both backends: a business owner applies through the
//! pages (bad input refused with an error summary, nothing stored), platform staff vet it
//! (a refusal without a reason refused), the public directory lists it only once approved,
//! a commission rule that overlaps one in force is refused naming it, the agent helps a
//! person present who consents with the code sent to their phone (a wrong code starts
//! nothing), applies for them (channel `agent`, the person sees who made it), the bill is
//! paid by M-Pesa and the commission accrues in the ledger once, the agent's own key reads
//! the statement (another agent's key reads nothing), a refund claws it back, and a
//! suspended agent can no longer act or be found.

use crate::backend_tests;
use crate::browser_kit::Browser;
use crate::support::{c2b_confirmation, TestApp};
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";
const CODE: &str = "AG00001";
const DESK: &str = "/agent/AG00001/assist";

/// An app with the one-page eTA service of the notifications journey (KES 6,000 + fee).
pub(crate) async fn eta_app(backend: crate::support::Backend) -> Option<TestApp> {
    let dir = crate::cases_journey::definitions(crate::notifications_journey::DEFINITION);
    crate::cases_journey::spawn_with_definitions(backend, dir.path(), false).await
}

/// A person who owns a registered business, signed in; returns their browser and the
/// business's id.
pub async fn owner<'a>(
    app: &'a TestApp,
    id_number: &str,
    email: &str,
    reg: &str,
) -> (Browser<'a>, String) {
    let id = app.person(id_number, email, PASSWORD).await;
    let db = app.db().await;
    let business = lango_identity::seed::business(&db, &id, reg, "Cyber Point Ltd")
        .await
        .unwrap();
    db.close().await;
    let mut b = Browser::new(app);
    b.sign_in(email, PASSWORD).await;
    // The form's page first: it holds the session's CSRF token.
    assert_eq!(b.get("/agents/apply").await.status, 200);
    (b, business)
}

/// The platform's administrator, signed in.
pub async fn admin(app: &TestApp) -> Browser<'_> {
    app.staff("root@platform.example", PASSWORD, Role::PlatformAdmin, None)
        .await;
    let mut b = Browser::new(app);
    b.sign_in("root@platform.example", PASSWORD).await;
    assert_eq!(b.get("/admin/agents").await.status, 200);
    b
}

/// The agent's application form, filled in.
pub fn application(business: &str) -> Vec<(&'static str, String)> {
    vec![
        ("business", business.to_string()),
        ("trading_name", "Cyber Point Kisumu".into()),
        ("county", "kisumu".into()),
        ("location", "Oginga Odinga Street".into()),
        ("phone", "0711 000 999".into()),
        ("permit_number", "SBP/2026/777".into()),
        ("services", "DIS-ETA".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A scanned permit (a small PDF).
const PERMIT: &[u8] =
    b"%PDF-1.4\n% permit\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Sends the application form as the page does (multipart), with `files`.
pub(crate) async fn apply(
    app: &TestApp,
    b: &Browser<'_>,
    fields: &[(&'static str, String)],
    files: &[(&str, &str, &str, &[u8])],
) -> crate::browser_kit::Page {
    crate::cases_journey::post_multipart(app, b, "/agents/apply", &pairs(fields), files).await
}

/// Both documents, well formed.
pub(crate) fn both() -> Vec<(&'static str, &'static str, &'static str, &'static [u8])> {
    vec![
        ("permit_file", "permit.pdf", "application/pdf", PERMIT),
        ("id_file", "id.pdf", "application/pdf", PERMIT),
    ]
}

async fn statement(app: &TestApp, key: &str, code: &str) -> (u16, serde_json::Value) {
    let res = app
        .client
        .get(format!("{}/api/v1/agents/{code}/statement", app.base))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

/// The demo's agents, as `lango demo` makes them, while the test's server runs: its own
/// writers are another process on SQLite, and the seeding is idempotent, so a turn that
/// found the file busy is simply run again.
pub(crate) async fn seed_demo_agents(
    db: &lango_core::db::Db,
    cases: &lango_cases::Cases,
) -> serde_json::Value {
    let mut tries = 0;
    loop {
        match lango::demo::agents(db, cases, "222222").await {
            Ok(v) => return v,
            Err(e) => {
                tries += 1;
                assert!(tries < 5, "seeding the demo's agents: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    }
}

/// The key shown once on the agent's desk after asking for one.
fn key_of(html: &str) -> String {
    let start = html.find("id=\"new-key\">").expect("a new key shown") + "id=\"new-key\">".len();
    html[start..].split('<').next().unwrap().to_string()
}

backend_tests! {
    spawn = eta_app;

    async fn an_agent_is_vetted_found_consented_to_paid_and_suspended(app: TestApp) {
        let (mut agent, business) = owner(&app, "28441001", "owner@cyber.example", "BN-TEST-0001").await;
        // Bad input: every problem in the summary, nothing stored.
        let blank = [("business", String::new()), ("county", "Atlantis".into()), ("permit_number", "x".into())];
        let bad = apply(&app, &agent, &blank, &[]).await;
        assert_eq!(bad.status, 400, "{}", bad.html);
        for field in ["business", "trading_name", "county", "location", "phone", "permit_number", "services", "permit_file", "id_file"] {
            assert!(bad.html.contains(&format!("href=\"#f-{field}")), "{field} in the error summary");
        }
        assert!(bad.html.contains("enctype=\"multipart/form-data\"") && bad.html.contains("type=\"file\""));
        let mut unknown = application(&business);
        unknown[6].1 = "NOPE-1".into();
        let refused = apply(&app, &agent, &unknown, &both()).await;
        assert_eq!(refused.status, 400);
        assert!(refused.html.contains("not a service in the catalogue"));
        // A document that is not a PDF, JPEG or PNG (judged by its bytes), or none at all.
        let wrong = apply(&app, &agent, &application(&business), &[("permit_file", "permit.pdf", "application/pdf", b"MZ\x90 an executable"), ("id_file", "id.pdf", "application/pdf", PERMIT)]).await;
        assert_eq!(wrong.status, 400, "{}", wrong.html);
        assert!(wrong.html.contains("must be a PDF, JPEG or PNG") && wrong.html.contains("href=\"#f-permit_file"));
        let without = apply(&app, &agent, &application(&business), &both()[..1]).await;
        assert_eq!(without.status, 400);
        assert!(without.html.contains("href=\"#f-id_file") && !without.html.contains("href=\"#f-permit_file"));
        assert_eq!(app.count("agents").await, 0, "nothing stored");
        assert_eq!(app.count("agent_documents").await, 0, "no document recorded");
        let applied = apply(&app, &agent, &application(&business), &both()).await;
        assert_eq!((applied.status, applied.location.as_str()), (303, "/agents/applied?code=AG00001"), "{}", applied.html);
        assert_eq!(app.count("agent_documents").await, 2);
        let confirmation = agent.get(&applied.location).await;
        assert!(confirmation.html.contains("Application received") && confirmation.html.contains(CODE));
        let account = agent.get("/account").await;
        assert!(account.html.contains("href=\"/agent/AG00001\""), "the owner follows the application from their account");
        let twice = apply(&app, &agent, &application(&business), &both()).await;
        assert!(twice.html.contains("already applied"), "a business applies once");
        // Not yet approved: not listed, may not act.
        assert_eq!(app.get_json("/api/v1/agents", 200).await["total"], 0);
        assert_eq!(agent.get(DESK).await.status, 403);
        let mut root = admin(&app).await;
        let listed = root.get("/admin/agents?status=applied").await;
        assert!(listed.html.contains(CODE), "waiting for platform staff");
        // Staff vet the documents that came with it; the files are theirs and the owner's only.
        let vetting = root.get("/admin/agents/AG00001").await;
        let link = vetting.html.split("href=\"/admin/agents/AG00001/documents/").nth(1).expect("a document linked").split('"').next().unwrap().to_string();
        assert!(vetting.html.contains("A copy of your business permit") && vetting.html.contains("permit.pdf"));
        let file = root.get(&format!("/admin/agents/AG00001/documents/{link}")).await;
        assert_eq!(file.status, 200);
        assert_eq!(file.html.as_bytes(), PERMIT, "the bytes sent");
        let own_desk = agent.get("/agent/AG00001").await;
        assert!(own_desk.html.contains(&format!("/admin/agents/AG00001/documents/{link}")), "linked from the owner's desk");
        assert_eq!(agent.get(&format!("/admin/agents/AG00001/documents/{link}")).await.status, 200, "the owner reads their own");
        let (mut stranger, _) = owner(&app, "28441002", "other@cyber.example", "BN-TEST-0002").await;
        assert_eq!(stranger.get(&format!("/admin/agents/AG00001/documents/{link}")).await.status, 404, "nobody else");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", "agent.document_read").await, 2, "each reading audited");
        let no_reason = root.post("/admin/agents/AG00001", &[("decision", "refuse"), ("reason", "")]).await;
        assert_eq!(no_reason.status, 400);
        assert!(no_reason.html.contains("href=\"#f-reason\""));
        let approved = root.post("/admin/agents/AG00001", &[("decision", "approve")]).await;
        assert_eq!(approved.status, 303, "{}", approved.html);
        let again = root.post("/admin/agents/AG00001", &[("decision", "approve")]).await;
        assert_eq!(again.status, 409, "approving twice is a conflict");
        // The directory, by county and service, in the API and on the page.
        let all = app.get_json("/api/v1/agents?county=Kisumu&service=dis-eta", 200).await;
        assert_eq!(all["total"], 1);
        assert_eq!(all["items"][0]["code"], CODE);
        assert_eq!(all["items"][0]["services"], serde_json::json!(["DIS-ETA"]));
        assert_eq!(app.get_json("/api/v1/agents?county=Mombasa", 200).await["total"], 0);
        let page = app.get("/agents?county=Kisumu").await.text().await.unwrap();
        assert!(page.contains("Cyber Point Kisumu") && page.contains("Oginga Odinga Street"));
        assert!(app.get("/").await.text().await.unwrap().contains("href=\"/agents\""), "linked from the home page");
        // Commission: 2% of the amount plus KES 20, at most KES 100; an overlap is refused.
        let rule = [("scope", "all"), ("channel", "any"), ("flat", "20"), ("percent", "2"), ("cap", "100"),
            ("source", "platform_fee"), ("valid_from", "2026-01-01")];
        assert_eq!(root.post("/admin/agents/commission", &rule).await.status, 303);
        let overlap = root.post("/admin/agents/commission", &[("scope", "all"), ("channel", "mpesa"), ("flat", "5"),
            ("source", "agency"), ("valid_from", "2026-06-01")]).await;
        assert_eq!(overlap.status, 400);
        assert!(overlap.html.contains("overlaps the rule in force CR-"), "{}", overlap.html);
        assert_eq!(app.count("commission_rules").await, 1);
        // The agent helps a person present: only with the code sent to their phone.
        let person = app.person("33350001", "helped@example.com", PASSWORD).await;
        let desk = agent.get(&format!("/agent/{CODE}")).await;
        assert!(desk.html.contains(&format!("href=\"{DESK}\"")), "{}", desk.html);
        let nobody = agent.post(&format!("{DESK}/find"), &[("id_number", "99999999")]).await;
        assert!(nobody.html.contains("does not") || nobody.html.contains("Nobody with this number"), "agents do not register people");
        let found = agent.post(&format!("{DESK}/find"), &[("id_number", "33350001")]).await;
        assert_eq!(found.location, format!("{DESK}/confirm?person={person}"));
        let confirm = agent.get(&found.location).await;
        assert!(!confirm.html.contains("document_number"), "an agent cannot stand in a document for consent");
        let document = agent.post(&format!("{DESK}/begin"), &[("person", person.as_str()), ("document_kind", "national_id"), ("document_number", "33350001")]).await;
        assert_eq!(document.status, 400);
        assert_eq!(agent.post(&format!("{DESK}/code"), &[("person", &person)]).await.status, 303);
        let sms = app.scalar("SELECT COUNT(*) FROM notifications WHERE recipient = $1 AND body LIKE '%Cyber Point Kisumu%'", "+254700000001").await;
        assert_eq!(sms, 1, "the code names the agent");
        let code = app.last_code("+254700000001").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert_eq!(agent.post(&format!("{DESK}/begin"), &[("person", person.as_str()), ("code", wrong)]).await.status, 400);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM assists WHERE person_id = $1", &person).await, 0);
        let begun = agent.post(&format!("{DESK}/begin"), &[("person", person.as_str()), ("code", &code)]).await;
        assert_eq!((begun.status, begun.location.as_str()), (303, DESK), "{}", begun.html);
        let helping = agent.get(DESK).await;
        assert!(helping.html.contains("class=\"banner assisting\"") && helping.html.contains("Cyber Point Kisumu"));
        let started = agent.post(&format!("{DESK}/apply"), &[("service", "DIS-ETA")]).await;
        assert_eq!(started.status, 303, "{}", started.html);
        let reference = started.location.trim_start_matches("/applications/").split('/').next().unwrap().to_string();
        let page = agent.post(&started.location, &[("full_name", "Test Person")]).await;
        assert_eq!(page.location, format!("/applications/{reference}/check"), "{}", page.html);
        let submitted = agent.post(&format!("/applications/{reference}/submit"), &[("declaration", "yes")]).await;
        assert_eq!(submitted.location, format!("/applications/{reference}/confirmation"));
        let (channel, made_by, bill): (String, String, String) = {
            let db = app.db().await;
            let row = sqlx::query_as("SELECT channel, agent, bill_reference FROM applications WHERE reference = $1")
                .bind(&reference).fetch_one(db.pool()).await.unwrap();
            db.close().await;
            row
        };
        assert_eq!((channel.as_str(), made_by.as_str()), ("agent", CODE));
        // The person sees it, and who made it.
        let mut own = Browser::new(&app);
        own.sign_in("33350001", PASSWORD).await;
        let mine = own.get("/account/applications").await;
        assert!(mine.html.contains(&reference) && mine.html.contains("Made for you by the agent Cyber Point Kisumu (AG00001)"), "{}", mine.html);
        // Paid by M-Pesa: the commission accrues once, in the ledger.
        let due = app.scalar("SELECT service_amount + fee FROM bills WHERE reference = $1", &bill).await;
        let amount = format!("{}.{:02}", due / 100, due % 100);
        c2b_confirmation(&app.client, &app.base, "TAG0000001", &amount, &bill, "20261201120000").await;
        app.eventually("the commission accrued", || async {
            app.scalar("SELECT COUNT(*) FROM agent_commissions WHERE bill_reference = $1", &bill).await == 1
        }).await;
        let service = app.scalar("SELECT service_amount FROM bills WHERE reference = $1", &bill).await;
        let earned = (2000 + service * 2 / 100).min(10_000);
        assert_eq!(app.scalar("SELECT commission FROM agent_commissions WHERE bill_reference = $1", &bill).await, earned);
        assert_eq!(app.balance("agent_commissions:AG00001:KES").await, -earned);
        // The agent's own key reads the statement; another agent's key reads nothing.
        let made = agent.post(&format!("/agent/{CODE}/keys"), &[]).await;
        assert_eq!(made.status, 200, "{}", made.html);
        let key = key_of(&made.html);
        let (status, st) = statement(&app, &key, CODE).await;
        assert_eq!(status, 200, "{st}");
        assert_eq!(st["lines"].as_array().unwrap().len(), 1);
        assert_eq!(st["lines"][0]["bill_reference"], bill.as_str());
        let total = format!("{}.{:02}", earned / 100, earned % 100);
        assert_eq!(st["total_commission"], total.as_str());
        assert_eq!(st["currency"], "KES");
        assert_eq!(statement(&app, &key, "AG00002").await.0, 404);
        let bad_month = app.client.get(format!("{}/api/v1/agents/{CODE}/statement?month=2026-13", app.base))
            .bearer_auth(&key).send().await.unwrap();
        assert_eq!(bad_month.status().as_u16(), 400);
        let csv = agent.get(&format!("/agent/{CODE}/statement.csv")).await;
        assert!(csv.html.starts_with("agent,month,bill_reference") && csv.html.contains(&bill), "{}", csv.html);
        // A refund of the service money claws the commission back, once.
        let dis = app.agency_key("DIS", &["bills:write"]).await;
        let listed: serde_json::Value = app.client.get(format!("{}/api/v1/bills/{bill}/refunds", app.base)).bearer_auth(&dis)
            .send().await.unwrap().json().await.unwrap();
        let available = listed["amount_available"].as_str().unwrap().to_string();
        let refund = app.client.post(format!("{}/api/v1/bills/{bill}/refunds", app.base)).bearer_auth(&dis)
            .json(&serde_json::json!({"amount": "1000.00", "refund_amount_available": available, "reason": "Applied twice"}))
            .send().await.unwrap();
        assert_eq!(refund.status().as_u16(), 201, "{}", refund.text().await.unwrap());
        app.eventually("the commission clawed back", || async {
            app.balance("agent_commissions:AG00001:KES").await == 0
        }).await;
        let (_, after) = statement(&app, &key, CODE).await;
        assert_eq!(after["lines"].as_array().unwrap().len(), 2, "{after}");
        assert_eq!(after["total_commission"], "0.00");
        // The agent lists its keys and revokes one; nobody else can. It stops working at once.
        let id = key.trim_start_matches("lango_").split('_').next().unwrap().to_string();
        let listed_keys = agent.get(&format!("/agent/{CODE}")).await;
        assert!(listed_keys.html.contains(&format!("/agent/{CODE}/keys/{id}/revoke")), "{}", listed_keys.html);
        assert_eq!(stranger.post(&format!("/agent/{CODE}/keys/{id}/revoke"), &[]).await.status, 404);
        assert_eq!(statement(&app, &key, CODE).await.0, 200, "still working");
        assert_eq!(agent.post(&format!("/agent/{CODE}/keys/{id}/revoke"), &[]).await.status, 303);
        assert_eq!(statement(&app, &key, CODE).await.0, 401, "revoked");
        assert!(agent.get(&format!("/agent/{CODE}")).await.html.contains("Revoked"));
        let verify = app.cli(&["ledger", "verify"]);
        assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
        // Suspended: its assistance ends at once, it cannot act, it is not listed.
        let suspended = root.post("/admin/agents/AG00001", &[("decision", "suspend"), ("reason", "Complaints from clients")]).await;
        assert_eq!(suspended.status, 303);
        assert_eq!(agent.get(DESK).await.status, 403);
        assert_eq!(agent.post(&format!("{DESK}/apply"), &[("service", "DIS-ETA")]).await.status, 403);
        assert_eq!(app.get_json("/api/v1/agents", 200).await["total"], 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM assists WHERE agent = $1 AND ended_at IS NULL", CODE).await, 0);
        for action in ["agent.applied", "agent.approved", "agent.suspended", "commission_rule.added", "assist.begin"] {
            assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1", action).await, 1, "{action}");
        }
    }
}

/// The demo's agents, as `lango demo` makes them: five approved in four counties, the
/// first with paid work whose statement its credentials' key reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_approved_agents_and_one_with_paid_work() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    let db = app.db().await;
    lango::demo::seed_people(&db, &app.base).await.unwrap();
    let config = app.config();
    let cases = lango_cases::Cases::open(db.clone(), lango::cases_settings(&config).unwrap())
        .await
        .unwrap();
    let agent = seed_demo_agents(&db, &cases).await;
    // Again: nothing twice, a fresh key.
    let again = seed_demo_agents(&db, &cases).await;
    db.close().await;
    assert_eq!(agent["code"], "AG00001");
    let all = app.get_json("/api/v1/agents", 200).await;
    assert_eq!(all["total"], 5, "{all}");
    let mut counties: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["county"].as_str().unwrap())
        .collect();
    counties.sort();
    counties.dedup();
    assert!(counties.len() >= 3, "{counties:?}");
    let key = again["key"].as_str().unwrap();
    let res = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            again["statement"].as_str().unwrap()
        ))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let st: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        st["lines"].as_array().unwrap().len(),
        lango_agents::seed::WORK_COUNT,
        "{st}"
    );
    assert_ne!(st["total_commission"], "0.00");
    // Published: the month's work counted from what happened, linked from the dashboards.
    let month = lango_agents::accrual::month_of(lango_core::clock::now_ms());
    let figures = app.get("/performance/agents").await.text().await.unwrap();
    let row =
        format!("<th scope=\"row\">{month}</th><td class=\"num\">12</td><td class=\"num\">12</td>");
    assert!(
        figures.contains(&row) && figures.contains("<svg"),
        "{figures}"
    );
    let dashboard = app.get("/performance").await.text().await.unwrap();
    assert!(dashboard.contains("href=\"/performance/agents\""));
    // And as open data: the month's applications and paid bills, by the agents' county.
    let open = app
        .get_json(
            &format!(
                "/api/v1/open-data/agents.json?service={}",
                lango_agents::seed::WORK_SERVICE
            ),
            200,
        )
        .await;
    let this_month = |key: &str| -> i64 {
        open["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["month"] == month.as_str())
            .map(|r| r[key].as_i64().unwrap())
            .sum()
    };
    assert_eq!(
        this_month("applications"),
        lango_agents::seed::WORK_COUNT as i64,
        "{open}"
    );
    assert_eq!(
        this_month("bills_paid"),
        lango_agents::seed::WORK_COUNT as i64
    );
    assert!(app
        .get("/open-data")
        .await
        .text()
        .await
        .unwrap()
        .contains("/api/v1/open-data/agents.csv"));
    let old = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            agent["statement"].as_str().unwrap()
        ))
        .bearer_auth(agent["key"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.status().as_u16(),
        401,
        "the previous demo key is revoked"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM applications WHERE agent = $1",
            "AG00001"
        )
        .await,
        lango_agents::seed::WORK_COUNT as i64
    );
    let verify = app.cli(&["ledger", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // Fraud controls: twelve people's applications within seconds are a burst, with
    // their references as evidence; a cap of twelve a day refuses the thirteenth.
    let db = app.db().await;
    let found = lango_agents::fraud::alerts(&db, "AG00001", 30)
        .await
        .unwrap();
    assert!(
        found
            .iter()
            .any(|a| a.kind == lango_agents::fraud::Kind::Burst && a.evidence.len() >= 5),
        "{found:?}"
    );
    let mut root = admin(&app).await;
    let bad_cap = root
        .post("/admin/agents/AG00001/cap", &[("daily_cap", "0")])
        .await;
    assert_eq!(bad_cap.status, 400);
    assert!(
        bad_cap.html.contains("href=\"#f-daily_cap\""),
        "{}",
        bad_cap.html
    );
    assert_eq!(
        root.post("/admin/agents/AG00001/cap", &[("daily_cap", "12")])
            .await
            .status,
        303
    );
    let capped = lango_agents::fraud::within_cap(&db, "AG00001")
        .await
        .unwrap_err();
    assert!(
        matches!(
            capped,
            lango_core::Error::Clash {
                code: "agent_daily_cap",
                ..
            }
        ),
        "{capped:?}"
    );
    assert!(lango_agents::fraud::within_cap(&db, "AG00002")
        .await
        .is_ok());
    let flagged = root.get("/admin/agents/alerts").await;
    assert!(
        flagged.html.contains("AG00001") && flagged.html.contains("within ten minutes"),
        "{}",
        flagged.html
    );
    // A month later: finance pays out the month once, by M-Pesa, with the file.
    let this_month = lango_agents::accrual::month_of(lango_core::clock::now_ms());
    let last = lango_agents::accrual::month_of(lango_core::clock::now_ms() - 32 * 86_400_000);
    sqlx::query("UPDATE agent_commissions SET month = $1")
        .bind(&last)
        .execute(db.pool())
        .await
        .unwrap();
    let owed = app.balance("agent_commissions:AG00001:KES").await;
    assert!(owed < 0, "owed to the agent");
    app.staff(
        "finance@treasury.example",
        PASSWORD,
        Role::FinanceOfficer,
        None,
    )
    .await;
    let mut finance = Browser::new(&app);
    finance.sign_in("finance@treasury.example", PASSWORD).await;
    assert_eq!(finance.get("/finance/agent-payouts").await.status, 200);
    let too_soon = finance
        .post(
            "/finance/agent-payouts",
            &[("month", &this_month), ("method", "mpesa_b2c")],
        )
        .await;
    assert_eq!(too_soon.status, 400, "a month is paid once it is over");
    let made = finance
        .post(
            "/finance/agent-payouts",
            &[("month", &last), ("method", "mpesa_b2c")],
        )
        .await;
    assert_eq!(
        (made.status, made.location.clone()),
        (303, format!("/finance/agent-payouts/{last}")),
        "{}",
        made.html
    );
    let batch = finance.get(&made.location).await;
    assert!(batch.html.contains("AG00001"), "{}", batch.html);
    let file = finance
        .get(&format!("/finance/agent-payouts/{last}/file"))
        .await;
    let paid = format!("{}.{:02}", -owed / 100, -owed % 100);
    assert!(
        file.html.starts_with("phone,amount,agent,remarks")
            && file.html.contains(&format!("254711000301,{paid},AG00001")),
        "{}",
        file.html
    );
    let twice = finance
        .post(
            "/finance/agent-payouts",
            &[("month", &last), ("method", "bank")],
        )
        .await;
    assert_eq!(twice.status, 400, "once a month");
    assert_eq!(app.balance("agent_commissions:AG00001:KES").await, 0);
    assert_eq!(app.balance("agent_payouts:AG00001:KES").await, owed);
    let everyone = finance
        .get(&format!("/finance/agent-statements.csv?month={last}"))
        .await;
    assert_eq!(
        everyone
            .html
            .lines()
            .filter(|l| l.starts_with("AG00001,") && l.ends_with(",commission"))
            .count(),
        lango_agents::seed::WORK_COUNT
    );
    // A refund after the payout: clawed back from the next payout, nothing lost.
    let (bill, commission): (String, i64) =
        sqlx::query_as("SELECT bill_reference, commission FROM agent_commissions LIMIT 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let kps = app.agency_key("KPS", &["bills:write"]).await;
    let listed: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/bills/{bill}/refunds", app.base))
        .bearer_auth(&kps)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refund = app.client.post(format!("{}/api/v1/bills/{bill}/refunds", app.base)).bearer_auth(&kps)
        .json(&serde_json::json!({"amount": "10.00", "refund_amount_available": listed["amount_available"], "reason": "Reported twice"}))
        .send().await.unwrap();
    assert_eq!(
        refund.status().as_u16(),
        201,
        "{}",
        refund.text().await.unwrap()
    );
    app.eventually("the commission clawed back", || async {
        app.balance("agent_commissions:AG00001:KES").await == commission
    })
    .await;
    let next = lango_agents::payout::owed(&db, &this_month).await.unwrap();
    let mine = next.iter().find(|o| o.0 == "AG00001").unwrap();
    assert_eq!(mine.3, -commission, "carried to the next payout");
    db.close().await;
    let verify = app.cli(&["ledger", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}
