//! A page of questions as the template shows it: each field of the definition with its
//! label, hint, value (stored or as just typed), error and choices.

use super::counties;
use crate::i18n::Lang;
use crate::words::tr;
use lango_cases::definition::model::{FieldDef, FieldType, Words};
use lango_cases::definition::{FieldError, FileAnswer};
use std::collections::BTreeMap;

/// Choice lists longer than this are a select rather than radios.
const RADIOS_UP_TO: usize = 8;

/// Words of the definition in the reader's language (English when there is no Kiswahili).
pub fn pick(lang: Lang, w: &Words) -> String {
    match (lang, &w.sw) {
        (l, Some(sw)) if l.is_local() && !sw.is_empty() => sw.clone(),
        _ => w.en.clone(),
    }
}

/// One option of a choice.
pub struct Opt {
    /// Submitted value.
    pub value: String,
    /// What people read.
    pub label: String,
    /// Chosen now.
    pub checked: bool,
}

/// Options under a heading (sub-counties by county).
pub struct OptGroup {
    /// The heading.
    pub label: String,
    /// Its options.
    pub options: Vec<Opt>,
}

/// One item of a repeating group.
pub struct Row {
    /// `Child 1`, `Child 2`…
    pub legend: String,
    /// Its questions, named `GROUP.INDEX.FIELD`.
    pub fields: Vec<FieldView>,
    /// The `:op` value that removes it; empty for the blank row.
    pub remove: String,
}

/// One question as shown.
pub struct FieldView {
    /// Form name; the element id is `f-NAME`.
    pub name: String,
    /// `input`, `date`, `radios`, `checkboxes`, `select`, `file`, `group`.
    pub kind: &'static str,
    /// For `input`: `text`, `tel` or `email`.
    pub input_type: &'static str,
    /// For `input`: the `inputmode`, or empty.
    pub inputmode: &'static str,
    /// The question.
    pub label: String,
    /// Help under it (may be empty).
    pub hint: String,
    /// Not required: the label says so.
    pub optional: bool,
    /// What is wrong with the answer.
    pub error: Option<String>,
    /// The value (for `input` and `select`).
    pub value: String,
    /// Date boxes.
    pub day: String,
    /// Date boxes.
    pub month: String,
    /// Date boxes.
    pub year: String,
    /// Radios, checkboxes or select options.
    pub options: Vec<Opt>,
    /// Select options under headings (sub-counties grouped by county).
    pub groups: Vec<OptGroup>,
    /// The `autocomplete` token.
    pub autocomplete: &'static str,
    /// The file already uploaded.
    pub file: Option<FileAnswer>,
    /// Its size, readable.
    pub file_size: String,
    /// The `accept` attribute of a file input.
    pub accept: String,
    /// Items of a group.
    pub rows: Vec<Row>,
    /// The group can take another item.
    pub can_add: bool,
}

impl FieldView {
    /// The ids the field's input is described by.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("h-{}", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("e-{}", self.name));
        }
        ids.join(" ")
    }
}

/// What the page shows: values by form name, files by form name, errors by form name.
pub struct Source<'a> {
    /// Values.
    pub flat: &'a BTreeMap<String, Vec<String>>,
    /// Files stored.
    pub files: &'a BTreeMap<String, FileAnswer>,
    /// Errors.
    pub errors: &'a BTreeMap<String, String>,
    /// The county answered on an earlier page, by field id.
    pub counties: &'a BTreeMap<String, String>,
    /// Field ids on this page.
    pub here: &'a [String],
}

impl Source<'_> {
    fn first(&self, name: &str) -> String {
        self.flat
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.flat.get(name).cloned().unwrap_or_default()
    }
}

/// Errors by form name, in the reader's language.
pub fn errors_by_field(lang: Lang, errors: &[FieldError]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in errors {
        out.entry(e.field.clone())
            .or_insert_with(|| pick(lang, &e.message));
    }
    out
}

/// The `autocomplete` token of a field, from what it is prefilled with or its kind.
fn autocomplete(f: &FieldDef) -> &'static str {
    match (f.prefill.as_deref(), f.kind) {
        (Some("full_name"), _) => "name",
        (Some("given_name"), _) => "given-name",
        (Some("family_name"), _) => "family-name",
        (Some("date_of_birth"), _) => "bday",
        (Some("postal_address"), _) => "street-address",
        (Some("county"), _) | (_, FieldType::County) => "address-level1",
        (Some("sub_county"), _) | (_, FieldType::SubCounty) => "address-level2",
        (_, FieldType::Phone) => "tel",
        (_, FieldType::Email) => "email",
        _ => "off",
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn opts(lang: Lang, f: &FieldDef, chosen: &[String]) -> Vec<Opt> {
    f.choices
        .iter()
        .map(|c| Opt {
            value: c.value.clone(),
            label: pick(lang, &c.label),
            checked: chosen.contains(&c.value),
        })
        .collect()
}

fn plain(value: &str, pairs: Vec<(String, String)>) -> Vec<Opt> {
    pairs
        .into_iter()
        .map(|(v, label)| Opt {
            checked: v == value,
            value: v,
            label,
        })
        .collect()
}

/// The view of field `f` under form name `name`.
pub fn field(lang: Lang, f: &FieldDef, name: String, src: &Source<'_>) -> FieldView {
    let value = src.first(&name);
    let mut v = FieldView {
        kind: "input",
        input_type: "text",
        inputmode: "",
        label: pick(lang, &f.label),
        hint: f.hint.as_ref().map(|h| pick(lang, h)).unwrap_or_default(),
        optional: !f.required,
        error: src.errors.get(&name).cloned(),
        value: String::new(),
        day: String::new(),
        month: String::new(),
        year: String::new(),
        options: Vec::new(),
        groups: Vec::new(),
        autocomplete: autocomplete(f),
        file: None,
        file_size: String::new(),
        accept: String::new(),
        rows: Vec::new(),
        can_add: false,
        name,
    };
    match f.kind {
        FieldType::Text | FieldType::Number | FieldType::Money | FieldType::NationalId => {
            v.inputmode = match f.kind {
                FieldType::NationalId => "numeric",
                FieldType::Number if f.decimals.unwrap_or(0) == 0 => "numeric",
                FieldType::Number | FieldType::Money => "decimal",
                _ => "",
            };
            v.value = value;
        }
        FieldType::Phone => {
            v.input_type = "tel";
            v.value = value;
        }
        FieldType::Email => {
            v.input_type = "email";
            v.value = value;
        }
        FieldType::Date => {
            v.kind = "date";
            if v.hint.is_empty() {
                v.hint = tr(lang, "apply_date_hint").to_string();
            }
            let part = |p: &str| {
                src.flat
                    .get(&format!("{}-{p}", v.name))
                    .and_then(|x| x.first())
                    .cloned()
            };
            match (part("day"), part("month"), part("year")) {
                (Some(d), Some(m), Some(y)) => (v.day, v.month, v.year) = (d, m, y),
                _ => {
                    let mut it = value.splitn(3, '-');
                    v.year = it.next().unwrap_or("").to_string();
                    v.month = it.next().unwrap_or("").to_string();
                    v.day = it.next().unwrap_or("").to_string();
                }
            }
        }
        FieldType::Choice => {
            v.options = opts(lang, f, std::slice::from_ref(&value));
            v.kind = if f.choices.len() > RADIOS_UP_TO {
                "select"
            } else {
                "radios"
            };
            v.value = value;
        }
        FieldType::MultipleChoice => {
            v.kind = "checkboxes";
            v.options = opts(lang, f, &src.all(&v.name));
        }
        FieldType::YesNo => {
            v.kind = "radios";
            v.options = plain(
                &value,
                vec![
                    ("yes".into(), tr(lang, "apply_yes").into()),
                    ("no".into(), tr(lang, "apply_no").into()),
                ],
            );
        }
        FieldType::County => {
            v.kind = "select";
            v.options = plain(&value, counties::all());
            v.value = value;
        }
        FieldType::SubCounty => {
            v.kind = "select";
            let county_field = f.county_field.clone().unwrap_or_default();
            let same_page = src.here.contains(&county_field);
            match src.counties.get(&county_field).filter(|_| !same_page) {
                Some(county) => v.options = plain(&value, counties::sub_counties(county)),
                None => {
                    v.groups = counties::all()
                        .into_iter()
                        .map(|(code, label)| OptGroup {
                            options: plain(&value, counties::sub_counties(&code)),
                            label,
                        })
                        .collect()
                }
            }
            v.value = value;
        }
        FieldType::File => {
            v.kind = "file";
            let accept = if f.accept.is_empty() {
                vec!["pdf".to_string(), "jpeg".into(), "png".into()]
            } else {
                f.accept.clone()
            };
            v.accept = accept
                .iter()
                .map(|a| match a.as_str() {
                    "pdf" => ".pdf,application/pdf",
                    "jpeg" => ".jpg,.jpeg,image/jpeg",
                    "png" => ".png,image/png",
                    _ => "",
                })
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(",");
            v.file = src.files.get(&v.name).cloned();
            v.file_size = v.file.as_ref().map(|x| size(x.size)).unwrap_or_default();
        }
        FieldType::Group => {
            v.kind = "group";
            let prefix = format!("{}.", v.name);
            let rows = src
                .flat
                .keys()
                .chain(src.files.keys())
                .filter_map(|k| {
                    k.strip_prefix(&prefix)?
                        .split('.')
                        .next()?
                        .parse::<usize>()
                        .ok()
                })
                .map(|i| i + 1)
                .max()
                .unwrap_or(0)
                .min(50);
            let max = f.max_items.unwrap_or(10) as usize;
            let shown = if rows < max { rows + 1 } else { rows };
            v.can_add = rows < max;
            for i in 0..shown {
                let fields = f
                    .fields
                    .iter()
                    .map(|inner| field(lang, inner, format!("{}.{i}.{}", v.name, inner.id), src))
                    .collect();
                v.rows.push(Row {
                    legend: format!("{} {}", v.label, i + 1),
                    fields,
                    remove: if i < rows {
                        format!("remove:{}.{i}", v.name)
                    } else {
                        String::new()
                    },
                });
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(v: serde_json::Value) -> FieldDef {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn sub_counties_follow_the_county_answered() {
        let f = def(
            serde_json::json!({"id": "sc", "type": "sub_county", "label": {"en": "Sub-county"}, "county_field": "c"}),
        );
        let (flat, files, errors) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        let mut counties = BTreeMap::new();
        counties.insert("c".to_string(), "kisumu".to_string());
        let here = vec!["sc".to_string()];
        let src = Source {
            flat: &flat,
            files: &files,
            errors: &errors,
            counties: &counties,
            here: &here,
        };
        let v = field(Lang::En, &f, "sc".into(), &src);
        assert!(v.groups.is_empty() && v.options.iter().any(|o| o.value == "Kisumu Central"));
        assert!(!v.options.iter().any(|o| o.value == "Nyali"));
        // The county on the same page: every sub-county, grouped by county.
        let here = vec!["sc".to_string(), "c".to_string()];
        let src = Source {
            flat: &flat,
            files: &files,
            errors: &errors,
            counties: &counties,
            here: &here,
        };
        let v = field(Lang::En, &f, "sc".into(), &src);
        assert_eq!(v.groups.len(), 47);
        assert!(v
            .groups
            .iter()
            .any(|g| g.label == "Mombasa" && g.options.iter().any(|o| o.value == "Nyali")));
    }

    #[test]
    fn groups_show_their_rows_and_one_blank() {
        let f = def(
            serde_json::json!({"id": "kids", "type": "group", "label": {"en": "Child", "sw": "Mtoto"}, "max_items": 2,
            "fields": [{"id": "name", "type": "text", "label": {"en": "Name"}, "required": true}]}),
        );
        let mut flat = BTreeMap::new();
        flat.insert("kids.0.name".to_string(), vec!["Amani".to_string()]);
        let (files, errors, counties) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        let src = Source {
            flat: &flat,
            files: &files,
            errors: &errors,
            counties: &counties,
            here: &[],
        };
        let v = field(Lang::Sw, &f, "kids".into(), &src);
        assert_eq!(v.rows.len(), 2);
        assert_eq!(v.rows[0].legend, "Mtoto 1");
        assert_eq!(v.rows[0].fields[0].value, "Amani");
        assert_eq!(v.rows[0].remove, "remove:kids.0");
        assert!(v.rows[1].remove.is_empty() && v.can_add);
        flat.insert("kids.1.name".to_string(), vec!["Baraka".to_string()]);
        let src = Source {
            flat: &flat,
            files: &files,
            errors: &errors,
            counties: &counties,
            here: &[],
        };
        let v = field(Lang::Sw, &f, "kids".into(), &src);
        assert_eq!(v.rows.len(), 2, "no blank row past the most allowed");
        assert!(!v.can_add);
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(1), "1 KB");
        assert_eq!(size(2048), "2 KB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MB");
    }
}
