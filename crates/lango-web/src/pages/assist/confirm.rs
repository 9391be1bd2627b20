//! How the person present confirms that centre staff may act for them: a code sent to
//! their phone, or the document staff inspected; then the assistance begins.

use super::{base, counter_for};
use crate::forms::{Field, Form};
use crate::pages::{render, render_status_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form as Posted;
use lango_identity::account::{self, Account};
use lango_identity::assist::{self, Proof};
use lango_identity::model::Problems;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "assist_confirm.html")]
struct ConfirmPage {
    c: Chrome,
    at: String,
    csrf: String,
    person: String,
    name: String,
    id_number: String,
    /// The phone as staff may read it out: its last three digits.
    phone: String,
    notice: &'static str,
    form: Form,
}

/// Which person a confirmation is for, and what was just done.
#[derive(Deserialize, Default)]
pub struct Which {
    #[serde(default)]
    person: String,
    #[serde(default)]
    sent: Option<String>,
}

/// The person `id`, or the not-found page.
async fn person_of(state: &AppState, s: &SignedIn, id: &str) -> Result<Account, Response> {
    let not_found = || render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    if id.is_empty() || id.len() > 64 {
        return Err(not_found());
    }
    account::get(&state.db, id).await.map_err(|_| not_found())
}

/// The counter (if `s` serves at its centre), the person `person` being confirmed there, and
/// the counter's assistance pages: what every confirmation step starts from.
async fn at_counter_for(
    state: &AppState,
    s: &SignedIn,
    (code, counter): (&str, &str),
    person: &str,
) -> Result<(lango_centres::model::Centre, Account, String), Response> {
    let c = counter_for(state, s, code, counter).await?;
    let a = person_of(state, s, person).await?;
    let at = base(&c.code, counter);
    Ok((c, a, at))
}

fn confirm(
    state: &AppState,
    s: &SignedIn,
    at: &str,
    a: &Account,
    f: &BeginForm,
    notice: &'static str,
    problems: &Problems,
) -> Response {
    let lang = s.v.lang;
    let kinds = ["national_id", "passport", "alien_id", "birth_certificate"];
    let form = Form::new(
        format!("{at}/begin"),
        &s.v.csrf,
        tr(lang, "assist_begin_button"),
        vec![
            Field::new(lang, "person", "hidden").value(&a.id),
            Field::new(lang, "code", "text")
                .label(lang, "assist_code")
                .value(&f.code),
            Field::new(lang, "document_kind", "radios")
                .label(lang, "assist_document_kind")
                .worded_choices(lang, "assist_kind_", &kinds, &f.document_kind),
            Field::new(lang, "document_number", "text")
                .label(lang, "assist_document_number")
                .value(&f.document_number),
        ],
    )
    .problems(lang, problems);
    let page = ConfirmPage {
        c: Chrome::for_visitor(&s.v, state.config.demo, at),
        at: at.to_string(),
        csrf: s.v.csrf.clone(),
        person: a.id.clone(),
        name: a.display_name(),
        id_number: a.id_number.clone().unwrap_or_default(),
        phone: a
            .phone
            .as_deref()
            .map(|p| format!("…{}", &p[p.len().saturating_sub(3)..]))
            .unwrap_or_default(),
        notice,
        form,
    };
    render(page.form.status(), &page)
}

/// `GET …/assist/confirm?person=ID`: how the person confirms that staff may act for them.
pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    which: Result<Query<Which>, QueryRejection>,
) -> Response {
    let which = which.map(|Query(w)| w).unwrap_or_default();
    let (_, a, at) = match at_counter_for(&state, &s, (&code, &counter), &which.person).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let notice = match which.sent.as_deref() {
        Some("1") => "assist_code_sent",
        _ => "",
    };
    let f = BeginForm::default();
    confirm(&state, &s, &at, &a, &f, notice, &Problems::default())
}

/// Whom to send the code to.
#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    person: String,
}

/// `POST …/assist/code`: sends the person a code naming this centre.
pub(super) async fn send_code(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    Posted(f): Posted<CodeForm>,
) -> Response {
    let (c, a, at) = match at_counter_for(&state, &s, (&code, &counter), &f.person).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let none = BeginForm::default();
    match assist::send_code(&state.db, &a, c.name_in(&a.language)).await {
        Ok(Ok(true)) => {
            Redirect::to(&format!("{at}/confirm?person={}&sent=1", a.id)).into_response()
        }
        Ok(refused) => {
            let why = match refused {
                Ok(_) => "assist_no_phone",
                Err(_) => "assist_code_locked",
            };
            confirm(&state, &s, &at, &a, &none, "", &Problems::one("code", why))
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// The confirmation as posted: the code, or the document inspected.
#[derive(Deserialize, Default)]
pub struct BeginForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    document_kind: String,
    #[serde(default)]
    document_number: String,
}

/// `POST …/assist/begin`: starts helping the person once they confirmed.
pub(super) async fn begin(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, counter)): Path<(String, String)>,
    Posted(f): Posted<BeginForm>,
) -> Response {
    let (c, a, at) = match at_counter_for(&state, &s, (&code, &counter), &f.person).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let proof = if !f.code.trim().is_empty() {
        Proof::Code(f.code.clone())
    } else if !f.document_kind.is_empty() || !f.document_number.trim().is_empty() {
        Proof::Document {
            kind: f.document_kind.clone(),
            number: f.document_number.clone(),
        }
    } else {
        let p = Problems::one("code", "assist_proof_required");
        return confirm(&state, &s, &at, &a, &f, "", &p);
    };
    let (Some(staff), Some(session)) = (s.v.person(), s.v.session.as_ref()) else {
        return render_status_page(StatusCode::FORBIDDEN, s.v.lang, state.config.demo);
    };
    match assist::begin(
        &state.db,
        &session.id,
        staff,
        &a,
        (&c.code, &counter),
        &proof,
    )
    .await
    {
        Ok(Ok(_)) => Redirect::to(&at).into_response(),
        Ok(Err(p)) => confirm(&state, &s, &at, &a, &f, "", &p),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
