//! Evaluating conditions (`when`, rule checks) on answers.
//!
//! An unanswered field makes every test false except `answered: false` and
//! `not_equals`, so a page shown "when X is yes" stays hidden until X is answered.

use super::model::{Condition, FieldType};
use super::values::{date_bound, parse_date, Dec};
use super::{Answers, Definition, Today};
use lango_core::money::Money;
use serde_json::Value;

/// Whether an answer counts as given.
pub(crate) fn is_answered(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

fn matches(v: &Value, want: &str) -> bool {
    match v {
        Value::String(s) => s == want,
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some(want)),
        _ => false,
    }
}

/// An answer of a number, money or date field as a comparable integer.
fn ordinal(kind: FieldType, v: &Value) -> Option<i128> {
    let s = v.as_str()?;
    match kind {
        FieldType::Number | FieldType::Money => Dec::parse(s).map(|d| d.0),
        FieldType::Date => parse_date(s).map(i128::from),
        _ => None,
    }
}

/// Whether `c` holds for these answers.
pub(crate) fn holds(def: &Definition, c: &Condition, answers: &Answers, today: Today) -> bool {
    if let Some(all) = &c.all {
        return all.iter().all(|x| holds(def, x, answers, today));
    }
    if let Some(any) = &c.any {
        return any.iter().any(|x| holds(def, x, answers, today));
    }
    if let Some(not) = &c.not {
        return !holds(def, not, answers, today);
    }
    let Some(id) = c.field.as_deref() else {
        return false;
    };
    let value = answers.get(id).filter(|v| is_answered(v));
    if let Some(want) = c.answered {
        return want == value.is_some();
    }
    // `field:ID` stands for that field's answer (unanswered: no value to be equal to).
    let other = |op: &str| -> Option<Option<String>> {
        let id = op.strip_prefix("field:")?;
        Some(
            answers
                .get(id)
                .filter(|v| is_answered(v))
                .and_then(|v| v.as_str().map(str::to_string)),
        )
    };
    if let Some(ne) = &c.not_equals {
        return match other(ne) {
            Some(Some(o)) => value.is_none_or(|v| !matches(v, &o)),
            Some(None) => true,
            None => value.is_none_or(|v| !matches(v, ne)),
        };
    }
    let Some(v) = value else { return false };
    if let Some(eq) = &c.equals {
        return match other(eq) {
            Some(Some(o)) => matches(v, &o),
            Some(None) => false,
            None => matches(v, eq),
        };
    }
    if let Some(list) = &c.one_of {
        return list.iter().any(|x| matches(v, x));
    }
    let Some(kind) = def.field(id).map(|f| f.kind) else {
        return false;
    };
    let Some(left) = ordinal(kind, v) else {
        return false;
    };
    let operand = |op: &str| -> Option<i128> {
        if let Some(other) = op.strip_prefix("field:") {
            return answers.get(other).and_then(|o| ordinal(kind, o));
        }
        match kind {
            FieldType::Number => Dec::parse(op.trim()).map(|d| d.0),
            FieldType::Money => Money::parse_decimal(op.trim(), def.currency())
                .ok()
                .and_then(|m| Dec::parse(&m.to_decimal()))
                .map(|d| d.0),
            FieldType::Date => date_bound(op, today).map(i128::from),
            _ => None,
        }
    };
    if let Some(lt) = &c.less_than {
        return operand(lt).is_some_and(|r| left < r);
    }
    if let Some(mt) = &c.more_than {
        return operand(mt).is_some_and(|r| left > r);
    }
    false
}
