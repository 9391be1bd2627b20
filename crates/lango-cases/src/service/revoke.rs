//! An agency withdraws a document it issued: the revocation is kept with its reason, named
//! in the trust list at once (so offline verifiers learn it) and on the public verify page,
//! and audited.

use super::Cases;
use lango_core::audit::{self, Entry};
use lango_core::{Error, Result};
use lango_identity::policy::{check, Action, Actor, Object};

/// Longest reason accepted (it is published in the trust list).
pub const REASON_MAX: usize = 300;

/// A document as revoking reads it: its agency, its title and its application's reference
/// (absent for a document an agency's system signed).
type Revocable = (Option<String>, String, Option<String>);

/// A document's revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// The document.
    pub number: String,
    /// Why.
    pub reason: String,
    /// When, unix ms.
    pub revoked_at: i64,
}

impl Cases {
    /// Revokes document `number` for `actor` (its agency's system with `documents:write`, or
    /// its agency's administrator). Another agency's document is as good as absent. A second
    /// revocation keeps the first, and answers it.
    pub async fn revoke_document(
        &self,
        actor: &Actor,
        number: &str,
        reason: &str,
    ) -> Result<Revoked> {
        let number = number.trim().to_ascii_uppercase();
        let row: Option<Revocable> = sqlx::query_as(
            "SELECT COALESCE(i.agency, a.agency), i.title, a.reference FROM issued i \
             LEFT JOIN applications a ON a.id = i.application_id WHERE i.number = $1",
        )
        .bind(&number)
        .fetch_optional(self.db.pool())
        .await?;
        let not_found = || Error::NotFound("document".into());
        let (agency, title, reference) = row.ok_or_else(not_found)?;
        let agency = agency.ok_or_else(not_found)?;
        check(actor, Action::View, Object::Documents(&agency)).map_err(|_| not_found())?;
        check(actor, Action::Edit, Object::Documents(&agency))?;
        let reason = reason.trim();
        if reason.is_empty()
            || reason.chars().count() > REASON_MAX
            || reason.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "reason",
                format!("give the reason in 1 to {REASON_MAX} characters, on one line"),
            ));
        }
        let by = lango_identity::account::actor_label(actor);
        let mut tx = self.db.pool().begin().await?;
        let now = lango_core::clock::now_ms();
        let made = sqlx::query(
            "INSERT INTO document_revocations (number, agency, reason, revoked_by, revoked_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number) DO NOTHING",
        )
        .bind(&number)
        .bind(&agency)
        .bind(reason)
        .bind(&by)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if made == 1 {
            // The holder hears of it (lango_cases::tell reads who holds it from `issued`), and
            // the agency's systems by webhook: the event names no account.
            lango_notify::events::emit(
                &mut tx,
                &lango_notify::events::NewEvent {
                    kind: "document.revoked",
                    agency: &agency,
                    order_key: reference.as_deref().unwrap_or(&number),
                    data: serde_json::json!({
                        "number": number,
                        "reference": reference,
                        "title": title,
                        "reason": reason,
                        "at": now,
                    }),
                },
            )
            .await?;
            audit::append(
                &mut tx,
                Entry {
                    actor: &by,
                    action: "document.revoke",
                    object: &format!("document:{number}"),
                    subject: "",
                    detail: reason,
                },
            )
            .await?;
        }
        let row: (String, i64) =
            sqlx::query_as("SELECT reason, revoked_at FROM document_revocations WHERE number = $1")
                .bind(&number)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(Revoked {
            number,
            reason: row.0,
            revoked_at: row.1,
        })
    }
}
