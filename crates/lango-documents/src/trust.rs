//! The trust list: every agency's public signing keys with their validity, and every
//! revoked document, signed by the platform's root key so that a copy downloaded once can
//! be trusted offline. Served at `/.well-known/lango/trust-list.json`.

use crate::Invalid;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The published list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// Who publishes it: the platform's public address.
    pub issuer: String,
    /// When it was made, RFC 3339.
    pub updated: String,
    /// Every signing key, current and retired (old documents stay verifiable).
    pub keys: Vec<TrustedKey>,
    /// Every revoked document.
    pub revoked: Vec<Revocation>,
    /// The root key that signs the list (verifiers pin it the first time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<RootKey>,
    /// Base64url Ed25519 signature by `root` over the list without this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// An agency's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// Base64url of the COSE key id.
    pub kid: String,
    /// `EdDSA`.
    pub alg: String,
    /// The key itself.
    pub jwk: Jwk,
    /// The agency whose documents it signs.
    pub agency: String,
    /// First day it signs, `YYYY-MM-DD`.
    pub not_before: String,
    /// Last day it signs, `YYYY-MM-DD`.
    pub not_after: String,
}

/// An Ed25519 public key as a JSON Web Key (RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// The 32-byte public key, base64url.
    pub x: String,
}

/// A revoked document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// Its number.
    pub number: String,
    /// When, RFC 3339.
    pub revoked_at: String,
    /// Why, in the issuing agency's words.
    pub reason: String,
}

/// The root key's public half.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootKey {
    /// Base64url of its key id.
    pub kid: String,
    /// The key.
    pub jwk: Jwk,
}

impl Jwk {
    /// The JWK of an Ed25519 public key.
    pub fn ed25519(public: &VerifyingKey) -> Jwk {
        Jwk::okp(B64.encode(public.as_bytes()))
    }

    /// The JWK of an Ed25519 public key given as base64url (as stored and as typed).
    pub fn okp(x: String) -> Jwk {
        Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x,
        }
    }

    /// The key, when this is a well-formed Ed25519 JWK.
    pub fn key(&self) -> Option<VerifyingKey> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return None;
        }
        let bytes: [u8; 32] = B64.decode(&self.x).ok()?.try_into().ok()?;
        VerifyingKey::from_bytes(&bytes).ok()
    }
}

/// Base64url of a key id, as the list names keys.
pub fn kid_text(kid: &[u8]) -> String {
    B64.encode(kid)
}

impl TrustList {
    /// The bytes the root signs: the list as JSON without its signature.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let unsigned = TrustList {
            signature: None,
            ..self.clone()
        };
        serde_json::to_vec(&unsigned).unwrap_or_default()
    }

    /// Names `root` as the list's root and signs the list with it.
    pub fn sign(&mut self, root: &SigningKey) {
        let public = root.verifying_key();
        self.root = Some(RootKey {
            kid: kid_text(&crate::qr::key_id(public.as_bytes())),
            jwk: Jwk::ed25519(&public),
        });
        self.signature = None;
        let signature = root.sign(&self.signing_bytes());
        self.signature = Some(B64.encode(signature.to_bytes()));
    }

    /// Checks the list's signature by its root, and that the root is `pinned` when given.
    pub fn check_signature(&self, pinned: Option<&VerifyingKey>) -> Result<(), Invalid> {
        let root = self
            .root
            .as_ref()
            .and_then(|r| r.jwk.key())
            .ok_or(Invalid::TrustList("no root key"))?;
        if pinned.is_some_and(|p| p != &root) {
            return Err(Invalid::TrustList(
                "signed by another root than the one pinned",
            ));
        }
        let signature = self
            .signature
            .as_deref()
            .and_then(|s| B64.decode(s).ok())
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or(Invalid::TrustList("no signature"))?;
        root.verify_strict(&self.signing_bytes(), &signature)
            .map_err(|_| Invalid::TrustList("the signature does not match"))
    }

    /// The key with this id.
    pub fn key(&self, kid: &[u8]) -> Option<&TrustedKey> {
        let kid = kid_text(kid);
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The revocation of document `number`, if it is revoked.
    pub fn revocation(&self, number: &str) -> Option<&Revocation> {
        self.revoked.iter().find(|r| r.number == number)
    }
}
