//! `GET /applications/{ref}`: where the application is, its history, payment, messages
//! with the agency, the answer to a request for more information, and its documents.

use super::form;
use super::view::pick;
use super::{day, load, refuse, resume_at, service_name, state_label, when, Loaded};
use crate::pages::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lango_cases::application::{By, Note, Transition, DRAFT};
use lango_cases::definition::model::Actor as StateActor;
use lango_cases::definition::FileAnswer;

/// The field name uploads with a message or a response are stored under.
const MESSAGE_FIELD: &str = "message";

/// A step of the timeline.
struct Step {
    when: String,
    state: String,
    reason: String,
    by: String,
}

/// A message as listed.
struct MessageRow {
    when: String,
    author: String,
    mine: bool,
    body: String,
    documents: Vec<(String, String)>,
}

/// A document as listed: link, name, what it is.
struct DocRow {
    href: String,
    name: String,
    what: String,
}

#[derive(Template)]
#[template(path = "apply_track.html")]
struct TrackPage {
    c: Chrome,
    reference: String,
    service: String,
    state: String,
    submitted: String,
    due: String,
    steps: Vec<Step>,
    bill: String,
    bill_status: String,
    payable: bool,
    messages: Vec<MessageRow>,
    request: Option<String>,
    uploaded: Vec<DocRow>,
    issued: Vec<DocRow>,
    message_error: Option<&'static str>,
    respond_error: Option<String>,
    /// For the applicant of a completed application: whether they answered the survey.
    survey: Option<bool>,
    /// The appointment this state asks the applicant to book.
    appointment: Option<AppointmentAsk>,
}

/// The appointment a state asks for: why, where to book, and the one already booked.
struct AppointmentAsk {
    why: String,
    service: String,
    booked: Option<(String, String)>,
}

/// The appointment the current state asks `s` to book, with theirs if they have one.
async fn appointment_ask(
    state: &AppState,
    s: &SignedIn,
    ask: Option<&lango_cases::definition::model::AppointmentDef>,
) -> Option<AppointmentAsk> {
    let ask = ask?;
    let today = lango_centres::calendar::today();
    let booked = state
        .centres
        .appointments_of(&s.account.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|a| {
            a.service == ask.service
                && a.day >= today
                && a.status == lango_centres::appointments::Status::Booked
        })
        .map(|a| {
            (
                a.reference.clone(),
                format!("{} {} {}", a.day, a.time(), crate::pages::time_zone()),
            )
        });
    Some(AppointmentAsk {
        why: pick(s.v.lang, &ask.why),
        service: ask.service.clone(),
        booked,
    })
}

impl TrackPage {
    fn errors(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(e) = &self.respond_error {
            out.push(("#f-response", e.clone()));
        }
        if let Some(e) = self.message_error {
            out.push(("#f-message", e.to_string()));
        }
        out
    }
}

fn docs_of(out: &mut Vec<DocRow>, reference: &str, what: &str, f: &FileAnswer) {
    if out.iter().any(|d| d.href.ends_with(&format!("/{}", f.id))) {
        return;
    }
    out.push(DocRow {
        href: format!("/applications/{reference}/documents/{}", f.id),
        name: f.name.clone(),
        what: what.to_string(),
    });
}

/// A step's note in the page's language.
fn step_note(lang: crate::i18n::Lang, t: &Transition) -> String {
    match t.note() {
        Note::None => String::new(),
        Note::NoFee => tr(lang, "apply_note_no_fee").to_string(),
        Note::BillPaid(bill) => format!("{} {bill}", tr(lang, "apply_note_bill_paid")),
        Note::AssignedTo(name) => format!("{} {name}", tr(lang, "apply_note_assigned_to")),
        Note::Unassigned => tr(lang, "apply_note_unassigned").to_string(),
        Note::Text(text) => text,
    }
}

/// Who took a step, in the page's language.
fn step_by(state: &AppState, lang: crate::i18n::Lang, t: &Transition) -> String {
    match t.by() {
        By::Platform => "Lango".to_string(),
        By::AgencySystem(code) => {
            let snap = state.catalogue.snapshot();
            let name = lango_catalogue::AgencyCode::parse(&code)
                .ok()
                .and_then(|c| {
                    snap.agency(&c)
                        .map(|a| lang.pick(&a.name, &a.name_sw).to_string())
                })
                .unwrap_or(code);
            format!("{} ({name})", tr(lang, "apply_by_agency_system"))
        }
        By::Person(name) => name,
    }
}

async fn track_page(
    state: &AppState,
    s: &SignedIn,
    l: &Loaded,
    message_error: Option<&'static str>,
    respond_error: Option<String>,
) -> Response {
    let lang = s.v.lang;
    let app = &l.app;
    let d = &l.def.definition;
    let reference = &app.reference;
    let actor = &s.v.actor;
    let history = state.cases.history(actor, reference).await;
    let messages = state.cases.messages(actor, reference).await;
    let issued = state.cases.issued(actor, reference).await;
    let (history, messages, issued) = match (history, messages, issued) {
        (Ok(h), Ok(m), Ok(i)) => (h, m, i),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return refuse(state, lang, e),
    };
    let bill = match &app.bill_reference {
        Some(b) => match lango_payments::bills::get(&state.db, b).await {
            Ok(x) => x,
            Err(e) => return refuse(state, lang, e),
        },
        None => None,
    };
    let current = d.state(&app.state);
    let request = current
        .filter(|st| st.actor == StateActor::Applicant)
        .map(|_| {
            history
                .iter()
                .rev()
                .find(|t| t.to == app.state)
                .and_then(|t| t.reason.clone())
                .unwrap_or_default()
        });
    let mut uploaded = Vec::new();
    let (_, files) = form::flatten(&app.answers);
    for (name, f) in &files {
        let top = name.split('.').next().unwrap_or(name);
        let what = d
            .file()
            .pages
            .iter()
            .flat_map(|p| &p.fields)
            .find(|x| x.id == top)
            .map(|x| pick(lang, &x.label))
            .unwrap_or_default();
        docs_of(&mut uploaded, reference, &what, f);
    }
    for m in &messages {
        for f in &m.documents {
            docs_of(
                &mut uploaded,
                reference,
                tr(lang, "apply_sent_with_message"),
                f,
            );
        }
    }
    let survey = state
        .insights
        .survey(actor, reference)
        .await
        .ok()
        .map(|sv| sv.answered);
    let appointment = if s.account.id == app.applicant {
        appointment_ask(state, s, current.and_then(|st| st.appointment.as_ref())).await
    } else {
        None
    };
    let page = TrackPage {
        survey,
        appointment,
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/applications/{reference}"),
        ),
        reference: reference.clone(),
        service: service_name(state, lang, &l.def),
        state: state_label(lang, &l.def, &app.state),
        submitted: app.submitted_at.map(when).unwrap_or_default(),
        due: app.due_at.map(day).unwrap_or_default(),
        steps: history
            .iter()
            .map(|t| Step {
                when: when(t.at),
                state: state_label(lang, &l.def, &t.to),
                reason: step_note(lang, t),
                by: step_by(state, lang, t),
            })
            .collect(),
        bill: app.bill_reference.clone().unwrap_or_default(),
        bill_status: bill
            .as_ref()
            .map(|b| tr(lang, &format!("bill_status_{}", b.status)).to_string())
            .unwrap_or_default(),
        payable: bill.as_ref().is_some_and(|b| b.status.is_payable()),
        messages: messages
            .iter()
            .map(|m| MessageRow {
                when: when(m.at),
                author: m.author.clone(),
                mine: m.from_applicant,
                body: m.body.clone(),
                documents: m
                    .documents
                    .iter()
                    .map(|f| {
                        (
                            format!("/applications/{reference}/documents/{}", f.id),
                            f.name.clone(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        request,
        uploaded,
        issued: issued
            .iter()
            .map(|i| DocRow {
                href: format!("/applications/{reference}/documents/{}", i.file.id),
                name: d
                    .output(&i.output)
                    .map(|o| pick(lang, &o.title))
                    .unwrap_or_else(|| i.file.name.clone()),
                what: match &i.valid_until {
                    Some(v) => format!(
                        "{} {} · {} {v}",
                        tr(lang, "apply_number"),
                        i.number,
                        tr(lang, "apply_valid_until")
                    ),
                    None => format!("{} {}", tr(lang, "apply_number"), i.number),
                },
            })
            .collect(),
        message_error,
        respond_error,
    };
    let status = if page.errors().is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut res = render(status, &page);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /applications/{ref}`: the track page; a draft resumes where it was left.
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    let l = match load(&state, &s.v, &reference).await {
        Ok(l) => l,
        Err(res) => return res,
    };
    if l.app.state == DRAFT {
        return Redirect::to(&resume_at(&l.def, &l.app.answers, &l.app.reference)).into_response();
    }
    track_page(&state, &s, &l, None, None).await
}

/// The text and files of a message or response form.
async fn read(
    headers: &HeaderMap,
    body: Bytes,
    field: &str,
) -> Option<(String, Vec<form::Upload>)> {
    let (pairs, uploads) = form::read_body(headers, body).await?;
    let text = pairs
        .into_iter()
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    Some((text, uploads))
}

/// `POST /applications/{ref}/messages`: a message to the agency.
pub async fn send(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let l = match load(&state, &s.v, &reference).await {
        Ok(l) => l,
        Err(res) => return res,
    };
    let reference = l.app.reference.clone();
    let Some((text, _)) = read(&headers, body, "message").await else {
        return track_page(
            &state,
            &s,
            &l,
            Some(tr(s.v.lang, "apply_message_required")),
            None,
        )
        .await;
    };
    if text.is_empty() || l.app.state == DRAFT {
        return track_page(
            &state,
            &s,
            &l,
            Some(tr(s.v.lang, "apply_message_required")),
            None,
        )
        .await;
    }
    match state
        .cases
        .send_message(&s.v.actor, &reference, &text, Vec::new())
        .await
    {
        Ok(_) => Redirect::to(&format!("/applications/{reference}#messages")).into_response(),
        Err(lango_core::Error::Invalid { .. }) => {
            track_page(
                &state,
                &s,
                &l,
                Some(tr(s.v.lang, "apply_message_invalid")),
                None,
            )
            .await
        }
        Err(e) => refuse(&state, s.v.lang, e),
    }
}

/// `POST /applications/{ref}/respond`: the applicant answers a request for more
/// information, with a document if they have one; the application goes back to the officer.
pub async fn respond(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = s.v.lang;
    let l = match load(&state, &s.v, &reference).await {
        Ok(l) => l,
        Err(res) => return res,
    };
    let reference = l.app.reference.clone();
    let asked = l
        .def
        .definition
        .state(&l.app.state)
        .is_some_and(|st| st.actor == StateActor::Applicant);
    if !asked {
        return super::submitted_already(&state, &s.v, &reference);
    }
    let required = || Some(tr(lang, "apply_response_required").to_string());
    let Some((text, uploads)) = read(&headers, body, "response").await else {
        return track_page(&state, &s, &l, None, required()).await;
    };
    if text.is_empty() {
        return track_page(&state, &s, &l, None, required()).await;
    }
    let mut documents = Vec::new();
    for u in uploads {
        match state
            .cases
            .upload(&s.v.actor, &reference, MESSAGE_FIELD, &u.name, u.bytes)
            .await
        {
            Ok(Ok(f)) => documents.push(f),
            Ok(Err(why)) => {
                let words = super::questions::refusal_words(&why);
                let text = pick(lang, &words);
                return track_page(&state, &s, &l, None, Some(text)).await;
            }
            Err(e) => return refuse(&state, lang, e),
        }
    }
    match state
        .cases
        .respond(&s.v.actor, &reference, &text, documents)
        .await
    {
        Ok(_) => Redirect::to(&format!("/applications/{reference}")).into_response(),
        Err(lango_core::Error::Invalid { .. }) => {
            track_page(
                &state,
                &s,
                &l,
                None,
                Some(tr(lang, "apply_message_invalid").to_string()),
            )
            .await
        }
        Err(e) => refuse(&state, lang, e),
    }
}

/// `GET /applications/{ref}/documents/{id}`: the bytes, to those allowed to see them.
pub async fn document(
    State(state): State<AppState>,
    s: SignedIn,
    Path((reference, id)): Path<(String, String)>,
) -> Response {
    if !super::plausible(&reference) || !super::plausible(&id) {
        return crate::pages::render_status_page(
            StatusCode::NOT_FOUND,
            s.v.lang,
            state.config.demo,
        );
    }
    let (file, bytes) = match state.cases.document(&s.v.actor, &reference, &id).await {
        Ok(x) => x,
        Err(e) => return refuse(&state, s.v.lang, e),
    };
    crate::download::document(&file, bytes, crate::download::Show::InlineHtml)
}
