//! Agencies' signing keys and the platform's root key, kept in the database with their
//! private halves sealed by the key-encryption key (`lango_core::sealed`; an HSM or KMS
//! takes its place through the same `Kek` seam), and the trust list made from them.

use crate::qr::key_id;
use crate::trust::{kid_text, Jwk, Revocation, TrustList, TrustedKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::SigningKey;
use lango_core::clock::{now_ms, Civil};
use lango_core::db::Db;
use lango_core::sealed::{Column, Keyring};
use lango_core::{Error, Result};
use lango_identity::policy::{check, Action, Actor, Object};
use rand::RngCore;
use sqlx::Row;

/// Where private keys are stored, sealed.
pub const SEALED: Column = Column {
    table: "document_keys",
    id: "kid",
    column: "private_key",
};

/// The agency name of the platform's root key.
pub const ROOT: &str = "";

/// How long a new key signs, in years.
pub const KEY_YEARS: i64 = 3;

/// Today in East Africa Time, `YYYY-MM-DD`: the day documents are dated by.
pub fn today() -> String {
    Civil::local(now_ms()).date()
}

/// The first day a new key signs: yesterday, so that a key made just after midnight in
/// Nairobi also signs a document dated by the UTC day, which is still the day before.
fn yesterday() -> String {
    Civil::local(now_ms() - 86_400_000).date()
}

fn plus_years(date: &str, years: i64) -> String {
    let year: i64 = date[..4].parse().unwrap_or(2026);
    // 29 February moves to 28 February in a year that has none.
    let rest = if &date[4..] == "-02-29" {
        "-02-28"
    } else {
        &date[4..]
    };
    format!("{:04}{rest}", year + years)
}

/// The key `agency` signs with today, made now if it has none in force.
pub async fn signing_key(db: &Db, agency: &str) -> Result<SigningKey> {
    let keyring = db.keyring().await?;
    let mut conn = db.pool().acquire().await?;
    signing_key_in(&mut conn, &keyring, agency).await
}

/// [`signing_key`] on `conn`: inside the transaction that issues a document (SQLite has
/// one writer, so the key is made in that transaction, not beside it).
pub async fn signing_key_in(
    conn: &mut sqlx::AnyConnection,
    keyring: &Keyring,
    agency: &str,
) -> Result<SigningKey> {
    if let Some(key) = current(conn, keyring, agency).await? {
        return Ok(key);
    }
    if make(conn, keyring, agency, &yesterday()).await? {
        if let Some(key) = current(conn, keyring, agency).await? {
            return Ok(key);
        }
    }
    // Another node made the root key a moment ago (there is only ever one): use it.
    current(conn, keyring, agency)
        .await?
        .ok_or_else(|| Error::Internal(format!("no signing key for {agency:?}")))
}

/// The key in force for `agency`; the root key has no end (verifiers pin it).
async fn current(
    conn: &mut sqlx::AnyConnection,
    keyring: &Keyring,
    agency: &str,
) -> Result<Option<SigningKey>> {
    let today = today();
    let row = sqlx::query(
        "SELECT kid, private_key FROM document_keys WHERE agency = $1 AND retired_at IS NULL \
         AND (agency = '' OR (not_before <= $2 AND not_after >= $2)) \
         ORDER BY created_at DESC, kid LIMIT 1",
    )
    .bind(agency)
    .bind(&today)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        open(
            keyring,
            &r.try_get::<String, _>("kid")?,
            &r.try_get::<String, _>("private_key")?,
        )
    })
    .transpose()
}

fn open(keyring: &Keyring, kid: &str, sealed: &str) -> Result<SigningKey> {
    let secret = keyring.open(&SEALED, kid, sealed)?;
    let bytes: [u8; 32] = B64
        .decode(secret)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::Internal(format!("signing key {kid} is not 32 bytes")))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Makes a new key for `agency`, in force from `from` for [`KEY_YEARS`]; false when the
/// root key it would make already exists (one root, even when two nodes start at once).
async fn make(
    conn: &mut sqlx::AnyConnection,
    keyring: &Keyring,
    agency: &str,
    from: &str,
) -> Result<bool> {
    let mut seed = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut seed);
    let key = SigningKey::from_bytes(&seed);
    let public = key.verifying_key();
    let kid = kid_text(&key_id(public.as_bytes()));
    let made = sqlx::query(
        "INSERT INTO document_keys (kid, agency, public_key, private_key, not_before, not_after, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(&kid)
    .bind(agency)
    .bind(B64.encode(public.as_bytes()))
    .bind(keyring.seal(&SEALED, &kid, &B64.encode(seed))?)
    .bind(from)
    .bind(plus_years(from, KEY_YEARS))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(made == 1)
}

/// A signing key as platform administrators see it (never its private half).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Its id, base64url.
    pub kid: String,
    /// Whose it is (empty for the platform's root key).
    pub agency: String,
    /// First day it signs.
    pub not_before: String,
    /// Last day it signs.
    pub not_after: String,
    /// True once retired by a rotation.
    pub retired: bool,
    /// True once its last day has passed (it no longer signs; a rotation makes the next).
    pub expired: bool,
}

/// Every signing key, by agency, newest first within each (platform administrators).
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<KeyInfo>> {
    check(actor, Action::View, Object::Platform)?;
    let rows = sqlx::query(
        "SELECT kid, agency, not_before, not_after, retired_at FROM document_keys \
         ORDER BY agency, created_at DESC, kid",
    )
    .fetch_all(db.pool())
    .await?;
    let today = Civil::from_ms(now_ms()).date();
    rows.iter()
        .map(|r| {
            let not_after: String = r.try_get("not_after")?;
            Ok(KeyInfo {
                kid: r.try_get("kid")?,
                agency: r.try_get("agency")?,
                not_before: r.try_get("not_before")?,
                expired: not_after < today,
                not_after,
                retired: r.try_get::<Option<i64>, _>("retired_at")?.is_some(),
            })
        })
        .collect()
}

/// Rotates `agency`'s key (platform administrators): the key in force is retired (it stops
/// signing today and stays in the trust list, so what it signed still verifies) and its
/// successor made, in one audited transaction. The root key is not rotated here: verifiers
/// pin it, so replacing it is an announced operation.
pub async fn rotate(db: &Db, actor: &Actor, agency: &str) -> Result<String> {
    check(actor, Action::Edit, Object::Platform)?;
    if agency == ROOT {
        return Err(Error::Forbidden(
            "the root key is not rotated from here".into(),
        ));
    }
    // Only an agency of the catalogue has a key to rotate: no key is made for a typo.
    let known: Option<String> = sqlx::query_scalar("SELECT code FROM agencies WHERE code = $1")
        .bind(agency)
        .fetch_optional(db.pool())
        .await?;
    if known.is_none() {
        return Err(Error::NotFound("agency".into()));
    }
    let keyring = db.keyring().await?;
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "UPDATE document_keys SET retired_at = $1, \
         not_after = CASE WHEN not_after > $2 THEN $2 ELSE not_after END \
         WHERE agency = $3 AND retired_at IS NULL",
    )
    .bind(now_ms())
    .bind(today())
    .bind(agency)
    .execute(&mut *tx)
    .await?;
    make(&mut tx, &keyring, agency, &yesterday()).await?;
    let key = current(&mut tx, &keyring, agency)
        .await?
        .ok_or_else(|| Error::Internal(format!("no key made for {agency}")))?;
    let kid = kid_text(&key_id(key.verifying_key().as_bytes()));
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: &lango_identity::account::actor_label(actor),
            action: "document_key.rotate",
            object: &format!("agency:{agency}"),
            subject: "",
            detail: &kid,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(kid)
}

/// Revokes document `number` of `agency`: listed in the trust list from now on. Revoking
/// again keeps the first reason.
pub async fn revoke(db: &Db, agency: &str, number: &str, reason: &str, by: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO document_revocations (number, agency, reason, revoked_by, revoked_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number) DO NOTHING",
    )
    .bind(number)
    .bind(agency)
    .bind(reason)
    .bind(by)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The trust list as published by `issuer`: every agency key and revocation, signed by the
/// root key (made on first use).
pub async fn trust_list(db: &Db, issuer: &str) -> Result<TrustList> {
    let rows = sqlx::query(
        "SELECT kid, agency, public_key, not_before, not_after FROM document_keys \
         WHERE agency <> $1 ORDER BY agency, created_at, kid",
    )
    .bind(ROOT)
    .fetch_all(db.pool())
    .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for r in &rows {
        // Stored as the JWK carries it: base64url of the 32 bytes.
        keys.push(TrustedKey {
            kid: r.try_get("kid")?,
            alg: "EdDSA".into(),
            jwk: Jwk::okp(r.try_get("public_key")?),
            agency: r.try_get("agency")?,
            not_before: r.try_get("not_before")?,
            not_after: r.try_get("not_after")?,
        });
    }
    let revoked = sqlx::query(
        "SELECT number, reason, revoked_at FROM document_revocations ORDER BY revoked_at, number",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Revocation {
            number: r.try_get("number")?,
            revoked_at: Civil::rfc3339(r.try_get("revoked_at")?),
            reason: r.try_get("reason")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let mut list = TrustList {
        issuer: issuer.to_string(),
        updated: Civil::rfc3339(now_ms()),
        keys,
        revoked,
        root: None,
        signature: None,
    };
    list.sign(&signing_key(db, ROOT).await?);
    Ok(list)
}

/// Files decoded at once for [`check_here`]: reading a PDF or a photo takes a core for a
/// moment, and the public verify page must not let uploads take every core.
static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Checks what a verifier brought to this platform's own verify page (a pasted code, a PDF,
/// a photo) exactly as an offline verifier would: against the trust list this platform
/// publishes, on today's UTC date; off the async threads, at most two at a time.
pub async fn check_here(db: &Db, issuer: &str, bytes: Vec<u8>) -> Result<crate::Verdict> {
    let turn = CHECKS
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("document checks closed: {e}")))?;
    let trust = trust_list(db, issuer).await?;
    let today = Civil::from_ms(now_ms()).date();
    // The turn goes with the work: a client that hangs up does not free it early.
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        crate::verify_file(&bytes, &trust, &today)
    })
    .await
    .map_err(|e| Error::Internal(format!("a document check failed: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_last_three_years_even_from_a_leap_day() {
        assert_eq!(super::plus_years("2026-12-04", 3), "2029-12-04");
        assert_eq!(super::plus_years("2028-02-29", 3), "2031-02-28");
    }
}
