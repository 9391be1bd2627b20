//! An agency administrator's edit of one service entry: the form as typed, the parsed
//! edit, and the list of what it changes. Parsing reuses the catalogue's own parsers
//! (`parse_text`, `parse_fees`, `parse_items`, `parse_channels`, `parse_sla`), so an entry
//! saved here reads back exactly as one imported from CSV.

use crate::model::*;
use lango_identity::model::Problems;
use serde::{Deserialize, Serialize};

/// The edit form as typed; every value is kept as text so a refused form comes back as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditForm {
    /// Name in English.
    pub name: String,
    /// Name in Kiswahili.
    pub name_sw: String,
    /// Summary in English.
    pub summary: String,
    /// Summary in Kiswahili.
    pub summary_sw: String,
    /// Description in English.
    pub description: String,
    /// Description in Kiswahili.
    pub description_sw: String,
    /// Eligibility in English.
    pub eligibility: String,
    /// Eligibility in Kiswahili.
    pub eligibility_sw: String,
    /// One of the stage words.
    pub stage: String,
    /// Fees, one `label:amount currency` per line (or `;`-separated).
    pub fees: String,
    /// The fees' labels in Kiswahili, one a line in the fees' order (empty: none).
    pub fees_sw: String,
    /// Documents, one per line.
    pub documents: String,
    /// The documents in Kiswahili, one a line in the documents' order (empty: none).
    pub documents_sw: String,
    /// Channel words, one per ticked box.
    pub channels: Vec<String>,
    /// Working days, or empty.
    pub sla_days: String,
    /// The agency's own application address, or empty.
    pub apply_url: String,
}

impl EditForm {
    /// Reads the form from its `name=value` pairs (channels repeat, so serde alone cannot).
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> EditForm {
        let mut f = EditForm::default();
        for (k, v) in pairs {
            let v = v.into();
            match k.as_ref() {
                "name" => f.name = v,
                "name_sw" => f.name_sw = v,
                "summary" => f.summary = v,
                "summary_sw" => f.summary_sw = v,
                "description" => f.description = v,
                "description_sw" => f.description_sw = v,
                "eligibility" => f.eligibility = v,
                "eligibility_sw" => f.eligibility_sw = v,
                "stage" => f.stage = v,
                "fees" => f.fees = v,
                "fees_sw" => f.fees_sw = v,
                "documents" => f.documents = v,
                "documents_sw" => f.documents_sw = v,
                "channels" => f.channels.push(v),
                "sla_days" => f.sla_days = v,
                "apply_url" => f.apply_url = v,
                _ => {}
            }
        }
        f
    }

    /// The form's `name=value` pairs, for carrying an edit through a hidden form.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("name", self.name.clone()),
            ("name_sw", self.name_sw.clone()),
            ("summary", self.summary.clone()),
            ("summary_sw", self.summary_sw.clone()),
            ("description", self.description.clone()),
            ("description_sw", self.description_sw.clone()),
            ("eligibility", self.eligibility.clone()),
            ("eligibility_sw", self.eligibility_sw.clone()),
            ("stage", self.stage.clone()),
            ("fees", self.fees.clone()),
            ("fees_sw", self.fees_sw.clone()),
            ("documents", self.documents.clone()),
            ("documents_sw", self.documents_sw.clone()),
            ("sla_days", self.sla_days.clone()),
            ("apply_url", self.apply_url.clone()),
        ];
        out.extend(self.channels.iter().map(|c| ("channels", c.clone())));
        out
    }
}

/// The editable part of a service entry, parsed and valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEdit {
    /// Name in English (required).
    pub name: String,
    /// Name in Kiswahili.
    pub name_sw: String,
    /// Summary in English (required).
    pub summary: String,
    /// Summary in Kiswahili.
    pub summary_sw: String,
    /// Description in English.
    pub description: String,
    /// Description in Kiswahili.
    pub description_sw: String,
    /// Eligibility in English.
    pub eligibility: String,
    /// Eligibility in Kiswahili.
    pub eligibility_sw: String,
    /// How far it is online.
    pub stage: Stage,
    /// Its fees (with their Kiswahili labels); empty when free.
    pub fees: Vec<Fee>,
    /// Documents the applicant needs.
    pub documents: Vec<String>,
    /// The documents in Kiswahili, in the same order; empty when not translated.
    pub documents_sw: Vec<String>,
    /// Where it can be used.
    pub channels: Vec<Channel>,
    /// Working days promised, if any.
    pub sla_days: Option<u32>,
    /// The agency's own application system, if the service runs there.
    pub apply_url: Option<String>,
}

/// One field an edit changed, as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The field's form name, e.g. `name_sw`.
    pub field: String,
    /// Its text before.
    pub old: String,
    /// Its text after.
    pub new: String,
}

/// Text fields: (form name, longest, required, code when too long).
const TEXTS: [(&str, usize, bool, &str); 8] = [
    ("name", MAX_NAME, true, "svc_name_too_long"),
    ("name_sw", MAX_NAME, false, "svc_name_too_long"),
    ("summary", MAX_SUMMARY, true, "svc_summary_too_long"),
    ("summary_sw", MAX_SUMMARY, false, "svc_summary_too_long"),
    ("description", MAX_TEXT, false, "svc_text_too_long"),
    ("description_sw", MAX_TEXT, false, "svc_text_too_long"),
    ("eligibility", MAX_TEXT, false, "svc_text_too_long"),
    ("eligibility_sw", MAX_TEXT, false, "svc_text_too_long"),
];

/// Every field of the edit, in form order.
pub const EDIT_FIELDS: [&str; 16] = [
    "name",
    "name_sw",
    "summary",
    "summary_sw",
    "description",
    "description_sw",
    "eligibility",
    "eligibility_sw",
    "stage",
    "fees",
    "fees_sw",
    "documents",
    "documents_sw",
    "channels",
    "sla_days",
    "apply_url",
];

/// Lines of a textarea as one `;`-separated list, the catalogue's list format.
fn lines_as_list(value: &str) -> String {
    value.lines().collect::<Vec<_>>().join(";")
}

/// Kiswahili lines, one an English item, as the list format: a textarea drops trailing
/// blank lines, so the last items left untranslated come back as blanks.
fn sw_lines(value: &str, items: usize) -> String {
    if value.trim().is_empty() {
        return String::new();
    }
    let mut lines: Vec<&str> = value.lines().collect();
    while lines.len() < items {
        lines.push("");
    }
    lines.join(";")
}

impl ServiceEdit {
    /// Parses the form, collecting every problem (field and stable code) at once.
    pub fn parse(f: &EditForm) -> Result<ServiceEdit, Problems> {
        let mut p = Problems::default();
        let values = [
            &f.name,
            &f.name_sw,
            &f.summary,
            &f.summary_sw,
            &f.description,
            &f.description_sw,
            &f.eligibility,
            &f.eligibility_sw,
        ];
        let mut texts: Vec<String> = Vec::with_capacity(8);
        for ((field, max, required, too_long), value) in TEXTS.into_iter().zip(values) {
            let trimmed = value.trim();
            let text = if required && trimmed.is_empty() {
                Err(if field == "name" {
                    "svc_name_required"
                } else {
                    "svc_summary_required"
                })
            } else if trimmed.chars().count() > max {
                Err(too_long)
            } else {
                parse_text(field, value, max, required).map_err(|_| "svc_text_invalid")
            };
            match text {
                Ok(t) => texts.push(t),
                Err(code) => {
                    p.add(field, code);
                    texts.push(String::new());
                }
            }
        }
        let stage = Stage::parse(&f.stage);
        if stage.is_none() {
            p.add("stage", "svc_stage_invalid");
        }
        let mut fees = parse_fees(&lines_as_list(&f.fees))
            .map_err(|_| p.add("fees", "svc_fees_invalid"))
            .ok();
        if let Some(fees) = fees.as_mut() {
            let n = fees.len();
            if parse_fee_labels_sw(&sw_lines(&f.fees_sw, n), fees).is_err() {
                p.add("fees_sw", "svc_fees_sw_invalid");
            }
        }
        let documents = parse_items("documents", &lines_as_list(&f.documents))
            .map_err(|_| p.add("documents", "svc_documents_invalid"))
            .ok();
        let documents_sw = documents.as_ref().and_then(|docs| {
            parse_documents_sw(&sw_lines(&f.documents_sw, docs.len()), docs)
                .map_err(|_| p.add("documents_sw", "svc_documents_sw_invalid"))
                .ok()
        });
        // A channel word may not carry `;`: that would smuggle a second item past the boxes.
        let channels = if f.channels.iter().any(|c| c.contains(';')) {
            None
        } else {
            parse_channels(&f.channels.join(";")).ok()
        };
        if channels.is_none() {
            p.add("channels", "svc_channels_invalid");
        }
        let sla_days = parse_sla(&f.sla_days)
            .map_err(|_| p.add("sla_days", "svc_sla_invalid"))
            .ok();
        let apply_url = parse_apply_url(&f.apply_url)
            .map_err(|_| p.add("apply_url", "svc_apply_url_invalid"))
            .ok();
        match (
            stage,
            fees,
            documents,
            documents_sw,
            channels,
            sla_days,
            apply_url,
        ) {
            (
                Some(stage),
                Some(fees),
                Some(documents),
                Some(documents_sw),
                Some(channels),
                Some(sla_days),
                Some(apply_url),
            ) if p.0.is_empty() => {
                let mut t = texts.into_iter();
                let mut next = || t.next().unwrap_or_default();
                Ok(ServiceEdit {
                    name: next(),
                    name_sw: next(),
                    summary: next(),
                    summary_sw: next(),
                    description: next(),
                    description_sw: next(),
                    eligibility: next(),
                    eligibility_sw: next(),
                    stage,
                    fees,
                    documents,
                    documents_sw,
                    channels,
                    sla_days,
                    apply_url,
                })
            }
            _ => Err(p),
        }
    }

    /// The editable part of `s` as it stands.
    pub fn of(s: &Service) -> ServiceEdit {
        ServiceEdit {
            name: s.name.clone(),
            name_sw: s.name_sw.clone(),
            summary: s.summary.clone(),
            summary_sw: s.summary_sw.clone(),
            description: s.description.clone(),
            description_sw: s.description_sw.clone(),
            eligibility: s.eligibility.clone(),
            eligibility_sw: s.eligibility_sw.clone(),
            stage: s.stage,
            fees: s.fees.clone(),
            documents: s.documents.clone(),
            documents_sw: s.documents_sw.clone(),
            channels: s.channels.clone(),
            sla_days: s.sla_days,
            apply_url: s.apply_url.clone(),
        }
    }

    /// The form filled with this edit, for showing it again.
    pub fn form(&self) -> EditForm {
        EditForm {
            name: self.name.clone(),
            name_sw: self.name_sw.clone(),
            summary: self.summary.clone(),
            summary_sw: self.summary_sw.clone(),
            description: self.description.clone(),
            description_sw: self.description_sw.clone(),
            eligibility: self.eligibility.clone(),
            eligibility_sw: self.eligibility_sw.clone(),
            stage: self.stage.as_str().to_string(),
            fees: self.text("fees").replace("; ", "\n"),
            fees_sw: format_fee_labels_sw(&self.fees).replace(';', "\n"),
            documents: self.documents.join("\n"),
            documents_sw: self.documents_sw.join("\n"),
            channels: self
                .channels
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
            sla_days: self.text("sla_days"),
            apply_url: self.text("apply_url"),
        }
    }

    /// `s` with this edit applied; code, agency, category and the rest stay.
    pub fn apply(&self, s: &Service) -> Service {
        Service {
            name: self.name.clone(),
            name_sw: self.name_sw.clone(),
            summary: self.summary.clone(),
            summary_sw: self.summary_sw.clone(),
            description: self.description.clone(),
            description_sw: self.description_sw.clone(),
            eligibility: self.eligibility.clone(),
            eligibility_sw: self.eligibility_sw.clone(),
            stage: self.stage,
            fees: self.fees.clone(),
            documents: self.documents.clone(),
            documents_sw: self.documents_sw.clone(),
            channels: self.channels.clone(),
            sla_days: self.sla_days,
            apply_url: self.apply_url.clone(),
            ..s.clone()
        }
    }

    /// One field as people read it in the "what changes" list and the history.
    pub fn text(&self, field: &str) -> String {
        match field {
            "name" => self.name.clone(),
            "name_sw" => self.name_sw.clone(),
            "summary" => self.summary.clone(),
            "summary_sw" => self.summary_sw.clone(),
            "description" => self.description.clone(),
            "description_sw" => self.description_sw.clone(),
            "eligibility" => self.eligibility.clone(),
            "eligibility_sw" => self.eligibility_sw.clone(),
            "stage" => self.stage.as_str().to_string(),
            "fees" => self
                .fees
                .iter()
                .map(|f| format_fees(std::slice::from_ref(f)))
                .collect::<Vec<_>>()
                .join("; "),
            "fees_sw" => format_fee_labels_sw(&self.fees).replace(';', "; "),
            "documents" => self.documents.join("; "),
            "documents_sw" => self.documents_sw.join("; "),
            "channels" => self
                .channels
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            "sla_days" => self.sla_days.map(|d| d.to_string()).unwrap_or_default(),
            "apply_url" => self.apply_url.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// What this edit changes in `before`, field by field in form order.
    pub fn changes(&self, before: &ServiceEdit) -> Vec<Change> {
        EDIT_FIELDS
            .iter()
            .filter_map(|field| {
                let (old, new) = (before.text(field), self.text(field));
                (old != new).then(|| Change {
                    field: field.to_string(),
                    old,
                    new,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EditForm {
        EditForm {
            name: "Apply for a passport".into(),
            summary: "Apply online.".into(),
            stage: "end_to_end".into(),
            fees: "34 pages:4550.00 KES\n50 pages:6050.00 KES".into(),
            documents: "National ID card\r\nBirth certificate\n".into(),
            channels: vec!["online".into(), "centre".into()],
            sla_days: "10".into(),
            ..EditForm::default()
        }
    }

    #[test]
    fn a_good_form_parses_and_shows_again_the_same() {
        let edit = ServiceEdit::parse(&form()).unwrap();
        assert_eq!(edit.fees.len(), 2);
        assert_eq!(edit.fees[1].amount.minor(), 605_000);
        assert_eq!(
            edit.documents,
            vec!["National ID card", "Birth certificate"]
        );
        assert_eq!(edit.channels, vec![Channel::Online, Channel::Centre]);
        assert_eq!(edit.sla_days, Some(10));
        assert_eq!(ServiceEdit::parse(&edit.form()).unwrap(), edit);
        assert_eq!(
            edit.text("fees"),
            "34 pages:4550.00 KES; 50 pages:6050.00 KES"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = EditForm {
            name: "  ".into(),
            summary: "x".repeat(MAX_SUMMARY + 1),
            name_sw: "bad\u{7}".into(),
            stage: "finished".into(),
            fees: ":10.00 KES\n4550 KES".into(),
            channels: vec!["fax".into()],
            sla_days: "-1".into(),
            ..form()
        };
        let p = ServiceEdit::parse(&bad).unwrap_err();
        let got: Vec<(&str, &str)> = p.0.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            got,
            vec![
                ("name", "svc_name_required"),
                ("name_sw", "svc_text_invalid"),
                ("summary", "svc_summary_too_long"),
                ("stage", "svc_stage_invalid"),
                ("fees", "svc_fees_invalid"),
                ("channels", "svc_channels_invalid"),
                ("sla_days", "svc_sla_invalid"),
            ]
        );
        let smuggled = EditForm {
            channels: vec!["online;fax".into()],
            ..form()
        };
        assert!(ServiceEdit::parse(&smuggled).is_err());
    }

    #[test]
    fn changes_list_old_and_new() {
        let before = ServiceEdit::parse(&form()).unwrap();
        let after = ServiceEdit::parse(&EditForm {
            name: "Apply for an ePassport".into(),
            fees: ":1050.00 KES".into(),
            ..form()
        })
        .unwrap();
        let changes = after.changes(&before);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].field, "name");
        assert_eq!(changes[0].old, "Apply for a passport");
        assert_eq!(changes[0].new, "Apply for an ePassport");
        assert_eq!(changes[1].field, "fees");
        assert_eq!(changes[1].new, ":1050.00 KES");
        assert!(before.changes(&before).is_empty());
    }

    #[test]
    fn the_kiswahili_of_documents_and_fees_is_edited_line_by_line() {
        let f = EditForm {
            fees_sw: "Kurasa 34\nKurasa 50".into(),
            documents_sw: "Kitambulisho cha taifa\n".into(),
            documents: "National ID card\n".into(),
            ..form()
        };
        let edit = ServiceEdit::parse(&f).unwrap();
        assert_eq!(edit.fees[1].label_in(true), "Kurasa 50");
        assert_eq!(edit.documents_sw, vec!["Kitambulisho cha taifa"]);
        assert_eq!(
            ServiceEdit::parse(&edit.form()).unwrap(),
            edit,
            "shown again as saved"
        );
        let last_untranslated = EditForm {
            documents_sw: "Kitambulisho cha taifa".into(),
            ..form()
        };
        let edit2 = ServiceEdit::parse(&last_untranslated).unwrap();
        assert_eq!(edit2.documents_sw, vec!["Kitambulisho cha taifa", ""]);
        assert_eq!(ServiceEdit::parse(&edit2.form()).unwrap(), edit2);
        let before = ServiceEdit::parse(&form()).unwrap();
        let changed: Vec<String> = edit.changes(&before).into_iter().map(|c| c.field).collect();
        assert_eq!(changed, vec!["fees_sw", "documents", "documents_sw"]);
        let miscounted = EditForm {
            fees_sw: "Kurasa 34\nKurasa 50\nKurasa 66".into(),
            documents_sw: "Kitambulisho\nCheti".into(),
            documents: "National ID card".into(),
            ..form()
        };
        let got: Vec<&str> = ServiceEdit::parse(&miscounted)
            .unwrap_err()
            .0
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            got,
            vec!["fees_sw", "documents_sw"],
            "one line a fee, one a document"
        );
    }
}
