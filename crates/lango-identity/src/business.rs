//! Businesses and the people who act for them; guardians and their dependants. Both are
//! made only when staff approve a claim ([`crate::claim`]).

use crate::account::{self, actor_label};
use crate::model::*;
use crate::policy::{check, Action, Actor, Object};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::Row;

/// A business and the caller's role in it.
#[derive(Debug, Clone)]
pub struct Business {
    /// Its id.
    pub id: String,
    /// Registration number.
    pub registration_number: String,
    /// Registered name.
    pub name: String,
}

/// Someone who acts for a business.
#[derive(Debug, Clone)]
pub struct Member {
    /// Their account.
    pub account_id: String,
    /// Their name.
    pub name: String,
    /// `owner` or `representative`.
    pub role: String,
    /// Granted at, unix ms.
    pub granted_at: i64,
}

/// The businesses the account acts for, with its role.
pub async fn of_account(db: &Db, account_id: &str) -> Result<Vec<(Business, String)>> {
    let rows = sqlx::query(
        "SELECT b.id, b.registration_number, b.name, m.role FROM businesses b \
         JOIN business_members m ON m.business_id = b.id \
         WHERE m.account_id = $1 AND m.revoked_at IS NULL ORDER BY b.name",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Business {
                    id: r.try_get("id")?,
                    registration_number: r.try_get("registration_number")?,
                    name: r.try_get("name")?,
                },
                r.try_get("role")?,
            ))
        })
        .collect()
}

/// One business with its current members, if the actor may see it.
pub async fn get(db: &Db, actor: &Actor, id: &str) -> Result<(Business, Vec<Member>)> {
    check(actor, Action::View, Object::Business(id))?;
    let row = sqlx::query("SELECT id, registration_number, name FROM businesses WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::NotFound("business".into()))?;
    let business = Business {
        id: row.try_get("id")?,
        registration_number: row.try_get("registration_number")?,
        name: row.try_get("name")?,
    };
    let rows = sqlx::query(
        "SELECT m.account_id, a.given_name, a.family_name, m.role, m.granted_at FROM business_members m \
         JOIN accounts a ON a.id = m.account_id WHERE m.business_id = $1 AND m.revoked_at IS NULL \
         ORDER BY m.role, m.granted_at",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let members = rows
        .iter()
        .map(|r| {
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            Ok(Member {
                account_id: r.try_get("account_id")?,
                name: format!("{given} {family}"),
                role: r.try_get("role")?,
                granted_at: r.try_get("granted_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((business, members))
}

/// The owner names a person (by e-mail or ID number) to act for the business.
pub async fn grant_representative(
    db: &Db,
    actor: &Actor,
    business_id: &str,
    identifier: &str,
) -> Result<std::result::Result<String, Problems>> {
    check(actor, Action::ManageMembers, Object::Business(business_id))?;
    let Some((person, _)) = account::find_by_identifier(db, identifier).await? else {
        return Ok(Err(Problems::one("identifier", "account_not_found")));
    };
    if person.kind == AccountKind::Dependant || person.status != "active" {
        return Ok(Err(Problems::one("identifier", "account_not_found")));
    }
    let now = now_ms();
    // Reads, then writes: on SQLite the write lock is taken first, or a write by another
    // connection between the two fails the upgrade at once (seen under load as a 500).
    let mut conn = db.pool().acquire().await?;
    let mut tx = lango_core::db::begin_write(&mut conn).await?;
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT role FROM business_members WHERE business_id = $1 AND account_id = $2 AND revoked_at IS NULL",
    )
    .bind(business_id)
    .bind(&person.id)
    .fetch_optional(&mut *tx)
    .await?;
    if existing.is_some() {
        return Ok(Err(Problems::one("identifier", "already_member")));
    }
    sqlx::query(
        "INSERT INTO business_members (business_id, account_id, role, granted_by, granted_at, revoked_at) \
         VALUES ($1, $2, 'representative', $3, $4, NULL) \
         ON CONFLICT (business_id, account_id) DO UPDATE SET role = 'representative', \
         granted_by = excluded.granted_by, granted_at = excluded.granted_at, revoked_at = NULL",
    )
    .bind(business_id)
    .bind(&person.id)
    .bind(actor_label(actor))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    crate::account::audit_by(
        &mut tx,
        actor,
        "business.grant_representative",
        &format!("business:{business_id}"),
        &person.id,
        "representative",
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(person.id))
}

/// The owner withdraws a representative; it takes effect on their next request.
pub async fn revoke_representative(
    db: &Db,
    actor: &Actor,
    business_id: &str,
    account_id: &str,
) -> Result<()> {
    check(actor, Action::ManageMembers, Object::Business(business_id))?;
    let mut tx = db.pool().begin().await?;
    let r = sqlx::query(
        "UPDATE business_members SET revoked_at = $1 WHERE business_id = $2 AND account_id = $3 \
         AND role = 'representative' AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(business_id)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(Error::NotFound("representative".into()));
    }
    crate::account::audit_by(
        &mut tx,
        actor,
        "business.revoke_representative",
        &format!("business:{business_id}"),
        account_id,
        "representative",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The dependant form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DependantForm {
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// `YYYY-MM-DD` (API clients and older forms; the boxes win when filled).
    #[serde(default)]
    pub date_of_birth: String,
    /// The date of birth in three boxes.
    #[serde(flatten)]
    pub dob: crate::model::DobBoxes,
    /// Birth certificate number.
    #[serde(default)]
    pub birth_certificate: String,
    /// `parent` or `guardian`.
    #[serde(default)]
    pub relationship: String,
}

/// The dependants a guardian acts for.
pub async fn dependants(db: &Db, guardian_id: &str) -> Result<Vec<account::Account>> {
    let rows = sqlx::query(
        "SELECT a.id, a.kind, a.id_kind, a.id_number, a.given_name, a.family_name, a.other_names, a.date_of_birth, \
         a.phone, a.email, a.phone_verified_at, a.email_verified_at, a.totp_secret, a.status, a.postal_address, \
         a.county, a.sub_county, a.language, a.contact_preference FROM accounts a JOIN guardianships g ON g.dependant_id = a.id \
         WHERE g.guardian_id = $1 AND g.revoked_at IS NULL ORDER BY a.given_name",
    )
    .bind(guardian_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(account::account_of).collect()
}
