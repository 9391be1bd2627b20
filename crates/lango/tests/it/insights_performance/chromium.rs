//! The performance pages in real Chromium with axe-core (WCAG 2.2 AA): the league with its
//! charts, an agency's score, the office's period form refused with its error summary, and
//! an agency's value form with errors. Runs when Chromium and chromedriver are installed.

use super::{contract, PASSWORD, PERIOD};
use crate::browser_kit::{assert_accessible, axe_source, driver, fill, heading_is, submit};
use crate::support::{Backend, TestApp};
use fantoccini::Locator;
use lango_identity::model::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn performance_pages_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn_with(Backend::Sqlite, true).await.unwrap();
    let entries = "period: T2026\nentries:\n  - {agency: DIS, indicator: share, value: 88, evidence: Report}\n  - {agency: DIS, indicator: days, value: 8, evidence: Register}\n  - {agency: NTSA, indicator: share, value: 80, evidence: Report}\n  - {agency: NTSA, indicator: days, value: 12.5, evidence: Register}\n";
    let bundle = [
        PERIOD.to_string(),
        contract("DIS", "state_department"),
        contract("NTSA", "state_corporation"),
        contract("HELB", "state_corporation"),
        entries.to_string(),
    ]
    .join("---\n");
    let db = app.db().await;
    lango_insights::performance::load_texts(&db, &[&bundle])
        .await
        .unwrap();
    db.close().await;
    app.staff(
        "office@performance.example",
        PASSWORD,
        Role::PerformanceOfficer,
        None,
    )
    .await;
    app.staff(
        "admin@dis.example",
        PASSWORD,
        Role::AgencyAdmin,
        Some("DIS"),
    )
    .await;
    let axe = axe_source();
    let c = &d.client;

    c.goto(&format!("{}/performance/league/T2026", app.base))
        .await
        .unwrap();
    heading_is(c, "Performance league: Test year 2026/27").await;
    c.find(Locator::Css("svg.chart[role=img]"))
        .await
        .expect("a chart");
    assert_accessible(c, &axe, "league").await;
    c.find(Locator::Css("tr[data-agency=NTSA] a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, "National Transport and Safety Authority (NTSA)").await;
    assert_accessible(c, &axe, "score").await;

    c.goto(&format!(
        "{}/signin?next=/admin/performance/period",
        app.base
    ))
    .await
    .unwrap();
    fill(c, "f-identifier", "office@performance.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Save a period").await;
    fill(c, "f-text", "code: T2027\nname: Next year\n").await;
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "period refused").await;
    c.goto(&format!("{}/admin/performance/periods/T2026", app.base))
        .await
        .unwrap();
    heading_is(c, "Test year 2026/27 (T2026)").await;
    assert_accessible(c, &axe, "period page").await;

    // Signed out by forgetting the session (a sign-out click's redirect could still be
    // landing when the next page is asked for).
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!(
        "{}/signin?next=/admin/agencies/DIS/performance/T2026/share",
        app.base
    ))
    .await
    .unwrap();
    fill(c, "f-identifier", "admin@dis.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Complaints resolved").await;
    fill(c, "f-value", "lots").await;
    fill(c, "f-evidence", "").await;
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "value refused").await;
    c.goto(&format!(
        "{}/admin/agencies/DIS/performance/T2026",
        app.base
    ))
    .await
    .unwrap();
    heading_is(c, "T2026").await;
    assert_accessible(c, &axe, "agency's indicators").await;
    d.client.clone().close().await.unwrap();
}
