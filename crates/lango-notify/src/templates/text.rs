//! Template text: parsing placeholders, checking a template against its event type, and
//! filling it in.

use super::EventType;
use crate::Channel;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Longest template texts: an SMS of three parts, a subject line, an e-mail body.
const MAX_SMS: usize = 480;
const MAX_SUBJECT: usize = 200;
const MAX_EMAIL: usize = 5000;

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    /// Words kept as written.
    Text(&'a str),
    /// A placeholder's name.
    Slot(&'a str),
}

/// Braces that do not enclose a placeholder name: where (1-based character) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The character position of the offending brace, from 1.
    pub at: usize,
    /// The text from that brace on (up to 20 characters), to find it by.
    pub near: String,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Splits a template into text and placeholders. Braces are only for placeholders: a `{`
/// must open `{name}` (lower-case letters, digits, `_`) and a `}` must close one.
pub fn parse(text: &str) -> std::result::Result<Vec<Part<'_>>, Malformed> {
    let fault = |at: usize| Malformed {
        at: text[..at].chars().count() + 1,
        near: text[at..].chars().take(20).collect(),
    };
    let mut parts = Vec::new();
    let mut from = 0;
    while let Some(off) = text[from..].find(['{', '}']) {
        let open = from + off;
        if text.as_bytes()[open] == b'}' {
            return Err(fault(open));
        }
        let inner = open + 1;
        let close = match text[inner..].find(['{', '}']) {
            Some(o) if text.as_bytes()[inner + o] == b'}' => inner + o,
            _ => return Err(fault(open)),
        };
        let name = &text[inner..close];
        if !valid_name(name) {
            return Err(fault(open));
        }
        if open > from {
            parts.push(Part::Text(&text[from..open]));
        }
        parts.push(Part::Slot(name));
        from = close + 1;
    }
    if from < text.len() {
        parts.push(Part::Text(&text[from..]));
    }
    Ok(parts)
}

/// Fills in a template; a placeholder without a value is left empty. Saved templates
/// always parse; text that does not is returned as it is.
pub fn render(text: &str, values: &HashMap<&str, &str>) -> String {
    match parse(text) {
        Ok(parts) => parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => *t,
                Part::Slot(name) => values.get(name).copied().unwrap_or(""),
            })
            .collect(),
        Err(_) => text.to_string(),
    }
}

/// What is wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Braces that are not a placeholder.
    Malformed(Malformed),
    /// A placeholder the event type does not offer.
    Unknown(String),
    /// A required placeholder the template does not use.
    Missing(String),
    /// Nothing written.
    Empty,
    /// Longer than the channel allows (its limit in characters).
    TooLong(usize),
}

/// A problem with one field (`subject` or `body`) of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `subject` or `body`.
    pub field: &'static str,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ProblemKind::Malformed(m) => write!(
                f,
                "{}: the brace at character {} (\"{}\") is not a placeholder like {{reference}}",
                self.field, m.at, m.near
            ),
            ProblemKind::Unknown(n) => write!(
                f,
                "{}: {{{n}}} is not a placeholder of this message",
                self.field
            ),
            ProblemKind::Missing(n) => write!(f, "{}: {{{n}}} must be used", self.field),
            ProblemKind::Empty => write!(f, "{}: enter the text", self.field),
            ProblemKind::TooLong(max) => {
                write!(f, "{}: longer than {max} characters", self.field)
            }
        }
    }
}

/// Checks a template of `event` for `channel`: every problem, in reading order.
pub fn validate(event: &EventType, channel: Channel, subject: &str, body: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    let fields: &[(&'static str, &str, usize)] = match channel {
        Channel::Sms => &[("body", body, MAX_SMS)],
        Channel::Email => &[("subject", subject, MAX_SUBJECT), ("body", body, MAX_EMAIL)],
    };
    for &(field, text, max) in fields {
        let mut add = |kind| problems.push(Problem { field, kind });
        if text.trim().is_empty() {
            add(ProblemKind::Empty);
            continue;
        }
        if text.chars().count() > max {
            add(ProblemKind::TooLong(max));
        }
        match parse(text) {
            Err(m) => add(ProblemKind::Malformed(m)),
            Ok(parts) => {
                let mut unknown = BTreeSet::new();
                for p in parts {
                    if let Part::Slot(name) = p {
                        used.insert(name.to_string());
                        if event.placeholder(name).is_none() && unknown.insert(name) {
                            add(ProblemKind::Unknown(name.to_string()));
                        }
                    }
                }
            }
        }
    }
    // A required placeholder is only worth naming once the text itself could be read.
    let unreadable = problems
        .iter()
        .any(|p| matches!(p.kind, ProblemKind::Malformed(_) | ProblemKind::Empty));
    if !unreadable {
        for p in event.placeholders.iter().filter(|p| p.required) {
            if !used.contains(p.name) {
                problems.push(Problem {
                    field: "body",
                    kind: ProblemKind::Missing(p.name.to_string()),
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::event_type;

    #[test]
    fn parse_finds_slots_and_refuses_stray_braces() {
        assert_eq!(
            parse("Ref {reference}.").unwrap(),
            vec![Part::Text("Ref "), Part::Slot("reference"), Part::Text(".")]
        );
        for (bad, at) in [
            ("a {ref", 3),
            ("a } b", 3),
            ("{}", 1),
            ("x {Ref}", 3),
            ("{a {b}", 1),
            ("ü {a b}", 3),
        ] {
            assert_eq!(parse(bad).unwrap_err().at, at, "{bad}");
        }
    }

    #[test]
    fn validate_names_unknown_and_missing_placeholders() {
        let e = event_type("bill.raised").unwrap();
        let p = validate(e, Channel::Sms, "", "Pay {amount} {colour}");
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].kind, ProblemKind::Unknown("colour".into()));
        assert_eq!(p[1].kind, ProblemKind::Missing("payment_number".into()));
        assert!(p[1].to_string().contains("{payment_number}"));
        let p = validate(e, Channel::Email, "", "{amount} {payment_number}");
        assert_eq!(
            p,
            vec![Problem {
                field: "subject",
                kind: ProblemKind::Empty
            }]
        );
    }

    #[test]
    fn render_fills_values_and_leaves_absent_ones_empty() {
        let values = HashMap::from([("amount", "KES 10.00")]);
        assert_eq!(
            render("Pay {amount} by {due_date}.", &values),
            "Pay KES 10.00 by ."
        );
    }
}
