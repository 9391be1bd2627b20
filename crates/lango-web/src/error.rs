//! The one error policy of the web layer.
//!
//! - JSON routes answer `{"error":{"code","message"}}`; pages answer an HTML page.
//! - `Invalid` → 400, `Forbidden` → 403, `NotFound` → 404, `Conflict` → 409, anything else → 500.
//! - A 500 never shows its cause to the caller: the cause is logged with the request id.

use crate::pages::render_status_page;
use axum::extract::rejection::QueryRejection;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every JSON error.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code: `invalid_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `method_not_allowed`, `internal`.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// An error with an explicit status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

/// The HTTP status for a domain error.
pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Conflict(_) | Error::Clash { .. } => StatusCode::CONFLICT,
        Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::Refused(r) => status_of(&r.as_error()),
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = status_of(&e);
        let message = if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
            "something went wrong on our side; try again later".to_string()
        } else {
            e.to_string()
        };
        ApiError {
            status,
            code: e.code(),
            message,
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

/// Unknown routes: the JSON 404 under `/api/`, the helpful page elsewhere.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    uri: Uri,
    lang: crate::pages::PageLang,
) -> Response {
    if is_api(&uri) {
        let path: String = uri.path().chars().take(100).collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no route for {path}"),
        )
        .into_response()
    } else {
        render_status_page(StatusCode::NOT_FOUND, lang.0, state.config.demo)
    }
}

/// A known route asked with the wrong method.
pub async fn method_not_allowed(uri: Uri) -> Response {
    let e = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this method is not allowed here",
    );
    if is_api(&uri) {
        e.into_response()
    } else {
        (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response()
    }
}

/// A handler panicked: log it, answer 500 without detail.
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "something went wrong on our side",
    )
    .into_response()
}

/// A domain error answered as a page: 403 and 404 pages for refusals, the 500 page (cause
/// logged, never shown) for faults.
pub fn page_error(state: &crate::AppState, lang: crate::i18n::Lang, e: Error) -> Response {
    match status_of(&e) {
        StatusCode::FORBIDDEN => {
            crate::pages::render_message_page(state, lang, StatusCode::FORBIDDEN, "forbidden")
        }
        StatusCode::NOT_FOUND => render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
        s if s.is_server_error() => {
            tracing::error!(error = %e, "page failed");
            crate::pages::render_message_page(state, lang, s, "server_error")
        }
        // A centres refusal in the reader's language; others as the domain words them.
        s => {
            let words = crate::pages::centres_refusal::worded_error(lang, &e)
                .unwrap_or_else(|| e.to_string());
            (s, words).into_response()
        }
    }
}
