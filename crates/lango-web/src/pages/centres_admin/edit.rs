//! One centre's form, new or existing, with its closures below it (`closures`).

use super::closures::{self, ClosureForm, ClosuresView};
use super::platform_admin;
use crate::forms::{ErrorLink, Field, Form};
use crate::i18n::Lang;
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::{has, tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use fluent_bundle::FluentValue;
use lango_centres::model::Centre;
use lango_centres::{CentreInput, Centres, SaveError};
use lango_core::Error;
use lango_identity::policy::Action;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/centres/new", get(new_page).post(create))
        .route("/admin/centres/{code}", get(edit_page).post(save))
}

const KINDS: [&str; 3] = ["huduma", "office", "mobile"];
const STATUSES: [&str; 2] = ["open", "closed"];

/// Examples in the centres' own notation (codes, day and lane names as typed: alike in
/// both languages, so kept out of the word tables), shown after their field's hint.
const EXAMPLES: [(&str, &str); 5] = [
    ("hours", "mon-fri 08:00-17:00; sat 09:00-13:00"),
    ("services", "DIS-PASSPORT:500:15:A; NRB-ID-REPLACE:200:5:B"),
    (
        "counters",
        "1:DIS-PASSPORT+NRB-ID-REPLACE; 2:NRB-ID-REPLACE",
    ),
    (
        "priority_lanes",
        "appointment; elderly; disability; pregnancy",
    ),
    ("schedule", "2026-12-07 09:00-16:00 Kajiado | Town Hall"),
];

/// The hint of field `name` in `lang` (`cadm_f_NAME_hint`, then its example), if any.
fn hint(lang: Lang, name: &'static str) -> &'static str {
    static WITH_EXAMPLES: LazyLock<HashMap<(&'static str, &'static str), String>> =
        LazyLock::new(|| {
            let mut out = HashMap::new();
            for lang in [Lang::En, Lang::Sw] {
                for (name, example) in EXAMPLES {
                    let words = tr(lang, &format!("cadm_f_{name}_hint"));
                    out.insert((lang.tag(), name), format!("{words} {example}"));
                }
            }
            out
        });
    if let Some(h) = WITH_EXAMPLES.get(&(lang.tag(), name)) {
        return h;
    }
    let key = format!("cadm_f_{name}_hint");
    if has(&key) {
        tr(lang, &key)
    } else {
        ""
    }
}

/// A field labelled (and hinted, when there are such words) by `cadm_f_NAME`.
pub(super) fn field(lang: Lang, name: &'static str, kind: &'static str, value: &str) -> Field {
    Field {
        name,
        label: tr(lang, &format!("cadm_f_{name}")),
        hint: hint(lang, name),
        kind,
        value: value.to_string(),
        error: None,
        choices: Vec::new(),
        autocomplete: "off",
        boxes: Default::default(),
    }
}

/// The centre's form showing `input`; a new centre's asks for its code too (named
/// `centre`: the code of an existing centre is its address and never changes).
fn centre_form(lang: Lang, csrf: &str, action: String, input: &CentreInput, new: bool) -> Form {
    let status = match input.status.trim() {
        "" => "open".to_string(),
        s => s.to_ascii_lowercase(),
    };
    let mut fields = Vec::new();
    if new {
        fields.push(field(lang, "centre", "text", &input.code));
    }
    fields.extend([
        field(lang, "name", "text", &input.name),
        field(lang, "name_sw", "text", &input.name_sw),
        field(lang, "kind", "radios", "").worded_choices(
            lang,
            "cadm_kind_",
            &KINDS,
            &input.kind.trim().to_ascii_lowercase(),
        ),
        field(lang, "county", "text", &input.county),
        field(lang, "address", "text", &input.address),
        field(lang, "latitude", "text", &input.latitude),
        field(lang, "longitude", "text", &input.longitude),
        field(lang, "operator", "text", &input.operator),
        field(lang, "hours", "textarea", &one_a_line(&input.hours)),
        field(lang, "services", "textarea", &one_a_line(&input.services)),
        field(lang, "counters", "textarea", &one_a_line(&input.counters)),
        field(lang, "priority_lanes", "text", &input.priority_lanes),
        field(lang, "schedule", "textarea", &input.schedule),
        field(lang, "status", "radios", "").worded_choices(
            lang,
            "cadm_status_",
            &STATUSES,
            &status,
        ),
    ]);
    Form::new(action, csrf, tr(lang, "cadm_save"), fields)
}

/// A `;` list one item a line, as the form shows it ([`read_input`] reads it back).
fn one_a_line(list: &str) -> String {
    list.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Marks the domain's problems (field, message) on `form`'s fields, each message after
/// its field's label; `code` is the `centre` field. The domain words its problems in
/// English with the value that was wrong; a Kiswahili reader is first told, in Kiswahili,
/// what the field must hold (`cadm_fix_FIELD`), the English detail after it.
pub(super) fn with_problems(lang: Lang, form: Form, problems: &[(String, String)]) -> Form {
    let named: Vec<(String, String)> = problems
        .iter()
        .map(|(field, message)| {
            let name = if field == "code" { "centre" } else { field };
            let label = form.fields.iter().find(|f| f.name == name).map(|f| f.label);
            let fix = format!("cadm_fix_{name}");
            let message = match (label, lang) {
                (Some(l), lang) if lang.is_local() && has(&fix) => {
                    format!("{l}: {} ({message})", tr(lang, &fix))
                }
                (Some(l), _) => format!("{l}: {message}"),
                (None, _) => message.clone(),
            };
            (name.to_string(), message)
        })
        .collect();
    form.messages(&named)
}

#[derive(Template)]
#[template(path = "centres_admin_edit.html")]
struct EditPage {
    c: Chrome,
    title: &'static str,
    lead: &'static str,
    /// `Name (CODE)` of an existing centre.
    centre: String,
    notice: String,
    errors: Vec<ErrorLink>,
    form: Form,
    closures: Option<ClosuresView>,
}

/// What the page shows.
#[derive(Default)]
pub(super) struct Shown<'a> {
    /// The centre being changed; `None` for a new one.
    pub(super) centre: Option<&'a Centre>,
    pub(super) input: CentreInput,
    pub(super) problems: Vec<(String, String)>,
    pub(super) closure: ClosureForm,
    pub(super) closure_problems: Vec<(String, String)>,
    pub(super) notice: String,
}

/// Renders the page: 200, or 400 when there are problems.
pub(super) async fn show(state: &AppState, s: &SignedIn, shown: Shown<'_>) -> Response {
    let lang = s.v.lang;
    let action = shown.centre.map_or_else(
        || "/admin/centres/new".to_string(),
        |c| format!("/admin/centres/{}", c.code),
    );
    let c = Chrome::for_visitor(&s.v, state.config.demo, &action);
    let mut form = with_problems(
        lang,
        centre_form(
            lang,
            &s.v.csrf,
            action,
            &shown.input,
            shown.centre.is_none(),
        ),
        &shown.problems,
    );
    let mut errors = std::mem::take(&mut form.errors);
    let closures = match shown.centre {
        None => None,
        Some(centre) => {
            let f = (&shown.closure, shown.closure_problems.as_slice());
            match closures::view(state, s, &c, centre, f).await {
                Ok((view, mut problems)) => {
                    errors.append(&mut problems);
                    Some(view)
                }
                Err(e) => return crate::error::page_error(state, lang, e),
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let (title, lead) = match shown.centre {
        Some(_) => ("cadm_edit_title", "cadm_edit_lead"),
        None => ("cadm_new", "cadm_new_lead"),
    };
    let page = EditPage {
        c,
        title: tr(lang, title),
        lead: tr(lang, lead),
        centre: shown.centre.map_or_else(String::new, |k| {
            format!("{} ({})", k.name_in(lang.tag()), k.code)
        }),
        notice: shown.notice,
        errors,
        form,
        closures,
    };
    render(status, &page)
}

/// The centre `code`, when the visitor may change it.
pub(super) async fn load(state: &AppState, s: &SignedIn, code: &str) -> Result<Centre, Error> {
    let c = state.centres.get(code).await?;
    Centres::check(&s.v.actor, Action::Edit, &c)?;
    Ok(c)
}

/// A centre's input as posted. Lists typed one a line are read as the `;` lists they are.
fn read_input(body: &[u8]) -> CentreInput {
    let mut i = CentreInput::default();
    let lines = |v: String| v.replace("\r\n", ";").replace('\n', ";");
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "centre" => i.code = v,
            "name" => i.name = v,
            "name_sw" => i.name_sw = v,
            "kind" => i.kind = v,
            "county" => i.county = v,
            "address" => i.address = v,
            "latitude" => i.latitude = v,
            "longitude" => i.longitude = v,
            "operator" => i.operator = v,
            "hours" => i.hours = lines(v),
            "services" => i.services = lines(v),
            "counters" => i.counters = lines(v),
            "priority_lanes" => i.priority_lanes = lines(v),
            "schedule" => i.schedule = v,
            "status" => i.status = v,
            _ => {}
        }
    }
    i
}

/// `?saved=1`, `?closed=DAY` or `?reopened=DAY` after a change.
#[derive(Debug, Default, Deserialize)]
struct Done {
    saved: Option<String>,
    closed: Option<String>,
    reopened: Option<String>,
}

fn notice(lang: Lang, d: &Done) -> String {
    match (&d.saved, &d.closed, &d.reopened) {
        (Some(_), _, _) => tr(lang, "cadm_saved").to_string(),
        (_, Some(day), _) => tr_with(lang, "cadm_closed_notice", [FluentValue::from(day)]),
        (_, _, Some(day)) => tr_with(lang, "cadm_reopened_notice", [FluentValue::from(day)]),
        _ => String::new(),
    }
}

/// `GET /admin/centres/new` (platform administrators).
async fn new_page(State(state): State<AppState>, s: SignedIn) -> Response {
    if !platform_admin(&s.v.actor) {
        let e = Error::Forbidden("only platform administrators make centres".into());
        return crate::error::page_error(&state, s.v.lang, e);
    }
    show(&state, &s, Shown::default()).await
}

/// `POST /admin/centres/new`: makes the centre and shows it, or the form with its problems.
async fn create(State(state): State<AppState>, s: SignedIn, body: axum::body::Bytes) -> Response {
    let input = read_input(&body);
    match state.centres.create(&s.v.actor, &input).await {
        Ok(saved) => {
            Redirect::to(&format!("/admin/centres/{}?saved=1", saved.code)).into_response()
        }
        Err(SaveError::Problems(p)) => {
            let shown = Shown {
                input,
                problems: p.0,
                ..Shown::default()
            };
            show(&state, &s, shown).await
        }
        Err(SaveError::Other(e)) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `GET /admin/centres/{code}`
async fn edit_page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    q: Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let c = match load(&state, &s, &code).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let done = q.map(|Query(d)| d).unwrap_or_default();
    let shown = Shown {
        centre: Some(&c),
        input: CentreInput::of(&c),
        notice: notice(s.v.lang, &done),
        ..Shown::default()
    };
    show(&state, &s, shown).await
}

/// `POST /admin/centres/{code}`: saves the centre, or shows the form with its problems
/// (and nothing saved).
async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let c = match load(&state, &s, &code).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let mut input = read_input(&body);
    input.code = c.code.clone();
    match state.centres.save(&s.v.actor, &input).await {
        Ok(saved) => {
            Redirect::to(&format!("/admin/centres/{}?saved=1", saved.code)).into_response()
        }
        Err(SaveError::Problems(p)) => {
            let shown = Shown {
                centre: Some(&c),
                input,
                problems: p.0,
                ..Shown::default()
            };
            show(&state, &s, shown).await
        }
        Err(SaveError::Other(e)) => crate::error::page_error(&state, s.v.lang, e),
    }
}
