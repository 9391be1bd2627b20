//! The catalogue's known categories (topics) and life events, each a slug with its names
//! in English, Kiswahili and Bahasa Melayu. A file may name one as people write it ("Agriculture",
//! "Starting a business", "starting-a-business", "Kilimo"): case, spacing and hyphens do
//! not matter; a name Lango does not know is refused with the known ones listed.

use lango_core::Error;

/// A known slug with its names: (slug, English, Kiswahili, Bahasa Melayu).
pub type Topic = (&'static str, &'static str, &'static str, &'static str);

/// Categories services are grouped in.
pub const CATEGORIES: &[Topic] = &[
    (
        "travel-and-immigration",
        "Travel and immigration",
        "Usafiri na uhamiaji",
        "Perjalanan dan imigresen",
    ),
    (
        "transport",
        "Transport and driving",
        "Usafiri na udereva",
        "Pengangkutan dan memandu",
    ),
    (
        "business-and-trade",
        "Business and trade",
        "Biashara",
        "Perniagaan dan perdagangan",
    ),
    (
        "identity-and-civil-registration",
        "Identity and civil registration",
        "Utambulisho na usajili wa raia",
        "Pengenalan diri dan pendaftaran",
    ),
    (
        "land-and-housing",
        "Land and housing",
        "Ardhi na makazi",
        "Tanah dan perumahan",
    ),
    ("tax", "Tax", "Kodi", "Cukai"),
    ("health", "Health", "Afya", "Kesihatan"),
    ("education", "Education", "Elimu", "Pendidikan"),
    (
        "justice-and-security",
        "Justice and security",
        "Haki na usalama",
        "Keadilan dan keselamatan",
    ),
    ("agriculture", "Agriculture", "Kilimo", "Pertanian"),
    (
        "environment-and-natural-resources",
        "Environment and natural resources",
        "Mazingira na maliasili",
        "Alam sekitar dan sumber asli",
    ),
    (
        "employment-and-labour",
        "Employment and labour",
        "Ajira na kazi",
        "Pekerjaan dan buruh",
    ),
    (
        "county-services",
        "County services",
        "Huduma za kaunti",
        "Perkhidmatan negeri dan tempatan",
    ),
    (
        "ict-and-media",
        "ICT and media",
        "TEHAMA na vyombo vya habari",
        "ICT dan media",
    ),
    (
        "energy-and-water",
        "Energy and water",
        "Nishati na maji",
        "Tenaga dan air",
    ),
    (
        "employment-and-social-protection",
        "Employment and social protection",
        "Ajira na hifadhi ya jamii",
        "Pekerjaan dan perlindungan sosial",
    ),
    (
        "tourism-and-wildlife",
        "Tourism and wildlife",
        "Utalii na wanyamapori",
        "Pelancongan dan hidupan liar",
    ),
];

/// Life events services are found by.
pub const LIFE_EVENTS: &[Topic] = &[
    (
        "having-a-baby",
        "Having a baby",
        "Kupata mtoto",
        "Mendapat anak",
    ),
    (
        "starting-a-business",
        "Starting a business",
        "Kuanzisha biashara",
        "Memulakan perniagaan",
    ),
    (
        "travelling-abroad",
        "Travelling abroad",
        "Kusafiri nje ya nchi",
        "Melancong ke luar negara",
    ),
    (
        "buying-land-or-property",
        "Buying land or property",
        "Kununua ardhi au mali",
        "Membeli tanah atau hartanah",
    ),
    (
        "learning-to-drive",
        "Learning to drive",
        "Kujifunza kuendesha gari",
        "Belajar memandu",
    ),
    (
        "going-to-university",
        "Going to university",
        "Kwenda chuo kikuu",
        "Melanjutkan pelajaran ke universiti",
    ),
    (
        "getting-a-job",
        "Getting a job",
        "Kupata kazi",
        "Mendapat pekerjaan",
    ),
    ("retiring", "Retiring", "Kustaafu", "Bersara"),
    (
        "death-of-a-loved-one",
        "Death of a loved one",
        "Kifo cha mpendwa",
        "Kematian orang tersayang",
    ),
    (
        "getting-married",
        "Getting married",
        "Kufunga ndoa",
        "Berkahwin",
    ),
    (
        "moving-home",
        "Moving home",
        "Kuhamia makazi mapya",
        "Berpindah rumah",
    ),
    (
        "turning-18",
        "Turning 18",
        "Kufikisha miaka 18",
        "Mencapai umur 18 tahun",
    ),
];

/// `s` in lower case with every run of spaces, hyphens and underscores made one hyphen.
fn folded(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// The slug of the topic in `known` that `value` names (its slug or either name).
fn find(field: &str, what: &str, known: &[Topic], value: &str) -> Result<&'static str, Error> {
    let wanted = folded(value);
    known
        .iter()
        .find(|(slug, en, sw, ms)| [slug, en, sw, ms].iter().any(|n| folded(n) == wanted))
        .map(|(slug, ..)| *slug)
        .ok_or_else(|| {
            let names: Vec<&str> = known.iter().map(|(_, en, ..)| *en).collect();
            Error::invalid(
                field,
                format!(
                    "{what} {:?} is not one Lango knows; use one of: {}",
                    value.trim().chars().take(60).collect::<String>(),
                    names.join(", ")
                ),
            )
        })
}

/// The category `value` names, as its slug.
pub fn category(value: &str) -> Result<&'static str, Error> {
    find("category", "category", CATEGORIES, value)
}

/// The life event `value` names, as its slug.
pub fn life_event(value: &str) -> Result<&'static str, Error> {
    find("life_events", "life event", LIFE_EVENTS, value)
}

/// The name of a known category or life event in `lang` (`en`, `sw` or `ms`; English for
/// any other).
pub fn name_in(slug: &str, lang: &str) -> Option<&'static str> {
    CATEGORIES
        .iter()
        .chain(LIFE_EVENTS)
        .find(|(s, ..)| *s == slug)
        .map(|(_, en, sw, ms)| match lang {
            "sw" => *sw,
            "ms" => *ms,
            _ => *en,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_match_as_people_write_them() {
        for written in [
            "Agriculture",
            " agriculture ",
            "AGRICULTURE",
            "Kilimo",
            "Pertanian",
        ] {
            assert_eq!(category(written).unwrap(), "agriculture", "{written}");
        }
        for written in [
            "Starting a business",
            "starting  a   business",
            "Starting-A-Business",
            "starting_a_business",
            "Kuanzisha biashara",
        ] {
            assert_eq!(
                life_event(written).unwrap(),
                "starting-a-business",
                "{written}"
            );
        }
        assert_eq!(category("Transport and driving").unwrap(), "transport");
        let e = category("Agricultur").unwrap_err().to_string();
        assert!(
            e.contains("\"Agricultur\" is not one Lango knows") && e.contains("Agriculture, "),
            "{e}"
        );
        let e = life_event("Having twins").unwrap_err().to_string();
        assert!(
            e.contains("Starting a business") && e.contains("Having a baby"),
            "{e}"
        );
        assert!(category("").is_err());
    }

    #[test]
    fn every_name_leads_to_its_own_slug() {
        for known in [CATEGORIES, LIFE_EVENTS] {
            for (slug, en, sw, ms) in known {
                assert!(crate::model::parse_slug("slug", slug).is_ok(), "{slug}");
                for name in [slug, en, sw, ms] {
                    assert_eq!(find("f", "w", known, name).unwrap(), *slug, "{name}");
                }
            }
        }
    }
}
