//! `/verify/{number}`: anyone holding an issued document checks that Lango issued it and
//! that its record is intact. It shows what the paper in their hand says, to compare: the
//! document, the service, the dates, and the holder's name with their ID number masked (as
//! the document's signed QR code carries them; initials for documents without one).

use crate::pages::{render, Chrome};
use crate::visitor::Visitor;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Chrome,
    number: String,
    /// `valid`, `expired`, `revoked`, `not_found` or `bad_signature`.
    outcome: &'static str,
    heading: String,
    body: String,
    facts: Vec<(&'static str, String)>,
}

/// `GET /verify/{number}`: 200 with the verdict for a known number, 404 for an unknown one.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(number): Path<String>,
) -> Response {
    let lang = v.lang;
    let shown: String = number.chars().take(40).collect();
    let found = match state.cases.verify(&number).await {
        Ok(f) => f,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let (status, outcome, facts) = match &found {
        None => (StatusCode::NOT_FOUND, "not_found", Vec::new()),
        Some(d) => {
            let mut facts = vec![
                (
                    tr(lang, "docverify_document"),
                    lang.pick(&d.title, &d.title_sw).to_string(),
                ),
                (
                    tr(lang, "docverify_service"),
                    lang.pick(&d.service, &d.service_sw).to_string(),
                ),
                match &d.holder_in_full {
                    Some((name, _)) => (tr(lang, "docverify_holder_name"), name.clone()),
                    None => (tr(lang, "docverify_holder"), d.holder.clone()),
                },
                (tr(lang, "docverify_issued_on"), d.issued_on.clone()),
            ];
            if let Some((_, id)) = d.holder_in_full.as_ref().filter(|(_, id)| !id.is_empty()) {
                facts.push((tr(lang, "docverify_holder_id"), id.clone()));
            }
            if let Some(until) = &d.valid_until {
                facts.push((tr(lang, "docverify_valid_until_label"), until.clone()));
            }
            if let Some(reason) = &d.revoked {
                facts.push((tr(lang, "docverify_revoked_reason"), reason.clone()));
            }
            match (d.signature_valid, &d.revoked, d.expired) {
                (false, _, _) => (StatusCode::OK, "bad_signature", facts),
                (true, Some(_), _) => (StatusCode::OK, "revoked", facts),
                (true, None, true) => (StatusCode::OK, "expired", facts),
                (true, None, false) => (StatusCode::OK, "valid", facts),
            }
        }
    };
    let number = found.as_ref().map_or(shown, |d| d.number.clone());
    render(
        status,
        &VerifyPage {
            c: Chrome::for_visitor(
                &v,
                state.config.demo,
                &format!("/verify/{}", super::enc(&number)),
            ),
            heading: tr(lang, &format!("docverify_{outcome}_title")).to_string(),
            body: tr(lang, &format!("docverify_{outcome}_body")).to_string(),
            number,
            outcome,
            facts,
        },
    )
}
