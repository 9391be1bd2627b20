//! Documents issued at the end of an application: rendered from the definition's
//! template, stored like any document, numbered and signed so anyone can verify them.
//!
//! An output is a PDF (`lango_documents::pdf`) carrying a QR code signed with the agency's
//! key, which anyone checks offline. It is also signed with an HMAC-SHA256, under a key only
//! Lango holds, over its number and the SHA-256 of its text (the PDF's text streams: the
//! seal beside them carries the signatures and cannot be inside what they sign), which the
//! public verification page checks. Documents issued as HTML before keep verifying there.

pub(crate) mod render;
pub use render::{escape, main_part, qr_svg};

use crate::application::{Application, Issued};
use crate::definition::model::OutputDef;
use crate::definition::FileAnswer;
use crate::service::Cases;
use hmac::{Hmac, Mac};
use lango_core::clock::Civil;
use lango_core::Result;
use rand::Rng;
use render::Values;
pub(crate) use render::{slug, Particulars};
use serde::Serialize;
use sha2::Sha256;
use sqlx::{Any, Row};

/// What the public verification page shows about an issued document: enough to tell a
/// genuine one from a forgery, nothing more (the holder only by initials).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verified {
    /// The document's number, e.g. `LD-7K3M-9QX2`.
    pub number: String,
    /// The document's title, e.g. "Certificate of good conduct".
    pub title: String,
    /// The document's title in Kiswahili, from its definition (empty when it has none).
    pub title_sw: String,
    /// The issuing agency's name (its code when the catalogue has none).
    pub agency: String,
    /// The issuing agency's name in Kiswahili (empty when the catalogue has none).
    pub agency_sw: String,
    /// The service's name (empty for a document an agency's system signed).
    pub service: String,
    /// The service's name in Kiswahili, from the catalogue (empty when it has none).
    pub service_sw: String,
    /// The day it was issued (`YYYY-MM-DD`).
    pub issued_on: String,
    /// Its last valid day (`YYYY-MM-DD`), if it expires.
    pub valid_until: Option<String>,
    /// True when `valid_until` has passed.
    pub expired: bool,
    /// The holder's initials, e.g. `W. K.`.
    pub holder: String,
    /// True when the signature checks against the number and the stored content.
    pub signature_valid: bool,
    /// Why its agency revoked it, when it did (the trust list says so too).
    pub revoked: Option<String>,
    /// The holder's full name and masked ID number from its signed QR code (what the paper
    /// in the verifier's hand says), when its record is intact and it has one.
    pub holder_in_full: Option<(String, String)>,
    /// The document's key fields from its signed QR code: label in English, label in
    /// Kiswahili (from the definition; empty when it has none), value.
    pub fields: Vec<(String, String, String)>,
}

type HmacSha256 = Hmac<Sha256>;

/// Characters of document numbers: no 0/O or 1/I to misread.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A fresh document number, `LD-XXXX-XXXX` (40 random bits).
pub fn new_number() -> String {
    let mut rng = rand::thread_rng();
    let mut pick = || ALPHABET[rng.gen_range(0..ALPHABET.len())] as char;
    let a: String = (0..4).map(|_| pick()).collect();
    let b: String = (0..4).map(|_| pick()).collect();
    format!("LD-{a}-{b}")
}

/// The signature of a document: HMAC-SHA256 over its number and content hash, hex.
pub fn sign(key: &[u8], number: &str, content_sha256: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"lango-issued\n");
    mac.update(number.as_bytes());
    mac.update(b"\n");
    mac.update(content_sha256.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a signature in constant time.
pub fn signature_checks(key: &[u8], number: &str, content_sha256: &str, signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"lango-issued\n");
    mac.update(number.as_bytes());
    mac.update(b"\n");
    mac.update(content_sha256.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// Initials of a name, e.g. `Wanjiku Akinyi Kamau` → `W. A. K.`.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key that signs issued documents: the configured one, else the database's kept key
/// `issued`, so every node signs alike.
pub(crate) async fn signing_key(cases: &Cases, conn: &mut sqlx::AnyConnection) -> Result<Vec<u8>> {
    let configured = &cases.settings.signing_key;
    // The wiring's placeholder text is no secret: treat it as not configured.
    if !configured.is_empty() && !configured.starts_with(b"placeholder") {
        return Ok(configured.clone());
    }
    let key = cases
        .documents
        .key
        .get_or_try_init(|| async {
            let keyring = cases.db.keyring().await?;
            lango_core::keys::kept(&mut *conn, &keyring, "issued").await
        })
        .await?;
    Ok(key.clone())
}

/// Renders and stores the output for the application and records it in `tx` (the
/// transaction of the action that issues it). When the agency's system already attached
/// this output (`Cases::attach_output`), that document is the output and nothing new is made.
pub async fn issue(
    cases: &Cases,
    tx: &mut sqlx::Transaction<'_, Any>,
    app: &Application,
    output: &OutputDef,
    applicant_name: &str,
    now_ms: i64,
) -> Result<Issued> {
    if let Some(attached) = issued_for(tx, &app.id, &output.id).await? {
        return Ok(attached);
    }
    let (service_name, agency_name) = names(tx, &app.service, &app.agency).await?;
    let definition = cases.definition(&app.service, Some(app.version)).await?;
    let number = new_number();
    let issued_on = Civil::from_ms(now_ms).date();
    let valid_until = last_valid_day(output, now_ms);
    let values = Values {
        app,
        applicant_name,
        service_name: &service_name,
        issued_on: &issued_on,
        valid_until: valid_until.as_deref(),
        fields: definition.as_ref().map(|v| &v.definition),
    };
    let holder_id = lango_documents::claims::mask_id(&id_number_of(tx, &app.applicant).await?);
    // Key fields: labelled in both languages on the paper, in English in the QR (it must
    // stay small; a verifier's page shows the Kiswahili label from the definition).
    let printed: Vec<(String, String, String)> = output
        .fields
        .iter()
        .map(|f| {
            let value: String = values.fill(&f.value, "en").chars().take(80).collect();
            (
                f.label.en.clone(),
                render::both(&f.label.en, f.label.sw.as_deref()),
                value,
            )
        })
        .collect();
    let key_fields: Vec<(String, String)> = printed
        .iter()
        .map(|(_, both, v)| (both.clone(), v.clone()))
        .collect();
    let particulars = render::Particulars {
        number: &number,
        reference: Some(&app.reference),
        holder: applicant_name,
        holder_id: &holder_id,
        key_fields: &key_fields,
        issued_on: &issued_on,
        valid_until: valid_until.as_deref(),
    };
    let body =
        lango_documents::pdf::body(&render::layout(output, &values, &agency_name, &particulars));
    let content_sha256 = body.sha256.clone();
    let key = signing_key(cases, tx).await?;
    let signature = sign(&key, &number, &content_sha256);
    let mut fields: std::collections::BTreeMap<String, String> = printed
        .into_iter()
        .map(|(label, _, value)| (label, value))
        .collect();
    fields.insert("Service".to_string(), service_name.clone());
    let claims = lango_documents::Claims {
        number: number.clone(),
        kind: slug(&output.title.en),
        agency: app.agency.clone(),
        holder: applicant_name.to_string(),
        holder_id,
        issued: issued_on.clone(),
        expires: valid_until.clone(),
        sha256: content_sha256.clone(),
        fields,
    };
    let qr = seal_qr(cases, tx, claims).await?;
    let pdf = lango_documents::pdf::finish(
        body,
        &lango_documents::pdf::Seal {
            qr: qr.clone(),
            number: number.clone(),
            url: lango_documents::verify_url(&cases.settings.public_url, &number),
        },
    );
    let name = format!("{}-{number}.pdf", slug(&output.title.en));
    let file = cases
        .documents
        .put_checked(&name, pdf, "application/pdf")
        .await?;
    let row = IssuedRow {
        number: &number,
        application_id: &app.id,
        output: &output.id,
        sha256: &content_sha256,
        issued_at: now_ms,
        valid_until: valid_until.as_deref(),
        signature: &signature,
        service: &app.service,
        service_name: &service_name,
        title: &output.title.en,
        holder: &initials(applicant_name),
        issued_by: "system",
        qr: &qr,
        agency: &app.agency,
        holder_account: Some(&app.applicant),
    };
    record(tx, &file, &row).await?;
    Ok(Issued {
        output: output.id.clone(),
        number,
        issued_at: now_ms,
        valid_until,
        file,
        qr,
        title: output.title.en.clone(),
    })
}

/// The holder's ID number from their account (empty when they gave none).
pub(crate) async fn id_number_of(conn: &mut sqlx::AnyConnection, account: &str) -> Result<String> {
    let id_number: Option<String> =
        sqlx::query_scalar("SELECT id_number FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    Ok(id_number.unwrap_or_default())
}

/// A document's last valid day (`YYYY-MM-DD`), issued at `now_ms`: `valid_years` calendar
/// years less a day, or `valid_days` days counting the day of issue; `None` if it never expires.
pub fn last_valid_day(output: &OutputDef, now_ms: i64) -> Option<String> {
    let today = now_ms.div_euclid(86_400_000);
    let last = match (output.valid_years, output.valid_days) {
        (Some(years), _) => {
            let c = Civil::from_ms(now_ms);
            // 29 February plus years that are not leap lands on 1 March, so the day before is 28 February.
            lango_core::clock::days_from_civil(c.year + i64::from(years), c.month, c.day) - 1
        }
        (None, Some(days)) => today + i64::from(days.max(1)) - 1,
        (None, None) => return None,
    };
    Some(Civil::from_ms(last * 86_400_000).date())
}

/// Signs `claims` with the issuing agency's key into the QR text anyone can check offline
/// (`lango_documents`); inside the issuing transaction.
pub(crate) async fn seal_qr(
    cases: &Cases,
    tx: &mut sqlx::AnyConnection,
    claims: lango_documents::Claims,
) -> Result<String> {
    let keyring = cases.db.keyring().await?;
    let key = lango_documents::keys::signing_key_in(tx, &keyring, &claims.agency).await?;
    lango_documents::qr::seal(&claims, &key).map_err(|e| {
        lango_core::Error::Internal(format!("cannot seal document {}: {e}", claims.number))
    })
}

/// One issued document as stored.
pub(crate) struct IssuedRow<'a> {
    pub number: &'a str,
    pub application_id: &'a str,
    pub output: &'a str,
    pub sha256: &'a str,
    pub issued_at: i64,
    pub valid_until: Option<&'a str>,
    pub signature: &'a str,
    pub service: &'a str,
    pub service_name: &'a str,
    pub title: &'a str,
    pub holder: &'a str,
    pub issued_by: &'a str,
    pub qr: &'a str,
    pub agency: &'a str,
    pub holder_account: Option<&'a str>,
}

/// Records an issued document: its document row (purpose `output`) and its `issued` row.
pub(crate) async fn record(
    conn: &mut sqlx::AnyConnection,
    file: &FileAnswer,
    row: &IssuedRow<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO documents (id, application_id, sha256, name, content_type, size, purpose, \
         field, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'output', $7, $8, $9)",
    )
    .bind(&file.id)
    .bind(row.application_id)
    .bind(&file.sha256)
    .bind(&file.name)
    .bind(&file.content_type)
    .bind(file.size as i64)
    .bind(row.output)
    .bind(row.issued_by)
    .bind(row.issued_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO issued (number, application_id, output, document_id, sha256, issued_at, \
         valid_until, signature, service, service_name, title, holder, issued_by, qr, agency, \
         holder_account) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(row.number)
    .bind(row.application_id)
    .bind(row.output)
    .bind(&file.id)
    .bind(row.sha256)
    .bind(row.issued_at)
    .bind(row.valid_until)
    .bind(row.signature)
    .bind(row.service)
    .bind(row.service_name)
    .bind(row.title)
    .bind(row.holder)
    .bind(row.issued_by)
    .bind(row.qr)
    .bind(row.agency)
    .bind(row.holder_account)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The columns [`issued_of`] reads.
pub(crate) const ISSUED_COLUMNS: &str = "i.number, i.output, i.issued_at, i.valid_until, \
     i.qr, i.title, d.id, d.name, d.content_type, d.size, d.sha256";

/// An issued document from a row with [`ISSUED_COLUMNS`].
pub(crate) fn issued_of(row: &sqlx::any::AnyRow) -> Result<Issued> {
    Ok(Issued {
        output: row.try_get("output")?,
        number: row.try_get("number")?,
        issued_at: row.try_get("issued_at")?,
        valid_until: row.try_get("valid_until")?,
        file: FileAnswer {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            content_type: row.try_get("content_type")?,
            size: row.try_get::<i64, _>("size")?.max(0) as u64,
            sha256: row.try_get("sha256")?,
        },
        qr: row.try_get("qr")?,
        title: row.try_get("title")?,
    })
}

/// The document already issued for this output of this application, if any.
pub(crate) async fn issued_for(
    conn: &mut sqlx::AnyConnection,
    application_id: &str,
    output: &str,
) -> Result<Option<Issued>> {
    let row = sqlx::query(&format!(
        "SELECT {ISSUED_COLUMNS} FROM issued i JOIN documents d ON d.id = i.document_id \
         WHERE i.application_id = $1 AND i.output = $2"
    ))
    .bind(application_id)
    .bind(output)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(issued_of).transpose()
}

/// The service's and the agency's names from the catalogue (their codes when missing).
pub(crate) async fn names(
    conn: &mut sqlx::AnyConnection,
    service: &str,
    agency: &str,
) -> Result<(String, String)> {
    let service_name: Option<String> =
        sqlx::query_scalar("SELECT name FROM services WHERE code = $1")
            .bind(service)
            .fetch_optional(&mut *conn)
            .await?;
    let agency_name: Option<String> =
        sqlx::query_scalar("SELECT name FROM agencies WHERE code = $1")
            .bind(agency)
            .fetch_optional(&mut *conn)
            .await?;
    Ok((
        service_name.unwrap_or_else(|| service.to_string()),
        agency_name.unwrap_or_else(|| agency.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_codes_and_initials() {
        let n = new_number();
        assert_eq!(n.len(), 12);
        assert!(n.starts_with("LD-") && n.as_bytes()[7] == b'-');
        assert!(n[3..].bytes().all(|b| b == b'-' || ALPHABET.contains(&b)));
        let sig = sign(b"key", &n, "abc");
        assert!(signature_checks(b"key", &n, "abc", &sig));
        assert!(!signature_checks(b"key", &n, "abd", &sig));
        assert!(!signature_checks(b"other", &n, "abc", &sig));
        assert!(!signature_checks(b"key", &n, "abc", "zz"));
        assert_eq!(initials("wanjiku  Akinyi Kamau"), "W. A. K.");
        assert_eq!(initials(""), "");
        assert_eq!(
            slug("Certificate of Good Conduct!"),
            "certificate-of-good-conduct"
        );
        assert_eq!(escape("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
        let html = "<x><main id=\"document\">a</main><aside>";
        assert_eq!(main_part(html), Some("<main id=\"document\">a</main>"));
    }
}
