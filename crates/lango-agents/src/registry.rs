//! The register of agents: a business's application, platform staff's vetting (approve,
//! refuse, suspend, reinstate: each audited), the public directory, and who may act for
//! which agent.

use crate::model::{Agent, NewAgent, Status};
use lango_cases::definition::FileAnswer;
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use lango_identity::model::Problems;
use lango_identity::policy::{check, Action, Actor, Object};
use sqlx::Row;

const COLUMNS: &str =
    "code, business_id, name, county, location, phone, permit_number, status, reason, applied_at";

fn agent_of(r: &sqlx::any::AnyRow, services: Vec<String>) -> Result<Agent> {
    let status: String = r.try_get("status")?;
    Ok(Agent {
        code: r.try_get("code")?,
        business_id: r.try_get("business_id")?,
        name: r.try_get("name")?,
        county: r.try_get("county")?,
        location: r.try_get("location")?,
        phone: r.try_get("phone")?,
        permit_number: r.try_get("permit_number")?,
        status: Status::parse(&status)
            .ok_or_else(|| Error::Internal(format!("agent status {status}")))?,
        reason: r.try_get("reason")?,
        services,
        applied_at: r.try_get("applied_at")?,
    })
}

async fn services_of(db: &Db, code: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT service_code FROM agent_services WHERE agent_code = $1 ORDER BY service_code",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?)
}

/// One agent by code (any status), without a policy check: callers check.
pub async fn get(db: &Db, code: &str) -> Result<Agent> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM agents WHERE code = $1"))
        .bind(code.trim().to_ascii_uppercase())
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::NotFound("agent".into()))?;
    let code: String = row.try_get("code")?;
    agent_of(&row, services_of(db, &code).await?)
}

/// The agent `code`, if `actor` may see its record and statements.
pub async fn get_for(db: &Db, actor: &Actor, code: &str) -> Result<Agent> {
    let a = get(db, code).await?;
    check(
        actor,
        Action::View,
        Object::Agent {
            code: &a.code,
            business: &a.business_id,
        },
    )
    .map_err(|_| Error::NotFound("agent".into()))?;
    Ok(a)
}

/// Records `a` as an application to become an agent, by the business's owner, with its
/// documents (`files`: one stored file of every kind in [`crate::documents::KINDS`]); the
/// services must be active in the catalogue. A business applies once.
pub async fn apply(
    db: &Db,
    actor: &Actor,
    a: &NewAgent,
    files: &[(&'static str, FileAnswer)],
) -> Result<std::result::Result<Agent, Problems>> {
    let Actor::Person(p) = actor else {
        return Err(Error::Forbidden("only a person applies".into()));
    };
    if !p.owns.contains(&a.business) {
        return Ok(Err(Problems::one("business", "choose_one")));
    }
    let sent: Vec<&str> = files.iter().map(|(k, _)| *k).collect();
    let missing = crate::documents::problems(&sent, &[]);
    if !missing.0.is_empty() {
        return Ok(Err(missing));
    }
    let known = lango_catalogue::store::service_codes(db).await?;
    if a.services.iter().any(|s| !known.contains(s)) {
        return Ok(Err(Problems::one("services", "agent_service_unknown")));
    }
    let now = now_ms();
    for _ in 0..5 {
        let mut tx = db.pool().begin().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agents")
            .fetch_one(&mut *tx)
            .await?;
        let code = format!("AG{:05}", n + 1);
        let inserted = sqlx::query(
            "INSERT INTO agents (code, business_id, name, county, location, phone, permit_number, status, \
             reason, applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'applied', '', $8, $9)",
        )
        .bind(&code)
        .bind(&a.business)
        .bind(&a.name)
        .bind(&a.county)
        .bind(&a.location)
        .bind(a.phone.as_str())
        .bind(&a.permit_number)
        .bind(&p.account_id)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                let taken: Option<String> =
                    sqlx::query_scalar("SELECT code FROM agents WHERE business_id = $1")
                        .bind(&a.business)
                        .fetch_optional(db.pool())
                        .await?;
                if taken.is_some() {
                    return Ok(Err(Problems::one("business", "agent_already_applied")));
                }
                continue; // another application took the code: count again
            }
            other => {
                other?;
            }
        }
        crate::documents::attach(&mut tx, &code, files, &p.account_id, now).await?;
        for s in &a.services {
            sqlx::query("INSERT INTO agent_services (agent_code, service_code) VALUES ($1, $2)")
                .bind(&code)
                .bind(s)
                .execute(&mut *tx)
                .await?;
        }
        audit::append(
            &mut tx,
            Entry {
                actor: &format!("account:{}", p.account_id),
                action: "agent.applied",
                object: &format!("agent:{code}"),
                subject: &p.account_id,
                detail: &format!("{} in {}, for business {}", a.name, a.county, a.business),
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(Ok(get(db, &code).await?));
    }
    Err(Error::Internal("could not find a free agent code".into()))
}

/// What platform staff decide about an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Vetted: listed and may act.
    Approve,
    /// Not accepted.
    Refuse,
    /// Stopped from acting.
    Suspend,
    /// A suspended agent may act again.
    Reinstate,
}

impl Decision {
    /// Parses the form's word.
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "approve" => Some(Decision::Approve),
            "refuse" => Some(Decision::Refuse),
            "suspend" => Some(Decision::Suspend),
            "reinstate" => Some(Decision::Reinstate),
            _ => None,
        }
    }

    /// (from, to, audit action) of this decision.
    fn moves(self) -> (Status, Status, &'static str) {
        match self {
            Decision::Approve => (Status::Applied, Status::Approved, "agent.approved"),
            Decision::Refuse => (Status::Applied, Status::Refused, "agent.refused"),
            Decision::Suspend => (Status::Approved, Status::Suspended, "agent.suspended"),
            Decision::Reinstate => (Status::Suspended, Status::Approved, "agent.reinstated"),
        }
    }

    /// True when the decision needs a reason recorded.
    pub fn needs_reason(self) -> bool {
        matches!(self, Decision::Refuse | Decision::Suspend)
    }
}

/// Platform staff decide about agent `code`; refusing and suspending need a reason. A
/// decision that does not fit the agent's status now (approving twice) is a conflict.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    code: &str,
    decision: Decision,
    reason: &str,
) -> Result<std::result::Result<Agent, Problems>> {
    let a = get(db, code).await?;
    check(
        actor,
        Action::Edit,
        Object::Agent {
            code: &a.code,
            business: &a.business_id,
        },
    )?;
    let reason = reason.trim();
    if decision.needs_reason() && reason.is_empty() {
        return Ok(Err(Problems::one("reason", "required")));
    }
    if reason.chars().count() > 500 {
        return Ok(Err(Problems::one("reason", "too_long")));
    }
    let (from, to, action) = decision.moves();
    let by = lango_identity::account::actor_label(actor);
    let mut tx = db.pool().begin().await?;
    let moved = sqlx::query(
        "UPDATE agents SET status = $1, reason = $2, decided_by = $3, decided_at = $4 \
         WHERE code = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(&by)
    .bind(now_ms())
    .bind(&a.code)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "agent {} is {}, not {}",
            a.code,
            a.status.as_str(),
            from.as_str()
        )));
    }
    if to != Status::Approved {
        // A refused or suspended agent stops acting at once, not when its people sign out.
        sqlx::query("UPDATE assists SET ended_at = $1 WHERE agent = $2 AND ended_at IS NULL")
            .bind(now_ms())
            .bind(&a.code)
            .execute(&mut *tx)
            .await?;
    }
    audit::append(
        &mut tx,
        Entry {
            actor: &by,
            action,
            object: &format!("agent:{}", a.code),
            subject: "",
            detail: reason,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(get(db, &a.code).await?))
}

/// Agents for platform staff and finance, newest application first, optionally of one status.
pub async fn list(db: &Db, actor: &Actor, status: Option<Status>) -> Result<Vec<Agent>> {
    if !lango_identity::policy::may(actor, Action::View, Object::Finance) {
        check(actor, Action::View, Object::Platform)?;
    }
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agents WHERE ($1 = '' OR status = $1) ORDER BY applied_at DESC LIMIT 500"
    ))
    .bind(status.map_or("", Status::as_str))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| agent_of(r, Vec::new())).collect()
}

/// The public directory: approved agents, by county and service when given, by name.
pub async fn directory(db: &Db, county: Option<&str>, service: Option<&str>) -> Result<Vec<Agent>> {
    let county = county.map(str::trim).filter(|c| !c.is_empty());
    let county = match county {
        Some(c) => match lango_cases::definition::counties::county(c) {
            Some(c) => c.to_string(),
            None => return Ok(Vec::new()),
        },
        None => String::new(),
    };
    let service = service
        .map(|s| s.trim().to_ascii_uppercase())
        .unwrap_or_default();
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agents a WHERE status = 'approved' AND ($1 = '' OR county = $1) \
         AND ($2 = '' OR EXISTS (SELECT 1 FROM agent_services s WHERE s.agent_code = a.code AND s.service_code = $2)) \
         ORDER BY county, name LIMIT 1000"
    ))
    .bind(&county)
    .bind(&service)
    .fetch_all(db.pool())
    .await?;
    let all: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.agent_code, s.service_code FROM agent_services s JOIN agents a ON a.code = s.agent_code \
         WHERE a.status = 'approved' ORDER BY s.service_code",
    )
    .fetch_all(db.pool())
    .await?;
    let mut by_agent: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (agent, service) in all {
        by_agent.entry(agent).or_default().push(service);
    }
    rows.iter()
        .map(|r| {
            let code: String = r.try_get("code")?;
            agent_of(r, by_agent.remove(&code).unwrap_or_default())
        })
        .collect()
}

/// The approved agents among `businesses` (those a person represents): whom they may act for.
pub async fn approved_of(db: &Db, businesses: &[String]) -> Result<Vec<String>> {
    if businesses.is_empty() {
        return Ok(Vec::new());
    }
    // One read per request of everyone who represents a business (see the visitor).
    let marks: Vec<String> = (1..=businesses.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT code FROM agents WHERE status = 'approved' AND business_id IN ({}) ORDER BY code",
        marks.join(", ")
    );
    let mut q = sqlx::query_scalar(&sql);
    for b in businesses {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// The agents of `businesses`, whatever their status (a business's own page).
pub async fn of_businesses(db: &Db, businesses: &[String]) -> Result<Vec<Agent>> {
    let mut out = Vec::new();
    for b in businesses {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM agents WHERE business_id = $1"
        ))
        .bind(b)
        .fetch_optional(db.pool())
        .await?;
        if let Some(r) = row {
            let code: String = r.try_get("code")?;
            out.push(agent_of(&r, services_of(db, &code).await?)?);
        }
    }
    Ok(out)
}

/// The applications of `applicant` that an agent made: (reference, agent code, agent
/// name), for the applicant's own list ("made for you by …").
pub async fn makers(db: &Db, applicant: &str) -> Result<Vec<(String, String, String)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.reference, g.code, g.name FROM applications p JOIN agents g ON g.code = p.agent \
         WHERE p.applicant = $1 AND p.agent IS NOT NULL",
    )
    .bind(applicant)
    .fetch_all(db.pool())
    .await?;
    Ok(rows)
}
