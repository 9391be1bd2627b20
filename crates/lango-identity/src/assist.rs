//! Centre staff or a registered agent acting for a person who is present: finding them by
//! their document number (or registering them), their consent (a code sent to their phone,
//! or, at a centre, the document staff inspected), and the assistance that lets the helper's
//! session start and fill in that person's applications until it ends.
//!
//! The policy grants nothing else: an assisting person may view and edit the assisted
//! person's own applications (see [`crate::policy::Person::assisting`]), never their
//! profile, businesses or anyone else's case; every start and end is audited.

use crate::account::{self, Account};
use crate::model::*;
use crate::otp::{self, Purpose};
use crate::policy::Person;
use crate::throttle;
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use sqlx::Row;

/// An assistance lasts at most this long (one visit to a counter).
pub const LENGTH_MS: i64 = 60 * 60 * 1000;

/// An open assistance.
#[derive(Debug, Clone)]
pub struct Assist {
    /// Its id.
    pub id: String,
    /// The staff member.
    pub staff_id: String,
    /// The person they act for.
    pub person_id: String,
    /// That person's name, for the banner on every page.
    pub person_name: String,
    /// The centre (empty for an agent).
    pub centre: String,
    /// The counter (empty for an agent).
    pub counter: String,
    /// The agent acting, when it is an agent and not a centre's staff.
    pub agent: Option<String>,
}

/// Who helps the person, as the code's message names them.
#[derive(Debug, Clone, Copy)]
pub enum Helper<'a> {
    /// The staff at this centre: its code and its name in the person's language.
    Centre(&'a str, &'a str),
    /// This registered agent: its code and its name.
    Agent(&'a str, &'a str),
}

impl Helper<'_> {
    /// What the consent code is bound to: the code works only for the helper who asked.
    fn scope(self) -> String {
        match self {
            Helper::Centre(code, _) => format!("centre:{code}"),
            Helper::Agent(code, _) => format!("agent:{code}"),
        }
    }
}

/// How the person confirmed that staff may act for them.
#[derive(Debug, Clone)]
pub enum Proof {
    /// The code sent to their phone, as they read it out or typed it.
    Code(String),
    /// The document staff inspected: its kind and number.
    Document {
        /// `national_id`, `alien_id`, `passport` or `birth_certificate`.
        kind: String,
        /// Its number as typed.
        number: String,
    },
}

/// The account holding document number `raw`, if any (dependants are found through their
/// guardians, not at the counter).
pub async fn find(db: &Db, raw: &str) -> Result<Option<Account>> {
    if raw.contains('@') || raw.trim().is_empty() || raw.len() > 40 {
        return Ok(None);
    }
    Ok(account::find_by_identifier(db, raw).await?.map(|(a, _)| a))
}

/// A person registered at the counter, as staff typed them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewPersonForm {
    /// National ID number.
    #[serde(default)]
    pub id_number: String,
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// The date of birth in three boxes.
    #[serde(flatten)]
    pub dob: DobBoxes,
    /// Mobile number.
    #[serde(default)]
    pub phone: String,
}

/// A person to register, parsed.
#[derive(Debug)]
pub struct NewPerson {
    id: IdNumber,
    given_name: String,
    family_name: String,
    date_of_birth: Date,
    phone: Phone,
}

impl NewPersonForm {
    /// Parses every field, collecting every problem for the error summary.
    pub fn parse(&self) -> std::result::Result<NewPerson, Problems> {
        let mut p = Problems::default();
        let id = p.take(IdNumber::parse(IdKind::NationalId, &self.id_number));
        let given_name = p.take(parse_name("given_name", &self.given_name));
        let family_name = p.take(parse_name("family_name", &self.family_name));
        let date_of_birth = p.take(Date::parse_past(
            "date_of_birth",
            &self.dob.joined(""),
            &today_utc(),
        ));
        let phone = p.take(Phone::parse(&self.phone));
        match (id, given_name, family_name, date_of_birth, phone) {
            (Some(id), Some(given_name), Some(family_name), Some(date_of_birth), Some(phone))
                if p.is_empty() =>
            {
                Ok(NewPerson {
                    id,
                    given_name,
                    family_name,
                    date_of_birth,
                    phone,
                })
            }
            _ => Err(p),
        }
    }
}

/// Registers a person present at `centre` (no password: they choose one later with a code
/// to their phone). A number that already has an account is refused, so staff find it.
pub async fn register(
    db: &Db,
    staff: &Person,
    centre: &str,
    p: &NewPerson,
    lang: &str,
) -> Result<std::result::Result<Account, Problems>> {
    if find(db, p.id.as_str()).await?.is_some() {
        return Ok(Err(Problems::one("id_number", "assist_id_taken")));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, kind, id_kind, id_number, given_name, family_name, date_of_birth, phone, \
         status, language, created_at, updated_at) \
         VALUES ($1, 'citizen', $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $9)",
    )
    .bind(&id)
    .bind(p.id.kind.as_str())
    .bind(p.id.as_str())
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(p.date_of_birth.as_str())
    .bind(p.phone.as_str())
    .bind(lang)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Ok(Err(Problems::one("id_number", "assist_id_taken")));
        }
        other => {
            other?;
        }
    }
    audit::append(
        &mut tx,
        Entry {
            actor: &format!("account:{}", staff.account_id),
            action: "account.register_assisted",
            object: &format!("account:{id}"),
            subject: &id,
            detail: &format!("registered in person at centre {centre}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(account::get(db, &id).await?))
}

/// Sends `person` a code that lets `helper` act for them (at most five in fifteen
/// minutes); `Err(minutes)` while locked, `Ok(false)` when they have no phone.
pub async fn send_code(
    db: &Db,
    person: &Account,
    helper: Helper<'_>,
) -> Result<std::result::Result<bool, i64>> {
    let Some(phone) = person.phone.as_deref() else {
        return Ok(Ok(false));
    };
    let key = format!("assist_code:{}", person.id);
    if let Some(m) = throttle::locked(db, &key).await? {
        return Ok(Err(m));
    }
    throttle::fail(db, &key).await?;
    let mut tx = db.pool().begin().await?;
    let code = otp::issue_scoped(&mut tx, &person.id, Purpose::Assist, &helper.scope()).await?;
    let message = match helper {
        Helper::Centre(_, name) => {
            crate::messages::assist_code(&person.id, phone, name, &code, &person.language)
        }
        Helper::Agent(_, name) => {
            crate::messages::agent_code(&person.id, phone, name, &code, &person.language)
        }
    };
    lango_notify::enqueue(&mut tx, &message).await?;
    tx.commit().await?;
    Ok(Ok(true))
}

/// Starts assistance of `person` by `staff` at `centre`/`counter` in session `session_id`,
/// once the proof holds (any earlier assistance of the session ends).
pub async fn begin(
    db: &Db,
    session_id: &str,
    staff: &Person,
    person: &Account,
    (centre, counter): (&str, &str),
    proof: &Proof,
) -> Result<std::result::Result<Assist, Problems>> {
    open(
        db,
        session_id,
        staff,
        person,
        (centre, counter, None),
        proof,
    )
    .await
}

/// Starts assistance of `person` by `staff` acting for agent `agent` (the caller checked
/// that they may), once the code sent to the person's phone is given: an agent never
/// acts on a document it says it saw.
pub async fn begin_for_agent(
    db: &Db,
    session_id: &str,
    staff: &Person,
    person: &Account,
    agent: &str,
    code: &str,
) -> Result<std::result::Result<Assist, Problems>> {
    let proof = Proof::Code(code.to_string());
    open(db, session_id, staff, person, ("", "", Some(agent)), &proof).await
}

async fn open(
    db: &Db,
    session_id: &str,
    staff: &Person,
    person: &Account,
    (centre, counter, agent): (&str, &str, Option<&str>),
    proof: &Proof,
) -> Result<std::result::Result<Assist, Problems>> {
    if person.id == staff.account_id {
        return Ok(Err(Problems::one("id_number", "assist_self")));
    }
    // What was shown: (proof, document kind and number, as the audit says it).
    let (proof_word, kind, number, how) = match proof {
        Proof::Code(code) => {
            // The code was sent for one helper (see `Helper::scope`): nobody else can use it.
            let scope = match agent {
                Some(a) => Helper::Agent(a, "").scope(),
                None => Helper::Centre(centre, "").scope(),
            };
            if let Err(r) = otp::check_scoped(db, &person.id, Purpose::Assist, &scope, code).await?
            {
                return Ok(Err(Problems(vec![account::refusal_problem("code", r)])));
            }
            let how = "confirmed by a code sent to their phone".to_string();
            ("code", None, None, how)
        }
        Proof::Document { kind, number } => match inspected(person, kind, number) {
            Ok(id) => {
                let how = format!(
                    "confirmed by the {} {}, inspected",
                    id.kind.as_str(),
                    id.as_str()
                );
                (
                    "document",
                    Some(id.kind.as_str()),
                    Some(id.as_str().to_string()),
                    how,
                )
            }
            Err(p) => return Ok(Err(p)),
        },
    };
    let now = now_ms();
    let a = Assist {
        id: uuid::Uuid::now_v7().to_string(),
        staff_id: staff.account_id.clone(),
        person_id: person.id.clone(),
        person_name: person.display_name(),
        centre: centre.to_string(),
        counter: counter.to_string(),
        agent: agent.map(str::to_string),
    };
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE assists SET ended_at = $1 WHERE session_id = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO assists (id, session_id, staff_id, person_id, centre, counter, proof, \
         document_kind, document_number, started_at, expires_at, agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&a.id)
    .bind(session_id)
    .bind(&a.staff_id)
    .bind(&a.person_id)
    .bind(centre)
    .bind(counter)
    .bind(proof_word)
    .bind(kind)
    .bind(&number)
    .bind(now)
    .bind(now + LENGTH_MS)
    .bind(agent)
    .execute(&mut *tx)
    .await?;
    if kind.is_none() {
        // The code reached their phone: the number is theirs.
        account::mark_verified(&mut tx, &person.id, "phone_verified_at", now).await?;
    }
    audit::append(
        &mut tx,
        Entry {
            actor: &format!("account:{}", staff.account_id),
            action: "assist.begin",
            object: &format!("account:{}", person.id),
            subject: &person.id,
            detail: &format!("{}; {how}", place(centre, counter, agent)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(a))
}

/// Where an assistance happens, as the audit says it.
fn place(centre: &str, counter: &str, agent: Option<&str>) -> String {
    match agent {
        Some(a) => format!("for agent {a}"),
        None => format!("at centre {centre}, counter {counter}"),
    }
}

/// The document staff say they inspected, parsed; the person's own kind of document must
/// carry the number on their account.
fn inspected(
    person: &Account,
    kind: &str,
    number: &str,
) -> std::result::Result<IdNumber, Problems> {
    let Some(kind) = IdKind::parse(kind) else {
        return Err(Problems::one("document_kind", "choose_one"));
    };
    let id = IdNumber::parse(kind, number).map_err(|mut p| {
        p.field = "document_number";
        Problems(vec![p])
    })?;
    if person.id_kind == Some(kind) && person.id_number.as_deref() != Some(id.as_str()) {
        return Err(Problems::one("document_number", "assist_document_mismatch"));
    }
    Ok(id)
}

/// The open assistance of session `session_id`, if any.
pub async fn active(db: &Db, session_id: &str) -> Result<Option<Assist>> {
    let row = sqlx::query(
        "SELECT s.id, s.staff_id, s.person_id, s.centre, s.counter, s.agent, \
         a.given_name, a.family_name FROM assists s JOIN accounts a ON a.id = s.person_id \
         WHERE s.session_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2",
    )
    .bind(session_id)
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        let given: String = r.try_get("given_name")?;
        let family: String = r.try_get("family_name")?;
        Ok(Assist {
            id: r.try_get("id")?,
            staff_id: r.try_get("staff_id")?,
            person_id: r.try_get("person_id")?,
            person_name: format!("{given} {family}").trim().to_string(),
            centre: r.try_get("centre")?,
            counter: r.try_get("counter")?,
            agent: r.try_get("agent")?,
        })
    })
    .transpose()
}

/// Ends the open assistance of session `session_id` (staff finished, or sign-out).
pub async fn end(db: &Db, session_id: &str) -> Result<()> {
    let Some(a) = active(db, session_id).await? else {
        return Ok(());
    };
    let mut tx = db.pool().begin().await?;
    let place = place(&a.centre, &a.counter, a.agent.as_deref());
    end_one(&mut tx, &a.id, &a.staff_id, &a.person_id, &place).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends, inside `tx`, the open assistances held in the sessions of `account_id` other than
/// `keep` (they are being revoked: the assisted person must not stay reachable through a
/// session nobody can sign out of any more), each audited as [`end`] audits it.
pub async fn end_in_others(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    keep: Option<&str>,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT s.id, s.staff_id, s.person_id, s.centre, s.counter, s.agent FROM assists s \
         JOIN sessions x ON x.id = s.session_id \
         WHERE x.account_id = $1 AND x.id <> $2 AND s.ended_at IS NULL AND s.expires_at > $3",
    )
    .bind(account_id)
    .bind(keep.unwrap_or(""))
    .bind(now_ms())
    .fetch_all(&mut *tx)
    .await?;
    for r in &rows {
        let field = |name: &str| r.try_get::<String, _>(name);
        let (id, staff, person) = (field("id")?, field("staff_id")?, field("person_id")?);
        let agent: Option<String> = r.try_get("agent")?;
        let place = place(&field("centre")?, &field("counter")?, agent.as_deref());
        end_one(tx, &id, &staff, &person, &place).await?;
    }
    Ok(())
}

/// Marks assistance `id` ended and audits it (`assist.end`), inside `tx`.
async fn end_one(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    staff_id: &str,
    person_id: &str,
    place: &str,
) -> Result<()> {
    sqlx::query("UPDATE assists SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        tx,
        Entry {
            actor: &format!("account:{staff_id}"),
            action: "assist.end",
            object: &format!("account:{person_id}"),
            subject: person_id,
            detail: place,
        },
    )
    .await?;
    Ok(())
}

/// The person `p` with the open assistance of their own session applied: what the policy
/// judges.
pub fn with_assist(mut p: Person, a: Option<&Assist>) -> Person {
    p.assisting = a.map(|a| a.person_id.clone());
    p
}
