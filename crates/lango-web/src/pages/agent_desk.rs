//! An agent's own pages (`/agent/{code}`): where it stands with the platform, helping a
//! person who is present (the assistance pages at `/agent/{code}/assist`), its monthly
//! statement (page and CSV) and the keys its own system reads statements with (made,
//! listed and revoked here). Finance,
//! auditors and platform staff read the same statement pages.

use super::{day, no_store, render, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_agents::model::{Agent, Status};
use lango_agents::registry;
use lango_agents::statement::{self, Statement};
use lango_identity::apikey;
use lango_identity::policy::{may, Action, Object};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agent/{code}", get(home))
        .route("/agent/{code}/keys", post(new_key))
        .route("/agent/{code}/keys/{id}/revoke", post(revoke_key))
        .route("/agent/{code}/statement", get(statement_page))
        .route("/agent/{code}/statement.csv", get(statement_csv))
}

#[derive(Template)]
#[template(path = "agent_desk.html")]
struct DeskPage {
    c: Chrome,
    agent: Agent,
    status: &'static str,
    applied: String,
    may_act: bool,
    may_key: bool,
    key: Option<String>,
    /// The business's owner is looking: keys are listed.
    owner: bool,
    /// The application's documents, for the owners who sent them: (what, name, link).
    documents: Vec<(&'static str, String, String)>,
    /// The agent's keys: (id, made on, last used, revoked).
    keys: Vec<(String, String, String, bool)>,
    statement: Statement,
}

async fn desk(state: &AppState, s: &SignedIn, code: &str, key: Option<String>) -> Response {
    let lang = s.v.lang;
    let a = match registry::get_for(&state.db, &s.v.actor, code).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let statement = match statement::statement(&state.db, &s.v.actor, &a.code, "").await {
        Ok(st) => st,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let object = Object::Agent {
        code: &a.code,
        business: &a.business_id,
    };
    // Keys are listed and revoked whatever the agent's status; only an approved agent
    // gets a new one.
    let owner = may(&s.v.actor, Action::Edit, Object::Business(&a.business_id));
    let may_key = a.status == Status::Approved && owner;
    let documents = if owner {
        match lango_agents::documents::of(&state.db, &a.code).await {
            Ok(d) => super::agent_documents::links(lang, &a.code, d),
            Err(e) => return crate::error::page_error(state, lang, e),
        }
    } else {
        Vec::new()
    };
    let keys = if owner {
        match apikey::list_for_agent(&state.db, &s.v.actor, &a.code, &a.business_id).await {
            Ok(k) => k
                .into_iter()
                .map(|k| {
                    let used = k.last_used_at.map(day).unwrap_or_default();
                    (k.id, day(k.created_at), used, k.revoked_at.is_some())
                })
                .collect(),
            Err(e) => return crate::error::page_error(state, lang, e),
        }
    } else {
        Vec::new()
    };
    let page = DeskPage {
        documents,
        owner,
        keys,
        c: Chrome::for_visitor(&s.v, state.config.demo, &format!("/agent/{}", a.code)),
        status: tr(lang, &format!("agent_status_{}", a.status.as_str())),
        applied: day(a.applied_at),
        may_act: may(&s.v.actor, Action::Assist, object),
        may_key,
        key,
        statement,
        agent: a,
    };
    // A new key is shown once: never cached.
    no_store(render(StatusCode::OK, &page))
}

/// `GET /agent/{code}`
async fn home(State(state): State<AppState>, s: SignedIn, Path(code): Path<String>) -> Response {
    desk(&state, &s, &code, None).await
}

/// `POST /agent/{code}/keys`: a new statements key for the agent's own system, shown once.
async fn new_key(State(state): State<AppState>, s: SignedIn, Path(code): Path<String>) -> Response {
    let a = match registry::get_for(&state.db, &s.v.actor, &code).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let made =
        apikey::create_for_agent(&state.db, &s.v.actor, &a.code, &a.business_id, "Statements")
            .await;
    match made {
        Ok(Ok((_, key))) => desk(&state, &s, &a.code, Some(key)).await,
        Ok(Err(_)) => crate::error::page_error(
            &state,
            s.v.lang,
            lango_core::Error::invalid("name", "refused"),
        ),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /agent/{code}/keys/{id}/revoke`: the key stops working on its next call.
async fn revoke_key(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, String)>,
) -> Response {
    let revoked = async {
        let a = registry::get_for(&state.db, &s.v.actor, &code).await?;
        apikey::revoke_for_agent(&state.db, &s.v.actor, &a.code, &a.business_id, &id).await?;
        Ok::<_, lango_core::Error>(a.code)
    };
    match revoked.await {
        Ok(code) => Redirect::to(&format!("/agent/{code}")).into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[derive(Template)]
#[template(path = "agent_statement.html")]
struct StatementPage {
    c: Chrome,
    name: String,
    statement: Statement,
    previous: String,
    next: String,
}

/// Which month.
#[derive(Deserialize, Default)]
pub struct MonthParams {
    #[serde(default)]
    month: String,
}

/// The month before and after `month` (`YYYY-MM`).
fn around(month: &str) -> (String, String) {
    let y: i32 = month[..4].parse().unwrap_or(2026);
    let m: i32 = month[5..].parse().unwrap_or(1);
    let at = |n: i32| format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1);
    let n = y * 12 + m - 1;
    (at(n - 1), at(n + 1))
}

async fn read(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    month: &str,
) -> Result<(Agent, Statement), Response> {
    let lang = s.v.lang;
    let a = registry::get_for(&state.db, &s.v.actor, code)
        .await
        .map_err(|e| crate::error::page_error(state, lang, e))?;
    let st = statement::statement(&state.db, &s.v.actor, &a.code, month)
        .await
        .map_err(|e| crate::error::page_error(state, lang, e))?;
    Ok((a, st))
}

/// `GET /agent/{code}/statement?month=YYYY-MM`
async fn statement_page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    q: Result<Query<MonthParams>, QueryRejection>,
) -> Response {
    let month = q.map(|Query(q)| q.month).unwrap_or_default();
    let (a, st) = match read(&state, &s, &code, &month).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let (previous, next) = around(&st.month);
    let page = StatementPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/agent/{}/statement", a.code),
        ),
        name: a.name,
        statement: st,
        previous,
        next,
    };
    render(StatusCode::OK, &page)
}

/// `GET /agent/{code}/statement.csv?month=YYYY-MM`: the statement for a spreadsheet.
async fn statement_csv(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    q: Result<Query<MonthParams>, QueryRejection>,
) -> Response {
    let month = q.map(|Query(q)| q.month).unwrap_or_default();
    match read(&state, &s, &code, &month).await {
        Ok((a, st)) => crate::download::file(
            statement::csv(&st).into_bytes(),
            "text/csv; charset=utf-8",
            &format!("statement-{}-{}.csv", a.code, st.month),
        ),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_around_cross_years() {
        assert_eq!(
            super::around("2026-01"),
            ("2025-12".into(), "2026-02".into())
        );
        assert_eq!(
            super::around("2026-12"),
            ("2026-11".into(), "2027-01".into())
        );
    }
}
