//! Agency administrators keep their own catalogue: the list of their agency's services,
//! an entry's edit form, its preview (the public page as it will look and what changes),
//! the save, and the history of changes. The rules live in `lango_catalogue::admin`;
//! these handlers parse, call one operation and render.

mod definition;
mod history;

use super::{account::when, render, Chrome};
use crate::forms::{Choice, Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_catalogue::admin::{self, Editable};
use lango_catalogue::edit::{EditForm, ServiceEdit};
use lango_catalogue::{AgencyCode, Channel, ServiceCode, Stage, Status};
use lango_core::Error;
use lango_identity::model::Problems;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/agencies/{code}/services", get(list))
        .route(
            "/admin/agencies/{code}/services/{service}/edit",
            get(edit_page).post(preview),
        )
        .route("/admin/agencies/{code}/services/{service}/save", post(save))
        .merge(history::routes())
        .merge(definition::routes())
}

/// The agency and service codes of a path, or a 404.
fn codes(agency: &str, service: &str) -> Result<(AgencyCode, ServiceCode), Error> {
    let not_found = |_| Error::NotFound("service".into());
    Ok((
        AgencyCode::parse(agency).map_err(not_found)?,
        ServiceCode::parse(service).map_err(not_found)?,
    ))
}

fn base(agency: &AgencyCode, service: &ServiceCode) -> String {
    format!("/admin/agencies/{agency}/services/{service}")
}

/// One row of the list.
pub struct Row {
    code: String,
    name: String,
    stage: &'static str,
    /// How people apply: the agency's own form, the standard one, or the agency's system.
    form: &'static str,
    changed: String,
    retired: bool,
}

#[derive(Template)]
#[template(path = "services_admin_list.html")]
struct ListPage {
    c: Chrome,
    agency: String,
    agency_name: String,
    rows: Vec<Row>,
}

/// How people apply for `s`, as the list's word key: on the agency's own system, on the
/// agency's own form (`own` holds those), on the standard one, or not online.
fn form_key(s: &lango_catalogue::Service, own: &std::collections::HashSet<String>) -> &'static str {
    match (&s.apply_url, s.is_online(), own.contains(s.code.as_str())) {
        (Some(_), _, _) => "svc_form_elsewhere",
        (None, _, true) => "svc_form_own",
        (None, true, false) => "svc_form_standard",
        (None, false, false) => "svc_form_none",
    }
}

/// `GET /admin/agencies/{code}/services`
async fn list(State(state): State<AppState>, s: SignedIn, Path(agency): Path<String>) -> Response {
    let lang = s.v.lang;
    let listed = async {
        let agency = AgencyCode::parse(&agency).map_err(|_| Error::NotFound("agency".into()))?;
        let services = admin::services_for_admin(&state.db, &s.v.actor, &agency).await?;
        let own = state.cases.own_definitions(agency.as_str()).await?;
        Ok::<_, Error>((agency, services, own))
    };
    let (agency, services, own) = match listed.await {
        Ok(x) => x,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let t = lang.strings();
    let rows = services
        .into_iter()
        .map(|e| Row {
            code: e.service.code.to_string(),
            name: lang.pick(&e.service.name, &e.service.name_sw).to_string(),
            stage: t.stage(e.service.stage),
            form: tr(lang, form_key(&e.service, &own)),
            changed: when(e.updated_at),
            retired: e.service.status == Status::Retired,
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("/admin/agencies/{agency}/services"),
            ),
            agency_name: agency_name(&state, lang, &agency),
            agency: agency.to_string(),
            rows,
        },
    )
}

fn agency_name(state: &AppState, lang: Lang, agency: &AgencyCode) -> String {
    state.catalogue.snapshot().agency(agency).map_or_else(
        || agency.to_string(),
        |a| lang.pick(&a.name, &a.name_sw).to_string(),
    )
}

#[derive(Template)]
#[template(path = "services_admin_edit.html")]
struct EditPage {
    c: Chrome,
    agency: String,
    code: String,
    service_name: String,
    form: Form,
    revision: i64,
}

fn field(name: &'static str, kind: &'static str, lang: Lang, value: &str) -> Field {
    let hint_key = format!("svc_f_{name}_hint");
    Field {
        name,
        label: tr(lang, &format!("svc_f_{name}")),
        hint: if crate::words::has(&hint_key) {
            tr(lang, &hint_key)
        } else {
            ""
        },
        kind,
        value: value.to_string(),
        error: None,
        choices: Vec::new(),
        autocomplete: "off",
        boxes: Default::default(),
    }
}

/// The edit form filled with `f`, with `problems` marked on their fields.
fn edit_form(lang: Lang, csrf: &str, action: String, f: &EditForm, problems: &Problems) -> Form {
    let t = lang.strings();
    let mut stage = field("stage", "radios", lang, &f.stage);
    stage.choices = Stage::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_string(),
            label: t.stage(*s).to_string(),
            checked: f.stage == s.as_str(),
        })
        .collect();
    let mut channels = field("channels", "checkboxes", lang, "");
    channels.choices = Channel::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().to_string(),
            label: t.channel(*c).to_string(),
            checked: f.channels.iter().any(|x| x == c.as_str()),
        })
        .collect();
    let fields = vec![
        field("name", "text", lang, &f.name),
        field("name_sw", "text", lang, &f.name_sw),
        field("summary", "textarea", lang, &f.summary),
        field("summary_sw", "textarea", lang, &f.summary_sw),
        field("description", "textarea", lang, &f.description),
        field("description_sw", "textarea", lang, &f.description_sw),
        field("eligibility", "textarea", lang, &f.eligibility),
        field("eligibility_sw", "textarea", lang, &f.eligibility_sw),
        stage,
        field("fees", "textarea", lang, &f.fees),
        field("fees_sw", "textarea", lang, &f.fees_sw),
        field("documents", "textarea", lang, &f.documents),
        field("documents_sw", "textarea", lang, &f.documents_sw),
        channels,
        field("sla_days", "text", lang, &f.sla_days),
        field("apply_url", "text", lang, &f.apply_url),
    ];
    Form::new(action, csrf, tr(lang, "svc_continue"), fields).problems(lang, problems)
}

/// Renders the edit form for `current` showing `f`, at `revision`, with `problems`.
fn show_form(
    state: &AppState,
    s: &SignedIn,
    current: &Editable,
    f: &EditForm,
    problems: &Problems,
    status: StatusCode,
) -> Response {
    let lang = s.v.lang;
    let svc = &current.service;
    let path = base(&svc.agency_code, &svc.code);
    render(
        status,
        &EditPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, &format!("{path}/edit")),
            agency: svc.agency_code.to_string(),
            code: svc.code.to_string(),
            service_name: lang.pick(&svc.name, &svc.name_sw).to_string(),
            form: edit_form(lang, &s.v.csrf, format!("{path}/edit"), f, problems),
            revision: current.revision,
        },
    )
}

async fn load(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    service: &str,
) -> Result<Editable, Error> {
    let (agency, code) = codes(agency, service)?;
    admin::service_for_edit(&state.db, &s.v.actor, &agency, &code).await
}

/// `GET /admin/agencies/{code}/services/{service}/edit`
async fn edit_page(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, service)): Path<(String, String)>,
) -> Response {
    match load(&state, &s, &agency, &service).await {
        Ok(current) => {
            let f = ServiceEdit::of(&current.service).form();
            show_form(
                &state,
                &s,
                &current,
                &f,
                &Problems::default(),
                StatusCode::OK,
            )
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// The edit as posted: the form, the revision it was based on, and what to do.
struct Posted {
    form: EditForm,
    revision: i64,
    intent: String,
}

fn read_posted(body: &[u8]) -> Posted {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let find = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Posted {
        // A missing or mangled revision matches no stored one: the save is refused as stale.
        revision: find("revision").trim().parse().unwrap_or(-1),
        intent: find("intent"),
        form: EditForm::from_pairs(pairs),
    }
}

/// A field's change as the preview and the history list it.
pub struct ChangeRow {
    label: &'static str,
    old: String,
    new: String,
}

fn change_rows(lang: Lang, changes: &[lango_catalogue::edit::Change]) -> Vec<ChangeRow> {
    changes
        .iter()
        .map(|c| ChangeRow {
            label: tr(lang, &format!("svc_f_{}", c.field)),
            old: c.old.clone(),
            new: c.new.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "services_admin_preview.html")]
struct PreviewPage {
    c: Chrome,
    action: String,
    edit_action: String,
    changes: Vec<ChangeRow>,
    hidden: Vec<(&'static str, String)>,
    revision: i64,
    code: String,
    name: String,
    summary: String,
    description: String,
    eligibility: String,
    agency_code: String,
    agency_name: String,
    stage: &'static str,
    stage_label: &'static str,
    retired: bool,
    documents: Vec<String>,
    fees: Vec<(String, String)>,
    sla_days: Option<u32>,
    channels: Vec<&'static str>,
}

/// `POST /admin/agencies/{code}/services/{service}/edit`: the preview of a valid edit, or
/// the form again with its problems (or, with `intent=change`, simply the form again).
async fn preview(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, service)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let lang = s.v.lang;
    let current = match load(&state, &s, &agency, &service).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let p = read_posted(&body);
    if p.intent == "change" {
        return show_form(
            &state,
            &s,
            &current,
            &p.form,
            &Problems::default(),
            StatusCode::OK,
        );
    }
    let edit = match ServiceEdit::parse(&p.form) {
        Ok(edit) => edit,
        Err(problems) => {
            return show_form(
                &state,
                &s,
                &current,
                &p.form,
                &problems,
                StatusCode::BAD_REQUEST,
            )
        }
    };
    if p.revision != current.revision {
        return stale(&state, &s, &current, &p.form);
    }
    let changes = edit.changes(&ServiceEdit::of(&current.service));
    if changes.is_empty() {
        let problems = Problems::one("form", "svc_no_changes");
        return show_form(
            &state,
            &s,
            &current,
            &p.form,
            &problems,
            StatusCode::BAD_REQUEST,
        );
    }
    let after = edit.apply(&current.service);
    let t = lang.strings();
    let path = base(&after.agency_code, &after.code);
    let page = PreviewPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, &format!("{path}/edit")),
        action: format!("{path}/save"),
        edit_action: format!("{path}/edit"),
        changes: change_rows(lang, &changes),
        hidden: edit.form().pairs(),
        revision: current.revision,
        code: after.code.to_string(),
        name: lang.pick(&after.name, &after.name_sw).to_string(),
        summary: lang.pick(&after.summary, &after.summary_sw).to_string(),
        description: lang
            .pick(&after.description, &after.description_sw)
            .to_string(),
        eligibility: lang
            .pick(&after.eligibility, &after.eligibility_sw)
            .to_string(),
        agency_name: agency_name(&state, lang, &after.agency_code),
        agency_code: after.agency_code.to_string(),
        stage: after.stage.as_str(),
        stage_label: t.stage(after.stage),
        retired: after.status == Status::Retired,
        documents: after.documents.clone(),
        fees: after
            .fees
            .iter()
            .map(|f| (f.label.clone(), f.amount.display()))
            .collect(),
        sla_days: after.sla_days,
        channels: after.channels.iter().map(|c| t.channel(*c)).collect(),
    };
    render(StatusCode::OK, &page)
}

/// The form again after someone else saved first: the visitor's answers are kept, now
/// based on the newest revision, so continuing previews them against what is live.
fn stale(state: &AppState, s: &SignedIn, current: &Editable, f: &EditForm) -> Response {
    let problems = Problems::one("form", "svc_stale");
    show_form(state, s, current, f, &problems, StatusCode::CONFLICT)
}

/// `POST /admin/agencies/{code}/services/{service}/save`: saves the previewed edit and
/// refreshes the live catalogue, then shows the history with the change's number.
async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, service)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let lang = s.v.lang;
    let current = match load(&state, &s, &agency, &service).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let p = read_posted(&body);
    let edit = match ServiceEdit::parse(&p.form) {
        Ok(edit) => edit,
        Err(problems) => {
            return show_form(
                &state,
                &s,
                &current,
                &p.form,
                &problems,
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let svc = &current.service;
    let saved = state
        .catalogue
        .edit_service(&s.v.actor, &svc.agency_code, &svc.code, &edit, p.revision)
        .await;
    match saved {
        Ok(edited) => Redirect::to(&format!(
            "{}/history?saved={}",
            base(&svc.agency_code, &svc.code),
            edited.revision
        ))
        .into_response(),
        Err(Error::Conflict(_)) => match load(&state, &s, &agency, &service).await {
            Ok(newest) => stale(&state, &s, &newest, &p.form),
            Err(e) => crate::error::page_error(&state, lang, e),
        },
        Err(Error::Invalid { .. }) => {
            let problems = Problems::one("form", "svc_no_changes");
            show_form(
                &state,
                &s,
                &current,
                &p.form,
                &problems,
                StatusCode::BAD_REQUEST,
            )
        }
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}
