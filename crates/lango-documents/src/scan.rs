//! Finding a document's QR text in what a verifier holds: the text itself, a PDF of the
//! document (its QR image decoded, its text streams hashed, its shape checked), or a photo
//! (PNG or JPEG). Files come from strangers: every layer has a limit (bytes, pages, streams,
//! pixels, images tried), and a file that breaks the PDF reader is a refusal, never a crash.

use crate::qr::PREFIX;
use crate::Invalid;
use std::io::Read;

/// The largest file read: far above any document (they are a few kilobytes) or phone photo.
pub const MAX_FILE: usize = 12 * 1024 * 1024;
/// Most bytes one PDF stream may inflate to.
const MAX_STREAM: u64 = 8 * 1024 * 1024;
/// Most bytes all of a PDF's text streams may inflate to together.
const MAX_TEXT: u64 = 4 * 1024 * 1024;
/// Most pages read: a document is one or two.
const MAX_PAGES: usize = 20;
/// Most images of a PDF tried for a QR code.
const MAX_IMAGES: usize = 4;
/// Most pixels an image may have (a 16-megapixel photo).
const MAX_PIXELS: u64 = 16_000_000;
/// Most bytes the photo decoder may allocate.
const MAX_ALLOC: u64 = 128 * 1024 * 1024;
/// Most pixels handed to the QR reader (an image is scaled up to this at most).
const MAX_SEARCH_PIXELS: u64 = 4_000_000;
/// Photos are scaled down to this many pixels on their longer side before the QR search:
/// enough for a code that fills a tenth of the frame, and quick.
const SEARCH_SIDE: u32 = 1_600;

/// A QR text found in a file, and for a PDF what its check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The QR text (`LG1:…`).
    pub text: String,
    /// For a PDF, what the check of its text needs.
    pub pdf: Option<PdfFacts>,
}

/// What a PDF's check needs besides its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfFacts {
    /// The SHA-256 (hex) of its pages' text streams ([`crate::pdf::text_sha256`]).
    pub text_sha256: String,
    /// The last page's second content stream (the seal), decoded.
    pub seal: Vec<u8>,
    /// The QR image's pixels (side, grey bytes) when the PDF has the shape of one Lango
    /// makes (`crate::shape`): nothing drawn or laid over the text but the seal; else `None`.
    pub qr_image: Option<(u32, Vec<u8>)>,
}

/// The QR text in `bytes`: a PDF, a PNG or JPEG photo, or text holding an `LG1:` code.
pub fn find(bytes: &[u8]) -> Result<Found, Invalid> {
    if bytes.len() > MAX_FILE {
        return Err(Invalid::Unreadable("the file is too large"));
    }
    if bytes.starts_with(b"%PDF") {
        return from_pdf(bytes);
    }
    let text = if bytes.starts_with(b"\x89PNG") || bytes.starts_with(b"\xff\xd8") {
        from_photo(bytes)?
    } else {
        from_text(bytes)?
    };
    Ok(Found { text, pdf: None })
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
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Invalid::Unreadable("not an image"))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|_| Invalid::Unreadable("not a PNG or JPEG image of a sensible size"))?;
    let (w, h) = (picture.width(), picture.height());
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Invalid::Unreadable("the image is too large"));
    }
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

/// The QR text of a PDF (its images read until one holds a Lango code), and what the check
/// of its text needs.
pub fn from_pdf(bytes: &[u8]) -> Result<Found, Invalid> {
    guarded(bytes, |doc| {
        let text = pdf_code(doc)?;
        let (text_sha256, seal) = pdf_texts(doc)?;
        Ok(Found {
            text,
            pdf: Some(PdfFacts {
                text_sha256,
                seal,
                qr_image: crate::shape::check(doc),
            }),
        })
    })
}

/// The SHA-256 (hex) of a PDF's text streams ([`crate::pdf::text_sha256`]): what a PDF
/// that Lango made signs.
pub fn text_sha256(bytes: &[u8]) -> Result<String, Invalid> {
    guarded(bytes, |doc| pdf_texts(doc).map(|(sha, _)| sha))
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
        let options = lopdf::LoadOptions {
            max_decompressed_size: Some(MAX_STREAM as usize),
            ..Default::default()
        };
        let doc = lopdf::Document::load_mem_with_options(bytes, options)
            .map_err(|_| Invalid::Unreadable("not a readable PDF"))?;
        if doc.get_pages().len() > MAX_PAGES {
            return Err(Invalid::Unreadable(
                "the PDF has more pages than a document",
            ));
        }
        read(&doc)
    })
    .unwrap_or(Err(Invalid::Unreadable("not a readable PDF")))
}

/// The SHA-256 of the pages' first content streams (within [`MAX_TEXT`] together), and
/// the last page's second stream (the seal).
fn pdf_texts(doc: &lopdf::Document) -> Result<(String, Vec<u8>), Invalid> {
    let mut budget = MAX_TEXT;
    let mut texts = Vec::new();
    let mut seal = Vec::new();
    for page in doc.get_pages().values() {
        let contents = doc.get_page_contents(*page);
        let mut streams = contents.iter().take(2).map(|id| {
            doc.get_object(*id)
                .and_then(lopdf::Object::as_stream)
                .map_err(|_| Invalid::Unreadable("a page's content is not a stream"))
        });
        let Some(first) = streams.next() else {
            texts.push(Vec::new());
            continue;
        };
        let text = inflate(first?, budget)?;
        budget -= text.len() as u64;
        texts.push(text);
        seal = match streams.next() {
            Some(s) => inflate(s?, budget.min(64 * 1024))?,
            None => Vec::new(),
        };
    }
    Ok((crate::pdf::text_sha256(&texts), seal))
}

fn pdf_code(doc: &lopdf::Document) -> Result<String, Invalid> {
    let mut why = Invalid::NoCode;
    let mut tried = 0;
    for page in doc.get_pages().values() {
        for image in page_images(doc, *page) {
            if tried == MAX_IMAGES {
                return Err(why);
            }
            tried += 1;
            match image_text(doc, image) {
                Ok(text) => return Ok(text),
                Err(e) if why == Invalid::NoCode => why = e,
                Err(_) => {}
            }
        }
    }
    Err(why)
}

/// A page's resource dictionaries: its own and those it inherits.
fn resources(doc: &lopdf::Document, page: lopdf::ObjectId) -> Vec<&lopdf::Dictionary> {
    let (own, inherited) = doc.get_page_resources(page).unwrap_or((None, Vec::new()));
    let mut dicts: Vec<&lopdf::Dictionary> = own.into_iter().collect();
    dicts.extend(
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    );
    dicts
}

/// The image XObjects a page's resources name.
fn page_images(doc: &lopdf::Document, page: lopdf::ObjectId) -> Vec<&lopdf::Stream> {
    let dicts = resources(doc, page);
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
    let pixels_in = u64::from(w) * u64::from(h);
    if w == 0 || h == 0 || pixels_in > MAX_SEARCH_PIXELS {
        return Err(Invalid::Unreadable("an image is empty or too large"));
    }
    let filters = image.filters().unwrap_or_default();
    if filters.iter().any(|f| f == b"DCTDecode") {
        return from_photo(&image.content);
    }
    let pixels = inflate(image, pixels_in * 3)?;
    let channels = match pixels.len() as u64 / pixels_in {
        1 => 1,
        3 => 3,
        _ => return Err(Invalid::Unreadable("an image of a kind not read")),
    };
    let grey = |x: u32, y: u32| {
        let at = ((y * w + x) * channels) as usize;
        let px = &pixels[at..at + channels as usize];
        // Luma from RGB, or the grey value itself.
        (px.iter().map(|v| u32::from(*v)).sum::<u32>() / channels) as u8
    };
    // A code drawn one pixel a module (as Lango draws it) reads at 4 pixels a module, a
    // sixteenth of the work of 16; other images at up to 8. Never beyond the reader's budget.
    let fits = |scale: u32| pixels_in * u64::from(scale * scale) <= MAX_SEARCH_PIXELS;
    let mut why = Invalid::NoCode;
    for scale in [4, 8] {
        if !fits(scale) {
            break;
        }
        match decode(w, h, scale, grey) {
            Ok(text) => return Ok(text),
            Err(e) => why = e,
        }
    }
    if !fits(4) {
        let mut scale = 3;
        while scale > 1 && !fits(scale) {
            scale -= 1;
        }
        return decode(w, h, scale, grey);
    }
    Err(why)
}

/// A stream's bytes: as stored, or inflated (zlib) up to `cap` bytes.
pub(crate) fn inflate(stream: &lopdf::Stream, cap: u64) -> Result<Vec<u8>, Invalid> {
    let cap = cap.min(MAX_STREAM);
    let filters = stream.filters().unwrap_or_default();
    let out = match filters.as_slice() {
        [] => stream.content.clone(),
        [f] if f == b"FlateDecode" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(stream.content.as_slice())
                .take(cap + 1)
                .read_to_end(&mut out)
                .map_err(|_| Invalid::Unreadable("a PDF stream is damaged"))?;
            out
        }
        _ => return Err(Invalid::Unreadable("a PDF stream of a kind not read")),
    };
    if out.len() as u64 > cap {
        return Err(Invalid::Unreadable("a PDF stream inflates too far"));
    }
    Ok(out)
}
