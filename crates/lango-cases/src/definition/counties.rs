//! Kenya's 47 counties (as named in the First Schedule of the Constitution, in its
//! order) and their sub-counties (one per constituency), for county and sub-county
//! fields and for the pages that list them.

/// Each county with its sub-counties, in the Constitution's order (county code = index + 1).
pub const COUNTIES: &[(&str, &[&str])] = &[
    (
        "Mombasa",
        &["Changamwe", "Jomvu", "Kisauni", "Nyali", "Likoni", "Mvita"],
    ),
    ("Kwale", &["Msambweni", "Lunga Lunga", "Matuga", "Kinango"]),
    (
        "Kilifi",
        &[
            "Kilifi North",
            "Kilifi South",
            "Kaloleni",
            "Rabai",
            "Ganze",
            "Malindi",
            "Magarini",
        ],
    ),
    ("Tana River", &["Garsen", "Galole", "Bura"]),
    ("Lamu", &["Lamu East", "Lamu West"]),
    ("Taita/Taveta", &["Taveta", "Wundanyi", "Mwatate", "Voi"]),
    (
        "Garissa",
        &[
            "Garissa Township",
            "Balambala",
            "Lagdera",
            "Dadaab",
            "Fafi",
            "Ijara",
        ],
    ),
    (
        "Wajir",
        &[
            "Wajir North",
            "Wajir East",
            "Tarbaj",
            "Wajir West",
            "Eldas",
            "Wajir South",
        ],
    ),
    (
        "Mandera",
        &[
            "Mandera West",
            "Banissa",
            "Mandera North",
            "Mandera South",
            "Mandera East",
            "Lafey",
        ],
    ),
    ("Marsabit", &["Moyale", "North Horr", "Saku", "Laisamis"]),
    ("Isiolo", &["Isiolo North", "Isiolo South"]),
    (
        "Meru",
        &[
            "Igembe South",
            "Igembe Central",
            "Igembe North",
            "Tigania West",
            "Tigania East",
            "North Imenti",
            "Buuri",
            "Central Imenti",
            "South Imenti",
        ],
    ),
    (
        "Tharaka-Nithi",
        &["Maara", "Chuka/Igambang'ombe", "Tharaka"],
    ),
    (
        "Embu",
        &["Manyatta", "Runyenjes", "Mbeere South", "Mbeere North"],
    ),
    (
        "Kitui",
        &[
            "Mwingi North",
            "Mwingi West",
            "Mwingi Central",
            "Kitui West",
            "Kitui Rural",
            "Kitui Central",
            "Kitui East",
            "Kitui South",
        ],
    ),
    (
        "Machakos",
        &[
            "Masinga",
            "Yatta",
            "Kangundo",
            "Matungulu",
            "Kathiani",
            "Mavoko",
            "Machakos Town",
            "Mwala",
        ],
    ),
    (
        "Makueni",
        &[
            "Mbooni",
            "Kilome",
            "Kaiti",
            "Makueni",
            "Kibwezi West",
            "Kibwezi East",
        ],
    ),
    (
        "Nyandarua",
        &["Kinangop", "Kipipiri", "Ol Kalou", "Ol Jorok", "Ndaragwa"],
    ),
    (
        "Nyeri",
        &[
            "Tetu",
            "Kieni",
            "Mathira",
            "Othaya",
            "Mukurweini",
            "Nyeri Town",
        ],
    ),
    (
        "Kirinyaga",
        &["Mwea", "Gichugu", "Ndia", "Kirinyaga Central"],
    ),
    (
        "Murang'a",
        &[
            "Kangema", "Mathioya", "Kiharu", "Kigumo", "Maragwa", "Kandara", "Gatanga",
        ],
    ),
    (
        "Kiambu",
        &[
            "Gatundu South",
            "Gatundu North",
            "Juja",
            "Thika Town",
            "Ruiru",
            "Githunguri",
            "Kiambu",
            "Kiambaa",
            "Kabete",
            "Kikuyu",
            "Limuru",
            "Lari",
        ],
    ),
    (
        "Turkana",
        &[
            "Turkana North",
            "Turkana West",
            "Turkana Central",
            "Loima",
            "Turkana South",
            "Turkana East",
        ],
    ),
    (
        "West Pokot",
        &["Kapenguria", "Sigor", "Kacheliba", "Pokot South"],
    ),
    (
        "Samburu",
        &["Samburu West", "Samburu North", "Samburu East"],
    ),
    (
        "Trans Nzoia",
        &["Kwanza", "Endebess", "Saboti", "Kiminini", "Cherangany"],
    ),
    (
        "Uasin Gishu",
        &["Soy", "Turbo", "Moiben", "Ainabkoi", "Kapseret", "Kesses"],
    ),
    (
        "Elgeyo/Marakwet",
        &[
            "Marakwet East",
            "Marakwet West",
            "Keiyo North",
            "Keiyo South",
        ],
    ),
    (
        "Nandi",
        &[
            "Tinderet",
            "Aldai",
            "Nandi Hills",
            "Chesumei",
            "Emgwen",
            "Mosop",
        ],
    ),
    (
        "Baringo",
        &[
            "Tiaty",
            "Baringo North",
            "Baringo Central",
            "Baringo South",
            "Mogotio",
            "Eldama Ravine",
        ],
    ),
    (
        "Laikipia",
        &["Laikipia West", "Laikipia East", "Laikipia North"],
    ),
    (
        "Nakuru",
        &[
            "Molo",
            "Njoro",
            "Naivasha",
            "Gilgil",
            "Kuresoi South",
            "Kuresoi North",
            "Subukia",
            "Rongai",
            "Bahati",
            "Nakuru Town West",
            "Nakuru Town East",
        ],
    ),
    (
        "Narok",
        &[
            "Kilgoris",
            "Emurua Dikirr",
            "Narok North",
            "Narok East",
            "Narok South",
            "Narok West",
        ],
    ),
    (
        "Kajiado",
        &[
            "Kajiado North",
            "Kajiado Central",
            "Kajiado East",
            "Kajiado West",
            "Kajiado South",
        ],
    ),
    (
        "Kericho",
        &[
            "Kipkelion East",
            "Kipkelion West",
            "Ainamoi",
            "Bureti",
            "Belgut",
            "Sigowet/Soin",
        ],
    ),
    (
        "Bomet",
        &[
            "Sotik",
            "Chepalungu",
            "Bomet East",
            "Bomet Central",
            "Konoin",
        ],
    ),
    (
        "Kakamega",
        &[
            "Lugari",
            "Likuyani",
            "Malava",
            "Lurambi",
            "Navakholo",
            "Mumias West",
            "Mumias East",
            "Matungu",
            "Butere",
            "Khwisero",
            "Shinyalu",
            "Ikolomani",
        ],
    ),
    (
        "Vihiga",
        &["Vihiga", "Sabatia", "Hamisi", "Luanda", "Emuhaya"],
    ),
    (
        "Bungoma",
        &[
            "Mt. Elgon",
            "Sirisia",
            "Kabuchai",
            "Bumula",
            "Kanduyi",
            "Webuye East",
            "Webuye West",
            "Kimilili",
            "Tongaren",
        ],
    ),
    (
        "Busia",
        &[
            "Teso North",
            "Teso South",
            "Nambale",
            "Matayos",
            "Butula",
            "Funyula",
            "Budalangi",
        ],
    ),
    (
        "Siaya",
        &[
            "Ugenya",
            "Ugunja",
            "Alego Usonga",
            "Gem",
            "Bondo",
            "Rarieda",
        ],
    ),
    (
        "Kisumu",
        &[
            "Kisumu East",
            "Kisumu West",
            "Kisumu Central",
            "Seme",
            "Nyando",
            "Muhoroni",
            "Nyakach",
        ],
    ),
    (
        "Homa Bay",
        &[
            "Kasipul",
            "Kabondo Kasipul",
            "Karachuonyo",
            "Rangwe",
            "Homa Bay Town",
            "Ndhiwa",
            "Suba North",
            "Suba South",
        ],
    ),
    (
        "Migori",
        &[
            "Rongo",
            "Awendo",
            "Suna East",
            "Suna West",
            "Uriri",
            "Nyatike",
            "Kuria West",
            "Kuria East",
        ],
    ),
    (
        "Kisii",
        &[
            "Bonchari",
            "South Mugirango",
            "Bomachoge Borabu",
            "Bobasi",
            "Bomachoge Chache",
            "Nyaribari Masaba",
            "Nyaribari Chache",
            "Kitutu Chache North",
            "Kitutu Chache South",
        ],
    ),
    (
        "Nyamira",
        &[
            "Kitutu Masaba",
            "West Mugirango",
            "North Mugirango",
            "Borabu",
        ],
    ),
    (
        "Nairobi City",
        &[
            "Westlands",
            "Dagoretti North",
            "Dagoretti South",
            "Langata",
            "Kibra",
            "Roysambu",
            "Kasarani",
            "Ruaraka",
            "Embakasi South",
            "Embakasi North",
            "Embakasi Central",
            "Embakasi East",
            "Embakasi West",
            "Makadara",
            "Kamukunji",
            "Starehe",
            "Mathare",
        ],
    ),
];

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

/// The official name of a county, however it was typed or chosen.
pub fn county(raw: &str) -> Option<&'static str> {
    if raw.len() > 100 {
        return None;
    }
    let f = fold(raw);
    COUNTIES.iter().map(|(c, _)| *c).find(|c| fold(c) == f)
}

/// The sub-counties of a county (by official name).
pub fn sub_counties(county: &str) -> &'static [&'static str] {
    COUNTIES
        .iter()
        .find(|(c, _)| *c == county)
        .map_or(&[], |(_, s)| s)
}

/// The official name of a sub-county of `county`.
pub fn sub_county(county: &str, raw: &str) -> Option<&'static str> {
    if raw.len() > 100 {
        return None;
    }
    let f = fold(raw);
    sub_counties(county).iter().copied().find(|s| fold(s) == f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_seven_counties_and_their_sub_counties() {
        assert_eq!(COUNTIES.len(), 47);
        let total: usize = COUNTIES.iter().map(|(_, s)| s.len()).sum();
        assert_eq!(total, 290, "one sub-county per constituency");
        assert_eq!(county("nairobi"), Some("Nairobi City"));
        assert_eq!(county("Elgeyo-Marakwet County"), Some("Elgeyo/Marakwet"));
        assert_eq!(county("Murang’a"), Some("Murang'a"));
        assert_eq!(county("Atlantis"), None);
        assert_eq!(sub_county("Nairobi City", "westlands"), Some("Westlands"));
        assert_eq!(sub_county("Mombasa", "Westlands"), None);
    }
}
