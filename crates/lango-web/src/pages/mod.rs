//! Server-rendered portal pages (askama). Every page works without JavaScript.

mod about;
mod account;
mod activity;
mod admin;
mod agent_desk;
mod agent_documents;
mod agent_figures;
mod agent_payouts;
mod agents;
mod agents_admin;
mod apply;
mod assist;
mod auth;
mod booking;
mod card;
mod catalogue;
pub(crate) mod centre_figures;
mod centre_rate;
pub(crate) mod centres;
mod centres_admin;
pub(crate) mod centres_refusal;
mod chart;
mod claims;
mod claims_admin;
mod corrections;
mod desk;
mod desk_cash;
mod dev_phone;
mod document_keys;
mod finance;
mod fpx;
pub(crate) mod insights;
mod message_templates;
mod my_data;
mod open_data;
mod pay;
mod performance;
mod phone_figures;
mod reconciliation;
mod services_admin;
mod sign_in_clients;
mod sign_in_with_lango;
mod survey;
mod views;
mod wallet;
mod webhooks;
mod work;

use crate::i18n::{Lang, Strings};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::convert::Infallible;

/// The stylesheet, embedded in the binary.
const CSS: &str = include_str!("../../assets/lango.css");
/// Changes whenever the release does, so browsers may cache assets for a year.
const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/services", get(catalogue::results))
        .route("/services/{code}", get(catalogue::service))
        .route("/agencies", get(catalogue::agencies))
        .route("/agencies/{code}", get(catalogue::agency))
        .route("/language", get(switch_language))
        .route("/register", get(auth::register_page).post(auth::register))
        .route(
            "/confirm-contacts",
            get(auth::verify_page_get).post(auth::verify),
        )
        .route("/confirm-contacts/resend", post(auth::resend))
        .route("/signin", get(auth::signin_page_get).post(auth::signin))
        .route("/signin/national-id", get(auth::national_id))
        .route(
            "/signin/national-id/callback",
            get(auth::national_id_callback),
        )
        .route(
            "/signin/two-factor",
            get(auth::two_factor_page).post(auth::two_factor),
        )
        .route("/signout", post(auth::signout))
        .route(
            "/forgot-password",
            get(auth::forgot_page).post(auth::forgot),
        )
        .route("/reset-password", get(auth::reset_page).post(auth::reset))
        .route("/account", get(account::home))
        .route(
            "/account/profile",
            get(account::profile_page).post(account::profile),
        )
        .route("/account/sessions", get(account::sessions))
        .route(
            "/account/sessions/sign-out-others",
            post(account::sign_out_others),
        )
        .route(
            "/account/two-factor",
            get(account::two_factor).post(account::two_factor_enable),
        )
        .route(
            "/account/two-factor/disable",
            post(account::two_factor_disable),
        )
        .route(
            "/account/two-factor/recovery-codes",
            post(account::recovery_codes_renew),
        )
        .route("/account/businesses/{id}", get(account::business_show))
        .route(
            "/account/businesses/{id}/representatives",
            post(account::representative_add),
        )
        .route(
            "/account/businesses/{id}/representatives/{account}/revoke",
            post(account::representative_revoke),
        )
        .route("/account/activity", get(activity::activity))
        .route(
            "/admin/agencies/{code}/staff",
            get(admin::staff_list).post(admin::staff_add),
        )
        .route(
            "/admin/agencies/{code}/staff/{account}/{role}/remove",
            post(admin::staff_remove),
        )
        .route(
            "/admin/agencies/{code}/api-keys",
            get(admin::keys_list).post(admin::keys_create),
        )
        .route(
            "/admin/agencies/{code}/api-keys/{id}/revoke",
            post(admin::keys_revoke),
        )
        .route("/admin/templates", get(message_templates::list))
        .route(
            "/admin/templates/{event}/{channel}/{lang}",
            get(message_templates::edit).post(message_templates::save),
        )
        .route(
            "/admin/templates/{event}/{channel}/{lang}/reset",
            post(message_templates::reset),
        )
        .route(
            "/channels/sms/delivery-reports",
            post(crate::channels::sms_delivery_report),
        )
        .route(
            "/admin/agencies/{code}/webhooks",
            get(webhooks::show).post(webhooks::create),
        )
        .route("/admin/agencies/{code}/webhooks/ping", post(webhooks::ping))
        .route(
            "/admin/agencies/{code}/webhooks/{id}/stop",
            post(webhooks::stop),
        )
        .route(
            "/admin/agencies/{code}/webhooks/deliveries/{id}/redeliver",
            post(webhooks::redeliver),
        )
        .merge(pay::routes())
        .merge(card::routes())
        .merge(fpx::routes())
        .merge(finance::routes())
        .merge(reconciliation::routes())
        .merge(apply::routes())
        .merge(work::routes())
        .merge(services_admin::routes())
        .merge(insights::routes())
        .merge(performance::routes())
        .merge(survey::routes())
        .merge(open_data::routes())
        .merge(about::routes())
        .merge(my_data::routes())
        .merge(claims::routes())
        .merge(centres::routes())
        .merge(booking::routes())
        .merge(desk::routes())
        .merge(assist::routes())
        .merge(claims_admin::routes())
        .merge(centres_admin::routes())
        .merge(centre_figures::routes())
        .merge(dev_phone::routes())
        .merge(phone_figures::routes())
        .merge(centre_rate::routes())
        .merge(corrections::routes())
        .merge(wallet::routes())
        .merge(document_keys::routes())
        .merge(sign_in_with_lango::routes())
        .merge(sign_in_clients::routes())
        .merge(agents::routes())
        .merge(agents_admin::routes())
        .merge(agent_documents::routes())
        .merge(agent_desk::routes())
        .merge(agent_figures::routes())
        .merge(agent_payouts::routes())
        .route("/dev/messages", get(admin::dev_messages))
        .route("/assets/lango.css", get(stylesheet))
}

/// The reader's language: the `lang` cookie, else `Accept-Language`, else the country's first language.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(PageLang(lang_of(&parts.headers)))
    }
}

/// The language of a request: the cookie, else `Accept-Language`, else the country's first language.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix("lang="))
        .find_map(Lang::parse)
        .filter(|l| Lang::served().contains(l));
    if let Some(lang) = cookie {
        return lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match accept
        .split(',')
        .next()
        .map(|l| l.trim().to_ascii_lowercase())
    {
        Some(l) => Lang::served()
            .iter()
            .copied()
            .find(|lang| l.starts_with(lang.tag()))
            .unwrap_or_else(Lang::default_served),
        None => Lang::default_served(),
    }
}

/// `YYYY-MM-DD HH:MM EAT`: every page shows times in the country's time, and names it.
pub fn when(ms: i64) -> String {
    format!(
        "{} {}",
        lango_core::clock::Civil::local(ms).date_time(),
        time_zone()
    )
}

/// The name of the country's time (`EAT`), said after every time a page shows.
pub fn time_zone() -> &'static str {
    &lango_core::country::current().time_zone
}

/// The country's calendar day (`YYYY-MM-DD`) of a moment.
pub fn day(ms: i64) -> String {
    lango_core::clock::Civil::local(ms).date()
}

/// What every page's frame shows of the request being answered, whichever constructor its
/// handler used.
#[derive(Clone, Default)]
pub struct Frame {
    /// Signed in: the frame offers "Sign out".
    pub signed_in: bool,
    /// The session's CSRF token, for that form.
    pub csrf: String,
    /// The person centre staff are acting for (name, their assistance page), so every page
    /// the staff member sees while applying for them says whose it is.
    pub assisting: Option<(String, String)>,
}

tokio::task_local! {
    /// The request's [`Frame`], set by [`crate::visitor::resolve`] around every page handler.
    pub static FRAME: Frame;
    /// Who is asking, so a refusal page can list the work they may do instead.
    pub static ASKING: lango_identity::policy::Actor;
}

/// The frame around every page: language, switch link, demo banner.
pub struct Chrome {
    /// This page's language tag.
    pub lang: &'static str,
    /// Fixed texts in that language.
    pub t: &'static Strings,
    /// The other language's tag.
    pub other_lang: &'static str,
    /// The other language's name, in itself.
    pub other_lang_name: &'static str,
    /// Link that switches language and comes back here.
    pub switch_url: String,
    /// Show the demo banner.
    pub demo: bool,
    /// Cache-busting version of the stylesheet.
    pub asset_version: &'static str,
    /// Show the sign-out button (and its CSRF token) instead of the account link only.
    pub signed_in: bool,
    /// The CSRF token for the sign-out form.
    pub csrf: String,
    /// This page's language.
    pub language: Lang,
    /// Staff acting for a person present: (their name, the assistance page).
    pub assisting: Option<(String, String)>,
}

impl Chrome {
    /// The frame for a page at `here` (path and query).
    pub fn new(lang: Lang, demo: bool, here: &str) -> Chrome {
        let other = lang.other();
        let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
        let Frame {
            signed_in,
            csrf,
            assisting,
        } = FRAME.try_with(Clone::clone).unwrap_or_default();
        Chrome {
            lang: lang.tag(),
            t: lang.strings(),
            other_lang: other.tag(),
            other_lang_name: other.strings().language_name,
            switch_url: format!("/language?to={}&next={next}", other.tag()),
            demo,
            asset_version: ASSET_VERSION,
            signed_in,
            csrf,
            language: lang,
            assisting,
        }
    }

    /// The frame for a page seen by `v`.
    pub fn for_visitor(v: &crate::visitor::Visitor, demo: bool, here: &str) -> Chrome {
        let mut c = Chrome::new(v.lang, demo, here);
        c.signed_in = v.account.is_some();
        c.csrf = v.csrf.clone();
        c
    }

    /// Words of the account and administration pages in this page's language.
    pub fn tr(&self, key: &str) -> &'static str {
        crate::words::tr(self.language, key)
    }

    /// Words of `key` with its one value (`$v1`) filled in.
    pub fn tr_one(&self, key: &str, value: impl std::fmt::Display) -> String {
        crate::words::tr_with(self.language, key, [value.to_string().into()])
    }
}

/// `res` marked never to be cached: a page that shows a secret once (a new key, a client
/// secret) or carries a sign-in code.
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// On the way to another site.
#[derive(Template)]
#[template(path = "continue.html")]
struct ContinuePage {
    c: Chrome,
    title: &'static str,
    to: String,
    link: String,
}

/// Sends the visitor to `url` on another site. After a form of Lango's own, whose
/// `form-action 'self'` browsers also apply to where the form's answer redirects, the way on
/// is a page that moves on by itself (meta refresh, which needs no script) with a link
/// reading `link` under the heading `title_key`; otherwise a plain redirect.
pub fn leave_to(
    c: Chrome,
    headers: &HeaderMap,
    url: &str,
    title_key: &str,
    link: &str,
) -> Response {
    let ours = headers
        .get("sec-fetch-site")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|s| s == "same-origin");
    if !ours {
        return Redirect::to(url).into_response();
    }
    let page = ContinuePage {
        title: crate::words::tr(c.language, title_key),
        c,
        to: url.to_string(),
        link: link.to_string(),
    };
    render(StatusCode::OK, &page)
}

/// Renders a template as an HTML response.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    c: Chrome,
    title: &'static str,
    body: &'static str,
    not_found: bool,
    q: String,
}

/// The 404 or 500 page in the reader's language.
pub fn render_status_page(status: StatusCode, lang: Lang, demo: bool) -> Response {
    let t = lang.strings();
    let not_found = status == StatusCode::NOT_FOUND;
    let page = StatusPage {
        c: Chrome::new(lang, demo, "/"),
        title: if not_found {
            t.not_found_title
        } else {
            t.server_error_title
        },
        body: if not_found {
            t.not_found_body
        } else {
            t.server_error_body
        },
        not_found,
        q: String::new(),
    };
    render(status, &page)
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    c: Chrome,
    title: &'static str,
    body: &'static str,
    /// What the person may do instead (a refusal offers their account, services and help).
    instead: Vec<(&'static str, &'static str)>,
    /// The places a signed-in member of staff works (a refusal offers them first).
    work: Vec<account::StaffLink>,
}

/// A page with a title and one paragraph, both words of `key` (`KEY_title`, `KEY_body`).
pub fn render_message_page(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    key: &str,
) -> Response {
    let page = MessagePage {
        c: Chrome::new(lang, state.config.demo, "/"),
        title: crate::words::tr(lang, &format!("{key}_title")),
        body: crate::words::tr(lang, &format!("{key}_body")),
        instead: if key == "forbidden" {
            [
                ("/account", "forbidden_account"),
                ("/services", "forbidden_services"),
                ("/help", "forbidden_help"),
            ]
            .map(|(href, k)| (href, crate::words::tr(lang, k)))
            .to_vec()
        } else {
            Vec::new()
        },
        work: if key == "forbidden" {
            ASKING
                .try_with(|a| account::staff_links(lang, a))
                .unwrap_or_default()
        } else {
            Vec::new()
        },
    };
    render(status, &page)
}

#[derive(Deserialize)]
struct SwitchParams {
    to: Option<String>,
    next: Option<String>,
}

/// Sets the language cookie and returns to the page the reader was on.
async fn switch_language(params: Result<Query<SwitchParams>, QueryRejection>) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or(SwitchParams {
        to: None,
        next: None,
    });
    let lang = params
        .to
        .as_deref()
        .and_then(Lang::parse)
        .filter(|l| Lang::served().contains(l))
        .unwrap_or_else(Lang::default_served);
    // Only local paths: never an open redirect.
    let next = lango_core::local_path::LocalPath::or(params.next.as_deref(), "/");
    let mut res = Redirect::to(next.as_str()).into_response();
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        lang.tag()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
}
