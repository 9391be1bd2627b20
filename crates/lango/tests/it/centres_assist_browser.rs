//! Assisted applications in real Chromium with axe-core (WCAG 2.2 AA) on every page: a
//! counter finds the person present, records the document inspected, and starts an
//! application for them, whose pages carry the banner naming the person.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::browser_kit::{
    assert_accessible, axe_source, click, driver, fill, heading_is, submit, wait_for,
};
use crate::support::Backend;
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_applies_for_the_person_present_in_chromium() {
    let Some(d) = driver().await else { return };
    let definitions = crate::cases_journey::demo_definitions();
    let app = crate::cases_journey::spawn_with_definitions(Backend::Sqlite, &definitions, false)
        .await
        .unwrap();
    app.person("44450001", "present@example.com", PASSWORD)
        .await;
    let staff = app
        .staff("assist@huduma.example", PASSWORD, Role::CentreStaff, None)
        .await;
    let db = app.db().await;
    lango_identity::seed::grant(&db, &staff, Role::CentreStaff, None, Some("HC-GPO"))
        .await
        .unwrap();
    db.close().await;
    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{}/signin?next=/desk/HC-GPO/counters/3", app.base))
        .await
        .unwrap();
    fill(c, "f-identifier", "assist@huduma.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Counter 3").await;
    click(c, "a[href='/desk/HC-GPO/counters/3/assist']").await;
    heading_is(c, "Who are you helping?").await;
    assert_accessible(c, &axe, "finding the person present").await;
    submit(c).await;
    wait_for(c, ".error-summary a[href='#f-id_number']").await;
    assert_accessible(c, &axe, "finding, with its error").await;
    fill(c, "f-id_number", "44450001").await;
    submit(c).await;
    heading_is(c, "Confirm they agree").await;
    assert_accessible(c, &axe, "the person confirms").await;
    click(c, "label[for='f-document_kind-0']").await;
    fill(c, "f-document_number", "44450001").await;
    click(
        c,
        "form[action='/desk/HC-GPO/counters/3/assist/begin'] button[type='submit']",
    )
    .await;
    wait_for(c, ".banner.assisting").await;
    assert_accessible(c, &axe, "whom staff are helping").await;
    click(c, "label[for='f-service-0']").await;
    click(
        c,
        "form[action='/desk/HC-GPO/counters/3/assist/apply'] button[type='submit']",
    )
    .await;
    wait_for(c, "form[action*='/pages/']").await;
    let banner = c
        .find(fantoccini::Locator::Css(".banner.assisting"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(banner.contains("Test Person"), "{banner}");
    assert_accessible(c, &axe, "the application's first page, made for the person").await;
}
