//! Sign in with Lango in real Chromium, with the sample agency system the demo runs: the
//! person starts at the agency's system, signs in at Lango, chooses who they act for on the
//! consent page, lands back signed in (past the `form-action` policy, which browsers also
//! apply to a form's redirects), signs out through Lango, and withdraws the system at their
//! account; the agency administrator registers a system. axe-core checks every Lango page.

use crate::browser_kit::{
    assert_accessible, axe_source, click, driver, fill, heading_is, wait_for,
};
use crate::sign_in_kit::{client, platform_admin, PASSWORD};
use crate::support::{Backend, TestApp};
use fantoccini::{Client, Locator};
use lango_simulators::agency_system;

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_lango_from_an_agency_system_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn_with(Backend::Sqlite, true).await.unwrap();
    let axe = axe_source();
    let c = &d.client;
    let admin = platform_admin(&app, "platform@lango.test").await;
    let port = agency_system::bind(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let base = agency_system::base_of(&port).unwrap();
    let rp = client(
        &app,
        &admin,
        "NTSA licensing",
        &format!("{base}/callback"),
        false,
    )
    .await;
    let db = app.db().await;
    // The sample system asks to come back to its home page after signing out.
    sqlx::query("UPDATE oidc_clients SET logout_uris = $1 WHERE id = $2")
        .bind(format!("{base}/"))
        .bind(&rp.id)
        .execute(db.pool())
        .await
        .unwrap();
    let _system = agency_system::start(
        port,
        agency_system::Settings {
            issuer: app.base.clone(),
            client_id: rp.id.clone(),
            client_secret: rp.secret.clone(),
            title: "NTSA licensing".into(),
            scopes: vec!["profile".into(), "email".into()],
        },
    )
    .unwrap();
    let account = app.person("41414141", "amina@example.org", PASSWORD).await;
    lango_identity::seed::business(&db, &account, "PVT-BROWSER", "Amina Transport")
        .await
        .unwrap();

    c.goto(&format!("{base}/")).await.unwrap();
    click(c, "#sign-in").await;
    heading_is(c, "Sign in").await;
    assert_accessible(c, &axe, "sign-in on the way to an agency system").await;
    fill(c, "f-identifier", "41414141").await;
    fill(c, "f-password", PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, "Sign in to NTSA licensing").await;
    assert_accessible(c, &axe, "consent page").await;
    assert!(text_of(c, "#receives")
        .await
        .contains("Your e-mail address"));
    click(c, "label[for='f-acting-1']").await;
    click(c, "button[value=allow]").await;
    wait_for(c, "#signed-in").await;
    let claims = text_of(c, "#claims").await;
    assert!(
        claims.contains("Amina Transport") && claims.contains("amina@example.org"),
        "{claims}"
    );

    // Signing out at the agency's system signs out of Lango too, when the person agrees.
    click(c, "a[href='/logout']").await;
    heading_is(c, "Sign out of Lango?").await;
    assert_accessible(c, &axe, "sign-out question").await;
    click(c, "main form button[type=submit]").await;
    wait_for(c, "#sign-in").await;
    c.goto(&format!("{}/account", app.base)).await.unwrap();
    heading_is(c, "Sign in").await;

    // The second time, consent is remembered: sign in and straight back.
    c.goto(&format!("{base}/login")).await.unwrap();
    heading_is(c, "Sign in").await;
    fill(c, "f-identifier", "41414141").await;
    fill(c, "f-password", PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    heading_is(c, "Sign in to NTSA licensing").await;
    click(c, "button[value=allow]").await;
    wait_for(c, "#signed-in").await;

    // The account lists the system and withdraws it.
    c.goto(&format!("{}/account", app.base)).await.unwrap();
    click(c, "a[href='/account/connected']").await;
    heading_is(c, "Agency systems you sign in to").await;
    assert_accessible(c, &axe, "connected systems").await;
    click(c, "main form button.warning").await;
    wait_for(c, ".notice").await;
    assert_accessible(c, &axe, "withdrawn").await;

    // The platform administrator registers a system, with a mistake first.
    click(c, "header form button.link").await;
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "platform@lango.test").await;
    fill(c, "f-password", PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    c.goto(&format!("{}/admin/agencies/NTSA/sign-in", app.base))
        .await
        .unwrap();
    heading_is(c, "Sign in with Lango").await;
    assert_accessible(c, &axe, "registered systems").await;
    fill(c, "f-name", "Inspection booking").await;
    fill(c, "f-redirect_uris", "http://inspections.example/cb").await;
    click(c, "main form[action$='/sign-in'] button[type=submit]").await;
    wait_for(c, ".error-summary").await;
    assert_accessible(c, &axe, "registration with a problem").await;
    fill(c, "f-redirect_uris", "https://inspections.example/cb").await;
    click(c, "main form[action$='/sign-in'] button[type=submit]").await;
    wait_for(c, "#new-secret").await;
    assert_accessible(c, &axe, "registered, secret shown once").await;
}
