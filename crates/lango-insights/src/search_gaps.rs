//! What people search for and do not find: searches with no or few results, counted in
//! memory per normalised query and written to `insight_search_gaps` every few seconds (a
//! search never waits for a write).
//!
//! Privacy: a query holding a run of five or more digits (an ID or phone number, a
//! reference) is never kept, and only queries searched at least [`PUBLISH_MIN`] times in a
//! range are published.

use crate::open_data::{Cell, Column, Dataset, Filter, Kind};
use crate::{day_of, Insights};
use lango_core::clock::now_ms;
use lango_core::db::{backend_of, pow2_chunks, values_marks};
use lango_core::Result;
use std::collections::HashMap;
use std::sync::Mutex;

/// A search with at most this many results is a gap.
pub const FEW_RESULTS: u64 = 2;
/// Fewest searches of a query in a range for it to be published.
pub const PUBLISH_MIN: i64 = 3;
/// Longest query kept, in characters (longer ones are cut).
pub const QUERY_MAX: usize = 100;
/// Most distinct queries held between flushes: beyond, new ones are dropped (a flood of
/// random queries cannot grow memory without bound).
const PENDING_MAX: usize = 10_000;

/// Searches counted since the last flush: (day, query) → (searches, most results seen).
#[derive(Debug, Default)]
pub struct Recorder {
    pending: Mutex<HashMap<(String, String), (i64, i64)>>,
}

/// A query people searched for and found little or nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    /// The query, normalised (trimmed, lower case, single spaces).
    pub query: String,
    /// How many times it was searched.
    pub searches: i64,
    /// The most results any of those searches found.
    pub results: i64,
}

/// The search gaps dataset.
pub const DATASET: Dataset = Dataset {
    name: "search_gaps",
    title: "Searches that found little or nothing",
    description: "One row per day (the country's time) and query for searches of the catalogue \
        that found at most two services. Queries are normalised (lower case, single spaces, \
        at most 100 characters); a query with five or more digits in a row is never kept, and \
        only queries searched at least three times in the range asked are published.",
    columns: &[
        Column {
            name: "day",
            kind: Kind::Date,
            meaning: "The day of the searches",
        },
        Column {
            name: "query",
            kind: Kind::Text,
            meaning: "What people searched for, normalised",
        },
        Column {
            name: "searches",
            kind: Kind::Integer,
            meaning: "How many times it was searched that day",
        },
        Column {
            name: "results",
            kind: Kind::Integer,
            meaning: "The most services any of those searches found (0, 1 or 2)",
        },
    ],
};

/// `query` as it is counted: trimmed, lower case, spaces collapsed, at most
/// [`QUERY_MAX`] characters; `None` when empty or when it holds five or more digits in a
/// row (never stored).
pub fn normalise(query: &str) -> Option<String> {
    let mut run = 0;
    for c in query.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 5 {
            return None;
        }
    }
    let joined = query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let cut: String = joined.chars().take(QUERY_MAX).collect();
    let cut = cut.trim_end().to_string();
    (!cut.is_empty()).then_some(cut)
}

impl Recorder {
    /// Counts one search of `query` that found `results` services, on `day`.
    fn record(&self, day: String, query: &str, results: u64) {
        if results > FEW_RESULTS {
            return;
        }
        let Some(query) = normalise(query) else {
            return;
        };
        let results = results as i64;
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let key = (day, query);
        if let Some((searches, most)) = pending.get_mut(&key) {
            *searches += 1;
            *most = (*most).max(results);
        } else if pending.len() < PENDING_MAX {
            pending.insert(key, (1, results));
        }
    }

    /// Takes everything counted so far.
    fn take(&self) -> HashMap<(String, String), (i64, i64)> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts back counts that could not be written, added to any counted meanwhile.
    fn restore(&self, counts: HashMap<(String, String), (i64, i64)>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for (key, (searches, results)) in counts {
            let slot = pending.entry(key).or_insert((0, 0));
            slot.0 += searches;
            slot.1 = slot.1.max(results);
        }
    }
}

impl Insights {
    /// Counts a catalogue search of `query` that found `results` services (kept only when
    /// it found few). In memory: it never waits for the database.
    pub fn record_search(&self, query: &str, results: u64) {
        self.gaps.record(day_of(now_ms()), query, results);
    }

    /// Writes the searches counted since the last flush.
    pub async fn flush_search_gaps(&self) -> Result<()> {
        let counts = self.gaps.take();
        if counts.is_empty() {
            return Ok(());
        }
        match write(self, &counts).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.gaps.restore(counts);
                Err(e)
            }
        }
    }

    /// The queries searched at least [`PUBLISH_MIN`] times on the days `from..=to` that
    /// found at most two services, most searched first (at most `limit`).
    pub async fn search_gaps(&self, from: &str, to: &str, limit: i64) -> Result<Vec<Gap>> {
        crate::usage::range::check_days(from, to)?;
        let rows = sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT query, CAST(SUM(searches) AS BIGINT) AS searches, MAX(results) AS results \
             FROM insight_search_gaps WHERE day >= $1 AND day <= $2 GROUP BY query \
             HAVING SUM(searches) >= $3 ORDER BY searches DESC, query LIMIT $4",
        )
        .bind(from)
        .bind(to)
        .bind(PUBLISH_MIN)
        .bind(limit.clamp(0, 1000))
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(query, searches, results)| Gap {
                query,
                searches,
                results,
            })
            .collect())
    }
}

async fn write(insights: &Insights, counts: &HashMap<(String, String), (i64, i64)>) -> Result<()> {
    let mut rows: Vec<_> = counts.iter().collect();
    // Sorted: two nodes flushing at once lock rows in the same order.
    rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut tx = insights.db.pool().begin().await?;
    let backend = backend_of(&tx);
    for chunk in pow2_chunks(&rows) {
        let sql = format!(
            "INSERT INTO insight_search_gaps (day, query, searches, results) VALUES {} \
             ON CONFLICT (day, query) DO UPDATE SET \
             searches = insight_search_gaps.searches + excluded.searches, \
             results = CASE WHEN insight_search_gaps.results > excluded.results \
             THEN insight_search_gaps.results ELSE excluded.results END",
            values_marks(backend, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for ((day, query), (searches, results)) in chunk {
            q = q.bind(day).bind(query).bind(*searches).bind(*results);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The dataset's rows: per day, the queries searched at least [`PUBLISH_MIN`] times in the
/// filter's range.
pub(crate) async fn rows(insights: &Insights, filter: &Filter) -> Result<Vec<Vec<Cell>>> {
    let (clause, binds) = crate::usage::where_clause(filter, "day", false, &[]);
    // The inner query reuses the outer one's numbered placeholders (the same range).
    let sql = format!(
        "SELECT day, query, searches, results FROM insight_search_gaps{clause} {} query IN \
         (SELECT query FROM insight_search_gaps{clause} GROUP BY query HAVING SUM(searches) >= ${}) \
         ORDER BY day, query",
        if clause.is_empty() { "WHERE" } else { "AND" },
        binds.len() + 1
    );
    let mut q = sqlx::query_as::<_, (String, String, i64, i64)>(&sql);
    for b in &binds {
        q = q.bind(b.clone());
    }
    q = q.bind(PUBLISH_MIN);
    Ok(q.fetch_all(insights.db.pool())
        .await?
        .into_iter()
        .map(|(day, query, searches, results)| {
            vec![
                Cell::Text(day),
                Cell::Text(query),
                Cell::Int(searches),
                Cell::Int(results),
            ]
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_normalised_and_numbers_never_kept() {
        assert_eq!(
            normalise("  Dog   LICENCE\t").as_deref(),
            Some("dog licence")
        );
        assert_eq!(normalise("   "), None);
        assert_eq!(normalise("status of 12345678"), None, "an ID number");
        assert_eq!(normalise("+254 712345678"), None, "a phone number");
        assert_eq!(normalise("form 1234").as_deref(), Some("form 1234"));
        assert_eq!(normalise("a1b2c3d4e5").as_deref(), Some("a1b2c3d4e5"));
        let long = "x".repeat(300);
        assert_eq!(normalise(&long).map(|q| q.chars().count()), Some(QUERY_MAX));
        assert_eq!(
            normalise("LESENI YA MBWA").as_deref(),
            Some("leseni ya mbwa")
        );
    }

    #[test]
    fn only_searches_with_few_results_are_counted() {
        let r = Recorder::default();
        let day = "2026-11-23".to_string();
        r.record(day.clone(), "Dog licence", 0);
        r.record(day.clone(), "dog  licence", 2);
        r.record(day.clone(), "passport", 40);
        r.record(day.clone(), "id 1234567", 0);
        let counts = r.take();
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[&(day.clone(), "dog licence".to_string())], (2, 2));
        assert!(r.take().is_empty(), "taken");
        r.restore(counts);
        r.record(day.clone(), "dog licence", 1);
        assert_eq!(r.take()[&(day, "dog licence".to_string())], (3, 2));
    }
}
