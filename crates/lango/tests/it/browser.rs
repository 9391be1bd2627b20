//! Real Chromium (Debian's, driven over WebDriver) with axe-core checking every page.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::browser_kit::{assert_accessible, axe_source, driver, fill, heading_is, submit};
use crate::support::{Backend, TestApp};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_service_page_and_language_switch_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let axe = axe_source();
    let c = &d.client;

    c.goto(&format!("{}/", app.base)).await.unwrap();
    assert_accessible(c, &axe, "home").await;
    let q = c.find(Locator::Id("q")).await.unwrap();
    q.send_keys("pasport").await.unwrap();
    c.find(Locator::Css("form.search button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("#count")).await.unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("/services?q=pasport"));
    assert_accessible(c, &axe, "results").await;

    c.find(Locator::Css("a[href='/services/DIS-PASSPORT']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Apply for a passport");
    assert_accessible(c, &axe, "service page").await;

    c.find(Locator::Id("language-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("html[lang=sw] h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Omba pasipoti");
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/services/DIS-PASSPORT"));
    assert_accessible(c, &axe, "Kiswahili service page").await;

    for path in [
        "/agencies",
        "/agencies/NTSA",
        "/services?page=0",
        "/no-such-page",
        "/services/DIS-PASSPORT/apply",
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        assert_accessible(c, &axe, path).await;
    }
    d.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_verify_sign_in_and_sign_out_in_chromium() {
    let Some(d) = driver().await else { return };
    // Demo mode: plain cookies, as a browser on http://127.0.0.1 accepts them.
    let app = TestApp::spawn_with(Backend::Sqlite, true).await.unwrap();
    let axe = axe_source();
    let c = &d.client;

    c.goto(&format!("{}/register", app.base)).await.unwrap();
    assert_accessible(c, &axe, "register").await;
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "register with errors").await;
    c.find(Locator::Css("label[for=f-kind-0]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for (id, text) in [
        ("f-id_number", "31234567"),
        ("f-given_name", "Neema"),
        ("f-family_name", "Wafula"),
        ("f-date_of_birth", "2"),
        ("f-date_of_birth-month", "11"),
        ("f-date_of_birth-year", "1988"),
        ("f-phone", "0722 333 444"),
        ("f-email", "neema@example.com"),
        ("f-password", "blue mountain coffee"),
        ("f-password_confirm", "blue mountain coffee"),
    ] {
        fill(c, id, text).await;
    }
    submit(c).await;
    heading_is(c, "Confirm your phone and e-mail").await;
    assert_accessible(c, &axe, "verify").await;
    // New codes can be asked for on the page itself; the newest then work.
    c.find(Locator::Css(
        "main form[action='/confirm-contacts/resend'] button",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait().for_element(Locator::Css(".notice")).await.unwrap();
    assert_accessible(c, &axe, "verify, new codes sent").await;
    fill(c, "f-phone_code", &app.last_code("+254722333444").await).await;
    fill(c, "f-email_code", &app.last_code("neema@example.com").await).await;
    submit(c).await;
    heading_is(c, "Neema Wafula").await;
    assert_accessible(c, &axe, "account").await;

    c.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, "Sign in").await;
    assert_accessible(c, &axe, "sign in").await;
    fill(c, "f-identifier", "31234567").await;
    fill(c, "f-password", "not the password").await;
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "sign in with errors").await;
    fill(c, "f-password", "blue mountain coffee").await;
    submit(c).await;
    heading_is(c, "Neema Wafula").await;
    for path in [
        "/account/profile",
        "/account/sessions",
        "/account/two-factor",
        "/account/activity",
        "/account/businesses/new",
        "/account/dependants/new",
        "/account/documents",
        "/forgot-password",
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        assert_accessible(c, &axe, path).await;
    }
    c.goto(&format!("{}/account", app.base)).await.unwrap();
    c.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, "Sign in").await;
    c.goto(&format!("{}/account", app.base)).await.unwrap();
    // Signed out: the account page asks to sign in.
    heading_is(c, "Sign in").await;
    d.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_templates_admin_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn_with(Backend::Sqlite, true).await.unwrap();
    let role = lango_identity::model::Role::PlatformAdmin;
    app.staff("root@example.com", "blue mountain coffee", role, None)
        .await;
    let axe = axe_source();
    let c = &d.client;
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "root@example.com").await;
    fill(c, "f-password", "blue mountain coffee").await;
    submit(c).await;
    // A platform administrator lands on administration, not on a citizen's account page.
    heading_is(c, "Message templates").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/admin/templates");
    assert_accessible(c, &axe, "message templates").await;
    let edit = "/admin/templates/bill.raised/email/sw";
    c.goto(&format!("{}{edit}", app.base)).await.unwrap();
    assert_accessible(c, &axe, edit).await;
    fill(c, "f-body", "Lipa {amount} kwa {payment_number} {rangi}").await;
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "template with errors").await;

    // Claims to decide and the document signing keys.
    let person = app
        .person("45450001", "claimant@example.com", "blue mountain coffee")
        .await;
    let db = app.db().await;
    let actor = lango_identity::policy::Actor::Person(
        lango_identity::account::actor(&db, &person).await.unwrap(),
    );
    let claim = lango_identity::claim::business(&db, &actor, "PVT-AXE00001", "Axe Traders Ltd")
        .await
        .unwrap()
        .unwrap();
    lango_documents::keys::signing_key(&db, "DIS")
        .await
        .unwrap();
    db.close().await;
    for path in [
        "/admin/claims".to_string(),
        "/admin/document-keys".to_string(),
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        assert_accessible(c, &axe, &path).await;
    }
    c.goto(&format!("{}/admin/claims/{}", app.base, claim.reference))
        .await
        .unwrap();
    assert_accessible(c, &axe, "a claim to decide").await;
    c.find(Locator::Css("label[for=f-outcome-1]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(c).await;
    c.wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert_accessible(c, &axe, "a refusal without a reason").await;
    d.client.clone().close().await.unwrap();
}
