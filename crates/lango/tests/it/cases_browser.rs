//! Two whole application journeys in real Chromium, from the start page to the confirmation
//! and the track page, with axe-core finding no violations on every page state visited.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::browser_kit::{assert_accessible, axe_source, click, driver, fill, heading_is};
use crate::cases_journey::{
    definitions, demo_definitions, spawn_with_definitions, EVERY_FIELD, PASSWORD, PNG,
};
use crate::support::Backend;
use fantoccini::{Client, Locator};

/// Clicks the element `css` finds.
/// Presses the page's "Continue".
async fn next(c: &Client) {
    click(c, "main form .actions button[value=continue]").await;
}

/// Chooses `value` in the select with this id.
async fn choose(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("cannot choose {value} in {id}: {e}"));
}

/// Waits for the error summary and checks the page with it.
async fn errors_shown(c: &Client, axe: &str, what: &str) {
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, axe, what).await;
}

/// Signs in from the sign-in page the start page sent us to, and starts the application.
async fn sign_in_and_start(c: &Client, axe: &str, id: &str, title: &str) {
    heading_is(c, "Sign in").await;
    fill(c, "f-identifier", id).await;
    fill(c, "f-password", PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, title).await;
    click(c, "main form button.start").await;
    let _ = axe;
}

/// The reference shown on the confirmation page.
async fn reference(c: &Client) -> String {
    c.find(Locator::Css(".reference"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_conduct_journey_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = spawn_with_definitions(Backend::Sqlite, &demo_definitions(), true)
        .await
        .unwrap();
    app.person("29871234", "neema@example.com", PASSWORD).await;
    let axe = axe_source();
    let c = &d.client;
    let title = "Apply for a certificate of good conduct";
    c.goto(&format!("{}/services/DCI-GOOD-CONDUCT/apply", app.base))
        .await
        .unwrap();
    heading_is(c, title).await;
    assert_accessible(c, &axe, "start page").await;
    click(c, "main form button.start").await;
    sign_in_and_start(c, &axe, "29871234", title).await;

    heading_is(c, "About you").await;
    assert_accessible(c, &axe, "about you").await;
    fill(c, "f-national_id", "12").await;
    fill(c, "f-date_of_birth", "1").await;
    fill(c, "f-date_of_birth-month", "1").await;
    fill(c, "f-date_of_birth-year", "2020").await;
    next(c).await;
    errors_shown(c, &axe, "about you with errors").await;
    fill(c, "f-full_name", "Neema Wafula").await;
    fill(c, "f-national_id", "29871234").await;
    fill(c, "f-date_of_birth", "12").await;
    fill(c, "f-date_of_birth-month", "7").await;
    fill(c, "f-date_of_birth-year", "1994").await;
    fill(c, "f-phone", "0712 345 678").await;
    next(c).await;

    heading_is(c, "Why you need the certificate").await;
    assert_accessible(c, &axe, "purpose").await;
    click(c, "label[for=f-purpose]").await;
    click(c, "label[for=f-convicted-1]").await;
    next(c).await;

    heading_is(c, "Fingerprints and photo").await;
    assert_accessible(c, &axe, "fingerprints").await;
    click(c, "label[for=f-centre-1]").await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, PNG).unwrap();
    c.find(Locator::Id("f-photo"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    next(c).await;

    heading_is(c, "Check your answers before sending your application").await;
    assert_accessible(c, &axe, "check your answers").await;
    click(c, "main a.button").await;
    heading_is(c, "Declaration").await;
    assert_accessible(c, &axe, "declaration").await;
    click(c, "main form button[type=submit]").await;
    errors_shown(c, &axe, "declaration not ticked").await;
    click(c, "label[for=f-declaration]").await;
    click(c, "main form button[type=submit]").await;

    heading_is(c, "Application sent").await;
    assert_accessible(c, &axe, "confirmation").await;
    let reference = reference(c).await;
    assert!(reference.len() >= 6, "{reference}");
    click(c, "main a[href^='/applications/']").await;
    heading_is(c, title).await;
    assert_accessible(c, &axe, "track page").await;
    let state = c
        .find(Locator::Id("state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(state, "Waiting for payment");
    click(c, "main form button.secondary").await;
    errors_shown(c, &axe, "track page with an empty message").await;
    c.goto(&format!("{}/account/applications", app.base))
        .await
        .unwrap();
    assert_accessible(c, &axe, "applications list").await;
    d.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_question_in_kiswahili_in_chromium() {
    let Some(d) = driver().await else { return };
    let defs = definitions(EVERY_FIELD);
    let app = spawn_with_definitions(Backend::Sqlite, defs.path(), true)
        .await
        .unwrap();
    app.person("29874321", "baraka@example.com", PASSWORD).await;
    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{}/services/MOI-GAZETTE-COPY/apply", app.base))
        .await
        .unwrap();
    click(c, "#language-switch").await;
    let title = "Agiza nakala ya Gazeti Rasmi";
    heading_is(c, title).await;
    assert_accessible(c, &axe, "start page in Kiswahili").await;
    click(c, "main form button.start").await;
    heading_is(c, "Ingia").await;
    fill(c, "f-identifier", "29874321").await;
    fill(c, "f-password", PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, title).await;
    click(c, "main form button.start").await;

    heading_is(c, "Kuhusu wewe").await;
    assert_accessible(c, &axe, "about you (sw)").await;
    next(c).await;
    errors_shown(c, &axe, "about you with errors (sw)").await;
    fill(c, "f-full_name", "Baraka Otieno").await;
    fill(c, "f-born", "2").await;
    fill(c, "f-born-month", "11").await;
    fill(c, "f-born-year", "1988").await;
    fill(c, "f-id_no", "29874321").await;
    fill(c, "f-mobile", "0722 333 444").await;
    next(c).await;

    heading_is(c, "Unapoishi").await;
    assert_accessible(c, &axe, "county").await;
    choose(c, "f-home_county", "Kisumu").await;
    next(c).await;
    heading_is(c, "Kaunti ndogo yako").await;
    assert_accessible(c, &axe, "sub-county").await;
    choose(c, "f-home_sub_county", "Kisumu Central").await;
    next(c).await;

    heading_is(c, "Agizo lako").await;
    assert_accessible(c, &axe, "order").await;
    click(c, "label[for=f-issue]").await;
    fill(c, "f-copies", "2").await;
    click(c, "label[for=f-deliver]").await;
    click(c, "label[for=f-formats-1]").await;
    next(c).await;
    // "Yes, deliver it" reveals the address: asked now, with no error until it is answered.
    c.wait()
        .for_element(Locator::Id("f-address"))
        .await
        .unwrap();
    assert!(
        c.find_all(Locator::Css(".error-summary, .error-message"))
            .await
            .unwrap()
            .is_empty(),
        "a question just revealed shows no error"
    );
    assert_accessible(c, &axe, "order with the revealed question").await;
    next(c).await;
    errors_shown(c, &axe, "order with the revealed question unanswered").await;
    fill(c, "f-address", "S.L.P. 1, Kisumu").await;
    next(c).await;

    heading_is(c, "Watakaoisoma").await;
    assert_accessible(c, &axe, "readers").await;
    fill(c, "f-readers.0.name", "Amani").await;
    click(c, "main form button[value='add:readers']").await;
    c.wait()
        .for_element(Locator::Id("f-readers.1.name"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "readers with a new row").await;
    fill(c, "f-readers.1.name", "Chebet").await;
    next(c).await;

    heading_is(c, "Kagua majibu yako kabla ya kutuma ombi lako").await;
    assert_accessible(c, &axe, "check (sw)").await;
    click(c, "main a.button").await;
    heading_is(c, "Tamko").await;
    click(c, "label[for=f-declaration]").await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, "Ombi limetumwa").await;
    assert_accessible(c, &axe, "confirmation (sw)").await;
    let reference = reference(c).await;
    click(c, "main a[href^='/applications/']").await;
    heading_is(c, "Nunua nakala ya Gazeti Rasmi la Kenya").await;
    assert_accessible(c, &axe, "track page (sw)").await;
    assert!(c.source().await.unwrap().contains(&reference));
    d.client.clone().close().await.unwrap();
}
