//! Usage: applications started, submitted, completed and rejected, and money received, per
//! day, agency, service, channel and county.
//!
//! The aggregates are added to by the follower (events) and the seed (applications), both
//! through [`tally::Tally`]; the readers here sum a few rows per day of the range asked.

mod datasets;
pub mod range;
pub mod seed;
pub mod tally;

pub use datasets::DATASETS;
pub(crate) use datasets::{rows, where_clause};
pub use seed::SeedSink;

use crate::{Insights, Scope};
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::HashMap;

/// Applications counted over a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Drafts started.
    pub started: i64,
    /// Applications submitted.
    pub submitted: i64,
    /// Applications completed (their service delivered).
    pub completed: i64,
    /// Applications rejected.
    pub rejected: i64,
    /// Of those completed or rejected, how many within their service's SLA.
    pub decided_in_sla: i64,
}

impl Counts {
    /// Completed or rejected.
    pub fn decided(&self) -> i64 {
        self.completed + self.rejected
    }
}

/// Money received over a range in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revenue {
    /// ISO 4217 code.
    pub currency: String,
    /// Payments received.
    pub payments: i64,
    /// Bills that became paid.
    pub bills_paid: i64,
    /// The sum received (gross: service amounts and convenience fees).
    pub amount: Money,
}

/// Sums of every count (CAST: PostgreSQL sums BIGINTs as NUMERIC).
const SUMS: &str = "CAST(COALESCE(SUM(started), 0) AS BIGINT) AS started, \
    CAST(COALESCE(SUM(submitted), 0) AS BIGINT) AS submitted, \
    CAST(COALESCE(SUM(completed), 0) AS BIGINT) AS completed, \
    CAST(COALESCE(SUM(rejected), 0) AS BIGINT) AS rejected, \
    CAST(COALESCE(SUM(decided_in_sla), 0) AS BIGINT) AS decided_in_sla";

/// `AND …` restricting a table with `agency` and `service` columns to `scope` (binding
/// `$3` when it names one).
pub(crate) fn scope_clause(scope: &Scope) -> &'static str {
    match scope {
        Scope::National => "",
        Scope::Agency(_) => " AND agency = $3",
        Scope::Service(_) => " AND service = $3",
    }
}

/// The code `scope` names, if any (bound as `$3`).
pub(crate) fn scope_code(scope: &Scope) -> Option<&str> {
    match scope {
        Scope::National => None,
        Scope::Agency(code) | Scope::Service(code) => Some(code),
    }
}

fn counts_of(row: &sqlx::any::AnyRow) -> Result<Counts> {
    Ok(Counts {
        started: row.try_get("started")?,
        submitted: row.try_get("submitted")?,
        completed: row.try_get("completed")?,
        rejected: row.try_get("rejected")?,
        decided_in_sla: row.try_get("decided_in_sla")?,
    })
}

/// A currency code as stored, or an internal error (only known codes are ever written).
pub(crate) fn currency(code: &str) -> Result<Currency> {
    code.parse()
        .map_err(|_| Error::Internal(format!("unknown currency {code:?} in the aggregates")))
}

impl Insights {
    /// Usage over `scope` grouped by `column` (a fixed column name), for days `from..=to`.
    async fn grouped(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
        column: &str,
    ) -> Result<Vec<(String, Counts)>> {
        range::check_days(from, to)?;
        let sql = format!(
            "SELECT {column} AS grp, {SUMS} FROM insight_usage WHERE day >= $1 AND day <= $2{} \
             GROUP BY {column} ORDER BY submitted DESC, started DESC, grp",
            scope_clause(scope)
        );
        let mut q = sqlx::query(&sql).bind(from).bind(to);
        if let Some(code) = scope_code(scope) {
            q = q.bind(code);
        }
        q.fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|row| Ok((row.try_get("grp")?, counts_of(row)?)))
            .collect()
    }

    /// Usage over `scope` for the days `from..=to` (`YYYY-MM-DD`, East Africa Time).
    pub async fn totals(&self, scope: &Scope, from: &str, to: &str) -> Result<Counts> {
        range::check_days(from, to)?;
        let sql = format!(
            "SELECT {SUMS} FROM insight_usage WHERE day >= $1 AND day <= $2{}",
            scope_clause(scope)
        );
        let mut q = sqlx::query(&sql).bind(from).bind(to);
        if let Some(code) = scope_code(scope) {
            q = q.bind(code);
        }
        counts_of(&q.fetch_one(self.db.pool()).await?)
    }

    /// Usage per day: every day of `from..=to` in order, zeros where nothing happened.
    pub async fn trend(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, Counts)>> {
        let days = range::days(from, to)?;
        let mut found: HashMap<String, Counts> = self
            .grouped(scope, from, to, "day")
            .await?
            .into_iter()
            .collect();
        Ok(days
            .into_iter()
            .map(|d| {
                let c = found.remove(&d).unwrap_or_default();
                (d, c)
            })
            .collect())
    }

    /// Usage per channel (`online`, `centre`, `ussd`, `api`, `mobile`), most submitted first.
    pub async fn by_channel(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, Counts)>> {
        self.grouped(scope, from, to, "channel").await
    }

    /// Usage per agency (code), most submitted first.
    pub async fn by_agency(&self, from: &str, to: &str) -> Result<Vec<(String, Counts)>> {
        self.grouped(&Scope::National, from, to, "agency").await
    }

    /// Usage per service (code), most submitted first.
    pub async fn by_service(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, Counts)>> {
        self.grouped(scope, from, to, "service").await
    }

    /// Usage per applicant's county (`""` when not given) for the months
    /// `from_month..=to_month` (`YYYY-MM`), most submitted first. Counties are known from
    /// submission on, so `started` and `decided_in_sla` are not kept per county (0).
    pub async fn by_county(
        &self,
        scope: &Scope,
        from_month: &str,
        to_month: &str,
    ) -> Result<Vec<(String, Counts)>> {
        range::check_months(from_month, to_month)?;
        let sql = format!(
            "SELECT county, CAST(COALESCE(SUM(submitted), 0) AS BIGINT) AS submitted, \
             CAST(COALESCE(SUM(completed), 0) AS BIGINT) AS completed, \
             CAST(COALESCE(SUM(rejected), 0) AS BIGINT) AS rejected \
             FROM insight_usage_county WHERE month >= $1 AND month <= $2{} \
             GROUP BY county ORDER BY submitted DESC, county",
            scope_clause(scope)
        );
        let mut q = sqlx::query(&sql).bind(from_month).bind(to_month);
        if let Some(code) = scope_code(scope) {
            q = q.bind(code);
        }
        q.fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("county")?,
                    Counts {
                        submitted: row.try_get("submitted")?,
                        completed: row.try_get("completed")?,
                        rejected: row.try_get("rejected")?,
                        ..Counts::default()
                    },
                ))
            })
            .collect()
    }

    /// Money received over `scope` for the days `from..=to`, one entry per currency (by code).
    pub async fn revenue(&self, scope: &Scope, from: &str, to: &str) -> Result<Vec<Revenue>> {
        range::check_days(from, to)?;
        let sql = format!(
            "SELECT currency, CAST(COALESCE(SUM(payments), 0) AS BIGINT) AS payments, \
             CAST(COALESCE(SUM(bills_paid), 0) AS BIGINT) AS bills_paid, \
             CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount \
             FROM insight_revenue WHERE day >= $1 AND day <= $2{} GROUP BY currency ORDER BY currency",
            scope_clause(scope)
        );
        let mut q = sqlx::query(&sql).bind(from).bind(to);
        if let Some(code) = scope_code(scope) {
            q = q.bind(code);
        }
        q.fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|row| {
                let code: String = row.try_get("currency")?;
                Ok(Revenue {
                    amount: Money::from_minor(row.try_get("amount")?, currency(&code)?),
                    currency: code,
                    payments: row.try_get("payments")?,
                    bills_paid: row.try_get("bills_paid")?,
                })
            })
            .collect()
    }

    /// Money received in `currency` per day (minor units): every day of `from..=to`, zeros
    /// where nothing was received.
    pub async fn revenue_trend(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
        currency: &str,
    ) -> Result<Vec<(String, i64)>> {
        let days = range::days(from, to)?;
        let sql =
            format!(
            "SELECT day, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount FROM insight_revenue \
             WHERE day >= $1 AND day <= $2{} AND currency = {} GROUP BY day",
            scope_clause(scope),
            if scope_code(scope).is_some() { "$4" } else { "$3" }
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(from).bind(to);
        if let Some(code) = scope_code(scope) {
            q = q.bind(code);
        }
        let mut found: HashMap<String, i64> = q
            .bind(currency)
            .fetch_all(self.db.pool())
            .await?
            .into_iter()
            .collect();
        Ok(days
            .into_iter()
            .map(|d| {
                let amount = found.remove(&d).unwrap_or(0);
                (d, amount)
            })
            .collect())
    }
}
