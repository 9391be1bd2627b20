//! What an agent is, and the application a business makes to become one, parsed.

use lango_identity::model::{parse_name, Phone, Problem, Problems};
use serde::{Deserialize, Serialize};

/// Where an agent stands with the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Applied, waiting for platform staff.
    Applied,
    /// Vetted: listed in the directory and may act for people.
    Approved,
    /// Refused by platform staff.
    Refused,
    /// Stopped by platform staff: may no longer act, not listed.
    Suspended,
}

impl Status {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Approved => "approved",
            Status::Refused => "refused",
            Status::Suspended => "suspended",
        }
    }

    /// Parses the stored word.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Applied,
            Status::Approved,
            Status::Refused,
            Status::Suspended,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A registered agent.
#[derive(Debug, Clone, Serialize)]
pub struct Agent {
    /// Its code (`AG00001`).
    pub code: String,
    /// The business that is the agent.
    pub business_id: String,
    /// The name people know it by.
    pub name: String,
    /// The county it works in.
    pub county: String,
    /// Where to find it (street, building, market).
    pub location: String,
    /// Its phone, for people to call.
    pub phone: String,
    /// The county business permit it holds.
    pub permit_number: String,
    /// Where it stands.
    pub status: Status,
    /// Why it was refused or suspended (empty otherwise).
    pub reason: String,
    /// Services it helps with.
    pub services: Vec<String>,
    /// When it applied (unix ms).
    pub applied_at: i64,
}

/// The application form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplyForm {
    /// The business (its id): one the applicant owns.
    #[serde(default)]
    pub business: String,
    /// The name people know it by.
    #[serde(default)]
    pub trading_name: String,
    /// County.
    #[serde(default)]
    pub county: String,
    /// Where to find it.
    #[serde(default)]
    pub location: String,
    /// Its phone.
    #[serde(default)]
    pub phone: String,
    /// County business permit number.
    #[serde(default)]
    pub permit_number: String,
    /// Service codes, separated by spaces, commas or lines.
    #[serde(default)]
    pub services: String,
}

/// An application, parsed (services still to be checked against the catalogue).
#[derive(Debug, Clone)]
pub struct NewAgent {
    /// The business.
    pub business: String,
    /// Trading name.
    pub name: String,
    /// County, as the county list spells it.
    pub county: String,
    /// Location.
    pub location: String,
    /// Phone.
    pub phone: Phone,
    /// Permit number.
    pub permit_number: String,
    /// Service codes, upper case, each once.
    pub services: Vec<String>,
}

/// Most services one agent lists.
pub const MAX_SERVICES: usize = 50;

impl ApplyForm {
    /// Parses every field, collecting every problem for the error summary.
    pub fn parse(&self) -> Result<NewAgent, Problems> {
        let mut p = Problems::default();
        if self.business.trim().is_empty() {
            p.add("business", "choose_one");
        }
        let name = p.take(parse_name("trading_name", &self.trading_name));
        let county = lango_cases::definition::counties::county(&self.county);
        if county.is_none() {
            p.add("county", "county_unknown");
        }
        let location = p.take(parse_name("location", &self.location));
        let phone = p.take(Phone::parse(&self.phone));
        let permit = self.permit_number.trim().to_ascii_uppercase();
        let permit_ok = (3..=30).contains(&permit.len())
            && permit
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-/".contains(&b));
        if !permit_ok {
            p.0.push(Problem {
                field: "permit_number",
                code: "permit_number_invalid",
            });
        }
        let mut services: Vec<String> = Vec::new();
        for s in self
            .services
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let s = s.to_ascii_uppercase();
            if !services.contains(&s) {
                services.push(s);
            }
        }
        if services.is_empty() {
            p.add("services", "required");
        } else if services.len() > MAX_SERVICES {
            p.add("services", "too_long");
        }
        match (name, county, location, phone) {
            (Some(name), Some(county), Some(location), Some(phone)) if p.is_empty() => {
                Ok(NewAgent {
                    business: self.business.trim().to_string(),
                    name,
                    county: county.to_string(),
                    location,
                    phone,
                    permit_number: permit,
                    services,
                })
            }
            _ => Err(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_is_parsed_whole_or_refused_with_every_problem() {
        let form = ApplyForm {
            business: "b1".into(),
            trading_name: " Mama Mboga Cyber ".into(),
            county: "nairobi".into(),
            location: "Kenyatta Market, stall 12".into(),
            phone: "0712 345 678".into(),
            permit_number: "sbp/2026/001".into(),
            services: "ntsa-dl, DIS-ETA\nntsa-dl".into(),
        };
        let a = form.parse().unwrap();
        assert_eq!(a.name, "Mama Mboga Cyber");
        assert_eq!(a.county, "Nairobi City");
        assert_eq!(a.permit_number, "SBP/2026/001");
        assert_eq!(a.services, vec!["NTSA-DL", "DIS-ETA"]);
        let bad = ApplyForm::default().parse().unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|p| p.field).collect();
        for f in [
            "business",
            "trading_name",
            "county",
            "location",
            "phone",
            "permit_number",
            "services",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
