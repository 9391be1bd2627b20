//! Sign in with Lango: Lango as the OpenID Connect provider of agency systems.
//!
//! An agency registers its system as a client ([`clients`]); a person signing in to that
//! system is sent to Lango's authorization endpoint, signs in here, agrees once to what the
//! system receives ([`consent`]), and the system exchanges the code it gets back for an
//! `id_token`, an access token and a refresh token ([`tokens`]), all signed ES256 with keys
//! that rotate and are published as a JWKS ([`keys`]).
//!
//! The rules, as the issue and DESIGN set them:
//! - authorization code flow only, with PKCE S256 (`plain` and no challenge are refused);
//! - redirect URIs match a registered one exactly, or Lango never redirects;
//! - `sub` is pairwise: a client learns nothing it could match with another client's;
//! - the national ID number only with scope `national_id`, for clients allowed it;
//! - a code used twice revokes what was issued from it; a refresh token rotates on use,
//!   and a used one presented again revokes the whole grant;
//! - every token issued is audited against the person it concerns.

pub mod authorize;
pub mod clients;
pub mod consent;
pub mod issuer;
pub mod keys;
pub mod tokens;

pub use issuer::{CodeClaims, Issuer, ACCESS_TOKEN, ID_TOKEN};

/// How long a code may wait for its exchange.
pub const CODE_MS: i64 = 60_000;
/// How long an access token and an `id_token` live, seconds.
pub const TOKEN_SECS: i64 = 600;
/// How long a refresh token lives unused.
pub const REFRESH_MS: i64 = 30 * 24 * 3_600_000;

/// A refusal in OAuth's own words (RFC 6749 §4.1.2.1 and §5.2): its `error` code and a
/// description for the integrator. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `access_denied`, `login_required`,
    /// `consent_required`, `unsupported_response_type`, `invalid_token`.
    pub error: &'static str,
    /// What was wrong.
    pub description: &'static str,
}

impl OAuthError {
    /// A refusal with `error` and `description`.
    pub const fn new(error: &'static str, description: &'static str) -> OAuthError {
        OAuthError { error, description }
    }
}

/// The scopes Lango knows, in the order claims are listed to people.
pub const SCOPES: [&str; 5] = ["openid", "profile", "phone", "email", "national_id"];
