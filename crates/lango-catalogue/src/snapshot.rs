//! An immutable picture of the catalogue at one revision, shared by every request.

use crate::model::*;
use crate::search::SearchHit;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A service as indexed: its number in the search index and its record.
#[derive(Debug)]
pub struct Entry {
    /// Number of this version's document in the search index.
    pub seq: u64,
    /// The service.
    pub service: Service,
}

/// Every agency and service at one catalogue revision.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The catalogue revision this picture includes.
    pub revision: i64,
    services: HashMap<ServiceCode, Arc<Entry>>,
    by_seq: HashMap<u64, Arc<Entry>>,
    by_name: Vec<Arc<Entry>>,
    agencies: BTreeMap<AgencyCode, Arc<Agency>>,
    active_counts: HashMap<AgencyCode, usize>,
    life_events: Vec<(String, usize)>,
    categories: Vec<(String, usize)>,
}

impl Snapshot {
    /// Builds the derived lists from the maps.
    pub fn build(
        revision: i64,
        services: HashMap<ServiceCode, Arc<Entry>>,
        agencies: BTreeMap<AgencyCode, Arc<Agency>>,
    ) -> Snapshot {
        let mut by_name: Vec<Arc<Entry>> = services.values().cloned().collect();
        by_name.sort_by(|a, b| {
            a.service
                .name
                .to_lowercase()
                .cmp(&b.service.name.to_lowercase())
                .then_with(|| a.service.code.cmp(&b.service.code))
        });
        let by_seq = services.values().map(|e| (e.seq, e.clone())).collect();
        let mut active_counts: HashMap<AgencyCode, usize> = HashMap::new();
        let mut life: HashMap<&str, usize> = HashMap::new();
        let mut cats: HashMap<&str, usize> = HashMap::new();
        for e in services
            .values()
            .filter(|e| e.service.status == Status::Active)
        {
            *active_counts
                .entry(e.service.agency_code.clone())
                .or_default() += 1;
            *cats.entry(&e.service.category).or_default() += 1;
            for l in &e.service.life_events {
                *life.entry(l).or_default() += 1;
            }
        }
        let sorted = |m: HashMap<&str, usize>| {
            let mut v: Vec<(String, usize)> =
                m.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
            v.sort();
            v
        };
        Snapshot {
            revision,
            life_events: sorted(life),
            categories: sorted(cats),
            services,
            by_seq,
            by_name,
            agencies,
            active_counts,
        }
    }

    /// The service with this code, whatever its status, with its agency.
    pub fn service(&self, code: &ServiceCode) -> Option<SearchHit> {
        self.services.get(code).and_then(|e| self.hit(e))
    }

    /// Every service, in name order.
    pub fn by_name(&self) -> &[Arc<Entry>] {
        &self.by_name
    }

    /// The agency with this code.
    pub fn agency(&self, code: &AgencyCode) -> Option<&Arc<Agency>> {
        self.agencies.get(code)
    }

    /// Every agency, in code order.
    pub fn agencies(&self) -> impl Iterator<Item = &Arc<Agency>> {
        self.agencies.values()
    }

    /// How many active services an agency offers.
    pub fn active_services_of(&self, code: &AgencyCode) -> usize {
        self.active_counts.get(code).copied().unwrap_or(0)
    }

    /// Life events with their number of active services, by slug.
    pub fn life_events(&self) -> &[(String, usize)] {
        &self.life_events
    }

    /// Categories with their number of active services, by slug.
    pub fn categories(&self) -> &[(String, usize)] {
        &self.categories
    }

    /// Number of services, retired included.
    pub fn len(&self) -> usize {
        self.services.len()
    }

    /// True when the catalogue is empty.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// The entry with its agency.
    pub fn hit(&self, entry: &Arc<Entry>) -> Option<SearchHit> {
        let agency = self.agencies.get(&entry.service.agency_code)?.clone();
        Some(SearchHit {
            entry: entry.clone(),
            agency,
        })
    }

    /// The entry with index number `seq`, if it is still current.
    pub fn hit_by_seq(&self, seq: u64) -> Option<SearchHit> {
        self.by_seq.get(&seq).and_then(|e| self.hit(e))
    }

    /// The maps, for building the next snapshot.
    pub fn parts(
        &self,
    ) -> (
        HashMap<ServiceCode, Arc<Entry>>,
        BTreeMap<AgencyCode, Arc<Agency>>,
    ) {
        (self.services.clone(), self.agencies.clone())
    }
}
