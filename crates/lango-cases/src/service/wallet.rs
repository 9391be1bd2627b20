//! The holder's wallet: every document issued on the person's applications (their own,
//! their dependants' and their businesses') and those agencies' systems signed for them
//! (by their ID number), with its signed QR code and whether it was revoked, newest first.

use super::Cases;
use crate::application::Issued;
use crate::definition::FileAnswer;
use crate::outputs::{issued_of, ISSUED_COLUMNS};
use lango_core::{Error, Result};
use lango_identity::policy::Actor;

/// One document in the wallet.
#[derive(Debug, Clone)]
pub struct Held {
    /// The application it was issued on (empty for a document an agency's system signed).
    pub reference: String,
    /// Whose application it was (the person, a dependant, a business).
    pub holder: String,
    /// The document.
    pub issued: Issued,
    /// Its title in Kiswahili, from the definition (empty when it has none).
    pub title_sw: String,
    /// Why its agency revoked it, when it did.
    pub revoked: Option<String>,
}

impl Cases {
    /// The documents issued on `actor`'s applications, newest first.
    pub async fn wallet(&self, actor: &Actor) -> Result<Vec<Held>> {
        let mut out = Vec::new();
        // `mine` answers only what the actor may see: each application is not loaded again.
        for app in self.mine(actor).await? {
            let issued = self.issued_on(&app.id).await?;
            if issued.is_empty() {
                continue;
            }
            let definition = self.definition(&app.service, Some(app.version)).await?;
            for issued in issued {
                let title_sw = definition
                    .as_ref()
                    .and_then(|d| d.definition.output(&issued.output))
                    .and_then(|o| o.title.sw.clone())
                    .unwrap_or_default();
                out.push(Held {
                    revoked: None,
                    title_sw,
                    reference: app.reference.clone(),
                    holder: app.applicant_name.clone(),
                    issued,
                });
            }
        }
        if let Actor::Person(p) = actor {
            for issued in self.signed_for(&p.account_id).await? {
                let holder = lango_documents::qr::open(&issued.qr)
                    .map(|o| o.claims.holder)
                    .unwrap_or_default();
                out.push(Held {
                    reference: String::new(),
                    holder,
                    issued,
                    title_sw: String::new(),
                    revoked: None,
                });
            }
        }
        for held in &mut out {
            held.revoked =
                sqlx::query_scalar("SELECT reason FROM document_revocations WHERE number = $1")
                    .bind(&held.issued.number)
                    .fetch_optional(self.db.pool())
                    .await?;
        }
        out.sort_by_key(|h| std::cmp::Reverse(h.issued.issued_at));
        Ok(out)
    }

    /// Documents agencies' systems signed for `account` (outside any application).
    async fn signed_for(&self, account: &str) -> Result<Vec<Issued>> {
        let rows = sqlx::query(&format!(
            "SELECT {ISSUED_COLUMNS} FROM issued i JOIN documents d ON d.id = i.document_id \
             WHERE i.holder_account = $1 AND i.application_id = '' ORDER BY i.issued_at"
        ))
        .bind(account)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(issued_of).collect()
    }

    /// The PDF of a document an agency's system signed for `actor`; anyone else's is as
    /// good as absent.
    pub async fn held_document(
        &self,
        actor: &Actor,
        number: &str,
    ) -> Result<(FileAnswer, Vec<u8>)> {
        let not_found = || Error::NotFound("document".into());
        let Actor::Person(p) = actor else {
            return Err(not_found());
        };
        let number = number.trim().to_ascii_uppercase();
        let issued = self
            .signed_for(&p.account_id)
            .await?
            .into_iter()
            .find(|i| i.number == number)
            .ok_or_else(not_found)?;
        let bytes = self.documents.get(&issued.file.sha256).await?;
        Ok((issued.file, bytes))
    }
}
