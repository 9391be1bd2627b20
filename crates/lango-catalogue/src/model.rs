//! Catalogue types. Each is parsed once from outside input and is valid from then on.

use lango_core::money::{Currency, Money};
use lango_core::Error;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 500;
/// Longest description or eligibility text, in characters.
pub const MAX_TEXT: usize = 5000;
/// Longest list item (document, keyword, life event), in characters.
pub const MAX_ITEM: usize = 200;
/// Most items in one list.
pub const MAX_ITEMS: usize = 50;

macro_rules! code_type {
    ($name:ident, $what:literal, $min:literal, $max:literal) => {
        #[doc = concat!("A ", $what, " code: upper-case letters, digits and hyphens.")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Parses a ", $what, " code, folding case and trimming spaces.")]
            pub fn parse(s: &str) -> Result<Self, Error> {
                let code = s.trim().to_ascii_uppercase();
                let n = code.len();
                let ok = ($min..=$max).contains(&n)
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
                    && !code.starts_with('-')
                    && !code.ends_with('-');
                if ok {
                    Ok($name(code))
                } else {
                    Err(Error::invalid(
                        "code",
                        format!(
                            concat!(
                                "a ",
                                $what,
                                " code is {}–{} letters, digits or hyphens, got {:?}"
                            ),
                            $min,
                            $max,
                            s.chars().take(60).collect::<String>()
                        ),
                    ))
                }
            }

            /// The code as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_type!(AgencyCode, "agency", 2, 20);
code_type!(ServiceCode, "service", 3, 40);

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used in files, URLs and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the word exactly (after trimming).
            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The accepted words, for error messages.
            pub fn choices() -> String {
                [$($text),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// Where an agency sits in government.
    Level {
        /// Ministries, state departments and national corporations.
        National = "national",
        /// Counties (Kenya) or states (Malaysia): the label is the country's setting.
        Regional = "regional",
        /// Cities, municipalities and other local bodies.
        Local = "local",
    }
);

word_enum!(
    /// How far a service has been digitised.
    Stage {
        /// Only described.
        Information = "information",
        /// A paper form to download.
        Downloadable = "downloadable",
        /// Part of it online.
        Partial = "partial",
        /// Applied for, paid and delivered online.
        EndToEnd = "end_to_end",
    }
);

word_enum!(
    /// A way a service can be reached.
    Channel {
        /// The web portal.
        Online = "online",
        /// A service centre.
        Centre = "centre",
        /// USSD on any phone.
        Ussd = "ussd",
        /// The mobile app.
        Mobile = "mobile",
    }
);

word_enum!(
    /// Whether a service is still offered.
    Status {
        /// Offered and searchable.
        Active = "active",
        /// No longer offered; its page says so.
        Retired = "retired",
    }
);

/// One fee of a service, optionally labelled ("34 pages").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    /// What this fee is for; empty for a single fee.
    pub label: String,
    /// The label in Kiswahili; empty when it has none (pages fall back to `label`).
    pub label_sw: String,
    /// The amount.
    pub amount: Money,
}

/// An agency of government.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Short unique code.
    pub code: AgencyCode,
    /// Name in English.
    pub name: String,
    /// Name in Kiswahili.
    pub name_sw: String,
    /// National, regional or local.
    pub level: Level,
    /// The agency it belongs to, if any.
    pub parent_code: Option<AgencyCode>,
    /// Its own website.
    pub website: String,
    /// Contact e-mail for the public.
    pub email: String,
    /// Contact telephone for the public.
    pub phone: String,
}

/// A service an agency offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Short unique code.
    pub code: ServiceCode,
    /// Name in English.
    pub name: String,
    /// Name in Kiswahili.
    pub name_sw: String,
    /// One sentence in English.
    pub summary: String,
    /// One sentence in Kiswahili.
    pub summary_sw: String,
    /// Details in English.
    pub description: String,
    /// Details in Kiswahili.
    pub description_sw: String,
    /// Who can apply, in English.
    pub eligibility: String,
    /// Who can apply, in Kiswahili.
    pub eligibility_sw: String,
    /// The agency that provides it.
    pub agency_code: AgencyCode,
    /// A category slug such as `travel-and-immigration`.
    pub category: String,
    /// Life-event slugs such as `having-a-baby`.
    pub life_events: Vec<String>,
    /// Where it can be used.
    pub channels: Vec<Channel>,
    /// How far it is digitised.
    pub stage: Stage,
    /// Its fees; empty when free.
    pub fees: Vec<Fee>,
    /// Working days the agency promises, if it promises.
    pub sla_days: Option<u32>,
    /// Documents the applicant needs.
    pub documents: Vec<String>,
    /// The same documents in Kiswahili, item for item; empty when untranslated, and an
    /// empty item falls back to its English one.
    pub documents_sw: Vec<String>,
    /// Extra search words (synonyms, abbreviations, Kiswahili).
    pub keywords: Vec<String>,
    /// Offered or retired.
    pub status: Status,
    /// Where the service is applied for when it runs on the agency's own system (people
    /// reach it signed in with Lango); `None` when it runs on the platform.
    pub apply_url: Option<String>,
}

/// Parses a required or optional single-line text, refusing over-long values.
pub fn parse_text(field: &str, value: &str, max: usize, required: bool) -> Result<String, Error> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::invalid(field, format!("{field} is required")));
    }
    let n = v.chars().count();
    if n > max {
        return Err(Error::invalid(
            field,
            format!("{field} is {n} characters; at most {max} are allowed"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid(
            field,
            format!("{field} contains control characters"),
        ));
    }
    Ok(v.to_string())
}

/// Parses a slug: lower-case letters, digits and hyphens.
pub fn parse_slug(field: &str, value: &str) -> Result<String, Error> {
    let v = value.trim();
    let ok = (1..=60).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(v.to_string())
    } else {
        Err(Error::invalid(
            field,
            format!(
                "{field} must be lower-case letters, digits and hyphens, got {:?}",
                truncate(v)
            ),
        ))
    }
}

/// Parses `label:amount currency` items separated by `;` (`:1050.00 KES` for one fee).
pub fn parse_fees(value: &str) -> Result<Vec<Fee>, Error> {
    let mut fees = Vec::new();
    for item in split_list(value) {
        let bad = |why: &str| {
            Error::invalid(
                "fees",
                format!(
                    "fee {:?} {why}; write label:amount currency, e.g. 34 pages:4550.00 KES",
                    truncate(item)
                ),
            )
        };
        let (label, rest) = item.rsplit_once(':').ok_or_else(|| bad("has no ':'"))?;
        let (amount, currency) = rest
            .trim()
            .split_once(' ')
            .ok_or_else(|| bad("has no currency"))?;
        let currency: Currency = currency
            .trim()
            .parse()
            .map_err(|_| bad("has an unknown currency"))?;
        let amount = Money::parse_decimal(amount.trim(), currency)
            .map_err(|e| bad(&format!("has a bad amount ({e})")))?;
        let label = parse_text("fees", label, MAX_ITEM, false)?;
        fees.push(Fee {
            label,
            label_sw: String::new(),
            amount,
        });
    }
    if fees.len() > MAX_ITEMS {
        return Err(Error::invalid(
            "fees",
            format!("at most {MAX_ITEMS} fees are allowed"),
        ));
    }
    Ok(fees)
}

/// Writes fees back in the CSV form that [`parse_fees`] reads.
pub fn format_fees(fees: &[Fee]) -> String {
    fees.iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f.label,
                f.amount.to_decimal(),
                f.amount.currency()
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Parses the Kiswahili fee labels (`;`-separated, one a fee in order, empty for none)
/// onto `fees`: an empty cell leaves them untranslated; another count is refused.
pub fn parse_fee_labels_sw(value: &str, fees: &mut [Fee]) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Ok(());
    }
    let labels: Vec<&str> = value.split(';').map(str::trim).collect();
    if labels.len() != fees.len() {
        return Err(Error::invalid(
            "fees_sw",
            format!(
                "fees_sw has {} labels but fees has {} fees; give one label a fee, in order",
                labels.len(),
                fees.len()
            ),
        ));
    }
    for (fee, label) in fees.iter_mut().zip(labels) {
        fee.label_sw = parse_text("fees_sw", label, MAX_ITEM, false)?;
    }
    Ok(())
}

/// Writes the Kiswahili fee labels back in the form [`parse_fee_labels_sw`] reads.
pub fn format_fee_labels_sw(fees: &[Fee]) -> String {
    if fees.iter().all(|f| f.label_sw.is_empty()) {
        return String::new();
    }
    fees.iter()
        .map(|f| f.label_sw.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// Parses the Kiswahili documents, one an English document in order (an empty cell for
/// none); another count is refused.
pub fn parse_documents_sw(value: &str, documents: &[String]) -> Result<Vec<String>, Error> {
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<String> = value
        .split(';')
        .map(|i| parse_text("documents_sw", i, MAX_ITEM, false))
        .collect::<Result<_, _>>()?;
    if items.len() != documents.len() {
        return Err(Error::invalid(
            "documents_sw",
            format!(
                "documents_sw has {} items but documents has {}; give one a document, in order",
                items.len(),
                documents.len()
            ),
        ));
    }
    Ok(items)
}

impl Fee {
    /// The label in Kiswahili when `sw` and it has one, else in English.
    pub fn label_in(&self, sw: bool) -> &str {
        if sw && !self.label_sw.is_empty() {
            &self.label_sw
        } else {
            &self.label
        }
    }
}

impl Service {
    /// Offered and applied for, paid and delivered online: people can start it.
    pub fn is_online(&self) -> bool {
        self.status == Status::Active && self.stage == Stage::EndToEnd
    }

    /// The documents in Kiswahili when `sw` (each untranslated one in English), else in English.
    pub fn documents_in(&self, sw: bool) -> Vec<String> {
        self.documents
            .iter()
            .enumerate()
            .map(|(i, d)| match self.documents_sw.get(i) {
                Some(t) if sw && !t.is_empty() => t.clone(),
                _ => d.clone(),
            })
            .collect()
    }
}

/// Longest `apply_url`.
pub const MAX_URL: usize = 500;

/// Parses the address of an agency's own application system: `https://` with a host, or
/// `http://` on this machine (a demo's sample system); empty for none.
pub fn parse_apply_url(value: &str) -> Result<Option<String>, Error> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = |why: &str| Error::invalid("apply_url", format!("apply_url {why}, got {v:?}"));
    if v.len() > MAX_URL {
        return Err(bad(&format!("is longer than {MAX_URL} characters")));
    }
    if v.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\\'))
    {
        return Err(bad("must be one address without spaces or quotes"));
    }
    let lower = v.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Err(bad(
                "must start with https:// (http:// only on this machine)",
            ));
        }
        r
    } else {
        return Err(bad("must start with https://"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err(bad("must name a host (and no user name)"));
    }
    Ok(Some(v.to_string()))
}

/// Parses a `;`-separated list of free-text items.
pub fn parse_items(field: &str, value: &str) -> Result<Vec<String>, Error> {
    let items: Vec<String> = split_list(value)
        .map(|i| parse_text(field, i, MAX_ITEM, false))
        .collect::<Result<_, _>>()?;
    if items.len() > MAX_ITEMS {
        return Err(Error::invalid(
            field,
            format!("at most {MAX_ITEMS} items are allowed in {field}"),
        ));
    }
    Ok(items)
}

/// Parses a `;`-separated list of channel words.
pub fn parse_channels(value: &str) -> Result<Vec<Channel>, Error> {
    let mut out = Vec::new();
    for item in split_list(value) {
        let c = Channel::parse(item).ok_or_else(|| {
            Error::invalid(
                "channels",
                format!(
                    "unknown channel {:?}; use {}",
                    truncate(item),
                    Channel::choices()
                ),
            )
        })?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Parses an optional SLA in days (0 to 3650).
pub fn parse_sla(value: &str) -> Result<Option<u32>, Error> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<u32>() {
        Ok(n) if n <= 3650 => Ok(Some(n)),
        _ => Err(Error::invalid(
            "sla_days",
            format!(
                "sla_days must be a whole number of days from 0 to 3650, got {:?}",
                truncate(v)
            ),
        )),
    }
}

fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn apply_urls_are_https_or_this_machine() {
        assert_eq!(parse_apply_url("  ").unwrap(), None);
        for good in [
            "https://itax.kra.go.ke/apply",
            "http://127.0.0.1:8090/start",
            "http://localhost/x",
        ] {
            assert_eq!(parse_apply_url(good).unwrap().as_deref(), Some(good));
        }
        for bad in [
            "http://itax.kra.go.ke/apply",
            "javascript:alert(1)",
            "https://",
            "https://user@evil.example/",
            "https://a.example/x y",
            "ftp://a.example/",
            "//a.example/",
            "http://127.0.0.1.evil.example/",
        ] {
            let e = parse_apply_url(bad).unwrap_err();
            assert!(
                matches!(&e, Error::Invalid { field, .. } if field == "apply_url"),
                "{bad:?}: {e}"
            );
        }
        assert!(parse_apply_url(&format!("https://a.example/{}", "x".repeat(500))).is_err());
    }

    #[test]
    fn codes_fold_case_and_refuse_junk() {
        assert_eq!(
            ServiceCode::parse(" dis-passport ").unwrap().as_str(),
            "DIS-PASSPORT"
        );
        for bad in ["", "AB", "-ABC", "ABC-", "A B C", "ÄBC", &"X".repeat(41)] {
            assert!(ServiceCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(AgencyCode::parse("KRA").is_ok());
    }

    #[test]
    fn fees_parse_and_round_trip() {
        let fees = parse_fees("34 pages:4550.00 KES;50 pages:6050.00 KES").unwrap();
        assert_eq!(fees.len(), 2);
        assert_eq!(fees[0].label, "34 pages");
        assert_eq!(fees[0].amount.minor(), 455_000);
        assert_eq!(
            format_fees(&fees),
            "34 pages:4550.00 KES;50 pages:6050.00 KES"
        );
        let single = parse_fees(":1050.00 KES").unwrap();
        assert_eq!(single[0].label, "");
        assert_eq!(format_fees(&single), ":1050.00 KES");
        assert!(parse_fees("").unwrap().is_empty());
    }

    #[test]
    fn kiswahili_lists_follow_the_english_item_for_item() {
        let mut fees = parse_fees("Ordinary notice:3500.00 KES;:10.00 KES").unwrap();
        parse_fee_labels_sw("Tangazo la kawaida;", &mut fees).unwrap();
        assert_eq!(fees[0].label_in(true), "Tangazo la kawaida");
        assert_eq!(fees[0].label_in(false), "Ordinary notice");
        assert_eq!(format_fee_labels_sw(&fees), "Tangazo la kawaida;");
        assert!(parse_fee_labels_sw("Moja", &mut fees).is_err());
        let docs = vec!["National ID card".to_string(), "Passport".to_string()];
        assert_eq!(
            parse_documents_sw("Kitambulisho cha taifa;", &docs).unwrap(),
            vec!["Kitambulisho cha taifa".to_string(), String::new()]
        );
        assert!(parse_documents_sw("Kitambulisho", &docs).is_err());
        assert!(parse_documents_sw(" ", &docs).unwrap().is_empty());
    }

    #[test]
    fn bad_fees_are_refused() {
        for bad in [
            "4550 KES",
            ":-5.00 KES",
            ":abc KES",
            ":10.00 XYZ",
            ":10.00",
            ":1e3 KES",
            ":10.001 KES",
        ] {
            assert!(parse_fees(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn channels_and_sla() {
        assert_eq!(
            parse_channels("online; centre;online").unwrap(),
            vec![Channel::Online, Channel::Centre]
        );
        assert!(parse_channels("fax").is_err());
        assert_eq!(parse_sla("").unwrap(), None);
        assert_eq!(parse_sla("14").unwrap(), Some(14));
        assert!(parse_sla("-1").is_err());
        assert!(parse_sla("9999").is_err());
    }

    proptest! {
        #[test]
        fn any_fee_text_is_parsed_or_refused(s in ".{0,80}") {
            let _ = parse_fees(&s);
        }

        #[test]
        fn parsed_fees_round_trip(label in "[a-z0-9 ]{0,12}", minor in 0_i64..1_000_000_000) {
            let fee = Fee { label: label.trim().to_string(), label_sw: String::new(), amount: Money::from_minor(minor, Currency::Kes) };
            let text = format_fees(std::slice::from_ref(&fee));
            prop_assert_eq!(parse_fees(&text).unwrap(), vec![fee]);
        }
    }
}
