//! Check your answers, the declaration, submission and the confirmation page.

use super::view::pick;
use super::{load, refuse, service_name, state_label, submitted_already, Loaded};
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lango_cases::application::DRAFT;
use lango_cases::definition::FieldError;

/// One answer on check your answers.
struct AnswerRow {
    question: String,
    answer: String,
    change: String,
}

/// One page's answers.
struct Section {
    title: String,
    rows: Vec<AnswerRow>,
}

#[derive(Template)]
#[template(path = "apply_check.html")]
struct CheckPage {
    c: Chrome,
    reference: String,
    caption: String,
    sections: Vec<Section>,
    fee: Vec<(String, String)>,
    total: String,
    errors: Vec<(String, String)>,
}

/// The fee lines of an application and the total its bill will ask for: when there is
/// anything to pay, the convenience fee is a line of its own and is in the total, so the
/// amount a person sees before sending is the amount the bill asks for.
fn fee_rows(
    state: &AppState,
    lang: crate::i18n::Lang,
    d: &lango_cases::definition::Definition,
    answers: &lango_cases::definition::Answers,
) -> (Vec<(String, String)>, String) {
    let Some(f) = d.fee(answers) else {
        return (Vec::new(), String::new());
    };
    let mut rows: Vec<(String, String)> = f
        .items
        .iter()
        .map(|(w, m)| (pick(lang, w), m.display()))
        .collect();
    if f.total.minor() <= 0 {
        return (rows, f.total.display());
    }
    let (convenience, whole) = state.fees.payable(f.total);
    rows.push((
        tr(lang, "apply_convenience_fee").to_string(),
        convenience.display(),
    ));
    (rows, whole.display())
}

fn check_page(state: &AppState, s: &SignedIn, l: &Loaded, errors: &[FieldError]) -> Response {
    let lang = s.v.lang;
    let d = &l.def.definition;
    let reference = &l.app.reference;
    let answers = &l.app.answers;
    let mut sections = Vec::new();
    let mut anchors: Vec<(String, String)> = Vec::new();
    for p in d.pages_for(answers) {
        let mut rows = Vec::new();
        for f in d.fields_for(p, answers) {
            let answer = match answers.get(&f.id) {
                Some(v) if !v.is_null() => d.display(f, v, lang.tag()),
                _ => String::new(),
            };
            let change = format!(
                "/applications/{reference}/pages/{}?return=check#f-{}",
                p.id, f.id
            );
            anchors.push((f.id.clone(), change.clone()));
            rows.push(AnswerRow {
                question: pick(lang, &f.label),
                answer: if answer.is_empty() {
                    tr(lang, "apply_not_answered").to_string()
                } else {
                    answer
                },
                change,
            });
        }
        sections.push(Section {
            title: pick(lang, &p.title),
            rows,
        });
    }
    // A problem found at submission links to the page where it is put right.
    let errors = errors
        .iter()
        .map(|e| {
            let top = e.field.split('.').next().unwrap_or(&e.field);
            let href = anchors
                .iter()
                .find(|(id, _)| id == top)
                .map(|(_, h)| h.clone())
                .unwrap_or_else(|| format!("/applications/{reference}/check"));
            (href, pick(lang, &e.message))
        })
        .collect();
    let (fee, total) = fee_rows(state, lang, d, answers);
    let page = CheckPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/applications/{reference}/check"),
        ),
        reference: reference.clone(),
        caption: pick(lang, &d.file().title),
        sections,
        fee,
        total,
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(status, &page)
}

/// `GET /applications/{ref}/check`
pub async fn check(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    match load(&state, &s.v, &reference).await {
        Ok(l) if l.app.state != DRAFT => submitted_already(&state, &s.v, &l.app.reference),
        Ok(l) => check_page(&state, &s, &l, &[]),
        Err(res) => res,
    }
}

#[derive(Template)]
#[template(path = "apply_declaration.html")]
struct DeclarationPage {
    c: Chrome,
    reference: String,
    caption: String,
    declaration: String,
    error: Option<&'static str>,
}

fn declaration_page(state: &AppState, s: &SignedIn, l: &Loaded, unticked: bool) -> Response {
    let lang = s.v.lang;
    let reference = &l.app.reference;
    let file = l.def.definition.file();
    let page = DeclarationPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/applications/{reference}/declaration"),
        ),
        reference: reference.clone(),
        caption: pick(lang, &file.title),
        declaration: pick(lang, &file.declaration),
        error: unticked.then(|| tr(lang, "apply_declaration_required")),
    };
    let status = if unticked {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(status, &page)
}

/// `GET /applications/{ref}/declaration`
pub async fn declaration(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    match load(&state, &s.v, &reference).await {
        Ok(l) if l.app.state != DRAFT => submitted_already(&state, &s.v, &l.app.reference),
        Ok(l) => declaration_page(&state, &s, &l, false),
        Err(res) => res,
    }
}

/// `POST /applications/{ref}/submit` (and `…/declaration`): submits once the declaration is
/// ticked; a problem left in the answers sends the applicant back to check them.
pub async fn submit(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    // The hot path (a ticked declaration) goes straight to the domain, which checks the
    // applicant and the state itself; the application is read only to show a problem.
    if !super::plausible(&reference) {
        return crate::pages::render_status_page(
            StatusCode::NOT_FOUND,
            s.v.lang,
            state.config.demo,
        );
    }
    let declared = form_urlencoded::parse(&body).any(|(k, v)| k == "declaration" && v == "yes");
    let outcome = if declared {
        match state.cases.submit(&s.v.actor, &reference).await {
            Ok(Ok(app)) => {
                let to = format!("/applications/{}/confirmation", app.reference);
                return Redirect::to(&to).into_response();
            }
            Ok(Err(errors)) => Some(errors),
            Err(lango_core::Error::Conflict(_)) => Some(Vec::new()),
            Err(e) => return refuse(&state, s.v.lang, e),
        }
    } else {
        None
    };
    let l = match load(&state, &s.v, &reference).await {
        Ok(l) => l,
        Err(res) => return res,
    };
    if l.app.state != DRAFT {
        return submitted_already(&state, &s.v, &l.app.reference);
    }
    match outcome {
        // Still a draft, yet refused as moved on: changed meanwhile.
        Some(errors) if errors.is_empty() => refuse(
            &state,
            s.v.lang,
            lango_core::Error::Conflict("changed".into()),
        ),
        Some(errors) => check_page(&state, &s, &l, &errors),
        None => declaration_page(&state, &s, &l, true),
    }
}

#[derive(Template)]
#[template(path = "apply_confirmation.html")]
struct ConfirmationPage {
    c: Chrome,
    reference: String,
    service: String,
    state: String,
    sla_days: Option<u32>,
    due: String,
    fee: Vec<(String, String)>,
    total: String,
    bill: String,
    awaiting_payment: bool,
    /// Staff assisting the applicant at a counter: (where they take the payment there,
    /// their assistance page).
    counter: Option<(String, String)>,
}

/// `GET /applications/{ref}/confirmation`
pub async fn confirmation(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    let lang = s.v.lang;
    let l = match load(&state, &s.v, &reference).await {
        Ok(l) => l,
        Err(res) => return res,
    };
    let reference = l.app.reference.clone();
    if l.app.state == DRAFT {
        return Redirect::to(&format!("/applications/{reference}/check")).into_response();
    }
    let d = &l.def.definition;
    let st = d.state(&l.app.state);
    let (fee, total) = fee_rows(&state, lang, d, &l.app.answers);
    let page = ConfirmationPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/applications/{reference}/confirmation"),
        ),
        service: service_name(&state, lang, &l.def),
        state: state_label(lang, &l.def, &l.app.state),
        sla_days: st.and_then(|x| x.sla_days),
        due: l.app.due_at.map(super::day).unwrap_or_default(),
        fee,
        total,
        bill: l.app.bill_reference.clone().unwrap_or_default(),
        awaiting_payment: st.is_some_and(|x| x.paid_to.is_some()),
        counter: s
            .v
            .assisting
            .as_ref()
            // At a centre staff take the payment at the counter; an agent's client pays
            // as anyone does.
            .filter(|a| a.person_id == l.app.applicant && a.agent.is_none())
            .map(|a| {
                let desk = format!("/desk/{}/counters/{}", a.centre, a.counter);
                (
                    format!(
                        "{desk}/pay?bill={}",
                        l.app.bill_reference.as_deref().unwrap_or("")
                    ),
                    format!("{desk}/assist"),
                )
            }),
        reference,
    };
    render(StatusCode::OK, &page)
}
