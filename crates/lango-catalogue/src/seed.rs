//! Synthetic services for benchmarks and scale tests (`lango seed catalogue`).
//!
//! Names are composed from realistic actions and subjects in both languages so that the
//! search index sees a vocabulary and term distribution like a real national catalogue.

use crate::model::*;
use lango_core::money::Money;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// (English, Kiswahili) actions.
pub const ACTIONS: [(&str, &str); 12] = [
    ("Apply for", "Omba"),
    ("Renew", "Fanya upya"),
    ("Replace", "Badilisha"),
    ("Register", "Sajili"),
    ("Pay for", "Lipia"),
    ("Transfer", "Hamisha"),
    ("Cancel", "Futa"),
    ("Verify", "Thibitisha"),
    ("Amend", "Rekebisha"),
    ("Get a copy of", "Pata nakala ya"),
    ("Appeal against", "Kata rufaa dhidi ya"),
    ("Book an inspection for", "Panga ukaguzi wa"),
];

/// (English, Kiswahili, category) subjects.
pub const SUBJECTS: [(&str, &str, &str); 24] = [
    ("a passport", "pasipoti", "travel-and-immigration"),
    ("a visa", "viza", "travel-and-immigration"),
    ("a work permit", "kibali cha kazi", "employment-and-labour"),
    ("a driving licence", "leseni ya udereva", "transport"),
    ("a vehicle logbook", "kitabu cha gari", "transport"),
    (
        "a public service vehicle licence",
        "leseni ya gari la umma",
        "transport",
    ),
    ("a business name", "jina la biashara", "business-and-trade"),
    ("a company", "kampuni", "business-and-trade"),
    (
        "a trade licence",
        "leseni ya biashara",
        "business-and-trade",
    ),
    (
        "a birth certificate",
        "cheti cha kuzaliwa",
        "identity-and-civil-registration",
    ),
    (
        "a death certificate",
        "cheti cha kifo",
        "identity-and-civil-registration",
    ),
    (
        "a marriage certificate",
        "cheti cha ndoa",
        "identity-and-civil-registration",
    ),
    (
        "a national identity card",
        "kitambulisho cha taifa",
        "identity-and-civil-registration",
    ),
    ("a title deed", "hati miliki", "land-and-housing"),
    ("land rates", "kodi ya ardhi", "land-and-housing"),
    ("a building plan", "ramani ya jengo", "land-and-housing"),
    (
        "a tax compliance certificate",
        "cheti cha kufuata kodi",
        "tax",
    ),
    ("a PIN certificate", "cheti cha PIN", "tax"),
    (
        "a health facility licence",
        "leseni ya kituo cha afya",
        "health",
    ),
    (
        "a food handler certificate",
        "cheti cha mhudumu wa chakula",
        "health",
    ),
    ("a student loan", "mkopo wa mwanafunzi", "education"),
    (
        "an examination certificate",
        "cheti cha mtihani",
        "education",
    ),
    ("a fishing permit", "kibali cha uvuvi", "agriculture"),
    (
        "an environmental impact licence",
        "leseni ya athari za mazingira",
        "environment-and-natural-resources",
    ),
];

/// Qualifiers that make otherwise equal names distinct.
const QUALIFIERS: [(&str, &str); 10] = [
    ("", ""),
    ("for a dependant", "kwa mtegemezi"),
    ("(urgent)", "(haraka)"),
    ("for a business", "kwa biashara"),
    ("for a foreign national", "kwa raia wa kigeni"),
    ("for a minor", "kwa mtoto"),
    ("(replacement after loss)", "(baada ya kupotea)"),
    ("for an institution", "kwa taasisi"),
    (
        "for a non-governmental organisation",
        "kwa shirika lisilo la kiserikali",
    ),
    ("for a diplomat", "kwa mwanadiplomasia"),
];

/// `n` distinct services spread over `agencies`, reproducible for the same `seed`.
pub fn synthetic_services(n: usize, agencies: &[AgencyCode], seed: u64) -> Vec<Service> {
    let mut rng = StdRng::seed_from_u64(seed);
    let stages = [
        (Stage::EndToEnd, 45),
        (Stage::Partial, 20),
        (Stage::Downloadable, 15),
        (Stage::Information, 20),
    ];
    (0..n)
        .map(|i| {
            let (act, act_sw) = ACTIONS[rng.gen_range(0..ACTIONS.len())];
            let (subj, subj_sw, category) = SUBJECTS[rng.gen_range(0..SUBJECTS.len())];
            let (qual, qual_sw) = QUALIFIERS[rng.gen_range(0..QUALIFIERS.len())];
            let agency = agencies[i % agencies.len()].clone();
            let mut roll = rng.gen_range(0..100);
            let stage = stages
                .iter()
                .find(|(_, w)| {
                    let hit = roll < *w;
                    roll -= (*w).min(roll);
                    hit
                })
                .map_or(Stage::Information, |(s, _)| *s);
            let fee = rng.gen_range(1..200) * 5000;
            let name = format!("{act} {subj} {qual}").trim().to_string();
            Service {
                code: ServiceCode::parse(&format!("SYN-{i:06}")).expect("valid synthetic code"),
                name_sw: format!("{act_sw} {subj_sw} {qual_sw}").trim().to_string(),
                summary: format!(
                    "{name} through {} online or at a service centre.",
                    agency.as_str()
                ),
                summary_sw: format!("{act_sw} {subj_sw} mtandaoni au katika kituo cha huduma."),
                description: String::new(),
                description_sw: String::new(),
                eligibility: "Citizens, residents and registered businesses.".into(),
                eligibility_sw: "Raia, wakazi na biashara zilizosajiliwa.".into(),
                name,
                agency_code: agency,
                category: category.to_string(),
                life_events: vec![],
                channels: vec![Channel::Online, Channel::Centre],
                stage,
                fees: vec![Fee {
                    label: String::new(),
                    label_sw: String::new(),
                    amount: Money::from_minor(fee, lango_core::country::current().currency),
                }],
                sla_days: Some(rng.gen_range(1..30)),
                documents: vec!["National ID card".into()],
                documents_sw: vec!["Kitambulisho cha taifa".into()],
                keywords: vec![subj_sw.to_string()],
                status: Status::Active,
                apply_url: None,
            }
        })
        .collect()
}
