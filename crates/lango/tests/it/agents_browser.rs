//! Registered agents in real Chromium with axe-core (WCAG 2.2 AA) on every page: the public
//! directory, applying to become an agent (with its error summary), and an approved agent
//! helping a person present who consents with the code sent to their phone, then its
//! statement; platform staff's vetting and commission pages.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::browser_kit::{
    assert_accessible, axe_source, click, driver, fill, heading_is, submit, wait_for,
};
use crate::support::Backend;
use lango_identity::model::Role;
use lango_identity::policy::Actor;

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_helps_a_person_present_in_chromium() {
    let Some(d) = driver().await else { return };
    let definitions = crate::cases_journey::demo_definitions();
    let app = crate::cases_journey::spawn_with_definitions(Backend::Sqlite, &definitions, false)
        .await
        .unwrap();
    let person = app.person("44460001", "helped@example.com", PASSWORD).await;
    let owner = app
        .person("44460002", "owner@cyber.example", PASSWORD)
        .await;
    let other = app
        .person("44460003", "second@cyber.example", PASSWORD)
        .await;
    let admin = app
        .staff("root@platform.example", PASSWORD, Role::PlatformAdmin, None)
        .await;
    let db = app.db().await;
    // One agent approved through the register's own operations; a second business waits.
    let business = lango_identity::seed::business(&db, &owner, "BN-TEST-1001", "Cyber Point Ltd")
        .await
        .unwrap();
    lango_identity::seed::business(&db, &other, "BN-TEST-1002", "Second Cyber Ltd")
        .await
        .unwrap();
    let as_owner = Actor::Person(lango_identity::account::actor(&db, &owner).await.unwrap());
    let as_admin = Actor::Person(lango_identity::account::actor(&db, &admin).await.unwrap());
    let form = lango_agents::model::ApplyForm {
        business,
        trading_name: "Cyber Point Nakuru".into(),
        county: "Nakuru".into(),
        location: "Kenyatta Avenue".into(),
        phone: "0711000888".into(),
        permit_number: "SBP/2026/001".into(),
        services: "KPS-ABSTRACT".into(),
    };
    // The documents the application carries, in the app's own document store.
    let store = lango_cases::documents::Documents::open(
        &app.data_dir.path().join("documents").display().to_string(),
    )
    .unwrap();
    let scan = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let mut files = Vec::new();
    for kind in lango_agents::documents::KINDS {
        let accept = lango_agents::documents::accept();
        let stored = store
            .put("scan.pdf", scan.to_vec(), &accept, 0)
            .await
            .unwrap()
            .unwrap();
        files.push((kind, stored));
    }
    let agent = lango_agents::registry::apply(&db, &as_owner, &form.parse().unwrap(), &files)
        .await
        .unwrap()
        .unwrap();
    lango_agents::registry::decide(
        &db,
        &as_admin,
        &agent.code,
        lango_agents::registry::Decision::Approve,
        "",
    )
    .await
    .unwrap()
    .unwrap();
    db.close().await;
    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{}/agents", app.base)).await.unwrap();
    heading_is(c, "Find an agent near you").await;
    assert_accessible(c, &axe, "the agents' directory").await;
    c.goto(&format!("{}/performance/agents", app.base))
        .await
        .unwrap();
    heading_is(c, "Registered agents: the figures").await;
    assert_accessible(c, &axe, "the agents' published figures").await;
    // The second business's owner applies: the error summary, then the confirmation.
    c.goto(&format!("{}/signin?next=/agents/apply", app.base))
        .await
        .unwrap();
    fill(c, "f-identifier", "second@cyber.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Apply to become a registered agent").await;
    assert_accessible(c, &axe, "applying to become an agent").await;
    click(c, "form[action='/agents/apply'] button[type='submit']").await;
    wait_for(c, ".error-summary a[href='#f-trading_name']").await;
    assert_accessible(c, &axe, "applying, with its errors").await;
    c.delete_all_cookies().await.unwrap();
    // The approved agent helps a person present.
    let desk = format!("/agent/{}", agent.code);
    c.goto(&format!("{}/signin?next={desk}", app.base))
        .await
        .unwrap();
    fill(c, "f-identifier", "owner@cyber.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Cyber Point Nakuru").await;
    assert_accessible(c, &axe, "the agent's desk").await;
    click(c, &format!("a[href='{desk}/assist']")).await;
    heading_is(c, "Who are you helping?").await;
    assert_accessible(c, &axe, "finding the person present").await;
    fill(c, "f-id_number", "44460001").await;
    submit(c).await;
    heading_is(c, "Confirm they agree").await;
    assert_accessible(c, &axe, "the person's consent").await;
    click(
        c,
        &format!("form[action='{desk}/assist/code'] button[type='submit']"),
    )
    .await;
    wait_for(c, ".notice").await;
    let code = app.last_code("+254700000001").await;
    fill(c, "f-code", &code).await;
    click(
        c,
        &format!("form[action='{desk}/assist/begin'] button[type='submit']"),
    )
    .await;
    wait_for(c, ".banner.assisting").await;
    assert_accessible(c, &axe, "whom the agent is helping").await;
    click(c, "label[for='f-service-0']").await;
    click(
        c,
        &format!("form[action='{desk}/assist/apply'] button[type='submit']"),
    )
    .await;
    wait_for(c, "form[action*='/pages/']").await;
    assert_accessible(c, &axe, "the application's first page, made by the agent").await;
    let made: i64 = {
        let db = app.db().await;
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE applicant = $1 AND agent = $2 AND channel = 'agent'")
            .bind(&person)
            .bind(&agent.code)
            .fetch_one(db.pool())
            .await
            .unwrap();
        db.close().await;
        n
    };
    assert_eq!(made, 1);
    c.goto(&format!("{}{desk}/statement", app.base))
        .await
        .unwrap();
    let month = lango_agents::accrual::month_of(lango_core::clock::now_ms());
    heading_is(c, &format!("Commission statement {month}")).await;
    assert_accessible(c, &axe, "the agent's statement").await;
    c.delete_all_cookies().await.unwrap();
    // Platform staff vet and set commission.
    c.goto(&format!("{}/signin?next=/admin/agents", app.base))
        .await
        .unwrap();
    fill(c, "f-identifier", "root@platform.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Registered agents").await;
    assert_accessible(c, &axe, "the register of agents").await;
    c.goto(&format!("{}/admin/agents/{}", app.base, agent.code))
        .await
        .unwrap();
    heading_is(c, "Cyber Point Nakuru").await;
    assert_accessible(c, &axe, "an agent to vet").await;
    c.goto(&format!("{}/admin/agents/commission", app.base))
        .await
        .unwrap();
    heading_is(c, "Agent commission rules").await;
    click(
        c,
        "form[action='/admin/agents/commission'] button[type='submit']",
    )
    .await;
    wait_for(c, ".error-summary").await;
    assert_accessible(c, &axe, "commission rules, with an error").await;
}
