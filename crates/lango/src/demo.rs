//! The demo country: a realistic catalogue of the served country (Kenya's, or Malaysia's
//! with `--country my`), its centres and people, and the credentials file.

mod kenya;
mod malaysia;

use anyhow::Context;
use lango_catalogue::service::{import_agencies, import_services};
use lango_core::db::Db;
use lango_identity::apikey;
use lango_identity::model::{AccountKind, Role, PERMISSIONS};
use lango_identity::policy::Actor;
use lango_identity::seed::{self, PersonSeed};
use std::path::Path;

/// The demo paybill (`BusinessShortCode`).
pub const PAYBILL: &str = "222222";

/// One demo person: (label, kind, ID number, given, family, e-mail, phone, password).
pub type DemoPerson = (
    &'static str,
    AccountKind,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// A document in the demo citizen's wallet from the first run.
pub struct DemoDocument {
    /// What it is.
    pub kind: &'static str,
    /// Who holds it.
    pub holder_name: &'static str,
    /// The holder's ID number (the demo citizen's).
    pub holder_id: &'static str,
    /// What it says.
    pub fields: &'static [(&'static str, &'static str)],
}

/// A country's demo: its catalogue, definitions, centres and people (`demo/kenya.rs`,
/// `demo/malaysia.rs`; the data files live beside its country pack).
pub struct DemoCountry {
    /// Agencies (the import's CSV).
    pub agencies_csv: &'static str,
    /// Services (the import's CSV).
    pub services_csv: &'static str,
    /// End-to-end service definitions: (file name, YAML).
    pub definitions: &'static [(&'static str, &'static str)],
    /// Service centres (the centres' CSV).
    pub centres_csv: &'static str,
    /// Where the mobile centre stops, in turn: (region, place).
    pub mobile_stops: &'static [(&'static str, &'static str)],
    /// The centre whose staff, manager and system key the demo shows.
    pub demo_centre: &'static str,
    /// The agency that runs the demo centre (it holds the centre systems' key).
    pub centre_operator: &'static str,
    /// The name of the demo centre systems' key.
    pub centre_systems: &'static str,
    /// Services featured on the home page.
    pub popular: &'static [&'static str],
    /// The people: citizen, business owner and representative, then staff.
    pub people: &'static [DemoPerson],
    /// Where the people live (their region).
    pub home_region: &'static str,
    /// The agency whose staff and API key the demo shows.
    pub demo_agency: &'static str,
    /// The agencies of the end-to-end services: the demo officer and supervisor work at
    /// every one, so one account can follow any demo application to its end.
    pub service_agencies: &'static [&'static str],
    /// The demo business: (registration number, name).
    pub business: (&'static str, &'static str),
    /// The citizen's child claimed as a dependant: (given, family, born, birth certificate).
    pub child: (&'static str, &'static str, &'static str, &'static str),
    /// The platform administrator's e-mail.
    pub platform_admin_email: &'static str,
    /// Performance periods (docs/performance-contracting.md).
    pub performance: &'static [&'static str],
    /// The document in the citizen's wallet.
    pub document: DemoDocument,
}

/// The demo of the country this process serves.
pub fn current() -> &'static DemoCountry {
    match lango_core::country::current().code.as_str() {
        "my" => &malaysia::MALAYSIA,
        _ => &kenya::KENYA,
    }
}

/// Services featured on the demo home page.
pub fn popular() -> Vec<String> {
    current().popular.iter().map(|s| s.to_string()).collect()
}

/// Loads the demo centres once (a database that has centres keeps them, with the edits
/// its administrators made), and gives the mobile centre stops for the coming weeks.
pub async fn load_centres(db: &Db) -> anyhow::Result<usize> {
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM centres")
        .fetch_one(db.pool())
        .await?;
    let loaded = if held == 0 {
        lango_centres::seed::load_csv(db, current().centres_csv.as_bytes(), "seed")
            .await
            .context("demo centres refused")?
    } else {
        0
    };
    lango_centres::seed::schedule_mobile(db, current().mobile_stops, 21).await?;
    Ok(loaded)
}

/// Loads the demo catalogue (once: a catalogue that already has services keeps them, with
/// the edits agency administrators made) and stores new or changed demo definitions;
/// running it twice changes nothing.
pub async fn load(db: &Db) -> anyhow::Result<(usize, usize)> {
    let held = lango_catalogue::store::service_codes(db).await?.len();
    if held > 0 {
        load_definitions(db).await?;
        load_centres(db).await?;
        let agencies = lango_catalogue::store::agency_codes(db).await?.len();
        return Ok((agencies, held));
    }
    let demo = current();
    let agencies = import_agencies(db, demo.agencies_csv.as_bytes()).await?;
    let services = import_services(db, demo.services_csv.as_bytes(), &mut |_, _| {}).await?;
    if let Some(r) = agencies.rejected.first().or(services.rejected.first()) {
        anyhow::bail!("demo data refused at line {}: {}", r.line, r.reason);
    }
    load_definitions(db).await?;
    load_centres(db).await?;
    Ok((
        agencies.created + agencies.updated,
        services.created + services.updated,
    ))
}

/// Applications seeded on the demo's first start, so the dashboards have a history.
const DEMO_HISTORY: usize = 5_000;

/// On the first start only (no applications yet): seeds [`DEMO_HISTORY`] applications of
/// the demo definitions over the last months, added to the published figures as they are
/// written, with sample survey answers and monthly costs so that all four KPIs show
/// figures. Returns how many were seeded. Refused unless the database is marked as a demo
/// (or test) database (`lango_core::sample_data`).
pub async fn seed_history(db: &Db) -> anyhow::Result<u64> {
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applications")
        .fetch_one(db.pool())
        .await?;
    if held > 0 {
        return Ok(0);
    }
    let plan = lango_cases::seed::Plan {
        count: DEMO_HISTORY,
        agency: None,
        seed: 2026,
    };
    let mut sink = lango_insights::usage::SeedSink::with_sample_surveys();
    let seeded = lango_cases::seed::applications_into(db, &plan, &mut |_, _| {}, &mut sink)
        .await
        .context("cannot seed the demo's application history")?;
    lango_insights::kpi::sample_costs(db, lango_core::country::current().currency)
        .await
        .context("cannot write the demo's sample costs")?;
    Ok(seeded)
}

/// Stores the demo definitions that are new or changed (a bad one is logged and
/// skipped); returns how many versions were added.
pub async fn load_definitions(db: &Db) -> anyhow::Result<usize> {
    let files: Vec<(String, String)> = current()
        .definitions
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    lango_cases::registry::load_texts(db, &files)
        .await
        .context("cannot load the demo service definitions")
}

/// Creates the demo's accounts, roles, business and a fresh agency API key; returns the
/// credentials document. Running it again reuses the accounts and replaces the key.
pub async fn seed_people(db: &Db, portal: &str) -> anyhow::Result<serde_json::Value> {
    let demo = current();
    let mut accounts = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for &(label, kind, id_number, given, family, email, phone, password) in demo.people {
        let id = seed::person(
            db,
            &PersonSeed {
                kind,
                id_number,
                given_name: given,
                family_name: family,
                email,
                phone,
                password,
                county: demo.home_region,
            },
        )
        .await?;
        ids.insert(label, id);
        accounts.push(serde_json::json!({
            "role": label, "name": format!("{given} {family}"), "sign_in": id_number.unwrap_or(email),
            "email": email, "password": password,
        }));
    }
    let grants = [
        ("officer", Role::Officer, Some(demo.demo_agency), None),
        ("supervisor", Role::Supervisor, Some(demo.demo_agency), None),
        (
            "agency_admin",
            Role::AgencyAdmin,
            Some(demo.demo_agency),
            None,
        ),
        ("finance_officer", Role::FinanceOfficer, None, None),
        ("auditor", Role::Auditor, None, None),
        ("platform_admin", Role::PlatformAdmin, None, None),
        ("platform_admin", Role::PerformanceOfficer, None, None),
        (
            "centre_staff",
            Role::CentreStaff,
            None,
            Some(demo.demo_centre),
        ),
        (
            "centre_manager",
            Role::CentreManager,
            None,
            Some(demo.demo_centre),
        ),
    ];
    for (label, role, agency, centre) in grants {
        seed::grant(db, &ids[label], role, agency, centre).await?;
    }
    for &agency in demo
        .service_agencies
        .iter()
        .filter(|a| **a != demo.demo_agency)
    {
        seed::grant(db, &ids["officer"], Role::Officer, Some(agency), None).await?;
        seed::grant(db, &ids["supervisor"], Role::Supervisor, Some(agency), None).await?;
    }
    let (registration, business_name) = demo.business;
    let business = seed::business(db, &ids["business_owner"], registration, business_name).await?;
    seed::member(
        db,
        &business,
        &ids["business_representative"],
        "representative",
    )
    .await?;
    // A parent's claim to a child, waiting for platform staff at /admin/claims. On a later
    // run the claim is already there (or decided) and nothing more is made.
    let parent = Actor::Person(lango_identity::account::actor(db, &ids["citizen"]).await?);
    let (given, family, born, certificate) = demo.child;
    let child = lango_identity::business::DependantForm {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: born.into(),
        birth_certificate: certificate.into(),
        relationship: "parent".into(),
        ..Default::default()
    };
    let _already_claimed = lango_identity::claim::dependant(db, &parent, &child).await?;
    let admin = Actor::Person(lango_identity::account::actor(db, &ids["agency_admin"]).await?);
    for old in apikey::list(db, &admin, demo.demo_agency).await? {
        if old.name == "Demo case system" && old.revoked_at.is_none() {
            apikey::revoke(db, &admin, demo.demo_agency, &old.id).await?;
        }
    }
    let perms: Vec<String> = PERMISSIONS.iter().map(|p| p.as_str().to_string()).collect();
    let (_, key) = apikey::create(db, &admin, demo.demo_agency, "Demo case system", &perms)
        .await?
        .map_err(|p| anyhow::anyhow!("demo key refused: {p:?}"))?;
    let centre_key = centre_key(db, &ids["platform_admin"]).await?;
    let paybill = lango_core::country::current()
        .pays_by("mpesa")
        .then_some(PAYBILL);
    Ok(serde_json::json!({
        "portal": portal,
        "paybill": paybill,
        "accounts": accounts,
        "country": lango_core::country::current().code,
        "business": {"registration_number": registration, "name": business_name},
        "api_keys": [{"agency": demo.demo_agency, "key": key, "permissions": perms}, centre_key],
        "messages": format!("{portal}/dev/messages"),
        "note": "Sample data. Sign in with 'sign_in' and 'password'. No SMS or e-mail leaves this computer: see 'messages'."
    }))
}

/// A fresh key for the demo centre's systems (ticket printer, counter keypads, booking
/// desk): its operator's (Huduma Kenya's in Kenya), with `appointments:write` and
/// `queue:write`, made by the platform's administrator; the previous one is revoked.
async fn centre_key(db: &Db, admin_id: &str) -> anyhow::Result<serde_json::Value> {
    let demo = current();
    let (operator, name) = (demo.centre_operator, demo.centre_systems);
    let admin = Actor::Person(lango_identity::account::actor(db, admin_id).await?);
    for old in apikey::list(db, &admin, operator).await? {
        if old.name == name && old.revoked_at.is_none() {
            apikey::revoke(db, &admin, operator, &old.id).await?;
        }
    }
    let perms = vec!["appointments:write".to_string(), "queue:write".to_string()];
    let (_, key) = apikey::create(db, &admin, operator, name, &perms)
        .await?
        .map_err(|p| anyhow::anyhow!("demo centre key refused: {p:?}"))?;
    Ok(
        serde_json::json!({"agency": operator, "centre": demo.demo_centre, "key": key, "permissions": perms}),
    )
}

/// The demo's registered agents (approved by the platform's administrator), the
/// commission rules, and the first agent's paid work, made through the agents' and
/// payments' own operations; returns that agent as `demo-credentials.json` holds it, with
/// a fresh statements key (the previous demo key revoked).
pub async fn agents(
    db: &Db,
    cases: &lango_cases::Cases,
    shortcode: &str,
) -> anyhow::Result<serde_json::Value> {
    let admin_id: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(current().platform_admin_email)
        .fetch_one(db.pool())
        .await?;
    let admin = Actor::Person(lango_identity::account::actor(db, &admin_id).await?);
    let (code, owner) = lango_agents::seed::agents(db, cases, &admin).await?;
    let receipts = lango_payments::mpesa::Receipts::start(db.clone());
    lango_agents::seed::work(db, cases, &receipts, (&code, &owner), shortcode).await?;
    const NAME: &str = "Demo agent statements";
    for old in apikey::list(db, &admin, &code).await? {
        if old.name == NAME && old.revoked_at.is_none() {
            apikey::revoke(db, &admin, &code, &old.id).await?;
        }
    }
    let agent = lango_agents::registry::get(db, &code).await?;
    let (_, key) = apikey::create_for_agent(db, &admin, &code, &agent.business_id, NAME)
        .await?
        .map_err(|p| anyhow::anyhow!("demo agent key refused: {p:?}"))?;
    let (_, _, _, email, _, password, ..) = lango_agents::seed::AGENTS[0];
    let month = lango_agents::accrual::month_of(lango_core::clock::now_ms());
    Ok(serde_json::json!({
        "code": code, "name": agent.name, "sign_in": email, "password": password,
        "key": key, "permissions": ["statements:read"],
        "statement": format!("/api/v1/agents/{code}/statement?month={month}"),
    }))
}

/// The demo service that runs on the sample agency system rather than on Lango.
pub const AGENCY_SYSTEM_SERVICE: &str = "NTSA-IDP";
/// The agency whose sample system signs people in with Lango.
pub const AGENCY_SYSTEM_AGENCY: &str = "NTSA";

/// Registers the sample agency system at `base` as a Sign in with Lango client (a fresh
/// secret each start) and points [`AGENCY_SYSTEM_SERVICE`] at it, so "Start now" on that
/// service leads there; returns the client as `demo-credentials.json` holds it.
pub async fn agency_system(db: &Db, base: &str) -> anyhow::Result<serde_json::Value> {
    let redirect = format!("{base}/callback");
    let (client_id, secret) = lango_identity::provider::clients::ensure_demo(
        db,
        AGENCY_SYSTEM_AGENCY,
        "NTSA sample licensing system",
        &redirect,
        &format!("{base}/"),
    )
    .await?;
    let admin: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(current().platform_admin_email)
        .fetch_one(db.pool())
        .await?;
    let actor = Actor::Person(lango_identity::account::actor(db, &admin).await?);
    let agency = lango_catalogue::AgencyCode::parse(AGENCY_SYSTEM_AGENCY)?;
    let code = lango_catalogue::ServiceCode::parse(AGENCY_SYSTEM_SERVICE)?;
    let held = lango_catalogue::admin::service_for_edit(db, &actor, &agency, &code).await?;
    let url = format!("{base}/");
    if held.service.apply_url.as_deref() != Some(url.as_str()) {
        let mut change = lango_catalogue::edit::ServiceEdit::of(&held.service);
        change.apply_url = Some(url);
        lango_catalogue::admin::edit_service(db, &actor, &agency, &code, &change, held.revision)
            .await?;
    }
    Ok(serde_json::json!({
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uri": redirect,
        "agency": AGENCY_SYSTEM_AGENCY,
        "system": base,
        "service": AGENCY_SYSTEM_SERVICE,
    }))
}

/// Writes `demo-credentials.json` so that a newcomer or a test can act at once.
pub fn write_credentials(data_dir: &Path, body: &serde_json::Value) -> anyhow::Result<()> {
    let path = data_dir.join("demo-credentials.json");
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    std::fs::write(&path, serde_json::to_string_pretty(body)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A document in the demo citizen's wallet from the first run: an emergency travel
/// document the demo agency's system signs through Lango, so the wallet, `/verify` and
/// `lango verify` have something real to show. `None` when the citizen already holds one.
pub async fn seed_document(cases: &lango_cases::Cases) -> anyhow::Result<Option<String>> {
    let db = cases.db();
    let document = &current().document;
    let citizen: Option<String> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE id_number = $1")
            .bind(document.holder_id)
            .fetch_optional(db.pool())
            .await?;
    let Some(citizen) = citizen else {
        return Ok(None);
    };
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM issued WHERE holder_account = $1")
        .bind(&citizen)
        .fetch_one(db.pool())
        .await?;
    if held > 0 {
        return Ok(None);
    }
    let system = Actor::ApiClient(lango_identity::policy::ApiClient {
        key_id: "demo".into(),
        agency: current().demo_agency.into(),
        permissions: vec![lango_identity::model::Permission::DocumentsWrite],
    });
    let today = lango_core::clock::now_ms().div_euclid(86_400_000);
    let expires = lango_core::clock::Civil::from_ms((today + 89) * 86_400_000).date();
    let signed = cases
        .sign_document(
            &system,
            &lango_cases::service::DocumentRequest {
                kind: document.kind.into(),
                holder_name: document.holder_name.into(),
                holder_id: document.holder_id.into(),
                expires: Some(expires),
                fields: document
                    .fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
        )
        .await?;
    Ok(Some(signed.number))
}

#[cfg(test)]
mod tests {
    use lango_cases::Definition;

    #[test]
    fn every_demo_definition_parses_and_is_named_after_its_service() {
        for (name, text) in super::kenya::DEFINITIONS {
            let definition = Definition::parse(text)
                .unwrap_or_else(|errors| panic!("{name} does not parse: {errors:#?}"));
            assert_eq!(
                format!("{}.yaml", definition.service()),
                name,
                "{name} defines another service"
            );
        }
    }
}
