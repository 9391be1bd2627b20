//! SQLite: a walk-in's ticket and a counter's call, each in one round trip to the
//! committer's connection.
//!
//! sqlx runs a SQLite connection on a thread of its own, and every statement is a hand-over
//! to that thread and back. In a profile of the Huduma day over HTTP on the 2-core machine
//! those hand-overs (the context switches, not SQLite) were most of the committer's time,
//! three per ticket issued and three per call. SQLite runs the statements of one query text
//! in order, each seeing what the last one changed, so what PostgreSQL is sent as three
//! statements is one query here. Rows say which statement returned them (`part`).

use super::changes::{AHEAD, NEW_COLUMNS};
use crate::appointments::DAY_PLACE;
use lango_core::Result;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A ticket about to be written.
pub(super) struct NewTicket<'a> {
    pub centre: &'a str,
    pub day: &'a str,
    pub service: &'a str,
    pub lane: &'a str,
    pub priority: i64,
    pub appointment: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub channel: &'a str,
    pub now: i64,
    /// The service's ticket letter.
    pub letter: char,
}

impl NewTicket<'_> {
    /// The counter its number is taken from: one per centre, day and letter.
    pub fn sequence(&self) -> String {
        format!("ticket:{}:{}:{}", self.centre, self.day, self.letter)
    }
}

/// Takes a place of the day (`cap` a day), the next number of its letter and writes the
/// walk-in ticket `t`: its number and the people ahead of it, or `None` when the day is
/// full (then nothing is written: each statement goes on only when the one before it
/// changed a row, `changes() = 1`). The number is the letter and at least three digits, as
/// [`super::changes`] writes it on PostgreSQL.
pub(super) async fn walk_in(
    tx: &mut sqlx::AnyConnection,
    t: &NewTicket<'_>,
    cap: u32,
) -> Result<Option<(String, i64)>> {
    let sql = format!(
        "{DAY_PLACE}; \
         INSERT INTO counters (name, value) SELECT $5, 1 WHERE changes() = 1 \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1; \
         INSERT INTO tickets ({NEW_COLUMNS}) \
         SELECT $1 || ':' || $3 || ':' || printf('%s%03d', $6, value), $1, $3, printf('%s%03d', $6, value), $2, $7, $8, NULL, $9, \
         'waiting', NULL, NULL, $10, $11, $11, 0, 0 FROM counters WHERE name = $5 AND changes() = 1 \
         RETURNING number, {AHEAD}"
    );
    let row = sqlx::query(&sql)
        .bind(t.centre)
        .bind(t.service)
        .bind(t.day)
        .bind(i64::from(cap))
        .bind(t.sequence())
        .bind(t.letter.to_string())
        .bind(t.lane)
        .bind(t.priority)
        .bind(t.phone)
        .bind(t.channel)
        .bind(t.now)
        .fetch_all(&mut *tx)
        .await?
        .pop();
    row.map(|r| Ok((r.try_get("number")?, r.try_get("ahead")?)))
        .transpose()
}

/// A call's statements as one query: `finish`, `claim` and `near`, in that order.
pub(super) fn call_sql(finish: &str, claim: &str, near: &str) -> String {
    format!("{finish}; {claim}; {near}")
}

/// What a call's statements returned.
pub(super) struct CallRows {
    /// The tickets it finished.
    pub finished: Vec<AnyRow>,
    /// The ticket it called, if anybody waited.
    pub claimed: Option<AnyRow>,
    /// The one to tell that their turn is near, if any.
    pub near: Option<AnyRow>,
}

impl CallRows {
    /// Sorts the rows of [`call_sql`] by the statement that returned them.
    pub fn of(rows: Vec<AnyRow>) -> Result<CallRows> {
        let mut out = CallRows {
            finished: Vec::new(),
            claimed: None,
            near: None,
        };
        for r in rows {
            match r.try_get::<String, _>("part")?.as_str() {
                "finished" => out.finished.push(r),
                "called" => out.claimed = Some(r),
                _ => out.near = Some(r),
            }
        }
        Ok(out)
    }
}
