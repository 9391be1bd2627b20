//! Callbacks from the channels that carry messages: the SMS gateway's delivery reports.
//!
//! These routes sit outside the CSRF check (`/channels/` is skipped): the gateway has no
//! session. They are believed only from the networks in `sms_report_networks` (and loopback
//! in the demo), judged by the client's address: the connection's peer, or, when that peer
//! is one of `trusted_proxies`, the address the proxy forwarded for.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lango_notify::sms::report_status;
use lango_notify::Channel;
use std::net::IpAddr;
use std::time::Duration;

/// Largest report body read (a report is a few hundred bytes).
const REPORT_LIMIT: usize = 16 * 1024;

/// A delivery report as Africa's Talking posts it (form fields).
#[derive(Debug, Default)]
pub struct DeliveryReport {
    /// The gateway's message id, as it answered the send.
    pub id: String,
    /// `Success`, `Failed`, `Rejected`, `Sent`, `Submitted`, `Buffered`…
    pub status: String,
    /// Why it failed (`UserInBlacklist`, `AbsentSubscriber`…), when it did.
    pub failure_reason: String,
    /// The mobile network's code.
    pub network_code: String,
    /// How often the gateway tried.
    pub retry_count: String,
}

impl DeliveryReport {
    /// Reads the form body; unknown fields (e.g. `phoneNumber`) are ignored.
    pub fn parse(body: &[u8]) -> DeliveryReport {
        let mut r = DeliveryReport::default();
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.into_owned();
            match k.as_ref() {
                "id" => r.id = v,
                "status" => r.status = v,
                "failureReason" => r.failure_reason = v,
                "networkCode" => r.network_code = v,
                "retryCount" => r.retry_count = v,
                _ => {}
            }
        }
        r
    }
}

/// True when the client (`crate::client`: the peer, or behind a trusted proxy the address
/// it forwarded for) is in `networks` (or on loopback in the demo, whose simulators run there).
pub fn from_networks(
    state: &AppState,
    networks: &[lango_core::config::IpNetwork],
    client: Option<IpAddr>,
) -> bool {
    let Some(ip) = client else {
        return false;
    };
    (state.config.demo && ip.is_loopback()) || networks.iter().any(|n| n.contains(ip))
}

fn allowed(state: &AppState, client: Option<IpAddr>) -> bool {
    from_networks(state, &state.config.sms_report_networks, client)
}

/// `POST /channels/sms/delivery-reports`: settles a message the gateway reported on.
/// Idempotent: a repeated report answers 200 and changes nothing.
pub async fn sms_delivery_report(State(state): State<AppState>, req: Request) -> Response {
    let peer = crate::client::of(&state, &req);
    if !allowed(&state, peer) {
        tracing::warn!(peer = ?peer, "SMS delivery report from a network not in sms_report_networks");
        return (StatusCode::FORBIDDEN, "not from an allowed network").into_response();
    }
    let body = match axum::body::to_bytes(req.into_body(), REPORT_LIMIT).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response(),
    };
    let r = DeliveryReport::parse(&body);
    if r.id.is_empty() || r.status.is_empty() {
        return (StatusCode::BAD_REQUEST, "id and status are required").into_response();
    }
    let status = report_status(&r.status);
    let reason = if status == "permanent-failure" {
        format!("{} {}", r.status, r.failure_reason)
            .trim()
            .to_string()
    } else {
        String::new()
    };
    tracing::info!(id = %r.id, status = %r.status, network = %r.network_code, retries = %r.retry_count, "SMS delivery report");
    // A gateway may report before the worker has recorded the gateway's id for the message
    // (the reply and the report race); wait a moment for it rather than lose the report.
    for _ in 0..15 {
        match lango_notify::record_report(&state.db, Channel::Sms, &r.id, status, &reason).await {
            Ok(true) => return (StatusCode::OK, "ok").into_response(),
            Ok(false) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => {
                tracing::error!(error = %e, "delivery report not recorded");
                return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
            }
        }
    }
    (StatusCode::NOT_FOUND, "unknown message id").into_response()
}
