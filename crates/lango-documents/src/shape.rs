//! The shape of a PDF Lango makes, checked key by key: whatever a verifier's hash does not
//! cover must be exactly what [`crate::pdf`] writes, so that the signed text streams and the
//! regenerated seal are all a viewer can show. Anything else (an inherited resource, a crop
//! box, a page tree that hides a page, an embedded or re-mapped font, a form drawn as the QR
//! code, a stream with decode parameters, an action) fails the shape, and the document is
//! reported as altered.

use lopdf::{Dictionary, Document, Object, ObjectId};

/// True when every key of `d` is one of `allowed`.
fn only(d: &Dictionary, allowed: &[&[u8]]) -> bool {
    d.iter().all(|(k, _)| allowed.contains(&k.as_slice()))
}

fn name<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).and_then(Object::as_name).ok()
}

fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    doc.dereference(o).ok().and_then(|(_, o)| o.as_dict().ok())
}

/// The QR image's pixels (side, grey bytes) when the PDF has Lango's shape; `None` when not.
pub(crate) fn check(doc: &Document) -> Option<(u32, Vec<u8>)> {
    let catalog = doc.catalog().ok()?;
    if !only(catalog, &[b"Type", b"Pages"]) {
        return None;
    }
    // One flat page tree: every kid a page, the count the kids'.
    let tree = dict(doc, catalog.get(b"Pages").ok()?)?;
    let kids = tree.get(b"Kids").ok()?.as_array().ok()?;
    let count = tree.get(b"Count").ok()?.as_i64().ok()?;
    let pages = doc.get_pages();
    if !only(tree, &[b"Type", b"Kids", b"Count"])
        || name(tree, b"Type") != Some(b"Pages")
        || kids.is_empty()
        || usize::try_from(count).ok()? != kids.len()
        || pages.len() != kids.len()
    {
        return None;
    }
    let mut qr = None;
    for (i, kid) in kids.iter().enumerate() {
        let id = kid.as_reference().ok()?;
        if pages.get(&(i as u32 + 1)) != Some(&id) {
            return None;
        }
        let last = i + 1 == kids.len();
        qr = page(doc, id, last)?.or(qr);
    }
    qr
}

/// Checks one page; on the last, answers the QR image's pixels.
fn page(doc: &Document, id: ObjectId, last: bool) -> Option<Option<(u32, Vec<u8>)>> {
    let page = doc.get_dictionary(id).ok()?;
    if !only(
        page,
        &[b"Type", b"Parent", b"MediaBox", b"Resources", b"Contents"],
    ) || name(page, b"Type") != Some(b"Page")
    {
        return None;
    }
    let media: Vec<f32> = page
        .get(b"MediaBox")
        .ok()?
        .as_array()
        .ok()?
        .iter()
        .filter_map(|o| o.as_float().ok())
        .collect();
    if media != [0.0, 0.0, crate::pdf::PAGE.0, crate::pdf::PAGE.1] {
        return None;
    }
    let contents = page.get(b"Contents").ok()?.as_array().ok()?;
    if contents.len() != if last { 2 } else { 1 } {
        return None;
    }
    for c in contents {
        let stream = doc
            .get_object(c.as_reference().ok()?)
            .ok()?
            .as_stream()
            .ok()?;
        let plain =
            !stream.dict.has(b"Filter") || name(&stream.dict, b"Filter") == Some(b"FlateDecode");
        if !only(&stream.dict, &[b"Length", b"Filter"]) || !plain {
            return None;
        }
    }
    let resources = dict(doc, page.get(b"Resources").ok()?)?;
    if !only(resources, &[b"Font", b"XObject"]) {
        return None;
    }
    let fonts = dict(doc, resources.get(b"Font").ok()?)?;
    let fonts_ok = fonts.iter().all(|(_, f)| {
        dict(doc, f).is_some_and(|f| {
            only(f, &[b"Type", b"Subtype", b"BaseFont", b"Encoding"])
                && name(f, b"Subtype") == Some(b"Type1")
                && name(f, b"Encoding") == Some(b"WinAnsiEncoding")
                && name(f, b"BaseFont").is_some_and(|b| {
                    crate::pdf::FONTS
                        .iter()
                        .any(|(_, base)| base.as_bytes() == b)
                })
        })
    });
    if !fonts_ok {
        return None;
    }
    let xobjects = dict(doc, resources.get(b"XObject").ok()?)?;
    if xobjects.len() != 1 {
        return None;
    }
    let image = match doc.dereference(xobjects.get(b"QR").ok()?).ok()?.1 {
        Object::Stream(s) => s,
        _ => return None,
    };
    let d = &image.dict;
    let allowed: &[&[u8]] = &[
        b"Type",
        b"Subtype",
        b"Width",
        b"Height",
        b"ColorSpace",
        b"BitsPerComponent",
        b"Interpolate",
        b"Length",
        b"Filter",
    ];
    let side = d.get(b"Width").ok()?.as_i64().ok()?;
    if !only(d, allowed)
        || name(d, b"Subtype") != Some(b"Image")
        || name(d, b"ColorSpace") != Some(b"DeviceGray")
        || d.get(b"BitsPerComponent").ok()?.as_i64().ok()? != 8
        || d.get(b"Height").ok()?.as_i64().ok()? != side
        || !(1..=400).contains(&side)
    {
        return None;
    }
    if !last {
        return Some(None);
    }
    let side = side as u32;
    let pixels = crate::scan::inflate(image, u64::from(side) * u64::from(side)).ok()?;
    Some(Some((side, pixels)))
}
