//! A person's activity page in plain words: each audit record that concerns them becomes
//! "who did what", grouped by East Africa Time day.
//!
//! Who is named how (the rule, decided for issue 17):
//! - the person themself is "you";
//! - someone acting for them (a guardian, a business's representative) is named, since the
//!   person knows them and may need to ask them why;
//! - staff are always shown by role and agency ("an officer of the Directorate of
//!   Immigration Services"); their own name is added only for decisions and changes
//!   ([`names_staff`]: a step on an application, an assignment, an output, an answer to a
//!   correction, a role granted or removed), which are signed acts the person may contest.
//!   Looks (opening an application or a document) show the role and agency only: people
//!   see which office read their data without staff being singled out for routine reading;
//! - an agency's system is named by its agency, and Lango's own jobs as "Lango".
//!
//! The words themselves (one sentence per action, in English and Kiswahili) are kept by
//! the pages, keyed by [`Line::sentence`].

use lango_core::audit::Record;
use lango_core::clock::Civil;
use lango_core::db::Db;
use lango_core::Result;
use lango_identity::model::Role;
use sqlx::Row;
use std::collections::HashMap;

/// Every action that can concern a person's data, with its sentence key.
pub const ACTIONS: [&str; 35] = [
    "account.register",
    "account.register_attempt",
    "account.link",
    "account.verify_contact",
    "profile.update",
    "session.start",
    "session.end_others",
    "password.reset",
    "second_factor.enable",
    "second_factor.disable",
    "second_factor.recovery_code",
    "recovery_codes.renew",
    "correction.request",
    "correction.answer",
    "business.create",
    "business.grant_representative",
    "business.revoke_representative",
    "dependant.add",
    "claim.make",
    "claim.approve",
    "claim.refuse",
    "role.grant",
    "role.remove",
    "application.submit",
    "application.view",
    "application.act",
    "application.claim",
    "application.assign",
    "application.refused_own",
    "case.document.view",
    "case.output.attach",
    "oidc.sign_in",
    "oidc.refresh",
    "oidc.consent.grant",
    "oidc.consent.withdraw",
];

/// True when a staff member's own name is shown for `action` (decisions and changes);
/// looks at data show their role and agency only.
pub fn names_staff(action: &str) -> bool {
    matches!(
        action,
        "application.act"
            | "application.claim"
            | "application.assign"
            | "case.output.attach"
            | "correction.answer"
            | "claim.approve"
            | "claim.refuse"
            | "role.grant"
            | "role.remove"
    )
}

/// A name in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// English.
    pub en: String,
    /// Kiswahili.
    pub sw: String,
}

/// Who did it, as the person is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// The person themself.
    You,
    /// Someone acting for them, by name.
    Person(String),
    /// A member of staff: role, agency (when the role has one), name when the rule allows.
    Staff {
        /// Their role.
        role: Option<Role>,
        /// The agency they acted for.
        agency: Option<Named>,
        /// Their name, for decisions only.
        name: Option<String>,
    },
    /// An agency's computer system (an API key).
    AgencySystem(Option<Named>),
    /// Lango itself (scheduled jobs, the command line).
    Platform,
}

/// One line of the activity page.
#[derive(Debug, Clone)]
pub struct Line {
    /// When, unix milliseconds.
    pub at: i64,
    /// The sentence's word key: `act_` and the action with `.` as `_`, or `act_other`.
    pub sentence: String,
    /// Who did it.
    pub who: Who,
    /// The application or request it concerns, if any.
    pub reference: String,
    /// The application's service, if any.
    pub service: Option<Named>,
}

/// One East Africa Time day of lines, newest first.
#[derive(Debug, Clone)]
pub struct Day {
    /// `YYYY-MM-DD`, East Africa Time.
    pub date: String,
    /// Its lines, newest first.
    pub lines: Vec<Line>,
}

/// The word key of `action`'s sentence.
pub fn sentence_key(action: &str) -> String {
    if ACTIONS.contains(&action) {
        format!("act_{}", action.replace('.', "_"))
    } else {
        "act_other".into()
    }
}

/// The newest `limit` records about `account_id`, in plain terms, grouped by day.
pub async fn for_person(db: &Db, account_id: &str, limit: i64) -> Result<Vec<Day>> {
    let records = lango_core::audit::for_subject(db, account_id, limit).await?;
    let mut look = Lookups::default();
    let mut days: Vec<Day> = Vec::new();
    for r in records {
        let line = look.line(db, account_id, &r).await?;
        let date = Civil::local(r.at).date();
        match days.last_mut() {
            Some(d) if d.date == date => d.lines.push(line),
            _ => days.push(Day {
                date,
                lines: vec![line],
            }),
        }
    }
    Ok(days)
}

/// Names looked up once a page.
#[derive(Default)]
struct Lookups {
    apps: HashMap<String, Option<(String, String)>>,
    agencies: HashMap<String, Option<Named>>,
    services: HashMap<String, Option<Named>>,
}

impl Lookups {
    async fn line(&mut self, db: &Db, me: &str, r: &Record) -> Result<Line> {
        let reference = match r.action.as_str() {
            "case.document.view" => r.detail.clone(),
            _ => r
                .object
                .split_once(':')
                .filter(|(k, _)| matches!(*k, "application" | "correction" | "claim"))
                .map(|(_, v)| v.to_string())
                .unwrap_or_default(),
        };
        let app = if reference.is_empty() {
            None
        } else {
            self.application(db, &reference).await?
        };
        let service = match &app {
            Some((service, _)) => self.service(db, service).await?,
            None => None,
        };
        let agency = app.as_ref().map(|(_, a)| a.clone());
        let who = self.who(db, me, &r.actor, &r.action, agency).await?;
        Ok(Line {
            at: r.at,
            sentence: sentence_key(&r.action),
            who,
            reference,
            service,
        })
    }

    async fn who(
        &mut self,
        db: &Db,
        me: &str,
        label: &str,
        action: &str,
        agency: Option<String>,
    ) -> Result<Who> {
        // An agency's system: by its API key, or as a client signing people in.
        let system = match (label.strip_prefix("apikey:"), label.strip_prefix("oidc:")) {
            (Some(key), _) => Some(("SELECT agency_code FROM api_keys WHERE id = $1", key)),
            (_, Some(client)) => Some(("SELECT agency FROM oidc_clients WHERE id = $1", client)),
            _ => None,
        };
        if let Some((sql, key)) = system {
            let code: Option<String> = sqlx::query_scalar(sql)
                .bind(key)
                .fetch_optional(db.pool())
                .await?;
            let name = match code {
                Some(c) => self.agency(db, &c).await?,
                None => None,
            };
            return Ok(Who::AgencySystem(name));
        }
        let Some(id) = label.strip_prefix("account:") else {
            return Ok(Who::Platform);
        };
        if id == me {
            return Ok(Who::You);
        }
        let person = lango_identity::account::actor(db, id).await?;
        // The grant they acted under: one in the application's agency, else their first.
        let grant = person
            .grants
            .iter()
            .find(|g| agency.is_some() && g.agency == agency)
            .or_else(|| person.grants.first());
        let name = lango_identity::account::name_of_label(db, label).await?;
        let Some(grant) = grant else {
            return Ok(Who::Person(name));
        };
        let agency = match &grant.agency {
            Some(code) => self.agency(db, code).await?,
            None => None,
        };
        Ok(Who::Staff {
            role: Some(grant.role),
            agency,
            name: names_staff(action).then_some(name),
        })
    }

    async fn application(&mut self, db: &Db, reference: &str) -> Result<Option<(String, String)>> {
        if let Some(hit) = self.apps.get(reference) {
            return Ok(hit.clone());
        }
        let row = sqlx::query("SELECT service, agency FROM applications WHERE reference = $1")
            .bind(reference)
            .fetch_optional(db.pool())
            .await?;
        let found = match row {
            Some(r) => Some((r.try_get("service")?, r.try_get("agency")?)),
            None => None,
        };
        self.apps.insert(reference.to_string(), found.clone());
        Ok(found)
    }

    async fn agency(&mut self, db: &Db, code: &str) -> Result<Option<Named>> {
        if let Some(hit) = self.agencies.get(code) {
            return Ok(hit.clone());
        }
        let found = named(
            db,
            "SELECT name, name_sw FROM agencies WHERE code = $1",
            code,
        )
        .await?;
        self.agencies.insert(code.to_string(), found.clone());
        Ok(found)
    }

    async fn service(&mut self, db: &Db, code: &str) -> Result<Option<Named>> {
        if let Some(hit) = self.services.get(code) {
            return Ok(hit.clone());
        }
        let found = named(
            db,
            "SELECT name, name_sw FROM services WHERE code = $1",
            code,
        )
        .await?;
        self.services.insert(code.to_string(), found.clone());
        Ok(found)
    }
}

async fn named(db: &Db, sql: &str, code: &str) -> Result<Option<Named>> {
    let row = sqlx::query(sql)
        .bind(code)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(r) => Ok(Some(Named {
            en: r.try_get("name")?,
            sw: r.try_get("name_sw")?,
        })),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_actions_have_their_own_sentence_and_others_a_general_one() {
        assert_eq!(sentence_key("application.view"), "act_application_view");
        assert_eq!(sentence_key("case.document.view"), "act_case_document_view");
        assert_eq!(sentence_key("something.new"), "act_other");
    }

    #[test]
    fn staff_are_named_for_decisions_not_for_looks() {
        assert!(names_staff("application.act") && names_staff("correction.answer"));
        assert!(!names_staff("application.view") && !names_staff("case.document.view"));
    }
}
