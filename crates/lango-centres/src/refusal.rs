//! What a person or the staff can put right when booking, issuing tickets, acting at a
//! counter or closing a day, as a [`Refusal`] with a stable code.
//!
//! As with cash at the counter (`lango_payments::cash::Refusal`), pages word a refusal by
//! its [`Refusal::code`] in the reader's language (lango-web's words) rather than by reading
//! English. It travels as [`Error::Refused`], so the API answers each refusal with the same
//! code, status and English words as before ([`Refusal::as_error`]).

use crate::appointments::{ALREADY_BOOKED, SLOT_FULL};
use lango_core::Error;
use std::fmt;

/// Why a booking, a ticket, a counter's act or a closure was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A day that is not `YYYY-MM-DD` (the slots of a day).
    DateInvalid,
    /// A day that is not `YYYY-MM-DD` (a closure).
    DayInvalid,
    /// Text that is not a service code.
    ServiceCodeInvalid {
        /// What was typed, trimmed and upper-cased.
        typed: String,
    },
    /// The centre does not offer the service.
    ServiceNotOffered {
        /// The centre's code.
        centre: String,
        /// The service's code.
        service: String,
    },
    /// No name was given.
    NameRequired,
    /// The name is longer than `max` characters or not on one line.
    NameTooLong {
        /// The most characters.
        max: usize,
    },
    /// No reason was given for a closure.
    ReasonRequired,
    /// The reason is longer than `max` characters or not on one line.
    ReasonTooLong {
        /// The most characters.
        max: usize,
    },
    /// Not a mobile number.
    PhoneInvalid,
    /// Not an ID or passport number.
    IdNumberInvalid,
    /// The time asked for has passed.
    StartPast,
    /// The day is further ahead than bookings open.
    StartTooFar {
        /// How many days ahead bookings open.
        days: i64,
    },
    /// The centre is closed that day.
    DayClosed {
        /// The centre's name.
        centre: String,
        /// The day (`YYYY-MM-DD`).
        day: String,
        /// Why it is closed.
        reason: String,
    },
    /// The centre has no slot of the service at that time.
    NoSlot {
        /// The centre's code.
        centre: String,
        /// The service's code.
        service: String,
        /// The time asked for (RFC 3339, East Africa Time).
        at: String,
    },
    /// The slot is full (`slot_full`).
    SlotFull,
    /// Every place of the service that day is taken (`slot_full`).
    DayTaken {
        /// The service's code.
        service: String,
        /// The day (`YYYY-MM-DD`).
        day: String,
    },
    /// The person already has an appointment for the service that day (`already_booked`).
    AlreadyBooked {
        /// The day (`YYYY-MM-DD`).
        day: String,
    },
    /// Today's walk-in places of the service are taken (`day_full`).
    DayFull {
        /// The service's code.
        service: String,
    },
    /// No appointment has this reference (or the caller may not see it).
    AppointmentUnknown {
        /// The reference as asked.
        reference: String,
    },
    /// The appointment is past, checked in or cancelled, and cannot be cancelled.
    NotCancellable {
        /// Its reference.
        reference: String,
        /// Its status.
        status: String,
    },
    /// The appointment is not booked (any more): it cannot be moved or checked in.
    AppointmentStatus {
        /// Its reference.
        reference: String,
        /// Its status.
        status: String,
    },
    /// The appointment being moved was cancelled or moved meanwhile.
    NoLongerBooked {
        /// Its reference.
        reference: String,
    },
    /// The text at reception is not an appointment reference.
    AppointmentReferenceInvalid,
    /// No appointment of this reference at this centre.
    AppointmentNotHere {
        /// The reference.
        reference: String,
        /// The centre's code.
        centre: String,
    },
    /// The appointment is for another day.
    AppointmentNotToday {
        /// The reference.
        reference: String,
        /// Its day (`YYYY-MM-DD`).
        day: String,
    },
    /// The centre runs no such priority lane.
    LaneUnknown {
        /// The centre's code.
        centre: String,
        /// The lane asked for.
        lane: String,
    },
    /// The centre is closed (its status), so it issues no tickets.
    CentreClosed {
        /// The centre's code.
        centre: String,
    },
    /// No counter of this code (at `centre`, when known).
    CounterUnknown {
        /// The counter's code.
        counter: String,
        /// The centre's code, when known.
        centre: Option<String>,
    },
    /// No ticket of this number (at `centre`, when known).
    TicketUnknown {
        /// The ticket's number.
        number: String,
        /// The centre's code, when known.
        centre: Option<String>,
    },
    /// The ticket is being served at another counter.
    TicketElsewhere {
        /// The ticket's number.
        number: String,
        /// The counter serving it.
        counter: String,
    },
    /// The ticket's status does not allow the act.
    TicketStatus {
        /// The ticket's number.
        number: String,
        /// Its status.
        status: String,
    },
    /// The ticket changed between its read and its update.
    TicketChanged {
        /// The ticket's number.
        number: String,
    },
    /// A transfer to a counter the centre does not have.
    TransferCounterUnknown {
        /// The centre's code.
        centre: String,
        /// The counter asked for.
        counter: String,
    },
    /// A transfer names neither a service nor a counter.
    TransferNowhere,
    /// Another node's counter took the picked ticket first (the call is tried again).
    TicketTaken,
    /// The call lost to other counters too often: call again.
    QueueBusy,
    /// No closure of the centre on that day.
    ClosureUnknown {
        /// The day as asked.
        day: String,
    },
}

impl Refusal {
    /// The word key that explains it (stable: pages look their words up by it).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::DateInvalid => "centres_date_invalid",
            Refusal::DayInvalid => "centres_day_invalid",
            Refusal::ServiceCodeInvalid { .. } => "centres_service_code_invalid",
            Refusal::ServiceNotOffered { .. } => "centres_service_not_offered",
            Refusal::NameRequired => "centres_name_required",
            Refusal::NameTooLong { .. } => "centres_name_too_long",
            Refusal::ReasonRequired => "centres_reason_required",
            Refusal::ReasonTooLong { .. } => "centres_reason_too_long",
            Refusal::PhoneInvalid => "centres_phone_invalid",
            Refusal::IdNumberInvalid => "centres_id_number_invalid",
            Refusal::StartPast => "centres_start_past",
            Refusal::StartTooFar { .. } => "centres_start_too_far",
            Refusal::DayClosed { .. } => "centres_day_closed",
            Refusal::NoSlot { .. } => "centres_no_slot",
            Refusal::SlotFull => "centres_slot_full",
            Refusal::DayTaken { .. } => "centres_day_taken",
            Refusal::AlreadyBooked { .. } => "centres_already_booked",
            Refusal::DayFull { .. } => "centres_day_full",
            Refusal::AppointmentUnknown { .. } => "centres_appointment_unknown",
            Refusal::NotCancellable { .. } => "centres_not_cancellable",
            Refusal::AppointmentStatus { .. } => "centres_appointment_status",
            Refusal::NoLongerBooked { .. } => "centres_no_longer_booked",
            Refusal::AppointmentReferenceInvalid => "centres_appointment_reference_invalid",
            Refusal::AppointmentNotHere { .. } => "centres_appointment_not_here",
            Refusal::AppointmentNotToday { .. } => "centres_appointment_not_today",
            Refusal::LaneUnknown { .. } => "centres_lane_unknown",
            Refusal::CentreClosed { .. } => "centres_centre_closed",
            Refusal::CounterUnknown { .. } => "centres_counter_unknown",
            Refusal::TicketUnknown { .. } => "centres_ticket_unknown",
            Refusal::TicketElsewhere { .. } => "centres_ticket_elsewhere",
            Refusal::TicketStatus { .. } => "centres_ticket_status",
            Refusal::TicketChanged { .. } => "centres_ticket_changed",
            Refusal::TransferCounterUnknown { .. } => "centres_transfer_counter_unknown",
            Refusal::TransferNowhere => "centres_transfer_nowhere",
            Refusal::TicketTaken => "centres_ticket_taken",
            Refusal::QueueBusy => "centres_queue_busy",
            Refusal::ClosureUnknown { .. } => "centres_closure_unknown",
        }
    }

    /// The form field to correct (`""` when no field is at fault).
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::DateInvalid => "date",
            Refusal::DayInvalid => "day",
            Refusal::ServiceCodeInvalid { .. }
            | Refusal::ServiceNotOffered { .. }
            | Refusal::TransferNowhere => "service",
            Refusal::NameRequired | Refusal::NameTooLong { .. } => "name",
            Refusal::ReasonRequired | Refusal::ReasonTooLong { .. } => "reason",
            Refusal::PhoneInvalid => "phone",
            Refusal::IdNumberInvalid => "id_number",
            Refusal::StartPast
            | Refusal::StartTooFar { .. }
            | Refusal::DayClosed { .. }
            | Refusal::NoSlot { .. } => "start",
            Refusal::AppointmentReferenceInvalid
            | Refusal::AppointmentNotHere { .. }
            | Refusal::AppointmentNotToday { .. } => "appointment",
            Refusal::LaneUnknown { .. } => "lane",
            Refusal::TransferCounterUnknown { .. } => "counter",
            Refusal::SlotFull
            | Refusal::DayTaken { .. }
            | Refusal::AlreadyBooked { .. }
            | Refusal::DayFull { .. }
            | Refusal::AppointmentUnknown { .. }
            | Refusal::NotCancellable { .. }
            | Refusal::AppointmentStatus { .. }
            | Refusal::NoLongerBooked { .. }
            | Refusal::CentreClosed { .. }
            | Refusal::CounterUnknown { .. }
            | Refusal::TicketUnknown { .. }
            | Refusal::TicketElsewhere { .. }
            | Refusal::TicketStatus { .. }
            | Refusal::TicketChanged { .. }
            | Refusal::TicketTaken
            | Refusal::QueueBusy
            | Refusal::ClosureUnknown { .. } => "",
        }
    }
}

/// Reads a one-line text of at most `max` characters for `field` (`name` or `reason`).
pub(crate) fn line(s: &str, field: Line, max: usize) -> Result<String, Refusal> {
    let s = s.trim();
    let (missing, long) = match field {
        Line::Name => (Refusal::NameRequired, Refusal::NameTooLong { max }),
        Line::Reason => (Refusal::ReasonRequired, Refusal::ReasonTooLong { max }),
    };
    if s.is_empty() {
        return Err(missing);
    }
    if s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(long);
    }
    Ok(s.to_string())
}

/// The one-line texts [`line`] reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Line {
    /// A person's name.
    Name,
    /// A closure's reason.
    Reason,
}

/// English, for logs and the API (pages use [`Refusal::code`]): the words callers had before.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::DateInvalid => f.write_str("give the date as YYYY-MM-DD"),
            Refusal::DayInvalid => f.write_str("enter the day as YYYY-MM-DD"),
            Refusal::ServiceCodeInvalid { typed } => write!(f, "{typed:?} is not a service code"),
            Refusal::ServiceNotOffered { centre, service } => {
                write!(f, "{centre} does not offer {service}")
            }
            Refusal::NameRequired => f.write_str("enter the name"),
            Refusal::NameTooLong { max } => {
                write!(f, "the name is one line of at most {max} characters")
            }
            Refusal::ReasonRequired => f.write_str("enter the reason"),
            Refusal::ReasonTooLong { max } => {
                write!(f, "the reason is one line of at most {max} characters")
            }
            Refusal::PhoneInvalid => f.write_str("enter a mobile number, such as 0712 345 678"),
            Refusal::IdNumberInvalid => {
                f.write_str("enter an ID or passport number (5 to 20 letters and digits)")
            }
            Refusal::StartPast => f.write_str("that time has passed: choose a later one"),
            Refusal::StartTooFar { days } => write!(f, "appointments open {days} days ahead"),
            Refusal::DayClosed {
                centre,
                day,
                reason,
            } => write!(f, "{centre} is closed on {day}: {reason}"),
            Refusal::NoSlot {
                centre,
                service,
                at,
            } => write!(
                f,
                "{centre} has no {service} slot at {at}: ask for the day's slots"
            ),
            Refusal::SlotFull => f.write_str("that slot is full: choose another time"),
            Refusal::DayTaken { service, day } => write!(
                f,
                "every place for {service} on {day} is taken: choose another day"
            ),
            Refusal::AlreadyBooked { day } => write!(
                f,
                "this ID number already has an appointment for this service on {day}"
            ),
            Refusal::DayFull { service } => write!(
                f,
                "today's places for {service} are taken: book an appointment for another day"
            ),
            Refusal::AppointmentUnknown { reference } => write!(f, "appointment {reference}"),
            Refusal::NotCancellable { reference, status } => write!(
                f,
                "appointment {reference} is {status} and can no longer be cancelled"
            ),
            Refusal::AppointmentStatus { reference, status } => {
                write!(f, "appointment {reference} is {status}")
            }
            Refusal::NoLongerBooked { reference } => {
                write!(f, "appointment {reference} is no longer booked")
            }
            Refusal::AppointmentReferenceInvalid => {
                f.write_str("that is not an appointment reference")
            }
            Refusal::AppointmentNotHere { reference, centre } => {
                write!(f, "no appointment {reference} at {centre}")
            }
            Refusal::AppointmentNotToday { reference, day } => {
                write!(f, "appointment {reference} is for {day}, not today")
            }
            Refusal::LaneUnknown { centre, lane } => write!(f, "{centre} has no {lane} lane"),
            Refusal::CentreClosed { centre } => write!(f, "{centre} is closed"),
            Refusal::CounterUnknown {
                counter,
                centre: Some(centre),
            } => write!(f, "counter {counter} at {centre}"),
            Refusal::CounterUnknown {
                counter,
                centre: None,
            } => write!(f, "counter {counter}"),
            Refusal::TicketUnknown {
                number,
                centre: Some(centre),
            } => write!(f, "ticket {number} at {centre}"),
            Refusal::TicketUnknown {
                number,
                centre: None,
            } => write!(f, "ticket {number}"),
            Refusal::TicketElsewhere { number, counter } => {
                write!(f, "ticket {number} is at counter {counter}")
            }
            Refusal::TicketStatus { number, status } => write!(f, "ticket {number} is {status}"),
            Refusal::TicketChanged { number } => write!(f, "ticket {number} changed meanwhile"),
            Refusal::TransferCounterUnknown { centre, counter } => {
                write!(f, "{centre} has no counter {counter}")
            }
            Refusal::TransferNowhere => f.write_str("transfer to a service or a counter"),
            Refusal::TicketTaken => f.write_str("another counter took that ticket: call again"),
            Refusal::QueueBusy => f.write_str("the queue is busy: call again"),
            Refusal::ClosureUnknown { day } => write!(f, "closure on {day}"),
        }
    }
}

impl lango_core::error::Refusal for Refusal {
    /// The kind each refusal had before it was typed, so the API's codes stay as they were.
    fn as_error(&self) -> Error {
        let words = self.to_string();
        match self {
            Refusal::SlotFull | Refusal::DayTaken { .. } => Error::Clash {
                code: SLOT_FULL,
                message: words,
            },
            Refusal::AlreadyBooked { .. } => Error::Clash {
                code: ALREADY_BOOKED,
                message: words,
            },
            Refusal::DayFull { .. } => Error::Clash {
                code: "day_full",
                message: words,
            },
            // `Error::NotFound` adds " not found" to what it names.
            Refusal::AppointmentUnknown { .. }
            | Refusal::CounterUnknown { .. }
            | Refusal::TicketUnknown { .. }
            | Refusal::ClosureUnknown { .. } => Error::NotFound(words),
            Refusal::NotCancellable { .. }
            | Refusal::AppointmentStatus { .. }
            | Refusal::NoLongerBooked { .. }
            | Refusal::CentreClosed { .. }
            | Refusal::TicketElsewhere { .. }
            | Refusal::TicketStatus { .. }
            | Refusal::TicketChanged { .. }
            | Refusal::TicketTaken
            | Refusal::QueueBusy => Error::Conflict(words),
            Refusal::DateInvalid
            | Refusal::DayInvalid
            | Refusal::ServiceCodeInvalid { .. }
            | Refusal::ServiceNotOffered { .. }
            | Refusal::NameRequired
            | Refusal::NameTooLong { .. }
            | Refusal::ReasonRequired
            | Refusal::ReasonTooLong { .. }
            | Refusal::PhoneInvalid
            | Refusal::IdNumberInvalid
            | Refusal::StartPast
            | Refusal::StartTooFar { .. }
            | Refusal::DayClosed { .. }
            | Refusal::NoSlot { .. }
            | Refusal::AppointmentReferenceInvalid
            | Refusal::AppointmentNotHere { .. }
            | Refusal::AppointmentNotToday { .. }
            | Refusal::LaneUnknown { .. }
            | Refusal::TransferCounterUnknown { .. }
            | Refusal::TransferNowhere => Error::invalid(self.field(), words),
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Carried as [`Error::Refused`], so `?` takes it where an [`Error`] is answered.
impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::Refused(Box::new(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_answers_the_api_with_its_old_code_status_kind_and_words() {
        let e = Error::from(Refusal::SlotFull);
        assert_eq!(e.code(), "slot_full");
        assert_eq!(e.to_string(), "that slot is full: choose another time");
        assert_eq!(e.refusal::<Refusal>(), Some(&Refusal::SlotFull));
        let e = Error::from(Refusal::AlreadyBooked {
            day: "2026-01-02".into(),
        });
        assert_eq!(e.code(), "already_booked");
        let e = Error::from(Refusal::TicketUnknown {
            number: "A001".into(),
            centre: None,
        });
        assert_eq!(e.code(), "not_found");
        assert!(matches!(e.plain(), Error::NotFound(m) if m == "ticket A001"));
        let e = Error::from(Refusal::PhoneInvalid);
        assert!(matches!(e.plain(), Error::Invalid { field, .. } if field == "phone"));
        assert_eq!(Error::from(Refusal::QueueBusy).code(), "conflict");
    }
}
