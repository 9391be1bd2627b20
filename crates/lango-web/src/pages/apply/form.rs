//! A question page's form as posted, turned into the domain's [`PageInput`]: date boxes
//! joined, blank and removed group rows dropped and renumbered, files read out of a
//! multipart body. Nothing here judges an answer; `lango-cases` does.

use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use lango_cases::definition::{Answers, FileAnswer};
use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

/// Most rows of one group the page reads (the definition's own limit is checked by the domain).
const MAX_ROWS: usize = 50;

/// What the applicant asked the page to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Save and go on.
    Continue,
    /// Save and leave for the applications list.
    Save,
    /// Save and come back with a blank row for the group.
    Add(String),
    /// Drop this row (`GROUP.INDEX`), save and come back.
    Remove(String),
}

/// A file part of the form.
pub struct Upload {
    /// The field's form name.
    pub field: String,
    /// The name it came with.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The page's form, read.
pub struct Posted {
    /// Every value by form name, as shown again on an error (date boxes included).
    pub flat: BTreeMap<String, Vec<String>>,
    /// The pairs the domain judges: dates joined, group rows renumbered.
    pub values: Vec<(String, String)>,
    /// Files chosen.
    pub uploads: Vec<Upload>,
    /// Files already stored and kept (`:keep:FIELD` = document id).
    pub kept: Vec<(String, String)>,
    /// The button pressed.
    pub op: Op,
    /// Come back to check your answers afterwards.
    pub back_to_check: bool,
    /// The questions the page showed (`:shown`); `None` when it did not say (API clients).
    pub shown: Option<BTreeSet<String>>,
}

impl Posted {
    /// True when the person could see the question `field` (`GROUP.INDEX.FIELD` counts as
    /// its group) when they sent the page: a question revealed by this very answer was not
    /// seen, so its problems wait until they have had the chance to answer it.
    pub fn saw(&self, field: &str) -> bool {
        let top = field.split('.').next().unwrap_or(field);
        self.shown.as_ref().is_none_or(|s| s.contains(top))
    }

    /// True when the applicant typed nothing at all.
    pub fn is_blank(&self) -> bool {
        self.values.iter().all(|(_, v)| v.trim().is_empty())
            && self.uploads.is_empty()
            && self.kept.is_empty()
    }
}

/// The form's pairs and files from either encoding; `None` for a body that is neither.
pub async fn read_body(
    headers: &HeaderMap,
    body: Bytes,
) -> Option<(Vec<(String, String)>, Vec<Upload>)> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok());
    let Some(boundary) = boundary else {
        let pairs = form_urlencoded::parse(&body).into_owned().collect();
        return Some((pairs, Vec::new()));
    };
    let stream = futures_util::stream::once(std::future::ready(Ok::<_, Infallible>(body)));
    let mut form = multer::Multipart::new(stream, boundary);
    let mut pairs = Vec::new();
    let mut uploads = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return None,
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.ok()?;
                // A file input left empty still sends a part with no name and no bytes.
                if !file_name.is_empty() || !bytes.is_empty() {
                    uploads.push(Upload {
                        field: name,
                        name: file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => pairs.push((name, field.text().await.ok()?)),
        }
    }
    Some((pairs, uploads))
}

/// Reads the page's pairs into what is shown again and what the domain judges.
pub fn parse(pairs: Vec<(String, String)>, uploads: Vec<Upload>) -> Posted {
    let mut op = Op::Continue;
    let mut back_to_check = false;
    let mut kept = Vec::new();
    let mut shown: Option<BTreeSet<String>> = None;
    let mut flat: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (k, v) in pairs {
        if k == "csrf" {
            continue;
        }
        if k == ":op" {
            op = match v.split_once(':') {
                Some(("add", g)) => Op::Add(g.to_string()),
                Some(("remove", r)) => Op::Remove(r.to_string()),
                _ if v == "save" => Op::Save,
                _ => Op::Continue,
            };
            continue;
        }
        if k == ":return" {
            back_to_check = v == "check";
            continue;
        }
        if k == ":shown" {
            shown.get_or_insert_with(BTreeSet::new).insert(v);
            continue;
        }
        if let Some(field) = k.strip_prefix(":keep:") {
            if !v.is_empty() {
                kept.push((field.to_string(), v));
            }
            continue;
        }
        if k.starts_with(':') || k.is_empty() || k.len() > 200 {
            continue;
        }
        if !flat.contains_key(&k) {
            order.push(k.clone());
        }
        flat.entry(k).or_default().push(v);
    }
    let removed = match &op {
        Op::Remove(r) => Some(r.clone()),
        _ => None,
    };
    let uploads = renumber(
        &mut flat,
        &mut order,
        &mut kept,
        uploads,
        removed.as_deref(),
    );
    let values = domain_values(&flat, &order);
    Posted {
        flat,
        values,
        uploads,
        kept,
        op,
        back_to_check,
        shown,
    }
}

/// `GROUP.INDEX.FIELD` split, when the index is a small number.
fn split_row(name: &str) -> Option<(&str, usize, &str)> {
    let mut it = name.splitn(3, '.');
    let (g, i, f) = (it.next()?, it.next()?, it.next()?);
    let i: usize = i.parse().ok()?;
    (i < MAX_ROWS).then_some((g, i, f))
}

/// Drops blank and removed group rows and renumbers the rest 0, 1, 2… in order, so the
/// domain sees a contiguous list and the page shows it as the applicant left it.
fn renumber(
    flat: &mut BTreeMap<String, Vec<String>>,
    order: &mut Vec<String>,
    kept: &mut Vec<(String, String)>,
    uploads: Vec<Upload>,
    removed: Option<&str>,
) -> Vec<Upload> {
    // Which rows have something in them (a value, a kept or a new file).
    let mut filled: BTreeMap<(String, usize), bool> = BTreeMap::new();
    let mut note = |name: &str, has: bool| {
        if let Some((g, i, _)) = split_row(name) {
            *filled.entry((g.to_string(), i)).or_default() |= has;
        }
    };
    for (k, vs) in flat.iter() {
        note(k, vs.iter().any(|v| !v.trim().is_empty()));
    }
    for (k, _) in kept.iter() {
        note(k, true);
    }
    for u in &uploads {
        note(&u.field, true);
    }
    let mut new_index: BTreeMap<(String, usize), usize> = BTreeMap::new();
    let mut next: BTreeMap<String, usize> = BTreeMap::new();
    for ((g, i), has) in &filled {
        if !has || removed == Some(&format!("{g}.{i}")) {
            continue;
        }
        let n = next.entry(g.clone()).or_default();
        new_index.insert((g.clone(), *i), *n);
        *n += 1;
    }
    let rename = |name: &str| -> Option<String> {
        match split_row(name) {
            Some((g, i, f)) => new_index
                .get(&(g.to_string(), i))
                .map(|n| format!("{g}.{n}.{f}")),
            // A dotted name that is no row of a group answers nothing.
            None if name.contains('.') => None,
            None => Some(name.to_string()),
        }
    };
    let old = std::mem::take(flat);
    for (k, v) in old {
        if let Some(k) = rename(&k) {
            flat.insert(k, v);
        }
    }
    *order = order.iter().filter_map(|k| rename(k)).collect();
    *kept = kept
        .iter()
        .filter_map(|(k, v)| rename(k).map(|k| (k, v.clone())))
        .collect();
    uploads
        .into_iter()
        .filter_map(|u| {
            rename(&u.field).map(|field| Upload {
                field,
                name: u.name,
                bytes: u.bytes,
            })
        })
        .collect()
}

/// The pairs in the domain's form: the three boxes of a date joined into `YYYY-MM-DD`.
fn domain_values(flat: &BTreeMap<String, Vec<String>>, order: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in order {
        if let Some(base) = k.strip_suffix("-day") {
            let part = |p: &str| {
                flat.get(&format!("{base}-{p}"))
                    .and_then(|v| v.first())
                    .map_or("", |s| s.trim())
                    .to_string()
            };
            out.push((
                base.to_string(),
                join_date(&part("day"), &part("month"), &part("year")),
            ));
            continue;
        }
        if k.ends_with("-month") || k.ends_with("-year") {
            continue;
        }
        for v in flat.get(k).into_iter().flatten() {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

/// `2024`, `3`, `7` → `2024-03-07`; all empty → empty; anything else as typed, for the
/// domain to refuse with its own words.
pub fn join_date(day: &str, month: &str, year: &str) -> String {
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return String::new();
    }
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if digits(day) && digits(month) && digits(year) && day.len() <= 2 && month.len() <= 2 {
        format!("{year}-{month:0>2}-{day:0>2}")
    } else {
        format!("{year}-{month}-{day}")
    }
}

/// Stored answers as the form names them, to show on the page.
pub fn flatten(answers: &Answers) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, FileAnswer>) {
    let mut flat = BTreeMap::new();
    let mut files = BTreeMap::new();
    for (k, v) in answers {
        flatten_one(k, v, &mut flat, &mut files);
    }
    (flat, files)
}

fn flatten_one(
    name: &str,
    v: &serde_json::Value,
    flat: &mut BTreeMap<String, Vec<String>>,
    files: &mut BTreeMap<String, FileAnswer>,
) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            flat.insert(name.to_string(), vec![s.clone()]);
        }
        Value::Number(n) => {
            flat.insert(name.to_string(), vec![n.to_string()]);
        }
        Value::Bool(b) => {
            flat.insert(
                name.to_string(),
                vec![if *b { "yes" } else { "no" }.to_string()],
            );
        }
        Value::Array(items) => {
            let mut strings = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Object(row) => {
                        for (k, v) in row {
                            flatten_one(&format!("{name}.{i}.{k}"), v, flat, files);
                        }
                    }
                    Value::String(s) => strings.push(s.clone()),
                    other => strings.push(other.to_string()),
                }
            }
            if !strings.is_empty() {
                flat.insert(name.to_string(), strings);
            }
        }
        Value::Object(_) => {
            if let Ok(f) = serde_json::from_value::<FileAnswer>(v.clone()) {
                files.insert(name.to_string(), f);
            }
        }
        Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn dates_are_joined_and_kept_as_typed() {
        let p = parse(
            pairs(&[
                ("dob-day", "7"),
                ("dob-month", "3"),
                ("dob-year", "1990"),
                ("name", "Wanjiku"),
            ]),
            Vec::new(),
        );
        assert_eq!(
            p.values,
            pairs(&[("dob", "1990-03-07"), ("name", "Wanjiku")])
        );
        assert_eq!(p.flat["dob-day"], vec!["7"]);
        assert_eq!(join_date("", "", ""), "");
        assert_eq!(join_date("x", "3", "1990"), "1990-3-x");
    }

    #[test]
    fn blank_and_removed_rows_drop_and_the_rest_renumber() {
        let p = parse(
            pairs(&[
                ("kids.0.name", "Amani"),
                ("kids.1.name", "Baraka"),
                ("kids.2.name", "Chebet"),
                ("kids.3.name", ""),
                ("kids.999999999999.name", "x"),
                (":op", "remove:kids.1"),
            ]),
            Vec::new(),
        );
        assert_eq!(p.op, Op::Remove("kids.1".into()));
        assert_eq!(
            p.values,
            pairs(&[("kids.0.name", "Amani"), ("kids.1.name", "Chebet")])
        );
    }

    #[test]
    fn buttons_and_tokens_are_not_answers() {
        let p = parse(
            pairs(&[
                ("csrf", "t"),
                (":op", "add:kids"),
                (":return", "check"),
                (":keep:photo", "doc1"),
            ]),
            Vec::new(),
        );
        assert_eq!(p.op, Op::Add("kids".into()));
        assert!(p.back_to_check && p.values.is_empty());
        assert_eq!(p.kept, vec![("photo".to_string(), "doc1".to_string())]);
    }

    #[test]
    fn a_question_the_page_did_not_show_was_not_seen() {
        let p = parse(
            pairs(&[
                (":shown", "deliver"),
                (":shown", "kids"),
                ("deliver", "yes"),
            ]),
            Vec::new(),
        );
        assert!(p.values.iter().all(|(k, _)| !k.starts_with(':')));
        assert!(p.saw("deliver") && p.saw("kids.2.name"));
        assert!(!p.saw("address"), "revealed by this answer");
        let api = parse(pairs(&[("deliver", "yes")]), Vec::new());
        assert!(
            api.saw("address"),
            "a client that does not say saw everything"
        );
    }
}
