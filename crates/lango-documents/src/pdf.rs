//! An issued document as a PDF: the agency, the title, the body in English and Kiswahili,
//! the particulars, then the seal (the signed QR code, the number line, the verification
//! address). Built in two steps because the QR signs the text: [`body`] lays out the text
//! and hashes it, the caller seals the claims with that hash, and [`finish`] adds the seal.
//!
//! Each page's first content stream is its text; the seal is a second stream on the last
//! page. The SHA-256 of the text streams, in page order, is the document's `sha` claim, so
//! a verifier holding the file checks that its text is what was signed ([`crate::scan`]);
//! the seal holds nothing a verifier cannot draw again from the code and the trust list
//! (the QR image, the number, the address), so it is checked by drawing it again.
//! The standard Helvetica fonts are used, not embedded: a document stays a few kilobytes.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use sha2::{Digest, Sha256};

/// A4, in points.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
/// The page's size, as its `MediaBox` gives it.
pub const PAGE: (f32, f32) = (WIDTH, HEIGHT);
const MARGIN: f32 = 56.0;
/// The QR code's side on paper, in points (53 mm: read at arm's length by any phone).
const QR_SIDE: f32 = 150.0;
/// The lowest a text line goes: above the seal, which sits at the foot of the last page.
const FLOOR: f32 = MARGIN + QR_SIDE + 24.0;

/// A part of a document's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading line.
    Heading(String),
    /// A paragraph: its lines, each starting on a new line.
    Paragraph(Vec<String>),
}

/// What a document says, ready to lay out.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The issuing agency's name.
    pub agency: String,
    /// The document's title.
    pub title: String,
    /// The title in Kiswahili (may be empty).
    pub title_sw: String,
    /// The body in English.
    pub body: Vec<Block>,
    /// The body in Kiswahili (may be empty).
    pub body_sw: Vec<Block>,
    /// Label (in both languages) and value of each particular: number, holder, dates, key fields.
    pub particulars: Vec<(String, String)>,
}

/// What seals a laid-out document: the QR text and what is printed beside it.
#[derive(Debug, Clone, Default)]
pub struct Seal {
    /// The signed QR text (`LG1:…`).
    pub qr: String,
    /// The document number, printed large (the line a person types to check it).
    pub number: String,
    /// Where it can be checked online (the trust list's issuer + `/verify/` + number).
    pub url: String,
}

/// A laid-out body: one text stream a page, and their SHA-256.
#[derive(Debug, Clone)]
pub struct Body {
    pages: Vec<Vec<u8>>,
    title: String,
    /// The SHA-256 (hex) of the text streams, in page order: the document's `sha` claim.
    pub sha256: String,
}

/// The fonts, by resource name: regular, bold, oblique.
pub(crate) const FONTS: [(&str, &str); 3] = [
    ("F1", "Helvetica"),
    ("F2", "Helvetica-Bold"),
    ("F3", "Helvetica-Oblique"),
];

/// Lines of text placed on pages, top to bottom.
struct Pen {
    pages: Vec<Vec<Operation>>,
    y: f32,
    /// The lowest a line goes before the next page.
    floor: f32,
}

impl Pen {
    fn new(floor: f32) -> Pen {
        Pen {
            pages: vec![Vec::new()],
            y: HEIGHT - MARGIN,
            floor,
        }
    }

    /// Moves down by `by` points, starting a new page when the text would reach the floor.
    fn down(&mut self, by: f32) {
        self.y -= by;
        if self.y < self.floor {
            self.pages.push(Vec::new());
            self.y = HEIGHT - MARGIN - by;
        }
    }

    fn ops(&mut self) -> &mut Vec<Operation> {
        self.pages.last_mut().expect("a pen always has a page")
    }

    /// One line of text at `x` on the current line.
    fn text(&mut self, font: &str, size: f32, grey: bool, x: f32, s: &str) {
        let y = self.y;
        let shade = if grey { 0.31 } else { 0.04 };
        let ops = self.ops();
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new(
            "rg",
            vec![shade.into(), shade.into(), shade.into()],
        ));
        ops.push(Operation::new("Tf", vec![font.into(), size.into()]));
        ops.push(Operation::new("Td", vec![x.into(), y.into()]));
        ops.push(Operation::new("Tj", vec![literal(s)]));
        ops.push(Operation::new("ET", vec![]));
    }

    /// Wrapped text from `x`, `width` wide, one line every `leading` points.
    fn wrapped(&mut self, font: &str, size: f32, grey: bool, x: f32, width: f32, s: &str) {
        let leading = size * 1.35;
        for line in wrap(s, font == "F2", size, width) {
            self.down(leading);
            self.text(font, size, grey, x, &line);
        }
    }

    /// A horizontal rule across the text column.
    fn rule(&mut self, thickness: f32) {
        let y = self.y;
        let ops = self.ops();
        ops.push(Operation::new("w", vec![thickness.into()]));
        ops.push(Operation::new("m", vec![MARGIN.into(), y.into()]));
        ops.push(Operation::new("l", vec![(WIDTH - MARGIN).into(), y.into()]));
        ops.push(Operation::new("S", vec![]));
    }

    fn blocks(&mut self, blocks: &[Block], kiswahili: bool) {
        let (font, size) = if kiswahili {
            ("F3", 10.0)
        } else {
            ("F1", 11.0)
        };
        for block in blocks {
            match block {
                Block::Heading(h) => {
                    self.down(6.0);
                    self.wrapped("F2", size + 2.0, kiswahili, MARGIN, WIDTH - 2.0 * MARGIN, h);
                }
                Block::Paragraph(lines) => {
                    self.down(6.0);
                    for line in lines {
                        self.wrapped(font, size, kiswahili, MARGIN, WIDTH - 2.0 * MARGIN, line);
                    }
                }
            }
        }
    }
}

/// Lays out the document's text and hashes it.
pub fn body(layout: &Layout) -> Body {
    let column = WIDTH - 2.0 * MARGIN;
    let mut pen = Pen::new(FLOOR);
    pen.wrapped(
        "F2",
        10.0,
        false,
        MARGIN,
        column,
        &layout.agency.to_uppercase(),
    );
    pen.down(8.0);
    pen.wrapped("F2", 20.0, false, MARGIN, column, &layout.title);
    if !layout.title_sw.is_empty() {
        pen.wrapped("F3", 12.0, true, MARGIN, column, &layout.title_sw);
    }
    pen.down(10.0);
    pen.rule(2.0);
    pen.blocks(&layout.body, false);
    if !layout.body_sw.is_empty() {
        pen.down(10.0);
        pen.blocks(&layout.body_sw, true);
    }
    pen.down(14.0);
    pen.rule(0.5);
    for (label, value) in &layout.particulars {
        pen.down(4.0);
        // A row's label and value stay on one page.
        let rows = wrap(label, true, 9.5, 190.0)
            .len()
            .max(wrap(value, false, 10.5, column - 200.0).len());
        if pen.y - rows as f32 * 10.5 * 1.35 < pen.floor {
            pen.down(HEIGHT);
        }
        let top = pen.y;
        pen.wrapped("F2", 9.5, false, MARGIN, 190.0, label);
        let below_label = pen.y;
        pen.y = top;
        pen.wrapped("F1", 10.5, false, MARGIN + 200.0, column - 200.0, value);
        pen.y = pen.y.min(below_label);
    }
    let pages: Vec<Vec<u8>> = pen
        .pages
        .into_iter()
        .map(|operations| Content { operations }.encode().unwrap_or_default())
        .collect();
    Body {
        sha256: text_sha256(&pages),
        pages,
        title: layout.title.clone(),
    }
}

/// The SHA-256 (hex) of a document's text streams, in page order, each preceded by its
/// length (8 bytes, big-endian), so that no text moves from one page to another unseen.
pub fn text_sha256<B: AsRef<[u8]>>(pages: &[B]) -> String {
    let mut h = Sha256::new();
    for p in pages {
        h.update((p.as_ref().len() as u64).to_be_bytes());
        h.update(p.as_ref());
    }
    hex::encode(h.finalize())
}

/// The SHA-256 of `bytes`, hex.
pub fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// True when `text` fits a QR code of version 20 or lower at error correction M (about a
/// third of a page at the printed size): more means too many or too long key fields.
pub fn qr_fits(text: &str) -> bool {
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .is_ok_and(|c| matches!(c.version(), qrcode::Version::Normal(v) if v <= 20))
}

/// The seal's stream: the QR code at the foot of the page, the number line and the
/// verification address beside it. A verifier draws it again to compare ([`crate::scan`]).
pub fn seal_stream(seal: &Seal) -> Vec<u8> {
    let x = MARGIN + QR_SIDE + 16.0;
    let width = WIDTH - MARGIN - x;
    // Beside the QR code, which is as tall as the seal's text: never a page of its own.
    let mut pen = Pen::new(0.0);
    pen.y = MARGIN + QR_SIDE;
    let ops = pen.ops();
    ops.push(Operation::new("q", vec![]));
    ops.push(Operation::new(
        "cm",
        vec![
            QR_SIDE.into(),
            0.into(),
            0.into(),
            QR_SIDE.into(),
            MARGIN.into(),
            MARGIN.into(),
        ],
    ));
    ops.push(Operation::new("Do", vec!["QR".into()]));
    ops.push(Operation::new("Q", vec![]));
    pen.wrapped(
        "F2",
        9.0,
        false,
        x,
        width,
        "Document number / Nambari ya hati",
    );
    pen.down(4.0);
    pen.wrapped("F2", 16.0, false, x, width, &seal.number);
    pen.down(8.0);
    pen.wrapped(
        "F1",
        9.0,
        false,
        x,
        width,
        "Scan the code, or visit the address below, to check that this document is genuine.",
    );
    pen.wrapped(
        "F3",
        9.0,
        true,
        x,
        width,
        "Changanua msimbo, au tembelea anwani hii, kuthibitisha kwamba hati hii ni halali.",
    );
    pen.wrapped("F1", 9.0, false, x, width, &seal.url);
    let operations: Vec<Operation> = pen.pages.into_iter().flatten().collect();
    Content { operations }.encode().unwrap_or_default()
}

/// The QR code of `text` (error correction M) as grey pixels, one a module, with the
/// four-module quiet zone: `(side, pixels)`.
pub fn qr_pixels(text: &str) -> Option<(u32, Vec<u8>)> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let modules = code.width();
    let side = modules + 8;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            pixels[(i / modules + 4) * side + i % modules + 4] = 0;
        }
    }
    Some((side as u32, pixels))
}

/// The whole PDF: the body's pages, and the seal on the last one.
pub fn finish(body: Body, seal: &Seal) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut fonts = lopdf::Dictionary::new();
    for (name, base) in FONTS {
        let id = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => base,
            "Encoding" => "WinAnsiEncoding",
        });
        fonts.set(name, id);
    }
    let (side, pixels) = qr_pixels(&seal.qr).unwrap_or((1, vec![255]));
    let mut image = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => side as i64,
            "Height" => side as i64,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
            "Interpolate" => false,
        },
        pixels,
    );
    let _ = image.compress();
    let image_id = doc.add_object(image);
    let resources = doc.add_object(dictionary! {
        "Font" => fonts,
        "XObject" => dictionary! { "QR" => image_id },
    });
    let last = body.pages.len().saturating_sub(1);
    let mut kids = Vec::new();
    for (i, text) in body.pages.into_iter().enumerate() {
        let mut streams = vec![Object::Reference(add_stream(&mut doc, text))];
        if i == last {
            streams.push(Object::Reference(add_stream(&mut doc, seal_stream(seal))));
        }
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), WIDTH.into(), HEIGHT.into()],
            "Resources" => resources,
            "Contents" => streams,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info = doc.add_object(dictionary! {
        "Title" => literal(&format!("{} {}", body.title, seal.number)),
        "Producer" => literal("Lango"),
    });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = doc.save_to(&mut out);
    out
}

fn add_stream(doc: &mut Document, content: Vec<u8>) -> lopdf::ObjectId {
    let mut stream = Stream::new(dictionary! {}, content);
    let _ = stream.compress();
    doc.add_object(stream)
}

/// A PDF string in WinAnsiEncoding: Latin-1 as it is, typographic marks mapped, anything
/// the standard fonts cannot show as `?`.
fn literal(s: &str) -> Object {
    let bytes = s
        .chars()
        .map(|c| match c {
            ' '..='~' | '\u{a0}'..='\u{ff}' => c as u8,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2026}' => 0x85,
            '\u{20ac}' => 0x80,
            _ => b'?',
        })
        .collect::<Vec<u8>>();
    Object::String(bytes, StringFormat::Literal)
}

/// A character's width in Helvetica, in thousandths of the font size: close to the
/// font's metrics and never below them for the common letters, so lines stay in the column.
fn advance(c: char, bold: bool) -> f32 {
    let w: f32 = match c {
        ' ' | '.' | ',' | ':' | ';' | '!' | '\'' | '|' | 'i' | 'j' | 'l' => 280.0,
        'f' | 't' | 'I' | '/' | '-' | '(' | ')' | '[' | ']' => 340.0,
        'r' => 390.0,
        'm' | 'M' => 840.0,
        'w' => 730.0,
        'W' => 950.0,
        'A'..='Z' => 730.0,
        '0'..='9' | 'a'..='z' => 560.0,
        _ => 620.0,
    };
    if bold {
        w * 1.08
    } else {
        w
    }
}

/// Splits `s` into lines no wider than `width` points at `size`: at spaces, and inside a
/// word only when the word alone is wider than the line (a long address).
fn wrap(s: &str, bold: bool, size: f32, width: f32) -> Vec<String> {
    let measure = |t: &str| t.chars().map(|c| advance(c, bold)).sum::<f32>() * size / 1000.0;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if measure(&candidate) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if measure(&piece) > width {
                let last = piece.pop().unwrap_or(' ');
                lines.push(std::mem::take(&mut piece));
                piece.push(last);
            }
        }
        line = piece;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_their_column_and_lose_no_word() {
        let text = "A certified copy of the birth record of Wanjiku Akinyi Kamau, born on \
                    2001-02-03 in Nairobi, is ready at https://lango.example.go.ke/verify/LD-AAAA-BBBB.";
        let lines = wrap(text, false, 11.0, 200.0);
        assert!(lines.len() > 2);
        for l in &lines {
            let w: f32 = l.chars().map(|c| advance(c, false)).sum::<f32>() * 11.0 / 1000.0;
            assert!(w <= 200.0, "{l}");
        }
        // Every character is kept (a word longer than the line is split, not cut).
        let squeezed = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(lines.concat().replace(' ', ""), squeezed(text));
        assert_eq!(wrap("", false, 11.0, 100.0), vec![String::new()]);
        let long = "x".repeat(400);
        assert!(wrap(&long, true, 20.0, 100.0).iter().all(|l| !l.is_empty()));
    }

    #[test]
    fn text_outside_latin1_is_replaced_not_dropped() {
        let Object::String(bytes, _) = literal("Ngʼang’a — €5 Ω") else {
            panic!("a literal is a string");
        };
        assert_eq!(bytes, b"Ng?ang\x92a \x97 \x805 ?".to_vec());
    }
}
