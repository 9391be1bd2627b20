//! The agents' published figures: approved agents by county, and month by month the
//! applications agents made, the bills of them paid with their service money, and the
//! commission earned less clawed back. Counted from what happened (the applications'
//! channel and agent, the commission lines), never from a tally kept beside them.

use crate::accrual::month_of;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// One month's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Month {
    /// `YYYY-MM`, East Africa Time.
    pub month: String,
    /// Applications agents started.
    pub applications: i64,
    /// Bills of agents' applications paid in the month.
    pub paid: i64,
    /// Their service amounts, minor units.
    pub money: i64,
    /// Commission earned in the month less clawed back in it, minor units.
    pub commission: i64,
}

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Approved agents by county, most first.
    pub by_county: Vec<(String, i64)>,
    /// The last months, oldest first (months with nothing are zeros).
    pub months: Vec<Month>,
}

/// The figures over the last `months` months (this one included).
pub async fn published(db: &Db, months: usize) -> Result<Figures> {
    let by_county: Vec<(String, i64)> = sqlx::query_as(
        "SELECT county, COUNT(*) FROM agents WHERE status = 'approved' GROUP BY county ORDER BY 2 DESC, 1",
    )
    .fetch_all(db.pool())
    .await?;
    let now = now_ms();
    let mut keys: Vec<String> = Vec::new();
    let mut at = now;
    while keys.len() < months.max(1) {
        let m = month_of(at);
        if keys.last() != Some(&m) {
            keys.push(m);
        }
        at -= 86_400_000;
    }
    keys.reverse();
    let since = now - 32 * 86_400_000 * months.max(1) as i64;
    let mut by_month: BTreeMap<String, Month> = keys
        .iter()
        .map(|k| {
            (
                k.clone(),
                Month {
                    month: k.clone(),
                    ..Month::default()
                },
            )
        })
        .collect();
    let started: Vec<(i64,)> = sqlx::query_as(
        "SELECT created_at FROM applications WHERE agent IS NOT NULL AND created_at > $1",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    for (created,) in started {
        if let Some(m) = by_month.get_mut(&month_of(created)) {
            m.applications += 1;
        }
    }
    let lines: Vec<(String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT month, amount, commission, clawback_month FROM agent_commissions WHERE paid_at > $1 \
         OR clawed_back_at > $1",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    for (month, amount, commission, clawback) in lines {
        if let Some(m) = by_month.get_mut(&month) {
            m.paid += 1;
            m.money += amount;
            m.commission += commission;
        }
        if let Some(m) = clawback.and_then(|c| by_month.get_mut(&c)) {
            m.commission -= commission;
        }
    }
    Ok(Figures {
        by_county,
        months: by_month.into_values().collect(),
    })
}
