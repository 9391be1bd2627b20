//! The JSON API. Routes and the OpenAPI document come from the same definitions.

mod agents;
mod agents_open_data;
pub mod auth;
mod bills;
mod cases;
mod catalogue;
mod centres;
mod centres_open_data;
mod definitions;
mod documents;
mod finance;
mod insights;
pub(crate) mod open_data;
mod performance;
mod refunds;
pub mod webhooks;

pub use catalogue::SearchParams;

use crate::AppState;
use auth::BearerScheme;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lango API",
        description = "One gateway to every government service: the catalogue, and (as they land) applications, bills and payments.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "catalogue", description = "Agencies and their services"),
        (name = "access", description = "Agency API keys"),
        (name = "webhooks", description = "Signed CloudEvents to agency systems"),
        (name = "payments", description = "Bills and their payment"),
        (name = "centres", description = "Service centres: the directory, appointment slots and bookings, and queue tickets for centres' ticket printers, counters and boards"),
        (name = "documents", description = "Signed documents: agencies' systems sign documents they issue, fetch their PDFs and revoke them"),
        (name = "applications", description = "Applications and their workflow, for agency systems"),
        (name = "definitions", description = "Service definitions: the format and each service's current definition"),
        (name = "agents", description = "Registered agents: the public directory, and each agent's monthly commission statement"),
        (name = "insights", description = "Published measures: usage, the four KPIs, satisfaction, digitisation and performance contracts, and their open data")
    )
)]
struct ApiDoc;

/// Every JSON route with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(catalogue::router())
        .merge(auth::router())
        .merge(webhooks::router())
        .merge(bills::router())
        .merge(refunds::router())
        .merge(finance::router())
        .merge(cases::router())
        .merge(definitions::router())
        .merge(documents::router())
        .merge(centres::router())
        .merge(agents::router())
        .merge(insights::router())
        .merge(performance::router())
        .merge(open_data::router())
        .route("/api/v1/openapi.json", axum::routing::get(openapi_json))
}

/// The OpenAPI 3.1 document, built once.
pub fn openapi_document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, mut doc) = router().split_for_parts();
        auth::AuthResponses::apply(&mut doc);
        doc.to_pretty_json().unwrap_or_else(|_| "{}".to_string())
    })
}

async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
}
