//! Server-side sessions. The cookie holds a random token; the database holds its digest,
//! the CSRF token, and the idle and absolute expiry.

use crate::token::{digest, random_token};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use sqlx::Row;

/// A session ends after this long without a request.
pub const IDLE_MS: i64 = 30 * 60 * 1000;
/// A session ends this long after sign-in, whatever happens.
pub const ABSOLUTE_MS: i64 = 12 * 60 * 60 * 1000;
/// `last_seen_at` is written at most this often (saves a write on every page).
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The stored digest (also the id shown on the sessions page, shortened).
    pub id: String,
    /// Whose session.
    pub account_id: String,
    /// The token every form of this session must carry.
    pub csrf: String,
    /// Password given but the second factor not yet.
    pub mfa_pending: bool,
    /// Signed in at.
    pub created_at: i64,
    /// Last request at.
    pub last_seen_at: i64,
    /// Browser, as it said.
    pub user_agent: String,
    /// Address it came from.
    pub ip: String,
}

/// Where a sign-in came from.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The `User-Agent` header, shortened.
    pub user_agent: String,
    /// The peer address.
    pub ip: String,
}

/// Starts a session inside `tx`; returns the cookie token (shown once, never stored).
pub async fn create(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    mfa_pending: bool,
    client: &Client,
) -> Result<String> {
    let token = random_token();
    let now = now_ms();
    let ua: String = client.user_agent.chars().take(200).collect();
    sqlx::query(
        "INSERT INTO sessions (id, account_id, csrf, mfa_pending, created_at, last_seen_at, expires_at, user_agent, ip) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
    )
    .bind(digest(&[&token]))
    .bind(account_id)
    .bind(random_token())
    .bind(i64::from(mfa_pending))
    .bind(now)
    .bind(now + ABSOLUTE_MS)
    .bind(ua)
    .bind(&client.ip)
    .execute(&mut *tx)
    .await?;
    Ok(token)
}

fn session_of(row: &sqlx::any::AnyRow) -> Result<Session> {
    Ok(Session {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        csrf: row.try_get("csrf")?,
        mfa_pending: row.try_get::<i64, _>("mfa_pending")? != 0,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        user_agent: row.try_get("user_agent")?,
        ip: row.try_get("ip")?,
    })
}

const COLUMNS: &str =
    "id, account_id, csrf, mfa_pending, created_at, last_seen_at, expires_at, user_agent, ip";

/// The live session for a cookie token, touching its idle clock; `None` when the token is
/// unknown, revoked, idle too long or past its absolute expiry.
pub async fn lookup(db: &Db, token: &str) -> Result<Option<Session>> {
    if token.len() != 43 {
        return Ok(None);
    }
    let id = digest(&[token]);
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE id = $1 AND revoked_at IS NULL"
    ))
    .bind(&id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let s = session_of(&row)?;
    let expires_at: i64 = row.try_get("expires_at")?;
    let now = now_ms();
    if now >= expires_at || now - s.last_seen_at >= IDLE_MS {
        return Ok(None);
    }
    if now - s.last_seen_at >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(s))
}

/// Ends one session (sign out). `id` is the stored digest.
pub async fn revoke(db: &Db, id: &str) -> Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends every session of an account except `keep`; returns how many ended. An assistance
/// open in one of them ends too, as at sign-out.
pub async fn revoke_others(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    keep: Option<&str>,
) -> Result<u64> {
    crate::assist::end_in_others(tx, account_id, keep).await?;
    let r = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE account_id = $2 AND id <> $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(account_id)
    .bind(keep.unwrap_or(""))
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected())
}

/// The account's live sessions, newest first.
pub async fn list(db: &Db, account_id: &str) -> Result<Vec<Session>> {
    let now = now_ms();
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE account_id = $1 AND revoked_at IS NULL \
         AND expires_at > $2 AND last_seen_at > $3 ORDER BY created_at DESC"
    ))
    .bind(account_id)
    .bind(now)
    .bind(now - IDLE_MS)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(session_of).collect()
}
