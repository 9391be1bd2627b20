//! One validator per field type: an answer as typed becomes its canonical form, or an
//! error in English and the country's own language (Kiswahili, Bahasa Melayu) that says
//! what to do. Canonical forms are accepted again unchanged, so stored answers can be
//! re-checked at submission.

use super::counties;
use super::model::{FieldDef, FieldType, Words};
use super::values::{date_bound, long_date, parse_date, Dec};
use super::{FileAnswer, Today};
use lango_core::country::{IdFormat, IdProblem};
use lango_core::money::{Currency, Money};
use regex::Regex;
use serde_json::Value;

/// What a validator needs besides the answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// Now, for date ranges.
    pub(crate) today: Today,
    /// The currency of money answers.
    pub(crate) currency: Currency,
    /// The field's compiled `pattern`.
    pub(crate) pattern: Option<&'a Regex>,
    /// For a sub-county: the answer to its county field.
    pub(crate) county: Option<&'a str>,
}

/// An error on a field: "LABEL: what to do", in both languages.
pub(crate) fn say(f: &FieldDef, en: impl AsRef<str>, sw: impl AsRef<str>) -> Words {
    // Kenya's own messages (its counties), in English and Kiswahili only: a country speaking
    // another language beside English reads the English.
    say_in(f, en.as_ref(), sw.as_ref(), en.as_ref())
}

/// A level's name in English and the country's own language, in lower case as it reads
/// inside a sentence ("county", "kaunti"; "state", "negeri").
fn level_names(label: &lango_core::country::Words) -> (String, String) {
    let pack = lango_core::country::current();
    let local = pack.local_language().unwrap_or("en");
    (
        label.in_or_first("en", pack).to_lowercase(),
        label.in_or_first(local, pack).to_lowercase(),
    )
}

/// An error naming the field, in English and the country's own language (of `sw`, `ms`).
pub(crate) fn say_in(
    f: &FieldDef,
    en: impl AsRef<str>,
    sw: impl AsRef<str>,
    ms: impl AsRef<str>,
) -> Words {
    let local = lango_core::country::in_local(sw.as_ref(), ms.as_ref(), en.as_ref());
    Words {
        en: format!("{}: {}", f.label.en, en.as_ref()),
        sw: Some(format!(
            "{}: {}",
            f.label.sw.as_deref().unwrap_or(&f.label.en),
            local
        )),
    }
}

/// The error for a required field left unanswered.
pub(crate) fn missing(f: &FieldDef) -> Words {
    match f.kind {
        FieldType::Choice
        | FieldType::MultipleChoice
        | FieldType::YesNo
        | FieldType::County
        | FieldType::SubCounty => {
            say_in(f, "select an answer", "chagua jibu", "pilih satu jawapan")
        }
        FieldType::File => say_in(f, "upload a file", "pakia faili", "muat naik fail"),
        FieldType::Group => say_in(
            f,
            "add at least one",
            "ongeza angalau moja",
            "tambah sekurang-kurangnya satu",
        ),
        _ => say_in(f, "enter an answer", "weka jibu", "masukkan jawapan"),
    }
}

/// Validates the values posted (or stored) for one field that is not a file or group:
/// `Ok(None)` when it is left empty.
pub(crate) fn validate(f: &FieldDef, raw: &[String], cx: &Ctx) -> Result<Option<Value>, Words> {
    if f.kind == FieldType::MultipleChoice {
        return multiple(f, raw);
    }
    let one = raw
        .iter()
        .find(|s| !s.trim().is_empty())
        .map_or("", |s| s.as_str());
    if one.trim().is_empty() {
        return Ok(None);
    }
    if one.len() > 20_000 {
        return Err(say_in(
            f,
            "the answer is too long",
            "jibu ni refu mno",
            "jawapan terlalu panjang",
        ));
    }
    single(f, one, cx).map(|s| Some(Value::String(s)))
}

fn multiple(f: &FieldDef, raw: &[String]) -> Result<Option<Value>, Words> {
    let picked: Vec<&str> = raw
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if picked.is_empty() {
        return Ok(None);
    }
    if let Some(bad) = picked
        .iter()
        .find(|p| !f.choices.iter().any(|c| c.value == **p))
    {
        let _ = bad;
        return Err(say_in(
            f,
            "select from the options given",
            "chagua kutoka kwenye machaguo yaliyotolewa",
            "pilih daripada pilihan yang diberikan",
        ));
    }
    // In the order of the choices, each once.
    let chosen: Vec<Value> = f
        .choices
        .iter()
        .filter(|c| picked.contains(&c.value.as_str()))
        .map(|c| Value::String(c.value.clone()))
        .collect();
    let n = chosen.len() as u32;
    if let Some(min) = f.min_items {
        if n < min {
            return Err(say_in(
                f,
                format!("select at least {min}"),
                format!("chagua angalau {min}"),
                format!("pilih sekurang-kurangnya {min}"),
            ));
        }
    }
    if let Some(max) = f.max_items {
        if n > max {
            return Err(say_in(
                f,
                format!("select at most {max}"),
                format!("chagua zisizozidi {max}"),
                format!("pilih tidak lebih daripada {max}"),
            ));
        }
    }
    Ok(Some(Value::Array(chosen)))
}

/// One non-empty answer to its canonical string.
pub(crate) fn single(f: &FieldDef, raw: &str, cx: &Ctx) -> Result<String, Words> {
    match f.kind {
        FieldType::Text => text(f, raw, cx),
        FieldType::Number => number(f, raw),
        FieldType::Money => money(f, raw, cx.currency),
        FieldType::Date => date(f, raw, cx.today),
        FieldType::Choice => {
            let v = raw.trim();
            f.choices
                .iter()
                .find(|c| c.value == v)
                .map(|c| c.value.clone())
                .ok_or_else(|| {
                    say_in(
                        f,
                        "select one of the options",
                        "chagua mojawapo ya machaguo",
                        "pilih salah satu pilihan",
                    )
                })
        }
        FieldType::YesNo => match raw.trim().to_lowercase().as_str() {
            "yes" | "ndiyo" => Ok("yes".into()),
            "no" | "hapana" => Ok("no".into()),
            _ => Err(say_in(
                f,
                "select yes or no",
                "chagua ndiyo au hapana",
                "pilih ya atau tidak",
            )),
        },
        FieldType::NationalId => national_id(raw).map_err(|why| national_id_refusal(f, why)),
        FieldType::Phone => phone(raw).ok_or_else(|| {
            let example = &lango_core::country::current().phone.example;
            say_in(
                f,
                format!("enter a mobile number like {example}"),
                format!("weka nambari ya simu ya mkononi kama {example}"),
                format!("masukkan nombor telefon bimbit seperti {example}"),
            )
        }),
        FieldType::Email => email(raw).ok_or_else(|| {
            say_in(
                f,
                "enter an email address like name@example.com",
                "weka anwani ya barua pepe kama jina@mfano.com",
                "masukkan alamat e-mel seperti nama@contoh.com",
            )
        }),
        FieldType::County => counties::county(raw).map(|c| c.to_string()).ok_or_else(|| {
            let (en, local) = level_names(&lango_core::country::current().regional_label);
            say_in(
                f,
                format!("select a {en} from the list"),
                format!("chagua {local} kwenye orodha"),
                format!("pilih {local} daripada senarai"),
            )
        }),
        FieldType::SubCounty => {
            let pack = lango_core::country::current();
            let Some(county) = cx.county.and_then(counties::county) else {
                let (en, local) = level_names(&pack.regional_label);
                return Err(say_in(
                    f,
                    format!("select the {en} first"),
                    format!("chagua {local} kwanza"),
                    format!("pilih {local} dahulu"),
                ));
            };
            counties::sub_county(county, raw)
                .map(|s| s.to_string())
                .ok_or_else(|| {
                    let (en, local) = level_names(&pack.subregional_label);
                    say_in(
                        f,
                        format!("select a {en} of {county}"),
                        format!("chagua {local} ya {county}"),
                        format!("pilih {local} di {county}"),
                    )
                })
        }
        FieldType::MultipleChoice | FieldType::File | FieldType::Group => Err(say_in(
            f,
            "this answer is not valid",
            "jibu hili si sahihi",
            "jawapan ini tidak sah",
        )),
    }
}

fn text(f: &FieldDef, raw: &str, cx: &Ctx) -> Result<String, Words> {
    let t = raw.replace("\r\n", "\n").trim().to_string();
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(say_in(
            f,
            "remove the special characters",
            "ondoa herufi maalum",
            "buang aksara khas",
        ));
    }
    let n = t.chars().count() as u32;
    let max = f.max_length.unwrap_or(500);
    if let Some(min) = f.min_length {
        if n < min {
            return Err(say_in(
                f,
                format!("enter at least {min} characters"),
                format!("weka angalau herufi {min}"),
                format!("masukkan sekurang-kurangnya {min} aksara"),
            ));
        }
    }
    if n > max {
        return Err(say_in(
            f,
            format!("enter {max} characters or fewer"),
            format!("weka herufi {max} au chache zaidi"),
            format!("masukkan tidak lebih daripada {max} aksara"),
        ));
    }
    if let Some(re) = cx.pattern {
        if !re.is_match(&t) {
            return Err(match &f.pattern_message {
                // The definition's own words: its second text is the country's language.
                Some(m) => {
                    let local = m.sw.as_deref().unwrap_or(&m.en);
                    say_in(f, &m.en, local, local)
                }
                None => say_in(
                    f,
                    "enter it in the format asked for",
                    "iandike katika muundo ulioombwa",
                    "masukkan dalam format yang diminta",
                ),
            });
        }
    }
    Ok(t)
}

fn strip_grouping(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| *c != ',' && *c != ' ' && *c != '_')
        .collect()
}

fn number(f: &FieldDef, raw: &str) -> Result<String, Words> {
    let s = strip_grouping(raw);
    let d = Dec::parse(&s).ok_or_else(|| {
        say_in(
            f,
            "enter a number, like 12",
            "weka nambari, kwa mfano 12",
            "masukkan nombor, contohnya 12",
        )
    })?;
    let places = u32::from(f.decimals.unwrap_or(0));
    if d.decimals() > places {
        return Err(if places == 0 {
            say_in(
                f,
                "enter a whole number",
                "weka nambari kamili",
                "masukkan nombor bulat",
            )
        } else {
            say_in(
                f,
                format!("use at most {places} decimal places"),
                format!("tumia nafasi {places} za desimali au chache"),
                format!("gunakan tidak lebih daripada {places} tempat perpuluhan"),
            )
        });
    }
    range(f, d, |b| Dec::parse(b.trim()), |x| x.canonical())?;
    Ok(d.canonical())
}

fn range(
    f: &FieldDef,
    d: Dec,
    parse: impl Fn(&str) -> Option<Dec>,
    show: impl Fn(Dec) -> String,
) -> Result<(), Words> {
    if let Some(min) = f.min.as_deref().and_then(&parse) {
        if d < min {
            let m = show(min);
            return Err(say_in(
                f,
                format!("enter {m} or more"),
                format!("weka {m} au zaidi"),
                format!("masukkan {m} atau lebih"),
            ));
        }
    }
    if let Some(max) = f.max.as_deref().and_then(&parse) {
        if d > max {
            let m = show(max);
            return Err(say_in(
                f,
                format!("enter {m} or less"),
                format!("weka {m} au chini ya hapo"),
                format!("masukkan {m} atau kurang"),
            ));
        }
    }
    Ok(())
}

fn money(f: &FieldDef, raw: &str, cur: Currency) -> Result<String, Words> {
    let mut s = strip_grouping(raw);
    for prefix in ["KSHS", "KSH", cur.code(), "SH"] {
        if s.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        {
            s = s[prefix.len()..].to_string();
            break;
        }
    }
    let m = Money::parse_decimal(&s, cur).map_err(|_| {
        say_in(
            f,
            "enter an amount, like 1050.00",
            "weka kiasi, kwa mfano 1050.00",
            "masukkan jumlah, contohnya 1050.00",
        )
    })?;
    let as_dec = |m: Money| Dec::parse(&m.to_decimal());
    let d = as_dec(m).ok_or_else(|| {
        say_in(
            f,
            "the amount is too large",
            "kiasi ni kikubwa mno",
            "jumlah terlalu besar",
        )
    })?;
    range(
        f,
        d,
        |b| Money::parse_decimal(b.trim(), cur).ok().and_then(as_dec),
        |x| {
            x.to_minor(cur.exponent())
                .map_or_else(String::new, |minor| Money::from_minor(minor, cur).display())
        },
    )?;
    Ok(m.to_decimal())
}

/// `YYYY-MM-DD`, or `D/M/YYYY` as dates are often written in Kenya.
fn read_date(raw: &str) -> Option<i64> {
    let t = raw.trim();
    if let Some(d) = parse_date(t) {
        return Some(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || parts[2].len() != 4
        || parts[0].is_empty()
        || parts[1].is_empty()
        || parts[0].len() > 2
        || parts[1].len() > 2
    {
        return None;
    }
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let n = |p: &str| p.parse::<i64>().ok();
    super::values::ymd_days(n(parts[2])?, n(parts[1])?, n(parts[0])?)
}

fn date(f: &FieldDef, raw: &str, today: Today) -> Result<String, Words> {
    let d = read_date(raw).ok_or_else(|| {
        say_in(
            f,
            "enter a real date, like 2026-03-05",
            "weka tarehe halisi, kwa mfano 2026-03-05",
            "masukkan tarikh yang sah, contohnya 2026-03-05",
        )
    })?;
    if let Some(min) = f.min.as_deref() {
        if let Some(m) = date_bound(min, today) {
            if d < m {
                return Err(if min.trim() == "today" {
                    say_in(
                        f,
                        "enter today's date or a date in the future",
                        "weka tarehe ya leo au ya siku zijazo",
                        "masukkan tarikh hari ini atau tarikh akan datang",
                    )
                } else {
                    say_in(
                        f,
                        format!("enter a date on or after {}", long_date(m, "en")),
                        format!("weka tarehe ya {} au baadaye", long_date(m, "sw")),
                        format!("masukkan tarikh pada atau selepas {}", long_date(m, "ms")),
                    )
                });
            }
        }
    }
    if let Some(max) = f.max.as_deref() {
        if let Some(m) = date_bound(max, today) {
            if d > m {
                return Err(if max.trim() == "today" {
                    say_in(
                        f,
                        "enter a date in the past",
                        "weka tarehe iliyopita",
                        "masukkan tarikh yang telah lalu",
                    )
                } else {
                    say_in(
                        f,
                        format!("enter a date on or before {}", long_date(m, "en")),
                        format!("weka tarehe ya {} au kabla yake", long_date(m, "sw")),
                        format!("masukkan tarikh pada atau sebelum {}", long_date(m, "ms")),
                    )
                });
            }
        }
    }
    Ok(super::values::format_date(d))
}

/// The served country's national ID number as stored (Kenya: 7 or 8 digits; Malaysia: a
/// MyKad with a real birth date and place-of-birth code), or why it is not one.
pub(crate) fn national_id(raw: &str) -> Result<String, IdProblem> {
    let pack = lango_core::country::current();
    match pack.national_id.format {
        IdFormat::Kenya => {
            let d: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            ((7..=8).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
                .then_some(d)
                .ok_or(IdProblem::Shape)
        }
        _ => pack.parse_national_id(raw),
    }
}

/// What is wrong with a national ID number, in the field's words.
fn national_id_refusal(f: &FieldDef, why: IdProblem) -> Words {
    let example = &lango_core::country::current().national_id.example;
    match (lango_core::country::current().national_id.format, why) {
        (IdFormat::Kenya, _) => say(
            f,
            "enter a national ID number of 7 or 8 digits",
            "weka nambari ya kitambulisho cha taifa yenye tarakimu 7 au 8",
        ),
        (_, IdProblem::BirthDate) => say_in(
            f,
            "the first six digits must be a date of birth (YYMMDD)",
            "tarakimu sita za kwanza lazima ziwe tarehe ya kuzaliwa (YYMMDD)",
            "enam digit pertama mestilah tarikh lahir (YYMMDD)",
        ),
        (_, IdProblem::BirthPlace) => say_in(
            f,
            "the 7th and 8th digits must be a place-of-birth code",
            "tarakimu ya 7 na ya 8 lazima ziwe msimbo wa mahali pa kuzaliwa",
            "digit ke-7 dan ke-8 mestilah kod tempat lahir",
        ),
        (_, IdProblem::Shape) => say_in(
            f,
            format!("enter a MyKad number of 12 digits, like {example}"),
            format!("weka nambari ya MyKad yenye tarakimu 12, kama {example}"),
            format!("masukkan nombor MyKad 12 digit, contohnya {example}"),
        ),
    }
}

/// A mobile number of the served country in E.164 (`+254712345678`, `+60123456789`).
pub(crate) fn phone(raw: &str) -> Option<String> {
    lango_core::country::current().phone.mobile(raw)
}

/// An e-mail address with a plausible local part and domain; the domain lower-cased.
pub(crate) fn email(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.len() > 254 {
        return None;
    }
    let (local, domain) = t.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    (local_ok && domain_ok).then(|| format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// The MIME type of each `accept` name.
fn mime(name: &str) -> &'static str {
    match name {
        "pdf" => "application/pdf",
        "jpeg" => "image/jpeg",
        _ => "image/png",
    }
}

/// Checks a stored upload against a file field's `accept` and `max_size_kb`.
pub(crate) fn file(f: &FieldDef, a: &FileAnswer) -> Result<Value, Words> {
    let accept: Vec<&str> = if f.accept.is_empty() {
        vec!["pdf", "jpeg", "png"]
    } else {
        f.accept.iter().map(|s| s.as_str()).collect()
    };
    if !accept.iter().any(|t| mime(t) == a.content_type) {
        let list = accept
            .iter()
            .map(|t| t.to_uppercase())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(say_in(
            f,
            format!("upload a file of type {list}"),
            format!("pakia faili ya aina {list}"),
            format!("muat naik fail jenis {list}"),
        ));
    }
    let max = u64::from(f.max_size_kb.unwrap_or(5120));
    if a.size > max * 1024 {
        return Err(say_in(
            f,
            format!("upload a file smaller than {max} KB"),
            format!("pakia faili iliyo ndogo kuliko KB {max}"),
            format!("muat naik fail yang lebih kecil daripada {max} KB"),
        ));
    }
    serde_json::to_value(a).map_err(|_| {
        say_in(
            f,
            "upload the file again",
            "pakia faili tena",
            "muat naik fail sekali lagi",
        )
    })
}
