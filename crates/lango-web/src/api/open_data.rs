//! Open data: every published dataset as CSV or JSON, and the data dictionary.

use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_insights::open_data::{self, Filter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This module's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dictionary))
        .routes(routes!(download))
}

/// One column of a dataset.
#[derive(Serialize, ToSchema)]
pub struct ColumnBody {
    /// Its name (CSV header, JSON key).
    pub name: &'static str,
    /// `text`, `integer`, `decimal` (exact, written with a point), `date` or `month`.
    pub kind: &'static str,
    /// What it means.
    pub meaning: &'static str,
}

/// A dataset, its dictionary and where to get it.
#[derive(Serialize, ToSchema)]
pub struct DatasetBody {
    /// Its name.
    pub name: &'static str,
    /// Its title.
    pub title: &'static str,
    /// What a row is.
    pub description: &'static str,
    /// Its columns.
    pub columns: Vec<ColumnBody>,
    /// The CSV download.
    pub csv: String,
    /// The JSON download.
    pub json: String,
}

/// Every published dataset.
#[derive(Serialize, ToSchema)]
pub struct DictionaryBody {
    /// The datasets, in the order the open-data page lists them.
    pub datasets: Vec<DatasetBody>,
}

/// The data dictionary of every published dataset.
pub fn dictionary_body() -> DictionaryBody {
    DictionaryBody {
        datasets: open_data::datasets()
            .into_iter()
            .chain([
                super::centres_open_data::DATASET,
                super::agents_open_data::AGENTS,
                super::agents_open_data::STOPS,
            ])
            .map(|d| DatasetBody {
                name: d.name,
                title: d.title,
                description: d.description,
                columns: d
                    .columns
                    .iter()
                    .map(|c| ColumnBody {
                        name: c.name,
                        kind: kind_name(c.kind),
                        meaning: c.meaning,
                    })
                    .collect(),
                csv: format!("/api/v1/open-data/{}.csv", d.name),
                json: format!("/api/v1/open-data/{}.json", d.name),
            })
            .collect(),
    }
}

/// The dictionary's name of a kind.
pub fn kind_name(kind: open_data::Kind) -> &'static str {
    match kind {
        open_data::Kind::Text => "text",
        open_data::Kind::Integer => "integer",
        open_data::Kind::Decimal => "decimal",
        open_data::Kind::Date => "date",
        open_data::Kind::Month => "month",
    }
}

/// The data dictionary: every dataset, its columns and their meaning.
#[utoipa::path(get, path = "/api/v1/open-data", tag = "insights",
    responses((status = 200, body = DictionaryBody)))]
async fn dictionary() -> Json<DictionaryBody> {
    Json(dictionary_body())
}

/// Which rows to download.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadParams {
    /// First day included, `YYYY-MM-DD` (monthly datasets: its month).
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Only this agency (code).
    pub agency: Option<String>,
    /// Only this service (code).
    pub service: Option<String>,
}

/// One dataset as CSV (`{dataset}.csv`) or JSON (`{dataset}.json`).
#[utoipa::path(get, path = "/api/v1/open-data/{file}", tag = "insights",
    params(("file" = String, Path, description = "A dataset's name with `.csv` or `.json`, e.g. `usage.csv`"), DownloadParams),
    responses((status = 200, description = "The rows: CSV with a header row, or JSON `{dataset, title, columns, rows}`"),
        (status = 400, description = "A bad date", body = ErrorBody),
        (status = 404, description = "No such dataset", body = ErrorBody)))]
async fn download(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    Path(file): Path<String>,
    params: Result<Query<DownloadParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params?;
    let (name, csv) = match (file.strip_suffix(".csv"), file.strip_suffix(".json")) {
        (Some(name), _) => (name, true),
        (_, Some(name)) => (name, false),
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "name a dataset with .csv or .json, e.g. usage.csv",
            ))
        }
    };
    let key = format!("open-data|{uri}");
    let body = state
        .published
        .get_or_make(key, async {
            let filter = Filter {
                from: params.from,
                to: params.to,
                agency: params.agency,
                service: params.service,
            };
            let table = match name {
                n if n == super::centres_open_data::DATASET.name => {
                    super::centres_open_data::table(&state, &filter).await?
                }
                n if n == super::agents_open_data::AGENTS.name => {
                    super::agents_open_data::agents(&state, &filter).await?
                }
                n if n == super::agents_open_data::STOPS.name => {
                    super::agents_open_data::stops(&state, &filter).await?
                }
                _ => state.insights.open_data(name, &filter).await?,
            };
            Ok::<_, ApiError>(if csv {
                table.to_csv()
            } else {
                table.to_json().to_string()
            })
        })
        .await?;
    let content_type = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    let disposition = format!(
        "inline; filename=\"{name}.{}\"",
        if csv { "csv" } else { "json" }
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    // Figures follow the event log within seconds; a minute's caching spares the server.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}
