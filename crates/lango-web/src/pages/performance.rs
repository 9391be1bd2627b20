//! Performance contracting: the league table, each agency's scores and how they were
//! computed, and the pages where the performance office keeps periods and contracts and
//! agencies enter values with evidence. The method is `lango_insights::performance`'s.

mod enter;
mod league;
mod manage;
pub(crate) mod views;

use crate::AppState;
use axum::routing::get;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/performance/league", get(league::latest))
        .route("/performance/league/{period}", get(league::period))
        .route("/performance/league/{period}/{agency}", get(league::agency))
        .route("/admin/performance", get(manage::list))
        .route(
            "/admin/performance/period",
            get(manage::period_form).post(manage::period_save),
        )
        .route("/admin/performance/periods/{period}", get(manage::period))
        .route(
            "/admin/performance/periods/{period}/contract",
            get(manage::contract_form).post(manage::contract_save),
        )
        .route("/admin/agencies/{code}/performance", get(enter::agency))
        .route(
            "/admin/agencies/{code}/performance/{period}",
            get(enter::period),
        )
        .route(
            "/admin/agencies/{code}/performance/{period}/{indicator}",
            get(enter::form).post(enter::save),
        )
}
