//! The survey page in real Chromium: filled in with the keyboard and mouse as a person
//! would, with axe-core finding no WCAG 2.2 AA violations on the form, the form with its
//! error summary, and the confirmation.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::browser_kit::{assert_accessible, axe_source, driver, fill, heading_is, submit};
use crate::insights_survey::{completed, kit, simulator, spawn_as, summary, PASSWORD};
use crate::support::Backend;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_page_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = spawn_as(Backend::Sqlite, true).await.unwrap();
    let _sms = simulator(&app);
    let k = kit(&app).await;
    let reference = completed(&app, &k, "SKS1SURVEYB").await;
    let axe = axe_source();
    let c = &d.client;

    c.goto(&format!("{}/applications/{reference}/survey", app.base))
        .await
        .unwrap();
    heading_is(c, "Sign in").await;
    fill(c, "f-identifier", &k.citizen_email).await;
    fill(c, "f-password", PASSWORD).await;
    submit(c).await;
    heading_is(c, "Tell us what you thought of the service").await;
    assert_accessible(c, &axe, "the survey").await;

    // Sent without the one required answer: the summary links to the question.
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "the survey with an error").await;
    c.find(Locator::Css(".error-summary a[href='#f-overall']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    for id in ["f-overall-1", "f-access", "f-timeliness-1", "f-sex"] {
        c.find(Locator::Css(&format!("label[for='{id}']")))
            .await
            .unwrap_or_else(|e| panic!("no label for {id}: {e}"))
            .click()
            .await
            .unwrap();
    }
    fill(c, "f-comment", "The officer explained every step.").await;
    c.find(Locator::Id("f-county"))
        .await
        .unwrap()
        .select_by_value("Mombasa")
        .await
        .unwrap();
    submit(c).await;
    heading_is(c, "Thank you for your answers").await;
    assert_accessible(c, &axe, "the survey's confirmation").await;

    // Satisfied (4), easy to reach, not done in good time, female, Mombasa.
    let s = summary(&k).await;
    assert_eq!((s.responses, s.satisfied, s.overall_sum), (1, 1, 4));
    assert_eq!(s.attributes[0], (1, 1));
    assert_eq!(s.attributes[4], (1, 0));
}
