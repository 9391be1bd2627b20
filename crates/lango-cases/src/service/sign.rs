//! An agency's own system signs a document through Lango (`POST /api/v1/documents`): a
//! licence or a certificate issued outside any Lango application gets the same PDF, signed
//! QR code, number and verify page as an output, under the agency's own key. The holder
//! finds it in their wallet when the ID number given is their account's.

use super::files::{actor_id, audit_actor};
use super::Cases;
use crate::definition::FileAnswer;
use crate::outputs::{self, IssuedRow, ISSUED_COLUMNS};
use lango_core::audit::{self, Entry};
use lango_core::clock::Civil;
use lango_core::{Error, Result};
use lango_documents::pdf::{self, Block, Layout, Seal};
use lango_identity::policy::{check, Action, Actor, Object};
use sqlx::Row;
use std::collections::BTreeMap;

/// Most key fields a document carries (they go into its QR code).
pub const FIELDS_MAX: usize = 6;

/// What an agency's system asks to sign, as it sent it.
#[derive(Debug, Clone, Default)]
pub struct DocumentRequest {
    /// The document's type as printed, e.g. "Fishing licence".
    pub kind: String,
    /// The holder's full name.
    pub holder_name: String,
    /// The holder's ID number (printed and signed masked; empty when none).
    pub holder_id: String,
    /// Its last valid day, `YYYY-MM-DD`, if it expires.
    pub expires: Option<String>,
    /// Its key fields, label to value, as printed.
    pub fields: BTreeMap<String, String>,
}

/// A document signed for an agency's system.
#[derive(Debug, Clone)]
pub struct Signed {
    /// Its number.
    pub number: String,
    /// Its signed QR text.
    pub qr: String,
    /// The stored PDF's id.
    pub file_id: String,
}

/// One line of text of 1 to `max` characters, or why not.
fn line(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("{field}: give 1 to {max} characters, on one line"),
        ));
    }
    Ok(v.to_string())
}

impl DocumentRequest {
    /// The request checked: every text one line of sensible length, the ID number letters
    /// and digits, the expiry a real day from today on, at most [`FIELDS_MAX`] fields.
    fn checked(&self, today: &str) -> Result<DocumentRequest> {
        let kind = line("type", &self.kind, 80)?;
        let holder_name = line("holder.name", &self.holder_name, 120)?;
        // As accounts keep them: no spaces or dashes, capitals.
        let holder_id: String = self
            .holder_id
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if !holder_id.is_empty()
            && (holder_id.len() > 20 || !holder_id.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(Error::invalid(
                "holder.id_number",
                "holder.id_number: an ID number is up to 20 letters and digits",
            ));
        }
        let expires = match self.expires.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => {
                let real = crate::definition::values::parse_date(d).is_some();
                if !real || d < today {
                    return Err(Error::invalid(
                        "expires",
                        "expires: give the last valid day as YYYY-MM-DD, today or later",
                    ));
                }
                Some(d.to_string())
            }
        };
        if self.fields.len() > FIELDS_MAX {
            return Err(Error::invalid(
                "fields",
                format!("fields: a document carries at most {FIELDS_MAX} key fields"),
            ));
        }
        let mut fields = BTreeMap::new();
        for (k, v) in &self.fields {
            fields.insert(line("fields", k, 40)?, line("fields", v, 80)?);
        }
        Ok(DocumentRequest {
            kind,
            holder_name,
            holder_id,
            expires,
            fields,
        })
    }
}

impl Cases {
    /// Signs a document issued in `actor`'s agency's own system (its key needs
    /// `documents:write`): the PDF with its QR code, stored and numbered like an output.
    pub async fn sign_document(&self, actor: &Actor, req: &DocumentRequest) -> Result<Signed> {
        let Actor::ApiClient(client) = actor else {
            return Err(Error::Forbidden(
                "only an agency's system signs documents this way".into(),
            ));
        };
        let agency = client.agency.clone();
        check(actor, Action::Edit, Object::Documents(&agency))?;
        let now = lango_core::clock::now_ms();
        let issued_on = Civil::from_ms(now).date();
        let req = req.checked(&issued_on)?;
        let number = outputs::new_number();
        // It writes (maybe the agency's first key, then the document): on SQLite the write
        // lock is taken first, so a concurrent signing waits instead of failing.
        let mut conn = self.db.pool().acquire().await?;
        let mut tx = lango_core::db::begin_write(&mut conn).await?;
        let agency_name: Option<String> =
            sqlx::query_scalar("SELECT name FROM agencies WHERE code = $1")
                .bind(&agency)
                .fetch_optional(&mut *tx)
                .await?;
        let agency_name = agency_name.unwrap_or_else(|| agency.clone());
        let holder_account = holder_account(&mut tx, &req).await?;
        let masked = lango_documents::claims::mask_id(&req.holder_id);
        let fields: Vec<(String, String)> = req
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let particulars = outputs::Particulars {
            number: &number,
            reference: None,
            holder: &req.holder_name,
            holder_id: &masked,
            key_fields: &fields,
            issued_on: &issued_on,
            valid_until: req.expires.as_deref(),
        };
        let body = pdf::body(&Layout {
            agency: agency_name.clone(),
            title: req.kind.clone(),
            title_sw: String::new(),
            body: vec![Block::Paragraph(vec![format!(
                "{} number {number}, issued by {agency_name} to {}.",
                req.kind, req.holder_name
            )])],
            body_sw: vec![Block::Paragraph(vec![format!(
                "{} nambari {number}, imetolewa na {agency_name} kwa {}.",
                req.kind, req.holder_name
            )])],
            particulars: particulars.rows(),
        });
        let text_sha256 = body.sha256.clone();
        let key = outputs::signing_key(self, &mut tx).await?;
        let signature = outputs::sign(&key, &number, &body.sha256);
        let claims = lango_documents::Claims {
            number: number.clone(),
            kind: outputs::slug(&req.kind),
            agency: agency.clone(),
            holder: req.holder_name.clone(),
            holder_id: masked,
            issued: issued_on.clone(),
            expires: req.expires.clone(),
            sha256: body.sha256.clone(),
            fields: req.fields.clone(),
        };
        let qr = outputs::seal_qr(self, &mut tx, claims).await?;
        if !pdf::qr_fits(&qr) {
            return Err(Error::invalid(
                "fields",
                "fields: the document says too much for its QR code; shorten the key fields",
            ));
        }
        let file = pdf::finish(
            body,
            &Seal {
                qr: qr.clone(),
                number: number.clone(),
                url: lango_documents::verify_url(&self.settings.public_url, &number),
            },
        );
        let name = format!("{}-{number}.pdf", outputs::slug(&req.kind));
        let file = self
            .documents
            .put_checked(&name, file, "application/pdf")
            .await?;
        let by = actor_id(actor);
        outputs::record(
            &mut tx,
            &file,
            &IssuedRow {
                number: &number,
                // Issued outside any application.
                application_id: "",
                output: &outputs::slug(&req.kind),
                sha256: &text_sha256,
                issued_at: now,
                valid_until: req.expires.as_deref(),
                signature: &signature,
                // Signed outside the catalogue's services: no service to name.
                service: "",
                service_name: "",
                title: &req.kind,
                holder: &outputs::initials(&req.holder_name),
                issued_by: &by,
                qr: &qr,
                agency: &agency,
                holder_account: holder_account.as_deref(),
            },
        )
        .await?;
        audit::append(
            &mut tx,
            Entry {
                actor: &audit_actor(actor),
                action: "document.sign",
                object: &format!("document:{number}"),
                subject: holder_account.as_deref().unwrap_or(""),
                detail: &req.kind,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Signed {
            number,
            qr,
            file_id: file.id,
        })
    }

    /// The PDF of a document `actor`'s agency signed through the API. Another agency's
    /// document is as good as absent.
    pub async fn signed_pdf(&self, actor: &Actor, number: &str) -> Result<(FileAnswer, Vec<u8>)> {
        let number = number.trim().to_ascii_uppercase();
        let row = sqlx::query(&format!(
            "SELECT {ISSUED_COLUMNS}, i.agency FROM issued i JOIN documents d ON d.id = i.document_id \
             WHERE i.number = $1 AND i.application_id = ''"
        ))
        .bind(&number)
        .fetch_optional(self.db.pool())
        .await?;
        let not_found = || Error::NotFound("document".into());
        let row = row.ok_or_else(not_found)?;
        let agency: Option<String> = row.try_get("agency")?;
        let agency = agency.ok_or_else(not_found)?;
        check(actor, Action::View, Object::Documents(&agency)).map_err(|_| not_found())?;
        // The signed PDF goes back to the systems that sign (`documents:write`), not to
        // every key of the agency.
        check(actor, Action::Edit, Object::Documents(&agency))?;
        let issued = outputs::issued_of(&row)?;
        let bytes = self.documents.get(&issued.file.sha256).await?;
        Ok((issued.file, bytes))
    }
}

/// The account whose wallet holds a document signed for `req`'s holder: the active account
/// with that ID number whose name is the holder's (each of its names in the holder's name),
/// so a document never lands with whoever typed someone else's ID number at registration.
async fn holder_account(
    conn: &mut sqlx::AnyConnection,
    req: &DocumentRequest,
) -> Result<Option<String>> {
    if req.holder_id.is_empty() {
        return Ok(None);
    }
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, given_name, family_name, other_names FROM accounts \
         WHERE id_number = $1 AND status = 'active'",
    )
    .bind(&req.holder_id)
    .fetch_optional(&mut *conn)
    .await?;
    let words = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_lowercase).collect() };
    let holder = words(&req.holder_name);
    Ok(row.and_then(|(id, given, family, other)| {
        let names = words(&format!("{given} {family} {other}"));
        (!names.is_empty() && names.iter().all(|n| holder.contains(n))).then_some(id)
    }))
}
