//! The demo's agents: five businesses in four counties that applied and were approved by
//! the platform's administrator through the register's own operations, the commission
//! rules in force, and, for the first, a run of paid work: police abstracts it applied for
//! on behalf of its clients, paid by M-Pesa through the payments room's receipt path, so
//! its statement, ledger account and the figures show what really happened.

use crate::registry::{self, Decision};
use crate::{accrual, model::ApplyForm, rules};
use lango_cases::definition::{PageInput, Profile};
use lango_core::db::Db;
use lango_core::{Error, Result};
use lango_identity::policy::Actor;
use lango_identity::seed::{self as people, PersonSeed};

/// One demo agent: (owner's ID number, given, family, e-mail, phone, password, business
/// registration number, trading name, county, location, services).
type DemoAgent = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The demo's agents; the first is in the demo's credentials.
pub const AGENTS: [DemoAgent; 5] = [
    (
        "28440101",
        "Faith",
        "Muthoni",
        "agent@demo.lango.ke",
        "+254711000301",
        "demo-agent-pass",
        "BN-DEMO-AG001",
        "Muthoni Cyber Services",
        "Nairobi",
        "Tom Mboya Street, Nairobi CBD",
        "KPS-ABSTRACT DIS-PASSPORT NTSA-DL-RENEW KRA-PIN-REG SHA-REGISTER",
    ),
    (
        "28440102",
        "Salim",
        "Bakari",
        "salim@agents.demo.lango.ke",
        "+254711000302",
        "demo-agent2-pass",
        "BN-DEMO-AG002",
        "Bakari Digital Desk",
        "Mombasa",
        "Moi Avenue, Mombasa",
        "KPS-ABSTRACT NTSA-DL-RENEW KRA-PIN-REG",
    ),
    (
        "28440103",
        "Grace",
        "Anyango",
        "grace@agents.demo.lango.ke",
        "+254711000303",
        "demo-agent3-pass",
        "BN-DEMO-AG003",
        "Anyango eCitizen Point",
        "Kisumu",
        "Oginga Odinga Street, Kisumu",
        "KPS-ABSTRACT DIS-PASSPORT HELB-LOAN",
    ),
    (
        "28440104",
        "Peter",
        "Kiprotich",
        "peter@agents.demo.lango.ke",
        "+254711000304",
        "demo-agent4-pass",
        "BN-DEMO-AG004",
        "Kiprotich Cyber Café",
        "Nakuru",
        "Kenyatta Avenue, Nakuru",
        "KPS-ABSTRACT SHA-REGISTER",
    ),
    (
        "28440105",
        "Mary",
        "Wambui",
        "mary@agents.demo.lango.ke",
        "+254711000305",
        "demo-agent5-pass",
        "BN-DEMO-AG005",
        "Wambui Huduma Agent",
        "Nairobi",
        "Kangemi Market, Westlands",
        "KPS-ABSTRACT CRS-BIRTH-CERT-COPY",
    ),
];

/// The service the first agent's paid work is for.
pub const WORK_SERVICE: &str = "KPS-ABSTRACT";

/// How many applications the first agent's paid work holds.
pub const WORK_COUNT: usize = 12;

/// A one-page PDF standing in for a scanned document of a demo agent's application.
fn demo_scan(title: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {title} (demo scan)\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

/// Stores the demo scans an application carries: one of each kind.
async fn demo_documents(
    cases: &lango_cases::Cases,
    name: &str,
) -> Result<Vec<(&'static str, lango_cases::definition::FileAnswer)>> {
    let mut files = Vec::new();
    for kind in crate::documents::KINDS {
        let bytes = demo_scan(&format!("{name} {kind}"));
        let stored = cases
            .documents()
            .put(
                &format!("{kind}.pdf"),
                bytes,
                &crate::documents::accept(),
                crate::documents::MAX_KB,
            )
            .await?
            .map_err(|r| Error::Internal(format!("demo scan refused: {r:?}")))?;
        files.push((kind, stored));
    }
    Ok(files)
}

/// Makes the demo's agents and rules (again: nothing twice) as `admin`; returns the first
/// agent's code and owner's account id.
pub async fn agents(
    db: &Db,
    cases: &lango_cases::Cases,
    admin: &Actor,
) -> Result<(String, String)> {
    let mut first = None;
    for (id_number, given, family, email, phone, password, reg, name, county, location, services) in
        AGENTS
    {
        let owner = people::person(
            db,
            &PersonSeed {
                kind: lango_identity::model::AccountKind::Citizen,
                id_number: Some(id_number),
                given_name: given,
                family_name: family,
                email,
                phone: Some(phone),
                password,
                county,
            },
        )
        .await?;
        let business = people::business(db, &owner, reg, name).await?;
        let code = match registry::of_businesses(db, std::slice::from_ref(&business))
            .await?
            .pop()
        {
            Some(a) => a.code,
            None => {
                let actor = Actor::Person(lango_identity::account::actor(db, &owner).await?);
                let form = ApplyForm {
                    business: business.clone(),
                    trading_name: name.into(),
                    county: county.into(),
                    location: location.into(),
                    phone: phone.into(),
                    permit_number: format!("SBP/2026/{}", &reg[reg.len() - 3..]),
                    services: services.into(),
                };
                let parsed = form
                    .parse()
                    .map_err(|p| Error::Internal(format!("demo agent {name}: {p:?}")))?;
                let files = demo_documents(cases, name).await?;
                let agent = registry::apply(db, &actor, &parsed, &files)
                    .await?
                    .map_err(|p| Error::Internal(format!("demo agent {name}: {p:?}")))?;
                registry::decide(db, admin, &agent.code, Decision::Approve, "")
                    .await?
                    .map_err(|p| Error::Internal(format!("demo agent {name}: {p:?}")))?;
                agent.code
            }
        };
        first.get_or_insert((code, owner));
    }
    if rules::in_force(db).await?.is_empty() {
        for (scope, value, flat, percent, cap) in [
            ("all", "", "50", "2", "300"),
            ("service", "DIS-PASSPORT", "150", "", ""),
        ] {
            let rule = rules::RuleForm {
                scope: scope.into(),
                scope_value: value.into(),
                channel: "any".into(),
                flat: flat.into(),
                percent: percent.into(),
                cap: cap.into(),
                source: "platform_fee".into(),
                valid_from: "2026-01-01".into(),
                ..Default::default()
            }
            .parse()
            .map_err(|r| Error::Internal(format!("demo rule: {r:?}")))?;
            rules::add(db, admin, &rule)
                .await?
                .map_err(|r| Error::Internal(format!("demo rule: {r:?}")))?;
        }
    }
    first.ok_or_else(|| Error::Internal("no demo agents".into()))
}

/// The first agent's paid work, once: police abstracts for its clients, each submitted
/// and paid by an M-Pesa confirmation in Daraja's format through `receipts`; then the
/// commission is swept. Returns how many it made (0 when it already has work).
pub async fn work(
    db: &Db,
    cases: &lango_cases::Cases,
    receipts: &lango_payments::mpesa::Receipts,
    (agent, agent_person): (&str, &str),
    shortcode: &str,
) -> Result<usize> {
    let done: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applications WHERE agent = $1")
        .bind(agent)
        .fetch_one(db.pool())
        .await?;
    if done > 0 {
        return Ok(0);
    }
    let yesterday =
        lango_core::clock::Civil::local(lango_core::clock::now_ms() - 86_400_000).date();
    for i in 0..WORK_COUNT {
        let id_number = format!("2945{:04}", i + 1);
        let given = [
            "Kamau",
            "Njeri",
            "Ochieng",
            "Wairimu",
            "Mutiso",
            "Chepkoech",
        ][i % 6];
        let client = people::person(
            db,
            &PersonSeed {
                kind: lango_identity::model::AccountKind::Citizen,
                id_number: Some(&id_number),
                given_name: given,
                family_name: "Client",
                email: &format!("client{}@agents.demo.lango.ke", i + 1),
                phone: Some(&format!("+2547220004{:02}", i + 1)),
                password: "demo-client-pass",
                county: "Nairobi",
            },
        )
        .await?;
        let mut person = lango_identity::account::actor(db, agent_person).await?;
        person.agents = vec![agent.to_string()];
        person.assisting = Some(client.clone());
        let actor = Actor::Person(person);
        let full_name = format!("{given} Client");
        let phone = format!("07220004{:02}", i + 1);
        let profile = Profile {
            values: vec![
                ("full_name".into(), full_name.clone()),
                ("national_id".into(), id_number.clone()),
                ("phone".into(), phone.clone()),
            ],
        };
        let app = cases
            .start_assisted(&actor, &client, WORK_SERVICE, &profile, Some(agent))
            .await?;
        let pages: [(&str, Vec<(&str, String)>); 3] = [
            (
                "about-you",
                vec![
                    ("full_name", full_name),
                    ("national_id", id_number.clone()),
                    ("phone", phone),
                ],
            ),
            (
                "what-was-lost",
                vec![("items", "national_id".into()), ("how", "lost".into())],
            ),
            (
                "when-and-where",
                vec![
                    ("date_lost", yesterday.clone()),
                    ("county", "Nairobi".into()),
                    ("sub_county", "Westlands".into()),
                    ("place", "Westlands matatu stage".into()),
                    (
                        "circumstances",
                        "The wallet holding it fell out of my bag on the matatu.".into(),
                    ),
                    ("station", "Parklands Police Station".into()),
                ],
            ),
        ];
        for (page, values) in pages {
            let input = PageInput {
                values: values
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
                files: Vec::new(),
            };
            cases
                .answer(&actor, &app.reference, page, &input)
                .await?
                .map_err(|e| Error::Internal(format!("demo agent work, page {page}: {e:?}")))?;
        }
        let submitted = cases
            .submit(&actor, &app.reference)
            .await?
            .map_err(|e| Error::Internal(format!("demo agent work, submit: {e:?}")))?;
        let bill = submitted
            .bill_reference
            .ok_or_else(|| Error::Internal("demo agent work: no bill".into()))?;
        let (amount, fee): (i64, i64) =
            sqlx::query_as("SELECT service_amount, fee FROM bills WHERE reference = $1")
                .bind(&bill)
                .fetch_one(db.pool())
                .await?;
        let paid =
            lango_core::money::Money::from_minor(amount + fee, lango_core::money::Currency::Kes);
        let body = serde_json::json!({
            "TransactionType": "Pay Bill", "TransID": format!("DEMOAG{:04}", i + 1),
            "TransTime": lango_core::clock::Civil::local(lango_core::clock::now_ms()).date().replace('-', "") + "120000",
            "TransAmount": paid.to_decimal(), "BusinessShortCode": shortcode, "BillRefNumber": bill,
            "InvoiceNumber": "", "OrgAccountBalance": "", "ThirdPartyTransID": "",
            "MSISDN": "2547*****400", "FirstName": given.to_ascii_uppercase(), "MiddleName": "", "LastName": "CLIENT"
        });
        lango_payments::mpesa::confirm(receipts, body.to_string().as_bytes(), shortcode)
            .await?
            .map_err(|e| Error::Internal(format!("demo agent work, payment: {}", e.0)))?;
    }
    accrual::sweep(db).await?;
    Ok(WORK_COUNT)
}
