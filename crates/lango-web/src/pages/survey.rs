//! The satisfaction survey after a completed application (the page), and the one-question
//! SMS survey's replies from the SMS gateway.
//!
//! Who may answer, what is valid, one response per application and the attempt limit are
//! `lango-insights`'s rules; these handlers read forms and render.

use super::{render, render_status_page, Chrome};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_core::Error;
use lango_insights::survey::{Outcome, Problem, RawAnswer, AGE_BANDS, ATTRIBUTES, SEXES};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications/{reference}/survey", get(show).post(answer))
        .route("/applications/{reference}/survey/thanks", get(thanks))
        .route("/channels/sms/incoming", post(sms_incoming))
}

/// One radio choice.
struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// A question answered with radios.
struct Question {
    name: &'static str,
    legend: &'static str,
    optional: bool,
    choices: Vec<Choice>,
    error: Option<&'static str>,
}

impl Question {
    fn new(name: &'static str, legend: &'static str, optional: bool) -> Question {
        Question {
            name,
            legend,
            optional,
            choices: Vec::new(),
            error: None,
        }
    }

    fn choice(mut self, value: &'static str, label: &'static str, sent: &str) -> Question {
        self.choices.push(Choice {
            value,
            label,
            checked: !value.is_empty() && value == sent.trim(),
        });
        self
    }
}

#[derive(Template)]
#[template(path = "survey_form.html")]
struct SurveyPage {
    c: Chrome,
    reference: String,
    service: String,
    service_questions: Vec<Question>,
    about_questions: Vec<Question>,
    comment: String,
    comment_error: Option<&'static str>,
    counties: Vec<(&'static str, bool)>,
    county_error: Option<&'static str>,
    errors: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "survey_thanks.html")]
struct ThanksPage {
    c: Chrome,
    reference: String,
    service: String,
}

/// A page that says why the survey cannot be answered, with the way back.
#[derive(Template)]
#[template(path = "apply_message.html")]
struct NoticePage {
    c: Chrome,
    title: &'static str,
    body: &'static str,
    link: String,
    link_text: &'static str,
}

/// The service's name in the reader's language (its code when the catalogue lacks it).
fn service_name(state: &AppState, lang: Lang, code: &str) -> String {
    lango_catalogue::ServiceCode::parse(code)
        .ok()
        .and_then(|c| state.catalogue.snapshot().service(&c))
        .map(|h| {
            lang.pick(&h.entry.service.name, &h.entry.service.name_sw)
                .to_string()
        })
        .unwrap_or_else(|| code.to_string())
}

/// The survey form, filled with what was sent and marked with its problems.
fn form_page(
    state: &AppState,
    s: &SignedIn,
    reference: &str,
    service: &str,
    raw: &RawAnswer,
    problems: &[Problem],
) -> Response {
    let lang = s.v.lang;
    let error_of = |field: &str| {
        problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| tr(lang, p.code))
    };
    let mut overall = Question::new("overall", tr(lang, "survey_overall"), false);
    for score in ["5", "4", "3", "2", "1"] {
        let label = tr(lang, &format!("survey_overall_{score}"));
        overall = overall.choice(score, label, &raw.overall);
    }
    let mut service_questions = vec![overall];
    for (key, _) in ATTRIBUTES {
        let sent = raw.attribute(key);
        service_questions.push(
            Question::new(key, tr(lang, &format!("survey_{key}")), true)
                .choice("yes", tr(lang, "survey_yes"), sent)
                .choice("no", tr(lang, "survey_no"), sent)
                .choice("", tr(lang, "survey_not_sure"), sent),
        );
    }
    let mut sex = Question::new("sex", tr(lang, "survey_sex"), true);
    for v in SEXES {
        sex = sex.choice(v, tr(lang, &format!("survey_sex_{v}")), &raw.sex);
    }
    let mut age = Question::new("age_band", tr(lang, "survey_age_band"), true);
    for v in AGE_BANDS {
        // `65+` is worded as `survey_age_65_plus` (a Fluent key has no plus sign).
        let key = format!("survey_age_{}", v.replace('+', "_plus"));
        age = age.choice(v, tr(lang, &key), &raw.age_band);
    }
    let mut about_questions = vec![
        sex.choice("", tr(lang, "survey_not_say"), ""),
        age.choice("", tr(lang, "survey_not_say"), ""),
    ];
    for q in service_questions
        .iter_mut()
        .chain(about_questions.iter_mut())
    {
        q.error = error_of(q.name);
    }
    let chosen = lango_cases::definition::counties::county(raw.county.trim());
    let mut counties: Vec<(&'static str, bool)> = lango_cases::definition::counties::regions()
        .iter()
        .map(|r| (r.name.as_str(), Some(r.name.as_str()) == chosen))
        .collect();
    counties.sort_unstable();
    // The summary lists problems in the order of the page, each linked to its field.
    let order = [
        "overall",
        "access",
        "affordability",
        "effective_delivery",
        "equal_treatment",
        "timeliness",
        "comment",
        "sex",
        "age_band",
        "county",
    ];
    let errors = order
        .iter()
        .filter_map(|f| error_of(f).map(|m| (format!("f-{f}"), m)))
        .collect::<Vec<_>>();
    let page = SurveyPage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/applications/{reference}/survey"),
        ),
        reference: reference.to_string(),
        service: service_name(state, lang, service),
        service_questions,
        about_questions,
        comment: raw.comment.clone(),
        comment_error: error_of("comment"),
        counties,
        county_error: error_of("county"),
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    no_store(render(status, &page))
}

/// Answers are personal: never kept by a shared cache or the back button's store.
pub(super) fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A notice (`KEY_title`, `KEY_body`) with the way back to the application.
fn notice(
    state: &AppState,
    s: &SignedIn,
    status: StatusCode,
    key: &str,
    reference: &str,
) -> Response {
    let lang = s.v.lang;
    let page = NoticePage {
        c: Chrome::for_visitor(
            &s.v,
            state.config.demo,
            &format!("/applications/{reference}"),
        ),
        title: tr(lang, &format!("{key}_title")),
        body: tr(lang, &format!("{key}_body")),
        link: format!("/applications/{reference}"),
        link_text: tr(lang, "survey_back"),
    };
    no_store(render(status, &page))
}

/// A refusal of the domain as a page: unknown and not yours are both 404 (whether an
/// application exists is not told), not completed yet says so.
fn refuse(state: &AppState, s: &SignedIn, reference: &str, e: Error) -> Response {
    match e {
        Error::NotFound(_) | Error::Forbidden(_) => {
            render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo)
        }
        Error::Conflict(_) => notice(
            state,
            s,
            StatusCode::CONFLICT,
            "survey_not_complete",
            reference,
        ),
        e => crate::error::page_error(state, s.v.lang, e),
    }
}

/// Could this be an application reference? Anything else is not looked up at all.
fn plausible(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 40
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `GET /applications/{ref}/survey`: the survey, or why it cannot be answered.
async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    if !plausible(&reference) {
        return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    }
    match state.insights.survey(&s.v.actor, &reference).await {
        Ok(sv) if sv.answered => {
            notice(&state, &s, StatusCode::OK, "survey_answered", &sv.reference)
        }
        Ok(sv) => form_page(
            &state,
            &s,
            &sv.reference,
            &sv.service,
            &RawAnswer::default(),
            &[],
        ),
        Err(e) => refuse(&state, &s, &reference, e),
    }
}

/// The form's answers (the first value of each field; unknown fields are ignored).
fn raw_answer(body: &[u8]) -> RawAnswer {
    let mut raw = RawAnswer::default();
    let mut seen = std::collections::HashSet::new();
    for (k, v) in form_urlencoded::parse(body) {
        if !seen.insert(k.clone()) {
            continue;
        }
        let slot = match k.as_ref() {
            "overall" => &mut raw.overall,
            "access" => &mut raw.access,
            "affordability" => &mut raw.affordability,
            "effective_delivery" => &mut raw.effective_delivery,
            "equal_treatment" => &mut raw.equal_treatment,
            "timeliness" => &mut raw.timeliness,
            "comment" => &mut raw.comment,
            "sex" => &mut raw.sex,
            "age_band" => &mut raw.age_band,
            "county" => &mut raw.county,
            _ => continue,
        };
        *slot = v.into_owned();
    }
    raw
}

/// `POST /applications/{ref}/survey`: stores the answers once, or shows what is wrong.
async fn answer(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    if !plausible(&reference) {
        return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    }
    let raw = raw_answer(&body);
    match state
        .insights
        .answer_survey(&s.v.actor, &reference, &raw)
        .await
    {
        Ok(Outcome::Recorded) => {
            Redirect::to(&format!("/applications/{reference}/survey/thanks")).into_response()
        }
        Ok(Outcome::AlreadyAnswered) => notice(
            &state,
            &s,
            StatusCode::CONFLICT,
            "survey_answered",
            &reference,
        ),
        Ok(Outcome::TooManyAttempts) => notice(
            &state,
            &s,
            StatusCode::TOO_MANY_REQUESTS,
            "survey_too_many",
            &reference,
        ),
        Ok(Outcome::Invalid(problems)) => match state.insights.survey(&s.v.actor, &reference).await
        {
            Ok(sv) => form_page(&state, &s, &sv.reference, &sv.service, &raw, &problems),
            Err(e) => refuse(&state, &s, &reference, e),
        },
        Err(e) => refuse(&state, &s, &reference, e),
    }
}

/// `GET /applications/{ref}/survey/thanks`: the confirmation once answered.
async fn thanks(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    if !plausible(&reference) {
        return render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    }
    match state.insights.survey(&s.v.actor, &reference).await {
        Ok(sv) if sv.answered => {
            let page = ThanksPage {
                c: Chrome::for_visitor(
                    &s.v,
                    state.config.demo,
                    &format!("/applications/{reference}/survey/thanks"),
                ),
                service: service_name(&state, s.v.lang, &sv.service),
                reference: sv.reference,
            };
            no_store(render(StatusCode::OK, &page))
        }
        Ok(sv) => Redirect::to(&format!("/applications/{}/survey", sv.reference)).into_response(),
        Err(e) => refuse(&state, &s, &reference, e),
    }
}

/// Largest incoming-message body read (a message is a few hundred bytes).
const INCOMING_LIMIT: usize = 16 * 1024;

/// An incoming SMS as Africa's Talking posts it (form fields; others are ignored).
#[derive(Debug, Default)]
struct Incoming {
    /// The sender's number.
    from: String,
    /// Our short code or number.
    to: String,
    /// The text.
    text: String,
    /// The gateway's id for the message.
    id: String,
}

impl Incoming {
    fn parse(body: &[u8]) -> Incoming {
        let mut m = Incoming::default();
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.into_owned();
            match k.as_ref() {
                "from" => m.from = v,
                "to" => m.to = v,
                "text" => m.text = v,
                "id" => m.id = v,
                _ => {}
            }
        }
        m
    }
}

/// `POST /channels/sms/incoming`: a reply to a one-question survey SMS (an application's,
/// else a centre's exit survey), believed only from `sms_report_networks` (as delivery
/// reports are). Answered 200 once handled, also when it matches no invitation or changes
/// nothing (so the gateway does not retry).
async fn sms_incoming(State(state): State<AppState>, req: Request) -> Response {
    let peer = crate::client::of(&state, &req);
    if !crate::channels::from_networks(&state, &state.config.sms_report_networks, peer) {
        tracing::warn!(peer = ?peer, "incoming SMS from a network not in sms_report_networks");
        return (StatusCode::FORBIDDEN, "not from an allowed network").into_response();
    }
    let body = match axum::body::to_bytes(req.into_body(), INCOMING_LIMIT).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response(),
    };
    let m = Incoming::parse(&body);
    if m.from.is_empty() {
        return (StatusCode::BAD_REQUEST, "from is required").into_response();
    }
    let answered = match state.insights.answer_sms(&m.from, &m.text).await {
        // No application survey asked that number: perhaps a centre's exit survey did.
        Ok(None) => state
            .centres
            .answer_sms(&m.from, &m.text)
            .await
            .map(|o| o.map(|_| ())),
        other => other.map(|o| o.map(|_| ())),
    };
    match answered {
        Ok(outcome) => {
            tracing::info!(id = %m.id, to = %m.to, matched = outcome.is_some(), "incoming SMS");
            (StatusCode::OK, "ok").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, id = %m.id, "incoming SMS not handled");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The track page's survey block, as `apply_track.html` includes it.
    #[derive(Template)]
    #[template(path = "survey_track_block.html")]
    struct TrackBlock {
        c: Chrome,
        reference: String,
        survey: Option<bool>,
    }

    #[test]
    fn the_track_page_offers_the_survey_once_completed() {
        let block = |survey| {
            TrackBlock {
                c: Chrome::new(Lang::En, false, "/"),
                reference: "A7K3M9QX2".into(),
                survey,
            }
            .render()
            .unwrap()
        };
        assert!(block(Some(false)).contains("href=\"/applications/A7K3M9QX2/survey\""));
        assert!(block(Some(true)).contains("you have told us what you thought"));
        assert!(!block(Some(true)).contains("href="));
        assert!(block(None).trim().is_empty());
    }

    #[test]
    fn forms_and_messages_are_read_field_by_field() {
        let raw =
            raw_answer(b"csrf=t&overall=4&overall=1&comment=Fast+%26+kind&county=Nairobi&x=y");
        assert_eq!(raw.overall, "4", "the first value counts");
        assert_eq!(raw.comment, "Fast & kind");
        assert_eq!(raw.county, "Nairobi");
        let m = Incoming::parse(
            b"from=%2B254711000111&to=22384&text=4&date=2026-11-23+10%3A00%3A00&id=abc&linkId=L1",
        );
        assert_eq!(
            (m.from.as_str(), m.text.as_str(), m.id.as_str()),
            ("+254711000111", "4", "abc")
        );
        assert!(plausible("A7K3M9QX2") && !plausible("../x") && !plausible(""));
    }
}
