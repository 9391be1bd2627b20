//! The optional second factor: time-based codes (RFC 6238) from an authenticator app.
//! A code is accepted once: the last used time step is stored, so a seen code cannot be
//! replayed within its window. The secret is stored sealed with the key-encryption key
//! (`lango_core::sealed`): the server must read it back to check codes, so it cannot be
//! hashed, but a copy of the database alone does not give it away.

use crate::policy::{check, Action, Actor, Object};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::Row;
use totp_rs::{Algorithm, Secret, TOTP};

const STEP: u64 = 30;

/// Where second-factor secrets are stored, sealed.
pub const SEALED: lango_core::sealed::Column = lango_core::sealed::Column {
    table: "accounts",
    id: "id",
    column: "totp_secret",
};

fn totp(secret_b32: &str, label: &str) -> Result<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|_| Error::invalid("secret", "secret_invalid"))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        bytes,
        Some("Lango".into()),
        label.replace(':', " "),
    )
    .map_err(|_| Error::invalid("secret", "secret_invalid"))
}

/// A new random secret, base32 as authenticator apps expect.
pub fn new_secret() -> String {
    match Secret::generate_secret().to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => unreachable!("to_encoded returns Encoded"),
    }
}

/// The `otpauth://` address an app scans.
pub fn setup_url(secret_b32: &str, label: &str) -> Result<String> {
    Ok(totp(secret_b32, label)?.get_url())
}

/// The setup address as an SVG QR code (inline in the page, no script needed).
pub fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(180, 180)
                .build()
        })
        .unwrap_or_default()
}

/// The time step `code` belongs to (now, or one step either side), if it matches.
fn matching_step(secret_b32: &str, code: &str) -> Result<Option<i64>> {
    let t = totp(secret_b32, "")?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let now = (now_ms() / 1000) as u64;
    for at in [now - STEP, now, now + STEP] {
        if crate::token::same(&t.generate(at), &code) {
            return Ok(Some((at / STEP) as i64));
        }
    }
    Ok(None)
}

/// Why a second factor is not replaced while one is on.
pub const ALREADY_ON: &str =
    "the second factor is already on: turn it off with its current code before setting up another";

/// Turns the second factor on once the person proves their app shows the right code, and
/// returns its new recovery codes (to show once); `None` when the code is wrong.
/// A second factor already on is never replaced here: whoever holds only a session (not
/// the current code) must not swap in their own; turning it off first needs its code.
pub async fn enable(
    db: &Db,
    actor: &Actor,
    account_id: &str,
    secret_b32: &str,
    code: &str,
) -> Result<Option<Vec<String>>> {
    check(actor, Action::Edit, Object::Account(account_id))?;
    let Some(step) = matching_step(secret_b32, code)? else {
        return Ok(None);
    };
    let sealed = db.keyring().await?.seal(&SEALED, account_id, secret_b32)?;
    let mut tx = db.pool().begin().await?;
    let set = sqlx::query(
        "UPDATE accounts SET totp_secret = $1, totp_last_step = $2, updated_at = $3 \
         WHERE id = $4 AND totp_secret IS NULL",
    )
    .bind(sealed)
    .bind(step)
    .bind(now_ms())
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    if set.rows_affected() == 0 {
        return Err(Error::Conflict(ALREADY_ON.into()));
    }
    let codes = crate::recovery::replace_in(&mut tx, account_id).await?;
    crate::account::audit_own(&mut tx, account_id, "second_factor.enable", "totp").await?;
    tx.commit().await?;
    Ok(Some(codes))
}

/// Checks a code against the account's second factor, using up its time step.
pub async fn verify(db: &Db, account_id: &str, code: &str) -> Result<bool> {
    let row = sqlx::query("SELECT totp_secret, totp_last_step FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(false) };
    let secret: Option<String> = row.try_get("totp_secret")?;
    let last: i64 = row.try_get("totp_last_step")?;
    let Some(secret) = secret else {
        return Ok(false);
    };
    let secret = db.keyring().await?.open(&SEALED, account_id, &secret)?;
    let Some(step) = matching_step(&secret, code)? else {
        return Ok(false);
    };
    if step <= last {
        return Ok(false);
    }
    // Conditional update: of two requests with the same code only one wins.
    let r = sqlx::query(
        "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
    )
    .bind(step)
    .bind(account_id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Turns the second factor off: the person proves they still hold it, or, having lost their
/// phone, spends one of their recovery codes (so they can set up a new app).
pub async fn disable(db: &Db, actor: &Actor, account_id: &str, code: &str) -> Result<bool> {
    check(actor, Action::Edit, Object::Account(account_id))?;
    let proven = if crate::recovery::looks_like(code) {
        crate::recovery::spend(db, account_id, code)
            .await?
            .is_some()
    } else {
        verify(db, account_id, code).await?
    };
    if !proven {
        return Ok(false);
    }
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE accounts SET totp_secret = NULL, updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    crate::recovery::remove_in(&mut tx, account_id).await?;
    crate::account::audit_own(&mut tx, account_id, "second_factor.disable", "totp").await?;
    tx.commit().await?;
    Ok(true)
}

/// The code an app would show now (tests and the sign-in benchmark act as the app).
pub fn current_code(secret_b32: &str) -> Result<String> {
    Ok(totp(secret_b32, "")?.generate((now_ms() / 1000) as u64))
}
