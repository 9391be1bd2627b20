//! The signed QR format, checked from outside: an independent decoder that reads the layers
//! and the COSE structure itself (RFC 9052's Sig_structure, not coset), every kind of bad
//! input answered with a verdict, and arbitrary input never panicking.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ciborium::Value;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use lango_documents::trust::{kid_text, Jwk, Revocation, TrustedKey};
use lango_documents::{qr, verify, Claims, Invalid, TrustList, Verdict};
use std::collections::BTreeMap;
use std::io::{Read, Write};

const TODAY: &str = "2026-12-04";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn trusted(k: &SigningKey, agency: &str, from: &str, to: &str) -> TrustedKey {
    let public = k.verifying_key();
    TrustedKey {
        kid: kid_text(&qr::key_id(public.as_bytes())),
        alg: "EdDSA".into(),
        jwk: Jwk::ed25519(&public),
        agency: agency.into(),
        not_before: from.into(),
        not_after: to.into(),
    }
}

fn list(keys: Vec<TrustedKey>) -> TrustList {
    let mut t = TrustList {
        issuer: "https://lango.test".into(),
        updated: "2026-12-04T09:00:00Z".into(),
        keys,
        revoked: Vec::new(),
        root: None,
        signature: None,
    };
    t.sign(&key(99));
    t
}

fn good_conduct() -> Claims {
    Claims {
        number: "LD-7K3M-9QX2".into(),
        kind: "certificate-of-good-conduct".into(),
        agency: "DCI".into(),
        holder: "Wanjiku Kamau".into(),
        holder_id: lango_documents::claims::mask_id("23456789"),
        issued: "2026-11-30".into(),
        expires: Some("2027-05-29".into()),
        sha256: "ab".repeat(32),
        fields: BTreeMap::from([("Record".to_string(), "No criminal record".to_string())]),
    }
}

/// The QR text's layers, peeled by hand: Base45, zlib, then the tagged COSE_Sign1 array.
fn independent_decode(text: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    let zipped = base45::decode(text.strip_prefix("LG1:").unwrap()).unwrap();
    let mut cose = Vec::new();
    flate2::read::ZlibDecoder::new(zipped.as_slice())
        .read_to_end(&mut cose)
        .unwrap();
    let Value::Tag(18, inner) = ciborium::from_reader::<Value, _>(cose.as_slice()).unwrap() else {
        panic!("COSE_Sign1 is tag 18");
    };
    let Value::Array(parts) = *inner else {
        panic!("an array")
    };
    assert_eq!(parts.len(), 4, "protected, unprotected, payload, signature");
    let (Value::Bytes(protected), Value::Map(_), Value::Bytes(payload), Value::Bytes(sig)) =
        (&parts[0], &parts[1], &parts[2], &parts[3])
    else {
        panic!("wrong COSE_Sign1 shapes: {parts:?}");
    };
    let header: Value = ciborium::from_reader(protected.as_slice()).unwrap();
    let Value::Map(header) = header else {
        panic!("protected header is a map")
    };
    let get = |label: i64| {
        header
            .iter()
            .find(|(k, _)| k == &Value::Integer(label.into()))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get(1), Some(Value::Integer((-8).into())), "alg EdDSA (-8)");
    let Some(Value::Bytes(kid)) = get(4) else {
        panic!("kid (4) in the protected header")
    };
    (protected.clone(), payload.clone(), sig.clone(), kid)
}

#[test]
fn a_sealed_document_reads_back_with_an_independent_decoder() {
    let k = key(1);
    let text = qr::seal(&good_conduct(), &k).unwrap();
    assert!(text.starts_with("LG1:"));
    let (protected, payload, sig, kid) = independent_decode(&text);
    assert_eq!(kid, qr::key_id(k.verifying_key().as_bytes()));
    // Sig_structure = ["Signature1", protected, external_aad, payload] (RFC 9052, 4.4).
    let to_sign = Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.clone()),
    ]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&to_sign, &mut bytes).unwrap();
    let public = VerifyingKey::from_bytes(k.verifying_key().as_bytes()).unwrap();
    public
        .verify_strict(&bytes, &Signature::from_slice(&sig).unwrap())
        .expect("the signature checks by hand");
    let Value::Map(claims) = ciborium::from_reader::<Value, _>(payload.as_slice()).unwrap() else {
        panic!("claims map")
    };
    let field = |k: &str| {
        claims
            .iter()
            .find(|(key, _)| key == &Value::Text(k.into()))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field("n"), Some(Value::Text("LD-7K3M-9QX2".into())));
    assert_eq!(field("a"), Some(Value::Text("DCI".into())));
    assert_eq!(field("hid"), Some(Value::Text("****6789".into())));
    assert_eq!(field("sha"), Some(Value::Bytes(vec![0xab; 32])));
    // And the verifier agrees.
    let trust = list(vec![trusted(&k, "DCI", "2026-01-01", "2030-12-31")]);
    assert_eq!(verify(&text, &trust, TODAY), Verdict::Valid(good_conduct()));
}

#[test]
fn a_typical_document_fits_a_small_qr_code() {
    let text = qr::seal(&good_conduct(), &key(1)).unwrap();
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).unwrap();
    let qrcode::Version::Normal(v) = code.version() else {
        panic!("a normal QR code")
    };
    assert!(v <= 15, "version {v} for {} characters", text.len());
}

#[test]
fn every_fault_is_a_verdict() {
    let k = key(1);
    let trust = list(vec![trusted(&k, "DCI", "2026-01-01", "2030-12-31")]);
    let text = qr::seal(&good_conduct(), &k).unwrap();
    let invalid = |t: &str, trust: &TrustList| match verify(t, trust, TODAY) {
        Verdict::Invalid(why) => why,
        other => panic!("{t:.30}: {other:?}"),
    };
    // Tampered: a name changed after signing (same length, so every layer still reads).
    let zipped = base45::decode(text.strip_prefix("LG1:").unwrap()).unwrap();
    let mut cose = Vec::new();
    flate2::read::ZlibDecoder::new(zipped.as_slice())
        .read_to_end(&mut cose)
        .unwrap();
    let at = cose
        .windows(13)
        .position(|w| w == b"Wanjiku Kamau")
        .unwrap();
    cose[at..at + 13].copy_from_slice(b"Wanjiku Kamaa");
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&cose).unwrap();
    let tampered = format!("LG1:{}", base45::encode(z.finish().unwrap()));
    assert_eq!(invalid(&tampered, &trust), Invalid::Signature);

    // Unknown, wrong-agency, not-yet-valid and retired keys.
    assert_eq!(
        invalid(&qr::seal(&good_conduct(), &key(2)).unwrap(), &trust),
        Invalid::UnknownKey
    );
    let other_agency = list(vec![trusted(&k, "NTSA", "2026-01-01", "2030-12-31")]);
    assert_eq!(invalid(&text, &other_agency), Invalid::WrongAgency);
    let retired = list(vec![trusted(&k, "DCI", "2025-01-01", "2026-06-30")]);
    assert_eq!(invalid(&text, &retired), Invalid::KeyNotValid);

    // Garbage at every layer, and limits.
    assert_eq!(invalid("HC1:ABC", &trust), Invalid::Prefix);
    assert_eq!(invalid("LG1:::::", &trust), Invalid::Base45);
    assert_eq!(
        invalid(&format!("LG1:{}", base45::encode(b"not zlib")), &trust),
        Invalid::Inflate
    );
    assert_eq!(
        invalid(&format!("LG1:{}", "A".repeat(5_000)), &trust),
        Invalid::TooLong
    );
    let truncated = invalid(&text[..text.len() - 9], &trust);
    assert!(
        matches!(truncated, Invalid::Base45 | Invalid::Inflate),
        "truncated: {truncated:?}"
    );
    let mut bomb = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![0u8; 2_000_000]).unwrap();
    let bomb = format!("LG1:{}", base45::encode(bomb.finish().unwrap()));
    assert!(bomb.len() < qr::MAX_TEXT, "a bomb that fits a QR code");
    assert_eq!(invalid(&bomb, &trust), Invalid::TooLarge);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(b"\x83\x40\xa0\x40").unwrap();
    assert!(matches!(
        invalid(
            &format!("LG1:{}", base45::encode(z.finish().unwrap())),
            &trust
        ),
        Invalid::Cose(_)
    ));
}

#[test]
fn revoked_and_expired_documents_are_told_apart() {
    let k = key(1);
    let mut trust = list(vec![trusted(&k, "DCI", "2026-01-01", "2030-12-31")]);
    let text = qr::seal(&good_conduct(), &k).unwrap();
    assert_eq!(
        verify(&text, &trust, "2027-05-30"),
        Verdict::Expired(good_conduct())
    );
    trust.revoked.push(Revocation {
        number: "LD-7K3M-9QX2".into(),
        revoked_at: "2026-12-01T10:00:00Z".into(),
        reason: "Issued in error".into(),
    });
    let verdict = verify(&text, &trust, TODAY);
    assert_eq!(verdict.exit_code(), 2);
    assert!(matches!(verdict, Verdict::Revoked { ref reason, .. } if reason == "Issued in error"));
}

#[test]
fn the_trust_list_is_signed_by_its_root() {
    let k = key(1);
    let trust = list(vec![trusted(&k, "DCI", "2026-01-01", "2030-12-31")]);
    let root = key(99).verifying_key();
    trust
        .check_signature(Some(&root))
        .expect("signed by the pinned root");
    let json = serde_json::to_string(&trust).unwrap();
    let read: TrustList = serde_json::from_str(&json).unwrap();
    read.check_signature(Some(&root))
        .expect("a downloaded copy checks");
    let mut changed = read.clone();
    changed.keys[0].agency = "NTSA".into();
    assert_eq!(
        changed.check_signature(None),
        Err(Invalid::TrustList("the signature does not match"))
    );
    let mut resigned = changed.clone();
    resigned.sign(&key(7));
    assert!(resigned.check_signature(None).is_ok(), "self-consistent");
    assert!(
        resigned.check_signature(Some(&root)).is_err(),
        "but not by the pinned root"
    );
    assert_eq!(
        trust.keys[0].kid,
        B64.encode(qr::key_id(k.verifying_key().as_bytes()))
    );
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,600}") {
        let trust = list(vec![trusted(&key(1), "DCI", "2026-01-01", "2030-12-31")]);
        let _ = verify(&s, &trust, TODAY);
        let _ = verify(&format!("LG1:{s}"), &trust, TODAY);
    }

    #[test]
    fn arbitrary_bytes_behind_valid_layers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let trust = list(vec![trusted(&key(1), "DCI", "2026-01-01", "2030-12-31")]);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&bytes).unwrap();
        let text = format!("LG1:{}", base45::encode(z.finish().unwrap()));
        proptest::prop_assert!(matches!(verify(&text, &trust, TODAY), Verdict::Invalid(_)));
        proptest::prop_assert!(Claims::from_cbor(&bytes).is_err() || !bytes.is_empty());
    }
}
