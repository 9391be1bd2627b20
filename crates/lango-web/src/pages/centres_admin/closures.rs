//! A centre's closures, below its form: the coming closures and public holidays, each
//! removable by whoever may (a public holiday: platform administrators only), and the form
//! that closes the centre (or, for a platform administrator, every centre) on a day.

use super::edit::{field, load, show, with_problems, Shown};
use super::platform_admin;
use crate::forms::{Choice, ErrorLink, Form};
use crate::i18n::Lang;
use crate::pages::centres_refusal::worded;
use crate::pages::Chrome;
use crate::visitor::SignedIn;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form as Posted, Router};
use lango_centres::model::Centre;
use lango_centres::{CentreInput, Refusal};
use lango_core::Error;
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/centres/{code}/closures", post(close))
        .route("/admin/centres/{code}/closures/{day}/remove", post(reopen))
        .route(
            "/admin/centres/{code}/holidays/{day}/remove",
            post(reopen_everywhere),
        )
}

/// The closure form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ClosureForm {
    day: String,
    reason: String,
    everywhere: Option<String>,
}

fn closure_form(lang: Lang, csrf: &str, code: &str, f: &ClosureForm, admin: bool) -> Form {
    let mut fields = vec![
        field(lang, "day", "date", &f.day),
        field(lang, "reason", "text", &f.reason),
    ];
    if admin {
        let mut everywhere = field(lang, "everywhere", "checkboxes", "");
        everywhere.choices = vec![Choice {
            value: "1".into(),
            label: tr(lang, "cadm_everywhere").into(),
            checked: f.everywhere.is_some(),
        }];
        fields.push(everywhere);
    }
    Form::new(
        format!("/admin/centres/{code}/closures"),
        csrf,
        tr(lang, "cadm_close"),
        fields,
    )
}

/// A form's fields and button alone, to place a second form on a page.
#[derive(Template)]
#[template(path = "form_fields.html")]
struct FormFields<'a> {
    c: &'a Chrome,
    form: &'a Form,
}

/// One coming closure.
pub(super) struct ClosureRow {
    pub(super) day: String,
    pub(super) reason: String,
    pub(super) holiday: bool,
    /// Where its remove button posts, for those who may remove it.
    pub(super) remove: Option<String>,
}

/// An existing centre's closures and the form to add one.
pub(super) struct ClosuresView {
    pub(super) rows: Vec<ClosureRow>,
    pub(super) form: String,
}

/// The closures of `centre` and the form to add one (as typed, with its problems), and
/// those problems for the page's error summary.
pub(super) async fn view(
    state: &AppState,
    s: &SignedIn,
    c: &Chrome,
    centre: &Centre,
    (typed, problems): (&ClosureForm, &[(String, String)]),
) -> Result<(ClosuresView, Vec<ErrorLink>), Error> {
    let lang = s.v.lang;
    let admin = platform_admin(&s.v.actor);
    let rows = state
        .centres
        .closures(centre)
        .await?
        .into_iter()
        .map(|k| {
            let holiday = k.centre.is_empty();
            let remove = match holiday {
                true if !admin => None,
                true => Some(format!(
                    "/admin/centres/{}/holidays/{}/remove",
                    centre.code, k.day
                )),
                false => Some(format!(
                    "/admin/centres/{}/closures/{}/remove",
                    centre.code, k.day
                )),
            };
            ClosureRow {
                day: k.day,
                reason: k.reason,
                holiday,
                remove,
            }
        })
        .collect();
    let mut form = with_problems(
        lang,
        closure_form(lang, &s.v.csrf, &centre.code, typed, admin),
        problems,
    );
    let errors = std::mem::take(&mut form.errors);
    let html = FormFields { c, form: &form }
        .render()
        .map_err(|e| Error::Internal(format!("template failed: {e}")))?;
    Ok((ClosuresView { rows, form: html }, errors))
}

/// `POST /admin/centres/{code}/closures`: closes the centre (or every centre) on a day.
async fn close(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Posted(f): Posted<ClosureForm>,
) -> Response {
    let c = match load(&state, &s, &code).await {
        Ok(c) => c,
        Err(e) => return crate::error::page_error(&state, s.v.lang, e),
    };
    let target = if f.everywhere.is_some() {
        None
    } else {
        Some(&c)
    };
    match state
        .centres
        .close(&s.v.actor, target, &f.day, &f.reason)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/admin/centres/{}?closed={}#closures",
            c.code,
            f.day.trim()
        ))
        .into_response(),
        Err(e) => {
            // A centres refusal in the reader's language; a plain one as the domain words it.
            let problem = match (e.refusal::<Refusal>(), &e) {
                (Some(r), _) => (r.field().to_string(), worded(s.v.lang, r)),
                (None, Error::Invalid { field, message }) => (field.clone(), message.clone()),
                (None, _) => return crate::error::page_error(&state, s.v.lang, e),
            };
            let shown = Shown {
                centre: Some(&c),
                input: CentreInput::of(&c),
                closure: f,
                closure_problems: vec![problem],
                ..Shown::default()
            };
            show(&state, &s, shown).await
        }
    }
}

/// Removes the closure on `day` of `c` (`None`: the public holiday) and shows the centre.
async fn reopened(
    state: &AppState,
    s: &SignedIn,
    c: Option<&Centre>,
    code: &str,
    day: &str,
) -> Response {
    match state.centres.reopen(&s.v.actor, c, day).await {
        Ok(()) => Redirect::to(&format!(
            "/admin/centres/{code}?reopened={}#closures",
            day.trim()
        ))
        .into_response(),
        Err(e) => crate::error::page_error(state, s.v.lang, e),
    }
}

/// `POST /admin/centres/{code}/closures/{day}/remove`
async fn reopen(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, day)): Path<(String, String)>,
) -> Response {
    match load(&state, &s, &code).await {
        Ok(c) => reopened(&state, &s, Some(&c), &c.code, &day).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}

/// `POST /admin/centres/{code}/holidays/{day}/remove`: a public holiday, every centre's
/// (platform administrators only).
async fn reopen_everywhere(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, day)): Path<(String, String)>,
) -> Response {
    match load(&state, &s, &code).await {
        Ok(c) => reopened(&state, &s, None, &c.code, &day).await,
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
