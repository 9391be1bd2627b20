//! The checks serde cannot make: ids unique and known, keys that fit their field type,
//! conditions that name earlier fields, fees that price every choice, a workflow whose
//! every state is reachable. Every problem is collected, each with its line.

use super::formula::Expr;
use super::lines::Lines;
use super::model::*;
use super::DefinitionError;
use lango_core::money::Currency;
use regex::Regex;
use std::collections::{HashMap, HashSet};

mod conditions;
mod fees;
mod fields;
mod workflow;

pub(crate) use conditions::cond_fields;

/// What checking learns about a definition, kept for answering questions fast.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    /// Top-level field id → (page index, position on the page).
    pub(crate) fields: HashMap<String, (usize, usize)>,
    /// Compiled, anchored patterns by field id (`GROUP.FIELD` inside groups).
    pub(crate) patterns: HashMap<String, Regex>,
    /// The parsed formula of each fee item that has one.
    pub(crate) formulas: Vec<Option<Expr>>,
    /// The page each rule is checked on.
    pub(crate) rule_pages: Vec<usize>,
    /// The fee currency (the country's when there are no fees).
    pub(crate) currency: Currency,
}

/// Most pages a definition may have.
pub const MAX_PAGES: usize = 50;
/// Most fields (counting those inside groups).
pub const MAX_FIELDS: usize = 300;
/// Most workflow states.
pub const MAX_STATES: usize = 50;
/// Most choices of one field.
pub const MAX_CHOICES: usize = 300;
/// Deepest nesting of `all`/`any`/`not`.
const MAX_COND_DEPTH: usize = 8;

/// Profile keys a field may be prefilled from.
pub const PREFILL_KEYS: [&str; 10] = [
    "full_name",
    "given_name",
    "family_name",
    "date_of_birth",
    "phone",
    "email",
    "national_id",
    "county",
    "sub_county",
    "postal_address",
];

struct Ck<'a> {
    file: &'a DefinitionFile,
    lines: &'a Lines,
    errors: Vec<DefinitionError>,
    /// Top-level fields: id → (page, position, field).
    fields: HashMap<&'a str, (usize, usize, &'a FieldDef)>,
    patterns: HashMap<String, Regex>,
    currency: Currency,
}

fn id_ok(id: &str, dash: bool) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || (dash && *c == b'-')
        })
}

fn kind_name(k: FieldType) -> &'static str {
    match k {
        FieldType::Text => "text",
        FieldType::Number => "number",
        FieldType::Money => "money",
        FieldType::Date => "date",
        FieldType::Choice => "choice",
        FieldType::MultipleChoice => "multiple_choice",
        FieldType::YesNo => "yes_no",
        FieldType::NationalId => "national_id",
        FieldType::Phone => "phone",
        FieldType::Email => "email",
        FieldType::County => "county",
        FieldType::SubCounty => "sub_county",
        FieldType::File => "file",
        FieldType::Group => "group",
    }
}

/// Checks a deserialised file; returns what later questions need, or every error.
pub(crate) fn check(file: &DefinitionFile, lines: &Lines) -> Result<Index, Vec<DefinitionError>> {
    // The served country's currency, or US dollars (anything else is refused in `fees`).
    let currency = match file.fees.as_ref().map(|f| f.currency.as_str()) {
        Some("USD") => Currency::Usd,
        _ => lango_core::country::current().currency,
    };
    let mut ck = Ck {
        file,
        lines,
        errors: Vec::new(),
        fields: HashMap::new(),
        patterns: HashMap::new(),
        currency,
    };
    ck.top();
    ck.pages();
    let rule_pages = ck.rules();
    let formulas = ck.fees();
    ck.workflow();
    ck.outputs();
    if !ck.errors.is_empty() {
        ck.errors.sort_by_key(|e| e.line.unwrap_or(usize::MAX));
        return Err(ck.errors);
    }
    let fields = ck
        .fields
        .iter()
        .map(|(k, (p, i, _))| (k.to_string(), (*p, *i)))
        .collect();
    Ok(Index {
        fields,
        patterns: ck.patterns,
        formulas,
        rule_pages,
        currency,
    })
}

impl<'a> Ck<'a> {
    pub(super) fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let path = path.into();
        self.errors.push(DefinitionError {
            line: self.lines.line(&path),
            path,
            message: message.into(),
        });
    }

    pub(super) fn words(&mut self, path: String, w: &Words) {
        if w.en.trim().is_empty() {
            self.err(format!("{path}.en"), "the English words must not be empty");
        }
        if w.en.len() > 5000 || w.sw.as_ref().is_some_and(|s| s.len() > 5000) {
            self.err(path, "words are limited to 5000 characters");
        }
    }

    pub(super) fn top(&mut self) {
        let s = &self.file.service;
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-');
        if !ok {
            self.err(
                "service",
                "the service code must be capital letters, digits and `-`, e.g. `DIS-PASSPORT`",
            );
        }
        self.words("title".into(), &self.file.title);
        self.words("declaration".into(), &self.file.declaration);
        if let Some(s) = &self.file.start {
            self.words("start".into(), s);
        }
    }

    pub(super) fn pages(&mut self) {
        let file = self.file;
        if file.pages.is_empty() {
            self.err("pages", "a definition needs at least one page");
        }
        if file.pages.len() > MAX_PAGES {
            self.err(
                "pages",
                format!("a definition may have at most {MAX_PAGES} pages"),
            );
        }
        let total: usize = file
            .pages
            .iter()
            .map(|p| p.fields.iter().map(|f| 1 + f.fields.len()).sum::<usize>())
            .sum();
        if total > MAX_FIELDS {
            self.err(
                "pages",
                format!("a definition may have at most {MAX_FIELDS} fields, this one has {total}"),
            );
        }
        // First every id, so conditions can name fields wherever they are.
        let mut page_ids = HashSet::new();
        for (pi, page) in file.pages.iter().enumerate() {
            if !id_ok(&page.id, true) {
                self.err(format!("pages[{pi}].id"), format!("page id `{}` must be lower-case letters, digits, `_` and `-`, starting with a letter", page.id));
            } else if !page_ids.insert(page.id.as_str()) {
                self.err(
                    format!("pages[{pi}].id"),
                    format!("page id `{}` is used twice", page.id),
                );
            }
            if page.fields.is_empty() {
                self.err(
                    format!("pages[{pi}].fields"),
                    "a page needs at least one field",
                );
            }
            for (fi, f) in page.fields.iter().enumerate() {
                if self.fields.contains_key(f.id.as_str()) {
                    self.err(
                        format!("pages[{pi}].fields[{fi}].id"),
                        format!("field id `{}` is used twice", f.id),
                    );
                } else {
                    self.fields.insert(&f.id, (pi, fi, f));
                }
            }
        }
        for (pi, page) in file.pages.iter().enumerate() {
            self.words(format!("pages[{pi}].title"), &page.title);
            if let Some(c) = &page.when {
                self.cond(&format!("pages[{pi}].when"), c, (pi, 0), 0);
            }
            for (fi, f) in page.fields.iter().enumerate() {
                let path = format!("pages[{pi}].fields[{fi}]");
                self.field(&path, f, None, (pi, fi));
            }
        }
    }
}
