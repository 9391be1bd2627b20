//! `/work/{agency}/applications/{reference}`: one application as its officer works it (the
//! answers page by page, the documents, the history, the messages) and the forms that act
//! on it: claim, assign, each action of its state, send a message. Every form carries the
//! revision the officer saw, so a replayed or stale form is refused and changes nothing
//! (the forms' handlers are in `forms`).

use super::{
    assignee, day, enc, pick, plausible, service_name, staff_names, state_label, when, Definitions,
};
use crate::pages::{render, render_status_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use lango_cases::application::Application;
use lango_cases::definition::model::{Actor as StateActor, FieldType, ReasonRule};
use lango_cases::definition::FileAnswer;
use lango_core::Error;
use lango_identity::model::Role;
use lango_identity::policy::{may, Action, Object};
use serde::Deserialize;

/// What went wrong with the last form, to show on the page it came from.
#[derive(Default)]
pub(super) struct Trouble {
    /// The action whose reason was refused, what was typed, and why.
    pub(super) reason: Option<(String, String, String)>,
    /// The message as typed and why it was refused.
    pub(super) message: Option<(String, String)>,
    /// Anything else the engine refused, in its words.
    pub(super) general: Option<String>,
}

struct AnswerRow {
    label: String,
    value: String,
    href: Option<String>,
}

struct AnswerPage {
    title: String,
    rows: Vec<AnswerRow>,
}

struct DocRow {
    name: String,
    href: String,
    kind: String,
    size: String,
    from: String,
}

struct HistoryRow {
    when: String,
    who: String,
    what: String,
    to: String,
    reason: String,
}

struct MessageRow {
    when: String,
    author: String,
    from_applicant: bool,
    body: String,
    documents: Vec<(String, String)>,
}

struct ActionForm {
    id: String,
    label: String,
    /// `none`, `optional` or `required`.
    reason: &'static str,
    issues: String,
    value: String,
    error: Option<String>,
    /// The action refuses the application: drawn as a warning, unlike approval.
    refuses: bool,
}

struct IssuedRow {
    title: String,
    number: String,
    issued: String,
    valid_until: String,
    href: String,
    verify: String,
}

struct OfficerOption {
    id: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "work_application.html")]
struct ApplicationPage {
    c: Chrome,
    base: String,
    queue: String,
    reference: String,
    service: String,
    /// Applied for on the standard application made from the catalogue entry.
    standard: bool,
    facts: Vec<(&'static str, String)>,
    overdue: bool,
    revision: i64,
    errors: Vec<(String, String)>,
    notice: String,
    can_claim: bool,
    actions: Vec<ActionForm>,
    officers: Option<Vec<OfficerOption>>,
    pages: Vec<AnswerPage>,
    documents: Vec<DocRow>,
    issued: Vec<IssuedRow>,
    history: Vec<HistoryRow>,
    messages: Vec<MessageRow>,
    message_value: String,
    message_error: Option<String>,
}

/// Every document an answer holds (file fields, and file fields inside groups).
fn files_in(value: &serde_json::Value, out: &mut Vec<FileAnswer>) {
    match value {
        serde_json::Value::Object(m) => {
            if let Ok(f) = serde_json::from_value::<FileAnswer>(value.clone()) {
                out.push(f);
            } else {
                m.values().for_each(|v| files_in(v, out));
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| files_in(v, out)),
        _ => {}
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn kind(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        t if t.starts_with("text/html") => "HTML",
        _ => "?",
    }
}

/// The query of the application page: what was just done.
#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    done: Option<String>,
}

/// `GET /work/{agency}/applications/{reference}`
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, reference)): Path<(String, String)>,
    q: Result<Query<ShowParams>, QueryRejection>,
) -> Response {
    let done = q.ok().and_then(|Query(p)| p.done);
    page(
        &state,
        &s,
        &agency,
        &reference,
        Trouble::default(),
        done.as_deref(),
        StatusCode::OK,
    )
    .await
}

/// The application's page, with the trouble of the last form (if any) and `status`.
pub(super) async fn page(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    reference: &str,
    trouble: Trouble,
    done: Option<&str>,
    status: StatusCode,
) -> Response {
    let lang = s.v.lang;
    if !plausible(agency) || !plausible(reference) {
        return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    }
    let fail = |e: Error| crate::error::page_error(state, lang, e);
    let app = match state.cases.get(&s.v.actor, reference).await {
        Ok(a) if a.agency == agency => a,
        Ok(_) => return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        Err(e) => return fail(e),
    };
    let def = match Definitions::default()
        .get(state, &app.service, app.version)
        .await
    {
        Ok(Some(d)) => d,
        Ok(None) => {
            return fail(Error::Internal(format!(
                "{} has no definition version {}",
                app.service, app.version
            )))
        }
        Err(e) => return fail(e),
    };
    let (history, messages, issued, staff) = match tokio::try_join!(
        state.cases.history(&s.v.actor, reference),
        state.cases.messages(&s.v.actor, reference),
        state.cases.issued(&s.v.actor, reference),
        staff_names(state, s, agency),
    ) {
        Ok(all) => all,
        Err(e) => return fail(e),
    };
    let base = format!("/work/{}/applications/{}", enc(agency), enc(reference));
    let doc_href = |id: &str| format!("{base}/documents/{}", enc(id));
    let d = &def.definition;
    let tag = lang.tag();

    let mut pages = Vec::new();
    for p in d.pages_for(&app.answers) {
        let mut rows = Vec::new();
        for f in d.fields_for(p, &app.answers) {
            let Some(v) = app.answers.get(&f.id) else {
                continue;
            };
            let href = (f.kind == FieldType::File)
                .then(|| v.get("id").and_then(|i| i.as_str()).map(doc_href))
                .flatten();
            rows.push(AnswerRow {
                label: pick(lang, &f.label),
                value: d.display(f, v, tag),
                href,
            });
        }
        pages.push(AnswerPage {
            title: pick(lang, &p.title),
            rows,
        });
    }

    let mut documents = Vec::new();
    let mut answered = Vec::new();
    app.answers
        .values()
        .for_each(|v| files_in(v, &mut answered));
    let mut doc_row = |f: &FileAnswer, from: String| {
        if documents.iter().any(|d: &DocRow| d.href == doc_href(&f.id)) {
            return;
        }
        documents.push(DocRow {
            name: f.name.clone(),
            href: doc_href(&f.id),
            kind: kind(&f.content_type).to_string(),
            size: size(f.size),
            from,
        })
    };
    for f in &answered {
        doc_row(f, tr(lang, "work_doc_from_application").to_string());
    }
    for m in &messages {
        for f in &m.documents {
            doc_row(f, format!("{} ({})", m.author, day(m.at)));
        }
    }

    let issued_rows = issued
        .iter()
        .map(|i| IssuedRow {
            title: d
                .output(&i.output)
                .map_or_else(|| i.output.clone(), |o| pick(lang, &o.title)),
            number: i.number.clone(),
            issued: when(i.issued_at),
            valid_until: i.valid_until.clone().unwrap_or_default(),
            href: doc_href(&i.file.id),
            verify: format!("/verify/{}", enc(&i.number)),
        })
        .collect();

    let history_rows = history
        .iter()
        .map(|t| HistoryRow {
            when: when(t.at),
            who: t.actor_name.clone(),
            what: match t.action.as_str() {
                "submit" | "paid" | "claim" | "assign" | "respond" => {
                    tr(lang, &format!("work_did_{}", t.action)).to_string()
                }
                other => d
                    .action(&t.from, other)
                    .map_or_else(|| other.to_string(), |a| pick(lang, &a.label)),
            },
            to: state_label(lang, Some(&def), &t.to),
            reason: t.reason.clone().unwrap_or_default(),
        })
        .collect();

    let message_rows = messages
        .iter()
        .map(|m| MessageRow {
            when: when(m.at),
            author: m.author.clone(),
            from_applicant: m.from_applicant,
            body: m.body.clone(),
            documents: m
                .documents
                .iter()
                .map(|f| (f.name.clone(), doc_href(&f.id)))
                .collect(),
        })
        .collect();

    let case = Object::Case {
        applicant: &app.applicant,
        business: app.business.as_deref(),
        agency: &app.agency,
    };
    let works = may(&s.v.actor, Action::Work, case);
    let supervises = may(&s.v.actor, Action::Supervise, case);
    let here = d.state(&app.state);
    let open = here.is_some_and(|st| st.outcome.is_none());
    let acts_here = here.is_some_and(|st| match st.actor {
        StateActor::Officer => works,
        StateActor::Supervisor => supervises,
        _ => false,
    });
    let actions = here
        .filter(|_| acts_here)
        .map(|st| {
            st.actions
                .iter()
                .map(|a| {
                    let refused = trouble.reason.as_ref().filter(|(id, _, _)| *id == a.id);
                    ActionForm {
                        id: a.id.clone(),
                        label: pick(lang, &a.label),
                        reason: match a.reason {
                            ReasonRule::None => "none",
                            ReasonRule::Optional => "optional",
                            ReasonRule::Required => "required",
                        },
                        issues: a
                            .issues
                            .as_deref()
                            .and_then(|o| d.output(o))
                            .map(|o| pick(lang, &o.title))
                            .unwrap_or_default(),
                        value: refused.map(|r| r.1.clone()).unwrap_or_default(),
                        error: refused.map(|r| r.2.clone()),
                        refuses: d.refuses(a),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let officers = (supervises && open).then(|| {
        staff
            .iter()
            .filter(|m| {
                m.roles
                    .iter()
                    .any(|r| matches!(r, Role::Officer | Role::Supervisor))
            })
            .map(|m| OfficerOption {
                id: m.account_id.clone(),
                name: m.name.clone(),
                selected: app.assigned_to.as_deref() == Some(m.account_id.as_str()),
            })
            .collect()
    });

    let mut errors = Vec::new();
    if let Some((id, _, msg)) = &trouble.reason {
        errors.push((format!("reason-{id}"), msg.clone()));
    }
    if let Some((_, msg)) = &trouble.message {
        errors.push(("message-body".to_string(), msg.clone()));
    }
    if let Some(msg) = &trouble.general {
        errors.push(("work-actions".to_string(), msg.clone()));
    }
    let state_now = state_label(lang, Some(&def), &app.state);
    let notice = match done {
        Some("claim") => tr(lang, "work_done_claim").to_string(),
        Some("assign") => tr(lang, "work_done_assign").to_string(),
        Some("message") => tr(lang, "work_done_message").to_string(),
        Some("act") => tr_with(lang, "work_done_act", [FluentValue::from(&state_now)]),
        _ => String::new(),
    };
    let now = lango_core::clock::now_ms();
    let facts = facts(lang, &app, state_now, &staff);
    render(
        status,
        &ApplicationPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &base),
            queue: format!("/work/{}", enc(agency)),
            reference: app.reference.clone(),
            service: service_name(state, lang, &app.service),
            standard: def.is_standard(),
            facts,
            overdue: open && app.due_at.is_some_and(|d| d < now),
            revision: app.revision,
            errors,
            notice,
            can_claim: works && open && app.assigned_to.is_none(),
            actions,
            officers,
            pages,
            documents,
            issued: issued_rows,
            history: history_rows,
            messages: message_rows,
            message_value: trouble
                .message
                .as_ref()
                .map(|m| m.0.clone())
                .unwrap_or_default(),
            message_error: trouble.message.map(|m| m.1),
            base,
        },
    )
}

/// The summary at the top of the page.
fn facts(
    lang: crate::i18n::Lang,
    app: &Application,
    state_now: String,
    staff: &[lango_identity::staff::StaffMember],
) -> Vec<(&'static str, String)> {
    let mut f = vec![
        (tr(lang, "work_col_state"), state_now),
        (tr(lang, "work_col_applicant"), app.applicant_name.clone()),
        (
            tr(lang, "work_submitted"),
            app.submitted_at.map(when).unwrap_or_default(),
        ),
        (tr(lang, "work_state_since"), when(app.state_since)),
        (
            tr(lang, "work_col_due"),
            app.due_at
                .map(when)
                .unwrap_or_else(|| tr(lang, "work_no_due").to_string()),
        ),
        (
            tr(lang, "work_col_assignee"),
            assignee(lang, staff, app.assigned_to.as_deref()),
        ),
        (
            tr(lang, "work_channel"),
            // The channel's own word, as the published figures name it.
            tr(lang, &format!("ins_channel_{}", app.channel)).to_string(),
        ),
    ];
    if let Some(b) = &app.bill_reference {
        f.push((tr(lang, "work_bill"), b.clone()));
    }
    f
}
