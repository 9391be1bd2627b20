//! Taking answers page by page, checking them all at submission, and prefilling.

use super::check::cond_fields;
use super::condition::{holds, is_answered};
use super::fields::{self, missing, Ctx};
use super::model::{FieldDef, FieldType, PageDef, RuleDef, Words};
use super::{fees, Answers, Definition, FieldError, FileAnswer, PageInput, Profile, Today};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The values posted under one name; a date may come as `NAME.day/month/year`.
fn posted(input: &PageInput, f: &FieldDef) -> Vec<String> {
    let named = |n: &str| -> Vec<String> {
        input
            .values
            .iter()
            .filter(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let direct: Vec<String> = named(&f.id);
    if f.kind == FieldType::Date && direct.iter().all(|v| v.trim().is_empty()) {
        let part = |p: &str| {
            named(&format!("{}.{p}", f.id))
                .into_iter()
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let (d, m, y) = (part("day"), part("month"), part("year"));
        if !(d.is_empty() && m.is_empty() && y.is_empty()) {
            return vec![format!("{y:0>4}-{m:0>2}-{d:0>2}")];
        }
    }
    direct
}

/// The context for validating `f` (a top-level field, or one of `group`'s).
fn ctx<'a>(
    def: &'a Definition,
    f: &FieldDef,
    group: Option<&FieldDef>,
    row: Option<&'a Map<String, Value>>,
    answers: &'a Answers,
    today: Today,
) -> Ctx<'a> {
    let key = match group {
        Some(g) => format!("{}.{}", g.id, f.id),
        None => f.id.clone(),
    };
    let county = f.county_field.as_deref().and_then(|c| {
        row.and_then(|r| r.get(c))
            .or_else(|| answers.get(c))
            .and_then(|v| v.as_str())
    });
    Ctx {
        today,
        currency: def.currency(),
        pattern: def.idx.patterns.get(&key),
        county,
    }
}

fn err(field: String, message: Words) -> FieldError {
    FieldError { field, message }
}

/// A group's rows as posted (`GROUP.INDEX.FIELD`), wholly empty rows left out.
fn read_group(
    def: &Definition,
    g: &FieldDef,
    input: &PageInput,
    answers: &Answers,
    today: Today,
) -> Result<Option<Value>, Vec<FieldError>> {
    let prefix = format!("{}.", g.id);
    let mut rows: BTreeMap<usize, Vec<(&str, &str)>> = BTreeMap::new();
    for (k, v) in &input.values {
        let Some((i, sub)) = k.strip_prefix(&prefix).and_then(|r| r.split_once('.')) else {
            continue;
        };
        let Ok(n) = i.parse::<usize>() else { continue };
        if n < 1000 && n.to_string() == i && g.fields.iter().any(|s| s.id == sub) {
            rows.entry(n).or_default().push((sub, v));
        }
    }
    rows.retain(|_, vals| vals.iter().any(|(_, v)| !v.trim().is_empty()));
    let mut errors = Vec::new();
    let max = g.max_items.unwrap_or(10) as usize;
    if rows.len() > max {
        return Err(vec![err(
            g.id.clone(),
            fields::say_in(
                g,
                format!("add at most {max}"),
                format!("ongeza zisizozidi {max}"),
                format!("tambah tidak lebih daripada {max}"),
            ),
        )]);
    }
    let mut out = Vec::new();
    for (i, vals) in rows {
        let mut obj = Map::new();
        for sub in &g.fields {
            let raw: Vec<String> = vals
                .iter()
                .filter(|(s, _)| *s == sub.id)
                .map(|(_, v)| v.to_string())
                .collect();
            let cx = ctx(def, sub, Some(g), Some(&obj), answers, today);
            match fields::validate(sub, &raw, &cx) {
                Ok(Some(v)) => {
                    obj.insert(sub.id.clone(), v);
                }
                Ok(None) if sub.required => {
                    errors.push(err(format!("{}.{i}.{}", g.id, sub.id), missing(sub)))
                }
                Ok(None) => {}
                Err(w) => errors.push(err(format!("{}.{i}.{}", g.id, sub.id), w)),
            }
        }
        out.push(Value::Object(obj));
    }
    count_rows(g, out.len(), &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

fn count_rows(g: &FieldDef, n: usize, errors: &mut Vec<FieldError>) {
    let min = g.min_items.unwrap_or(0).max(u32::from(g.required)) as usize;
    if n > 0 && n < min {
        errors.push(err(
            g.id.clone(),
            fields::say_in(
                g,
                format!("add at least {min}"),
                format!("ongeza angalau {min}"),
                format!("tambah sekurang-kurangnya {min}"),
            ),
        ));
    }
}

/// Whether a rule applies and fails: it applies when its `when` holds and every field
/// its `check` names is answered.
fn rule_fails(def: &Definition, r: &RuleDef, answers: &Answers, today: Today) -> bool {
    if r.when
        .as_ref()
        .is_some_and(|w| !holds(def, w, answers, today))
    {
        return false;
    }
    let mut named = Vec::new();
    cond_fields(&r.check, &mut named);
    if !named
        .iter()
        .all(|n| answers.get(n).is_some_and(is_answered))
    {
        return false;
    }
    !holds(def, &r.check, answers, today)
}

/// Rule and fee errors for the fields in `on` (a page's fields, or all).
fn cross_checks(
    def: &Definition,
    answers: &Answers,
    today: Today,
    page: Option<usize>,
    errors: &mut Vec<FieldError>,
) {
    for (ri, r) in def.file.rules.iter().enumerate() {
        let here = page.is_none_or(|p| def.idx.rule_pages.get(ri) == Some(&p));
        let shown = answers.contains_key(&r.field) || page.is_some();
        if here
            && shown
            && !errors.iter().any(|e| e.field == r.field)
            && rule_fails(def, r, answers, today)
        {
            errors.push(err(r.field.clone(), r.message.clone()));
        }
    }
    if let Some((_, faults)) = fees::work_out(def, answers, today) {
        for (field, words) in faults {
            let on_page =
                page.is_none_or(|p| def.idx.fields.get(&field).is_some_and(|(fp, _)| *fp == p));
            if on_page && !errors.iter().any(|e| e.field == field) {
                errors.push(err(field, words));
            }
        }
    }
}

/// See [`Definition::answer_page`].
pub(crate) fn answer_page(
    def: &Definition,
    page_id: &str,
    input: &PageInput,
    today: Today,
    answers: &mut Answers,
) -> Result<(), Vec<FieldError>> {
    let Some(pi) = def.file.pages.iter().position(|p| p.id == page_id) else {
        return Err(vec![err(
            page_id.to_string(),
            Words {
                en: "This page is not part of the application".into(),
                sw: Some(
                    lango_core::country::in_local(
                        "Ukurasa huu si sehemu ya maombi",
                        "Halaman ini bukan sebahagian daripada permohonan",
                        "This page is not part of the application",
                    )
                    .into(),
                ),
            },
        )]);
    };
    let page: &PageDef = &def.file.pages[pi];
    let mut merged = answers.clone();
    for f in &page.fields {
        merged.remove(&f.id);
    }
    let mut errors = Vec::new();
    for f in &page.fields {
        if f.when
            .as_ref()
            .is_some_and(|w| !holds(def, w, &merged, today))
        {
            continue;
        }
        let result = match f.kind {
            FieldType::File => match input.files.iter().find(|(id, _)| *id == f.id) {
                Some((_, a)) => fields::file(f, a)
                    .map(Some)
                    .map_err(|w| vec![err(f.id.clone(), w)]),
                None => Ok(answers.get(&f.id).cloned()),
            },
            FieldType::Group => read_group(def, f, input, &merged, today),
            _ => {
                let raw = posted(input, f);
                let cx = ctx(def, f, None, None, &merged, today);
                fields::validate(f, &raw, &cx).map_err(|w| vec![err(f.id.clone(), w)])
            }
        };
        match result {
            Ok(Some(v)) => {
                merged.insert(f.id.clone(), v);
            }
            Ok(None) if f.required => errors.push(err(f.id.clone(), missing(f))),
            Ok(None) => {}
            Err(es) => errors.extend(es),
        }
    }
    cross_checks(def, &merged, today, Some(pi), &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    *answers = merged;
    Ok(())
}

/// Re-validates a stored answer, returning its canonical form.
fn revalidate(
    def: &Definition,
    f: &FieldDef,
    v: &Value,
    answers: &Answers,
    today: Today,
) -> Result<Value, Vec<FieldError>> {
    let one = |e: Words| vec![err(f.id.clone(), e)];
    let invalid = || {
        fields::say_in(
            f,
            "this answer is not valid: answer the question again",
            "jibu hili si sahihi: jibu swali tena",
            "jawapan ini tidak sah: jawab soalan sekali lagi",
        )
    };
    match f.kind {
        FieldType::File => {
            let a: FileAnswer = serde_json::from_value(v.clone()).map_err(|_| one(invalid()))?;
            fields::file(f, &a).map_err(one)
        }
        FieldType::Group => {
            let rows = v.as_array().ok_or_else(|| one(invalid()))?;
            let mut errors = Vec::new();
            if rows.len() > f.max_items.unwrap_or(10) as usize {
                errors.push(err(f.id.clone(), invalid()));
            }
            let mut out = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let Some(row) = row.as_object() else {
                    errors.push(err(f.id.clone(), invalid()));
                    continue;
                };
                let mut obj = Map::new();
                for sub in &f.fields {
                    let raw = as_raw(row.get(&sub.id));
                    let cx = ctx(def, sub, Some(f), Some(row), answers, today);
                    match raw.map(|r| fields::validate(sub, &r, &cx)) {
                        Some(Ok(Some(x))) => {
                            obj.insert(sub.id.clone(), x);
                        }
                        Some(Ok(None)) | None if sub.required => {
                            errors.push(err(format!("{}.{i}.{}", f.id, sub.id), missing(sub)))
                        }
                        Some(Err(w)) => errors.push(err(format!("{}.{i}.{}", f.id, sub.id), w)),
                        _ => {}
                    }
                }
                out.push(Value::Object(obj));
            }
            count_rows(f, out.len(), &mut errors);
            if errors.is_empty() {
                Ok(Value::Array(out))
            } else {
                Err(errors)
            }
        }
        _ => {
            let raw = as_raw(Some(v)).ok_or_else(|| one(invalid()))?;
            let cx = ctx(def, f, None, None, answers, today);
            match fields::validate(f, &raw, &cx) {
                Ok(Some(x)) => Ok(x),
                Ok(None) => Err(one(missing(f))),
                Err(w) => Err(one(w)),
            }
        }
    }
}

/// A stored string or list of strings as posted values.
fn as_raw(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// The ids of top-level fields shown for these answers.
fn shown_ids(def: &Definition, answers: &Answers, today: Today) -> Vec<String> {
    let mut out = Vec::new();
    for page in def.pages_at(answers, today) {
        for f in def.fields_at(page, answers, today) {
            out.push(f.id.clone());
        }
    }
    out
}

/// See [`Definition::check_all`].
pub(crate) fn check_all(
    def: &Definition,
    answers: &Answers,
    today: Today,
) -> Result<Answers, Vec<FieldError>> {
    let mut a = answers.clone();
    // Dropping a hidden answer can hide more: repeat until nothing changes.
    for _ in 0..=def.file.pages.len() + 1 {
        let shown = shown_ids(def, &a, today);
        let before = a.len();
        a.retain(|k, v| shown.contains(k) && is_answered(v));
        if a.len() == before {
            break;
        }
    }
    let mut errors = Vec::new();
    for id in shown_ids(def, &a, today) {
        let Some(f) = def.field(&id) else { continue };
        match a.get(&id) {
            None if f.required => errors.push(err(id.clone(), missing(f))),
            None => {}
            Some(v) => match revalidate(def, f, v, &a, today) {
                Ok(canon) => {
                    a.insert(id.clone(), canon);
                }
                Err(es) => errors.extend(es),
            },
        }
    }
    cross_checks(def, &a, today, None, &mut errors);
    if errors.is_empty() {
        Ok(a)
    } else {
        Err(errors)
    }
}

/// See [`Definition::prefill`]: only values valid for their field are taken.
pub(crate) fn prefill(def: &Definition, profile: &Profile, today: Today) -> Answers {
    let mut out = Answers::new();
    for page in &def.file.pages {
        for f in &page.fields {
            let Some(key) = f.prefill.as_deref() else {
                continue;
            };
            let Some((_, value)) = profile.values.iter().find(|(k, _)| k == key) else {
                continue;
            };
            let cx = ctx(def, f, None, None, &out, today);
            if let Ok(Some(v)) = fields::validate(f, std::slice::from_ref(value), &cx) {
                out.insert(f.id.clone(), v);
            }
        }
    }
    out
}
