//! Revenue from the ledger: what came in by day, agency, channel and currency.
//!
//! Revenue is the credits to `revenue:<AGENCY>:<CUR>`, fees the credits to
//! `platform_fees:<CUR>`, collected the debits to `collection:<CHANNEL>:<CUR>`, by the time
//! of their ledger transaction. A match out of suspense credits the collection account back
//! before its bill's posting debits it again; that reversal is counted against the debit, so
//! matched money is collected once, on the day it arrived. Settlements and refunds debit
//! revenue later and are not revenue lost that day, so only credits count.

use super::{Day, Period};
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::Result;
use sqlx::Row;
use std::collections::BTreeMap;

/// Money in, minor units of one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    /// Credited to agencies' revenue.
    pub revenue: i64,
    /// Credited to platform fees.
    pub fees: i64,
    /// Received through the channels.
    pub collected: i64,
}

/// One day of one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFlow {
    /// The day.
    pub day: Day,
    /// What came in.
    pub flow: Flow,
}

/// Everything in one currency for the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyReport {
    /// The currency.
    pub currency: Currency,
    /// The period's totals.
    pub total: Flow,
    /// Every day of the period, days without money included.
    pub days: Vec<DayFlow>,
    /// Revenue per agency, largest first.
    pub agencies: Vec<(String, i64)>,
    /// Collected per channel, largest first.
    pub channels: Vec<(String, i64)>,
    /// Held in suspense now (not limited to the period).
    pub suspense: i64,
}

impl CurrencyReport {
    /// An amount of this currency.
    pub fn money(&self, minor: i64) -> Money {
        Money::from_minor(minor, self.currency)
    }
}

/// The revenue report: one section per currency that moved or is held in suspense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The days it covers.
    pub period: Period,
    /// Per currency, in the currencies' stable order.
    pub currencies: Vec<CurrencyReport>,
}

/// What one ledger account is, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Revenue(String),
    Fees,
    Collection(String),
}

/// Reads an account name the report counts (`revenue:DIS:KES`…) into its kind and currency.
fn classify(account: &str) -> Option<(Kind, Currency)> {
    let parts: Vec<&str> = account.split(':').collect();
    let currency = parts.last()?.parse().ok()?;
    let kind = match parts.as_slice() {
        ["revenue", agency, _] => Kind::Revenue(agency.to_string()),
        ["platform_fees", _] => Kind::Fees,
        ["collection", channel, _] => Kind::Collection(channel.to_string()),
        _ => return None,
    };
    Some((kind, currency))
}

#[derive(Default)]
struct Acc {
    days: BTreeMap<Day, Flow>,
    agencies: BTreeMap<String, i64>,
    channels: BTreeMap<String, i64>,
    suspense: i64,
}

fn sorted(m: BTreeMap<String, i64>) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The report for `period`. One grouped query over the period's ledger transactions (by
/// their indexed time) and one read of the suspense balances.
pub async fn report(db: &Db, period: Period) -> Result<Report> {
    let (start, end) = period.span_ms();
    // Day numbers are computed in SQL (integer division of the country's local time), so
    // the rows are one per account and day however many entries the period holds.
    let rows = sqlx::query(
        "SELECT e.account AS account, (t.created_at + $3) / 86400000 AS day, \
         CAST(SUM(CASE \
           WHEN e.account LIKE 'collection:%' THEN \
             CASE WHEN e.amount > 0 OR m.trans_id IS NOT NULL THEN e.amount ELSE 0 END \
           WHEN e.amount < 0 THEN -e.amount ELSE 0 END) AS BIGINT) AS flow \
         FROM ledger_transactions t \
         JOIN ledger_entries e ON e.transaction_id = t.id \
         LEFT JOIN suspense_matches m ON m.reversal_transaction = t.id \
         WHERE t.created_at >= $1 AND t.created_at < $2 \
           AND (e.account LIKE 'revenue:%' OR e.account LIKE 'platform_fees:%' \
                OR e.account LIKE 'collection:%') \
         GROUP BY 1, 2",
    )
    .bind(start)
    .bind(end)
    .bind(lango_core::clock::local_offset_ms())
    .fetch_all(db.pool())
    .await?;
    let mut by_currency: BTreeMap<Currency, Acc> = BTreeMap::new();
    for r in &rows {
        let account: String = r.try_get("account")?;
        let day = Day(r.try_get::<i64, _>("day")?);
        let flow: i64 = r.try_get("flow")?;
        let Some((kind, currency)) = classify(&account) else {
            continue;
        };
        let acc = by_currency.entry(currency).or_default();
        let f = acc.days.entry(day).or_default();
        match kind {
            Kind::Revenue(agency) => {
                f.revenue += flow;
                *acc.agencies.entry(agency).or_default() += flow;
            }
            Kind::Fees => f.fees += flow,
            Kind::Collection(channel) => {
                f.collected += flow;
                *acc.channels.entry(channel).or_default() += flow;
            }
        }
    }
    let held = sqlx::query(
        "SELECT account, balance FROM ledger_balances WHERE account LIKE 'suspense:%' AND balance <> 0",
    )
    .fetch_all(db.pool())
    .await?;
    for r in &held {
        let account: String = r.try_get("account")?;
        let balance: i64 = r.try_get("balance")?;
        if let Some(Ok(currency)) = account.strip_prefix("suspense:").map(str::parse) {
            // Suspense is credited when money arrives: a credit balance is money held.
            by_currency.entry(currency).or_default().suspense = -balance;
        }
    }
    let currencies = by_currency
        .into_iter()
        .map(|(currency, acc)| {
            let days: Vec<DayFlow> = period
                .days()
                .map(|day| DayFlow {
                    day,
                    flow: acc.days.get(&day).copied().unwrap_or_default(),
                })
                .collect();
            let total = days.iter().fold(Flow::default(), |t, d| Flow {
                revenue: t.revenue + d.flow.revenue,
                fees: t.fees + d.flow.fees,
                collected: t.collected + d.flow.collected,
            });
            CurrencyReport {
                currency,
                total,
                days,
                agencies: sorted(acc.agencies),
                channels: sorted(acc.channels),
                suspense: acc.suspense,
            }
        })
        .collect();
    Ok(Report { period, currencies })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_read_by_kind_and_currency() {
        assert_eq!(
            classify("revenue:DIS:KES"),
            Some((Kind::Revenue("DIS".into()), Currency::Kes))
        );
        assert_eq!(
            classify("platform_fees:USD"),
            Some((Kind::Fees, Currency::Usd))
        );
        assert_eq!(
            classify("collection:card:USD"),
            Some((Kind::Collection("card".into()), Currency::Usd))
        );
        assert_eq!(classify("suspense:KES"), None);
        assert_eq!(classify("revenue:DIS:XXX"), None);
        assert_eq!(classify("revenue:KES"), None);
    }

    #[test]
    fn largest_first_then_by_name() {
        let m: BTreeMap<String, i64> = [
            ("B".to_string(), 5),
            ("A".to_string(), 5),
            ("C".to_string(), 9),
        ]
        .into_iter()
        .collect();
        let names: Vec<String> = sorted(m).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["C", "A", "B"]);
    }
}
