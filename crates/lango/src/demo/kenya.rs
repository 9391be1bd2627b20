//! Kenya's demo: eCitizen's agencies and services, Huduma centres and their people.

use super::{DemoCountry, DemoDocument, DemoPerson};
use lango_identity::model::AccountKind;

/// Demo agencies (embedded).
pub const AGENCIES_CSV: &str = include_str!("../../demo/agencies.csv");
/// Demo services (embedded).
pub const SERVICES_CSV: &str = include_str!("../../demo/services.csv");
/// The demo's service definitions (embedded, so `lango demo` runs from anywhere): the
/// fourteen end-to-end services, each reaching an issued document. The eight first and
/// the police abstract and Huduma card replacement have a fee; KRA PIN registration,
/// e-GP supplier registration, a public service job application and SHA registration are
/// free, so they have no fee and no payment state.
pub const DEFINITIONS: [(&str, &str); 14] = [
    (
        "DIS-PASSPORT.yaml",
        include_str!("../../demo/definitions/DIS-PASSPORT.yaml"),
    ),
    (
        "DCI-GOOD-CONDUCT.yaml",
        include_str!("../../demo/definitions/DCI-GOOD-CONDUCT.yaml"),
    ),
    (
        "BRS-BUSINESS-NAME.yaml",
        include_str!("../../demo/definitions/BRS-BUSINESS-NAME.yaml"),
    ),
    (
        "NTSA-DL-RENEW.yaml",
        include_str!("../../demo/definitions/NTSA-DL-RENEW.yaml"),
    ),
    (
        "CRS-BIRTH-CERT-COPY.yaml",
        include_str!("../../demo/definitions/CRS-BIRTH-CERT-COPY.yaml"),
    ),
    (
        "CG-NBI-SBP.yaml",
        include_str!("../../demo/definitions/CG-NBI-SBP.yaml"),
    ),
    (
        "CG-NBI-LAND-RATES.yaml",
        include_str!("../../demo/definitions/CG-NBI-LAND-RATES.yaml"),
    ),
    (
        "HELB-LOAN.yaml",
        include_str!("../../demo/definitions/HELB-LOAN.yaml"),
    ),
    (
        "KRA-PIN-REG.yaml",
        include_str!("../../demo/definitions/KRA-PIN-REG.yaml"),
    ),
    (
        "PPRA-SUPPLIER-REG.yaml",
        include_str!("../../demo/definitions/PPRA-SUPPLIER-REG.yaml"),
    ),
    (
        "PSC-JOBS.yaml",
        include_str!("../../demo/definitions/PSC-JOBS.yaml"),
    ),
    (
        "SHA-REGISTER.yaml",
        include_str!("../../demo/definitions/SHA-REGISTER.yaml"),
    ),
    (
        "KPS-ABSTRACT.yaml",
        include_str!("../../demo/definitions/KPS-ABSTRACT.yaml"),
    ),
    (
        "NRB-HUDUMA-CARD-REPLACE.yaml",
        include_str!("../../demo/definitions/NRB-HUDUMA-CARD-REPLACE.yaml"),
    ),
];

/// The demo's service centres: ten Huduma centres, an immigration office and a mobile centre.
pub const CENTRES_CSV: &str = include_str!("../../demo/centres.csv");

/// Where the demo's mobile centre stops, in turn: (county, place).
pub const MOBILE_STOPS: [(&str, &str); 5] = [
    ("Kajiado", "Kajiado Town Hall grounds"),
    ("Kajiado", "Kitengela Market"),
    ("Narok", "Narok Stadium gate"),
    ("Kajiado", "Namanga Border Post car park"),
    ("Narok", "Kilgoris Chief's Office"),
];

/// The demo centre whose staff, manager and system key the demo shows.
pub const DEMO_CENTRE: &str = "HC-GPO";

/// The demo's people. Passwords are public: this is sample data on a laptop.
pub const PEOPLE: [DemoPerson; 11] = [
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

/// The demo's platform administrator.
pub const PLATFORM_ADMIN_EMAIL: &str = "admin@demo.lango.ke";

/// Services featured on the demo home page.
pub const POPULAR: [&str; 8] = [
    "DIS-PASSPORT",
    "DCI-GOOD-CONDUCT",
    "BRS-BUSINESS-NAME",
    "NTSA-DL-RENEW",
    "CRS-BIRTH-CERT-COPY",
    "CG-NBI-SBP",
    "CG-NBI-LAND-RATES",
    "HELB-LOAN",
];

/// Kenya's demo, as `lango demo` loads it.
pub const KENYA: DemoCountry = DemoCountry {
    agencies_csv: AGENCIES_CSV,
    services_csv: SERVICES_CSV,
    definitions: &DEFINITIONS,
    centres_csv: CENTRES_CSV,
    mobile_stops: &MOBILE_STOPS,
    demo_centre: DEMO_CENTRE,
    centre_operator: "HUDUMA",
    centre_systems: "Huduma Centre GPO systems",
    popular: &POPULAR,
    people: &PEOPLE,
    home_region: "Nairobi",
    demo_agency: DEMO_AGENCY,
    service_agencies: &SERVICE_AGENCIES,
    business: ("PVT-DEMO0001", "Odhiambo Hardware Ltd"),
    child: ("Imani", "Wanjiru", "2019-08-14", "200412345"),
    platform_admin_email: PLATFORM_ADMIN_EMAIL,
    performance: &[include_str!("../../demo/performance/FY2026-27.yaml")],
    document: DemoDocument {
        kind: "Emergency travel document",
        holder_name: "Wanjiku Kamau",
        holder_id: "12345678",
        fields: &[
            ("Destination", "Kampala, Uganda"),
            ("Journeys", "One, there and back"),
        ],
    },
};
