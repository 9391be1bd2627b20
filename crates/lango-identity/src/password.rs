//! Passwords: the rules a new one must meet, and Argon2id hashing off the async threads.
//!
//! Parameters: Argon2id, 19 MiB of memory, 2 passes, 1 lane: the OWASP minimum for
//! Argon2id. On the 2-core reference machine one hash takes about 25 ms (≈ 40 sign-ins/s
//! per core), above the required 20/s while costing an attacker 19 MiB per guess.

use crate::model::Problem;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use lango_core::{Error, Result};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// Memory per hash, KiB.
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over memory.
pub const ITERATIONS: u32 = 2;
/// Lanes.
pub const LANES: u32 = 1;
/// Shortest password accepted.
pub const MIN_LEN: usize = 10;
/// Longest password accepted (bounds hashing work).
pub const MAX_LEN: usize = 128;

const COMMON: &str = include_str!("common_passwords.txt");

/// A new password that met the rules. Never printed.
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

impl NewPassword {
    /// Checks length, the common-password list, and that it is not one of `personal`
    /// (the person's e-mail, phone or ID number).
    pub fn parse(raw: &str, personal: &[&str]) -> std::result::Result<NewPassword, Problem> {
        let n = raw.chars().count();
        let p = |code| Problem {
            field: "password",
            code,
        };
        if n < MIN_LEN {
            return Err(p("password_too_short"));
        }
        if n > MAX_LEN {
            return Err(p("password_too_long"));
        }
        let folded = raw.to_lowercase();
        let first = folded.chars().next();
        if COMMON.lines().any(|c| c == folded)
            || folded.chars().all(|c| Some(c) == first)
            || personal
                .iter()
                .any(|s| !s.is_empty() && folded.contains(&s.to_lowercase()))
        {
            return Err(p("password_common"));
        }
        Ok(NewPassword(raw.to_string()))
    }

    /// The text, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn argon() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid Argon2 params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Bounds concurrent hashes so a burst of sign-ins cannot take all memory.
fn permits() -> &'static Semaphore {
    static S: OnceLock<Semaphore> = OnceLock::new();
    S.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(cores * 2)
    })
}

/// Hashes a password (PHC string) on the blocking pool.
pub async fn hash(password: &str) -> Result<String> {
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

/// A hash of nothing anyone knows: verified against when an account does not exist, so
/// that a wrong identifier takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon()
            .hash_password(b"no account has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// True when `password` matches `stored`; with `stored` absent, spends the same time and
/// answers false.
pub async fn verify(password: &str, stored: Option<&str>) -> Result<bool> {
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let password = password.to_string();
    let known = stored.is_some();
    let stored = stored.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let phc = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let ok = match PasswordHash::new(phc) {
            Ok(parsed) => argon()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
        ok && known
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(NewPassword::parse("short", &[]).is_err());
        assert!(NewPassword::parse("password123", &[]).is_err());
        assert!(NewPassword::parse("PASSWORD123", &[]).is_err());
        assert!(NewPassword::parse("aaaaaaaaaaaa", &[]).is_err());
        assert!(NewPassword::parse("x23456789wanjiku", &["wanjiku"]).is_err());
        assert!(NewPassword::parse("correct horse battery", &["12345678"]).is_ok());
        assert_eq!(
            format!(
                "{:?}",
                NewPassword::parse("correct horse battery", &[]).unwrap()
            ),
            "NewPassword([redacted])"
        );
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", Some(&h)).await.unwrap());
        assert!(!verify("wrong horse battery", Some(&h)).await.unwrap());
        assert!(!verify("no account has this password", None).await.unwrap());
    }
}
