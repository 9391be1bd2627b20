//! A till's sessions: the lock every operation takes first, opening, what the drawer should
//! hold, the count and close, and finance's list of closings.

use super::receipt::receipts_in;
use super::{currency_of, CashReceipt, Closed, Refusal, Session, Till, REASON_MAX};
use crate::finance::Day;
use lango_core::clock::now_ms;
use lango_core::db::{begin_write, Backend, Db};
use lango_core::money::Money;
use lango_core::{Error, Result};
use sqlx::Row;

const SESSION_COLUMNS: &str = "s.id, s.till, s.day, s.opened_by, s.opened_at, s.closed_by, \
     s.closed_by_name, s.closed_at, s.expected, s.counted, s.difference, s.reason, t.currency";

fn row_to_session(r: &sqlx::any::AnyRow) -> Result<Session> {
    let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
    let closed_at: Option<i64> = r.try_get("closed_at")?;
    let money = |col: &str| -> Result<Money> {
        let v: Option<i64> = r.try_get(col)?;
        Ok(Money::from_minor(v.unwrap_or(0), currency))
    };
    let closed = match closed_at {
        Some(at) => Some(Closed {
            by: r
                .try_get::<Option<String>, _>("closed_by")?
                .unwrap_or_default(),
            by_name: r
                .try_get::<Option<String>, _>("closed_by_name")?
                .unwrap_or_default(),
            at,
            expected: money("expected")?,
            counted: money("counted")?,
            difference: money("difference")?,
            reason: r
                .try_get::<Option<String>, _>("reason")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Session {
        id: r.try_get("id")?,
        till: r.try_get("till")?,
        day: r.try_get("day")?,
        opened_by: r.try_get("opened_by")?,
        opened_at: r.try_get("opened_at")?,
        closed,
    })
}

/// Makes the till's row if it is new and takes its lock for the rest of `tx`. A till keeps
/// the currency it was first used with: another is refused.
pub(super) async fn lock_till(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    till: &Till,
) -> Result<Result<(), Refusal>> {
    sqlx::query(
        "INSERT INTO cash_tills (id, centre, counter, currency, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
    )
    .bind(till.id())
    .bind(&till.centre)
    .bind(&till.counter)
    .bind(till.currency.code())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    let lock = if backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let currency: String = sqlx::query_scalar(&format!(
        "SELECT currency FROM cash_tills WHERE id = $1{lock}"
    ))
    .bind(till.id())
    .fetch_one(&mut *tx)
    .await?;
    if currency != till.currency.code() {
        return Ok(Err(Refusal::TillCurrency {
            till: till.id(),
            currency: currency_of(&currency)?,
        }));
    }
    Ok(Ok(()))
}

pub(super) async fn open_session_in(
    tx: &mut sqlx::AnyConnection,
    till: &str,
) -> Result<Option<Session>> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM cash_sessions s JOIN cash_tills t ON t.id = s.till \
         WHERE s.till = $1 AND s.closed_at IS NULL"
    ))
    .bind(till)
    .fetch_optional(&mut *tx)
    .await?;
    row.as_ref().map(row_to_session).transpose()
}

pub(super) async fn new_session(
    tx: &mut sqlx::AnyConnection,
    till: &Till,
    staff: &str,
) -> Result<Session> {
    let s = Session {
        id: uuid::Uuid::now_v7().to_string(),
        till: till.id(),
        day: Day::today().date(),
        opened_by: staff.to_string(),
        opened_at: now_ms(),
        closed: None,
    };
    sqlx::query(
        "INSERT INTO cash_sessions (id, till, day, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&s.id)
    .bind(&s.till)
    .bind(&s.day)
    .bind(&s.opened_by)
    .bind(s.opened_at)
    .execute(&mut *tx)
    .await?;
    Ok(s)
}

/// Opens a session on `till` for `staff` (account id), or returns the one already open.
pub async fn open(db: &Db, till: &Till, staff: &str) -> Result<Result<Session, Refusal>> {
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    if let Err(r) = lock_till(&mut tx, db.backend(), till).await? {
        return Ok(Err(r));
    }
    let session = match open_session_in(&mut tx, &till.id()).await? {
        Some(s) => s,
        None => new_session(&mut tx, till, staff).await?,
    };
    tx.commit().await?;
    Ok(Ok(session))
}

/// What the ledger holds for session `session`'s receipts: the sum of their postings to the
/// cash collection `account`.
async fn expected_in(tx: &mut sqlx::AnyConnection, session: &str, account: &str) -> Result<i64> {
    let sum: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) FROM cash_receipts r \
         JOIN ledger_entries e ON e.transaction_id = r.ledger_transaction \
         WHERE r.session_id = $1 AND e.account = $2",
    )
    .bind(session)
    .bind(account)
    .fetch_one(&mut *tx)
    .await?;
    Ok(sum)
}

/// A till as its page shows it: the open session (if any), its receipts and what the ledger
/// expects in the drawer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillNow {
    /// The open session.
    pub session: Option<Session>,
    /// Its receipts, oldest first.
    pub receipts: Vec<CashReceipt>,
    /// What the ledger holds for them.
    pub expected: Money,
    /// The till's latest closed session, if any.
    pub last_closed: Option<Session>,
}

/// The id of the open session of `till`, if one is open (one query; [`now`] reads its
/// receipts and what the drawer should hold too).
pub async fn open_session(db: &Db, till: &Till) -> Result<Option<String>> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM cash_sessions WHERE till = $1 AND closed_at IS NULL")
            .bind(till.id())
            .fetch_optional(db.pool())
            .await?;
    Ok(id)
}

/// The till `till` now.
pub async fn now(db: &Db, till: &Till) -> Result<TillNow> {
    let mut conn = db.pool().acquire().await?;
    let session = open_session_in(&mut conn, &till.id()).await?;
    let (receipts, expected) = match &session {
        Some(s) => (
            receipts_in(&mut conn, &s.id).await?,
            expected_in(&mut conn, &s.id, &till.account()).await?,
        ),
        None => (Vec::new(), 0),
    };
    let last = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM cash_sessions s JOIN cash_tills t ON t.id = s.till \
         WHERE s.till = $1 AND s.closed_at IS NOT NULL ORDER BY s.closed_at DESC LIMIT 1"
    ))
    .bind(till.id())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(TillNow {
        session,
        receipts,
        expected: Money::from_minor(expected, till.currency),
        last_closed: last.as_ref().map(row_to_session).transpose()?,
    })
}

/// Who counts and closes, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct Counter<'a> {
    /// Their account id.
    pub account: &'a str,
    /// Their name as finance pages show it.
    pub name: &'a str,
}

/// Closes the open session of `till`: `counted` is what the drawer holds. The difference from
/// what the ledger holds for the session's receipts is recorded; a difference needs a
/// `reason`. `session`, when given, is the session the form was shown with (a session closed
/// meanwhile is refused). Writes the audit record `till.close`.
pub async fn close(
    db: &Db,
    till: &Till,
    staff: Counter<'_>,
    counted: Money,
    reason: &str,
    session: Option<&str>,
) -> Result<Result<Session, Refusal>> {
    if counted.currency() != till.currency {
        return Ok(Err(Refusal::CountedCurrency {
            currency: till.currency,
        }));
    }
    if counted.minor() < 0 {
        return Ok(Err(Refusal::CountedNegative));
    }
    let reason = reason.trim();
    if reason.chars().count() > REASON_MAX || reason.chars().any(char::is_control) {
        return Ok(Err(Refusal::ReasonTooLong));
    }
    let backend = db.backend();
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    if let Err(r) = lock_till(&mut tx, backend, till).await? {
        return Ok(Err(r));
    }
    let Some(mut s) = open_session_in(&mut tx, &till.id()).await? else {
        return Ok(Err(Refusal::TillNotOpen));
    };
    if session.is_some_and(|named| !named.is_empty() && named != s.id) {
        return Ok(Err(Refusal::CloseSessionGone));
    }
    let expected = expected_in(&mut tx, &s.id, &till.account()).await?;
    let difference = counted.minor() - expected;
    if difference != 0 && reason.is_empty() {
        return Ok(Err(Refusal::ReasonRequired {
            difference: Money::from_minor(difference, till.currency),
        }));
    }
    let at = now_ms();
    let done = sqlx::query(
        "UPDATE cash_sessions SET closed_by = $1, closed_by_name = $2, closed_at = $3, \
         expected = $4, counted = $5, difference = $6, reason = $7 \
         WHERE id = $8 AND closed_at IS NULL",
    )
    .bind(staff.account)
    .bind(staff.name)
    .bind(at)
    .bind(expected)
    .bind(counted.minor())
    .bind(difference)
    .bind(reason)
    .bind(&s.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(Error::Conflict(
            "the till session was closed meanwhile".into(),
        ));
    }
    let money = |m: i64| Money::from_minor(m, till.currency).to_decimal();
    let detail = serde_json::json!({
        "till": till.id(),
        "session": s.id,
        "day": s.day,
        "currency": till.currency.code(),
        "expected": money(expected),
        "counted": money(counted.minor()),
        "difference": money(difference),
        "reason": reason,
        "by": staff.account,
        "by_name": staff.name,
    })
    .to_string();
    let actor = format!("account:{}", staff.account);
    let object = format!("till:{}", till.id());
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: &actor,
            action: "till.close",
            object: &object,
            subject: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    s.closed = Some(Closed {
        by: staff.account.to_string(),
        by_name: staff.name.to_string(),
        at,
        expected: Money::from_minor(expected, till.currency),
        counted,
        difference: Money::from_minor(difference, till.currency),
        reason: reason.to_string(),
    });
    Ok(Ok(s))
}

/// A closed session as finance staff and auditors read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// The centre.
    pub centre: String,
    /// The counter.
    pub counter: String,
    /// The day the session opened (East Africa Time, `YYYY-MM-DD`).
    pub day: String,
    /// Its close.
    pub closed: Closed,
    /// How many receipts it took.
    pub receipts: i64,
}

/// Closed till sessions, newest first (at most `limit`); only those with a difference when
/// `differences_only`.
pub async fn closings(db: &Db, differences_only: bool, limit: i64) -> Result<Vec<Closing>> {
    let filter = if differences_only {
        " AND s.difference <> 0"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS}, t.centre, t.counter, \
         (SELECT COUNT(*) FROM cash_receipts r WHERE r.session_id = s.id) AS receipts \
         FROM cash_sessions s JOIN cash_tills t ON t.id = s.till \
         WHERE s.closed_at IS NOT NULL{filter} ORDER BY s.closed_at DESC, s.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let session = row_to_session(r)?;
            let closed = session.closed.ok_or_else(|| {
                Error::Internal(format!("till session {} has no close", session.id))
            })?;
            Ok(Closing {
                centre: r.try_get("centre")?,
                counter: r.try_get("counter")?,
                day: session.day,
                closed,
                receipts: r.try_get("receipts")?,
            })
        })
        .collect()
}
