//! The open-data page: every published dataset with its data dictionary and downloads.

use super::{render, Chrome, PageLang};
use crate::api::open_data::{dictionary_body, DatasetBody};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/open-data", get(page))
}

#[derive(Template)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    c: Chrome,
    datasets: Vec<DatasetBody>,
}

/// `GET /open-data`: the datasets, their columns and their downloads.
async fn page(State(state): State<AppState>, PageLang(lang): PageLang) -> Response {
    render(
        StatusCode::OK,
        &OpenDataPage {
            c: Chrome::new(lang, state.config.demo, "/open-data"),
            datasets: dictionary_body().datasets,
        },
    )
}
