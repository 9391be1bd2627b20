//! Actions of a USSD session that change something, done at most once per session and
//! step: the first request claims the `(session, action)` row and acts; a repeat (the
//! gateway retrying, a late or duplicated request) reads how it ended instead of acting
//! again. The primary key decides who is first, also between two requests at once.

use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use std::time::Duration;

/// What claiming an action found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This request is the first: act, then [`settle`].
    First,
    /// Done before; how it ended.
    Done(String),
    /// Another request is acting on it right now (or died while acting).
    Underway,
}

/// How long a repeat waits for the first request to finish acting before answering. Long
/// enough for a first request slowed by a busy node (a gateway that gave up meanwhile
/// loses nothing: the action is done once either way).
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);

/// Claims `action` of `session` for `phone`; a repeat waits a moment for the first
/// request's outcome, so that it can answer the same screen.
pub async fn claim(db: &Db, session: &str, action: &str, phone: &str) -> Result<Claim> {
    let inserted = sqlx::query(
        "INSERT INTO ussd_actions (session_id, action, phone, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (session_id, action) DO NOTHING",
    )
    .bind(session)
    .bind(action)
    .bind(phone)
    .bind(now_ms())
    .execute(db.pool())
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::First);
    }
    let started = tokio::time::Instant::now();
    loop {
        let outcome: Option<Option<String>> = sqlx::query_scalar(
            "SELECT outcome FROM ussd_actions WHERE session_id = $1 AND action = $2",
        )
        .bind(session)
        .bind(action)
        .fetch_optional(db.pool())
        .await?;
        match outcome.flatten() {
            Some(o) => return Ok(Claim::Done(o)),
            None if started.elapsed() >= WAIT_FOR_FIRST => return Ok(Claim::Underway),
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Records how the claimed `action` of `session` ended.
pub async fn settle(db: &Db, session: &str, action: &str, outcome: &str) -> Result<()> {
    sqlx::query(
        "UPDATE ussd_actions SET outcome = $1, settled_at = $2 WHERE session_id = $3 AND action = $4",
    )
    .bind(outcome)
    .bind(now_ms())
    .bind(session)
    .bind(action)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// True when `key` names what the screen chosen by the input at `at` of `session` showed:
/// the first call records it, later ones compare. A list is rebuilt from live data on every
/// request, so the item at a number may have moved (a time passed, a booking made on the
/// web) between the screen that showed it and the input that confirms it; a confirmation
/// acts only on what the phone showed.
pub async fn same_as_shown(
    db: &Db,
    session: &str,
    at: usize,
    phone: &str,
    key: &str,
) -> Result<bool> {
    let shown = record_once(db, session, &format!("shown:{at}"), phone, key).await?;
    Ok(shown.is_none_or(|k| k == key))
}

/// Claims and settles in one step, for an action that is the database write itself (the
/// language switch): the outcome already recorded for it if any, else `None` after
/// recording `outcome` (the caller then acts).
pub async fn record_once(
    db: &Db,
    session: &str,
    action: &str,
    phone: &str,
    outcome: &str,
) -> Result<Option<String>> {
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO ussd_actions (session_id, action, phone, outcome, created_at, settled_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (session_id, action) DO NOTHING",
    )
    .bind(session)
    .bind(action)
    .bind(phone)
    .bind(outcome)
    .bind(now)
    .execute(db.pool())
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    let before: Option<Option<String>> = sqlx::query_scalar(
        "SELECT outcome FROM ussd_actions WHERE session_id = $1 AND action = $2",
    )
    .bind(session)
    .bind(action)
    .fetch_optional(db.pool())
    .await?;
    Ok(Some(
        before.flatten().unwrap_or_else(|| outcome.to_string()),
    ))
}
