//! Performance contracting's SQL: periods, contracts and entered values. Portable across
//! SQLite and PostgreSQL; every save writes first (an upsert) and audits in the same
//! transaction.

use super::model::{Contract, Indicator, Period, Scale};
use lango_core::audit;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A saved period or contract with who saved it and the text it was saved from.
#[derive(Debug, Clone)]
pub struct Saved<T> {
    /// The checked value.
    pub value: T,
    /// The text it was saved from (empty for rows saved before texts were kept).
    pub source: String,
    /// Who saved it (`account:ID`, `system`).
    pub saved_by: String,
    /// When, unix ms.
    pub saved_at: i64,
    /// 1 for the first save, then one more each time.
    pub revision: i64,
}

/// A value an agency entered, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The agency.
    pub agency: String,
    /// The indicator's id.
    pub indicator: String,
    /// The value, an exact decimal as stored.
    pub value: String,
    /// Where it comes from: a document, a report, a link.
    pub evidence: String,
    /// Who entered it.
    pub entered_by: String,
    /// When, unix ms.
    pub entered_at: i64,
}

fn corrupt(what: &str, e: serde_json::Error) -> Error {
    Error::Internal(format!("stored performance {what} unreadable: {e}"))
}

/// Stores `period` (new, or replacing the one with its code) and audits it.
pub async fn put_period(db: &Db, period: &Period, source: &str, by: &str) -> Result<i64> {
    let scale = serde_json::to_string(&period.scale).map_err(|e| corrupt("scale", e))?;
    let mut tx = db.pool().begin().await?;
    let revision: i64 = sqlx::query_scalar(
        "INSERT INTO performance_periods (code, name, starts, ends, scale, saved_by, saved_at, revision, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, starts = excluded.starts, ends = excluded.ends, \
         scale = excluded.scale, saved_by = excluded.saved_by, saved_at = excluded.saved_at, \
         revision = performance_periods.revision + 1, source = excluded.source \
         RETURNING revision",
    )
    .bind(&period.code)
    .bind(&period.name)
    .bind(&period.starts)
    .bind(&period.ends)
    .bind(&scale)
    .bind(by)
    .bind(now_ms())
    .bind(source)
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        audit::Entry {
            actor: by,
            action: "performance.period.save",
            object: &format!("performance_period:{}", period.code),
            subject: "",
            detail: &format!("revision {revision}: {} to {}", period.starts, period.ends),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(revision)
}

fn period_of(r: &AnyRow) -> Result<Saved<Period>> {
    let scale: String = r.try_get("scale")?;
    let scale: Scale = serde_json::from_str(&scale).map_err(|e| corrupt("scale", e))?;
    Ok(Saved {
        value: Period {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            starts: r.try_get("starts")?,
            ends: r.try_get("ends")?,
            scale,
        },
        source: r.try_get("source")?,
        saved_by: r.try_get("saved_by")?,
        saved_at: r.try_get("saved_at")?,
        revision: r.try_get("revision")?,
    })
}

const PERIOD_COLUMNS: &str =
    "code, name, starts, ends, scale, saved_by, saved_at, revision, source";

/// The period `code`.
pub async fn period(db: &Db, code: &str) -> Result<Option<Saved<Period>>> {
    let row = sqlx::query(&format!(
        "SELECT {PERIOD_COLUMNS} FROM performance_periods WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(period_of).transpose()
}

/// Every period, the latest start first.
pub async fn periods(db: &Db) -> Result<Vec<Saved<Period>>> {
    let rows = sqlx::query(&format!(
        "SELECT {PERIOD_COLUMNS} FROM performance_periods ORDER BY starts DESC, code DESC"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(period_of).collect()
}

/// Stores `contract` (new, or replacing the agency's one in that period) and audits it.
pub async fn put_contract(db: &Db, contract: &Contract, source: &str, by: &str) -> Result<i64> {
    let indicators =
        serde_json::to_string(&contract.indicators).map_err(|e| corrupt("indicators", e))?;
    let mut tx = db.pool().begin().await?;
    let revision: i64 = sqlx::query_scalar(
        "INSERT INTO performance_contracts (period, agency, category, indicators, saved_by, saved_at, revision, source) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7) \
         ON CONFLICT (period, agency) DO UPDATE SET category = excluded.category, indicators = excluded.indicators, \
         saved_by = excluded.saved_by, saved_at = excluded.saved_at, \
         revision = performance_contracts.revision + 1, source = excluded.source \
         RETURNING revision",
    )
    .bind(&contract.period)
    .bind(&contract.agency)
    .bind(&contract.category)
    .bind(&indicators)
    .bind(by)
    .bind(now_ms())
    .bind(source)
    .fetch_one(&mut *tx)
    .await?;
    let weights: Vec<String> = contract
        .indicators
        .iter()
        .map(|i| format!("{} {}", i.id, i.weight))
        .collect();
    audit::append(
        &mut tx,
        audit::Entry {
            actor: by,
            action: "performance.contract.save",
            object: &format!(
                "performance_contract:{}:{}",
                contract.period, contract.agency
            ),
            subject: "",
            detail: &format!(
                "revision {revision}, {}: {}",
                contract.category,
                weights.join(", ")
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(revision)
}

fn contract_of(r: &AnyRow) -> Result<Saved<Contract>> {
    let indicators: String = r.try_get("indicators")?;
    let indicators: Vec<Indicator> =
        serde_json::from_str(&indicators).map_err(|e| corrupt("indicators", e))?;
    Ok(Saved {
        value: Contract {
            period: r.try_get("period")?,
            agency: r.try_get("agency")?,
            category: r.try_get("category")?,
            indicators,
        },
        source: r.try_get("source")?,
        saved_by: r.try_get("saved_by")?,
        saved_at: r.try_get("saved_at")?,
        revision: r.try_get("revision")?,
    })
}

const CONTRACT_COLUMNS: &str =
    "period, agency, category, indicators, saved_by, saved_at, revision, source";

/// The contracts of `period`, by agency code; only `agency`'s when given.
pub async fn contracts(
    db: &Db,
    period: &str,
    agency: Option<&str>,
) -> Result<Vec<Saved<Contract>>> {
    let rows = sqlx::query(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM performance_contracts WHERE period = $1 AND ($2 = '' OR agency = $2) ORDER BY agency"
    ))
    .bind(period)
    .bind(agency.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(contract_of).collect()
}

/// The periods in which `agency` has a contract, the latest start first.
pub async fn periods_of(db: &Db, agency: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT c.period FROM performance_contracts c JOIN performance_periods p ON p.code = c.period \
         WHERE c.agency = $1 ORDER BY p.starts DESC, p.code DESC",
    )
    .bind(agency)
    .fetch_all(db.pool())
    .await?)
}

/// Stores an entered value (replacing the indicator's earlier one) and audits it.
pub async fn put_entry(db: &Db, period: &str, e: &Entry) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO performance_entries (period, agency, indicator, value, evidence, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (period, agency, indicator) DO UPDATE SET value = excluded.value, evidence = excluded.evidence, \
         entered_by = excluded.entered_by, entered_at = excluded.entered_at",
    )
    .bind(period)
    .bind(&e.agency)
    .bind(&e.indicator)
    .bind(&e.value)
    .bind(&e.evidence)
    .bind(&e.entered_by)
    .bind(e.entered_at)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        audit::Entry {
            actor: &e.entered_by,
            action: "performance.value.enter",
            object: &format!("performance_entry:{period}:{}:{}", e.agency, e.indicator),
            subject: "",
            detail: &format!("value {}", e.value),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The values entered in `period`; only `agency`'s when given.
pub async fn entries(db: &Db, period: &str, agency: Option<&str>) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT agency, indicator, value, evidence, entered_by, entered_at FROM performance_entries \
         WHERE period = $1 AND ($2 = '' OR agency = $2) ORDER BY agency, indicator",
    )
    .bind(period)
    .bind(agency.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                agency: r.try_get("agency")?,
                indicator: r.try_get("indicator")?,
                value: r.try_get("value")?,
                evidence: r.try_get("evidence")?,
                entered_by: r.try_get("entered_by")?,
                entered_at: r.try_get("entered_at")?,
            })
        })
        .collect()
}
