//! Laying out an output: the definition's template filled in, in English and Kiswahili,
//! the particulars and key fields labelled in both, ready for the PDF
//! (`lango_documents::pdf`). Also the QR code as inline SVG, for pages that show one.

use crate::application::Application;
use crate::definition::model::{FieldDef, OutputDef};
use lango_core::country::in_local as local;
use lango_documents::pdf::{Block, Layout};

/// What the template's placeholders stand for.
pub(crate) struct Values<'a> {
    pub(crate) app: &'a Application,
    pub(crate) applicant_name: &'a str,
    pub(crate) service_name: &'a str,
    pub(crate) issued_on: &'a str,
    pub(crate) valid_until: Option<&'a str>,
    pub(crate) fields: Option<&'a crate::Definition>,
}

impl Values<'_> {
    /// A placeholder's value in `lang` (answers as the document prints them).
    fn get(&self, name: &str, lang: &str) -> String {
        match name {
            "reference" => self.app.reference.clone(),
            "applicant.name" => self.applicant_name.to_string(),
            "issued_on" => self.issued_on.to_string(),
            "valid_until" => self.valid_until.unwrap_or("").to_string(),
            "service" => self.service_name.to_string(),
            _ => match name.strip_prefix("answers.") {
                Some(field) => self.answer(field, lang),
                None => String::new(),
            },
        }
    }

    fn answer(&self, field: &str, lang: &str) -> String {
        let Some(value) = self.app.answers.get(field) else {
            return String::new();
        };
        match self
            .fields
            .and_then(|d| find_field(d, field).map(|f| (d, f)))
        {
            Some((d, def)) => d.printed(def, value, lang),
            None => plain(value),
        }
    }

    /// A line of a template with its placeholders filled in.
    pub(crate) fn fill(&self, line: &str, lang: &str) -> String {
        let mut out = String::new();
        let mut rest = line;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            match after.find("}}") {
                Some(close) => {
                    out.push_str(&self.get(after[..close].trim(), lang));
                    rest = &after[close + 2..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A template as the document's blocks: blank lines part paragraphs, `# ` starts a heading.
    pub(crate) fn blocks(&self, template: &str, lang: &str) -> Vec<Block> {
        let mut blocks = Vec::new();
        let mut paragraph: Vec<String> = Vec::new();
        for line in template.lines().map(str::trim) {
            if line.is_empty() || line.starts_with("# ") {
                if !paragraph.is_empty() {
                    blocks.push(Block::Paragraph(std::mem::take(&mut paragraph)));
                }
                if let Some(heading) = line.strip_prefix("# ") {
                    blocks.push(Block::Heading(self.fill(heading, lang)));
                }
            } else {
                paragraph.push(self.fill(line, lang));
            }
        }
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph));
        }
        blocks
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

/// A label in both languages, as the particulars print them: `Issued to / Imetolewa kwa`.
pub(crate) fn both(en: &str, sw: Option<&str>) -> String {
    match sw.filter(|s| !s.is_empty() && *s != en) {
        Some(sw) => format!("{en} / {sw}"),
        None => en.to_string(),
    }
}

/// What every document prints under its body, labelled in both languages: its number, the
/// application's reference (when it has one), the holder, their masked ID number, the key
/// fields, the dates.
pub(crate) struct Particulars<'a> {
    pub(crate) number: &'a str,
    pub(crate) reference: Option<&'a str>,
    pub(crate) holder: &'a str,
    pub(crate) holder_id: &'a str,
    pub(crate) key_fields: &'a [(String, String)],
    pub(crate) issued_on: &'a str,
    pub(crate) valid_until: Option<&'a str>,
}

impl Particulars<'_> {
    /// Label and value of each, in print order.
    pub(crate) fn rows(&self) -> Vec<(String, String)> {
        let mut rows = vec![(
            both(
                "Document number",
                Some(local(
                    "Nambari ya hati",
                    "Nombor dokumen",
                    "Document number",
                )),
            ),
            self.number.to_string(),
        )];
        if let Some(r) = self.reference {
            rows.push((
                both(
                    "Application reference",
                    Some(local(
                        "Kumbukumbu ya ombi",
                        "Rujukan permohonan",
                        "Application reference",
                    )),
                ),
                r.to_string(),
            ));
        }
        rows.push((
            both(
                "Issued to",
                Some(local("Imetolewa kwa", "Dikeluarkan kepada", "Issued to")),
            ),
            self.holder.to_string(),
        ));
        if !self.holder_id.is_empty() {
            rows.push((
                both(
                    "ID number",
                    Some(local(
                        "Nambari ya kitambulisho",
                        "Nombor pengenalan",
                        "ID number",
                    )),
                ),
                self.holder_id.to_string(),
            ));
        }
        rows.extend(self.key_fields.iter().cloned());
        rows.push((
            both(
                "Issued on",
                Some(local(
                    "Tarehe ya kutolewa",
                    "Tarikh dikeluarkan",
                    "Issued on",
                )),
            ),
            self.issued_on.to_string(),
        ));
        if let Some(v) = self.valid_until {
            rows.push((
                both(
                    "Valid until",
                    Some(local("Halali hadi", "Sah sehingga", "Valid until")),
                ),
                v.to_string(),
            ));
        }
        rows
    }
}

/// The output laid out: agency, title, body in both languages, particulars.
pub(super) fn layout(
    output: &OutputDef,
    values: &Values<'_>,
    agency_name: &str,
    particulars: &Particulars<'_>,
) -> Layout {
    Layout {
        agency: agency_name.to_string(),
        title: output.title.en.clone(),
        title_sw: output.title.sw.clone().unwrap_or_default(),
        body: values.blocks(&output.template, "en"),
        body_sw: output
            .template_sw
            .as_deref()
            .map(|t| {
                let local = lango_core::country::current().local_language();
                values.blocks(t, local.unwrap_or("sw"))
            })
            .unwrap_or_default(),
        particulars: particulars.rows(),
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

/// The `<main>` part of a document issued as HTML (before documents were PDFs), whose hash
/// is signed: such documents keep verifying online.
pub fn main_part(html: &str) -> Option<&str> {
    let start = html.find("<main id=\"document\">")?;
    let end = html[start..].find("</main>")? + start + "</main>".len();
    Some(&html[start..end])
}
