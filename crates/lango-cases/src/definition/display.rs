//! Answers as the applicant reads them on "check your answers".

use super::model::{ChoiceDef, FieldDef, FieldType, Words};
use super::values::{long_date, parse_date};
use super::Definition;
use lango_core::money::Money;
use serde_json::Value;

fn pick<'a>(w: &'a Words, lang: &str) -> &'a str {
    // The second text is the country's own language, whichever it is.
    match (lang, &w.sw) {
        (l, Some(local)) if l != "en" && !local.is_empty() => local,
        _ => &w.en,
    }
}

/// A choice's words: its label, or on a document how it is printed.
fn choice_words(c: &ChoiceDef, printed: bool) -> &Words {
    match (&c.printed, printed) {
        (Some(p), true) => p,
        _ => &c.label,
    }
}

/// One answer in words.
pub(crate) fn display(def: &Definition, f: &FieldDef, value: &Value, lang: &str) -> String {
    words(def, f, value, lang, false)
}

/// One answer in words as an issued document prints it (choices by their `printed` words).
pub(crate) fn printed(def: &Definition, f: &FieldDef, value: &Value, lang: &str) -> String {
    words(def, f, value, lang, true)
}

fn words(def: &Definition, f: &FieldDef, value: &Value, lang: &str, printed: bool) -> String {
    let s = value.as_str().unwrap_or_default();
    match f.kind {
        FieldType::Choice => f.choices.iter().find(|c| c.value == s).map_or_else(
            || s.to_string(),
            |c| pick(choice_words(c, printed), lang).to_string(),
        ),
        FieldType::MultipleChoice => {
            let picked: Vec<&str> = value
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            f.choices
                .iter()
                .filter(|c| picked.contains(&c.value.as_str()))
                .map(|c| pick(choice_words(c, printed), lang))
                .collect::<Vec<_>>()
                .join(", ")
        }
        FieldType::YesNo => match (s, lang) {
            ("yes", "sw") => "Ndiyo".into(),
            ("yes", "ms") => "Ya".into(),
            ("yes", _) => "Yes".into(),
            ("no", "sw") => "Hapana".into(),
            ("no", "ms") => "Tidak".into(),
            ("no", _) => "No".into(),
            _ => s.to_string(),
        },
        FieldType::Date => parse_date(s).map_or_else(|| s.to_string(), |d| long_date(d, lang)),
        FieldType::Money => {
            Money::parse_decimal(s, def.currency()).map_or_else(|_| s.to_string(), |m| m.display())
        }
        FieldType::Phone => lango_core::country::current().phone.display(s),
        FieldType::NationalId => lango_core::country::current().national_id.format.display(s),
        FieldType::File => value
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string(),
        FieldType::Group => {
            let rows = value.as_array().map(|a| a.as_slice()).unwrap_or_default();
            rows.iter()
                .map(|row| {
                    f.fields
                        .iter()
                        .filter_map(|sub| {
                            let v = row.get(&sub.id)?;
                            Some(format!(
                                "{}: {}",
                                pick(&sub.label, lang),
                                words(def, sub, v, lang, printed)
                            ))
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => s.to_string(),
    }
}
