//! Finding a document's QR text in what a verifier holds: the text itself, a PDF of the
//! document (its QR image decoded, its text streams hashed), or a photo (PNG or JPEG).
//! Files come from strangers: every layer has a limit, and a file that breaks the PDF
//! reader is a refusal, never a crash.

use crate::qr::PREFIX;
use crate::Invalid;
use std::io::Read;

/// The largest file read: far above any document (they are a few kilobytes) or phone photo.
pub const MAX_FILE: usize = 12 * 1024 * 1024;
/// Most bytes one PDF stream may inflate to.
const MAX_STREAM: u64 = 16 * 1024 * 1024;
/// Most pixels an image may have (a 24-megapixel photo).
const MAX_PIXELS: u64 = 24_000_000;
/// Photos are scaled down to this many pixels on their longer side before the QR search:
/// enough for a code that fills a tenth of the frame, and quick.
const SEARCH_SIDE: u32 = 1_600;

/// A QR text found in a file, and for a PDF the SHA-256 of its text streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The QR text (`LG1:…`).
    pub text: String,
    /// For a PDF, the SHA-256 (hex) of its pages' text streams (the `sha` a Lango PDF signs).
    pub text_sha256: Option<String>,
}

/// The QR text in `bytes`: a PDF, a PNG or JPEG photo, or text holding an `LG1:` code.
pub fn find(bytes: &[u8]) -> Result<Found, Invalid> {
    if bytes.len() > MAX_FILE {
        return Err(Invalid::Unreadable("the file is too large"));
    }
    if bytes.starts_with(b"%PDF") {
        return from_pdf(bytes);
    }
    if bytes.starts_with(b"\x89PNG") || bytes.starts_with(b"\xff\xd8") {
        return from_photo(bytes).map(|text| Found {
            text,
            text_sha256: None,
        });
    }
    from_text(bytes).map(|text| Found {
        text,
        text_sha256: None,
    })
}

/// The first `LG1:` code in text (a pasted message, an HTML copy of a document).
pub fn from_text(bytes: &[u8]) -> Result<String, Invalid> {
    let prefix = PREFIX.as_bytes();
    let at = bytes
        .windows(prefix.len())
        .position(|w| w == prefix)
        .ok_or(Invalid::NoCode)?;
    // Base45's alphabet: digits, capitals and " $%*+-./:".
    let code: String = bytes[at..]
        .iter()
        .take(crate::qr::MAX_TEXT + 1)
        .take_while(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(b))
        .map(|b| char::from(*b))
        .collect();
    Ok(code.trim_end().to_string())
}

/// The QR text in a photo of a document.
pub fn from_photo(bytes: &[u8]) -> Result<String, Invalid> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Invalid::Unreadable("not an image"))?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|_| Invalid::Unreadable("not a PNG or JPEG image"))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Invalid::Unreadable("the image is too large"));
    }
    let picture = image::load_from_memory(bytes)
        .map_err(|_| Invalid::Unreadable("not a PNG or JPEG image"))?;
    let picture = if w.max(h) > SEARCH_SIDE {
        picture.resize(
            SEARCH_SIDE,
            SEARCH_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        picture
    };
    let grey = picture.to_luma8();
    decode(grey.width(), grey.height(), 1, |x, y| {
        grey.get_pixel(x, y).0[0]
    })
}

/// Runs the QR reader over a grey image, each pixel drawn `scale` times in both directions
/// (a PDF's QR image has one pixel a module; the reader needs several).
fn decode(
    width: u32,
    height: u32,
    scale: u32,
    pixel: impl Fn(u32, u32) -> u8,
) -> Result<String, Invalid> {
    let (w, h) = ((width * scale) as usize, (height * scale) as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        pixel(x as u32 / scale, y as u32 / scale)
    });
    let mut other = None;
    for grid in prepared.detect_grids() {
        if let Ok((_, text)) = grid.decode() {
            if text.starts_with(PREFIX) {
                return Ok(text);
            }
            other = Some(text);
        }
    }
    Err(match other {
        Some(_) => Invalid::Prefix,
        None => Invalid::NoCode,
    })
}

/// The QR text of a PDF (its images read until one holds a Lango code) and the SHA-256 of
/// its text streams.
pub fn from_pdf(bytes: &[u8]) -> Result<Found, Invalid> {
    guarded(bytes, |doc| {
        Ok(Found {
            text: pdf_code(doc)?,
            text_sha256: Some(pdf_text_sha256(doc)?),
        })
    })
}

/// The SHA-256 (hex) of a PDF's text streams (each page's first content stream, in page
/// order): what a PDF that Lango made signs.
pub fn text_sha256(bytes: &[u8]) -> Result<String, Invalid> {
    guarded(bytes, pdf_text_sha256)
}

/// Runs `read` over the parsed PDF. The PDF reader is not proven against every hostile
/// file: a panic in it is a refusal, as any other unreadable file.
fn guarded<T>(
    bytes: &[u8],
    read: fn(&lopdf::Document) -> Result<T, Invalid>,
) -> Result<T, Invalid> {
    if bytes.len() > MAX_FILE {
        return Err(Invalid::Unreadable("the file is too large"));
    }
    std::panic::catch_unwind(|| {
        let doc = lopdf::Document::load_mem(bytes)
            .map_err(|_| Invalid::Unreadable("not a readable PDF"))?;
        read(&doc)
    })
    .unwrap_or(Err(Invalid::Unreadable("not a readable PDF")))
}

fn pdf_text_sha256(doc: &lopdf::Document) -> Result<String, Invalid> {
    let mut texts = Vec::new();
    for page in doc.get_pages().values() {
        if let Some(first) = doc.get_page_contents(*page).first() {
            let stream = doc
                .get_object(*first)
                .and_then(lopdf::Object::as_stream)
                .map_err(|_| Invalid::Unreadable("a page has no text stream"))?;
            texts.push(inflate(stream)?);
        }
    }
    Ok(crate::pdf::text_sha256(&texts))
}

fn pdf_code(doc: &lopdf::Document) -> Result<String, Invalid> {
    let mut why = Invalid::NoCode;
    for page in doc.get_pages().values() {
        for image in page_images(doc, *page) {
            match image_text(doc, image) {
                Ok(text) => return Ok(text),
                Err(e) if why == Invalid::NoCode => why = e,
                Err(_) => {}
            }
        }
    }
    Err(why)
}

/// The image XObjects a page's resources name.
fn page_images(doc: &lopdf::Document, page: lopdf::ObjectId) -> Vec<&lopdf::Stream> {
    let (own, inherited) = doc.get_page_resources(page).unwrap_or((None, Vec::new()));
    let mut dicts: Vec<&lopdf::Dictionary> = own.into_iter().collect();
    dicts.extend(
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    );
    let mut images = Vec::new();
    for resources in dicts {
        let Ok(xobjects) = resources
            .get(b"XObject")
            .and_then(|o| doc.dereference(o).map(|(_, o)| o))
            .and_then(lopdf::Object::as_dict)
        else {
            continue;
        };
        for (_, object) in xobjects.iter() {
            let Ok((_, lopdf::Object::Stream(s))) = doc.dereference(object) else {
                continue;
            };
            if s.dict.get(b"Subtype").and_then(lopdf::Object::as_name).ok() == Some(b"Image") {
                images.push(s);
            }
        }
    }
    images
}

/// The QR text in one image XObject: grey or RGB pixels (zlib or none), or a JPEG.
fn image_text(doc: &lopdf::Document, image: &lopdf::Stream) -> Result<String, Invalid> {
    let number = |key: &[u8]| {
        image
            .dict
            .get(key)
            .and_then(|o| doc.dereference(o).map(|(_, o)| o))
            .and_then(lopdf::Object::as_i64)
            .ok()
    };
    let (Some(w), Some(h)) = (number(b"Width"), number(b"Height")) else {
        return Err(Invalid::Unreadable("an image has no size"));
    };
    let (w, h) = (u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0));
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Invalid::Unreadable("an image is empty or too large"));
    }
    let filters = image.filters().unwrap_or_default();
    if filters.iter().any(|f| f == b"DCTDecode") {
        return from_photo(&image.content);
    }
    let pixels = inflate(image)?;
    let channels = match pixels.len() as u64 / (u64::from(w) * u64::from(h)) {
        1 => 1,
        3 => 3,
        _ => return Err(Invalid::Unreadable("an image of a kind not read")),
    };
    let scale = (400 / w.min(h)).clamp(1, 8);
    decode(w, h, scale, |x, y| {
        let at = ((y * w + x) * channels) as usize;
        let px = &pixels[at..at + channels as usize];
        // Luma from RGB, or the grey value itself.
        (px.iter().map(|v| u32::from(*v)).sum::<u32>() / channels) as u8
    })
}

/// A stream's bytes: as stored, or inflated (zlib) with a cap.
fn inflate(stream: &lopdf::Stream) -> Result<Vec<u8>, Invalid> {
    let filters = stream.filters().unwrap_or_default();
    match filters.as_slice() {
        [] => Ok(stream.content.clone()),
        [f] if f == b"FlateDecode" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(stream.content.as_slice())
                .take(MAX_STREAM + 1)
                .read_to_end(&mut out)
                .map_err(|_| Invalid::Unreadable("a PDF stream is damaged"))?;
            if out.len() as u64 > MAX_STREAM {
                return Err(Invalid::Unreadable("a PDF stream inflates too far"));
            }
            Ok(out)
        }
        _ => Err(Invalid::Unreadable("a PDF stream of a kind not read")),
    }
}
