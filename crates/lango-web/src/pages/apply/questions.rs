//! `GET/POST /applications/{ref}/pages/{page}`: one page of questions from the definition.

use super::form::{self, Op, Posted};
use super::view::{self, pick, FieldView, Source};
use super::{load, refuse, submitted_already, Loaded};
use crate::pages::{render, render_status_page, Chrome};
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lango_cases::application::DRAFT;
use lango_cases::definition::model::FieldType;
use lango_cases::definition::{Answers, FieldError, FileAnswer, PageInput};
use lango_cases::service::Refusal;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "apply_page.html")]
struct QuestionPage {
    c: Chrome,
    reference: String,
    caption: String,
    title: String,
    action: String,
    back: String,
    fields: Vec<FieldView>,
    errors: Vec<(String, String)>,
    multipart: bool,
    has_group: bool,
    back_to_check: bool,
}

/// `?return=check` on the "Change" links of check your answers.
#[derive(Deserialize, Default)]
pub struct Back {
    #[serde(rename = "return")]
    back: Option<String>,
}

/// `GET /applications/{ref}/pages/{page}`
pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path((reference, page_id)): Path<(String, String)>,
    back: Result<Query<Back>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let l = match load(&state, &s.v, &reference).await {
        Ok(l) => l,
        Err(res) => return res,
    };
    if l.app.state != DRAFT {
        return submitted_already(&state, &s.v, &l.app.reference);
    }
    let d = &l.def.definition;
    if d.page(&page_id).is_none() {
        return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    }
    if !d.pages_for(&l.app.answers).iter().any(|p| p.id == page_id) {
        // Skipped for these answers: nothing to ask here.
        return Redirect::to(&format!("/applications/{}/check", l.app.reference)).into_response();
    }
    let (flat, files) = form::flatten(&l.app.answers);
    let check = back.is_ok_and(|Query(b)| b.back.as_deref() == Some("check"));
    page(&state, &s, &l, &page_id, &flat, &files, &[], check)
}

/// Renders the page with these values and errors.
#[allow(clippy::too_many_arguments)]
fn page(
    state: &AppState,
    s: &SignedIn,
    l: &Loaded,
    page_id: &str,
    flat: &BTreeMap<String, Vec<String>>,
    files: &BTreeMap<String, FileAnswer>,
    errors: &[FieldError],
    back_to_check: bool,
) -> Response {
    let lang = s.v.lang;
    let d = &l.def.definition;
    let reference = &l.app.reference;
    let Some(p) = d.page(page_id) else {
        return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    };
    // Conditions on this page follow what was just typed, so a revealed question shows.
    let seen = merged(&l.app.answers, flat, d, page_id);
    let shown = d.fields_for(p, &seen);
    let here: Vec<String> = p.fields.iter().map(|f| f.id.clone()).collect();
    let counties: BTreeMap<String, String> = l
        .app
        .answers
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    let by_field = view::errors_by_field(lang, errors);
    let src = Source {
        flat,
        files,
        errors: &by_field,
        counties: &counties,
        here: &here,
    };
    let fields: Vec<FieldView> = shown
        .iter()
        .map(|f| view::field(lang, f, f.id.clone(), &src))
        .collect();
    let summary = errors
        .iter()
        .map(|e| (format!("#f-{}", e.field), pick(lang, &e.message)))
        .collect();
    let pages = d.pages_for(&seen);
    let at = pages.iter().position(|x| x.id == page_id);
    let back = match at {
        _ if back_to_check => format!("/applications/{reference}/check"),
        Some(i) if i > 0 => format!("/applications/{reference}/pages/{}", pages[i - 1].id),
        _ => "/account/applications".to_string(),
    };
    let multipart = shown
        .iter()
        .any(|f| f.kind == FieldType::File || f.fields.iter().any(|g| g.kind == FieldType::File));
    let page = QuestionPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/applications/{reference}/pages/{page_id}"),
        ),
        reference: reference.clone(),
        caption: pick(lang, &d.file().title),
        title: pick(lang, &p.title),
        action: format!("/applications/{reference}/pages/{page_id}"),
        back,
        has_group: fields.iter().any(|f| f.kind == "group"),
        fields,
        errors: summary,
        multipart,
        back_to_check,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(status, &page)
}

/// Drops the errors of questions the person could not see when they sent the page (revealed
/// by that very answer) and that the page now draws for them to answer; an error of a question
/// the page does not draw stays, so there is always something to put right.
fn unseen_revealed(
    errors: &mut Vec<FieldError>,
    posted: &Posted,
    d: &lango_cases::Definition,
    answers: &Answers,
    page_id: &str,
) {
    let Some(p) = d.page(page_id) else { return };
    let seen = merged(answers, &posted.flat, d, page_id);
    let drawn: Vec<String> = d
        .fields_for(p, &seen)
        .iter()
        .map(|f| f.id.clone())
        .collect();
    errors.retain(|e| {
        let top = e.field.split('.').next().unwrap_or(&e.field);
        posted.saw(&e.field) || !drawn.iter().any(|f| f == top)
    });
}

/// The stored answers with this page's typed values laid over them, for conditions.
fn merged(
    answers: &Answers,
    flat: &BTreeMap<String, Vec<String>>,
    d: &lango_cases::Definition,
    page_id: &str,
) -> Answers {
    let mut out = answers.clone();
    let Some(p) = d.page(page_id) else {
        return out;
    };
    for f in &p.fields {
        let Some(vs) = flat.get(&f.id) else { continue };
        let v = match f.kind {
            FieldType::MultipleChoice => serde_json::Value::from(vs.clone()),
            FieldType::Group | FieldType::File => continue,
            _ => serde_json::Value::from(vs.first().cloned().unwrap_or_default()),
        };
        out.insert(f.id.clone(), v);
    }
    out
}

/// `POST /applications/{ref}/pages/{page}`: saves the page, then goes where the button said.
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path((reference, page_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = s.v.lang;
    let l = match load(&state, &s.v, &reference).await {
        Ok(l) => l,
        Err(res) => return res,
    };
    let reference = l.app.reference.clone();
    if l.app.state != DRAFT {
        return submitted_already(&state, &s.v, &reference);
    }
    let d = &l.def.definition;
    if d.page(&page_id).is_none() {
        return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    }
    let Some((pairs, uploads)) = form::read_body(&headers, body).await else {
        return super::super::render_message_page(
            &state,
            lang,
            StatusCode::BAD_REQUEST,
            "apply_invalid",
        );
    };
    let mut posted = form::parse(pairs, uploads);
    let (input, files, mut errors) = match files_of(&state, &s, &l, &page_id, &mut posted).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    if posted.op == Op::Save && posted.is_blank() {
        return Redirect::to("/account/applications").into_response();
    }
    if !errors.is_empty() {
        // A file was refused: nothing is saved; the other answers are judged all the same
        // so that every problem shows at once.
        let mut scratch = l.app.answers.clone();
        if let Err(more) = d.answer_page(&page_id, &input, super::today(), &mut scratch) {
            let fresh: Vec<FieldError> = more
                .into_iter()
                .filter(|e| !errors.iter().any(|x| x.field == e.field))
                .collect();
            errors.extend(fresh);
        }
    } else {
        match state
            .cases
            .answer(&s.v.actor, &reference, &page_id, &input)
            .await
        {
            Ok(Ok(app)) => {
                let here = format!("/applications/{reference}/pages/{page_id}");
                let to = match &posted.op {
                    Op::Save => "/account/applications".to_string(),
                    Op::Add(g) => format!("{here}#f-{g}"),
                    Op::Remove(_) => here,
                    Op::Continue if posted.back_to_check => {
                        format!("/applications/{reference}/check")
                    }
                    Op::Continue => {
                        let pages = d.pages_for(&app.answers);
                        let next = pages
                            .iter()
                            .position(|p| p.id == page_id)
                            .and_then(|i| pages.get(i + 1));
                        match next {
                            Some(p) => format!("/applications/{reference}/pages/{}", p.id),
                            None => format!("/applications/{reference}/check"),
                        }
                    }
                };
                return Redirect::to(&to).into_response();
            }
            Ok(Err(refused)) => errors = refused,
            Err(lango_core::Error::Conflict(_)) => {
                return submitted_already(&state, &s.v, &reference)
            }
            Err(e) => return refuse(&state, lang, e),
        }
    }
    // Nothing was saved; a question this answer revealed is shown without its error.
    unseen_revealed(&mut errors, &posted, d, &l.app.answers, &page_id);
    page(
        &state,
        &s,
        &l,
        &page_id,
        &posted.flat,
        &files,
        &errors,
        posted.back_to_check,
    )
}

/// Stores the files chosen on the page and finds those kept; returns the domain's input,
/// the files to show again, and the refusals of files as errors on their fields.
async fn files_of(
    state: &AppState,
    s: &SignedIn,
    l: &Loaded,
    page_id: &str,
    posted: &mut Posted,
) -> Result<(PageInput, BTreeMap<String, FileAnswer>, Vec<FieldError>), Response> {
    let lang = s.v.lang;
    let reference = &l.app.reference;
    let (_, stored) = form::flatten(&l.app.answers);
    let mut files: BTreeMap<String, FileAnswer> = BTreeMap::new();
    let mut errors = Vec::new();
    // Kept: a file stored earlier, named by its id; the domain says whether it is theirs.
    for (field, id) in std::mem::take(&mut posted.kept) {
        if !super::plausible(&id) {
            continue;
        }
        let known = stored.get(&field).filter(|f| f.id == id).cloned();
        let found = match known {
            Some(f) => Some(f),
            None => match state.cases.document(&s.v.actor, reference, &id).await {
                Ok((f, _)) => Some(f),
                Err(lango_core::Error::NotFound(_) | lango_core::Error::Forbidden(_)) => None,
                Err(lango_core::Error::Invalid { .. }) => None,
                Err(e) => return Err(refuse(state, lang, e)),
            },
        };
        if let Some(f) = found {
            files.insert(field, f);
        }
    }
    for u in std::mem::take(&mut posted.uploads) {
        let field_id = u.field.rsplit('.').next().unwrap_or(&u.field).to_string();
        let on_page = l.def.definition.page(page_id).is_some_and(|p| {
            p.fields
                .iter()
                .any(|f| f.id == field_id || f.fields.iter().any(|g| g.id == field_id))
        });
        if !on_page {
            continue;
        }
        match state
            .cases
            .upload(&s.v.actor, reference, &u.field, &u.name, u.bytes)
            .await
        {
            Ok(Ok(f)) => {
                files.insert(u.field, f);
            }
            Ok(Err(why)) => {
                files.remove(&u.field);
                errors.push(FieldError {
                    field: u.field,
                    message: refusal_words(&why),
                });
            }
            Err(lango_core::Error::Conflict(_)) => {
                return Err(submitted_already(state, &s.v, reference))
            }
            Err(e) => return Err(refuse(state, lang, e)),
        }
    }
    let input = PageInput {
        values: posted.values.clone(),
        files: files.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    };
    Ok((input, files, errors))
}

/// Why a file was refused, in both languages.
pub(super) fn refusal_words(why: &Refusal) -> lango_cases::definition::model::Words {
    let (key, limit) = match why {
        Refusal::TooLarge { limit_kb } => ("apply_file_too_large", Some(*limit_kb)),
        Refusal::WrongType => ("apply_file_wrong_type", None),
        Refusal::Empty => ("apply_file_empty", None),
    };
    let fill = |lang| match limit {
        Some(kb) => crate::words::tr_with(lang, key, [format!("{kb} KB").into()]),
        None => tr(lang, key).to_string(),
    };
    lango_cases::definition::model::Words {
        en: fill(crate::i18n::Lang::En),
        sw: Some(fill(crate::i18n::Lang::local())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_too_large_is_told_the_limit_in_both_languages() {
        let words = refusal_words(&Refusal::TooLarge { limit_kb: 64 });
        assert_eq!(words.en, "The file must be smaller than 64 KB");
        assert_eq!(
            words.sw.as_deref(),
            Some("Faili lazima liwe dogo kuliko 64 KB")
        );
    }
}
