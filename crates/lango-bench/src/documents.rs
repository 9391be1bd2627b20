//! `cargo run --release -p lango-bench -- documents`: signing and verifying documents' QR
//! codes on one core (the issue asks ≥ 5,000 signed and ≥ 10,000 verified per second),
//! next to the baseline of the same run: bare Ed25519 signatures and checks of the same
//! claims bytes, so the ratio is the cost of CBOR, COSE, zlib and Base45 around them.

use crate::load::{print_table_against, Measured};
use ed25519_dalek::{Signer, SigningKey};
use hdrhistogram::Histogram;
use lango_documents::trust::{kid_text, Jwk, TrustedKey};
use lango_documents::{qr, verify, Claims, TrustList, Verdict};
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
    let (mut raw_sign, mut seal, mut raw_check, mut check) = (vec![], vec![], vec![], vec![]);
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
    }
    println!("\nOne core, {rounds} rounds of {seconds} s; medians. Longest QR text {longest} characters: QR {version:?} at level M.");
    println!("Signing (baseline: bare Ed25519 signatures of the same claims):");
    print_table_against(
        &[
            ("Ed25519 sign (baseline)", &Measured::median(raw_sign)),
            ("seal a document's QR text", &Measured::median(seal)),
        ],
        "× Ed25519",
    );
    println!("\nVerifying (baseline: bare Ed25519 checks):");
    print_table_against(
        &[
            ("Ed25519 verify (baseline)", &Measured::median(raw_check)),
            ("verify a QR text", &Measured::median(check)),
        ],
        "× Ed25519",
    );
    Ok(())
}
