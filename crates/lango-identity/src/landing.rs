//! Where a person lands after signing in: staff start at their own work (an officer at the
//! workbench, finance at the finance pages, an administrator at administration), everyone
//! else at their account page.

use crate::model::Role;
use crate::policy::Person;

/// The first page after sign-in, when the person did not ask for a particular one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// Their own account page (citizens, and staff with no page of their own).
    Account,
    /// An agency's workbench (officers and supervisors).
    Workbench(String),
    /// The finance pages (finance officers and auditors).
    Finance,
    /// An agency's administration (agency administrators).
    AgencyAdmin(String),
    /// The platform's administration (platform administrators).
    Platform,
    /// Performance contracting (the performance office).
    Performance,
    /// A service centre's desk (centre staff and managers).
    Centre(String),
}

/// The landing of `p`. With several roles, the day-to-day work comes first: cases, then
/// money, then administration; within a role, the agency that sorts first, so it is stable.
pub fn landing(p: &Person) -> Landing {
    let agency_of = |roles: &[Role]| {
        p.grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .filter_map(|g| g.agency.clone())
            .min()
    };
    let holds = |role: Role| p.grants.iter().any(|g| g.role == role);
    if let Some(a) = agency_of(&[Role::Officer, Role::Supervisor]) {
        return Landing::Workbench(a);
    }
    let centre = p
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::CentreStaff | Role::CentreManager))
        .filter_map(|g| g.centre.clone())
        .min();
    if let Some(c) = centre {
        return Landing::Centre(c);
    }
    if holds(Role::FinanceOfficer) || holds(Role::Auditor) {
        return Landing::Finance;
    }
    if let Some(a) = agency_of(&[Role::AgencyAdmin]) {
        return Landing::AgencyAdmin(a);
    }
    if holds(Role::PlatformAdmin) {
        return Landing::Platform;
    }
    if holds(Role::PerformanceOfficer) {
        return Landing::Performance;
    }
    Landing::Account
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;

    fn person(grants: &[(Role, Option<&str>)]) -> Person {
        Person {
            account_id: "a".into(),
            grants: grants
                .iter()
                .map(|(role, agency)| Grant {
                    role: *role,
                    agency: agency.map(str::to_string),
                    centre: None,
                })
                .collect(),
            dependants: Vec::new(),
            owns: Vec::new(),
            represents: Vec::new(),
            assisting: None,
            agents: Vec::new(),
        }
    }

    #[test]
    fn staff_land_at_their_own_work() {
        assert_eq!(landing(&person(&[])), Landing::Account);
        assert_eq!(
            landing(&person(&[(Role::Officer, Some("NTSA"))])),
            Landing::Workbench("NTSA".into())
        );
        assert_eq!(
            landing(&person(&[
                (Role::AgencyAdmin, Some("DIS")),
                (Role::Supervisor, Some("NTSA")),
                (Role::Officer, Some("DIS"))
            ])),
            Landing::Workbench("DIS".into()),
            "cases first, the first agency"
        );
        assert_eq!(
            landing(&person(&[(Role::FinanceOfficer, None)])),
            Landing::Finance
        );
        assert_eq!(landing(&person(&[(Role::Auditor, None)])), Landing::Finance);
        assert_eq!(
            landing(&person(&[(Role::AgencyAdmin, Some("KRA"))])),
            Landing::AgencyAdmin("KRA".into())
        );
        assert_eq!(
            landing(&person(&[
                (Role::PerformanceOfficer, None),
                (Role::PlatformAdmin, None)
            ])),
            Landing::Platform
        );
        assert_eq!(
            landing(&person(&[(Role::PerformanceOfficer, None)])),
            Landing::Performance
        );
        assert_eq!(
            landing(&person(&[(Role::KioskAgent, Some("X"))])),
            Landing::Account
        );
    }
}
