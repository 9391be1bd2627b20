//! A simulator of an Africa's Talking style SMS gateway, for the tests: not a real gateway.
//!
//! It serves the gateway's wire format on 127.0.0.1 (a form post with an `apiKey` header,
//! answered with `SMSMessageData.Recipients[]`), records every message it accepts, refuses
//! chosen numbers with the gateway's status codes or answers HTTP 500 on request, and posts
//! delivery reports back to Lango's callback as the real gateway does.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The API key the simulator accepts (tests configure Lango with it).
pub const API_KEY: &str = "atsk_simulator_key";
/// The username it accepts.
pub const USERNAME: &str = "lango-test";

/// A message the simulator accepted.
#[derive(Debug, Clone)]
pub struct SimMessage {
    /// The id it answered with (and names in delivery reports).
    pub id: String,
    /// The number it was for.
    pub to: String,
    /// The text.
    pub message: String,
    /// The sender id asked for.
    pub from: String,
}

#[derive(Default)]
struct Inner {
    messages: Vec<SimMessage>,
    /// Number → (statusCode, status) to refuse it with.
    refuse: HashMap<String, (i64, String)>,
    /// Requests still to answer with HTTP 500.
    http_failures: u32,
    /// Requests seen, accepted or not.
    requests: u32,
    /// Where delivery reports go.
    callback: Option<String>,
    /// Report this status for every accepted message straight away.
    auto_report: Option<String>,
}

/// A running simulator.
pub struct SmsSimulator {
    /// The messaging endpoint, for `sms_gateway_url`.
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(serde::Deserialize)]
struct SendForm {
    username: String,
    to: String,
    message: String,
    #[serde(default)]
    from: String,
}

async fn send(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Form(f): Form<SendForm>,
) -> Response {
    let key = headers.get("apiKey").and_then(|v| v.to_str().ok());
    let (reply, report) = {
        let mut s = inner.lock().unwrap();
        s.requests += 1;
        if key != Some(API_KEY) || f.username != USERNAME {
            return (
                StatusCode::UNAUTHORIZED,
                "The supplied authentication is invalid",
            )
                .into_response();
        }
        if s.http_failures > 0 {
            s.http_failures -= 1;
            return (StatusCode::INTERNAL_SERVER_ERROR, "simulated outage").into_response();
        }
        if let Some((code, status)) = s.refuse.get(&f.to).cloned() {
            let reply = json!({"SMSMessageData": {"Message": "Sent to 0/1 Total Cost: 0",
                "Recipients": [{"statusCode": code, "number": f.to, "status": status,
                                "cost": "0", "messageId": "None"}]}});
            return (StatusCode::CREATED, Json(reply)).into_response();
        }
        let id = format!("ATXid_{}", uuid::Uuid::new_v4().simple());
        s.messages.push(SimMessage {
            id: id.clone(),
            to: f.to.clone(),
            message: f.message,
            from: f.from,
        });
        let reply = json!({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000",
            "Recipients": [{"statusCode": 101, "number": f.to, "status": "Success",
                            "cost": "KES 0.8000", "messageId": id}]}});
        let report = s
            .auto_report
            .clone()
            .zip(s.callback.clone())
            .map(|(status, cb)| (cb, id, f.to, status));
        (reply, report)
    };
    if let Some((callback, id, to, status)) = report {
        // Like the real gateway: the report follows the reply, from another connection.
        tokio::spawn(async move {
            let _ = post_report(&callback, &id, &to, &status, "").await;
        });
    }
    (StatusCode::CREATED, Json(reply)).into_response()
}

async fn post_report(callback: &str, id: &str, to: &str, status: &str, reason: &str) -> u16 {
    let mut form = vec![
        ("id", id),
        ("status", status),
        ("phoneNumber", to),
        ("networkCode", "63902"),
        ("retryCount", "0"),
    ];
    if !reason.is_empty() {
        form.push(("failureReason", reason));
    }
    reqwest::Client::new()
        .post(callback)
        .form(&form)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

impl SmsSimulator {
    /// Starts the simulator on a free loopback port.
    pub async fn start() -> SmsSimulator {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/version1/messaging", post(send))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/version1/messaging",
            listener.local_addr().expect("addr")
        );
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("simulator serves");
        });
        SmsSimulator { url, inner, server }
    }

    /// The settings that point Lango at this simulator.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LANGO_SMS_GATEWAY_URL", self.url.clone()),
            ("LANGO_SMS_USERNAME", USERNAME.to_string()),
            ("LANGO_SMS_API_KEY", API_KEY.to_string()),
            ("LANGO_SMS_SENDER", "LANGO".to_string()),
            ("LANGO_SMS_REPORT_NETWORKS", "127.0.0.0/8,::1".to_string()),
        ]
    }

    /// Where delivery reports go (Lango's base URL + the callback path).
    pub fn set_callback(&self, lango_base: &str) {
        self.inner.lock().unwrap().callback =
            Some(format!("{lango_base}/channels/sms/delivery-reports"));
    }

    /// Refuses messages to `number` with the gateway's `code` and `status`.
    pub fn refuse(&self, number: &str, code: i64, status: &str) {
        self.inner
            .lock()
            .unwrap()
            .refuse
            .insert(number.to_string(), (code, status.to_string()));
    }

    /// Answers the next `n` requests with HTTP 500.
    pub fn fail_next(&self, n: u32) {
        self.inner.lock().unwrap().http_failures = n;
    }

    /// Posts a report with `status` for every message accepted from now on.
    pub fn auto_report(&self, status: &str) {
        self.inner.lock().unwrap().auto_report = Some(status.to_string());
    }

    /// Requests seen so far (accepted, refused or failed).
    pub fn requests(&self) -> u32 {
        self.inner.lock().unwrap().requests
    }

    /// Every message accepted so far.
    pub fn messages(&self) -> Vec<SimMessage> {
        self.inner.lock().unwrap().messages.clone()
    }

    /// Waits (ten seconds at most) for a message to `number` whose text contains `text`.
    pub async fn wait_for(&self, number: &str, text: &str) -> SimMessage {
        for _ in 0..100 {
            if let Some(m) = self
                .messages()
                .into_iter()
                .find(|m| m.to == number && m.message.contains(text))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no SMS to {number} containing {text:?}: {:?}",
            self.messages()
        );
    }

    /// Posts a delivery report for message `id` now; returns Lango's HTTP status.
    pub async fn report(&self, id: &str, status: &str, reason: &str) -> u16 {
        let (callback, to) = {
            let s = self.inner.lock().unwrap();
            let to = s.messages.iter().find(|m| m.id == id).map(|m| m.to.clone());
            (
                s.callback.clone().expect("callback set"),
                to.unwrap_or_default(),
            )
        };
        post_report(&callback, id, &to, status, reason).await
    }
}

impl Drop for SmsSimulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}
