//! `cargo run --release -p lango-bench -- documents`: signing and verifying documents' QR
//! codes on one core (the issue asks ≥ 5,000 signed and ≥ 10,000 verified per second),
//! next to the baseline of the same run: bare Ed25519 signatures and checks of the same
//! claims bytes, so the ratio is the cost of CBOR, COSE, zlib and Base45 around them.
//! Also the whole PDF: laid out, sealed and written, then read back as a verifier holding
//! the file does (its QR image decoded, its text hashed, the code checked).

use crate::load::{print_table_against, Measured};
use ed25519_dalek::{Signer, SigningKey};
use hdrhistogram::Histogram;
use lango_documents::pdf::{self, Block, Layout, Seal};
use lango_documents::trust::{kid_text, Jwk, TrustedKey};
use lango_documents::{qr, verify, verify_file, Claims, TrustList, Verdict};
use std::time::{Duration, Instant};

fn claims(i: usize) -> Claims {
    Claims {
        number: format!("LD-{:04}-{:04}", i / 10_000, i % 10_000),
        kind: "certificate-of-good-conduct".into(),
        agency: "DCI".into(),
        holder: "Wanjiku Kamau Njoroge".into(),
        holder_id: "****6789".into(),
        issued: "2026-11-30".into(),
        expires: Some("2027-05-29".into()),
        sha256: "ab".repeat(32),
        fields: [
            ("Record".to_string(), "No criminal record".to_string()),
            (
                "Service".to_string(),
                "Certificate of good conduct".to_string(),
            ),
        ]
        .into(),
    }
}

/// A typical document: a passport notice's body in both languages and its particulars.
fn layout(i: usize) -> Layout {
    let holder = format!("Wanjiku Kamau Njoroge {i}");
    Layout {
        agency: "Department of Immigration Services".into(),
        title: "Passport issue notice".into(),
        title_sw: "Taarifa ya kutolewa kwa pasipoti".into(),
        body: vec![
            Block::Paragraph(vec![format!("Application DIS-2026-{i:06}.")]),
            Block::Paragraph(vec![format!(
                "An ordinary ePassport of 50 pages has been issued to {holder}, national ID \
                 number 23456789, born on 3 February 2001. The passport is valid until \
                 2036-12-04. Collect it in person at Nyayo House, Kenyatta Avenue, Nairobi, on \
                 a weekday between 8 am and 4 pm, within 90 days."
            )]),
        ],
        body_sw: vec![Block::Paragraph(vec![format!(
            "Pasipoti ya kawaida ya kielektroniki yenye kurasa 50 imetolewa kwa {holder}, \
             kitambulisho cha taifa nambari 23456789, aliyezaliwa tarehe 3 Februari 2001."
        )])],
        particulars: vec![
            (
                "Document number / Nambari ya hati".into(),
                format!("LD-{i:09}"),
            ),
            ("Issued to / Imetolewa kwa".into(), holder),
            (
                "ID number / Nambari ya kitambulisho".into(),
                "****6789".into(),
            ),
            ("Booklet / Kitabu".into(), "50 pages".into()),
            ("Issued on / Tarehe ya kutolewa".into(), "2026-12-05".into()),
        ],
    }
}

/// A whole issued PDF: laid out, its claims sealed over its text, written.
fn issue_pdf(i: usize, key: &SigningKey) -> Vec<u8> {
    let body = pdf::body(&layout(i));
    let mut c = claims(i);
    c.sha256 = body.sha256.clone();
    let code = qr::seal(&c, key).unwrap_or_default();
    pdf::finish(
        body,
        &Seal {
            qr: code,
            number: c.number.clone(),
            url: lango_documents::verify_url("https://bench.lango", &c.number),
        },
    )
}

/// Runs `op` on one thread for `duration`; its rate and latency percentiles.
fn timed(duration: Duration, mut op: impl FnMut(usize)) -> Measured {
    let mut h = Histogram::<u64>::new(3).expect("histogram");
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < duration {
        let t = Instant::now();
        op(i);
        h.record(t.elapsed().as_nanos() as u64).ok();
        i += 1;
    }
    Measured {
        rate: i as f64 / start.elapsed().as_secs_f64(),
        p50_ms: h.value_at_quantile(0.50) as f64 / 1e6,
        p99_ms: h.value_at_quantile(0.99) as f64 / 1e6,
        errors: 0,
    }
}

/// Runs the benchmark: `rounds` of `seconds` for each measurement; medians are printed.
pub fn run(seconds: u64, rounds: usize) -> anyhow::Result<()> {
    let d = Duration::from_secs(seconds);
    let key = SigningKey::from_bytes(&[7; 32]);
    let public = key.verifying_key();
    let mut trust = TrustList {
        issuer: "https://bench.lango".into(),
        updated: "2026-12-04T00:00:00Z".into(),
        keys: vec![TrustedKey {
            kid: kid_text(&qr::key_id(public.as_bytes())),
            alg: "EdDSA".into(),
            jwk: Jwk::ed25519(&public),
            agency: "DCI".into(),
            not_before: "2026-01-01".into(),
            not_after: "2030-12-31".into(),
        }],
        revoked: Vec::new(),
        root: None,
        signature: None,
    };
    trust.sign(&SigningKey::from_bytes(&[9; 32]));
    let codes: Vec<String> = (0..1_000)
        .map(|i| qr::seal(&claims(i), &key))
        .collect::<Result<_, _>>()?;
    let payloads: Vec<Vec<u8>> = (0..1_000)
        .map(|i| claims(i).to_cbor())
        .collect::<Result<_, _>>()?;
    let signatures: Vec<_> = payloads.iter().map(|p| key.sign(p)).collect();
    let longest = codes.iter().map(String::len).max().unwrap_or(0);
    let version = qrcode::QrCode::with_error_correction_level(
        codes
            .iter()
            .max_by_key(|c| c.len())
            .map_or("", |c| c.as_str())
            .as_bytes(),
        qrcode::EcLevel::M,
    )?
    .version();
    let pdfs: Vec<Vec<u8>> = (0..50).map(|i| issue_pdf(i, &key)).collect();
    let largest_pdf = pdfs.iter().map(Vec::len).max().unwrap_or(0);
    let (mut raw_sign, mut seal, mut raw_check, mut check) = (vec![], vec![], vec![], vec![]);
    let (mut pdf_issue, mut pdf_check) = (vec![], vec![]);
    for round in 1..=rounds {
        eprintln!("round {round}/{rounds}");
        raw_sign.push(timed(d, |i| {
            std::hint::black_box(key.sign(&payloads[i % payloads.len()]));
        }));
        seal.push(timed(d, |i| {
            std::hint::black_box(qr::seal(&claims(i), &key).ok());
        }));
        raw_check.push(timed(d, |i| {
            let n = i % payloads.len();
            std::hint::black_box(public.verify_strict(&payloads[n], &signatures[n]).is_ok());
        }));
        check.push(timed(d, |i| {
            let v = verify(&codes[i % codes.len()], &trust, "2026-12-04");
            assert!(matches!(v, Verdict::Valid(_)), "{v:?}");
        }));
        pdf_issue.push(timed(d, |i| {
            std::hint::black_box(issue_pdf(i, &key));
        }));
        pdf_check.push(timed(d, |i| {
            let v = verify_file(&pdfs[i % pdfs.len()], &trust, "2026-12-04");
            assert!(matches!(v, Verdict::Valid(_)), "{v:?}");
        }));
    }
    println!("\nOne core, {rounds} rounds of {seconds} s; medians. Longest QR text {longest} characters: QR {version:?} at level M.");
    println!("Signing (baseline: bare Ed25519 signatures of the same claims):");
    print_table_against(
        &[
            ("Ed25519 sign (baseline)", &Measured::median(raw_sign)),
            ("seal a document's QR text", &Measured::median(seal)),
            ("issue a whole PDF", &Measured::median(pdf_issue)),
        ],
        "× Ed25519",
    );
    println!("\nVerifying (baseline: bare Ed25519 checks):");
    print_table_against(
        &[
            ("Ed25519 verify (baseline)", &Measured::median(raw_check)),
            ("verify a QR text", &Measured::median(check)),
            ("verify a PDF (QR image read)", &Measured::median(pdf_check)),
        ],
        "× Ed25519",
    );
    println!("\nLargest PDF: {largest_pdf} bytes.");
    Ok(())
}
