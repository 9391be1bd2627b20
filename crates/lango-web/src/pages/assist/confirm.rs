//! How the person present confirms that centre staff or an agent may act for them: a code
//! sent to their phone, or (at a centre) the document staff inspected; then the assistance
//! begins.

use super::desk::Desk;
use super::Where;
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
    /// At an agent's desk: the agent's name (the person is told who asks).
    agent: String,
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

/// The desk (if `s` may help people there) and the person `person` being confirmed there:
/// what every confirmation step starts from.
async fn at_desk(
    state: &AppState,
    s: &SignedIn,
    path: &std::collections::HashMap<String, String>,
    person: &str,
) -> Result<(Desk, Account), Response> {
    let desk = Desk::of(state, s, path).await?;
    let a = person_of(state, s, person).await?;
    Ok((desk, a))
}

fn confirm(
    state: &AppState,
    s: &SignedIn,
    desk: &Desk,
    a: &Account,
    f: &BeginForm,
    notice: &'static str,
    problems: &Problems,
) -> Response {
    let lang = s.v.lang;
    let at = &desk.at();
    let kinds = ["national_id", "passport", "alien_id", "birth_certificate"];
    let mut fields = vec![
        Field::new(lang, "person", "hidden").value(&a.id),
        Field::new(lang, "code", "text")
            .label(lang, "assist_code")
            .value(&f.code),
    ];
    if desk.is_centre() {
        fields.extend([
            Field::new(lang, "document_kind", "radios")
                .label(lang, "assist_document_kind")
                .worded_choices(lang, "assist_kind_", &kinds, &f.document_kind),
            Field::new(lang, "document_number", "text")
                .label(lang, "assist_document_number")
                .value(&f.document_number),
        ]);
    }
    let form = Form::new(
        format!("{at}/begin"),
        &s.v.csrf,
        tr(lang, "assist_begin_button"),
        fields,
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
        agent: match desk {
            Desk::Agent(g) => g.name.clone(),
            Desk::Counter(..) => String::new(),
        },
    };
    render(page.form.status(), &page)
}

/// `GET …/assist/confirm?person=ID`: how the person confirms that staff may act for them.
pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(path): Where,
    which: Result<Query<Which>, QueryRejection>,
) -> Response {
    let which = which.map(|Query(w)| w).unwrap_or_default();
    let (desk, a) = match at_desk(&state, &s, &path, &which.person).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let notice = match which.sent.as_deref() {
        Some("1") => "assist_code_sent",
        _ => "",
    };
    let f = BeginForm::default();
    confirm(&state, &s, &desk, &a, &f, notice, &Problems::default())
}

/// Whom to send the code to.
#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    person: String,
}

/// `POST …/assist/code`: sends the person a code naming this centre or agent.
pub(super) async fn send_code(
    State(state): State<AppState>,
    s: SignedIn,
    Path(path): Where,
    Posted(f): Posted<CodeForm>,
) -> Response {
    let (desk, a) = match at_desk(&state, &s, &path, &f.person).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let at = desk.at();
    let none = BeginForm::default();
    match assist::send_code(&state.db, &a, desk.helper(&a.language)).await {
        Ok(Ok(true)) => {
            Redirect::to(&format!("{at}/confirm?person={}&sent=1", a.id)).into_response()
        }
        Ok(refused) => {
            let why = match refused {
                Ok(_) => "assist_no_phone",
                Err(_) => "assist_code_locked",
            };
            confirm(
                &state,
                &s,
                &desk,
                &a,
                &none,
                "",
                &Problems::one("code", why),
            )
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
    Path(path): Where,
    Posted(f): Posted<BeginForm>,
) -> Response {
    let (desk, a) = match at_desk(&state, &s, &path, &f.person).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let proof = if !f.code.trim().is_empty() {
        Proof::Code(f.code.clone())
    } else if desk.is_centre()
        && (!f.document_kind.is_empty() || !f.document_number.trim().is_empty())
    {
        Proof::Document {
            kind: f.document_kind.clone(),
            number: f.document_number.clone(),
        }
    } else {
        let p = Problems::one("code", "assist_proof_required");
        return confirm(&state, &s, &desk, &a, &f, "", &p);
    };
    let (Some(staff), Some(session)) = (s.v.person(), s.v.session.as_ref()) else {
        return render_status_page(StatusCode::FORBIDDEN, s.v.lang, state.config.demo);
    };
    let begun = match (&desk, &proof) {
        (Desk::Counter(c, counter), _) => {
            let at = (c.code.as_str(), counter.as_str());
            assist::begin(&state.db, &session.id, staff, &a, at, &proof).await
        }
        (Desk::Agent(g), Proof::Code(code)) => {
            assist::begin_for_agent(&state.db, &session.id, staff, &a, &g.code, code).await
        }
        (Desk::Agent(_), Proof::Document { .. }) => {
            Ok(Err(Problems::one("code", "assist_proof_required")))
        }
    };
    match begun {
        Ok(Ok(_)) => Redirect::to(&desk.at()).into_response(),
        Ok(Err(p)) => confirm(&state, &s, &desk, &a, &f, "", &p),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
