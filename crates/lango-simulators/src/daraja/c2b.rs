//! C2B: the paybill's registered URLs, and a customer paying the paybill. Validation is
//! asked first (when registered and enabled); M-Pesa waits `validation_timeout` for it and,
//! without an answer, does what the registration's `ResponseType` says. The confirmation is
//! then sent until it is acknowledged, waiting longer after each failure.
//!
//! `POST /simulator/pay` (not Daraja) is a customer paying:
//! `{"bill_ref","amount":"4600.00","msisdn":"254712345678","name":"WANJIKU KAMAU",
//! "deliver":true,"trans_time":"20261122133015"}` (all but `bill_ref` and `amount`
//! optional). `deliver:false` moves the money without telling Lango (the callback was lost).
//! Answers `{"TransID","ResultCode","ResultDesc","Completed"}`; a payment validation
//! rejected is not completed and not in the books.

use super::books::{decimal, Kind, Transaction};
use super::{bad_request, field, invalid_payload, json_object, lock, receipt_number, time, Sim};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_core::money::{Currency, Money};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Where Lango asked for C2B callbacks.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub(crate) validation: String,
    pub(crate) confirmation: String,
    /// `Completed` or `Cancelled`: what to do when validation does not answer.
    pub(crate) response_type: String,
}

/// `POST /mpesa/c2b/v1/registerurl`
pub(crate) async fn register(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return invalid_payload();
    };
    if field(&body, "ShortCode").as_deref() != Some(sim.settings.shortcode.as_str()) {
        return bad_request("ShortCode");
    }
    let response_type = field(&body, "ResponseType").unwrap_or_default();
    if !matches!(response_type.as_str(), "Completed" | "Cancelled") {
        return bad_request("ResponseType");
    }
    let url = |name: &str| {
        field(&body, name).filter(|u| u.starts_with("http://") || u.starts_with("https://"))
    };
    let Some(confirmation) = url("ConfirmationURL") else {
        return bad_request("ConfirmationURL");
    };
    let Some(validation) = url("ValidationURL") else {
        return bad_request("ValidationURL");
    };
    *lock(&sim.c2b_urls) = Some(Urls {
        validation,
        confirmation,
        response_type,
    });
    Json(json!({
        "OriginatorCoversationID": super::request_id(),
        "ResponseCode": "0",
        "ResponseDescription": "Success",
    }))
    .into_response()
}

/// A customer's payment to the paybill, before M-Pesa completes it.
struct Payment {
    trans_id: String,
    at_ms: i64,
    amount: Money,
    msisdn: String,
    name: String,
    bill_ref: String,
}

/// `POST /mpesa/c2b/v1/simulate` (Daraja's sandbox call): the payment runs in the background.
pub(crate) async fn simulate(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return invalid_payload();
    };
    if field(&body, "ShortCode").as_deref() != Some(sim.settings.shortcode.as_str()) {
        return bad_request("ShortCode");
    }
    if field(&body, "CommandID").as_deref() != Some("CustomerPayBillOnline") {
        return bad_request("CommandID");
    }
    let payment = match payment(
        field(&body, "Amount").as_deref(),
        field(&body, "Msisdn").as_deref(),
        field(&body, "BillRefNumber").as_deref(),
        None,
        None,
    ) {
        Ok(p) => p,
        Err(which) => return bad_request(which),
    };
    tokio::spawn(async move {
        complete(&sim, payment, true).await;
    });
    Json(json!({
        "OriginatorCoversationID": super::request_id(),
        "ResponseCode": "0",
        "ResponseDescription": "Accept the service request successfully.",
    }))
    .into_response()
}

/// `POST /simulator/pay`: a customer pays the paybill; answers once M-Pesa has decided.
pub(crate) async fn pay(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return invalid_payload();
    };
    let deliver = body.get("deliver").and_then(Value::as_bool).unwrap_or(true);
    let payment = match payment(
        field(&body, "amount").as_deref(),
        field(&body, "msisdn").as_deref(),
        field(&body, "bill_ref").as_deref(),
        field(&body, "name").as_deref(),
        field(&body, "trans_time").as_deref(),
    ) {
        Ok(p) => p,
        Err(which) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!("{which} is missing or not valid")})),
            )
                .into_response()
        }
    };
    let trans_id = payment.trans_id.clone();
    let (completed, code) = complete(&sim, payment, deliver).await;
    Json(json!({
        "TransID": trans_id,
        "ResultCode": code,
        "ResultDesc": if completed { "Accepted" } else { "Rejected" },
        "Completed": completed,
    }))
    .into_response()
}

/// Reads a payment's fields; `Err` names the one at fault.
fn payment(
    amount: Option<&str>,
    msisdn: Option<&str>,
    bill_ref: Option<&str>,
    name: Option<&str>,
    trans_time: Option<&str>,
) -> Result<Payment, &'static str> {
    let amount = amount
        .and_then(|a| Money::parse_decimal(a, Currency::Kes).ok())
        .filter(|m| m.minor() > 0)
        .ok_or("Amount")?;
    let msisdn = msisdn.unwrap_or("254712345678").to_string();
    if msisdn.len() != 12
        || !msisdn.starts_with("254")
        || !msisdn.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("Msisdn");
    }
    let bill_ref = bill_ref.unwrap_or_default().to_string();
    // M-Pesa's account number field takes up to 20 characters.
    if bill_ref.is_empty() || bill_ref.chars().count() > 20 {
        return Err("BillRefNumber");
    }
    let at_ms = match trans_time {
        Some(t) => time::parse(t).ok_or("TransTime")?,
        None => lango_core::clock::now_ms(),
    };
    Ok(Payment {
        trans_id: receipt_number(at_ms),
        at_ms,
        amount,
        msisdn,
        name: name.unwrap_or("JOHN DOE").trim().to_uppercase(),
        bill_ref,
    })
}

/// The Daraja C2B body for `p` (validation when `balance` is `None`).
fn c2b_body(sim: &Sim, p: &Payment, balance: Option<i64>) -> Value {
    let mut names = p.name.split_whitespace();
    let first = names.next().unwrap_or("").to_string();
    let rest: Vec<&str> = names.collect();
    let (middle, last) = match rest.as_slice() {
        [] => (String::new(), String::new()),
        [last] => (String::new(), last.to_string()),
        [middle @ .., last] => (middle.join(" "), last.to_string()),
    };
    json!({
        "TransactionType": "Pay Bill",
        "TransID": p.trans_id,
        "TransTime": time::compact(p.at_ms),
        "TransAmount": decimal(p.amount.minor()),
        "BusinessShortCode": sim.settings.shortcode,
        "BillRefNumber": p.bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": balance.map(decimal).unwrap_or_default(),
        "ThirdPartyTransID": "",
        // Daraja masks the payer's number in callbacks.
        "MSISDN": format!("{}*****{}", &p.msisdn[..4], &p.msisdn[9..]),
        "FirstName": first,
        "MiddleName": middle,
        "LastName": last,
    })
}

/// Validates (when asked to and registered), enters the payment in the books, and starts
/// its confirmation. Returns whether it completed and the validation's result code.
async fn complete(sim: &Arc<Sim>, p: Payment, deliver: bool) -> (bool, String) {
    let urls = lock(&sim.c2b_urls).clone();
    let mut code = "0".to_string();
    if let (true, true, Some(urls)) = (deliver, sim.settings.external_validation, &urls) {
        sim.counters.validations.fetch_add(1, Ordering::SeqCst);
        let answer = sim
            .http
            .post(&urls.validation)
            .timeout(sim.settings.validation_timeout)
            .json(&c2b_body(sim, &p, None))
            .send()
            .await;
        let reply: Option<Value> = match answer {
            Ok(r) if r.status().is_success() => r.json().await.ok(),
            _ => None,
        };
        code = match reply.as_ref().and_then(|r| r.get("ResultCode")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ if urls.response_type == "Completed" => "0".into(),
            _ => "C2B00016".into(),
        };
        if code != "0" {
            return (false, code);
        }
    }
    let balance = {
        let mut books = lock(&sim.books);
        books.enter(Transaction {
            trans_id: p.trans_id.clone(),
            kind: Kind::C2b,
            completed_ms: p.at_ms,
            msisdn: p.msisdn.clone(),
            name: p.name.clone(),
            bill_ref: p.bill_ref.clone(),
            amount_minor: p.amount.minor(),
            balance_minor: 0,
            delivered: false,
        });
        books.all().last().map_or(0, |t| t.balance_minor)
    };
    if let (true, Some(urls)) = (deliver, urls) {
        let body = c2b_body(sim, &p, Some(balance));
        let sim = sim.clone();
        tokio::spawn(async move {
            confirm(&sim, &urls.confirmation, &p.trans_id, body).await;
        });
    }
    (true, code)
}

/// Sends a confirmation until Lango answers `{"ResultCode":0}`, as M-Pesa retries.
async fn confirm(sim: &Sim, url: &str, trans_id: &str, body: Value) {
    let mut wait = sim.settings.confirmation_backoff;
    for attempt in 1..=sim.settings.confirmation_attempts {
        sim.counters
            .confirmations_sent
            .fetch_add(1, Ordering::SeqCst);
        let answer = sim.http.post(url).json(&body).send().await;
        let acknowledged = match answer {
            Ok(r) if r.status().is_success() => r
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| v.get("ResultCode").cloned())
                .is_some_and(|c| c == json!(0) || c == json!("0")),
            _ => false,
        };
        if acknowledged {
            sim.counters
                .confirmations_acknowledged
                .fetch_add(1, Ordering::SeqCst);
            lock(&sim.books).delivered(trans_id);
            return;
        }
        tracing::info!(
            trans_id,
            attempt,
            "C2B confirmation not acknowledged; M-Pesa will retry"
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(sim.settings.confirmation_backoff_cap);
    }
    tracing::warn!(
        trans_id,
        "C2B confirmation never acknowledged; M-Pesa gave up"
    );
}
