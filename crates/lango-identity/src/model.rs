//! Types that parse: a value of these types is valid by construction.
//!
//! Parsing failures are [`Problem`]s with a stable code; the web layer words them in the
//! reader's language and links each to its field.

use serde::Serialize;

/// One thing wrong with one field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The form field, e.g. `email`.
    pub field: &'static str,
    /// A stable code the web layer translates, e.g. `email_invalid`.
    pub code: &'static str,
}

/// Every problem found in one form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Notes a problem with `field`.
    pub fn add(&mut self, field: &'static str, code: &'static str) {
        self.0.push(Problem { field, code });
    }

    /// Takes the value or records the problem, for collecting every error of a form.
    pub fn take<T>(&mut self, r: Result<T, Problem>) -> Option<T> {
        r.map_err(|p| self.0.push(p)).ok()
    }

    /// True when nothing was wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One problem on its own.
    pub fn one(field: &'static str, code: &'static str) -> Problems {
        Problems(vec![Problem { field, code }])
    }
}

impl From<Problems> for lango_core::Error {
    fn from(p: Problems) -> Self {
        let first = p.0.first();
        lango_core::Error::invalid(
            first.map_or("form", |p| p.field),
            first.map_or("invalid", |p| p.code),
        )
    }
}

fn problem(field: &'static str, code: &'static str) -> Problem {
    Problem { field, code }
}

/// A mobile number in E.164 form (`+254712345678`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phone(String);

impl Phone {
    /// Accepts the served country's ways of writing a mobile number (`0712 345 678`,
    /// `254712345678` in Kenya; `012-345 6789` in Malaysia) and any `+` international number
    /// of another country.
    pub fn parse(raw: &str) -> Result<Phone, Problem> {
        let bad = || problem("phone", "phone_invalid");
        let plan = &lango_core::country::current().phone;
        if let Some(home) = plan.mobile(raw) {
            return Ok(Phone(home));
        }
        let s: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let (plus, digits) = match s.strip_prefix('+') {
            Some(d) => (true, d),
            None => (false, s.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        // Without a `+`, only a home number written with its country code (a landline too).
        let home_with_code = digits
            .strip_prefix(plan.country_code.as_str())
            .is_some_and(|n| plan.national_digits.contains(&n.len()));
        if !(plus || home_with_code)
            || !(8..=15).contains(&digits.len())
            || digits.starts_with('0')
            || plan.is_bad_home_length(digits)
        {
            return Err(bad());
        }
        Ok(Phone(format!("+{digits}")))
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Shown to people without giving the number away: `+2547•••••678`.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!(
            "{}•••••{}",
            &self.0[..5.min(n)],
            &self.0[n.saturating_sub(3)..]
        )
    }
}

/// An e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email(String);

impl Email {
    /// A plausible address: one `@`, a dotted domain, no spaces, at most 254 characters.
    pub fn parse(raw: &str) -> Result<Email, Problem> {
        let s = raw.trim().to_lowercase();
        let bad = problem("email", "email_invalid");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad);
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(bad);
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad);
        }
        Ok(Email(s))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What kind of identity document a person holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Kenyan national ID card (citizens).
    NationalId,
    /// Alien ID card (residents).
    AlienId,
    /// A passport (foreigners).
    Passport,
    /// A birth certificate (dependants).
    BirthCertificate,
}

impl IdKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::NationalId => "national_id",
            IdKind::AlienId => "alien_id",
            IdKind::Passport => "passport",
            IdKind::BirthCertificate => "birth_certificate",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<IdKind> {
        Some(match s {
            "national_id" => IdKind::NationalId,
            "alien_id" => IdKind::AlienId,
            "passport" => IdKind::Passport,
            "birth_certificate" => IdKind::BirthCertificate,
            _ => return None,
        })
    }
}

/// The number on an identity document, normalised (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdNumber {
    /// Which document.
    pub kind: IdKind,
    number: String,
}

impl IdNumber {
    /// National IDs by the served country's checks (a MyKad's birth date and place); alien IDs
    /// and birth certificates are digits; passports letters and digits.
    pub fn parse(kind: IdKind, raw: &str) -> Result<IdNumber, Problem> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let ok = match kind {
            IdKind::NationalId => {
                return match lango_core::country::current().parse_national_id(&s) {
                    Ok(number) => Ok(IdNumber { kind, number }),
                    Err(why) => Err(problem("id_number", why.code())),
                };
            }
            // A permanent resident's MyPR has a MyKad's form and checks.
            IdKind::AlienId
                if lango_core::country::current().national_id.format
                    == lango_core::country::IdFormat::Mykad =>
            {
                return match lango_core::country::current().parse_national_id(&s) {
                    Ok(number) => Ok(IdNumber { kind, number }),
                    Err(why) => Err(problem("id_number", why.code())),
                };
            }
            IdKind::AlienId => (5..=10).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()),
            IdKind::BirthCertificate => {
                (5..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
            }
            IdKind::Passport => {
                (6..=9).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
            }
        };
        if ok {
            Ok(IdNumber { kind, number: s })
        } else {
            Err(problem("id_number", "id_number_invalid"))
        }
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.number
    }
}

/// Who a person account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A citizen (national ID).
    Citizen,
    /// A resident foreigner (alien ID).
    Resident,
    /// A visitor (passport).
    Foreigner,
    /// A child or other person acted for by a guardian; cannot sign in.
    Dependant,
    /// Government staff (roles say where).
    Staff,
}

impl AccountKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Citizen => "citizen",
            AccountKind::Resident => "resident",
            AccountKind::Foreigner => "foreigner",
            AccountKind::Dependant => "dependant",
            AccountKind::Staff => "staff",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<AccountKind> {
        Some(match s {
            "citizen" => AccountKind::Citizen,
            "resident" => AccountKind::Resident,
            "foreigner" => AccountKind::Foreigner,
            "dependant" => AccountKind::Dependant,
            "staff" => AccountKind::Staff,
            _ => return None,
        })
    }

    /// The document a person of this kind registers with.
    pub fn id_kind(self) -> Option<IdKind> {
        match self {
            AccountKind::Citizen => Some(IdKind::NationalId),
            AccountKind::Resident => Some(IdKind::AlienId),
            AccountKind::Foreigner => Some(IdKind::Passport),
            AccountKind::Dependant => Some(IdKind::BirthCertificate),
            AccountKind::Staff => None,
        }
    }
}

/// A person's name part: 1–100 characters, no control characters.
pub fn parse_name(field: &'static str, raw: &str) -> Result<String, Problem> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(problem(field, "required"));
    }
    if s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(problem(field, "name_invalid"));
    }
    Ok(s.to_string())
}

/// Free text up to `max` characters (may be empty).
pub fn parse_text(field: &'static str, raw: &str, max: usize) -> Result<String, Problem> {
    let s = raw.trim();
    if s.chars().count() > max || s.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(problem(field, "too_long"));
    }
    Ok(s.to_string())
}

/// A calendar date `YYYY-MM-DD` between 1900-01-01 and `today` (also `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Date(String);

impl Date {
    /// Parses a date of birth, which cannot be in the future.
    pub fn parse_past(field: &'static str, raw: &str, today: &str) -> Result<Date, Problem> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(problem(field, "required"));
        }
        let bad = problem(field, "date_invalid");
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad);
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad);
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad);
        };
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad),
        };
        if y < 1900 || d == 0 || d > days {
            return Err(bad);
        }
        if s > today {
            return Err(problem(field, "date_in_future"));
        }
        Ok(Date(s.to_string()))
    }

    /// The ISO text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A date typed in three boxes (day, month, year) as `YYYY-MM-DD` for [`Date::parse_past`];
/// when every box is empty, `whole` (one `YYYY-MM-DD` text, as API clients and older forms
/// send it) is taken instead. A two-digit year stays two digits, so it is refused.
pub fn date_from_boxes(whole: &str, day: &str, month: &str, year: &str) -> String {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return whole.trim().to_string();
    }
    format!("{y}-{m:0>2}-{d:0>2}")
}

/// The three boxes of a date of birth (`date_of_birth-day`, `-month`, `-year`), as the
/// GOV.UK date pattern posts them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DobBoxes {
    /// Day, 1 to 31.
    #[serde(default, rename = "date_of_birth-day")]
    pub day: String,
    /// Month, 1 to 12.
    #[serde(default, rename = "date_of_birth-month")]
    pub month: String,
    /// Year, four digits.
    #[serde(default, rename = "date_of_birth-year")]
    pub year: String,
}

impl DobBoxes {
    /// The boxes filled from a stored `YYYY-MM-DD` date.
    pub fn of(iso: &str) -> DobBoxes {
        let mut it = iso.splitn(3, '-');
        let (y, m, d) = (it.next(), it.next(), it.next());
        let unpad = |s: Option<&str>| s.map(|s| s.trim_start_matches('0').to_string());
        DobBoxes {
            day: unpad(d).unwrap_or_default(),
            month: unpad(m).unwrap_or_default(),
            year: y.unwrap_or_default().to_string(),
        }
    }

    /// The date typed, as `YYYY-MM-DD` (see [`date_from_boxes`]).
    pub fn joined(&self, whole: &str) -> String {
        date_from_boxes(whole, &self.day, &self.month, &self.year)
    }
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    lango_core::clock::Civil::from_ms(lango_core::clock::now_ms()).date()
}

/// A staff role. Agency roles are bound to one agency, centre roles to one centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works an agency's cases.
    Officer,
    /// Oversees an agency's officers and SLAs.
    Supervisor,
    /// Manages an agency's staff, API keys and services.
    AgencyAdmin,
    /// Serves people at a service centre.
    CentreStaff,
    /// Runs a kiosk at a centre and earns commission.
    KioskAgent,
    /// Runs a centre: its hours, services, counters and closures, and its live view.
    CentreManager,
    /// Treasury: revenue, reconciliation, settlement.
    FinanceOfficer,
    /// Reads everything, changes nothing.
    Auditor,
    /// Runs the platform.
    PlatformAdmin,
    /// The performance office: keeps performance periods, contracts and their targets.
    PerformanceOfficer,
}

/// Every role, in the order pages list them.
pub const ROLES: [Role; 10] = [
    Role::Officer,
    Role::Supervisor,
    Role::AgencyAdmin,
    Role::CentreStaff,
    Role::KioskAgent,
    Role::CentreManager,
    Role::FinanceOfficer,
    Role::Auditor,
    Role::PlatformAdmin,
    Role::PerformanceOfficer,
];

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::AgencyAdmin => "agency_admin",
            Role::CentreStaff => "centre_staff",
            Role::KioskAgent => "kiosk_agent",
            Role::CentreManager => "centre_manager",
            Role::FinanceOfficer => "finance_officer",
            Role::Auditor => "auditor",
            Role::PlatformAdmin => "platform_admin",
            Role::PerformanceOfficer => "performance_officer",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        ROLES.into_iter().find(|r| r.as_str() == s)
    }

    /// True for roles bound to an agency.
    pub fn is_agency_role(self) -> bool {
        matches!(self, Role::Officer | Role::Supervisor | Role::AgencyAdmin)
    }

    /// True for roles bound to a service centre.
    pub fn is_centre_role(self) -> bool {
        matches!(
            self,
            Role::CentreStaff | Role::KioskAgent | Role::CentreManager
        )
    }
}

/// A role held by a staff account, with where it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The agency, for agency roles.
    pub agency: Option<String>,
    /// The centre, for centre roles.
    pub centre: Option<String>,
}

/// What an agency's API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Permission {
    /// Read the agency's applications.
    CasesRead,
    /// Move the agency's applications through their workflow.
    CasesWrite,
    /// Read the agency's bills.
    BillsRead,
    /// Raise and cancel the agency's bills.
    BillsWrite,
    /// Manage the agency's webhook subscriptions and redeliver.
    WebhooksManage,
    /// Sign and revoke the agency's documents.
    DocumentsWrite,
    /// Book and cancel appointments at the centres the agency runs.
    AppointmentsWrite,
    /// Issue, call and finish queue tickets at the centres the agency runs.
    QueueWrite,
    /// Read an agent's commission statements (an agent's own key, not an agency's).
    StatementsRead,
}

/// Every permission, in the order pages list them.
pub const PERMISSIONS: [Permission; 8] = [
    Permission::CasesRead,
    Permission::CasesWrite,
    Permission::BillsRead,
    Permission::BillsWrite,
    Permission::WebhooksManage,
    Permission::DocumentsWrite,
    Permission::AppointmentsWrite,
    Permission::QueueWrite,
];

/// What an agent's key may hold (an agent's keys are not an agency's: see `lango-agents`).
pub const AGENT_PERMISSIONS: [Permission; 1] = [Permission::StatementsRead];

impl Permission {
    /// The name in keys and the API: `cases:read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::CasesRead => "cases:read",
            Permission::CasesWrite => "cases:write",
            Permission::BillsRead => "bills:read",
            Permission::BillsWrite => "bills:write",
            Permission::WebhooksManage => "webhooks:manage",
            Permission::DocumentsWrite => "documents:write",
            Permission::AppointmentsWrite => "appointments:write",
            Permission::QueueWrite => "queue:write",
            Permission::StatementsRead => "statements:read",
        }
    }

    /// Parses the name.
    pub fn parse(s: &str) -> Option<Permission> {
        PERMISSIONS
            .into_iter()
            .chain(AGENT_PERMISSIONS)
            .find(|p| p.as_str() == s)
    }
}

/// A business's registration number (e.g. `BN-2026-12345`, `PVT-AB12CD3`).
pub fn parse_registration_number(raw: &str) -> Result<String, Problem> {
    let s: String = raw.trim().to_ascii_uppercase();
    let ok = (4..=30).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/');
    if ok {
        Ok(s)
    } else {
        Err(problem(
            "registration_number",
            "registration_number_invalid",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phones_normalise_to_e164() {
        for raw in [
            "0712345678",
            "0712 345 678",
            "254712345678",
            "+254 712-345-678",
            "712345678",
        ] {
            assert_eq!(
                Phone::parse(raw).unwrap().as_str(),
                "+254712345678",
                "{raw}"
            );
        }
        assert_eq!(
            Phone::parse("+44 20 7946 0958").unwrap().as_str(),
            "+442079460958"
        );
        for raw in [
            "",
            "07123",
            "abc",
            "+",
            "25471234567",
            "0812345678",
            "+2547123456789",
        ] {
            assert!(Phone::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn emails_and_ids() {
        assert_eq!(
            Email::parse(" Wanjiku@Example.KE ").unwrap().as_str(),
            "wanjiku@example.ke"
        );
        for raw in ["", "a@b", "@x.ke", "a b@x.ke", "a@.ke", "a@x..ke"] {
            assert!(Email::parse(raw).is_err(), "{raw}");
        }
        assert_eq!(
            IdNumber::parse(IdKind::NationalId, "2345 6789")
                .unwrap()
                .as_str(),
            "23456789"
        );
        assert!(IdNumber::parse(IdKind::NationalId, "A1234567").is_err());
        assert_eq!(
            IdNumber::parse(IdKind::Passport, "ak123456")
                .unwrap()
                .as_str(),
            "AK123456"
        );
    }

    #[test]
    fn dates_of_birth() {
        assert!(Date::parse_past("dob", "2000-02-29", "2026-01-01").is_ok());
        assert!(Date::parse_past("dob", "2001-02-29", "2026-01-01").is_err());
        assert!(Date::parse_past("dob", "2027-01-01", "2026-01-01").is_err());
        assert!(Date::parse_past("dob", "1-1-2000", "2026-01-01").is_err());
        assert_eq!(today_utc().len(), 10);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = Phone::parse(&s);
            let _ = Email::parse(&s);
            let _ = Date::parse_past("d", &s, "2026-01-01");
            for k in [IdKind::NationalId, IdKind::AlienId, IdKind::Passport, IdKind::BirthCertificate] {
                let _ = IdNumber::parse(k, &s);
            }
        }

        #[test]
        fn parsed_phones_reparse_to_themselves(d in "7[0-9]{8}") {
            let p = Phone::parse(&format!("0{d}")).unwrap();
            prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p);
        }
    }
}
