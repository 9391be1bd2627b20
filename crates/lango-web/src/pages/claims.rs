//! A person claims to act for a business or a child: the two forms and the confirmation
//! with the claim's reference. Nothing is granted here; staff decide (`claims_admin`).

use super::auth::{form_page, send};
use super::{render, render_status_page, when, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form as Posted, Router};
use lango_identity::business::DependantForm;
use lango_identity::claim::{self, Claim, Kind};
use lango_identity::model::Problems;
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/businesses", post(business_create))
        .route("/account/businesses/new", get(business_new))
        .route("/account/dependants", post(dependant_create))
        .route("/account/dependants/new", get(dependant_new))
        .route("/account/claims/{reference}", get(done))
}

/// The business form as typed.
#[derive(Deserialize, Default)]
pub struct BusinessForm {
    #[serde(default)]
    registration_number: String,
    #[serde(default)]
    name: String,
}

fn business_form(lang: Lang, csrf: &str, f: &BusinessForm) -> Form {
    Form::new(
        "/account/businesses",
        csrf,
        tr(lang, "add_business"),
        vec![
            Field::new(lang, "registration_number", "text").value(&f.registration_number),
            Field::new(lang, "name", "text")
                .value(&f.name)
                .auto("organization"),
        ],
    )
}

fn dependant_form(lang: Lang, csrf: &str, f: &DependantForm) -> Form {
    Form::new(
        "/account/dependants",
        csrf,
        tr(lang, "add_dependant"),
        vec![
            Field::new(lang, "given_name", "text").value(&f.given_name),
            Field::new(lang, "family_name", "text").value(&f.family_name),
            Field::date(lang, "date_of_birth", &f.dob, &f.date_of_birth),
            Field::new(lang, "birth_certificate", "text").value(&f.birth_certificate),
            Field::new(lang, "relationship", "radios").choices(
                lang,
                &["parent", "guardian"],
                &[f.relationship.as_str()],
            ),
        ],
    )
    .naming()
}

/// The form page of `kind`, blank or with the problems of what was typed.
fn claim_page(state: &AppState, s: &SignedIn, kind: Kind, form: Form) -> Response {
    let (here, title, lead) = match kind {
        Kind::Business => ("/account/businesses/new", "add_business", "businesses_lead"),
        Kind::Dependant => (
            "/account/dependants/new",
            "add_dependant",
            "dependants_lead",
        ),
    };
    send(form_page(state, &s.v, here, title, lead, form))
}

/// Where a stored claim goes (its confirmation), or the form again with its problems.
fn answered(
    state: &AppState,
    s: &SignedIn,
    outcome: lango_core::Result<Result<Claim, Problems>>,
    again: impl FnOnce(&Problems) -> (Kind, Form),
) -> Response {
    match outcome {
        Ok(Ok(c)) => Redirect::to(&format!("/account/claims/{}", c.reference)).into_response(),
        Ok(Err(p)) => {
            let (kind, form) = again(&p);
            claim_page(state, s, kind, form)
        }
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `GET /account/businesses/new`
async fn business_new(State(state): State<AppState>, s: SignedIn) -> Response {
    let form = business_form(s.v.lang, &s.v.csrf, &BusinessForm::default());
    claim_page(&state, &s, Kind::Business, form)
}

/// `POST /account/businesses`: a claim to own the business, checked by staff.
async fn business_create(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<BusinessForm>,
) -> Response {
    let outcome = claim::business(&state.db, &s.v.actor, &f.registration_number, &f.name).await;
    answered(&state, &s, outcome, |p| {
        let form = business_form(s.v.lang, &s.v.csrf, &f).problems(s.v.lang, p);
        (Kind::Business, form)
    })
}

/// `GET /account/dependants/new`
async fn dependant_new(State(state): State<AppState>, s: SignedIn) -> Response {
    let form = dependant_form(s.v.lang, &s.v.csrf, &DependantForm::default());
    claim_page(&state, &s, Kind::Dependant, form)
}

/// `POST /account/dependants`: a claim to be the child's parent or guardian, checked by staff.
async fn dependant_create(
    State(state): State<AppState>,
    s: SignedIn,
    Posted(f): Posted<DependantForm>,
) -> Response {
    let outcome = claim::dependant(&state.db, &s.v.actor, &f).await;
    answered(&state, &s, outcome, |p| {
        let form = dependant_form(s.v.lang, &s.v.csrf, &f).problems(s.v.lang, p);
        (Kind::Dependant, form)
    })
}

/// A claim as the person's pages show it.
pub struct ClaimRow {
    /// Its reference.
    pub reference: String,
    /// What it is about.
    pub subject: String,
    /// Where it stands, in words.
    pub status: &'static str,
    /// Why it was refused.
    pub reason: String,
    /// When it was made.
    pub made: String,
}

/// The person's claims not yet granted (waiting, or refused with the reason), newest first.
pub fn rows(lang: Lang, claims: &[Claim]) -> Vec<ClaimRow> {
    claims
        .iter()
        .filter(|c| c.status != claim::Status::Approved)
        .map(|c| row(lang, c))
        .collect()
}

fn row(lang: Lang, c: &Claim) -> ClaimRow {
    ClaimRow {
        reference: c.reference.clone(),
        subject: c.subject(),
        status: tr(lang, &format!("claim_status_{}", c.status.as_str())),
        reason: c.reason.clone().unwrap_or_default(),
        made: when(c.created_at),
    }
}

#[derive(Template)]
#[template(path = "claim_done.html")]
struct DonePage {
    c: Chrome,
    r: ClaimRow,
    business: bool,
}

/// `GET /account/claims/{reference}`: the confirmation, with the reference and what happens next.
async fn done(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    match claim::get(&state.db, &s.account.id, &reference).await {
        Ok(Some(c)) => render(
            StatusCode::OK,
            &DonePage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/account"),
                business: c.kind == Kind::Business,
                r: row(s.v.lang, &c),
            },
        ),
        Ok(None) => render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
