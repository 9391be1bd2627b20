//! The catalogue's SQL. Portable across SQLite and PostgreSQL.

use crate::model::*;
use lango_core::clock::now_ms;
use lango_core::db::{next_counter, Db};
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashSet;

/// The counter whose value stamps every catalogue change; indexes follow it.
pub const REVISION_COUNTER: &str = "catalogue";

/// Rows per multi-row upsert: 200 × 24 values stays under both engines' limits.
const UPSERT_CHUNK: usize = 200;

/// Every column of `services`, in insert order.
pub(crate) const SERVICE_COLUMNS: &str = "code, name, name_sw, summary, summary_sw, description, description_sw, \
    eligibility, eligibility_sw, agency_code, category, life_events, channels, stage, fees, sla_days, \
    documents, keywords, status, revision, created_at, updated_at, documents_sw, apply_url";

#[derive(Serialize, Deserialize)]
struct StoredFee {
    label: String,
    /// Absent in fees stored before Kiswahili labels.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    label_sw: String,
    minor: i64,
    currency: String,
}

/// Inserts or updates agencies in one transaction; returns the revision stamped on them.
pub async fn upsert_agencies(db: &Db, agencies: &[Agency]) -> Result<i64> {
    let mut tx = db.pool().begin().await?;
    let revision = next_counter(&mut tx, REVISION_COUNTER).await?;
    let now = now_ms();
    for a in agencies {
        sqlx::query(
            "INSERT INTO agencies (code, name, name_sw, level, parent_code, website, email, phone, revision, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_sw = excluded.name_sw, \
             level = excluded.level, parent_code = excluded.parent_code, website = excluded.website, \
             revision = excluded.revision, updated_at = excluded.updated_at",
        )
        .bind(a.code.as_str())
        .bind(&a.name)
        .bind(&a.name_sw)
        .bind(a.level.as_str())
        .bind(a.parent_code.as_ref().map(|p| p.as_str().to_string()))
        .bind(&a.website)
        .bind(&a.email)
        .bind(&a.phone)
        .bind(revision)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(revision)
}

/// Inserts or updates services in one transaction; returns the revision stamped on them.
/// Calls `progress` after each chunk with (rows written, rows in all).
pub async fn upsert_services(
    db: &Db,
    services: &[Service],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<i64> {
    let mut tx = db.pool().begin().await?;
    let revision = next_counter(&mut tx, REVISION_COUNTER).await?;
    let now = now_ms();
    let mut done = 0u64;
    for chunk in services.chunks(UPSERT_CHUNK) {
        let mut sql = format!("INSERT INTO services ({SERVICE_COLUMNS}) VALUES ");
        let mut n = 0;
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..24 {
                if j > 0 {
                    sql.push(',');
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        sql.push_str(
            " ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_sw = excluded.name_sw, \
             summary = excluded.summary, summary_sw = excluded.summary_sw, description = excluded.description, \
             description_sw = excluded.description_sw, eligibility = excluded.eligibility, \
             eligibility_sw = excluded.eligibility_sw, agency_code = excluded.agency_code, \
             category = excluded.category, life_events = excluded.life_events, channels = excluded.channels, \
             stage = excluded.stage, fees = excluded.fees, sla_days = excluded.sla_days, \
             documents = excluded.documents, documents_sw = excluded.documents_sw, keywords = excluded.keywords, status = excluded.status, \
             apply_url = excluded.apply_url, revision = excluded.revision, updated_at = excluded.updated_at",
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            let channels: Vec<&str> = s.channels.iter().map(|c| c.as_str()).collect();
            q = q
                .bind(s.code.as_str().to_string())
                .bind(s.name.clone())
                .bind(s.name_sw.clone())
                .bind(s.summary.clone())
                .bind(s.summary_sw.clone())
                .bind(s.description.clone())
                .bind(s.description_sw.clone())
                .bind(s.eligibility.clone())
                .bind(s.eligibility_sw.clone())
                .bind(s.agency_code.as_str().to_string())
                .bind(s.category.clone())
                .bind(json(&s.life_events))
                .bind(json(&channels))
                .bind(s.stage.as_str())
                .bind(fees_json(&s.fees))
                .bind(s.sla_days.map(i64::from))
                .bind(json(&s.documents))
                .bind(json(&s.keywords))
                .bind(s.status.as_str())
                .bind(revision)
                .bind(now)
                .bind(now)
                .bind(json(&s.documents_sw))
                .bind(s.apply_url.clone());
        }
        q.execute(&mut *tx).await?;
        done += chunk.len() as u64;
        progress(done, services.len() as u64);
    }
    tx.commit().await?;
    Ok(revision)
}

/// Codes of every stored service.
pub async fn service_codes(db: &Db) -> Result<HashSet<String>> {
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM services")
        .fetch_all(db.pool())
        .await?;
    Ok(codes.into_iter().collect())
}

/// Codes of every stored agency.
pub async fn agency_codes(db: &Db) -> Result<HashSet<String>> {
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM agencies")
        .fetch_all(db.pool())
        .await?;
    Ok(codes.into_iter().collect())
}

/// Agencies changed after `revision` (all when 0), in code order.
pub async fn agencies_since(db: &Db, revision: i64) -> Result<Vec<Agency>> {
    let rows = sqlx::query(
        "SELECT code, name, name_sw, level, parent_code, website, email, phone FROM agencies \
         WHERE revision > $1 ORDER BY code",
    )
    .bind(revision)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(agency_from_row).collect()
}

/// Services changed after `revision` (all when 0), in code order.
pub async fn services_since(db: &Db, revision: i64) -> Result<Vec<Service>> {
    let rows = sqlx::query(&format!(
        "SELECT {SERVICE_COLUMNS} FROM services WHERE revision > $1 ORDER BY code"
    ))
    .bind(revision)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(service_of_row).collect()
}

/// Services of one agency, in code order.
pub async fn services_of_agency(db: &Db, agency: &AgencyCode) -> Result<Vec<Service>> {
    let rows = sqlx::query(&format!(
        "SELECT {SERVICE_COLUMNS} FROM services WHERE agency_code = $1 ORDER BY code"
    ))
    .bind(agency.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(service_of_row).collect()
}

/// Fees as stored: JSON objects with integer minor units, never floats.
pub(crate) fn fees_json(fees: &[Fee]) -> String {
    let stored: Vec<StoredFee> = fees
        .iter()
        .map(|f| StoredFee {
            label: f.label.clone(),
            label_sw: f.label_sw.clone(),
            minor: f.amount.minor(),
            currency: f.amount.currency().code().to_string(),
        })
        .collect();
    json(&stored)
}

/// A list as stored: a JSON array.
pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_string())
}

fn corrupt(what: &str, code: &str) -> Error {
    Error::Internal(format!("stored {what} of {code} cannot be read"))
}

fn agency_from_row(row: &AnyRow) -> Result<Agency> {
    let code: String = row.try_get("code")?;
    let level: String = row.try_get("level")?;
    let parent: Option<String> = row.try_get("parent_code")?;
    Ok(Agency {
        code: AgencyCode::parse(&code)?,
        name: row.try_get("name")?,
        name_sw: row.try_get("name_sw")?,
        level: Level::parse(&level).ok_or_else(|| corrupt("level", &code))?,
        parent_code: parent.as_deref().map(AgencyCode::parse).transpose()?,
        website: row.try_get("website")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
    })
}

/// Reads a service from a row holding [`SERVICE_COLUMNS`].
pub(crate) fn service_of_row(row: &AnyRow) -> Result<Service> {
    let code: String = row.try_get("code")?;
    let list = |column: &str| -> Result<Vec<String>> {
        let text: String = row.try_get(column)?;
        serde_json::from_str(&text).map_err(|_| corrupt(column, &code))
    };
    let channels = list("channels")?
        .iter()
        .map(|c| Channel::parse(c).ok_or_else(|| corrupt("channels", &code)))
        .collect::<Result<_>>()?;
    let fees_text: String = row.try_get("fees")?;
    let stored: Vec<StoredFee> =
        serde_json::from_str(&fees_text).map_err(|_| corrupt("fees", &code))?;
    let fees = stored
        .into_iter()
        .map(|f| {
            let currency: Currency = f.currency.parse().map_err(|_| corrupt("fees", &code))?;
            Ok(Fee {
                label: f.label,
                label_sw: f.label_sw,
                amount: Money::from_minor(f.minor, currency),
            })
        })
        .collect::<Result<_>>()?;
    let stage: String = row.try_get("stage")?;
    let status: String = row.try_get("status")?;
    let sla: Option<i64> = row.try_get("sla_days")?;
    let agency: String = row.try_get("agency_code")?;
    Ok(Service {
        code: ServiceCode::parse(&code)?,
        name: row.try_get("name")?,
        name_sw: row.try_get("name_sw")?,
        summary: row.try_get("summary")?,
        summary_sw: row.try_get("summary_sw")?,
        description: row.try_get("description")?,
        description_sw: row.try_get("description_sw")?,
        eligibility: row.try_get("eligibility")?,
        eligibility_sw: row.try_get("eligibility_sw")?,
        agency_code: AgencyCode::parse(&agency)?,
        category: row.try_get("category")?,
        life_events: list("life_events")?,
        channels,
        stage: Stage::parse(&stage).ok_or_else(|| corrupt("stage", &code))?,
        fees,
        sla_days: sla.and_then(|d| u32::try_from(d).ok()),
        documents: list("documents")?,
        documents_sw: list("documents_sw")?,
        keywords: list("keywords")?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &code))?,
        apply_url: row.try_get("apply_url")?,
    })
}

/// One service, with its agency's names (English, Kiswahili), if it exists.
pub async fn service_with_agency(db: &Db, code: &str) -> Result<Option<(Service, String, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {SERVICE_COLUMNS}, (SELECT name FROM agencies WHERE agencies.code = services.agency_code) AS agency_name, \
         (SELECT name_sw FROM agencies WHERE agencies.code = services.agency_code) AS agency_name_sw \
         FROM services WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok((
            service_of_row(&r)?,
            r.try_get("agency_name")?,
            r.try_get("agency_name_sw")?,
        ))
    })
    .transpose()
}

/// The agency that provides service `code` and whether it is active, if the service exists.
pub async fn service_owner(db: &Db, code: &str) -> Result<Option<(String, bool)>> {
    let row = sqlx::query("SELECT agency_code, status FROM services WHERE code = $1")
        .bind(code)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| {
        let agency: String = r.try_get("agency_code")?;
        let status: String = r.try_get("status")?;
        Ok((agency, status == "active"))
    })
    .transpose()
}
