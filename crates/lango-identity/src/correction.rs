//! Requests to correct personal data (Data Protection Act, 2019, s. 26 and s. 40): a person
//! says what is wrong, the request is kept for staff with a reference the person can quote,
//! and the audit log records it in the same transaction.

use crate::model::{parse_text, Problems};
use crate::policy::{check, Action, Actor, Object};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;
use rand::Rng;
use sqlx::Row;

/// What a request may be about; the page offers these, in this order.
pub const TOPICS: [&str; 6] = [
    "name",
    "date_of_birth",
    "id_number",
    "contact",
    "application",
    "other",
];

/// Longest description accepted.
pub const DETAILS_MAX: usize = 2000;

/// The form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CorrectionForm {
    /// One of [`TOPICS`].
    #[serde(default)]
    pub topic: String,
    /// What is wrong and what it should say.
    #[serde(default)]
    pub details: String,
}

/// A stored request.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CorrectionRequest {
    /// The reference the person quotes, e.g. `C7K3M9QX`.
    pub reference: String,
    /// One of [`TOPICS`].
    pub topic: String,
    /// What the person wrote.
    pub details: String,
    /// `open` until staff have dealt with it.
    pub status: String,
    /// When it was made (unix ms).
    pub created_at: i64,
}

/// Symbols without look-alikes (as application and bill references).
const ALPHABET: &[u8; 29] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";

/// A new reference: `C` and seven symbols, so it is never taken for an application's or a
/// bill's.
fn new_reference(rng: &mut impl Rng) -> String {
    std::iter::once('C')
        .chain((0..7).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char))
        .collect()
}

/// Records `account_id`'s request, or says what is wrong with the form (nothing is stored
/// then). Only the person (or whoever may edit their account) may ask.
pub async fn request(
    db: &Db,
    actor: &Actor,
    account_id: &str,
    form: &CorrectionForm,
) -> Result<std::result::Result<CorrectionRequest, Problems>> {
    check(actor, Action::Edit, Object::Account(account_id))?;
    let mut p = Problems::default();
    if !TOPICS.contains(&form.topic.as_str()) {
        p.add("topic", "choose_one");
    }
    let details = p.take(parse_text("details", &form.details, DETAILS_MAX));
    if details.as_deref() == Some("") {
        p.add("details", "required");
    }
    let Some(details) = details.filter(|_| p.is_empty()) else {
        return Ok(Err(p));
    };
    let req = CorrectionRequest {
        reference: new_reference(&mut rand::thread_rng()),
        topic: form.topic.clone(),
        details,
        status: "open".into(),
        created_at: now_ms(),
    };
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO correction_requests (id, reference, account_id, topic, details, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&req.reference)
    .bind(account_id)
    .bind(&req.topic)
    .bind(&req.details)
    .bind(&req.status)
    .bind(req.created_at)
    .execute(&mut *tx)
    .await?;
    crate::account::audit_by(
        &mut tx,
        actor,
        "correction.request",
        &format!("correction:{}", req.reference),
        account_id,
        &req.topic,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(req))
}

/// The requests `account_id` has made, newest first (for their data download).
pub async fn of_account(db: &Db, account_id: &str) -> Result<Vec<CorrectionRequest>> {
    let rows = sqlx::query(
        "SELECT reference, topic, details, status, created_at FROM correction_requests \
         WHERE account_id = $1 ORDER BY created_at DESC, reference",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CorrectionRequest {
                reference: r.try_get("reference")?,
                topic: r.try_get("topic")?,
                details: r.try_get("details")?,
                status: r.try_get("status")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// One request of `account_id` by its reference (the confirmation page), if theirs.
pub async fn get(db: &Db, account_id: &str, reference: &str) -> Result<Option<CorrectionRequest>> {
    Ok(of_account(db, account_id)
        .await?
        .into_iter()
        .find(|r| r.reference == reference))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_start_with_c_and_use_the_plain_symbols() {
        let mut rng = rand::thread_rng();
        for _ in 0..100 {
            let r = new_reference(&mut rng);
            assert_eq!(r.len(), 8);
            assert!(r.starts_with('C'));
            assert!(r[1..].bytes().all(|b| ALPHABET.contains(&b)), "{r}");
        }
    }
}
