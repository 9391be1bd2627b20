//! Lango's front door: the portal pages, the JSON API and the middleware around them.
//!
//! Handlers are thin: they parse the request into domain types, call one operation of a
//! domain crate and render the answer. Business rules never live here.

pub mod api;
pub mod card_channel;
pub mod channels;
pub mod client;
pub mod download;
pub mod error;
pub mod forms;
pub mod fpx_channel;
pub mod i18n;
pub mod limits;
pub mod middleware;
pub mod mpesa;
pub mod oidc_endpoints;
pub mod pages;
pub mod published;
pub mod sms_inbound;
pub mod state;
pub mod stk;
pub mod trust_list;
pub mod ussd;
pub mod visitor;
pub mod words;

pub use state::AppState;

use axum::Router;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

/// Largest request body accepted on ordinary routes.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest request body accepted on upload routes (they set `DefaultBodyLimit::max(UPLOAD_LIMIT)`):
/// a 10 MiB file and its form.
pub const UPLOAD_LIMIT: usize = 11 * 1024 * 1024;

/// The whole application: pages, API and operations endpoints with every middleware.
pub fn app(state: AppState) -> Router {
    let (api, _openapi) = api::router().split_for_parts();
    Router::new()
        .merge(pages::router())
        .merge(mpesa::routes())
        .merge(stk::routes())
        .merge(sms_inbound::routes())
        .merge(card_channel::routes())
        .merge(fpx_channel::routes())
        .merge(trust_list::routes())
        .merge(oidc_endpoints::routes())
        .merge(ussd::routes())
        .merge(api)
        .merge(middleware::ops_router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            visitor::resolve,
        ))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state,
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Extractors stop at BODY_LIMIT unless a route (an upload) raises it; nothing
        // reads more than UPLOAD_LIMIT.
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(middleware::trace_layer())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
