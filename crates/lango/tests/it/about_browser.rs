//! The footer's pages and the person's own data in real Chromium, checked by axe; lists
//! that would scroll sideways on a 360-pixel phone become stacked lists.

use crate::browser_kit::{assert_accessible, axe_source, driver, fill, heading_is, submit};
use crate::support::Backend;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn footer_pages_and_my_data_in_chromium() {
    let Some(d) = driver().await else { return };
    let definitions = crate::cases_journey::demo_definitions();
    let app = crate::cases_journey::spawn_with_definitions(Backend::Sqlite, &definitions, true)
        .await
        .unwrap();
    let axe = axe_source();
    let c = &d.client;
    for (path, heading) in [
        ("/help", "Help"),
        ("/contact", "Contact"),
        ("/privacy", "Privacy notice"),
        ("/accessibility", "Accessibility statement"),
        ("/cookies", "Cookies"),
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        heading_is(c, heading).await;
        assert_accessible(c, &axe, path).await;
    }
    // The footer's link leads there from any page.
    c.goto(&format!("{}/services", app.base)).await.unwrap();
    c.find(Locator::Css("footer a[href='/privacy']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, "Privacy notice").await;

    app.person("24681357", "zawadi@example.com", "blue mountain coffee")
        .await;
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "24681357").await;
    fill(c, "f-password", "blue mountain coffee").await;
    submit(c).await;
    heading_is(c, "Test Person").await;
    // Start an application so the list has a row.
    c.goto(&format!("{}/services/DCI-GOOD-CONDUCT/apply", app.base))
        .await
        .unwrap();
    submit(c).await;
    // The form's first page, so the start's redirect cannot land after the next goto.
    heading_is(c, "About you").await;
    c.goto(&format!("{}/account/applications", app.base))
        .await
        .unwrap();
    heading_is(c, "Your applications").await;
    assert_accessible(c, &axe, "applications at 360 px").await;
    let wide = c
        .execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        wide,
        serde_json::json!(false),
        "the list scrolls sideways at 360 px"
    );

    c.goto(&format!("{}/account/data", app.base)).await.unwrap();
    heading_is(c, "What Lango holds about you").await;
    assert_accessible(c, &axe, "my data").await;
    c.goto(&format!("{}/account/data/correction", app.base))
        .await
        .unwrap();
    heading_is(c, "Ask for a correction").await;
    assert_accessible(c, &axe, "correction form").await;
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "correction form with errors").await;
    c.find(Locator::Css("label[for=f-topic-0]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "f-details", "My family name is Zawadi.").await;
    submit(c).await;
    heading_is(c, "Your request has been sent").await;
    assert_accessible(c, &axe, "correction sent").await;
    d.client.clone().close().await.unwrap();
}
