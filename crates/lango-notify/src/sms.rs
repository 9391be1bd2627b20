//! SMS through an HTTP gateway that speaks Africa's Talking's API: a form post with the
//! account's `apiKey` header, a JSON reply per recipient, and delivery reports posted back
//! to Lango later (see `lango-web`'s `/channels/sms/delivery-reports`).

use crate::{Outcome, Sender, Stored};
use lango_core::config::SmsConfig;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::time::Duration;

/// The gateway's answer to a send.
#[derive(Debug, Deserialize)]
pub struct Reply {
    /// What it did.
    #[serde(rename = "SMSMessageData")]
    pub data: ReplyData,
}

/// The body of [`Reply`].
#[derive(Debug, Deserialize)]
pub struct ReplyData {
    /// A summary such as `Sent to 1/1 Total Cost: KES 0.8000`.
    #[serde(rename = "Message", default)]
    pub message: String,
    /// One entry per number.
    #[serde(rename = "Recipients", default)]
    pub recipients: Vec<ReplyRecipient>,
}

/// What the gateway did for one number.
#[derive(Debug, Deserialize)]
pub struct ReplyRecipient {
    /// `Success`, `InvalidPhoneNumber`, `InsufficientBalance`…
    pub status: String,
    /// 100–102 accepted; 4xx and 5xx refused (see [`outcome_of`]).
    #[serde(rename = "statusCode")]
    pub status_code: i64,
    /// The gateway's id, named again in delivery reports.
    #[serde(rename = "messageId", default)]
    pub message_id: String,
    /// The number as the gateway read it.
    #[serde(default)]
    pub number: String,
    /// What it cost, e.g. `KES 0.8000`.
    #[serde(default)]
    pub cost: String,
}

/// Maps the gateway's per-number status code to an outcome.
pub fn outcome_of(r: &ReplyRecipient) -> Outcome {
    let why = format!("{} ({})", r.status, r.status_code);
    match r.status_code {
        // Processed, Sent, Queued: the delivery report will settle it.
        100..=102 if !r.message_id.is_empty() => Outcome::Sending(r.message_id.clone()),
        // The number can never receive it: invalid, unsupported, blacklisted, unroutable,
        // or do-not-disturb.
        403 | 404 | 406 | 407 | 409 => Outcome::Permanent(why),
        // Our sender id is not allowed: no retry helps until an operator fixes it.
        402 => Outcome::Technical(why),
        // Risk hold, no credit left, the gateway's own faults: these pass.
        _ => Outcome::Retry(why),
    }
}

/// The status a delivery report's `status` leads to: `delivered`, `permanent-failure`, or
/// `sending` (Sent, Submitted, Buffered…: not settled yet).
pub fn report_status(status: &str) -> &'static str {
    match status {
        "Success" => "delivered",
        "Failed" | "Rejected" => "permanent-failure",
        _ => "sending",
    }
}

/// Sends SMS through the configured gateway.
pub struct SmsGateway {
    client: reqwest::Client,
    config: SmsConfig,
}

impl SmsGateway {
    /// A gateway client; each request gives up after ten seconds (well inside the outbox's
    /// lease, so a slow gateway never causes a second copy).
    pub fn new(config: SmsConfig) -> Result<SmsGateway, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(SmsGateway { client, config })
    }
}

#[async_trait::async_trait]
impl Sender for SmsGateway {
    async fn send(&self, m: &Stored) -> Outcome {
        let c = &self.config;
        let mut form = vec![
            ("username", c.username.as_str()),
            ("to", m.recipient.as_str()),
            ("message", m.body.as_str()),
        ];
        if let Some(from) = &c.sender {
            form.push(("from", from.as_str()));
        }
        let res = self
            .client
            .post(&c.gateway_url)
            .header("apiKey", c.api_key.expose_secret())
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await;
        let res = match res {
            Ok(r) => r,
            Err(e) => return Outcome::Retry(format!("gateway unreachable: {e}")),
        };
        let status = res.status();
        if !status.is_success() {
            return Outcome::Retry(format!("gateway answered HTTP {}", status.as_u16()));
        }
        let reply: Reply = match res.json().await {
            Ok(r) => r,
            Err(e) => return Outcome::Retry(format!("gateway reply unreadable: {e}")),
        };
        match reply.data.recipients.first() {
            Some(r) => {
                tracing::debug!(id = %m.id, status = %r.status, cost = %r.cost, number = %r.number, "gateway answered");
                outcome_of(r)
            }
            // No recipient at all: the gateway refused the request as a whole.
            None => Outcome::Retry(format!("gateway sent nothing: {}", reply.data.message)),
        }
    }
}

/// The score in an SMS reply to a satisfaction question: one digit 1–5, alone or followed
/// by words ("4", " 5 asante", "3."); anything else ("45", "four", "") is unreadable. Every
/// survey asked by SMS (applications', centres') reads replies this one way.
pub fn reply_score(text: &str) -> Option<u8> {
    let mut chars = text.trim_start().chars();
    let first = chars.next()?;
    if chars.next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    match first {
        '1'..='5' => Some(first as u8 - b'0'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_africas_talking_replies() {
        let json = r#"{"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000",
            "Recipients":[{"statusCode":101,"number":"+254711000111","status":"Success",
            "cost":"KES 0.8000","messageId":"ATXid_1"}]}}"#;
        let reply: Reply = serde_json::from_str(json).unwrap();
        let r = &reply.data.recipients[0];
        assert_eq!(outcome_of(r), Outcome::Sending("ATXid_1".into()));
        let refused = |code, status: &str| ReplyRecipient {
            status: status.into(),
            status_code: code,
            message_id: "None".into(),
            number: String::new(),
            cost: "0".into(),
        };
        assert!(matches!(
            outcome_of(&refused(403, "InvalidPhoneNumber")),
            Outcome::Permanent(_)
        ));
        assert!(matches!(
            outcome_of(&refused(405, "InsufficientBalance")),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            outcome_of(&refused(402, "InvalidSenderId")),
            Outcome::Technical(_)
        ));
        assert_eq!(report_status("Success"), "delivered");
        assert_eq!(report_status("Rejected"), "permanent-failure");
        assert_eq!(report_status("Buffered"), "sending");
    }
}
