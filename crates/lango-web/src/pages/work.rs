//! The officer workbench: `/work` (the desks a person works at), `/work/{agency}` (the
//! agency's queue with its filters), the application (`application`), the supervisor's view
//! (`supervisor`) and the public check of an issued document (`verify`). Every operation is
//! the cases room's, which checks the policy on the object itself; these handlers only parse,
//! call and render.

mod application;
mod forms;
mod queue;
mod supervisor;
mod verify;

use super::{day, when};
use super::{render, Chrome};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_cases::definition::model::Words;
use lango_cases::service::Versioned;
use lango_identity::model::Role;
use std::collections::HashMap;
use std::sync::Arc;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    let app = "/work/{agency}/applications/{reference}";
    Router::new()
        .route("/work", get(index))
        .route("/work/{agency}", get(queue::show))
        .route("/work/{agency}/supervisor", get(supervisor::show))
        .route(app, get(application::show))
        .route(&format!("{app}/claim"), post(forms::claim))
        .route(&format!("{app}/assign"), post(forms::assign))
        .route(&format!("{app}/act"), post(forms::act))
        .route(&format!("{app}/messages"), post(forms::message))
        .route(&format!("{app}/documents/{{id}}"), get(forms::document))
        .route("/verify", get(verify::form))
        .route("/verify/code", post(verify::code))
        .route(
            "/verify/file",
            post(verify::file).layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/verify/{number}", get(verify::show))
}

/// How many applications one queue page lists.
const PAGE_SIZE: u32 = 50;

/// Words of a definition in the reader's language (English when Kiswahili is left out).
fn pick(lang: Lang, w: &Words) -> String {
    match (lang, &w.sw) {
        (l, Some(sw)) if l.is_local() && !sw.is_empty() => sw.clone(),
        _ => w.en.clone(),
    }
}

/// A value as a path segment or query value.
pub(super) fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The agency's name in the reader's language, or its code when the catalogue has none.
fn agency_name(state: &AppState, lang: Lang, code: &str) -> String {
    lango_catalogue::model::AgencyCode::parse(code)
        .ok()
        .and_then(|c| state.catalogue.snapshot().agency(&c).cloned())
        .map_or_else(
            || code.to_string(),
            |a| lang.pick(&a.name, &a.name_sw).to_string(),
        )
}

/// The service's name in the reader's language, or its code.
fn service_name(state: &AppState, lang: Lang, code: &str) -> String {
    lango_catalogue::ServiceCode::parse(code)
        .ok()
        .and_then(|c| state.catalogue.snapshot().service(&c))
        .map_or_else(
            || code.to_string(),
            |h| {
                lang.pick(&h.entry.service.name, &h.entry.service.name_sw)
                    .to_string()
            },
        )
}

/// Definitions looked up once per page: several rows usually share one version.
#[derive(Default)]
struct Definitions(HashMap<(String, i64), Option<Arc<Versioned>>>);

impl Definitions {
    async fn get(
        &mut self,
        state: &AppState,
        service: &str,
        version: i64,
    ) -> lango_core::Result<Option<Arc<Versioned>>> {
        let key = (service.to_string(), version);
        if let Some(d) = self.0.get(&key) {
            return Ok(d.clone());
        }
        let d = state.cases.definition(service, Some(version)).await?;
        self.0.insert(key, d.clone());
        Ok(d)
    }
}

/// The label of `state_id` in `def`, or the id itself.
fn state_label(lang: Lang, def: Option<&Versioned>, state_id: &str) -> String {
    if state_id == lango_cases::application::DRAFT {
        return tr(lang, "work_state_draft").to_string();
    }
    def.and_then(|d| d.definition.state(state_id))
        .map_or_else(|| state_id.to_string(), |s| pick(lang, &s.label))
}

/// Names of the agency's staff by account id (the assignee column, the assign list).
async fn staff_names(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
) -> lango_core::Result<Vec<lango_identity::staff::StaffMember>> {
    lango_identity::staff::list(&state.db, &s.v.actor, agency).await
}

/// The agencies where the person works applications, in grant order, once each.
fn desks(s: &SignedIn) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(p) = s.v.person() {
        for g in &p.grants {
            if matches!(g.role, Role::Officer | Role::Supervisor) {
                if let Some(a) = &g.agency {
                    if !out.contains(a) {
                        out.push(a.clone());
                    }
                }
            }
        }
    }
    out
}

#[derive(Template)]
#[template(path = "work_index.html")]
struct IndexPage {
    c: Chrome,
    desks: Vec<(String, String)>,
}

/// `GET /work`: the agencies where the person is an officer or supervisor; with one, straight to its queue.
async fn index(State(state): State<AppState>, s: SignedIn) -> Response {
    let lang = s.v.lang;
    let desks = desks(&s);
    match desks.as_slice() {
        [] => crate::error::page_error(
            &state,
            lang,
            lango_core::Error::Forbidden("not agency staff".into()),
        ),
        [one] => Redirect::to(&format!("/work/{}", enc(one))).into_response(),
        many => render(
            StatusCode::OK,
            &IndexPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/work"),
                desks: many
                    .iter()
                    .map(|a| (format!("/work/{}", enc(a)), agency_name(&state, lang, a)))
                    .collect(),
            },
        ),
    }
}

/// True when `s` could be an agency code, a reference, a document or account id or an
/// action id: short, ASCII letters, digits, `-`, `_` and `.`. Anything else names nothing.
fn plausible(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Free text as typed, without the NUL characters no database stores.
fn text(s: &str) -> String {
    s.chars().filter(|c| *c != '\0').collect()
}

/// Who an application is assigned to, as read on the page.
fn assignee(lang: Lang, staff: &[lango_identity::staff::StaffMember], to: Option<&str>) -> String {
    match to {
        None => tr(lang, "work_nobody").to_string(),
        Some(id) => staff
            .iter()
            .find(|m| m.account_id == id)
            .map_or_else(|| id.to_string(), |m| m.name.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plausible_ids_reach_the_database() {
        for ok in ["DIS", "LA-7K3M-9QX2", "0194f0c2-aa", "request_info", "v1.2"] {
            assert!(plausible(ok), "{ok}");
        }
        for bad in ["", "a b", "a\0b", "<x>", "ü", &"x".repeat(65), "../etc"] {
            assert!(!plausible(bad), "{bad:?}");
        }
        assert_eq!(text("a\0b\nc"), "ab\nc");
        assert_eq!(when(0), "1970-01-01 03:00 EAT");
        assert_eq!(day(86_400_000 - 3_600_000), "1970-01-02");
    }
}
