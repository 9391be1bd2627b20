//! Centre figures, from the tickets' and appointments' own timings: tickets a day, waiting
//! and service times (median and 90th percentile), no-shows and appointments kept, and
//! exit satisfaction (`ticket_surveys`), per centre and service.

use crate::Centres;
use lango_core::Result;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// One centre's (or one centre and service's) figures over a period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Figures {
    /// The centre's code.
    pub centre: String,
    /// The service's code; empty for the centre as a whole.
    pub service: String,
    /// Tickets issued.
    pub tickets: i64,
    /// Tickets a day, on the days it issued any.
    pub tickets_per_day: f64,
    /// Median minutes from issue to first call.
    pub wait_median_minutes: f64,
    /// 90th percentile of the same.
    pub wait_p90_minutes: f64,
    /// Median minutes at the counter (first call to finish).
    pub service_median_minutes: f64,
    /// Share of finished tickets that were no-shows, 0–1.
    pub no_show_rate: f64,
    /// Appointments that fell in the period.
    pub appointments: i64,
    /// Of those, checked in.
    pub appointments_kept: i64,
    /// Exit satisfaction scores given for tickets of the period.
    pub satisfaction_responses: i64,
    /// Share of those scores that were 4 or 5 (satisfied or very satisfied), 0–1.
    pub satisfied_share: f64,
}

/// The value at quantile `q` (0–1) of sorted `v`, by the nearest rank.
fn quantile(v: &[i64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1] as f64
}

#[derive(Default)]
struct Acc {
    tickets: i64,
    days: std::collections::BTreeSet<String>,
    waits: Vec<i64>,
    services: Vec<i64>,
    finished: i64,
    no_shows: i64,
    appointments: i64,
    kept: i64,
    responses: i64,
    satisfied: i64,
}

impl Acc {
    fn figures(mut self, centre: &str, service: &str) -> Figures {
        self.waits.sort_unstable();
        self.services.sort_unstable();
        let minutes = |ms: f64| (ms / 60_000.0 * 10.0).round() / 10.0;
        Figures {
            centre: centre.into(),
            service: service.into(),
            tickets: self.tickets,
            tickets_per_day: if self.days.is_empty() {
                0.0
            } else {
                (self.tickets as f64 / self.days.len() as f64 * 10.0).round() / 10.0
            },
            wait_median_minutes: minutes(quantile(&self.waits, 0.5)),
            wait_p90_minutes: minutes(quantile(&self.waits, 0.9)),
            service_median_minutes: minutes(quantile(&self.services, 0.5)),
            no_show_rate: if self.finished == 0 {
                0.0
            } else {
                (self.no_shows as f64 / self.finished as f64 * 1000.0).round() / 1000.0
            },
            appointments: self.appointments,
            appointments_kept: self.kept,
            satisfaction_responses: self.responses,
            satisfied_share: if self.responses == 0 {
                0.0
            } else {
                (self.satisfied as f64 / self.responses as f64 * 1000.0).round() / 1000.0
            },
        }
    }
}

/// Counts a row of `centre`'s `service` into both of its figures: the centre's as a whole
/// (service `""`) and the centre's for that service.
fn add(
    acc: &mut BTreeMap<(String, String), Acc>,
    centre: &str,
    service: &str,
    mut f: impl FnMut(&mut Acc),
) {
    f(acc.entry((centre.to_string(), String::new())).or_default());
    f(acc
        .entry((centre.to_string(), service.to_string()))
        .or_default());
}

impl Centres {
    /// Figures of every centre (service `""`) and every centre and service, for the days
    /// `from` to `to` (East Africa Time, inclusive), centres in code order.
    pub async fn figures(&self, from: &str, to: &str) -> Result<Vec<Figures>> {
        let mut acc: BTreeMap<(String, String), Acc> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT centre, service, day, status, issued_at, called_at, finished_at FROM tickets WHERE day >= $1 AND day <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        for r in &rows {
            let centre: String = r.try_get("centre")?;
            let service: String = r.try_get("service")?;
            let day: String = r.try_get("day")?;
            let status: String = r.try_get("status")?;
            let issued: i64 = r.try_get("issued_at")?;
            let called: Option<i64> = r.try_get("called_at")?;
            let finished: Option<i64> = r.try_get("finished_at")?;
            add(&mut acc, &centre, &service, |a| {
                a.tickets += 1;
                a.days.insert(day.clone());
                if let Some(c) = called {
                    a.waits.push(c - issued);
                }
                match status.as_str() {
                    "served" => {
                        a.finished += 1;
                        if let (Some(c), Some(f)) = (called, finished) {
                            a.services.push(f - c);
                        }
                    }
                    "no_show" => {
                        a.finished += 1;
                        a.no_shows += 1;
                    }
                    _ => {}
                }
            });
        }
        let rows = sqlx::query(
            "SELECT centre, service, status, COUNT(*) AS n FROM appointments WHERE day >= $1 AND day <= $2 AND status <> 'cancelled' GROUP BY centre, service, status",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        for r in &rows {
            let centre: String = r.try_get("centre")?;
            let service: String = r.try_get("service")?;
            let status: String = r.try_get("status")?;
            let n: i64 = r.try_get("n")?;
            add(&mut acc, &centre, &service, |a| {
                a.appointments += n;
                if status == "checked_in" {
                    a.kept += n;
                }
            });
        }
        let rows = sqlx::query(
            "SELECT centre, service, COUNT(*) AS n, SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END) AS satisfied \
             FROM ticket_surveys WHERE day >= $1 AND day <= $2 AND score IS NOT NULL GROUP BY centre, service",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        for r in &rows {
            let centre: String = r.try_get("centre")?;
            let service: String = r.try_get("service")?;
            let n: i64 = r.try_get("n")?;
            let satisfied: i64 = r.try_get::<Option<i64>, _>("satisfied")?.unwrap_or(0);
            add(&mut acc, &centre, &service, |a| {
                a.responses += n;
                a.satisfied += satisfied;
            });
        }
        Ok(acc
            .into_iter()
            .map(|((c, s), a)| a.figures(&c, &s))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(quantile(&v, 0.5), 5.0);
        assert_eq!(quantile(&v, 0.9), 9.0);
        assert_eq!(quantile(&[7], 0.9), 7.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }
}
