//! M-Pesa Express (STK push): the prompt, the payer's answer after `stk_delay`, the
//! callback to the request's `CallBackURL` (sent once, as Safaricom does), and the status
//! query. The outcome is chosen by the payer's number (see the module above).

use super::books::{decimal, Kind, Transaction};
use super::{
    bad_request, error, field, invalid_payload, json_object, lock, receipt_number, time, Sim,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A prompt M-Pesa accepted.
#[derive(Debug, Clone)]
pub(crate) struct Prompt {
    merchant_request_id: String,
    phone: String,
    /// The payer's answer, once given: result code and description.
    outcome: Option<(i64, String)>,
}

/// What the payer behind `phone` does with a prompt: result code, description, and whether
/// the callback gets lost on the way.
fn answer(phone: &str) -> (i64, &'static str, bool) {
    match phone {
        "254700001032" => (1032, "Request cancelled by user", false),
        "254700001037" => (1037, "DS timeout user cannot be reached", false),
        "254700002001" => (2001, "The initiator information is invalid.", false),
        "254700000001" => (1, "The balance is insufficient for the transaction.", false),
        "254700001019" => (1019, "Transaction has expired", false),
        "254700000404" => (0, "The service request is processed successfully.", true),
        _ => (0, "The service request is processed successfully.", false),
    }
}

/// A name for the payer behind `phone`, fixed per number (M-Pesa's registered name).
fn payer_name(phone: &str) -> &'static str {
    const NAMES: [&str; 6] = [
        "WANJIKU KAMAU",
        "OTIENO OCHIENG",
        "AMINA HASSAN",
        "KIPCHOGE RUTO",
        "NJERI MWANGI",
        "BARAKA ODHIAMBO",
    ];
    let n: usize = phone.bytes().map(usize::from).sum();
    NAMES[n % NAMES.len()]
}

/// Checks `BusinessShortCode`, `Timestamp` and `Password`; Daraja's refusal when wrong.
fn refused(sim: &Sim, body: &Value) -> Option<Response> {
    if field(body, "BusinessShortCode").as_deref() != Some(sim.settings.shortcode.as_str()) {
        return Some(bad_request("BusinessShortCode"));
    }
    let Some(timestamp) =
        field(body, "Timestamp").filter(|t| t.len() == 14 && time::parse(t).is_some())
    else {
        return Some(bad_request("Timestamp"));
    };
    let want = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}{}{timestamp}",
        sim.settings.shortcode, sim.settings.passkey
    ));
    if field(body, "Password").as_deref() != Some(want.as_str()) {
        return Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500.001.1001",
            "Wrong credentials",
        ));
    }
    None
}

/// `POST /mpesa/stkpush/v1/processrequest`
pub(crate) async fn push(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return invalid_payload();
    };
    if let Some(r) = refused(&sim, &body) {
        return r;
    }
    if !matches!(
        field(&body, "TransactionType").as_deref(),
        Some("CustomerPayBillOnline" | "CustomerBuyGoodsOnline")
    ) {
        return bad_request("TransactionType");
    }
    // Whole shillings only.
    let Some(amount) = field(&body, "Amount")
        .and_then(|a| a.parse::<i64>().ok())
        .filter(|a| (1..=250_000).contains(a))
    else {
        return bad_request("Amount");
    };
    let phone = field(&body, "PhoneNumber").unwrap_or_default();
    let kenyan = phone.len() == 12
        && (phone.starts_with("2547") || phone.starts_with("2541"))
        && phone.bytes().all(|b| b.is_ascii_digit());
    if !kenyan {
        return bad_request("PhoneNumber");
    }
    if field(&body, "PartyA").as_deref() != Some(phone.as_str()) {
        return bad_request("PartyA");
    }
    if field(&body, "PartyB").as_deref() != Some(sim.settings.shortcode.as_str()) {
        return bad_request("PartyB");
    }
    let Some(callback) = field(&body, "CallBackURL")
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
    else {
        return bad_request("CallBackURL");
    };
    let Some(account) =
        field(&body, "AccountReference").filter(|a| !a.is_empty() && a.chars().count() <= 12)
    else {
        return bad_request("AccountReference");
    };
    if field(&body, "TransactionDesc").is_none_or(|d| d.is_empty() || d.chars().count() > 13) {
        return bad_request("TransactionDesc");
    }
    let checkout = format!(
        "ws_CO_{}{}",
        time::compact(lango_core::clock::now_ms()),
        super::random_alnum(10, true)
    );
    let merchant = super::request_id();
    {
        let mut prompts = lock(&sim.stk);
        // M-Pesa shows one prompt per phone at a time.
        if prompts
            .values()
            .any(|p| p.phone == phone && p.outcome.is_none())
        {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "500.001.1001",
                "Unable to lock subscriber, a transaction is already in process for the current subscriber",
            );
        }
        prompts.insert(
            checkout.clone(),
            Prompt {
                merchant_request_id: merchant.clone(),
                phone: phone.clone(),
                outcome: None,
            },
        );
    }
    sim.counters.stk_pushes.fetch_add(1, Ordering::SeqCst);
    let task = (sim.clone(), checkout.clone(), merchant.clone());
    tokio::spawn(async move {
        let (sim, checkout, merchant) = task;
        tokio::time::sleep(sim.settings.stk_delay).await;
        settle(
            &sim, &checkout, &merchant, &phone, amount, &account, &callback,
        )
        .await;
    });
    Json(json!({
        "MerchantRequestID": merchant,
        "CheckoutRequestID": checkout,
        "ResponseCode": "0",
        "ResponseDescription": "Success. Request accepted for processing",
        "CustomerMessage": "Success. Request accepted for processing",
    }))
    .into_response()
}

/// The payer answers: a success enters the books; then the callback goes out.
async fn settle(
    sim: &Sim,
    checkout: &str,
    merchant: &str,
    phone: &str,
    amount: i64,
    account: &str,
    callback: &str,
) {
    let (code, desc, lost) = answer(phone);
    let now = lango_core::clock::now_ms();
    let mut stk_callback = json!({
        "MerchantRequestID": merchant,
        "CheckoutRequestID": checkout,
        "ResultCode": code,
        "ResultDesc": desc,
    });
    let mut receipt = None;
    if code == 0 {
        let trans_id = receipt_number(now);
        lock(&sim.books).enter(Transaction {
            trans_id: trans_id.clone(),
            kind: Kind::Stk,
            completed_ms: now,
            msisdn: phone.to_string(),
            name: payer_name(phone).to_string(),
            bill_ref: account.to_string(),
            amount_minor: amount * 100,
            balance_minor: 0,
            delivered: false,
        });
        // Daraja writes the amount as a number with decimals (`1.00`).
        let amount_value: Value =
            serde_json::from_str(&decimal(amount * 100)).unwrap_or(json!(amount));
        stk_callback["CallbackMetadata"] = json!({"Item": [
            {"Name": "Amount", "Value": amount_value},
            {"Name": "MpesaReceiptNumber", "Value": trans_id},
            {"Name": "Balance"},
            {"Name": "TransactionDate", "Value": time::compact(now).parse::<u64>().unwrap_or(0)},
            {"Name": "PhoneNumber", "Value": phone.parse::<u64>().unwrap_or(0)},
        ]});
        receipt = Some(trans_id);
    }
    if let Some(p) = lock(&sim.stk).get_mut(checkout) {
        p.outcome = Some((code, desc.to_string()));
    }
    if lost {
        tracing::info!(checkout, "STK callback lost on the way (simulated)");
        return;
    }
    sim.counters.stk_callbacks.fetch_add(1, Ordering::SeqCst);
    let body = json!({"Body": {"stkCallback": stk_callback}});
    let acknowledged = match sim.http.post(callback).json(&body).send().await {
        Ok(r) => r.status().is_success(),
        Err(e) => {
            tracing::warn!(error = %e, checkout, "STK callback not delivered");
            false
        }
    };
    if let (true, Some(receipt)) = (acknowledged, receipt) {
        lock(&sim.books).delivered(&receipt);
    }
}

/// `POST /mpesa/stkpushquery/v1/query`
pub(crate) async fn query(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return invalid_payload();
    };
    if let Some(r) = refused(&sim, &body) {
        return r;
    }
    let checkout = field(&body, "CheckoutRequestID").unwrap_or_default();
    let prompt = lock(&sim.stk).get(&checkout).cloned();
    let Some(prompt) = prompt else {
        return bad_request("CheckoutRequestID");
    };
    sim.counters.stk_queries.fetch_add(1, Ordering::SeqCst);
    let Some((code, desc)) = prompt.outcome else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500.001.1001",
            "The transaction is being processed",
        );
    };
    Json(json!({
        "ResponseCode": "0",
        "ResponseDescription": "The service request has been accepted successsfully",
        "MerchantRequestID": prompt.merchant_request_id,
        "CheckoutRequestID": checkout,
        "ResultCode": code.to_string(),
        "ResultDesc": desc,
    }))
    .into_response()
}
