//! Checking a document, for anyone, with no sign-in. `/verify` offers three ways: type its
//! number (`/verify/{number}`: Lango's record of it), paste the text of its QR code, or
//! upload a PDF or a photo of it (both checked exactly as an offline verifier checks them,
//! against the published trust list). Each shows what the paper in the verifier's hand
//! should say, to compare: agency, document, holder's full name and masked ID number, key
//! fields, dates, status.

use crate::i18n::Lang;
use crate::pages::{render, Chrome};
use crate::visitor::Visitor;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use lango_documents::{Claims, Invalid, Verdict};

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Chrome,
    number: String,
    /// `valid`, `expired`, `revoked`, `not_found`, `bad_signature` or `invalid`.
    outcome: &'static str,
    heading: String,
    body: String,
    facts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "verify_form.html")]
struct FormPage {
    c: Chrome,
    /// `number`, `code` or `file`: the way that was refused.
    error_field: &'static str,
    error: String,
}

/// The number typed into the form.
#[derive(serde::Deserialize)]
pub struct Typed {
    number: Option<String>,
}

/// A pasted QR text.
#[derive(serde::Deserialize)]
pub struct Pasted {
    #[serde(default)]
    code: String,
}

fn form_page(v: &Visitor, demo: bool, error_field: &'static str, error: &str) -> Response {
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &FormPage {
            c: Chrome::for_visitor(v, demo, "/verify"),
            error_field,
            error: error.to_string(),
        },
    )
}

/// `GET /verify`: the form; with `?number=` (the form's first way), that number's page.
pub async fn form(
    State(state): State<AppState>,
    v: Visitor,
    typed: Result<Query<Typed>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let typed = typed.ok().and_then(|Query(t)| t.number);
    match typed.as_deref().map(str::trim) {
        None => form_page(&v, state.config.demo, "", ""),
        Some("") => form_page(
            &v,
            state.config.demo,
            "number",
            tr(v.lang, "docverify_number_missing"),
        ),
        Some(n) => {
            let n: String = n.chars().filter(|c| !c.is_whitespace()).take(40).collect();
            Redirect::to(&format!("/verify/{}", super::enc(&n))).into_response()
        }
    }
}

/// `POST /verify/code`: a pasted QR text, checked as an offline verifier checks it.
pub async fn code(State(state): State<AppState>, v: Visitor, Form(p): Form<Pasted>) -> Response {
    if p.code.trim().is_empty() {
        let missing = tr(v.lang, "docverify_code_missing");
        return form_page(&v, state.config.demo, "code", missing);
    }
    checked(&state, &v, p.code.into_bytes()).await
}

/// `POST /verify/file` (multipart, `csrf` first): a PDF or a photo of a document.
pub async fn file(
    State(state): State<AppState>,
    v: Visitor,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let mut bytes = Vec::new();
    if let Ok(mut form) = form {
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some("file") {
                bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            }
        }
    }
    if bytes.is_empty() {
        let missing = tr(v.lang, "docverify_file_missing");
        return form_page(&v, state.config.demo, "file", missing);
    }
    checked(&state, &v, bytes).await
}

/// The verdict on what a verifier brought, as a page.
async fn checked(state: &AppState, v: &Visitor, bytes: Vec<u8>) -> Response {
    let lang = v.lang;
    let verdict =
        match lango_documents::keys::check_here(&state.db, &state.config.public_url, bytes).await {
            Ok(verdict) => verdict,
            Err(e) => return crate::error::page_error(state, lang, e),
        };
    let (outcome, body) = match &verdict {
        Verdict::Valid(_) => ("valid", tr(lang, "docverify_code_valid_body").to_string()),
        Verdict::Expired(_) => ("expired", tr(lang, "docverify_expired_body").to_string()),
        Verdict::Revoked { .. } => ("revoked", tr(lang, "docverify_revoked_body").to_string()),
        Verdict::Invalid(why) => ("invalid", tr(lang, why_word(why)).to_string()),
    };
    let mut facts = Vec::new();
    let mut number = String::new();
    if let Some(c) = verdict.claims() {
        number = c.number.clone();
        // The record names the document in the reader's language; the code alone, by its type.
        let record = state.cases.verify(&c.number).await.ok().flatten();
        facts = claim_facts(lang, c, record.as_ref());
    }
    if let Verdict::Revoked { reason, .. } = &verdict {
        facts.push((tr(lang, "docverify_revoked_reason").into(), reason.clone()));
    }
    render(
        StatusCode::OK,
        &VerifyPage {
            c: Chrome::for_visitor(v, state.config.demo, "/verify"),
            heading: tr(lang, &format!("docverify_{outcome}_title")).to_string(),
            body,
            number,
            outcome,
            facts,
        },
    )
}

/// What the signed code says, in the order a verifier compares it with the paper.
fn claim_facts(
    lang: Lang,
    c: &Claims,
    record: Option<&lango_cases::outputs::Verified>,
) -> Vec<(String, String)> {
    let mut facts = vec![
        (
            tr(lang, "docverify_document").to_string(),
            record.map_or_else(
                || c.kind.clone(),
                |r| lang.pick(&r.title, &r.title_sw).to_string(),
            ),
        ),
        (
            tr(lang, "docverify_agency").to_string(),
            record
                .map(|r| lang.pick(&r.agency, &r.agency_sw).to_string())
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| c.agency.clone()),
        ),
        (
            tr(lang, "docverify_holder_name").to_string(),
            c.holder.clone(),
        ),
    ];
    if !c.holder_id.is_empty() {
        facts.push((tr(lang, "docverify_holder_id").into(), c.holder_id.clone()));
    }
    for (label, value) in &c.fields {
        let sw = record
            .and_then(|r| r.fields.iter().find(|(en, _, _)| en == label))
            .map(|(_, sw, _)| sw.as_str())
            .unwrap_or_default();
        facts.push((lang.pick(label, sw).to_string(), value.clone()));
    }
    facts.push((tr(lang, "docverify_issued_on").into(), c.issued.clone()));
    if let Some(e) = &c.expires {
        facts.push((tr(lang, "docverify_valid_until_label").into(), e.clone()));
    }
    facts
}

/// The words that say why a code is not a genuine document.
fn why_word(why: &Invalid) -> &'static str {
    match why {
        Invalid::NoCode => "docverify_why_no_code",
        Invalid::Unreadable(_) => "docverify_why_unreadable",
        Invalid::Prefix => "docverify_why_not_lango",
        Invalid::UnknownKey | Invalid::Algorithm => "docverify_why_unknown_key",
        Invalid::KeyNotValid => "docverify_why_key_not_valid",
        Invalid::WrongAgency | Invalid::Signature => "docverify_why_signature",
        Invalid::Altered => "docverify_why_altered",
        Invalid::TrustList(_) => "docverify_why_trust_list",
        _ => "docverify_why_damaged",
    }
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
            let mut facts: Vec<(String, String)> = vec![
                (
                    tr(lang, "docverify_document").into(),
                    lang.pick(&d.title, &d.title_sw).to_string(),
                ),
                (
                    tr(lang, "docverify_agency").into(),
                    lang.pick(&d.agency, &d.agency_sw).to_string(),
                ),
            ];
            // A document an agency's system signed belongs to no service of the catalogue.
            if !d.service.is_empty() {
                facts.push((
                    tr(lang, "docverify_service").into(),
                    lang.pick(&d.service, &d.service_sw).to_string(),
                ));
            }
            facts.push(match &d.holder_in_full {
                Some((name, _)) => (tr(lang, "docverify_holder_name").into(), name.clone()),
                None => (tr(lang, "docverify_holder").into(), d.holder.clone()),
            });
            if let Some((_, id)) = d.holder_in_full.as_ref().filter(|(_, id)| !id.is_empty()) {
                facts.push((tr(lang, "docverify_holder_id").into(), id.clone()));
            }
            for (en, sw, value) in &d.fields {
                facts.push((lang.pick(en, sw).to_string(), value.clone()));
            }
            facts.push((tr(lang, "docverify_issued_on").into(), d.issued_on.clone()));
            if let Some(until) = &d.valid_until {
                facts.push((
                    tr(lang, "docverify_valid_until_label").into(),
                    until.clone(),
                ));
            }
            if let Some(reason) = &d.revoked {
                facts.push((tr(lang, "docverify_revoked_reason").into(), reason.clone()));
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
