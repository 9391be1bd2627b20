//! Signed checkpoints of the audit chain's head. The hash chain alone catches an edit, but
//! not someone with database access who rewrites a record *and* every hash after it. Every
//! hour each node records the head (its seq and hash, with the time) signed with the
//! platform key (HMAC-SHA256); `lango audit verify` checks every checkpoint's signature and
//! that the chain still holds the hash it signed, so such a rewrite is caught.
//!
//! The platform key is the configured `signing_key`; without one, a key made at random on
//! first use and kept in the database, sealed with the key-encryption key (without that key
//! configured, a demo: anyone who can rewrite the database can then re-sign, so production
//! configures the key outside it).

use crate::clock::now_ms;
use crate::db::Db;
use crate::Result;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::Row;
use std::time::Duration;

/// How often a node records a checkpoint.
pub const EVERY: Duration = Duration::from_secs(3600);

/// What a checkpoint check found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The checkpoint's signature is not the platform key's: it was forged or altered.
    Forged(i64),
    /// The record the checkpoint names now has another hash: the chain was rewritten.
    Rewritten(i64),
    /// The record the checkpoint names is gone.
    Missing(i64),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Forged(s) => write!(f, "the checkpoint at record {s} is not signed by the platform key"),
            Fault::Rewritten(s) => write!(
                f,
                "record {s} no longer has the hash its signed checkpoint holds: the log was rewritten"
            ),
            Fault::Missing(s) => write!(f, "record {s}, named by a signed checkpoint, is missing"),
        }
    }
}

/// The platform key: `configured` when set, else the database's own (made on first use).
pub async fn platform_key(db: &Db, configured: Option<&[u8]>) -> Result<Vec<u8>> {
    if let Some(k) = configured.filter(|k| !k.is_empty()) {
        return Ok(k.to_vec());
    }
    let keyring = db.keyring().await?;
    let mut conn = db.pool().acquire().await?;
    crate::keys::kept(&mut conn, &keyring, "audit_checkpoint").await
}

fn mac(key: &[u8], seq: i64, hash: &str, at: i64) -> Result<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|e| crate::Error::Internal(format!("platform key: {e}")))?;
    mac.update(b"lango audit checkpoint v1\0");
    mac.update(&seq.to_be_bytes());
    mac.update(&at.to_be_bytes());
    mac.update(hash.as_bytes());
    Ok(mac)
}

fn signature(key: &[u8], seq: i64, hash: &str, at: i64) -> Result<String> {
    Ok(hex::encode(
        mac(key, seq, hash, at)?.finalize().into_bytes(),
    ))
}

/// True when `signed` (hex) is the platform key's signature, compared in constant time.
fn signed_by(key: &[u8], seq: i64, hash: &str, at: i64, signed: &str) -> Result<bool> {
    let Ok(bytes) = hex::decode(signed) else {
        return Ok(false);
    };
    Ok(mac(key, seq, hash, at)?.verify_slice(&bytes).is_ok())
}

/// Records the audit chain's head, signed, unless it is already checkpointed; returns the
/// seq recorded. Several nodes may do this at once: one row per seq.
pub async fn checkpoint(db: &Db, key: &[u8]) -> Result<Option<i64>> {
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    let Some(head) = head else { return Ok(None) };
    let seq: i64 = head.try_get("seq")?;
    let hash: String = head.try_get("hash")?;
    let at = now_ms();
    let stored = sqlx::query(
        "INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (seq) DO NOTHING",
    )
    .bind(seq)
    .bind(&hash)
    .bind(at)
    .bind(signature(key, seq, &hash, at)?)
    .execute(db.pool())
    .await?;
    Ok((stored.rows_affected() == 1).then_some(seq))
}

/// Checks every checkpoint against the platform key and the chain as it stands; returns
/// how many it checked and every fault found.
pub async fn verify(db: &Db, key: &[u8]) -> Result<(u64, Vec<Fault>)> {
    let rows = sqlx::query(
        "SELECT c.seq, c.hash, c.at, c.signature, a.hash AS now_hash FROM audit_checkpoints c \
         LEFT JOIN audit_log a ON a.seq = c.seq ORDER BY c.seq",
    )
    .fetch_all(db.pool())
    .await?;
    let mut faults = Vec::new();
    for r in &rows {
        let seq: i64 = r.try_get("seq")?;
        let hash: String = r.try_get("hash")?;
        let signed: String = r.try_get("signature")?;
        if !signed_by(key, seq, &hash, r.try_get("at")?, &signed)? {
            faults.push(Fault::Forged(seq));
            continue;
        }
        match r.try_get::<Option<String>, _>("now_hash")? {
            None => faults.push(Fault::Missing(seq)),
            Some(now) if now != hash => faults.push(Fault::Rewritten(seq)),
            Some(_) => {}
        }
    }
    Ok((rows.len() as u64, faults))
}

/// Records a checkpoint now and then every [`EVERY`], until the task is dropped.
pub fn spawn(db: Db, configured: Option<Vec<u8>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let made = async {
                let key = platform_key(&db, configured.as_deref()).await?;
                checkpoint(&db, &key).await
            };
            match made.await {
                Ok(Some(seq)) => tracing::debug!(seq, "audit checkpoint recorded"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "audit checkpoint failed; trying next hour"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_seq_time_and_hash() {
        let s = signature(b"key", 7, "abc", 1000).unwrap();
        assert_eq!(s, signature(b"key", 7, "abc", 1000).unwrap());
        assert!(signed_by(b"key", 7, "abc", 1000, &s).unwrap());
        assert!(!signed_by(b"key", 7, "abc", 1000, "zz").unwrap());
        for other in [
            signature(b"other", 7, "abc", 1000).unwrap(),
            signature(b"key", 8, "abc", 1000).unwrap(),
            signature(b"key", 7, "abd", 1000).unwrap(),
            signature(b"key", 7, "abc", 1001).unwrap(),
        ] {
            assert_ne!(s, other);
        }
    }
}
