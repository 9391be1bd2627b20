//! Platform staff decide claims to act for a business or a child: the pending claims,
//! oldest first, and one claim with the decision form (`lango_identity::claim`).

use super::{render, render_status_page, when, Chrome};
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
use lango_identity::claim::{self, DecisionForm, Kind, StaffView, OUTCOMES};
use lango_identity::model::Problems;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/claims", get(list))
        .route("/admin/claims/{reference}", get(show).post(decide))
}

/// One pending claim in the list.
struct Row {
    reference: String,
    name: String,
    kind: &'static str,
    subject: String,
    made: String,
}

#[derive(Template)]
#[template(path = "claims_admin.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    decided: bool,
}

#[derive(serde::Deserialize)]
struct Done {
    done: Option<String>,
}

fn kind_name(lang: Lang, kind: Kind) -> &'static str {
    tr(lang, &format!("claim_kind_{}", kind.as_str()))
}

/// `GET /admin/claims`
async fn list(State(state): State<AppState>, s: SignedIn, Query(q): Query<Done>) -> Response {
    let lang = s.v.lang;
    let pending = match claim::pending(&state.db, &s.v.actor).await {
        Ok(p) => p,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let rows = pending
        .into_iter()
        .map(|v| Row {
            kind: kind_name(lang, v.claim.kind),
            subject: v.claim.subject(),
            made: when(v.claim.created_at),
            reference: v.claim.reference,
            name: v.name,
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/claims"),
            rows,
            decided: q.done.is_some(),
        },
    )
}

#[derive(Template)]
#[template(path = "claim_decide.html")]
struct DecidePage {
    c: Chrome,
    v: StaffView,
    kind: &'static str,
    number_label: &'static str,
    business: bool,
    own: bool,
    status: &'static str,
    made: String,
    form: Form,
}

fn decision_form(lang: Lang, csrf: &str, reference: &str, f: &DecisionForm) -> Form {
    let outcome = Field::new(lang, "outcome", "radios")
        .label(lang, "claim_outcome")
        .worded_choices(lang, "claim_outcome_", &OUTCOMES, &f.outcome);
    let mut reason = Field::new(lang, "reason", "textarea")
        .label(lang, "claim_reason")
        .value(&f.reason);
    reason.hint = tr(lang, "claim_reason_hint");
    Form::new(
        format!("/admin/claims/{reference}"),
        csrf,
        tr(lang, "claim_decide_send"),
        vec![outcome, reason],
    )
}

/// The decision page of `reference` with the form as typed (and its problems), or 404 when
/// there is no such claim.
async fn page(
    state: &AppState,
    s: &SignedIn,
    reference: &str,
    f: &DecisionForm,
    problems: Option<&Problems>,
) -> Response {
    let lang = s.v.lang;
    match claim::for_staff(&state.db, &s.v.actor, reference).await {
        Ok(Some(v)) => {
            let mut form = decision_form(lang, &s.v.csrf, &v.claim.reference, f);
            if let Some(p) = problems {
                form = form.problems(lang, p);
            }
            let business = v.claim.kind == Kind::Business;
            render(
                form.status(),
                &DecidePage {
                    c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/claims"),
                    kind: kind_name(lang, v.claim.kind),
                    number_label: tr(
                        lang,
                        if business {
                            "registration_number"
                        } else {
                            "birth_certificate"
                        },
                    ),
                    business,
                    own: !claim::may_decide(&s.v.actor, &v.claim),
                    status: tr(lang, &format!("claim_status_{}", v.claim.status.as_str())),
                    made: when(v.claim.created_at),
                    v,
                    form,
                },
            )
        }
        Ok(None) => render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        Err(e) => crate::error::page_error(state, lang, e),
    }
}

/// `GET /admin/claims/{reference}`
async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    page(&state, &s, &reference, &DecisionForm::default(), None).await
}

/// `POST /admin/claims/{reference}`: approves or refuses and tells the person, or shows what
/// to put right.
async fn decide(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    Posted(f): Posted<DecisionForm>,
) -> Response {
    match claim::decide(&state.db, &s.v.actor, &reference, &f).await {
        Ok(Ok(())) => Redirect::to("/admin/claims?done=1").into_response(),
        Ok(Err(p)) => page(&state, &s, &reference, &f, Some(&p)).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
