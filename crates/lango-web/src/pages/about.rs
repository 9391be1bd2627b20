//! The pages every footer links: help, contact, privacy notice, accessibility statement and
//! cookies. Their words are in `words::about`; the facts they state (the paybill, the
//! cookies, the session limits) are read from the configuration and the code that sets them.

use super::{render, Chrome};
use crate::visitor::{cookie_name, Visitor, SESSION};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/help", get(help))
        .route("/contact", get(contact))
        .route("/privacy", get(privacy))
        .route("/accessibility", get(accessibility))
        .route("/cookies", get(cookies))
}

#[derive(Template)]
#[template(path = "about_help.html")]
struct HelpPage {
    c: Chrome,
    shortcode: String,
    /// The country pays by M-Pesa (the Paybill steps are shown).
    mpesa: bool,
}

#[derive(Template)]
#[template(path = "about_contact.html")]
struct ContactPage {
    c: Chrome,
}

#[derive(Template)]
#[template(path = "about_privacy.html")]
struct PrivacyPage {
    c: Chrome,
}

#[derive(Template)]
#[template(path = "about_accessibility.html")]
struct AccessibilityPage {
    c: Chrome,
}

/// One cookie Lango sets, as the cookies page lists it.
struct CookieRow {
    name: String,
    purpose: &'static str,
    expires: &'static str,
}

#[derive(Template)]
#[template(path = "about_cookies.html")]
struct CookiesPage {
    c: Chrome,
    rows: Vec<CookieRow>,
}

/// `GET /help`: how to apply, pay (with this installation's paybill) and track.
async fn help(State(state): State<AppState>, v: Visitor) -> Response {
    let page = HelpPage {
        c: Chrome::for_visitor(&v, state.config.demo, "/help"),
        shortcode: state.config.mpesa_shortcode.clone(),
        mpesa: state.config.country.pays_by("mpesa"),
    };
    render(StatusCode::OK, &page)
}

/// `GET /contact`: who to ask about what.
async fn contact(State(state): State<AppState>, v: Visitor) -> Response {
    let page = ContactPage {
        c: Chrome::for_visitor(&v, state.config.demo, "/contact"),
    };
    render(StatusCode::OK, &page)
}

/// `GET /privacy`: the privacy notice the Data Protection Act, 2019 asks for.
async fn privacy(State(state): State<AppState>, v: Visitor) -> Response {
    let page = PrivacyPage {
        c: Chrome::for_visitor(&v, state.config.demo, "/privacy"),
    };
    render(StatusCode::OK, &page)
}

/// `GET /accessibility`: the accessibility statement.
async fn accessibility(State(state): State<AppState>, v: Visitor) -> Response {
    let page = AccessibilityPage {
        c: Chrome::for_visitor(&v, state.config.demo, "/accessibility"),
    };
    render(StatusCode::OK, &page)
}

/// `GET /cookies`: every cookie Lango sets, under the name it really has here (`__Host-`
/// outside the demo).
async fn cookies(State(state): State<AppState>, v: Visitor) -> Response {
    let c = Chrome::for_visitor(&v, state.config.demo, "/cookies");
    let rows = vec![
        CookieRow {
            name: cookie_name(&state, SESSION),
            purpose: c.tr("cookies_session"),
            expires: c.tr("cookies_session_expires"),
        },
        CookieRow {
            name: cookie_name(&state, crate::visitor::CSRF),
            purpose: c.tr("cookies_csrf"),
            expires: c.tr("cookies_csrf_expires"),
        },
        CookieRow {
            name: "lang".into(),
            purpose: c.tr("cookies_lang"),
            expires: c.tr("cookies_lang_expires"),
        },
    ];
    render(StatusCode::OK, &CookiesPage { c, rows })
}
