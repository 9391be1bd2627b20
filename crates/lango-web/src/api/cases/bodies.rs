//! What the applications API answers: the bodies (in the OpenAPI document) and how they
//! are made from the cases room's types.

use crate::error::ApiError;
use crate::AppState;
use lango_cases::application::{Application, Issued, Transition};
use lango_cases::definition::FileAnswer;
use lango_identity::policy::Actor;
use serde::Serialize;
use utoipa::ToSchema;

/// One application in a list.
#[derive(Serialize, ToSchema)]
pub struct ApplicationSummary {
    /// The reference the applicant quotes.
    pub reference: String,
    /// The service's catalogue code.
    pub service: String,
    /// The definition version it follows.
    pub version: i64,
    /// The applicant's name.
    pub applicant_name: String,
    /// The workflow state's id.
    pub state: String,
    /// The officer's account it is assigned to, if any.
    pub assigned_to: Option<String>,
    /// When submitted (unix ms).
    pub submitted_at: Option<i64>,
    /// When the current state's SLA runs out (unix ms).
    pub due_at: Option<i64>,
    /// Send back with a claim or an action: a stale one is refused (409).
    pub revision: i64,
    /// Where to read it in full.
    pub url: String,
}

/// An application as a list shows it.
pub(super) fn summary(a: &Application) -> ApplicationSummary {
    ApplicationSummary {
        url: format!("/api/v1/applications/{}", a.reference),
        reference: a.reference.clone(),
        service: a.service.clone(),
        applicant_name: a.applicant_name.clone(),
        version: a.version,
        state: a.state.clone(),
        assigned_to: a.assigned_to.clone(),
        submitted_at: a.submitted_at,
        due_at: a.due_at,
        revision: a.revision,
    }
}

/// A page of applications.
#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    /// Oldest due first.
    pub items: Vec<ApplicationSummary>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// A stored document.
#[derive(Serialize, ToSchema)]
pub struct DocumentBody {
    /// Its id.
    pub id: String,
    /// The name it was uploaded with.
    pub name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, as found in the content.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Where to download it (with the same key).
    pub url: String,
}

/// A stored document with the address to download it.
pub(super) fn document_body(reference: &str, f: &FileAnswer) -> DocumentBody {
    DocumentBody {
        url: format!("/api/v1/applications/{reference}/documents/{}", f.id),
        id: f.id.clone(),
        name: f.name.clone(),
        content_type: f.content_type.clone(),
        size: f.size,
        sha256: f.sha256.clone(),
    }
}

/// One step of the history.
#[derive(Serialize, ToSchema)]
pub struct TransitionBody {
    /// When (unix ms).
    pub at: i64,
    /// Who: an account id, `api:KEYID` or `system`.
    pub actor: String,
    /// Their name.
    pub actor_name: String,
    /// The state left.
    pub from: String,
    /// The state entered.
    pub to: String,
    /// The action taken.
    pub action: String,
    /// The reason given.
    pub reason: Option<String>,
}

impl From<&Transition> for TransitionBody {
    fn from(t: &Transition) -> Self {
        TransitionBody {
            at: t.at,
            actor: t.actor.clone(),
            actor_name: t.actor_name.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            action: t.action.clone(),
            reason: t.reason.clone(),
        }
    }
}

/// A document issued for the application.
#[derive(Serialize, ToSchema)]
pub struct IssuedBody {
    /// The output's id in the definition.
    pub output: String,
    /// Its number, quoted to verify it.
    pub number: String,
    /// When issued (unix ms).
    pub issued_at: i64,
    /// Last day valid (`YYYY-MM-DD`).
    pub valid_until: Option<String>,
    /// Where anyone can check it.
    pub verify_url: String,
    /// The stored document.
    pub document: DocumentBody,
}

/// An issued document with where to verify and download it.
pub(super) fn issued_body(reference: &str, i: &Issued) -> IssuedBody {
    IssuedBody {
        output: i.output.clone(),
        number: i.number.clone(),
        issued_at: i.issued_at,
        valid_until: i.valid_until.clone(),
        verify_url: format!("/verify/{}", i.number),
        document: document_body(reference, &i.file),
    }
}

/// An action the application's current state offers.
#[derive(Serialize, ToSchema)]
pub struct ActionBody {
    /// Send as `action`.
    pub id: String,
    /// The button's words (English).
    pub label: String,
    /// The state it leads to.
    pub to: String,
    /// `none`, `optional` or `required`.
    pub reason: String,
    /// The output it issues, if any.
    pub issues: Option<String>,
}

/// One application in full.
#[derive(Serialize, ToSchema)]
pub struct ApplicationBody {
    /// The reference the applicant quotes.
    pub reference: String,
    /// The service's catalogue code.
    pub service: String,
    /// The agency handling it.
    pub agency: String,
    /// The definition version it follows.
    pub version: i64,
    /// The applicant's account id.
    pub applicant: String,
    /// The applicant's name.
    pub applicant_name: String,
    /// The business it was made for.
    pub business: Option<String>,
    /// The workflow state's id.
    pub state: String,
    /// The state's label (English).
    pub state_label: String,
    /// The answers by field id, in their canonical form (files as document objects).
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// The officer's account it is assigned to.
    pub assigned_to: Option<String>,
    /// The bill for its fee.
    pub bill_reference: Option<String>,
    /// How it came in: `online`, `api`, `centre`, `ussd`, `agent` or `mobile`.
    pub channel: String,
    /// When submitted (unix ms).
    pub submitted_at: Option<i64>,
    /// When it entered its state (unix ms).
    pub state_since: i64,
    /// When the state's SLA runs out (unix ms).
    pub due_at: Option<i64>,
    /// Send back with a claim or an action.
    pub revision: i64,
    /// What can be done in its state now.
    pub actions: Vec<ActionBody>,
    /// Every document: the answers', the messages' and the issued ones.
    pub documents: Vec<DocumentBody>,
    /// The history, oldest first.
    pub history: Vec<TransitionBody>,
    /// Documents issued.
    pub issued: Vec<IssuedBody>,
}

/// Every document object in an answer.
pub(super) fn files_in(value: &serde_json::Value, out: &mut Vec<FileAnswer>) {
    match value {
        serde_json::Value::Object(m) => match serde_json::from_value::<FileAnswer>(value.clone()) {
            Ok(f) => out.push(f),
            Err(_) => m.values().for_each(|v| files_in(v, out)),
        },
        serde_json::Value::Array(items) => items.iter().for_each(|v| files_in(v, out)),
        _ => {}
    }
}

/// The whole application as the API shows it.
pub(super) async fn full(
    state: &AppState,
    who: &Actor,
    app: Application,
) -> Result<ApplicationBody, ApiError> {
    let r = app.reference.as_str();
    let (history, messages, issued, def) = tokio::try_join!(
        state.cases.history(who, r),
        state.cases.messages(who, r),
        state.cases.issued(who, r),
        state.cases.definition(&app.service, Some(app.version)),
    )?;
    let d = def.as_ref().map(|v| &v.definition);
    let here = d.and_then(|d| d.state(&app.state));
    let mut files = Vec::new();
    app.answers.values().for_each(|v| files_in(v, &mut files));
    files.extend(messages.iter().flat_map(|m| m.documents.iter().cloned()));
    files.extend(issued.iter().map(|i| i.file.clone()));
    let mut documents: Vec<DocumentBody> = Vec::new();
    for f in &files {
        if !documents.iter().any(|d| d.id == f.id) {
            documents.push(document_body(r, f));
        }
    }
    Ok(ApplicationBody {
        state_label: here.map_or_else(|| app.state.clone(), |s| s.label.en.clone()),
        actions: here
            .map(|s| {
                s.actions
                    .iter()
                    .map(|a| ActionBody {
                        id: a.id.clone(),
                        label: a.label.en.clone(),
                        to: a.to.clone(),
                        reason: serde_json::to_value(a.reason)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        issues: a.issues.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        documents,
        history: history.iter().map(TransitionBody::from).collect(),
        issued: issued.iter().map(|i| issued_body(r, i)).collect(),
        reference: app.reference.clone(),
        service: app.service,
        agency: app.agency,
        version: app.version,
        applicant: app.applicant,
        applicant_name: app.applicant_name,
        business: app.business,
        state: app.state,
        answers: serde_json::Value::Object(app.answers),
        assigned_to: app.assigned_to,
        bill_reference: app.bill_reference,
        channel: app.channel.as_str().to_string(),
        submitted_at: app.submitted_at,
        state_since: app.state_since,
        due_at: app.due_at,
        revision: app.revision,
    })
}
