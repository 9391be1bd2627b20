//! An application and what happens to it, as the journey, the workbench and the API see it.

use crate::definition::{Answers, FileAnswer};
use serde::Serialize;

/// The state of an application not yet submitted.
pub const DRAFT: &str = "draft";

/// One application.
#[derive(Debug, Clone, Serialize)]
pub struct Application {
    /// Internal id (UUIDv7).
    pub id: String,
    /// The reference the applicant quotes, e.g. `A7K3M9QX2` (see `crate::reference`).
    pub reference: String,
    /// The service's catalogue code.
    pub service: String,
    /// The agency that handles it.
    pub agency: String,
    /// The definition version it was started with (and keeps).
    pub version: i64,
    /// The applicant's account.
    pub applicant: String,
    /// The applicant's name as it was when the application was started.
    pub applicant_name: String,
    /// The business it is made for, if any.
    pub business: Option<String>,
    /// `draft`, or a state id of the definition's workflow.
    pub state: String,
    /// Answers so far.
    pub answers: Answers,
    /// The officer it is assigned to.
    pub assigned_to: Option<String>,
    /// The bill raised for its fee.
    pub bill_reference: Option<String>,
    /// How it came in (set by the entry point that started it).
    pub channel: crate::Channel,
    /// When started (unix ms).
    pub created_at: i64,
    /// When submitted (unix ms).
    pub submitted_at: Option<i64>,
    /// When it entered its current state (unix ms).
    pub state_since: i64,
    /// When the current state's SLA runs out (unix ms), if it has one.
    pub due_at: Option<i64>,
    /// Bumped on every change; a transition names the version it saw, so a replayed or
    /// stale one is refused.
    pub revision: i64,
    /// Submitted and not yet in a final state (in the agency's queue).
    pub open: bool,
    /// Waiting in a state that needs its bill paid before anyone may act.
    pub awaiting_payment: bool,
}

/// One step in an application's history.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    /// When (unix ms).
    pub at: i64,
    /// Who: an account id, `api:KEYID` or `system`.
    pub actor: String,
    /// Their name as shown on the timeline.
    pub actor_name: String,
    /// The state left (`draft` at submission).
    pub from: String,
    /// The state entered.
    pub to: String,
    /// The action taken (`submit`, `paid`, `claim`, `assign`, or a workflow action id).
    pub action: String,
    /// The reason given, if any.
    pub reason: Option<String>,
}

/// A step's note as pages say it: the platform's own notes are kinds with their data
/// (each page words them in its language); a person's reason is their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// No note.
    None,
    /// Passed the payment state at once: nothing to pay.
    NoFee,
    /// The bill with this reference was paid.
    BillPaid(String),
    /// Handed to the officer named.
    AssignedTo(String),
    /// Handed back to the queue.
    Unassigned,
    /// What a person wrote.
    Text(String),
}

/// Who took a step, as pages say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// The platform itself (payments, automatic steps).
    Platform,
    /// An agency's system over the API, by agency code.
    AgencySystem(String),
    /// A person, by name (empty when unknown).
    Person(String),
}

impl Transition {
    /// The note of this step; the platform's notes are recognised by the action and the
    /// fixed form the cases room writes them in.
    pub fn note(&self) -> Note {
        let Some(reason) = self.reason.as_deref().filter(|r| !r.is_empty()) else {
            return Note::None;
        };
        match (self.action.as_str(), self.actor.as_str()) {
            ("paid", "system") if reason == "no fee to pay" => Note::NoFee,
            ("paid", "system") => match reason
                .strip_prefix("bill ")
                .and_then(|r| r.strip_suffix(" paid"))
            {
                Some(bill) => Note::BillPaid(bill.to_string()),
                None => Note::Text(reason.to_string()),
            },
            ("assign", _) if reason == "to nobody" => Note::Unassigned,
            ("assign", _) => match reason.strip_prefix("to ") {
                Some(name) => Note::AssignedTo(name.to_string()),
                None => Note::Text(reason.to_string()),
            },
            _ => Note::Text(reason.to_string()),
        }
    }

    /// Who took this step.
    pub fn by(&self) -> By {
        if self.actor == "system" {
            By::Platform
        } else if self.actor.starts_with("api:") {
            let agency = self
                .actor_name
                .strip_suffix(" agency system")
                .unwrap_or(&self.actor_name);
            By::AgencySystem(agency.to_string())
        } else if matches!(self.actor_name.as_str(), "Unknown" | "Anonymous") {
            By::Person(String::new())
        } else {
            By::Person(self.actor_name.clone())
        }
    }
}

/// A message between applicant and agency on one application.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// When (unix ms).
    pub at: i64,
    /// True when the applicant wrote it.
    pub from_applicant: bool,
    /// The author's name.
    pub author: String,
    /// The text.
    pub body: String,
    /// Documents sent with it.
    pub documents: Vec<FileAnswer>,
}

/// A document issued at the end of an application.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    /// The output's id in the definition.
    pub output: String,
    /// The document's number, quoted to verify it.
    pub number: String,
    /// When issued (unix ms).
    pub issued_at: i64,
    /// Last day valid (`YYYY-MM-DD`), if it expires.
    pub valid_until: Option<String>,
    /// The stored document.
    pub file: FileAnswer,
    /// Its signed QR text (`LG1:…`), empty when it has none.
    pub qr: String,
    /// Its title as printed (English).
    pub title: String,
}

/// Filters of the officer's queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only this state.
    pub state: Option<String>,
    /// Only past their SLA (`breached`) or within a day of it (`at_risk`).
    pub sla: Option<SlaFilter>,
    /// Only assigned to this account.
    pub assigned_to: Option<String>,
    /// Only those assigned to nobody.
    pub unassigned: bool,
    /// Only this service.
    pub service: Option<String>,
}

/// SLA filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// Past due.
    Breached,
    /// Due within a day.
    AtRisk,
}

/// One page of the queue, oldest due first.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    /// The applications on this page (their `answers` left empty: read one for them).
    pub items: Vec<Application>,
    /// Pass back as `after` for the next page; `None` on the last.
    pub next: Option<String>,
}

/// One officer's workload, for the supervisor.
#[derive(Debug, Clone, Serialize)]
pub struct OfficerLoad {
    /// The officer's account (`None`: unassigned).
    pub officer: Option<String>,
    /// Their name.
    pub name: String,
    /// Open applications assigned.
    pub open: i64,
    /// Of those, past their SLA.
    pub breached: i64,
    /// Of those, due within a day.
    pub at_risk: i64,
    /// Transitions they made in the last 7 days.
    pub done_7d: i64,
}
