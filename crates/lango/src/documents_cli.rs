//! `lango verify`: checks a signed document offline, with no network and no database,
//! against a trust list downloaded once from `/.well-known/lango/trust-list.json`.

use lango_documents::{verify, verify_file, TrustList, Verdict};
use std::path::PathBuf;
use std::process::ExitCode;

/// What `lango verify` reads.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The trust list (default: trust-list.json in the data dir).
    #[arg(long)]
    trust_list: Option<PathBuf>,
    /// The root key the trust list must be signed by (base64url, pinned by the verifier);
    /// give it as `--root=KEY`, since a key may begin with `-`.
    #[arg(long)]
    root: Option<String>,
    /// The QR text (`LG1:…`), or a file: a PDF of the document, a photo of it (PNG or
    /// JPEG), or a text file holding its code.
    document: String,
}

/// Runs `lango verify`: exit 0 valid, 1 invalid (or expired), 2 revoked.
pub fn run(args: VerifyArgs, data_dir: &std::path::Path) -> ExitCode {
    let list_path = args
        .trust_list
        .unwrap_or_else(|| data_dir.join("trust-list.json"));
    let trust: TrustList = match std::fs::read(&list_path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "lango verify: cannot read the trust list {} ({e}); download it once from \
                 /.well-known/lango/trust-list.json",
                list_path.display()
            );
            return ExitCode::from(1);
        }
    };
    // The root key: given, else the one pinned on first use in the data dir.
    let pin = data_dir.join("trust-root.txt");
    let given = args
        .root
        .clone()
        .or_else(|| std::fs::read_to_string(&pin).ok());
    let pinned = match given.as_deref().map(root_key) {
        Some(Err(e)) => {
            eprintln!("lango verify: {e}");
            return ExitCode::from(1);
        }
        Some(Ok(k)) => Some(k),
        None => None,
    };
    if let Err(why) = trust.check_signature(pinned.as_ref()) {
        println!("INVALID: {why}");
        return ExitCode::from(1);
    }
    if let Some(root) = &trust.root {
        println!(
            "Trust list of {}, signed by root key {}",
            trust.issuer, root.kid
        );
        if pinned.is_none() && std::fs::write(&pin, &root.jwk.x).is_ok() {
            println!(
                "First use: this root key is now pinned in {}; compare its id with the one the \
                 operator publishes",
                pin.display()
            );
        }
    }
    // Documents are dated by the UTC day, and so is their expiry.
    let today = lango_core::clock::Civil::from_ms(lango_core::clock::now_ms()).date();
    // The QR text itself, or a file: a PDF of the document, a photo of it, a text holding it.
    let verdict = if args.document.starts_with(lango_documents::qr::PREFIX) {
        verify(&args.document, &trust, &today)
    } else {
        match std::fs::read(&args.document) {
            Ok(bytes) => verify_file(&bytes, &trust, &today),
            Err(e) => {
                println!("INVALID: cannot read {}: {e}", args.document);
                return ExitCode::from(1);
            }
        }
    };
    match &verdict {
        Verdict::Valid(_) => println!("VALID: a genuine document, in force"),
        Verdict::Expired(c) => println!(
            "EXPIRED: a genuine document, but its last valid day was {}",
            c.expires.as_deref().unwrap_or("")
        ),
        Verdict::Revoked { reason, .. } => println!("REVOKED by its agency: {reason}"),
        Verdict::Invalid(why) => println!("INVALID: {why}"),
    }
    if let Some(c) = verdict.claims() {
        println!("Number:       {}", c.number);
        println!("Document:     {}", c.kind);
        println!("Issued by:    {}", c.agency);
        println!("Holder:       {}", c.holder);
        println!("ID number:    {}", c.holder_id);
        println!("Issued on:    {}", c.issued);
        if let Some(e) = &c.expires {
            println!("Valid until:  {e}");
        }
        for (k, v) in &c.fields {
            println!("{k}: {v}");
        }
    }
    ExitCode::from(u8::try_from(verdict.exit_code()).unwrap_or(1))
}

fn root_key(text: &str) -> Result<lango_documents::VerifyingKey, String> {
    lango_documents::trust::Jwk::okp(text.trim().to_string())
        .key()
        .ok_or_else(|| "--root is not a base64url Ed25519 public key".into())
}
