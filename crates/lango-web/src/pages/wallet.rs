//! `/account/documents`: the holder's wallet. Every document issued on the person's
//! applications, with its signed QR code (checked offline by any verifier), its number and
//! dates, a link to download it again and its public verification page.

use super::{render, when, Chrome};
use crate::visitor::SignedIn;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/account/documents", get(page))
}

/// One document as the wallet shows it.
struct Card {
    title: String,
    number: String,
    holder: String,
    issued: String,
    valid_until: String,
    download: String,
    /// The QR code as inline SVG (made here from the signed text; no script, no image host).
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "wallet.html")]
struct WalletPage {
    c: Chrome,
    cards: Vec<Card>,
}

/// The QR code of `text` as an SVG element with a text alternative.
fn qr_svg(text: &str, label: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let svg = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(180, 180)
                .build()
        })
        .unwrap_or_default();
    let svg = svg
        .strip_prefix(r#"<?xml version="1.0" standalone="yes"?>"#)
        .unwrap_or(&svg);
    // The label is our own words; escaped all the same.
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    )
}

/// `GET /account/documents`
async fn page(State(state): State<AppState>, s: SignedIn) -> Response {
    let lang = s.v.lang;
    let held = match state.cases.wallet(&s.v.actor).await {
        Ok(h) => h,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let label = crate::words::tr(lang, "wallet_qr_label");
    let cards = held
        .into_iter()
        .map(|h| Card {
            qr_svg: qr_svg(&h.issued.qr, &format!("{label} {}", h.issued.number)),
            title: lang.pick(&h.issued.title, &h.title_sw).to_string(),
            download: format!(
                "/applications/{}/documents/{}",
                h.reference, h.issued.file.id
            ),
            number: h.issued.number,
            holder: h.holder,
            issued: when(h.issued.issued_at),
            valid_until: h.issued.valid_until.unwrap_or_default(),
        })
        .collect();
    render(
        StatusCode::OK,
        &WalletPage {
            c: Chrome::for_visitor(&s.v, state.config.demo, "/account/documents"),
            cards,
        },
    )
}
