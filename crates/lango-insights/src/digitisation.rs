//! Digitisation progress: the share of services at each stage, per agency and
//! nationally, over time, against a configurable target.
//!
//! The catalogue is the truth for today; each day's counts per agency are kept in
//! `insight_digitisation` (refreshed every few minutes during the day) so that progress
//! can be shown over time.

use crate::open_data::{Cell, Column, Dataset, Filter, Kind};
use crate::{day_of, Insights, Scope};
use lango_core::clock::now_ms;
use lango_core::{Error, Result};
use sqlx::Row;

/// How often a day's snapshot is refreshed.
const REFRESH_MS: i64 = 10 * 60_000;
/// Most services listed as still to move.
pub const TO_MOVE_MAX: i64 = 1_000;

/// This room's published datasets.
pub const DATASETS: &[Dataset] = &[Dataset {
    name: "digitisation",
    title: "Services per digitisation stage",
    description: "One row per day (the country's time) and agency: how many of the agency's \
        active services in the catalogue were at each stage that day.",
    columns: &[
        Column {
            name: "day",
            kind: Kind::Date,
            meaning: "The day of the count",
        },
        Column {
            name: "agency",
            kind: Kind::Text,
            meaning: "The agency's code",
        },
        Column {
            name: "information",
            kind: Kind::Integer,
            meaning: "Services only described",
        },
        Column {
            name: "downloadable",
            kind: Kind::Integer,
            meaning: "Services with a form to download (paper)",
        },
        Column {
            name: "partial",
            kind: Kind::Integer,
            meaning: "Services partly online",
        },
        Column {
            name: "end_to_end",
            kind: Kind::Integer,
            meaning: "Services applied for, paid and delivered online",
        },
        Column {
            name: "share_end_to_end",
            kind: Kind::Decimal,
            meaning: "Percent of the agency's services end to end, one decimal place",
        },
    ],
}];

/// The rows of dataset `name` when it is one of this room's.
pub(crate) async fn rows(
    insights: &Insights,
    name: &str,
    filter: &Filter,
) -> Result<Option<Vec<Vec<Cell>>>> {
    if name != "digitisation" {
        return Ok(None);
    }
    let (clause, binds) = crate::usage::where_clause(filter, "day", false, &["agency"]);
    let sql = format!(
        "SELECT day, agency, {STAGES} FROM insight_digitisation{clause} ORDER BY day, agency"
    );
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b);
    }
    let mut out = Vec::new();
    for row in q.fetch_all(insights.db.pool()).await? {
        let c = stages_of(&row)?;
        out.push(vec![
            Cell::Text(row.try_get("day")?),
            Cell::Text(row.try_get("agency")?),
            Cell::Int(c.information),
            Cell::Int(c.downloadable),
            Cell::Int(c.partial),
            Cell::Int(c.end_to_end),
            crate::percent(c.end_to_end, c.total()).map_or(Cell::Missing, Cell::Decimal),
        ]);
    }
    Ok(Some(out))
}

const STAGES: &str = "information, downloadable, partial, end_to_end";

/// Sums of the stages (CAST: PostgreSQL sums BIGINTs as NUMERIC).
const STAGE_SUMS: &str = "CAST(COALESCE(SUM(information), 0) AS BIGINT) AS information, \
    CAST(COALESCE(SUM(downloadable), 0) AS BIGINT) AS downloadable, \
    CAST(COALESCE(SUM(partial), 0) AS BIGINT) AS partial, \
    CAST(COALESCE(SUM(end_to_end), 0) AS BIGINT) AS end_to_end";

/// The catalogue's active services counted per stage (CAST as above).
const CATALOGUE_SUMS: &str =
    "CAST(SUM(CASE WHEN stage = 'information' THEN 1 ELSE 0 END) AS BIGINT) AS information, \
    CAST(SUM(CASE WHEN stage = 'downloadable' THEN 1 ELSE 0 END) AS BIGINT) AS downloadable, \
    CAST(SUM(CASE WHEN stage = 'partial' THEN 1 ELSE 0 END) AS BIGINT) AS partial, \
    CAST(SUM(CASE WHEN stage = 'end_to_end' THEN 1 ELSE 0 END) AS BIGINT) AS end_to_end";

/// Services at each digitisation stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StageCounts {
    /// Only described.
    pub information: i64,
    /// A paper form to download.
    pub downloadable: i64,
    /// Partly online.
    pub partial: i64,
    /// Applied for, paid and delivered online.
    pub end_to_end: i64,
}

impl StageCounts {
    /// Every service counted.
    pub fn total(&self) -> i64 {
        self.information + self.downloadable + self.partial + self.end_to_end
    }

    /// The share end to end, `"62.5"` (percent, one place), or `None` with no services.
    pub fn share_end_to_end(&self) -> Option<String> {
        crate::percent(self.end_to_end, self.total())
    }

    fn add(&mut self, other: &StageCounts) {
        self.information += other.information;
        self.downloadable += other.downloadable;
        self.partial += other.partial;
        self.end_to_end += other.end_to_end;
    }
}

fn stages_of(row: &sqlx::any::AnyRow) -> Result<StageCounts> {
    Ok(StageCounts {
        information: row.try_get("information")?,
        downloadable: row.try_get("downloadable")?,
        partial: row.try_get("partial")?,
        end_to_end: row.try_get("end_to_end")?,
    })
}

/// A service not yet end to end.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ToMove {
    /// Its code.
    pub code: String,
    /// Its name (English).
    pub name: String,
    /// Its agency's code.
    pub agency: String,
    /// Its stage now: `information`, `downloadable` or `partial`.
    pub stage: String,
}

/// Digitisation progress of a scope against the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The catalogue now.
    pub latest: StageCounts,
    /// Each day's counts (snapshots), oldest first.
    pub history: Vec<(String, StageCounts)>,
    /// The target in force.
    pub target: Target,
    /// Services that must be end to end to meet the target now (the target share of all,
    /// rounded up).
    pub target_services: i64,
    /// How many more services must move end to end to meet it (0 when met).
    pub still_needed: i64,
    /// Days from today (the country's time) to the target's date (negative once past).
    pub days_left: i64,
    /// Services still to move, closest to end to end first (at most [`TO_MOVE_MAX`]).
    pub to_move: Vec<ToMove>,
    /// How many services are still to move in all.
    pub to_move_total: i64,
}

/// Services that must be end to end for `percent`% of `total` (rounded up).
pub fn target_services(percent: u8, total: i64) -> i64 {
    (total * i64::from(percent) + 99) / 100
}

impl Insights {
    /// Takes (or refreshes, every few minutes) today's counts of the catalogue's active
    /// services per agency and stage. Cheap when there is nothing to do: one read.
    pub async fn snapshot_digitisation(&self) -> Result<()> {
        let now = now_ms();
        let today = day_of(now);
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT MAX(taken_at) FROM insight_digitisation WHERE day = $1")
                .bind(&today)
                .fetch_one(self.db.pool())
                .await?;
        if taken.is_some_and(|t| now - t < REFRESH_MS) {
            return Ok(());
        }
        let mut tx = self.db.pool().begin().await?;
        // One statement each, writing first (SQLite's rule for write transactions).
        sqlx::query(&format!(
            "INSERT INTO insight_digitisation (day, agency, {STAGES}, taken_at) \
             SELECT $1, agency_code, {CATALOGUE_SUMS}, $2 FROM services WHERE status = 'active' \
             GROUP BY agency_code \
             ON CONFLICT (day, agency) DO UPDATE SET information = excluded.information, \
             downloadable = excluded.downloadable, partial = excluded.partial, \
             end_to_end = excluded.end_to_end, taken_at = excluded.taken_at"
        ))
        .bind(&today)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // An agency whose services have all gone has none today.
        sqlx::query(
            "DELETE FROM insight_digitisation WHERE day = $1 AND agency NOT IN \
             (SELECT agency_code FROM services WHERE status = 'active')",
        )
        .bind(&today)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The catalogue's active services per stage now, for `scope` (national or one agency).
    async fn stages_now(&self, agency: Option<&str>) -> Result<StageCounts> {
        let sql = format!(
            "SELECT {CATALOGUE_SUMS} FROM services WHERE status = 'active'{}",
            if agency.is_some() {
                " AND agency_code = $1"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql);
        if let Some(a) = agency {
            q = q.bind(a);
        }
        let row = q.fetch_one(self.db.pool()).await?;
        // SUM over no rows is NULL: no services.
        let get = |c: &str| -> Result<i64> { Ok(row.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
        Ok(StageCounts {
            information: get("information")?,
            downloadable: get("downloadable")?,
            partial: get("partial")?,
            end_to_end: get("end_to_end")?,
        })
    }

    /// Digitisation progress nationally or of one agency: the catalogue now, each day's
    /// counts, the target and the services still to move.
    pub async fn digitisation(&self, scope: &Scope) -> Result<Progress> {
        let agency = match scope {
            Scope::National => None,
            Scope::Agency(code) => Some(code.as_str()),
            Scope::Service(_) => {
                return Err(Error::invalid(
                    "scope",
                    "digitisation progress is national or per agency",
                ))
            }
        };
        let latest = self.stages_now(agency).await?;
        let filter = if agency.is_some() {
            " WHERE agency = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT day, {STAGE_SUMS} FROM insight_digitisation{filter} GROUP BY day ORDER BY day"
        );
        let mut q = sqlx::query(&sql);
        if let Some(a) = agency {
            q = q.bind(a);
        }
        let history = q
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|row| Ok((row.try_get("day")?, stages_of(row)?)))
            .collect::<Result<Vec<_>>>()?;
        let filter = if agency.is_some() {
            " AND agency_code = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT code, name, agency_code, stage FROM services \
             WHERE status = 'active' AND stage <> 'end_to_end'{filter} \
             ORDER BY CASE stage WHEN 'partial' THEN 0 WHEN 'downloadable' THEN 1 ELSE 2 END, \
             agency_code, code LIMIT {TO_MOVE_MAX}"
        );
        let mut q = sqlx::query(&sql);
        if let Some(a) = agency {
            q = q.bind(a);
        }
        let to_move = q
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|row| {
                Ok(ToMove {
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    agency: row.try_get("agency_code")?,
                    stage: row.try_get("stage")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let target = self.settings.digitisation_target.clone();
        let needed = target_services(target.percent, latest.total());
        let days_left = crate::usage::range::day_number(&target.by)
            - crate::usage::range::day_number(&day_of(now_ms()));
        Ok(Progress {
            to_move_total: latest.total() - latest.end_to_end,
            still_needed: (needed - latest.end_to_end).max(0),
            target_services: needed,
            days_left,
            latest,
            history,
            target,
            to_move,
        })
    }

    /// Each agency's active services per stage now, by agency code.
    pub async fn digitisation_by_agency(&self) -> Result<Vec<(String, StageCounts)>> {
        sqlx::query(&format!(
            "SELECT agency_code, {CATALOGUE_SUMS} FROM services WHERE status = 'active' \
             GROUP BY agency_code ORDER BY agency_code"
        ))
        .fetch_all(self.db.pool())
        .await?
        .iter()
        .map(|row| Ok((row.try_get("agency_code")?, stages_of(row)?)))
        .collect()
    }

    /// The counts of the last snapshot on or before `day` for `scope` (national: each
    /// agency's last snapshot up to then, summed); `None` before the first.
    pub(crate) async fn stages_as_of(
        &self,
        agency: Option<&str>,
        day: &str,
    ) -> Result<Option<StageCounts>> {
        let filter = if agency.is_some() {
            " AND d.agency = $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT d.day, d.{} FROM insight_digitisation d \
             WHERE d.day = (SELECT MAX(l.day) FROM insight_digitisation l WHERE l.agency = d.agency AND l.day <= $1){filter}",
            STAGES.replace(", ", ", d.")
        );
        let mut q = sqlx::query(&sql).bind(day);
        if let Some(a) = agency {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.db.pool()).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut sum = StageCounts::default();
        for row in &rows {
            sum.add(&stages_of(row)?);
        }
        Ok(Some(sum))
    }
}

/// The digitisation target: this share of services end to end by this day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Percent of services, 1–100.
    pub percent: u8,
    /// The day it is due, `YYYY-MM-DD`.
    pub by: String,
}

impl Target {
    /// Parses `80% by 2027-06-30`.
    pub fn parse(s: &str) -> std::result::Result<Target, String> {
        let bad = || format!("expected a target like \"80% by 2027-06-30\", not \"{s}\"");
        let (percent, by) = s.trim().split_once(" by ").ok_or_else(bad)?;
        let percent: u8 = percent
            .trim()
            .strip_suffix('%')
            .and_then(|p| p.trim().parse().ok())
            .filter(|p| (1..=100).contains(p))
            .ok_or_else(bad)?;
        let by = by.trim();
        if !crate::open_data::is_date(by) {
            return Err(bad());
        }
        Ok(Target {
            percent,
            by: by.to_string(),
        })
    }
}

#[cfg(test)]
mod target_tests {
    use super::*;

    #[test]
    fn target_services_round_up_and_shares_have_one_place() {
        assert_eq!(target_services(80, 10), 8);
        assert_eq!(target_services(80, 11), 9, "8.8 rounds up");
        assert_eq!(target_services(80, 0), 0);
        let c = StageCounts {
            information: 1,
            downloadable: 2,
            partial: 2,
            end_to_end: 3,
        };
        assert_eq!(c.total(), 8);
        assert_eq!(c.share_end_to_end().as_deref(), Some("37.5"));
        assert_eq!(StageCounts::default().share_end_to_end(), None);
    }

    #[test]
    fn targets_parse_or_say_why_not() {
        assert_eq!(
            Target::parse("80% by 2027-06-30").unwrap(),
            Target {
                percent: 80,
                by: "2027-06-30".into()
            }
        );
        for bad in [
            "80 by 2027-06-30",
            "0% by 2027-06-30",
            "101% by 2027-06-30",
            "80% by 2027-02-30",
            "80%",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
