//! The public dashboards: national, per agency and per service (usage, the four KPIs,
//! trends, digitisation progress), what people search for and do not find, and the
//! agency pages where costs are entered. Every figure comes from `lango-insights`; every
//! chart has its numbers in a table beside it.

mod costs;
mod dashboards;
mod digitisation;
pub(crate) mod views;

use crate::AppState;
use axum::routing::get;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/performance", get(dashboards::national))
        .route("/performance/agencies/{code}", get(dashboards::agency))
        .route("/performance/services/{code}", get(dashboards::service))
        .route("/performance/digitisation", get(digitisation::page))
        .route("/performance/searches", get(digitisation::searches))
        .route(
            "/admin/agencies/{code}/costs",
            get(costs::page).post(costs::save),
        )
}
