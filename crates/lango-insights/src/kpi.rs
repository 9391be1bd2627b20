//! The four service KPIs (GOV.UK Service Standard): cost per transaction, user
//! satisfaction, completion rate and digital take-up, and the measures performance
//! contracts compute from platform data.
//!
//! A KPI with nothing to divide by is `None` ("no data"), never a zero in its place.

mod cost;
mod dataset;
mod sample;

pub use cost::{per_transaction, Cost, NOTE_MAX};
pub(crate) use dataset::rows;
pub use dataset::DATASETS;
pub use sample::{sample_costs, SAMPLE_ENTERED_BY};

use crate::usage::{range, scope_clause, scope_code};
use crate::{Insights, Scope};
use lango_core::money::Money;
use lango_core::{Error, Result};
use std::collections::BTreeMap;
use std::collections::HashMap;

/// Channels that are digital for take-up: the applicant used the service themselves
/// (a centre's assisted application is not).
pub const DIGITAL_CHANNELS: [&str; 4] = ["online", "api", "mobile", "ussd"];

/// SQL summing the usage a KPI needs over `insight_usage` rows (CAST: PostgreSQL sums
/// BIGINTs as NUMERIC).
const USAGE_SUMS: &str = "CAST(COALESCE(SUM(started), 0) AS BIGINT) AS started, \
    CAST(COALESCE(SUM(completed), 0) AS BIGINT) AS completed, \
    CAST(COALESCE(SUM(CASE WHEN channel IN ('online', 'api', 'mobile', 'ussd') THEN completed ELSE 0 END), 0) AS BIGINT) AS digital_completed, \
    CAST(COALESCE(SUM(completed + rejected), 0) AS BIGINT) AS decided, \
    CAST(COALESCE(SUM(decided_in_sla), 0) AS BIGINT) AS decided_in_sla";

/// The four KPIs of a scope over some months, with what they are computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kpis {
    /// Costs entered ÷ completions in the costed months.
    pub cost_per_transaction: Option<Money>,
    /// (satisfied, responses): satisfied or very satisfied ÷ survey responses.
    pub satisfaction: Option<(i64, i64)>,
    /// (completed, started).
    pub completion_rate: Option<(i64, i64)>,
    /// (digital completions, completions in all channels).
    pub digital_take_up: Option<(i64, i64)>,
    /// The costs entered for the months (`None`: none).
    pub cost: Option<Money>,
    /// Completions in the months (and for the agencies and services) that have a cost.
    pub costed_completed: i64,
    /// Completions in all channels.
    pub completed: i64,
    /// Applications started.
    pub started: i64,
    /// Completions in digital channels ([`DIGITAL_CHANNELS`]).
    pub digital_completed: i64,
    /// Survey responses.
    pub responses: i64,
    /// Responses of 4 (satisfied) or 5 (very satisfied).
    pub satisfied: i64,
}

/// `Some((n, d))` when `d` is not zero.
fn ratio(n: i64, d: i64) -> Option<(i64, i64)> {
    (d != 0).then_some((n, d))
}

/// Usage sums of one month (or range).
#[derive(Debug, Clone, Copy, Default)]
struct UsageSums {
    started: i64,
    completed: i64,
    digital_completed: i64,
    decided: i64,
    decided_in_sla: i64,
}

impl Kpis {
    /// The KPIs of these inputs.
    fn of(usage: UsageSums, costed: Option<cost::Costed>, satisfaction: (i64, i64)) -> Kpis {
        let (satisfied, responses) = satisfaction;
        let cost = costed.and_then(|c| c.cost);
        let costed_completed = costed.map_or(0, |c| c.completed);
        Kpis {
            cost_per_transaction: per_transaction(cost, costed_completed),
            satisfaction: ratio(satisfied, responses),
            completion_rate: ratio(usage.completed, usage.started),
            digital_take_up: ratio(usage.digital_completed, usage.completed),
            cost,
            costed_completed,
            completed: usage.completed,
            started: usage.started,
            digital_completed: usage.digital_completed,
            responses,
            satisfied,
        }
    }
}

/// A measure computed from platform data (a performance indicator or a KPI).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Applications decided (completed or rejected) within the service's SLA ÷ decided.
    SlaCompliance,
    /// Digital completions ÷ completions in all channels.
    DigitalTakeUp,
    /// Satisfied or very satisfied ÷ survey responses.
    Satisfaction,
    /// Completed ÷ started.
    CompletionRate,
    /// Money received, in one currency.
    Revenue,
    /// Services end to end ÷ services (the catalogue as of the last day).
    ShareEndToEnd,
}

/// A measured figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Figure {
    /// A share: `numerator ÷ denominator` (never with a zero denominator).
    Ratio {
        /// What counted.
        numerator: i64,
        /// Out of how many.
        denominator: i64,
    },
    /// An amount of money.
    Amount(Money),
}

impl Insights {
    /// Usage sums over `scope` for the days `from..=to`, per month when `monthly`.
    async fn usage_sums(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
        monthly: bool,
    ) -> Result<BTreeMap<String, UsageSums>> {
        let (group, key) = if monthly {
            (" GROUP BY SUBSTR(day, 1, 7)", "SUBSTR(day, 1, 7)")
        } else {
            ("", "''")
        };
        let sql = format!(
            "SELECT {key} AS period, {USAGE_SUMS} FROM insight_usage WHERE day >= $1 AND day <= $2{}{group}",
            scope_clause(scope)
        );
        let mut q = sqlx::query_as::<_, (String, i64, i64, i64, i64, i64)>(&sql)
            .bind(from)
            .bind(to);
        if let Some(code) = scope_code(scope) {
            q = q.bind(code);
        }
        Ok(q.fetch_all(self.db.pool())
            .await?
            .into_iter()
            .map(
                |(period, started, completed, digital_completed, decided, decided_in_sla)| {
                    (
                        period,
                        UsageSums {
                            started,
                            completed,
                            digital_completed,
                            decided,
                            decided_in_sla,
                        },
                    )
                },
            )
            .collect())
    }

    /// The four KPIs over `scope` for the months `from_month..=to_month` (`YYYY-MM`).
    pub async fn kpis(&self, scope: &Scope, from_month: &str, to_month: &str) -> Result<Kpis> {
        let (first, last) = range::month_days(from_month, to_month)?;
        let usage = self
            .usage_sums(scope, &first, &last, false)
            .await?
            .into_values()
            .next()
            .unwrap_or_default();
        let costed = self.costed_by_month(scope, from_month, to_month).await?;
        let total = costed.values().fold(None, |acc: Option<cost::Costed>, c| {
            Some(match acc {
                None => *c,
                Some(a) => cost::Costed {
                    cost: match (a.cost, c.cost) {
                        (Some(x), Some(y)) => {
                            Some(Money::from_minor(x.minor() + y.minor(), x.currency()))
                        }
                        (x, y) => x.or(y),
                    },
                    completed: a.completed + c.completed,
                },
            })
        });
        let s = self.satisfaction(scope, from_month, to_month).await?;
        Ok(Kpis::of(usage, total, (s.satisfied, s.responses)))
    }

    /// The four KPIs over `scope` for each month of `from_month..=to_month`, in order.
    pub async fn kpis_by_month(
        &self,
        scope: &Scope,
        from_month: &str,
        to_month: &str,
    ) -> Result<Vec<(String, Kpis)>> {
        let months = range::months(from_month, to_month)?;
        let (first, last) = range::month_days(from_month, to_month)?;
        let mut usage = self.usage_sums(scope, &first, &last, true).await?;
        let mut costed = self.costed_by_month(scope, from_month, to_month).await?;
        // One grouped read for every month, not one per month.
        let mut by_month: HashMap<String, crate::survey::Summary> = self
            .satisfaction_by(scope, from_month, to_month, crate::survey::Group::Month)
            .await?
            .into_iter()
            .collect();
        let mut out = Vec::with_capacity(months.len());
        for month in months {
            let s = by_month.remove(&month).unwrap_or_default();
            let k = Kpis::of(
                usage.remove(&month).unwrap_or_default(),
                costed.remove(&month),
                (s.satisfied, s.responses),
            );
            out.push((month, k));
        }
        Ok(out)
    }

    /// Measure `measure` over `scope` for the days `from..=to` (`YYYY-MM-DD`); `None` when
    /// there is no data (nothing to divide by), never a zero in its place. `Revenue` is
    /// counted in `currency` (`None` when nothing was received in it); `Satisfaction` over
    /// the months the days fall in; `ShareEndToEnd` from the last digitisation count on or
    /// before `to`, national or per agency (`None` for one service).
    pub async fn measure(
        &self,
        measure: &Measure,
        scope: &Scope,
        from: &str,
        to: &str,
        currency: &str,
    ) -> Result<Option<Figure>> {
        range::check_days(from, to)?;
        let figure = |n: i64, d: i64| {
            ratio(n, d).map(|(numerator, denominator)| Figure::Ratio {
                numerator,
                denominator,
            })
        };
        let usage = || async {
            Ok::<_, Error>(
                self.usage_sums(scope, from, to, false)
                    .await?
                    .into_values()
                    .next()
                    .unwrap_or_default(),
            )
        };
        Ok(match measure {
            Measure::SlaCompliance => {
                let u = usage().await?;
                figure(u.decided_in_sla, u.decided)
            }
            Measure::DigitalTakeUp => {
                let u = usage().await?;
                figure(u.digital_completed, u.completed)
            }
            Measure::CompletionRate => {
                let u = usage().await?;
                figure(u.completed, u.started)
            }
            Measure::Satisfaction => {
                let s = self.satisfaction(scope, &from[..7], &to[..7]).await?;
                figure(s.satisfied, s.responses)
            }
            Measure::Revenue => {
                let code: lango_core::money::Currency = currency.parse().map_err(|_| {
                    Error::invalid("currency", format!("unknown currency \"{currency}\""))
                })?;
                let sql = format!(
                    "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount FROM insight_revenue \
                     WHERE day >= $1 AND day <= $2{} AND currency = {}",
                    scope_clause(scope),
                    if scope_code(scope).is_some() { "$4" } else { "$3" }
                );
                let mut q = sqlx::query_as::<_, (i64, i64)>(&sql).bind(from).bind(to);
                if let Some(c) = scope_code(scope) {
                    q = q.bind(c);
                }
                let (rows, amount) = q.bind(code.code()).fetch_one(self.db.pool()).await?;
                (rows > 0).then(|| Figure::Amount(Money::from_minor(amount, code)))
            }
            Measure::ShareEndToEnd => {
                let agency = match scope {
                    Scope::National => None,
                    Scope::Agency(a) => Some(a.as_str()),
                    Scope::Service(_) => return Ok(None),
                };
                self.stages_as_of(agency, to)
                    .await?
                    .and_then(|c| figure(c.end_to_end, c.total()))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_core::money::Currency;

    #[test]
    fn digital_channels_are_the_cases_rooms_own() {
        let digital: Vec<&str> = lango_cases::Channel::ALL
            .iter()
            .filter(|c| c.is_digital())
            .map(|c| c.as_str())
            .collect();
        let mut ours = DIGITAL_CHANNELS.to_vec();
        ours.sort_unstable();
        let mut theirs = digital.clone();
        theirs.sort_unstable();
        assert_eq!(ours, theirs);
        // The SQL sums count exactly those channels.
        for sql in [USAGE_SUMS, dataset::DIGITAL_SUM] {
            let list = sql
                .split("channel IN (")
                .nth(1)
                .unwrap()
                .split(')')
                .next()
                .unwrap();
            let mut listed: Vec<&str> = list.split(", ").map(|w| w.trim_matches('\'')).collect();
            listed.sort_unstable();
            assert_eq!(listed, theirs, "{sql}");
        }
    }

    #[test]
    fn kpis_without_a_denominator_are_no_data() {
        let none = Kpis::of(UsageSums::default(), None, (0, 0));
        assert_eq!(none.completion_rate, None);
        assert_eq!(none.digital_take_up, None);
        assert_eq!(none.satisfaction, None);
        assert_eq!(none.cost_per_transaction, None);
        let usage = UsageSums {
            started: 8,
            completed: 6,
            digital_completed: 5,
            decided: 7,
            decided_in_sla: 7,
        };
        let costed = cost::Costed {
            cost: Some(Money::from_minor(60_000, Currency::Kes)),
            completed: 4,
        };
        let k = Kpis::of(usage, Some(costed), (3, 4));
        assert_eq!(k.completion_rate, Some((6, 8)));
        assert_eq!(k.digital_take_up, Some((5, 6)));
        assert_eq!(k.satisfaction, Some((3, 4)));
        assert_eq!(
            k.cost_per_transaction,
            Some(Money::from_minor(15_000, Currency::Kes))
        );
        // A cost with no completions to divide it by is no data, not zero or infinity.
        let idle = Kpis::of(
            UsageSums::default(),
            Some(cost::Costed {
                completed: 0,
                ..costed
            }),
            (0, 0),
        );
        assert_eq!(idle.cost.map(|c| c.minor()), Some(60_000));
        assert_eq!(idle.cost_per_transaction, None);
    }
}
