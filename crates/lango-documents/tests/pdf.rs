//! PDF documents and photos of them, checked as a verifier holds them: the QR code read
//! back from the PDF's image and from a photo, the text checked against what the code
//! signs, and every file that is not a genuine document answered with a verdict.

use ed25519_dalek::SigningKey;
use lango_documents::pdf::{self, Block, Layout, Seal};
use lango_documents::trust::{kid_text, Jwk, TrustedKey};
use lango_documents::{qr, scan, verify_file, Claims, Invalid, TrustList, Verdict};
use lopdf::dictionary;
use std::collections::BTreeMap;

const TODAY: &str = "2026-12-05";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn trust() -> TrustList {
    let public = key().verifying_key();
    let mut t = TrustList {
        issuer: "https://lango.test".into(),
        updated: "2026-12-05T09:00:00Z".into(),
        keys: vec![TrustedKey {
            kid: kid_text(&qr::key_id(public.as_bytes())),
            alg: "EdDSA".into(),
            jwk: Jwk::ed25519(&public),
            agency: "DIS".into(),
            not_before: "2026-01-01".into(),
            not_after: "2029-01-01".into(),
        }],
        revoked: Vec::new(),
        root: None,
        signature: None,
    };
    t.sign(&SigningKey::from_bytes(&[99; 32]));
    t
}

fn layout(holder: &str) -> Layout {
    Layout {
        agency: "Department of Immigration Services".into(),
        title: "Passport issue notice".into(),
        title_sw: "Taarifa ya kutolewa kwa pasipoti".into(),
        body: vec![
            Block::Paragraph(vec!["Application DIS-2026-000123.".into()]),
            Block::Paragraph(vec![format!(
                "An ordinary ePassport of 50 pages has been issued to {holder}, born on \
                 3 February 2001. Collect it in person at Nyayo House, Kenyatta Avenue, Nairobi."
            )]),
        ],
        body_sw: vec![Block::Paragraph(vec![format!(
            "Pasipoti ya kawaida ya kielektroniki yenye kurasa 50 imetolewa kwa {holder}."
        )])],
        particulars: vec![
            (
                "Document number / Nambari ya hati".into(),
                "LD-7K3M-9QX2".into(),
            ),
            ("Issued to / Imetolewa kwa".into(), holder.into()),
        ],
    }
}

/// A sealed PDF of `layout`, its claims signing its text.
fn sealed(layout: &Layout) -> (Vec<u8>, Claims) {
    let body = pdf::body(layout);
    let claims = Claims {
        number: "LD-7K3M-9QX2".into(),
        kind: "passport-issue-notice".into(),
        agency: "DIS".into(),
        holder: "Wanjiku Kamau".into(),
        holder_id: "****6789".into(),
        issued: "2026-12-05".into(),
        expires: Some("2036-12-04".into()),
        sha256: body.sha256.clone(),
        fields: BTreeMap::from([("Booklet".to_string(), "50 pages".to_string())]),
    };
    let text = qr::seal(&claims, &key()).unwrap();
    let seal = Seal {
        qr: text,
        number: claims.number.clone(),
        url: lango_documents::verify_url("https://lango.test", &claims.number),
    };
    (pdf::finish(body, &seal), claims)
}

#[test]
fn a_pdf_is_small_and_its_code_reads_back_and_checks() {
    let (file, claims) = sealed(&layout("Wanjiku Kamau"));
    assert!(file.starts_with(b"%PDF-1.7"));
    assert!(file.len() < 100 * 1024, "{} bytes", file.len());
    let doc = lopdf::Document::load_mem(&file).unwrap();
    assert_eq!(
        doc.get_pages().len(),
        1,
        "the seal sits beside the code, on the same page"
    );
    let found = scan::find(&file).unwrap();
    assert!(found.text.starts_with("LG1:"));
    assert_eq!(
        found.pdf.as_ref().map(|p| p.text_sha256.as_str()),
        Some(claims.sha256.as_str())
    );
    assert!(
        found.pdf.as_ref().is_some_and(|p| p.qr_image.is_some()),
        "Lango's shape"
    );
    assert_eq!(verify_file(&file, &trust(), TODAY), Verdict::Valid(claims));
}

#[test]
fn a_long_body_runs_onto_more_pages_and_still_checks() {
    let mut long = layout("Wanjiku Kamau");
    long.body = (0..60)
        .map(|i| {
            Block::Paragraph(vec![format!(
                "Paragraph {i} of a long letter, which goes on."
            )])
        })
        .collect();
    let (file, claims) = sealed(&long);
    let doc = lopdf::Document::load_mem(&file).unwrap();
    assert!(doc.get_pages().len() >= 2);
    assert_eq!(verify_file(&file, &trust(), TODAY), Verdict::Valid(claims));
}

#[test]
fn a_pdf_with_its_text_changed_is_refused() {
    let (file, _) = sealed(&layout("Wanjiku Kamau"));
    let mut doc = lopdf::Document::load_mem(&file).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let first = doc.get_page_contents(page)[0];
    let stream = doc.get_object_mut(first).unwrap().as_stream_mut().unwrap();
    let text = stream.decompressed_content().unwrap();
    let forged = String::from_utf8_lossy(&text).replace("Wanjiku Kamau", "Otieno Ouma");
    stream.set_plain_content(forged.into_bytes());
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    assert_eq!(
        verify_file(&out, &trust(), TODAY),
        Verdict::Invalid(Invalid::Altered)
    );
}

/// The PDF with `change` made to it, written again.
fn changed(file: &[u8], change: impl FnOnce(&mut lopdf::Document)) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(file).unwrap();
    change(&mut doc);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A form XObject (which could draw anything) added to `doc`.
fn form_xobject(doc: &mut lopdf::Document) -> lopdf::ObjectId {
    doc.add_object(lopdf::Stream::new(
        dictionary! {"Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()]},
        b"0 0 0 rg 0 0 1 1 re f".to_vec(),
    ))
}

#[test]
fn a_pdf_with_anything_laid_over_its_text_is_refused() {
    let (file, _) = sealed(&layout("Wanjiku Kamau"));
    let altered =
        |bytes: &[u8]| verify_file(bytes, &trust(), TODAY) == Verdict::Invalid(Invalid::Altered);
    let page = |doc: &lopdf::Document| *doc.get_pages().values().next().unwrap();
    // A white box and new words drawn in a third content stream.
    let overlay = changed(&file, |doc| {
        let id = doc.add_object(lopdf::Stream::new(
            lopdf::Dictionary::new(),
            b"1 1 1 rg 50 600 500 40 re f BT /F1 11 Tf 56 610 Td (Otieno Ouma) Tj ET".to_vec(),
        ));
        let p = page(doc);
        let dict = doc.get_object_mut(p).unwrap().as_dict_mut().unwrap();
        let mut contents = dict.get(b"Contents").unwrap().as_array().unwrap().clone();
        contents.push(lopdf::Object::Reference(id));
        dict.set("Contents", contents);
    });
    assert!(altered(&overlay), "an overlay stream");
    // The same words drawn with other letters: a font re-mapped.
    let remapped = changed(&file, |doc| {
        for (_, o) in doc.objects.iter_mut() {
            if let Ok(d) = o.as_dict_mut() {
                if d.get(b"BaseFont").is_ok() {
                    d.set("Encoding", dictionary! {"Type" => "Encoding", "Differences" => vec![87.into(), "O".into()]});
                }
            }
        }
    });
    assert!(altered(&remapped), "a re-mapped font");
    // The seal's text changed (the number line over the QR code).
    let reseal = changed(&file, |doc| {
        let p = page(doc);
        let seal = doc.get_page_contents(p)[1];
        let s = doc.get_object_mut(seal).unwrap().as_stream_mut().unwrap();
        let text = String::from_utf8_lossy(&s.decompressed_content().unwrap())
            .replace("LD-7K3M-9QX2", "LD-2222-3333");
        s.set_plain_content(text.into_bytes());
    });
    assert!(altered(&reseal), "a changed seal");
    // A note laid over the page, and a page cropped.
    let annotated = changed(&file, |doc| {
        let p = page(doc);
        let dict = doc.get_object_mut(p).unwrap().as_dict_mut().unwrap();
        dict.set("Annots", Vec::<lopdf::Object>::new());
    });
    assert!(altered(&annotated), "an annotation");
    let cropped = changed(&file, |doc| {
        let p = page(doc);
        let dict = doc.get_object_mut(p).unwrap().as_dict_mut().unwrap();
        dict.set(
            "CropBox",
            vec![0.into(), 400.into(), 595.into(), 842.into()],
        );
    });
    assert!(altered(&cropped), "a cropped page");
    // A crop box or a rotation on the page tree, a page's resources moved up the tree.
    let pages_node = |doc: &mut lopdf::Document| {
        let root = doc
            .catalog()
            .unwrap()
            .get(b"Pages")
            .unwrap()
            .as_reference()
            .unwrap();
        root
    };
    let tree_cropped = changed(&file, |doc| {
        let root = pages_node(doc);
        let d = doc.get_object_mut(root).unwrap().as_dict_mut().unwrap();
        d.set(
            "CropBox",
            vec![0.into(), 400.into(), 595.into(), 842.into()],
        );
    });
    assert!(
        altered(&tree_cropped),
        "a crop box inherited from the page tree"
    );
    let rotated = changed(&file, |doc| {
        let p = page(doc);
        doc.get_object_mut(p)
            .unwrap()
            .as_dict_mut()
            .unwrap()
            .set("Rotate", 180);
    });
    assert!(altered(&rotated), "a rotated page");
    // The QR name drawing a form (which could hold any text) instead of the image.
    let form = changed(&file, |doc| {
        let id = form_xobject(doc);
        let p = page(doc);
        let res = doc
            .get_object(p)
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"Resources")
            .unwrap()
            .as_reference()
            .unwrap();
        let r = doc.get_object_mut(res).unwrap().as_dict_mut().unwrap();
        r.set("XObject", dictionary! {"QR" => id});
    });
    assert!(
        matches!(verify_file(&form, &trust(), TODAY), Verdict::Invalid(_)),
        "a form in the QR code's place"
    );
    // The same, with the real image kept where a reader would find it but a viewer would
    // not: on the page tree's resources, the page's own naming the form.
    let hidden = changed(&file, |doc| {
        let p = page(doc);
        let res = doc
            .get_object(p)
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"Resources")
            .unwrap()
            .as_reference()
            .unwrap();
        let real = doc.get_object(res).unwrap().clone();
        let root = pages_node(doc);
        doc.get_object_mut(root)
            .unwrap()
            .as_dict_mut()
            .unwrap()
            .set("Resources", real);
        let id = form_xobject(doc);
        let r = doc.get_object_mut(res).unwrap().as_dict_mut().unwrap();
        r.set("XObject", dictionary! {"QR" => id});
    });
    assert!(
        matches!(verify_file(&hidden, &trust(), TODAY), Verdict::Invalid(_)),
        "the real image hidden up the page tree"
    );
    // Untouched, written again by another program: still genuine.
    let rewritten = changed(&file, |_| {});
    assert!(matches!(
        verify_file(&rewritten, &trust(), TODAY),
        Verdict::Valid(_)
    ));
}

#[test]
fn a_pdf_bomb_is_refused_quickly() {
    // Many pages all pointing at one stream that inflates to 8 MiB of zeros.
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut big = lopdf::Stream::new(lopdf::Dictionary::new(), vec![b' '; 8 * 1024 * 1024]);
    big.compress().unwrap();
    let content = doc.add_object(big);
    let kids: Vec<lopdf::Object> = (0..19)
        .map(|_| {
            lopdf::Object::Reference(doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            }))
        })
        .collect();
    doc.objects.insert(
        pages_id,
        lopdf::Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => kids, "Count" => 19}),
    );
    let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    assert!(out.len() < 100 * 1024, "a small file: {}", out.len());
    assert!(
        matches!(scan::text_sha256(&out), Err(Invalid::Unreadable(_))),
        "over the text budget"
    );
    assert!(matches!(
        verify_file(&out, &trust(), TODAY),
        Verdict::Invalid(_)
    ));
}

#[test]
fn a_photo_of_the_code_reads_back() {
    let (file, claims) = sealed(&layout("Wanjiku Kamau"));
    let found = scan::find(&file).unwrap();
    // The code drawn 6 pixels a module, off-centre on a grey page, as a phone would see it.
    let (side, pixels) = pdf::qr_pixels(&found.text).unwrap();
    let mut photo =
        image::GrayImage::from_pixel(side * 6 + 300, side * 6 + 200, image::Luma([200]));
    for y in 0..side * 6 {
        for x in 0..side * 6 {
            let v = pixels[((y / 6) * side + x / 6) as usize];
            photo.put_pixel(
                x + 120,
                y + 80,
                image::Luma([if v == 0 { 30 } else { 235 }]),
            );
        }
    }
    for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        photo.write_to(&mut bytes, format).unwrap();
        let verdict = verify_file(bytes.get_ref(), &trust(), TODAY);
        assert_eq!(verdict, Verdict::Valid(claims.clone()), "{format:?}");
    }
}

#[test]
fn files_that_are_not_documents_get_a_verdict() {
    let t = trust();
    let invalid = |bytes: &[u8]| match verify_file(bytes, &t, TODAY) {
        Verdict::Invalid(why) => why,
        other => panic!("{other:?}"),
    };
    assert_eq!(invalid(b"a letter with no code in it"), Invalid::NoCode);
    assert!(matches!(
        invalid(b"%PDF-1.7 and then nothing"),
        Invalid::Unreadable(_)
    ));
    assert!(matches!(
        invalid(b"\x89PNG\r\n\x1a\n broken"),
        Invalid::Unreadable(_)
    ));
    assert!(matches!(
        invalid(b"\xff\xd8\xff broken"),
        Invalid::Unreadable(_)
    ));
    // A real PDF, but with no code: an agency's letter, say.
    let (file, _) = sealed(&layout("Wanjiku Kamau"));
    let mut doc = lopdf::Document::load_mem(&file).unwrap();
    for (_, object) in doc.objects.iter_mut() {
        if let lopdf::Object::Stream(s) = object {
            if s.dict.has(b"Width") {
                s.set_plain_content(vec![255; s.content.len().max(1)]);
                s.dict.set("Width", 1);
                s.dict.set("Height", 1);
            }
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    assert!(matches!(
        invalid(&out),
        Invalid::NoCode | Invalid::Unreadable(_)
    ));
    // A code pasted as text is read as the code.
    let code = scan::find(&file).unwrap().text;
    assert!(matches!(
        verify_file(format!("Here: {code}\n").as_bytes(), &t, TODAY),
        Verdict::Valid(_)
    ));
    // Too large to be a document.
    assert!(matches!(
        invalid(&vec![b'%'; scan::MAX_FILE + 1]),
        Invalid::Unreadable(_)
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Arbitrary bytes, and a real PDF with bytes overwritten, never panic the reader.
    #[test]
    fn damaged_files_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000), at in 0usize..4000) {
        let t = trust();
        for prefix in [&b""[..], b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"] {
            let mut file = prefix.to_vec();
            file.extend_from_slice(&bytes);
            let _ = verify_file(&file, &t, TODAY);
        }
        let (mut file, _) = sealed(&layout("Wanjiku Kamau"));
        let at = at % file.len();
        let end = (at + bytes.len()).min(file.len());
        file[at..end].copy_from_slice(&bytes[..end - at]);
        let _ = verify_file(&file, &t, TODAY);
    }
}
