//! The Daraja API client: Safaricom's OAuth token, cached and refreshed before it runs out,
//! and the calls Lango makes (STK push and its status query, C2B URL registration, and any
//! other JSON call through [`DarajaClient::post_json`]).
//!
//! Every call has a timeout. The consumer secret, the passkey and the token are never
//! logged: errors carry Daraja's own error code and message, never a request.

use lango_core::clock::EAT_OFFSET_MS;
use lango_core::config::DarajaConfig;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long one Daraja call may take, connection included.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// A token is replaced this long before Daraja says it expires, so a call never carries
/// one that lapses on the way.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Why a Daraja call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DarajaError {
    /// Daraja could not be reached, or did not answer in time.
    #[error("Daraja could not be reached: {0}")]
    Transport(String),
    /// Daraja refused the consumer key and secret.
    #[error("Daraja refused the credentials: {0}")]
    Auth(String),
    /// Daraja answered with an error (its `errorCode` and `errorMessage`, when given).
    #[error("Daraja answered {status} {code}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// Daraja's `errorCode`, e.g. `500.001.1001`, or empty.
        code: String,
        /// Daraja's `errorMessage`, or the start of the body.
        message: String,
    },
    /// Daraja answered success with a body that is not what it documents.
    #[error("Daraja sent an unexpected answer: {0}")]
    Malformed(String),
}

impl From<DarajaError> for lango_core::Error {
    fn from(e: DarajaError) -> Self {
        lango_core::Error::Internal(e.to_string())
    }
}

/// A bearer token and when to stop using it.
struct Token {
    value: String,
    refresh_at: Instant,
}

/// A client of one Daraja app (consumer key) acting for one paybill.
pub struct DarajaClient {
    config: DarajaConfig,
    shortcode: String,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
}

impl std::fmt::Debug for DarajaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DarajaClient")
            .field("base_url", &self.config.base_url)
            .field("shortcode", &self.shortcode)
            .finish_non_exhaustive()
    }
}

/// An STK push to send: the prompt a person sees on their phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StkPush {
    /// The payer's phone, `2547XXXXXXXX` or `2541XXXXXXXX`.
    pub phone: String,
    /// Whole shillings (M-Pesa Express takes no cents).
    pub amount: i64,
    /// Shown to the payer as the account (≤12 characters).
    pub account_reference: String,
    /// Shown to the payer as what it is for (≤13 characters).
    pub description: String,
    /// Where Daraja posts the outcome.
    pub callback_url: String,
}

/// Daraja accepted an STK push for processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StkAccepted {
    /// Daraja's id of the request.
    pub merchant_request_id: String,
    /// The id the callback and the status query name.
    pub checkout_request_id: String,
    /// Daraja's words for the payer.
    pub customer_message: String,
}

/// What the STK status query says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StkQueryOutcome {
    /// The payer has not answered yet.
    Processing,
    /// Finished: `0` is paid, anything else a failure code.
    Done {
        /// Daraja's `ResultCode` (sent as a string, read as a number).
        code: i64,
        /// Daraja's `ResultDesc`.
        desc: String,
    },
}

impl DarajaClient {
    /// A client for `config`'s app, acting for `shortcode`.
    pub fn new(config: DarajaConfig, shortcode: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        DarajaClient {
            config,
            shortcode: shortcode.into(),
            http,
            token: tokio::sync::Mutex::new(None),
        }
    }

    /// The paybill this client acts for.
    pub fn shortcode(&self) -> &str {
        &self.shortcode
    }

    /// The API's base URL (no secret in it).
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// POSTs `body` to `path` (e.g. `/pulltransactions/v1/query`) with a bearer token and
    /// returns the JSON answer. A 401 (token expired early, or revoked) fetches a new token
    /// and tries once more; any other non-2xx is [`DarajaError::Api`].
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, DarajaError> {
        let url = format!("{}{}", self.config.base_url.trim_end_matches('/'), path);
        let mut retried = false;
        loop {
            let token = self.token().await?;
            let resp = self
                .http
                .post(&url)
                .bearer_auth(&token)
                .json(body)
                .send()
                .await
                .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
            let status = resp.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && !retried {
                retried = true;
                self.forget(&token).await;
                continue;
            }
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
            if !status.is_success() {
                return Err(api_error(status.as_u16(), &bytes));
            }
            return serde_json::from_slice(&bytes)
                .map_err(|e| DarajaError::Malformed(format!("{path}: {e}")));
        }
    }

    /// Sends an STK push (Lipa na M-Pesa Online) for this client's paybill.
    pub async fn stk_push(&self, push: &StkPush) -> Result<StkAccepted, DarajaError> {
        let timestamp = eat_timestamp(lango_core::clock::now_ms());
        let body = json!({
            "BusinessShortCode": self.shortcode,
            "Password": self.password(&timestamp),
            "Timestamp": timestamp,
            "TransactionType": "CustomerPayBillOnline",
            "Amount": push.amount.to_string(),
            "PartyA": push.phone,
            "PartyB": self.shortcode,
            "PhoneNumber": push.phone,
            "CallBackURL": push.callback_url,
            "AccountReference": push.account_reference,
            "TransactionDesc": push.description,
        });
        let reply = self
            .post_json("/mpesa/stkpush/v1/processrequest", &body)
            .await?;
        if text(&reply, "ResponseCode") != "0" {
            return Err(DarajaError::Api {
                status: 200,
                code: text(&reply, "ResponseCode"),
                message: text(&reply, "ResponseDescription"),
            });
        }
        let checkout_request_id = text(&reply, "CheckoutRequestID");
        if checkout_request_id.is_empty() {
            return Err(DarajaError::Malformed("no CheckoutRequestID".into()));
        }
        Ok(StkAccepted {
            merchant_request_id: text(&reply, "MerchantRequestID"),
            checkout_request_id,
            customer_message: text(&reply, "CustomerMessage"),
        })
    }

    /// Asks Daraja how an STK push ended. Daraja answers "still being processed" as an
    /// error (`500.001.1001`); that is [`StkQueryOutcome::Processing`] here.
    pub async fn stk_query(
        &self,
        checkout_request_id: &str,
    ) -> Result<StkQueryOutcome, DarajaError> {
        let timestamp = eat_timestamp(lango_core::clock::now_ms());
        let body = json!({
            "BusinessShortCode": self.shortcode,
            "Password": self.password(&timestamp),
            "Timestamp": timestamp,
            "CheckoutRequestID": checkout_request_id,
        });
        match self.post_json("/mpesa/stkpushquery/v1/query", &body).await {
            Ok(reply) => {
                let code = text(&reply, "ResultCode");
                let code = code
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| DarajaError::Malformed(format!("ResultCode {code:?}")))?;
                Ok(StkQueryOutcome::Done {
                    code,
                    desc: text(&reply, "ResultDesc"),
                })
            }
            Err(DarajaError::Api { code, .. }) if code == "500.001.1001" => {
                Ok(StkQueryOutcome::Processing)
            }
            Err(e) => Err(e),
        }
    }

    /// Registers where Daraja sends C2B validation and confirmation requests.
    pub async fn register_c2b_urls(
        &self,
        validation_url: &str,
        confirmation_url: &str,
    ) -> Result<(), DarajaError> {
        let body = json!({
            "ShortCode": self.shortcode,
            // A payment whose validation gets no answer still completes: money is never
            // refused because Lango was slow, and reconciliation finds it.
            "ResponseType": "Completed",
            "ConfirmationURL": confirmation_url,
            "ValidationURL": validation_url,
        });
        let reply = self.post_json("/mpesa/c2b/v1/registerurl", &body).await?;
        match text(&reply, "ResponseCode").as_str() {
            "0" | "00000000" => Ok(()),
            other => Err(DarajaError::Api {
                status: 200,
                code: other.to_string(),
                message: text(&reply, "ResponseDescription"),
            }),
        }
    }

    /// The STK password for `timestamp`.
    fn password(&self, timestamp: &str) -> String {
        stk_password(
            &self.shortcode,
            self.config.passkey.expose_secret(),
            timestamp,
        )
    }

    /// The cached token, or a new one when there is none or it is about to run out.
    async fn token(&self) -> Result<String, DarajaError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref() {
            if Instant::now() < t.refresh_at {
                return Ok(t.value.clone());
            }
        }
        let fresh = self.fetch_token().await?;
        let value = fresh.value.clone();
        *slot = Some(fresh);
        Ok(value)
    }

    /// Drops `used` from the cache (unless another call already replaced it).
    async fn forget(&self, used: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == used) {
            *slot = None;
        }
    }

    /// `GET /oauth/v1/generate?grant_type=client_credentials` with Basic auth.
    async fn fetch_token(&self) -> Result<Token, DarajaError> {
        let url = format!(
            "{}/oauth/v1/generate?grant_type=client_credentials",
            self.config.base_url.trim_end_matches('/')
        );
        let resp = self
            .http
            .get(&url)
            .basic_auth(
                &self.config.consumer_key,
                Some(self.config.consumer_secret.expose_secret()),
            )
            .send()
            .await
            .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
        if !status.is_success() {
            let err = api_error(status.as_u16(), &bytes);
            return Err(match err {
                DarajaError::Api { code, message, .. } if status.is_client_error() => {
                    DarajaError::Auth(format!("{code} {message}").trim().to_string())
                }
                other => other,
            });
        }
        let reply: Value = serde_json::from_slice(&bytes)
            .map_err(|e| DarajaError::Malformed(format!("token: {e}")))?;
        let value = text(&reply, "access_token");
        if value.is_empty() {
            return Err(DarajaError::Malformed("token: no access_token".into()));
        }
        // Daraja sends expires_in as a string of seconds; accept a number too.
        let lifetime = match reply.get("expires_in") {
            Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        }
        .ok_or_else(|| DarajaError::Malformed("token: no expires_in".into()))?;
        let usable = Duration::from_secs(lifetime).saturating_sub(REFRESH_MARGIN);
        Ok(Token {
            value,
            refresh_at: Instant::now() + usable,
        })
    }
}

/// A field of a Daraja answer as text (Daraja mixes strings and numbers), or empty.
fn text(v: &Value, field: &str) -> String {
    match v.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Daraja's error body (`errorCode`, `errorMessage`) as a [`DarajaError::Api`].
fn api_error(status: u16, bytes: &[u8]) -> DarajaError {
    let body: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let mut message = text(&body, "errorMessage");
    if message.is_empty() {
        message = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
    }
    DarajaError::Api {
        status,
        code: text(&body, "errorCode"),
        message,
    }
}

/// `YYYYMMDDHHmmss` in East Africa Time for unix milliseconds: Daraja's timestamp format.
pub fn eat_timestamp(ms: i64) -> String {
    let eat = ms + EAT_OFFSET_MS;
    let c = lango_core::clock::Civil::from_ms(eat);
    let second = eat.div_euclid(1000).rem_euclid(60);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        c.year, c.month, c.day, c.hour, c.minute, second
    )
}

/// The STK password: base64 of shortcode, passkey and timestamp joined.
pub fn stk_password(shortcode: &str, passkey: &str, timestamp: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{shortcode}{passkey}{timestamp}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_east_africa_time() {
        assert_eq!(eat_timestamp(0), "19700101030000");
        // 2024-02-29 22:59:59 UTC is already 1 March in Nairobi.
        assert_eq!(eat_timestamp(1_709_247_599_000), "20240301015959");
        // 2021-12-31 20:59:59.999 UTC: the last millisecond of the year in Nairobi.
        assert_eq!(eat_timestamp(1_640_984_399_999), "20211231235959");
    }

    #[test]
    fn timestamps_round_trip_through_the_c2b_reader() {
        for ms in [
            0_i64,
            1_709_247_599_000,
            1_640_984_400_000,
            4_102_444_799_000,
        ] {
            let ts = eat_timestamp(ms);
            assert_eq!(
                crate::daraja::trans_time_ms(&ts),
                Some(ms / 1000 * 1000),
                "{ts}"
            );
        }
    }

    #[test]
    fn password_is_the_documented_base64() {
        // Safaricom's sandbox example: shortcode 174379, its published passkey.
        let passkey = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
        let p = stk_password("174379", passkey, "20160216165627");
        assert_eq!(
            p,
            "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3"
        );
    }

    #[test]
    fn api_errors_keep_darajas_code() {
        let e = api_error(
            500,
            br#"{"requestId":"x","errorCode":"500.001.1001","errorMessage":"The transaction is being processed"}"#,
        );
        assert_eq!(
            e,
            DarajaError::Api {
                status: 500,
                code: "500.001.1001".into(),
                message: "The transaction is being processed".into()
            }
        );
        let e = api_error(502, b"<html>bad gateway</html>");
        assert!(
            matches!(e, DarajaError::Api { status: 502, ref message, .. } if message.contains("bad gateway"))
        );
    }
}
