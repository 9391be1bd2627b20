//! Published measures: usage, the four service KPIs (GOV.UK's definitions), satisfaction
//! surveys (SDG 16.6.2), digitisation progress, performance contracts, and the open data
//! behind every published figure.
//!
//! Figures come from incremental aggregates (`insight_*` tables) that follow the event log
//! (`application.*`, `payment.received`), so a page reads a few rows per day of history
//! however many applications lie behind them.

pub mod digitisation;
pub mod follow;
pub mod kpi;
pub mod open_data;
pub mod performance;
pub mod search_gaps;
pub mod survey;
pub mod usage;

use lango_cases::Cases;
use lango_core::clock::Civil;
// Published days and months are Kenya's: East Africa Time.
use lango_core::db::Db;
use std::sync::Arc;

/// The insights room: what the web and the CLI call.
#[derive(Clone)]
pub struct Insights {
    db: Db,
    cases: Cases,
    settings: Arc<Settings>,
    gaps: Arc<search_gaps::Recorder>,
}

/// Settings of the insights room.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The digitisation target: a share of services end to end by a date.
    pub digitisation_target: digitisation::Target,
}

impl Insights {
    /// The room over `db`, reading applications through `cases`.
    pub fn new(db: Db, cases: Cases, settings: Settings) -> Insights {
        Insights {
            db,
            cases,
            settings: Arc::new(settings),
            gaps: Arc::new(search_gaps::Recorder::default()),
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// What a figure is about: the whole platform, one agency or one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every agency.
    National,
    /// One agency, by code.
    Agency(String),
    /// One service, by code.
    Service(String),
}

/// The East Africa Time day (`YYYY-MM-DD`) of unix ms `ms`.
pub fn day_of(ms: i64) -> String {
    Civil::local(ms).date()
}

/// The East Africa Time month (`YYYY-MM`) of unix ms `ms`.
pub fn month_of(ms: i64) -> String {
    let c = Civil::local(ms);
    format!("{:04}-{:02}", c.year, c.month)
}

/// `numerator ÷ denominator` as a percentage with one decimal place, rounded half up in
/// exact integer arithmetic (`"87.5"`); `None` when there is nothing to divide by. Every
/// published percentage is written by this one function.
pub fn percent(numerator: i64, denominator: i64) -> Option<String> {
    if denominator <= 0 || numerator < 0 {
        return None;
    }
    let tenths =
        (i128::from(numerator) * 2000 + i128::from(denominator)) / (2 * i128::from(denominator));
    Some(format!("{}.{}", tenths / 10, tenths % 10))
}

/// The room's tables for both backends.
pub fn migrations() -> lango_core::db::Migrations {
    lango_core::db::Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_and_never_divide_by_zero() {
        assert_eq!(percent(7, 8).as_deref(), Some("87.5"));
        assert_eq!(percent(1, 3).as_deref(), Some("33.3"));
        assert_eq!(percent(2, 3).as_deref(), Some("66.7"));
        assert_eq!(percent(1, 2000).as_deref(), Some("0.1"));
        assert_eq!(percent(0, 5).as_deref(), Some("0.0"));
        assert_eq!(percent(5, 5).as_deref(), Some("100.0"));
        assert_eq!(percent(3, 0), None);
    }

    #[test]
    fn days_and_months_are_east_africa_time() {
        // 2026-11-30 22:30 UTC is 2026-12-01 01:30 in Nairobi.
        let ms = lango_core::clock::days_from_civil(2026, 11, 30) * 86_400_000
            + 22 * 3_600_000
            + 1_800_000;
        assert_eq!(day_of(ms), "2026-12-01");
        assert_eq!(month_of(ms), "2026-12");
    }
}
