//! The country's regions and subregions (Kenya's 47 counties and their sub-counties,
//! Malaysia's states and districts), from its country pack (`packs/<code>/regions.csv`),
//! for `county` and `sub_county` fields and the pages that list them. Names are matched
//! however they were typed (case, punctuation, a trailing "County").

use lango_core::country::Region;

/// The regions of the country this process serves, in its pack's order.
pub fn regions() -> &'static [Region] {
    &lango_core::country::current().regions
}

/// A name folded for comparison: lower case, `/` `-` `.` and runs of spaces as one space,
/// curly apostrophes straight, a trailing "county"/"city"/"sub-county" dropped.
fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        let c = match c {
            '/' | '-' | '.' | '_' => ' ',
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    let mut s = out.trim_end().to_string();
    for suffix in [" sub county", " county", " city"] {
        if let Some(r) = s.strip_suffix(suffix) {
            s = r.trim_end().to_string();
        }
    }
    s
}

/// The official name of a region, however it was typed or chosen.
pub fn county(raw: &str) -> Option<&'static str> {
    if raw.len() > 100 {
        return None;
    }
    let f = fold(raw);
    regions()
        .iter()
        .map(|r| r.name.as_str())
        .find(|c| fold(c) == f)
}

/// The subregions of a region (by official name).
pub fn sub_counties(county: &str) -> &'static [String] {
    regions()
        .iter()
        .find(|r| r.name == county)
        .map_or(&[], |r| r.subregions.as_slice())
}

/// The official name of a subregion of `county`.
pub fn sub_county(county: &str, raw: &str) -> Option<&'static str> {
    if raw.len() > 100 {
        return None;
    }
    let f = fold(raw);
    sub_counties(county)
        .iter()
        .map(String::as_str)
        .find(|s| fold(s) == f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_seven_counties_and_their_sub_counties() {
        assert_eq!(regions().len(), 47);
        let total: usize = regions().iter().map(|r| r.subregions.len()).sum();
        assert_eq!(total, 290, "one sub-county per constituency");
        assert_eq!(county("nairobi"), Some("Nairobi City"));
        assert_eq!(county("Elgeyo-Marakwet County"), Some("Elgeyo/Marakwet"));
        assert_eq!(county("Murang’a"), Some("Murang'a"));
        assert_eq!(county("Atlantis"), None);
        assert_eq!(sub_county("Nairobi City", "westlands"), Some("Westlands"));
        assert_eq!(sub_county("Mombasa", "Westlands"), None);
    }
}
