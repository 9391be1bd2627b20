//! Requests to correct personal data (Data Protection Act, 2019, s. 26 and s. 40): a person
//! says what is wrong, the request is kept for staff with a reference the person can quote,
//! and the audit log records it in the same transaction. Platform staff answer it (corrected
//! or declined, with what they tell the person), and the person is told by their channels.

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
    /// `open` until staff have dealt with it, then `corrected` or `declined`.
    pub status: String,
    /// When it was made (unix ms).
    pub created_at: i64,
    /// What staff told the person, once answered.
    pub answer: Option<String>,
}

/// How staff answer; the answer page offers these, in this order.
pub const OUTCOMES: [&str; 2] = ["corrected", "declined"];

/// Longest answer accepted (it is sent by SMS too, so kept short).
pub const ANSWER_MAX: usize = 300;

/// Staff's answer as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AnswerForm {
    /// One of [`OUTCOMES`].
    #[serde(default)]
    pub outcome: String,
    /// What the person is told: what was corrected, or why not.
    #[serde(default)]
    pub answer: String,
}

/// A request as staff see it: whose it is.
#[derive(Debug, Clone)]
pub struct StaffView {
    /// The request.
    pub request: CorrectionRequest,
    /// The person's account.
    pub account_id: String,
    /// Their name.
    pub name: String,
}

/// A new reference: `C`, six symbols and a check character (the scheme of every reference),
/// so it is never taken for an application's (`A`, nine) or a bill's (eight).
fn new_reference(rng: &mut impl Rng) -> String {
    lango_core::reference::generate(rng, "C", 6)
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
        answer: None,
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

const COLUMNS: &str = "reference, topic, details, status, created_at, answer, account_id";

fn request_of(r: &sqlx::any::AnyRow) -> Result<CorrectionRequest> {
    Ok(CorrectionRequest {
        reference: r.try_get("reference")?,
        topic: r.try_get("topic")?,
        details: r.try_get("details")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        answer: r.try_get("answer")?,
    })
}

/// The requests `account_id` has made, newest first (for their data download).
pub async fn of_account(db: &Db, account_id: &str) -> Result<Vec<CorrectionRequest>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM correction_requests WHERE account_id = $1 \
         ORDER BY created_at DESC, reference"
    ))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(request_of).collect()
}

/// One request of `account_id` by its reference (the confirmation page), if theirs.
pub async fn get(db: &Db, account_id: &str, reference: &str) -> Result<Option<CorrectionRequest>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM correction_requests WHERE account_id = $1 AND reference = $2"
    ))
    .bind(account_id)
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(request_of).transpose()
}

/// The requests still open, oldest first (staff answer within 14 days): for platform staff.
pub async fn open(db: &Db, actor: &Actor) -> Result<Vec<StaffView>> {
    check(actor, Action::View, Object::Platform)?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM correction_requests WHERE status = 'open' \
         ORDER BY created_at, reference LIMIT 500"
    ))
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let account_id: String = r.try_get("account_id")?;
        let name = crate::account::get(db, &account_id).await?.display_name();
        out.push(StaffView {
            request: request_of(r)?,
            account_id,
            name,
        });
    }
    Ok(out)
}

/// One request by its reference, for platform staff.
pub async fn for_staff(db: &Db, actor: &Actor, reference: &str) -> Result<Option<StaffView>> {
    check(actor, Action::View, Object::Platform)?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM correction_requests WHERE reference = $1"
    ))
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let account_id: String = r.try_get("account_id")?;
    let name = crate::account::get(db, &account_id).await?.display_name();
    Ok(Some(StaffView {
        request: request_of(&r)?,
        account_id,
        name,
    }))
}

/// Answers request `reference` (platform staff): records the outcome and the answer, writes
/// the audit record and tells the person by their channels, in one transaction; or says what
/// is wrong with the form (nothing is stored then). An answered request is a conflict.
pub async fn answer(
    db: &Db,
    actor: &Actor,
    reference: &str,
    form: &AnswerForm,
) -> Result<std::result::Result<(), Problems>> {
    check(actor, Action::Edit, Object::Platform)?;
    let mut p = Problems::default();
    if !OUTCOMES.contains(&form.outcome.as_str()) {
        p.add("outcome", "choose_one");
    }
    let answer = p.take(parse_text("answer", &form.answer, ANSWER_MAX));
    if answer.as_deref() == Some("") {
        p.add("answer", "required");
    }
    let Some(answer) = answer.filter(|_| p.is_empty()) else {
        return Ok(Err(p));
    };
    let Some(view) = for_staff(db, actor, reference).await? else {
        return Err(lango_core::Error::NotFound("correction request".into()));
    };
    let person = crate::account::get(db, &view.account_id).await?;
    let mut tx = db.pool().begin().await?;
    let updated = sqlx::query(
        "UPDATE correction_requests SET status = $1, answer = $2, answered_by = $3, \
         answered_at = $4 WHERE reference = $5 AND status = 'open'",
    )
    .bind(&form.outcome)
    .bind(&answer)
    .bind(crate::account::actor_label(actor))
    .bind(now_ms())
    .bind(reference)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(lango_core::Error::Conflict(
            "this request has already been answered".into(),
        ));
    }
    crate::account::audit_by(
        &mut tx,
        actor,
        "correction.answer",
        &format!("correction:{reference}"),
        &view.account_id,
        &form.outcome,
    )
    .await?;
    let values =
        std::collections::HashMap::from([("reference", reference), ("answer", answer.as_str())]);
    lango_notify::notify(
        &mut tx,
        &crate::messages::recipient(&person),
        "correction.answered",
        &values,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_start_with_c_and_carry_a_check_character() {
        let mut rng = rand::thread_rng();
        for _ in 0..100 {
            let r = new_reference(&mut rng);
            assert_eq!(r.len(), 8);
            assert_eq!(lango_core::reference::parse(&r, "C", 8), Ok(r.clone()));
        }
    }
}
