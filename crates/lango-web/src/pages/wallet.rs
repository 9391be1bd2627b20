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
    Router::new()
        .route("/account/documents", get(page))
        .route("/account/documents/{number}", get(download))
}

/// One document as the wallet shows it.
struct Card {
    title: String,
    number: String,
    holder: String,
    issued: String,
    valid_until: String,
    download: String,
    /// Why its agency revoked it (empty when in force).
    revoked: String,
    /// The QR code as inline SVG (made here from the signed text; no script, no image host).
    qr_svg: String,
}

#[derive(Template)]
#[template(path = "wallet.html")]
struct WalletPage {
    c: Chrome,
    cards: Vec<Card>,
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
            qr_svg: lango_cases::outputs::qr_svg(
                &h.issued.qr,
                &format!("{label} {}", h.issued.number),
                180,
            ),
            title: lang.pick(&h.issued.title, &h.title_sw).to_string(),
            // A document an agency's system signed belongs to no application.
            download: if h.reference.is_empty() {
                format!("/account/documents/{}", h.issued.number)
            } else {
                format!(
                    "/applications/{}/documents/{}",
                    h.reference, h.issued.file.id
                )
            },
            revoked: h.revoked.unwrap_or_default(),
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

/// `GET /account/documents/{number}`: a document an agency's system signed for the person.
async fn download(
    State(state): State<AppState>,
    s: SignedIn,
    axum::extract::Path(number): axum::extract::Path<String>,
) -> Response {
    match state.cases.held_document(&s.v.actor, &number).await {
        Ok((file, bytes)) => {
            crate::download::document(&file, bytes, crate::download::Show::Attachment)
        }
        Err(e) => crate::error::page_error(&state, s.v.lang, e),
    }
}
