//! `POST /channels/sms/inbound`: two-way SMS. Africa's Talking posts each message a phone
//! sends to Lango's number; `lango_phone::sms_inbound` reads the keyword, acts once and puts
//! the answer in the SMS outbox.
//!
//! Believed only from `sms_report_networks` (and loopback in the demo), like delivery
//! reports: the gateway signs nothing. Answered 200 once handled, also when the message is
//! a repeat, over the phone's limit or not understood (so the gateway does not retry); 503
//! when the store fails, so it does.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use lango_phone::sms_inbound::{Handled, Inbound, Mpesa, SmsDesk};

/// Largest message body read (a message is a few hundred bytes; a long text a few KiB).
const INBOUND_LIMIT: usize = 16 * 1024;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/channels/sms/inbound", post(inbound))
}

/// Reads the gateway's form; unknown fields (`networkCode`…) are ignored, and a repeated
/// field keeps its first value.
fn parse(body: &[u8]) -> Inbound {
    let mut m = Inbound::default();
    let mut seen = std::collections::HashSet::new();
    for (k, v) in form_urlencoded::parse(body) {
        if !seen.insert(k.clone()) {
            continue;
        }
        let slot = match k.as_ref() {
            "from" => &mut m.from,
            "to" => &mut m.to,
            "text" => &mut m.text,
            "date" => &mut m.date,
            "id" => &mut m.id,
            "linkId" => &mut m.link_id,
            _ => continue,
        };
        *slot = v.into_owned();
    }
    m
}

/// The SMS keywords' desk over this node's rooms (also the demo phone's, `/dev/phone`).
pub fn desk(state: &AppState) -> SmsDesk<'_> {
    SmsDesk {
        db: &state.db,
        cases: &state.cases,
        catalogue: &state.catalogue,
        insights: &state.insights,
        centres: &state.centres,
        mpesa: Mpesa {
            prompter: state.prompter.clone(),
            shortcode: state.config.mpesa_shortcode.clone(),
        },
    }
}

/// `POST /channels/sms/inbound`
async fn inbound(State(state): State<AppState>, req: Request) -> Response {
    let peer = crate::client::of(&state, &req);
    if !crate::channels::from_networks(&state, &state.config.sms_report_networks, peer) {
        tracing::warn!(peer = ?peer, "inbound SMS from a network not in sms_report_networks");
        return (StatusCode::FORBIDDEN, "not from an allowed network").into_response();
    }
    let Ok(body) = axum::body::to_bytes(req.into_body(), INBOUND_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
    };
    let m = parse(&body);
    if m.from.trim().is_empty() {
        return (StatusCode::BAD_REQUEST, "from is required").into_response();
    }
    match desk(&state).receive(&m).await {
        Ok(handled) => {
            // The answer itself may name an application or a balance: only what became of it.
            let what = match handled {
                Handled::Answered(_) => "answered",
                Handled::Repeat => "repeat",
                Handled::Limited => "limited",
                Handled::Ignored => "ignored",
            };
            tracing::info!(id = %m.id, to = %m.to, link = %m.link_id, what, "inbound SMS");
            (StatusCode::OK, "ok").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, id = %m.id, "inbound SMS not handled");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_africas_talking_fields() {
        let m = parse(
            b"from=%2B254711000111&to=22384&text=hali+A7K3&date=2026-11-23+10%3A15%3A00\
              &id=ATXid_1&linkId=L1&networkCode=63902&text=second",
        );
        assert_eq!(m.from, "+254711000111");
        assert_eq!(m.to, "22384");
        assert_eq!(m.text, "hali A7K3", "the first value is kept");
        assert_eq!(m.date, "2026-11-23 10:15:00");
        assert_eq!(m.id, "ATXid_1");
        assert_eq!(m.link_id, "L1");
    }
}
