//! Checks of fees: one kind per item, exact amounts, every choice priced, bands, formulas.

use super::super::formula::Expr;
use super::super::model::*;
use super::super::values::Dec;
use super::{kind_name, Ck};
use lango_core::money::Money;

impl<'a> Ck<'a> {
    pub(super) fn fees(&mut self) -> Vec<Option<Expr>> {
        let Some(fees) = &self.file.fees else {
            return Vec::new();
        };
        let mut formulas = Vec::new();
        // The home currency, or US dollars where the country bills in them.
        let pack = lango_core::country::current();
        let home = pack.currency.code();
        let dollars = pack
            .bill_currencies
            .contains(&lango_core::money::Currency::Usd);
        if fees.currency != home && !(dollars && fees.currency == "USD") {
            let allowed = if dollars {
                format!("{home} or USD")
            } else {
                home.to_string()
            };
            self.err(
                "fees.currency",
                format!(
                    "the fee currency must be {allowed}, not `{}`",
                    fees.currency
                ),
            );
        }
        if fees.items.is_empty() || fees.items.len() > 20 {
            self.err("fees.items", "fees need between 1 and 20 items");
        }
        let cur = self.currency;
        let amount_ok = |s: &str| Money::parse_decimal(s.trim(), cur).is_ok();
        for (ii, item) in fees.items.iter().enumerate() {
            let path = format!("fees.items[{ii}]");
            self.words(format!("{path}.label"), &item.label);
            formulas.push(None);
            if let Some(w) = &item.when {
                self.cond(&format!("{path}.when"), w, (usize::MAX, 0), 0);
            }
            let kinds = [
                item.amount.is_some(),
                item.by_choice.is_some(),
                item.by_bands.is_some(),
                item.formula.is_some(),
            ];
            if kinds.iter().filter(|k| **k).count() != 1 {
                self.err(path.clone(), "a fee item needs exactly one of `amount`, `by_choice`, `by_bands` or `formula`");
                continue;
            }
            let bad_amount = |v: &str| {
                format!("`{v}` is not an amount in {}: write digits with at most {} decimals, e.g. `1050.00`", cur.code(), cur.exponent())
            };
            if let Some(a) = &item.amount {
                if !amount_ok(a) {
                    self.err(format!("{path}.amount"), bad_amount(a));
                }
            }
            if let Some(bc) = &item.by_choice {
                let p = format!("{path}.by_choice");
                if let Some(f) = self.named(&format!("{p}.field"), &bc.field, (usize::MAX, 0)) {
                    let values: Vec<String> = match f.kind {
                        FieldType::Choice => f.choices.iter().map(|c| c.value.clone()).collect(),
                        FieldType::YesNo => vec!["yes".into(), "no".into()],
                        _ => {
                            self.err(format!("{p}.field"), format!("`by_choice` needs a choice or yes_no field; `{}` is a {} field", bc.field, kind_name(f.kind)));
                            Vec::new()
                        }
                    };
                    for v in &values {
                        if !bc.amounts.contains_key(v) {
                            self.err(
                                format!("{p}.amounts"),
                                format!("choice `{v}` of `{}` has no amount", bc.field),
                            );
                        }
                    }
                    for (k, a) in &bc.amounts {
                        if !values.is_empty() && !values.contains(k) {
                            self.err(
                                format!("{p}.amounts.{k}"),
                                format!("`{}` has no choice `{k}`", bc.field),
                            );
                        }
                        if !amount_ok(a) {
                            self.err(format!("{p}.amounts.{k}"), bad_amount(a));
                        }
                    }
                }
            }
            if let Some(bb) = &item.by_bands {
                let p = format!("{path}.by_bands");
                if let Some(f) = self.named(&format!("{p}.field"), &bb.field, (usize::MAX, 0)) {
                    if !matches!(f.kind, FieldType::Number | FieldType::Money) {
                        self.err(
                            format!("{p}.field"),
                            format!(
                                "`by_bands` needs a number or money field; `{}` is a {} field",
                                bb.field,
                                kind_name(f.kind)
                            ),
                        );
                    }
                }
                if bb.bands.is_empty() {
                    self.err(format!("{p}.bands"), "`by_bands` needs at least one band");
                }
                let mut prev: Option<Dec> = None;
                for (bi, b) in bb.bands.iter().enumerate() {
                    let bp = format!("{p}.bands[{bi}]");
                    if !amount_ok(&b.amount) {
                        self.err(format!("{bp}.amount"), bad_amount(&b.amount));
                    }
                    let last = bi + 1 == bb.bands.len();
                    match (&b.up_to, last) {
                        (Some(_), true) => self.err(
                            format!("{bp}.up_to"),
                            "the last band must have no `up_to`: it takes every larger answer",
                        ),
                        (None, false) => {
                            self.err(bp.clone(), "only the last band may leave out `up_to`")
                        }
                        (Some(u), false) => match Dec::parse(u.trim()) {
                            None => self.err(
                                format!("{bp}.up_to"),
                                format!("`up_to` must be a number, not `{u}`"),
                            ),
                            Some(d) => {
                                if prev.is_some_and(|p| p >= d) {
                                    self.err(
                                        format!("{bp}.up_to"),
                                        "bands must be in increasing `up_to`",
                                    );
                                }
                                prev = Some(d);
                            }
                        },
                        (None, true) => {}
                    }
                }
            }
            if let Some(src) = &item.formula {
                let p = format!("{path}.formula");
                match Expr::parse(src) {
                    Err(e) => self.err(p, format!("the formula cannot be read: {e}")),
                    Ok(e) => {
                        let mut ok = true;
                        for id in e.fields() {
                            let Some(f) = self.named(&p, &id, (usize::MAX, 0)) else {
                                ok = false;
                                continue;
                            };
                            let numeric = match f.kind {
                                FieldType::Number | FieldType::Money => true,
                                FieldType::Choice => {
                                    f.choices.iter().all(|c| Dec::parse(&c.value).is_some())
                                }
                                _ => false,
                            };
                            if !numeric {
                                ok = false;
                                self.err(p.clone(), format!("a formula can only use number and money fields, or choices whose values are numbers; `{id}` is not one"));
                            }
                        }
                        // A formula without fields is worked out now: a fault is the author's.
                        if ok && e.fields().is_empty() {
                            let v = e
                                .eval(&|_| None)
                                .ok()
                                .and_then(|d| d.to_minor(cur.exponent()));
                            if v.is_none_or(|m| m < 0) {
                                ok = false;
                                self.err(p.clone(), "the formula cannot be worked out: a division by zero, a result too large, or a negative amount");
                            }
                        }
                        if ok {
                            *formulas.last_mut().expect("pushed above") = Some(e);
                        }
                    }
                }
            }
        }
        formulas
    }
}
