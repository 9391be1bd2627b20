//! Service definitions in public: the JSON Schema of the definition format, and the
//! definition each service runs now (as JSON and as the YAML its agency wrote).

use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The definition routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schema))
        .routes(routes!(current))
}

/// The JSON Schema (draft 2020-12) every service definition file follows.
#[utoipa::path(get, path = "/api/v1/schemas/service-definition.json", tag = "definitions",
    responses((status = 200, description = "The JSON Schema of the definition format", body = Object)))]
async fn schema() -> Json<serde_json::Value> {
    Json(lango_cases::definition::schema_json())
}

/// A service's current definition.
#[derive(Serialize, ToSchema)]
pub struct DefinitionBody {
    /// The service's catalogue code.
    pub service: String,
    /// 1, 2, 3…: new applications follow this one; older ones keep theirs.
    pub version: i64,
    /// The definition as JSON (the format of `/api/v1/schemas/service-definition.json`).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// The YAML as the agency uploaded it.
    pub yaml: String,
    /// When this version was uploaded (unix ms).
    pub uploaded_at: i64,
    /// The standard application Lango made from the catalogue entry, not one the agency
    /// wrote (it follows the entry until the agency uploads its own).
    pub standard: bool,
}

/// The definition a service runs now: new applications follow it. An active end-to-end
/// service without one of its agency's own, and not run on the agency's own system, answers
/// the standard application made from its catalogue entry.
#[utoipa::path(get, path = "/api/v1/services/{code}/definition", tag = "definitions",
    params(("code" = String, Path, description = "The service's catalogue code")),
    responses((status = 200, body = DefinitionBody),
        (status = 404, description = "No such service, or it has no definition", body = ErrorBody)))]
async fn current(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<DefinitionBody>, ApiError> {
    let none = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "this service has no definition",
        )
    };
    // Catalogue codes are short ASCII; anything else (NUL included) names no service.
    let plausible = code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if code.is_empty() || code.len() > 64 || !plausible {
        return Err(none());
    }
    let v = state
        .cases
        .definition(&code, None)
        .await?
        .ok_or_else(none)?;
    let definition = serde_json::to_value(v.definition.file())
        .map_err(|e| lango_core::Error::Internal(format!("definition as JSON: {e}")))?;
    Ok(Json(DefinitionBody {
        service: v.definition.service().to_string(),
        version: v.version,
        definition,
        yaml: v.yaml.clone(),
        uploaded_at: v.uploaded_at,
        standard: v.is_standard(),
    }))
}
