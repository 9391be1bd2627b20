//! Service definitions: parsed from YAML, checked once, then asked questions by the
//! journey (which pages, is this answer valid, what does it cost) and by the workflow
//! engine (which state, who acts, where does this action lead).

mod answers;
mod check;
mod condition;
pub mod counties;
mod display;
mod fees;
mod fields;
mod formula;
pub mod lines;
pub mod model;
mod parse;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bad;
#[cfg(test)]
mod tests_fees;
#[cfg(test)]
mod tests_journeys;
#[cfg(test)]
mod tests_props;
pub(crate) mod values;

pub use check::{MAX_CHOICES, MAX_FIELDS, MAX_PAGES, MAX_STATES, PREFILL_KEYS};
pub use parse::MAX_YAML_BYTES;

use lango_core::money::{Currency, Money};
use model::{ActionDef, DefinitionFile, FieldDef, OutputDef, PageDef, StateDef, Words};
use serde::Serialize;

/// An application's answers: field id → value. Text-like answers are strings in their
/// canonical form (dates `YYYY-MM-DD`, money `"4550.00"`, phones E.164, yes/no `"yes"`/`"no"`),
/// multiple choice an array of strings, a group an array of objects, a file a [`FileAnswer`] object.
pub type Answers = serde_json::Map<String, serde_json::Value>;

/// One thing wrong with a definition file, named by line and by place in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionError {
    /// 1-based line in the YAML text, when known.
    pub line: Option<usize>,
    /// Where in the definition, e.g. `pages[2].fields[0].pattern`.
    pub path: String,
    /// What is wrong, in English.
    pub message: String,
}

/// One thing wrong with one answer, shown on that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's id; inside a group `GROUP.INDEX.FIELD` (e.g. `children.1.name`).
    pub field: String,
    /// The error in both languages.
    pub message: Words,
}

/// A stored upload, as an answer to a file field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FileAnswer {
    /// The document's id.
    pub id: String,
    /// The name it was uploaded with.
    pub name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, as found in the content.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// The answers of one page as submitted.
///
/// A date may be posted whole (`dob=2026-03-05`, or `5/3/2026`) or in three parts
/// (`dob.day`, `dob.month`, `dob.year`); a group's inputs are named `GROUP.INDEX.FIELD`.
#[derive(Debug, Clone, Default)]
pub struct PageInput {
    /// Form pairs as posted (repeated names for multiple choice; `GROUP.INDEX.FIELD` inside groups).
    pub values: Vec<(String, String)>,
    /// Files stored for file fields on this page, by field id.
    pub files: Vec<(String, FileAnswer)>,
}

/// What validation needs to know about now.
#[derive(Debug, Clone, Copy)]
pub struct Today {
    /// Days since 1970-01-01 (see `lango_core::clock::days_from_civil`).
    pub days: i64,
}

impl Today {
    /// Today's date in UTC.
    pub fn now() -> Today {
        Today {
            days: lango_core::clock::now_ms().div_euclid(86_400_000),
        }
    }
}

/// The applicant's profile, for prefill.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Known values by prefill key (`full_name`, `phone`, `email`, `national_id`…).
    pub values: Vec<(String, String)>,
}

/// What an application costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fee {
    /// The items that apply, each with its amount.
    #[serde(serialize_with = "ser_items")]
    pub items: Vec<(Words, Money)>,
    /// Their sum.
    #[serde(serialize_with = "ser_money")]
    pub total: Money,
}

/// Money as `{"amount": "4550.00", "currency": "KES"}` (lango-core's Money has no serde).
fn ser_money<S: serde::Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("Money", 2)?;
    st.serialize_field("amount", &m.to_decimal())?;
    st.serialize_field("currency", m.currency().code())?;
    st.end()
}

fn ser_items<S: serde::Serializer>(items: &[(Words, Money)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    struct Item<'a>(&'a Words, &'a Money);
    impl Serialize for Item<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut st = s.serialize_struct("FeeItem", 3)?;
            st.serialize_field("label", self.0)?;
            st.serialize_field("amount", &self.1.to_decimal())?;
            st.serialize_field("currency", self.1.currency().code())?;
            st.end()
        }
    }
    let mut seq = s.serialize_seq(Some(items.len()))?;
    for (w, m) in items {
        seq.serialize_element(&Item(w, m))?;
    }
    seq.end()
}

/// The JSON Schema of the definition format (published at `/api/v1/schemas/service-definition.json`).
pub fn schema_json() -> serde_json::Value {
    let schema = schemars::schema_for!(DefinitionFile);
    let mut value = serde_json::to_value(&schema).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            "/api/v1/schemas/service-definition.json".into(),
        );
        obj.insert("title".into(), "Lango service definition".into());
        obj.insert(
            "description".into(),
            "A government service as data: its question pages, fees, workflow and issued documents.".into(),
        );
    }
    value
}

/// A checked definition: every id it names exists, every state is reachable, and so on.
#[derive(Debug, Clone)]
pub struct Definition {
    file: DefinitionFile,
    idx: check::Index,
}

impl Definition {
    /// Parses and checks a definition; every error found is returned, each with its line.
    pub fn parse(yaml: &str) -> Result<Definition, Vec<DefinitionError>> {
        parse::parse(yaml)
    }

    /// What the file says.
    pub fn file(&self) -> &DefinitionFile {
        &self.file
    }

    /// The catalogue code of the service.
    pub fn service(&self) -> &str {
        &self.file.service
    }

    /// The pages shown for these answers, in order.
    pub fn pages_for(&self, answers: &Answers) -> Vec<&PageDef> {
        self.pages_at(answers, Today::now())
    }

    /// The pages shown for these answers on a given day.
    pub fn pages_at(&self, answers: &Answers, today: Today) -> Vec<&PageDef> {
        self.file
            .pages
            .iter()
            .filter(|p| {
                p.when
                    .as_ref()
                    .is_none_or(|w| condition::holds(self, w, answers, today))
            })
            .collect()
    }

    /// A top-level field (not one inside a group) by id.
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        let (p, i) = self.idx.fields.get(id)?;
        self.file.pages.get(*p)?.fields.get(*i)
    }

    /// The page a top-level field is asked on.
    pub fn page_of(&self, field: &str) -> Option<&PageDef> {
        self.file.pages.get(self.idx.fields.get(field)?.0)
    }

    /// The currency of money answers and fees (the country's when the service has no fees).
    pub fn currency(&self) -> Currency {
        self.idx.currency
    }

    /// A page by id.
    pub fn page(&self, id: &str) -> Option<&PageDef> {
        self.file.pages.iter().find(|p| p.id == id)
    }

    /// The fields of `page` shown for these answers.
    pub fn fields_for<'a>(&'a self, page: &'a PageDef, answers: &Answers) -> Vec<&'a FieldDef> {
        self.fields_at(page, answers, Today::now())
    }

    /// The fields of `page` shown for these answers on a given day.
    pub fn fields_at<'a>(
        &'a self,
        page: &'a PageDef,
        answers: &Answers,
        today: Today,
    ) -> Vec<&'a FieldDef> {
        page.fields
            .iter()
            .filter(|f| {
                f.when
                    .as_ref()
                    .is_none_or(|w| condition::holds(self, w, answers, today))
            })
            .collect()
    }

    /// Takes one page's input: on success its answers replace that page's answers in
    /// `answers`; otherwise every error on the page is returned and `answers` is unchanged.
    pub fn answer_page(
        &self,
        page_id: &str,
        input: &PageInput,
        today: Today,
        answers: &mut Answers,
    ) -> Result<(), Vec<FieldError>> {
        answers::answer_page(self, page_id, input, today, answers)
    }

    /// Checks the whole application before submission: every shown required field
    /// answered, every answer valid, every rule holding. Returns the answers with those
    /// of hidden pages and fields dropped.
    pub fn check_all(&self, answers: &Answers, today: Today) -> Result<Answers, Vec<FieldError>> {
        answers::check_all(self, answers, today)
    }

    /// Answers taken from the profile for fields with `prefill`.
    pub fn prefill(&self, profile: &Profile) -> Answers {
        answers::prefill(self, profile, Today::now())
    }

    /// An answer as the applicant reads it on check your answers (choice labels, dates
    /// written out, file names), in `lang` (`en` or `sw`).
    pub fn display(&self, field: &FieldDef, value: &serde_json::Value, lang: &str) -> String {
        display::display(self, field, value, lang)
    }

    /// An answer as an issued document prints it: as [`Definition::display`], but a choice
    /// by its `printed` words when it has them.
    pub fn printed(&self, field: &FieldDef, value: &serde_json::Value, lang: &str) -> String {
        display::printed(self, field, value, lang)
    }

    /// What these answers cost; `None` when the service has no fees.
    pub fn fee(&self, answers: &Answers) -> Option<Fee> {
        fees::work_out(self, answers, Today::now()).map(|(fee, _)| fee)
    }

    /// A state by id.
    pub fn state(&self, id: &str) -> Option<&StateDef> {
        self.file.workflow.states.iter().find(|s| s.id == id)
    }

    /// True when `action` ends the application refused (its target state's outcome is
    /// `rejected`): pages draw such a button as a warning, so it is not mistaken for approval.
    pub fn refuses(&self, action: &model::ActionDef) -> bool {
        self.state(&action.to)
            .is_some_and(|s| s.outcome == Some(model::Outcome::Rejected))
    }

    /// The state a submitted application enters.
    pub fn start_state(&self) -> &StateDef {
        self.state(&self.file.workflow.start)
            .expect("a checked definition's start state exists")
    }

    /// An action of a state.
    pub fn action(&self, state: &str, action: &str) -> Option<&ActionDef> {
        self.state(state)?.actions.iter().find(|a| a.id == action)
    }

    /// An output by id.
    pub fn output(&self, id: &str) -> Option<&OutputDef> {
        self.file.outputs.iter().find(|o| o.id == id)
    }
}
