//! The finance pages in real Chromium with axe-core: the dashboard with its chart, the
//! suspense queue, matching with an error summary, the check page, the proposal waiting for
//! a second officer, the confirmation, and
//! the export form. Runs when Chromium and chromedriver are installed (as `browser.rs`).

use super::{pay, PASSWORD};
use crate::browser_kit::{
    assert_accessible, axe_source, driver, fill, heading_is, submit, wait_for,
};
use crate::support::{Backend, TestApp};
use fantoccini::{Client, Locator};
use lango_identity::model::Role;

/// Clicks the main form's button and waits until the page's heading reads `expected`.
async fn submit_to(c: &Client, expected: &str) {
    submit(c).await;
    heading_is(c, expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_pages_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn_mpesa(Backend::Sqlite).await.unwrap();
    let key = app.agency_key("DIS", &["bills:write"]).await;
    let reference = super::bill(&app, &key, "DIS-PASSPORT", "4550.00", "KES").await;
    pay(&app, "TFD0000001", "1000.00", &reference).await;
    pay(&app, "TFD0000002", "4600.00", "PASSPORT").await;
    app.staff("fin@treasury.example", PASSWORD, Role::FinanceOfficer, None)
        .await;
    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "fin@treasury.example").await;
    fill(c, "f-password", PASSWORD).await;
    // A finance officer lands on the finance pages.
    submit_to(c, "Revenue").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/finance");
    c.find(Locator::Css("svg.chart[role=img]"))
        .await
        .expect("the chart");
    assert_accessible(c, &axe, "revenue").await;
    fill(c, "f-from", "2026-02-30").await;
    submit_to(c, "Revenue").await;
    // The page before had the same heading: wait for the answer's summary, not the heading.
    wait_for(c, ".error-summary a[href='#f-from']").await;
    assert_accessible(c, &axe, "revenue with errors").await;

    c.goto(&format!("{}/finance/suspense", app.base))
        .await
        .unwrap();
    heading_is(c, "Suspense queue").await;
    assert_accessible(c, &axe, "suspense queue").await;
    c.find(Locator::Css("a[href='/finance/suspense/TFD0000002/match']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, "Match a payment to a bill").await;
    assert_accessible(c, &axe, "match").await;
    fill(c, "f-reference", "NOTABIL").await;
    submit_to(c, "Match a payment to a bill").await;
    c.find(Locator::Css(".error-summary a[href='#f-reference']"))
        .await
        .expect("error summary");
    assert_accessible(c, &axe, "match with errors").await;
    fill(c, "f-reference", &reference.to_lowercase()).await;
    fill(c, "f-reason", "The payer phoned with the bill").await;
    submit_to(c, "Check the match before you confirm it").await;
    assert_accessible(c, &axe, "check the match").await;
    // Four eyes: the first confirmation proposes; a second officer's, on the proposal
    // filled in for them, matches.
    submit_to(c, "Match a payment to a bill").await;
    c.find(Locator::Css("#pending-title"))
        .await
        .expect("the proposal");
    assert_accessible(c, &axe, "match proposed").await;
    app.staff(
        "fin2@treasury.example",
        PASSWORD,
        Role::FinanceOfficer,
        None,
    )
    .await;
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "fin2@treasury.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit_to(c, "Revenue").await;
    c.goto(&format!("{}/finance/suspense/TFD0000002/match", app.base))
        .await
        .unwrap();
    heading_is(c, "Match a payment to a bill").await;
    submit_to(c, "Check the match before you confirm it").await;
    submit_to(c, "Payment matched to its bill").await;
    assert_accessible(c, &axe, "matched").await;

    c.goto(&format!("{}/finance/export", app.base))
        .await
        .unwrap();
    heading_is(c, "Export receipts for audit").await;
    assert_accessible(c, &axe, "export").await;
    d.client.clone().close().await.unwrap();
}
