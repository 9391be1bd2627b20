//! Platform administration of message templates: the list, and one template's editor with
//! its placeholders and a preview filled with example values. The policy decides
//! (`Object::Platform`); it is asked here because the notify crate sits below identity.

use super::{account::when, render, Chrome};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form as Posted;
use fluent_bundle::FluentValue;
use lango_identity::account::actor_label;
use lango_identity::policy::{check, Action, Object};
use lango_notify::templates::{
    self, EventType, Problem, ProblemKind, Template as MessageTemplate, CHANNELS, EVENT_TYPES,
    LANGUAGES,
};
use lango_notify::Channel;
use serde::Deserialize;

/// One cell of the list: a template and whether an administrator changed it.
pub struct Cell {
    href: String,
    changed: bool,
    label: String,
}

/// One row of the list: an event type and its four templates.
pub struct Row {
    title: &'static str,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "message_templates.html")]
struct ListPage {
    c: Chrome,
    columns: Vec<String>,
    rows: Vec<Row>,
}

fn channel_label(lang: Lang, channel: Channel) -> &'static str {
    tr(lang, &format!("channel_{}", channel.as_str()))
}

fn href(t: &MessageTemplate) -> String {
    format!(
        "/admin/templates/{}/{}/{}",
        t.event.name,
        t.channel.as_str(),
        t.lang
    )
}

/// `GET /admin/templates`
pub async fn list(State(state): State<AppState>, s: SignedIn) -> Response {
    if let Err(e) = check(&s.v.actor, Action::View, Object::Platform) {
        return crate::error::page_error(&state, s.v.lang, e);
    }
    let all = match templates::list(&state.db).await {
        Ok(all) => all,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let lang = s.v.lang;
    // The country's languages only: a Malaysian office edits no Kiswahili texts.
    let served = |l: &str| Lang::served().iter().any(|s| s.tag() == l);
    let mut columns = Vec::new();
    for channel in CHANNELS {
        for l in LANGUAGES.into_iter().filter(|l| served(l)) {
            columns.push(format!(
                "{} – {}",
                channel_label(lang, channel),
                tr(lang, l)
            ));
        }
    }
    let rows = EVENT_TYPES
        .iter()
        .map(|event| {
            let title = tr(lang, &format!("event_{}", event.name));
            let cells = all
                .iter()
                .filter(|t| t.event.name == event.name && served(t.lang))
                .map(|t| Cell {
                    href: href(t),
                    changed: t.changed_at.is_some(),
                    label: format!(
                        "{title}, {}, {}",
                        channel_label(lang, t.channel),
                        tr(lang, t.lang)
                    ),
                })
                .collect();
            Row { title, cells }
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/admin/templates"),
            columns,
            rows,
        },
    )
}

/// A placeholder as the editor lists it.
pub struct PlaceholderRow {
    name: &'static str,
    required: bool,
    example: &'static str,
}

/// A problem worded for the reader, linked to its field.
pub struct ErrorRow {
    anchor: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "message_template.html")]
struct EditPage {
    c: Chrome,
    action: String,
    title: String,
    is_email: bool,
    subject: String,
    body: String,
    placeholders: Vec<PlaceholderRow>,
    errors: Vec<ErrorRow>,
    subject_error: Option<String>,
    body_error: Option<String>,
    preview: Option<(String, String)>,
    sms_parts: String,
    notice: &'static str,
    changed: String,
    /// Whether the reader may change the words (an auditor only reads them).
    may_edit: bool,
}

fn wording(lang: Lang, p: &Problem) -> String {
    match &p.kind {
        ProblemKind::Unknown(n) => tr_with(
            lang,
            "template_unknown",
            [FluentValue::from(&format!("{{{n}}}"))],
        ),
        ProblemKind::Missing(n) => tr_with(
            lang,
            "template_missing",
            [FluentValue::from(&format!("{{{n}}}"))],
        ),
        ProblemKind::Malformed(m) => tr_with(
            lang,
            "template_malformed",
            [FluentValue::from(m.at), FluentValue::from(&m.near)],
        ),
        ProblemKind::Empty => tr(lang, "template_empty").to_string(),
        ProblemKind::TooLong(max) => tr_with(lang, "template_too_long", [FluentValue::from(max)]),
    }
}

/// How many SMS parts a text costs: 160 characters alone, 153 each when split (GSM 7-bit);
/// 70 and 67 once any character needs Unicode.
fn sms_parts(text: &str) -> usize {
    const GSM: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    let n = text.chars().count();
    let (one, each) = if text.chars().all(|c| GSM.contains(c)) {
        (160, 153)
    } else {
        (70, 67)
    };
    if n <= one {
        1
    } else {
        n.div_ceil(each)
    }
}

/// Builds the editor for `t` with the text shown (saved or as posted) and its problems.
fn edit_page(
    state: &AppState,
    s: &SignedIn,
    t: &MessageTemplate,
    subject: String,
    body: String,
    problems: &[Problem],
    notice: &'static str,
) -> Response {
    let lang = s.v.lang;
    let event: &EventType = t.event;
    let errors: Vec<ErrorRow> = problems
        .iter()
        .map(|p| ErrorRow {
            anchor: if p.field == "subject" {
                "f-subject"
            } else {
                "f-body"
            },
            message: wording(lang, p),
        })
        .collect();
    let first = |field: &str| {
        problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| wording(lang, p))
    };
    let preview = problems.is_empty().then(|| {
        let examples = event.examples();
        (
            templates::render(&subject, &examples),
            templates::render(&body, &examples),
        )
    });
    let sms_parts = match (&preview, t.channel) {
        (Some((_, text)), Channel::Sms) => tr_with(
            lang,
            "sms_length",
            [
                FluentValue::from(text.chars().count()),
                FluentValue::from(sms_parts(text)),
            ],
        ),
        _ => String::new(),
    };
    let page = EditPage {
        may_edit: lango_identity::policy::may(&s.v.actor, Action::Edit, Object::Platform),
        c: Chrome::for_visitor(&s.v, state.config.demo, &href(t)),
        action: href(t),
        title: format!(
            "{} – {} – {}",
            tr(lang, &format!("event_{}", event.name)),
            channel_label(lang, t.channel),
            tr(lang, t.lang)
        ),
        is_email: t.channel == Channel::Email,
        subject,
        body,
        placeholders: event
            .placeholders
            .iter()
            .map(|p| PlaceholderRow {
                name: p.name,
                required: p.required,
                example: p.example,
            })
            .collect(),
        subject_error: first("subject"),
        body_error: first("body"),
        errors,
        preview,
        sms_parts,
        notice,
        changed: match (&t.changed_by, t.changed_at) {
            (Some(by), Some(at)) => format!("{} {} ({by})", tr(lang, "template_changed"), when(at)),
            _ => tr(lang, "template_default").to_string(),
        },
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(status, &page)
}

/// `?saved` or `?reset` after a change, for the notice.
#[derive(Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

/// `GET /admin/templates/{event}/{channel}/{lang}`
pub async fn edit(
    State(state): State<AppState>,
    s: SignedIn,
    Path((event, channel, lang)): Path<(String, String, String)>,
    Query(done): Query<Done>,
) -> Response {
    let loaded = async {
        check(&s.v.actor, Action::View, Object::Platform)?;
        let (event, channel, lang) = templates::key(&event, &channel, &lang)?;
        let mut conn = state.db.pool().acquire().await?;
        templates::load(&mut conn, event, channel, lang).await
    };
    let t = match loaded.await {
        Ok(t) => t,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let notice = match done.done.as_str() {
        "saved" => tr(s.v.lang, "template_saved"),
        "reset" => tr(s.v.lang, "template_reset_done"),
        _ => "",
    };
    let (subject, body) = (t.subject.clone(), t.body.clone());
    edit_page(&state, &s, &t, subject, body, &[], notice)
}

/// The editor's form as posted.
#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    /// `preview` shows the text filled in without saving; anything else saves.
    #[serde(default)]
    intent: String,
}

/// `POST /admin/templates/{event}/{channel}/{lang}`: preview or save. A refused template
/// changes nothing: the one in force stays.
pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path((event, channel, lang)): Path<(String, String, String)>,
    Posted(f): Posted<EditForm>,
) -> Response {
    let loaded = async {
        check(&s.v.actor, Action::Edit, Object::Platform)?;
        let (event, channel, lang) = templates::key(&event, &channel, &lang)?;
        let mut conn = state.db.pool().acquire().await?;
        templates::load(&mut conn, event, channel, lang).await
    };
    let t = match loaded.await {
        Ok(t) => t,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    if f.intent == "preview" {
        let problems = templates::validate(t.event, t.channel, &f.subject, &f.body);
        return edit_page(&state, &s, &t, f.subject, f.body, &problems, "");
    }
    let by = actor_label(&s.v.actor);
    let saved = templates::save(
        &state.db, &by, t.event, t.channel, t.lang, &f.subject, &f.body,
    )
    .await;
    match saved {
        Ok(Ok(())) => Redirect::to(&format!("{}?done=saved", href(&t))).into_response(),
        Ok(Err(problems)) => edit_page(&state, &s, &t, f.subject, f.body, &problems, ""),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/templates/{event}/{channel}/{lang}/reset`: the shipped default again.
pub async fn reset(
    State(state): State<AppState>,
    s: SignedIn,
    Path((event, channel, lang)): Path<(String, String, String)>,
) -> Response {
    let done = async {
        check(&s.v.actor, Action::Edit, Object::Platform)?;
        let (event, channel, lang) = templates::key(&event, &channel, &lang)?;
        templates::reset(&state.db, &actor_label(&s.v.actor), event, channel, lang).await?;
        Ok::<_, lango_core::Error>(format!(
            "/admin/templates/{}/{}/{lang}?done=reset",
            event.name,
            channel.as_str()
        ))
    };
    match done.await {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sms_parts_count_like_the_networks() {
        assert_eq!(super::sms_parts(&"a".repeat(160)), 1);
        assert_eq!(super::sms_parts(&"a".repeat(161)), 2);
        assert_eq!(super::sms_parts(&"ā".repeat(71)), 2);
    }
}
