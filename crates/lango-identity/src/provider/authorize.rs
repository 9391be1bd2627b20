//! The authorization request: checked in the order that keeps Lango from ever redirecting
//! to an address the client did not register, then, once the person has signed in and
//! agreed, answered with a single-use code bound to the client, the address and the PKCE
//! challenge.

use super::clients::{self, Client};
use super::{consent, CodeClaims, Issuer, OAuthError, CODE_MS, SCOPES};
use crate::policy::{Actor, Person};
use lango_core::clock::now_ms;
use lango_core::db::begin_write;
use lango_core::Result;
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The request's parameters, as sent (query string, or the consent form's hidden fields).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Params {
    /// Must be `code`.
    #[serde(default)]
    pub response_type: String,
    /// The client.
    #[serde(default)]
    pub client_id: String,
    /// One of the client's registered addresses, exactly.
    #[serde(default)]
    pub redirect_uri: String,
    /// Space-separated; must hold `openid`.
    #[serde(default)]
    pub scope: String,
    /// Returned as given.
    #[serde(default)]
    pub state: String,
    /// Put into the `id_token`.
    #[serde(default)]
    pub nonce: String,
    /// BASE64URL(SHA-256(verifier)).
    #[serde(default)]
    pub code_challenge: String,
    /// Must be `S256`.
    #[serde(default)]
    pub code_challenge_method: String,
    /// `none`, `login` or `consent`.
    #[serde(default)]
    pub prompt: String,
    /// Seconds since the person last signed in that the client accepts.
    #[serde(default)]
    pub max_age: String,
    /// Lango's own: the sign-in asked for by `prompt=login`/`max_age` happened after this
    /// (unix ms); a session younger than it satisfies them.
    #[serde(default)]
    pub signed_in_after: String,
}

/// What the person is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Nothing may be shown: answer at once or with an error.
    None,
    /// Sign in again, whatever the session.
    Login,
    /// Ask for consent again.
    Consent,
}

/// A checked request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The client.
    pub client: Client,
    /// Where the answer goes.
    pub redirect_uri: String,
    /// The scopes Lango knows, in its order (unknown ones are ignored, as OpenID allows).
    pub scopes: Vec<&'static str>,
    /// Echoed back.
    pub state: String,
    /// For the `id_token`.
    pub nonce: String,
    /// The PKCE challenge.
    pub challenge: String,
    /// What may be shown.
    pub prompt: Option<Prompt>,
    /// Longest age of the sign-in, ms.
    pub max_age_ms: Option<i64>,
    /// See [`Params::signed_in_after`].
    pub signed_in_after: Option<i64>,
}

/// The outcome of checking a request.
#[derive(Debug)]
pub enum Checked {
    /// Lango shows an error page and never redirects (word key): the client or the
    /// address cannot be trusted, or the agency's sign-in is suspended.
    Stop(&'static str),
    /// The error goes back to the client, at this address.
    Back(String),
    /// A request to answer.
    Valid(Box<Request>),
}

fn base64url(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks `p`: the client and address first (a failure stops here), the rest after.
pub async fn check(issuer: &Issuer, p: &Params) -> Result<Checked> {
    // No database keeps a NUL in text: such a request is refused before any is asked.
    let all = [
        &p.client_id,
        &p.redirect_uri,
        &p.scope,
        &p.state,
        &p.nonce,
        &p.code_challenge,
        &p.prompt,
        &p.max_age,
    ];
    if all.iter().any(|v| v.contains('\0')) {
        return Ok(Checked::Stop("oidc_unknown_client"));
    }
    let client = match clients::get(issuer.db(), p.client_id.trim()).await? {
        Some(c) if c.revoked_at.is_none() => c,
        _ => return Ok(Checked::Stop("oidc_unknown_client")),
    };
    if !client.redirect_uris.contains(&p.redirect_uri) {
        return Ok(Checked::Stop("oidc_bad_redirect"));
    }
    if client.suspended {
        return Ok(Checked::Stop("oidc_suspended"));
    }
    let back = |e: OAuthError| {
        Ok(Checked::Back(error_url(
            issuer,
            &p.redirect_uri,
            &e,
            &p.state,
        )))
    };
    if p.state.len() > 500 || p.nonce.len() > 500 {
        return back(OAuthError::new(
            "invalid_request",
            "state and nonce are at most 500 characters",
        ));
    }
    if p.response_type != "code" {
        return back(OAuthError::new(
            "unsupported_response_type",
            "only response_type=code",
        ));
    }
    let asked: Vec<&str> = p.scope.split(' ').filter(|s| !s.is_empty()).collect();
    if !asked.contains(&"openid") {
        return back(OAuthError::new(
            "invalid_scope",
            "scope must include openid",
        ));
    }
    if asked.contains(&"national_id") && !client.national_id {
        return back(OAuthError::new(
            "invalid_scope",
            "this client may not receive national_id",
        ));
    }
    if p.code_challenge_method != "S256" || !base64url(&p.code_challenge, 43..=43) {
        return back(OAuthError::new(
            "invalid_request",
            "PKCE is required: code_challenge with code_challenge_method=S256",
        ));
    }
    let prompt = match p.prompt.as_str() {
        "" => None,
        "none" => Some(Prompt::None),
        "login" => Some(Prompt::Login),
        "consent" => Some(Prompt::Consent),
        _ => {
            return back(OAuthError::new(
                "invalid_request",
                "prompt is none, login or consent",
            ))
        }
    };
    let max_age_ms = match p.max_age.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(s) if (0..=10 * 365 * 86_400).contains(&s) => Some(s * 1000),
            _ => {
                return back(OAuthError::new(
                    "invalid_request",
                    "max_age is a number of seconds",
                ))
            }
        },
    };
    Ok(Checked::Valid(Box::new(Request {
        scopes: SCOPES.into_iter().filter(|s| asked.contains(s)).collect(),
        redirect_uri: p.redirect_uri.clone(),
        state: p.state.clone(),
        nonce: p.nonce.clone(),
        challenge: p.code_challenge.clone(),
        prompt,
        max_age_ms,
        signed_in_after: issuer.read_stamp(&p.signed_in_after),
        client,
    })))
}

/// `redirect_uri` with `pairs` added to its query.
fn with_query(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = redirect_uri.to_string();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(&query);
    url
}

/// The client's address with an error for it (RFC 6749 §4.1.2.1, RFC 9207's `iss`).
pub fn error_url(issuer: &Issuer, redirect_uri: &str, e: &OAuthError, state: &str) -> String {
    with_query(
        redirect_uri,
        &[
            ("error", e.error),
            ("error_description", e.description),
            ("state", state),
            ("iss", issuer.issuer()),
        ],
    )
}

impl Request {
    /// True when the person must sign in (again) first: `prompt=login`, or a sign-in
    /// older than `max_age`, unless they signed in since the request asked for it.
    pub fn needs_sign_in(&self, signed_in_at: i64) -> bool {
        if self
            .signed_in_after
            .is_some_and(|after| signed_in_at >= after)
        {
            return false;
        }
        self.prompt == Some(Prompt::Login)
            || self.max_age_ms.is_some_and(|m| now_ms() - signed_in_at > m)
    }

    /// The error for a request that may show nothing but would have to.
    pub fn refused(&self, issuer: &Issuer, error: &'static str) -> String {
        let e = OAuthError::new(error, "the person must act at Lango first");
        error_url(issuer, &self.redirect_uri, &e, &self.state)
    }

    /// The person declined.
    pub fn denied(&self, issuer: &Issuer) -> String {
        let e = OAuthError::new("access_denied", "the person declined");
        error_url(issuer, &self.redirect_uri, &e, &self.state)
    }
}

/// Someone a person may act for when signing in to an agency's system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    /// `business:ID` or `dependant:ID`: the form's value.
    pub key: String,
    /// `business` or `dependant`.
    pub kind: &'static str,
    /// Their name.
    pub name: String,
    /// The business's registration number (empty for a dependant).
    pub number: String,
}

/// The businesses and dependants `person` may act for, by name.
pub async fn choices(issuer: &Issuer, person: &Person) -> Result<Vec<Acting>> {
    let db = issuer.db();
    let mut out = Vec::new();
    for id in &person.represents {
        let row = sqlx::query("SELECT name, registration_number FROM businesses WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
        if let Some(r) = row {
            out.push(Acting {
                key: format!("business:{id}"),
                kind: "business",
                name: r.try_get("name")?,
                number: r.try_get("registration_number")?,
            });
        }
    }
    for id in &person.dependants {
        let row = sqlx::query("SELECT given_name, family_name FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
        if let Some(r) = row {
            let (g, f): (String, String) = (r.try_get("given_name")?, r.try_get("family_name")?);
            out.push(Acting {
                key: format!("dependant:{id}"),
                kind: "dependant",
                name: format!("{g} {f}"),
                number: String::new(),
            });
        }
    }
    Ok(out)
}

/// The `acting_for` claim for the choice `key` among `choices` (`None` for oneself or a
/// key that is not among them: a person acts only for whom the policy lets them).
pub fn acting_claim(issuer: &Issuer, client: &str, choices: &[Acting], key: &str) -> String {
    let Some(a) = choices.iter().find(|a| a.key == key) else {
        return String::new();
    };
    let claim = match a.kind {
        "business" => {
            serde_json::json!({"type": "business", "name": a.name, "registration_number": a.number})
        }
        _ => {
            let id = a.key.trim_start_matches("dependant:");
            serde_json::json!({"type": "dependant", "name": a.name, "sub": issuer.subject(client, id)})
        }
    };
    // The choice goes with the claim, so each use can check it still holds.
    serde_json::json!({"key": a.key, "claim": claim}).to_string()
}

/// Records the person's consent (when `consented`) and makes a code for `req`; returns
/// the address to send the person to, with the code.
pub async fn issue_code(
    issuer: &Issuer,
    req: &Request,
    actor: &Actor,
    account: &str,
    signed_in_at: i64,
    acting_for: &str,
    consented: bool,
) -> Result<String> {
    if consented {
        // SQLite's writers take turns in the node rather than sleeping in its busy handler.
        let _turn = issuer.db().write_turn().await;
        let mut conn = issuer.db().pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        consent::grant(&mut tx, actor, account, &req.client.id, &req.scopes).await?;
        tx.commit().await?;
    }
    let code = issuer.seal_code(&CodeClaims {
        client: req.client.id.clone(),
        account: account.to_string(),
        redirect_uri: req.redirect_uri.clone(),
        scope: req.scopes.join(" "),
        nonce: req.nonce.clone(),
        challenge: req.challenge.clone(),
        acting_for: acting_for.to_string(),
        auth_time: signed_in_at,
        expires: now_ms() + CODE_MS,
    });
    Ok(with_query(
        &req.redirect_uri,
        &[
            ("code", &code),
            ("state", &req.state),
            ("iss", issuer.issuer()),
        ],
    ))
}
