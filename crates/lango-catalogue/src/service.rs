//! Catalogue operations called by the web crate and the CLI.

use crate::csv::{self as catalogue_csv, Rejected};
use crate::model::*;
use crate::search::{SearchIndex, SearchPage, SearchRequest};
use crate::snapshot::{Entry, Snapshot};
use crate::store;
use arc_swap::ArcSwap;
use lango_core::db::{read_counter, Db};
use lango_core::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tantivy::Searcher;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows that added a new record.
    pub created: usize,
    /// Rows that changed an existing record.
    pub updated: usize,
    /// Rows refused, with line and reason.
    pub rejected: Vec<Rejected>,
}

/// Progress of a long operation: (done, total).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Imports a services CSV: valid rows are upserted in one transaction, the rest reported.
pub async fn import_services(
    db: &Db,
    input: impl Read,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let parsed = catalogue_csv::read_services(input)?;
    let agencies = store::agency_codes(db).await?;
    let existing = store::service_codes(db).await?;
    let mut report = ImportReport {
        rejected: parsed.rejected,
        ..Default::default()
    };
    let mut accepted = Vec::with_capacity(parsed.rows.len());
    for (line, service) in parsed.rows {
        if !agencies.contains(service.agency_code.as_str()) {
            report.rejected.push(Rejected {
                line,
                code: Some(service.code.to_string()),
                reason: format!(
                    "unknown agency_code {:?}; import the agency first",
                    service.agency_code.as_str()
                ),
            });
            continue;
        }
        if existing.contains(service.code.as_str()) {
            report.updated += 1;
        } else {
            report.created += 1;
        }
        accepted.push(service);
    }
    report.rejected.sort_by_key(|r| r.line);
    store::upsert_services(db, &accepted, progress).await?;
    Ok(report)
}

/// Imports an agencies CSV; a parent must exist already or come earlier in the file.
pub async fn import_agencies(db: &Db, input: impl Read) -> Result<ImportReport> {
    let parsed = catalogue_csv::read_agencies(input)?;
    let mut parents: HashMap<String, Option<String>> = store::agencies_since(db, 0)
        .await?
        .into_iter()
        .map(|a| (a.code.to_string(), a.parent_code.map(|p| p.to_string())))
        .collect();
    let existing: HashSet<String> = parents.keys().cloned().collect();
    let mut report = ImportReport {
        rejected: parsed.rejected,
        ..Default::default()
    };
    let mut accepted = Vec::new();
    for (line, agency) in parsed.rows {
        let code = agency.code.to_string();
        let parent = agency.parent_code.as_ref().map(|p| p.to_string());
        let refuse = |reason: String| Rejected {
            line,
            code: Some(code.clone()),
            reason,
        };
        if let Some(p) = &parent {
            if !parents.contains_key(p) {
                report.rejected.push(refuse(format!(
                    "unknown parent_code {p:?}; list the parent first"
                )));
                continue;
            }
            if creates_cycle(&parents, &code, p) {
                report.rejected.push(refuse(format!(
                    "parent_code {p:?} would make the agency its own ancestor"
                )));
                continue;
            }
        }
        parents.insert(code.clone(), parent);
        if existing.contains(&code) {
            report.updated += 1;
        } else {
            report.created += 1;
        }
        accepted.push(agency);
    }
    report.rejected.sort_by_key(|r| r.line);
    if !accepted.is_empty() {
        store::upsert_agencies(db, &accepted).await?;
    }
    Ok(report)
}

fn creates_cycle(parents: &HashMap<String, Option<String>>, code: &str, parent: &str) -> bool {
    let mut at = Some(parent.to_string());
    for _ in 0..=parents.len() {
        match at {
            Some(ref p) if p == code => return true,
            Some(p) => at = parents.get(&p).cloned().flatten(),
            None => return false,
        }
    }
    true
}

/// Writes every service as CSV, in code order.
pub async fn export_services(db: &Db, output: impl Write) -> Result<usize> {
    let services = store::services_since(db, 0).await?;
    catalogue_csv::write_services(output, &services)?;
    Ok(services.len())
}

/// Writes every agency as CSV, parents before children.
pub async fn export_agencies(db: &Db, output: impl Write) -> Result<usize> {
    let agencies = store::agencies_since(db, 0).await?;
    let mut ordered: Vec<&Agency> = Vec::with_capacity(agencies.len());
    let mut placed: HashSet<&str> = HashSet::new();
    while ordered.len() < agencies.len() {
        let before = ordered.len();
        for a in &agencies {
            let ready = a
                .parent_code
                .as_ref()
                .is_none_or(|p| placed.contains(p.as_str()));
            if ready && !placed.contains(a.code.as_str()) {
                placed.insert(a.code.as_str());
                ordered.push(a);
            }
        }
        if ordered.len() == before {
            return Err(Error::Internal("agency parents form a cycle".into()));
        }
    }
    catalogue_csv::write_agencies(output, ordered)?;
    Ok(agencies.len())
}

/// One consistent view: a snapshot and the index searcher built with it.
pub struct Generation {
    /// Increases with every refresh that changed something.
    pub id: u64,
    /// The catalogue picture.
    pub snapshot: Arc<Snapshot>,
    searcher: Option<Searcher>,
}

/// The live catalogue of one node: a snapshot and search index that follow the database.
pub struct Catalogue {
    db: Db,
    index: SearchIndex,
    current: ArcSwap<Generation>,
    refresh_lock: tokio::sync::Mutex<()>,
    next_seq: AtomicU64,
}

impl Catalogue {
    /// Loads the whole catalogue from the database and indexes it.
    pub async fn open(db: Db) -> Result<Arc<Catalogue>> {
        let catalogue = Arc::new(Catalogue {
            db,
            index: SearchIndex::new()?,
            current: ArcSwap::from_pointee(Generation {
                id: 0,
                snapshot: Arc::default(),
                searcher: None,
            }),
            refresh_lock: tokio::sync::Mutex::new(()),
            next_seq: AtomicU64::new(1),
        });
        catalogue.refresh().await?;
        Ok(catalogue)
    }

    /// Picks up changes committed since the last refresh, by this node or any other.
    /// Returns true when something changed.
    pub async fn refresh(&self) -> Result<bool> {
        let _guard = self.refresh_lock.lock().await;
        let old = self.current.load_full();
        let since = old.snapshot.revision;
        // Read the counter first: rows stamped after it are picked up again next time.
        let revision = read_counter(&self.db, store::REVISION_COUNTER).await?;
        if revision == since && old.searcher.is_some() {
            return Ok(false);
        }
        let agencies = store::agencies_since(&self.db, since).await?;
        let services = store::services_since(&self.db, since).await?;
        let (mut by_code, mut agency_map) = old.snapshot.parts();
        let mut touched: HashSet<ServiceCode> = services.iter().map(|s| s.code.clone()).collect();
        for a in agencies {
            // A renamed agency changes the text indexed with each of its services.
            touched.extend(
                by_code
                    .values()
                    .filter(|e| e.service.agency_code == a.code)
                    .map(|e| e.service.code.clone()),
            );
            agency_map.insert(a.code.clone(), Arc::new(a));
        }
        let loaded: HashSet<ServiceCode> = services.iter().map(|s| s.code.clone()).collect();
        for s in services {
            by_code.insert(
                s.code.clone(),
                Arc::new(Entry {
                    seq: self.next_seq(),
                    service: s,
                }),
            );
        }
        let mut docs = Vec::with_capacity(touched.len());
        for code in &touched {
            let Some(mut entry) = by_code.get(code).cloned() else {
                continue;
            };
            if !loaded.contains(code) {
                // Re-indexed for its agency's sake: a new number keeps hits and snapshot in step.
                entry = Arc::new(Entry {
                    seq: self.next_seq(),
                    service: entry.service.clone(),
                });
                by_code.insert(code.clone(), entry.clone());
            }
            if let Some(agency) = agency_map.get(&entry.service.agency_code) {
                docs.push((entry, agency.clone()));
            }
        }
        let searcher = self.index.apply(&docs)?;
        let snapshot = Arc::new(Snapshot::build(revision, by_code, agency_map));
        self.current.store(Arc::new(Generation {
            id: old.id + 1,
            snapshot,
            searcher: Some(searcher),
        }));
        Ok(true)
    }

    fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Refreshes every `interval` until the process ends; errors are logged and retried.
    pub fn follow(self: &Arc<Self>, interval: Duration) -> tokio::task::JoinHandle<()> {
        let catalogue = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match catalogue.refresh().await {
                    Ok(true) => tracing::info!(
                        revision = catalogue.snapshot().revision,
                        "catalogue refreshed"
                    ),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "catalogue refresh failed"),
                }
            }
        })
    }

    /// The current picture of the catalogue.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load().snapshot.clone()
    }

    /// Searches the current generation. A cached page is answered at once; a new query
    /// runs on the blocking pool so that a slow typo-tolerant search never holds up the
    /// cheap requests queued behind it on the same worker.
    pub async fn search(self: &Arc<Self>, req: &SearchRequest) -> Result<Arc<SearchPage>> {
        let started = std::time::Instant::now();
        let page = self.search_now(req).await;
        lango_core::telemetry::searched(started.elapsed());
        page
    }

    async fn search_now(self: &Arc<Self>, req: &SearchRequest) -> Result<Arc<SearchPage>> {
        let generation = self.current.load_full();
        if let Some(page) = self.index.cached(generation.id, req) {
            return Ok(page);
        }
        let this = Arc::clone(self);
        let req = req.clone();
        tokio::task::spawn_blocking(move || {
            let searcher = generation
                .searcher
                .as_ref()
                .ok_or_else(|| Error::Internal("search index not built".into()))?;
            this.index
                .search(generation.id, searcher, &generation.snapshot, &req)
        })
        .await
        .map_err(|e| Error::Internal(format!("search task failed: {e}")))?
    }

    /// Saves an agency administrator's edit (see [`crate::admin::edit_service`]) and
    /// refreshes this node at once, so its public pages, API and search show the new text
    /// on the very next request; other nodes follow on their next refresh tick.
    pub async fn edit_service(
        &self,
        actor: &lango_identity::policy::Actor,
        agency: &AgencyCode,
        code: &ServiceCode,
        edit: &crate::edit::ServiceEdit,
        expected_revision: i64,
    ) -> Result<crate::admin::Edited> {
        let edited =
            crate::admin::edit_service(&self.db, actor, agency, code, edit, expected_revision)
                .await?;
        // The edit is committed: a failed refresh only delays it until the follower's tick.
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "catalogue refresh after an edit failed");
        }
        Ok(edited)
    }

    /// The database this catalogue follows.
    pub fn db(&self) -> &Db {
        &self.db
    }
}
