//! Lango's calls to the FPX gateway, server to server: the bank list (`BE`) and the
//! enquiry about one transaction (`AE`). Both are signed by Lango and answered signed by the
//! gateway; an answer whose signature does not verify is not believed.

use super::banks::{read_list, Bank};
use super::message::{self, Message, AUTH_ENQUIRY, BANK_ENQUIRY};
use super::{FpxPayment, Seller};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why the gateway gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// No answer (no connection, a timeout or a 5xx).
    #[error("the FPX gateway could not be reached: {0}")]
    Unreachable(String),
    /// An answer that is not a message the gateway signed.
    #[error("the FPX gateway's answer cannot be used: {0}")]
    Unreadable(String),
}

/// Posts signed `m` to `path` at the gateway and reads its signed answer.
async fn call(seller: &Seller, path: &str, mut m: Message) -> Result<Message, GatewayError> {
    seller.sign(&mut m);
    let res = crate::outbound::client()
        .post(format!("{}{path}", seller.gateway_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(m.to_form())
        .send()
        .await
        .map_err(|e| GatewayError::Unreachable(e.without_url().to_string()))?;
    let status = res.status();
    let body = res
        .bytes()
        .await
        .map_err(|e| GatewayError::Unreachable(e.without_url().to_string()))?;
    if !status.is_success() {
        return Err(GatewayError::Unreachable(format!("answered {status}")));
    }
    let answer = Message::from_form(&body).map_err(|e| GatewayError::Unreadable(e.to_string()))?;
    if !seller.from_gateway(&answer) {
        return Err(GatewayError::Unreadable(
            "the answer is not signed by the gateway".into(),
        ));
    }
    Ok(answer)
}

/// How long a bank list is used before asking again: banks go offline and come back.
const LIST_FOR: Duration = Duration::from_secs(60);

/// The banks the payer may choose, with which are online now (asked at most once a minute).
pub async fn banks(seller: &Seller) -> Result<Vec<Bank>, GatewayError> {
    static CACHE: Mutex<Option<(String, Instant, Vec<Bank>)>> = Mutex::new(None);
    let cached = CACHE
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .filter(|(url, at, _)| *url == seller.gateway_url && at.elapsed() < LIST_FOR);
    if let Some((_, _, banks)) = cached {
        return Ok(banks);
    }
    let mut m = Message::new(BANK_ENQUIRY);
    m.set("fpx_sellerExId", &seller.exchange_id)
        .set("fpx_version", message::VERSION);
    let answer = call(seller, "/FPXMain/RetrieveBankList", m).await?;
    let banks = read_list(answer.get("fpx_bankList"));
    if let Ok(mut c) = CACHE.lock() {
        *c = Some((seller.gateway_url.clone(), Instant::now(), banks.clone()));
    }
    Ok(banks)
}

/// Asks the gateway how transaction `p` stands; its answer is a signed confirmation (`AC`).
pub async fn enquire_gateway(seller: &Seller, p: &FpxPayment) -> Result<Message, GatewayError> {
    let mut m = Message::new(AUTH_ENQUIRY);
    m.set("fpx_sellerExId", &seller.exchange_id)
        .set("fpx_sellerExOrderNo", &p.id)
        .set("fpx_sellerTxnTime", super::fpx_time(p.created_at))
        .set("fpx_sellerOrderNo", &p.bill_reference)
        .set("fpx_sellerId", &seller.seller_id)
        .set("fpx_sellerBankCode", "01")
        .set("fpx_txnCurrency", "MYR")
        .set("fpx_txnAmount", message::amount_text(p.amount.minor()))
        .set("fpx_buyerEmail", "")
        .set("fpx_buyerName", "")
        .set("fpx_buyerBankId", &p.bank_id)
        .set("fpx_buyerBankBranch", "")
        .set("fpx_buyerAccNo", "")
        .set("fpx_buyerId", "")
        .set("fpx_makerName", "")
        .set("fpx_buyerIban", "")
        .set("fpx_productDesc", "")
        .set("fpx_version", message::VERSION);
    call(seller, "/FPXMain/sellerNVPTxnStatus.jsp", m).await
}
