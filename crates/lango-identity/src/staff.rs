//! Staff administration: agency administrators add and remove their agency's staff.

use crate::account::actor_label;
use crate::messages::staff_invitation;
use crate::model::*;
use crate::otp::{self, Purpose};
use crate::policy::{check, Action, Actor, Object};
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::Row;

/// A staff member of an agency and the roles they hold there.
#[derive(Debug, Clone)]
pub struct StaffMember {
    /// Their account.
    pub account_id: String,
    /// Their name.
    pub name: String,
    /// Their e-mail.
    pub email: String,
    /// Roles held in this agency.
    pub roles: Vec<Role>,
}

/// The agency's staff, for its administrators (and auditors).
pub async fn list(db: &Db, actor: &Actor, agency: &str) -> Result<Vec<StaffMember>> {
    check(actor, Action::View, Object::Agency(agency))?;
    let rows = sqlx::query(
        "SELECT a.id, a.given_name, a.family_name, a.email, r.role FROM account_roles r \
         JOIN accounts a ON a.id = r.account_id WHERE r.agency_code = $1 ORDER BY a.family_name, a.given_name, r.role",
    )
    .bind(agency)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<StaffMember> = Vec::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        let role = Role::parse(&r.try_get::<String, _>("role")?);
        if let Some(last) = out.last_mut().filter(|m| m.account_id == id) {
            last.roles.extend(role);
            continue;
        }
        let given: String = r.try_get("given_name")?;
        let family: String = r.try_get("family_name")?;
        out.push(StaffMember {
            account_id: id,
            name: format!("{given} {family}"),
            email: r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
            roles: role.into_iter().collect(),
        });
    }
    Ok(out)
}

/// The add-staff form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StaffForm {
    /// Work e-mail.
    #[serde(default)]
    pub email: String,
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// `officer`, `supervisor` or `agency_admin`.
    #[serde(default)]
    pub role: String,
}

/// Gives a person a role in the agency, creating a staff account (and sending an
/// invitation to set a password) when the e-mail is new.
pub async fn add(
    db: &Db,
    actor: &Actor,
    agency: &str,
    form: &StaffForm,
) -> Result<std::result::Result<String, Problems>> {
    check(actor, Action::ManageStaff, Object::Agency(agency))?;
    let mut p = Problems::default();
    let email = p.take(Email::parse(&form.email));
    let given = p.take(parse_name("given_name", &form.given_name));
    let family = p.take(parse_name("family_name", &form.family_name));
    let role = Role::parse(&form.role).filter(|r| r.is_agency_role());
    if role.is_none() {
        p.add("role", "choose_one");
    }
    let (Some(email), Some(given), Some(family), Some(role)) = (email, given, family, role) else {
        return Ok(Err(p));
    };
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let account_id = match existing {
        Some(id) => id,
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            sqlx::query(
                "INSERT INTO accounts (id, kind, given_name, family_name, email, email_verified_at, status, created_at, updated_at) \
                 VALUES ($1, 'staff', $2, $3, $4, NULL, 'active', $5, $5)",
            )
            .bind(&id)
            .bind(&given)
            .bind(&family)
            .bind(email.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let code = otp::issue(&mut tx, &id, Purpose::ResetPassword).await?;
            lango_notify::enqueue(
                &mut tx,
                &staff_invitation(&id, email.as_str(), agency, &code),
            )
            .await?;
            id
        }
    };
    grant_in(
        &mut tx,
        &actor_label(actor),
        &account_id,
        role,
        Some(agency),
        None,
    )
    .await?;
    agency_event(&mut tx, "staff.added", agency, &account_id, role).await?;
    tx.commit().await?;
    Ok(Ok(account_id))
}

/// Records a role grant (with its audit record) inside `tx`; granting twice is harmless.
pub async fn grant_in(
    tx: &mut sqlx::AnyConnection,
    by: &str,
    account_id: &str,
    role: Role,
    agency: Option<&str>,
    centre: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_roles (account_id, role, agency_code, centre_code, granted_by, granted_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, role, agency_code, centre_code) DO NOTHING",
    )
    .bind(account_id)
    .bind(role.as_str())
    .bind(agency.unwrap_or(""))
    .bind(centre.unwrap_or(""))
    .bind(by)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    let place = agency.or(centre).unwrap_or("platform");
    audit::append(
        tx,
        Entry {
            actor: by,
            action: "role.grant",
            object: &format!("account:{account_id}"),
            subject: account_id,
            detail: &format!("{} at {place}", role.as_str()),
        },
    )
    .await?;
    Ok(())
}

/// Tells the agency's systems (webhooks, NATS) that its staff changed.
async fn agency_event(
    tx: &mut sqlx::AnyConnection,
    kind: &str,
    agency: &str,
    account_id: &str,
    role: Role,
) -> Result<()> {
    let data = serde_json::json!({"account_id": account_id, "role": role.as_str()});
    lango_notify::events::emit(
        tx,
        &lango_notify::events::NewEvent {
            kind,
            agency,
            order_key: account_id,
            data,
        },
    )
    .await?;
    Ok(())
}

/// Takes a role in the agency away; effective on the person's next request.
pub async fn remove(
    db: &Db,
    actor: &Actor,
    agency: &str,
    account_id: &str,
    role: Role,
) -> Result<()> {
    check(actor, Action::ManageStaff, Object::Agency(agency))?;
    if let Actor::Person(p) = actor {
        // An administrator cannot lock the agency out by removing their own admin role.
        if p.account_id == account_id && role == Role::AgencyAdmin {
            return Err(Error::Conflict(
                "you cannot remove your own administrator role".into(),
            ));
        }
    }
    let mut tx = db.pool().begin().await?;
    let r = sqlx::query(
        "DELETE FROM account_roles WHERE account_id = $1 AND role = $2 AND agency_code = $3",
    )
    .bind(account_id)
    .bind(role.as_str())
    .bind(agency)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(Error::NotFound("staff role".into()));
    }
    crate::account::audit_by(
        &mut tx,
        actor,
        "role.remove",
        &format!("account:{account_id}"),
        account_id,
        &format!("{} at {agency}", role.as_str()),
    )
    .await?;
    agency_event(&mut tx, "staff.removed", agency, account_id, role).await?;
    tx.commit().await?;
    Ok(())
}
