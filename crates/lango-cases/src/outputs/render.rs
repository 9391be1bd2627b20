//! Rendering an output: the definition's template filled in (every answer escaped) inside
//! a self-contained HTML page, and the verification block (link, code, QR code) around the
//! signed `<main>` part.

use super::{code_of, verify_url};
use crate::application::Application;
use crate::definition::model::{FieldDef, OutputDef};

/// What the template's placeholders stand for.
pub(super) struct Values<'a> {
    pub(super) app: &'a Application,
    pub(super) applicant_name: &'a str,
    pub(super) service_name: &'a str,
    pub(super) issued_on: &'a str,
    pub(super) valid_until: Option<&'a str>,
    pub(super) fields: Option<&'a crate::Definition>,
}

impl Values<'_> {
    fn get(&self, name: &str) -> String {
        match name {
            "reference" => self.app.reference.clone(),
            "applicant.name" => self.applicant_name.to_string(),
            "issued_on" => self.issued_on.to_string(),
            "valid_until" => self.valid_until.unwrap_or("").to_string(),
            "service" => self.service_name.to_string(),
            _ => match name.strip_prefix("answers.") {
                Some(field) => self.answer(field),
                None => String::new(),
            },
        }
    }

    fn answer(&self, field: &str) -> String {
        let Some(value) = self.app.answers.get(field) else {
            return String::new();
        };
        if let Some(def) = self.fields.and_then(|d| find_field(d, field)) {
            return self
                .fields
                .map(|d| d.display(def, value, "en"))
                .unwrap_or_default();
        }
        plain(value)
    }
}

fn find_field<'a>(definition: &'a crate::Definition, id: &str) -> Option<&'a FieldDef> {
    definition
        .file()
        .pages
        .iter()
        .flat_map(|p| p.fields.iter())
        .find(|f| f.id == id)
}

/// An answer as text when its field is unknown.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(o) => o.get("name").map(plain).unwrap_or_default(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Escapes text for HTML (content and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of the template with its placeholders filled in, all of it escaped.
fn fill(line: &str, values: &Values<'_>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        out.push_str(&escape(&rest[..open]));
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                out.push_str(&escape(&values.get(after[..close].trim())));
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&escape(&rest[open..]));
                rest = "";
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// The signed part: the agency, the title, the body from the template, the particulars.
pub(super) fn render_main(
    output: &OutputDef,
    values: &Values<'_>,
    agency_name: &str,
    number: &str,
) -> String {
    let mut body = String::new();
    let mut paragraph: Vec<String> = Vec::new();
    let flush = |paragraph: &mut Vec<String>, body: &mut String| {
        if !paragraph.is_empty() {
            body.push_str(&format!("<p>{}</p>\n", paragraph.join("<br>\n")));
            paragraph.clear();
        }
    };
    for line in output.template.lines() {
        let line = line.trim();
        if line.is_empty() {
            flush(&mut paragraph, &mut body);
        } else if let Some(heading) = line.strip_prefix("# ") {
            flush(&mut paragraph, &mut body);
            body.push_str(&format!("<h2>{}</h2>\n", fill(heading, values)));
        } else {
            paragraph.push(fill(line, values));
        }
    }
    flush(&mut paragraph, &mut body);
    let valid = values
        .valid_until
        .map(|v| format!("<dt>Valid until</dt><dd>{}</dd>\n", escape(v)))
        .unwrap_or_default();
    format!(
        "<main id=\"document\">\n<header>\n<p class=\"agency\">{agency}</p>\n<h1>{title}</h1>\n\
         <p class=\"service\">{service}</p>\n</header>\n<section class=\"body\">\n{body}</section>\n\
         <dl class=\"particulars\">\n<dt>Document number</dt><dd>{number}</dd>\n\
         <dt>Application reference</dt><dd>{reference}</dd>\n<dt>Issued to</dt><dd>{holder}</dd>\n\
         <dt>Issued on</dt><dd>{issued_on}</dd>\n{valid}</dl>\n</main>",
        agency = escape(agency_name),
        title = escape(&output.title.en),
        service = escape(values.service_name),
        number = escape(number),
        reference = escape(&values.app.reference),
        holder = escape(values.applicant_name),
        issued_on = escape(values.issued_on),
    )
}

/// The whole self-contained page: the signed `<main>` and the verification block.
/// The QR code of `text` (error correction M) as an inline SVG element at least `px` wide,
/// with `label` as its text alternative: no script, no image service.
pub fn qr_svg(text: &str, label: &str, px: u32) -> String {
    if text.is_empty() {
        return String::new();
    }
    let svg = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(px, px)
                .build()
        })
        .unwrap_or_default();
    let svg = svg
        .strip_prefix(r#"<?xml version="1.0" standalone="yes"?>"#)
        .unwrap_or(&svg);
    let label = escape(label);
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    )
}

pub(super) fn page(
    title: &str,
    number: &str,
    main: &str,
    signature: &str,
    public_url: &str,
    sealed: &str,
) -> String {
    let url = verify_url(public_url, number);
    // The signed code when there is one (checked offline), else the verification address.
    let coded = if sealed.is_empty() { &url } else { sealed };
    let qr = qr_svg(coded, "Signed QR code of this document", 140);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} {number}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{main}\n\
         <aside class=\"verify\" aria-label=\"Verification\">\n{qr}\n<div>\n\
         <p>Check that this document is genuine at <a href=\"{url}\">{url}</a>.</p>\n\
         <p>Document number: <strong>{number}</strong><br>\nVerification code: <strong>{code}</strong></p>\n\
         <p class=\"sealed\">{sealed}</p>\n</div>\n</aside>\n</body>\n</html>\n",
        title = escape(title),
        number = escape(number),
        url = escape(&url),
        code = escape(&code_of(signature)),
        sealed = escape(sealed),
    )
}

const STYLE: &str = "body{font-family:Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c}\
header{border-bottom:3px solid #0b0c0c;margin-bottom:1.5rem}.agency{font-weight:bold;text-transform:uppercase;letter-spacing:.05em}\
h1{font-size:1.8rem;margin:.3rem 0}h2{font-size:1.2rem}.particulars{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}\
dt{font-weight:bold}dd{margin:0}.verify{display:flex;gap:1rem;align-items:center;border-top:1px solid #b1b4b6;margin-top:2rem;padding-top:1rem;font-family:sans-serif;font-size:.9rem}\
.sealed{font-family:monospace;font-size:.6rem;word-break:break-all;color:#505a5f}@media print{a{color:inherit;text-decoration:none}}";

pub(crate) fn slug(title: &str) -> String {
    let s: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "document".into()
    } else {
        s
    }
}

/// The `<main>` part of a rendered document, whose hash is signed.
pub fn main_part(html: &str) -> Option<&str> {
    let start = html.find("<main id=\"document\">")?;
    let end = html[start..].find("</main>")? + start + "</main>".len();
    Some(&html[start..end])
}
