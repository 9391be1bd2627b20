//! National-ID sign-in over the real HTTP stack, against the OIDC provider simulator: the
//! `state` is bound to a `__Host-` cookie of the browser that began, so a sign-in link sent
//! to someone else (login CSRF) is refused in their browser and works only in the first.

use crate::browser_kit::Browser;
use crate::oidc_simulator::{OidcSimulator, TestPerson};
use crate::support::{Backend, TestApp};

const PUBLIC: &str = "https://lango.test";

/// The provider simulator and an app that signs in through it (not in demo mode, so its
/// cookies carry the `__Host-` prefix), on `backend`.
async fn with_provider(backend: Backend) -> Option<(OidcSimulator, TestApp)> {
    let person = TestPerson {
        sub: "sub-neema-0001".into(),
        given_name: "Neema".into(),
        family_name: "Achieng".into(),
        email: Some("neema@example.org".into()),
        email_verified: true,
        phone_number: None,
        phone_number_verified: false,
        national_id: Some("24681357".into()),
    };
    let sim = OidcSimulator::start(
        "lango-portal",
        "portal-secret",
        &format!("{PUBLIC}/signin/national-id/callback"),
        person,
    )
    .await;
    let settings = [
        ("LANGO_OIDC_ISSUER", sim.issuer.clone()),
        ("LANGO_OIDC_CLIENT_ID", "lango-portal".to_string()),
        ("LANGO_OIDC_CLIENT_SECRET", "portal-secret".to_string()),
        ("LANGO_PUBLIC_URL", PUBLIC.to_string()),
    ];
    let app = TestApp::spawn_configured(backend, false, &settings).await?;
    Some((sim, app))
}

async fn a_sign_in_begun_in_one_browser_is_refused_in_another(backend: Backend) {
    let Some((sim, app)) = with_provider(backend).await else {
        return lango_core::testdb::skip_postgres();
    };
    let mut first = Browser::new(&app);
    let begun = first.get("/signin/national-id").await;
    assert_eq!(begun.status, 303, "{}", begun.html);
    let cookie = begun
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-lango_oidc="))
        .expect("the state's cookie");
    for part in ["Secure", "HttpOnly", "Path=/"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(
        !cookie.contains("Domain="),
        "a __Host- cookie names no domain"
    );
    let (code, state) = sim.approve(&begun.location).await;
    let callback = format!("/signin/national-id/callback?code={code}&state={state}");

    // The link, opened in another browser: refused, no session, nothing linked.
    let mut other = Browser::new(&app);
    let refused = other.get(&callback).await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(
        refused.html.contains("error-summary"),
        "a clear error on the sign-in page"
    );
    assert!(
        !other.cookies.keys().any(|k| k.contains("session")),
        "no session: {:?}",
        other.cookies
    );
    assert_eq!(app.count("oidc_links").await, 0);
    assert_eq!(
        app.count("oidc_pending").await,
        0,
        "a state that reached another browser is spent"
    );

    // The browser that began is refused too now; it begins again and finishes, and its
    // cookie is spent.
    assert_eq!(first.get(&callback).await.status, 400);
    let begun = first.get("/signin/national-id").await;
    let (code, state) = sim.approve(&begun.location).await;
    let done = first
        .get(&format!(
            "/signin/national-id/callback?code={code}&state={state}"
        ))
        .await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, "/account"),
        "{}",
        done.html
    );
    assert!(first.cookies.keys().any(|k| k.contains("session")));
    assert!(!first.cookies.contains_key("__Host-lango_oidc"), "spent");
    assert_eq!(first.get("/account").await.status, 200);
    assert_eq!(app.count("oidc_links").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_cookie_binds_the_browser_sqlite() {
    a_sign_in_begun_in_one_browser_is_refused_in_another(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_cookie_binds_the_browser_postgres() {
    a_sign_in_begun_in_one_browser_is_refused_in_another(Backend::Postgres).await;
}
