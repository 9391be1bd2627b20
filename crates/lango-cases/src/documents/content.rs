//! What a file is, judged by its bytes alone: magic numbers and structure, never the name.
//! A PDF that carries active content (scripts, launch actions, embedded files) is refused
//! even when it is otherwise well formed, including when it hides them in compressed streams.

use std::io::Read;

/// The kinds of document Lango accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `application/pdf`
    Pdf,
    /// `image/png`
    Png,
    /// `image/jpeg`
    Jpeg,
}

impl Kind {
    /// The media type stored and served.
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
        }
    }

    /// The name definitions use in `accept`.
    pub fn accept_name(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Png => "png",
            Kind::Jpeg => "jpeg",
        }
    }
}

/// What the content turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A well-formed document of this kind.
    Is(Kind),
    /// A PDF with scripts, launch actions or embedded files.
    ActivePdf,
    /// Not a kind Lango accepts (or a broken one).
    Unknown,
}

/// Judges `bytes` by their content.
pub fn sniff(bytes: &[u8]) -> Verdict {
    if bytes.starts_with(b"%PDF-") {
        if !pdf_structure(bytes) {
            return Verdict::Unknown;
        }
        return if pdf_is_active(bytes) {
            Verdict::ActivePdf
        } else {
            Verdict::Is(Kind::Pdf)
        };
    }
    if is_png(bytes) {
        return Verdict::Is(Kind::Png);
    }
    if is_jpeg(bytes) {
        return Verdict::Is(Kind::Jpeg);
    }
    Verdict::Unknown
}

/// A PDF ends with `%%EOF` (perhaps followed by line ends) and has a version after `%PDF-`.
fn pdf_structure(bytes: &[u8]) -> bool {
    let version = bytes.get(5..8).unwrap_or_default();
    if !(version.len() == 3
        && version[0].is_ascii_digit()
        && version[1] == b'.'
        && version[2].is_ascii_digit())
    {
        return false;
    }
    let tail_start = bytes.len().saturating_sub(1024).max(8);
    let tail = &bytes[tail_start..];
    let trimmed = trim_end(tail);
    trimmed.ends_with(b"%%EOF")
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !matches!(c, b'\r' | b'\n' | b' ' | b'\t' | 0))
        .map_or(0, |i| i + 1);
    &b[..end]
}

/// PDF names that make a document do something when opened or carry other files.
const ACTIVE: [&[u8]; 6] = [
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
];

/// At most this much inflated stream data is examined, so a compression bomb cannot
/// exhaust memory (a PDF whose streams inflate to more is refused as unknown).
const INFLATE_BUDGET: usize = 64 * 1024 * 1024;

fn pdf_is_active(bytes: &[u8]) -> bool {
    if has_active_name(bytes) {
        return true;
    }
    // Compressed object streams can hide the same names: inflate every stream and look.
    let mut budget = INFLATE_BUDGET;
    let mut rest = bytes;
    while let Some(at) = find(rest, b"stream") {
        let after = &rest[at + 6..];
        // `endstream` also contains `stream`: skip it.
        if at >= 3 && &rest[at - 3..at] == b"end" {
            rest = after;
            continue;
        }
        let body = after
            .strip_prefix(b"\r\n")
            .or_else(|| after.strip_prefix(b"\n"))
            .unwrap_or(after);
        let end = find(body, b"endstream").unwrap_or(body.len());
        let data = &body[..end];
        let mut out = Vec::new();
        let limit = budget as u64 + 1;
        let inflated = flate2::read::ZlibDecoder::new(data)
            .take(limit)
            .read_to_end(&mut out);
        if inflated.is_ok() || !out.is_empty() {
            if out.len() > budget {
                return true;
            }
            budget -= out.len();
            if has_active_name(&out) {
                return true;
            }
        }
        rest = &body[end..];
    }
    false
}

/// Looks for `/NAME` among [`ACTIVE`], decoding `#xx` escapes in names (`/J#61vaScript`).
fn has_active_name(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = find(&bytes[i..], b"/") {
        let start = i + at + 1;
        let mut name = Vec::new();
        let mut j = start;
        while j < bytes.len() && name.len() < 64 {
            let c = bytes[j];
            if is_delimiter(c) {
                break;
            }
            if c == b'#' && j + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[j + 1..j + 3]).ok();
                if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    name.push(v);
                    j += 3;
                    continue;
                }
            }
            name.push(c);
            j += 1;
        }
        if ACTIVE.contains(&name.as_slice()) {
            return true;
        }
        i = start.max(j);
        if i >= bytes.len() {
            break;
        }
    }
    false
}

fn is_delimiter(c: u8) -> bool {
    matches!(
        c,
        b'/' | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'%'
            | b' '
            | b'\r'
            | b'\n'
            | b'\t'
            | 0
            | 0x0c
    )
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// The PNG signature, an IHDR first with a non-zero size, chunks that fit, IEND last.
fn is_png(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&PNG_SIGNATURE) {
        return false;
    }
    let mut at = 8usize;
    let mut first = true;
    loop {
        let Some(header) = bytes.get(at..at + 8) else {
            return false;
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return false;
        }
        let Some(end) = at.checked_add(12).and_then(|v| v.checked_add(len)) else {
            return false;
        };
        if end > bytes.len() {
            return false;
        }
        if first {
            if kind != b"IHDR" || len != 13 {
                return false;
            }
            let width = &bytes[at + 8..at + 12];
            let height = &bytes[at + 12..at + 16];
            if width == [0; 4] || height == [0; 4] {
                return false;
            }
            first = false;
        }
        if kind == b"IEND" {
            return len == 0 && end == bytes.len();
        }
        at = end;
    }
}

/// SOI, marker segments with consistent lengths, a frame header (SOFn) before the scan,
/// and EOI at the end.
fn is_jpeg(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return false;
    }
    let trimmed = trim_end(bytes);
    if trimmed.len() < 4 || !trimmed.ends_with(&[0xFF, 0xD9]) {
        return false;
    }
    let mut at = 2usize;
    let mut frame = false;
    loop {
        let Some(&[ff, mut marker]) = bytes.get(at..at + 2) else {
            return false;
        };
        if ff != 0xFF {
            return false;
        }
        // Fill bytes: any number of 0xFF before a marker.
        let mut skip = at + 1;
        while marker == 0xFF {
            skip += 1;
            match bytes.get(skip) {
                Some(&m) => marker = m,
                None => return false,
            }
        }
        at = skip + 1;
        match marker {
            0xD9 => return false,
            0xD0..=0xD7 | 0x01 => continue,
            _ => {}
        }
        let Some(len) = bytes
            .get(at..at + 2)
            .map(|l| u16::from_be_bytes([l[0], l[1]]) as usize)
        else {
            return false;
        };
        if len < 2 || at + len > trimmed.len() {
            return false;
        }
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            frame = true;
        }
        if marker == 0xDA {
            // The scan's entropy-coded data runs to the EOI checked above.
            return frame && at + len < trimmed.len() - 2 + 1;
        }
        at += len;
    }
}

#[cfg(test)]
pub(crate) mod samples {
    //! Small well-formed files for tests.

    /// A minimal PDF with no active content.
    pub fn pdf() -> Vec<u8> {
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF".to_vec()
    }

    /// A 1×1 PNG.
    pub fn png() -> Vec<u8> {
        let mut v = super::PNG_SIGNATURE.to_vec();
        v.extend([0, 0, 0, 13]);
        v.extend(b"IHDR");
        v.extend([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        v.extend([0x90, 0x77, 0x53, 0xDE]);
        v.extend([0, 0, 0, 12]);
        v.extend(b"IDAT");
        v.extend([
            0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00,
        ]);
        v.extend([0x18, 0xDD, 0x8D, 0xB0]);
        v.extend([0, 0, 0, 0]);
        v.extend(b"IEND");
        v.extend([0xAE, 0x42, 0x60, 0x82]);
        v
    }

    /// A structurally complete baseline JPEG (SOI, APP0, DQT, SOF0, DHT, SOS, data, EOI).
    pub fn jpeg() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend([0xFF, 0xE0, 0x00, 0x10]);
        v.extend(b"JFIF\0");
        v.extend([1, 1, 0, 0, 1, 0, 1, 0, 0]);
        v.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        v.extend([1u8; 64]);
        v.extend([0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        v.extend([0xFF, 0xC4, 0x00, 0x14, 0x00]);
        v.extend([1u8]);
        v.extend([0u8; 15]);
        v.extend([0u8]);
        v.extend([0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0]);
        v.extend([0x7F, 0xA0]);
        v.extend([0xFF, 0xD9]);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn well_formed_files_are_recognised() {
        assert_eq!(sniff(&samples::pdf()), Verdict::Is(Kind::Pdf));
        assert_eq!(sniff(&samples::png()), Verdict::Is(Kind::Png));
        assert_eq!(sniff(&samples::jpeg()), Verdict::Is(Kind::Jpeg));
    }

    #[test]
    fn broken_or_foreign_files_are_not() {
        assert_eq!(sniff(b"MZ\x90\x00\x03\x00\x00\x00"), Verdict::Unknown);
        assert_eq!(sniff(b""), Verdict::Unknown);
        let pdf = samples::pdf();
        assert_eq!(sniff(&pdf[..pdf.len() - 8]), Verdict::Unknown, "no %%EOF");
        let png = samples::png();
        assert_eq!(sniff(&png[..png.len() - 12]), Verdict::Unknown, "no IEND");
        let jpeg = samples::jpeg();
        assert_eq!(sniff(&jpeg[..jpeg.len() - 2]), Verdict::Unknown, "no EOI");
        assert_eq!(sniff(b"%PDF-1.7 just text"), Verdict::Unknown);
    }

    #[test]
    fn active_pdfs_are_refused_even_when_hidden() {
        let with = |s: &str| {
            let mut v = b"%PDF-1.7\n".to_vec();
            v.extend(s.as_bytes());
            v.extend(b"\n%%EOF\n");
            v
        };
        for active in [
            "1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj",
            "1 0 obj << /S /JS (x) >> endobj",
            "1 0 obj << /S /Launch /F (cmd.exe) >> endobj",
            "1 0 obj << /Names << /EmbeddedFiles 2 0 R >> >> endobj",
            "1 0 obj << /S /J#61vaScript >> endobj",
        ] {
            assert_eq!(sniff(&with(active)), Verdict::ActivePdf, "{active}");
        }
        // An OpenAction that only opens a page is fine; so is a name merely starting with JS.
        assert_eq!(
            sniff(&with(
                "1 0 obj << /OpenAction [3 0 R /Fit] /JSON 1 >> endobj"
            )),
            Verdict::Is(Kind::Pdf)
        );
        // Hidden in a compressed stream.
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, b"<< /S /JavaScript /JS (evil) >>").unwrap();
        let packed = z.finish().unwrap();
        let mut v =
            b"%PDF-1.7\n1 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n".to_vec();
        v.extend(&packed);
        v.extend(b"\nendstream\nendobj\n%%EOF\n");
        assert_eq!(sniff(&v), Verdict::ActivePdf);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_nor_pass_for_what_they_are_not(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            match sniff(&bytes) {
                Verdict::Is(Kind::Pdf) | Verdict::ActivePdf => prop_assert!(bytes.starts_with(b"%PDF-")),
                Verdict::Is(Kind::Png) => prop_assert!(bytes.starts_with(&PNG_SIGNATURE)),
                Verdict::Is(Kind::Jpeg) => prop_assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && trim_end(&bytes).ends_with(&[0xFF, 0xD9])),
                Verdict::Unknown => {}
            }
        }

        #[test]
        fn a_real_header_with_arbitrary_rest_is_only_ever_its_own_kind(rest in proptest::collection::vec(any::<u8>(), 0..512), which in 0usize..3) {
            let head: &[u8] = match which { 0 => b"%PDF-1.4\n", 1 => &PNG_SIGNATURE, _ => &[0xFF, 0xD8, 0xFF] };
            let mut bytes = head.to_vec();
            bytes.extend(&rest);
            let verdict = sniff(&bytes);
            let allowed = match which {
                0 => matches!(verdict, Verdict::Is(Kind::Pdf) | Verdict::ActivePdf | Verdict::Unknown),
                1 => matches!(verdict, Verdict::Is(Kind::Png) | Verdict::Unknown),
                _ => matches!(verdict, Verdict::Is(Kind::Jpeg) | Verdict::Unknown),
            };
            prop_assert!(allowed, "{verdict:?}");
        }

        #[test]
        fn truncated_real_files_are_never_accepted(cut in 1usize..60, which in 0usize..3) {
            let full = match which { 0 => samples::pdf(), 1 => samples::png(), _ => samples::jpeg() };
            let cut = cut.min(full.len() - 1);
            let verdict = sniff(&full[..full.len() - cut]);
            prop_assert_eq!(verdict, Verdict::Unknown);
        }
    }
}
