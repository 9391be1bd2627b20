//! The agency's work: the queue, claiming and assigning, workflow actions, workload.

use super::journey::actor_name;
use super::{audit_label, label, object, Cases};
use crate::application::{Application, OfficerLoad, QueueFilter, QueuePage, SlaFilter, Transition};
use crate::definition::model::{Actor as StateActor, ReasonRule};
use crate::sla;
use crate::store::{self, NewTransition};
use lango_core::clock::now_ms;
use lango_core::{Error, Result};
use lango_identity::policy::{check, conflict_of_interest, Action, Actor, Object};
use sqlx::Row;
use std::collections::BTreeMap;

/// Most characters in a reason.
const REASON_MAX: usize = 2000;
/// Most applications on one queue page.
pub const QUEUE_PAGE_MAX: u32 = 200;

pub(super) fn stale() -> Error {
    Error::Conflict("the application has changed since you looked at it; look again".into())
}

impl Cases {
    /// The agency's open applications matching the filter, oldest due first. Pages by
    /// keyset: pass the last page's `next` as `after`.
    pub async fn queue(
        &self,
        actor: &Actor,
        agency: &str,
        filter: &QueueFilter,
        after: Option<&str>,
        limit: u32,
    ) -> Result<QueuePage> {
        check(
            actor,
            Action::View,
            Object::Case {
                applicant: "",
                business: None,
                agency,
            },
        )?;
        let limit = limit.clamp(1, QUEUE_PAGE_MAX) as i64;
        let now = now_ms();
        let mut sql = format!(
            "SELECT {} FROM applications WHERE agency = $1 AND queued = 1",
            store::QUEUE_COLUMNS
        );
        let mut texts: Vec<String> = vec![agency.to_string()];
        let mut numbers: Vec<i64> = Vec::new();
        // Text parameters first ($1…), numbers after: the SQL names them in that order.
        if let Some(state) = &filter.state {
            texts.push(state.clone());
            sql.push_str(&format!(" AND state = ${}", texts.len()));
        }
        if let Some(officer) = &filter.assigned_to {
            texts.push(officer.clone());
            sql.push_str(&format!(" AND assigned_to = ${}", texts.len()));
        } else if filter.unassigned {
            sql.push_str(" AND assigned_to IS NULL");
        }
        if let Some(service) = &filter.service {
            texts.push(service.clone());
            sql.push_str(&format!(" AND service = ${}", texts.len()));
        }
        let cursor = after.map(parse_cursor).transpose()?;
        let mut number_sql = String::new();
        let next_param = |numbers: &mut Vec<i64>, v: i64| {
            numbers.push(v);
            format!("${}", texts.len() + numbers.len())
        };
        match filter.sla {
            Some(SlaFilter::Breached) => {
                let p = next_param(&mut numbers, now);
                number_sql.push_str(&format!(" AND due_key < {p}"));
            }
            Some(SlaFilter::AtRisk) => {
                let from = next_param(&mut numbers, now);
                let to = next_param(&mut numbers, now + sla::AT_RISK_MS);
                number_sql.push_str(&format!(" AND due_key >= {from} AND due_key < {to}"));
            }
            None => {}
        }
        let mut cursor_id = None;
        if let Some((key, id)) = cursor {
            let k = next_param(&mut numbers, key);
            cursor_id = Some(id);
            // A row value: both engines take it as the index range (the OR form they
            // would filter row by row). The id's placeholder comes after every number.
            number_sql.push_str(&format!(
                " AND (due_key, id) > ({k}, ${})",
                texts.len() + numbers.len() + 1
            ));
        }
        sql.push_str(&number_sql);
        sql.push_str(&format!(" ORDER BY due_key, id LIMIT {}", limit + 1));
        let mut q = sqlx::query(&sql);
        for t in &texts {
            q = q.bind(t);
        }
        for n in &numbers {
            q = q.bind(*n);
        }
        if let Some(id) = &cursor_id {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.db.pool()).await?;
        let mut items: Vec<Application> = rows
            .iter()
            .map(store::application_of)
            .collect::<Result<_>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items
                .last()
                .map(|a| format!("{}.{}", sla::due_key(a.due_at), a.id))
        } else {
            None
        };
        Ok(QueuePage { items, next })
    }

    /// The actor takes an unassigned application.
    pub async fn claim(
        &self,
        actor: &Actor,
        reference: &str,
        revision: i64,
    ) -> Result<Application> {
        let app = self.load(reference).await?;
        self.check_work(actor, Action::Work, &app).await?;
        if !app.open {
            return Err(Error::Conflict("this application is not open".into()));
        }
        if app.assigned_to.is_some() {
            return Err(Error::Conflict(
                "someone already took this application".into(),
            ));
        }
        if app.revision != revision {
            return Err(stale());
        }
        self.reassign(actor, app, Some(label(actor)), "claim", None)
            .await
    }

    /// A supervisor assigns an application to an officer of the agency (or to nobody).
    pub async fn assign(
        &self,
        actor: &Actor,
        reference: &str,
        officer: Option<&str>,
        revision: i64,
    ) -> Result<Application> {
        let app = self.load(reference).await?;
        self.check_work(actor, Action::Supervise, &app).await?;
        if !app.open {
            return Err(Error::Conflict("this application is not open".into()));
        }
        if app.revision != revision {
            return Err(stale());
        }
        let mut conn = self.db.pool().acquire().await?;
        let reason = match officer {
            Some(officer) => {
                let works_here: Option<i64> = sqlx::query_scalar(
                    "SELECT 1 FROM account_roles WHERE account_id = $1 AND agency_code = $2 \
                     AND role IN ('officer', 'supervisor') LIMIT 1",
                )
                .bind(officer)
                .bind(&app.agency)
                .fetch_optional(&mut *conn)
                .await?;
                if works_here.is_none() {
                    return Err(Error::invalid("officer", "choose an officer of the agency"));
                }

                let name = store::account_name(&mut conn, officer)
                    .await?
                    .unwrap_or_default();
                Some(format!("to {name}"))
            }
            None => Some("to nobody".to_string()),
        };
        drop(conn);
        // Nobody is handed their own, a dependant's or their business's application.
        if let Some(officer) = officer {
            let assignee = lango_identity::account::actor(&self.db, officer).await?;
            if assignee.is_party_to(&app.applicant, app.business.as_deref()) {
                return Err(Error::invalid(
                    "officer",
                    "this officer may not work on the application: it is theirs, a \
                     dependant's or their business's",
                ));
            }
        }
        self.reassign(actor, app, officer.map(str::to_string), "assign", reason)
            .await
    }

    /// Records a change of assignee as a step of the history.
    async fn reassign(
        &self,
        actor: &Actor,
        mut app: Application,
        to: Option<String>,
        action: &str,
        reason: Option<String>,
    ) -> Result<Application> {
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        let changed = sqlx::query(
            "UPDATE applications SET assigned_to = $1, revision = revision + 1, updated_at = $2 \
             WHERE id = $3 AND revision = $4 AND queued = 1",
        )
        .bind(&to)
        .bind(now)
        .bind(&app.id)
        .bind(app.revision)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(stale());
        }
        app.revision += 1;
        app.assigned_to = to;
        let transition = Transition {
            at: now,
            actor: label(actor),
            actor_name: actor_name(&mut tx, actor).await?,
            from: app.state.clone(),
            to: app.state.clone(),
            action: action.to_string(),
            reason,
        };
        store::insert_transitions(
            &mut tx,
            &[NewTransition {
                application_id: &app.id,
                seq: app.revision,
                agency: &app.agency,
                transition: &transition,
            }],
        )
        .await?;
        lango_core::audit::append(
            &mut tx,
            lango_core::audit::Entry {
                actor: &audit_label(actor),
                action: &format!("application.{action}"),
                object: &format!("application:{}", app.reference),
                subject: &app.applicant,
                detail: app.assigned_to.as_deref().unwrap_or("nobody"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(app)
    }

    /// Takes a workflow action: refused unless the actor has the state's role, the
    /// revision is the current one (no replays), payment is not skipped, and a required
    /// reason is given. Issues the action's output, if any.
    pub async fn act(
        &self,
        actor: &Actor,
        reference: &str,
        action: &str,
        reason: Option<&str>,
        revision: i64,
    ) -> Result<Application> {
        let app = self.load(reference).await?;
        let versioned = self.definition_of(&app).await?;
        let definition = &versioned.definition;
        let state = definition
            .state(&app.state)
            .ok_or_else(|| Error::Conflict("this application has not been submitted".into()))?;
        let needed = match state.actor {
            StateActor::Officer => Action::Work,
            StateActor::Supervisor => Action::Supervise,
            StateActor::Applicant => Action::Edit,
            StateActor::System => {
                // Nobody acts here: the platform moves it (payment) or it is final.
                check(actor, Action::View, object(&app))?;
                return Err(Error::Conflict(if state.paid_to.is_some() {
                    "the application is waiting for its payment".into()
                } else {
                    "no one can act on the application in this state".into()
                }));
            }
        };
        self.check_work(actor, needed, &app).await?;
        if state.paid_to.is_some() {
            return Err(Error::Conflict(
                "the application is waiting for its payment".into(),
            ));
        }
        if app.revision != revision {
            return Err(stale());
        }
        let action = definition
            .action(&app.state, action)
            .ok_or_else(|| Error::invalid("action", "that action cannot be taken in this state"))?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let reason = match (action.reason, reason) {
            (ReasonRule::Required, None) => {
                return Err(Error::invalid("reason", "give a reason"));
            }
            (ReasonRule::None, _) => None,
            (_, r) => r.map(str::to_string),
        };
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > REASON_MAX)
        {
            return Err(Error::invalid(
                "reason",
                format!("a reason has at most {REASON_MAX} characters"),
            ));
        }
        self.transition(actor, &app, &versioned, action, reason, None)
            .await
    }

    /// Asks the policy whether `actor` may take `action` on `app`; an officer or supervisor
    /// refused because the application is their own (or a dependant's, or their business's)
    /// is written to the audit log, as an attempt to decide one's own case.
    pub(super) async fn check_work(
        &self,
        actor: &Actor,
        action: Action,
        app: &Application,
    ) -> Result<()> {
        let refused = match check(actor, action, object(app)) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if matches!(action, Action::Work | Action::Supervise)
            && conflict_of_interest(actor, object(app))
        {
            let mut tx = self.db.pool().begin().await?;
            lango_core::audit::append(
                &mut tx,
                lango_core::audit::Entry {
                    actor: &audit_label(actor),
                    action: "application.refused_own",
                    object: &format!("application:{}", app.reference),
                    subject: &app.applicant,
                    detail: "refused: staff may not work on their own, a dependant's or their \
                             business's application",
                },
            )
            .await?;
            tx.commit().await?;
        }
        Err(refused)
    }

    /// Workload and SLA per officer of the agency (supervisors), the unassigned first.
    pub async fn workload(&self, actor: &Actor, agency: &str) -> Result<Vec<OfficerLoad>> {
        check(actor, Action::Supervise, Object::Agency(agency))?;
        let now = now_ms();
        let mut conn = self.db.pool().acquire().await?;
        let staff = sqlx::query(
            "SELECT DISTINCT a.id, a.given_name, a.family_name FROM account_roles r \
             JOIN accounts a ON a.id = r.account_id \
             WHERE r.agency_code = $1 AND r.role IN ('officer', 'supervisor')",
        )
        .bind(agency)
        .fetch_all(&mut *conn)
        .await?;
        let mut loads: BTreeMap<Option<String>, OfficerLoad> = BTreeMap::new();
        let blank = |officer: Option<String>, name: String| OfficerLoad {
            officer,
            name,
            open: 0,
            breached: 0,
            at_risk: 0,
            done_7d: 0,
        };
        loads.insert(None, blank(None, "Unassigned".into()));
        for r in &staff {
            let id: String = r.try_get("id")?;
            let name = format!(
                "{} {}",
                r.try_get::<String, _>("given_name")?,
                r.try_get::<String, _>("family_name")?
            );
            loads.insert(Some(id.clone()), blank(Some(id), name));
        }
        let open = sqlx::query(
            "SELECT assigned_to, COUNT(*) AS open, \
             SUM(CASE WHEN due_key < $2 THEN 1 ELSE 0 END) AS breached, \
             SUM(CASE WHEN due_key >= $2 AND due_key < $3 THEN 1 ELSE 0 END) AS at_risk \
             FROM applications WHERE agency = $1 AND queued = 1 GROUP BY assigned_to",
        )
        .bind(agency)
        .bind(now)
        .bind(now + sla::AT_RISK_MS)
        .fetch_all(&mut *conn)
        .await?;
        for r in &open {
            let officer: Option<String> = r.try_get("assigned_to")?;
            let entry = loads
                .entry(officer.clone())
                .or_insert_with(|| blank(officer.clone(), officer.clone().unwrap_or_default()));
            entry.open = r.try_get("open")?;
            entry.breached = r.try_get::<Option<i64>, _>("breached")?.unwrap_or(0);
            entry.at_risk = r.try_get::<Option<i64>, _>("at_risk")?.unwrap_or(0);
        }
        let done = sqlx::query(
            "SELECT actor, COUNT(*) AS done FROM application_transitions \
             WHERE agency = $1 AND at >= $2 AND action NOT IN ('submit', 'paid') GROUP BY actor",
        )
        .bind(agency)
        .bind(now - 7 * 86_400_000)
        .fetch_all(&mut *conn)
        .await?;
        for r in &done {
            let officer: String = r.try_get("actor")?;
            if let Some(entry) = loads.get_mut(&Some(officer)) {
                entry.done_7d = r.try_get("done")?;
            }
        }
        let mut out: Vec<OfficerLoad> = loads.into_values().collect();
        out.sort_by(|a, b| {
            a.officer
                .is_some()
                .cmp(&b.officer.is_some())
                .then(b.breached.cmp(&a.breached))
                .then(a.name.cmp(&b.name))
        });
        Ok(out)
    }
}

/// Reads an `after` cursor: `DUEKEY.ID`.
fn parse_cursor(after: &str) -> Result<(i64, String)> {
    let bad = || Error::invalid("after", "after must be the `next` of the page before");
    let (key, id) = after.split_once('.').ok_or_else(bad)?;
    let key: i64 = key.parse().map_err(|_| bad())?;
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return Err(bad());
    }
    Ok((key, id.to_string()))
}
