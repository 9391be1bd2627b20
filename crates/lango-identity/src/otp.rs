//! One-time codes: six digits, stored hashed, ten minutes, five tries, used once.

use crate::token::{digest, random_code, same};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use sqlx::Row;

/// How long a code stays good.
pub const TTL_MS: i64 = 10 * 60 * 1000;
/// Wrong tries before a code is void.
pub const MAX_ATTEMPTS: i64 = 5;

/// What a code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The person holds this phone.
    VerifyPhone,
    /// The person reads this mailbox.
    VerifyEmail,
    /// The person may set a new password.
    ResetPassword,
    /// The person present lets centre staff act for them.
    Assist,
}

impl Purpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyPhone => "verify_phone",
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::Assist => "assist",
        }
    }
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong digits (tries remain).
    Wrong,
    /// Too old, already used, or never sent.
    Expired,
    /// Too many wrong tries: a new code is needed.
    TooManyTries,
}

/// Issues a new code inside `tx`, voiding earlier ones of the same purpose; returns the
/// code so that the caller can put it in a message written in the same transaction.
pub async fn issue(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    purpose: Purpose,
) -> Result<String> {
    issue_scoped(tx, account_id, purpose, "").await
}

/// The stored hash of `code`: bound to the account, the purpose and (when not empty) the
/// scope, so a code given for one scope is wrong for every other.
fn hash(account_id: &str, purpose: Purpose, scope: &str, code: &str) -> String {
    if scope.is_empty() {
        digest(&[account_id, purpose.as_str(), code])
    } else {
        digest(&[account_id, purpose.as_str(), scope, code])
    }
}

/// As [`issue`], for one scope only (`agent:AG00001`: the helper the person lets act for
/// them), so that a code seen by anyone else is of no use to them: it is looked up, tried
/// and voided within its scope alone.
pub async fn issue_scoped(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    purpose: Purpose,
    scope: &str,
) -> Result<String> {
    let now = now_ms();
    sqlx::query(
        "UPDATE otp_codes SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND scope = $4 \
         AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(scope)
    .execute(&mut *tx)
    .await?;
    let code = random_code();
    sqlx::query(
        "INSERT INTO otp_codes (id, account_id, purpose, scope, code_hash, attempts, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(scope)
    .bind(hash(account_id, purpose, scope, &code))
    .bind(now + TTL_MS)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(code)
}

/// Checks `code` and, when right, uses it up so it can never be used again.
pub async fn check(
    db: &Db,
    account_id: &str,
    purpose: Purpose,
    code: &str,
) -> Result<Result<(), Refusal>> {
    check_scoped(db, account_id, purpose, "", code).await
}

/// As [`check`], for a code issued with [`issue_scoped`] for `scope`: the right digits in
/// another scope are wrong digits.
pub async fn check_scoped(
    db: &Db,
    account_id: &str,
    purpose: Purpose,
    scope: &str,
    code: &str,
) -> Result<Result<(), Refusal>> {
    let now = now_ms();
    let row = sqlx::query(
        "SELECT id, code_hash, attempts, expires_at FROM otp_codes \
         WHERE account_id = $1 AND purpose = $2 AND scope = $3 AND used_at IS NULL \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(scope)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(Err(Refusal::Expired));
    };
    let id: String = row.try_get("id")?;
    let attempts: i64 = row.try_get("attempts")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    if expires_at <= now {
        return Ok(Err(Refusal::Expired));
    }
    if attempts >= MAX_ATTEMPTS {
        return Ok(Err(Refusal::TooManyTries));
    }
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let stored: String = row.try_get("code_hash")?;
    if !same(&hash(account_id, purpose, scope, &code), &stored) {
        sqlx::query("UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1")
            .bind(&id)
            .execute(db.pool())
            .await?;
        return Ok(Err(if attempts + 1 >= MAX_ATTEMPTS {
            Refusal::TooManyTries
        } else {
            Refusal::Wrong
        }));
    }
    // Only one request can use the code, even if two arrive together.
    let used = sqlx::query("UPDATE otp_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(&id)
        .execute(db.pool())
        .await?;
    Ok(if used.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Refusal::Expired)
    })
}
