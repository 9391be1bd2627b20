//! What each queue change writes, inside the committer's transaction.

use super::{one_trip, Act, Issue, Status, Ticket, NEAR};
use crate::calendar;
use crate::model::{Centre, LANES};
use crate::refusal::Refusal;
use lango_core::clock::now_ms;
use lango_core::db::{backend_of, next_counter, Backend};
use lango_core::Result;
use sqlx::Row;
use std::collections::HashMap;

/// A ticket's columns as changes return them (`day` and `phone` for a finished ticket's
/// survey invitation, so it need not be read back).
pub(super) const COLUMNS: &str =
    "id, number, service, status, lane, counter, appointment, issued_at, called_at, finished_at, day, phone";

pub(super) fn ticket_of(r: &sqlx::any::AnyRow) -> Result<Ticket> {
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

pub(super) async fn issue_in(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    issue: &Issue,
) -> Result<Ticket> {
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
            // A service the centre does not offer is refused before the lane.
            crate::appointments::offered(c, &service)?;
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
            (service, lane, None)
        }
    };
    let offer = crate::appointments::offered(c, &service)?;
    let new = one_trip::NewTicket {
        centre: &c.code,
        day: &day,
        service: &service,
        lane: &lane,
        priority: priority(c, &lane),
        appointment: appointment.as_deref(),
        phone: phone.as_deref(),
        channel: &issue.channel,
        now,
        letter: offer.letter,
    };
    let (number, ahead) = if appointment.is_none() && backend_of(tx) == Backend::Sqlite {
        one_trip::walk_in(tx, &new, offer.daily_cap)
            .await?
            .ok_or_else(|| Refusal::DayFull {
                service: service.clone(),
            })?
    } else {
        // An appointment took its day's place when it was booked.
        if appointment.is_none()
            && !crate::appointments::take_day_place(tx, &c.code, &service, &day, offer.daily_cap)
                .await?
        {
            return Err(Refusal::DayFull { service }.into());
        }
        let seq = next_counter(tx, &new.sequence()).await?;
        let number = format!("{}{seq:03}", offer.letter);
        let ahead = insert(tx, &new, &number).await?;
        (number, ahead)
    };
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

/// A new ticket's columns, in the order both ways of writing one give them.
pub(super) const NEW_COLUMNS: &str = "id, centre, day, number, service, lane, priority, appointment, phone, status, counter, for_counter, channel, \
     issued_at, queued_at, recalls, near_told";

/// In a ticket insert's `RETURNING`: the people ahead of the row written, counted by the
/// insert itself (one statement fewer on the committer's path); its own row is left out
/// whether or not the count sees it.
pub(super) const AHEAD: &str =
    "(SELECT COUNT(*) FROM tickets AS t WHERE t.centre = tickets.centre AND t.status = 'waiting' \
     AND t.service = tickets.service AND t.id <> tickets.id AND (t.priority > tickets.priority \
     OR (t.priority = tickets.priority AND t.queued_at <= tickets.queued_at))) AS ahead";

/// Writes ticket `number` of `t`; the people ahead of it.
async fn insert(
    tx: &mut sqlx::AnyConnection,
    t: &one_trip::NewTicket<'_>,
    number: &str,
) -> Result<i64> {
    let id = format!("{}:{}:{number}", t.centre, t.day);
    let ahead = sqlx::query_scalar(&format!(
        "INSERT INTO tickets ({NEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', NULL, NULL, $10, $11, $11, 0, 0) \
         RETURNING {AHEAD}"
    ))
    .bind(&id)
    .bind(t.centre)
    .bind(t.day)
    .bind(number)
    .bind(t.service)
    .bind(t.lane)
    .bind(t.priority)
    .bind(t.appointment)
    .bind(t.phone)
    .bind(t.channel)
    .bind(t.now)
    .fetch_one(&mut *tx)
    .await?;
    Ok(ahead)
}

/// What a call leaves for the end of its group: people to tell they are near the front,
/// survey invitations, and first calls' waits (centre, ms).
pub(super) type CallOutputs<'a> = (
    &'a mut Vec<(Centre, String, String, i64)>,
    &'a mut Vec<crate::survey::Invite>,
    &'a mut Vec<(String, i64)>,
);

pub(super) async fn call_in(
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
    let at = k.services.len() + 3;
    let claim = claim_sql(k.services.len(), backend_of(tx) == Backend::Postgres);
    let rows = if backend_of(tx) == Backend::Sqlite {
        let sql = one_trip::call_sql(&finish_sql(at), &claim, &near_sql(at + 1));
        let q = at_counter(&sql, c, k).bind(now).bind(NEAR - 1);
        one_trip::CallRows::of(q.fetch_all(&mut *tx).await?)?
    } else {
        call_on_postgres(tx, c, k, now, &claim).await?
    };
    for r in &rows.finished {
        invites.push(crate::survey::Invite::of_row(c, r)?); // survey hook
    }
    let Some(row) = rows.claimed else {
        return Ok(None);
    };
    let ticket = ticket_of(&row)?;
    // Its first call (a ticket sent back to the queue keeps its first call's time).
    if ticket.called_at == Some(now) {
        waits.push((c.code.clone(), now - ticket.issued_at));
    }
    if let Some(n) = rows.near {
        tells.push((
            c.clone(),
            n.try_get("number")?,
            n.try_get("phone")?,
            NEAR - 1,
        ));
    }
    Ok(Some(ticket))
}

/// "Next" finishes the ticket counter `$1` of centre `$2` was serving, at `$now`.
fn finish_sql(now: usize) -> String {
    format!(
        "UPDATE tickets SET status = 'served', finished_at = ${now} WHERE centre = $2 AND counter = $1 AND status = 'called' \
         RETURNING 'finished' AS part, id, number, service, day, phone" // survey hook
    )
}

/// The next ticket for counter `$1` of centre `$2` (its `services` services bound from `$3`),
/// picked and claimed by one statement at `$(services + 3)`: tickets sent to this counter
/// first, then by lane priority and time in the queue. On PostgreSQL, where several nodes
/// share the queue, the picked row is locked (`SKIP LOCKED`: another node's pick is skipped).
fn claim_sql(services: usize, postgres: bool) -> String {
    let lock = if postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let at = services + 3;
    format!(
        "UPDATE tickets SET status = 'called', counter = $1, called_at = COALESCE(called_at, ${at}), last_called_at = ${at} \
         WHERE id = ({}{lock}) AND status = 'waiting' RETURNING 'called' AS part, {COLUMNS}",
        pick_sql(services)
    )
}

fn pick_sql(services: usize) -> String {
    let marks: Vec<String> = (0..services).map(|i| format!("${}", i + 3)).collect();
    format!(
        "SELECT id FROM tickets WHERE centre = $2 AND status = 'waiting' AND (for_counter IS NULL OR for_counter = $1) \
         AND service IN ({}) ORDER BY CASE WHEN for_counter IS NULL THEN 1 ELSE 0 END, priority DESC, queued_at, id LIMIT 1",
        marks.join(", ")
    )
}

/// The one `$offset + 1` from the front of the line of the ticket counter `$1` of centre `$2`
/// now serves is told to come back, once (marked and read back by one statement).
fn near_sql(offset: usize) -> String {
    format!(
        "UPDATE tickets SET near_told = 1 WHERE id = (SELECT id FROM tickets WHERE centre = $2 AND status = 'waiting' \
         AND service = (SELECT service FROM tickets WHERE centre = $2 AND counter = $1 AND status = 'called') \
         ORDER BY priority DESC, queued_at, id LIMIT 1 OFFSET ${offset}) AND phone IS NOT NULL AND near_told = 0 \
         RETURNING 'near' AS part, number, phone"
    )
}

/// `sql` with counter `$1` of centre `$2` and its services from `$3` on bound.
fn at_counter<'q>(
    sql: &'q str,
    c: &'q Centre,
    k: &'q crate::model::Counter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql).bind(&k.code).bind(&c.code);
    for s in &k.services {
        q = q.bind(s);
    }
    q
}

/// A call's three statements one by one (PostgreSQL takes one statement a query).
async fn call_on_postgres(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    k: &crate::model::Counter,
    now: i64,
    claim: &str,
) -> Result<one_trip::CallRows> {
    let finished = sqlx::query(&finish_sql(3))
        .bind(&k.code)
        .bind(&c.code)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
    let claimed = at_counter(claim, c, k).bind(now);
    let Some(claimed) = claimed.fetch_optional(&mut *tx).await? else {
        // The picked row can change between the pick and its lock (another node's call):
        // then nothing is claimed although tickets wait, and the caller calls again.
        let pick = pick_sql(k.services.len());
        if at_counter(&pick, c, k)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(Refusal::TicketTaken.into());
        }
        return Ok(one_trip::CallRows {
            finished,
            claimed: None,
            near: None,
        });
    };
    let near = sqlx::query(&near_sql(3))
        .bind(&k.code)
        .bind(&c.code)
        .bind(NEAR - 1)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(one_trip::CallRows {
        finished,
        claimed: Some(claimed),
        near,
    })
}

pub(super) async fn act_in(
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

pub(super) async fn tell_near(
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
