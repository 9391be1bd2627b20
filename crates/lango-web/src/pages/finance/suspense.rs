//! `/finance/suspense`: the queue of M-Pesa money that matched no bill, and matching one
//! payment to its bill: enter the reference and a reason → check the bill and the split →
//! confirm → the confirmation with the receipt and the bill.

use super::{forbidden, show};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::pages::{render, render_message_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use lango_core::money::Money;
use lango_identity::model::Problems;
use lango_identity::policy::{may, Action, Object};
use lango_payments::finance::eat_time;
use lango_payments::finance::suspense::{
    self, Decision, Matched, Pending, Proposal, Receipt, Refusal,
};
use lango_payments::BillStatus;
use serde::Deserialize;

/// How many of the oldest held receipts the queue lists.
const QUEUE_LIMIT: i64 = 200;

/// A receipt's facts, as rows of a summary list.
fn receipt_facts(lang: Lang, r: &Receipt) -> Vec<(&'static str, String)> {
    vec![
        (tr(lang, "finance_receipt"), r.trans_id.clone()),
        (tr(lang, "finance_amount"), show(r.amount)),
        (tr(lang, "finance_typed"), r.typed.clone()),
        (tr(lang, "finance_received"), eat_time(r.received_at)),
        (
            tr(lang, "finance_mpesa_time"),
            r.trans_time.map(eat_time).unwrap_or_default(),
        ),
    ]
}

fn status_words(lang: Lang, status: BillStatus) -> String {
    tr(lang, &format!("finance_status_{status}")).to_string()
}

struct QueueRow {
    trans_id: String,
    href: String,
    received: String,
    mpesa_time: String,
    typed: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "finance_suspense.html")]
struct QueuePage {
    c: Chrome,
    rows: Vec<QueueRow>,
    totals: Vec<String>,
    held: String,
    oldest: String,
    can_match: bool,
}

/// `GET /finance/suspense`
pub async fn queue(State(state): State<AppState>, s: SignedIn) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::View) {
        return r;
    }
    let lang = s.v.lang;
    let q = match suspense::queue(&state.db, QUEUE_LIMIT).await {
        Ok(q) => q,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let rows: Vec<QueueRow> = q
        .items
        .iter()
        .map(|r| QueueRow {
            trans_id: r.trans_id.clone(),
            href: path_part(&r.trans_id),
            received: eat_time(r.received_at),
            mpesa_time: r.trans_time.map(eat_time).unwrap_or_default(),
            typed: r.typed.clone(),
            amount: show(r.amount),
        })
        .collect();
    let oldest = if q.count > rows.len() as i64 {
        tr_with(
            lang,
            "finance_suspense_oldest",
            [FluentValue::from(rows.len())],
        )
    } else {
        String::new()
    };
    render(
        StatusCode::OK,
        &QueuePage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/suspense"),
            rows,
            totals: q.totals.into_iter().map(show).collect(),
            held: tr_with(lang, "finance_held_count", [FluentValue::from(q.count)]),
            oldest,
            can_match: may(&s.v.actor, Action::Edit, Object::Finance),
        },
    )
}

#[derive(Template)]
#[template(path = "finance_match.html")]
struct MatchPage {
    c: Chrome,
    facts: Vec<(&'static str, String)>,
    /// The match waiting for a second officer, with what the reader should do about it.
    pending: Option<(&'static str, Vec<(&'static str, String)>)>,
    form: Form,
}

fn entry_form(lang: Lang, csrf: &str, trans_id: &str, reference: &str, reason: &str) -> Form {
    let field = |name: &'static str, value: &str| {
        let mut f = Field::new(lang, name, "text")
            .label(lang, &format!("finance_match_{name}"))
            .value(value);
        f.hint = tr(lang, &format!("finance_match_{name}_hint"));
        f
    };
    Form::new(
        format!("/finance/suspense/{}/match", path_part(trans_id)),
        csrf,
        tr(lang, "continue"),
        vec![field("reference", reference), field("reason", reason)],
    )
}

/// A TransID as a path segment: M-Pesa's are letters and digits; anything else is encoded.
fn path_part(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The receipt, or the page that says why it cannot be matched.
async fn held_receipt(state: &AppState, s: &SignedIn, trans_id: &str) -> Result<Receipt, Response> {
    match suspense::receipt(&state.db, trans_id).await {
        Ok(Some(r)) if r.outcome == "suspense" => Ok(r),
        Ok(Some(r)) if r.outcome == "matched" => Err(matched_page(state, s, trans_id, true).await),
        Ok(Some(_)) => Err(render_message_page(
            state,
            s.v.lang,
            StatusCode::CONFLICT,
            "finance_not_in_suspense",
        )),
        Ok(None) => Err(crate::error::page_error(
            state,
            s.v.lang,
            lango_core::Error::NotFound("receipt".into()),
        )),
        Err(e) => Err(crate::error::page_error(state, s.v.lang, e)),
    }
}

/// The proposal waiting on a receipt, as the match page shows it.
async fn pending_view(
    state: &AppState,
    s: &SignedIn,
    p: &Pending,
) -> (&'static str, Vec<(&'static str, String)>) {
    let lang = s.v.lang;
    let mine = p.proposed_by == lango_identity::account::actor_label(&s.v.actor);
    let lead = tr(
        lang,
        if mine {
            "finance_pending_mine"
        } else {
            "finance_pending_other"
        },
    );
    let facts = vec![
        (tr(lang, "finance_bill"), p.bill.clone()),
        (tr(lang, "finance_reason"), p.reason.clone()),
        (
            tr(lang, "finance_proposed_by"),
            name_of(state, &p.proposed_by).await,
        ),
        (tr(lang, "finance_proposed_at"), eat_time(p.proposed_at)),
    ];
    (lead, facts)
}

async fn match_page(state: &AppState, s: &SignedIn, receipt: &Receipt, form: Form) -> Response {
    let pending = match suspense::pending(&state.db, &receipt.trans_id).await {
        Ok(Some(p)) => Some(pending_view(state, s, &p).await),
        Ok(None) => None,
        Err(e) => return crate::error::page_error(state, s.v.lang, e),
    };
    render(
        form.status(),
        &MatchPage {
            c: Chrome::for_visitor(
                &s.v,
                state.config.demo,
                &format!("/finance/suspense/{}/match", path_part(&receipt.trans_id)),
            ),
            facts: receipt_facts(s.v.lang, receipt),
            pending,
            form,
        },
    )
}

/// What the match form sends (and the "change" link brings back).
#[derive(Debug, Default, Deserialize)]
pub struct MatchParams {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    reason: String,
}

impl MatchParams {
    fn from_body(body: &[u8]) -> MatchParams {
        let mut p = MatchParams::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "reference" => p.reference = v.into_owned(),
                "reason" => p.reason = v.into_owned(),
                _ => {}
            }
        }
        p
    }
}

/// `GET /finance/suspense/{trans_id}/match` (the "change" link brings the answers back).
pub async fn match_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(trans_id): Path<String>,
    q: Result<Query<MatchParams>, QueryRejection>,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::Edit) {
        return r;
    }
    let receipt = match held_receipt(&state, &s, &trans_id).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let mut p = q.map(|Query(p)| p).unwrap_or_default();
    // A proposal waiting for a second officer fills the form: checking it is one click.
    if p.reference.is_empty() && p.reason.is_empty() {
        match suspense::pending(&state.db, &trans_id).await {
            Ok(Some(pending)) => {
                p.reference = pending.bill;
                p.reason = pending.reason;
            }
            Ok(None) => {}
            Err(e) => return crate::error::page_error(&state, s.v.lang, e),
        }
    }
    let form = entry_form(s.v.lang, &s.v.csrf, &trans_id, &p.reference, &p.reason);
    match_page(&state, &s, &receipt, form).await
}

fn problems_of(list: &[(&'static str, &'static str)]) -> Problems {
    let mut p = Problems::default();
    for (field, code) in list {
        p.add(field, code);
    }
    p
}

#[derive(Template)]
#[template(path = "finance_check.html")]
struct CheckPage {
    c: Chrome,
    trans_id: String,
    payment: Vec<(&'static str, String)>,
    bill: Vec<(&'static str, String)>,
    split: Vec<(&'static str, String)>,
    reference: String,
    reason: String,
    change: String,
}

fn check_page(state: &AppState, s: &SignedIn, p: &Proposal) -> Response {
    let lang = s.v.lang;
    let b = &p.bill;
    let money = |m: i64| show(Money::from_minor(m, b.currency));
    let snap = state.catalogue.snapshot();
    let agency = lango_catalogue::model::AgencyCode::parse(&b.agency)
        .ok()
        .and_then(|c| snap.agency(&c).cloned())
        .map_or_else(
            || b.agency.clone(),
            |a| format!("{} – {}", b.agency, lang.pick(&a.name, &a.name_sw)),
        );
    let mut split = vec![
        (tr(lang, "finance_to_service"), show(p.to_service)),
        (tr(lang, "finance_to_fee"), show(p.to_fee)),
    ];
    if p.excess.minor() > 0 {
        split.push((tr(lang, "finance_excess"), show(p.excess)));
    }
    split.push((
        tr(lang, "finance_status_after"),
        status_words(lang, p.status_after),
    ));
    let change = format!(
        "/finance/suspense/{}/match?{}",
        path_part(&p.receipt.trans_id),
        form_urlencoded::Serializer::new(String::new())
            .append_pair("reference", &b.reference)
            .append_pair("reason", &p.reason)
            .finish()
    );
    render(
        StatusCode::OK,
        &CheckPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/suspense"),
            trans_id: path_part(&p.receipt.trans_id),
            payment: receipt_facts(lang, &p.receipt),
            bill: vec![
                (tr(lang, "finance_bill"), b.reference.clone()),
                (tr(lang, "finance_agency"), agency),
                (
                    tr(lang, "finance_agency_reference"),
                    b.agency_reference.clone(),
                ),
                (
                    tr(lang, "finance_bill_amount"),
                    money(b.service_amount + b.fee),
                ),
                (tr(lang, "finance_bill_balance"), money(b.balance())),
                (
                    tr(lang, "finance_bill_status"),
                    status_words(lang, b.status),
                ),
            ],
            split,
            reference: b.reference.clone(),
            reason: p.reason.clone(),
            change,
        },
    )
}

/// `POST /finance/suspense/{trans_id}/match`: checks the answers and shows them back.
pub async fn check_match(
    State(state): State<AppState>,
    s: SignedIn,
    Path(trans_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::Edit) {
        return r;
    }
    let p = MatchParams::from_body(&body);
    match suspense::propose(&state.db, &trans_id, &p.reference, &p.reason).await {
        Ok(Ok(proposal)) => check_page(&state, &s, &proposal),
        Ok(Err(refusal)) => refused(&state, &s, &trans_id, &p, refusal).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /finance/suspense/{trans_id}/match/confirm`: matches, then shows the confirmation.
pub async fn confirm_match(
    State(state): State<AppState>,
    s: SignedIn,
    Path(trans_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::Edit) {
        return r;
    }
    let p = MatchParams::from_body(&body);
    let actor = lango_identity::account::actor_label(&s.v.actor);
    match suspense::confirm(&state.db, &trans_id, &p.reference, &p.reason, &actor).await {
        Ok(Ok(Decision::Matched(m))) => Redirect::to(&format!(
            "/finance/suspense/{}/matched",
            path_part(&m.receipt.trans_id)
        ))
        .into_response(),
        // Proposed: the match page shows the proposal waiting for a second officer.
        Ok(Ok(Decision::Proposed(p))) => Redirect::to(&format!(
            "/finance/suspense/{}/match",
            path_part(&p.trans_id)
        ))
        .into_response(),
        Ok(Err(refusal)) => refused(&state, &s, &trans_id, &p, refusal).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

async fn refused(
    state: &AppState,
    s: &SignedIn,
    trans_id: &str,
    p: &MatchParams,
    refusal: Refusal,
) -> Response {
    match refusal {
        Refusal::Problems(list) => {
            let receipt = match held_receipt(state, s, trans_id).await {
                Ok(r) => r,
                Err(page) => return page,
            };
            let form = entry_form(s.v.lang, &s.v.csrf, trans_id, &p.reference, &p.reason)
                .problems(s.v.lang, &problems_of(&list));
            match_page(state, s, &receipt, form).await
        }
        Refusal::AlreadyMatched => matched_page(state, s, trans_id, true).await,
        Refusal::NotInSuspense => render_message_page(
            state,
            s.v.lang,
            StatusCode::CONFLICT,
            "finance_not_in_suspense",
        ),
        Refusal::OwnProposal => {
            render_message_page(state, s.v.lang, StatusCode::CONFLICT, "finance_match_own")
        }
    }
}

#[derive(Template)]
#[template(path = "finance_matched.html")]
struct MatchedPage {
    c: Chrome,
    already: bool,
    bill: String,
    payment: Vec<(&'static str, String)>,
    details: Vec<(&'static str, String)>,
}

async fn matched_page(state: &AppState, s: &SignedIn, trans_id: &str, already: bool) -> Response {
    let lang = s.v.lang;
    let m: Matched = match suspense::matched(&state.db, trans_id).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return crate::error::page_error(
                state,
                lang,
                lango_core::Error::NotFound("match".into()),
            )
        }
        Err(e) => return crate::error::page_error(state, lang, e),
    };
    let details = vec![
        (tr(lang, "finance_bill"), m.bill.clone()),
        (tr(lang, "finance_agency"), m.agency.clone()),
        (
            tr(lang, "finance_agency_reference"),
            m.agency_reference.clone(),
        ),
        (
            tr(lang, "finance_bill_status"),
            status_words(lang, m.bill_status),
        ),
        (tr(lang, "finance_reason"), m.reason.clone()),
        (
            tr(lang, "finance_matched_by"),
            name_of(state, &m.matched_by).await,
        ),
        (tr(lang, "finance_matched_at"), eat_time(m.matched_at)),
    ];
    let status = if already {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    render(
        status,
        &MatchedPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/finance/suspense"),
            already,
            bill: m.bill.clone(),
            payment: receipt_facts(lang, &m.receipt),
            details,
        },
    )
}

/// `GET /finance/suspense/{trans_id}/matched`: the confirmation (also for auditors).
pub async fn matched(
    State(state): State<AppState>,
    s: SignedIn,
    Path(trans_id): Path<String>,
) -> Response {
    if let Some(r) = forbidden(&state, &s, Action::View) {
        return r;
    }
    matched_page(&state, &s, &trans_id, false).await
}

/// Who did it, by name when it was a person; the label itself if the name cannot be read.
async fn name_of(state: &AppState, label: &str) -> String {
    lango_identity::account::name_of_label(&state.db, label)
        .await
        .unwrap_or_else(|_| label.to_string())
}
