//! `/admin/agencies/{code}/webhooks`: an agency administrator subscribes the agency's
//! systems to events, sees the delivery log, and redelivers dead letters.

use super::{account::when, render, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use lango_identity::model::Problems;
use lango_identity::policy::{check, Action, Object};
use lango_notify::events::EVENT_TYPES;
use lango_notify::webhooks::{self, Delivery, Subscription};

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    c: Chrome,
    agency: String,
    subscriptions: Vec<Subscription>,
    deliveries: Vec<(Delivery, String)>,
    form: Form,
    secret: String,
    /// Whether the reader may subscribe, stop, ping and redeliver (an auditor only reads).
    may_manage: bool,
}

fn new_form(lang: Lang, csrf: &str, agency: &str, url: &str, chosen: &[&str]) -> Form {
    let all: Vec<&str> = EVENT_TYPES.iter().map(|(k, _)| *k).collect();
    let mut types = Field::new(lang, "event_types", "checkboxes");
    types.choices = all
        .iter()
        .map(|t| crate::forms::Choice {
            value: t.to_string(),
            label: t.to_string(),
            checked: chosen.contains(t),
        })
        .collect();
    Form::new(
        format!("/admin/agencies/{agency}/webhooks"),
        csrf,
        tr(lang, "add_webhook"),
        vec![Field::new(lang, "url", "url").value(url), types],
    )
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    form: Option<Form>,
    secret: String,
) -> Response {
    if let Err(e) = check(&s.v.actor, Action::View, Object::Agency(agency)) {
        return crate::error::page_error(state, s.v.lang, e);
    }
    let subs = webhooks::list(&state.db, agency).await;
    let deliveries = webhooks::deliveries(&state.db, agency, None, 50).await;
    match (subs, deliveries) {
        (Ok(subscriptions), Ok(deliveries)) => {
            let form = form.unwrap_or_else(|| new_form(s.v.lang, &s.v.csrf, agency, "", &[]));
            render(
                form.status(),
                &WebhooksPage {
                    c: Chrome::for_visitor(
                        &s.v,
                        state.config.demo,
                        &format!("/admin/agencies/{agency}/webhooks"),
                    ),
                    agency: agency.to_string(),
                    subscriptions,
                    deliveries: deliveries
                        .into_iter()
                        .map(|d| {
                            let at = d.delivered_at.map(when).unwrap_or_default();
                            (d, at)
                        })
                        .collect(),
                    form,
                    secret,
                    may_manage: lango_identity::policy::may(
                        &s.v.actor,
                        Action::ManageWebhooks,
                        Object::Agency(agency),
                    ),
                },
            )
        }
        (Err(e), _) | (_, Err(e)) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `GET /admin/agencies/{code}/webhooks`
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    page(&state, &s, &agency, None, String::new()).await
}

/// `POST /admin/agencies/{code}/webhooks`: the secret is shown on this answer only.
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(e) = check(&s.v.actor, Action::ManageWebhooks, Object::Agency(&agency)) {
        return crate::error::page_error(&state, s.v.lang, e);
    }
    let mut url = String::new();
    let mut types = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "url" => url = v.into_owned(),
            "event_types" => types.push(v.into_owned()),
            _ => {}
        }
    }
    let by = lango_identity::account::actor_label(&s.v.actor);
    match webhooks::create(
        &state.db,
        &agency,
        &url,
        &types,
        &by,
        state.webhook_receivers(),
    )
    .await
    {
        Ok(Ok((_, secret))) => super::no_store(page(&state, &s, &agency, None, secret).await),
        Ok(Err(code)) => {
            let chosen: Vec<&str> = types.iter().map(String::as_str).collect();
            let field = if code.starts_with("url_") {
                "url"
            } else {
                "event_types"
            };
            let form = new_form(s.v.lang, &s.v.csrf, &agency, &url, &chosen)
                .problems(s.v.lang, &Problems::one(field, code));
            page(&state, &s, &agency, Some(form), String::new()).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/agencies/{code}/webhooks/{id}/stop`
pub async fn stop(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, id)): Path<(String, String)>,
) -> Response {
    let done = match check(&s.v.actor, Action::ManageWebhooks, Object::Agency(&agency)) {
        Ok(()) => webhooks::deactivate(&state.db, &agency, &id).await,
        Err(e) => Err(e),
    };
    back(&state, &s, &agency, done)
}

/// `POST /admin/agencies/{code}/webhooks/ping`
pub async fn ping(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    let done = match check(&s.v.actor, Action::ManageWebhooks, Object::Agency(&agency)) {
        Ok(()) => {
            let by = lango_identity::account::actor_label(&s.v.actor);
            crate::api::webhooks::emit_ping(&state, &agency, &by).await
        }
        Err(e) => Err(e),
    };
    back(&state, &s, &agency, done)
}

/// `POST /admin/agencies/{code}/webhooks/deliveries/{id}/redeliver`
pub async fn redeliver(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, id)): Path<(String, String)>,
) -> Response {
    let done = match check(&s.v.actor, Action::ManageWebhooks, Object::Agency(&agency)) {
        Ok(()) => webhooks::redeliver(&state.db, &agency, &id).await,
        Err(e) => Err(e),
    };
    back(&state, &s, &agency, done)
}

fn back(state: &AppState, s: &SignedIn, agency: &str, done: lango_core::Result<()>) -> Response {
    match done {
        Ok(()) => Redirect::to(&format!("/admin/agencies/{agency}/webhooks")).into_response(),
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}
