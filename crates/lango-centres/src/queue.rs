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
use crate::model::{Centre, LANES};
use crate::refusal::Refusal;
use lango_core::audit::{self, EXCHANGE};
use lango_core::clock::now_ms;
use lango_core::db::{backend_of, begin_write, next_counter, Backend, Db, Held};
use lango_core::{word_enum, Error, Result};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

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

enum Op {
    Issue {
        centre: Centre,
        issue: Issue,
    },
    Call {
        centre: Centre,
        counter: String,
    },
    Act {
        centre: Centre,
        number: String,
        act: Act,
        counter: Option<String>,
    },
    /// An appointment checked and ready to write: it takes its places in the group's
    /// transaction like any other change (one durable commit for many bookings).
    Book(Box<crate::appointments::Pending>),
    /// Nothing to change: only the job's exchange line, written in the group's commit
    /// rather than by the exchange log's own committer (a second writer taking turns).
    Log,
}

/// What a change answers.
enum Done {
    Ticket(Option<Ticket>),
    Booked(crate::appointments::Appointment),
}

struct Job {
    op: Op,
    /// The exchange log's line of the agency system's call that asked for `op`: written in
    /// the same transaction, so the call is on record exactly when its change is.
    exchange: Option<audit::Line>,
    reply: oneshot::Sender<Result<Done>>,
}

/// Most changes in one transaction.
const GROUP_LIMIT: usize = 256;

/// The node's queue committer: cheap to clone.
#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the committer on a thread of its own.
    pub fn start(db: Db) -> Committer {
        let (jobs, rx) = mpsc::channel(8 * GROUP_LIMIT);
        lango_core::own_thread::spawn("queue-committer", run(db, rx));
        Committer { jobs }
    }

    async fn send(&self, op: Op, exchange: Option<audit::Line>) -> Result<Option<Ticket>> {
        match self.submit(op, exchange).await? {
            Done::Ticket(t) => Ok(t),
            Done::Booked(_) => Err(Error::Internal("a queue change answered a booking".into())),
        }
    }

    /// Writes the booking `p` in the next group; answered once that group has committed.
    pub(crate) async fn book(
        &self,
        p: crate::appointments::Pending,
    ) -> Result<crate::appointments::Appointment> {
        match self.submit(Op::Book(Box::new(p)), None).await? {
            Done::Booked(a) => Ok(a),
            Done::Ticket(_) => Err(Error::Internal("a booking answered a ticket".into())),
        }
    }

    async fn submit(&self, op: Op, exchange: Option<audit::Line>) -> Result<Done> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Error::Internal("the queue committer has stopped".into());
        self.jobs
            .send(Job {
                op,
                exchange,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut conn = Held::default();
    let mut jobs: Vec<Job> = Vec::with_capacity(GROUP_LIMIT);
    while rx.recv_many(&mut jobs, GROUP_LIMIT).await > 0 {
        for _ in 0..2 {
            tokio::task::yield_now().await;
            while jobs.len() < GROUP_LIMIT {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
        }
        let group: Vec<Job> = std::mem::take(&mut jobs);
        let started = std::time::Instant::now();
        match commit_group(&db, &mut conn, &group).await {
            Ok(answers) => {
                use lango_core::telemetry::{committer, group_committed};
                group_committed(committer::QUEUE, group.len(), started.elapsed());
                for (job, answer) in group.into_iter().zip(answers) {
                    let _ = job.reply.send(answer);
                }
            }
            Err(e) => {
                // Nothing of the group committed: each change alone, so one that fails
                // fails only its own caller.
                tracing::warn!(error = %e, size = group.len(), "queue group failed; one by one");
                for job in group {
                    let answer =
                        match commit_group(&db, &mut conn, std::slice::from_ref(&job)).await {
                            Ok(mut a) => a.pop().unwrap_or(Ok(Done::Ticket(None))),
                            Err(e) => Err(e),
                        };
                    let _ = job.reply.send(answer);
                }
            }
        }
    }
}

/// Applies `group` in one transaction; a database fault fails the whole group (none of it
/// committed), a refusal only its own change (refusals are found before anything is written).
async fn commit_group(db: &Db, held: &mut Held, group: &[Job]) -> Result<Vec<Result<Done>>> {
    let conn = held.get(db).await?;
    let answers = commit_in(db, conn, group).await;
    if answers.is_err() {
        held.release();
    }
    answers
}

async fn commit_in(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    group: &[Job],
) -> Result<Vec<Result<Done>>> {
    let _turn = db.write_turn().await;
    let mut tx = begin_write(conn).await?;
    let mut answers = Vec::with_capacity(group.len());
    let mut tells = Vec::new();
    // Finished tickets' survey invitations: one insert at the end of the group.
    let mut invites = Vec::new();
    // First calls' waits (centre, ms), measured once the group has committed.
    let mut waits = Vec::new();
    for job in group {
        let answer = match &job.op {
            Op::Issue { centre, issue } => issue_in(&mut tx, centre, issue)
                .await
                .map(|t| Done::Ticket(Some(t))),
            Op::Call { centre, counter } => {
                let out = (&mut tells, &mut invites, &mut waits);
                call_in(&mut tx, centre, counter, out)
                    .await
                    .map(Done::Ticket)
            }
            Op::Act {
                centre,
                number,
                act,
                counter,
            } => act_in(
                &mut tx,
                centre,
                number,
                act,
                counter.as_deref(),
                &mut invites,
            )
            .await
            .map(|t| Done::Ticket(Some(t))),
            Op::Book(p) => crate::appointments::book_in(&mut tx, p)
                .await
                .map(Done::Booked),
            Op::Log => Ok(Done::Ticket(None)),
        };
        match answer {
            Err(e @ (Error::Database(_) | Error::Internal(_))) => return Err(e),
            other => answers.push(other),
        }
    }
    crate::survey::invite_all(&mut tx, &invites).await?;
    let calls: Vec<_> = group
        .iter()
        .filter_map(|j| j.exchange.as_ref().map(audit::Line::entry))
        .collect();
    audit::append_many(&mut tx, EXCHANGE, &calls).await?;
    for (centre, number, phone, ahead) in tells {
        tell_near(&mut tx, &centre, &number, &phone, ahead).await?;
    }
    tx.commit().await?;
    for (centre, waited_ms) in waits {
        lango_core::telemetry::queue_waited(&centre, waited_ms);
    }
    Ok(answers)
}

/// A ticket's columns as changes return them (`day` and `phone` for a finished ticket's
/// survey invitation, so it need not be read back).
const COLUMNS: &str =
    "id, number, service, status, lane, counter, appointment, issued_at, called_at, finished_at, day, phone";

fn ticket_of(r: &sqlx::any::AnyRow) -> Result<Ticket> {
    Ok(Ticket {
        number: r.try_get("number")?,
        service: r.try_get("service")?,
        status: r.try_get::<String, _>("status")?.parse()?,
        lane: r.try_get("lane")?,
        counter: r.try_get("counter")?,
        appointment: r.try_get("appointment")?,
        issued_at: r.try_get("issued_at")?,
        called_at: r.try_get("called_at")?,
        finished_at: r.try_get("finished_at")?,
        position: 0,
        estimated_wait_minutes: 0,
    })
}

/// Minutes a ticket of `service` at `c` with `ahead` people before it may wait: their
/// minutes at the counter shared by the counters serving it (the issue's estimate and the
/// holder's look-up say the same).
pub fn estimated_wait(c: &Centre, service: &str, ahead: i64) -> i64 {
    let minutes = c.offer(service).map_or(0, |o| i64::from(o.minutes));
    let counters = c.counters_for(service).max(1) as i64;
    (ahead * minutes + counters - 1) / counters
}

/// A lane's priority: lanes the centre runs go first, in the order it lists them.
fn priority(c: &Centre, lane: &str) -> i64 {
    c.lanes
        .iter()
        .position(|l| l == lane)
        .map_or(0, |i| (LANES.len() - i) as i64)
}

async fn issue_in(tx: &mut sqlx::AnyConnection, c: &Centre, issue: &Issue) -> Result<Ticket> {
    let now = now_ms();
    let day = calendar::date_of(now);
    // Checked before any place is taken: a refusal writes nothing.
    let phone = match issue
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(
            lango_identity::model::Phone::parse(p)
                .map_err(|_| Refusal::PhoneInvalid)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let (service, lane, appointment) = match &issue.appointment {
        Some(reference) => {
            let reference = crate::appointments::parse_reference(reference)
                .ok_or(Refusal::AppointmentReferenceInvalid)?;
            let row = sqlx::query("SELECT service, day, status FROM appointments WHERE reference = $1 AND centre = $2")
                .bind(&reference)
                .bind(&c.code)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| Refusal::AppointmentNotHere { reference: reference.clone(), centre: c.code.clone() })?;
            let (service, a_day, status): (String, String, String) = (
                row.try_get("service")?,
                row.try_get("day")?,
                row.try_get("status")?,
            );
            if a_day != day {
                return Err(Refusal::AppointmentNotToday {
                    reference,
                    day: a_day,
                }
                .into());
            }
            if status != "booked" {
                return Err(Refusal::AppointmentStatus { reference, status }.into());
            }
            sqlx::query("UPDATE appointments SET status = 'checked_in', updated_at = $1 WHERE reference = $2")
                .bind(now)
                .bind(&reference)
                .execute(&mut *tx)
                .await?;
            let lane = if c.lanes.iter().any(|l| l == "appointment") {
                "appointment"
            } else {
                "walk_in"
            };
            (service, lane.to_string(), Some(reference))
        }
        None => {
            let service = crate::appointments::service_code(&issue.service)?;
            let offer = crate::appointments::offered(c, &service)?;
            let lane = match issue
                .lane
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty() && *l != "walk_in")
            {
                Some(l) if c.lanes.iter().any(|x| x == l) => l.to_string(),
                Some(l) => {
                    return Err(Refusal::LaneUnknown {
                        centre: c.code.clone(),
                        lane: l.into(),
                    }
                    .into())
                }
                None => "walk_in".to_string(),
            };
            if !crate::appointments::take_day_place(tx, &c.code, &service, &day, offer.daily_cap)
                .await?
            {
                return Err(Refusal::DayFull { service }.into());
            }
            (service, lane, None)
        }
    };
    let offer = crate::appointments::offered(c, &service)?;
    let seq = next_counter(tx, &format!("ticket:{}:{day}:{}", c.code, offer.letter)).await?;
    let number = format!("{}{seq:03}", offer.letter);
    let prio = priority(c, &lane);
    let id = format!("{}:{day}:{number}", c.code);
    sqlx::query(
        "INSERT INTO tickets (id, centre, day, number, service, lane, priority, appointment, phone, status, counter, for_counter, channel, \
         issued_at, queued_at, recalls, near_told) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', NULL, NULL, $10, $11, $11, 0, 0)",
    )
    .bind(&id)
    .bind(&c.code)
    .bind(&day)
    .bind(&number)
    .bind(&service)
    .bind(&lane)
    .bind(prio)
    .bind(&appointment)
    .bind(&phone)
    .bind(&issue.channel)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let ahead: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets WHERE centre = $1 AND status = 'waiting' AND service = $2 AND id <> $3 \
         AND (priority > $4 OR (priority = $4 AND queued_at <= $5))",
    )
    .bind(&c.code)
    .bind(&service)
    .bind(&id)
    .bind(prio)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let estimated_wait_minutes = estimated_wait(c, &service, ahead);
    Ok(Ticket {
        number,
        service,
        status: Status::Waiting,
        lane,
        counter: None,
        appointment,
        issued_at: now,
        called_at: None,
        finished_at: None,
        position: ahead + 1,
        estimated_wait_minutes,
    })
}

/// What a call leaves for the end of its group: people to tell they are near the front,
/// survey invitations, and first calls' waits (centre, ms).
type CallOutputs<'a> = (
    &'a mut Vec<(Centre, String, String, i64)>,
    &'a mut Vec<crate::survey::Invite>,
    &'a mut Vec<(String, i64)>,
);

async fn call_in(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    counter: &str,
    (tells, invites, waits): CallOutputs<'_>,
) -> Result<Option<Ticket>> {
    let k = c.counter(counter).ok_or_else(|| Refusal::CounterUnknown {
        counter: counter.into(),
        centre: Some(c.code.clone()),
    })?;
    let now = now_ms();
    // "Next" finishes the ticket the counter was serving.
    let finished = sqlx::query("UPDATE tickets SET status = 'served', finished_at = $1 WHERE centre = $2 AND counter = $3 AND status = 'called' RETURNING id, number, service, day, phone") // survey hook
        .bind(now)
        .bind(&c.code)
        .bind(&k.code)
        .fetch_all(&mut *tx)
        .await?;
    for r in &finished {
        invites.push(crate::survey::Invite::of_row(c, r)?); // survey hook
    }
    // The next ticket is picked and claimed by one statement (one round trip fewer per
    // call on the committer's path): tickets sent to this counter first, then by lane
    // priority and time in the queue.
    let marks: Vec<String> = (0..k.services.len())
        .map(|i| format!("${}", i + 3))
        .collect();
    let at = k.services.len() + 3;
    let postgres = backend_of(tx) == Backend::Postgres;
    let lock = if postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let pick = format!(
        "SELECT id FROM tickets WHERE centre = $2 AND status = 'waiting' AND (for_counter IS NULL OR for_counter = $1) \
         AND service IN ({}) ORDER BY CASE WHEN for_counter IS NULL THEN 1 ELSE 0 END, priority DESC, queued_at, id LIMIT 1",
        marks.join(", ")
    );
    let claim = format!(
        "UPDATE tickets SET status = 'called', counter = $1, called_at = COALESCE(called_at, ${at}), last_called_at = ${at} \
         WHERE id = ({pick}{lock}) AND status = 'waiting' RETURNING {COLUMNS}"
    );
    let mut q = sqlx::query(&claim).bind(&k.code).bind(&c.code);
    for s in &k.services {
        q = q.bind(s);
    }
    let Some(row) = q.bind(now).fetch_optional(&mut *tx).await? else {
        if postgres {
            // The picked row can change between the pick and its lock (another node's
            // call): then nothing is claimed although tickets wait, and the caller calls
            // again. On SQLite the committer is the only writer: nothing claimed is nobody.
            let mut q = sqlx::query_scalar::<_, String>(&pick)
                .bind(&k.code)
                .bind(&c.code);
            for s in &k.services {
                q = q.bind(s);
            }
            if q.fetch_optional(&mut *tx).await?.is_some() {
                return Err(Refusal::TicketTaken.into());
            }
        }
        return Ok(None);
    };
    let ticket = ticket_of(&row)?;
    // Its first call (a ticket sent back to the queue keeps its first call's time).
    if ticket.called_at == Some(now) {
        waits.push((c.code.clone(), now - ticket.issued_at));
    }
    // The one now NEAR from the front of this service's line is told to come back, once
    // (marked and read back by one statement).
    let near = sqlx::query(
        "UPDATE tickets SET near_told = 1 WHERE id = (SELECT id FROM tickets WHERE centre = $1 AND status = 'waiting' \
         AND service = $2 ORDER BY priority DESC, queued_at, id LIMIT 1 OFFSET $3) AND phone IS NOT NULL AND near_told = 0 \
         RETURNING number, phone",
    )
    .bind(&c.code)
    .bind(&ticket.service)
    .bind(NEAR - 1)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(n) = near {
        tells.push((
            c.clone(),
            n.try_get("number")?,
            n.try_get("phone")?,
            NEAR - 1,
        ));
    }
    Ok(Some(ticket))
}

/// True when counter `counter` of `c` serves no ticket and nobody waits for its services,
/// as committed now: a call would change nothing. (A ticket whose issue is still in a
/// group is found by the counter's next call, as if this one had come a moment earlier.)
async fn nothing_to_call(db: &Db, c: &Centre, counter: &str) -> Result<bool> {
    let Some(k) = c.counter(counter) else {
        // The committer answers that the counter does not exist.
        return Ok(false);
    };
    let marks: Vec<String> = (0..k.services.len())
        .map(|i| format!("${}", i + 3))
        .collect();
    let sql = format!(
        "SELECT id FROM (SELECT id FROM tickets WHERE centre = $1 AND status = 'called' AND counter = $2 LIMIT 1) AS serving \
         UNION ALL SELECT id FROM (SELECT id FROM tickets WHERE centre = $1 AND status = 'waiting' \
         AND (for_counter IS NULL OR for_counter = $2) AND service IN ({}) LIMIT 1) AS waiting",
        marks.join(", ")
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql)
        .bind(&c.code)
        .bind(&k.code);
    for s in &k.services {
        q = q.bind(s);
    }
    Ok(q.fetch_optional(db.pool()).await?.is_none())
}

async fn act_in(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    number: &str,
    act: &Act,
    counter: Option<&str>,
    invites: &mut Vec<crate::survey::Invite>,
) -> Result<Ticket> {
    let number = number.trim().to_ascii_uppercase();
    let now = now_ms();
    // Today's ticket of that number; a centre open past midnight still finds yesterday's.
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM tickets WHERE centre = $1 AND number = $2 AND day >= $3 ORDER BY day DESC LIMIT 1"
    ))
    .bind(&c.code)
    .bind(&number)
    .bind(calendar::add_days(&calendar::date_of(now), -1))
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Refusal::TicketUnknown {
        number: number.clone(),
        centre: Some(c.code.clone()),
    })?;
    let id: String = row.try_get("id")?;
    let t = ticket_of(&row)?;
    if let (Some(k), Some(at)) = (counter, t.counter.as_deref()) {
        if t.status == Status::Called && !k.eq_ignore_ascii_case(at) {
            return Err(Refusal::TicketElsewhere {
                number: number.clone(),
                counter: at.into(),
            }
            .into());
        }
    }
    // `$1` is the ticket; each act binds what its change names after it.
    let (from, sql): (&[Status], &str) = match act {
        Act::Done => (&[Status::Called], "status = 'served', finished_at = $2"),
        Act::NoShow => (
            &[Status::Called, Status::Waiting, Status::Held],
            "status = 'no_show', finished_at = $2",
        ),
        Act::Hold => (&[Status::Called], "status = 'held', counter = NULL"),
        Act::Resume => (&[Status::Held], "status = 'waiting'"),
        Act::Recall => (
            &[Status::Called],
            "recalls = recalls + 1, last_called_at = $2",
        ),
        Act::Transfer {
            service,
            counter: to,
        } => {
            if let Some(s) = service {
                crate::appointments::offered(c, s)?;
            }
            if let Some(k) = to {
                if c.counter(k).is_none() {
                    return Err(Refusal::TransferCounterUnknown {
                        centre: c.code.clone(),
                        counter: k.clone(),
                    }
                    .into());
                }
            }
            if service.is_none() && to.is_none() {
                return Err(Refusal::TransferNowhere.into());
            }
            (&[Status::Called, Status::Waiting, Status::Held], "status = 'waiting', counter = NULL, service = COALESCE($2, service), for_counter = $3")
        }
    };
    if !from.contains(&t.status) {
        return Err(Refusal::TicketStatus {
            number: number.clone(),
            status: t.status.to_string(),
        }
        .into());
    }
    let status_list = from
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "UPDATE tickets SET {sql} WHERE id = $1 AND status IN ({status_list}) RETURNING {COLUMNS}"
    );
    let mut q = sqlx::query(&text).bind(&id);
    q = match act {
        Act::Done | Act::NoShow | Act::Recall => q.bind(now),
        Act::Transfer { service, counter } => q
            .bind(service.clone())
            .bind(counter.as_ref().map(|k| k.to_ascii_uppercase())),
        Act::Hold | Act::Resume => q,
    };
    let row = q
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Refusal::TicketChanged {
            number: number.clone(),
        })?;
    if matches!(act, Act::Done) {
        invites.push(crate::survey::Invite::of_row(c, &row)?); // survey hook
    }
    ticket_of(&row)
}

async fn tell_near(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    number: &str,
    phone: &str,
    ahead: i64,
) -> Result<()> {
    let to = lango_notify::Recipient {
        account_id: None,
        name: String::new(),
        phone: Some(phone.to_string()),
        email: None,
        language: "sw".into(),
        preference: lango_notify::Preference::Sms,
    };
    // Both languages in one message: a ticket carries no language, and a hall reads both.
    let ahead = ahead.to_string();
    let values = HashMap::from([
        ("number", number),
        ("ahead", ahead.as_str()),
        ("centre", c.name.as_str()),
    ]);
    lango_notify::notify(tx, &to, "ticket.near", &values).await?;
    Ok(())
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

    /// [`Self::call`] with an `exchange` line as for [`Self::issue_with`] (a call that
    /// finds nobody commits it in the queue's next group too).
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
        // A call with no ticket to finish and nobody waiting would change nothing: it is
        // answered from one read, without a turn in the committer's group (an idle
        // counter's keypad asks again and again).
        if nothing_to_call(&self.db, c, &counter).await? {
            if let Some(line) = exchange.take() {
                self.queue.send(Op::Log, Some(line)).await?;
            }
            return Ok(None);
        }
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
