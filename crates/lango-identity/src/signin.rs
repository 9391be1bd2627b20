//! Signing in and out: password, second factor, lockouts, and password reset.
//!
//! Messages never say whether an account exists: an unknown identifier takes as long as a
//! wrong password (a dummy hash is verified) and is locked out the same way.

use crate::account::{self, normalise_identifier, Account};
use crate::messages::code_message;
use crate::model::Problems;
use crate::otp::{self, Purpose, Refusal};
use crate::password::{self, NewPassword};
use crate::session::{self, Client, Session};
use crate::throttle;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use lango_notify::{enqueue, Channel};

/// What a sign-in attempt led to.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the new session's cookie token, and whether the account still waits for
    /// its contacts to be confirmed (then the person should finish that first).
    Done {
        /// The session cookie's token.
        token: String,
        /// Contacts not yet confirmed.
        pending: bool,
    },
    /// Password right; the second factor is still needed (session token, limited).
    SecondFactor(String),
    /// Identifier and password do not match (the same answer for unknown accounts).
    Refused,
    /// Too many failures: try again after this many minutes.
    Locked(i64),
}

fn signin_key(identifier: &str) -> String {
    format!("signin:{}", normalise_identifier(identifier))
}

/// Checks an identifier (e-mail or ID number) and password and starts a session.
pub async fn sign_in(db: &Db, identifier: &str, password: &str, client: &Client) -> Result<SignIn> {
    let key = signin_key(identifier);
    if let Some(m) = throttle::locked(db, &key).await? {
        return Ok(SignIn::Locked(m));
    }
    let found = if identifier.trim().is_empty() || identifier.len() > 254 {
        None
    } else {
        account::find_by_identifier(db, identifier).await?
    };
    let usable = found
        .as_ref()
        .filter(|(a, _)| a.status != "disabled")
        .and_then(|(a, h)| h.as_deref().map(|h| (a, h)));
    let ok = password::verify(password, usable.map(|(_, h)| h)).await?;
    let Some((account, _)) = usable.filter(|_| ok) else {
        return Ok(if throttle::fail(db, &key).await? {
            SignIn::Locked(throttle::WINDOW_MS / 60_000)
        } else {
            SignIn::Refused
        });
    };
    throttle::clear(db, &key).await?;
    let mut tx = db.pool().begin().await?;
    let token = session::create(&mut tx, &account.id, account.totp_enabled, client).await?;
    crate::account::audit_own(
        &mut tx,
        &account.id,
        "session.start",
        &format!("ip {}", client.ip),
    )
    .await?;
    tx.commit().await?;
    Ok(if account.totp_enabled {
        SignIn::SecondFactor(token)
    } else {
        SignIn::Done {
            token,
            pending: account.status == "pending",
        }
    })
}

/// How a second-factor step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// The app's code was right: signed in.
    Done,
    /// A recovery code was right and is now used up: signed in, with this many left.
    Recovered(i64),
    /// Neither the app's code nor an unused recovery code.
    Wrong,
    /// Too many wrong codes: try again after this many minutes.
    Locked(i64),
}

/// Completes a sign-in that waits for its second factor, with the app's code or one of the
/// account's recovery codes (both under the same lockout).
pub async fn second_factor(db: &Db, session: &Session, code: &str) -> Result<SecondFactor> {
    let key = format!("totp:{}", session.account_id);
    if let Some(m) = throttle::locked(db, &key).await? {
        return Ok(SecondFactor::Locked(m));
    }
    let outcome = if crate::recovery::looks_like(code) {
        crate::recovery::spend(db, &session.account_id, code)
            .await?
            .map_or(SecondFactor::Wrong, SecondFactor::Recovered)
    } else if crate::totp::verify(db, &session.account_id, code).await? {
        SecondFactor::Done
    } else {
        SecondFactor::Wrong
    };
    if outcome == SecondFactor::Wrong {
        throttle::fail(db, &key).await?;
        return Ok(outcome);
    }
    throttle::clear(db, &key).await?;
    sqlx::query("UPDATE sessions SET mfa_pending = 0 WHERE id = $1")
        .bind(&session.id)
        .execute(db.pool())
        .await?;
    Ok(outcome)
}

/// Signs out of one session.
pub async fn sign_out(db: &Db, session: &Session) -> Result<()> {
    // Whoever staff were helping at a counter is theirs alone again (and it is audited).
    crate::assist::end(db, &session.id).await?;
    session::revoke(db, &session.id).await
}

/// Signs out of every session but this one; returns how many ended.
pub async fn sign_out_others(db: &Db, session: &Session) -> Result<u64> {
    let mut tx = db.pool().begin().await?;
    let n = session::revoke_others(&mut tx, &session.account_id, Some(&session.id)).await?;
    crate::account::audit_own(
        &mut tx,
        &session.account_id,
        "session.end_others",
        &format!("{n} sessions ended"),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Sends a reset code to the account's e-mail and phone, if there is such an account.
/// The answer is the same either way; `Err(minutes)` when asked too often.
pub async fn request_reset(db: &Db, identifier: &str) -> Result<std::result::Result<(), i64>> {
    let key = format!("reset:{}", normalise_identifier(identifier));
    if let Some(m) = throttle::locked(db, &key).await? {
        return Ok(Err(m));
    }
    throttle::fail(db, &key).await?;
    let Some((account, _)) = account::find_by_identifier(db, identifier).await? else {
        return Ok(Ok(()));
    };
    if account.status == "disabled" {
        return Ok(Ok(()));
    }
    let mut tx = db.pool().begin().await?;
    let code = otp::issue(&mut tx, &account.id, Purpose::ResetPassword).await?;
    if let Some(email) = &account.email {
        enqueue(
            &mut tx,
            &code_message(
                &account.id,
                Channel::Email,
                email,
                Purpose::ResetPassword,
                &code,
                &account.language,
            ),
        )
        .await?;
    }
    if let Some(phone) = &account.phone {
        enqueue(
            &mut tx,
            &code_message(
                &account.id,
                Channel::Sms,
                phone,
                Purpose::ResetPassword,
                &code,
                &account.language,
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Sets a new password with a reset code; every session of the account ends.
pub async fn complete_reset(
    db: &Db,
    identifier: &str,
    code: &str,
    new_password: &str,
    confirm: &str,
) -> Result<std::result::Result<(), Problems>> {
    let key = format!("reset-code:{}", normalise_identifier(identifier));
    if throttle::locked(db, &key).await?.is_some() {
        return Ok(Err(Problems::one("code", "locked")));
    }
    let found = account::find_by_identifier(db, identifier).await?;
    let personal: Vec<&str> = found
        .as_ref()
        .map(|(a, _)| {
            vec![
                a.email.as_deref().unwrap_or(""),
                a.id_number.as_deref().unwrap_or(""),
            ]
        })
        .unwrap_or_default();
    let password = match NewPassword::parse(new_password, &personal) {
        Ok(p) if new_password == confirm => p,
        Ok(_) => return Ok(Err(Problems::one("password_confirm", "password_mismatch"))),
        Err(p) => return Ok(Err(Problems(vec![p]))),
    };
    let checked = match &found {
        Some((a, _)) => otp::check(db, &a.id, Purpose::ResetPassword, code).await?,
        None => Err(Refusal::Wrong),
    };
    let account: &Account = match (checked, &found) {
        (Ok(()), Some((a, _))) => a,
        (r, _) => {
            throttle::fail(db, &key).await?;
            let code = match r {
                Err(Refusal::TooManyTries) => "code_too_many",
                Err(Refusal::Expired) => "code_expired",
                _ => "code_wrong",
            };
            return Ok(Err(Problems::one("code", code)));
        }
    };
    throttle::clear(db, &key).await?;
    throttle::clear(db, &signin_key(identifier)).await?;
    let hash = password::hash(password.expose()).await?;
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    // The code came by e-mail or SMS, which proves the mailbox or phone for pending accounts.
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, updated_at = $2, \
         email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(&account.id)
    .execute(&mut *tx)
    .await?;
    session::revoke_others(&mut tx, &account.id, None).await?;
    crate::account::audit_own(
        &mut tx,
        &account.id,
        "password.reset",
        "every session ended",
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
