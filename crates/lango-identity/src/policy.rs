//! The one authorisation policy: every domain operation asks [`may`] whether this actor
//! may do this action on this object. Nothing else in Lango decides access.
//!
//! An actor is loaded fresh on every request (see `account::actor`), so a revoked
//! representative or role loses access on the very next request.

use crate::model::{Grant, Permission, Role};

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Actor {
    /// Nobody signed in.
    Anonymous,
    /// A signed-in person (citizen, representative, staff).
    Person(Person),
    /// An agency system calling with an API key.
    ApiClient(ApiClient),
}

/// A signed-in person and every relationship that grants access.
#[derive(Debug, Clone, Default)]
pub struct Person {
    /// Their account.
    pub account_id: String,
    /// Staff roles, each with where it applies.
    pub grants: Vec<Grant>,
    /// Accounts they act for as guardian.
    pub dependants: Vec<String>,
    /// Businesses they own.
    pub owns: Vec<String>,
    /// Businesses they represent (owners included).
    pub represents: Vec<String>,
    /// The person present at their counter whom they act for now (centre staff with an
    /// open assistance, see `assist`): that person's own applications only.
    pub assisting: Option<String>,
    /// The approved agents whose business they represent (filled by the agents room when
    /// they sign in): they may act for people present, with each person's consent.
    pub agents: Vec<String>,
}

/// An agency system.
#[derive(Debug, Clone)]
pub struct ApiClient {
    /// The key's id.
    pub key_id: String,
    /// The agency the key belongs to.
    pub agency: String,
    /// What it may do.
    pub permissions: Vec<Permission>,
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read it.
    View,
    /// Change it.
    Edit,
    /// Add or remove who acts for it (business representatives).
    ManageMembers,
    /// Add or remove an agency's staff.
    ManageStaff,
    /// Create or revoke an agency's API keys.
    ManageApiKeys,
    /// Subscribe an agency's systems to events and redeliver webhooks.
    ManageWebhooks,
    /// Work a case (claim, move through the workflow).
    Work,
    /// See and assign an agency's workload.
    Supervise,
    /// Serve people at a centre (assisted applications, queue).
    Assist,
    /// Book, move or cancel appointments at a centre for people.
    Book,
}

/// What it is done to.
#[derive(Debug, Clone, Copy)]
pub enum Object<'a> {
    /// A person's account and profile.
    Account(&'a str),
    /// A business.
    Business(&'a str),
    /// An agency (its staff, keys, settings).
    Agency(&'a str),
    /// An application: whose it is and which agency handles it.
    Case {
        /// The applicant's account.
        applicant: &'a str,
        /// The business it was made for, if any.
        business: Option<&'a str>,
        /// The agency handling it.
        agency: &'a str,
    },
    /// A bill of an agency.
    Bill(&'a str),
    /// A service centre.
    Centre {
        /// Its code.
        code: &'a str,
        /// The agency that runs it: that agency's systems act for it.
        operator: &'a str,
    },
    /// An agency's signed documents: signing them for its systems, revoking them.
    Documents(&'a str),
    /// Revenue, ledger, reconciliation and settlement.
    Finance,
    /// An agency's settlements: its batches and statements.
    Settlements(&'a str),
    /// The audit log.
    AuditLog,
    /// The platform's settings and every agency.
    Platform,
    /// A registered agent: its record, statements and the people it acts for.
    Agent {
        /// Its code.
        code: &'a str,
        /// The business that is the agent: its representatives work for it.
        business: &'a str,
    },
    /// Performance contracting: periods and contracts (`None`), or one agency's entered
    /// values (`Some(agency)`). Scores themselves are public.
    Performance(Option<&'a str>),
}

impl Person {
    fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    fn has_in_agency(&self, roles: &[Role], agency: &str) -> bool {
        self.grants
            .iter()
            .any(|g| roles.contains(&g.role) && g.agency.as_deref() == Some(agency))
    }

    fn has_in_centre(&self, centre: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.is_centre_role() && g.centre.as_deref() == Some(centre))
    }

    fn manages_centre(&self, centre: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::CentreManager && g.centre.as_deref() == Some(centre))
    }

    /// True when the person is `account` or acts for it as guardian.
    fn speaks_for(&self, account: &str) -> bool {
        self.account_id == account || self.dependants.iter().any(|d| d == account)
    }

    /// True when an application of `applicant` (for `business`) is the person's own: theirs,
    /// a dependant's, or a business's they own or represent.
    pub fn is_party_to(&self, applicant: &str, business: Option<&str>) -> bool {
        self.speaks_for(applicant)
            || business.is_some_and(|b| self.represents.iter().any(|r| r == b))
    }
}

/// True when `actor` would work or supervise `object` (a case) as an interested party:
/// the one refusal that is audited, since it is an attempt to decide one's own case.
pub fn conflict_of_interest(actor: &Actor, object: Object<'_>) -> bool {
    match (actor, object) {
        (
            Actor::Person(p),
            Object::Case {
                applicant,
                business,
                agency,
            },
        ) => {
            p.is_party_to(applicant, business)
                && p.has_in_agency(&[Role::Officer, Role::Supervisor], agency)
        }
        _ => false,
    }
}

const AGENCY_STAFF: [Role; 3] = [Role::Officer, Role::Supervisor, Role::AgencyAdmin];

/// May `actor` do `action` on `object`?
pub fn may(actor: &Actor, action: Action, object: Object<'_>) -> bool {
    match actor {
        Actor::Anonymous => false,
        Actor::ApiClient(c) => api_client_may(c, action, object),
        Actor::Person(p) => {
            // The auditor reads everything and changes nothing.
            if p.has(Role::Auditor) && action == Action::View {
                return true;
            }
            person_may(p, action, object)
        }
    }
}

fn person_may(p: &Person, action: Action, object: Object<'_>) -> bool {
    let admin = p.has(Role::PlatformAdmin);
    match object {
        Object::Account(id) => match action {
            Action::View => p.speaks_for(id) || admin,
            Action::Edit => p.speaks_for(id),
            _ => false,
        },
        Object::Business(id) => match action {
            Action::View => p.represents.iter().any(|b| b == id) || admin,
            Action::Edit | Action::ManageMembers => p.owns.iter().any(|b| b == id),
            _ => false,
        },
        Object::Agency(code) => match action {
            Action::View => p.has_in_agency(&AGENCY_STAFF, code) || admin,
            Action::ManageStaff | Action::ManageApiKeys | Action::ManageWebhooks | Action::Edit => {
                p.has_in_agency(&[Role::AgencyAdmin], code) || admin
            }
            Action::Supervise => p.has_in_agency(&[Role::Supervisor, Role::AgencyAdmin], code),
            _ => false,
        },
        Object::Case {
            applicant,
            business,
            agency,
        } => {
            // Staff assisting a person at a counter make that person's own applications
            // for them, and (separation of duties) never also decide them.
            let assisted = business.is_none() && p.assisting.as_deref() == Some(applicant);
            let own = p.is_party_to(applicant, business) || assisted;
            // Separation of duties: staff never decide their own, a dependant's or their
            // business's application, whatever their role.
            match action {
                Action::View => own || p.has_in_agency(&AGENCY_STAFF, agency),
                Action::Edit => own,
                Action::Work => !own && p.has_in_agency(&[Role::Officer, Role::Supervisor], agency),
                Action::Supervise => !own && p.has_in_agency(&[Role::Supervisor], agency),
                _ => false,
            }
        }
        Object::Bill(agency) => match action {
            Action::View => {
                p.has_in_agency(&AGENCY_STAFF, agency) || p.has(Role::FinanceOfficer) || admin
            }
            _ => false,
        },
        Object::Centre { code, .. } => match action {
            Action::View => p.has_in_centre(code) || admin,
            Action::Assist | Action::Book => p.has_in_centre(code),
            Action::Edit => p.manages_centre(code) || admin,
            _ => false,
        },
        Object::Documents(agency) => match action {
            Action::View => p.has_in_agency(&AGENCY_STAFF, agency) || admin,
            Action::Edit => p.has_in_agency(&[Role::AgencyAdmin], agency) || admin,
            _ => false,
        },
        Object::Finance => match action {
            Action::View => p.has(Role::FinanceOfficer) || admin,
            Action::Edit => p.has(Role::FinanceOfficer),
            _ => false,
        },
        Object::Settlements(agency) => {
            action == Action::View
                && (p.has_in_agency(&[Role::AgencyAdmin], agency)
                    || p.has(Role::FinanceOfficer)
                    || admin)
        }
        Object::AuditLog => action == Action::View && admin,
        Object::Platform => admin,
        Object::Agent { code, business } => match action {
            Action::View => {
                p.represents.iter().any(|b| b == business) || p.has(Role::FinanceOfficer) || admin
            }
            // Acting for people needs the agent approved (`agents` holds only those).
            Action::Assist => p.agents.iter().any(|a| a == code),
            // Vetting: approval, suspension, commission rules.
            Action::Edit => admin,
            _ => false,
        },
        // The performance office sets targets; each agency's administrator enters its
        // own values with evidence. Neither may do the other's part, and the platform's
        // administrators run the platform without setting or scoring anyone's targets.
        Object::Performance(None) => {
            let office = p.has(Role::PerformanceOfficer);
            match action {
                Action::View => office || admin,
                Action::Edit => office,
                _ => false,
            }
        }
        Object::Performance(Some(agency)) => match action {
            Action::View => {
                p.has(Role::PerformanceOfficer) || p.has_in_agency(&[Role::AgencyAdmin], agency)
            }
            Action::Edit => p.has_in_agency(&[Role::AgencyAdmin], agency),
            _ => false,
        },
    }
}

fn api_client_may(c: &ApiClient, action: Action, object: Object<'_>) -> bool {
    let can = |perm: Permission| c.permissions.contains(&perm);
    match object {
        Object::Case { agency, .. } if agency == c.agency => match action {
            Action::View => can(Permission::CasesRead),
            Action::Work => can(Permission::CasesWrite),
            _ => false,
        },
        Object::Bill(agency) if agency == c.agency => match action {
            Action::View => can(Permission::BillsRead) || can(Permission::BillsWrite),
            Action::Edit => can(Permission::BillsWrite),
            _ => false,
        },
        Object::Documents(agency) if agency == c.agency => match action {
            Action::View => true,
            Action::Edit => can(Permission::DocumentsWrite),
            _ => false,
        },
        Object::Centre { operator, .. } if operator == c.agency => match action {
            Action::View => true,
            Action::Assist => can(Permission::QueueWrite),
            Action::Book => can(Permission::AppointmentsWrite),
            _ => false,
        },
        // An agent's own key reads its statements.
        Object::Agent { code, .. } if code == c.agency => {
            action == Action::View && can(Permission::StatementsRead)
        }
        Object::Settlements(agency) if agency == c.agency => {
            action == Action::View && (can(Permission::BillsRead) || can(Permission::BillsWrite))
        }
        Object::Agency(code) if code == c.agency => match action {
            Action::View => true,
            // Bills are the agency's: raising one is an edit of the agency's books.
            Action::Edit => can(Permission::BillsWrite),
            Action::ManageWebhooks => can(Permission::WebhooksManage),
            _ => false,
        },
        _ => false,
    }
}

/// Why staff are refused their own, a dependant's or their business's application.
pub const OWN_CASE: &str =
    "you may not work on your own application, a dependant's or your business's";

/// Asks [`may`] and turns a refusal into the error every caller reports.
pub fn check(actor: &Actor, action: Action, object: Object<'_>) -> lango_core::Result<()> {
    if may(actor, action, object) {
        Ok(())
    } else if matches!(action, Action::Work | Action::Supervise)
        && conflict_of_interest(actor, object)
    {
        Err(lango_core::Error::Forbidden(OWN_CASE.into()))
    } else {
        Err(lango_core::Error::Forbidden(
            "you are not allowed to do that".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str) -> Person {
        Person {
            account_id: id.into(),
            ..Person::default()
        }
    }

    fn staff(id: &str, role: Role, agency: Option<&str>, centre: Option<&str>) -> Actor {
        let mut p = person(id);
        p.grants.push(Grant {
            role,
            agency: agency.map(Into::into),
            centre: centre.map(Into::into),
        });
        Actor::Person(p)
    }

    fn case<'a>(applicant: &'a str, agency: &'a str) -> Object<'a> {
        Object::Case {
            applicant,
            business: None,
            agency,
        }
    }

    #[test]
    fn citizens_see_only_their_own_and_their_dependants() {
        let mut wanjiku = person("A");
        wanjiku.dependants.push("CHILD".into());
        let a = Actor::Person(wanjiku);
        assert!(may(&a, Action::View, Object::Account("A")));
        assert!(may(&a, Action::Edit, Object::Account("CHILD")));
        assert!(may(&a, Action::View, case("CHILD", "DIS")));
        assert!(!may(&a, Action::View, Object::Account("B")));
        assert!(!may(&a, Action::View, case("B", "DIS")));
        assert!(!may(&a, Action::Work, case("A", "DIS")));
        assert!(!may(&Actor::Anonymous, Action::View, Object::Account("A")));
    }

    #[test]
    fn representatives_act_for_the_business_only_while_granted() {
        let mut rep = person("R");
        rep.represents.push("BIZ".into());
        let rep = Actor::Person(rep);
        let biz_case = Object::Case {
            applicant: "OWNER",
            business: Some("BIZ"),
            agency: "BRS",
        };
        assert!(may(&rep, Action::View, Object::Business("BIZ")));
        assert!(may(&rep, Action::Edit, biz_case));
        assert!(!may(&rep, Action::ManageMembers, Object::Business("BIZ")));
        let revoked = Actor::Person(person("R"));
        assert!(!may(&revoked, Action::View, Object::Business("BIZ")));
        assert!(!may(&revoked, Action::Edit, biz_case));
    }

    #[test]
    fn officers_act_only_for_their_agency() {
        let officer = staff("O", Role::Officer, Some("DIS"), None);
        assert!(may(&officer, Action::Work, case("X", "DIS")));
        assert!(may(&officer, Action::View, case("X", "DIS")));
        assert!(!may(&officer, Action::Work, case("X", "NTSA")));
        assert!(!may(&officer, Action::View, case("X", "NTSA")));
        assert!(!may(&officer, Action::ManageStaff, Object::Agency("DIS")));
        let admin = staff("AD", Role::AgencyAdmin, Some("DIS"), None);
        assert!(may(&admin, Action::ManageStaff, Object::Agency("DIS")));
        assert!(may(&admin, Action::ManageApiKeys, Object::Agency("DIS")));
        assert!(!may(&admin, Action::ManageStaff, Object::Agency("NTSA")));
    }

    #[test]
    fn staff_never_decide_their_own_their_dependants_or_their_business_cases() {
        let mut p = person("O");
        p.grants.push(Grant {
            role: Role::Supervisor,
            agency: Some("DIS".into()),
            centre: None,
        });
        p.dependants.push("CHILD".into());
        p.represents.push("BIZ".into());
        let o = Actor::Person(p);
        let biz = Object::Case {
            applicant: "PARTNER",
            business: Some("BIZ"),
            agency: "DIS",
        };
        for own in [case("O", "DIS"), case("CHILD", "DIS"), biz] {
            assert!(!may(&o, Action::Work, own), "works {own:?}");
            assert!(!may(&o, Action::Supervise, own), "supervises {own:?}");
            assert!(may(&o, Action::View, own));
            assert!(conflict_of_interest(&o, own));
            let refused = check(&o, Action::Work, own).unwrap_err().to_string();
            assert!(refused.contains("your own application"), "{refused}");
        }
        assert!(may(&o, Action::Work, case("X", "DIS")));
        assert!(may(&o, Action::Supervise, case("X", "DIS")));
        assert!(!conflict_of_interest(&o, case("X", "DIS")));
        // An applicant at an agency where they are not staff is no conflict, only a refusal.
        assert!(!conflict_of_interest(&o, case("O", "NTSA")));
    }

    #[test]
    fn agents_act_only_within_their_centre() {
        let agent = staff("K", Role::KioskAgent, None, Some("HC-GPO"));
        assert!(may(
            &agent,
            Action::Assist,
            Object::Centre {
                code: "HC-GPO",
                operator: "HUDUMA"
            }
        ));
        assert!(!may(
            &agent,
            Action::Assist,
            Object::Centre {
                code: "HC-MSA",
                operator: "HUDUMA"
            }
        ));
        assert!(!may(&agent, Action::Work, case("X", "DIS")));
    }

    #[test]
    fn assisting_staff_make_only_the_present_persons_own_applications() {
        let mut p = person("K");
        p.grants.push(Grant {
            role: Role::Officer,
            agency: Some("DIS".into()),
            centre: None,
        });
        p.assisting = Some("X".into());
        let k = Actor::Person(p);
        assert!(may(&k, Action::Edit, case("X", "DIS")));
        assert!(may(&k, Action::View, case("X", "NTSA")));
        // Not decided by whoever made it for them, not someone else's, not their profile
        // or a business's application.
        assert!(!may(&k, Action::Work, case("X", "DIS")));
        assert!(!may(&k, Action::Edit, case("Y", "DIS")));
        assert!(!may(&k, Action::Edit, Object::Account("X")));
        let biz = Object::Case {
            applicant: "X",
            business: Some("BIZ"),
            agency: "BRS",
        };
        assert!(!may(&k, Action::Edit, biz));
    }

    #[test]
    fn auditors_read_everything_and_write_nothing() {
        let auditor = staff("AU", Role::Auditor, None, None);
        for o in [
            Object::Account("A"),
            Object::Business("B"),
            Object::Agency("DIS"),
            case("A", "DIS"),
            Object::Finance,
            Object::AuditLog,
            Object::Centre {
                code: "HC",
                operator: "HUDUMA",
            },
            Object::Bill("DIS"),
            Object::Settlements("DIS"),
        ] {
            assert!(may(&auditor, Action::View, o));
            for a in [
                Action::Edit,
                Action::ManageMembers,
                Action::ManageStaff,
                Action::ManageApiKeys,
                Action::Work,
                Action::Supervise,
                Action::Assist,
                Action::ManageWebhooks,
            ] {
                assert!(!may(&auditor, a, o), "auditor may {a:?} {o:?}");
            }
        }
    }

    #[test]
    fn api_keys_are_bound_to_their_agency_and_permissions() {
        let key = Actor::ApiClient(ApiClient {
            key_id: "K".into(),
            agency: "DIS".into(),
            permissions: vec![Permission::CasesRead, Permission::BillsWrite],
        });
        assert!(may(&key, Action::View, case("A", "DIS")));
        assert!(!may(&key, Action::Work, case("A", "DIS")));
        assert!(may(&key, Action::Edit, Object::Agency("DIS")));
        assert!(!may(&key, Action::View, case("A", "NTSA")));
        assert!(!may(&key, Action::Edit, Object::Agency("NTSA")));
        assert!(may(&key, Action::View, Object::Bill("DIS")));
        assert!(may(&key, Action::Edit, Object::Bill("DIS")));
        assert!(!may(&key, Action::View, Object::Bill("NTSA")));
        assert!(!may(&key, Action::View, Object::Account("A")));
        assert!(!may(&key, Action::ManageApiKeys, Object::Agency("DIS")));
        assert!(!may(&key, Action::ManageWebhooks, Object::Agency("DIS")));
        let hooks = Actor::ApiClient(ApiClient {
            key_id: "H".into(),
            agency: "DIS".into(),
            permissions: vec![Permission::WebhooksManage],
        });
        assert!(may(&hooks, Action::ManageWebhooks, Object::Agency("DIS")));
        assert!(!may(&hooks, Action::ManageWebhooks, Object::Agency("NTSA")));
    }

    #[test]
    fn settlements_are_seen_by_their_agency_admin_finance_and_its_own_keys() {
        let seen = |a: &Actor, agency| may(a, Action::View, Object::Settlements(agency));
        let admin = staff("AD", Role::AgencyAdmin, Some("DIS"), None);
        assert!(seen(&admin, "DIS"));
        assert!(!seen(&admin, "NTSA"));
        assert!(!seen(&staff("O", Role::Officer, Some("DIS"), None), "DIS"));
        assert!(seen(&staff("F", Role::FinanceOfficer, None, None), "DIS"));
        let key = |perm| {
            Actor::ApiClient(ApiClient {
                key_id: "K".into(),
                agency: "DIS".into(),
                permissions: vec![perm],
            })
        };
        assert!(seen(&key(Permission::BillsRead), "DIS"));
        assert!(!seen(&key(Permission::BillsRead), "NTSA"));
        assert!(!seen(&key(Permission::CasesRead), "DIS"));
        let fin = staff("F", Role::FinanceOfficer, None, None);
        assert!(!may(&fin, Action::Edit, Object::Settlements("DIS")));
    }

    #[test]
    fn the_performance_office_sets_contracts_and_agencies_enter_their_own_values() {
        let office = staff("PO", Role::PerformanceOfficer, None, None);
        let contracts = Object::Performance(None);
        assert!(may(&office, Action::Edit, contracts));
        assert!(may(&office, Action::View, Object::Performance(Some("DIS"))));
        assert!(!may(
            &office,
            Action::Edit,
            Object::Performance(Some("DIS"))
        ));
        let admin = staff("AD", Role::AgencyAdmin, Some("DIS"), None);
        assert!(may(&admin, Action::Edit, Object::Performance(Some("DIS"))));
        assert!(!may(
            &admin,
            Action::Edit,
            Object::Performance(Some("NTSA"))
        ));
        assert!(!may(&admin, Action::Edit, contracts));
        for nobody in [
            staff("O", Role::Officer, Some("DIS"), None),
            staff("P", Role::PlatformAdmin, None, None),
            Actor::Person(person("CITIZEN")),
            Actor::Anonymous,
        ] {
            assert!(!may(&nobody, Action::Edit, contracts));
            assert!(!may(
                &nobody,
                Action::Edit,
                Object::Performance(Some("DIS"))
            ));
        }
        let key = Actor::ApiClient(ApiClient {
            key_id: "K".into(),
            agency: "DIS".into(),
            permissions: vec![Permission::CasesWrite, Permission::BillsWrite],
        });
        assert!(!may(&key, Action::Edit, contracts));
        assert!(!may(&key, Action::Edit, Object::Performance(Some("DIS"))));
    }

    #[test]
    fn finance_and_platform() {
        let fin = staff("F", Role::FinanceOfficer, None, None);
        assert!(may(&fin, Action::View, Object::Finance));
        assert!(may(&fin, Action::Edit, Object::Finance));
        assert!(!may(&fin, Action::View, Object::AuditLog));
        let root = staff("P", Role::PlatformAdmin, None, None);
        assert!(may(&root, Action::ManageStaff, Object::Agency("DIS")));
        assert!(!may(&root, Action::Edit, Object::Account("A")));
        assert!(!may(&root, Action::Edit, Object::Finance));
    }
}
