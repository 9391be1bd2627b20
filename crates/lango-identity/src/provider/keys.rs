//! The provider's ES256 signing keys: made with ring, the private half sealed by the
//! key-encryption key (`lango_core::sealed`), rotated every [`ROTATE_MS`], and published
//! at the JWKS endpoint for as long as a token they signed can still be presented.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use lango_core::clock::now_ms;
use lango_core::db::{begin_write, Db};
use lango_core::sealed::{Column, Keyring};
use lango_core::{Error, Result};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::HashMap;

/// Where private keys are stored, sealed.
pub const SEALED: Column = Column {
    table: "oidc_keys",
    id: "kid",
    column: "private_key",
};

/// A new key signs from when the one in force is this old.
pub const ROTATE_MS: i64 = 90 * 24 * 3_600_000;

/// The keys in force: the newest signs, every published one verifies.
pub struct KeySet {
    /// The signing key's id.
    pub kid: String,
    /// The signing key.
    pub signing: EncodingKey,
    /// Every published key, by id.
    pub verifying: HashMap<String, DecodingKey>,
    /// The JWKS document.
    pub jwks: Value,
}

/// Loads the keys in force, making a new signing key when none is younger than
/// [`ROTATE_MS`] (the first node to ask makes it; the others load it).
pub async fn load(db: &Db) -> Result<KeySet> {
    let keyring = db.keyring().await?;
    let now = now_ms();
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM oidc_keys WHERE retired_at IS NULL")
            .fetch_one(db.pool())
            .await?;
    if newest.is_none_or(|at| now - at >= ROTATE_MS) {
        make(db, &keyring, newest).await?;
    }
    // The previous key stays published for one more period: longer than any token lives.
    let rows = sqlx::query(
        "SELECT kid, private_key, public_x, public_y, created_at FROM oidc_keys \
         WHERE retired_at IS NULL AND created_at > $1 ORDER BY created_at DESC, kid",
    )
    .bind(now - 2 * ROTATE_MS)
    .fetch_all(db.pool())
    .await?;
    let first = rows
        .first()
        .ok_or_else(|| Error::Internal("no sign-in key".into()))?;
    let kid: String = first.try_get("kid")?;
    let pkcs8 = B64
        .decode(keyring.open(&SEALED, &kid, &first.try_get::<String, _>("private_key")?)?)
        .map_err(|e| Error::Internal(format!("sign-in key {kid}: {e}")))?;
    let mut verifying = HashMap::new();
    let mut keys = Vec::new();
    for r in &rows {
        let (k, x, y): (String, String, String) = (
            r.try_get("kid")?,
            r.try_get("public_x")?,
            r.try_get("public_y")?,
        );
        let key = DecodingKey::from_ec_components(&x, &y)
            .map_err(|e| Error::Internal(format!("sign-in key {k}: {e}")))?;
        verifying.insert(k.clone(), key);
        keys.push(json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": k, "use": "sig", "alg": "ES256"}));
    }
    Ok(KeySet {
        kid,
        signing: EncodingKey::from_ec_der(&pkcs8),
        verifying,
        jwks: json!({ "keys": keys }),
    })
}

/// Makes a new signing key now (a key thought exposed, or a rotation ahead of time) and,
/// with `retire_old`, retires every other key at once, so that tokens they signed stop
/// verifying. Nodes take the change within a minute. Returns the new key's id.
pub async fn rotate(db: &Db, retire_old: bool) -> Result<String> {
    let keyring = db.keyring().await?;
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM oidc_keys WHERE retired_at IS NULL")
            .fetch_one(db.pool())
            .await?;
    make(db, &keyring, newest).await?;
    let kid: String = sqlx::query_scalar(
        "SELECT kid FROM oidc_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 1",
    )
    .fetch_one(db.pool())
    .await?;
    if retire_old {
        sqlx::query("UPDATE oidc_keys SET retired_at = $1 WHERE kid <> $2 AND retired_at IS NULL")
            .bind(now_ms())
            .bind(&kid)
            .execute(db.pool())
            .await?;
    }
    lango_core::audit::record(
        db,
        lango_core::audit::Entry {
            actor: "cli",
            action: "oidc.key.rotate",
            object: &format!("oidc_key:{kid}"),
            subject: "",
            detail: if retire_old {
                "others retired"
            } else {
                "others kept"
            },
        },
    )
    .await?;
    Ok(kid)
}

/// Makes a signing key unless another node made one since `seen` (the newest this node saw).
async fn make(db: &Db, keyring: &Keyring, seen: Option<i64>) -> Result<()> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| Error::Internal("cannot make a sign-in key".into()))?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|e| Error::Internal(format!("sign-in key: {e}")))?;
    // An uncompressed P-256 point: 0x04, then x and y of 32 bytes each.
    let point = pair.public_key().as_ref();
    let (x, y) = (B64.encode(&point[1..33]), B64.encode(&point[33..65]));
    let kid = B64.encode(&ring::digest::digest(&ring::digest::SHA256, point).as_ref()[..12]);
    // SQLite's writers take turns in the node rather than sleeping in its busy handler.
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM oidc_keys WHERE retired_at IS NULL")
            .fetch_one(&mut *tx)
            .await?;
    if newest != seen {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO oidc_keys (kid, private_key, public_x, public_y, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&kid)
    .bind(keyring.seal(&SEALED, &kid, &B64.encode(pkcs8.as_ref()))?)
    .bind(&x)
    .bind(&y)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: "system",
            action: "oidc.key.create",
            object: &format!("oidc_key:{kid}"),
            subject: "",
            detail: "ES256",
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(kid, "new sign-in signing key");
    Ok(())
}
