//! The workbench in real Chromium with axe-core (WCAG 2.2 AA): the queue, the application
//! and its error summary, the verify page and the supervisor's view. Runs when Chromium and
//! chromedriver are installed (as `browser.rs`).

use super::{actor, define, engine, named_staff, submitted, PASSWORD};
use crate::browser_kit::{
    assert_accessible, axe_source, click, driver, fill, heading_is, submit, wait_for,
};
use crate::support::{Backend, TestApp};
use fantoccini::Locator;
use lango_identity::model::Role;

/// The workbench in real Chromium with axe-core: the queue, the application (and its error
/// summary when a reason is missing), the supervisor's view and the verify page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workbench_pages_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let cases = engine(&app).await;
    define(&cases).await;
    let citizen_id = app.person("23456783", "mumbi@example.com", PASSWORD).await;
    let citizen = actor(&app, &citizen_id).await;
    let reference = submitted(&cases, &citizen, "Mumbi Njeri").await;
    named_staff(
        &app,
        "sara@dis.example",
        "Sara",
        "Wekesa",
        Role::Supervisor,
        "DIS",
    )
    .await;
    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "sara@dis.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    // A supervisor lands on the workbench, not on a citizen's account page.
    heading_is(c, "Applications").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/work/DIS");

    c.goto(&format!("{}/work", app.base)).await.unwrap();
    heading_is(c, "Applications").await;
    assert_accessible(c, &axe, "queue").await;
    c.find(Locator::LinkText(&reference))
        .await
        .expect("the application in the queue")
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("form[action$='/claim']"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "application").await;
    // Asking for information without a reason: the error summary links to the field.
    c.find(Locator::Css("form:has(input[value='request_info']) button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(
            ".error-summary a[href='#reason-request_info']",
        ))
        .await
        .unwrap();
    assert_accessible(c, &axe, "application with an error").await;
    // Approve, then issue, then check the document.
    c.find(Locator::Css("form:has(input[value='approve']) button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("form:has(input[value='issue']) button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("a[href^='/verify/LD-']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, "Check a document").await;
    c.find(Locator::Css(".verify-valid")).await.expect("valid");
    assert_accessible(c, &axe, "verify").await;
    c.goto(&format!("{}/verify/LD-2345-6789", app.base))
        .await
        .unwrap();
    c.find(Locator::Css(".verify-not_found"))
        .await
        .expect("not found");
    assert_accessible(c, &axe, "verify not found").await;
    // The form with its three ways (no sign-in needed): a missing number is named in an
    // error summary; a pasted code that is no document's gets a verdict that says why.
    c.goto(&format!("{}/verify", app.base)).await.unwrap();
    heading_is(c, "Check a document").await;
    assert_accessible(c, &axe, "verify form").await;
    click(c, "form[action='/verify'] button").await;
    wait_for(c, ".error-summary a[href='#f-number']").await;
    assert_accessible(c, &axe, "verify form with an error").await;
    fill(c, "f-code", "LG1:NOT+A+DOCUMENT").await;
    click(c, "form[action='/verify/code'] button").await;
    wait_for(c, ".verify-invalid").await;
    assert_accessible(c, &axe, "verify, a code that is no document's").await;

    c.goto(&format!("{}/work/DIS/supervisor", app.base))
        .await
        .unwrap();
    heading_is(c, "Workload and deadlines").await;
    c.find(Locator::Css("svg.chart[role=img]"))
        .await
        .expect("the chart");
    assert_accessible(c, &axe, "supervisor").await;
}
