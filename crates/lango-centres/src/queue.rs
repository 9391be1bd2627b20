//! Queue tickets: issued at reception or a kiosk (a walk-in, or an appointment checking in),
//! numbered per service letter and day (`A001`), called at counters, and timed at every step
//! (queued, first called, finished) so waiting and service times are exact.
//!
//! Every change goes through one committer per node that writes the changes waiting at that
//! moment in one transaction, in arrival order, answering each caller after the commit: a
//! busy centre day is thousands of small writes, and one durable commit per change is what
//! the storage could not keep up with. A call picks its ticket with a conditional update
//! (and `FOR UPDATE SKIP LOCKED` on PostgreSQL, where several nodes share the queue), so two
//! counters calling at once never get the same ticket.

use crate::calendar;
use crate::model::Centre;
use crate::refusal::Refusal;
use lango_core::audit;
use lango_core::clock::now_ms;
use lango_core::{word_enum, Error, Result};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

mod changes;
mod committer;
mod one_trip;

pub use changes::estimated_wait;
use changes::{ticket_of, COLUMNS};
pub use committer::Committer;
use committer::Op;

word_enum! {
    /// Where a ticket stands.
    pub enum Status {
        /// In the queue.
        Waiting = "waiting",
        /// Called to a counter, being served.
        Called = "called",
        /// Stepped away (a missing document): back in the queue when staff resume it.
        Held = "held",
        /// Served and finished.
        Served = "served",
        /// Called and never came.
        NoShow = "no_show",
    }
}

/// People ahead of a ticket when its holder is told by SMS to come back.
pub const NEAR: i64 = 3;

/// A ticket as callers see it.
#[derive(Debug, Clone, Serialize)]
pub struct Ticket {
    /// Its number, e.g. `A012`.
    pub number: String,
    /// The service's code.
    pub service: String,
    /// Where it stands.
    #[serde(serialize_with = "word")]
    pub status: Status,
    /// Its lane (`walk_in`, `appointment`, `elderly`, …).
    pub lane: String,
    /// The counter it was called to.
    pub counter: Option<String>,
    /// The appointment it checked in.
    pub appointment: Option<String>,
    /// When it was issued, unix milliseconds.
    pub issued_at: i64,
    /// First called, unix milliseconds.
    pub called_at: Option<i64>,
    /// Finished, unix milliseconds.
    pub finished_at: Option<i64>,
    /// Its place in the queue, 1 at the front (issue and look-up).
    pub position: i64,
    /// Minutes it may wait (issue and look-up).
    pub estimated_wait_minutes: i64,
}

fn word<S: serde::Serializer, T: std::fmt::Display>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// A ticket to issue.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The service's code (ignored when checking in an appointment: the appointment's).
    pub service: String,
    /// A priority lane the centre runs (`elderly`, `disability`, `pregnancy`), if any.
    pub lane: Option<String>,
    /// An appointment checking in.
    pub appointment: Option<String>,
    /// A phone for the "nearly your turn" SMS.
    pub phone: Option<String>,
    /// `reception`, `kiosk` or `api`.
    pub channel: String,
}

/// What a counter does to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// Finished: served.
    Done,
    /// Called and never came.
    NoShow,
    /// Stepped away: out of the queue until resumed.
    Hold,
    /// Back into the queue at its place.
    Resume,
    /// Called again (shown again on the board).
    Recall,
    /// Back into the queue for another service, or for one counter.
    Transfer {
        /// The new service.
        service: Option<String>,
        /// The counter that must serve it.
        counter: Option<String>,
    },
}

/// A counter's desk now.
#[derive(Debug, Clone)]
pub struct AtCounter {
    /// The ticket it serves.
    pub serving: Option<Ticket>,
    /// Tickets on hold at the centre.
    pub held: Vec<Ticket>,
}

/// One line of the display board.
#[derive(Debug, Clone, Serialize)]
pub struct Called {
    /// The ticket's number.
    pub number: String,
    /// The counter.
    pub counter: String,
    /// When it was (last) called.
    pub at: i64,
}

/// A service's line, for the board and the manager's view.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The service's code.
    pub service: String,
    /// Its ticket letter.
    pub letter: char,
    /// Tickets waiting.
    pub waiting: i64,
    /// Minutes the longest-waiting ticket has waited.
    pub longest_wait_minutes: i64,
}

/// A counter at the moment, for the manager's view.
#[derive(Debug, Clone, Serialize)]
pub struct CounterNow {
    /// Its code.
    pub code: String,
    /// The ticket it serves, if any.
    pub serving: Option<String>,
    /// Open: it called a ticket in the last half hour.
    pub open: bool,
    /// Tickets it finished today.
    pub served_today: i64,
}

/// What the board and the manager's view show.
#[derive(Debug, Clone, Serialize)]
pub struct Hall {
    /// The latest calls, newest first.
    pub called: Vec<Called>,
    /// Each service's line.
    pub lines: Vec<Line>,
    /// Each counter.
    pub counters: Vec<CounterNow>,
}

impl crate::Centres {
    /// Issues a ticket at `c` for `actor` (its staff, or the operator's system).
    pub async fn issue(
        &self,
        actor: &lango_identity::policy::Actor,
        c: &Centre,
        issue: Issue,
    ) -> Result<Ticket> {
        self.issue_with(actor, c, issue, &mut None).await
    }

    /// [`Self::issue`] for an agency system's call: its `exchange` line is taken and
    /// committed with the ticket once the change is asked of the committer (a refusal
    /// before that leaves it for the caller to log).
    pub async fn issue_with(
        &self,
        actor: &lango_identity::policy::Actor,
        c: &Centre,
        issue: Issue,
        exchange: &mut Option<audit::Line>,
    ) -> Result<Ticket> {
        crate::Centres::check(actor, lango_identity::policy::Action::Assist, c)?;
        if c.status != crate::model::Status::Open {
            return Err(Refusal::CentreClosed {
                centre: c.code.clone(),
            }
            .into());
        }
        self.queue
            .send(
                Op::Issue {
                    centre: c.clone(),
                    issue,
                },
                exchange.take(),
            )
            .await?
            .ok_or_else(|| Error::Internal("no ticket".into()))
    }

    /// Calls the next ticket for counter `counter` of `c`, finishing the one it served;
    /// `None` when nobody waits for its services.
    pub async fn call(
        &self,
        actor: &lango_identity::policy::Actor,
        c: &Centre,
        counter: &str,
    ) -> Result<Option<Ticket>> {
        self.call_with(actor, c, counter, &mut None).await
    }

    /// [`Self::call`] with an `exchange` line as for [`Self::issue_with`].
    pub async fn call_with(
        &self,
        actor: &lango_identity::policy::Actor,
        c: &Centre,
        counter: &str,
        exchange: &mut Option<audit::Line>,
    ) -> Result<Option<Ticket>> {
        crate::Centres::check(actor, lango_identity::policy::Action::Assist, c)?;
        let counter =
            crate::model::parse_counter_code(counter).ok_or_else(|| Refusal::CounterUnknown {
                counter: counter.into(),
                centre: None,
            })?;
        for _ in 0..5 {
            match self
                .queue
                .send(
                    Op::Call {
                        centre: c.clone(),
                        counter: counter.clone(),
                    },
                    exchange.take(),
                )
                .await
            {
                // Another node took the picked ticket first: pick again.
                Err(e) if e.refusal::<Refusal>() == Some(&Refusal::TicketTaken) => continue,
                other => return other,
            }
        }
        Err(Refusal::QueueBusy.into())
    }

    /// Does `act` to ticket `number` at `c` (from counter `counter`, when a counter acts).
    pub async fn act(
        &self,
        actor: &lango_identity::policy::Actor,
        c: &Centre,
        number: &str,
        act: Act,
        counter: Option<&str>,
    ) -> Result<Ticket> {
        self.act_with(actor, c, number, act, counter, &mut None)
            .await
    }

    /// [`Self::act`] with an `exchange` line as for [`Self::issue_with`].
    pub async fn act_with(
        &self,
        actor: &lango_identity::policy::Actor,
        c: &Centre,
        number: &str,
        act: Act,
        counter: Option<&str>,
        exchange: &mut Option<audit::Line>,
    ) -> Result<Ticket> {
        crate::Centres::check(actor, lango_identity::policy::Action::Assist, c)?;
        self.queue
            .send(
                Op::Act {
                    centre: c.clone(),
                    number: number.into(),
                    act,
                    counter: counter.map(String::from),
                },
                exchange.take(),
            )
            .await?
            .ok_or_else(|| Error::Internal("no ticket".into()))
    }

    /// The hall of `c` now: the latest calls, each line and each counter.
    pub async fn hall(&self, c: &Centre) -> Result<Hall> {
        let now = now_ms();
        let mut conn = self.db.pool().acquire().await?;
        let called = sqlx::query(
            "SELECT number, counter, last_called_at FROM tickets WHERE centre = $1 AND last_called_at > $2 AND counter IS NOT NULL \
             ORDER BY last_called_at DESC LIMIT 8",
        )
        .bind(&c.code)
        .bind(now - 3_600_000)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(Called { number: r.try_get("number")?, counter: r.try_get("counter")?, at: r.try_get("last_called_at")? }))
        .collect::<Result<Vec<_>>>()?;
        let waiting: HashMap<String, (i64, i64)> = sqlx::query(
            "SELECT service, COUNT(*) AS n, MIN(queued_at) AS oldest FROM tickets WHERE centre = $1 AND status = 'waiting' GROUP BY service",
        )
        .bind(&c.code)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("service")?, (r.try_get("n")?, r.try_get("oldest")?))))
        .collect::<Result<_>>()?;
        let lines = c
            .offers
            .iter()
            .map(|o| {
                let (n, oldest) = waiting.get(&o.service).copied().unwrap_or((0, now));
                Line {
                    service: o.service.clone(),
                    letter: o.letter,
                    waiting: n,
                    longest_wait_minutes: (now - oldest).max(0) / 60_000,
                }
            })
            .collect();
        let today = calendar::date_of(now);
        let rows = sqlx::query(
            "SELECT counter, MAX(last_called_at) AS last, SUM(CASE WHEN status = 'served' THEN 1 ELSE 0 END) AS served, \
             MAX(CASE WHEN status = 'called' THEN number END) AS serving FROM tickets WHERE centre = $1 AND day = $2 AND counter IS NOT NULL GROUP BY counter",
        )
        .bind(&c.code)
        .bind(&today)
        .fetch_all(&mut *conn)
        .await?;
        let mut seen: HashMap<String, (i64, i64, Option<String>)> = HashMap::new();
        for r in &rows {
            seen.insert(
                r.try_get("counter")?,
                (
                    r.try_get::<Option<i64>, _>("last")?.unwrap_or(0),
                    r.try_get::<Option<i64>, _>("served")?.unwrap_or(0),
                    r.try_get("serving")?,
                ),
            );
        }
        let counters = c
            .counters
            .iter()
            .map(|k| {
                let (last, served, serving) = seen.remove(&k.code).unwrap_or((0, 0, None));
                CounterNow {
                    code: k.code.clone(),
                    serving,
                    open: now - last < 1_800_000,
                    served_today: served,
                }
            })
            .collect();
        Ok(Hall {
            called,
            lines,
            counters,
        })
    }

    /// What counter `counter` of `c` has now: the ticket it serves and the tickets on hold
    /// at the centre (any counter may take one back).
    pub async fn at_counter(&self, c: &Centre, counter: &str) -> Result<AtCounter> {
        let mut conn = self.db.pool().acquire().await?;
        let serving = sqlx::query(&format!("SELECT {COLUMNS} FROM tickets WHERE centre = $1 AND counter = $2 AND status = 'called' ORDER BY last_called_at DESC LIMIT 1"))
            .bind(&c.code)
            .bind(counter)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| ticket_of(&r))
            .transpose()?;
        let held = sqlx::query(&format!("SELECT {COLUMNS} FROM tickets WHERE centre = $1 AND status = 'held' ORDER BY queued_at LIMIT 50"))
            .bind(&c.code)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(ticket_of)
            .collect::<Result<_>>()?;
        Ok(AtCounter { serving, held })
    }

    /// The ticket `number` at `c` today, for its holder's look-up (a kiosk, USSD).
    pub async fn ticket(&self, c: &Centre, number: &str) -> Result<Ticket> {
        let row = sqlx::query(&format!("SELECT {COLUMNS}, priority, queued_at FROM tickets WHERE centre = $1 AND number = $2 AND day = $3"))
            .bind(&c.code)
            .bind(number.trim().to_ascii_uppercase())
            .bind(calendar::today())
            .fetch_optional(self.db.pool())
            .await?
            .ok_or_else(|| Refusal::TicketUnknown {
                number: number.into(),
                centre: None,
            })?;
        let mut t = ticket_of(&row)?;
        if t.status == Status::Waiting {
            let ahead: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM tickets WHERE centre = $1 AND status = 'waiting' AND service = $2 \
                 AND (priority > $3 OR (priority = $3 AND queued_at < $4))",
            )
            .bind(&c.code)
            .bind(&t.service)
            .bind(row.try_get::<i64, _>("priority")?)
            .bind(row.try_get::<i64, _>("queued_at")?)
            .fetch_one(self.db.pool())
            .await?;
            t.position = ahead + 1;
            t.estimated_wait_minutes = estimated_wait(c, &t.service, ahead);
        }
        Ok(t)
    }
}
