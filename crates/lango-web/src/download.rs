//! Stored documents as downloads: one way for the pages and the API to hand out bytes
//! people uploaded or Lango issued.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use lango_cases::definition::FileAnswer;

/// A stored document as a download: its checked type, a safe file name, never cached.
pub fn document(file: &FileAnswer, bytes: Vec<u8>) -> Response {
    let content_type = match file.content_type.as_str() {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        // Documents Lango issues are HTML pages: downloaded, never shown inline here.
        t if t.starts_with("text/html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    let name: String = file
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(100)
        .collect();
    let name = if name.trim().is_empty() {
        "document".to_string()
    } else {
        name
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
        ),
    );
    res
}
