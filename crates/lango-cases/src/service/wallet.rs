//! The holder's wallet: every document issued on the person's applications (their own,
//! their dependants' and their businesses'), with its signed QR code, newest first.

use super::Cases;
use crate::application::Issued;
use lango_core::Result;
use lango_identity::policy::Actor;

/// One document in the wallet.
#[derive(Debug, Clone)]
pub struct Held {
    /// The application it was issued on.
    pub reference: String,
    /// Whose application it was (the person, a dependant, a business).
    pub holder: String,
    /// The document.
    pub issued: Issued,
    /// Its title in Kiswahili, from the definition (empty when it has none).
    pub title_sw: String,
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
                    title_sw,
                    reference: app.reference.clone(),
                    holder: app.applicant_name.clone(),
                    issued,
                });
            }
        }
        out.sort_by_key(|h| std::cmp::Reverse(h.issued.issued_at));
        Ok(out)
    }
}
