//! Platform staff answer people's requests to correct their data: the open requests, oldest
//! first, and one request with the answer form (`lango_identity::correction`).

use super::my_data::topic_name;
use super::when;
use super::{render, render_status_page, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form as Posted, Router};
use lango_identity::correction::{self, AnswerForm, StaffView, OUTCOMES};
use lango_identity::model::Problems;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/corrections", get(list))
        .route("/admin/corrections/{reference}", get(show).post(answer))
}

/// One open request in the list.
pub struct Row {
    reference: String,
    name: String,
    topic: &'static str,
    made: String,
}

#[derive(Template)]
#[template(path = "corrections_admin.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    answered: bool,
}

#[derive(serde::Deserialize)]
struct Done {
    done: Option<String>,
}

/// `GET /admin/corrections`
async fn list(State(state): State<AppState>, s: SignedIn, Query(q): Query<Done>) -> Response {
    let lang = s.v.lang;
    let open = match correction::open(&state.db, &s.v.actor).await {
        Ok(open) => open,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let rows = open
        .into_iter()
        .map(|v| Row {
            topic: topic_name(lang, &v.request.topic),
            made: when(v.request.created_at),
            reference: v.request.reference,
            name: v.name,
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/corrections"),
            rows,
            answered: q.done.is_some(),
        },
    )
}

#[derive(Template)]
#[template(path = "correction_answer.html")]
struct AnswerPage {
    c: Chrome,
    v: StaffView,
    topic: &'static str,
    made: String,
    form: Form,
}

fn answer_form(lang: Lang, csrf: &str, reference: &str, f: &AnswerForm) -> Form {
    let outcome = Field::new(lang, "outcome", "radios")
        .label(lang, "correction_outcome")
        .worded_choices(lang, "correction_status_", &OUTCOMES, &f.outcome);
    let mut text = Field::new(lang, "answer", "textarea")
        .label(lang, "correction_answer")
        .value(&f.answer);
    text.hint = tr(lang, "correction_answer_hint");
    Form::new(
        format!("/admin/corrections/{reference}"),
        csrf,
        tr(lang, "correction_answer_send"),
        vec![outcome, text],
    )
}

/// The answer page of `reference` with the form as typed (and its problems), or 404 when
/// there is no such request.
async fn page(
    state: &AppState,
    s: &SignedIn,
    reference: &str,
    f: &AnswerForm,
    problems: Option<&Problems>,
) -> Response {
    let lang = s.v.lang;
    match correction::for_staff(&state.db, &s.v.actor, reference).await {
        Ok(Some(v)) => {
            let mut form = answer_form(lang, &s.v.csrf, &v.request.reference, f);
            if let Some(p) = problems {
                form = form.problems(lang, p);
            }
            render(
                form.status(),
                &AnswerPage {
                    c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/corrections"),
                    topic: topic_name(lang, &v.request.topic),
                    made: when(v.request.created_at),
                    v,
                    form,
                },
            )
        }
        Ok(None) => render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        Err(e) => crate::error::page_error(state, lang, e),
    }
}

/// `GET /admin/corrections/{reference}`
async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    page(&state, &s, &reference, &AnswerForm::default(), None).await
}

/// `POST /admin/corrections/{reference}`: answers and tells the person, or shows what to put
/// right.
async fn answer(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    Posted(f): Posted<AnswerForm>,
) -> Response {
    let lang = s.v.lang;
    match correction::answer(&state.db, &s.v.actor, &reference, &f).await {
        Ok(Ok(())) => Redirect::to("/admin/corrections?done=1").into_response(),
        Ok(Err(p)) => page(&state, &s, &reference, &f, Some(&p)).await,
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}
