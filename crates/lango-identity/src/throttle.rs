//! Failed attempts and temporary lockouts, kept in the database so every node agrees.
//!
//! Keys name what is guarded and are the same whether or not an account exists, so a
//! lockout message never tells an attacker which identifiers are real.

use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use sqlx::Row;

/// Failures allowed in one window before the key is locked.
pub const MAX_FAILURES: i64 = 5;
/// The window in which failures add up, and how long a lock lasts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// `Some(minutes left)` when `key` is locked now.
pub async fn locked(db: &Db, key: &str) -> Result<Option<i64>> {
    let until: Option<i64> = sqlx::query("SELECT locked_until FROM throttles WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get("locked_until"))
        .transpose()?;
    let now = now_ms();
    Ok(until
        .filter(|u| *u > now)
        .map(|u| (u - now + 59_999) / 60_000))
}

/// Counts one failure; returns true when this failure locked the key.
pub async fn fail(db: &Db, key: &str) -> Result<bool> {
    let now = now_ms();
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO throttles (key, failures, window_start, locked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN throttles.window_start < $3 THEN 1 ELSE throttles.failures + 1 END, \
           window_start = CASE WHEN throttles.window_start < $3 THEN $2 ELSE throttles.window_start END \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(now - WINDOW_MS)
    .fetch_one(db.pool())
    .await?;
    if failures >= MAX_FAILURES {
        sqlx::query("UPDATE throttles SET locked_until = $1, failures = 0, window_start = $2 WHERE key = $3")
            .bind(now + WINDOW_MS)
            .bind(now)
            .bind(key)
            .execute(db.pool())
            .await?;
        return Ok(true);
    }
    Ok(false)
}

/// Forgets the failures of `key` (after a success).
pub async fn clear(db: &Db, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM throttles WHERE key = $1")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}
