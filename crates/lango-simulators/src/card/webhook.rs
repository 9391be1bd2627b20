//! Webhooks to the service: the payment as `GET` shows it, wrapped in a message, signed with
//! `Pay-Signature: hex(HMAC-SHA256(secret, raw body))`, retried with doubling delays until
//! the service answers 2xx.

use super::{rfc3339, Payment, Shared};
use hmac::{Hmac, Mac};
use lango_core::clock::now_ms;
use serde_json::json;
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// One webhook message and how its delivery went.
#[derive(Debug, Clone)]
pub struct WebhookRecord {
    /// `webhook_message_id`.
    pub message_id: String,
    /// `card_payment_succeeded`, `card_payment_failed`, `card_payment_cancelled`, `card_payment_refunded`.
    pub event_type: String,
    /// The payment's id.
    pub resource_id: String,
    /// The body exactly as sent.
    pub body: String,
    /// Attempts so far.
    pub attempts: u32,
    /// The service answered 2xx.
    pub delivered: bool,
    /// The status of the last answer, if there was one.
    pub last_status: Option<u16>,
}

/// The signature of `body` with `secret`, as the `Pay-Signature` header carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Records the message for `payment` and starts delivering it.
pub(super) fn enqueue(shared: &Arc<Shared>, event_type: &str, payment: &Payment) {
    let message_id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "webhook_message_id": message_id,
        "created_date": rfc3339(now_ms()),
        "resource_id": payment.id,
        "api_version": 1,
        "resource_type": "payment",
        "event_type": event_type,
        "resource": payment.json(&shared.base_url),
    })
    .to_string();
    let index = match shared.webhooks.lock() {
        Ok(mut w) => {
            w.push(WebhookRecord {
                message_id,
                event_type: event_type.to_string(),
                resource_id: payment.id.clone(),
                body: body.clone(),
                attempts: 0,
                delivered: false,
                last_status: None,
            });
            w.len() - 1
        }
        Err(_) => return,
    };
    let shared = shared.clone();
    tokio::spawn(async move { deliver(shared, index, body).await });
}

async fn deliver(shared: Arc<Shared>, index: usize, body: String) {
    let mut delay = shared.settings.webhook_backoff;
    for _ in 0..shared.settings.webhook_max_attempts {
        let outcome = send_once(&shared, &body).await;
        let delivered = matches!(outcome, Ok(s) if (200..300).contains(&s));
        if let Ok(mut w) = shared.webhooks.lock() {
            if let Some(r) = w.get_mut(index) {
                r.attempts += 1;
                r.last_status = outcome.as_ref().ok().copied();
                r.delivered = delivered;
            }
        }
        if delivered {
            return;
        }
        tracing::info!(?outcome, "card webhook not accepted; will retry");
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(30));
    }
}

/// Posts `body` once to the current webhook URL; returns the status the service answered.
pub(super) async fn send_once(shared: &Shared, body: &str) -> anyhow::Result<u16> {
    let url = shared
        .webhook_url
        .read()
        .map(|u| u.clone())
        .unwrap_or_default();
    let res = shared
        .http
        .post(url)
        .header("content-type", "application/json")
        .header(
            "Pay-Signature",
            signature(&shared.settings.webhook_secret, body.as_bytes()),
        )
        .body(body.to_string())
        .send()
        .await?;
    Ok(res.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signature_is_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
