//! Ready-made accounts for the demo country and for tests: active, contacts verified.
//! Each call is idempotent (keyed by e-mail), so the demo can start again and again.

use crate::model::{AccountKind, Role};
use crate::password;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;

/// A person to create.
pub struct PersonSeed<'a> {
    /// Citizen, resident, foreigner or staff.
    pub kind: AccountKind,
    /// Document number (people only).
    pub id_number: Option<&'a str>,
    /// Given name.
    pub given_name: &'a str,
    /// Family name.
    pub family_name: &'a str,
    /// E-mail (the key).
    pub email: &'a str,
    /// E.164 phone.
    pub phone: Option<&'a str>,
    /// Password.
    pub password: &'a str,
    /// County.
    pub county: &'a str,
}

/// Creates the account if its e-mail is new; returns its id either way.
pub async fn person(db: &Db, p: &PersonSeed<'_>) -> Result<String> {
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(p.email)
        .fetch_optional(db.pool())
        .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let hash = password::hash(p.password).await?;
    sqlx::query(
        "INSERT INTO accounts (id, kind, id_kind, id_number, given_name, family_name, date_of_birth, phone, email, \
         phone_verified_at, email_verified_at, password_hash, status, county, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, 'active', $12, $10, $10)",
    )
    .bind(&id)
    .bind(p.kind.as_str())
    .bind(p.id_number.and(p.kind.id_kind()).map(|k| k.as_str()))
    .bind(p.id_number)
    .bind(p.given_name)
    .bind(p.family_name)
    .bind(p.id_number.map(|_| "1990-01-01"))
    .bind(p.phone)
    .bind(p.email)
    .bind(now)
    .bind(&hash)
    .bind(p.county)
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// Grants a role (idempotent), audited as granted by `seed`.
pub async fn grant(
    db: &Db,
    account_id: &str,
    role: Role,
    agency: Option<&str>,
    centre: Option<&str>,
) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    crate::staff::grant_in(&mut tx, "seed", account_id, role, agency, centre).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a business owned by `owner` unless its registration number exists; returns its id.
pub async fn business(
    db: &Db,
    owner: &str,
    registration_number: &str,
    name: &str,
) -> Result<String> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM businesses WHERE registration_number = $1")
            .bind(registration_number)
            .fetch_optional(db.pool())
            .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    sqlx::query("INSERT INTO businesses (id, registration_number, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(registration_number)
        .bind(name)
        .bind(owner)
        .bind(now)
        .execute(db.pool())
        .await?;
    member(db, &id, owner, "owner").await?;
    Ok(id)
}

/// Makes `account_id` an owner or representative of the business (idempotent).
pub async fn member(db: &Db, business_id: &str, account_id: &str, role: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO business_members (business_id, account_id, role, granted_by, granted_at) VALUES ($1, $2, $3, 'seed', $4) \
         ON CONFLICT (business_id, account_id) DO UPDATE SET role = excluded.role, revoked_at = NULL",
    )
    .bind(business_id)
    .bind(account_id)
    .bind(role)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}
