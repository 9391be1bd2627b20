//! Paying a bill by card (`POST /pay/{reference}/card` sends the payer to the provider's
//! page; `GET /pay/{reference}/card/{id}` is where they come back), and the finance
//! officer's refund pages (`refunds`).

mod refunds;

use super::{render, Chrome};
use crate::visitor::Visitor;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use lango_core::Error;
use lango_payments::cards::{self, CardPayment, CardStatus, HttpCardProvider};

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pay/{reference}/card", post(pay_by_card))
        .route("/pay/{reference}/card/{id}", get(came_back))
        .merge(refunds::routes())
}

/// How a payment at a provider ended (cards, FPX): words by key, a receipt when paid.
#[derive(Template)]
#[template(path = "card_result.html")]
pub(super) struct ResultPage {
    c: Chrome,
    reference: String,
    title: &'static str,
    body: &'static str,
    pub(super) paid: bool,
    retry: bool,
    pub(super) refresh: bool,
    pub(super) here: String,
    pub(super) receipt: Vec<(&'static str, String)>,
}

impl ResultPage {
    /// The page for bill `reference` with the words `{key}_title` and `{key}_body`.
    pub(super) fn new(c: Chrome, reference: &str, key: &str) -> ResultPage {
        let lang = c.language;
        ResultPage {
            title: crate::words::tr(lang, &format!("{key}_title")),
            body: crate::words::tr(lang, &format!("{key}_body")),
            c,
            reference: reference.to_string(),
            paid: false,
            retry: false,
            refresh: false,
            here: String::new(),
            receipt: Vec::new(),
        }
    }
}

/// The page saying card payments cannot be made now (none configured, or the provider failed).
fn unavailable(c: Chrome, reference: &str) -> Response {
    render(
        StatusCode::SERVICE_UNAVAILABLE,
        &ResultPage::new(c, reference, "card_unavailable"),
    )
}

/// `POST /pay/{reference}/card`: starts a card payment of what is due and sends the payer to
/// the provider's page.
async fn pay_by_card(
    State(state): State<AppState>,
    v: Visitor,
    headers: axum::http::HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    let here = format!("/pay/{reference}");
    let c = Chrome::for_visitor(&v, state.config.demo, &here);
    let Some(provider) = state.config.card.as_ref().map(HttpCardProvider::new) else {
        return unavailable(c, &reference);
    };
    match cards::start(&state.db, &provider, &state.config.public_url, &reference).await {
        Ok(Ok(started)) => {
            let link = crate::words::tr(v.lang, "card_continue_to");
            super::leave_to(c, &headers, &started.next_url, "card_continue_title", link)
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "card payment could not start");
            unavailable(c, &reference)
        }
        Err(Error::Conflict(_)) => render(
            StatusCode::CONFLICT,
            &ResultPage::new(c, &reference, "card_not_payable"),
        ),
        Err(e) => crate::error::page_error(&state, v.lang, e),
    }
}

/// How bill `reference` stands after a payment, for a receipt: what is still due, or paid
/// in full (the error page when it cannot be read).
pub(super) async fn standing(
    state: &AppState,
    lang: crate::i18n::Lang,
    reference: &str,
) -> Result<String, Response> {
    let t = |k: &str| crate::words::tr(lang, k);
    match lango_payments::bills::get(&state.db, reference).await {
        Ok(Some(b)) if b.balance().minor() > 0 => Ok(format!(
            "{} {}",
            t("card_balance_due"),
            b.balance().display()
        )),
        Ok(Some(_)) => Ok(t("card_paid_in_full").to_string()),
        Ok(None) => Ok(String::new()),
        Err(e) => Err(crate::error::page_error(state, lang, e)),
    }
}

/// The words for how an attempt ended.
fn key_of(card: &CardPayment) -> &'static str {
    match (card.status, card.failure_code.as_str()) {
        (CardStatus::Success, _) => "card_paid",
        (CardStatus::Cancelled, _) => "card_cancelled",
        (CardStatus::Failed, "P0010") => "card_declined",
        (CardStatus::Failed, "P0020") => "card_expired",
        (CardStatus::Failed | CardStatus::Error, _) => "card_failed",
        _ => "card_pending",
    }
}

/// `GET /pay/{reference}/card/{id}`: the payer is back from the provider. The provider is
/// asked how the payment ended (the redirect alone proves nothing), and a success is posted
/// here if the webhook has not done so already.
async fn came_back(
    State(state): State<AppState>,
    v: Visitor,
    Path((reference, id)): Path<(String, String)>,
) -> Response {
    let here = format!("/pay/{reference}/card/{id}");
    let c = Chrome::for_visitor(&v, state.config.demo, &here);
    let Some(provider) = state.config.card.as_ref().map(HttpCardProvider::new) else {
        return unavailable(c, &reference);
    };
    let card = match cards::refresh(&state.db, &provider, &reference, &id).await {
        Ok(Some(Ok(card))) => card,
        Ok(Some(Err(e))) => {
            tracing::warn!(error = %e, payment = %id, "cannot ask the card provider");
            let mut page = ResultPage::new(c, &reference, "card_unreachable");
            page.refresh = true;
            page.here = here;
            return render(StatusCode::SERVICE_UNAVAILABLE, &page);
        }
        Ok(None) => {
            return crate::error::page_error(&state, v.lang, Error::NotFound("card payment".into()))
        }
        Err(e) => return crate::error::page_error(&state, v.lang, e),
    };
    let key = key_of(&card);
    let mut page = ResultPage::new(c, &card.bill_reference, key);
    page.here = here;
    match key {
        "card_paid" => {
            page.paid = true;
            let lang = v.lang;
            let t = |k: &str| crate::words::tr(lang, k);
            let standing = match standing(&state, lang, &card.bill_reference).await {
                Ok(s) => s,
                Err(refused) => return refused,
            };
            page.receipt = vec![
                (
                    t("card_receipt_number"),
                    card.provider_payment_id.clone().unwrap_or_default(),
                ),
                (t("card_amount"), card.amount.display()),
                (
                    t("card_date"),
                    super::account::when(card.posted_at.unwrap_or(card.created_at)),
                ),
                (t("card_bill"), card.bill_reference.clone()),
                (t("card_bill_status"), standing),
            ];
        }
        "card_pending" => page.refresh = true,
        _ => page.retry = true,
    }
    render(StatusCode::OK, &page)
}
