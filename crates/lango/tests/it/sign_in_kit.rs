//! What the Sign in with Lango tests share: a registered client, PKCE pairs, a browser
//! signed in at Lango, and the authorization, token and userinfo calls as an agency's
//! system makes them.

use crate::browser_kit::{Browser, Page};
use crate::support::TestApp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use lango_identity::model::Role;
use lango_identity::policy::Actor;
use lango_identity::provider::clients::{self, Registration};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Every test person's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// A registered client.
pub struct Rp {
    /// `client_id`.
    pub id: String,
    /// `client_secret`.
    pub secret: String,
    /// Its one redirect address.
    pub redirect: String,
}

/// The policy view of a new platform administrator.
pub async fn platform_admin(app: &TestApp, email: &str) -> Actor {
    let id = app.staff(email, PASSWORD, Role::PlatformAdmin, None).await;
    let db = app.db().await;
    Actor::Person(lango_identity::account::actor(&db, &id).await.unwrap())
}

/// Registers a client of NTSA coming back to `redirect` (and signing out to `/bye` there).
pub async fn client(
    app: &TestApp,
    admin: &Actor,
    name: &str,
    redirect: &str,
    national_id: bool,
) -> Rp {
    let db = app.db().await;
    let form = Registration {
        name: name.into(),
        redirect_uris: redirect.into(),
        logout_uris: format!("{redirect}/bye"),
        national_id: if national_id {
            "yes".into()
        } else {
            String::new()
        },
    };
    let (id, secret) = clients::register(&db, admin, "NTSA", &form)
        .await
        .unwrap()
        .unwrap();
    Rp {
        id,
        secret,
        redirect: redirect.into(),
    }
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("{seed:-<43}-verifier-for-the-test");
    let challenge = B64.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// `/oidc/authorize?…` for `rp` with `scope`, `challenge` and `extra` parameters.
pub fn authorize_path(rp: &Rp, scope: &str, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", &rp.id)
        .append_pair("redirect_uri", &rp.redirect)
        .append_pair("scope", scope)
        .append_pair("state", "st-123")
        .append_pair("nonce", "n-456")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("/oidc/authorize?{}", q.finish())
}

/// A browser signed in at Lango as a new person with this ID number.
pub async fn person<'a>(app: &'a TestApp, id_number: &str) -> (Browser<'a>, String) {
    let email = format!("p{id_number}@example.org");
    let id = app.person(id_number, &email, PASSWORD).await;
    let mut b = Browser::new(app);
    let page = b.sign_in(id_number, PASSWORD).await;
    assert_eq!(page.status, 303, "signed in");
    (b, id)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden fields (but the CSRF token) of the form posting to `action` on `html`.
pub fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let form = html
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("a form to {action}"));
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|part| {
            let (name, rest) = part.split_once('"')?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            (name != "csrf").then(|| (name.to_string(), unescape(value)))
        })
        .collect()
}

/// Posts the form to `action` on `page` as it stands.
pub async fn post_form(b: &mut Browser<'_>, page: &Page, action: &str) -> Page {
    let fields = hidden_fields(&page.html, action);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(action, &refs).await
}

/// Allows on the consent page `page` (acting as `acting`); returns the answer.
pub async fn allow(b: &mut Browser<'_>, page: &Page, acting: &str) -> Page {
    let mut fields = hidden_fields(&page.html, "/oidc/authorize");
    fields.push(("decision".into(), "allow".into()));
    if !acting.is_empty() {
        fields.push(("acting".into(), acting.into()));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post("/oidc/authorize", &refs).await
}

/// The query parameters of a redirect.
pub fn query_of(location: &str) -> Vec<(String, String)> {
    let q = location.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// One query parameter of a redirect.
pub fn param(location: &str, name: &str) -> String {
    query_of(location)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// Runs the authorization (allowing on the consent page when it shows) and returns the code.
pub async fn code(b: &mut Browser<'_>, path: &str) -> String {
    let mut page = b.get(path).await;
    if page.status == 200 {
        page = allow(b, &page, "").await;
    }
    assert_eq!(page.status, 303, "sent back: {}", page.html);
    let code = param(&page.location, "code");
    assert!(!code.is_empty(), "a code in {}", page.location);
    code
}

/// POSTs the token endpoint with HTTP Basic client authentication.
pub async fn token(app: &TestApp, rp: &Rp, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app
        .client
        .post(format!("{}/oidc/token", app.base))
        .basic_auth(&rp.id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Exchanges `code` with `verifier`.
pub async fn exchange(app: &TestApp, rp: &Rp, code: &str, verifier: &str) -> (u16, Value) {
    token(
        app,
        rp,
        &rp.secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &rp.redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Refreshes with `refresh_token`.
pub async fn refresh(app: &TestApp, rp: &Rp, refresh_token: &str) -> (u16, Value) {
    token(
        app,
        rp,
        &rp.secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// Calls userinfo with `access`.
pub async fn userinfo(app: &TestApp, access: &str) -> (u16, Value) {
    let res = app
        .client
        .get(format!("{}/oidc/userinfo", app.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The claims of a JWT, unverified (the tests verify through userinfo and the RP library).
pub fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
}
