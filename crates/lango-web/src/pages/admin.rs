//! Agency administration: staff and API keys. The policy decides who may see and change
//! them; an administrator of one agency gets a 403 page for any other.

use super::{account::when, render, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form as Posted;
use lango_identity::apikey::{self, KeyInfo};
use lango_identity::model::{Role, PERMISSIONS};
use lango_identity::staff::{self, StaffForm, StaffMember};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    c: Chrome,
    agency: String,
    staff: Vec<StaffMember>,
    form: Form,
    /// Whether the reader may add and remove staff (an auditor only reads).
    may_manage: bool,
}

fn staff_form(lang: Lang, csrf: &str, agency: &str, f: &StaffForm) -> Form {
    Form::new(
        format!("/admin/agencies/{agency}/staff"),
        csrf,
        tr(lang, "add_staff"),
        vec![
            Field::new(lang, "email", "email")
                .value(&f.email)
                .label(lang, "email"),
            Field::new(lang, "given_name", "text").value(&f.given_name),
            Field::new(lang, "family_name", "text").value(&f.family_name),
            Field::new(lang, "role", "radios").choices(
                lang,
                &["officer", "supervisor", "agency_admin"],
                &[f.role.as_str()],
            ),
        ],
    )
}

async fn staff_page(state: &AppState, s: &SignedIn, agency: &str, form: Option<Form>) -> Response {
    match staff::list(&state.db, &s.v.actor, agency).await {
        Ok(list) => {
            let form = form
                .unwrap_or_else(|| staff_form(s.v.lang, &s.v.csrf, agency, &StaffForm::default()));
            let status = form.status();
            render(
                status,
                &StaffPage {
                    c: Chrome::for_visitor(
                        &s.v,
                        state.config.demo,
                        &format!("/admin/agencies/{agency}/staff"),
                    ),
                    agency: agency.to_string(),
                    staff: list,
                    form,
                    may_manage: lango_identity::policy::may(
                        &s.v.actor,
                        lango_identity::policy::Action::ManageStaff,
                        lango_identity::policy::Object::Agency(agency),
                    ),
                },
            )
        }
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `GET /admin/agencies/{code}/staff`
pub async fn staff_list(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    staff_page(&state, &s, &agency, None).await
}

/// `POST /admin/agencies/{code}/staff`
pub async fn staff_add(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
    Posted(f): Posted<StaffForm>,
) -> Response {
    match staff::add(&state.db, &s.v.actor, &agency, &f).await {
        Ok(Ok(_)) => Redirect::to(&format!("/admin/agencies/{agency}/staff")).into_response(),
        Ok(Err(p)) => {
            let form = staff_form(s.v.lang, &s.v.csrf, &agency, &f).problems(s.v.lang, &p);
            staff_page(&state, &s, &agency, Some(form)).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/agencies/{code}/staff/{account}/{role}/remove`
pub async fn staff_remove(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, account_id, role)): Path<(String, String, String)>,
) -> Response {
    let Some(role) = Role::parse(&role) else {
        return crate::error::page_error(
            &state,
            s.v.lang,
            lango_core::Error::NotFound("role".into()),
        );
    };
    match staff::remove(&state.db, &s.v.actor, &agency, &account_id, role).await {
        Ok(()) => Redirect::to(&format!("/admin/agencies/{agency}/staff")).into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// A key as the keys page lists it.
pub struct KeyRow {
    id: String,
    name: String,
    permissions: String,
    created: String,
    last_used: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "api_keys.html")]
struct KeysPage {
    c: Chrome,
    agency: String,
    keys: Vec<KeyRow>,
    form: Form,
    new_key: String,
    /// Whether the reader may create and revoke keys (an auditor only reads).
    may_manage: bool,
}

/// The key form as typed (permissions repeat, so it is read by hand).
#[derive(Deserialize, Default)]
pub struct KeyForm {
    name: String,
    permissions: Vec<String>,
}

fn parse_key_form(body: &[u8]) -> KeyForm {
    let mut f = KeyForm::default();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "name" => f.name = v.into_owned(),
            "permissions" => f.permissions.push(v.into_owned()),
            _ => {}
        }
    }
    f
}

fn key_form(lang: Lang, csrf: &str, agency: &str, f: &KeyForm) -> Form {
    let all: Vec<(&str, &str)> = PERMISSIONS
        .iter()
        .map(|p| (p.as_str(), permission_words(lang, p.as_str())))
        .collect();
    let chosen: Vec<&str> = f.permissions.iter().map(String::as_str).collect();
    Form::new(
        format!("/admin/agencies/{agency}/api-keys"),
        csrf,
        tr(lang, "create_key"),
        vec![
            Field::new(lang, "name", "text").value(&f.name),
            Field::new(lang, "permissions", "checkboxes").labelled_choices(&all, &chosen),
        ],
    )
}

/// A permission (`cases:read`) in words: its key is `permission_cases_read`, as a Fluent
/// key has no colon.
fn permission_words(lang: Lang, permission: &str) -> &'static str {
    tr(
        lang,
        &format!("permission_{}", permission.replace(':', "_")),
    )
}

fn key_rows(lang: Lang, keys: Vec<KeyInfo>) -> Vec<KeyRow> {
    keys.into_iter()
        .map(|k| KeyRow {
            permissions: k
                .permissions
                .iter()
                .map(|p| permission_words(lang, p.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            created: when(k.created_at),
            last_used: k
                .last_used_at
                .map_or_else(|| tr(lang, "never").to_string(), when),
            active: k.revoked_at.is_none(),
            id: k.id,
            name: k.name,
        })
        .collect()
}

async fn keys_page(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    form: Option<Form>,
    new_key: String,
) -> Response {
    match apikey::list(&state.db, &s.v.actor, agency).await {
        Ok(keys) => {
            let form =
                form.unwrap_or_else(|| key_form(s.v.lang, &s.v.csrf, agency, &KeyForm::default()));
            let status = form.status();
            render(
                status,
                &KeysPage {
                    c: Chrome::for_visitor(
                        &s.v,
                        state.config.demo,
                        &format!("/admin/agencies/{agency}/api-keys"),
                    ),
                    agency: agency.to_string(),
                    keys: key_rows(s.v.lang, keys),
                    form,
                    new_key,
                    may_manage: lango_identity::policy::may(
                        &s.v.actor,
                        lango_identity::policy::Action::ManageApiKeys,
                        lango_identity::policy::Object::Agency(agency),
                    ),
                },
            )
        }
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `GET /admin/agencies/{code}/api-keys`
pub async fn keys_list(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    keys_page(&state, &s, &agency, None, String::new()).await
}

/// `POST /admin/agencies/{code}/api-keys`: the new key is shown on this one response only.
pub async fn keys_create(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let f = parse_key_form(&body);
    match apikey::create(&state.db, &s.v.actor, &agency, &f.name, &f.permissions).await {
        Ok(Ok((_, key))) => {
            // The key must not linger in any cache.
            super::no_store(keys_page(&state, &s, &agency, None, key).await)
        }
        Ok(Err(p)) => {
            let form = key_form(s.v.lang, &s.v.csrf, &agency, &f).problems(s.v.lang, &p);
            keys_page(&state, &s, &agency, Some(form), String::new()).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/agencies/{code}/api-keys/{id}/revoke`
pub async fn keys_revoke(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, id)): Path<(String, String)>,
) -> Response {
    match apikey::revoke(&state.db, &s.v.actor, &agency, &id).await {
        Ok(()) => Redirect::to(&format!("/admin/agencies/{agency}/api-keys")).into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[derive(Template)]
#[template(path = "dev_messages.html")]
struct DevMessages {
    c: Chrome,
    messages: Vec<lango_notify::Stored>,
}

/// `GET /dev/messages` (demo only): the SMS and e-mail that would have been sent.
pub async fn dev_messages(State(state): State<AppState>, v: crate::visitor::Visitor) -> Response {
    if !state.config.demo {
        return crate::pages::render_status_page(StatusCode::NOT_FOUND, v.lang, false);
    }
    match lango_notify::recent(&state.db, 50).await {
        Ok(messages) => render(
            StatusCode::OK,
            &DevMessages {
                c: Chrome::for_visitor(&v, true, "/dev/messages"),
                messages,
            },
        ),
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}
