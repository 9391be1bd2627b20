//! Keys the platform keeps for itself when none is configured: made at random the first
//! time any node needs one and kept in the database (`core_keys`), so every node agrees.
//! They are sealed with the key-encryption key (`lango_core::sealed`): a copy of the
//! database alone does not give them away. Production configures `signing_key` as well.

use crate::clock::now_ms;
use crate::sealed::{Column, Keyring};
use crate::{Error, Result};
use rand::Rng;

/// Where kept keys are stored, sealed.
pub const SEALED: Column = Column {
    table: "core_keys",
    id: "name",
    column: "secret",
};

/// The key called `name`, made now if no node has made it yet.
pub async fn kept(
    conn: &mut sqlx::AnyConnection,
    keyring: &Keyring,
    name: &str,
) -> Result<Vec<u8>> {
    let fresh: [u8; 32] = rand::thread_rng().gen();
    sqlx::query(
        "INSERT INTO core_keys (name, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(keyring.seal(&SEALED, name, &hex::encode(fresh))?)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    let stored: String = sqlx::query_scalar("SELECT secret FROM core_keys WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    let secret = keyring.open(&SEALED, name, &stored)?;
    hex::decode(secret).map_err(|e| Error::Internal(format!("kept key {name}: {e}")))
}
