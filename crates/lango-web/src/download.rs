//! Downloads: one way for the citizen's pages, the workbench and the API to hand out bytes
//! people uploaded or Lango issued, and one for the files Lango makes (exports).

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use lango_cases::definition::FileAnswer;

/// How a document reaches the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Always saved as a file.
    Attachment,
    /// Issued HTML documents open in the browser (sandboxed); everything else is saved.
    InlineHtml,
}

/// A stored document: its checked type, a safe file name, never cached, never sniffed, and
/// a policy under which it runs nothing and loads nothing.
pub fn document(file: &FileAnswer, bytes: Vec<u8>, show: Show) -> Response {
    let html = file.content_type.starts_with("text/html");
    let content_type = match file.content_type.as_str() {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ if html => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    let kind = if html && show == Show::InlineHtml {
        "inline"
    } else {
        "attachment"
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition(kind, &file.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    res
}

/// A file Lango makes for the reader (an export, a definition) saved under `name`, a name
/// Lango chose (ASCII, no quotes), and never cached.
pub fn file(body: impl IntoResponse, content_type: &'static str, name: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// `Content-Disposition` with an ASCII name any browser takes and the exact UTF-8 name.
fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let ascii = if ascii.trim().is_empty() {
        "document".to_string()
    } else {
        ascii
    };
    let utf8: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8.replace('+', "%20")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn download_names_are_safe() {
        let d = super::disposition("attachment", "ki\"t\r\nabu.pdf");
        assert!(
            d.starts_with("attachment; filename=\"ki_t__abu.pdf\""),
            "{d}"
        );
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(super::disposition("inline", "").contains("filename=\"document\""));
    }
}
