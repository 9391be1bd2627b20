//! The survey's answers as types that parse: what a page form or an SMS reply says becomes
//! an [`Answer`] or a list of [`Problem`]s, never a half-checked value.

use super::ATTRIBUTES;

/// Most characters in a free comment.
pub const COMMENT_MAX: usize = 1000;

/// Where a response came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyChannel {
    /// The survey page.
    Page,
    /// A reply to the one-question SMS.
    Sms,
    /// The USSD menu's "rate a service".
    Ussd,
}

impl SurveyChannel {
    /// The stored name (`insight_satisfaction.channel`).
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyChannel::Page => "page",
            SurveyChannel::Sms => "sms",
            SurveyChannel::Ussd => "ussd",
        }
    }
}

/// Overall satisfaction: 1 (very dissatisfied) to 5 (very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overall(u8);

impl Overall {
    /// The score `1..=5` written as one digit, else `None`.
    pub fn parse(s: &str) -> Option<Overall> {
        match s.trim() {
            d @ ("1" | "2" | "3" | "4" | "5") => d.parse().ok().map(Overall),
            _ => None,
        }
    }

    /// The score, 1–5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Satisfied or very satisfied (GOV.UK's user satisfaction counts these).
    pub fn satisfied(self) -> bool {
        self.0 >= 4
    }
}

/// Sex, as people may choose to say it.
pub const SEXES: [&str; 3] = ["female", "male", "intersex"];

/// Age bands, as people may choose to say them.
pub const AGE_BANDS: [&str; 6] = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"];

/// A problem with one answer: the form field and a stable code (the web's words key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field's name in the form.
    pub field: &'static str,
    /// What is wrong, e.g. `survey_overall_required`.
    pub code: &'static str,
}

/// The answers as a form sends them: text, not yet checked. Empty means "not answered".
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawAnswer {
    /// `1`–`5`.
    pub overall: String,
    /// `yes` or `no`: was the service easy to reach?
    pub access: String,
    /// `yes` or `no`: was it affordable?
    pub affordability: String,
    /// `yes` or `no`: did they get what they needed?
    pub effective_delivery: String,
    /// `yes` or `no`: were they treated equally?
    pub equal_treatment: String,
    /// `yes` or `no`: was it done in good time?
    pub timeliness: String,
    /// A free comment.
    pub comment: String,
    /// One of [`SEXES`].
    pub sex: String,
    /// One of [`AGE_BANDS`].
    pub age_band: String,
    /// One of the country's regions (its pack's regions.csv: Kenya's counties, Malaysia's states).
    pub county: String,
}

impl RawAnswer {
    /// The raw yes/no answer of attribute `key` (one of [`ATTRIBUTES`]).
    pub fn attribute(&self, key: &str) -> &str {
        match key {
            "access" => &self.access,
            "affordability" => &self.affordability,
            "effective_delivery" => &self.effective_delivery,
            "equal_treatment" => &self.equal_treatment,
            "timeliness" => &self.timeliness,
            _ => "",
        }
    }
}

/// A checked survey answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Overall satisfaction.
    pub overall: Overall,
    /// Per attribute of [`ATTRIBUTES`], in order: yes, no, or not answered.
    pub attributes: [Option<bool>; 5],
    /// The comment, trimmed; `None` when empty.
    pub comment: Option<String>,
    /// One of [`SEXES`], when said.
    pub sex: Option<&'static str>,
    /// One of [`AGE_BANDS`], when said.
    pub age_band: Option<&'static str>,
    /// The county's official name, when said.
    pub county: Option<&'static str>,
}

/// `Some(option)` for a value in `options`, `None` for empty, `Err` otherwise.
fn one_of(raw: &str, options: &[&'static str]) -> Result<Option<&'static str>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    options
        .iter()
        .find(|o| **o == raw)
        .copied()
        .map(Some)
        .ok_or(())
}

impl Answer {
    /// An answer with only the overall score (the SMS question).
    pub fn overall_only(overall: Overall) -> Answer {
        Answer {
            overall,
            attributes: [None; 5],
            comment: None,
            sex: None,
            age_band: None,
            county: None,
        }
    }

    /// Checks every answer of the page, reporting every problem at once.
    pub fn parse(raw: &RawAnswer) -> Result<Answer, Vec<Problem>> {
        let mut problems = Vec::new();
        let overall = Overall::parse(&raw.overall);
        if overall.is_none() {
            problems.push(Problem {
                field: "overall",
                code: "survey_overall_required",
            });
        }
        let mut attributes = [None; 5];
        for (slot, (key, _)) in attributes.iter_mut().zip(ATTRIBUTES) {
            match one_of(raw.attribute(key), &["yes", "no"]) {
                Ok(v) => *slot = v.map(|v| v == "yes"),
                Err(()) => problems.push(Problem {
                    field: key,
                    code: "survey_yes_no_invalid",
                }),
            }
        }
        // Line breaks as a browser sends them (CRLF) count once.
        let comment = raw.comment.replace("\r\n", "\n").trim().to_string();
        if comment.chars().count() > COMMENT_MAX {
            problems.push(Problem {
                field: "comment",
                code: "survey_comment_too_long",
            });
        }
        let sex = one_of(&raw.sex, &SEXES).unwrap_or_else(|()| {
            problems.push(Problem {
                field: "sex",
                code: "survey_sex_invalid",
            });
            None
        });
        let age_band = one_of(&raw.age_band, &AGE_BANDS).unwrap_or_else(|()| {
            problems.push(Problem {
                field: "age_band",
                code: "survey_age_band_invalid",
            });
            None
        });
        let county = match raw.county.trim() {
            "" => None,
            c => match lango_cases::definition::counties::county(c) {
                Some(name) => Some(name),
                None => {
                    problems.push(Problem {
                        field: "county",
                        code: "survey_county_invalid",
                    });
                    None
                }
            },
        };
        match overall {
            Some(overall) if problems.is_empty() => Ok(Answer {
                overall,
                attributes,
                comment: (!comment.is_empty()).then_some(comment),
                sex,
                age_band,
                county,
            }),
            _ => Err(problems),
        }
    }
}

/// The score in an SMS reply: one digit 1–5, alone or followed by words ("4", " 5 thanks",
/// "3."); anything else (e.g. "45", "four", "") is unreadable.
pub fn sms_score(text: &str) -> Option<Overall> {
    Overall::parse(&lango_notify::sms::reply_score(text)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(overall: &str) -> RawAnswer {
        RawAnswer {
            overall: overall.into(),
            ..RawAnswer::default()
        }
    }

    #[test]
    fn overall_is_one_to_five() {
        for ok in ["1", "5", " 3 "] {
            assert!(Overall::parse(ok).is_some(), "{ok}");
        }
        for bad in ["0", "6", "x", "", "4.0", "+4", "04"] {
            assert!(Overall::parse(bad).is_none(), "{bad}");
        }
        assert!(Overall::parse("4").unwrap().satisfied());
        assert!(!Overall::parse("3").unwrap().satisfied());
    }

    #[test]
    fn a_full_answer_parses() {
        let a = Answer::parse(&RawAnswer {
            overall: "4".into(),
            access: "yes".into(),
            affordability: "no".into(),
            timeliness: "yes".into(),
            comment: "  Quick.\r\nThank you  ".into(),
            sex: "female".into(),
            age_band: "25-34".into(),
            county: "nairobi".into(),
            ..RawAnswer::default()
        })
        .unwrap();
        assert_eq!(a.overall.get(), 4);
        assert_eq!(
            a.attributes,
            [Some(true), Some(false), None, None, Some(true)]
        );
        assert_eq!(a.comment.as_deref(), Some("Quick.\nThank you"));
        assert_eq!(a.sex, Some("female"));
        assert_eq!(a.age_band, Some("25-34"));
        assert_eq!(a.county, Some("Nairobi City"), "the official name");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut r = raw("6");
        r.access = "maybe".into();
        r.comment = "x".repeat(COMMENT_MAX + 1);
        r.sex = "other".into();
        r.age_band = "12-17".into();
        r.county = "Atlantis".into();
        let fields: Vec<_> = Answer::parse(&r)
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            ["overall", "access", "comment", "sex", "age_band", "county"]
        );
        assert_eq!(
            Answer::parse(&raw("")).unwrap_err()[0].code,
            "survey_overall_required"
        );
        // Exactly the limit is fine, counted in characters, not bytes.
        let mut r = raw("2");
        r.comment = "é".repeat(COMMENT_MAX);
        assert!(Answer::parse(&r).is_ok());
    }

    #[test]
    fn sms_replies_read_one_digit() {
        for (text, score) in [("4", 4), (" 5 thanks", 5), ("3.", 3), ("1\n", 1)] {
            assert_eq!(sms_score(text).map(Overall::get), Some(score), "{text:?}");
        }
        for bad in ["45", "0", "6", "four", "", "  ", "x4"] {
            assert!(sms_score(bad).is_none(), "{bad:?}");
        }
    }
}
