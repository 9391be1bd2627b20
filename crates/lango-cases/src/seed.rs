//! Synthetic submitted applications for benchmarks and demos (`lango seed applications`):
//! spread over the stored definitions' services and their workflow states, with due dates
//! past and future and some assigned to the agency's officers, written in multi-row
//! inserts so that a million take a minute or two on SQLite. Each transaction's
//! applications are handed to a [`Sink`] inside it (the published usage aggregates), so
//! what the dashboards count is exactly what was written.

use crate::definition::counties::regions;
use crate::definition::model::{Actor as StateActor, FieldType, Outcome, StateDef};
use crate::Definition;
use lango_core::db::{pow2_chunks, values_marks, Backend, Db};
use lango_core::{Error, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

/// What to seed.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How many applications.
    pub count: usize,
    /// Only the services of this agency (all agencies with definitions otherwise).
    pub agency: Option<String>,
    /// Seed of the random choices (the same seed makes the same spread, not the same ids).
    pub seed: u64,
}

/// One seeded application as the published aggregates count it.
#[derive(Debug, Clone)]
pub struct Outline {
    /// Its id.
    pub id: String,
    /// Its reference.
    pub reference: String,
    /// Its service's code.
    pub service: String,
    /// The agency handling it.
    pub agency: String,
    /// How it came in.
    pub channel: crate::Channel,
    /// The county answered, when its service asks for one.
    pub county: Option<&'static str>,
    /// When the draft was started (unix ms).
    pub started_at: i64,
    /// When it was submitted (unix ms).
    pub submitted_at: i64,
    /// The outcome of the final state it is in, and when it got there.
    pub outcome: Option<(Outcome, i64)>,
}

/// Receives each transaction's seeded applications inside that transaction, so that what
/// it adds commits (or not) with them.
pub trait Sink: Send {
    /// Adds `seeded`, the applications just written in `tx`.
    fn add<'a>(
        &'a mut self,
        tx: &'a mut sqlx::AnyConnection,
        seeded: &'a [Outline],
    ) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;
}

/// A sink that keeps nothing.
struct Discard;

impl Sink for Discard {
    fn add<'a>(
        &'a mut self,
        _tx: &'a mut sqlx::AnyConnection,
        _seeded: &'a [Outline],
    ) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>> {
        Box::pin(async { Ok(()) })
    }
}

/// One service the seed can use: its current definition and the agency's officers.
struct Service {
    code: String,
    version: i64,
    agency: String,
    definition: Definition,
    officers: Vec<String>,
    /// Workflow states with their cumulative weights.
    states: Vec<(f64, usize)>,
    /// The id of its first county question, if it asks one.
    county_field: Option<String>,
}

/// Rows per multi-row statement. Placeholders are plain `?`s on SQLite (bound by
/// position: numbered ones are looked up by name, a cost that grows with the square of
/// their number), so a statement can carry a thousand or so parameters.
const APPS_PER_STATEMENT: usize = 64;
const STEPS_PER_STATEMENT: usize = 128;
/// SQLite's page cache while seeding (a negative size is in KiB: 1 GiB, used only as it fills), and the
/// default it goes back to after.
const SEED_CACHE: &str = "PRAGMA cache_size = -1048576";
const DEFAULT_CACHE: &str = "PRAGMA cache_size = -2000";
/// Rows written per transaction.
const ROWS_PER_TRANSACTION: usize = 16_384;
/// Days back the oldest seeded submission lies.
const SPREAD_DAYS: i64 = 120;
const DAY_MS: i64 = 86_400_000;

const GIVEN: [&str; 24] = [
    "Wanjiku",
    "Achieng",
    "Kamau",
    "Otieno",
    "Njeri",
    "Mwangi",
    "Akinyi",
    "Kiprono",
    "Chebet",
    "Wafula",
    "Nafula",
    "Mutua",
    "Mueni",
    "Omondi",
    "Atieno",
    "Kibet",
    "Jepchirchir",
    "Barasa",
    "Halima",
    "Abdi",
    "Fatuma",
    "Hassan",
    "Nyambura",
    "Kariuki",
];
const FAMILY: [&str; 20] = [
    "Kamau", "Odhiambo", "Kipchoge", "Wanyama", "Mutiso", "Ochieng", "Njoroge", "Kilonzo",
    "Rotich", "Were", "Maina", "Onyango", "Mohamed", "Ali", "Gitau", "Korir", "Nduta", "Wekesa",
    "Omar", "Karanja",
];

/// Inserts `plan.count` submitted applications; calls `progress(done, total)` as it goes.
/// Returns how many were written. Refused (`Forbidden`) unless the database is marked as a
/// demo or test database (`lango_core::sample_data`).
pub async fn applications(
    db: &Db,
    plan: &Plan,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64> {
    applications_into(db, plan, progress, &mut Discard).await
}

/// [`applications`], handing each transaction's applications to `sink` inside it. Returns
/// how many were written (a reference already taken, e.g. by an earlier run with the same
/// seed, is skipped and neither written nor handed on).
pub async fn applications_into(
    db: &Db,
    plan: &Plan,
    progress: &mut (dyn FnMut(u64, u64) + Send),
    sink: &mut dyn Sink,
) -> Result<u64> {
    // Synthetic applications are counted in the published figures: only where they may be.
    lango_core::sample_data::require(db).await?;
    let services = services(db, plan.agency.as_deref()).await?;
    if services.is_empty() {
        return Err(Error::invalid(
            "agency",
            match &plan.agency {
                Some(a) => format!("agency {a} has no service definitions to seed applications of"),
                None => {
                    "no service definitions are loaded: load them first (e.g. `lango demo`)".into()
                }
            },
        ));
    }
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let now = lango_core::clock::now_ms();
    // References drawn so far, packed into a u64 each (the 8 symbols after the leading
    // `A`): ten million of them fit in a few hundred MB where Strings took gigabytes.
    let mut references: HashSet<u64> = HashSet::with_capacity(plan.count);
    let total = plan.count as u64;
    let mut done = 0u64;
    let mut written = 0u64;
    let backend = db.backend();
    // One connection for the whole seed. On SQLite it gets a page cache large enough for
    // the indexes' hot pages: with millions of rows, inserts at random places in the
    // reference and applicant indexes otherwise spend most of their time re-reading pages.
    let mut conn = db.pool().acquire().await?;
    if backend == Backend::Sqlite {
        sqlx::query(SEED_CACHE).execute(&mut *conn).await?;
    }
    progress(0, total);
    while (done as usize) < plan.count {
        let n = ROWS_PER_TRANSACTION.min(plan.count - done as usize);
        let mut apps = Vec::with_capacity(n);
        let mut steps = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let reference = loop {
                let r = crate::reference::generate(&mut rng);
                if references.insert(packed(&r)) {
                    break r;
                }
            };
            let service = &services[rng.gen_range(0..services.len())];
            let (app, app_steps) = one(&mut rng, service, reference, now);
            apps.push(app);
            steps.extend(app_steps);
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let inserted = insert_apps(&mut tx, backend, &apps).await?;
        if inserted.len() < apps.len() {
            apps.retain(|a| inserted.contains(&a.id));
            steps.retain(|s| inserted.contains(&s.application_id));
        }
        insert_steps(&mut tx, backend, &steps).await?;
        let outlines: Vec<Outline> = apps.iter().map(|a| a.outline.clone()).collect();
        sink.add(&mut tx, &outlines).await?;
        tx.commit().await?;
        done += n as u64;
        written += apps.len() as u64;
        progress(done, total);
    }
    if backend == Backend::Sqlite {
        sqlx::query(DEFAULT_CACHE).execute(&mut *conn).await?;
    }
    Ok(written)
}

/// A reference as a u64: its 8 symbols after the leading `A`, one byte each.
fn packed(reference: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (slot, b) in bytes.iter_mut().zip(reference.bytes().skip(1)) {
        *slot = b;
    }
    u64::from_le_bytes(bytes)
}

/// Writes `apps`; returns the ids written (those whose reference was free).
async fn insert_apps(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    apps: &[Seeded],
) -> Result<HashSet<String>> {
    let mut inserted = HashSet::with_capacity(apps.len());
    for chunk in apps.chunks(APPS_PER_STATEMENT).flat_map(pow2_chunks) {
        let sql = format!(
            "INSERT INTO applications (id, reference, service, version, agency, applicant, \
             applicant_name, business, state, queued, awaiting_payment, answers, assigned_to, \
             bill_reference, channel, created_at, submitted_at, state_since, due_at, due_key, \
             revision, updated_at) VALUES {} ON CONFLICT DO NOTHING RETURNING id",
            values_marks(backend, chunk.len(), 22)
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for a in chunk {
            q = q
                .bind(&a.id)
                .bind(&a.reference)
                .bind(a.outline.service.clone())
                .bind(a.version)
                .bind(a.outline.agency.clone())
                .bind(&a.applicant)
                .bind(&a.applicant_name)
                .bind(None::<String>)
                .bind(a.state.clone())
                .bind(i64::from(a.queued))
                .bind(i64::from(a.awaiting_payment))
                .bind(a.answers.clone())
                .bind(a.assigned_to.clone())
                .bind(None::<String>)
                .bind(a.outline.channel.as_str())
                .bind(a.outline.started_at)
                .bind(a.outline.submitted_at)
                .bind(a.state_since)
                .bind(a.due_at)
                .bind(crate::sla::due_key(a.due_at))
                .bind(a.revision)
                .bind(a.state_since);
        }
        inserted.extend(q.fetch_all(&mut *tx).await?);
    }
    Ok(inserted)
}

/// Writes the applications' histories.
async fn insert_steps(
    tx: &mut sqlx::AnyConnection,
    backend: Backend,
    steps: &[Step],
) -> Result<()> {
    for chunk in steps.chunks(STEPS_PER_STATEMENT).flat_map(pow2_chunks) {
        let sql = format!(
            "INSERT INTO application_transitions (application_id, seq, agency, at, actor, \
             actor_name, from_state, to_state, action, reason) VALUES {} ON CONFLICT DO NOTHING",
            values_marks(backend, chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q
                .bind(s.application_id.clone())
                .bind(s.seq)
                .bind(s.agency.clone())
                .bind(s.at)
                .bind(s.actor.clone())
                .bind(s.actor_name.clone())
                .bind(s.from.clone())
                .bind(s.to.clone())
                .bind(s.action.clone())
                .bind(None::<String>);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

struct Seeded {
    id: String,
    reference: String,
    version: i64,
    applicant: String,
    applicant_name: String,
    state: String,
    queued: bool,
    awaiting_payment: bool,
    answers: String,
    assigned_to: Option<String>,
    state_since: i64,
    due_at: Option<i64>,
    revision: i64,
    /// Service, agency, channel, county and times, as the aggregates count them.
    outline: Outline,
}

struct Step {
    application_id: String,
    seq: i64,
    agency: String,
    at: i64,
    actor: String,
    actor_name: String,
    from: String,
    to: String,
    action: String,
}

/// One application of `service` in a state picked by weight, with its history.
fn one(rng: &mut StdRng, service: &Service, reference: String, now: i64) -> (Seeded, Vec<Step>) {
    let workflow = &service.definition.file().workflow;
    let pick: f64 = rng.gen();
    let index = service
        .states
        .iter()
        .find(|(cumulative, _)| pick <= *cumulative)
        .map_or(0, |(_, i)| *i);
    let state: &StateDef = &workflow.states[index];
    let submitted_at = now - rng.gen_range(0..SPREAD_DAYS * DAY_MS);
    let created_at = submitted_at - rng.gen_range(60_000..3 * DAY_MS);
    let state_since = if state.id == workflow.start {
        submitted_at
    } else {
        submitted_at
            + rng
                .gen_range(0..=(now - submitted_at).max(1))
                .min(now - submitted_at)
    };
    let final_state = state.outcome.is_some();
    let due_at = state
        .sla_days
        .filter(|_| !final_state)
        .map(|d| crate::sla::due_at(state_since, d));
    let works = matches!(state.actor, StateActor::Officer | StateActor::Supervisor);
    let assigned_to = (works && !service.officers.is_empty() && rng.gen_bool(0.6))
        .then(|| service.officers[rng.gen_range(0..service.officers.len())].clone());
    let person = rng.gen_range(0..200_000u32);
    let applicant_name = format!(
        "{} {}",
        GIVEN[person as usize % GIVEN.len()],
        FAMILY[(person as usize / GIVEN.len()) % FAMILY.len()]
    );
    let channel = match rng.gen_range(0..20) {
        0 => crate::Channel::Ussd,
        1..=3 => crate::Channel::Centre,
        _ => crate::Channel::Online,
    };
    // Where the applicant lives, when the service asks (Nairobi's share is the largest).
    let county = service.county_field.as_ref().map(|_| {
        // A capital holds a large share where the pack has one by that name.
        let nairobi = crate::definition::counties::county("Nairobi");
        if let Some(capital) = nairobi.filter(|_| rng.gen_bool(0.25)) {
            capital
        } else {
            let all = regions();
            all[rng.gen_range(0..all.len())].name.as_str()
        }
    });
    let answers = match (&service.county_field, county) {
        (Some(field), Some(county)) => serde_json::json!({ field: county }).to_string(),
        _ => "{}".to_string(),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let mut steps = vec![Step {
        application_id: id.clone(),
        seq: 1,
        agency: service.agency.clone(),
        at: submitted_at,
        actor: format!("seed-applicant-{person}"),
        actor_name: applicant_name.clone(),
        from: crate::application::DRAFT.into(),
        to: workflow.start.clone(),
        action: "submit".into(),
    }];
    if state.id != workflow.start {
        // The action that leads here, from whichever state has one.
        let (from, action) = workflow
            .states
            .iter()
            .find_map(|s| {
                s.actions
                    .iter()
                    .find(|a| a.to == state.id)
                    .map(|a| (s.id.clone(), a.id.clone()))
            })
            .unwrap_or_else(|| (workflow.start.clone(), "seed".into()));
        steps.push(Step {
            application_id: id.clone(),
            seq: 2,
            agency: service.agency.clone(),
            at: state_since,
            actor: assigned_to.clone().unwrap_or_else(|| "system".into()),
            actor_name: if assigned_to.is_some() {
                "Officer".into()
            } else {
                "Lango".into()
            },
            from,
            to: state.id.clone(),
            action,
        });
    }
    let outline_ids = (id.clone(), reference.clone());
    let app = Seeded {
        id,
        reference,
        version: service.version,
        applicant: format!("seed-applicant-{person}"),
        applicant_name,
        state: state.id.clone(),
        queued: !final_state,
        awaiting_payment: state.paid_to.is_some(),
        answers,
        assigned_to,
        state_since,
        due_at,
        revision: steps.len() as i64,
        outline: Outline {
            id: outline_ids.0,
            reference: outline_ids.1,
            service: service.code.clone(),
            agency: service.agency.clone(),
            channel,
            county,
            started_at: created_at,
            submitted_at,
            outcome: state.outcome.map(|o| (o, state_since)),
        },
    };
    (app, steps)
}

/// The current definition of every service (of `agency`, when given), with its officers.
async fn services(db: &Db, agency: Option<&str>) -> Result<Vec<Service>> {
    let rows = sqlx::query(
        "SELECT d.service, d.version, d.agency, d.yaml FROM service_definitions d \
         WHERE d.version = (SELECT MAX(v.version) FROM service_definitions v WHERE v.service = d.service) \
         ORDER BY d.service",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let owner: String = row.try_get("agency")?;
        if agency.is_some_and(|a| a != owner) {
            continue;
        }
        let yaml: String = row.try_get("yaml")?;
        let Ok(definition) = Definition::parse(&yaml) else {
            continue;
        };
        let officers: Vec<String> = sqlx::query_scalar(
            "SELECT account_id FROM account_roles WHERE agency_code = $1 \
             AND role IN ('officer', 'supervisor') ORDER BY account_id",
        )
        .bind(&owner)
        .fetch_all(db.pool())
        .await?;
        let states = weights(&definition.file().workflow.states);
        let county_field = definition
            .file()
            .pages
            .iter()
            .flat_map(|p| &p.fields)
            .find(|f| f.kind == FieldType::County)
            .map(|f| f.id.clone());
        out.push(Service {
            county_field,
            code: row.try_get("service")?,
            version: row.try_get("version")?,
            agency: owner,
            definition,
            officers,
            states,
        });
    }
    Ok(out)
}

/// Cumulative weights: most applications open (officers' states heaviest), some finished.
fn weights(states: &[StateDef]) -> Vec<(f64, usize)> {
    let weight = |s: &StateDef| match (s.outcome.is_some(), s.actor) {
        (true, _) => 1.0,
        (false, StateActor::Officer | StateActor::Supervisor) => 4.0,
        (false, StateActor::System) => 2.0,
        (false, StateActor::Applicant) => 1.0,
    };
    let total: f64 = states.iter().map(weight).sum();
    let mut acc = 0.0;
    states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            acc += weight(s) / total;
            (acc, i)
        })
        .collect()
}
