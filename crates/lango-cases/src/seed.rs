//! Synthetic submitted applications for benchmarks and demos (`lango seed applications`):
//! spread over the stored definitions' services and their workflow states, with due dates
//! past and future and some assigned to the agency's officers, written in multi-row
//! inserts so that a million take a minute or two on SQLite.

use crate::definition::model::{Actor as StateActor, StateDef};
use crate::Definition;
use lango_core::db::{pow2_chunks, values_list, Db};
use lango_core::{Error, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::collections::HashSet;

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

/// One service the seed can use: its current definition and the agency's officers.
struct Service {
    code: String,
    version: i64,
    agency: String,
    definition: Definition,
    officers: Vec<String>,
    /// Workflow states with their cumulative weights.
    states: Vec<(f64, usize)>,
}

/// Rows per multi-row statement: sqlx's SQLite driver looks each bound parameter up by
/// name, so a statement's cost grows with the square of its parameters; a few hundred
/// parameters per statement is where it is fastest.
const APPS_PER_STATEMENT: usize = 16;
const STEPS_PER_STATEMENT: usize = 32;
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
/// Returns how many were written.
pub async fn applications(
    db: &Db,
    plan: &Plan,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64> {
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
    let mut references: HashSet<String> = HashSet::with_capacity(plan.count);
    let total = plan.count as u64;
    let mut done = 0u64;
    progress(0, total);
    while (done as usize) < plan.count {
        let n = ROWS_PER_TRANSACTION.min(plan.count - done as usize);
        let mut apps = Vec::with_capacity(n);
        let mut steps = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let reference = loop {
                let r = crate::reference::generate(&mut rng);
                if references.insert(r.clone()) {
                    break r;
                }
            };
            let service = &services[rng.gen_range(0..services.len())];
            let (app, app_steps) = one(&mut rng, service, reference, now);
            apps.push(app);
            steps.extend(app_steps);
        }
        let mut tx = db.pool().begin().await?;
        for chunk in apps.chunks(APPS_PER_STATEMENT).flat_map(pow2_chunks) {
            let sql = format!(
                "INSERT INTO applications (id, reference, service, version, agency, applicant, \
                 applicant_name, business, state, queued, awaiting_payment, answers, assigned_to, \
                 bill_reference, channel, created_at, submitted_at, state_since, due_at, due_key, \
                 revision, updated_at) VALUES {} ON CONFLICT DO NOTHING",
                values_list(chunk.len(), 22)
            );
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q
                    .bind(&a.id)
                    .bind(&a.reference)
                    .bind(a.service.clone())
                    .bind(a.version)
                    .bind(a.agency.clone())
                    .bind(&a.applicant)
                    .bind(&a.applicant_name)
                    .bind(None::<String>)
                    .bind(a.state.clone())
                    .bind(i64::from(a.queued))
                    .bind(i64::from(a.awaiting_payment))
                    .bind("{}")
                    .bind(a.assigned_to.clone())
                    .bind(None::<String>)
                    .bind(a.channel)
                    .bind(a.created_at)
                    .bind(a.submitted_at)
                    .bind(a.state_since)
                    .bind(a.due_at)
                    .bind(crate::sla::due_key(a.due_at))
                    .bind(a.revision)
                    .bind(a.state_since);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in steps.chunks(STEPS_PER_STATEMENT).flat_map(pow2_chunks) {
            let sql = format!(
                "INSERT INTO application_transitions (application_id, seq, agency, at, actor, \
                 actor_name, from_state, to_state, action, reason) VALUES {} ON CONFLICT DO NOTHING",
                values_list(chunk.len(), 10)
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
        tx.commit().await?;
        done += n as u64;
        progress(done, total);
    }
    Ok(done)
}

struct Seeded {
    id: String,
    reference: String,
    service: String,
    version: i64,
    agency: String,
    applicant: String,
    applicant_name: String,
    state: String,
    queued: bool,
    awaiting_payment: bool,
    assigned_to: Option<String>,
    channel: &'static str,
    created_at: i64,
    submitted_at: i64,
    state_since: i64,
    due_at: Option<i64>,
    revision: i64,
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
        0 => "ussd",
        1..=3 => "centre",
        _ => "online",
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
    let app = Seeded {
        id,
        reference,
        service: service.code.clone(),
        version: service.version,
        agency: service.agency.clone(),
        applicant: format!("seed-applicant-{person}"),
        applicant_name,
        state: state.id.clone(),
        queued: !final_state,
        awaiting_payment: state.paid_to.is_some(),
        assigned_to,
        channel,
        created_at,
        submitted_at,
        state_since,
        due_at,
        revision: steps.len() as i64,
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
        out.push(Service {
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
