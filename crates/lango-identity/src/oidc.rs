//! Sign-in through a national identity provider over OpenID Connect (authorisation code
//! flow with PKCE, S256).
//!
//! `begin` stores the state, nonce and PKCE verifier server-side, so the browser carries only
//! the state; `finish` spends that row once, exchanges the code, verifies the ID token and
//! signs the person in to the account linked to their (issuer, subject), linking or creating
//! one on first sight.

use crate::model::{Email, IdKind, IdNumber, Phone};
use crate::session::{self, Client};
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    reqwest, AccessTokenHash, AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenClaims, IdTokenFields, IssuerUrl, LocalizedClaim, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::ops::Deref;

/// A state older than this is refused: the person took too long at the provider.
pub const PENDING_MS: i64 = 10 * 60 * 1000;

/// How Lango is registered with the identity provider.
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer, e.g. `https://id.example.go.ke` (discovery is fetched from below it).
    pub issuer_url: String,
    /// Lango's client id at the provider.
    pub client_id: String,
    /// Lango's client secret at the provider.
    pub client_secret: String,
    /// Where the provider sends the browser back to (`…/signin/oidc/callback`).
    pub redirect_url: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret must not reach logs through a `{:?}`.
        f.debug_struct("OidcSettings")
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_url", &self.redirect_url)
            .finish()
    }
}

/// The national identity provider's extra claim: the person's national ID number.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NationalClaims {
    /// National ID number, when the provider discloses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
}

impl AdditionalClaims for NationalClaims {}

type Claims = IdTokenClaims<NationalClaims, CoreGenderClaim>;
type IdFields = IdTokenFields<
    NationalClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcClient = openidconnect::Client<
    NationalClaims,
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

/// A sign-in just begun.
#[derive(Debug, Clone)]
pub struct Begun {
    /// Where to send the browser.
    pub url: String,
    /// What the browser keeps until it comes back (a digest of the state, for a cookie).
    pub browser: String,
}

/// The value that binds `state` to the browser that began it.
fn browser_binding(state: &str) -> String {
    crate::token::digest(&["oidc-browser", state])
}

/// Why a sign-in through the provider was refused (the person starts again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The state was begun in another browser (or this one lost its cookie).
    OtherBrowser,
    /// The state is unknown, already used, or older than ten minutes.
    UnknownState,
    /// The provider refused to exchange the code.
    CodeRefused,
    /// The ID token failed verification (signature, issuer, audience, nonce or expiry).
    TokenInvalid,
    /// The linked account is disabled.
    Disabled,
    /// An account holds this ID number under another document kind, unproven by the
    /// provider: it is never linked by the number alone (its owner signs in with its password).
    HeldByAnotherAccount,
}

/// A discovered identity provider and Lango's client registration with it.
pub struct Provider {
    metadata: CoreProviderMetadata,
    client: OidcClient,
    http: reqwest::Client,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.metadata.issuer().as_str())
            .finish_non_exhaustive()
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("oidc {what}: {e}"))
}

impl Provider {
    /// Fetches the provider's discovery document and keys and configures the client.
    pub async fn discover(settings: OidcSettings) -> Result<Provider> {
        // Following redirects would let a provider response steer requests elsewhere (SSRF).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| internal("http client", e))?;
        let issuer = IssuerUrl::new(settings.issuer_url).map_err(|e| internal("issuer url", e))?;
        let redirect =
            RedirectUrl::new(settings.redirect_url).map_err(|e| internal("redirect url", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| internal("discovery", e))?;
        let client = OidcClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(settings.client_id),
            Some(ClientSecret::new(settings.client_secret)),
        )
        .set_redirect_uri(redirect);
        Ok(Provider {
            metadata,
            client,
            http,
        })
    }

    /// The provider's issuer identifier.
    pub fn issuer(&self) -> &str {
        self.metadata.issuer().as_str()
    }

    /// Starts a sign-in: remembers state, nonce and PKCE verifier; returns the URL to send
    /// the browser to and the value the browser must keep (in a cookie) to finish it.
    pub async fn begin(&self, db: &Db) -> Result<Begun> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("phone".into()))
            .set_pkce_challenge(challenge)
            .url();
        let now = now_ms();
        // Abandoned sign-ins would otherwise pile up; nothing older is usable anyway.
        sqlx::query("DELETE FROM oidc_pending WHERE created_at < $1")
            .bind(now - PENDING_MS)
            .execute(db.pool())
            .await?;
        sqlx::query(
            "INSERT INTO oidc_pending (state, nonce, pkce_verifier, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(state.secret())
        .bind(nonce.secret())
        .bind(verifier.secret())
        .bind(now)
        .execute(db.pool())
        .await?;
        Ok(Begun {
            url: url.to_string(),
            browser: browser_binding(state.secret()),
        })
    }

    /// Completes a sign-in from the provider's redirect; returns the account id and the new
    /// session's token, or why it was refused.
    /// `browser` is what the browser kept from [`Provider::begin`] (empty when it has none):
    /// a state begun in another browser is refused, so nobody can sign a victim in to the
    /// attacker's account by sending them the attacker's callback link (login CSRF).
    pub async fn finish(
        &self,
        db: &Db,
        code: &str,
        state: &str,
        browser: &str,
        client: &Client,
    ) -> Result<std::result::Result<(String, String), Refusal>> {
        // Deleting first, on its own, spends the state even if a later step fails, and of two
        // racing callbacks only one gets the row back.
        let pending = sqlx::query(
            "DELETE FROM oidc_pending WHERE state = $1 RETURNING nonce, pkce_verifier, created_at",
        )
        .bind(state)
        .fetch_optional(db.pool())
        .await?;
        let Some(row) = pending else {
            return Ok(Err(Refusal::UnknownState));
        };
        // Spent anyway: a state that reached the wrong browser (the attacker's own, in a login
        // CSRF) must not be tried again.
        if !crate::token::same(&browser_binding(state), browser) {
            return Ok(Err(Refusal::OtherBrowser));
        }
        let created_at: i64 = row.try_get("created_at")?;
        if now_ms() - created_at > PENDING_MS {
            return Ok(Err(Refusal::UnknownState));
        }
        let nonce = Nonce::new(row.try_get("nonce")?);
        let verifier = PkceCodeVerifier::new(row.try_get("pkce_verifier")?);

        let exchanged = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| internal("token endpoint", e))?
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await;
        let response = match exchanged {
            Ok(r) => r,
            Err(RequestTokenError::ServerResponse(e)) => {
                tracing::info!(error = %e, "identity provider refused the code");
                return Ok(Err(Refusal::CodeRefused));
            }
            Err(e) => return Err(internal("token exchange", e)),
        };
        let Some(id_token) = response.id_token() else {
            return Ok(Err(Refusal::TokenInvalid));
        };
        let id_verifier = self.client.id_token_verifier();
        let claims = match id_token.claims(&id_verifier, &nonce) {
            Ok(c) => c.clone(),
            Err(e) => {
                tracing::warn!(error = %e, "ID token refused");
                return Ok(Err(Refusal::TokenInvalid));
            }
        };
        // at_hash is optional; when present it binds the access token to this ID token.
        if let Some(expected) = claims.access_token_hash() {
            let actual = id_token
                .signing_alg()
                .ok()
                .zip(id_token.signing_key(&id_verifier).ok())
                .and_then(|(alg, key)| {
                    AccessTokenHash::from_token(response.access_token(), alg, key).ok()
                });
            if actual.as_ref() != Some(expected) {
                return Ok(Err(Refusal::TokenInvalid));
            }
        }
        self.sign_in(db, &claims, client).await
    }

    /// Finds, links or creates the account for verified claims and starts its session, all
    /// in one transaction.
    async fn sign_in(
        &self,
        db: &Db,
        claims: &Claims,
        client: &Client,
    ) -> Result<std::result::Result<(String, String), Refusal>> {
        let issuer = claims.issuer().as_str();
        let subject = claims.subject().as_str();
        let national_id = claims
            .additional_claims()
            .national_id
            .as_deref()
            .and_then(|n| IdNumber::parse(IdKind::NationalId, n).ok());
        let now = now_ms();
        let mut tx = db.pool().begin().await?;
        let linked: Option<String> = sqlx::query_scalar(
            "SELECT account_id FROM oidc_links WHERE issuer = $1 AND subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&mut *tx)
        .await?;
        let (account_id, newly) = match linked {
            Some(id) => (id, None),
            None => {
                // One number, one identity: an account registered with this number as an
                // alien ID or passport was never proven to be this person's.
                let existing: Option<(String, String)> = match &national_id {
                    Some(n) => {
                        sqlx::query_as("SELECT id, id_kind FROM accounts WHERE id_number = $1")
                            .bind(n.as_str())
                            .fetch_optional(&mut *tx)
                            .await?
                    }
                    None => None,
                };
                let existing = match existing {
                    Some((_, kind)) if kind != "national_id" => {
                        return Ok(Err(Refusal::HeldByAnotherAccount))
                    }
                    other => other.map(|(id, _)| id),
                };
                let (id, action) = match existing {
                    Some(id) => (id, "account.link"),
                    None => (
                        create_account(&mut tx, claims, national_id.as_ref(), now).await?,
                        "account.register",
                    ),
                };
                sqlx::query(
                    "INSERT INTO oidc_links (issuer, subject, account_id, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(issuer)
                .bind(subject)
                .bind(&id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (id, Some(action))
            }
        };
        let status: String = sqlx::query_scalar("SELECT status FROM accounts WHERE id = $1")
            .bind(&account_id)
            .fetch_one(&mut *tx)
            .await?;
        if status == "disabled" {
            // Rolls back a link just made: a disabled account gains nothing from this visit.
            return Ok(Err(Refusal::Disabled));
        }
        let token = session::create(&mut tx, &account_id, false, client).await?;
        let (who, detail) = (format!("account:{account_id}"), format!("oidc {issuer}"));
        for action in newly.into_iter().chain(["session.start"]) {
            let entry = Entry {
                actor: &who,
                action,
                object: &who,
                subject: &account_id,
                detail: &detail,
            };
            audit::append(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(Ok((account_id, token)))
    }
}

/// A name claim as stored: trimmed, without control characters, at most 100 characters
/// (the provider's data is trusted for identity, not for shape).
fn clean_name<T: Deref<Target = String>>(claim: Option<&LocalizedClaim<T>>) -> String {
    let raw = claim.and_then(|c| c.get(None)).map_or("", |n| n.as_str());
    raw.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect()
}

/// Inserts an active citizen account from the ID token's claims; returns its id.
async fn create_account(
    tx: &mut sqlx::AnyConnection,
    claims: &Claims,
    national_id: Option<&IdNumber>,
    now: i64,
) -> Result<String> {
    let given = clean_name(claims.given_name());
    let family = clean_name(claims.family_name());
    let mut email = claims.email().and_then(|e| Email::parse(e.as_str()).ok());
    if let Some(e) = &email {
        // An address another account already holds stays with that account; the person can
        // add a different one later.
        let owner: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
            .bind(e.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if owner.is_some() {
            email = None;
        }
    }
    let phone = claims
        .phone_number()
        .and_then(|p| Phone::parse(p.as_str()).ok());
    let verified_at =
        |present: bool, flag: Option<bool>| (present && flag == Some(true)).then_some(now);
    let email_verified_at = verified_at(email.is_some(), claims.email_verified());
    let phone_verified_at = verified_at(phone.is_some(), claims.phone_number_verified());
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO accounts (id, kind, id_kind, id_number, given_name, family_name, phone, email, \
         phone_verified_at, email_verified_at, status, language, created_at, updated_at) \
         VALUES ($1, 'citizen', $2, $3, $4, $5, $6, $7, $8, $9, 'active', 'en', $10, $10)",
    )
    .bind(&id)
    .bind(national_id.map(|n| n.kind.as_str()))
    .bind(national_id.map(|n| n.as_str().to_string()))
    .bind(given)
    .bind(family)
    .bind(phone.as_ref().map(|p| p.as_str().to_string()))
    .bind(email.as_ref().map(|e| e.as_str().to_string()))
    .bind(phone_verified_at)
    .bind(email_verified_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(id)
}
