//! A mobile centre's figures stop by stop: for each stop in a period (its day, place and
//! county), the queue tickets issued there, the appointments that fell on it, the people
//! staff helped to apply there, and the cash taken at its counters. Counted from the
//! tickets, appointments, assistances and cash receipts of that centre on that day.

use crate::model::Kind;
use crate::Centres;
use lango_core::Result;
use serde::Serialize;

/// One stop's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stop {
    /// The mobile centre's code.
    pub centre: String,
    /// `YYYY-MM-DD`, East Africa Time.
    pub date: String,
    /// Where it stood.
    pub place: String,
    /// The county.
    pub county: String,
    /// Queue tickets issued.
    pub tickets: i64,
    /// Appointments booked for it (cancelled ones left out).
    pub appointments: i64,
    /// People staff helped to apply there (assistances begun).
    pub helped: i64,
    /// Cash taken at its counters, minor units (KES).
    pub cash: i64,
}

/// Counts of `sql` (centre, day → n) for one centre and day.
async fn count(db: &lango_core::db::Db, sql: &str, centre: &str, day: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(sql)
        .bind(centre)
        .bind(day)
        .fetch_one(db.pool())
        .await?)
}

impl Centres {
    /// Every mobile centre's stops from `from` to `to` (inclusive), by date.
    pub async fn stop_figures(&self, from: &str, to: &str) -> Result<Vec<Stop>> {
        let mut out = Vec::new();
        for c in self.all().await?.iter().filter(|c| c.kind == Kind::Mobile) {
            for v in c
                .schedule
                .iter()
                .filter(|v| v.date.as_str() >= from && v.date.as_str() <= to)
            {
                let day_start = crate::calendar::day_start_ms(&v.date);
                let day_end = day_start + 86_400_000;
                let helped: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM assists WHERE centre = $1 AND started_at >= $2 AND started_at < $3",
                )
                .bind(&c.code)
                .bind(day_start)
                .bind(day_end)
                .fetch_one(self.db.pool())
                .await?;
                out.push(Stop {
                    centre: c.code.clone(),
                    date: v.date.clone(),
                    place: v.place.clone(),
                    county: v.county.clone(),
                    tickets: count(&self.db, "SELECT COUNT(*) FROM tickets WHERE centre = $1 AND day = $2", &c.code, &v.date).await?,
                    appointments: count(
                        &self.db,
                        "SELECT COUNT(*) FROM appointments WHERE centre = $1 AND day = $2 AND status <> 'cancelled'",
                        &c.code,
                        &v.date,
                    )
                    .await?,
                    helped,
                    cash: count(
                        &self.db,
                        "SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM cash_receipts r \
                         JOIN cash_sessions s ON s.id = r.session_id JOIN cash_tills t ON t.id = s.till \
                         WHERE t.centre = $1 AND s.day = $2",
                        &c.code,
                        &v.date,
                    )
                    .await?,
                });
            }
        }
        out.sort_by(|a, b| (&a.date, &a.centre).cmp(&(&b.date, &b.centre)));
        Ok(out)
    }
}
