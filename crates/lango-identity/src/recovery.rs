//! Recovery codes: ten single-use codes shown once when the second factor is turned on, so a
//! person who loses their phone can still sign in. Only each code's digest is stored; a new
//! set replaces the old one, and turning the second factor off removes them.

use crate::account::{self, audit_own};
use crate::policy::{check, Action, Actor, Object};
use crate::token::digest;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use rand::Rng;

/// How many codes a set has.
pub const SET_SIZE: usize = 10;
/// Letters and digits that cannot be mistaken for one another when copied by hand.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A code as typed, made comparable: lower case, letters and digits only.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// True when `code` is shaped like a recovery code rather than an app's six digits.
pub fn looks_like(code: &str) -> bool {
    normalise(code).len() == 10
}

fn hash(account_id: &str, code: &str) -> String {
    digest(&["recovery", account_id, &normalise(code)])
}

/// One new code, `xxxxx-xxxxx` (about 49 bits).
fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let mut s: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    s.insert(5, '-');
    s
}

/// Replaces the account's codes with a new set inside `tx`; returns the codes to show once.
pub(crate) async fn replace_in(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
) -> Result<Vec<String>> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let now = now_ms();
    let codes: Vec<String> = (0..SET_SIZE).map(|_| new_code()).collect();
    for code in &codes {
        sqlx::query(
            "INSERT INTO recovery_codes (id, account_id, code_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(account_id)
        .bind(hash(account_id, code))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(codes)
}

/// Removes every code of the account inside `tx` (the second factor is off).
pub(crate) async fn remove_in(tx: &mut sqlx::AnyConnection, account_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// How many unused codes the account has.
pub async fn remaining(db: &Db, account_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(db.pool())
    .await?)
}

/// A new set, for a person who proves they hold the second factor with its current code;
/// `None` when the code is wrong. The old codes stop working.
pub async fn renew(
    db: &Db,
    actor: &Actor,
    account_id: &str,
    app_code: &str,
) -> Result<Option<Vec<String>>> {
    check(actor, Action::Edit, Object::Account(account_id))?;
    if !crate::totp::verify(db, account_id, app_code).await? {
        return Ok(None);
    }
    let mut tx = db.pool().begin().await?;
    let codes = replace_in(&mut tx, account_id).await?;
    audit_own(
        &mut tx,
        account_id,
        "recovery_codes.renew",
        &format!("{SET_SIZE} new codes"),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(codes))
}

/// Uses up `code` for the account, if it is one of its unused codes: audited, and the person
/// is told on their confirmed contacts (someone else may hold their password and a code).
/// Returns how many codes remain, or `None` when the code is not good.
pub async fn spend(db: &Db, account_id: &str, code: &str) -> Result<Option<i64>> {
    let person = account::get(db, account_id).await?;
    let mut tx = db.pool().begin().await?;
    // Conditional update: of two requests with the same code only one wins.
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 \
         WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(account_id)
    .bind(hash(account_id, code))
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    audit_own(
        &mut tx,
        account_id,
        "second_factor.recovery_code",
        &format!("{left} codes left"),
    )
    .await?;
    let left_text = left.to_string();
    let values = std::collections::HashMap::from([("remaining", left_text.as_str())]);
    lango_notify::notify(
        &mut tx,
        &crate::messages::recipient(&person),
        "account.recovery_code_used",
        &values,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_plain_symbols_and_compare_however_typed() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 11);
            assert!(looks_like(&c), "{c}");
            assert_eq!(hash("a", &c), hash("a", &format!(" {} ", c.to_uppercase())));
            assert_eq!(hash("a", &c), hash("a", &c.replace('-', "")));
        }
        assert_ne!(hash("a", "abcde-fghjk"), hash("b", "abcde-fghjk"));
        assert!(!looks_like("123456"));
    }
}
