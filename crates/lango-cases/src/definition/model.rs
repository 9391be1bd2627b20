//! The shape of a service definition file, as written in YAML by an agency.
//!
//! These types are what the file says, deserialised; `parse` then checks what serde
//! cannot (ids unique and known, exactly one kind of fee per item, states reachable…)
//! and only a checked [`super::Definition`] reaches the rest of Lango. The JSON Schema
//! published at `/api/v1/schemas/service-definition.json` is derived from these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Words in English and Kiswahili (`sw` may be left out; English is then shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// English.
    pub en: String,
    /// The country's own language beside English: Kiswahili (`sw:`) in Kenya, Bahasa Melayu
    /// (`ms:`) in Malaysia.
    #[serde(default, alias = "ms", skip_serializing_if = "Option::is_none")]
    pub sw: Option<String>,
}

/// A whole service definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinitionFile {
    /// The catalogue code of the service this defines, e.g. `DIS-PASSPORT`.
    pub service: String,
    /// The title of the application, e.g. "Apply for a passport".
    pub title: Words,
    /// What the applicant reads on the start page before starting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Words>,
    /// What the applicant declares before submitting.
    pub declaration: Words,
    /// The question pages, in order.
    pub pages: Vec<PageDef>,
    /// Rules across fields, checked on the page of the last field they name and again at submission.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDef>,
    /// What the application costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<FeesDef>,
    /// States, who acts in each, and the actions between them.
    pub workflow: WorkflowDef,
    /// Documents issued at the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OutputDef>,
}

/// One question page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageDef {
    /// Unique within the definition: lower-case letters, digits, `_` and `-`.
    pub id: String,
    /// The page's heading.
    pub title: Words,
    /// Shown only when this holds (otherwise skipped and its answers dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// The questions on the page.
    pub fields: Vec<FieldDef>,
}

/// The kinds of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text (`min_length`, `max_length`, `pattern`).
    Text,
    /// A number (`min`, `max`, `decimals`).
    Number,
    /// An amount of money in the definition's fee currency (`min`, `max`).
    Money,
    /// A calendar date `YYYY-MM-DD` (`min`, `max`: a date, `today`, or `today-18y`…).
    Date,
    /// One of `choices`.
    Choice,
    /// Any of `choices` (`min_items`, `max_items`).
    MultipleChoice,
    /// Yes or no.
    YesNo,
    /// A Kenyan national ID number (7 or 8 digits).
    NationalId,
    /// A mobile number, stored in E.164 form.
    Phone,
    /// An e-mail address.
    Email,
    /// One of the country's regions (its pack's regions.csv: Kenya's counties, Malaysia's states).
    County,
    /// A subregion (sub-county, district) of the region answered in the field named by
    /// `county_field`.
    SubCounty,
    /// An uploaded file (`accept`, `max_size_kb`).
    File,
    /// A repeating group of `fields` (`min_items`, `max_items`).
    Group,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Unique within the definition (and within its group): lower-case letters, digits and `_`.
    pub id: String,
    /// The kind of question.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The question.
    pub label: Words,
    /// Help under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Words>,
    /// Must be answered (when shown).
    #[serde(default)]
    pub required: bool,
    /// Shown only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// Filled in from the applicant's profile: `full_name`, `given_name`, `family_name`,
    /// `date_of_birth`, `phone`, `email`, `national_id`, `county`, `sub_county`, `postal_address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<String>,
    /// Text: fewest characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Text: most characters (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Text: a regular expression the whole answer must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Text: what to tell the applicant when `pattern` does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<Words>,
    /// Number, money, date: the smallest allowed (a number, or for dates `YYYY-MM-DD`, `today`, `today-18y`, `today+30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    /// Number, money, date: the largest allowed (same forms as `min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    /// Number: digits allowed after the decimal point (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// Choice and multiple choice: the options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<ChoiceDef>,
    /// Multiple choice and group: fewest items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Multiple choice and group: most items (group default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Sub-county: the id of the county field it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_field: Option<String>,
    /// File: allowed types, from `pdf`, `jpeg`, `png` (default all three).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// File: largest size in KiB (default 5120, at most 10240).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size_kb: Option<u32>,
    /// Group: the questions asked for each item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDef>,
}

/// One option of a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceDef {
    /// What is stored: lower-case letters, digits, `_` and `-`.
    pub value: String,
    /// What the applicant reads.
    pub label: Words,
    /// How the choice reads on an issued document, when not as its label (a label that
    /// names the fee, say: "50 pages (KES 6,050)" is printed "50 pages").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed: Option<Words>,
}

/// A test on the answers. Exactly one form: a field test (`field` with one of `equals`,
/// `not_equals`, `one_of`, `answered`, `less_than`, `more_than`), or `all`, `any`, `not`.
/// Comparison operands (`equals` and `not_equals` too) are literals (`42`, `2024-01-31`,
/// `today`, `today-18y`) or another field of the same type as `field:ID`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The field tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Holds when the answer is this value (for multiple choice: includes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    /// Holds when the answer is not this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<String>,
    /// Holds when the answer is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    /// Holds when the field is (true) or is not (false) answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    /// Holds when the answer (number, money or date) is less than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than: Option<String>,
    /// Holds when the answer (number, money or date) is more than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_than: Option<String>,
    /// Holds when every one holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    /// Holds when at least one holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    /// Holds when this does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

/// A rule across fields: `check` must hold (when `when` holds), else `message` is shown on `field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Applies only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// What must hold.
    pub check: Condition,
    /// The field the error is shown on.
    pub field: String,
    /// The error.
    pub message: Words,
}

/// What an application costs: the sum of the items that apply, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeesDef {
    /// `KES` or `USD`.
    pub currency: String,
    /// The fee items.
    pub items: Vec<FeeItemDef>,
}

/// One fee item: exactly one of `amount`, `by_choice`, `by_bands`, `formula`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeItemDef {
    /// What the applicant reads on the bill.
    pub label: Words,
    /// Charged only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// A fixed amount, decimal in major units (`"1050.00"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// An amount by the answer to a choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_choice: Option<ByChoice>,
    /// An amount by the band a number or money answer falls in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_bands: Option<ByBands>,
    /// A small formula over number answers in major units: `+ - * /`, brackets,
    /// `min(a, b)`, `max(a, b)`, numbers and field ids, e.g. `4550 + 50 * (pages - 34)`.
    /// Rounded half up to the currency's minor unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
}

/// An amount per choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ByChoice {
    /// The choice field.
    pub field: String,
    /// Choice value → decimal amount; every choice must be priced.
    pub amounts: BTreeMap<String, String>,
}

/// An amount per band of a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ByBands {
    /// The number or money field.
    pub field: String,
    /// Bands in increasing `up_to`; the last has no `up_to`.
    pub bands: Vec<BandDef>,
}

/// One band: answers up to and including `up_to` pay `amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandDef {
    /// Upper bound, inclusive; left out on the last band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<String>,
    /// Decimal amount.
    pub amount: String,
}

/// The workflow: where a submitted application goes and how it moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowDef {
    /// The state a submitted application enters.
    pub start: String,
    /// Every state.
    pub states: Vec<StateDef>,
}

/// Who acts in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The applicant (e.g. answering a request for more information).
    Applicant,
    /// An officer of the agency.
    Officer,
    /// A supervisor of the agency.
    Supervisor,
    /// Nobody: the platform moves it (payment received) or it is final.
    System,
}

/// How an application ended, for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Delivered: the service was given.
    Completed,
    /// Refused.
    Rejected,
    /// Withdrawn by the applicant.
    Withdrawn,
}

/// One state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    /// Unique: lower-case letters, digits and `_`.
    pub id: String,
    /// What the applicant and officer read.
    pub label: Words,
    /// Who acts here.
    pub actor: Actor,
    /// Working days the actor has before the state is overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_days: Option<u32>,
    /// The application waits here until its bill (the definition's fee) is paid, then moves to this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_to: Option<String>,
    /// Final states have no actions and an outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// What the actor can do here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionDef>,
    /// While here, the applicant is asked to book an appointment at a service centre
    /// (the passport's biometrics after payment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentDef>,
}

/// An appointment the applicant books at a centre while the application is in a state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentDef {
    /// The catalogue code of the service booked at the centre, e.g. `DIS-PASSPORT`.
    pub service: String,
    /// Why the applicant comes in person (photo and fingerprints, say).
    pub why: Words,
}

/// Whether an action asks for a reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonRule {
    /// No reason asked.
    #[default]
    None,
    /// A reason may be given.
    Optional,
    /// A reason must be given (a rejection, a request for information).
    Required,
}

/// One action in a state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    /// Unique within its state: lower-case letters, digits and `_`.
    pub id: String,
    /// The button's words.
    pub label: Words,
    /// The state it leads to.
    pub to: String,
    /// Whether a reason is asked (shown to the applicant).
    #[serde(default)]
    pub reason: ReasonRule,
    /// This action asks the applicant for more information: `to` must be an applicant state,
    /// whose action sends the application back.
    #[serde(default)]
    pub request_info: bool,
    /// This action issues the output with this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<String>,
}

/// A document issued at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputDef {
    /// Unique: lower-case letters, digits and `_`.
    pub id: String,
    /// The document's title.
    pub title: Words,
    /// The document's body: text with `{{ answers.FIELD }}`, `{{ reference }}`,
    /// `{{ applicant.name }}`, `{{ issued_on }}`, `{{ valid_until }}` and `{{ service }}` placeholders;
    /// blank lines separate paragraphs; lines starting `# ` are headings.
    pub template: String,
    /// The body in the country's own language (`template_sw:` Kiswahili, `template_ms:`
    /// Bahasa Melayu), with the same placeholders: printed under the English, so whoever
    /// checks the document reads it in either language.
    #[serde(
        default,
        alias = "template_ms",
        skip_serializing_if = "Option::is_none"
    )]
    pub template_sw: Option<String>,
    /// Days the document is valid, if it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_days: Option<u32>,
    /// Years the document is valid (to the day before the same date), instead of days: a
    /// ten-year passport is valid ten calendar years, not 3,650 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_years: Option<u32>,
    /// The document's key fields (at most 6): printed among its particulars and signed into
    /// its QR code, so a verifier compares them with the paper in hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<OutputField>,
}

/// One key field of an issued document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputField {
    /// Its label.
    pub label: Words,
    /// Its value: text with the template's placeholders, e.g. `{{ answers.booklet }}`.
    pub value: String,
}
