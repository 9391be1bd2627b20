//! Reconciliation pages: the runs and a statement to import (`/finance/reconciliation`), one
//! run's findings with the form that posts the reviewed missing receipts
//! (`/finance/reconciliation/{run}`), and settlement (`settlements`). Finance officers and
//! auditors read them (finance `View`); only finance officers act (finance `Edit`).

mod settlements;

use super::{render, Chrome};
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use fluent_bundle::FluentValue;
use lango_core::money::Money;
use lango_identity::policy::{check, may, Action, Object};
use lango_payments::finance::eat_time;
use lango_payments::reconcile::{self, Item, Run};
use lango_payments::statement::StatementError;
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance/reconciliation", get(runs).post(import))
        .route("/finance/reconciliation/{run}", get(run_page))
        .route("/finance/reconciliation/{run}/post", post(post_reviewed))
        .route(
            "/finance/settlements",
            get(settlements::list).post(settlements::settle),
        )
        .route("/finance/settlements/{batch}", get(settlements::batch))
        .route(
            "/admin/agencies/{code}/statement",
            get(settlements::agency_statement),
        )
}

/// How many findings of one kind a run page lists.
const ITEMS_SHOWN: i64 = 500;

fn refuse(state: &AppState, s: &SignedIn, action: Action) -> Option<Response> {
    check(&s.v.actor, action, Object::Finance)
        .err()
        .map(|e| crate::error::page_error(state, s.v.lang, e))
}

/// An amount of a run of `source` as people read it.
fn amount(source: &str, minor: i64) -> String {
    Money::from_minor(minor, reconcile::currency_of(source)).display()
}

/// A run as the list shows it.
struct RunRow {
    id: String,
    source: &'static str,
    file_name: String,
    when: String,
    matched: i64,
    issues: i64,
}

#[derive(Template)]
#[template(path = "reconciliation.html")]
struct RunsPage {
    c: Chrome,
    runs: Vec<RunRow>,
    may_act: bool,
    file_name: String,
    statement: String,
    problem: Option<String>,
}

async fn runs_page(
    state: &AppState,
    s: &SignedIn,
    file_name: String,
    statement: String,
    problem: Option<String>,
) -> Response {
    let lang = s.v.lang;
    let list = match reconcile::runs(&state.db, 50).await {
        Ok(l) => l,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(
        status,
        &RunsPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/reconciliation"),
            runs: list
                .iter()
                .map(|r| RunRow {
                    id: r.id.clone(),
                    source: tr(lang, &format!("rec_source_{}", r.source)),
                    file_name: r.file_name.clone(),
                    when: eat_time(r.created_at),
                    matched: r.matched,
                    issues: r.amount_mismatch
                        + r.missing_in_ledger
                        + r.missing_in_statement
                        + r.bad_rows,
                })
                .collect(),
            may_act: may(&s.v.actor, Action::Edit, Object::Finance),
            file_name,
            statement,
            problem,
        },
    )
}

/// `GET /finance/reconciliation`
async fn runs(State(state): State<AppState>, s: SignedIn) -> Response {
    if let Some(r) = refuse(&state, &s, Action::View) {
        return r;
    }
    runs_page(&state, &s, String::new(), String::new(), None).await
}

/// `POST /finance/reconciliation`: a pasted statement (the request body limit bounds it).
async fn import(State(state): State<AppState>, s: SignedIn, body: axum::body::Bytes) -> Response {
    if let Some(r) = refuse(&state, &s, Action::Edit) {
        return r;
    }
    let lang = s.v.lang;
    let (mut file_name, mut statement) = (String::new(), String::new());
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "file_name" => file_name = v.trim().to_string(),
            "statement" => statement = v.into_owned(),
            _ => {}
        }
    }
    if statement.trim().is_empty() {
        let problem = tr(lang, "rec_statement_required").to_string();
        return runs_page(&state, &s, file_name, statement, Some(problem)).await;
    }
    if file_name.is_empty() {
        file_name = tr(lang, "rec_pasted").to_string();
    }
    let by = lango_identity::account::actor_label(&s.v.actor);
    let imported = reconcile::import_file(
        &state.db,
        state.fpx.as_deref(),
        &file_name,
        statement.as_bytes(),
        &by,
        &mut |_, _| {},
    )
    .await;
    match imported {
        Ok(Ok((run, new))) => {
            let how = if new { "new" } else { "repeat" };
            Redirect::to(&format!(
                "/finance/reconciliation/{}?imported={how}",
                run.id
            ))
            .into_response()
        }
        Ok(Err(e)) => {
            let problem = match e {
                StatementError::MissingColumns(names) => tr_with(
                    lang,
                    "rec_statement_columns",
                    [FluentValue::from(&names.join(", "))],
                ),
                StatementError::Unreadable(_) => tr(lang, "rec_statement_unreadable").to_string(),
            };
            runs_page(&state, &s, file_name, statement, Some(problem)).await
        }
        Err(e) => crate::error::page_error(&state, lang, e),
    }
}

/// A finding as the run page shows it.
struct ItemRow {
    item: i64,
    line: String,
    receipt: String,
    statement_amount: String,
    ledger_amount: String,
    account: String,
    when: String,
    note: String,
    postable: bool,
}

/// The findings of one kind.
struct Section {
    kind: &'static str,
    title: &'static str,
    lead: &'static str,
    count: i64,
    items: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "reconciliation_run.html")]
struct RunPage {
    c: Chrome,
    run: Run,
    /// Who made the run, by name.
    made_by: String,
    source: &'static str,
    period: String,
    when: String,
    notice: String,
    sections: Vec<Section>,
    may_act: bool,
    problem: bool,
}

#[derive(Deserialize, Default)]
struct RunParams {
    imported: Option<String>,
    posted: Option<i64>,
    proposed: Option<i64>,
    own: Option<i64>,
}

/// A finding's row; `proposer` is the name of whoever proposed posting it.
fn item_row(lang: crate::i18n::Lang, source: &str, i: Item, proposer: Option<String>) -> ItemRow {
    // A reversal's note says what became of it (recorded, before, or left for finance).
    let waiting = i.posted_at.is_none() && i.note.contains("waiting");
    let note = match (&i.posted_at, i.kind.as_str()) {
        (_, "reversed") if waiting && proposer.is_some() => tr_with(
            lang,
            "rec_proposed_at",
            [
                FluentValue::from(proposer.as_deref().unwrap_or_default()),
                FluentValue::from(&i.proposed_at.map(eat_time).unwrap_or_default()),
            ],
        ),
        (_, "reversed") => i.note.clone(),
        (Some(at), _) => tr_with(lang, "rec_posted_at", [FluentValue::from(&eat_time(*at))]),
        (None, "missing_in_ledger") if i.in_ledger => tr(lang, "rec_now_in_ledger").to_string(),
        (None, "missing_in_ledger") if proposer.is_some() => tr_with(
            lang,
            "rec_proposed_at",
            [
                FluentValue::from(proposer.as_deref().unwrap_or_default()),
                FluentValue::from(&i.proposed_at.map(eat_time).unwrap_or_default()),
            ],
        ),
        (None, "bad_row") => i.note.clone(),
        _ => String::new(),
    };
    ItemRow {
        postable: reconcile::postable(source)
            && (i.kind == "missing_in_ledger" || i.kind == "reversed")
            && i.posted_at.is_none(),
        item: i.item,
        line: i.line.map(|l| l.to_string()).unwrap_or_default(),
        receipt: i.receipt,
        statement_amount: i
            .statement_amount
            .map(|m| amount(source, m))
            .unwrap_or_default(),
        ledger_amount: i
            .ledger_amount
            .map(|m| amount(source, m))
            .unwrap_or_default(),
        account: i.account,
        when: i.completed_at.map(eat_time).unwrap_or_default(),
        note,
    }
}

async fn show_run(
    state: &AppState,
    s: &SignedIn,
    id: &str,
    notice: String,
    problem: bool,
) -> Response {
    let lang = s.v.lang;
    let run = match reconcile::get(&state.db, id).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            let e = lango_core::Error::NotFound("reconciliation run".into());
            return crate::error::page_error(state, lang, e);
        }
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let made_by = match lango_identity::account::name_of_label(&state.db, &run.created_by).await {
        Ok(name) => name,
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let mut sections = Vec::new();
    for (kind, count) in [
        ("missing_in_ledger", run.missing_in_ledger),
        ("amount_mismatch", run.amount_mismatch),
        ("missing_in_statement", run.missing_in_statement),
        ("bad_row", run.bad_rows),
        ("reversed", -1),
        ("matched", run.verified),
    ] {
        let items = match reconcile::items(&state.db, &run.id, kind, ITEMS_SHOWN).await {
            Ok(items) => items,
            Err(e) => return crate::error::page_error(state, lang, e),
        };
        // Reversals are not counted on the run: a statement holds few, all shown.
        if kind == "reversed" && items.is_empty() {
            continue;
        }
        let count = if count < 0 { items.len() as i64 } else { count };
        let mut rows = Vec::with_capacity(items.len());
        for i in items {
            let proposer = match &i.proposed_by {
                Some(label) => match lango_identity::account::name_of_label(&state.db, label).await
                {
                    Ok(name) => Some(name),
                    Err(e) => return crate::error::page_error(state, lang, e),
                },
                None => None,
            };
            rows.push(item_row(lang, &run.source, i, proposer));
        }
        sections.push(Section {
            kind,
            title: tr(lang, &format!("rec_kind_{kind}")),
            lead: tr(lang, &format!("rec_kind_{kind}_lead")),
            count,
            items: rows,
        });
    }
    let status = if problem {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(
        status,
        &RunPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("/finance/reconciliation/{}", run.id),
            ),
            period: run
                .period
                .map(|(f, t)| format!("{} – {}", eat_time(f), eat_time(t)))
                .unwrap_or_default(),
            when: eat_time(run.created_at),
            made_by,
            source: tr(lang, &format!("rec_source_{}", run.source)),
            run,
            notice,
            sections,
            may_act: may(&s.v.actor, Action::Edit, Object::Finance),
            problem,
        },
    )
}

/// `GET /finance/reconciliation/{run}`
async fn run_page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    q: Result<Query<RunParams>, QueryRejection>,
) -> Response {
    if let Some(r) = refuse(&state, &s, Action::View) {
        return r;
    }
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let lang = s.v.lang;
    let notice = match (p.imported.as_deref(), p.posted) {
        (Some("new"), _) => tr_with(lang, "rec_imported", [FluentValue::from(&id)]),
        (Some("repeat"), _) => tr_with(lang, "rec_imported_before", [FluentValue::from(&id)]),
        (_, Some(n)) => {
            let mut said = Vec::new();
            for (count, key) in [(p.proposed, "rec_proposed_count"), (p.own, "rec_own_count")] {
                if let Some(c) = count.filter(|c| *c > 0) {
                    said.push(tr_with(lang, key, [FluentValue::from(c)]));
                }
            }
            if n > 0 || said.is_empty() {
                said.insert(0, tr_with(lang, "rec_posted_count", [FluentValue::from(n)]));
            }
            said.join(" ")
        }
        _ => String::new(),
    };
    show_run(&state, &s, &id, notice, false).await
}

/// `POST /finance/reconciliation/{run}/post`: the reviewed missing receipts and reversals
/// (`item` repeats), proposed by one finance officer and approved by another.
async fn post_reviewed(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = refuse(&state, &s, Action::Edit) {
        return r;
    }
    let items: Vec<i64> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "item")
        .filter_map(|(_, v)| v.parse().ok())
        .take(ITEMS_SHOWN as usize)
        .collect();
    if items.is_empty() {
        return show_run(&state, &s, &id, String::new(), true).await;
    }
    // Only to a run that exists: the redirect below names it.
    match reconcile::get(&state.db, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            let e = lango_core::Error::NotFound("reconciliation run".into());
            return crate::error::page_error(&state, s.v.lang, e);
        }
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    }
    let by = lango_identity::account::actor_label(&s.v.actor);
    // Missing receipts and reversals alike: each call takes the items of its kind.
    let decided = async {
        let posted = reconcile::review::post_reviewed(&state.db, &id, &items, &by).await?;
        let reversed = reconcile::reversals::decide(&state.db, &id, &items, &by).await?;
        Ok::<_, lango_core::Error>((posted, reversed))
    };
    match decided.await {
        Ok((posted, reversed)) => Redirect::to(&format!(
            "/finance/reconciliation/{id}?posted={}&proposed={}&own={}",
            posted.posted.len() + reversed.recorded.len(),
            posted.proposed.len() + reversed.proposed.len(),
            posted.own.len() + reversed.own.len()
        ))
        .into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
