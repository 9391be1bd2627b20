//! `lango verify`: checks a signed document offline, with no network and no database,
//! against a trust list downloaded once from `/.well-known/lango/trust-list.json`.

use lango_documents::{verify, TrustList, Verdict};
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
    /// The QR text (`LG1:…`), or a file holding it (a PDF of the document, a text file).
    document: String,
}

/// The QR text in `document`: the argument itself, or the first `LG1:` code in the file.
fn qr_text(document: &str) -> Result<String, String> {
    if document.starts_with(lango_documents::qr::PREFIX) {
        return Ok(document.to_string());
    }
    let path = PathBuf::from(document);
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {document}: {e}"))?;
    let prefix = lango_documents::qr::PREFIX.as_bytes();
    let at = bytes
        .windows(prefix.len())
        .position(|w| w == prefix)
        .ok_or_else(|| format!("no Lango document code (LG1:) in {document}"))?;
    // Base45's alphabet: digits, capitals and " $%*+-./:".
    let code: String = bytes[at..]
        .iter()
        .take(lango_documents::qr::MAX_TEXT + 1)
        .take_while(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(b))
        .map(|b| char::from(*b))
        .collect();
    Ok(code.trim_end().to_string())
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
    let text = match qr_text(&args.document) {
        Ok(t) => t,
        Err(e) => {
            println!("INVALID: {e}");
            return ExitCode::from(1);
        }
    };
    // Documents are dated by the UTC day, and so is their expiry.
    let today = lango_core::clock::Civil::from_ms(lango_core::clock::now_ms()).date();
    let verdict = verify(&text, &trust, &today);
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
