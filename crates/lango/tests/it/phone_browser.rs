//! The demo's phone and the phone menus' figures in real Chromium with axe-core (WCAG 2.2
//! AA): dial the USSD code, answer a screen, send an SMS keyword and read its answer, then
//! the drop-off figures those sessions make.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::browser_kit::{
    assert_accessible, axe_source, click, driver, fill, heading_is, wait_for,
};
use crate::support::{Backend, TestApp};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_phone_and_its_figures_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn_with(Backend::Sqlite, true).await.unwrap();
    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{}/", app.base)).await.unwrap();
    // The demo banner leads to the phone.
    click(c, ".banner a[href='/dev/phone']").await;
    heading_is(c, "A phone (demo)").await;
    assert_accessible(c, &axe, "the phone, idle").await;

    click(c, "form[action='/dev/phone/ussd'] button[type='submit']").await;
    wait_for(c, "#f-answer").await;
    let screen = text(c, ".phone-screen").await;
    assert!(screen.contains("2 Pay a bill"), "{screen}");
    assert_accessible(c, &axe, "the home screen").await;
    fill(c, "f-answer", "2").await;
    click(c, "form[action='/dev/phone/ussd'] button[type='submit']").await;
    let mut screen = String::new();
    for _ in 0..50 {
        screen = text(c, ".phone-screen").await;
        if screen.contains("bill reference") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(screen.contains("Enter the bill reference"), "{screen}");
    assert_accessible(c, &axe, "a menu's screen").await;

    fill(c, "f-message", "HELP").await;
    click(c, "form[action='/dev/phone/sms'] button[type='submit']").await;
    wait_for(c, ".phone-inbox li").await;
    let inbox = text(c, ".phone-inbox").await;
    assert!(
        inbox.contains("STATUS and an application reference"),
        "{inbox}"
    );
    assert_accessible(c, &axe, "the SMS received").await;

    // Three minutes on, those sessions were given up where they stood.
    app.eventually("the recorder wrote the sessions", || async {
        app.count("ussd_sessions").await >= 1
    })
    .await;
    let db = app.db().await;
    sqlx::query("UPDATE ussd_sessions SET updated_at = updated_at - 200000")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    c.goto(&format!("{}/performance/phone", app.base))
        .await
        .unwrap();
    heading_is(c, "Phone menus: where people give up").await;
    wait_for(c, "#phone-figures").await;
    assert_accessible(c, &axe, "the phone menus' figures").await;
}

async fn text(c: &fantoccini::Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default()
}
