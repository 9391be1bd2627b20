//! Sample monthly costs for a demo's synthetic history, so that cost per transaction has
//! figures in the demo: each agency, for each month it completed applications in, a cost
//! for the agency as a whole of a fixed rate (drawn from its code, KSh 250–1,249 or the
//! like in the given currency) per completion plus a month's fixed running cost.

use lango_core::db::Db;
use lango_core::money::Currency;
use lango_core::Result;

/// Who the sample costs say entered them.
pub const SAMPLE_ENTERED_BY: &str = "sample-data";

/// Writes a sample cost per agency and month with completions in the usage aggregates,
/// keeping any cost already entered; returns how many it wrote. Refused (`Forbidden`)
/// unless the database is marked as a demo or test database.
pub async fn sample_costs(db: &Db, currency: Currency) -> Result<u64> {
    lango_core::sample_data::require(db).await?;
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT agency, SUBSTR(day, 1, 7) AS month, CAST(SUM(completed) AS BIGINT) AS completed \
         FROM insight_usage GROUP BY agency, SUBSTR(day, 1, 7)",
    )
    .fetch_all(db.pool())
    .await?;
    let now = lango_core::clock::now_ms();
    let mut tx = db.pool().begin().await?;
    let mut written = 0;
    for (agency, month, completed) in rows.into_iter().filter(|r| r.2 > 0) {
        let rate = 250 + agency.bytes().map(u64::from).sum::<u64>() as i64 % 1000;
        let minor = (completed * rate + 40_000) * 100;
        written += sqlx::query(
            "INSERT INTO insight_costs (agency, service, month, amount, currency, note, entered_by, entered_at) \
             VALUES ($1, '', $2, $3, $4, $5, $6, $7) ON CONFLICT (agency, service, month) DO NOTHING",
        )
        .bind(&agency)
        .bind(&month)
        .bind(minor)
        .bind(currency.code())
        .bind("Sample data: not a real agency's cost")
        .bind(SAMPLE_ENTERED_BY)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(written)
}
