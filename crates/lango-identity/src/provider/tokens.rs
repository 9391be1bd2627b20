//! The token endpoint's two grants (a code with its PKCE verifier; a refresh token, which
//! rotates) and what a token opens: the `id_token`'s and userinfo's claims.

use super::clients::Client;
use super::issuer::{ACCESS_TOKEN, ID_TOKEN};
use super::{Issuer, OAuthError, REFRESH_MS, TOKEN_SECS};
use crate::token::{digest, random_token, same};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::begin_write;
use lango_core::Result;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// What the token endpoint answers.
#[derive(Debug, Clone, Serialize)]
pub struct Tokens {
    /// A JWT for `userinfo`.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
    /// Rotates on each use.
    pub refresh_token: String,
    /// Signed claims about the person.
    pub id_token: String,
    /// The scopes granted.
    pub scope: String,
}

/// An access token's claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Access {
    /// Issuer.
    pub iss: String,
    /// Pairwise subject.
    pub sub: String,
    /// The client.
    pub aud: String,
    /// Expires, unix seconds.
    pub exp: i64,
    /// Issued, unix seconds.
    pub iat: i64,
    /// The grant it was issued under (revoking the grant ends it).
    pub gid: String,
    /// Scopes.
    pub scope: String,
}

/// A grant as read for issuing.
struct Grant {
    id: String,
    client_id: String,
    account_id: String,
    scope: String,
    nonce: String,
    acting_for: String,
    auth_time: i64,
}

fn grant_of(r: &sqlx::any::AnyRow) -> Result<Grant> {
    Ok(Grant {
        id: r.try_get("id")?,
        client_id: r.try_get("client_id")?,
        account_id: r.try_get("account_id")?,
        scope: r.try_get("scope")?,
        nonce: r.try_get("nonce")?,
        acting_for: r.try_get("acting_for")?,
        auth_time: r.try_get("auth_time")?,
    })
}

const GRANT: &str = "g.id, g.client_id, g.account_id, g.scope, g.nonce, g.acting_for, g.auth_time";

fn invalid_grant(why: &'static str) -> OAuthError {
    OAuthError::new("invalid_grant", why)
}

/// True when `verifier` (RFC 7636: 43–128 unreserved characters) hashes to `challenge`.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let ok = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    ok && same(&B64.encode(Sha256::digest(verifier.as_bytes())), challenge)
}

/// The checks of the row a refresh token found: it exists, belongs to `client`, was not
/// used before (a second use revokes the grant: the error then says `true`, to commit), is
/// not revoked and has not expired.
async fn spend(
    tx: &mut sqlx::AnyConnection,
    row: Option<sqlx::any::AnyRow>,
    client: &Client,
    now: i64,
) -> Result<std::result::Result<Grant, (OAuthError, bool)>> {
    let Some(row) = row else {
        return Ok(Err((invalid_grant("unknown refresh token"), false)));
    };
    let grant = grant_of(&row)?;
    if grant.client_id != client.id {
        return Ok(Err((
            invalid_grant("the token was issued to another client"),
            false,
        )));
    }
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        revoke_grant(tx, &grant.id).await?;
        let e = invalid_grant("the refresh token was used before; the grant is revoked");
        return Ok(Err((e, true)));
    }
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return Ok(Err((invalid_grant("the grant is revoked"), false)));
    }
    if row.try_get::<i64, _>("expires_at")? < now {
        return Ok(Err((invalid_grant("the refresh token expired"), false)));
    }
    Ok(Ok(grant))
}

/// True when the account no longer exists or is disabled.
async fn disabled(tx: &mut sqlx::AnyConnection, account: &str) -> Result<bool> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(status.is_none_or(|s| s == "disabled"))
}

/// Answers a refusal, committing the revocation a reuse made.
async fn refused(
    tx: sqlx::Transaction<'_, sqlx::Any>,
    e: OAuthError,
    revoked: bool,
) -> Result<std::result::Result<Tokens, OAuthError>> {
    if revoked {
        tx.commit().await?;
    }
    Ok(Err(e))
}

async fn revoke_grant(tx: &mut sqlx::AnyConnection, id: &str) -> Result<()> {
    sqlx::query("UPDATE oidc_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Exchanges a code: once, by the client it was issued to, with the address and the PKCE
/// verifier of its request, while the person's consent stands. The code's digest becomes
/// the grant's key, so a code presented again finds its grant and revokes it.
pub async fn exchange_code(
    issuer: &Issuer,
    client: &Client,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<std::result::Result<Tokens, OAuthError>> {
    let now = now_ms();
    let Some(c) = issuer.open_code(code) else {
        return Ok(Err(invalid_grant("unknown code")));
    };
    if c.client != client.id {
        return Ok(Err(invalid_grant("the code was issued to another client")));
    }
    if c.expires < now {
        return Ok(Err(invalid_grant("the code expired")));
    }
    if c.redirect_uri != redirect_uri {
        return Ok(Err(invalid_grant(
            "redirect_uri differs from the request's",
        )));
    }
    if !pkce_matches(verifier, &c.challenge) {
        return Ok(Err(invalid_grant(
            "code_verifier does not match code_challenge",
        )));
    }
    let grant = Grant {
        id: uuid::Uuid::now_v7().to_string(),
        client_id: c.client,
        account_id: c.account,
        scope: c.scope,
        nonce: c.nonce,
        acting_for: c.acting_for,
        auth_time: c.auth_time,
    };
    let code_hash = digest(&[code]);
    // SQLite's writers take turns in the node rather than sleeping in its busy handler.
    let turn = issuer.db().write_turn().await;
    let mut conn = issuer.db().pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    let consented: Option<String> = sqlx::query_scalar(
        "SELECT scope FROM oidc_consents WHERE account_id = $1 AND client_id = $2",
    )
    .bind(&grant.account_id)
    .bind(&grant.client_id)
    .fetch_optional(&mut *tx)
    .await?;
    if consented.is_none() {
        return Ok(Err(invalid_grant("the person withdrew their consent")));
    }
    if disabled(&mut tx, &grant.account_id).await? {
        return Ok(Err(invalid_grant("the account is disabled")));
    }
    let stored = sqlx::query(
        "INSERT INTO oidc_grants (id, code_hash, client_id, account_id, redirect_uri, scope, nonce, \
         challenge, acting_for, auth_time, created_at, code_expires, code_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11) \
         ON CONFLICT (code_hash) DO NOTHING",
    )
    .bind(&grant.id)
    .bind(&code_hash)
    .bind(&grant.client_id)
    .bind(&grant.account_id)
    .bind(redirect_uri)
    .bind(&grant.scope)
    .bind(&grant.nonce)
    .bind(&c.challenge)
    .bind(&grant.acting_for)
    .bind(grant.auth_time)
    .bind(now)
    .bind(c.expires)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if stored == 0 {
        sqlx::query(
            "UPDATE oidc_grants SET revoked_at = $1 WHERE code_hash = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(&code_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Err(invalid_grant(
            "the code was used before; its tokens are revoked",
        )));
    }
    let refresh = new_refresh(&mut tx, &grant, "oidc.sign_in").await?;
    tx.commit().await?;
    // Signing may load (and make) keys, which writes: the turn must be free by then.
    drop(turn);
    Ok(Ok(tokens(issuer, &grant, refresh, true).await?))
}

/// Exchanges a refresh token for new tokens and a new refresh token; one presented again
/// after its use revokes the whole grant (someone holds a copy).
pub async fn refresh(
    issuer: &Issuer,
    client: &Client,
    token: &str,
) -> Result<std::result::Result<Tokens, OAuthError>> {
    let now = now_ms();
    // SQLite's writers take turns in the node rather than sleeping in its busy handler.
    let turn = issuer.db().write_turn().await;
    let mut conn = issuer.db().pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    let row = sqlx::query(&format!(
        "SELECT {GRANT}, g.revoked_at, t.used_at, t.expires_at FROM oidc_refresh_tokens t \
         JOIN oidc_grants g ON g.id = t.grant_id WHERE t.token_hash = $1"
    ))
    .bind(digest(&[token]))
    .fetch_optional(&mut *tx)
    .await?;
    let grant = match spend(&mut tx, row, client, now).await? {
        Ok(found) => found,
        Err((e, revoked)) => return refused(tx, e, revoked).await,
    };
    // Spent only if no one spent it meanwhile (PostgreSQL has no node turn to order us).
    let spent = sqlx::query(
        "UPDATE oidc_refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(digest(&[token]))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if spent == 0 {
        revoke_grant(&mut tx, &grant.id).await?;
        let e = invalid_grant("the refresh token was used before; the grant is revoked");
        return refused(tx, e, true).await;
    }
    if disabled(&mut tx, &grant.account_id).await? {
        return Ok(Err(invalid_grant("the account is disabled")));
    }
    let refresh = new_refresh(&mut tx, &grant, "oidc.refresh").await?;
    tx.commit().await?;
    drop(turn);
    Ok(Ok(tokens(issuer, &grant, refresh, false).await?))
}

/// Stores a refresh token for `grant` and audits the issue as `action`.
async fn new_refresh(tx: &mut sqlx::AnyConnection, grant: &Grant, action: &str) -> Result<String> {
    let token = random_token();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO oidc_refresh_tokens (token_hash, grant_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(digest(&[&token]))
    .bind(&grant.id)
    .bind(now)
    .bind(now + REFRESH_MS)
    .execute(&mut *tx)
    .await?;
    audit::append(
        tx,
        Entry {
            actor: &format!("oidc:{}", grant.client_id),
            action,
            object: &format!("oidc_client:{}", grant.client_id),
            subject: &grant.account_id,
            detail: &grant.scope,
        },
    )
    .await?;
    Ok(token)
}

/// Signs the tokens for `grant`; the `nonce` goes only into the first `id_token`.
async fn tokens(issuer: &Issuer, grant: &Grant, refresh: String, first: bool) -> Result<Tokens> {
    let now = now_ms() / 1000;
    let mut id = claims(
        issuer,
        &grant.account_id,
        &grant.client_id,
        &grant.scope,
        &grant.acting_for,
    )
    .await?;
    for (k, v) in [
        ("iss", Value::from(issuer.issuer())),
        ("aud", Value::from(grant.client_id.as_str())),
        ("exp", Value::from(now + TOKEN_SECS)),
        ("iat", Value::from(now)),
        ("auth_time", Value::from(grant.auth_time / 1000)),
    ] {
        id.insert(k.into(), v);
    }
    if first && !grant.nonce.is_empty() {
        id.insert("nonce".into(), Value::from(grant.nonce.as_str()));
    }
    let access = Access {
        iss: issuer.issuer().to_string(),
        sub: id["sub"].as_str().unwrap_or_default().to_string(),
        aud: grant.client_id.clone(),
        exp: now + TOKEN_SECS,
        iat: now,
        gid: grant.id.clone(),
        scope: grant.scope.clone(),
    };
    Ok(Tokens {
        access_token: issuer.sign(&access, ACCESS_TOKEN).await?,
        token_type: "Bearer",
        expires_in: TOKEN_SECS,
        refresh_token: refresh,
        id_token: issuer.sign(&id, ID_TOKEN).await?,
        scope: grant.scope.clone(),
    })
}

/// The claims `scope` opens about `account` for `client` (always `sub`).
pub async fn claims(
    issuer: &Issuer,
    account: &str,
    client: &str,
    scope: &str,
    acting_for: &str,
) -> Result<Map<String, Value>> {
    let a = crate::account::get(issuer.db(), account).await?;
    let has = |s: &str| scope.split(' ').any(|x| x == s);
    let mut c = Map::new();
    c.insert("sub".into(), issuer.subject(client, account).into());
    if has("profile") {
        c.insert(
            "name".into(),
            format!("{} {}", a.given_name, a.family_name).into(),
        );
        c.insert("given_name".into(), a.given_name.into());
        c.insert("family_name".into(), a.family_name.into());
    }
    if has("phone") {
        if let Some(p) = a.phone {
            c.insert("phone_number".into(), p.into());
            c.insert("phone_number_verified".into(), a.phone_verified.into());
        }
    }
    if has("email") {
        if let Some(e) = a.email {
            c.insert("email".into(), e.into());
            c.insert("email_verified".into(), a.email_verified.into());
        }
    }
    if has("national_id") {
        if let Some(n) = a.id_number {
            c.insert("national_id".into(), n.into());
        }
    }
    if let Ok(v) = serde_json::from_str::<Value>(acting_for) {
        // Only while the person still represents the business or cares for the dependant.
        let person = crate::account::actor(issuer.db(), account).await?;
        let still = match v["key"].as_str().and_then(|k| k.split_once(':')) {
            Some(("business", id)) => person.represents.iter().any(|b| b == id),
            Some(("dependant", id)) => person.dependants.iter().any(|d| d == id),
            _ => false,
        };
        if still {
            c.insert("acting_for".into(), v["claim"].clone());
        }
    }
    Ok(c)
}

/// The claims behind a bearer access token, or why not (`invalid_token`): a bad or
/// expired token, a revoked grant, or a client that may no longer sign people in.
pub async fn userinfo(
    issuer: &Issuer,
    bearer: &str,
) -> Result<std::result::Result<Map<String, Value>, OAuthError>> {
    let refused = || {
        Ok(Err(OAuthError::new(
            "invalid_token",
            "the access token is not valid",
        )))
    };
    let Some(access) = issuer
        .verify::<Access>(bearer, ACCESS_TOKEN, None, false)
        .await?
    else {
        return refused();
    };
    // One read: the grant stands, its client may sign people in, the account is active.
    let row = sqlx::query(
        "SELECT g.account_id, g.acting_for FROM oidc_grants g \
         JOIN oidc_clients c ON c.id = g.client_id \
         JOIN accounts a ON a.id = g.account_id \
         LEFT JOIN oidc_suspensions s ON s.agency = c.agency \
         WHERE g.id = $1 AND g.client_id = $2 AND g.revoked_at IS NULL \
         AND c.revoked_at IS NULL AND s.agency IS NULL AND a.status <> 'disabled'",
    )
    .bind(&access.gid)
    .bind(&access.aud)
    .fetch_optional(issuer.db().pool())
    .await?;
    let Some(row) = row else { return refused() };
    let account: String = row.try_get("account_id")?;
    let acting: String = row.try_get("acting_for")?;
    Ok(Ok(claims(
        issuer,
        &account,
        &access.aud,
        &access.scope,
        &acting,
    )
    .await?))
}

/// An `id_token` hint's client and subject, for sign-out (an expired one still names them).
#[derive(Debug, Clone, Deserialize)]
pub struct Hint {
    /// The client it was issued to.
    pub aud: String,
    /// The person, as that client knows them.
    pub sub: String,
}

/// Reads an `id_token_hint` this provider signed.
pub async fn hint(issuer: &Issuer, token: &str) -> Result<Option<Hint>> {
    issuer.verify::<Hint>(token, ID_TOKEN, None, true).await
}
