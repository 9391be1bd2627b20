//! The QR's text: `LG1:` + Base45(zlib(COSE_Sign1)). Sealing signs the claims with an
//! agency's key; opening peels the layers with limits on every one (a long text, a zip
//! bomb, a malformed COSE structure are refusals, never a panic or a large allocation).

use crate::claims::Claims;
use crate::Invalid;
use coset::{iana, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder};
use ed25519_dalek::{Signer, SigningKey};
use std::io::Read;

/// What every QR text starts with: the format's name and version.
pub const PREFIX: &str = "LG1:";

/// Longest QR text read: more than a version 40 QR code holds.
pub const MAX_TEXT: usize = 4_400;

/// Most bytes the zlib layer may inflate to: far above any real document's claims.
pub const MAX_INFLATED: usize = 16 * 1024;

/// The key id of a public key: the first 8 bytes of its SHA-256 (as the EU DCC does).
pub fn key_id(public_key: &[u8; 32]) -> [u8; 8] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(public_key);
    let mut kid = [0u8; 8];
    kid.copy_from_slice(&digest[..8]);
    kid
}

/// Signs `claims` with `key` and returns the QR text.
pub fn seal(claims: &Claims, key: &SigningKey) -> Result<String, Invalid> {
    let kid = key_id(key.verifying_key().as_bytes());
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(claims.to_cbor()?)
        .create_signature(b"", |data| key.sign(data).to_bytes().to_vec())
        .build();
    let cose = coset::TaggedCborSerializable::to_tagged_vec(sign1)
        .map_err(|_| Invalid::Cose("cannot be written"))?;
    let zipped = deflate(&cose).ok_or(Invalid::Cose("cannot be compressed"))?;
    Ok(format!("{PREFIX}{}", base45::encode(zipped)))
}

thread_local! {
    /// One zlib compressor a thread, reset between documents: making one allocates and
    /// clears its tables, which cost more than signing.
    static DEFLATE: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::default(), true));
}

/// `bytes` compressed as a zlib stream.
fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    DEFLATE.with(|z| {
        let mut z = z.borrow_mut();
        z.reset();
        // Small inputs never grow by more than zlib's header, trailer and block overhead.
        let mut out = Vec::with_capacity(bytes.len() + 64);
        let status = z
            .compress_vec(bytes, &mut out, flate2::FlushCompress::Finish)
            .ok()?;
        (status == flate2::Status::StreamEnd).then_some(out)
    })
}

/// A QR text's signed structure, not yet checked against any key.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The key id in the protected header.
    pub kid: Vec<u8>,
    /// The COSE structure, for checking its signature.
    pub sign1: CoseSign1,
    /// The claims it carries (not to be believed before the signature checks).
    pub claims: Claims,
}

/// Peels the layers of a QR text: prefix, Base45, zlib, COSE_Sign1, claims.
pub fn open(text: &str) -> Result<Opened, Invalid> {
    let text = text.trim();
    if text.len() > MAX_TEXT {
        return Err(Invalid::TooLong);
    }
    let body = text.strip_prefix(PREFIX).ok_or(Invalid::Prefix)?;
    let zipped = base45::decode(body).map_err(|_| Invalid::Base45)?;
    let mut cose = Vec::new();
    flate2::read::ZlibDecoder::new(zipped.as_slice())
        .take(MAX_INFLATED as u64 + 1)
        .read_to_end(&mut cose)
        .map_err(|_| Invalid::Inflate)?;
    if cose.len() > MAX_INFLATED {
        return Err(Invalid::TooLarge);
    }
    let sign1 = <CoseSign1 as coset::TaggedCborSerializable>::from_tagged_slice(&cose)
        .or_else(|_| CoseSign1::from_slice(&cose))
        .map_err(|_| Invalid::Cose("not a COSE_Sign1"))?;
    let eddsa = coset::RegisteredLabelWithPrivate::Assigned(iana::Algorithm::EdDSA);
    if sign1.protected.header.alg != Some(eddsa) {
        return Err(Invalid::Algorithm);
    }
    let kid = sign1.protected.header.key_id.clone();
    if kid.is_empty() {
        return Err(Invalid::Cose("no key id in the protected header"));
    }
    let payload = sign1
        .payload
        .as_deref()
        .ok_or(Invalid::Cose("no payload"))?;
    let claims = Claims::from_cbor(payload)?;
    Ok(Opened { kid, sign1, claims })
}
