//! Documents of an application: uploads checked on their content, downloads for those
//! allowed, and documents issued at the end.

use super::{Cases, Refusal};
use crate::application::{Application, Issued, DRAFT};
use crate::definition::model::{Actor as StateActor, FieldDef, FieldType};
use crate::definition::FileAnswer;
use crate::documents::{self, DEFAULT_MAX_KB, MAX_KB_CAP};
use crate::outputs::{self, IssuedRow, Verified, ISSUED_COLUMNS};
use lango_core::audit::{self, Entry};
use lango_core::{Error, Result};
use lango_identity::policy::{self, Action, Actor, Object};
use sqlx::Row;

/// The field name that stands for a message's attachment rather than an answer.
pub const MESSAGE: &str = "message";

/// How the actor is named in stored rows (`uploaded_by`, `issued_by`).
pub(crate) fn actor_id(actor: &Actor) -> String {
    match actor {
        Actor::Anonymous => "anonymous".into(),
        Actor::Person(p) => p.account_id.clone(),
        Actor::ApiClient(c) => format!("api:{}", c.key_id),
    }
}

/// How the actor is named in the audit log.
pub(crate) fn audit_actor(actor: &Actor) -> String {
    match actor {
        Actor::Anonymous => "anonymous".into(),
        Actor::Person(p) => format!("account:{}", p.account_id),
        Actor::ApiClient(c) => format!("apikey:{}", c.key_id),
    }
}

fn case_of(app: &Application) -> Object<'_> {
    Object::Case {
        applicant: &app.applicant,
        business: app.business.as_deref(),
        agency: &app.agency,
    }
}

/// The file question `field` names: `ID`, or `GROUP.INDEX.ID` inside a repeating group.
fn file_field<'a>(definition: &'a crate::Definition, field: &str) -> Option<&'a FieldDef> {
    let mut parts = field.split('.');
    let first = parts.next()?;
    let top = definition
        .file()
        .pages
        .iter()
        .flat_map(|p| p.fields.iter())
        .find(|f| f.id == first)?;
    let found = match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => top,
        (Some(index), Some(inner), None)
            if top.kind == FieldType::Group && index.parse::<u32>().is_ok() =>
        {
            top.fields.iter().find(|f| f.id == inner)?
        }
        _ => return None,
    };
    (found.kind == FieldType::File).then_some(found)
}

impl Cases {
    /// Stores an upload for a draft's file field (or a message), checked on its content.
    pub async fn upload(
        &self,
        actor: &Actor,
        reference: &str,
        field: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<std::result::Result<FileAnswer, Refusal>> {
        let app = self.get(actor, reference).await?;
        policy::check(actor, Action::Edit, case_of(&app))?;
        let versioned = self
            .definition(&app.service, Some(app.version))
            .await?
            .ok_or_else(|| Error::NotFound(format!("definition of {}", app.service)))?;
        let definition = &versioned.definition;
        let state = definition.state(&app.state);
        let (accept, max_kb, purpose) = if field == MESSAGE {
            // Messages go with a submitted application that is still open.
            if app.state == DRAFT || state.is_some_and(|s| s.outcome.is_some()) {
                return Err(Error::Conflict(
                    "documents can be sent only with an open application".into(),
                ));
            }
            (Vec::new(), DEFAULT_MAX_KB, "message")
        } else {
            let def = file_field(definition, field).ok_or_else(|| {
                Error::invalid(field, "this application has no such file question")
            })?;
            // Answers change only on a draft, or when the application waits on the applicant.
            let editable = app.state == DRAFT
                || state.is_some_and(|s| s.actor == StateActor::Applicant && s.outcome.is_none());
            if !editable {
                return Err(Error::Conflict(
                    "a submitted application cannot be changed".into(),
                ));
            }
            (
                def.accept.clone(),
                def.max_size_kb.unwrap_or(DEFAULT_MAX_KB),
                "answer",
            )
        };
        let file = match self.documents.put(name, bytes, &accept, max_kb).await? {
            Ok(file) => file,
            Err(refusal) => return Ok(Err(refusal)),
        };
        sqlx::query(
            "INSERT INTO documents (id, application_id, sha256, name, content_type, size, purpose, \
             field, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&file.id)
        .bind(&app.id)
        .bind(&file.sha256)
        .bind(&file.name)
        .bind(&file.content_type)
        .bind(file.size as i64)
        .bind(purpose)
        .bind(field)
        .bind(actor_id(actor))
        .bind(lango_core::clock::now_ms())
        .execute(self.db.pool())
        .await?;
        Ok(Ok(file))
    }

    /// A stored document of the application (an answer, a message's or an issued one), if the actor may see it.
    pub async fn document(
        &self,
        actor: &Actor,
        reference: &str,
        document: &str,
    ) -> Result<(FileAnswer, Vec<u8>)> {
        let app = self.get(actor, reference).await?;
        policy::check(actor, Action::View, case_of(&app))?;
        let row = sqlx::query(
            "SELECT id, name, content_type, size, sha256 FROM documents \
             WHERE id = $1 AND application_id = $2",
        )
        .bind(document)
        .bind(&app.id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| Error::NotFound("document".into()))?;
        let file = FileAnswer {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            content_type: row.try_get("content_type")?,
            size: row.try_get::<i64, _>("size")?.max(0) as u64,
            sha256: row.try_get("sha256")?,
        };
        let bytes = self.documents.get(&file.sha256).await?;
        // Staff (and agency systems) reading a person's document leave a trace they can see.
        if !policy::may(actor, Action::Edit, case_of(&app)) {
            audit::record(
                &self.db,
                Entry {
                    actor: &audit_actor(actor),
                    action: "case.document.view",
                    object: &format!("document:{}", file.id),
                    subject: &app.applicant,
                    detail: &app.reference,
                },
            )
            .await?;
        }
        Ok((file, bytes))
    }

    /// Documents issued for the application.
    pub async fn issued(&self, actor: &Actor, reference: &str) -> Result<Vec<Issued>> {
        let app = self.get(actor, reference).await?;
        policy::check(actor, Action::View, case_of(&app))?;
        self.issued_on(&app.id).await
    }

    /// The documents issued on application `id`, oldest first; the caller has checked access.
    pub(crate) async fn issued_on(&self, application_id: &str) -> Result<Vec<Issued>> {
        let rows = sqlx::query(&format!(
            "SELECT {ISSUED_COLUMNS} FROM issued i JOIN documents d ON d.id = i.document_id \
             WHERE i.application_id = $1 ORDER BY i.issued_at, i.number"
        ))
        .bind(application_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(outputs::issued_of).collect()
    }

    /// Attaches a document made by the agency's own system as the output of an issuing action.
    ///
    /// Allowed while the application is in a state with an action that issues `output`;
    /// the state does not move (the system then takes that action, which issues this
    /// document instead of rendering one). A PDF only, checked like any upload.
    pub async fn attach_output(
        &self,
        actor: &Actor,
        reference: &str,
        output: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<std::result::Result<Issued, Refusal>> {
        let app = self.get(actor, reference).await?;
        self.check_work(actor, Action::Work, &app).await?;
        let versioned = self
            .definition(&app.service, Some(app.version))
            .await?
            .ok_or_else(|| Error::NotFound(format!("definition of {}", app.service)))?;
        let definition = &versioned.definition;
        let out = definition
            .output(output)
            .ok_or_else(|| Error::invalid("output", "this service issues no such output"))?;
        let issuing = definition.state(&app.state).is_some_and(|s| {
            s.actions
                .iter()
                .any(|a| a.issues.as_deref() == Some(output))
        });
        if !issuing {
            return Err(Error::Conflict(format!(
                "the application is {}, where no action issues {output}",
                app.state
            )));
        }
        let kind = match documents::check(&bytes, &["pdf".to_string()], MAX_KB_CAP) {
            Ok(kind) => kind,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let mut tx = self.db.pool().begin().await?;
        // Write first: SQLite takes its write lock before the reads (no lock upgrade to
        // fail), and PostgreSQL serialises two attachments of the same application.
        sqlx::query("UPDATE applications SET updated_at = updated_at WHERE id = $1")
            .bind(&app.id)
            .execute(&mut *tx)
            .await?;
        if outputs::issued_for(&mut tx, &app.id, output)
            .await?
            .is_some()
        {
            return Err(Error::Conflict(format!("{output} was already issued")));
        }
        let (service_name, _) = outputs::names(&mut tx, &app.service, &app.agency).await?;
        let file = self
            .documents
            .put_checked(name, bytes, kind.content_type())
            .await?;
        let key = outputs::signing_key(self, &mut tx).await?;
        let number = outputs::new_number();
        let signature = outputs::sign(&key, &number, &file.sha256);
        let now = lango_core::clock::now_ms();
        let by = actor_id(actor);
        let valid_until = outputs::last_valid_day(out, now);
        let id_number = outputs::id_number_of(&mut tx, &app.applicant).await?;
        let claims = lango_documents::Claims {
            number: number.clone(),
            kind: outputs::slug(&out.title.en),
            agency: app.agency.clone(),
            holder: app.applicant_name.clone(),
            holder_id: lango_documents::claims::mask_id(&id_number),
            issued: lango_core::clock::Civil::from_ms(now).date(),
            expires: valid_until.clone(),
            sha256: file.sha256.clone(),
            fields: [("Service".to_string(), service_name.clone())].into(),
        };
        let qr = outputs::seal_qr(self, &mut tx, claims).await?;
        outputs::record(
            &mut tx,
            &file,
            &IssuedRow {
                number: &number,
                application_id: &app.id,
                output,
                sha256: &file.sha256,
                issued_at: now,
                valid_until: valid_until.as_deref(),
                signature: &signature,
                service: &app.service,
                service_name: &service_name,
                title: &out.title.en,
                holder: &outputs::initials(&app.applicant_name),
                issued_by: &by,
                qr: &qr,
                agency: &app.agency,
                holder_account: Some(&app.applicant),
            },
        )
        .await?;
        audit::append(
            &mut tx,
            Entry {
                actor: &audit_actor(actor),
                action: "case.output.attach",
                object: &format!("application:{}", app.reference),
                subject: &app.applicant,
                detail: &format!("{output} {number}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(Issued {
            output: output.to_string(),
            number,
            issued_at: now,
            valid_until,
            file,
            qr,
            title: out.title.en.clone(),
        }))
    }

    /// What anyone may learn about an issued document from its number (the public
    /// `/verify/{number}` page): `None` when no document has that number.
    pub async fn verify(&self, number: &str) -> Result<Option<Verified>> {
        let number = number.trim().to_ascii_uppercase();
        if number.len() != 12 || !number.starts_with("LD-") || !number.is_ascii() {
            return Ok(None);
        }
        let Some(row) = sqlx::query(
            "SELECT i.sha256, i.issued_at, i.valid_until, i.signature, i.service_name, i.title, \
             i.holder, i.output, i.service, i.qr, a.version, d.sha256 AS file_sha256, d.content_type, \
             g.name AS agency_name, g.name_sw AS agency_name_sw, COALESCE(i.agency, a.agency) AS agency \
             FROM issued i JOIN documents d ON d.id = i.document_id \
             LEFT JOIN applications a ON a.id = i.application_id \
             LEFT JOIN agencies g ON g.code = COALESCE(i.agency, a.agency) WHERE i.number = $1",
        )
        .bind(&number)
        .fetch_optional(self.db.pool())
        .await?
        else {
            return Ok(None);
        };
        let signed: String = row.try_get("sha256")?;
        let signature: String = row.try_get("signature")?;
        let file_sha: String = row.try_get("file_sha256")?;
        let content_type: String = row.try_get("content_type")?;
        let mut conn = self.db.pool().acquire().await?;
        let key = outputs::signing_key(self, &mut conn).await?;
        drop(conn);
        let mut valid = outputs::signature_checks(&key, &number, &signed, &signature);
        if valid {
            // The stored content must still be what was signed.
            valid = match self.documents.get(&file_sha).await {
                Ok(bytes) if content_type.starts_with("text/html") => {
                    let html = String::from_utf8_lossy(&bytes);
                    outputs::main_part(&html)
                        .is_some_and(|m| documents::sha256_hex(m.as_bytes()) == signed)
                }
                // An attached PDF is signed whole; one Lango made, by its text streams.
                Ok(bytes) => {
                    documents::sha256_hex(&bytes) == signed
                        || lango_documents::scan::text_sha256(&bytes).is_ok_and(|t| t == signed)
                }
                Err(Error::NotFound(_)) => false,
                Err(e) => return Err(e),
            };
        }
        let issued_at: i64 = row.try_get("issued_at")?;
        let valid_until: Option<String> = row.try_get("valid_until")?;
        // The stored title and service name are English (they are what was signed and
        // printed); the Kiswahili comes from the definition and the catalogue as they stand.
        let service: String = row.try_get("service")?;
        let output: String = row.try_get("output")?;
        let version: Option<i64> = row.try_get("version")?;
        let output_def = match version {
            Some(v) => self
                .definition(&service, Some(v))
                .await
                .ok()
                .flatten()
                .and_then(|d| d.definition.output(&output).cloned()),
            None => None,
        };
        let title_sw = output_def
            .as_ref()
            .and_then(|o| o.title.sw.clone())
            .unwrap_or_default();
        let service_sw: Option<String> =
            sqlx::query_scalar("SELECT name_sw FROM services WHERE code = $1")
                .bind(&service)
                .fetch_optional(self.db.pool())
                .await?;
        let today = lango_core::clock::Civil::from_ms(lango_core::clock::now_ms()).date();
        let revoked: Option<String> =
            sqlx::query_scalar("SELECT reason FROM document_revocations WHERE number = $1")
                .bind(&number)
                .fetch_optional(self.db.pool())
                .await?;
        let qr: String = row.try_get("qr")?;
        let claims = lango_documents::qr::open(&qr)
            .ok()
            .filter(|o| valid && o.claims.number == number && o.claims.sha256 == signed)
            .map(|o| o.claims);
        let sw_label = |en: &str| {
            output_def
                .as_ref()
                .and_then(|o| o.fields.iter().find(|f| f.label.en == en))
                .and_then(|f| f.label.sw.clone())
                .unwrap_or_default()
        };
        let fields = claims
            .as_ref()
            .map(|c| {
                c.fields
                    .iter()
                    .filter(|(k, _)| k.as_str() != "Service")
                    .map(|(k, v)| (k.clone(), sw_label(k), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let holder_in_full = claims.map(|c| (c.holder, c.holder_id));
        let agency_name: Option<String> = row.try_get("agency_name")?;
        let agency: Option<String> = row.try_get("agency")?;
        let agency_sw: Option<String> = row.try_get("agency_name_sw")?;
        Ok(Some(Verified {
            agency: agency_name.or(agency).unwrap_or_default(),
            agency_sw: agency_sw.unwrap_or_default(),
            holder_in_full,
            fields,
            revoked,
            expired: valid_until.as_deref().is_some_and(|v| v < today.as_str()),
            number,
            title: row.try_get("title")?,
            title_sw,
            service: row.try_get("service_name")?,
            service_sw: service_sw.unwrap_or_default(),
            issued_on: lango_core::clock::Civil::from_ms(issued_at).date(),
            valid_until,
            holder: row.try_get("holder")?,
            signature_valid: valid,
        }))
    }
}
