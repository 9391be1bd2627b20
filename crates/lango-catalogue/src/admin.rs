//! Agency administrators keep their own catalogue entries: the list of an agency's services,
//! one entry with its revision (what an edit is based on), the edit itself, and the history
//! of changes. The policy decides (`Action::Edit` on the agency); every edit is audited.

use crate::edit::{Change, ServiceEdit};
use crate::model::*;
use crate::store::{self, REVISION_COUNTER};
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::{next_counter, Db};
use lango_core::{Error, Result};
use lango_identity::account::actor_label;
use lango_identity::policy::{check, Action, Actor, Object};
use sqlx::Row;

/// A service entry as an administrator edits it: the record and the revision it is at.
#[derive(Debug, Clone)]
pub struct Editable {
    /// The service.
    pub service: Service,
    /// The catalogue revision of its last change; an edit must name it to be saved.
    pub revision: i64,
    /// When it last changed (unix ms).
    pub updated_at: i64,
}

/// What a saved edit did.
#[derive(Debug, Clone)]
pub struct Edited {
    /// The service's new revision.
    pub revision: i64,
    /// The fields that changed.
    pub changes: Vec<Change>,
}

/// One saved edit, for the history page.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The revision the edit made.
    pub revision: i64,
    /// When (unix ms).
    pub at: i64,
    /// Who, as the audit log names them (`account:ID`).
    pub actor: String,
    /// Their name when they saved it.
    pub actor_name: String,
    /// What changed.
    pub changes: Vec<Change>,
}

/// Every service of `agency`, with revisions, for its administrators.
pub async fn services_for_admin(
    db: &Db,
    actor: &Actor,
    agency: &AgencyCode,
) -> Result<Vec<Editable>> {
    check(actor, Action::Edit, Object::Agency(agency.as_str()))?;
    let rows = sqlx::query(&format!(
        "SELECT {} FROM services WHERE agency_code = $1 ORDER BY name, code",
        store::SERVICE_COLUMNS
    ))
    .bind(agency.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(editable_of).collect()
}

/// One service of `agency` as it stands, for editing. A service of another agency is
/// not found here, whoever asks.
pub async fn service_for_edit(
    db: &Db,
    actor: &Actor,
    agency: &AgencyCode,
    code: &ServiceCode,
) -> Result<Editable> {
    check(actor, Action::Edit, Object::Agency(agency.as_str()))?;
    let mut conn = db.pool().acquire().await?;
    load(&mut conn, agency, code).await
}

async fn load(
    conn: &mut sqlx::AnyConnection,
    agency: &AgencyCode,
    code: &ServiceCode,
) -> Result<Editable> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM services WHERE code = $1 AND agency_code = $2",
        store::SERVICE_COLUMNS
    ))
    .bind(code.as_str())
    .bind(agency.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::NotFound("service".into()))?;
    editable_of(&row)
}

fn editable_of(row: &sqlx::any::AnyRow) -> Result<Editable> {
    Ok(Editable {
        service: store::service_of_row(row)?,
        revision: row.try_get("revision")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Saves `edit` to service `code` of `agency` when it is still at `expected_revision`.
/// Refuses a stale edit (someone saved in between) with [`Error::Conflict`], an edit that
/// changes nothing with [`Error::Invalid`], and any service outside `agency` as not found.
/// The change, its history entry and its audit record commit together.
pub async fn edit_service(
    db: &Db,
    actor: &Actor,
    agency: &AgencyCode,
    code: &ServiceCode,
    edit: &ServiceEdit,
    expected_revision: i64,
) -> Result<Edited> {
    check(actor, Action::Edit, Object::Agency(agency.as_str()))?;
    let by = actor_label(actor);
    let by_name = match actor {
        Actor::Person(p) => lango_identity::account::get(db, &p.account_id)
            .await
            .map(|a| format!("{} {}", a.given_name, a.family_name))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut tx = db.pool().begin().await?;
    // Every catalogue writer takes the counter first, so the row read next cannot change
    // before this transaction ends.
    let revision = next_counter(&mut tx, REVISION_COUNTER).await?;
    let before = load(&mut tx, agency, code).await?;
    if before.revision != expected_revision {
        return Err(Error::Conflict(
            "this service was changed by someone else after you opened it".into(),
        ));
    }
    let changes = edit.changes(&ServiceEdit::of(&before.service));
    if changes.is_empty() {
        return Err(Error::invalid("form", "svc_no_changes"));
    }
    let now = now_ms();
    let s = edit.apply(&before.service);
    let channels: Vec<&str> = s.channels.iter().map(|c| c.as_str()).collect();
    sqlx::query(
        "UPDATE services SET name = $1, name_sw = $2, summary = $3, summary_sw = $4, \
         description = $5, description_sw = $6, eligibility = $7, eligibility_sw = $8, \
         stage = $9, fees = $10, documents = $11, channels = $12, sla_days = $13, \
         revision = $14, updated_at = $15, documents_sw = $18, apply_url = $19 \
         WHERE code = $16 AND agency_code = $17",
    )
    .bind(&s.name)
    .bind(&s.name_sw)
    .bind(&s.summary)
    .bind(&s.summary_sw)
    .bind(&s.description)
    .bind(&s.description_sw)
    .bind(&s.eligibility)
    .bind(&s.eligibility_sw)
    .bind(s.stage.as_str())
    .bind(store::fees_json(&s.fees))
    .bind(store::json(&s.documents))
    .bind(store::json(&channels))
    .bind(s.sla_days.map(i64::from))
    .bind(revision)
    .bind(now)
    .bind(code.as_str())
    .bind(agency.as_str())
    .bind(store::json(&s.documents_sw))
    .bind(&s.apply_url)
    .execute(&mut *tx)
    .await?;
    let changes_json = serde_json::to_string(&changes)
        .map_err(|e| Error::Internal(format!("changes cannot be written: {e}")))?;
    sqlx::query(
        "INSERT INTO service_history (service_code, revision, agency_code, actor, actor_name, at, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code.as_str())
    .bind(revision)
    .bind(agency.as_str())
    .bind(&by)
    .bind(&by_name)
    .bind(now)
    .bind(&changes_json)
    .execute(&mut *tx)
    .await?;
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    audit::append(
        &mut tx,
        Entry {
            actor: &by,
            action: "service.edit",
            object: &format!("service:{code}"),
            subject: "",
            detail: &format!("revision {revision}: {}", fields.join(", ")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Edited { revision, changes })
}

/// The saved edits of service `code` of `agency`, newest first. Agency staff, platform
/// administrators and auditors may read it.
pub async fn history(
    db: &Db,
    actor: &Actor,
    agency: &AgencyCode,
    code: &ServiceCode,
) -> Result<Vec<HistoryEntry>> {
    check(actor, Action::View, Object::Agency(agency.as_str()))?;
    let rows = sqlx::query(
        "SELECT revision, at, actor, actor_name, changes FROM service_history \
         WHERE service_code = $1 AND agency_code = $2 ORDER BY revision DESC",
    )
    .bind(code.as_str())
    .bind(agency.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get("changes")?;
            Ok(HistoryEntry {
                revision: r.try_get("revision")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                actor_name: r.try_get("actor_name")?,
                changes: serde_json::from_str(&text).map_err(|_| {
                    Error::Internal(format!("stored history of {code} cannot be read"))
                })?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
