//! Message templates: one per event type, channel and language, with named placeholders
//! such as `{reference}`. The registry says which placeholders each event type offers and
//! which every template of it must use; a template is checked when it is saved, so a
//! message never fails (or goes out half-empty) when it is sent.

use crate::Channel;
use std::collections::HashMap;

mod store;
mod text;

pub use store::*;
pub use text::*;

/// A value an event type offers to its templates.
#[derive(Debug)]
pub struct Placeholder {
    /// Its name, written `{name}` in a template.
    pub name: &'static str,
    /// Every template of the event must use it (the message is useless without it).
    pub required: bool,
    /// A value for previews.
    pub example: &'static str,
}

const fn req(name: &'static str, example: &'static str) -> Placeholder {
    Placeholder {
        name,
        required: true,
        example,
    }
}

const fn opt(name: &'static str, example: &'static str) -> Placeholder {
    Placeholder {
        name,
        required: false,
        example,
    }
}

/// Something that happens to a person that Lango tells them about.
#[derive(Debug)]
pub struct EventType {
    /// Its name, e.g. `application.received`.
    pub name: &'static str,
    /// The values its templates may use.
    pub placeholders: &'static [Placeholder],
}

impl EventType {
    /// The placeholder called `name`, if this event offers it.
    pub fn placeholder(&self, name: &str) -> Option<&'static Placeholder> {
        self.placeholders.iter().find(|p| p.name == name)
    }

    /// Every placeholder's example value (for previews).
    pub fn examples(&self) -> HashMap<&'static str, &'static str> {
        self.placeholders
            .iter()
            .map(|p| (p.name, p.example))
            .collect()
    }
}

const NAME: Placeholder = opt("name", "Amina");
const REFERENCE: Placeholder = req("reference", "DIS-2025-000123");
const SERVICE: Placeholder = req("service", "Passport application");

/// Every event type people are told about, with its placeholders.
pub const EVENT_TYPES: &[EventType] = &[
    EventType {
        name: "application.received",
        placeholders: &[NAME, REFERENCE, SERVICE, opt("agency", "Immigration")],
    },
    EventType {
        name: "application.information_requested",
        placeholders: &[
            NAME,
            REFERENCE,
            SERVICE,
            req("information", "a clearer copy of your birth certificate"),
            opt("due_date", "2025-07-14"),
        ],
    },
    EventType {
        name: "application.approved",
        placeholders: &[NAME, REFERENCE, SERVICE],
    },
    EventType {
        name: "application.rejected",
        placeholders: &[
            NAME,
            REFERENCE,
            SERVICE,
            req("reason", "the photograph does not meet the rules"),
        ],
    },
    EventType {
        name: "document.issued",
        placeholders: &[
            NAME,
            REFERENCE,
            opt("service", "Passport application"),
            req("document", "passport"),
        ],
    },
    EventType {
        name: "document.revoked",
        placeholders: &[
            NAME,
            req("number", "LD-7K3M-9QX2"),
            req("document", "Fishing licence"),
            req("reason", "issued in error"),
        ],
    },
    EventType {
        name: "bill.raised",
        placeholders: &[
            NAME,
            req("amount", "KES 4,550.00"),
            req("payment_number", "222-431-998"),
            opt("service", "Passport application"),
            opt("reference", "DIS-2025-000123"),
            opt("due_date", "2025-07-14"),
        ],
    },
    EventType {
        name: "payment.received",
        placeholders: &[
            NAME,
            req("amount", "KES 4,550.00"),
            req("payment_number", "222-431-998"),
            opt("receipt", "RCP-88120"),
        ],
    },
    EventType {
        name: "refund.issued",
        placeholders: &[
            NAME,
            req("amount", "KES 1,000.00"),
            REFERENCE,
            opt("method", "M-Pesa"),
        ],
    },
    EventType {
        name: "appointment.reminder",
        placeholders: &[
            NAME,
            SERVICE,
            opt("reference", "DIS-2025-000123"),
            req("date", "2025-07-14"),
            req("time", "09:30"),
            req("centre", "Huduma Centre GPO"),
        ],
    },
    // An appointment at a centre was booked (online, at the centre, or by its system).
    EventType {
        name: "appointment.booked",
        placeholders: &[
            NAME,
            SERVICE,
            req("reference", "M7K3M9QX"),
            req("date", "2025-07-14"),
            req("time", "09:30"),
            req("centre", "Huduma Centre GPO"),
        ],
    },
    // An appointment was moved to another time.
    EventType {
        name: "appointment.moved",
        placeholders: &[
            NAME,
            SERVICE,
            req("reference", "M7K3M9QX"),
            req("date", "2025-07-14"),
            req("time", "09:30"),
            req("centre", "Huduma Centre GPO"),
        ],
    },
    // An appointment was cancelled.
    EventType {
        name: "appointment.cancelled",
        placeholders: &[
            NAME,
            SERVICE,
            req("reference", "M7K3M9QX"),
            req("date", "2025-07-14"),
            opt("time", "09:30"),
            req("centre", "Huduma Centre GPO"),
        ],
    },
    // A mobile centre's stop moved or its hours changed under a booked appointment.
    EventType {
        name: "appointment.stop_moved",
        placeholders: &[
            NAME,
            SERVICE,
            req("reference", "M7K3M9QX"),
            req("date", "2025-07-14"),
            req("time", "09:30"),
            req("centre", "Huduma Mashinani Rift Valley"),
            req("place", "Kajiado Town Hall"),
            req("hours", "09:00-16:00"),
        ],
    },
    // A mobile centre no longer stops on a booked appointment's day (or not at its time).
    EventType {
        name: "appointment.stop_cancelled",
        placeholders: &[
            NAME,
            SERVICE,
            req("reference", "M7K3M9QX"),
            req("date", "2025-07-14"),
            opt("time", "09:30"),
            req("centre", "Huduma Mashinani Rift Valley"),
        ],
    },
    // A queue ticket is three from the front: time to come back to the hall.
    EventType {
        name: "ticket.near",
        placeholders: &[
            opt("name", "Wanjiku"),
            req("number", "A012"),
            req("ahead", "2"),
            req("centre", "Huduma Centre GPO"),
        ],
    },
    // A queue ticket was finished: how satisfied was its holder? (Replies 1-5 come back to
    // /channels/sms/incoming.)
    EventType {
        name: "ticket.survey",
        placeholders: &[
            opt("name", "Wanjiku"),
            req("number", "A012"),
            SERVICE,
            req("centre", "Huduma Centre GPO"),
        ],
    },
    // The satisfaction survey after a completed application: the SMS asks its one question
    // (replies 1-5 come back to /channels/sms/incoming), the e-mail points to the page.
    EventType {
        name: "survey.invitation",
        placeholders: &[NAME, REFERENCE, SERVICE],
    },
    // Staff answered a person's request to correct their data (`/account/data/correction`).
    EventType {
        name: "correction.answered",
        placeholders: &[
            NAME,
            req("reference", "C7K3M9QX"),
            req("answer", "Your date of birth now reads 27 March 1990."),
        ],
    },
    // Staff approved a claim to act for a business or a child (`/admin/claims`).
    EventType {
        name: "claim.approved",
        placeholders: &[
            NAME,
            req("reference", "K7K3M9QX"),
            req("subject", "Test Traders Ltd (PVT-TEST123)"),
        ],
    },
    // Staff refused such a claim, saying why.
    EventType {
        name: "claim.refused",
        placeholders: &[
            NAME,
            req("reference", "K7K3M9QX"),
            req("subject", "Test Traders Ltd (PVT-TEST123)"),
            req("reason", "The registry does not list you as a director."),
        ],
    },
    // A recovery code stood in for the second factor at sign-in.
    EventType {
        name: "account.recovery_code_used",
        placeholders: &[NAME, req("remaining", "9")],
    },
    // The phone or e-mail on an account changed: told to the old one.
    EventType {
        name: "account.contact_changed",
        placeholders: &[NAME],
    },
];

/// The languages every template exists in.
pub const LANGUAGES: [&str; 3] = ["en", "sw", "ms"];

/// The channels every template exists for.
pub const CHANNELS: [Channel; 2] = [Channel::Sms, Channel::Email];

/// The event type called `name`.
pub fn event_type(name: &str) -> Option<&'static EventType> {
    EVENT_TYPES.iter().find(|e| e.name == name)
}
