//! The forms of the application page: claim, assign, act, message, and the document
//! download. Each parses the form, calls one operation of the cases room and answers with
//! the page again (303 on success), the stale page (409) or the page with its errors (400).

use super::application::{page, Trouble};
use super::{enc, plausible, text};
use crate::pages::{render, render_status_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lango_core::Error;

#[derive(Template)]
#[template(path = "work_stale.html")]
struct StalePage {
    c: Chrome,
    href: String,
    /// The engine's words for what changed (English).
    detail: String,
}

/// The fields of a posted form.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(all: &'a [(String, String)], name: &str) -> &'a str {
    all.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The revision the form was made from; a missing or garbled one is never current.
fn revision(all: &[(String, String)]) -> i64 {
    field(all, "revision").trim().parse().unwrap_or(-1)
}

/// What to answer once an operation ran: back to the page, the stale page, or the refusal.
async fn after(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    reference: &str,
    done: &str,
    result: lango_core::Result<()>,
    trouble: impl FnOnce(String) -> Trouble,
) -> Response {
    let base = format!("/work/{}/applications/{}", enc(agency), enc(reference));
    let result = if plausible(agency) && plausible(reference) {
        result
    } else {
        Err(Error::NotFound("application".into()))
    };
    match result {
        Ok(()) => Redirect::to(&format!("{base}?done={done}")).into_response(),
        Err(Error::Conflict(detail)) => render(
            StatusCode::CONFLICT,
            &StalePage {
                c: Chrome::for_visitor(&s.v, state.config.demo, &base),
                href: base,
                detail,
            },
        ),
        Err(Error::Invalid { message, .. }) => {
            page(
                state,
                s,
                agency,
                reference,
                trouble(message),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// The engine's refusal, or our words when the field was left empty.
fn refusal(lang: crate::i18n::Lang, typed: &str, key: &str, engine: String) -> String {
    if typed.trim().is_empty() {
        tr(lang, key).to_string()
    } else {
        engine
    }
}

/// `POST …/claim`: the officer takes the application.
pub async fn claim(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, reference)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let all = fields(&body);
    let r = if plausible(&reference) {
        state
            .cases
            .claim(&s.v.actor, &reference, revision(&all))
            .await
            .map(|_| ())
    } else {
        Err(Error::NotFound("application".into()))
    };
    after(&state, &s, &agency, &reference, "claim", r, |m| Trouble {
        general: Some(m),
        ..Trouble::default()
    })
    .await
}

/// `POST …/assign`: a supervisor gives the application to an officer (or to nobody).
pub async fn assign(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, reference)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let all = fields(&body);
    let officer = Some(field(&all, "officer").trim()).filter(|o| !o.is_empty());
    let r = match officer {
        _ if !plausible(&reference) => Err(Error::NotFound("application".into())),
        Some(o) if !plausible(o) => {
            Err(Error::invalid("officer", "choose an officer of the agency"))
        }
        _ => state
            .cases
            .assign(&s.v.actor, &reference, officer, revision(&all))
            .await
            .map(|_| ()),
    };
    after(&state, &s, &agency, &reference, "assign", r, |m| Trouble {
        general: Some(m),
        ..Trouble::default()
    })
    .await
}

/// `POST …/act`: takes one action of the application's state, with its reason.
pub async fn act(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, reference)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let all = fields(&body);
    let action = field(&all, "action").to_string();
    let reason = text(field(&all, "reason"));
    let r = if !plausible(&reference) {
        Err(Error::NotFound("application".into()))
    } else if !plausible(&action) {
        Err(Error::invalid(
            "action",
            "that action cannot be taken in this state",
        ))
    } else {
        state
            .cases
            .act(
                &s.v.actor,
                &reference,
                &action,
                Some(reason.trim()).filter(|r| !r.is_empty()),
                revision(&all),
            )
            .await
            .map(|_| ())
    };
    let lang = s.v.lang;
    // A form from before the application moved to someone else's turn is stale, not forbidden.
    let r = match r {
        Err(Error::Forbidden(m)) => match state.cases.get(&s.v.actor, &reference).await {
            Ok(now) if now.revision != revision(&all) => Err(Error::Conflict(
                "the application has changed since you looked at it; look again".into(),
            )),
            _ => Err(Error::Forbidden(m)),
        },
        other => other,
    };
    let field_of = match &r {
        Err(Error::Invalid { field, .. }) => field.clone(),
        _ => String::new(),
    };
    after(&state, &s, &agency, &reference, "act", r, move |m| {
        if field_of == "reason" {
            Trouble {
                reason: Some((
                    action,
                    reason.clone(),
                    refusal(lang, &reason, "work_reason_required", m),
                )),
                ..Trouble::default()
            }
        } else {
            Trouble {
                general: Some(m),
                ..Trouble::default()
            }
        }
    })
    .await
}

/// `POST …/messages`: the officer writes to the applicant.
pub async fn message(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, reference)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let all = fields(&body);
    let text = text(field(&all, "body"));
    let lang = s.v.lang;
    let r = if !plausible(&reference) {
        Err(Error::NotFound("application".into()))
    } else if text.trim().is_empty() {
        Err(Error::invalid("body", tr(lang, "work_message_required")))
    } else {
        state
            .cases
            .send_message(&s.v.actor, &reference, text.trim(), Vec::new())
            .await
            .map(|_| ())
    };
    after(&state, &s, &agency, &reference, "message", r, move |m| {
        Trouble {
            message: Some((
                text.clone(),
                refusal(lang, &text, "work_message_required", m),
            )),
            ..Trouble::default()
        }
    })
    .await
}

/// `GET …/documents/{id}`: a document of the application, for those who may see it.
pub async fn document(
    State(state): State<AppState>,
    s: SignedIn,
    Path((_agency, reference, id)): Path<(String, String, String)>,
) -> Response {
    if !plausible(&reference) || !plausible(&id) {
        return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    }
    match state.cases.document(&s.v.actor, &reference, &id).await {
        Ok((file, bytes)) => {
            crate::download::document(&file, bytes, crate::download::Show::Attachment)
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
