//! The documents of an application to become an agent: listed on the agent's page for
//! platform staff, and handed out (as attachments) only to platform staff, who vet them,
//! and the business's owners, who sent them; each reading is in the audit log (an owner's
//! identity document is personal data).

use crate::download::{document, Show};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use lango_agents::documents::{self, Document};
use lango_agents::registry;
use lango_identity::policy::{may, Action, Object};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/agents/{code}/documents/{id}", get(download))
}

/// (what, file name, link) of each document, for the agent's page.
pub fn links(lang: Lang, code: &str, found: Vec<Document>) -> Vec<(&'static str, String, String)> {
    found
        .into_iter()
        .map(|d| {
            (
                tr(lang, &d.kind),
                d.file.name,
                format!("/admin/agents/{code}/documents/{}", d.file.id),
            )
        })
        .collect()
}

/// `GET /admin/agents/{code}/documents/{id}`: the file, to platform staff and the
/// business's owners; anyone else is told it does not exist.
async fn download(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, String)>,
) -> Response {
    let found = async {
        let a = registry::get_for(&state.db, &s.v.actor, &code).await?;
        let vetting = may(&s.v.actor, Action::Edit, Object::Platform);
        if !vetting && !may(&s.v.actor, Action::Edit, Object::Business(&a.business_id)) {
            return Err(lango_core::Error::NotFound("document".into()));
        }
        let d = documents::one(&state.db, &a.code, &id).await?;
        let bytes = state.cases.documents().get(&d.file.sha256).await?;
        documents::record_reading(&state.db, &s.v.actor, &a.code, &d).await?;
        Ok::<_, lango_core::Error>((d, bytes))
    };
    match found.await {
        Ok((d, bytes)) => document(&d.file, bytes, Show::Attachment),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
