//! Who is on the other end: the client's address, seen through trusted reverse proxies
//! (`trusted_proxies`), for rate limits, sessions and the network checks on callbacks.

use crate::AppState;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use std::net::{IpAddr, SocketAddr};

/// The client's address, `None` only when the connection's peer is unknown (never in a
/// served app). `X-Forwarded-For` counts only when the peer is a trusted proxy.
pub fn address(state: &AppState, headers: &HeaderMap, extensions: &Extensions) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    Some(lango_core::net::client_address(
        peer,
        forwarded,
        &state.config.trusted_proxies,
    ))
}

/// [`address`] of a whole request.
pub fn of(state: &AppState, req: &axum::extract::Request) -> Option<IpAddr> {
    address(state, req.headers(), req.extensions())
}
