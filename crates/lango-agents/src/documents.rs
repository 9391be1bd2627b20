//! The documents an application to become an agent carries, for platform staff to vet:
//! the county business permit and the owner's identity document. Both are required; each
//! is checked on its content (PDF, JPEG or PNG, at most [`MAX_KB`]) and kept in the
//! document store, readable by platform staff and by the agent's own people.

use lango_cases::definition::FileAnswer;
use lango_cases::service::Refusal;
use lango_core::{Error, Result};
use lango_identity::model::Problems;
use sqlx::Row;

/// The kinds of document an application carries, each its form field's name.
pub const KINDS: [&str; 2] = ["permit_file", "id_file"];

/// Largest document accepted, KiB.
pub const MAX_KB: u32 = 5_120;

/// The kinds of content accepted.
pub fn accept() -> Vec<String> {
    ["pdf", "jpeg", "png"].map(String::from).to_vec()
}

/// A stored document of an agent's application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// One of [`KINDS`].
    pub kind: String,
    /// The stored file.
    pub file: FileAnswer,
    /// When it was uploaded, unix ms.
    pub uploaded_at: i64,
}

/// The problems of an application's files: each kind sent, none refused by the store.
/// `sent` holds the kinds that came with bytes; `refused` the kinds the store refused.
pub fn problems(sent: &[&str], refused: &[(&'static str, Refusal)]) -> Problems {
    let mut p = Problems::default();
    for kind in KINDS {
        if let Some((_, why)) = refused.iter().find(|(k, _)| *k == kind) {
            p.add(kind, refusal_code(why));
        } else if !sent.contains(&kind) {
            p.add(kind, "agent_file_missing");
        }
    }
    p
}

/// The words of a refused file.
pub fn refusal_code(why: &Refusal) -> &'static str {
    match why {
        Refusal::Empty => "agent_file_missing",
        Refusal::TooLarge { .. } => "agent_file_too_large",
        Refusal::WrongType => "agent_file_wrong_type",
    }
}

/// The kind `field` names, as the static name [`KINDS`] holds.
pub fn kind(field: &str) -> Option<&'static str> {
    KINDS.into_iter().find(|k| *k == field)
}

/// Records `files` (kind, stored file) for agent `code`, in the application's transaction.
pub(crate) async fn attach(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    files: &[(&'static str, FileAnswer)],
    by: &str,
    at: i64,
) -> Result<()> {
    for (kind, f) in files {
        sqlx::query(
            "INSERT INTO agent_documents (id, agent_code, kind, name, content_type, size, sha256, \
             uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&f.id)
        .bind(code)
        .bind(*kind)
        .bind(&f.name)
        .bind(&f.content_type)
        .bind(f.size as i64)
        .bind(&f.sha256)
        .bind(by)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn document_of(r: &sqlx::any::AnyRow) -> Result<Document> {
    Ok(Document {
        kind: r.try_get("kind")?,
        file: FileAnswer {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            content_type: r.try_get("content_type")?,
            size: r.try_get::<i64, _>("size")?.max(0) as u64,
            sha256: r.try_get("sha256")?,
        },
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

const COLUMNS: &str = "id, kind, name, content_type, size, sha256, uploaded_at";

/// The documents of agent `code` (the caller has checked the reader may see the agent).
pub async fn of(db: &lango_core::db::Db, code: &str) -> Result<Vec<Document>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agent_documents WHERE agent_code = $1 ORDER BY kind DESC"
    ))
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(document_of).collect()
}

/// Document `id` of agent `code` (the caller has checked the reader may see the agent).
pub async fn one(db: &lango_core::db::Db, code: &str, id: &str) -> Result<Document> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agent_documents WHERE agent_code = $1 AND id = $2"
    ))
    .bind(code)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| Error::NotFound("document".into()))?;
    document_of(&row)
}

/// Records in the audit log that `actor` read document `d` of agent `code`.
pub async fn record_reading(
    db: &lango_core::db::Db,
    actor: &lango_identity::policy::Actor,
    code: &str,
    d: &Document,
) -> Result<()> {
    lango_core::audit::record(
        db,
        lango_core::audit::Entry {
            actor: &lango_identity::account::actor_label(actor),
            action: "agent.document_read",
            object: &format!("agent:{code}"),
            subject: "",
            detail: &format!("{} ({})", d.kind, d.file.name),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_required_and_a_refusal_is_named() {
        let p = problems(&[], &[]);
        assert_eq!(p.0.len(), 2);
        assert!(p.0.iter().all(|x| x.code == "agent_file_missing"));
        let p = problems(
            &["permit_file", "id_file"],
            &[("id_file", Refusal::WrongType)],
        );
        assert_eq!(p.0.len(), 1);
        assert_eq!(
            (p.0[0].field, p.0[0].code),
            ("id_file", "agent_file_wrong_type")
        );
        assert!(problems(&KINDS, &[]).0.is_empty());
        assert_eq!(kind("id_file"), Some("id_file"));
        assert_eq!(kind("other"), None);
    }
}
