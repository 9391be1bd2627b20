//! The hosted-payment-page provider as Lango sees it: a trait (so the domain does not care
//! which provider it is) and its HTTP implementation over GOV.UK Pay's API.

use hmac::{Hmac, Mac};
use lango_core::config::CardConfig;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;
use std::future::Future;

/// A payment to create at the provider.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// Minor units.
    pub amount: i64,
    /// The bill's reference.
    pub reference: String,
    /// What the payer sees on the hosted page.
    pub description: String,
    /// Where the provider sends the payer afterwards.
    pub return_url: String,
    /// Extra keys kept with the payment (our attempt id, the currency).
    pub metadata: serde_json::Value,
}

/// A payment's state as the provider reports it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PaymentState {
    /// `created`, `started`, `submitted`, `capturable`, `success`, `failed`, `cancelled`, `error`.
    pub status: String,
    /// True once nothing more will happen to it.
    pub finished: bool,
    /// Why it failed (`P0010` rejected, `P0020` expired, `P0030` cancelled by the payer…).
    #[serde(default)]
    pub code: Option<String>,
    /// The provider's words for the failure.
    #[serde(default)]
    pub message: Option<String>,
}

/// What may still be refunded.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RefundSummary {
    /// `pending`, `available`, `full`, `unavailable`.
    pub status: String,
    /// Minor units that may still be refunded.
    pub amount_available: i64,
    /// Minor units refunded or being refunded.
    pub amount_submitted: i64,
}

/// A link in `_links`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Link {
    /// The URL.
    pub href: String,
}

/// The links Lango follows.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Links {
    /// The hosted page, while the payment is unfinished.
    #[serde(default)]
    pub next_url: Option<Link>,
}

/// A payment as the provider reports it (`GET /v1/payments/{id}`, webhooks' `resource`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's id.
    pub payment_id: String,
    /// Minor units.
    pub amount: i64,
    /// The reference it was created with (the bill's).
    pub reference: String,
    /// Where it has got to.
    pub state: PaymentState,
    /// Refunds so far.
    #[serde(default)]
    pub refund_summary: Option<RefundSummary>,
    /// Links.
    #[serde(default, rename = "_links")]
    pub links: Links,
}

/// A refund as the provider reports it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProviderRefund {
    /// The provider's id.
    pub refund_id: String,
    /// Minor units.
    pub amount: i64,
    /// `submitted`, `success` or `error`.
    pub status: String,
}

#[derive(Deserialize)]
struct RefundList {
    #[serde(rename = "_embedded")]
    embedded: Embedded,
}

#[derive(Deserialize)]
struct Embedded {
    refunds: Vec<ProviderRefund>,
}

/// Why a call to the provider did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The request never reached the provider (no connection): it did nothing.
    #[error("the card provider could not be reached: {0}")]
    NotReached(String),
    /// The request was sent but no readable answer came back: whether it acted is unknown.
    #[error("the card provider did not answer: {0}")]
    Unreachable(String),
    /// A definite refusal (4xx): it did nothing.
    #[error("the card provider refused ({status} {code}): {description}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The provider's code, e.g. `P0604`.
        code: String,
        /// Its words.
        description: String,
    },
}

/// A hosted-payment-page provider.
pub trait CardProvider: Send + Sync {
    /// Creates a payment; the answer carries the hosted page in `links.next_url`.
    fn create_payment(
        &self,
        payment: &NewPayment,
    ) -> impl Future<Output = Result<ProviderPayment, ProviderError>> + Send;
    /// The payment as it stands now.
    fn get_payment(
        &self,
        payment_id: &str,
    ) -> impl Future<Output = Result<ProviderPayment, ProviderError>> + Send;
    /// Refunds `amount`, stating what we believe is still `available` (the provider refuses
    /// when it is not, so a repeated request cannot refund twice).
    fn refund(
        &self,
        payment_id: &str,
        amount: i64,
        available: i64,
    ) -> impl Future<Output = Result<ProviderRefund, ProviderError>> + Send;
    /// Every refund of a payment.
    fn refunds(
        &self,
        payment_id: &str,
    ) -> impl Future<Output = Result<Vec<ProviderRefund>, ProviderError>> + Send;
    /// True when `signature` is the provider's signature of `body` (compared in constant time).
    fn verify_signature(&self, body: &[u8], signature: &str) -> bool;
}

/// Checks a `Pay-Signature` header: hex HMAC-SHA256 of the raw body with `secret`. The
/// comparison takes the same time whatever the signature, so it leaks nothing.
pub fn verify_signature(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(sent) = hex::decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sent).is_ok()
}

/// The signature of `body` with `secret`, as a provider sends it (for tests and tools).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// GOV.UK Pay's API over HTTPS.
pub struct HttpCardProvider {
    base: String,
    api_key: SecretString,
    webhook_secret: SecretString,
    http: reqwest::Client,
}

impl HttpCardProvider {
    /// The provider of `config`.
    pub fn new(config: &CardConfig) -> HttpCardProvider {
        HttpCardProvider {
            base: config.provider_url.trim_end_matches('/').to_string(),
            api_key: config.api_key.clone(),
            webhook_secret: config.webhook_secret.clone(),
            http: crate::outbound::client(),
        }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ProviderError> {
        let res = request
            .bearer_auth(self.api_key.expose_secret())
            .send()
            .await
            .map_err(|e| {
                if e.is_connect() {
                    ProviderError::NotReached(e.without_url().to_string())
                } else {
                    ProviderError::Unreachable(e.without_url().to_string())
                }
            })?;
        let status = res.status();
        let body = res
            .bytes()
            .await
            .map_err(|e| ProviderError::Unreachable(e.without_url().to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|e| ProviderError::Unreachable(format!("unreadable answer: {e}")));
        }
        if status.is_client_error() {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            return Err(ProviderError::Refused {
                status: status.as_u16(),
                code: text("code"),
                description: text("description"),
            });
        }
        Err(ProviderError::Unreachable(format!("answered {status}")))
    }

    fn payment_url(&self, id: &str) -> Result<String, ProviderError> {
        // Ids go into a path: anything but letters and digits is refused before sending.
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ProviderError::Refused {
                status: 404,
                code: "P0200".into(),
                description: "not a payment id".into(),
            });
        }
        Ok(format!("{}/v1/payments/{id}", self.base))
    }
}

impl CardProvider for HttpCardProvider {
    async fn create_payment(&self, p: &NewPayment) -> Result<ProviderPayment, ProviderError> {
        let body = serde_json::json!({
            "amount": p.amount,
            "reference": p.reference,
            "description": p.description,
            "return_url": p.return_url,
            "metadata": p.metadata,
        });
        self.call(
            self.http
                .post(format!("{}/v1/payments", self.base))
                .json(&body),
        )
        .await
    }

    async fn get_payment(&self, payment_id: &str) -> Result<ProviderPayment, ProviderError> {
        let url = self.payment_url(payment_id)?;
        self.call(self.http.get(url)).await
    }

    async fn refund(
        &self,
        payment_id: &str,
        amount: i64,
        available: i64,
    ) -> Result<ProviderRefund, ProviderError> {
        let url = format!("{}/refunds", self.payment_url(payment_id)?);
        let body = serde_json::json!({"amount": amount, "refund_amount_available": available});
        self.call(self.http.post(url).json(&body)).await
    }

    async fn refunds(&self, payment_id: &str) -> Result<Vec<ProviderRefund>, ProviderError> {
        let url = format!("{}/refunds", self.payment_url(payment_id)?);
        let list: RefundList = self.call(self.http.get(url)).await?;
        Ok(list.embedded.refunds)
    }

    fn verify_signature(&self, body: &[u8], signature: &str) -> bool {
        verify_signature(
            self.webhook_secret.expose_secret().as_bytes(),
            body,
            signature,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_secret_and_the_exact_body() {
        let body = br#"{"event_type":"card_payment_succeeded"}"#;
        let good = sign(b"whsec", body);
        assert!(verify_signature(b"whsec", body, &good));
        assert!(verify_signature(b"whsec", body, &good.to_uppercase()));
        assert!(!verify_signature(b"other", body, &good));
        assert!(!verify_signature(b"whsec", b"{}", &good));
        assert!(!verify_signature(b"whsec", body, ""));
        assert!(!verify_signature(b"whsec", body, "not hex"));
        assert!(!verify_signature(b"whsec", body, &good[..10]));
    }

    #[test]
    fn payments_read_as_the_provider_writes_them() {
        let p: ProviderPayment = serde_json::from_str(
            r#"{"payment_id":"abc","amount":460000,"reference":"R","description":"d",
            "state":{"status":"failed","finished":true,"code":"P0010","message":"Payment method rejected"},
            "refund_summary":{"status":"unavailable","amount_available":0,"amount_submitted":0},
            "_links":{"self":{"href":"x","method":"GET"}}}"#,
        )
        .unwrap();
        assert_eq!(p.state.code.as_deref(), Some("P0010"));
        assert!(p.links.next_url.is_none());
    }
}
