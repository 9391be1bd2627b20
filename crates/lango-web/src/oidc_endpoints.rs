//! Sign in with Lango's machine endpoints, which agency systems call directly (no cookies,
//! no forms): discovery, the JWKS, the token endpoint and userinfo. The person's side
//! (authorization, consent, sign-out) is in `pages::sign_in_with_lango`; the rules are in
//! `lango_identity::provider`.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use lango_identity::provider::{clients, tokens, OAuthError};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oidc/jwks", get(jwks))
        .route("/oidc/token", post(token))
        .route("/oidc/userinfo", get(userinfo).post(userinfo))
}

async fn discovery(State(state): State<AppState>) -> Response {
    let cache = [(header::CACHE_CONTROL, "public, max-age=3600")];
    (cache, Json(state.issuer.discovery())).into_response()
}

async fn jwks(State(state): State<AppState>) -> Response {
    match state.issuer.keys().await {
        // Short in caches: a new key must reach clients before it signs for long.
        Ok(keys) => (
            [(header::CACHE_CONTROL, "public, max-age=300")],
            Json(keys.jwks.clone()),
        )
            .into_response(),
        Err(e) => unavailable(e),
    }
}

fn unavailable(e: lango_core::Error) -> Response {
    tracing::error!(error = %e, "sign-in endpoint failed");
    oauth_error(
        StatusCode::SERVICE_UNAVAILABLE,
        &OAuthError::new("temporarily_unavailable", "try again shortly"),
    )
}

/// An OAuth error body (RFC 6749 §5.2), never cached.
fn oauth_error(status: StatusCode, e: &OAuthError) -> Response {
    let mut res = (
        status,
        Json(serde_json::json!({"error": e.error, "error_description": e.description})),
    )
        .into_response();
    no_store(res.headers_mut());
    match e.error {
        "invalid_client" => {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"lango\""),
            );
        }
        "invalid_token" => {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        _ => {}
    }
    res
}

fn no_store(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// The token request's form fields.
#[derive(Default)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    refresh_token: String,
    client_id: String,
    client_secret: String,
}

/// The client's id and secret: HTTP Basic (each part form-encoded, RFC 6749 §2.3.1) or the
/// form's fields, never both.
fn credentials(headers: &HeaderMap, f: &TokenForm) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let decode = |s: &str| -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    match (basic, f.client_secret.is_empty()) {
        (Some(pair), true) => {
            let (id, secret) = pair.split_once(':')?;
            Some((decode(id), decode(secret)))
        }
        (None, false) => Some((f.client_id.clone(), f.client_secret.clone())),
        _ => None,
    }
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let bad = |why| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            &OAuthError::new("invalid_request", why),
        )
    };
    let Ok(f) = token_form(&body) else {
        return bad("the body must be application/x-www-form-urlencoded");
    };
    let Some((id, secret)) = credentials(&headers, &f) else {
        let e = OAuthError::new(
            "invalid_client",
            "authenticate with client_secret_basic or client_secret_post",
        );
        return oauth_error(StatusCode::UNAUTHORIZED, &e);
    };
    let client = match clients::authenticate(&state.db, &id, &secret).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            let e = OAuthError::new(
                "invalid_client",
                "unknown client, wrong secret, or the client may not sign people in",
            );
            return oauth_error(StatusCode::UNAUTHORIZED, &e);
        }
        Err(e) => return unavailable(e),
    };
    let outcome = match f.grant_type.as_str() {
        "authorization_code" => {
            if f.code.is_empty() || f.code_verifier.is_empty() {
                return bad("code and code_verifier are required");
            }
            tokens::exchange_code(
                &state.issuer,
                &client,
                &f.code,
                &f.redirect_uri,
                &f.code_verifier,
            )
            .await
        }
        "refresh_token" if !f.refresh_token.is_empty() => {
            tokens::refresh(&state.issuer, &client, &f.refresh_token).await
        }
        "refresh_token" => return bad("refresh_token is required"),
        _ => {
            let e = OAuthError::new(
                "unsupported_grant_type",
                "authorization_code or refresh_token",
            );
            return oauth_error(StatusCode::BAD_REQUEST, &e);
        }
    };
    match outcome {
        Ok(Ok(t)) => {
            let mut res = Json(t).into_response();
            no_store(res.headers_mut());
            res
        }
        Ok(Err(e)) => oauth_error(StatusCode::BAD_REQUEST, &e),
        Err(e) => unavailable(e),
    }
}

/// Parses the form body; repeated or unknown fields are the client's mistake, not ours.
fn token_form(body: &[u8]) -> Result<TokenForm, ()> {
    let mut f = TokenForm::default();
    let mut seen = std::collections::HashSet::new();
    for (k, v) in form_urlencoded::parse(body) {
        if !seen.insert(k.clone()) {
            return Err(());
        }
        let v = v.into_owned();
        match k.as_ref() {
            "grant_type" => f.grant_type = v,
            "code" => f.code = v,
            "redirect_uri" => f.redirect_uri = v,
            "code_verifier" => f.code_verifier = v,
            "refresh_token" => f.refresh_token = v,
            "client_id" => f.client_id = v,
            "client_secret" => f.client_secret = v,
            _ => {}
        }
    }
    Ok(f)
}

async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    match tokens::userinfo(&state.issuer, bearer).await {
        Ok(Ok(claims)) => {
            let mut res = Json(claims).into_response();
            no_store(res.headers_mut());
            res
        }
        Ok(Err(e)) => oauth_error(StatusCode::UNAUTHORIZED, &e),
        Err(e) => unavailable(e),
    }
}
