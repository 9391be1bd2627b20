//! The node's provider: who it says it is (`iss`), the keys it signs with (kept in memory
//! and reloaded every minute, so a rotation on one node reaches the others), and the
//! pairwise subject each client sees.

use super::keys::{self, KeySet};
use super::SCOPES;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit as _};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, Header, Validation};
use lango_core::db::Db;
use lango_core::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a node uses the keys it loaded before it looks again.
const RELOAD: Duration = Duration::from_secs(60);
/// How old the loaded keys must be before an unknown key id makes the node look again.
const FORCED_RELOAD: Duration = Duration::from_secs(5);

/// The `typ` of an `id_token`.
pub const ID_TOKEN: &str = "JWT";
/// The `typ` of an access token (RFC 9068).
pub const ACCESS_TOKEN: &str = "at+jwt";
/// How long a re-sign-in stamp is good for: the person signs in again within it.
const STAMP_MS: i64 = 10 * 60_000;

/// Binds sealed codes to their use.
const CODE_CONTEXT: &[u8] = b"lango-oidc-code-v1";

/// What a code carries from the authorization request to the exchange.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CodeClaims {
    /// The client it was issued to.
    pub client: String,
    /// The person.
    pub account: String,
    /// The redirect address of the request.
    pub redirect_uri: String,
    /// Scopes granted, space-separated.
    pub scope: String,
    /// The request's nonce.
    pub nonce: String,
    /// The PKCE challenge.
    pub challenge: String,
    /// The `acting_for` claim (JSON), or empty.
    pub acting_for: String,
    /// When the person signed in, unix ms.
    pub auth_time: i64,
    /// When the code stops working, unix ms.
    pub expires: i64,
}

/// Keys in memory and when they were loaded.
type Loaded = (Instant, Arc<KeySet>);

/// Lango as an OpenID provider, one per node.
#[derive(Clone)]
pub struct Issuer {
    db: Db,
    issuer: Arc<str>,
    pairwise: Arc<[u8]>,
    codes: Arc<chacha20poly1305::XChaCha20Poly1305>,
    keys: Arc<RwLock<Option<Loaded>>>,
}

impl Issuer {
    /// The provider at `public_url` (its `iss`), its pairwise secret kept in the database.
    pub async fn open(db: Db, public_url: &str) -> Result<Issuer> {
        let keyring = db.keyring().await?;
        let mut conn = db.pool().acquire().await?;
        let pairwise = lango_core::keys::kept(&mut conn, &keyring, "oidc_pairwise").await?;
        let codes = lango_core::keys::kept(&mut conn, &keyring, "oidc_codes").await?;
        drop(conn);
        let codes = chacha20poly1305::XChaCha20Poly1305::new_from_slice(&codes)
            .map_err(|e| Error::Internal(format!("code key: {e}")))?;
        Ok(Issuer {
            db,
            issuer: public_url.trim_end_matches('/').into(),
            pairwise: pairwise.into(),
            codes: Arc::new(codes),
            keys: Arc::new(RwLock::new(None)),
        })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// `iss`: the public address.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The keys in force, reloaded when older than a minute.
    pub async fn keys(&self) -> Result<Arc<KeySet>> {
        if let Ok(held) = self.keys.read() {
            if let Some((at, set)) = held.as_ref() {
                if at.elapsed() < RELOAD {
                    return Ok(set.clone());
                }
            }
        }
        let set = Arc::new(keys::load(&self.db).await?);
        if let Ok(mut held) = self.keys.write() {
            *held = Some((Instant::now(), set.clone()));
        }
        Ok(set)
    }

    /// How long ago the keys in memory were loaded.
    fn age(&self) -> Duration {
        self.keys
            .read()
            .ok()
            .and_then(|held| held.as_ref().map(|(at, _)| at.elapsed()))
            .unwrap_or(Duration::MAX)
    }

    /// Forgets the loaded keys, so the next use loads (and, when due, rotates) them.
    pub fn reload(&self) {
        if let Ok(mut held) = self.keys.write() {
            *held = None;
        }
    }

    /// Signs `claims` as a JWT of type `typ` ([`ID_TOKEN`] or [`ACCESS_TOKEN`]) with the
    /// key in force.
    pub async fn sign<T: Serialize>(&self, claims: &T, typ: &str) -> Result<String> {
        let keys = self.keys().await?;
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(keys.kid.clone());
        header.typ = Some(typ.to_string());
        jsonwebtoken::encode(&header, claims, &keys.signing)
            .map_err(|e| Error::Internal(format!("cannot sign a token: {e}")))
    }

    /// The claims of a JWT of type `typ` this provider signed for `audience` (any when
    /// `None`), or `None` when its type, signature, issuer, audience or (unless
    /// `allow_expired`) expiry fail: an access token is never taken for an `id_token`.
    pub async fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
        audience: Option<&str>,
        allow_expired: bool,
    ) -> Result<Option<T>> {
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return Ok(None);
        };
        if header.typ.as_deref() != Some(typ) {
            return Ok(None);
        }
        let Some(kid) = header.kid.as_deref() else {
            return Ok(None);
        };
        let mut keys = self.keys().await?;
        if !keys.verifying.contains_key(kid) && self.age() > FORCED_RELOAD {
            // Another node may have rotated in the last minute: look again, at most every
            // few seconds however many unknown key ids are sent.
            self.reload();
            keys = self.keys().await?;
        }
        let Some(key) = keys.verifying.get(kid) else {
            return Ok(None);
        };
        let mut v = Validation::new(Algorithm::ES256);
        v.set_issuer(&[&*self.issuer]);
        v.validate_exp = !allow_expired;
        v.leeway = 5;
        match audience {
            Some(a) => v.set_audience(&[a]),
            None => v.validate_aud = false,
        }
        Ok(jsonwebtoken::decode::<T>(token, key, &v)
            .ok()
            .map(|d| d.claims))
    }

    /// The `sub` `client` sees for `account`: the same each time, unlinkable across clients.
    pub fn subject(&self, client: &str, account: &str) -> String {
        self.mac(&[client, account])
    }

    /// A code carrying `claims`, sealed (XChaCha20-Poly1305) so that only this provider can
    /// read it and nobody can change it: the authorization request then writes nothing, and
    /// the exchange makes it single-use by storing its digest.
    pub fn seal_code(&self, claims: &CodeClaims) -> String {
        let mut nonce = chacha20poly1305::XNonce::default();
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
        let plain = serde_json::to_vec(claims).unwrap_or_default();
        let payload = chacha20poly1305::aead::Payload {
            msg: &plain,
            aad: CODE_CONTEXT,
        };
        let sealed = self.codes.encrypt(&nonce, payload).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        B64.encode(out)
    }

    /// The claims of a code this provider sealed, or `None` for anything else.
    pub fn open_code(&self, code: &str) -> Option<CodeClaims> {
        let bytes = B64
            .decode(code)
            .ok()
            .filter(|b| b.len() > 24 && b.len() < 4096)?;
        let (nonce, sealed) = bytes.split_at(24);
        let payload = chacha20poly1305::aead::Payload {
            msg: sealed,
            aad: CODE_CONTEXT,
        };
        let plain = self
            .codes
            .decrypt(chacha20poly1305::XNonce::from_slice(nonce), payload)
            .ok()?;
        serde_json::from_slice(&plain).ok()
    }

    /// A stamp saying "signed in again after `at`" for the way back from a re-sign-in that
    /// `prompt=login` or `max_age` asked for: MACed, so nobody can write one to skip it.
    pub fn stamp(&self, at: i64) -> String {
        format!("{at}.{}", self.mac(&["signed_in_after", &at.to_string()]))
    }

    /// The moment a stamp from [`Issuer::stamp`] names, if it is genuine and recent.
    pub fn read_stamp(&self, stamp: &str) -> Option<i64> {
        let (at, mac) = stamp.split_once('.')?;
        let at_ms: i64 = at.parse().ok()?;
        let fresh = (0..STAMP_MS).contains(&(lango_core::clock::now_ms() - at_ms));
        (fresh && crate::token::same(&self.mac(&["signed_in_after", at]), mac)).then_some(at_ms)
    }

    /// The HMAC of `parts` joined by NUL (which no part holds) under the pairwise secret.
    fn mac(&self, parts: &[&str]) -> String {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.pairwise)
            .expect("HMAC takes any key");
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(b"\0");
            }
            mac.update(p.as_bytes());
        }
        B64.encode(mac.finalize().into_bytes())
    }

    /// `/.well-known/openid-configuration`.
    pub fn discovery(&self) -> Value {
        let at = |path: &str| format!("{}{path}", self.issuer);
        json!({
            "issuer": &*self.issuer,
            "authorization_endpoint": at("/oidc/authorize"),
            "token_endpoint": at("/oidc/token"),
            "userinfo_endpoint": at("/oidc/userinfo"),
            "jwks_uri": at("/oidc/jwks"),
            "end_session_endpoint": at("/oidc/logout"),
            "scopes_supported": SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
                "name", "given_name", "family_name", "phone_number", "phone_number_verified",
                "email", "email_verified", "national_id", "acting_for"],
            "prompt_values_supported": ["none", "login", "consent"],
            "authorization_response_iss_parameter_supported": true,
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
        })
    }
}
