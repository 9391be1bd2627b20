//! The demo country: a realistic Kenyan catalogue and the credentials file.

use anyhow::Context;
use lango_catalogue::service::{import_agencies, import_services};
use lango_core::db::Db;
use lango_identity::apikey;
use lango_identity::model::{AccountKind, Role, PERMISSIONS};
use lango_identity::policy::Actor;
use lango_identity::seed::{self, PersonSeed};
use std::path::Path;

/// Demo agencies (embedded).
pub const AGENCIES_CSV: &str = include_str!("../demo/agencies.csv");
/// Demo services (embedded).
pub const SERVICES_CSV: &str = include_str!("../demo/services.csv");
/// The demo's service definitions (embedded, so `lango demo` runs from anywhere): the
/// fourteen end-to-end services, each reaching an issued document. The eight first and
/// the police abstract and Huduma card replacement have a fee; KRA PIN registration,
/// e-GP supplier registration, a public service job application and SHA registration are
/// free, so they have no fee and no payment state.
pub const DEFINITIONS: [(&str, &str); 14] = [
    (
        "DIS-PASSPORT.yaml",
        include_str!("../demo/definitions/DIS-PASSPORT.yaml"),
    ),
    (
        "DCI-GOOD-CONDUCT.yaml",
        include_str!("../demo/definitions/DCI-GOOD-CONDUCT.yaml"),
    ),
    (
        "BRS-BUSINESS-NAME.yaml",
        include_str!("../demo/definitions/BRS-BUSINESS-NAME.yaml"),
    ),
    (
        "NTSA-DL-RENEW.yaml",
        include_str!("../demo/definitions/NTSA-DL-RENEW.yaml"),
    ),
    (
        "CRS-BIRTH-CERT-COPY.yaml",
        include_str!("../demo/definitions/CRS-BIRTH-CERT-COPY.yaml"),
    ),
    (
        "CG-NBI-SBP.yaml",
        include_str!("../demo/definitions/CG-NBI-SBP.yaml"),
    ),
    (
        "CG-NBI-LAND-RATES.yaml",
        include_str!("../demo/definitions/CG-NBI-LAND-RATES.yaml"),
    ),
    (
        "HELB-LOAN.yaml",
        include_str!("../demo/definitions/HELB-LOAN.yaml"),
    ),
    (
        "KRA-PIN-REG.yaml",
        include_str!("../demo/definitions/KRA-PIN-REG.yaml"),
    ),
    (
        "PPRA-SUPPLIER-REG.yaml",
        include_str!("../demo/definitions/PPRA-SUPPLIER-REG.yaml"),
    ),
    (
        "PSC-JOBS.yaml",
        include_str!("../demo/definitions/PSC-JOBS.yaml"),
    ),
    (
        "SHA-REGISTER.yaml",
        include_str!("../demo/definitions/SHA-REGISTER.yaml"),
    ),
    (
        "KPS-ABSTRACT.yaml",
        include_str!("../demo/definitions/KPS-ABSTRACT.yaml"),
    ),
    (
        "NRB-HUDUMA-CARD-REPLACE.yaml",
        include_str!("../demo/definitions/NRB-HUDUMA-CARD-REPLACE.yaml"),
    ),
];

/// The demo paybill (`BusinessShortCode`).
pub const PAYBILL: &str = "222222";

/// The demo's service centres: ten Huduma centres, an immigration office and a mobile centre.
pub const CENTRES_CSV: &str = include_str!("../demo/centres.csv");

/// Where the demo's mobile centre stops, in turn: (county, place).
const MOBILE_STOPS: [(&str, &str); 5] = [
    ("Kajiado", "Kajiado Town Hall grounds"),
    ("Kajiado", "Kitengela Market"),
    ("Narok", "Narok Stadium gate"),
    ("Kajiado", "Namanga Border Post car park"),
    ("Narok", "Kilgoris Chief's Office"),
];

/// The demo centre whose staff, manager and system key the demo shows.
pub const DEMO_CENTRE: &str = "HC-GPO";

/// Loads the demo centres once (a database that has centres keeps them, with the edits
/// its administrators made), and gives the mobile centre stops for the coming weeks.
pub async fn load_centres(db: &Db) -> anyhow::Result<usize> {
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM centres")
        .fetch_one(db.pool())
        .await?;
    let loaded = if held == 0 {
        lango_centres::seed::load_csv(db, CENTRES_CSV.as_bytes(), "seed")
            .await
            .context("demo centres refused")?
    } else {
        0
    };
    lango_centres::seed::schedule_mobile(db, &MOBILE_STOPS, 21).await?;
    Ok(loaded)
}

/// Services featured on the demo home page.
pub fn popular() -> Vec<String> {
    [
        "DIS-PASSPORT",
        "DCI-GOOD-CONDUCT",
        "BRS-BUSINESS-NAME",
        "NTSA-DL-RENEW",
        "CRS-BIRTH-CERT-COPY",
        "CG-NBI-SBP",
        "CG-NBI-LAND-RATES",
        "HELB-LOAN",
    ]
    .map(String::from)
    .to_vec()
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
    let agencies = import_agencies(db, AGENCIES_CSV.as_bytes()).await?;
    let services = import_services(db, SERVICES_CSV.as_bytes(), &mut |_, _| {}).await?;
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
    lango_insights::kpi::sample_costs(db, lango_core::money::Currency::Kes)
        .await
        .context("cannot write the demo's sample costs")?;
    Ok(seeded)
}

/// Stores the demo definitions that are new or changed (a bad one is logged and
/// skipped); returns how many versions were added.
pub async fn load_definitions(db: &Db) -> anyhow::Result<usize> {
    let files: Vec<(String, String)> = DEFINITIONS
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    lango_cases::registry::load_texts(db, &files)
        .await
        .context("cannot load the demo service definitions")
}

/// One demo person: (label, kind, ID number, given, family, e-mail, phone, password).
type DemoPerson = (
    &'static str,
    AccountKind,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// The demo's people. Passwords are public: this is sample data on a laptop.
const PEOPLE: [DemoPerson; 11] = [
    (
        "citizen",
        AccountKind::Citizen,
        Some("12345678"),
        "Wanjiku",
        "Kamau",
        "wanjiku@demo.lango.ke",
        Some("+254712345678"),
        "demo-citizen-pass",
    ),
    (
        "business_owner",
        AccountKind::Citizen,
        Some("23456789"),
        "Otieno",
        "Odhiambo",
        "otieno@demo.lango.ke",
        Some("+254722000111"),
        "demo-owner-pass",
    ),
    (
        "business_representative",
        AccountKind::Citizen,
        Some("34567890"),
        "Achieng",
        "Atieno",
        "achieng@demo.lango.ke",
        Some("+254733000222"),
        "demo-representative-pass",
    ),
    (
        "officer",
        AccountKind::Staff,
        None,
        "Kiprop",
        "Chebet",
        "officer@dis.demo.lango.ke",
        None,
        "demo-officer-pass",
    ),
    (
        "supervisor",
        AccountKind::Staff,
        None,
        "Njeri",
        "Mwangi",
        "supervisor@dis.demo.lango.ke",
        None,
        "demo-supervisor-pass",
    ),
    (
        "agency_admin",
        AccountKind::Staff,
        None,
        "Hassan",
        "Abdi",
        "admin@dis.demo.lango.ke",
        None,
        "demo-agency-admin-pass",
    ),
    (
        "finance_officer",
        AccountKind::Staff,
        None,
        "Mutua",
        "Musyoka",
        "finance@treasury.demo.lango.ke",
        None,
        "demo-finance-pass",
    ),
    (
        "auditor",
        AccountKind::Staff,
        None,
        "Akinyi",
        "Ouma",
        "auditor@oag.demo.lango.ke",
        None,
        "demo-auditor-pass",
    ),
    (
        "platform_admin",
        AccountKind::Staff,
        None,
        "Baraka",
        "Kiplagat",
        PLATFORM_ADMIN_EMAIL,
        None,
        "demo-platform-admin-pass",
    ),
    (
        "centre_staff",
        AccountKind::Staff,
        None,
        "Zawadi",
        "Wekesa",
        "gpo@huduma.demo.lango.ke",
        None,
        "demo-centre-pass",
    ),
    (
        "centre_manager",
        AccountKind::Staff,
        None,
        "Amani",
        "Njoroge",
        "manager.gpo@huduma.demo.lango.ke",
        None,
        "demo-centre-manager-pass",
    ),
];

/// The agency whose staff and API key the demo shows.
pub const DEMO_AGENCY: &str = "DIS";

/// The agencies of the demo's end-to-end services: the demo officer and supervisor work
/// at every one, so one account can follow any demo application to its end.
pub const SERVICE_AGENCIES: [&str; 7] = ["DIS", "DCI", "BRS", "NTSA", "CRS", "CG-NBI", "HELB"];

/// Creates the demo's accounts, roles, business and a fresh agency API key; returns the
/// credentials document. Running it again reuses the accounts and replaces the key.
pub async fn seed_people(db: &Db, portal: &str) -> anyhow::Result<serde_json::Value> {
    let mut accounts = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for (label, kind, id_number, given, family, email, phone, password) in PEOPLE {
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
                county: "Nairobi",
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
        ("officer", Role::Officer, Some(DEMO_AGENCY), None),
        ("supervisor", Role::Supervisor, Some(DEMO_AGENCY), None),
        ("agency_admin", Role::AgencyAdmin, Some(DEMO_AGENCY), None),
        ("finance_officer", Role::FinanceOfficer, None, None),
        ("auditor", Role::Auditor, None, None),
        ("platform_admin", Role::PlatformAdmin, None, None),
        ("platform_admin", Role::PerformanceOfficer, None, None),
        ("centre_staff", Role::CentreStaff, None, Some(DEMO_CENTRE)),
        (
            "centre_manager",
            Role::CentreManager,
            None,
            Some(DEMO_CENTRE),
        ),
    ];
    for (label, role, agency, centre) in grants {
        seed::grant(db, &ids[label], role, agency, centre).await?;
    }
    for agency in SERVICE_AGENCIES.into_iter().filter(|a| *a != DEMO_AGENCY) {
        seed::grant(db, &ids["officer"], Role::Officer, Some(agency), None).await?;
        seed::grant(db, &ids["supervisor"], Role::Supervisor, Some(agency), None).await?;
    }
    let business = seed::business(
        db,
        &ids["business_owner"],
        "PVT-DEMO0001",
        "Odhiambo Hardware Ltd",
    )
    .await?;
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
    let child = lango_identity::business::DependantForm {
        given_name: "Imani".into(),
        family_name: "Wanjiru".into(),
        date_of_birth: "2019-08-14".into(),
        birth_certificate: "200412345".into(),
        relationship: "parent".into(),
        ..Default::default()
    };
    let _already_claimed = lango_identity::claim::dependant(db, &parent, &child).await?;
    let admin = Actor::Person(lango_identity::account::actor(db, &ids["agency_admin"]).await?);
    for old in apikey::list(db, &admin, DEMO_AGENCY).await? {
        if old.name == "Demo case system" && old.revoked_at.is_none() {
            apikey::revoke(db, &admin, DEMO_AGENCY, &old.id).await?;
        }
    }
    let perms: Vec<String> = PERMISSIONS.iter().map(|p| p.as_str().to_string()).collect();
    let (_, key) = apikey::create(db, &admin, DEMO_AGENCY, "Demo case system", &perms)
        .await?
        .map_err(|p| anyhow::anyhow!("demo key refused: {p:?}"))?;
    let centre_key = centre_key(db, &ids["platform_admin"]).await?;
    Ok(serde_json::json!({
        "portal": portal,
        "paybill": PAYBILL,
        "accounts": accounts,
        "business": {"registration_number": "PVT-DEMO0001", "name": "Odhiambo Hardware Ltd"},
        "api_keys": [{"agency": DEMO_AGENCY, "key": key, "permissions": perms}, centre_key],
        "messages": format!("{portal}/dev/messages"),
        "note": "Sample data. Sign in with 'sign_in' and 'password'. No SMS or e-mail leaves this computer: see 'messages'."
    }))
}

/// A fresh key for the demo centre's systems (ticket printer, counter keypads, booking
/// desk): Huduma Kenya's, with `appointments:write` and `queue:write`, made by the platform's
/// administrator; the previous one is revoked.
async fn centre_key(db: &Db, admin_id: &str) -> anyhow::Result<serde_json::Value> {
    const NAME: &str = "Huduma Centre GPO systems";
    let operator = "HUDUMA";
    let admin = Actor::Person(lango_identity::account::actor(db, admin_id).await?);
    for old in apikey::list(db, &admin, operator).await? {
        if old.name == NAME && old.revoked_at.is_none() {
            apikey::revoke(db, &admin, operator, &old.id).await?;
        }
    }
    let perms = vec!["appointments:write".to_string(), "queue:write".to_string()];
    let (_, key) = apikey::create(db, &admin, operator, NAME, &perms)
        .await?
        .map_err(|p| anyhow::anyhow!("demo centre key refused: {p:?}"))?;
    Ok(
        serde_json::json!({"agency": operator, "centre": DEMO_CENTRE, "key": key, "permissions": perms}),
    )
}

/// The demo's platform administrator.
const PLATFORM_ADMIN_EMAIL: &str = "admin@demo.lango.ke";

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
        .bind(PLATFORM_ADMIN_EMAIL)
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
        .bind(PLATFORM_ADMIN_EMAIL)
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
    let citizen: Option<String> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE id_number = $1")
            .bind("12345678")
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
        agency: DEMO_AGENCY.into(),
        permissions: vec![lango_identity::model::Permission::DocumentsWrite],
    });
    let today = lango_core::clock::now_ms().div_euclid(86_400_000);
    let expires = lango_core::clock::Civil::from_ms((today + 89) * 86_400_000).date();
    let signed = cases
        .sign_document(
            &system,
            &lango_cases::service::DocumentRequest {
                kind: "Emergency travel document".into(),
                holder_name: "Wanjiku Kamau".into(),
                holder_id: "12345678".into(),
                expires: Some(expires),
                fields: [
                    ("Destination".to_string(), "Kampala, Uganda".to_string()),
                    ("Journeys".to_string(), "One, there and back".to_string()),
                ]
                .into(),
            },
        )
        .await?;
    Ok(Some(signed.number))
}

#[cfg(test)]
mod tests {
    use super::DEFINITIONS;
    use lango_cases::Definition;

    #[test]
    fn every_demo_definition_parses_and_is_named_after_its_service() {
        for (name, text) in DEFINITIONS {
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
