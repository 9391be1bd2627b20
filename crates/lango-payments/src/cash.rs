//! Cash taken at the counter of a service centre.
//!
//! Each counter has one till (`{centre}/{counter}`, in one currency). A till session opens
//! explicitly ([`open`]) or with the day's first receipt, and ends when the staff count the
//! drawer and close it ([`close`]); the next receipt opens a new session.
//!
//! 1. [`receipt`] posts cash through [`crate::posting::post_one`] (channel `cash`, so the
//!    money lands in `collection:cash:{currency}`) in the same transaction as the receipt's
//!    row, numbered `CSH…`. It refuses an unknown, paid, cancelled or expired bill, a bill in
//!    another currency, nothing or less, more than the balance (the cashier gives change) and
//!    a session closed while the form was open. A form sent twice carries the same one-time
//!    key (unique in the table): the second gets the first's receipt and posts nothing.
//! 2. [`close`] reads what the ledger holds for the session's receipts (their postings to the
//!    cash collection account), records the count and the difference (a difference needs a
//!    reason) and writes an audit record with both amounts and who counted.
//!
//! Every operation on a till takes its row lock first (PostgreSQL; SQLite has one writer), so
//! receipts and the close of one till never interleave.

use crate::finance::Day;
use crate::posting::{self, Applied, Payment};
use crate::reference::{BillReference, ReferenceError};
use crate::BillStatus;
use lango_core::clock::now_ms;
use lango_core::db::{begin_write, Backend, Db};
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;

/// The channel name in ledger accounts (`collection:cash:KES`).
pub const CHANNEL: &str = "cash";

/// The longest reason for a difference, in characters.
pub const REASON_MAX: usize = 500;

/// A counter's till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Till {
    /// The centre's code.
    pub centre: String,
    /// The counter's code.
    pub counter: String,
    /// The one currency it takes.
    pub currency: Currency,
}

impl Till {
    /// The till of `counter` at `centre`, taking `currency`.
    pub fn new(centre: &str, counter: &str, currency: Currency) -> Till {
        Till {
            centre: centre.trim().to_ascii_uppercase(),
            counter: counter.trim().to_ascii_uppercase(),
            currency,
        }
    }

    /// `{centre}/{counter}`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.centre, self.counter)
    }

    /// The ledger account its cash is collected in.
    pub fn account(&self) -> String {
        format!("collection:{CHANNEL}:{}", self.currency.code())
    }
}

/// A till session: from its opening to its close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its id.
    pub id: String,
    /// The till's id.
    pub till: String,
    /// The day it opened (East Africa Time, `YYYY-MM-DD`).
    pub day: String,
    /// Who opened it (account id).
    pub opened_by: String,
    /// When, unix ms.
    pub opened_at: i64,
    /// Its close, once counted.
    pub closed: Option<Closed>,
}

/// How a session was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// Who counted (account id).
    pub by: String,
    /// Their name as shown.
    pub by_name: String,
    /// When, unix ms.
    pub at: i64,
    /// What the ledger held for the session's receipts.
    pub expected: Money,
    /// What was in the drawer.
    pub counted: Money,
    /// `counted − expected`.
    pub difference: Money,
    /// Why they differ (empty when they do not).
    pub reason: String,
}

/// A cash receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashReceipt {
    /// `CSH…`
    pub number: String,
    /// The till session it belongs to.
    pub session: String,
    /// The till's id.
    pub till: String,
    /// The bill paid.
    pub bill_reference: String,
    /// What was taken.
    pub amount: Money,
    /// What remained to pay on the bill afterwards.
    pub balance_after: Money,
    /// The bill's status afterwards.
    pub status_after: BillStatus,
    /// Who took it (account id).
    pub staff: String,
    /// The ledger transaction of its posting.
    pub ledger_transaction: String,
    /// When, unix ms.
    pub created_at: i64,
}

/// The receipt form as sent.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// The form's one-time key: the same key posts once.
    pub key: &'a str,
    /// The till session the form was shown with (`None` when none was open).
    pub session: Option<&'a str>,
}

/// A receipt taken, or found again for a form sent twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The receipt.
    pub receipt: CashReceipt,
    /// True when this form had been sent before: nothing was posted now.
    pub repeated: bool,
}

const RECEIPT_COLUMNS: &str = "number, session_id, till, bill_reference, amount, currency, \
     balance_after, status_after, staff, ledger_transaction, created_at";

const SESSION_COLUMNS: &str = "s.id, s.till, s.day, s.opened_by, s.opened_at, s.closed_by, \
     s.closed_by_name, s.closed_at, s.expected, s.counted, s.difference, s.reason, t.currency";

fn currency_of(code: &str) -> Result<Currency> {
    code.parse()
        .map_err(|_| Error::Internal(format!("cash currency {code}")))
}

fn row_to_receipt(r: &sqlx::any::AnyRow) -> Result<CashReceipt> {
    let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
    Ok(CashReceipt {
        number: r.try_get("number")?,
        session: r.try_get("session_id")?,
        till: r.try_get("till")?,
        bill_reference: r.try_get("bill_reference")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        balance_after: Money::from_minor(r.try_get("balance_after")?, currency),
        status_after: r.try_get::<String, _>("status_after")?.parse()?,
        staff: r.try_get("staff")?,
        ledger_transaction: r.try_get("ledger_transaction")?,
        created_at: r.try_get("created_at")?,
    })
}

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
async fn lock_till(tx: &mut sqlx::AnyConnection, backend: Backend, till: &Till) -> Result<()> {
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
        return Err(Error::invalid(
            "till",
            format!("till {} takes {currency} only", till.id()),
        ));
    }
    Ok(())
}

async fn open_session_in(tx: &mut sqlx::AnyConnection, till: &str) -> Result<Option<Session>> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM cash_sessions s JOIN cash_tills t ON t.id = s.till \
         WHERE s.till = $1 AND s.closed_at IS NULL"
    ))
    .bind(till)
    .fetch_optional(&mut *tx)
    .await?;
    row.as_ref().map(row_to_session).transpose()
}

async fn new_session(tx: &mut sqlx::AnyConnection, till: &Till, staff: &str) -> Result<Session> {
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
pub async fn open(db: &Db, till: &Till, staff: &str) -> Result<Session> {
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    lock_till(&mut tx, db.backend(), till).await?;
    let session = match open_session_in(&mut tx, &till.id()).await? {
        Some(s) => s,
        None => new_session(&mut tx, till, staff).await?,
    };
    tx.commit().await?;
    Ok(session)
}

/// The bill reference as typed, in canonical form, or why not.
fn parse_reference(typed: &str) -> Result<String> {
    if typed.trim().is_empty() {
        return Err(Error::invalid("bill", "enter the bill's reference"));
    }
    match BillReference::parse(typed) {
        Ok(r) => Ok(r.as_str().to_string()),
        Err(ReferenceError::Check) => Err(Error::invalid(
            "bill",
            "this reference has a typing mistake: check it against the bill",
        )),
        Err(_) => Err(Error::invalid("bill", "this is not a bill reference")),
    }
}

/// Takes `amount` in cash at `till` for bill `bill_reference` from `staff` (account id),
/// posts it and returns the receipt. See the module's notes for what is refused (each an
/// [`Error::Invalid`] naming the field: `bill`, `amount` or `session`).
pub async fn receipt(
    db: &Db,
    till: &Till,
    staff: &str,
    bill_reference: &str,
    amount: Money,
    form: Submission<'_>,
) -> Result<Taken> {
    if form.key.trim().is_empty() || form.key.len() > 100 {
        return Err(Error::invalid(
            "key",
            "the form has no valid key: reload it",
        ));
    }
    let reference = parse_reference(bill_reference)?;
    let named = form.session.filter(|s| !s.is_empty());
    let backend = db.backend();
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    lock_till(&mut tx, backend, till).await?;
    if let Some(r) = receipt_by_key(&mut tx, form.key).await? {
        tx.rollback().await?;
        return Ok(Taken {
            receipt: r,
            repeated: true,
        });
    }
    let bills = posting::lock_bills(&mut tx, backend, std::slice::from_ref(&reference)).await?;
    let Some(bill) = bills.get(&reference) else {
        return Err(Error::invalid(
            "bill",
            format!("no bill has the reference {reference}"),
        ));
    };
    if !bill.status.is_payable() {
        return Err(Error::invalid(
            "bill",
            format!("bill {reference} is {} and takes no payment", bill.status),
        ));
    }
    if bill.currency != till.currency || amount.currency() != bill.currency {
        return Err(Error::invalid(
            "bill",
            format!(
                "bill {reference} is in {}; this till takes {} only",
                bill.currency.code(),
                till.currency.code()
            ),
        ));
    }
    if amount.minor() <= 0 {
        return Err(Error::invalid(
            "amount",
            "enter the amount received, more than 0",
        ));
    }
    let balance = bill.balance();
    if amount.minor() > balance {
        return Err(Error::invalid(
            "amount",
            format!(
                "that is more than the balance of {}: take the balance and give change",
                Money::from_minor(balance, bill.currency).display()
            ),
        ));
    }
    let session = match open_session_in(&mut tx, &till.id()).await? {
        Some(s) => {
            if named.is_some_and(|named| named != s.id) {
                return Err(closed_meanwhile());
            }
            if s.day != Day::today().date() {
                return Err(Error::invalid(
                    "session",
                    format!(
                        "the till is still open from {}: count and close it before taking cash today",
                        s.day
                    ),
                ));
            }
            s
        }
        None if named.is_some() => return Err(closed_meanwhile()),
        None => new_session(&mut tx, till, staff).await?,
    };
    let n = lango_core::db::next_counter(&mut tx, "cash_receipt").await?;
    let number = format!("CSH{n:08}");
    let payment = Payment {
        channel: CHANNEL.to_string(),
        receipt: number.clone(),
        amount,
    };
    let (applied, transaction) =
        posting::post_one(&mut tx, backend, Some(&reference), &payment).await?;
    let Applied::Bill { status, .. } = applied else {
        return Err(Error::Internal(format!(
            "cash {number} did not reach bill {reference}"
        )));
    };
    let r = CashReceipt {
        number,
        session: session.id.clone(),
        till: till.id(),
        bill_reference: reference,
        amount,
        balance_after: Money::from_minor(balance - amount.minor(), amount.currency()),
        status_after: status,
        staff: staff.to_string(),
        ledger_transaction: transaction,
        created_at: now_ms(),
    };
    sqlx::query(
        "INSERT INTO cash_receipts (number, session_id, till, bill_reference, amount, currency, \
         balance_after, status_after, staff, form_key, ledger_transaction, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&r.number)
    .bind(&r.session)
    .bind(&r.till)
    .bind(&r.bill_reference)
    .bind(r.amount.minor())
    .bind(r.amount.currency().code())
    .bind(r.balance_after.minor())
    .bind(r.status_after.as_str())
    .bind(&r.staff)
    .bind(form.key)
    .bind(&r.ledger_transaction)
    .bind(r.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Taken {
        receipt: r,
        repeated: false,
    })
}

fn closed_meanwhile() -> Error {
    Error::invalid(
        "session",
        "the till was closed while this form was open; nothing was recorded. Take the payment again",
    )
}

async fn receipt_by_key(tx: &mut sqlx::AnyConnection, key: &str) -> Result<Option<CashReceipt>> {
    let row = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM cash_receipts WHERE form_key = $1"
    ))
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?;
    row.as_ref().map(row_to_receipt).transpose()
}

/// A receipt by its number.
pub async fn get_receipt(db: &Db, number: &str) -> Result<Option<CashReceipt>> {
    let row = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM cash_receipts WHERE number = $1"
    ))
    .bind(number)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(row_to_receipt).transpose()
}

/// The receipts of session `session`, oldest first.
pub async fn session_receipts(db: &Db, session: &str) -> Result<Vec<CashReceipt>> {
    let mut conn = db.pool().acquire().await?;
    receipts_in(&mut conn, session).await
}

async fn receipts_in(conn: &mut sqlx::AnyConnection, session: &str) -> Result<Vec<CashReceipt>> {
    let rows = sqlx::query(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM cash_receipts WHERE session_id = $1 ORDER BY created_at, number"
    ))
    .bind(session)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(row_to_receipt).collect()
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
) -> Result<Session> {
    if counted.currency() != till.currency {
        return Err(Error::invalid(
            "counted",
            format!("count the till in {}", till.currency.code()),
        ));
    }
    if counted.minor() < 0 {
        return Err(Error::invalid(
            "counted",
            "enter what the drawer holds, 0 or more",
        ));
    }
    let reason = reason.trim();
    if reason.chars().count() > REASON_MAX || reason.chars().any(char::is_control) {
        return Err(Error::invalid(
            "reason",
            format!("the reason must be at most {REASON_MAX} characters on one line"),
        ));
    }
    let backend = db.backend();
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    lock_till(&mut tx, backend, till).await?;
    let Some(mut s) = open_session_in(&mut tx, &till.id()).await? else {
        return Err(Error::invalid(
            "session",
            "this till has no open session: it was closed already",
        ));
    };
    if session.is_some_and(|named| !named.is_empty() && named != s.id) {
        return Err(Error::invalid(
            "session",
            "the session on this form was closed already; check the till again",
        ));
    }
    let expected = expected_in(&mut tx, &s.id, &till.account()).await?;
    let difference = counted.minor() - expected;
    if difference != 0 && reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            format!(
                "the count differs from what is expected by {}: say why",
                Money::from_minor(difference, till.currency).display()
            ),
        ));
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
    Ok(s)
}

/// A closed session as finance staff and auditors read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// The centre.
    pub centre: String,
    /// The counter.
    pub counter: String,
    /// The session with its close.
    pub session: Session,
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
            Ok(Closing {
                centre: r.try_get("centre")?,
                counter: r.try_get("counter")?,
                session: row_to_session(r)?,
                receipts: r.try_get("receipts")?,
            })
        })
        .collect()
}

/// The payer's phone on bill `reference` (canonical), for a prompt from the counter.
pub async fn payer_phone(db: &Db, reference: &str) -> Result<Option<String>> {
    let phone: Option<String> =
        sqlx::query_scalar("SELECT payer_phone FROM bills WHERE reference = $1")
            .bind(reference)
            .fetch_optional(db.pool())
            .await?;
    Ok(phone.filter(|p| !p.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_till_is_named_by_its_centre_and_counter() {
        let t = Till::new("hc-gpo", " 3 ", Currency::Kes);
        assert_eq!(t.id(), "HC-GPO/3");
        assert_eq!(t.account(), "collection:cash:KES");
    }

    #[test]
    fn references_are_checked_before_any_lookup() {
        assert!(
            matches!(parse_reference("  "), Err(Error::Invalid { field, .. }) if field == "bill")
        );
        assert!(
            matches!(parse_reference("!!"), Err(Error::Invalid { field, .. }) if field == "bill")
        );
    }
}
