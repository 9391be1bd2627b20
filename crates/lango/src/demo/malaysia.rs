//! Malaysia's demo (`lango demo --country my`): federal, state and local agencies and their
//! services, Urban Transformation Centres, and people with MyKad numbers and +60 phones.
//! The data files live beside the pack, in `packs/my/demo/`.

use super::{DemoCountry, DemoDocument, DemoPerson};
use lango_identity::model::AccountKind;

/// The end-to-end services, each reaching an issued document: passport renewal, driving
/// licence renewal, business registration, assessment tax to a city hall, and MyKad
/// replacement.
const DEFINITIONS: [(&str, &str); 5] = [
    (
        "JIM-PASSPORT-RENEW.yaml",
        include_str!("../../../../packs/my/demo/definitions/JIM-PASSPORT-RENEW.yaml"),
    ),
    (
        "JPJ-LICENCE-RENEW.yaml",
        include_str!("../../../../packs/my/demo/definitions/JPJ-LICENCE-RENEW.yaml"),
    ),
    (
        "SSM-BUSINESS-REG.yaml",
        include_str!("../../../../packs/my/demo/definitions/SSM-BUSINESS-REG.yaml"),
    ),
    (
        "DBKL-ASSESSMENT-TAX.yaml",
        include_str!("../../../../packs/my/demo/definitions/DBKL-ASSESSMENT-TAX.yaml"),
    ),
    (
        "JPN-MYKAD-REPLACE.yaml",
        include_str!("../../../../packs/my/demo/definitions/JPN-MYKAD-REPLACE.yaml"),
    ),
];

/// Where JPN's mobile unit in Sabah stops, in turn: (state, place).
const MOBILE_STOPS: [(&str, &str); 4] = [
    ("Sabah", "Dewan Masyarakat Kota Belud"),
    ("Sabah", "Dataran Pekan Ranau"),
    ("Sabah", "Pejabat Daerah Keningau"),
    ("Sabah", "Dewan Serbaguna Kudat"),
];

/// The people. Passwords are public: this is sample data on a laptop.
const PEOPLE: [DemoPerson; 11] = [
    (
        "citizen",
        AccountKind::Citizen,
        Some("900101145678"),
        "Nurul Aisyah",
        "Ahmad",
        "nurul@demo.lango.my",
        Some("+60123456789"),
        "demo-citizen-pass",
    ),
    (
        "business_owner",
        AccountKind::Citizen,
        Some("850315105123"),
        "Wei Ming",
        "Tan",
        "weiming@demo.lango.my",
        Some("+60162223333"),
        "demo-owner-pass",
    ),
    (
        "business_representative",
        AccountKind::Citizen,
        Some("920722075344"),
        "Kavitha",
        "Raman",
        "kavitha@demo.lango.my",
        Some("+60193334444"),
        "demo-representative-pass",
    ),
    (
        "officer",
        AccountKind::Staff,
        None,
        "Muhammad Firdaus",
        "Ismail",
        "officer@jim.demo.lango.my",
        None,
        "demo-officer-pass",
    ),
    (
        "supervisor",
        AccountKind::Staff,
        None,
        "Siti Hajar",
        "Osman",
        "supervisor@jim.demo.lango.my",
        None,
        "demo-supervisor-pass",
    ),
    (
        "agency_admin",
        AccountKind::Staff,
        None,
        "Chee Keong",
        "Lim",
        "admin@jim.demo.lango.my",
        None,
        "demo-agency-admin-pass",
    ),
    (
        "finance_officer",
        AccountKind::Staff,
        None,
        "Aminah",
        "Yusof",
        "finance@treasury.demo.lango.my",
        None,
        "demo-finance-pass",
    ),
    (
        "auditor",
        AccountKind::Staff,
        None,
        "Rajesh",
        "Kumar",
        "auditor@audit.demo.lango.my",
        None,
        "demo-auditor-pass",
    ),
    (
        "platform_admin",
        AccountKind::Staff,
        None,
        "Farah Nadia",
        "Zainal",
        "admin@demo.lango.my",
        None,
        "demo-platform-admin-pass",
    ),
    (
        "centre_staff",
        AccountKind::Staff,
        None,
        "Hafiz",
        "Rahman",
        "staff@utc.demo.lango.my",
        None,
        "demo-centre-pass",
    ),
    (
        "centre_manager",
        AccountKind::Staff,
        None,
        "Mei Ling",
        "Wong",
        "manager@utc.demo.lango.my",
        None,
        "demo-centre-manager-pass",
    ),
];

/// Malaysia's demo, as `lango demo --country my` loads it.
pub const MALAYSIA: DemoCountry = DemoCountry {
    agencies_csv: include_str!("../../../../packs/my/demo/agencies.csv"),
    services_csv: include_str!("../../../../packs/my/demo/services.csv"),
    definitions: &DEFINITIONS,
    centres_csv: include_str!("../../../../packs/my/demo/centres.csv"),
    mobile_stops: &MOBILE_STOPS,
    demo_centre: "UTC-KL",
    centre_operator: "JPM",
    centre_systems: "UTC Pudu Sentral systems",
    popular: &[
        "JIM-PASSPORT-RENEW",
        "JPN-MYKAD-REPLACE",
        "JPJ-LICENCE-RENEW",
        "SSM-BUSINESS-REG",
        "DBKL-ASSESSMENT-TAX",
    ],
    people: &PEOPLE,
    home_region: "Kuala Lumpur",
    demo_agency: "JIM",
    service_agencies: &["JIM", "JPJ", "SSM", "DBKL", "JPN"],
    // A sole proprietorship: SSM's entity code 03.
    business: ("202403012345", "Tan Hardware Enterprise"),
    child: ("Aiman", "Hakim", "2019-08-14", "190814141234"),
    platform_admin_email: "admin@demo.lango.my",
    performance: &[include_str!(
        "../../../../packs/my/demo/performance/MYGPI-2026.yaml"
    )],
    document: DemoDocument {
        kind: "Emergency certificate (travel)",
        holder_name: "Nurul Aisyah Ahmad",
        holder_id: "900101145678",
        fields: &[
            ("Destination", "Singapore"),
            ("Journeys", "One, there and back"),
        ],
    },
};
