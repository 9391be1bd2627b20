//! An OpenID Connect provider simulator, for tests only: a national identity provider on a
//! loopback port that speaks the real protocol (discovery, JWKS, authorisation code flow with
//! PKCE S256, client authentication, RS256-signed ID tokens). It approves every request for a
//! configurable test person; switches make it misbehave the ways a client must catch.

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::sha2::{Digest, Sha256};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// The key id both keys are published or forged under, so a forged token finds a key and
/// fails on its signature rather than on a missing key.
const KID: &str = "sim-key-1";

/// Who the simulated provider says is signing in.
#[derive(Debug, Clone)]
pub struct TestPerson {
    /// The stable subject identifier at the provider.
    pub sub: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// E-mail, if disclosed.
    pub email: Option<String>,
    /// Whether the provider vouches for the e-mail.
    pub email_verified: bool,
    /// Phone, if disclosed.
    pub phone_number: Option<String>,
    /// Whether the provider vouches for the phone.
    pub phone_number_verified: bool,
    /// National ID number, if disclosed.
    pub national_id: Option<String>,
}

/// Ways to make the simulator misbehave.
#[derive(Debug, Clone, Copy, Default)]
pub struct Switches {
    /// Put a nonce other than the one asked for in the ID token.
    pub wrong_nonce: bool,
    /// Sign the ID token with a key that is not in the JWKS.
    pub foreign_key: bool,
    /// Issue an ID token that has already expired.
    pub expired: bool,
}

struct Keys {
    real: RsaPrivateKey,
    foreign: RsaPrivateKey,
}

/// Keys are made once per test binary: 2048-bit generation is slow in debug builds.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rand::thread_rng();
        Keys {
            real: RsaPrivateKey::new(&mut rng, 2048).expect("rsa key"),
            foreign: RsaPrivateKey::new(&mut rng, 2048).expect("rsa key"),
        }
    })
}

struct Grant {
    redirect_uri: String,
    nonce: String,
    challenge: String,
    person: TestPerson,
}

struct Shared {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    person: Mutex<TestPerson>,
    switches: Mutex<Switches>,
    grants: Mutex<HashMap<String, Grant>>,
}

/// A running provider simulator; stops when dropped.
pub struct OidcSimulator {
    /// `http://127.0.0.1:PORT`, the issuer identifier.
    pub issuer: String,
    shared: Arc<Shared>,
    browser: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl OidcSimulator {
    /// Starts on 127.0.0.1, port 0, with one registered client.
    pub async fn start(
        client_id: &str,
        client_secret: &str,
        redirect_uri: &str,
        person: TestPerson,
    ) -> OidcSimulator {
        keys();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            person: Mutex::new(person),
            switches: Mutex::new(Switches::default()),
            grants: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("simulator serves");
        });
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        OidcSimulator {
            issuer,
            shared,
            browser,
            server,
        }
    }

    /// Changes who signs in next.
    pub fn set_person(&self, person: TestPerson) {
        *self.shared.person.lock().expect("lock") = person;
    }

    /// Sets the misbehaviour switches.
    pub fn set_switches(&self, switches: Switches) {
        *self.shared.switches.lock().expect("lock") = switches;
    }

    /// Plays the browser: opens the authorisation URL and returns the `code` and `state` of
    /// the redirect back to the client.
    pub async fn approve(&self, authorize_url: &str) -> (String, String) {
        let res = self
            .browser
            .get(authorize_url)
            .send()
            .await
            .expect("authorize");
        let status = res.status();
        assert_eq!(
            status,
            StatusCode::FOUND,
            "authorize redirects: {:?}",
            res.text().await
        );
        let location = res.headers()[header::LOCATION]
            .to_str()
            .expect("location")
            .to_string();
        assert!(
            location.starts_with(&self.shared.redirect_uri),
            "back to the client: {location}"
        );
        let url = reqwest::Url::parse(&location).expect("location url");
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_else(|| panic!("redirect has {name}"))
        };
        (param("code"), param("state"))
    }
}

impl Drop for OidcSimulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn discovery(State(s): State<Arc<Shared>>) -> Json<Value> {
    let i = &s.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "phone"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "given_name",
            "family_name", "email", "email_verified", "phone_number", "phone_number_verified",
            "national_id"],
    }))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

async fn jwks() -> Json<Value> {
    let public = keys().real.to_public_key();
    Json(json!({ "keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID,
        "n": b64(&public.n().to_bytes_be()),
        "e": b64(&public.e().to_bytes_be()),
    }]}))
}

fn bad(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

async fn authorize(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let p = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    // A wrong client or redirect must not redirect anywhere (RFC 6749 §4.1.2.1).
    if p("client_id") != s.client_id || p("redirect_uri") != s.redirect_uri {
        return bad(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let scopes: Vec<&str> = p("scope").split(' ').collect();
    if p("response_type") != "code"
        || !scopes.contains(&"openid")
        || p("code_challenge_method") != "S256"
        || p("code_challenge").is_empty()
        || p("nonce").is_empty()
        || p("state").is_empty()
    {
        return bad(StatusCode::BAD_REQUEST, "invalid_request");
    }
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    let person = s.person.lock().expect("lock").clone();
    s.grants.lock().expect("lock").insert(
        code.clone(),
        Grant {
            redirect_uri: p("redirect_uri").into(),
            nonce: p("nonce").into(),
            challenge: p("code_challenge").into(),
            person,
        },
    );
    let back = reqwest::Url::parse_with_params(
        &s.redirect_uri,
        [("code", code.as_str()), ("state", p("state"))],
    )
    .expect("redirect url");
    // 302, as RFC 6749 §4.1.2 examples and real providers use (axum's `Redirect::to` is 303).
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

/// `application/x-www-form-urlencoded` decoding, which RFC 6749 §2.3.1 applies to the Basic
/// credentials.
fn form_decode(s: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).ok()
}

fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<(String, String)> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let encoded = auth.to_str().ok()?.strip_prefix("Basic ")?;
        let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        return Some((form_decode(id)?, form_decode(secret)?));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

async fn token(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    match client_credentials(&headers, &form) {
        Some((id, secret)) if id == s.client_id && secret == s.client_secret => {}
        _ => return bad(StatusCode::UNAUTHORIZED, "invalid_client"),
    }
    let p = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if p("grant_type") != "authorization_code" {
        return bad(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    // A code is spent by its first use, right or wrong.
    let Some(grant) = s.grants.lock().expect("lock").remove(p("code")) else {
        return bad(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let challenge = b64(&Sha256::digest(p("code_verifier").as_bytes()));
    if grant.redirect_uri != p("redirect_uri") || challenge != grant.challenge {
        return bad(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let switches = *s.switches.lock().expect("lock");
    let access_token = format!("at-{}", uuid::Uuid::new_v4().simple());
    let person = &grant.person;
    let iat = if switches.expired {
        now_secs() - 900
    } else {
        now_secs()
    };
    let mut claims = json!({
        "iss": s.issuer,
        "aud": s.client_id,
        "sub": person.sub,
        "nonce": if switches.wrong_nonce { "not-the-nonce-asked-for".to_string() } else { grant.nonce.clone() },
        "iat": iat,
        "exp": iat + 300,
        "at_hash": b64(&Sha256::digest(access_token.as_bytes())[..16]),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "email_verified": person.email_verified,
        "phone_number": person.phone_number,
        "phone_number_verified": person.phone_number_verified,
        "national_id": person.national_id,
    });
    // Absent claims are left out rather than sent as null.
    if let Some(m) = claims.as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    let key = if switches.foreign_key {
        &keys().foreign
    } else {
        &keys().real
    };
    let id_token = sign_rs256(key, &claims);
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

/// A compact JWS (RFC 7515) with RS256: RSASSA-PKCS1-v1_5 over SHA-256.
fn sign_rs256(key: &RsaPrivateKey, claims: &Value) -> String {
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": KID });
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes());
    format!("{input}.{}", b64(&signature.to_bytes()))
}
