//! Registration, contact verification, sign-in (password, second factor, national ID),
//! sign-out and password reset. Thin: each handler parses, calls identity, renders.

use super::{render, render_message_page, Chrome};
use crate::forms::{Field, Form};
use crate::i18n::Lang;
use crate::visitor::{cookie, cookie_name, read_cookie, safe_next, Visitor, SESSION};
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form as Posted;
use lango_identity::account::{self, RegistrationForm};
use lango_identity::model::Problems;
use lango_identity::session;
use lango_identity::signin::{self, SignIn};
use serde::Deserialize;

/// A page that is one form.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    /// Frame.
    pub c: Chrome,
    /// Heading.
    pub title: &'static str,
    /// Paragraph under the heading.
    pub lead: &'static str,
    /// A confirmation of what just happened.
    pub notice: &'static str,
    /// The form.
    pub form: Form,
    /// Links under the form.
    pub links: Vec<(String, &'static str)>,
    /// Buttons under the form, each its own small form: (where it posts, its words).
    pub buttons: Vec<(String, &'static str)>,
}

/// Renders a form page: 200 when fresh, 400 when it comes back with problems.
pub fn form_page(
    state: &AppState,
    v: &Visitor,
    here: &str,
    title: &str,
    lead: &str,
    form: Form,
) -> FormPage {
    FormPage {
        c: Chrome::for_visitor(v, state.config.demo, here),
        title: tr(v.lang, title),
        lead: if lead.is_empty() {
            ""
        } else {
            tr(v.lang, lead)
        },
        notice: "",
        form,
        links: Vec::new(),
        buttons: Vec::new(),
    }
}

/// Sends the page with 400 when its form has errors.
pub fn send(page: FormPage) -> Response {
    render(page.form.status(), &page)
}

/// Refuses when this address has sent too many sign-in, code or reset forms.
pub fn throttled(state: &AppState, v: &Visitor) -> Option<Response> {
    over_limit(state, v, crate::limits::Limit::Forms)
}

/// The "too many attempts" page when the visitor's address has used up `limit`, else `None`
/// (one refusal for every rate-limited page).
pub fn over_limit(state: &AppState, v: &Visitor, limit: crate::limits::Limit) -> Option<Response> {
    let ip = v.client.ip.parse().ok();
    (!state.limits.allow(limit, ip))
        .then(|| render_message_page(state, v.lang, StatusCode::TOO_MANY_REQUESTS, "rate_limited"))
}

/// Redirects and sets the session cookie.
fn with_session(state: &AppState, to: &str, token: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    if let Ok(h) = HeaderValue::from_str(&cookie(state, SESSION, token, None)) {
        res.headers_mut().append(header::SET_COOKIE, h);
    }
    res
}

/// Where to go after sign-in: the page the person asked for, or, when they asked for none
/// (the account page is the default), their own work (`lango_identity::landing`).
async fn after_sign_in(
    state: &AppState,
    account_id: &str,
    next: String,
) -> lango_core::Result<String> {
    use lango_identity::landing::{landing, Landing};
    if next != "/account" {
        return Ok(next);
    }
    let person = lango_identity::account::actor(&state.db, account_id).await?;
    Ok(match landing(&person) {
        Landing::Account => next,
        Landing::Workbench(agency) => format!("/work/{agency}"),
        Landing::Finance => "/finance".into(),
        Landing::AgencyAdmin(agency) => format!("/admin/agencies/{agency}/staff"),
        Landing::Platform => "/admin/templates".into(),
        Landing::Performance => "/admin/performance".into(),
        Landing::Centre(code) => format!("/desk/{code}"),
    })
}

fn register_form(lang: Lang, csrf: &str, f: &RegistrationForm) -> Form {
    Form::new(
        "/register",
        csrf,
        tr(lang, "continue"),
        vec![
            Field::new(lang, "kind", "radios").choices(
                lang,
                &["citizen", "resident", "foreigner"],
                &[f.kind.as_str()],
            ),
            Field::new(lang, "id_number", "text").value(&f.id_number),
            Field::new(lang, "given_name", "text")
                .value(&f.given_name)
                .auto("given-name"),
            Field::new(lang, "family_name", "text")
                .value(&f.family_name)
                .auto("family-name"),
            Field::date(lang, "date_of_birth", &f.dob, &f.date_of_birth).auto("bday"),
            Field::new(lang, "phone", "tel").value(&f.phone).auto("tel"),
            Field::new(lang, "email", "email")
                .value(&f.email)
                .auto("email"),
            Field::new(lang, "password", "password").auto("new-password"),
            Field::new(lang, "password_confirm", "password").auto("new-password"),
        ],
    )
    .naming()
}

/// `GET /register`
pub async fn register_page(State(state): State<AppState>, v: Visitor) -> Response {
    let form = register_form(v.lang, &v.csrf, &RegistrationForm::default());
    let mut page = form_page(&state, &v, "/register", "register", "register_lead", form);
    page.links
        .push(("/signin".into(), tr(v.lang, "have_account")));
    send(page)
}

/// `POST /register`
pub async fn register(
    State(state): State<AppState>,
    v: Visitor,
    Posted(f): Posted<RegistrationForm>,
) -> Response {
    if let Some(r) = throttled(&state, &v) {
        return r;
    }
    let outcome = match f.parse() {
        Ok(reg) => account::register(&state.db, reg, v.lang.tag(), &v.client).await,
        Err(p) => Ok(Err(p)),
    };
    match outcome {
        // A number that already has an account is answered exactly as a new one.
        Ok(Ok(done)) => with_session(&state, "/confirm-contacts", done.token()),
        Ok(Err(p)) => {
            let form = register_form(v.lang, &v.csrf, &f).problems(v.lang, &p);
            send(form_page(
                &state,
                &v,
                "/register",
                "register",
                "register_lead",
                form,
            ))
        }
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// The verification form as typed.
#[derive(Deserialize, Default)]
pub struct VerifyForm {
    #[serde(default)]
    phone_code: String,
    #[serde(default)]
    email_code: String,
}

fn verify_form(lang: Lang, csrf: &str, a: &account::Account) -> Form {
    codes_form(lang, csrf, a.phone_verified, a.email_verified)
}

fn codes_form(lang: Lang, csrf: &str, phone_done: bool, email_done: bool) -> Form {
    let mut fields = Vec::new();
    if !phone_done {
        fields.push(Field::new(lang, "phone_code", "text").auto("one-time-code"));
    }
    if !email_done {
        fields.push(Field::new(lang, "email_code", "text").auto("one-time-code"));
    }
    Form::new("/confirm-contacts", csrf, tr(lang, "continue"), fields).naming()
}

fn verify_page(state: &AppState, v: &Visitor, form: Form, notice: &'static str) -> Response {
    let mut page = form_page(
        state,
        v,
        "/confirm-contacts",
        "verify_title",
        "verify_lead",
        form,
    );
    page.notice = notice;
    // Held registrations have no account behind them but must look like one that has.
    page.c.signed_in = true;
    page.buttons
        .push(("/confirm-contacts/resend".into(), tr(v.lang, "resend")));
    send(page)
}

/// Who is at the code step: a pending account, or a registration that made none.
enum AtVerify {
    Account(Box<account::Account>),
    Held(String),
}

async fn at_verify(
    state: &AppState,
    v: &Visitor,
    headers: &HeaderMap,
) -> Result<AtVerify, Response> {
    if let Some(a) = &v.account {
        return Ok(AtVerify::Account(Box::new(a.clone())));
    }
    let token = read_cookie(headers, &cookie_name(state, SESSION)).unwrap_or_default();
    match account::held_attempt(&state.db, &token).await {
        Ok(Some(attempt)) => Ok(AtVerify::Held(attempt)),
        Ok(None) => Err(Redirect::to("/signin?next=%2Fverify").into_response()),
        Err(e) => Err(crate::error::page_error(state, v.lang, e)),
    }
}

/// The code form of a held registration: both codes, as for a new account.
fn held_form(lang: Lang, csrf: &str) -> Form {
    codes_form(lang, csrf, false, false)
}

/// `GET /confirm-contacts`
pub async fn verify_page_get(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
) -> Response {
    match at_verify(&state, &v, &headers).await {
        Ok(AtVerify::Account(a)) if a.phone_verified && a.email_verified => {
            Redirect::to("/account").into_response()
        }
        Ok(AtVerify::Account(a)) => verify_page(&state, &v, verify_form(v.lang, &v.csrf, &a), ""),
        Ok(AtVerify::Held(_)) => verify_page(&state, &v, held_form(v.lang, &v.csrf), ""),
        Err(res) => res,
    }
}

/// `POST /confirm-contacts`
pub async fn verify(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Posted(f): Posted<VerifyForm>,
) -> Response {
    if let Some(r) = throttled(&state, &v) {
        return r;
    }
    let a = match at_verify(&state, &v, &headers).await {
        Ok(AtVerify::Account(a)) => a,
        Ok(AtVerify::Held(attempt)) => {
            return match account::verify_held(&state.db, &attempt).await {
                Ok(p) => verify_page(
                    &state,
                    &v,
                    held_form(v.lang, &v.csrf).problems(v.lang, &p),
                    "",
                ),
                Err(e) => crate::error::page_error(&state, v.lang, e),
            }
        }
        Err(res) => return res,
    };
    match account::verify_contacts(&state.db, &a, &f.phone_code, &f.email_code).await {
        Ok(Ok(())) => Redirect::to("/account").into_response(),
        Ok(Err(p)) => {
            // Re-read: one of the two may have been confirmed just now.
            let a = account::get(&state.db, &a.id).await.unwrap_or(*a);
            let form = verify_form(v.lang, &v.csrf, &a).problems(v.lang, &p);
            verify_page(&state, &v, form, "")
        }
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// `POST /confirm-contacts/resend`: new codes, at most five times in fifteen minutes.
pub async fn resend(State(state): State<AppState>, v: Visitor, headers: HeaderMap) -> Response {
    if let Some(r) = throttled(&state, &v) {
        return r;
    }
    let (sent, form) = match at_verify(&state, &v, &headers).await {
        Ok(AtVerify::Account(a)) => (
            account::resend_codes(&state.db, &a).await,
            verify_form(v.lang, &v.csrf, &a),
        ),
        Ok(AtVerify::Held(attempt)) => (
            account::resend_held(&state.db, &attempt).await,
            held_form(v.lang, &v.csrf),
        ),
        Err(res) => return res,
    };
    match sent {
        Ok(Ok(())) => verify_page(&state, &v, form, tr(v.lang, "codes_sent")),
        Ok(Err(_)) => verify_page(&state, &v, form.general(v.lang, "locked"), ""),
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// Where to go after signing in.
#[derive(Deserialize, Default)]
pub struct NextParam {
    next: Option<String>,
    signed_out: Option<String>,
    /// Ask even a signed-in person (an agency's system wants a fresh sign-in).
    again: Option<String>,
}

/// The sign-in form as typed.
#[derive(Deserialize, Default)]
pub struct SignInForm {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn signin_form(lang: Lang, csrf: &str, identifier: &str, next: &str) -> Form {
    Form::new(
        "/signin",
        csrf,
        tr(lang, "sign_in"),
        vec![
            Field::new(lang, "identifier", "text")
                .value(identifier)
                .auto("username"),
            Field::new(lang, "password", "password").auto("current-password"),
            Field::new(lang, "next", "hidden").value(next),
        ],
    )
}

fn signin_page(state: &AppState, v: &Visitor, form: Form, notice: &'static str) -> Response {
    let mut page = form_page(state, v, "/signin", "sign_in", "", form);
    page.notice = notice;
    page.links
        .push(("/forgot-password".into(), tr(v.lang, "forgot")));
    page.links
        .push(("/register".into(), tr(v.lang, "no_account")));
    send(page)
}

/// `GET /signin`
pub async fn signin_page_get(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<NextParam>,
) -> Response {
    if v.account.is_some() && q.again.is_none() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let next = safe_next(q.next.as_deref());
    let notice = if q.signed_out.is_some() {
        tr(v.lang, "signed_out")
    } else {
        ""
    };
    signin_page(&state, &v, signin_form(v.lang, &v.csrf, "", &next), notice)
}

/// `POST /signin`
pub async fn signin(
    State(state): State<AppState>,
    v: Visitor,
    Posted(f): Posted<SignInForm>,
) -> Response {
    if let Some(r) = throttled(&state, &v) {
        return r;
    }
    let next = safe_next(Some(&f.next));
    let refuse = |code: &'static str| {
        let form = signin_form(v.lang, &v.csrf, &f.identifier, &next).general(v.lang, code);
        signin_page(&state, &v, form, "")
    };
    match signin::sign_in(&state.db, &f.identifier, &f.password, &v.client).await {
        Ok(SignIn::Done {
            token,
            pending: true,
        }) => {
            // An account still waiting for its codes goes to finish that first.
            with_session(&state, "/confirm-contacts", &token)
        }
        Ok(SignIn::Done { token, .. }) => {
            let to = match session::lookup(&state.db, &token).await {
                Ok(Some(s)) => after_sign_in(&state, &s.account_id, next.clone()).await,
                Ok(None) => Ok(next.clone()),
                Err(e) => Err(e),
            };
            match to {
                Ok(to) => with_session(&state, &to, &token),
                Err(e) => crate::error::page_error(&state, v.lang, e),
            }
        }
        Ok(SignIn::SecondFactor(token)) => {
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            with_session(&state, &format!("/signin/two-factor?next={next}"), &token)
        }
        Ok(SignIn::Refused) => refuse("signin_refused"),
        Ok(SignIn::Locked(_)) => refuse("locked"),
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// The second-factor form as typed: the app's code, or a recovery code instead.
#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery_code: String,
    #[serde(default)]
    next: String,
}

/// `?recovery=1` asks for a recovery code (a field of its own: not numeric).
#[derive(Deserialize, Default)]
pub struct TwoFactorQuery {
    next: Option<String>,
    recovery: Option<String>,
}

fn two_factor_form(lang: Lang, csrf: &str, next: &str, recovery: bool) -> Form {
    let code = if recovery {
        Field::new(lang, "recovery_code", "text")
    } else {
        Field::new(lang, "code", "text").auto("one-time-code")
    };
    Form::new(
        "/signin/two-factor",
        csrf,
        tr(lang, "continue"),
        vec![code, Field::new(lang, "next", "hidden").value(next)],
    )
}

fn two_factor_step(
    state: &AppState,
    v: &Visitor,
    form: Form,
    recovery: bool,
    next: &str,
) -> Response {
    let title = if recovery {
        "recovery_code_title"
    } else {
        "two_factor_title"
    };
    let mut page = form_page(state, v, "/signin/two-factor", title, "", form);
    if !recovery {
        let to = format!("/signin/two-factor?recovery=1&next={}", encoded(next));
        page.links.push((to, tr(v.lang, "recovery_code_instead")));
    }
    send(page)
}

fn encoded(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `GET /signin/two-factor`
pub async fn two_factor_page(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<TwoFactorQuery>,
) -> Response {
    if v.session.as_ref().is_none_or(|s| !s.mfa_pending) {
        return Redirect::to("/signin").into_response();
    }
    let next = safe_next(q.next.as_deref());
    let recovery = q.recovery.is_some();
    let form = two_factor_form(v.lang, &v.csrf, &next, recovery);
    two_factor_step(&state, &v, form, recovery, &next)
}

/// `POST /signin/two-factor`
pub async fn two_factor(
    State(state): State<AppState>,
    v: Visitor,
    Posted(f): Posted<CodeForm>,
) -> Response {
    use lango_identity::signin::SecondFactor;
    if let Some(r) = throttled(&state, &v) {
        return r;
    }
    let Some(session) = v.session.clone().filter(|s| s.mfa_pending) else {
        return Redirect::to("/signin").into_response();
    };
    let next = safe_next(Some(&f.next));
    let recovery = !f.recovery_code.is_empty();
    let code = if recovery { &f.recovery_code } else { &f.code };
    let problem = match signin::second_factor(&state.db, &session, code).await {
        Ok(SecondFactor::Done) => {
            return match after_sign_in(&state, &session.account_id, next).await {
                Ok(to) => Redirect::to(&to).into_response(),
                Err(e) => crate::error::page_error(&state, v.lang, e),
            }
        }
        // Straight to where the codes are counted and renewed.
        Ok(SecondFactor::Recovered(_)) => {
            return Redirect::to("/account/two-factor?recovered=1").into_response()
        }
        Ok(SecondFactor::Wrong) if recovery => "recovery_code_wrong",
        Ok(SecondFactor::Wrong) => "totp_wrong",
        Ok(SecondFactor::Locked(_)) => "locked",
        Err(e) => return crate::error::page_error(&state, v.lang, e),
    };
    let field = if recovery { "recovery_code" } else { "code" };
    let form = two_factor_form(v.lang, &v.csrf, &next, recovery)
        .problems(v.lang, &Problems::one(field, problem));
    two_factor_step(&state, &v, form, recovery, &next)
}

/// `POST /signout`
pub async fn signout(State(state): State<AppState>, v: Visitor) -> Response {
    if let Some(s) = &v.session {
        if let Err(e) = signin::sign_out(&state.db, s).await {
            return crate::error::page_error(&state, v.lang, e);
        }
    }
    let mut res = Redirect::to("/signin?signed_out=1").into_response();
    crate::visitor::forget_session(&state, &mut res);
    res
}

/// The forgotten-password form as typed.
#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    identifier: String,
}

fn forgot_form(lang: Lang, csrf: &str, identifier: &str) -> Form {
    Form::new(
        "/forgot-password",
        csrf,
        tr(lang, "continue"),
        vec![Field::new(lang, "identifier", "text")
            .value(identifier)
            .auto("username")],
    )
}

/// `GET /forgot-password`
pub async fn forgot_page(State(state): State<AppState>, v: Visitor) -> Response {
    let form = forgot_form(v.lang, &v.csrf, "");
    send(form_page(
        &state,
        &v,
        "/forgot-password",
        "forgot_title",
        "forgot_lead",
        form,
    ))
}

/// `POST /forgot-password`: the same answer whether or not the account exists.
pub async fn forgot(
    State(state): State<AppState>,
    v: Visitor,
    Posted(f): Posted<ForgotForm>,
) -> Response {
    if let Some(r) = throttled(&state, &v) {
        return r;
    }
    if f.identifier.trim().is_empty() {
        let form = forgot_form(v.lang, &v.csrf, "")
            .problems(v.lang, &Problems::one("identifier", "required"));
        return send(form_page(
            &state,
            &v,
            "/forgot-password",
            "forgot_title",
            "forgot_lead",
            form,
        ));
    }
    match signin::request_reset(&state.db, &f.identifier).await {
        Ok(Ok(())) => {
            let form = reset_form(v.lang, &v.csrf, &f.identifier);
            send(form_page(
                &state,
                &v,
                "/reset-password",
                "reset_title",
                "reset_lead",
                form,
            ))
        }
        Ok(Err(_)) => {
            let form = forgot_form(v.lang, &v.csrf, &f.identifier).general(v.lang, "locked");
            send(form_page(
                &state,
                &v,
                "/forgot-password",
                "forgot_title",
                "forgot_lead",
                form,
            ))
        }
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// The reset form as typed.
#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

fn reset_form(lang: Lang, csrf: &str, identifier: &str) -> Form {
    Form::new(
        "/reset-password",
        csrf,
        tr(lang, "save"),
        vec![
            Field::new(lang, "identifier", "text")
                .value(identifier)
                .auto("username"),
            Field::new(lang, "code", "text").auto("one-time-code"),
            Field::new(lang, "password", "password").auto("new-password"),
            Field::new(lang, "password_confirm", "password").auto("new-password"),
        ],
    )
}

/// `GET /reset-password`
pub async fn reset_page(State(state): State<AppState>, v: Visitor) -> Response {
    let form = reset_form(v.lang, &v.csrf, "");
    send(form_page(
        &state,
        &v,
        "/reset-password",
        "reset_title",
        "reset_lead",
        form,
    ))
}

/// `POST /reset-password`
pub async fn reset(
    State(state): State<AppState>,
    v: Visitor,
    Posted(f): Posted<ResetForm>,
) -> Response {
    if let Some(r) = throttled(&state, &v) {
        return r;
    }
    match signin::complete_reset(
        &state.db,
        &f.identifier,
        &f.code,
        &f.password,
        &f.password_confirm,
    )
    .await
    {
        Ok(Ok(())) => {
            let form = signin_form(v.lang, &v.csrf, &f.identifier, "/account");
            signin_page(&state, &v, form, tr(v.lang, "reset_done"))
        }
        Ok(Err(p)) => {
            let form = reset_form(v.lang, &v.csrf, &f.identifier).problems(v.lang, &p);
            send(form_page(
                &state,
                &v,
                "/reset-password",
                "reset_title",
                "reset_lead",
                form,
            ))
        }
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// The cookie that binds a national-ID sign-in to the browser that began it.
const OIDC_COOKIE: &str = "lango_oidc";

/// `GET /signin/national-id`: off to the national identity provider.
pub async fn national_id(State(state): State<AppState>, v: Visitor) -> Response {
    let Some(provider) = state.oidc.clone() else {
        return super::render_status_page(StatusCode::NOT_FOUND, v.lang, state.config.demo);
    };
    match provider.begin(&state.db).await {
        Ok(begun) => {
            let mut res = Redirect::to(&begun.url).into_response();
            let age = lango_identity::oidc::PENDING_MS / 1000;
            let c = cookie(&state, OIDC_COOKIE, &begun.browser, Some(age));
            if let Ok(h) = HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, h);
            }
            res
        }
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// What the provider sends back.
#[derive(Deserialize, Default)]
pub struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
}

/// `GET /signin/national-id/callback`
pub async fn national_id_callback(
    State(state): State<AppState>,
    v: Visitor,
    headers: axum::http::HeaderMap,
    Query(q): Query<Callback>,
) -> Response {
    let Some(provider) = state.oidc.clone() else {
        return super::render_status_page(StatusCode::NOT_FOUND, v.lang, state.config.demo);
    };
    let browser = read_cookie(&headers, &cookie_name(&state, OIDC_COOKIE)).unwrap_or_default();
    let mut res = match provider
        .finish(&state.db, &q.code, &q.state, &browser, &v.client)
        .await
    {
        Ok(Ok((_, token))) => with_session(&state, "/account", &token),
        Ok(Err(refusal)) => {
            use lango_identity::oidc::Refusal;
            tracing::warn!(?refusal, "national ID sign-in refused");
            let word = match refusal {
                Refusal::HeldByAnotherAccount => "national_id_held",
                Refusal::OtherBrowser => "national_id_other_browser",
                _ => "national_id_failed",
            };
            let form = signin_form(v.lang, &v.csrf, "", "/account").general(v.lang, word);
            signin_page(&state, &v, form, "")
        }
        Err(e) => return crate::error::page_error(&state, v.lang, e),
    };
    // One sign-in per cookie: spent or refused, it is no longer needed.
    if let Ok(h) = HeaderValue::from_str(&cookie(&state, OIDC_COOKIE, "", Some(0))) {
        res.headers_mut().append(header::SET_COOKIE, h);
    }
    res
}
