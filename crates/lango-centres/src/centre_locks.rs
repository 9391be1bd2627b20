//! On PostgreSQL, a transaction that writes a centre's contended rows (its slots, the day's
//! places, ticket numbers, its tickets) first takes the centre's advisory lock, all of its
//! centres in one order. Two nodes' writers at one centre then take turns there, where each
//! taking the centre's rows in its own order deadlocked the other (PostgreSQL ends a
//! deadlock after a second by failing one of them). Nothing to do on SQLite, whose one
//! writer at a time never deadlocks.

use lango_core::db::{backend_of, Backend};
use lango_core::{Error, Result};

/// The advisory locks' class ("QU").
const CLASS: i32 = 0x5155;

/// Takes the locks of `centres` (codes, in any order, repeats allowed) until `tx` ends;
/// on SQLite the codes are not even gathered (the queue committer's every group calls this).
pub(crate) async fn lock<'a>(
    tx: &mut sqlx::AnyConnection,
    centres: impl IntoIterator<Item = &'a str>,
) -> Result<()> {
    if backend_of(tx) != Backend::Postgres {
        return Ok(());
    }
    let centres: Vec<&str> = centres.into_iter().collect();
    let centres = serde_json::to_string(&centres).map_err(|e| Error::Internal(e.to_string()))?;
    sqlx::query(
        "SELECT COUNT(pg_advisory_xact_lock($1, k)) FROM (SELECT DISTINCT hashtext(c) AS k \
         FROM json_array_elements_text(CAST($2 AS json)) AS c ORDER BY k) AS centres",
    )
    .bind(CLASS)
    .bind(centres)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
