//! The catalogue's known categories (topics) and life events, each a slug with its names
//! in English and Kiswahili. A file may name one as people write it ("Agriculture",
//! "Starting a business", "starting-a-business", "Kilimo"): case, spacing and hyphens do
//! not matter; a name Lango does not know is refused with the known ones listed.

use lango_core::Error;

/// A known slug with its names: (slug, English, Kiswahili).
pub type Topic = (&'static str, &'static str, &'static str);

/// Categories services are grouped in.
pub const CATEGORIES: &[Topic] = &[
    (
        "travel-and-immigration",
        "Travel and immigration",
        "Usafiri na uhamiaji",
    ),
    ("transport", "Transport and driving", "Usafiri na udereva"),
    ("business-and-trade", "Business and trade", "Biashara"),
    (
        "identity-and-civil-registration",
        "Identity and civil registration",
        "Utambulisho na usajili wa raia",
    ),
    ("land-and-housing", "Land and housing", "Ardhi na makazi"),
    ("tax", "Tax", "Kodi"),
    ("health", "Health", "Afya"),
    ("education", "Education", "Elimu"),
    (
        "justice-and-security",
        "Justice and security",
        "Haki na usalama",
    ),
    ("agriculture", "Agriculture", "Kilimo"),
    (
        "environment-and-natural-resources",
        "Environment and natural resources",
        "Mazingira na maliasili",
    ),
    (
        "employment-and-labour",
        "Employment and labour",
        "Ajira na kazi",
    ),
    ("county-services", "County services", "Huduma za kaunti"),
    (
        "ict-and-media",
        "ICT and media",
        "TEHAMA na vyombo vya habari",
    ),
    ("energy-and-water", "Energy and water", "Nishati na maji"),
    (
        "employment-and-social-protection",
        "Employment and social protection",
        "Ajira na hifadhi ya jamii",
    ),
    (
        "tourism-and-wildlife",
        "Tourism and wildlife",
        "Utalii na wanyamapori",
    ),
];

/// Life events services are found by.
pub const LIFE_EVENTS: &[Topic] = &[
    ("having-a-baby", "Having a baby", "Kupata mtoto"),
    (
        "starting-a-business",
        "Starting a business",
        "Kuanzisha biashara",
    ),
    (
        "travelling-abroad",
        "Travelling abroad",
        "Kusafiri nje ya nchi",
    ),
    (
        "buying-land-or-property",
        "Buying land or property",
        "Kununua ardhi au mali",
    ),
    (
        "learning-to-drive",
        "Learning to drive",
        "Kujifunza kuendesha gari",
    ),
    (
        "going-to-university",
        "Going to university",
        "Kwenda chuo kikuu",
    ),
    ("getting-a-job", "Getting a job", "Kupata kazi"),
    ("retiring", "Retiring", "Kustaafu"),
    (
        "death-of-a-loved-one",
        "Death of a loved one",
        "Kifo cha mpendwa",
    ),
    ("getting-married", "Getting married", "Kufunga ndoa"),
    ("moving-home", "Moving home", "Kuhamia makazi mapya"),
    ("turning-18", "Turning 18", "Kufikisha miaka 18"),
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
        .find(|(slug, en, sw)| [slug, en, sw].iter().any(|n| folded(n) == wanted))
        .map(|(slug, _, _)| *slug)
        .ok_or_else(|| {
            let names: Vec<&str> = known.iter().map(|(_, en, _)| *en).collect();
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

/// The names of a known category or life event: (English, Kiswahili).
pub fn names(slug: &str) -> Option<(&'static str, &'static str)> {
    CATEGORIES
        .iter()
        .chain(LIFE_EVENTS)
        .find(|(s, _, _)| *s == slug)
        .map(|(_, en, sw)| (*en, *sw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_match_as_people_write_them() {
        for written in ["Agriculture", " agriculture ", "AGRICULTURE", "Kilimo"] {
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
            for (slug, en, sw) in known {
                assert!(crate::model::parse_slug("slug", slug).is_ok(), "{slug}");
                for name in [slug, en, sw] {
                    assert_eq!(find("f", "w", known, name).unwrap(), *slug, "{name}");
                }
            }
        }
    }
}
