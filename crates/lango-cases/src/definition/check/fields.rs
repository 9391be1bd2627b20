//! Checks of each field: id, keys that fit its type, bounds, choices, patterns, groups.

use super::super::model::*;
use super::super::values::{date_bound, Dec};
use super::super::Today;
use super::{id_ok, kind_name, Ck, MAX_CHOICES, PREFILL_KEYS};
use lango_core::money::Money;
use std::collections::HashSet;

impl<'a> Ck<'a> {
    pub(super) fn field(
        &mut self,
        path: &str,
        f: &'a FieldDef,
        group: Option<&'a FieldDef>,
        at: (usize, usize),
    ) {
        use FieldType as T;
        if !id_ok(&f.id, false) {
            self.err(format!("{path}.id"), format!("field id `{}` must be lower-case letters, digits and `_`, starting with a letter", f.id));
        }
        self.words(format!("{path}.label"), &f.label);
        let k = f.kind;
        let name = kind_name(k);
        let only = |ck: &mut Self, present: bool, key: &str, kinds: &[T], what: &str| {
            if present && !kinds.contains(&k) {
                ck.err(
                    format!("{path}.{key}"),
                    format!("`{key}` is only for {what} fields, not for {name} fields"),
                );
            }
        };
        only(
            self,
            f.min_length.is_some(),
            "min_length",
            &[T::Text],
            "text",
        );
        only(
            self,
            f.max_length.is_some(),
            "max_length",
            &[T::Text],
            "text",
        );
        only(self, f.pattern.is_some(), "pattern", &[T::Text], "text");
        only(
            self,
            f.pattern_message.is_some(),
            "pattern_message",
            &[T::Text],
            "text",
        );
        only(
            self,
            f.min.is_some(),
            "min",
            &[T::Number, T::Money, T::Date],
            "number, money and date",
        );
        only(
            self,
            f.max.is_some(),
            "max",
            &[T::Number, T::Money, T::Date],
            "number, money and date",
        );
        only(
            self,
            f.decimals.is_some(),
            "decimals",
            &[T::Number],
            "number",
        );
        only(
            self,
            !f.choices.is_empty(),
            "choices",
            &[T::Choice, T::MultipleChoice],
            "choice and multiple_choice",
        );
        only(
            self,
            f.min_items.is_some(),
            "min_items",
            &[T::MultipleChoice, T::Group],
            "multiple_choice and group",
        );
        only(
            self,
            f.max_items.is_some(),
            "max_items",
            &[T::MultipleChoice, T::Group],
            "multiple_choice and group",
        );
        only(
            self,
            f.county_field.is_some(),
            "county_field",
            &[T::SubCounty],
            "sub_county",
        );
        only(self, !f.accept.is_empty(), "accept", &[T::File], "file");
        only(
            self,
            f.max_size_kb.is_some(),
            "max_size_kb",
            &[T::File],
            "file",
        );
        only(self, !f.fields.is_empty(), "fields", &[T::Group], "group");

        if let Some(h) = &f.hint {
            self.words(format!("{path}.hint"), h);
        }
        if let Some(p) = &f.prefill {
            if group.is_some() {
                self.err(
                    format!("{path}.prefill"),
                    "fields inside a group cannot be prefilled",
                );
            } else if !PREFILL_KEYS.contains(&p.as_str()) {
                self.err(
                    format!("{path}.prefill"),
                    format!(
                        "unknown prefill key `{p}`; known keys: {}",
                        PREFILL_KEYS.join(", ")
                    ),
                );
            }
        }
        if let Some(c) = &f.when {
            // Inside a group, conditions name fields before the group.
            self.cond(&format!("{path}.when"), c, at, 0);
        }
        match k {
            T::Text => {
                if let Some(m) = f.max_length {
                    if m == 0 || m > 10_000 {
                        self.err(
                            format!("{path}.max_length"),
                            "`max_length` must be between 1 and 10000",
                        );
                    }
                }
                if f.min_length.unwrap_or(0) > f.max_length.unwrap_or(500) {
                    self.err(
                        format!("{path}.min_length"),
                        "`min_length` is more than `max_length`",
                    );
                }
                if let Some(p) = &f.pattern {
                    match regex::RegexBuilder::new(&format!("^(?:{p})$"))
                        .size_limit(1 << 20)
                        .dfa_size_limit(1 << 20)
                        .build()
                    {
                        Ok(re) => {
                            let key = match group {
                                Some(g) => format!("{}.{}", g.id, f.id),
                                None => f.id.clone(),
                            };
                            self.patterns.insert(key, re);
                        }
                        Err(e) => {
                            let first = e
                                .to_string()
                                .lines()
                                .last()
                                .unwrap_or("")
                                .trim()
                                .to_string();
                            self.err(
                                format!("{path}.pattern"),
                                format!("the pattern is not a valid regular expression: {first}"),
                            );
                        }
                    }
                }
            }
            T::Number | T::Money | T::Date => {
                if k == T::Number && f.decimals.unwrap_or(0) > 6 {
                    self.err(format!("{path}.decimals"), "`decimals` must be at most 6");
                }
                let mut bounds = [None, None];
                for (i, (key, v)) in [("min", &f.min), ("max", &f.max)].into_iter().enumerate() {
                    let Some(v) = v else { continue };
                    let parsed = self.bound(k, v);
                    if parsed.is_none() {
                        let what = match k {
                            T::Number => "a number such as `18` or `-2.5`".to_string(),
                            T::Money => format!("an amount in {} such as `1050.00`", self.currency.code()),
                            _ => "a date `YYYY-MM-DD`, `today`, or `today-18y` / `today+30d` / `today-6m`".to_string(),
                        };
                        self.err(
                            format!("{path}.{key}"),
                            format!("`{key}` must be {what}, not `{v}`"),
                        );
                    }
                    bounds[i] = parsed;
                }
                if k != T::Date {
                    if let [Some(lo), Some(hi)] = bounds {
                        if lo > hi {
                            self.err(format!("{path}.min"), "`min` is more than `max`");
                        }
                    }
                }
            }
            T::Choice | T::MultipleChoice => {
                if f.choices.is_empty() {
                    self.err(
                        format!("{path}.choices"),
                        format!("a {name} field needs `choices`"),
                    );
                }
                if f.choices.len() > MAX_CHOICES {
                    self.err(
                        format!("{path}.choices"),
                        format!("at most {MAX_CHOICES} choices"),
                    );
                }
                let mut seen = HashSet::new();
                for (ci, c) in f.choices.iter().enumerate() {
                    let ok = !c.value.is_empty()
                        && c.value.len() <= 64
                        && c.value.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                        });
                    if !ok {
                        self.err(
                            format!("{path}.choices[{ci}].value"),
                            format!(
                                "choice value `{}` must be lower-case letters, digits, `_` and `-`",
                                c.value
                            ),
                        );
                    } else if !seen.insert(c.value.as_str()) {
                        self.err(
                            format!("{path}.choices[{ci}].value"),
                            format!("choice value `{}` is used twice", c.value),
                        );
                    }
                    self.words(format!("{path}.choices[{ci}].label"), &c.label);
                }
                if let (Some(lo), Some(hi)) = (f.min_items, f.max_items) {
                    if lo > hi {
                        self.err(
                            format!("{path}.min_items"),
                            "`min_items` is more than `max_items`",
                        );
                    }
                }
            }
            T::SubCounty => match f.county_field.as_deref() {
                None => self.err(
                    path.to_string(),
                    "a sub_county field needs `county_field`, the id of its county field",
                ),
                Some(c) => {
                    // The county must be asked first: earlier in the group, or before the field.
                    let sibling = group.and_then(|g| {
                        let me = g.fields.iter().position(|s| s.id == f.id)?;
                        g.fields[..me].iter().find(|s| s.id == c)
                    });
                    let target = sibling
                        .or_else(|| self.fields.get(c).filter(|x| (x.0, x.1) < at).map(|x| x.2));
                    if target.map(|t| t.kind) != Some(T::County) {
                        self.err(
                            format!("{path}.county_field"),
                            format!("`county_field` must name a county field asked before this one; `{c}` is not one"),
                        );
                    }
                }
            },
            T::File => {
                if group.is_some() {
                    self.err(
                        format!("{path}.type"),
                        "file fields cannot be inside a group",
                    );
                }
                for (ai, a) in f.accept.iter().enumerate() {
                    if !["pdf", "jpeg", "png"].contains(&a.as_str()) {
                        self.err(
                            format!("{path}.accept[{ai}]"),
                            format!("`{a}` is not a known file type; use pdf, jpeg or png"),
                        );
                    }
                }
                if let Some(s) = f.max_size_kb {
                    if s == 0 || s > 10_240 {
                        self.err(
                            format!("{path}.max_size_kb"),
                            "`max_size_kb` must be between 1 and 10240",
                        );
                    }
                }
            }
            T::Group => {
                if group.is_some() {
                    self.err(
                        format!("{path}.type"),
                        "groups cannot be nested inside groups",
                    );
                    return;
                }
                if f.fields.is_empty() {
                    self.err(format!("{path}.fields"), "a group needs `fields`");
                }
                if f.max_items.unwrap_or(10) > 50 || f.max_items == Some(0) {
                    self.err(
                        format!("{path}.max_items"),
                        "a group's `max_items` must be between 1 and 50",
                    );
                }
                if f.min_items.unwrap_or(0) > f.max_items.unwrap_or(10) {
                    self.err(
                        format!("{path}.min_items"),
                        "`min_items` is more than `max_items`",
                    );
                }
                let mut seen = HashSet::new();
                for (si, sub) in f.fields.iter().enumerate() {
                    let sp = format!("{path}.fields[{si}]");
                    if !seen.insert(sub.id.as_str()) {
                        self.err(
                            format!("{sp}.id"),
                            format!("field id `{}` is used twice in this group", sub.id),
                        );
                    }
                    if sub.when.is_some() {
                        self.err(
                            format!("{sp}.when"),
                            "fields inside a group cannot have `when`; put it on the group",
                        );
                        continue;
                    }
                    self.field(&sp, sub, Some(f), at);
                }
            }
            _ => {}
        }
    }

    /// A min/max bound parsed for its field type (dates against a fixed day: syntax only).
    pub(super) fn bound(&self, k: FieldType, v: &str) -> Option<Dec> {
        match k {
            FieldType::Number => Dec::parse(v.trim()),
            FieldType::Money => Money::parse_decimal(v.trim(), self.currency)
                .ok()
                .and_then(|m| Dec::parse(&m.to_decimal())),
            FieldType::Date => date_bound(v, Today { days: 20_000 }).map(Dec::from_int),
            _ => None,
        }
    }
}
