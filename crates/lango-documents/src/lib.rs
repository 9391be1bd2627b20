//! Documents anyone can verify offline, with a phone and no network: the claims of an
//! issued document signed by its agency's key into a QR text (`LG1:` + Base45(zlib(
//! COSE_Sign1))), and the trust list of public keys and revocations a verifier checks it
//! against. The format is described for outside verifiers in docs/signed-documents.md.

pub mod claims;
pub mod keys;
pub mod pdf;
pub mod qr;
pub mod scan;
mod shape;
pub mod trust;

pub use claims::Claims;
pub use ed25519_dalek::VerifyingKey;
pub use trust::TrustList;

use ed25519_dalek::Signature;

/// The documents' tables, for both databases.
pub fn migrations() -> lango_core::db::Migrations {
    lango_core::db::Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}

/// Why a QR text is not a valid document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// It does not start with `LG1:`.
    #[error("this is not a Lango document code (it does not start with LG1:)")]
    Prefix,
    /// Longer than any QR code holds.
    #[error("the code is too long to be a Lango document")]
    TooLong,
    /// Not Base45.
    #[error("the code is damaged (not Base45)")]
    Base45,
    /// The zlib layer is broken.
    #[error("the code is damaged (it does not inflate)")]
    Inflate,
    /// The zlib layer inflates beyond the limit (a zip bomb).
    #[error("the code inflates to more than any document holds")]
    TooLarge,
    /// The COSE structure is broken.
    #[error("the code is damaged ({0})")]
    Cose(&'static str),
    /// The claims are not a document's.
    #[error("the document's contents are not readable ({0})")]
    Claims(&'static str),
    /// Signed with another algorithm than EdDSA.
    #[error("the document is signed with an algorithm Lango does not use")]
    Algorithm,
    /// No key in the trust list has this id.
    #[error("the document is signed by a key that is not in the trust list")]
    UnknownKey,
    /// The key was not valid on the day the document says it was issued.
    #[error("the document is signed by a key that was not valid on its issue date")]
    KeyNotValid,
    /// The key belongs to another agency than the one the document names.
    #[error("the document is signed by another agency's key")]
    WrongAgency,
    /// The signature does not match: the document was changed or forged.
    #[error("the signature does not match: the document was changed or is forged")]
    Signature,
    /// The file is not one a document can be read from.
    #[error("the file cannot be read ({0})")]
    Unreadable(&'static str),
    /// The file holds no Lango document code.
    #[error("no Lango document code was found in it")]
    NoCode,
    /// A PDF whose text is not what its code signs.
    #[error("the PDF's text is not what its code signs: it was changed")]
    Altered,
    /// The trust list itself cannot be trusted.
    #[error("the trust list cannot be trusted: {0}")]
    TrustList(&'static str),
}

/// A verifier's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Genuine and in force.
    Valid(Claims),
    /// Genuine, but past its last valid day.
    Expired(Claims),
    /// Genuine, but withdrawn by its agency.
    Revoked {
        /// What it says.
        claims: Claims,
        /// Why it was revoked.
        reason: String,
    },
    /// Not a genuine document.
    Invalid(Invalid),
}

impl Verdict {
    /// The exit code of `lango verify`: 0 valid, 1 invalid or expired, 2 revoked.
    pub fn exit_code(&self) -> i32 {
        match self {
            Verdict::Valid(_) => 0,
            Verdict::Revoked { .. } => 2,
            Verdict::Expired(_) | Verdict::Invalid(_) => 1,
        }
    }

    /// The claims, when the document is genuine.
    pub fn claims(&self) -> Option<&Claims> {
        match self {
            Verdict::Valid(c) | Verdict::Expired(c) | Verdict::Revoked { claims: c, .. } => Some(c),
            Verdict::Invalid(_) => None,
        }
    }
}

/// Checks a QR text against `trust` on day `today` (`YYYY-MM-DD`): its layers, its key
/// (known, of the agency it names, valid on its issue date), its signature, revocation and
/// expiry. Needs no network and no database.
pub fn verify(text: &str, trust: &TrustList, today: &str) -> Verdict {
    match check(text, trust) {
        Err(why) => Verdict::Invalid(why),
        Ok(claims) => {
            if let Some(r) = trust.revocation(&claims.number) {
                let reason = r.reason.clone();
                Verdict::Revoked { claims, reason }
            } else if claims.expires.as_deref().is_some_and(|e| e < today) {
                Verdict::Expired(claims)
            } else {
                Verdict::Valid(claims)
            }
        }
    }
}

/// The address where document `number` is checked online, under the trust list's issuer.
pub fn verify_url(issuer: &str, number: &str) -> String {
    format!("{}/verify/{number}", issuer.trim_end_matches('/'))
}

/// Checks a file a verifier holds (a PDF of the document, a photo of it, or text holding
/// its code) as [`verify`] does. A PDF must also be what its code signs: its text streams
/// hash to the `sha` claim, it has the shape of a PDF Lango makes key by key (nothing laid
/// over the text, standard fonts), and its seal and QR image are the ones drawn again from
/// the code and the trust list; else it was changed. A PDF an agency's system attached is signed whole instead.
pub fn verify_file(bytes: &[u8], trust: &TrustList, today: &str) -> Verdict {
    let found = match scan::find(bytes) {
        Ok(f) => f,
        Err(why) => return Verdict::Invalid(why),
    };
    let verdict = verify(&found.text, trust, today);
    let (Some(file), Some(claims)) = (&found.pdf, verdict.claims()) else {
        return verdict;
    };
    // An agency's own PDF, signed whole.
    if pdf::hex_sha256(bytes) == claims.sha256 {
        return verdict;
    }
    let seal = pdf::seal_stream(&pdf::Seal {
        qr: found.text.clone(),
        number: claims.number.clone(),
        url: verify_url(&trust.issuer, &claims.number),
    });
    // The QR image must be the code's own, drawn as Lango draws it (which also says the
    // PDF has Lango's shape): nothing else is shown.
    let image = pdf::qr_pixels(&found.text);
    if file.text_sha256 != claims.sha256
        || file.seal != seal
        || file.qr_image.is_none()
        || file.qr_image != image
    {
        return Verdict::Invalid(Invalid::Altered);
    }
    verdict
}

fn check(text: &str, trust: &TrustList) -> Result<Claims, Invalid> {
    let opened = qr::open(text)?;
    let key = trust.key(&opened.kid).ok_or(Invalid::UnknownKey)?;
    if key.alg != "EdDSA" {
        return Err(Invalid::Algorithm);
    }
    let public = key.jwk.key().ok_or(Invalid::UnknownKey)?;
    let c = &opened.claims;
    if c.issued < key.not_before || c.issued > key.not_after {
        return Err(Invalid::KeyNotValid);
    }
    if c.agency != key.agency {
        return Err(Invalid::WrongAgency);
    }
    opened.sign1.verify_signature(b"", |sig, data| {
        let sig = Signature::from_slice(sig).map_err(|_| Invalid::Signature)?;
        public
            .verify_strict(data, &sig)
            .map_err(|_| Invalid::Signature)
    })?;
    Ok(opened.claims)
}
