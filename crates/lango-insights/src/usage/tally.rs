//! Counts gathered in memory and added to the aggregates in one go: the follower fills a
//! tally from a batch of events and the seed from a transaction's applications, and both
//! write it with [`Tally::write`] inside their transaction, so every count is added by the
//! same statements.

use crate::{day_of, month_of};
use lango_core::db::{backend_of, pow2_chunks, values_marks};
use lango_core::money::Money;
use lango_core::Result;
use std::collections::{BTreeMap, HashMap};

/// How a decided application ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Delivered (a state whose outcome is completed).
    Completed,
    /// Refused.
    Rejected,
}

/// Started, submitted, completed, rejected, decided in SLA.
type UsageCounts = [i64; 5];
/// Submitted, completed, rejected.
type CountyCounts = [i64; 3];
/// Payments, bills paid, amount (minor units).
type RevenueCounts = [i64; 3];

/// Counts waiting to be added. Keys are kept sorted so that every writer touches rows in
/// the same order (two writers on PostgreSQL never deadlock).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    usage: BTreeMap<(String, String, String, String), UsageCounts>,
    county: BTreeMap<(String, String, String, String), CountyCounts>,
    revenue: BTreeMap<(String, String, String, String, String), RevenueCounts>,
}

/// The key of a usage row: day, agency, service, channel.
fn usage_key(
    at: i64,
    agency: &str,
    service: &str,
    channel: &str,
) -> (String, String, String, String) {
    (day_of(at), agency.into(), service.into(), channel.into())
}

impl Tally {
    /// True when there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.usage.is_empty() && self.county.is_empty() && self.revenue.is_empty()
    }

    /// A draft started at `at`.
    pub fn started(&mut self, at: i64, agency: &str, service: &str, channel: &str) {
        self.usage
            .entry(usage_key(at, agency, service, channel))
            .or_default()[0] += 1;
    }

    /// An application submitted at `at`, from `county` when it said.
    pub fn submitted(
        &mut self,
        at: i64,
        agency: &str,
        service: &str,
        channel: &str,
        county: Option<&str>,
    ) {
        self.usage
            .entry(usage_key(at, agency, service, channel))
            .or_default()[1] += 1;
        self.county_of(at, agency, service, county)[0] += 1;
    }

    /// An application decided at `at`; `in_sla` when within its service's SLA.
    #[allow(clippy::too_many_arguments)]
    pub fn decided(
        &mut self,
        at: i64,
        agency: &str,
        service: &str,
        channel: &str,
        county: Option<&str>,
        decision: Decision,
        in_sla: bool,
    ) {
        let (slot, county_slot) = match decision {
            Decision::Completed => (2, 1),
            Decision::Rejected => (3, 2),
        };
        let row = self
            .usage
            .entry(usage_key(at, agency, service, channel))
            .or_default();
        row[slot] += 1;
        row[4] += i64::from(in_sla);
        self.county_of(at, agency, service, county)[county_slot] += 1;
    }

    /// A payment of `amount` received at `at` through `channel`; `became_paid` when it
    /// (first) made its bill paid.
    pub fn payment(
        &mut self,
        at: i64,
        agency: &str,
        service: &str,
        channel: &str,
        amount: Money,
        became_paid: bool,
    ) {
        let row = self
            .revenue
            .entry((
                day_of(at),
                agency.into(),
                service.into(),
                channel.into(),
                amount.currency().code().into(),
            ))
            .or_default();
        row[0] += 1;
        row[1] += i64::from(became_paid);
        row[2] += amount.minor();
    }

    fn county_of(
        &mut self,
        at: i64,
        agency: &str,
        service: &str,
        county: Option<&str>,
    ) -> &mut CountyCounts {
        self.county
            .entry((
                month_of(at),
                agency.into(),
                service.into(),
                county.unwrap_or_default().into(),
            ))
            .or_default()
    }

    /// Adds everything to the aggregates inside `tx` (multi-row upserts that add to what is
    /// there).
    pub async fn write(&self, tx: &mut sqlx::AnyConnection) -> Result<()> {
        add(
            tx,
            "insight_usage",
            &["day", "agency", "service", "channel"],
            &[
                "started",
                "submitted",
                "completed",
                "rejected",
                "decided_in_sla",
            ],
            &self.usage,
        )
        .await?;
        add(
            tx,
            "insight_usage_county",
            &["month", "agency", "service", "county"],
            &["submitted", "completed", "rejected"],
            &self.county,
        )
        .await?;
        add(
            tx,
            "insight_revenue",
            &["day", "agency", "service", "channel", "currency"],
            &["payments", "bills_paid", "amount"],
            &self.revenue,
        )
        .await
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// A tally row's key: its columns bound in order.
trait Key {
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q>;
}

impl Key for (String, String, String, String) {
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(&self.0).bind(&self.1).bind(&self.2).bind(&self.3)
    }
}

impl Key for (String, String, String, String, String) {
    fn bind<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        q.bind(&self.0)
            .bind(&self.1)
            .bind(&self.2)
            .bind(&self.3)
            .bind(&self.4)
    }
}

/// Adds `rows` to `table`: a row per key (columns `keys`), each of `counts` added to what
/// the row already holds.
async fn add<K: Key, const N: usize>(
    tx: &mut sqlx::AnyConnection,
    table: &str,
    keys: &[&str],
    counts: &[&str; N],
    rows: &BTreeMap<K, [i64; N]>,
) -> Result<()> {
    let backend = backend_of(tx);
    let sums: Vec<String> = counts
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let rows: Vec<_> = rows.iter().collect();
    for chunk in pow2_chunks(&rows) {
        let sql = format!(
            "INSERT INTO {table} ({}, {}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
            keys.join(", "),
            counts.join(", "),
            values_marks(backend, chunk.len(), keys.len() + N),
            keys.join(", "),
            sums.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (key, n) in chunk {
            q = key.bind(q);
            for v in n.iter() {
                q = q.bind(*v);
            }
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Services' SLAs (catalogue `sla_days`), looked up once per service.
#[derive(Debug, Default, Clone)]
pub struct Slas {
    known: HashMap<String, Option<u32>>,
}

impl Slas {
    /// Looks up, inside `tx`, the services of `services` not yet known.
    pub async fn load<'a>(
        &mut self,
        tx: &mut sqlx::AnyConnection,
        services: impl IntoIterator<Item = &'a str>,
    ) -> Result<()> {
        let mut missing: Vec<&str> = services
            .into_iter()
            .filter(|s| !self.known.contains_key(*s))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let backend = backend_of(tx);
        for chunk in pow2_chunks(&missing) {
            let sql = format!(
                "SELECT code, sla_days FROM services WHERE code IN ({})",
                lango_core::db::marks(backend, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, Option<i64>)>(&sql);
            for code in chunk {
                q = q.bind(*code);
            }
            for (code, days) in q.fetch_all(&mut *tx).await? {
                self.known
                    .insert(code, days.and_then(|d| u32::try_from(d).ok()));
            }
            // Not in the catalogue: no SLA to be late against.
            for code in chunk {
                self.known.entry((*code).to_string()).or_insert(None);
            }
        }
        Ok(())
    }

    /// Sets a service's SLA (tests of the pure parts).
    #[cfg(test)]
    pub(crate) fn insert_for_test(&mut self, service: &str, days: Option<u32>) {
        self.known.insert(service.into(), days);
    }

    /// Was an application of `service` submitted at `submitted_at` and decided at
    /// `decided_at` within the service's SLA? (Call [`Slas::load`] first.)
    pub fn in_sla(&self, service: &str, submitted_at: Option<i64>, decided_at: i64) -> bool {
        in_sla(
            self.known.get(service).copied().flatten(),
            submitted_at,
            decided_at,
        )
    }
}

/// Decided at or before `lango_cases::sla::due_at(submitted_at, sla_days)`. A service with no
/// SLA, or a decision whose submission time is not known, counts as in SLA: nothing says
/// it was late.
pub fn in_sla(sla_days: Option<u32>, submitted_at: Option<i64>, decided_at: i64) -> bool {
    match (sla_days, submitted_at) {
        (Some(days), Some(submitted)) => decided_at <= lango_cases::sla::due_at(submitted, days),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_core::clock::days_from_civil;
    use lango_core::money::Currency;

    /// Unix ms of `y-m-d h:00` East Africa Time.
    fn eat(y: i64, m: i64, d: i64, h: i64) -> i64 {
        days_from_civil(y, m, d) * 86_400_000 + (h - 3) * 3_600_000
    }

    #[test]
    fn counts_land_on_east_africa_days_and_months() {
        let mut t = Tally::default();
        // 23:30 UTC on 30 November is 1 December in Nairobi.
        let late = eat(2026, 12, 1, 2);
        t.started(late, "DIS", "DIS-PASSPORT", "online");
        t.submitted(late, "DIS", "DIS-PASSPORT", "online", Some("Nairobi"));
        t.submitted(late, "DIS", "DIS-PASSPORT", "online", None);
        t.decided(
            late,
            "DIS",
            "DIS-PASSPORT",
            "online",
            None,
            Decision::Rejected,
            false,
        );
        t.decided(
            late,
            "DIS",
            "DIS-PASSPORT",
            "online",
            None,
            Decision::Completed,
            true,
        );
        let key = (
            "2026-12-01".to_string(),
            "DIS".to_string(),
            "DIS-PASSPORT".to_string(),
            "online".to_string(),
        );
        assert_eq!(t.usage[&key], [1, 2, 1, 1, 1]);
        let nairobi = (
            "2026-12".to_string(),
            "DIS".into(),
            "DIS-PASSPORT".into(),
            "Nairobi".to_string(),
        );
        let unsaid = (
            "2026-12".to_string(),
            "DIS".into(),
            "DIS-PASSPORT".into(),
            String::new(),
        );
        assert_eq!(t.county[&nairobi], [1, 0, 0]);
        assert_eq!(t.county[&unsaid], [1, 1, 1]);
    }

    #[test]
    fn payments_sum_per_currency_and_count_bills_once() {
        let mut t = Tally::default();
        let at = eat(2026, 11, 23, 10);
        t.payment(
            at,
            "DIS",
            "DIS-PASSPORT",
            "mpesa",
            Money::from_minor(55_000, Currency::Kes),
            false,
        );
        t.payment(
            at,
            "DIS",
            "DIS-PASSPORT",
            "mpesa",
            Money::from_minor(50_000, Currency::Kes),
            true,
        );
        t.payment(
            at,
            "DIS",
            "DIS-PASSPORT",
            "mpesa",
            Money::from_minor(100, Currency::Usd),
            true,
        );
        let kes = (
            "2026-11-23".to_string(),
            "DIS".into(),
            "DIS-PASSPORT".into(),
            "mpesa".into(),
            "KES".to_string(),
        );
        assert_eq!(t.revenue[&kes], [2, 1, 105_000]);
        assert_eq!(t.revenue.len(), 2);
        assert!(!t.is_empty() && Tally::default().is_empty());
    }

    #[test]
    fn sla_is_working_days_from_submission() {
        // Friday 10:00 with a 1-day SLA is due Monday 10:00.
        let submitted = eat(2026, 11, 20, 10);
        assert!(in_sla(Some(1), Some(submitted), eat(2026, 11, 23, 10)));
        assert!(!in_sla(Some(1), Some(submitted), eat(2026, 11, 23, 11)));
        // No SLA, or no known submission: nothing says it was late.
        assert!(in_sla(None, Some(submitted), eat(2027, 1, 1, 0)));
        assert!(in_sla(Some(1), None, eat(2027, 1, 1, 0)));
    }
}
