//! Satisfaction surveys after every completed service, on the page and by SMS: overall
//! satisfaction on a 5-point scale, SDG 16.6.2's attributes and a comment.
//!
//! `model` parses answers, `invite` follows `application.completed` events and sends the
//! one-question SMS, `answer` takes page answers and SMS replies (one per application,
//! attempts limited), `store` holds the SQL, `dataset` publishes the `satisfaction` open
//! data; the readers of the aggregate are below.

mod answer;
mod dataset;
mod invite;
mod model;
pub(crate) mod sample;
mod store;

pub use answer::{Outcome, Survey, ATTEMPTS_PER_WINDOW, ATTEMPT_WINDOW_MS, SMS_REPLY_OPEN_MS};
pub(crate) use dataset::rows;
pub use dataset::{DATASETS, MIN_PUBLISHED_RESPONSES};
pub use invite::{CURSOR, INVITATION_EVENT};
pub use model::*;

use crate::Insights;
use lango_core::Result;

use crate::Scope;
use sqlx::Row;

/// SDG 16.6.2's attributes of a public service, as asked (yes or no) after the overall
/// score, in the order the survey asks them: (key, column prefix in `insight_satisfaction`).
pub const ATTRIBUTES: [(&str, &str); 5] = [
    ("access", "access"),
    ("affordability", "afford"),
    ("effective_delivery", "effective"),
    ("equal_treatment", "equal"),
    ("timeliness", "timely"),
];

/// Satisfaction summed over a scope and months.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Survey responses.
    pub responses: i64,
    /// Responses of 4 (satisfied) or 5 (very satisfied).
    pub satisfied: i64,
    /// The sum of the overall scores (1–5).
    pub overall_sum: i64,
    /// Per attribute of [`ATTRIBUTES`]: (answered, said yes).
    pub attributes: [(i64, i64); 5],
}

/// Who answered, by one of the groups people may choose to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// By sex.
    Sex,
    /// By age band.
    AgeBand,
    /// By county.
    County,
    /// By survey channel (page, sms).
    Channel,
    /// By month (`YYYY-MM`).
    Month,
}

impl Group {
    fn column(self) -> &'static str {
        match self {
            Group::Sex => "sex",
            Group::AgeBand => "age_band",
            Group::County => "county",
            Group::Channel => "channel",
            Group::Month => "month",
        }
    }
}

/// `AND …` restricting `insight_satisfaction` to `scope` (binding `$3` when it names one).
fn scope_clause(scope: &Scope) -> &'static str {
    match scope {
        Scope::National => "",
        Scope::Agency(_) => " AND agency = $3",
        Scope::Service(_) => " AND service = $3",
    }
}

/// Sums of every count (CAST: PostgreSQL sums BIGINTs as NUMERIC).
const SUMS: &str = "CAST(COALESCE(SUM(responses), 0) AS BIGINT) AS responses, CAST(COALESCE(SUM(satisfied), 0) AS BIGINT) AS satisfied, CAST(COALESCE(SUM(overall_sum), 0) AS BIGINT) AS overall_sum, CAST(COALESCE(SUM(access_n), 0) AS BIGINT) AS access_n, CAST(COALESCE(SUM(access_yes), 0) AS BIGINT) AS access_yes, CAST(COALESCE(SUM(afford_n), 0) AS BIGINT) AS afford_n, CAST(COALESCE(SUM(afford_yes), 0) AS BIGINT) AS afford_yes, CAST(COALESCE(SUM(effective_n), 0) AS BIGINT) AS effective_n, CAST(COALESCE(SUM(effective_yes), 0) AS BIGINT) AS effective_yes, CAST(COALESCE(SUM(equal_n), 0) AS BIGINT) AS equal_n, CAST(COALESCE(SUM(equal_yes), 0) AS BIGINT) AS equal_yes, CAST(COALESCE(SUM(timely_n), 0) AS BIGINT) AS timely_n, CAST(COALESCE(SUM(timely_yes), 0) AS BIGINT) AS timely_yes";

fn summary_of(row: &sqlx::any::AnyRow) -> Result<Summary> {
    let mut attributes = [(0, 0); 5];
    for (slot, (_, prefix)) in attributes.iter_mut().zip(ATTRIBUTES) {
        *slot = (
            row.try_get(format!("{prefix}_n").as_str())?,
            row.try_get(format!("{prefix}_yes").as_str())?,
        );
    }
    Ok(Summary {
        responses: row.try_get("responses")?,
        satisfied: row.try_get("satisfied")?,
        overall_sum: row.try_get("overall_sum")?,
        attributes,
    })
}

impl Insights {
    /// Satisfaction over `scope` for the months `from..=to` (`YYYY-MM`).
    pub async fn satisfaction(&self, scope: &Scope, from: &str, to: &str) -> Result<Summary> {
        let sql = format!(
            "SELECT {SUMS} FROM insight_satisfaction WHERE month >= $1 AND month <= $2{}",
            scope_clause(scope)
        );
        let mut q = sqlx::query(&sql).bind(from).bind(to);
        if let Scope::Agency(code) | Scope::Service(code) = scope {
            q = q.bind(code.clone());
        }
        summary_of(&q.fetch_one(self.db.pool()).await?)
    }

    /// Satisfaction over `scope` and months split by `group` (`""` for those who did not
    /// say), largest group first.
    pub async fn satisfaction_by(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
        group: Group,
    ) -> Result<Vec<(String, Summary)>> {
        let column = group.column();
        let sql = format!(
            "SELECT {column} AS grp, {SUMS} FROM insight_satisfaction WHERE month >= $1 AND month <= $2{} \
             GROUP BY {column} ORDER BY responses DESC, grp",
            scope_clause(scope)
        );
        let mut q = sqlx::query(&sql).bind(from).bind(to);
        if let Scope::Agency(code) | Scope::Service(code) = scope {
            q = q.bind(code.clone());
        }
        q.fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|row| Ok((row.try_get("grp")?, summary_of(row)?)))
            .collect()
    }
}
