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

/// A commission line as the county figures read it: (county, service, currency, month,
/// amount, commission, clawback month).
type LineRow = (String, String, String, String, i64, i64, Option<String>);

/// One county's agents' work in one month, as the open dataset publishes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CountyMonth {
    /// `YYYY-MM`, East Africa Time.
    pub month: String,
    /// The agents' county.
    pub county: String,
    /// The money's currency.
    pub currency: String,
    /// Applications the county's agents started in the month.
    pub applications: i64,
    /// Bills of their applications paid in the month.
    pub paid: i64,
    /// Those bills' service amounts, minor units.
    pub money: i64,
    /// Commission earned in the month, minor units.
    pub earned: i64,
    /// Commission clawed back in the month (refunds), minor units.
    pub clawed_back: i64,
}

/// The agents' work by month and county, for months `from` to `to` (`YYYY-MM`, both
/// included); `service` narrows it to one service. Months and counties with nothing are
/// left out.
pub async fn by_county_month(
    db: &Db,
    (from, to): (&str, &str),
    service: Option<&str>,
) -> Result<Vec<CountyMonth>> {
    let service = service.map(|s| s.trim().to_ascii_uppercase());
    let mut rows: BTreeMap<(String, String, String), CountyMonth> = BTreeMap::new();
    let within = |month: &str| month >= from && month <= to;
    // Months are East Africa Time: a day's slack each side, then each row's own month.
    let year: i64 = from.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let first: i64 = from.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let since = (lango_core::clock::days_from_civil(year, first, 1) - 1) * 86_400_000;
    let started: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT g.county, p.service, p.created_at FROM applications p JOIN agents g ON g.code = p.agent \
         WHERE p.agent IS NOT NULL AND p.created_at >= $1",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    for (county, svc, created) in started {
        if service.as_ref().is_some_and(|s| *s != svc) {
            continue;
        }
        let month = month_of(created);
        if within(&month) {
            row(&mut rows, &month, &county, "KES").applications += 1;
        }
    }
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT g.county, k.service_code, k.currency, k.month, k.amount, k.commission, k.clawback_month \
         FROM agent_commissions k JOIN agents g ON g.code = k.agent_code \
         WHERE (k.month >= $1 AND k.month <= $2) OR (k.clawback_month >= $1 AND k.clawback_month <= $2)",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    for (county, svc, currency, month, amount, commission, clawback) in lines {
        if service.as_ref().is_some_and(|s| *s != svc) {
            continue;
        }
        if within(&month) {
            let r = row(&mut rows, &month, &county, &currency);
            r.paid += 1;
            r.money += amount;
            r.earned += commission;
        }
        if let Some(c) = clawback.filter(|c| within(c)) {
            row(&mut rows, &c, &county, &currency).clawed_back += commission;
        }
    }
    Ok(rows.into_values().collect())
}

/// The row of (month, county, currency), made empty when new.
fn row<'a>(
    rows: &'a mut BTreeMap<(String, String, String), CountyMonth>,
    month: &str,
    county: &str,
    currency: &str,
) -> &'a mut CountyMonth {
    let key = (month.to_string(), county.to_string(), currency.to_string());
    rows.entry(key).or_insert_with(|| CountyMonth {
        month: month.to_string(),
        county: county.to_string(),
        currency: currency.to_string(),
        ..CountyMonth::default()
    })
}
