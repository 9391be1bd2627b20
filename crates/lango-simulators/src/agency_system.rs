//! A sample agency system that signs people in with Lango ("Sign in with Lango"), as an
//! agency's own system would: a relying party built on the `openidconnect` crate, so every
//! `id_token` Lango issues is checked by a standard client library, not by Lango's code.
//!
//! - `GET /` shows who is signed in (the claims Lango sent) or a "Sign in with Lango" link;
//! - `GET /login` starts the authorization code flow with PKCE S256, a nonce and a state
//!   bound to this browser by a cookie;
//! - `GET /callback` exchanges the code, verifies the `id_token` (signature from the JWKS,
//!   issuer, audience, nonce, expiry) and reads userinfo;
//! - `GET /logout` forgets the person here and sends them to Lango's sign-out.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    reqwest, AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse, UserInfoClaims,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::OnceCell;

/// Lango's claims beyond the standard ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LangoClaims {
    /// With scope `national_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    /// The business or dependant the person chose to act for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_for: Option<serde_json::Value>,
}

impl AdditionalClaims for LangoClaims {}

type IdFields = IdTokenFields<
    LangoClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type RelyingParty = openidconnect::Client<
    LangoClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<IdFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How the sample system is registered with Lango.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lango's issuer (its public address).
    pub issuer: String,
    /// The `client_id` Lango gave.
    pub client_id: String,
    /// The `client_secret` Lango gave.
    pub client_secret: String,
    /// What the system calls itself on its pages.
    pub title: String,
    /// The scopes it asks for besides `openid`.
    pub scopes: Vec<String>,
}

/// A person signed in here.
#[derive(Debug, Clone)]
struct Person {
    claims: serde_json::Value,
    userinfo: serde_json::Value,
    id_token: String,
}

/// A sign-in begun: what the callback needs.
struct Pending {
    verifier: String,
    nonce: String,
}

struct Shared {
    settings: Settings,
    base: String,
    rp: OnceCell<(RelyingParty, CoreProviderMetadata)>,
    http: reqwest::Client,
    pending: Mutex<HashMap<String, Pending>>,
    people: Mutex<HashMap<String, Person>>,
}

/// The running sample system.
pub struct AgencySystem {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl AgencySystem {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base
    }
}

impl Drop for AgencySystem {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds the sample system's port (`listen`, or any free one when that is taken), so its
/// redirect address can be registered before it starts.
pub async fn bind(listen: SocketAddr) -> std::io::Result<TcpListener> {
    match TcpListener::bind(listen).await {
        Ok(l) => Ok(l),
        Err(_) => TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await,
    }
}

/// The base address a listener from [`bind`] serves.
pub fn base_of(listener: &TcpListener) -> std::io::Result<String> {
    Ok(format!("http://{}", listener.local_addr()?))
}

/// Starts serving on `listener`.
pub fn start(listener: TcpListener, settings: Settings) -> std::io::Result<AgencySystem> {
    let base = base_of(&listener)?;
    // Following redirects would let a response steer the system's requests elsewhere.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(std::io::Error::other)?;
    let shared = Arc::new(Shared {
        settings,
        base: base.clone(),
        rp: OnceCell::new(),
        http,
        pending: Mutex::new(HashMap::new()),
        people: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", get(logout))
        .with_state(shared);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "sample agency system stopped");
        }
    });
    Ok(AgencySystem { base, task })
}

/// Discovers Lango once (on the first sign-in: Lango may start after this system).
async fn relying_party(s: &Shared) -> Result<&(RelyingParty, CoreProviderMetadata), String> {
    s.rp.get_or_try_init(|| async {
        let issuer = IssuerUrl::new(s.settings.issuer.clone()).map_err(|e| e.to_string())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &s.http)
            .await
            .map_err(|e| format!("discovery: {e}"))?;
        let redirect =
            RedirectUrl::new(format!("{}/callback", s.base)).map_err(|e| e.to_string())?;
        let rp = RelyingParty::from_provider_metadata(
            metadata.clone(),
            ClientId::new(s.settings.client_id.clone()),
            Some(ClientSecret::new(s.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        Ok((rp, metadata))
    })
    .await
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title></head><body><main><h1>{t}</h1>{body}</main></body></html>",
        t = escape(title)
    ))
    .into_response()
}

async fn home(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let person =
        cookie(&headers, "agency_session").and_then(|id| s.people.lock().ok()?.get(&id).cloned());
    let title = &s.settings.title;
    match person {
        Some(p) => {
            let name = p.userinfo["name"].as_str().unwrap_or("you").to_string();
            let body = format!(
                "<p id=\"signed-in\">Signed in with Lango as <strong>{}</strong>.</p>\
                 <h2>What Lango sent</h2><pre id=\"claims\">{}</pre>\
                 <h2>Userinfo</h2><pre id=\"userinfo\">{}</pre>\
                 <p><a href=\"/logout\">Sign out</a></p>",
                escape(&name),
                escape(&serde_json::to_string_pretty(&p.claims).unwrap_or_default()),
                escape(&serde_json::to_string_pretty(&p.userinfo).unwrap_or_default()),
            );
            page(title, &body)
        }
        None => page(
            title,
            "<p>This is a sample of an agency's own system. People sign in to it with their \
             Lango account.</p><p><a id=\"sign-in\" href=\"/login\">Sign in with Lango</a></p>",
        ),
    }
}

async fn login(State(s): State<Arc<Shared>>) -> Response {
    let (rp, _) = match relying_party(&s).await {
        Ok(rp) => rp,
        Err(e) => {
            return (StatusCode::BAD_GATEWAY, format!("cannot reach Lango: {e}")).into_response()
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = rp.authorize_url(
        AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in &s.settings.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    if let Ok(mut p) = s.pending.lock() {
        p.insert(
            state.secret().clone(),
            Pending {
                verifier: verifier.secret().clone(),
                nonce: nonce.secret().clone(),
            },
        );
    }
    let mut res = Redirect::to(url.as_str()).into_response();
    // Binds the state to this browser: a callback link sent to someone else fails.
    if let Ok(v) = format!(
        "agency_state={}; Path=/; HttpOnly; SameSite=Lax",
        state.secret()
    )
    .parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

async fn callback(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> Response {
    let refused = |why: &str| {
        let body = format!("<p id=\"refused\">Lango did not sign you in: {}.</p><p><a href=\"/\">Start again</a></p>", escape(why));
        (StatusCode::BAD_REQUEST, page(&s.settings.title, &body)).into_response()
    };
    if !q.error.is_empty() {
        return refused(&q.error);
    }
    if cookie(&headers, "agency_state").as_deref() != Some(q.state.as_str()) {
        return refused("this sign-in was begun in another browser");
    }
    let Some(pending) = s.pending.lock().ok().and_then(|mut p| p.remove(&q.state)) else {
        return refused("unknown or used state");
    };
    let Ok((rp, _)) = relying_party(&s).await else {
        return refused("cannot reach Lango");
    };
    let exchange = match rp.exchange_code(AuthorizationCode::new(q.code.clone())) {
        Ok(e) => e,
        Err(e) => return refused(&e.to_string()),
    };
    let response = match exchange
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&s.http)
        .await
    {
        Ok(r) => r,
        Err(e) => return refused(&format!("token exchange: {e}")),
    };
    let Some(id_token) = response.id_token() else {
        return refused("no id_token");
    };
    let claims = match id_token.claims(&rp.id_token_verifier(), &Nonce::new(pending.nonce)) {
        Ok(c) => c.clone(),
        Err(e) => return refused(&format!("id_token: {e}")),
    };
    let info: UserInfoClaims<LangoClaims, CoreGenderClaim> = match rp.user_info(
        response.access_token().clone(),
        Some(claims.subject().clone()),
    ) {
        Ok(req) => match req.request_async(&s.http).await {
            Ok(i) => i,
            Err(e) => return refused(&format!("userinfo: {e}")),
        },
        Err(e) => return refused(&format!("userinfo: {e}")),
    };
    let id: String = (0..24)
        .map(|_| char::from(b'a' + rand::thread_rng().gen_range(0..26u8)))
        .collect();
    if let Ok(mut people) = s.people.lock() {
        people.insert(
            id.clone(),
            Person {
                claims: serde_json::to_value(&claims).unwrap_or_default(),
                userinfo: serde_json::to_value(&info).unwrap_or_default(),
                id_token: id_token.to_string(),
            },
        );
    }
    let mut res = Redirect::to("/").into_response();
    if let Ok(v) = format!("agency_session={id}; Path=/; HttpOnly; SameSite=Lax").parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn logout(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let person =
        cookie(&headers, "agency_session").and_then(|id| s.people.lock().ok()?.remove(&id));
    let end = format!("{}/oidc/logout", s.settings.issuer.trim_end_matches('/'));
    let url = match person {
        Some(p) => {
            let q = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("id_token_hint", &p.id_token)
                .append_pair("post_logout_redirect_uri", &format!("{}/", s.base))
                .finish();
            format!("{end}?{q}")
        }
        None => "/".into(),
    };
    Redirect::to(&url).into_response()
}
