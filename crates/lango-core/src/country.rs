//! Country packs: what differs between the countries Lango serves (languages, currency,
//! the regional level's name, fee bands, the digitisation target, public holidays) as data,
//! one folder a country under `packs/`, embedded in the binary. A node serves one country,
//! chosen by the `country` setting (default `ke`) and installed when it starts.

mod numbers;

use crate::money::Currency;
pub use numbers::{IdFormat, IdProblem, PhonePlan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Every pack built in: (code, its `country.toml`).
const PACKS: &[(&str, &str)] = &[
    ("ke", include_str!("../../../packs/ke/country.toml")),
    ("my", include_str!("../../../packs/my/country.toml")),
];

/// Each pack's regions and their subregions (`region,subregion` CSV, one row a subregion).
const REGIONS: &[(&str, &str)] = &[
    ("ke", include_str!("../../../packs/ke/regions.csv")),
    ("my", include_str!("../../../packs/my/regions.csv")),
];

/// Words a pack puts in place of the portal's own, by (pack, language): what only reads
/// right in that country (its payment channels, its examples of numbers).
const PACK_WORDS: &[(&str, &str, &str)] = &[
    ("my", "en", include_str!("../../../packs/my/words/en.ftl")),
    ("my", "ms", include_str!("../../../packs/my/words/ms.ftl")),
];

/// The payment channels a pack may name.
const PAYMENT_CHANNELS: [&str; 4] = ["mpesa", "card", "fpx", "cash"];

/// The pack a node serves when none is named.
pub const DEFAULT: &str = "ke";

/// A country's pack, read and checked.
#[derive(Debug)]
pub struct Pack {
    /// Its code (`ke`), as `country` names it.
    pub code: String,
    /// The portal's languages (BCP 47 tags), the first the default.
    pub languages: Vec<String>,
    /// The home currency: bills, fees and settlement.
    pub currency: Currency,
    /// The convenience-fee bands (`200:5,…,*:50`, whole units of the home currency).
    pub convenience_fees: String,
    /// The currencies its agencies may bill in, the home currency first.
    pub bill_currencies: Vec<Currency>,
    /// How people pay (`mpesa`, `card`, `fpx`, `cash`): pages offer only these.
    pub payment_channels: Vec<String>,
    /// The digitisation target (`80% by 2027-06-30`).
    pub digitisation_target: String,
    /// The country's name, by language.
    pub name: Words,
    /// The name of the level between national and local government, by language.
    pub regional_label: Words,
    /// The name of the level below it, by language.
    pub subregional_label: Words,
    /// The regions (Kenya's 47 counties, Malaysia's states) with their subregions, in the
    /// pack's order.
    pub regions: Vec<Region>,
    /// The public holidays' rules.
    pub holidays: Holidays,
    /// Minutes east of UTC: the time people read, and the one days are counted in.
    pub utc_offset_minutes: i64,
    /// How pages name that time (`EAT`).
    pub time_zone: String,
    /// How mobile numbers are written.
    pub phone: PhonePlan,
    /// The national identity number.
    pub national_id: NationalId,
}

/// A region (a county, a state) and the subregions in it, by their official names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Its name.
    pub name: String,
    /// Its subregions (sub-counties, districts).
    pub subregions: Vec<String>,
}

/// Reads `region,subregion` rows (a header first; a name with a comma in double quotes).
pub fn read_regions(csv: &str) -> Result<Vec<Region>, String> {
    let mut out: Vec<Region> = Vec::new();
    for (i, line) in csv.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let cells =
            split_csv(line).ok_or_else(|| format!("regions.csv line {}: not two cells", i + 1))?;
        let [region, sub] = cells.as_slice() else {
            return Err(format!("regions.csv line {}: not two cells", i + 1));
        };
        if region.is_empty() || sub.is_empty() {
            return Err(format!("regions.csv line {}: an empty name", i + 1));
        }
        match out.iter_mut().find(|r| r.name == *region) {
            Some(r) if r.subregions.contains(sub) => {
                return Err(format!(
                    "regions.csv line {}: {sub} twice in {region}",
                    i + 1
                ))
            }
            Some(r) => r.subregions.push(sub.clone()),
            None => out.push(Region {
                name: region.clone(),
                subregions: vec![sub.clone()],
            }),
        }
    }
    Ok(out)
}

/// The cells of one CSV line (double quotes around a cell may hold commas and `""`).
fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    if quoted {
        return None;
    }
    cells.push(cell.trim().to_string());
    Some(cells)
}

/// A country's national identity number: how it is checked and what it is called.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalId {
    /// Its checks.
    pub format: IdFormat,
    /// An example, as people write it (`12345678`, `900101-14-5678`).
    pub example: String,
}

/// One text in each of the pack's languages.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Words(BTreeMap<String, String>);

impl Words {
    /// The text in `lang`, if the pack has it.
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.0.get(lang).map(String::as_str)
    }

    /// The text in `lang`, else in the pack's first language (every text has that one).
    pub fn in_or_first(&self, lang: &str, pack: &Pack) -> String {
        self.get(lang)
            .or_else(|| self.get(&pack.languages[0]))
            .unwrap_or_default()
            .to_string()
    }
}

/// How a country's public holidays fall.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holidays {
    /// A holiday on a Sunday is also kept on the next day that is not itself a holiday.
    #[serde(default)]
    pub sunday_moves_to_next_free_day: bool,
    /// Holidays on the same date every year.
    #[serde(default)]
    pub fixed: Vec<FixedHoliday>,
    /// Holidays a number of days from Western Easter Sunday.
    #[serde(default)]
    pub easter: Vec<EasterHoliday>,
}

/// A holiday on one date every year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedHoliday {
    /// `MM-DD`.
    pub date: String,
    /// Its name, by language.
    pub name: Words,
}

/// A holiday counted from Easter Sunday.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EasterHoliday {
    /// Days after Easter Sunday (before, when negative).
    pub days: i64,
    /// Its name, by language.
    pub name: Words,
}

/// The currencies bills may be in: the home currency first, then `listed` (ISO 4217 codes,
/// which must include the home currency when given; none given means the home one only).
pub fn bill_currencies(home: Currency, listed: &[String]) -> Result<Vec<Currency>, String> {
    let mut out = vec![home];
    for code in listed {
        let c = code
            .trim()
            .parse::<Currency>()
            .map_err(|_| format!("{code:?} is not a currency Lango keeps"))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if !listed.is_empty() && !listed.iter().any(|c| c.trim() == home.code()) {
        return Err(format!("name the home currency {} too", home.code()));
    }
    Ok(out)
}

/// The file as written, before its checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    code: String,
    languages: Vec<String>,
    currency: String,
    convenience_fees: String,
    #[serde(default)]
    bill_currencies: Vec<String>,
    payment_channels: Vec<String>,
    digitisation_target: String,
    name: Words,
    regional_label: Words,
    subregional_label: Words,
    holidays: Holidays,
    utc_offset_minutes: i64,
    time_zone: String,
    phone: PhonePlan,
    national_id: NationalId,
}

impl Pack {
    /// The built-in pack `code`; an unknown one is refused naming those there are.
    pub fn named(code: &str) -> Result<&'static Pack, String> {
        static READ: OnceLock<Vec<Pack>> = OnceLock::new();
        let packs = READ.get_or_init(|| {
            PACKS
                .iter()
                .map(
                    |(code, text)| match Pack::parse(text).and_then(|p| p.with_regions(code)) {
                        Ok(p) => p,
                        // Built-in packs are checked by this module's tests.
                        Err(e) => panic!("the built-in country pack {code} is broken: {e}"),
                    },
                )
                .collect()
        });
        packs.iter().find(|p| p.code == code).ok_or_else(|| {
            let known: Vec<&str> = PACKS.iter().map(|(c, _)| *c).collect();
            format!(
                "there is no country pack {code:?} (packs: {})",
                known.join(", ")
            )
        })
    }

    /// The pack with the built-in regions of pack `code` (none when it has no list).
    fn with_regions(mut self, code: &str) -> Result<Pack, String> {
        if let Some((_, csv)) = REGIONS.iter().find(|(c, _)| *c == code) {
            self.regions = read_regions(csv)?;
        }
        Ok(self)
    }

    /// Reads and checks a pack's `country.toml`.
    pub fn parse(text: &str) -> Result<Pack, String> {
        let f: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        if f.languages.is_empty() {
            return Err("languages: name at least one".into());
        }
        let currency = f
            .currency
            .parse::<Currency>()
            .map_err(|_| format!("currency: {:?} is not a currency Lango keeps", f.currency))?;
        let bill_currencies = bill_currencies(currency, &f.bill_currencies)
            .map_err(|e| format!("bill_currencies: {e}"))?;
        let texts = std::iter::once(("name", &f.name))
            .chain(std::iter::once(("regional_label", &f.regional_label)))
            .chain(std::iter::once(("subregional_label", &f.subregional_label)))
            .chain(
                f.holidays
                    .fixed
                    .iter()
                    .map(|h| ("a holiday's name", &h.name)),
            )
            .chain(
                f.holidays
                    .easter
                    .iter()
                    .map(|h| ("a holiday's name", &h.name)),
            );
        for (what, words) in texts {
            if let Some(lang) = f.languages.iter().find(|l| words.get(l).is_none()) {
                return Err(format!("{what} has no text in {lang}"));
            }
        }
        if let Some(c) = f
            .payment_channels
            .iter()
            .find(|c| !PAYMENT_CHANNELS.contains(&c.as_str()))
        {
            return Err(format!(
                "payment_channels: {c:?} is not a channel Lango has (it has: {})",
                PAYMENT_CHANNELS.join(", ")
            ));
        }
        if !(-12 * 60..=14 * 60).contains(&f.utc_offset_minutes) {
            return Err(format!(
                "utc_offset_minutes: {} is not an offset from UTC",
                f.utc_offset_minutes
            ));
        }
        if f.phone.country_code.is_empty()
            || !f.phone.country_code.bytes().all(|b| b.is_ascii_digit())
            || f.phone.national_digits.is_empty()
            || f.phone.mobile_starts.is_empty()
        {
            return Err(
                "phone: give country_code (digits), national_digits and mobile_starts".into(),
            );
        }
        for h in &f.holidays.fixed {
            if !month_day(&h.date) {
                return Err(format!("holidays: {:?} is not a date as MM-DD", h.date));
            }
        }
        Ok(Pack {
            code: f.code,
            languages: f.languages,
            currency,
            convenience_fees: f.convenience_fees,
            bill_currencies,
            payment_channels: f.payment_channels,
            digitisation_target: f.digitisation_target,
            name: f.name,
            regional_label: f.regional_label,
            subregional_label: f.subregional_label,
            regions: Vec::new(),
            holidays: f.holidays,
            utc_offset_minutes: f.utc_offset_minutes,
            time_zone: f.time_zone,
            phone: f.phone,
            national_id: f.national_id,
        })
    }

    /// The country's own language, stored beside English in the catalogue and definitions
    /// (their second text): the first of its languages that is not English.
    pub fn local_language(&self) -> Option<&str> {
        self.languages
            .iter()
            .map(String::as_str)
            .find(|l| *l != "en")
    }

    /// True when people of this country pay through `channel` (`mpesa`, `card`, `cash`).
    pub fn pays_by(&self, channel: &str) -> bool {
        self.payment_channels.iter().any(|c| c == channel)
    }

    /// Of words written in code for each language Lango has (Kiswahili, Bahasa Melayu) and
    /// English, the ones in the country's own language (English when it has none of these).
    pub fn in_local<'a>(&self, sw: &'a str, ms: &'a str, en: &'a str) -> &'a str {
        match self.local_language() {
            Some("sw") => sw,
            Some("ms") => ms,
            _ => en,
        }
    }

    /// The words this pack puts in place of the portal's own in `lang` (a Fluent file).
    pub fn words(&self, lang: &str) -> Option<&'static str> {
        PACK_WORDS
            .iter()
            .find(|(code, l, _)| *code == self.code && *l == lang)
            .map(|(_, _, text)| *text)
    }

    /// A national identity number as stored, or why it cannot be one (today's local date
    /// decides whether a MyKad's two-digit year is this century's).
    pub fn parse_national_id(&self, raw: &str) -> Result<String, IdProblem> {
        let today = crate::clock::Civil::local(crate::clock::now_ms());
        self.national_id
            .format
            .parse(raw, (today.year, today.month, today.day))
    }

    /// A public holiday's name in `lang`, found by its name in the first language (as
    /// closures store it); `None` for any other reason.
    pub fn holiday_name(&self, stored: &str, lang: &str) -> Option<&str> {
        let first = &self.languages[0];
        let fixed = self.holidays.fixed.iter().map(|h| &h.name);
        let easter = self.holidays.easter.iter().map(|h| &h.name);
        fixed
            .chain(easter)
            .find(|n| n.get(first) == Some(stored))
            .and_then(|n| n.get(lang))
    }
}

/// True for `MM-DD` with a day the month has every year.
fn month_day(s: &str) -> bool {
    let Some((m, d)) = s.split_once('-') else {
        return false;
    };
    let (Ok(m), Ok(d)) = (m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    // 29 February comes one year in four: no yearly holiday falls on it.
    let longest = match m {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    };
    s.len() == 5 && (1..=longest).contains(&d)
}

/// A spreadsheet column as the code knows it: the country's own language's columns
/// (`name_ms` in Malaysia) are the second text's (`name_sw`).
pub fn column_in(header: &str) -> String {
    match current().local_language() {
        Some(local) if local != "sw" => match header.strip_suffix(&format!("_{local}")) {
            Some(stem) => format!("{stem}_sw"),
            None => header.to_string(),
        },
        _ => header.to_string(),
    }
}

/// A column as the country's spreadsheets name it: `name_sw` is `name_ms` in Malaysia.
pub fn column_out(column: &str) -> String {
    match (current().local_language(), column.strip_suffix("_sw")) {
        (Some(local), Some(stem)) => format!("{stem}_{local}"),
        _ => column.to_string(),
    }
}

/// Records in `db` the country it serves the first time it is opened, and refuses a
/// database that serves another: its money, people, numbers and days are that country's.
pub async fn claim(db: &crate::db::Db, pack: &Pack) -> crate::Result<()> {
    sqlx::query(
        "INSERT INTO database_settings (name, value, set_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind("country")
    .bind(&pack.code)
    .bind(crate::clock::now_ms())
    .execute(db.pool())
    .await?;
    let held: String = sqlx::query_scalar("SELECT value FROM database_settings WHERE name = $1")
        .bind("country")
        .fetch_one(db.pool())
        .await?;
    if held == pack.code {
        Ok(())
    } else {
        Err(crate::Error::Conflict(format!(
            "this database serves the country {held:?}, not {:?}: give each country its own \
             data dir or database",
            pack.code
        )))
    }
}

/// Of words written in code in Kiswahili, Bahasa Melayu and English, those in the served
/// country's own language ([`Pack::in_local`]).
pub fn in_local<'a>(sw: &'a str, ms: &'a str, en: &'a str) -> &'a str {
    current().in_local(sw, ms, en)
}

static CURRENT: OnceLock<&'static Pack> = OnceLock::new();

/// Makes `pack` the one this process serves; a node does this once as it starts. False when
/// another pack was installed first (a process serves one country).
pub fn install(pack: &'static Pack) -> bool {
    CURRENT.get_or_init(|| pack).code == pack.code
}

/// The pack this process serves (the default one until a node installs its own).
pub fn current() -> &'static Pack {
    CURRENT.get_or_init(|| Pack::named(DEFAULT).expect("the default pack is built in"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_lists_read_quotes_and_refuse_repeats_and_gaps() {
        let r = read_regions("region,subregion\nA,x\nA,\"y, z\"\nB,w\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].subregions, ["x", "y, z"]);
        assert!(read_regions("region,subregion\nA,x\nA,x\n")
            .unwrap_err()
            .contains("twice"));
        assert!(read_regions("region,subregion\nA,\n")
            .unwrap_err()
            .contains("empty"));
        assert!(read_regions("region,subregion\nA,\"x\n").is_err());
    }

    #[test]
    fn every_built_in_pack_reads_and_kenya_is_the_default() {
        for (code, _) in PACKS {
            assert_eq!(Pack::named(code).unwrap().code, *code);
        }
        let ke = current();
        assert_eq!((ke.code.as_str(), ke.currency), ("ke", Currency::Kes));
        assert_eq!(ke.regional_label.get("sw"), Some("Kaunti"));
        assert_eq!(
            ke.holiday_name("Jamhuri Day", "sw"),
            Some("Siku ya Jamhuri")
        );
        assert_eq!(ke.holiday_name("Staff training", "sw"), None);
        let e = Pack::named("zz").unwrap_err();
        assert!(e.contains("\"zz\"") && e.contains("packs: ke, my"), "{e}");
        let my = Pack::named("my").unwrap();
        assert_eq!((my.currency, my.utc_offset_minutes), (Currency::Myr, 480));
        assert_eq!(my.languages, ["ms", "en"]);
        assert_eq!(my.regional_label.get("ms"), Some("Negeri"));
        // Regions: Kenya's 47 counties (290 sub-counties), Malaysia's 13 states and 3
        // federal territories with their districts.
        assert_eq!(ke.regions.len(), 47);
        assert_eq!(
            ke.regions.iter().map(|r| r.subregions.len()).sum::<usize>(),
            290
        );
        assert_eq!(my.regions.len(), 16);
        let perak = my.regions.iter().find(|r| r.name == "Perak").unwrap();
        assert!(perak
            .subregions
            .iter()
            .any(|d| d == "Larut, Matang dan Selama"));
        assert_eq!(my.subregional_label.get("ms"), Some("Daerah"));
        assert_eq!(
            my.phone.mobile("012-345 6789").as_deref(),
            Some("+60123456789")
        );
        assert_eq!(
            my.parse_national_id("900101-14-5678").as_deref(),
            Ok("900101145678")
        );
        assert!(my.words("ms").is_some() && ke.words("sw").is_none());
    }

    /// Kenya's pack with one line replaced.
    fn kenya_with(from: &str, to: &str) -> Result<Pack, String> {
        let text = PACKS[0].1;
        assert!(text.contains(from), "{from}");
        Pack::parse(&text.replacen(from, to, 1))
    }

    #[test]
    fn a_broken_pack_is_refused_saying_what_is_wrong() {
        let e = kenya_with("currency = \"KES\"", "currency = \"XYZ\"").unwrap_err();
        assert!(e.contains("XYZ"), "{e}");
        let e = kenya_with("date = \"12-12\"", "date = \"12-32\"").unwrap_err();
        assert!(e.contains("12-32"), "{e}");
        let e = kenya_with("date = \"12-12\"", "date = \"02-29\"").unwrap_err();
        assert!(e.contains("02-29"), "{e}");
        let e = kenya_with("sw = \"Kaunti\"", "").unwrap_err();
        assert!(e.contains("regional_label has no text in sw"), "{e}");
        let e = kenya_with("languages = [\"en\", \"sw\"]", "languages = []").unwrap_err();
        assert!(e.contains("languages"), "{e}");
        let e = kenya_with("[holidays]", "[holidays]\nsundays = true").unwrap_err();
        assert!(e.contains("sundays"), "{e}");
    }
}
