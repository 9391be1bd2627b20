//! The cases room's SQL for applications: reading rows into [`Application`]s, writing
//! transitions and messages. Operations (with their policy checks) live in `service`.

use crate::application::{Application, Message, Transition};
use crate::definition::FileAnswer;
use lango_core::{Error, Result};
use sqlx::Row;

/// The columns [`application_of`] reads.
pub const COLUMNS: &str =
    "id, reference, service, version, agency, applicant, applicant_name, business, \
    state, queued, awaiting_payment, answers, assigned_to, bill_reference, channel, created_at, \
    submitted_at, state_since, due_at, revision";

/// [`COLUMNS`] without the answers (read as `{}`): a queue page shows none, and reading and
/// parsing every row's answers was most of its cost.
pub const QUEUE_COLUMNS: &str =
    "id, reference, service, version, agency, applicant, applicant_name, business, \
    state, queued, awaiting_payment, '{}' AS answers, assigned_to, bill_reference, channel, created_at, \
    submitted_at, state_since, due_at, revision";

/// Reads one `applications` row selected with [`COLUMNS`].
pub fn application_of(row: &sqlx::any::AnyRow) -> Result<Application> {
    let answers: String = row.try_get("answers")?;
    let answers = match serde_json::from_str::<serde_json::Value>(&answers) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(Error::Internal("stored answers are not an object".into())),
    };
    Ok(Application {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        service: row.try_get("service")?,
        agency: row.try_get("agency")?,
        version: row.try_get("version")?,
        applicant: row.try_get("applicant")?,
        applicant_name: row.try_get("applicant_name")?,
        business: row.try_get("business")?,
        state: row.try_get("state")?,
        answers,
        assigned_to: row.try_get("assigned_to")?,
        bill_reference: row.try_get("bill_reference")?,
        channel: row
            .try_get::<String, _>("channel")?
            .parse()
            .map_err(|_| Error::Internal("stored channel is not a channel".into()))?,
        created_at: row.try_get("created_at")?,
        submitted_at: row.try_get("submitted_at")?,
        state_since: row.try_get("state_since")?,
        due_at: row.try_get("due_at")?,
        revision: row.try_get("revision")?,
        open: row.try_get::<i64, _>("queued")? == 1,
        awaiting_payment: row.try_get::<i64, _>("awaiting_payment")? == 1,
    })
}

/// An application by its reference (canonical form).
pub async fn by_reference(
    conn: &mut sqlx::AnyConnection,
    reference: &str,
) -> Result<Option<Application>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM applications WHERE reference = $1"
    ))
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(application_of).transpose()
}

/// One transition to record.
#[derive(Debug, Clone)]
pub struct NewTransition<'a> {
    /// The application.
    pub application_id: &'a str,
    /// Its revision after the step (orders the history; unique per application).
    pub seq: i64,
    /// The agency (for the supervisor's counts).
    pub agency: &'a str,
    /// The step.
    pub transition: &'a Transition,
}

/// Records transitions with multi-row statements.
pub async fn insert_transitions(
    conn: &mut sqlx::AnyConnection,
    rows: &[NewTransition<'_>],
) -> Result<()> {
    for chunk in lango_core::db::pow2_chunks(rows) {
        let sql = format!(
            "INSERT INTO application_transitions (application_id, seq, agency, at, actor, actor_name, \
             from_state, to_state, action, reason) VALUES {}",
            lango_core::db::values_list(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            let t = r.transition;
            q = q
                .bind(r.application_id)
                .bind(r.seq)
                .bind(r.agency)
                .bind(t.at)
                .bind(&t.actor)
                .bind(&t.actor_name)
                .bind(&t.from)
                .bind(&t.to)
                .bind(&t.action)
                .bind(&t.reason);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// An application's history, oldest first.
pub async fn transitions(
    conn: &mut sqlx::AnyConnection,
    application_id: &str,
) -> Result<Vec<Transition>> {
    let rows = sqlx::query(
        "SELECT at, actor, actor_name, from_state, to_state, action, reason \
         FROM application_transitions WHERE application_id = $1 ORDER BY seq",
    )
    .bind(application_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Transition {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                actor_name: r.try_get("actor_name")?,
                from: r.try_get("from_state")?,
                to: r.try_get("to_state")?,
                action: r.try_get("action")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Stores a message.
pub async fn insert_message(
    conn: &mut sqlx::AnyConnection,
    application_id: &str,
    author_id: &str,
    message: &Message,
) -> Result<()> {
    let documents =
        serde_json::to_string(&message.documents).map_err(|e| Error::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO application_messages (id, application_id, at, from_applicant, author_id, author, body, documents) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(application_id)
    .bind(message.at)
    .bind(i64::from(message.from_applicant))
    .bind(author_id)
    .bind(&message.author)
    .bind(&message.body)
    .bind(documents)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An application's messages, oldest first.
pub async fn messages(
    conn: &mut sqlx::AnyConnection,
    application_id: &str,
) -> Result<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT at, from_applicant, author, body, documents FROM application_messages \
         WHERE application_id = $1 ORDER BY at, id",
    )
    .bind(application_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let documents: String = r.try_get("documents")?;
            Ok(Message {
                at: r.try_get("at")?,
                from_applicant: r.try_get::<i64, _>("from_applicant")? == 1,
                author: r.try_get("author")?,
                body: r.try_get("body")?,
                documents: serde_json::from_str::<Vec<FileAnswer>>(&documents).unwrap_or_default(),
            })
        })
        .collect()
}

/// The display name of an account (given and family name), or `None` when unknown.
pub async fn account_name(conn: &mut sqlx::AnyConnection, account: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT given_name, family_name FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        let given: String = r.try_get("given_name")?;
        let family: String = r.try_get("family_name")?;
        Ok(format!("{given} {family}").trim().to_string())
    })
    .transpose()
}

/// An account's name, phone and e-mail (the payer of its bills).
pub async fn account_contacts(
    conn: &mut sqlx::AnyConnection,
    account: &str,
) -> Result<Option<(String, String, String)>> {
    let row =
        sqlx::query("SELECT given_name, family_name, phone, email FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|r| {
        let given: String = r.try_get("given_name")?;
        let family: String = r.try_get("family_name")?;
        Ok((
            format!("{given} {family}").trim().to_string(),
            r.try_get::<Option<String>, _>("phone")?.unwrap_or_default(),
            r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
        ))
    })
    .transpose()
}
