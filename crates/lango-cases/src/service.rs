//! The operations the web layer, the API and the CLI call. Every one takes the actor
//! and checks `lango_identity::policy` on the object itself.
//!
//! The journey (start, answer, submit, messages) is in `journey`, the agency's work
//! (queue, claim, assign, act, workload) in `work`, documents in `files`, the holder's
//! issued documents in `wallet`.

use crate::application::Application;
use crate::definition::DefinitionError;
use crate::registry::{self, Cache, Stored};
use crate::standard;
use crate::Definition;
use lango_core::db::Db;
use lango_core::{Error, Result};
use lango_identity::policy::{check, Action, Actor, Object};
use lango_payments::fees::FeeTable;
use std::path::Path;
use std::sync::Arc;

mod files;
mod journey;
mod revoke;
mod sign;
mod transition;
mod wallet;
mod work;

pub(crate) use journey::county_of;
pub(crate) use journey::is_final as journey_is_final;
pub use revoke::Revoked;
pub use sign::{DocumentRequest, Signed};
pub use wallet::Held;
pub use work::QUEUE_PAGE_MAX;

/// A definition as stored: one version of one service.
#[derive(Debug, Clone)]
pub struct Versioned {
    /// 1, 2, 3… per service.
    pub version: i64,
    /// The agency that owns the service.
    pub agency: String,
    /// The YAML as uploaded.
    pub yaml: String,
    /// Checked.
    pub definition: Definition,
    /// When uploaded (unix ms).
    pub uploaded_at: i64,
    /// Who uploaded it (account id, or `system` for the folder).
    pub uploaded_by: String,
}

impl Versioned {
    /// The standard application Lango made from the catalogue entry, not the agency's own.
    pub fn is_standard(&self) -> bool {
        self.uploaded_by == standard::BY
    }
}

/// Why an upload was refused (the application is unchanged).
#[derive(Debug, Clone)]
pub enum Refusal {
    /// Larger than the field allows.
    TooLarge {
        /// The limit in KiB.
        limit_kb: u32,
    },
    /// Not one of the allowed types, judged by the content.
    WrongType,
    /// Empty.
    Empty,
}

/// Settings of the cases room.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where documents are stored: a directory (`file:` or a path) or `s3://bucket/prefix`.
    pub object_store_url: String,
    /// Key that signs issued documents' verification codes (empty: a key kept in the database).
    pub signing_key: Vec<u8>,
    /// The convenience-fee bands added to the bills of application fees.
    pub fees: FeeTable,
    /// Where people reach the platform (printed on issued documents for verification).
    pub public_url: String,
    /// S3 options over the AWS_* environment (object_store's names, e.g. `aws_endpoint`).
    pub s3_options: Vec<(String, String)>,
}

impl Settings {
    /// Settings with Kenya's convenience fees (tests and tools).
    pub fn new(object_store_url: impl Into<String>, signing_key: Vec<u8>) -> Settings {
        Settings {
            object_store_url: object_store_url.into(),
            signing_key,
            fees: FeeTable::kenya(),
            public_url: "http://127.0.0.1:8080".into(),
            s3_options: Vec::new(),
        }
    }
}

/// The cases room: definitions, applications, documents. Cheap to clone.
#[derive(Clone)]
pub struct Cases {
    pub(crate) db: Db,
    pub(crate) settings: Arc<Settings>,
    pub(crate) documents: crate::documents::Documents,
    pub(crate) definitions: Cache,
    pub(crate) submissions: crate::submit::Committer,
    pub(crate) paid: Arc<crate::paid::Progress>,
}

impl Cases {
    /// Opens the room and starts its submission committer.
    pub async fn open(db: Db, settings: Settings) -> Result<Cases> {
        let documents = crate::documents::Documents::open_with(
            &settings.object_store_url,
            &settings.s3_options,
        )?;
        // Settled now: the signing key is first opened inside an issuing transaction, where
        // reading the database's own key-encryption key would need a second connection.
        db.keyring().await?;
        let submissions = crate::submit::Committer::start(db.clone());
        Ok(Cases {
            db,
            settings: Arc::new(settings),
            documents,
            definitions: Cache::default(),
            submissions,
            paid: Arc::new(crate::paid::Progress::new()),
        })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The document store, which other rooms' uploads (an agent's application) share.
    pub fn documents(&self) -> &crate::documents::Documents {
        &self.documents
    }

    // --- definitions ---

    /// Loads every `*.yaml` in `dir` as the system; a file whose text equals the current
    /// version adds nothing, and a bad file is logged with its errors and skipped (the
    /// running version stays). Returns how many new versions were stored.
    pub async fn load_definitions(&self, dir: &Path) -> Result<usize> {
        registry::load_texts(&self.db, &registry::read_dir(dir)?).await
    }

    /// Stores a new version uploaded by an agency admin of the service's agency (or a
    /// platform admin). A bad definition is refused with its errors and the running
    /// version stays; an upload equal to the current version returns it unchanged.
    pub async fn upload_definition(
        &self,
        actor: &Actor,
        yaml: &str,
    ) -> Result<std::result::Result<Arc<Versioned>, Vec<DefinitionError>>> {
        let service = registry::service_named(yaml);
        let owner = match &service {
            Some(s) => lango_catalogue::store::service_owner(&self.db, s).await?,
            None => None,
        };
        match &owner {
            // An agency's API key may edit its books (bills) but not its services.
            Some(_) if !matches!(actor, Actor::Person(_)) => {
                return Err(Error::Forbidden("you are not allowed to do that".into()))
            }
            Some((agency, _)) => check(actor, Action::Edit, Object::Agency(agency))?,
            // No known service to authorise against: only someone who may edit some
            // agency's definitions learns what is wrong with the file, and nothing is stored.
            None if administers_any_agency(actor) => {
                return Ok(Err(match Definition::parse(yaml) {
                    Err(errors) => errors,
                    Ok(d) => vec![DefinitionError {
                        line: None,
                        path: "service".into(),
                        message: format!("there is no service {} in the catalogue", d.service()),
                    }],
                }))
            }
            None => return Err(Error::Forbidden("you are not allowed to do that".into())),
        }
        let (service, version) =
            match registry::store(&self.db, yaml, &label(actor), &audit_label(actor)).await? {
                Ok((s, Stored::New(v) | Stored::Unchanged(v))) => (s, v),
                Err(errors) => return Ok(Err(errors)),
            };
        self.definition(&service, Some(version))
            .await?
            .map(Ok)
            .ok_or_else(|| Error::Internal("stored definition vanished".into()))
    }

    /// The current version of a service's definition, or a given version. A service with
    /// no definition of its agency's own runs the standard one (`crate::standard`).
    pub async fn definition(
        &self,
        service: &str,
        version: Option<i64>,
    ) -> Result<Option<Arc<Versioned>>> {
        match version {
            Some(v) => self.definitions.get(&self.db, service, v).await,
            None => self.current_definition(service).await,
        }
    }

    /// The agency's current definition; else the standard one made from the catalogue entry
    /// as it reads now, stored as a new version when the entry changed since the last.
    async fn current_definition(&self, service: &str) -> Result<Option<Arc<Versioned>>> {
        let current = match registry::current_version(&self.db, service).await? {
            Some(v) => self.definitions.get(&self.db, service, v).await?,
            None => None,
        };
        if current.as_ref().is_some_and(|v| !v.is_standard()) {
            return Ok(current);
        }
        let Some((entry, agency, agency_sw)) =
            lango_catalogue::store::service_with_agency(&self.db, service).await?
        else {
            return Ok(None);
        };
        let Some(yaml) = standard::yaml_for(&entry, (&agency, &agency_sw)) else {
            return Ok(None);
        };
        if let Some(v) = current.filter(|v| v.yaml == yaml) {
            return Ok(Some(v));
        }
        match registry::store(&self.db, &yaml, standard::BY, "system").await? {
            Ok((_, Stored::New(v) | Stored::Unchanged(v))) => {
                self.definitions.get(&self.db, service, v).await
            }
            Err(errors) => Err(Error::Internal(format!(
                "the standard definition of {service} does not check: {errors:?}"
            ))),
        }
    }

    /// The services of `agency` that have a definition of the agency's own (not only the
    /// standard one): one read for an agency's list of services.
    pub async fn own_definitions(&self, agency: &str) -> Result<std::collections::HashSet<String>> {
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT service FROM service_definitions WHERE agency = $1 AND uploaded_by <> $2",
        )
        .bind(agency)
        .bind(standard::BY)
        .fetch_all(self.db.pool())
        .await?;
        Ok(codes.into_iter().collect())
    }

    /// Every version of a service's definition, newest first (without parsing them):
    /// `(version, uploaded_at, uploaded_by)`.
    pub async fn definition_history(&self, service: &str) -> Result<Vec<(i64, i64, String)>> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT version, uploaded_at, uploaded_by FROM service_definitions \
             WHERE service = $1 ORDER BY version DESC",
        )
        .bind(service)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows)
    }

    /// The definition an application was started with.
    pub(crate) async fn definition_of(&self, app: &Application) -> Result<Arc<Versioned>> {
        self.definition(&app.service, Some(app.version))
            .await?
            .ok_or_else(|| {
                Error::Internal(format!(
                    "definition {} v{} missing",
                    app.service, app.version
                ))
            })
    }
}

/// True when the actor administers some agency or the platform.
fn administers_any_agency(actor: &Actor) -> bool {
    use lango_identity::model::Role;
    match actor {
        Actor::Person(p) => p
            .grants
            .iter()
            .any(|g| matches!(g.role, Role::AgencyAdmin | Role::PlatformAdmin)),
        _ => false,
    }
}

/// How the actor is named in transitions and the audit log: an account id, `api:KEYID`.
pub(crate) fn label(actor: &Actor) -> String {
    match actor {
        Actor::Anonymous => "anonymous".into(),
        Actor::Person(p) => p.account_id.clone(),
        Actor::ApiClient(c) => format!("api:{}", c.key_id),
    }
}

/// How the actor is named in the audit log: `account:ID`, `apikey:ID`.
pub(crate) fn audit_label(actor: &Actor) -> String {
    lango_identity::account::actor_label(actor)
}

/// The policy's view of an application.
pub(crate) fn object(app: &Application) -> Object<'_> {
    Object::Case {
        applicant: &app.applicant,
        business: app.business.as_deref(),
        agency: &app.agency,
    }
}
