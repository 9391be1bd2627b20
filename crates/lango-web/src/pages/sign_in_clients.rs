//! Who may sign people in with Lango, and who did: an agency's registered systems (the
//! agency administrator registers and revokes them, the platform suspends an agency's
//! sign-in) and, on the person's account, the systems they allowed and can withdraw.

use super::sign_in_with_lango::agency_name;
use super::{no_store, render, when, Chrome};
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
use lango_identity::policy::{may, Action, Object};
use lango_identity::provider::clients::{self, Registration};
use lango_identity::provider::consent;
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/agencies/{code}/sign-in",
            get(clients_list).post(clients_create),
        )
        .route(
            "/admin/agencies/{code}/sign-in/{id}/revoke",
            post(clients_revoke),
        )
        .route(
            "/admin/agencies/{code}/sign-in/suspension",
            post(suspension),
        )
        .route("/account/connected", get(connected))
        .route("/account/connected/{client}/withdraw", post(withdraw))
}

/// One registered system, as its agency's administrators see it.
struct ClientRow {
    id: String,
    name: String,
    redirects: String,
    logouts: String,
    national_id: bool,
    created: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "oidc_clients.html")]
struct ClientsPage {
    c: Chrome,
    agency: String,
    agency_name: String,
    clients: Vec<ClientRow>,
    form: Form,
    created: Option<(String, String)>,
    may_manage: bool,
    may_suspend: bool,
    suspended: bool,
    issuer: String,
}

fn client_form(lang: Lang, csrf: &str, agency: &str, f: &Registration, platform: bool) -> Form {
    let mut fields = vec![
        Field::new(lang, "name", "text").value(&f.name),
        Field::new(lang, "redirect_uris", "textarea").value(&f.redirect_uris),
        Field::new(lang, "logout_uris", "textarea").value(&f.logout_uris),
    ];
    if platform {
        let chosen = if f.national_id == "yes" { "yes" } else { "" };
        fields.push(
            Field::new(lang, "national_id", "checkboxes").worded_choices(
                lang,
                "oidc_national_id_",
                &["yes"],
                chosen,
            ),
        );
    }
    Form::new(
        format!("/admin/agencies/{agency}/sign-in"),
        csrf,
        tr(lang, "oidc_register"),
        fields,
    )
}

async fn clients_page(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    form: Option<Form>,
    created: Option<(String, String)>,
) -> Response {
    let platform = may(&s.v.actor, Action::Edit, Object::Platform);
    match clients::list(&state.db, &s.v.actor, agency).await {
        Ok((list, suspended)) => {
            let form = form.unwrap_or_else(|| {
                client_form(
                    s.v.lang,
                    &s.v.csrf,
                    agency,
                    &Registration::default(),
                    platform,
                )
            });
            let status = form.status();
            let page = ClientsPage {
                c: Chrome::for_visitor(
                    &s.v,
                    state.config.demo,
                    &format!("/admin/agencies/{agency}/sign-in"),
                ),
                agency: agency.to_string(),
                agency_name: agency_name(state, s.v.lang, agency),
                clients: list
                    .into_iter()
                    .map(|c| ClientRow {
                        active: c.revoked_at.is_none(),
                        redirects: c.redirect_uris.join(" "),
                        logouts: c.logout_uris.join(" "),
                        national_id: c.national_id,
                        created: when(c.created_at),
                        id: c.id,
                        name: c.name,
                    })
                    .collect(),
                form,
                created,
                may_manage: may(&s.v.actor, Action::ManageApiKeys, Object::Agency(agency)),
                may_suspend: platform,
                suspended,
                issuer: state.issuer.issuer().to_string(),
            };
            // A new secret must not linger in any cache.
            no_store(render(status, &page))
        }
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `GET /admin/agencies/{code}/sign-in`
async fn clients_list(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
) -> Response {
    clients_page(&state, &s, &agency, None, None).await
}

/// `POST /admin/agencies/{code}/sign-in`: the secret is shown on this one response only.
async fn clients_create(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
    Posted(f): Posted<Registration>,
) -> Response {
    match clients::register(&state.db, &s.v.actor, &agency, &f).await {
        Ok(Ok(created)) => clients_page(&state, &s, &agency, None, Some(created)).await,
        Ok(Err(p)) => {
            let platform = may(&s.v.actor, Action::Edit, Object::Platform);
            let form =
                client_form(s.v.lang, &s.v.csrf, &agency, &f, platform).problems(s.v.lang, &p);
            clients_page(&state, &s, &agency, Some(form), None).await
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/agencies/{code}/sign-in/{id}/revoke`
async fn clients_revoke(
    State(state): State<AppState>,
    s: SignedIn,
    Path((agency, id)): Path<(String, String)>,
) -> Response {
    match clients::revoke(&state.db, &s.v.actor, &agency, &id).await {
        Ok(()) => Redirect::to(&format!("/admin/agencies/{agency}/sign-in")).into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// The platform's suspension form.
#[derive(Deserialize)]
struct SuspensionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/agencies/{code}/sign-in/suspension`: suspend or restore (platform only).
async fn suspension(
    State(state): State<AppState>,
    s: SignedIn,
    Path(agency): Path<String>,
    Posted(f): Posted<SuspensionForm>,
) -> Response {
    let reason = (f.action == "suspend").then(|| {
        if f.reason.trim().is_empty() {
            "suspended by the platform"
        } else {
            f.reason.as_str()
        }
    });
    match clients::suspend(&state.db, &s.v.actor, &agency, reason).await {
        Ok(()) => Redirect::to(&format!("/admin/agencies/{agency}/sign-in")).into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// One agency system a person allowed.
struct ConnectedRow {
    client_id: String,
    client: String,
    agency: String,
    receives: Vec<&'static str>,
    since: String,
}

#[derive(Template)]
#[template(path = "oidc_connected.html")]
struct ConnectedPage {
    c: Chrome,
    rows: Vec<ConnectedRow>,
    notice: bool,
}

/// `GET /account/connected`: the agency systems the person lets sign them in.
async fn connected(State(state): State<AppState>, s: SignedIn) -> Response {
    connected_page(&state, &s, false).await
}

async fn connected_page(state: &AppState, s: &SignedIn, notice: bool) -> Response {
    let lang = s.v.lang;
    match consent::list(&state.db, &s.v.actor, &s.account.id).await {
        Ok(list) => {
            let rows = list
                .into_iter()
                .map(|k| ConnectedRow {
                    receives: k
                        .scopes
                        .iter()
                        .map(|sc| tr(lang, &format!("oidc_scope_{sc}")))
                        .collect(),
                    agency: if lang.is_local() && !k.agency_name.1.is_empty() {
                        k.agency_name.1
                    } else {
                        k.agency_name.0
                    },
                    since: when(k.granted_at),
                    client_id: k.client_id,
                    client: k.client_name,
                })
                .collect();
            let page = ConnectedPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/account/connected"),
                rows,
                notice,
            };
            render(StatusCode::OK, &page)
        }
        Err(e) => crate::error::page_error(state, lang, e),
    }
}

/// `POST /account/connected/{client}/withdraw`
async fn withdraw(
    State(state): State<AppState>,
    s: SignedIn,
    Path(client): Path<String>,
) -> Response {
    match consent::withdraw(&state.db, &s.v.actor, &s.account.id, &client).await {
        Ok(_) => connected_page(&state, &s, true).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
