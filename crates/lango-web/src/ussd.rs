//! `POST /channels/ussd`: the USSD gateway (Africa's Talking's format). Form fields
//! `sessionId`, `serviceCode`, `phoneNumber`, `networkCode`, `text`; the answer is
//! `200 text/plain`, `CON …` or `END …`. The gateway signs nothing and vouches for the
//! phone number, so requests are believed only from `ussd_source_networks` (403 from
//! elsewhere). Whatever the body holds, the gateway gets a screen, never a 5xx: the
//! session engine and its menus are `lango_phone::ussd`'s.

use crate::channels::from_networks;
use crate::AppState;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use lango_phone::prefs::Lang;
use lango_phone::ussd::{self, Screen};

/// Largest body read: a session's `text` is capped far below this, and a larger body is
/// answered with a screen, not read.
const BODY_LIMIT: usize = 64 * 1024;

/// This module's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/channels/ussd", post(gateway))
}

/// Reads the gateway's form; a field left out stays `None`, unknown fields are ignored.
pub fn parse(body: &[u8]) -> ussd::Request {
    let mut r = ussd::Request::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = Some(v.into_owned());
        match k.as_ref() {
            "sessionId" => r.session_id = v,
            "phoneNumber" => r.phone = v,
            "text" => r.text = v,
            _ => {}
        }
    }
    r
}

/// `POST /channels/ussd`
pub async fn gateway(State(state): State<AppState>, req: Request) -> Response {
    let client = crate::client::of(&state, &req);
    if !from_networks(&state, &state.config.ussd_source_networks, client) {
        tracing::warn!(client = ?client, "USSD request from a network not in ussd_source_networks");
        return (StatusCode::FORBIDDEN, "not from an allowed network").into_response();
    }
    let screen = match to_bytes(req.into_body(), BODY_LIMIT).await {
        Ok(body) => ussd::answer(&state.ussd, &parse(&body)).await,
        Err(_) => Screen::End(ussd::words::too_long(Lang::En).into()),
    };
    let mut res = (StatusCode::OK, screen.body()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
