//! The hosted payment page: a plain HTML form (no JavaScript) for the card, and a cancel
//! button. Form mistakes are shown on the page, as a provider's page does; a complete form
//! finishes the payment and sends the payer back to the service.

use super::api::with_payment;
use super::{webhook, CardDetails, Shared, State};
use axum::extract::{Path, State as AxState};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use lango_core::clock::{now_ms, Civil};
use lango_core::money::{Currency, Money};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/pay/{id}", get(page).post(submit))
        .route("/pay/{id}/cancel", post(cancel))
}

/// What a test card does.
fn outcome_of(number: &str) -> Option<State> {
    match number {
        "4444333322221111" => Some(State::Success),
        "4000000000000002" => Some(State::Failed {
            code: "P0010",
            message: "Payment method rejected",
        }),
        "4000000000000069" => Some(State::Failed {
            code: "P0020",
            message: "Payment expired",
        }),
        _ => None,
    }
}

fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – Card payment simulator</title></head><body><main>{body}</main></body></html>"
    )
}

fn field(name: &str, label: &str, value: &str, error: Option<&str>, autocomplete: &str) -> String {
    let err = error
        .map(|e| format!("<p class=\"error\" id=\"e-{name}\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "<p><label for=\"{name}\">{label}</label>{err}<br><input id=\"{name}\" name=\"{name}\" \
         value=\"{}\" autocomplete=\"{autocomplete}\"></p>",
        escape(value)
    )
}

/// Parsed card form, or the problems with it.
#[derive(Debug)]
struct CardForm {
    number: String,
    expiry: String,
    holder: String,
}

fn check(form: &HashMap<String, String>) -> Result<CardForm, HashMap<&'static str, &'static str>> {
    let get = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or("");
    let mut problems = HashMap::new();
    let number: String = get("card_number")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !(12..=19).contains(&number.len())
        || !number.bytes().all(|b| b.is_ascii_digit())
        || !luhn(&number)
    {
        problems.insert("card_number", "Enter a valid card number");
    } else if outcome_of(&number).is_none() {
        problems.insert(
            "card_number",
            "This simulator accepts only its test cards (see the list below)",
        );
    }
    let month: Option<i64> = get("expiry_month")
        .parse()
        .ok()
        .filter(|m| (1..=12).contains(m));
    let year: Option<i64> = get("expiry_year")
        .parse()
        .ok()
        .map(|y: i64| if y < 100 { 2000 + y } else { y });
    let now = Civil::from_ms(now_ms());
    match (month, year) {
        (Some(m), Some(y)) if (y, m) >= (now.year, now.month) => {}
        (Some(_), Some(_)) => {
            problems.insert(
                "expiry_month",
                "The card's expiry date must be in the future",
            );
        }
        _ => {
            problems.insert(
                "expiry_month",
                "Enter the expiry date as a month and a year, for example 04 and 30",
            );
        }
    }
    let cvc = get("cvc");
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        problems.insert("cvc", "Enter the 3 or 4 digit security code");
    }
    let holder = get("cardholder_name");
    if holder.is_empty() || holder.chars().count() > 255 {
        problems.insert("cardholder_name", "Enter the name as it is on the card");
    }
    if problems.is_empty() {
        Ok(CardForm {
            expiry: format!(
                "{:02}/{:02}",
                month.unwrap_or(1),
                year.unwrap_or(2000) % 100
            ),
            number,
            holder: holder.to_string(),
        })
    } else {
        Err(problems)
    }
}

fn form_page(
    id: &str,
    amount: i64,
    currency: &str,
    description: &str,
    values: &HashMap<String, String>,
    problems: &HashMap<&'static str, &'static str>,
) -> String {
    let v = |k: &str| values.get(k).map(String::as_str).unwrap_or("");
    let amount = currency
        .parse::<Currency>()
        .map(|c| Money::from_minor(amount, c).display())
        .unwrap_or_else(|_| amount.to_string());
    let summary = if problems.is_empty() {
        String::new()
    } else {
        "<div role=\"alert\"><h2>There is a problem</h2><p>Check the fields marked below.</p></div>"
            .to_string()
    };
    let body = format!(
        "{summary}<h1>Enter card details</h1><p>{}</p><p><strong>Total amount: {amount}</strong></p>\
         <form method=\"post\" action=\"/pay/{id}\">{}{}{}{}{}\
         <button type=\"submit\">Continue</button></form>\
         <form method=\"post\" action=\"/pay/{id}/cancel\"><button type=\"submit\">Cancel payment</button></form>\
         <h2>Test cards</h2><ul><li>4444333322221111: paid</li><li>4000000000000002: declined</li>\
         <li>4000000000000069: expired card</li></ul>",
        escape(description),
        field("card_number", "Card number", v("card_number"), problems.get("card_number").copied(), "cc-number"),
        field("expiry_month", "Expiry month (MM)", v("expiry_month"), problems.get("expiry_month").copied(), "cc-exp-month"),
        field("expiry_year", "Expiry year (YY)", v("expiry_year"), None, "cc-exp-year"),
        field("cardholder_name", "Name on card", v("cardholder_name"), problems.get("cardholder_name").copied(), "cc-name"),
        field("cvc", "Card security code", v("cvc"), problems.get("cvc").copied(), "cc-csc"),
    );
    shell("Enter card details", &body)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(shell("Not found", "<h1>This payment does not exist</h1>")),
    )
        .into_response()
}

fn currency_of(metadata: &serde_json::Value) -> String {
    metadata
        .get("currency")
        .and_then(|c| c.as_str())
        .unwrap_or("GBP")
        .to_string()
}

/// `GET /pay/{id}`: the card form (a finished payment sends the payer back to the service).
async fn page(AxState(shared): AxState<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let seen = with_payment(&shared, &id, |p| {
        if p.state == State::Created {
            p.state = State::Started;
        }
        (
            p.state.clone(),
            p.amount,
            currency_of(&p.metadata),
            p.description.clone(),
            p.return_url.clone(),
        )
    });
    match seen {
        None => not_found(),
        Some((state, _, _, _, back)) if state != State::Started => {
            Redirect::to(&back).into_response()
        }
        Some((_, amount, currency, description, _)) => (
            [(header::CACHE_CONTROL, "no-store")],
            Html(form_page(
                &id,
                amount,
                &currency,
                &description,
                &HashMap::new(),
                &HashMap::new(),
            )),
        )
            .into_response(),
    }
}

/// `POST /pay/{id}`: pays with a test card, or shows the form's problems.
async fn submit(
    AxState(shared): AxState<Arc<Shared>>,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let card = check(&values);
    let done = with_payment(&shared, &id, |p| {
        if p.state.finished() {
            return Ok((p.return_url.clone(), None));
        }
        match &card {
            Err(problems) => Err(form_page(
                &id,
                p.amount,
                &currency_of(&p.metadata),
                &p.description,
                &values,
                problems,
            )),
            Ok(c) => {
                p.state = outcome_of(&c.number).unwrap_or(State::Started);
                p.card = Some(CardDetails {
                    last_digits: c.number[c.number.len() - 4..].to_string(),
                    first_digits: c.number[..6].to_string(),
                    holder: c.holder.clone(),
                    expiry: c.expiry.clone(),
                });
                Ok((p.return_url.clone(), Some(p.clone())))
            }
        }
    });
    match done {
        None => not_found(),
        Some(Err(html)) => (StatusCode::OK, Html(html)).into_response(),
        Some(Ok((back, finished))) => {
            if let Some(p) = finished {
                let event = if p.state == State::Success {
                    "card_payment_succeeded"
                } else {
                    "card_payment_failed"
                };
                webhook::enqueue(&shared, event, &p);
            }
            Redirect::to(&back).into_response()
        }
    }
}

/// `POST /pay/{id}/cancel`: the payer gives up (`P0030`).
async fn cancel(AxState(shared): AxState<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let done = with_payment(&shared, &id, |p| {
        if p.state.finished() {
            return (p.return_url.clone(), None);
        }
        p.state = State::Failed {
            code: "P0030",
            message: "Payment was cancelled by the user",
        };
        (p.return_url.clone(), Some(p.clone()))
    });
    match done {
        None => not_found(),
        Some((back, finished)) => {
            if let Some(p) = finished {
                webhook::enqueue(&shared, "card_payment_cancelled", &p);
            }
            Redirect::to(&back).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_pass_luhn_and_others_are_refused() {
        for n in ["4444333322221111", "4000000000000002", "4000000000000069"] {
            assert!(luhn(n), "{n}");
        }
        assert!(!luhn("4444333322221112"));
        let mut form: HashMap<String, String> = [
            ("card_number", "4444 3333 2222 1111"),
            ("expiry_month", "12"),
            ("expiry_year", "99"),
            ("cvc", "123"),
            ("cardholder_name", "W Kamau"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let ok = check(&form).expect("valid");
        assert_eq!(
            (ok.number.as_str(), ok.expiry.as_str()),
            ("4444333322221111", "12/99")
        );
        form.insert("expiry_year".into(), "20".into());
        form.insert("cvc".into(), "1".into());
        let problems = check(&form).expect_err("refused");
        assert!(problems.contains_key("expiry_month") && problems.contains_key("cvc"));
        assert_eq!(escape("<a href=\"x\">"), "&lt;a href=&quot;x&quot;&gt;");
    }
}
