//! Forms as data: a page lists its fields and the one `form.html` template renders them
//! with labels, hints, the error summary linked to each field, and the CSRF token.

use crate::i18n::Lang;
use crate::words::{has, tr};
use lango_identity::model::{DobBoxes, Problems};

/// One choice of a select, radio group or checkbox group.
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// What people read.
    pub label: String,
    /// Chosen now.
    pub checked: bool,
}

/// One field of a form.
pub struct Field {
    /// Form name and (prefixed `f-`) element id.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Hint under the label (may be empty).
    pub hint: &'static str,
    /// `text`, `email`, `tel`, `password`, `date`, `textarea`, `radios`, `checkboxes`, `hidden`, `file`, `date_boxes` (three boxes, see [`Field::date`]).
    pub kind: &'static str,
    /// Current value.
    pub value: String,
    /// What is wrong with it.
    pub error: Option<String>,
    /// Choices, for radios and checkboxes.
    pub choices: Vec<Choice>,
    /// The `autocomplete` token.
    pub autocomplete: &'static str,
    /// A date's three boxes as typed (day, month, year).
    pub boxes: [String; 3],
}

impl Field {
    /// A field labelled by its own name's words (and hinted by `NAME_hint` when there are such words).
    pub fn new(lang: Lang, name: &'static str, kind: &'static str) -> Field {
        let hint_key = format!("{name}_hint");
        Field {
            name,
            label: if kind == "hidden" { "" } else { tr(lang, name) },
            hint: if has(&hint_key) {
                tr(lang, &hint_key)
            } else {
                ""
            },
            kind,
            value: String::new(),
            error: None,
            choices: Vec::new(),
            autocomplete: "off",
            boxes: Default::default(),
        }
    }

    /// A date in three boxes (day, month, year: the GOV.UK date input), filled from what
    /// was typed or, when no box was, from a stored `YYYY-MM-DD`.
    pub fn date(lang: Lang, name: &'static str, typed: &DobBoxes, stored: &str) -> Field {
        let b = if typed.day.is_empty() && typed.month.is_empty() && typed.year.is_empty() {
            DobBoxes::of(stored)
        } else {
            typed.clone()
        };
        let mut f = Field::new(lang, name, "date_boxes");
        f.boxes = [b.day, b.month, b.year];
        f
    }

    /// With a value.
    pub fn value(mut self, v: impl Into<String>) -> Field {
        self.value = v.into();
        self
    }

    /// With an `autocomplete` token (helps people and password managers).
    pub fn auto(mut self, token: &'static str) -> Field {
        self.autocomplete = token;
        self
    }

    /// With a label other than the field's name.
    pub fn label(mut self, lang: Lang, key: &str) -> Field {
        self.label = tr(lang, key);
        self
    }

    /// With choices whose labels are the words of their values; `chosen` are checked.
    pub fn choices(self, lang: Lang, values: &[&str], chosen: &[&str]) -> Field {
        let labelled: Vec<(&str, &str)> = values.iter().map(|v| (*v, tr(lang, v))).collect();
        self.labelled_choices(&labelled, chosen)
    }

    /// With choices `(value, label)`; those whose values are in `chosen` are checked.
    pub fn labelled_choices(mut self, choices: &[(&str, &str)], chosen: &[&str]) -> Field {
        self.choices = choices
            .iter()
            .map(|(value, label)| Choice {
                value: value.to_string(),
                label: label.to_string(),
                checked: chosen.contains(value),
            })
            .collect();
        self
    }

    /// The choices `values`, each labelled by the words `prefix` + value (stored names whose
    /// words are their own, e.g. `claim_outcome_approve`), `chosen` checked.
    pub fn worded_choices(
        mut self,
        lang: Lang,
        prefix: &str,
        values: &[&str],
        chosen: &str,
    ) -> Field {
        self.choices = values
            .iter()
            .map(|v| Choice {
                value: v.to_string(),
                label: tr(lang, &format!("{prefix}{v}")).to_string(),
                checked: *v == chosen,
            })
            .collect();
        self
    }

    /// The element id the error summary links to (a group links to its first choice).
    pub fn anchor(&self) -> String {
        if self.kind == "date_boxes" {
            // The first box that is empty or not a number in range; the day box otherwise.
            let [d, m, y] = &self.boxes;
            let bad =
                |v: &str, max: u32| v.trim().parse::<u32>().map_or(true, |n| n == 0 || n > max);
            let part = if !bad(d, 31) && bad(m, 12) {
                "-month"
            } else if !bad(d, 31) && !bad(m, 12) && (y.trim().len() != 4 || bad(y, 9999)) {
                "-year"
            } else {
                ""
            };
            format!("f-{}{part}", self.name)
        } else if self.choices.is_empty() {
            format!("f-{}", self.name)
        } else {
            format!("f-{}-0", self.name)
        }
    }
}

/// A link in the error summary.
pub struct ErrorLink {
    /// `#id` of the field.
    pub anchor: String,
    /// The message.
    pub message: String,
}

/// A whole form: fields, where it posts, and what went wrong last time.
pub struct Form {
    /// Where it posts.
    pub action: String,
    /// Its fields.
    pub fields: Vec<Field>,
    /// Words on the button.
    pub submit: &'static str,
    /// The error summary.
    pub errors: Vec<ErrorLink>,
    /// The CSRF token.
    pub csrf: String,
    /// Each problem's message starts with its field's label.
    pub naming: bool,
}

impl Form {
    /// A form posting to `action`.
    pub fn new(
        action: impl Into<String>,
        csrf: &str,
        submit: &'static str,
        fields: Vec<Field>,
    ) -> Form {
        Form {
            action: action.into(),
            fields,
            submit,
            errors: Vec::new(),
            csrf: csrf.to_string(),
            naming: false,
        }
    }

    /// True when a field takes a file: the form is then sent as `multipart/form-data`.
    pub fn has_files(&self) -> bool {
        self.fields.iter().any(|f| f.kind == "file")
    }

    /// Each problem's message names its field ("Date of birth: enter a real date"), so the
    /// error summary says which box to fix.
    pub fn naming(mut self) -> Form {
        self.naming = true;
        self
    }

    /// Marks each problem on its field and lists it in the summary, in field order.
    pub fn problems(self, lang: Lang, problems: &Problems) -> Form {
        let naming = self.naming;
        self.problems_as(lang, problems, naming)
    }

    fn problems_as(self, lang: Lang, problems: &Problems, naming: bool) -> Form {
        let worded: Vec<(String, String)> = problems
            .0
            .iter()
            .map(|p| {
                let words = tr(lang, p.code);
                let label = self
                    .fields
                    .iter()
                    .find(|f| f.name == p.field)
                    .map(|f| f.label)
                    .filter(|l| naming && !l.is_empty());
                let message = match label {
                    Some(l) => format!("{l}: {}", first_lower(words)),
                    None => words.to_string(),
                };
                (p.field.to_string(), message)
            })
            .collect();
        self.messages(&worded)
    }

    /// Marks problems whose words a domain room wrote itself (field, message), as
    /// [`Form::problems`] does with worded codes: on their fields, then in the summary.
    pub fn messages(mut self, problems: &[(String, String)]) -> Form {
        for (field, message) in problems {
            match self.fields.iter_mut().find(|f| f.name == field) {
                Some(f) => {
                    f.error.get_or_insert_with(|| message.clone());
                }
                None => self.errors.push(ErrorLink {
                    anchor: self.fields.first().map_or_else(String::new, Field::anchor),
                    message: message.clone(),
                }),
            }
        }
        let mut linked: Vec<ErrorLink> = self
            .fields
            .iter()
            .filter_map(|f| {
                f.error.as_ref().map(|message| ErrorLink {
                    anchor: f.anchor(),
                    message: message.clone(),
                })
            })
            .collect();
        linked.append(&mut self.errors);
        self.errors = linked;
        self
    }

    /// 200 for a fresh form, 400 when it comes back with problems.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.errors.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::BAD_REQUEST
        }
    }

    /// A problem not tied to one field (shown on the first).
    pub fn general(self, lang: Lang, code: &'static str) -> Form {
        let first = self
            .fields
            .iter()
            .find(|f| f.kind != "hidden")
            .map_or("form", |f| f.name);
        self.problems_as(lang, &Problems::one(first, code), false)
    }
}

/// "Enter a real date" as it reads after a label: "enter a real date".
fn first_lower(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.clone().next()) {
        (Some(f), Some(n)) if f.is_uppercase() && !n.is_uppercase() => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}
