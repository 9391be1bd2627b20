//! A hosted card-payment page provider that speaks GOV.UK Pay's API.
//!
//! - `POST /v1/payments` (`Authorization: Bearer <api key>`) creates a payment and answers
//!   201 with its `_links.next_url`: the hosted page the payer is sent to.
//! - `GET /pay/{payment_id}` is that page: a plain HTML card form and a "Cancel payment"
//!   button. On submit the payment finishes, the payer is sent (303) to the service's
//!   `return_url`, and a signed webhook goes to the service (`Pay-Signature`: hex
//!   HMAC-SHA256 of the raw body with the webhook secret), retried with backoff until 2xx.
//! - `GET /v1/payments/{id}` is the payment with its `refund_summary`;
//!   `POST /v1/payments/{id}/refunds` `{"amount","refund_amount_available"}` refunds part or
//!   all of it, refused with 412 when `refund_amount_available` is not the current amount
//!   (so a repeated request cannot refund twice); `GET /v1/payments/{id}/refunds` lists them.
//!
//! Test cards (any future expiry, any 3-digit CVC, any name):
//!
//! | number             | outcome                                                        |
//! |--------------------|----------------------------------------------------------------|
//! | `4444333322221111` | `success`                                                      |
//! | `4000000000000002` | `failed`, `P0010` "Payment method rejected" (declined)         |
//! | `4000000000000069` | `failed`, `P0020` "Payment expired" (the card has expired)     |
//! | Cancel button      | `failed`, `P0030` "Payment was cancelled by the user"          |
//!
//! GOV.UK Pay uses `P0020` when the payment itself expired (not completed in 90 minutes,
//! which the simulator also does); it reports an issuer's "expired card" with the same code
//! because to the payer both mean the same: this attempt is over, start again with a valid
//! card. A payer's cancel is `failed` with `P0030`, as GOV.UK Pay reports it; the webhook
//! event for it is `card_payment_cancelled`.

mod api;
mod hosted;
mod webhook;

use lango_core::clock::{now_ms, Civil};
use lango_core::config::CardConfig;
use rand::Rng;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

pub use webhook::{signature, WebhookRecord};

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The API key services must send as `Authorization: Bearer <key>`.
    pub api_key: String,
    /// The secret webhooks are signed with.
    pub webhook_secret: String,
    /// Where webhooks are sent (the service's `/channels/card/webhook`).
    pub webhook_url: String,
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// How long a submitted refund takes to succeed.
    pub refund_delay: Duration,
    /// How long a payment may wait for its payer before it expires (`P0020`).
    pub payment_expiry: Duration,
    /// The first retry delay of a webhook; it doubles on each failure (capped at 30 s).
    pub webhook_backoff: Duration,
    /// The most attempts at one webhook.
    pub webhook_max_attempts: u32,
}

impl Settings {
    /// Settings with the given credentials and webhook URL, on a free loopback port.
    pub fn new(api_key: &str, webhook_secret: &str, webhook_url: &str) -> Settings {
        Settings {
            api_key: api_key.to_string(),
            webhook_secret: webhook_secret.to_string(),
            webhook_url: webhook_url.to_string(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            refund_delay: Duration::from_millis(200),
            payment_expiry: Duration::from_secs(90 * 60),
            webhook_backoff: Duration::from_millis(200),
            webhook_max_attempts: 20,
        }
    }
}

/// A running simulator; stops when dropped.
pub struct CardSimulator {
    shared: Arc<Shared>,
    /// Dropped with the simulator, which stops its server.
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts the simulator on `settings.listen`.
pub async fn start(settings: Settings) -> anyhow::Result<CardSimulator> {
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let shared = Arc::new(Shared {
        base_url,
        webhook_url: RwLock::new(settings.webhook_url.clone()),
        settings,
        payments: Mutex::new(HashMap::new()),
        webhooks: Mutex::new(Vec::new()),
        http,
    });
    let app = api::router()
        .merge(hosted::router())
        .with_state(shared.clone());
    let stop = crate::serve_until_dropped(listener, app, "card");
    Ok(CardSimulator {
        shared,
        _stop: stop,
    })
}

impl CardSimulator {
    /// `http://127.0.0.1:PORT`: the API base URL and the host of the payment pages.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Lango's configuration for talking to this simulator.
    pub fn config(&self) -> CardConfig {
        CardConfig {
            provider_url: self.shared.base_url.clone(),
            api_key: SecretString::from(self.shared.settings.api_key.clone()),
            webhook_secret: SecretString::from(self.shared.settings.webhook_secret.clone()),
        }
    }

    /// Points webhooks somewhere else (a test learns its server's port after starting this).
    pub fn set_webhook_url(&self, url: &str) {
        if let Ok(mut u) = self.shared.webhook_url.write() {
            *u = url.to_string();
        }
    }

    /// Every webhook sent so far, oldest first.
    pub fn webhooks(&self) -> Vec<WebhookRecord> {
        self.shared
            .webhooks
            .lock()
            .map(|w| w.clone())
            .unwrap_or_default()
    }

    /// Sends webhook number `index` (from [`CardSimulator::webhooks`]) once more, exactly as
    /// first sent, as a provider does when it did not see the answer; returns the status.
    pub async fn resend(&self, index: usize) -> anyhow::Result<u16> {
        let record = self
            .webhooks()
            .get(index)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no webhook number {index}"))?;
        webhook::send_once(&self.shared, &record.body).await
    }
}

/// What every handler reaches.
pub(crate) struct Shared {
    settings: Settings,
    base_url: String,
    webhook_url: RwLock<String>,
    payments: Mutex<HashMap<String, Payment>>,
    webhooks: Mutex<Vec<WebhookRecord>>,
    http: reqwest::Client,
}

/// Where a payment has got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// Made by the service; the payer has not opened the page.
    Created,
    /// The payer has the page open.
    Started,
    /// Paid.
    Success,
    /// Over without payment: declined, expired or cancelled by the payer.
    Failed {
        code: &'static str,
        message: &'static str,
    },
}

impl State {
    fn json(&self) -> Value {
        match self {
            State::Created => json!({"status": "created", "finished": false}),
            State::Started => json!({"status": "started", "finished": false}),
            State::Success => json!({"status": "success", "finished": true}),
            State::Failed { code, message } => {
                json!({"status": "failed", "finished": true, "code": code, "message": message})
            }
        }
    }

    fn finished(&self) -> bool {
        matches!(self, State::Success | State::Failed { .. })
    }
}

/// A refund of a payment.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    id: String,
    amount: i64,
    /// `submitted`, then `success`.
    status: &'static str,
    created_ms: i64,
}

/// The card as the payer gave it (only what a provider may show).
#[derive(Debug, Clone)]
pub(crate) struct CardDetails {
    last_digits: String,
    first_digits: String,
    holder: String,
    expiry: String,
}

/// A payment as the provider holds it.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    id: String,
    amount: i64,
    reference: String,
    description: String,
    return_url: String,
    metadata: Value,
    state: State,
    created_ms: i64,
    card: Option<CardDetails>,
    refunds: Vec<Refund>,
}

impl Payment {
    /// Refunded or being refunded.
    fn submitted(&self) -> i64 {
        self.refunds.iter().map(|r| r.amount).sum()
    }

    /// What may still be refunded.
    fn available(&self) -> i64 {
        if self.state == State::Success {
            self.amount - self.submitted()
        } else {
            0
        }
    }

    fn refund_summary(&self) -> Value {
        let status = match &self.state {
            State::Created | State::Started => "pending",
            State::Failed { .. } => "unavailable",
            State::Success if self.available() == 0 => "full",
            State::Success => "available",
        };
        json!({"status": status, "amount_available": self.available(), "amount_submitted": self.submitted()})
    }

    /// The payment as `GET /v1/payments/{id}` answers it.
    fn json(&self, base: &str) -> Value {
        let href =
            |path: &str, method: &str| json!({"href": format!("{base}{path}"), "method": method});
        let mut links = json!({
            "self": href(&format!("/v1/payments/{}", self.id), "GET"),
            "refunds": href(&format!("/v1/payments/{}/refunds", self.id), "GET"),
        });
        if !self.state.finished() {
            links["next_url"] = href(&format!("/pay/{}", self.id), "GET");
        }
        let mut p = json!({
            "payment_id": self.id,
            "amount": self.amount,
            "reference": self.reference,
            "description": self.description,
            "return_url": self.return_url,
            "language": "en",
            "metadata": self.metadata,
            "payment_provider": "sandbox",
            "delayed_capture": false,
            "moto": false,
            "state": self.state.json(),
            "created_date": rfc3339(self.created_ms),
            "refund_summary": self.refund_summary(),
            "_links": links,
        });
        if let Some(c) = &self.card {
            p["card_details"] = json!({
                "last_digits_card_number": c.last_digits,
                "first_digits_card_number": c.first_digits,
                "cardholder_name": c.holder,
                "expiry_date": c.expiry,
                "card_brand": "Visa",
                "card_type": "debit",
            });
        }
        p
    }

    /// A refund as the refunds API answers it.
    fn refund_json(&self, r: &Refund, base: &str) -> Value {
        json!({
            "refund_id": r.id,
            "amount": r.amount,
            "status": r.status,
            "created_date": rfc3339(r.created_ms),
            "_links": {
                "self": {"href": format!("{base}/v1/payments/{}/refunds/{}", self.id, r.id), "method": "GET"},
                "payment": {"href": format!("{base}/v1/payments/{}", self.id), "method": "GET"},
            },
        })
    }
}

impl Shared {
    /// Expires a payment its payer left too long (as GOV.UK Pay does after 90 minutes);
    /// returns true when it has just expired and a webhook is due.
    fn expire_if_due(&self, p: &mut Payment) -> bool {
        let limit = i64::try_from(self.settings.payment_expiry.as_millis()).unwrap_or(i64::MAX);
        if !p.state.finished() && now_ms().saturating_sub(p.created_ms) > limit {
            p.state = State::Failed {
                code: "P0020",
                message: "Payment expired",
            };
            return true;
        }
        false
    }
}

/// A GOV.UK Pay-style id: 26 lowercase letters and digits.
fn new_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..26)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `2026-11-22T10:30:15.123Z`.
fn rfc3339(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    let secs = ms.div_euclid(1000).rem_euclid(60);
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        c.date(),
        c.hour,
        c.minute,
        secs,
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(rfc3339(1_709_214_315_123), "2024-02-29T13:45:15.123Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn ids_look_like_the_providers() {
        let id = new_id();
        assert_eq!(id.len(), 26);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_ne!(id, new_id());
    }

    #[test]
    fn refund_summary_follows_the_state_and_refunds() {
        let mut p = Payment {
            id: "p".into(),
            amount: 1000,
            reference: "R".into(),
            description: "D".into(),
            return_url: "http://x/".into(),
            metadata: json!({}),
            state: State::Created,
            created_ms: 0,
            card: None,
            refunds: Vec::new(),
        };
        assert_eq!(p.refund_summary()["status"], "pending");
        assert!(p.json("http://s")["_links"]["next_url"].is_object());
        p.state = State::Success;
        assert_eq!(p.refund_summary()["amount_available"], 1000);
        assert!(p.json("http://s")["_links"].get("next_url").is_none());
        p.refunds.push(Refund {
            id: "r".into(),
            amount: 1000,
            status: "submitted",
            created_ms: 0,
        });
        assert_eq!(p.refund_summary()["status"], "full");
        assert_eq!(p.refund_summary()["amount_submitted"], 1000);
    }
}
