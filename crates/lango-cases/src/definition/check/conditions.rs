//! Checks of conditions and rules: one form each, fields that exist and come before.

use super::super::model::*;
use super::{kind_name, Ck, MAX_COND_DEPTH};

impl<'a> Ck<'a> {
    /// Checks a condition that may name fields before `before` (page, position).
    pub(super) fn cond(&mut self, path: &str, c: &Condition, before: (usize, usize), depth: usize) {
        if depth > MAX_COND_DEPTH {
            self.err(
                path.to_string(),
                format!("conditions may be nested at most {MAX_COND_DEPTH} deep"),
            );
            return;
        }
        let forms = [
            c.field.is_some(),
            c.all.is_some(),
            c.any.is_some(),
            c.not.is_some(),
        ];
        let ops = [
            c.equals.is_some(),
            c.not_equals.is_some(),
            c.one_of.is_some(),
            c.answered.is_some(),
            c.less_than.is_some(),
            c.more_than.is_some(),
        ];
        let nforms = forms.iter().filter(|x| **x).count();
        let nops = ops.iter().filter(|x| **x).count();
        if nforms != 1 {
            self.err(
                path.to_string(),
                "a condition needs exactly one of `field`, `all`, `any` or `not`",
            );
            return;
        }
        if let Some(list) = c.all.as_ref().or(c.any.as_ref()) {
            let key = if c.all.is_some() { "all" } else { "any" };
            if list.is_empty() {
                self.err(
                    format!("{path}.{key}"),
                    format!("`{key}` needs at least one condition"),
                );
            }
            for (i, sub) in list.iter().enumerate() {
                self.cond(&format!("{path}.{key}[{i}]"), sub, before, depth + 1);
            }
        }
        if let Some(sub) = &c.not {
            self.cond(&format!("{path}.not"), sub, before, depth + 1);
        }
        if c.field.is_none() {
            if nops > 0 {
                self.err(
                    path.to_string(),
                    "`equals`, `one_of`, `answered`, `less_than`… need a `field`",
                );
            }
            return;
        }
        if nops != 1 {
            self.err(path.to_string(), "a field test needs exactly one of `equals`, `not_equals`, `one_of`, `answered`, `less_than` or `more_than`");
            return;
        }
        let id = c.field.as_deref().unwrap_or_default();
        let Some(f) = self.named(&format!("{path}.field"), id, before) else {
            return;
        };
        // `equals: field:ID` and `not_equals: field:ID` compare two answers of one type.
        for (key, operand) in [("equals", &c.equals), ("not_equals", &c.not_equals)] {
            let Some(other) = operand.as_deref().and_then(|op| op.strip_prefix("field:")) else {
                continue;
            };
            if let Some(o) = self.named(&format!("{path}.{key}"), other, before) {
                if o.kind != f.kind || matches!(f.kind, FieldType::Group | FieldType::File) {
                    self.err(
                        format!("{path}.{key}"),
                        format!("`{id}` and `{other}` are not of the same type"),
                    );
                }
            }
        }
        let values: Vec<&String> = c
            .equals
            .iter()
            .chain(c.not_equals.iter())
            .filter(|v| !v.starts_with("field:"))
            .chain(c.one_of.iter().flatten())
            .collect();
        let known: Option<Vec<&str>> = match f.kind {
            FieldType::Choice | FieldType::MultipleChoice => {
                Some(f.choices.iter().map(|c| c.value.as_str()).collect())
            }
            FieldType::YesNo => Some(vec!["yes", "no"]),
            _ => None,
        };
        if let Some(known) = known {
            for v in values {
                if !known.contains(&v.as_str()) {
                    self.err(
                        path.to_string(),
                        format!(
                            "field `{id}` has no value `{v}`; its values are {}",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        for (key, operand) in [("less_than", &c.less_than), ("more_than", &c.more_than)] {
            let Some(op) = operand else { continue };
            if !matches!(
                f.kind,
                FieldType::Number | FieldType::Money | FieldType::Date
            ) {
                self.err(
                    format!("{path}.{key}"),
                    format!(
                        "`{key}` compares numbers, money or dates; `{id}` is a {} field",
                        kind_name(f.kind)
                    ),
                );
                continue;
            }
            if let Some(other) = op.strip_prefix("field:") {
                if let Some(o) = self.named(&format!("{path}.{key}"), other, before) {
                    if o.kind != f.kind {
                        self.err(
                            format!("{path}.{key}"),
                            format!("`{id}` and `{other}` are not of the same type"),
                        );
                    }
                }
            } else if self.bound(f.kind, op).is_none() {
                self.err(
                    format!("{path}.{key}"),
                    format!("`{op}` is not a valid {} for `{id}`", kind_name(f.kind)),
                );
            }
        }
    }

    /// A field named by a condition, rule or fee: it must exist (outside groups) and come before `before`.
    pub(super) fn named(
        &mut self,
        path: &str,
        id: &str,
        before: (usize, usize),
    ) -> Option<&'a FieldDef> {
        match self.fields.get(id).copied() {
            None => {
                self.err(path.to_string(), format!("there is no field `{id}`"));
                None
            }
            Some((p, i, f)) => {
                if (p, i) >= before {
                    self.err(path.to_string(), format!("field `{id}` is not asked before this point; a condition can only name fields on earlier pages or earlier on the same page"));
                    return None;
                }
                Some(f)
            }
        }
    }

    pub(super) fn rules(&mut self) -> Vec<usize> {
        let mut pages = Vec::new();
        if self.file.rules.len() > 100 {
            self.err("rules", "a definition may have at most 100 rules");
        }
        for (ri, r) in self.file.rules.iter().enumerate() {
            let path = format!("rules[{ri}]");
            self.cond(&format!("{path}.check"), &r.check, (usize::MAX, 0), 0);
            if let Some(w) = &r.when {
                self.cond(&format!("{path}.when"), w, (usize::MAX, 0), 0);
            }
            self.words(format!("{path}.message"), &r.message);
            let mut named = Vec::new();
            cond_fields(&r.check, &mut named);
            if let Some(w) = &r.when {
                cond_fields(w, &mut named);
            }
            let last = named
                .iter()
                .filter_map(|n| self.fields.get(n.as_str()).map(|x| x.0))
                .max();
            match self.fields.get(r.field.as_str()).map(|x| x.0) {
                None => {
                    self.err(
                        format!("{path}.field"),
                        format!("there is no field `{}`", r.field),
                    );
                    pages.push(0);
                }
                Some(p) => {
                    let last = last.unwrap_or(p).max(p);
                    if p != last {
                        self.err(format!("{path}.field"), format!("the rule is checked on page `{}`, where its last field is asked; `field` must be on that page", self.file.pages[last].id));
                    }
                    pages.push(last);
                }
            }
        }
        pages
    }
}

/// Every field a condition names (including `field:ID` operands).
pub(crate) fn cond_fields(c: &Condition, out: &mut Vec<String>) {
    if let Some(f) = &c.field {
        out.push(f.clone());
    }
    for op in [&c.less_than, &c.more_than, &c.equals, &c.not_equals]
        .into_iter()
        .flatten()
    {
        if let Some(f) = op.strip_prefix("field:") {
            out.push(f.to_string());
        }
    }
    for sub in c.all.iter().chain(c.any.iter()).flatten() {
        cond_fields(sub, out);
    }
    if let Some(n) = &c.not {
        cond_fields(n, out);
    }
}
