//! Secrets at rest: values the server must read back (platform keys, second-factor secrets,
//! webhook signing secrets) are sealed with a key-encryption key (KEK) before they are
//! stored, so a copy of the database alone reveals none of them.
//!
//! A sealed value is text, `v1:<key id>:<base64 of nonce ‖ ciphertext>`: XChaCha20-Poly1305
//! with a random nonce per value, the row's place (table, column, row id) as associated
//! data, so a sealed value copied onto another row does not open. The key id names the KEK
//! that sealed it, so keys can be rotated: the new one seals, older ones still open, and
//! [`reseal`] moves every row onto the new one when a node starts.
//!
//! The KEK sits behind [`Kek`]: today a 32-byte key from configuration ([`LocalKek`]); an
//! HSM or cloud KMS can implement the same trait (or unwrap the 32 bytes at start) later.

use crate::clock::now_ms;
use crate::db::Db;
use crate::{Error, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;

/// What every sealed value starts with (the format's version).
pub const PREFIX: &str = "v1:";
const NONCE: usize = 24;

/// A key-encryption key: seals and opens bytes, bound to `context`.
pub trait Kek: Send + Sync {
    /// A short public name of the key, stored beside every value it seals.
    fn id(&self) -> &str;
    /// Seals `plain`; the result carries whatever the key needs to open it (nonce).
    fn seal(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>>;
    /// Opens what [`Kek::seal`] made with the same `context`; fails on any change.
    fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>>;
}

/// A KEK held in memory (from configuration, or kept in the database when none is).
pub struct LocalKek {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl LocalKek {
    /// The KEK made of `key`; its id is derived from it (a fingerprint, not the key).
    pub fn new(key: &[u8; 32]) -> LocalKek {
        let mut h = Sha256::new();
        h.update(b"lango key-encryption key id\0");
        h.update(key);
        LocalKek {
            id: hex::encode(&h.finalize()[..4]),
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }
}

impl Kek for LocalKek {
    fn id(&self) -> &str {
        &self.id
    }

    fn seal(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let nonce: [u8; NONCE] = rand::thread_rng().gen();
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .map_err(|_| Error::Internal("sealing a secret failed".into()))?;
        Ok([&nonce[..], &sealed].concat())
    }

    fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < NONCE {
            return Err(Error::Internal("a sealed secret is cut short".into()));
        }
        let (nonce, body) = sealed.split_at(NONCE);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map_err(|_| {
                Error::Internal(format!(
                    "a secret sealed with key {} does not open: altered or moved",
                    self.id
                ))
            })
    }
}

/// A 32-byte key written as 64 hex digits or as base64; `None` for anything else.
pub fn parse_key(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text).ok()?
    } else {
        B64.decode(text).ok()?
    };
    bytes.try_into().ok()
}

/// A column that holds sealed values, and the column naming its row.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The table.
    pub table: &'static str,
    /// The row's key column (text).
    pub id: &'static str,
    /// The sealed column.
    pub column: &'static str,
}

impl Column {
    /// What a value in row `id` is bound to: moved elsewhere, it no longer opens.
    fn context(&self, id: &str) -> String {
        format!("{}.{}:{id}", self.table, self.column)
    }

    fn name(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }
}

/// The KEK that seals, and older ones that still open.
#[derive(Clone)]
pub struct Keyring {
    current: Arc<dyn Kek>,
    previous: Vec<Arc<dyn Kek>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let previous: Vec<&str> = self.previous.iter().map(|k| k.id()).collect();
        f.debug_struct("Keyring")
            .field("current", &self.current.id())
            .field("previous", &previous)
            .finish()
    }
}

impl Keyring {
    /// `current` seals; it and `previous` open.
    pub fn new(current: Arc<dyn Kek>, previous: Vec<Arc<dyn Kek>>) -> Keyring {
        Keyring { current, previous }
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> &str {
        self.current.id()
    }

    /// `secret` sealed for row `id` of `column`.
    pub fn seal(&self, column: &Column, id: &str, secret: &str) -> Result<String> {
        let sealed = self
            .current
            .seal(secret.as_bytes(), column.context(id).as_bytes())?;
        Ok(format!(
            "{PREFIX}{}:{}",
            self.current.id(),
            B64.encode(sealed)
        ))
    }

    /// The secret in `stored` (row `id` of `column`). A value stored before sealing existed
    /// is returned as it is: the start-up pass ([`reseal`]) seals such rows.
    pub fn open(&self, column: &Column, id: &str, stored: &str) -> Result<String> {
        self.open_with(column, id, stored, &[])
    }

    fn open_with(
        &self,
        column: &Column,
        id: &str,
        stored: &str,
        extra: &[Arc<dyn Kek>],
    ) -> Result<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let (kid, body) = rest.split_once(':').ok_or_else(|| {
            Error::Internal(format!("{}: a sealed value is malformed", column.name()))
        })?;
        let kek = std::iter::once(&self.current)
            .chain(&self.previous)
            .chain(extra)
            .find(|k| k.id() == kid)
            .ok_or_else(|| {
                Error::Internal(format!(
                    "{}: a secret is sealed with key {kid}, which is not configured \
                     (key_encryption_key, previous_key_encryption_keys)",
                    column.name()
                ))
            })?;
        let bytes = B64.decode(body).map_err(|_| {
            Error::Internal(format!("{}: a sealed value is malformed", column.name()))
        })?;
        let plain = kek.open(&bytes, column.context(id).as_bytes())?;
        String::from_utf8(plain)
            .map_err(|_| Error::Internal(format!("{}: a sealed value is not text", column.name())))
    }
}

/// The KEK kept in the database (`core_kek`) when none is configured, made if missing.
pub async fn database_kek(db: &Db) -> Result<LocalKek> {
    // A look first: only a database that has none is written to (a write would wait on
    // a SQLite write transaction the caller may hold).
    if let Some(kek) = stored_kek(db).await? {
        return Ok(kek);
    }
    let fresh: [u8; 32] = rand::thread_rng().gen();
    sqlx::query(
        "INSERT INTO core_kek (id, secret, created_at) VALUES ('database', $1, $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(hex::encode(fresh))
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(stored_kek(db)
        .await?
        .expect("the database's key-encryption key was just written"))
}

/// The KEK kept in the database, if there is one (never made here).
async fn stored_kek(db: &Db) -> Result<Option<LocalKek>> {
    let secret: Option<String> =
        sqlx::query_scalar("SELECT secret FROM core_kek WHERE id = 'database'")
            .fetch_optional(db.pool())
            .await?;
    secret
        .map(|s| {
            parse_key(&s)
                .map(|k| LocalKek::new(&k))
                .ok_or_else(|| Error::Internal("core_kek: the kept key is malformed".into()))
        })
        .transpose()
}

/// Rows resealed a transaction.
const BATCH: i64 = 500;

/// Seals every value in `columns` that is plaintext (stored before sealing existed) or
/// sealed with an older key, with the current one; a column already all sealed with it is
/// skipped without a scan. A configured keyring also opens what the database's kept KEK
/// sealed, and once every column is resealed that kept key is deleted. Fails (the node
/// does not start) when a value is sealed with a key it is not given.
pub async fn reseal(db: &Db, columns: &[Column]) -> Result<usize> {
    let ring = db.keyring().await?;
    let kept = stored_kek(db).await?;
    let kept_elsewhere = kept.as_ref().is_some_and(|k| k.id() != ring.current_id());
    let extra: Vec<Arc<dyn Kek>> = kept
        .filter(|_| kept_elsewhere)
        .map(|k| Arc::new(k) as Arc<dyn Kek>)
        .into_iter()
        .collect();
    let mut total = 0;
    for column in columns {
        let done: Option<String> =
            sqlx::query_scalar("SELECT key_id FROM core_sealing WHERE name = $1")
                .bind(column.name())
                .fetch_optional(db.pool())
                .await?;
        if done.as_deref() == Some(ring.current_id()) {
            continue;
        }
        total += reseal_column(db, &ring, column, &extra).await?;
        sqlx::query(
            "INSERT INTO core_sealing (name, key_id, done_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, done_at = excluded.done_at",
        )
        .bind(column.name())
        .bind(ring.current_id())
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    }
    if kept_elsewhere {
        sqlx::query("DELETE FROM core_kek WHERE id = 'database'")
            .execute(db.pool())
            .await?;
        tracing::info!("secrets resealed with the configured key-encryption key; the database's own is deleted");
    }
    Ok(total)
}

async fn reseal_column(
    db: &Db,
    ring: &Keyring,
    column: &Column,
    extra: &[Arc<dyn Kek>],
) -> Result<usize> {
    let Column {
        table,
        id,
        column: col,
    } = *column;
    let current = format!("{PREFIX}{}:%", ring.current_id());
    let mut total = 0;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {id} AS id, {col} AS v FROM {table} \
             WHERE {col} IS NOT NULL AND {col} NOT LIKE $1 LIMIT $2"
        ))
        .bind(&current)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            return Ok(total);
        }
        let mut conn = db.pool().acquire().await?;
        let mut tx = crate::db::begin_write(&mut conn).await?;
        let mut changed = 0;
        for row in rows {
            let row_id: String = row.try_get("id")?;
            let stored: String = row.try_get("v")?;
            let secret = ring.open_with(column, &row_id, &stored, extra)?;
            let sealed = ring.seal(column, &row_id, &secret)?;
            changed += sqlx::query(&format!(
                "UPDATE {table} SET {col} = $1 WHERE {id} = $2 AND {col} = $3"
            ))
            .bind(sealed)
            .bind(&row_id)
            .bind(&stored)
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        tx.commit().await?;
        total += changed;
        // Nothing changed: another writer got there first each time; readers cope.
        if changed == 0 {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COL: Column = Column {
        table: "t",
        id: "id",
        column: "secret",
    };

    fn kek(byte: u8) -> Arc<dyn Kek> {
        Arc::new(LocalKek::new(&[byte; 32]))
    }

    #[test]
    fn sealed_values_open_only_in_their_place_and_with_their_key() {
        let ring = Keyring::new(kek(1), vec![]);
        let sealed = ring.seal(&COL, "row-1", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(
            sealed.starts_with(&format!("v1:{}:", ring.current_id())),
            "{sealed}"
        );
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            ring.seal(&COL, "row-1", "JBSWY3DPEHPK3PXP").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(
            ring.open(&COL, "row-1", &sealed).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        // Moved onto another row: refused.
        assert!(ring.open(&COL, "row-2", &sealed).is_err());
        // Another key: refused, naming the key.
        let other = Keyring::new(kek(2), vec![]);
        let err = other.open(&COL, "row-1", &sealed).unwrap_err().to_string();
        assert!(err.contains(ring.current_id()), "{err}");
        // Rotated: the new key seals, the old one still opens.
        let rotated = Keyring::new(kek(2), vec![kek(1)]);
        assert_eq!(
            rotated.open(&COL, "row-1", &sealed).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        // Plaintext from before sealing passes through (the start-up pass seals it).
        assert_eq!(ring.open(&COL, "row-1", "whsec_old").unwrap(), "whsec_old");
        // Any altered byte: refused.
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(ring
            .open(&COL, "row-1", &String::from_utf8(bytes).unwrap())
            .is_err());
    }

    #[test]
    fn keys_are_hex_or_base64_of_32_bytes() {
        let hex64 = "00".repeat(31) + "ff";
        assert_eq!(parse_key(&hex64).unwrap()[31], 0xff);
        assert_eq!(parse_key(&B64.encode([7u8; 32])).unwrap(), [7u8; 32]);
        assert!(parse_key("short").is_none());
        assert!(parse_key(&B64.encode([7u8; 16])).is_none());
        assert!(parse_key(&"0".repeat(32)).is_none());
    }
}
