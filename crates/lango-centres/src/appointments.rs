//! Appointments: slots made from a day's hours, the counters that serve a service and its
//! minutes at the counter, less closures. Capacity is exact whatever the concurrency: a
//! booking takes a place with one conditional update of the slot's row (and of the day's
//! cap) inside its transaction, so the database, not the node, decides who got the last one.

use crate::calendar::{self, day_start_ms, local_rfc3339};
use crate::model::{self, Centre};
use crate::refusal::{self, Refusal};
use crate::{store, Centres};
use lango_core::clock::now_ms;
use lango_core::db::begin_write;
use lango_core::{word_enum, Error, Result};
use lango_identity::policy::{Action, Actor};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

word_enum! {
    /// Where an appointment stands.
    pub enum Status {
        /// Booked, still to come.
        Booked = "booked",
        /// The person arrived and took a ticket.
        CheckedIn = "checked_in",
        /// Cancelled (by the person, staff or the agency's system).
        Cancelled = "cancelled",
        /// The day closed and the person never came.
        NoShow = "no_show",
    }
}

word_enum! {
    /// How it was booked.
    pub enum Channel {
        /// By the person, online.
        Online = "online",
        /// By staff at a centre.
        Centre = "centre",
        /// By a centre's or agency's system, through the API.
        Api = "api",
        /// By the person, from their phone's USSD menu.
        Ussd = "ussd",
    }
}

/// How far ahead people may book, in days.
pub const BOOKING_DAYS: i64 = 30;

/// A slot and how many places it has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Its start, unix milliseconds.
    pub start_ms: i64,
    /// Places left (0: full).
    pub available: u32,
}

/// A booking to make.
#[derive(Debug, Clone)]
pub struct Booking {
    /// The centre's code.
    pub centre: String,
    /// The service's code.
    pub service: String,
    /// The slot's start, unix milliseconds.
    pub start_ms: i64,
    /// The person's name.
    pub name: String,
    /// Their phone (E.164), for the confirmation and the reminder.
    pub phone: String,
    /// Their ID number: one active booking per ID number, service and day.
    pub id_number: String,
    /// Their account, when they booked signed in (the booking shows in their account).
    pub account_id: Option<String>,
    /// How it was booked.
    pub channel: Channel,
    /// Their language for messages, `en` or `sw`.
    pub language: String,
}

/// A stored appointment.
#[derive(Debug, Clone, Serialize)]
pub struct Appointment {
    /// Its reference, e.g. `M7K3M9QX`.
    pub reference: String,
    /// The centre's code.
    pub centre: String,
    /// The service's code.
    pub service: String,
    /// Start, unix milliseconds.
    pub start_ms: i64,
    /// The day, East Africa Time.
    pub day: String,
    /// The person's name.
    pub name: String,
    /// Their phone.
    pub phone: String,
    /// Their ID number.
    pub id_number: String,
    /// Their account.
    pub account_id: Option<String>,
    /// How it was booked.
    #[serde(serialize_with = "word")]
    pub channel: Channel,
    /// Where it stands.
    #[serde(serialize_with = "word")]
    pub status: Status,
}

fn word<S: serde::Serializer, T: std::fmt::Display>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl Appointment {
    /// Its start in East Africa Time, RFC 3339.
    pub fn start(&self) -> String {
        local_rfc3339(self.start_ms)
    }

    /// Its start as people read it: `09:30`.
    pub fn time(&self) -> String {
        model::clock(calendar::minute_of(self.start_ms))
    }
}

const COLUMNS: &str = "reference, centre, service, start_ms, day, name, phone, id_number, account_id, channel, status";

fn appointment_of(r: &sqlx::any::AnyRow) -> Result<Appointment> {
    Ok(Appointment {
        reference: r.try_get("reference")?,
        centre: r.try_get("centre")?,
        service: r.try_get("service")?,
        start_ms: r.try_get("start_ms")?,
        day: r.try_get("day")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        id_number: r.try_get("id_number")?,
        account_id: r.try_get("account_id")?,
        channel: r.try_get::<String, _>("channel")?.parse()?,
        status: r.try_get::<String, _>("status")?.parse()?,
    })
}

/// The code returned when a slot has no place left.
pub const SLOT_FULL: &str = "slot_full";
/// The code returned when the person already holds a booking for the service that day.
pub const ALREADY_BOOKED: &str = "already_booked";

/// Reads an appointment reference as typed (`m7k3-m9qx`).
pub fn parse_reference(typed: &str) -> Option<String> {
    lango_core::reference::parse(typed, "M", 8).ok()
}

/// The slots of `service` at `c` on `day` (past ones left out), with their places left.
/// `None` when the centre does not offer the service, or is shut that day.
async fn slots_in(
    conn: &mut sqlx::AnyConnection,
    c: &Centre,
    service: &str,
    day: &str,
) -> Result<Vec<Slot>> {
    let Some(offer) = c.offer(service) else {
        return Ok(Vec::new());
    };
    let Some(hours) = store::hours_on(conn, c, day).await? else {
        return Ok(Vec::new());
    };
    let capacity = c.counters_for(service) as u32;
    if capacity == 0 {
        return Ok(Vec::new());
    }
    let start = day_start_ms(day);
    let booked: HashMap<i64, u32> = sqlx::query(
        "SELECT start_ms, booked FROM appointment_slots WHERE centre = $1 AND service = $2 AND start_ms >= $3 AND start_ms < $4",
    )
    .bind(&c.code)
    .bind(service)
    .bind(start)
    .bind(start + 86_400_000)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get::<i64, _>("start_ms")?, r.try_get::<i64, _>("booked")? as u32)))
    .collect::<Result<_>>()?;
    let used: Option<i64> = sqlx::query_scalar(
        "SELECT used FROM centre_days WHERE centre = $1 AND service = $2 AND day = $3",
    )
    .bind(&c.code)
    .bind(service)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await?;
    let day_left = offer.daily_cap.saturating_sub(used.unwrap_or(0) as u32);
    let now = now_ms();
    let step = offer.minutes;
    let mut out = Vec::new();
    let mut m = hours.opens;
    while m + step <= hours.closes {
        let start_ms = start + i64::from(m) * 60_000;
        if start_ms > now {
            let left = capacity.saturating_sub(booked.get(&start_ms).copied().unwrap_or(0));
            out.push(Slot {
                start_ms,
                available: left.min(day_left),
            });
        }
        m += step;
    }
    Ok(out)
}

impl Centres {
    /// The slots of `service` at `c` on `day` (`YYYY-MM-DD`, East Africa Time).
    pub async fn slots(&self, c: &Centre, service: &str, day: &str) -> Result<Vec<Slot>> {
        if !model::is_date(day) {
            return Err(Refusal::DateInvalid.into());
        }
        let service = service_code(service)?;
        offered(c, &service)?;
        let mut conn = self.db.pool().acquire().await?;
        slots_in(&mut conn, c, &service, day).await
    }

    /// The days from today on (up to [`BOOKING_DAYS`]) that have a free slot of `service` at `c`.
    pub async fn open_days(&self, c: &Centre, service: &str) -> Result<Vec<(String, u32)>> {
        let mut conn = self.db.pool().acquire().await?;
        let today = calendar::today();
        let mut out = Vec::new();
        for n in 0..BOOKING_DAYS {
            let day = calendar::add_days(&today, n);
            let free: u32 = slots_in(&mut conn, c, service, &day)
                .await?
                .iter()
                .map(|s| s.available)
                .sum();
            if free > 0 {
                out.push((day, free));
            }
        }
        Ok(out)
    }

    /// Books `b` for `actor`: the person themself (online, `account_id` their own), the
    /// centre's staff, or the operator's system with `appointments:write`.
    pub async fn book(&self, actor: &Actor, b: &Booking) -> Result<Appointment> {
        self.book_replacing(actor, b, None).await
    }

    /// [`Centres::book`], giving back `replacing`'s place in the same transaction.
    async fn book_replacing(
        &self,
        actor: &Actor,
        b: &Booking,
        replacing: Option<&Appointment>,
    ) -> Result<Appointment> {
        let c = self.get(&b.centre).await?;
        // The person's own booking (online or from their phone) needs only their account.
        if !matches!(b.channel, Channel::Online | Channel::Ussd) {
            Centres::check(actor, Action::Book, &c)?;
        } else if !matches!(actor, Actor::Person(p) if b.account_id.as_deref() == Some(p.account_id.as_str()))
        {
            return Err(Error::Forbidden("sign in to book an appointment".into()));
        }
        let b = Booking {
            centre: c.code.clone(),
            ..b.clone()
        };
        let name = refusal::line(&b.name, refusal::Line::Name, 120)?;
        let phone = lango_identity::model::Phone::parse(&b.phone)
            .map_err(|_| Refusal::PhoneInvalid)?
            .as_str()
            .to_string();
        let id_number = b.id_number.trim().to_ascii_uppercase();
        if !(5..=20).contains(&id_number.len())
            || !id_number.bytes().all(|x| x.is_ascii_alphanumeric())
        {
            return Err(Refusal::IdNumberInvalid.into());
        }
        let service = service_code(&b.service)?;
        let offer = offered(&c, &service)?;
        let day = calendar::date_of(b.start_ms);
        if b.start_ms <= now_ms() {
            return Err(Refusal::StartPast.into());
        }
        if day > calendar::add_days(&calendar::today(), BOOKING_DAYS) {
            return Err(Refusal::StartTooFar { days: BOOKING_DAYS }.into());
        }
        let mut conn = self.db.pool().acquire().await?;
        if let Some(reason) = store::closed(&mut conn, &c.code, &day).await? {
            return Err(Refusal::DayClosed {
                centre: c.name.clone(),
                day,
                reason,
            }
            .into());
        }
        let slots = slots_in(&mut conn, &c, &service, &day).await?;
        if !slots.iter().any(|s| s.start_ms == b.start_ms) {
            return Err(Refusal::NoSlot {
                centre: c.code.clone(),
                service,
                at: local_rfc3339(b.start_ms),
            }
            .into());
        }
        let capacity = c.counters_for(&service) as i64;
        let reference = lango_core::reference::generate(&mut rand::thread_rng(), "M", 6);
        drop(conn);
        let pending = Pending {
            appointment: Appointment {
                reference,
                centre: c.code.clone(),
                service,
                start_ms: b.start_ms,
                day: day.clone(),
                name,
                phone,
                id_number,
                account_id: b.account_id.clone(),
                channel: b.channel,
                status: Status::Booked,
            },
            capacity,
            daily_cap: offer.daily_cap,
            booked_by: lango_identity::account::actor_label(actor),
            language: b.language.clone(),
            replacing: replacing.cloned(),
            centre: c,
        };
        // The places are taken in the queue committer's next group: one durable commit for
        // all the bookings (and tickets) waiting at that moment, each answered after it.
        match self.queue.book(pending).await {
            // The unique index: the same person booked the same day on another node a
            // moment ago (that group was rolled back and this booking tried alone).
            Err(Error::Database(e))
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                Err(Refusal::AlreadyBooked { day }.into())
            }
            other => other,
        }
    }

    /// The appointment `reference`, for `actor`: its holder, the centre's staff, the
    /// operator's system.
    pub async fn appointment(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> Result<(Appointment, Centre)> {
        let unknown = |reference: &str| Refusal::AppointmentUnknown {
            reference: reference.into(),
        };
        let reference = parse_reference(reference).ok_or_else(|| unknown(reference))?;
        let mut conn = self.db.pool().acquire().await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM appointments WHERE reference = $1"
        ))
        .bind(&reference)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| unknown(&reference))?;
        let a = appointment_of(&row)?;
        let c = store::get(&mut conn, &a.centre)
            .await?
            .ok_or_else(|| Error::NotFound(a.centre.clone()))?;
        let own = matches!(actor, Actor::Person(p) if a.account_id.as_deref() == Some(p.account_id.as_str()));
        if !own && Centres::check(actor, Action::Book, &c).is_err() {
            return Err(unknown(&reference).into());
        }
        Ok((a, c))
    }

    /// The appointments of `account_id`, coming ones first.
    pub async fn appointments_of(&self, account_id: &str) -> Result<Vec<Appointment>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM appointments WHERE account_id = $1 ORDER BY status = 'booked' DESC, start_ms DESC LIMIT 50"))
            .bind(account_id)
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(appointment_of).collect()
    }

    /// Cancels `reference` for `actor`, giving its place back. Cancelling again answers the
    /// cancelled appointment.
    pub async fn cancel(
        &self,
        actor: &Actor,
        reference: &str,
        language: &str,
    ) -> Result<Appointment> {
        let (a, c) = self.appointment(actor, reference).await?;
        match a.status {
            Status::Cancelled => return Ok(a),
            Status::Booked => {}
            _ => {
                return Err(Refusal::NotCancellable {
                    reference: a.reference,
                    status: a.status.to_string(),
                }
                .into())
            }
        }
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        crate::centre_locks::lock(&mut tx, [a.centre.as_str()]).await?;
        if !release(&mut tx, &a).await? {
            tx.commit().await?;
            return self.appointment(actor, &a.reference).await.map(|(a, _)| a);
        }
        let a = Appointment {
            status: Status::Cancelled,
            ..a
        };
        tell(&mut tx, &c, &a, "appointment.cancelled", language).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Moves `reference` to `start_ms` (same centre and service) as a new booking: the old
    /// one is cancelled and the new one booked in one transaction, so a full new slot
    /// leaves the old booking as it was.
    pub async fn reschedule(
        &self,
        actor: &Actor,
        reference: &str,
        start_ms: i64,
        language: &str,
    ) -> Result<Appointment> {
        let (old, _) = self.appointment(actor, reference).await?;
        if old.status != Status::Booked {
            return Err(Refusal::AppointmentStatus {
                reference: old.reference,
                status: old.status.to_string(),
            }
            .into());
        }
        let booking = Booking {
            centre: old.centre.clone(),
            service: old.service.clone(),
            start_ms,
            name: old.name.clone(),
            phone: old.phone.clone(),
            id_number: old.id_number.clone(),
            account_id: old.account_id.clone(),
            channel: old.channel,
            language: language.into(),
        };
        self.book_replacing(actor, &booking, Some(&old)).await
    }

    /// Sends the day-before reminder of every booked appointment that starts tomorrow (East
    /// Africa Time) and has not had one; answers how many were sent.
    pub async fn send_reminders(&self) -> Result<usize> {
        let tomorrow = calendar::add_days(&calendar::today(), 1);
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM appointments WHERE day = $1 AND status = 'booked' AND reminded_at IS NULL LIMIT 500"))
            .bind(&tomorrow)
            .fetch_all(self.db.pool())
            .await?;
        let mut sent = 0;
        for r in &rows {
            let a = appointment_of(r)?;
            let mut conn = self.db.pool().acquire().await?;
            let Some(c) = store::get(&mut conn, &a.centre).await? else {
                continue;
            };
            let mut tx = begin_write(&mut conn).await?;
            let claimed = sqlx::query("UPDATE appointments SET reminded_at = $1 WHERE reference = $2 AND reminded_at IS NULL")
                .bind(now_ms())
                .bind(&a.reference)
                .execute(&mut *tx)
                .await?;
            if claimed.rows_affected() == 1 {
                tell_about(&mut tx, &c, &a, "appointment.reminder", &[]).await?;
                sent += 1;
            }
            tx.commit().await?;
        }
        Ok(sent)
    }

    /// Closes every day before today: appointments still booked become no-shows (and so do
    /// tickets still waiting). Answers how many appointments were marked.
    pub async fn close_days(&self) -> Result<u64> {
        let today = calendar::today();
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        let n = sqlx::query("UPDATE appointments SET status = 'no_show', updated_at = $1 WHERE status = 'booked' AND day < $2")
            .bind(now_ms())
            .bind(&today)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("UPDATE tickets SET status = 'no_show', finished_at = $1 WHERE status IN ('waiting', 'held') AND day < $2")
            .bind(now_ms())
            .bind(&today)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE tickets SET status = 'served', finished_at = $1 WHERE status = 'called' AND day < $2")
            .bind(now_ms())
            .bind(&today)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The booked appointments of `c` on `day`, by time: the centre's list for reception.
    pub async fn day_list(&self, actor: &Actor, c: &Centre, day: &str) -> Result<Vec<Appointment>> {
        Centres::check(actor, Action::Assist, c)?;
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM appointments WHERE centre = $1 AND day = $2 AND status <> 'cancelled' ORDER BY start_ms, reference"))
            .bind(&c.code)
            .bind(day)
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(appointment_of).collect()
    }
}

/// A service code as typed, or its refusal.
pub(crate) fn service_code(typed: &str) -> std::result::Result<String, Refusal> {
    model::parse_service_code(typed, "service").map_err(|_| Refusal::ServiceCodeInvalid {
        typed: typed.trim().to_ascii_uppercase(),
    })
}

/// `c`'s offer of `service`, or the refusal that it does not offer it.
pub(crate) fn offered<'c>(
    c: &'c Centre,
    service: &str,
) -> std::result::Result<&'c model::Offer, Refusal> {
    c.offer(service).ok_or_else(|| Refusal::ServiceNotOffered {
        centre: c.code.clone(),
        service: service.to_string(),
    })
}

/// A booking checked against the centre, its hours and its slots, ready to take its places.
pub(crate) struct Pending {
    /// The appointment to store.
    pub(crate) appointment: Appointment,
    /// The centre.
    pub(crate) centre: Centre,
    /// Places in the slot (the counters serving the service), for a slot's first booking.
    pub(crate) capacity: i64,
    /// The service's daily cap at the centre.
    pub(crate) daily_cap: u32,
    /// Who booked it, for the record.
    pub(crate) booked_by: String,
    /// The person's language for the message.
    pub(crate) language: String,
    /// The appointment it replaces (a move), released in the same transaction.
    pub(crate) replacing: Option<Appointment>,
}

/// Writes `p` inside the committer's transaction `tx`. A refusal (`already_booked`,
/// `slot_full`, a moved appointment no longer booked) leaves nothing of `p` written; a
/// database fault fails the whole group.
pub(crate) async fn book_in(tx: &mut sqlx::AnyConnection, p: &Pending) -> Result<Appointment> {
    let Some(old) = &p.replacing else {
        return take_places(tx, p).await;
    };
    // A move releases the old places first; a refused new slot gives them back.
    sqlx::query("SAVEPOINT moving").execute(&mut *tx).await?;
    let moved = match release(tx, old).await {
        Ok(true) => take_places(tx, p).await,
        Ok(false) => Err(Refusal::NoLongerBooked {
            reference: old.reference.clone(),
        }
        .into()),
        Err(e) => Err(e),
    };
    match moved {
        Err(e @ (Error::Database(_) | Error::Internal(_))) => return Err(e),
        Err(_) => {
            sqlx::query("ROLLBACK TO SAVEPOINT moving")
                .execute(&mut *tx)
                .await?;
        }
        Ok(_) => {}
    }
    sqlx::query("RELEASE SAVEPOINT moving")
        .execute(&mut *tx)
        .await?;
    moved
}

/// Takes a place in the slot and in the day and stores the appointment; refused before
/// anything stays written.
async fn take_places(tx: &mut sqlx::AnyConnection, p: &Pending) -> Result<Appointment> {
    let a = &p.appointment;
    let taken: Option<String> = sqlx::query_scalar(
        "SELECT reference FROM appointments WHERE id_number = $1 AND service = $2 AND day = $3 AND status IN ('booked', 'checked_in')",
    )
    .bind(&a.id_number)
    .bind(&a.service)
    .bind(&a.day)
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Err(Refusal::AlreadyBooked { day: a.day.clone() }.into());
    }
    // The slot's row is made by its first booking; a full slot changes nothing.
    let took = sqlx::query(
        "INSERT INTO appointment_slots (centre, service, start_ms, capacity, booked) VALUES ($1, $2, $3, $4, 1) \
         ON CONFLICT (centre, service, start_ms) DO UPDATE SET booked = appointment_slots.booked + 1 \
         WHERE appointment_slots.booked < appointment_slots.capacity RETURNING booked",
    )
    .bind(&a.centre)
    .bind(&a.service)
    .bind(a.start_ms)
    .bind(p.capacity)
    .fetch_optional(&mut *tx)
    .await?;
    if took.is_none() {
        return Err(Refusal::SlotFull.into());
    }
    if !take_day_place(tx, &a.centre, &a.service, &a.day, p.daily_cap).await? {
        // The slot's place goes back: nothing of this booking stays.
        sqlx::query("UPDATE appointment_slots SET booked = booked - 1 WHERE centre = $1 AND service = $2 AND start_ms = $3")
            .bind(&a.centre)
            .bind(&a.service)
            .bind(a.start_ms)
            .execute(&mut *tx)
            .await?;
        return Err(Refusal::DayTaken {
            service: a.service.clone(),
            day: a.day.clone(),
        }
        .into());
    }
    let now = now_ms();
    let mut a = a.clone();
    let mut stored = false;
    for _ in 0..8 {
        stored = sqlx::query(&format!(
            "INSERT INTO appointments ({COLUMNS}, booked_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'booked', $11, $12, $12) \
             ON CONFLICT (reference) DO NOTHING"
        ))
        .bind(&a.reference)
        .bind(&a.centre)
        .bind(&a.service)
        .bind(a.start_ms)
        .bind(&a.day)
        .bind(&a.name)
        .bind(&a.phone)
        .bind(&a.id_number)
        .bind(&a.account_id)
        .bind(a.channel.as_str())
        .bind(&p.booked_by)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if stored {
            break;
        }
        // References are random: one in some hundred million is already another
        // appointment's (at tens of thousands of bookings, one such draw is likely).
        a.reference = lango_core::reference::generate(&mut rand::thread_rng(), "M", 6);
    }
    if !stored {
        return Err(Error::Internal("no free appointment reference".into()));
    }
    let event = if p.replacing.is_some() {
        "appointment.moved"
    } else {
        "appointment.booked"
    };
    tell(&mut *tx, &p.centre, &a, event, &p.language).await?;
    Ok(a)
}

/// Takes one of the day's places of service `$2` at centre `$1` on day `$3` (cap `$4`). The
/// day's row is made by its first place; a full day changes nothing.
pub(crate) const DAY_PLACE: &str =
    "INSERT INTO centre_days (centre, service, day, cap, used) VALUES ($1, $2, $3, $4, 1) \
     ON CONFLICT (centre, service, day) DO UPDATE SET used = centre_days.used + 1 \
     WHERE centre_days.used < centre_days.cap";

/// Takes one of the day's places of `service` at `centre`; false when the cap is reached.
pub(crate) async fn take_day_place(
    tx: &mut sqlx::AnyConnection,
    centre: &str,
    service: &str,
    day: &str,
    cap: u32,
) -> Result<bool> {
    let took = sqlx::query(&format!("{DAY_PLACE} RETURNING used"))
        .bind(centre)
        .bind(service)
        .bind(day)
        .bind(i64::from(cap))
        .fetch_optional(&mut *tx)
        .await?;
    Ok(took.is_some())
}

/// The appointments still booked at `centre` on `day`.
pub(crate) async fn booked_on(
    tx: &mut sqlx::AnyConnection,
    centre: &str,
    day: &str,
) -> Result<Vec<Appointment>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE centre = $1 AND day = $2 AND status = 'booked' ORDER BY start_ms, reference"
    ))
    .bind(centre)
    .bind(day)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter().map(appointment_of).collect()
}

/// [`release`], for the other parts of the room.
pub(crate) async fn release_in(tx: &mut sqlx::AnyConnection, a: &Appointment) -> Result<bool> {
    release(tx, a).await
}

/// Tells the person about `a` (`event`, with `extra` placeholders), in the language of
/// the account that booked, English otherwise.
pub(crate) async fn tell_about(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    a: &Appointment,
    event: &str,
    extra: &[(&str, &str)],
) -> Result<()> {
    let language: Option<String> = match &a.account_id {
        Some(id) => {
            sqlx::query_scalar("SELECT language FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => None,
    };
    tell_with(tx, c, a, event, language.as_deref().unwrap_or(""), extra).await
}

/// Marks `a` cancelled and gives its places back; false when it was no longer booked.
async fn release(tx: &mut sqlx::AnyConnection, a: &Appointment) -> Result<bool> {
    let changed = sqlx::query("UPDATE appointments SET status = 'cancelled', updated_at = $1 WHERE reference = $2 AND status = 'booked'")
        .bind(now_ms())
        .bind(&a.reference)
        .execute(&mut *tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE appointment_slots SET booked = booked - 1 WHERE centre = $1 AND service = $2 AND start_ms = $3 AND booked > 0")
        .bind(&a.centre)
        .bind(&a.service)
        .bind(a.start_ms)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE centre_days SET used = used - 1 WHERE centre = $1 AND service = $2 AND day = $3 AND used > 0")
        .bind(&a.centre)
        .bind(&a.service)
        .bind(&a.day)
        .execute(&mut *tx)
        .await?;
    Ok(true)
}

/// Tells the person about `a` by SMS (the phone they gave), in `language` (or English).
async fn tell(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    a: &Appointment,
    event: &str,
    language: &str,
) -> Result<()> {
    tell_with(tx, c, a, event, language, &[]).await
}

/// [`tell`] with more placeholders than the appointment's own.
async fn tell_with(
    tx: &mut sqlx::AnyConnection,
    c: &Centre,
    a: &Appointment,
    event: &str,
    language: &str,
    extra: &[(&str, &str)],
) -> Result<()> {
    let lang = if language.is_empty() { "en" } else { language };
    let to = lango_notify::Recipient {
        account_id: a.account_id.clone(),
        name: a
            .name
            .split_whitespace()
            .next()
            .unwrap_or(&a.name)
            .to_string(),
        phone: Some(a.phone.clone()),
        email: None,
        language: lang.to_string(),
        preference: lango_notify::Preference::Sms,
    };
    let names: Option<(String, String)> =
        sqlx::query_as("SELECT name, name_sw FROM services WHERE code = $1")
            .bind(&a.service)
            .fetch_optional(&mut *tx)
            .await?;
    let service = match names {
        Some((_, sw)) if lang != "en" && !sw.is_empty() => sw,
        Some((en, _)) => en,
        None => a.service.clone(),
    };
    let date = a.day.clone();
    let time = a.time();
    let mut values = HashMap::from([
        ("reference", a.reference.as_str()),
        ("service", service.as_str()),
        ("date", date.as_str()),
        ("time", time.as_str()),
        ("centre", c.name_in(lang)),
    ]);
    values.extend(extra.iter().copied());
    lango_notify::notify(tx, &to, event, &values).await?;
    Ok(())
}
