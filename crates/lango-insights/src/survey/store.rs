//! The survey's SQL: invitations and their attempt windows, responses, and the
//! `insight_satisfaction` aggregate that every response adds to in its own transaction.

use super::model::{Answer, SurveyChannel};
use super::ATTRIBUTES;
use lango_core::Result;

/// The application a response is about.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub application_id: String,
    pub reference: String,
    pub agency: String,
    pub service: String,
}

/// Makes sure the application has an invitation row (the page may be answered before the
/// follower has invited anyone); the first write of the transaction.
pub(crate) async fn ensure_invitation(
    tx: &mut sqlx::AnyConnection,
    t: &Target,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO survey_invitations (application_id, reference, phone, invited_at, attempts, window_start) \
         VALUES ($1, $2, NULL, $3, 0, 0) ON CONFLICT (application_id) DO NOTHING",
    )
    .bind(&t.application_id)
    .bind(&t.reference)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Counts one attempt in the application's window of `window_ms` (a new window starts when
/// the last one is over) and returns the attempts in the current window, this one included.
/// The row stays locked (PostgreSQL) until the transaction ends, so concurrent answers to
/// one application are decided one after the other.
pub(crate) async fn count_attempt(
    tx: &mut sqlx::AnyConnection,
    application_id: &str,
    now: i64,
    window_ms: i64,
) -> Result<i64> {
    let attempts: i64 = sqlx::query_scalar(
        "UPDATE survey_invitations SET \
           attempts = CASE WHEN window_start <= $1 THEN 1 ELSE attempts + 1 END, \
           window_start = CASE WHEN window_start <= $1 THEN $2 ELSE window_start END \
         WHERE application_id = $3 RETURNING attempts",
    )
    .bind(now - window_ms)
    .bind(now)
    .bind(application_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok(attempts)
}

/// True when the application already has its response.
pub(crate) async fn answered(tx: &mut sqlx::AnyConnection, application_id: &str) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM survey_responses WHERE application_id = $1")
            .bind(application_id)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(found.is_some())
}

/// Stores the response and adds it to the aggregate; false (nothing written) when the
/// application already had one.
pub(crate) async fn insert_response(
    tx: &mut sqlx::AnyConnection,
    t: &Target,
    channel: SurveyChannel,
    a: &Answer,
    now: i64,
) -> Result<bool> {
    let flag = |v: Option<bool>| v.map(i64::from);
    let inserted = sqlx::query(
        "INSERT INTO survey_responses (application_id, reference, agency, service, channel, answered_at, \
         overall, access, affordability, effective, equal_treatment, timeliness, comment, sex, age_band, county) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (application_id) DO NOTHING",
    )
    .bind(&t.application_id)
    .bind(&t.reference)
    .bind(&t.agency)
    .bind(&t.service)
    .bind(channel.as_str())
    .bind(now)
    .bind(i64::from(a.overall.get()))
    .bind(flag(a.attributes[0]))
    .bind(flag(a.attributes[1]))
    .bind(flag(a.attributes[2]))
    .bind(flag(a.attributes[3]))
    .bind(flag(a.attributes[4]))
    .bind(a.comment.clone())
    .bind(a.sex)
    .bind(a.age_band)
    .bind(a.county)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    add_to_aggregate(tx, t, channel, a, now).await?;
    Ok(true)
}

/// The aggregate's count columns after the group key, in bind order.
fn count_columns() -> Vec<String> {
    let mut cols = vec![
        "responses".to_string(),
        "satisfied".into(),
        "overall_sum".into(),
    ];
    for (_, prefix) in ATTRIBUTES {
        cols.push(format!("{prefix}_n"));
        cols.push(format!("{prefix}_yes"));
    }
    cols
}

/// Adds one response to its group of `insight_satisfaction` (an upsert that adds).
async fn add_to_aggregate(
    tx: &mut sqlx::AnyConnection,
    t: &Target,
    channel: SurveyChannel,
    a: &Answer,
    now: i64,
) -> Result<()> {
    let counts = count_columns();
    let marks: Vec<String> = (8..8 + counts.len()).map(|i| format!("${i}")).collect();
    let adds: Vec<String> = counts
        .iter()
        .map(|c| format!("{c} = insight_satisfaction.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO insight_satisfaction (month, agency, service, channel, sex, age_band, county, {}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, {}) \
         ON CONFLICT (month, agency, service, channel, sex, age_band, county) DO UPDATE SET {}",
        counts.join(", "),
        marks.join(", "),
        adds.join(", ")
    );
    let mut q = sqlx::query(&sql)
        .bind(crate::month_of(now))
        .bind(&t.agency)
        .bind(&t.service)
        .bind(channel.as_str())
        .bind(a.sex.unwrap_or(""))
        .bind(a.age_band.unwrap_or(""))
        .bind(a.county.unwrap_or(""))
        .bind(1_i64)
        .bind(i64::from(a.overall.satisfied()))
        .bind(i64::from(a.overall.get()));
    for v in a.attributes {
        q = q
            .bind(i64::from(v.is_some()))
            .bind(i64::from(v == Some(true)));
    }
    q.execute(&mut *tx).await?;
    Ok(())
}
