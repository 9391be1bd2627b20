//! Reading the files the performance office writes (YAML, or JSON, which is YAML too) and
//! checking them: every problem is reported at once, each naming its place and line, and
//! nothing partly right is ever stored.

mod contract;
mod period;

pub use contract::{parse_contract, parse_value};
pub use period::parse_period;

use super::decimal::{Dec, Num};
use super::model::*;
use lango_cases::definition::lines::Lines;
use serde::de::DeserializeOwned;

/// The largest file accepted.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// The most indicators in one contract.
pub const MAX_INDICATORS: usize = 40;

/// Problems found so far, and where each place is in the text.
pub(super) struct Check {
    pub(super) lines: Lines,
    pub(super) problems: Vec<Problem>,
}

impl Check {
    pub(super) fn add(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            line: if path.is_empty() {
                None
            } else {
                self.lines.line(path)
            },
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// A required value, trimmed.
    pub(super) fn required<'a>(&mut self, path: &str, v: &'a Option<Num>) -> Option<&'a str> {
        match v.as_ref().map(|n| n.0.trim()) {
            Some(s) if !s.is_empty() => Some(s),
            _ => {
                self.add(path, "is missing; it is required");
                None
            }
        }
    }

    /// A required single-line text of at most `max` characters.
    pub(super) fn text(&mut self, path: &str, v: &Option<Num>, max: usize) -> Option<String> {
        let s = self.required(path, v)?;
        if s.chars().count() > max || s.contains(['\n', '\r']) {
            self.add(
                path,
                format!("must be one line of at most {max} characters"),
            );
            return None;
        }
        Some(s.to_string())
    }

    /// A required code: `ok` says which characters, `example` shows one.
    pub(super) fn code(
        &mut self,
        path: &str,
        v: &Option<Num>,
        ok: fn(&str) -> bool,
        rule: &str,
    ) -> Option<String> {
        let s = self.required(path, v)?;
        if ok(s) {
            Some(s.to_string())
        } else {
            self.add(path, format!("{s:?} is not a valid code: {rule}"));
            None
        }
    }

    /// A required exact decimal.
    pub(super) fn dec(&mut self, path: &str, v: &Option<Num>) -> Option<Dec> {
        let s = self.required(path, v)?;
        match Dec::parse(s) {
            Ok(d) => Some(d),
            Err(e) => {
                self.add(path, e);
                None
            }
        }
    }

    /// A required real date.
    pub(super) fn date(&mut self, path: &str, v: &Option<Num>) -> Option<String> {
        let s = self.required(path, v)?;
        if crate::open_data::is_date(s) {
            Some(s.to_string())
        } else {
            self.add(
                path,
                format!("{s:?} is not a real date; write it as YYYY-MM-DD, e.g. 2025-07-01"),
            );
            None
        }
    }

    pub(super) fn done<T>(self, value: Option<T>) -> Result<T, Vec<Problem>> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => Err(self.problems),
        }
    }
}

pub(super) fn period_code_ok(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) fn agency_code_ok(s: &str) -> bool {
    lango_catalogue::AgencyCode::parse(s).is_ok_and(|c| c.as_str() == s)
}

pub(super) fn slug_ok(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Reads `text` as YAML (or JSON) into `T`; a syntax or shape error comes back as one
/// problem with its place and line.
pub(super) fn read<T: DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<(T, Lines), Vec<Problem>> {
    let one = |line, path: String, message: String| {
        vec![Problem {
            line,
            path,
            message,
        }]
    };
    if text.len() > MAX_TEXT_BYTES {
        return Err(one(
            None,
            String::new(),
            format!(
                "the text is {} KiB; a {what} may be at most {} KiB",
                text.len().div_ceil(1024),
                MAX_TEXT_BYTES / 1024
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(one(
            None,
            String::new(),
            format!("the text is empty: paste the {what} as YAML or JSON"),
        ));
    }
    if text.trim_start().starts_with('{') {
        // JSON's own reader names the line and column of a JSON mistake better.
        return match serde_json::from_str::<T>(text) {
            Ok(v) => Ok((v, Lines::build(text))),
            Err(e) => {
                let message = e.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message);
                Err(one(Some(e.line()), String::new(), clean(message, what)))
            }
        };
    }
    match serde_yaml_ng::from_str::<T>(text) {
        Ok(v) => Ok((v, Lines::build(text))),
        Err(e) => {
            let line = e.location().map(|l| l.line());
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            // The YAML reader puts the place first: `indicators[0]: unknown field …`.
            let (path, rest) = match message.split_once(": ") {
                Some((p, r)) if !p.is_empty() && !p.contains(char::is_whitespace) && p != "." => {
                    (p.to_string(), r.to_string())
                }
                _ => (String::new(), message.clone()),
            };
            Err(one(line, path, clean(&rest, what)))
        }
    }
}

/// The reader's message in plainer words.
pub(super) fn clean(message: &str, what: &str) -> String {
    if message.starts_with("invalid type: unit value") || message.contains("EOF while parsing") {
        return format!("the text is empty or ends too soon: paste the whole {what}");
    }
    message
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key")
        .replace("struct PeriodFile", "a period")
        .replace("struct ContractFile", "a contract")
}
