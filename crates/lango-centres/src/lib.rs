//! Service centres, the physical channel: centres as data (hours, services with daily caps,
//! counters, closures, mobile schedules), appointments with exact capacity, queue tickets
//! called at counters, and the figures they make.

pub mod admin;
pub mod appointments;
pub mod calendar;
mod centre_locks;
pub mod csv;
pub mod figures;
pub mod model;
pub mod queue;
pub mod refusal;
pub mod seed;
pub mod stop_figures;
mod stops;
pub mod store;
pub mod survey;
pub mod upcoming;

use lango_core::audit::{self, Entry};
use lango_core::db::{begin_write, Db, Migrations};
use lango_core::{Error, Result};
use lango_identity::account::actor_label;
use lango_identity::policy::{check, Action, Actor, Object};
use model::{Centre, Kind, Status};
pub use refusal::Refusal;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// This crate's tables for both backends.
pub fn migrations() -> Migrations {
    Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}

/// A centre as typed in a form or a spreadsheet row: text, parsed by [`CentreInput::parse`].
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CentreInput {
    /// `HC-GPO`.
    pub code: String,
    /// English name.
    pub name: String,
    /// Kiswahili name.
    pub name_sw: String,
    /// `huduma`, `office` or `mobile`.
    pub kind: String,
    /// County.
    pub county: String,
    /// Street address.
    pub address: String,
    /// Degrees, e.g. `-1.286389`.
    pub latitude: String,
    /// Degrees, e.g. `36.817223`.
    pub longitude: String,
    /// The agency that runs it.
    pub operator: String,
    /// `mon-fri 08:00-17:00; sat 09:00-13:00`.
    pub hours: String,
    /// `DIS-PASSPORT:500:15:A; …`.
    pub services: String,
    /// `1:DIS-PASSPORT+NRB-ID-REPLACE; …`.
    pub counters: String,
    /// `appointment; elderly; disability; pregnancy`.
    pub priority_lanes: String,
    /// A mobile centre's stops, one a line.
    pub schedule: String,
    /// `open` or `closed`.
    pub status: String,
}

/// Every problem found in an input, field by field (an error summary shows them all).
#[derive(Debug, Clone, Default)]
pub struct Problems(pub Vec<(String, String)>);

impl Problems {
    /// The value of `r`, or `None` with its problem noted.
    fn take<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(Error::Invalid { field, message }) => {
                self.0.push((field, message));
                None
            }
            Err(e) => {
                self.0.push(("code".into(), e.to_string()));
                None
            }
        }
    }
}

impl From<Problems> for Error {
    fn from(p: Problems) -> Error {
        let (field, message) = p.0.into_iter().next().unwrap_or_default();
        Error::Invalid { field, message }
    }
}

impl CentreInput {
    /// The input of a stored centre, for its edit form and its spreadsheet row.
    pub fn of(c: &Centre) -> CentreInput {
        let (latitude, longitude) = c.coordinates();
        CentreInput {
            code: c.code.clone(),
            name: c.name.clone(),
            name_sw: c.name_sw.clone(),
            kind: c.kind.to_string(),
            county: c.county.clone(),
            address: c.address.clone(),
            latitude,
            longitude,
            operator: c.operator.clone(),
            hours: model::hours_text(&c.hours),
            services: model::offers_text(&c.offers),
            counters: model::counters_text(&c.counters),
            priority_lanes: c.lanes.join("; "),
            schedule: model::schedule_text(&c.schedule),
            status: c.status.to_string(),
        }
    }

    /// Parses every field, reporting every problem.
    pub fn parse(&self) -> std::result::Result<Centre, Problems> {
        let mut problems = Problems::default();
        let code = problems.take(model::parse_centre_code(&self.code));
        let name = problems.take(model::parse_line(&self.name, "name", 120));
        let name_sw = problems.take(model::parse_line(&self.name_sw, "name_sw", 120));
        let kind = problems.take(
            Kind::parse(self.kind.trim())
                .ok_or_else(|| Error::invalid("kind", "choose huduma, office or mobile")),
        );
        let county = problems.take(model::parse_line(&self.county, "county", 60));
        let address = problems.take(model::parse_line(&self.address, "address", 200));
        let lat = problems.take(model::parse_degrees(&self.latitude, 90, "latitude"));
        let lon = problems.take(model::parse_degrees(&self.longitude, 180, "longitude"));
        let operator = problems.take(
            model::parse_line(&self.operator, "operator", 20).map(|s| s.to_ascii_uppercase()),
        );
        let hours = problems.take(model::parse_hours(&self.hours));
        let offers = problems.take(model::parse_offers(&self.services));
        let counters = offers
            .as_ref()
            .and_then(|o| problems.take(model::parse_counters(&self.counters, o)));
        let lanes = problems.take(model::parse_lanes(&self.priority_lanes));
        let schedule = problems.take(model::parse_schedule(&self.schedule));
        let status_word = if self.status.trim().is_empty() {
            "open"
        } else {
            self.status.trim()
        };
        let status = problems.take(
            Status::parse(status_word)
                .ok_or_else(|| Error::invalid("status", "choose open or closed")),
        );
        if let (Some(k), Some(h), Some(s)) = (kind, hours.as_ref(), schedule.as_ref()) {
            if k == Kind::Mobile && !h.is_empty() {
                problems.take(Err::<(), _>(Error::invalid(
                    "hours",
                    "a mobile centre opens on its schedule: leave weekly hours empty",
                )));
            }
            if k != Kind::Mobile && !s.is_empty() {
                problems.take(Err::<(), _>(Error::invalid(
                    "schedule",
                    "only a mobile centre has a schedule of stops",
                )));
            }
        }
        match (
            code, name, name_sw, kind, county, address, lat, lon, operator, hours, offers,
            counters, lanes, schedule, status,
        ) {
            (
                Some(code),
                Some(name),
                Some(name_sw),
                Some(kind),
                Some(county),
                Some(address),
                Some(lat_e6),
                Some(lon_e6),
                Some(operator),
                Some(hours),
                Some(offers),
                Some(counters),
                Some(lanes),
                Some(schedule),
                Some(status),
            ) if problems.0.is_empty() => Ok(Centre {
                code,
                name,
                name_sw,
                kind,
                county,
                address,
                lat_e6,
                lon_e6,
                operator,
                hours,
                lanes,
                status,
                offers,
                counters,
                schedule,
            }),
            _ => Err(problems),
        }
    }
}

/// Refuses a centre whose operator is not an agency, or that offers a service the
/// catalogue does not hold.
pub(crate) async fn check_references(
    conn: &mut sqlx::AnyConnection,
    c: &Centre,
) -> std::result::Result<(), Problems> {
    let mut problems = Problems::default();
    let agency: Option<i64> = sqlx::query_scalar("SELECT 1 FROM agencies WHERE code = $1")
        .bind(&c.operator)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| Problems(vec![("operator".into(), e.to_string())]))?;
    if agency.is_none() {
        problems.0.push((
            "operator".into(),
            format!("{} is not an agency's code", c.operator),
        ));
    }
    for o in &c.offers {
        let found: Option<String> =
            sqlx::query_scalar("SELECT status FROM services WHERE code = $1")
                .bind(&o.service)
                .fetch_optional(&mut *conn)
                .await
                .map_err(|e| Problems(vec![("services".into(), e.to_string())]))?;
        if found.is_none() {
            problems.0.push((
                "services".into(),
                format!("{} is not a service in the catalogue", o.service),
            ));
        }
    }
    if problems.0.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The centres room: every operation the web and the CLI call.
#[derive(Clone)]
pub struct Centres {
    db: Db,
    /// The queue's group committer.
    queue: queue::Committer,
    /// Every centre, read at most every [`DIRECTORY_TTL`]: service pages list where each
    /// service is offered in person, and must not cost four queries each.
    directory: Arc<Mutex<Option<Directory>>>,
    /// Held by the one task reading the directory again: hundreds of requests arriving
    /// when it is stale must not each read every centre (the bench's 450 desks did, every
    /// five seconds); they use the stale one, or wait for the one read when there is none.
    reading: Arc<tokio::sync::Mutex<()>>,
}

/// Every centre as read at a moment.
type Directory = (Instant, Arc<Vec<Centre>>);

/// How long the directory is kept; an edit on this node clears it at once, other nodes
/// see it within this time.
const DIRECTORY_TTL: Duration = Duration::from_secs(5);

/// How a saved centre went.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    /// Its code.
    pub code: String,
    /// True when it was new.
    pub created: bool,
}

impl Centres {
    /// The room on `db`.
    pub fn new(db: Db) -> Centres {
        Centres {
            queue: queue::Committer::start(db.clone()),
            db,
            directory: Arc::default(),
            reading: Arc::default(),
        }
    }

    /// The database, for the room's other modules.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Open centres, by county then name, optionally only in `county` or offering `service`.
    pub async fn list(&self, county: Option<&str>, service: Option<&str>) -> Result<Vec<Centre>> {
        let all = self.directory().await?;
        Ok(all
            .iter()
            .filter(|c| c.status == Status::Open)
            .filter(|c| {
                county.is_none_or(|k| {
                    c.county.eq_ignore_ascii_case(k)
                        || c.schedule.iter().any(|v| v.county.eq_ignore_ascii_case(k))
                })
            })
            .filter(|c| service.is_none_or(|s| c.offer(&s.to_ascii_uppercase()).is_some()))
            .cloned()
            .collect())
    }

    /// Every centre, from the directory kept for [`DIRECTORY_TTL`].
    async fn directory(&self) -> Result<Arc<Vec<Centre>>> {
        let poisoned = || Error::Internal("the centre directory's lock is poisoned".into());
        // The directory held, and whether it is still fresh.
        let held = || -> Result<Option<(bool, Arc<Vec<Centre>>)>> {
            Ok(self
                .directory
                .lock()
                .map_err(|_| poisoned())?
                .as_ref()
                .map(|(at, all)| (at.elapsed() < DIRECTORY_TTL, all.clone())))
        };
        let _reading = match held()? {
            Some((true, all)) => return Ok(all),
            // Stale: one request reads it again; the others meanwhile use the stale one
            // (at most a read's time older than the TTL allows).
            Some((false, all)) => match self.reading.try_lock() {
                Ok(turn) => turn,
                Err(_) => return Ok(all),
            },
            // None (the first read, or cleared by a change here): every request waits for
            // one read.
            None => {
                let turn = self.reading.lock().await;
                if let Some((true, all)) = held()? {
                    return Ok(all);
                }
                turn
            }
        };
        let mut conn = self.db.pool().acquire().await?;
        let all = Arc::new(store::all(&mut conn).await?);
        *self.directory.lock().map_err(|_| poisoned())? = Some((Instant::now(), all.clone()));
        Ok(all)
    }

    /// Forgets the directory after a change.
    fn changed(&self) {
        if let Ok(mut d) = self.directory.lock() {
            *d = None;
        }
    }

    /// Every centre, open or closed (administration and export).
    pub async fn all(&self) -> Result<Vec<Centre>> {
        let mut conn = self.db.pool().acquire().await?;
        store::all(&mut conn).await
    }

    /// The centre `code` (any case).
    ///
    /// Read from the directory (every ticket, call and booking names its centre, and a centre
    /// is four queries); a code the directory does not hold yet is read from the store, so a
    /// centre made on another node is found at once.
    pub async fn get(&self, code: &str) -> Result<Centre> {
        let code = code.trim().to_ascii_uppercase();
        if let Some(c) = self.directory().await?.iter().find(|c| c.code == code) {
            return Ok(c.clone());
        }
        let mut conn = self.db.pool().acquire().await?;
        store::get(&mut conn, &code)
            .await?
            .ok_or_else(|| Error::NotFound(format!("centre {code}")))
    }

    /// Checks that `actor` may do `action` at `c`.
    pub fn check(actor: &Actor, action: Action, c: &Centre) -> Result<()> {
        check(
            actor,
            action,
            Object::Centre {
                code: &c.code,
                operator: &c.operator,
            },
        )
    }

    /// Saves a centre from `input`: a platform administrator makes new ones; they and the
    /// centre's managers change existing ones (a manager never moves it to another operator).
    pub async fn save(
        &self,
        actor: &Actor,
        input: &CentreInput,
    ) -> std::result::Result<Saved, SaveError> {
        let c = input.parse().map_err(SaveError::Problems)?;
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        let created = self.save_in(&mut tx, actor, &c).await?;
        tx.commit().await?;
        self.changed();
        Ok(Saved {
            code: c.code,
            created,
        })
    }

    async fn save_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        actor: &Actor,
        c: &Centre,
    ) -> std::result::Result<bool, SaveError> {
        let before = store::get(&mut *tx, &c.code).await?;
        match &before {
            None => check(actor, Action::Edit, Object::Platform)?,
            Some(b) => {
                Centres::check(actor, Action::Edit, b)?;
                if b.operator != c.operator {
                    check(actor, Action::Edit, Object::Platform)?;
                }
            }
        }
        check_references(&mut *tx, c)
            .await
            .map_err(SaveError::Problems)?;
        // A stop already past stays as it was (history); none is added or changed there.
        let today = calendar::today();
        let kept = |v: &model::Visit| before.as_ref().is_some_and(|b| b.schedule.contains(v));
        if let Some(v) = c.schedule.iter().find(|v| v.date < today && !kept(v)) {
            return Err(SaveError::Problems(Problems(vec![(
                "schedule".into(),
                format!(
                    "the stop on {} is in the past: stops are added or changed from today on",
                    v.date
                ),
            )])));
        }
        store::put(&mut *tx, c).await?;
        if let Some(b) = before.as_ref().filter(|b| b.kind == Kind::Mobile) {
            stops::tell_changes(&mut *tx, b, c).await?;
        }
        let detail = serde_json::json!({"services": model::offers_text(&c.offers), "counters": model::counters_text(&c.counters), "hours": model::hours_text(&c.hours), "status": c.status.as_str()}).to_string();
        audit::append(
            &mut *tx,
            Entry {
                actor: &actor_label(actor),
                action: if before.is_none() {
                    "centre.create"
                } else {
                    "centre.update"
                },
                object: &format!("centre:{}", c.code),
                subject: "",
                detail: &detail,
            },
        )
        .await?;
        Ok(before.is_none())
    }

    /// Imports centres from a spreadsheet (all or nothing): every row is checked first and
    /// every problem reported with its row number.
    pub async fn import(
        &self,
        actor: &Actor,
        bytes: &[u8],
    ) -> std::result::Result<Vec<Saved>, SaveError> {
        let inputs = csv::read(bytes).map_err(SaveError::Problems)?;
        let mut problems = Problems::default();
        let mut parsed = Vec::new();
        for (row, input) in inputs.iter().enumerate() {
            match input.parse() {
                Ok(c) => {
                    if parsed.iter().any(|p: &Centre| p.code == c.code) {
                        problems.0.push((
                            "file".into(),
                            format!("row {}: centre {} is given twice", row + 2, c.code),
                        ));
                    }
                    parsed.push(c)
                }
                Err(p) => problems.0.extend(
                    p.0.into_iter()
                        .map(|(f, m)| ("file".to_string(), format!("row {} ({f}): {m}", row + 2))),
                ),
            }
        }
        if !problems.0.is_empty() {
            return Err(SaveError::Problems(problems));
        }
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        let mut saved = Vec::new();
        for (i, c) in parsed.iter().enumerate() {
            let created = self.save_in(&mut tx, actor, c).await.map_err(|e| match e {
                SaveError::Problems(p) => SaveError::Problems(Problems(
                    p.0.into_iter()
                        .map(|(f, m)| ("file".to_string(), format!("row {} ({f}): {m}", i + 2)))
                        .collect(),
                )),
                other => other,
            })?;
            saved.push(Saved {
                code: c.code.clone(),
                created,
            });
        }
        tx.commit().await?;
        self.changed();
        Ok(saved)
    }

    /// Every centre as a spreadsheet that [`Centres::import`] takes back.
    pub async fn export(&self) -> Result<Vec<u8>> {
        csv::write(&self.all().await?)
    }

    /// Closures and public holidays of `centre` from today on.
    pub async fn closures(&self, centre: &Centre) -> Result<Vec<store::Closure>> {
        let mut conn = self.db.pool().acquire().await?;
        store::closures(&mut conn, &centre.code, &calendar::today()).await
    }

    /// Closes `centre` (or, with `None`, every centre: a public holiday) on `day`.
    /// Appointments already booked that day stay booked and are listed for staff to call.
    pub async fn close(
        &self,
        actor: &Actor,
        centre: Option<&Centre>,
        day: &str,
        reason: &str,
    ) -> Result<()> {
        match centre {
            Some(c) => Centres::check(actor, Action::Edit, c)?,
            None => check(actor, Action::Edit, Object::Platform)?,
        }
        if !model::is_date(day.trim()) {
            return Err(Refusal::DayInvalid.into());
        }
        let reason = refusal::line(reason, refusal::Line::Reason, 120)?;
        let closure = store::Closure {
            centre: centre.map(|c| c.code.clone()).unwrap_or_default(),
            day: day.trim().into(),
            reason,
        };
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        store::close(&mut tx, &closure).await?;
        audit::append(
            &mut tx,
            Entry {
                actor: &actor_label(actor),
                action: "centre.close",
                object: &format!(
                    "centre:{}",
                    if closure.centre.is_empty() {
                        "*"
                    } else {
                        &closure.centre
                    }
                ),
                subject: "",
                detail: &format!("{} {}", closure.day, closure.reason),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a closure.
    pub async fn reopen(&self, actor: &Actor, centre: Option<&Centre>, day: &str) -> Result<()> {
        match centre {
            Some(c) => Centres::check(actor, Action::Edit, c)?,
            None => check(actor, Action::Edit, Object::Platform)?,
        }
        let code = centre.map(|c| c.code.clone()).unwrap_or_default();
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = begin_write(&mut conn).await?;
        if !store::reopen(&mut tx, &code, day.trim()).await? {
            return Err(Refusal::ClosureUnknown { day: day.into() }.into());
        }
        audit::append(
            &mut tx,
            Entry {
                actor: &actor_label(actor),
                action: "centre.reopen",
                object: &format!("centre:{}", if code.is_empty() { "*" } else { &code }),
                subject: "",
                detail: day.trim(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Why a centre was not saved.
#[derive(Debug)]
pub enum SaveError {
    /// The input's problems, field by field.
    Problems(Problems),
    /// Anything else (not allowed, the database).
    Other(Error),
}

impl From<Error> for SaveError {
    fn from(e: Error) -> SaveError {
        SaveError::Other(e)
    }
}

impl From<sqlx::Error> for SaveError {
    fn from(e: sqlx::Error) -> SaveError {
        SaveError::Other(e.into())
    }
}

impl From<SaveError> for Error {
    fn from(e: SaveError) -> Error {
        match e {
            SaveError::Problems(p) => p.into(),
            SaveError::Other(e) => e,
        }
    }
}

impl Centres {
    /// Starts the centres' chores every `every`: Kenya's public holidays for this year and
    /// the next, the day-before reminders, and closing past days (no-shows). Every node
    /// runs it; each chore claims its rows, so two nodes never send a reminder twice.
    pub fn spawn_chores(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let centres = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = centres.chores().await {
                    tracing::warn!(error = %e, "centre chores failed; trying again later");
                }
                tokio::time::sleep(every).await;
            }
        })
    }

    /// One round of [`Centres::spawn_chores`].
    pub async fn chores(&self) -> Result<()> {
        let year: i64 = calendar::today()[..4].parse().unwrap_or(2026);
        for y in [year, year + 1] {
            store::seed_holidays(&self.db, y).await?;
        }
        self.send_reminders().await?;
        self.close_days().await?;
        Ok(())
    }
}
