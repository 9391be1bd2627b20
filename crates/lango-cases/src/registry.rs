//! The definitions registry: every version of every service's definition, stored as
//! uploaded, checked before it is stored, and parsed once per node into an immutable cache.

use crate::definition::DefinitionError;
use crate::service::Versioned;
use crate::Definition;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Parsed versions by (service, version).
type Parsed = HashMap<(String, i64), Arc<Versioned>>;

/// Parsed definitions by (service, version): a version never changes once stored.
#[derive(Clone, Default)]
pub(crate) struct Cache(Arc<RwLock<Parsed>>);

/// What storing a definition came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A new version.
    New(i64),
    /// The text equals the current version's: nothing stored.
    Unchanged(i64),
}

/// The service code a definition names, read loosely (before it is checked) so an upload
/// can be authorised against the service's agency.
pub fn service_named(yaml: &str) -> Option<String> {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).ok()?;
    value
        .get("service")?
        .as_str()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn sha256(yaml: &str) -> String {
    hex::encode(Sha256::digest(yaml.as_bytes()))
}

fn one_error(path: &str, message: String) -> Vec<DefinitionError> {
    vec![DefinitionError {
        line: None,
        path: path.to_string(),
        message,
    }]
}

/// Checks `yaml` and stores it as the service's next version unless it equals the current
/// one. `by` is the uploader (`account:ID`, `system`). A refused definition stores nothing.
pub async fn store(
    db: &Db,
    yaml: &str,
    by: &str,
    audit_by: &str,
) -> Result<std::result::Result<(String, Stored), Vec<DefinitionError>>> {
    let definition = match Definition::parse(yaml) {
        Ok(d) => d,
        Err(errors) => return Ok(Err(errors)),
    };
    let service = definition.service().to_string();
    let agency = match lango_catalogue::store::service_owner(db, &service).await? {
        Some((agency, _)) => agency,
        None => {
            return Ok(Err(one_error(
                "service",
                format!("there is no service {service} in the catalogue"),
            )))
        }
    };
    let hash = sha256(yaml);
    // Two nodes loading the same folder race for the next version: the loser looks again.
    for _ in 0..5 {
        let mut tx = db.pool().begin().await?;
        // Write first: it takes SQLite's write lock (waiting its turn) before the read, so
        // the transaction never has to upgrade a read lock, and serialises uploads on PostgreSQL.
        lango_core::db::next_counter(&mut tx, "service_definitions").await?;
        let current = sqlx::query(
            "SELECT version, sha256 FROM service_definitions WHERE service = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(&service)
        .fetch_optional(&mut *tx)
        .await?;
        let (last, last_hash) = match &current {
            Some(r) => (
                r.try_get::<i64, _>("version")?,
                r.try_get::<String, _>("sha256")?,
            ),
            None => (0, String::new()),
        };
        if last_hash == hash {
            return Ok(Ok((service, Stored::Unchanged(last))));
        }
        let version = last + 1;
        let inserted = sqlx::query(
            "INSERT INTO service_definitions (service, version, agency, yaml, sha256, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&service)
        .bind(version)
        .bind(&agency)
        .bind(yaml)
        .bind(&hash)
        .bind(by)
        .bind(now_ms())
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => continue,
            other => {
                other?;
            }
        }
        lango_core::audit::append(
            &mut tx,
            lango_core::audit::Entry {
                actor: audit_by,
                action: "definition.upload",
                object: &format!("service:{service}"),
                subject: "",
                detail: &format!("version {version} sha256 {hash} agency {agency}"),
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(Ok((service, Stored::New(version))));
    }
    Err(Error::Conflict(format!(
        "the definition of {service} is being changed elsewhere; try again"
    )))
}

/// Stores each `(name, text)` as the system; a bad one is logged with its errors and
/// skipped (the running version stays). Returns how many new versions were stored.
pub async fn load_texts(db: &Db, files: &[(String, String)]) -> Result<usize> {
    let mut stored = 0;
    for (name, text) in files {
        match store(db, text, "system", "system").await? {
            Ok((service, Stored::New(version))) => {
                tracing::info!(file = %name, %service, version, "service definition loaded");
                stored += 1;
            }
            Ok(_) => {}
            Err(errors) => {
                let listed: Vec<String> = errors
                    .iter()
                    .map(|e| match e.line {
                        Some(l) => format!("line {l}: {}: {}", e.path, e.message),
                        None => format!("{}: {}", e.path, e.message),
                    })
                    .collect();
                tracing::warn!(file = %name, errors = %listed.join("; "), "service definition refused; the running version stays");
            }
        }
    }
    Ok(stored)
}

/// Every `*.yaml` in `dir`, sorted by name.
pub fn read_dir(dir: &std::path::Path) -> Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path.display().to_string(), text)),
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "cannot read a service definition")
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The current version number of a service's definition.
pub async fn current_version(db: &Db, service: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT version FROM service_definitions WHERE service = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(service)
    .fetch_optional(db.pool())
    .await?)
}

impl Cache {
    /// One version, parsed once per node.
    pub(crate) async fn get(
        &self,
        db: &Db,
        service: &str,
        version: i64,
    ) -> Result<Option<Arc<Versioned>>> {
        let key = (service.to_string(), version);
        if let Some(v) = self.0.read().expect("cache lock").get(&key) {
            return Ok(Some(v.clone()));
        }
        let row = sqlx::query(
            "SELECT agency, yaml, uploaded_by, uploaded_at FROM service_definitions WHERE service = $1 AND version = $2",
        )
        .bind(service)
        .bind(version)
        .fetch_optional(db.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let yaml: String = row.try_get("yaml")?;
        let definition = Definition::parse(&yaml).map_err(|errors| {
            Error::Internal(format!(
                "stored definition {service} v{version} no longer parses: {errors:?}"
            ))
        })?;
        let versioned = Arc::new(Versioned {
            version,
            agency: row.try_get("agency")?,
            yaml,
            definition,
            uploaded_at: row.try_get("uploaded_at")?,
            uploaded_by: row.try_get("uploaded_by")?,
        });
        self.0
            .write()
            .expect("cache lock")
            .insert(key, versioned.clone());
        Ok(Some(versioned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_is_read_before_the_definition_is_checked() {
        assert_eq!(
            service_named("service: DIS-PASSPORT\npages: 3\n").as_deref(),
            Some("DIS-PASSPORT")
        );
        assert_eq!(service_named("pages: []"), None);
        assert_eq!(service_named(": : :"), None);
        assert_ne!(sha256("a"), sha256("b"));
    }
}
