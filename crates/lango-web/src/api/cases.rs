//! Applications for agency systems: list the agency's open applications, read one with its
//! documents and history, claim it, move it through its workflow and attach the documents
//! the agency's own system made. Keys need `cases:read` to read and `cases:write` to act;
//! another agency's application is as good as absent (404).

use super::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use lango_cases::application::{Application, QueueFilter, SlaFilter};
use lango_cases::service::Refusal;
use lango_core::Error;
use lango_identity::policy::Actor;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod bodies;
use bodies::{full, issued_body, summary, ApplicationBody, ApplicationList, IssuedBody};

/// The application routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read))
        .routes(routes!(document))
        .routes(routes!(claim))
        .routes(routes!(act))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(attach))
                .layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
}

fn actor(agent: &Agent) -> Actor {
    Actor::ApiClient(agent.0.clone())
}

fn absent() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such application")
}

fn invalid(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// True when `s` could be a reference, a document, output or action id: short ASCII
/// letters, digits, `-`, `_` and `.`. Anything else names nothing.
fn plausible(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A query value: refused with control characters (no database stores NUL).
fn clean(v: Option<String>, name: &str) -> Result<Option<String>, ApiError> {
    match v.filter(|s| !s.is_empty()) {
        Some(s) if s.len() > 200 || s.chars().any(char::is_control) => {
            Err(invalid(&format!("{name} is not a value it can take")))
        }
        other => Ok(other),
    }
}

/// The application, if the key's agency handles it (another agency's is absent).
async fn visible(
    state: &AppState,
    agent: &Agent,
    reference: &str,
) -> Result<Application, ApiError> {
    if !plausible(reference) {
        return Err(absent());
    }
    // A key without `cases:read` is told so before anything is looked up, whatever the
    // reference: answering only for existing applications would tell it which exist.
    if !agent
        .0
        .permissions
        .iter()
        .any(|p| p.as_str() == "cases:read")
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this key may not read applications (cases:read)",
        ));
    }
    match state.cases.get(&actor(agent), reference).await {
        Ok(a) if a.agency == agent.0.agency => Ok(a),
        // Another agency's application is as good as absent.
        Ok(_) | Err(Error::NotFound(_)) | Err(Error::Forbidden(_)) => Err(absent()),
        Err(e) => Err(e.into()),
    }
}

/// The list's query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this workflow state.
    state: Option<String>,
    /// `true`: only those assigned to nobody.
    unassigned: Option<bool>,
    /// `breached` (past due) or `at_risk` (due within a day).
    sla: Option<String>,
    /// Only this service.
    service: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
    /// At most this many (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// The agency's open applications, oldest due first, a page at a time.
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", security(("api_key" = [])),
    params(ListParams),
    responses((status = 200, body = ApplicationList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    agent: Agent,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<ApplicationList>, ApiError> {
    let Query(p) = q?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "limit must be 1 to 200",
        ));
    }
    let sla = match p.sla.as_deref() {
        None | Some("") => None,
        Some("breached") => Some(SlaFilter::Breached),
        Some("at_risk") => Some(SlaFilter::AtRisk),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "sla must be breached or at_risk",
            ))
        }
    };
    let filter = QueueFilter {
        state: clean(p.state, "state")?,
        sla,
        assigned_to: None,
        unassigned: p.unassigned.unwrap_or(false),
        service: clean(p.service, "service")?,
    };
    let after = clean(p.after, "after")?;
    let page = state
        .cases
        .queue(
            &actor(&agent),
            &agent.0.agency,
            &filter,
            after.as_deref(),
            limit,
        )
        .await?;
    Ok(Json(ApplicationList {
        items: page.items.iter().map(summary).collect(),
        next: page.next,
    }))
}

/// One application of the agency with its answers, documents, history and issued documents.
#[utoipa::path(get, path = "/api/v1/applications/{reference}", tag = "applications", security(("api_key" = [])),
    params(("reference" = String, Path, description = "The application's reference")),
    responses((status = 200, body = ApplicationBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn read(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
) -> Result<Json<ApplicationBody>, ApiError> {
    let app = visible(&state, &agent, &reference).await?;
    Ok(Json(full(&state, &actor(&agent), app).await?))
}

/// A document of the application: its bytes, with its checked content type.
#[utoipa::path(get, path = "/api/v1/applications/{reference}/documents/{id}", tag = "applications",
    security(("api_key" = [])),
    params(("reference" = String, Path, description = "The application's reference"),
        ("id" = String, Path, description = "The document's id")),
    responses((status = 200, description = "The document's bytes", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn document(
    State(state): State<AppState>,
    agent: Agent,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    visible(&state, &agent, &reference).await?;
    if !plausible(&id) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such document",
        ));
    }
    let (file, bytes) = state
        .cases
        .document(&actor(&agent), &reference, &id)
        .await?;
    Ok(crate::download::document(
        &file,
        bytes,
        crate::download::Show::Attachment,
    ))
}

/// What a claim sends.
#[derive(Deserialize, ToSchema)]
pub struct ClaimRequest {
    /// The revision last read.
    pub revision: i64,
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text()))
}

/// The key's system takes an unassigned application.
#[utoipa::path(post, path = "/api/v1/applications/{reference}/claim", tag = "applications",
    security(("api_key" = [])), request_body = ClaimRequest,
    params(("reference" = String, Path, description = "The application's reference")),
    responses((status = 200, body = ApplicationBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The revision is not the current one", body = ErrorBody)))]
async fn claim(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
    body: Result<Json<ClaimRequest>, JsonRejection>,
) -> Result<Json<ApplicationBody>, ApiError> {
    visible(&state, &agent, &reference).await?;
    let req = json_body(body)?;
    let app = state
        .cases
        .claim(&actor(&agent), &reference, req.revision)
        .await?;
    Ok(Json(full(&state, &actor(&agent), app).await?))
}

/// What an action sends.
#[derive(Deserialize, ToSchema)]
pub struct ActRequest {
    /// An action of the current state (see `actions`).
    pub action: String,
    /// The reason, shown to the applicant (required by some actions).
    #[serde(default)]
    pub reason: Option<String>,
    /// The revision last read.
    pub revision: i64,
}

/// Takes an action of the application's state; an action that issues an output issues it.
#[utoipa::path(post, path = "/api/v1/applications/{reference}/actions", tag = "applications",
    security(("api_key" = [])), request_body = ActRequest,
    params(("reference" = String, Path, description = "The application's reference")),
    responses((status = 200, body = ApplicationBody),
        (status = 400, description = "Not an action of this state, or a required reason missing", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The revision is not the current one", body = ErrorBody)))]
async fn act(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
    body: Result<Json<ActRequest>, JsonRejection>,
) -> Result<Json<ApplicationBody>, ApiError> {
    visible(&state, &agent, &reference).await?;
    let req = json_body(body)?;
    if !plausible(&req.action) {
        return Err(invalid("that action cannot be taken in this state"));
    }
    let typed: Option<String> = req.reason.as_deref().map(|r| r.replace('\0', ""));
    let reason = typed.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let app = state
        .cases
        .act(
            &actor(&agent),
            &reference,
            &req.action,
            reason,
            req.revision,
        )
        .await?;
    Ok(Json(full(&state, &actor(&agent), app).await?))
}

/// The attach query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachParams {
    /// The document's file name.
    name: String,
}

/// An uploaded document's raw bytes (the request body itself, not JSON or multipart).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct PdfBytes(Vec<u8>);

/// Attaches the agency system's own PDF as the output `output` of the application.
#[utoipa::path(post, path = "/api/v1/applications/{reference}/outputs/{output}", tag = "applications",
    security(("api_key" = [])),
    params(("reference" = String, Path, description = "The application's reference"),
        ("output" = String, Path, description = "The output's id in the definition"), AttachParams),
    request_body(content = inline(PdfBytes), content_type = "application/pdf", description = "The PDF's bytes"),
    responses((status = 201, body = IssuedBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn attach(
    State(state): State<AppState>,
    agent: Agent,
    Path((reference, output)): Path<(String, String)>,
    q: Result<Query<AttachParams>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<IssuedBody>), ApiError> {
    let Query(p) = q?;
    visible(&state, &agent, &reference).await?;
    let pdf = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/pdf"))
        });
    if !pdf {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "send the PDF's bytes with Content-Type: application/pdf",
        ));
    }
    if !plausible(&output) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such output",
        ));
    }
    let name = p.name.trim();
    if name.is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "name must be 1 to 200 characters",
        ));
    }
    match state
        .cases
        .attach_output(&actor(&agent), &reference, &output, name, body.to_vec())
        .await?
    {
        Ok(issued) => Ok((StatusCode::CREATED, Json(issued_body(&reference, &issued)))),
        Err(Refusal::TooLarge { limit_kb }) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            format!("the document is larger than {limit_kb} KiB"),
        )),
        Err(Refusal::WrongType) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "the content is not a PDF",
        )),
        Err(Refusal::Empty) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the document is empty",
        )),
    }
}
