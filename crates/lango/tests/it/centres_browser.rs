//! Centres in real Chromium with axe-core (WCAG 2.2 AA) on every page: the booking journey
//! from a centre's page to the confirmation (with the error summary of an unanswered
//! question), the centre's desk and a counter, and the display board.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::browser_kit::{
    assert_accessible, axe_source, click, driver, fill, heading_is, submit, wait_for,
};
use crate::support::{Backend, TestApp};
use lango_identity::model::Role;

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_desk_counter_and_board_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.person("44440001", "booker@example.com", PASSWORD).await;
    let axe = axe_source();
    let c = &d.client;

    c.goto(&format!("{}/centres", app.base)).await.unwrap();
    heading_is(c, "Service centres").await;
    assert_accessible(c, &axe, "the centre directory").await;
    c.goto(&format!("{}/centres/HC-GPO", app.base))
        .await
        .unwrap();
    heading_is(c, "Huduma Centre GPO").await;
    assert_accessible(c, &axe, "a centre's page").await;
    click(c, "a[href='/centres/HC-GPO/book?service=DIS-PASSPORT']").await;
    heading_is(c, "Sign in").await;
    fill(c, "f-identifier", "44440001").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Which day?").await;
    assert_accessible(c, &axe, "the day question").await;
    // Continue without choosing: the summary links to the first day.
    submit(c).await;
    wait_for(c, ".error-summary a[href='#f-day-0']").await;
    assert_accessible(c, &axe, "the day question with its error").await;
    click(c, "label[for='f-day-0']").await;
    submit(c).await;
    heading_is(c, "What time?").await;
    assert_accessible(c, &axe, "the time question").await;
    click(c, "label[for='f-start-0']").await;
    submit(c).await;
    heading_is(c, "Check your appointment").await;
    assert_accessible(c, &axe, "check your appointment").await;
    submit(c).await;
    heading_is(c, "Appointment booked").await;
    assert_accessible(c, &axe, "the confirmation").await;
    wait_for(c, ".reference").await;

    // The centre's desk: reception issues a ticket, counter 3 calls it, the board shows it.
    let staff = app
        .staff("desk@huduma.example", PASSWORD, Role::CentreStaff, None)
        .await;
    let db = app.db().await;
    lango_identity::seed::grant(&db, &staff, Role::CentreStaff, None, Some("HC-GPO"))
        .await
        .unwrap();
    db.close().await;
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{}/signin?next=/desk/HC-GPO", app.base))
        .await
        .unwrap();
    fill(c, "f-identifier", "desk@huduma.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Huduma Centre GPO").await;
    assert_accessible(c, &axe, "the centre's desk").await;
    c.find(fantoccini::Locator::Id("f-service"))
        .await
        .unwrap()
        .select_by_value("NRB-ID-REPLACE")
        .await
        .unwrap();
    submit(c).await;
    wait_for(c, ".notice").await;
    c.goto(&format!("{}/desk/HC-GPO/counters/3", app.base))
        .await
        .unwrap();
    heading_is(c, "Counter 3").await;
    click(c, "form[action='/desk/HC-GPO/counters/3/call'] button").await;
    wait_for(c, ".panel .reference").await;
    assert_accessible(c, &axe, "a counter serving a ticket").await;
    c.goto(&format!("{}/desk/HC-GPO/live", app.base))
        .await
        .unwrap();
    assert_accessible(c, &axe, "the manager's live view").await;
    c.goto(&format!("{}/centres/HC-GPO/board", app.base))
        .await
        .unwrap();
    wait_for(c, ".board-now").await;
    let now = c
        .find(fantoccini::Locator::Css(".board-now"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        now.contains("B001") && now.contains("counter 3") && now.contains("dirisha 3"),
        "{now}"
    );
    assert_accessible(c, &axe, "the display board").await;
}
