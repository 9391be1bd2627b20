//! Regions and subregions (counties and sub-counties, states and districts) for select lists, from the domain's list (values are the
//! official names the domain stores).

use lango_cases::definition::counties as list;

/// Every county as (value, label), in alphabetical order for people scanning a list.
pub fn all() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list::regions()
        .iter()
        .map(|r| (r.name.clone(), r.name.clone()))
        .collect();
    out.sort();
    out
}

/// The sub-counties of a county (however its name was stored), alphabetically.
pub fn sub_counties(county: &str) -> Vec<(String, String)> {
    let Some(name) = list::county(county) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = list::sub_counties(name)
        .iter()
        .map(|s| (s.to_string(), s.to_string()))
        .collect();
    out.sort();
    out
}
