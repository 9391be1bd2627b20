//! Sign in with Lango, the person's side: the authorization endpoint (sign in, the consent
//! page, the code sent back), and sign-out asked for by an agency's system. Thin: the rules
//! are in `lango_identity::provider`.

use super::{no_store, render, Chrome};
use crate::visitor::{forget_session, Visitor};
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form as Posted, Router};
use lango_identity::provider::authorize::{self, Acting, Checked, Params, Prompt, Request};
use lango_identity::provider::{clients, consent, tokens};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oidc/authorize", get(authorize_get).post(authorize_post))
        .route("/oidc/logout", get(logout_get).post(logout_post))
}

/// A page Lango shows instead of redirecting (an untrusted client or address).
#[derive(Template)]
#[template(path = "oidc_stop.html")]
struct StopPage {
    c: Chrome,
    title: &'static str,
    body: &'static str,
}

fn stop(state: &AppState, v: &Visitor, key: &str) -> Response {
    let page = StopPage {
        c: Chrome::for_visitor(v, state.config.demo, "/oidc/authorize"),
        title: tr(v.lang, &format!("{key}_title")),
        body: tr(v.lang, &format!("{key}_body")),
    };
    render(StatusCode::BAD_REQUEST, &page)
}

/// Sends the person to `url` at the agency's system (see [`super::leave_to`]).
fn go(state: &AppState, v: &Visitor, headers: &HeaderMap, url: &str, client: &str) -> Response {
    let link = format!("{} {client}", tr(v.lang, "oidc_continue_to"));
    let c = Chrome::for_visitor(v, state.config.demo, "/oidc/authorize");
    // The code must not stay in any cache or history snapshot.
    no_store(super::leave_to(
        c,
        headers,
        url,
        "oidc_continue_title",
        link.trim(),
    ))
}

/// `/oidc/authorize?…` for `p`, for the sign-in page to come back to.
fn here(p: &Params) -> String {
    format!("/oidc/authorize?{}", query_of(p))
}

/// The request's parameters that are set: for the way back after sign-in (with `prompt`)
/// and the consent form's hidden fields (without: the person has been asked).
fn pairs(p: &Params, with_prompt: bool) -> Vec<(&'static str, String)> {
    [
        ("response_type", &p.response_type),
        ("client_id", &p.client_id),
        ("redirect_uri", &p.redirect_uri),
        ("scope", &p.scope),
        ("state", &p.state),
        ("nonce", &p.nonce),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
        ("prompt", if with_prompt { &p.prompt } else { &EMPTY }),
        ("max_age", &p.max_age),
        ("signed_in_after", &p.signed_in_after),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k, v.clone()))
    .collect()
}

static EMPTY: String = String::new();

fn query_of(p: &Params) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs(p, true))
        .finish()
}

/// The sign-in page, coming back to `p` afterwards; `again` asks even a signed-in person.
fn sign_in(p: &Params, again: bool) -> Response {
    let next: String = form_urlencoded::byte_serialize(here(p).as_bytes()).collect();
    let again = if again { "&again=1" } else { "" };
    Redirect::to(&format!("/signin?next={next}{again}")).into_response()
}

/// The consent page.
#[derive(Template)]
#[template(path = "oidc_consent.html")]
struct ConsentPage {
    c: Chrome,
    client: String,
    agency: String,
    receives: Vec<&'static str>,
    choices: Vec<Acting>,
    hidden: Vec<(&'static str, String)>,
}

/// The agency's name in the reader's language, from the live catalogue.
pub(crate) fn agency_name(state: &AppState, lang: crate::i18n::Lang, code: &str) -> String {
    let snap = state.catalogue.snapshot();
    let found = lango_catalogue::AgencyCode::parse(code)
        .ok()
        .and_then(|c| snap.agency(&c).cloned());
    match (found, lang) {
        (Some(a), l) if l.is_local() && !a.name_sw.is_empty() => a.name_sw.clone(),
        (Some(a), _) => a.name.clone(),
        (None, _) => code.to_string(),
    }
}

async fn consent_page(
    state: &AppState,
    v: &Visitor,
    p: &Params,
    req: &Request,
    choices: Vec<Acting>,
) -> Response {
    let hidden = pairs(p, false);
    let page = ConsentPage {
        c: Chrome::for_visitor(v, state.config.demo, "/oidc/authorize"),
        client: req.client.name.clone(),
        agency: agency_name(state, v.lang, &req.client.agency),
        receives: req
            .scopes
            .iter()
            .map(|s| tr(v.lang, &format!("oidc_scope_{s}")))
            .collect(),
        choices,
        hidden,
    };
    no_store(render(StatusCode::OK, &page))
}

/// `GET /oidc/authorize`: the agency's system sends the person here.
async fn authorize_get(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    q: Result<Query<Params>, QueryRejection>,
) -> Response {
    let Ok(Query(p)) = q else {
        return stop(&state, &v, "oidc_unknown_client");
    };
    let req = match authorize::check(&state.issuer, &p).await {
        Ok(Checked::Valid(r)) => r,
        Ok(Checked::Stop(key)) => return stop(&state, &v, key),
        Ok(Checked::Back(url)) => return Redirect::to(&url).into_response(),
        Err(e) => return crate::error::page_error(&state, v.lang, e),
    };
    let (Some(account), Some(session)) = (&v.account, &v.session) else {
        if req.prompt == Some(Prompt::None) {
            return Redirect::to(&req.refused(&state.issuer, "login_required")).into_response();
        }
        return sign_in(&p, false);
    };
    if req.needs_sign_in(session.created_at) {
        if req.prompt == Some(Prompt::None) {
            return Redirect::to(&req.refused(&state.issuer, "login_required")).into_response();
        }
        let mut again = p.clone();
        again.prompt = String::new();
        again.signed_in_after = state.issuer.stamp(lango_core::clock::now_ms());
        return sign_in(&again, true);
    }
    let choices = match v.person() {
        Some(person) => authorize::choices(&state.issuer, person).await,
        None => Ok(Vec::new()),
    };
    let covered = consent::covers(&state.db, &account.id, &req.client.id, &req.scopes).await;
    let (choices, covered) = match (choices, covered) {
        (Ok(ch), Ok(cov)) => (ch, cov),
        (Err(e), _) | (_, Err(e)) => return crate::error::page_error(&state, v.lang, e),
    };
    let silent = req.prompt == Some(Prompt::None);
    if covered && (silent || (choices.is_empty() && req.prompt != Some(Prompt::Consent))) {
        return answer(&state, &v, &headers, &req, "", false).await;
    }
    if silent {
        return Redirect::to(&req.refused(&state.issuer, "consent_required")).into_response();
    }
    consent_page(&state, &v, &p, &req, choices).await
}

/// Issues the code and sends the person back with it.
async fn answer(
    state: &AppState,
    v: &Visitor,
    headers: &HeaderMap,
    req: &Request,
    acting: &str,
    consented: bool,
) -> Response {
    let (Some(account), Some(session)) = (&v.account, &v.session) else {
        return Redirect::to("/signin").into_response();
    };
    match authorize::issue_code(
        &state.issuer,
        req,
        &v.actor,
        &account.id,
        session.created_at,
        acting,
        consented,
    )
    .await
    {
        Ok(url) => go(state, v, headers, &url, &req.client.name),
        Err(e) => crate::error::page_error(state, v.lang, e),
    }
}

/// The consent form: the request again, the choice, and the decision.
#[derive(Deserialize)]
struct ConsentForm {
    #[serde(flatten)]
    params: Params,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    acting: String,
}

/// `POST /oidc/authorize`: the person allows or declines.
async fn authorize_post(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Posted(f): Posted<ConsentForm>,
) -> Response {
    let req = match authorize::check(&state.issuer, &f.params).await {
        Ok(Checked::Valid(r)) => r,
        Ok(Checked::Stop(key)) => return stop(&state, &v, key),
        Ok(Checked::Back(url)) => return go(&state, &v, &headers, &url, ""),
        Err(e) => return crate::error::page_error(&state, v.lang, e),
    };
    if v.account.is_none() {
        return sign_in(&f.params, false);
    }
    if f.decision != "allow" {
        return go(
            &state,
            &v,
            &headers,
            &req.denied(&state.issuer),
            &req.client.name,
        );
    }
    let acting = match (v.person(), f.acting.as_str()) {
        (_, "" | "self") => String::new(),
        (Some(person), key) => match authorize::choices(&state.issuer, person).await {
            Ok(choices) => authorize::acting_claim(&state.issuer, &req.client.id, &choices, key),
            Err(e) => return crate::error::page_error(&state, v.lang, e),
        },
        (None, _) => String::new(),
    };
    answer(&state, &v, &headers, &req, &acting, true).await
}

/// Sign-out's parameters (OpenID Connect RP-Initiated Logout 1.0).
#[derive(Deserialize, Default, Clone)]
struct LogoutParams {
    #[serde(default)]
    id_token_hint: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    post_logout_redirect_uri: String,
    #[serde(default)]
    state: String,
}

/// Where to send the person after sign-out: only an address the client registered for it,
/// with the client named by a valid hint or by `client_id` (both must agree).
async fn return_to(state: &AppState, p: &LogoutParams) -> Option<(String, String)> {
    let hinted = if p.id_token_hint.is_empty() {
        None
    } else {
        Some(
            tokens::hint(&state.issuer, &p.id_token_hint)
                .await
                .ok()??
                .aud,
        )
    };
    let client_id = match (hinted, p.client_id.as_str()) {
        (Some(h), "") => h,
        (Some(h), c) if h == c => h,
        (None, c) if !c.is_empty() => c.to_string(),
        _ => return None,
    };
    let client = clients::get(&state.db, &client_id).await.ok()??;
    if !client.usable() {
        return None;
    }
    if p.post_logout_redirect_uri.is_empty()
        || !client.logout_uris.contains(&p.post_logout_redirect_uri)
    {
        return None;
    }
    let mut url = p.post_logout_redirect_uri.clone();
    if !p.state.is_empty() {
        let s: String = form_urlencoded::byte_serialize(p.state.as_bytes()).collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&format!("state={s}"));
    }
    Some((url, client.name))
}

/// The sign-out page: asks first, or says it is done.
#[derive(Template)]
#[template(path = "oidc_logout.html")]
struct LogoutPage {
    c: Chrome,
    ask: bool,
    client: String,
    hidden: Vec<(&'static str, String)>,
}

fn logout_page(
    state: &AppState,
    v: &Visitor,
    p: &LogoutParams,
    ask: bool,
    back: Option<(String, String)>,
) -> Response {
    let client = back.map(|(_, c)| c).unwrap_or_default();
    let hidden = [
        ("id_token_hint", &p.id_token_hint),
        ("client_id", &p.client_id),
        ("post_logout_redirect_uri", &p.post_logout_redirect_uri),
        ("state", &p.state),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k, v.clone()))
    .collect();
    let mut c = Chrome::for_visitor(v, state.config.demo, "/oidc/logout");
    if !ask {
        c.signed_in = false;
    }
    let mut res = render(
        StatusCode::OK,
        &LogoutPage {
            c,
            ask,
            client,
            hidden,
        },
    );
    if !ask {
        forget_session(state, &mut res);
    }
    res
}

/// `GET /oidc/logout`: an agency's system signs the person out of Lango too. Lango asks
/// first, since anyone can link here; signed out already, it just sends them back.
async fn logout_get(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    q: Result<Query<LogoutParams>, QueryRejection>,
) -> Response {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let back = return_to(&state, &p).await;
    if v.session.is_none() {
        return match back {
            Some((url, client)) => go(&state, &v, &headers, &url, &client),
            None => logout_page(&state, &v, &p, false, None),
        };
    }
    logout_page(&state, &v, &p, true, back)
}

/// `POST /oidc/logout`: the person confirmed.
async fn logout_post(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Posted(p): Posted<LogoutParams>,
) -> Response {
    if let Some(s) = &v.session {
        if let Err(e) = lango_identity::signin::sign_out(&state.db, s).await {
            return crate::error::page_error(&state, v.lang, e);
        }
    }
    match return_to(&state, &p).await {
        Some((url, client)) => {
            let mut res = go(&state, &v, &headers, &url, &client);
            forget_session(&state, &mut res);
            res
        }
        None => logout_page(&state, &v, &p, false, None),
    }
}
