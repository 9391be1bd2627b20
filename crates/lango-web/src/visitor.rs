//! Who is asking: the session behind the cookie, the account and its access, and the CSRF
//! token every form must carry.
//!
//! One middleware resolves the visitor for every page request and refuses any state-changing
//! request whose form does not carry the right token, so no handler can forget the check.
//! Signed in, the token is the session's; signed out, it is a random cookie's (double
//! submit), so that sign-in and registration forms are protected too.

use crate::i18n::Lang;
use crate::pages::{lang_of, render_message_page};
use crate::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lango_identity::account::{self, Account};
use lango_identity::assist::{self, Assist};
use lango_identity::policy::{Actor, Person};
use lango_identity::session::{self, Client, Session};
use lango_identity::token::{random_token, same};
use std::convert::Infallible;

/// The page visitor, resolved once per request by [`resolve`].
#[derive(Clone)]
pub struct Visitor {
    /// The live session, if any (possibly still waiting for its second factor).
    pub session: Option<Session>,
    /// The signed-in account (only when the session is complete).
    pub account: Option<Account>,
    /// What the policy judges.
    pub actor: Actor,
    /// The token forms on this page must carry.
    pub csrf: String,
    /// The reader's language.
    pub lang: Lang,
    /// Address and browser, for new sessions.
    pub client: Client,
    /// The person present whom this staff member acts for now, if any.
    pub assisting: Option<Assist>,
}

impl Visitor {
    /// The signed-in person's policy view, if signed in.
    pub fn person(&self) -> Option<&Person> {
        match &self.actor {
            Actor::Person(p) => Some(p),
            _ => None,
        }
    }
}

/// Cookie names: `__Host-` outside demo, which browsers only accept over HTTPS from this host.
pub fn cookie_name(state: &AppState, base: &str) -> String {
    if state.config.demo {
        base.to_string()
    } else {
        format!("__Host-{base}")
    }
}

/// A `Set-Cookie` value with the attributes Lango always uses.
pub fn cookie(state: &AppState, base: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        cookie_name(state, base)
    );
    if !state.config.demo {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

/// Tells the browser to forget its session cookie (after signing out).
pub fn forget_session(state: &AppState, res: &mut Response) {
    if let Ok(h) = HeaderValue::from_str(&cookie(state, SESSION, "", Some(0))) {
        res.headers_mut().append(header::SET_COOKIE, h);
    }
}

/// Reads one cookie's value.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The session cookie's base name.
pub const SESSION: &str = "lango_session";
/// The signed-out CSRF cookie's base name.
pub const CSRF: &str = "lango_csrf";

fn skip(path: &str) -> bool {
    [
        "/assets/",
        "/api/",
        "/channels/",
        "/healthz",
        "/oidc/token",
        "/oidc/userinfo",
        "/oidc/jwks",
        "/.well-known/",
        "/readyz",
        "/metrics",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

fn client_of(state: &AppState, req: &Request) -> Client {
    Client {
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        ip: crate::client::of(state, req)
            .map(|ip| ip.to_string())
            .unwrap_or_default(),
    }
}

/// Resolves the visitor and enforces the CSRF token on state-changing requests.
pub async fn resolve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if skip(req.uri().path()) {
        return next.run(req).await;
    }
    let lang = lang_of(req.headers());
    let client = client_of(&state, &req);
    let token = read_cookie(req.headers(), &cookie_name(&state, SESSION));
    let session = match token {
        Some(t) => match session::lookup(&state.db, &t).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return render_message_page(
                    &state,
                    lang,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                );
            }
        },
        None => None,
    };
    let mut account = None;
    let mut actor = Actor::Anonymous;
    let mut assisting = None;
    if let Some(s) = session.as_ref().filter(|s| !s.mfa_pending) {
        match (
            account::get(&state.db, &s.account_id).await,
            account::actor(&state.db, &s.account_id).await,
        ) {
            (Ok(a), Ok(mut p)) if a.status != "disabled" => {
                // Only centre staff and the people of businesses (perhaps an approved agent)
                // can be assisting someone: others cost no query.
                let found = helping(&state, &s.id, &mut p).await;
                match found {
                    Ok(a) => assisting = a,
                    Err(e) => {
                        tracing::error!(error = %e, "assistance lookup failed");
                        return render_message_page(
                            &state,
                            lang,
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "server_error",
                        );
                    }
                }
                account = Some(a);
                actor = Actor::Person(assist::with_assist(p, assisting.as_ref()));
            }
            (Ok(_), Ok(_)) => {}
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "account lookup failed");
                return render_message_page(
                    &state,
                    lang,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                );
            }
        }
    }
    let anon = read_cookie(req.headers(), &cookie_name(&state, CSRF)).filter(|v| v.len() == 43);
    let mut new_anon = None;
    let csrf = match (&session, anon) {
        (Some(s), _) => s.csrf.clone(),
        (None, Some(v)) => v,
        (None, None) => {
            let v = random_token();
            new_anon = Some(v.clone());
            v
        }
    };
    let (mut parts, body) = req.into_parts();
    let body = if parts.method == Method::GET || parts.method == Method::HEAD {
        body
    } else {
        let boundary = multipart_boundary(&parts.headers);
        let limit = if boundary.is_some() {
            crate::UPLOAD_LIMIT
        } else {
            crate::BODY_LIMIT
        };
        let Ok(bytes) = to_bytes(body, limit).await else {
            return render_message_page(&state, lang, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
        };
        let sent = match boundary {
            Some(b) => multipart_csrf(&bytes, &b).await,
            None => form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default(),
        };
        if new_anon.is_some() || !same(&sent, &csrf) {
            tracing::warn!(path = %parts.uri.path(), "form refused: missing or wrong CSRF token");
            return render_message_page(&state, lang, StatusCode::FORBIDDEN, "csrf");
        }
        Body::from(bytes)
    };
    let frame = crate::pages::Frame {
        signed_in: account.is_some(),
        csrf: csrf.clone(),
        assisting: assisting.as_ref().map(|a: &Assist| {
            let desk = match &a.agent {
                Some(agent) => format!("/agent/{agent}/assist"),
                None => format!("/desk/{}/counters/{}/assist", a.centre, a.counter),
            };
            (a.person_name.clone(), desk)
        }),
    };
    let asking = actor.clone();
    parts.extensions.insert(Visitor {
        session,
        account,
        actor,
        csrf,
        lang,
        client,
        assisting,
    });
    let run = crate::pages::ASKING.scope(asking, next.run(Request::from_parts(parts, body)));
    let mut res = crate::pages::FRAME.scope(frame, run).await;
    if let Some(v) = new_anon {
        if let Ok(h) = HeaderValue::from_str(&cookie(&state, CSRF, &v, None)) {
            res.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    res
}

/// The boundary of a `multipart/form-data` body (an upload form), if this is one.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(ct).ok()
}

/// The `csrf` field of an upload form. Forms put it first, so only the start is read.
async fn multipart_csrf(bytes: &axum::body::Bytes, boundary: &str) -> String {
    let stream = futures_util::stream::once(std::future::ready(Ok::<_, Infallible>(bytes.clone())));
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.unwrap_or_default();
        }
    }
    String::new()
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_else(|| Visitor {
                session: None,
                account: None,
                actor: Actor::Anonymous,
                csrf: String::new(),
                lang: lang_of(&parts.headers),
                client: Client::default(),
                assisting: None,
            }))
    }
}

/// A visitor who is signed in; others are sent to the sign-in page and brought back.
pub struct SignedIn {
    /// The visitor.
    pub v: Visitor,
    /// Their account.
    pub account: Account,
    /// Their session.
    pub session: Session,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Response> {
        let Ok(v) = Visitor::from_request_parts(parts, s).await;
        match (v.account.clone(), v.session.clone()) {
            (Some(account), Some(session)) => Ok(SignedIn {
                v,
                account,
                session,
            }),
            _ => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map_or("/account", |p| p.as_str());
                let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
                Err(Redirect::to(&format!("/signin?next={next}")).into_response())
            }
        }
    }
}

/// Only local paths are followed after sign-in: never an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    lango_core::local_path::LocalPath::or(next, "/account").to_string()
}

/// The open assistance of session `session` by `p`, filling in the approved agents `p` acts
/// for; an agent's assistance counts only while that agent is approved (a suspended agent
/// stops acting on the next request).
async fn helping(
    state: &AppState,
    session: &str,
    p: &mut lango_identity::policy::Person,
) -> lango_core::Result<Option<Assist>> {
    if !p.represents.is_empty() {
        p.agents = lango_agents::registry::approved_of(&state.db, &p.represents).await?;
    }
    let centre = p.grants.iter().any(|g| g.role.is_centre_role());
    if !centre && p.agents.is_empty() {
        return Ok(None);
    }
    Ok(assist::active(&state.db, session)
        .await?
        .filter(|a| match &a.agent {
            Some(g) => p.agents.contains(g),
            None => centre,
        }))
}
