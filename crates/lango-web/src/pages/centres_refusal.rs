//! A refusal of `lango_centres` in the reader's language, for the desk, the centres'
//! administration and the booking pages: its words by its code (`words::centres_refusals`),
//! with what it carries in the placeholders, as cash at the counter does.

use crate::i18n::Lang;
use crate::words::{has, tr, tr_with};
use lango_centres::Refusal;
use lango_core::Error;

/// `e` in the reader's language when it is a centres refusal, else `None` (a fault, or a
/// refusal of another kind the caller words itself).
pub(crate) fn worded_error(lang: Lang, e: &Error) -> Option<String> {
    e.refusal::<Refusal>().map(|r| worded(lang, r))
}

/// `r` in the reader's language. Every variant is named (no `_`) so that a new refusal cannot
/// reach a page without someone deciding what fills its words.
pub(crate) fn worded(lang: Lang, r: &Refusal) -> String {
    let fill = |args: &[&str]| tr_with(lang, r.code(), args.iter().map(|a| (*a).into()));
    match r {
        Refusal::ServiceCodeInvalid { typed } => fill(&[typed]),
        Refusal::ServiceNotOffered { centre, service } => fill(&[centre, service]),
        Refusal::NameTooLong { max } | Refusal::ReasonTooLong { max } => fill(&[&max.to_string()]),
        Refusal::StartTooFar { days } => fill(&[&days.to_string()]),
        Refusal::DayClosed {
            centre,
            day,
            reason,
        } => fill(&[centre, day, reason]),
        Refusal::NoSlot {
            centre,
            service,
            at,
        } => fill(&[centre, service, at]),
        Refusal::DayTaken { service, day } => fill(&[service, day]),
        Refusal::AlreadyBooked { day } => fill(&[day]),
        Refusal::DayFull { service } => fill(&[service]),
        Refusal::AppointmentUnknown { reference } | Refusal::NoLongerBooked { reference } => {
            fill(&[reference])
        }
        Refusal::NotCancellable { reference, status }
        | Refusal::AppointmentStatus { reference, status } => fill(&[
            reference,
            &status_words(lang, "appointment_status_", status),
        ]),
        Refusal::AppointmentNotHere { reference, centre } => fill(&[reference, centre]),
        Refusal::AppointmentNotToday { reference, day } => fill(&[reference, day]),
        Refusal::LaneUnknown { centre, lane } => fill(&[centre, lane]),
        Refusal::CentreClosed { centre } => fill(&[centre]),
        // The page names the centre: the words need only the counter or the ticket.
        Refusal::CounterUnknown { counter, .. } => fill(&[counter]),
        Refusal::TicketUnknown { number, .. } | Refusal::TicketChanged { number } => {
            fill(&[number])
        }
        Refusal::TicketElsewhere { number, counter } => fill(&[number, counter]),
        Refusal::TicketStatus { number, status } => fill(&[
            number,
            &status_words(lang, "centres_ticket_status_", status),
        ]),
        Refusal::TransferCounterUnknown { centre, counter } => fill(&[centre, counter]),
        Refusal::ClosureUnknown { day } => fill(&[day]),
        Refusal::DateInvalid
        | Refusal::DayInvalid
        | Refusal::NameRequired
        | Refusal::ReasonRequired
        | Refusal::PhoneInvalid
        | Refusal::IdNumberInvalid
        | Refusal::StartPast
        | Refusal::SlotFull
        | Refusal::AppointmentReferenceInvalid
        | Refusal::TransferNowhere
        | Refusal::TicketTaken
        | Refusal::QueueBusy => fill(&[]),
    }
}

/// A status in words (lower case, inside a sentence); one without words shows as it is.
fn status_words(lang: Lang, prefix: &str, status: &str) -> String {
    let key = format!("{prefix}{status}");
    if has(&key) {
        tr(lang, &key).to_lowercase()
    } else {
        status.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each refusal.
    fn every_refusal() -> Vec<Refusal> {
        let s = |x: &str| x.to_string();
        vec![
            Refusal::DateInvalid,
            Refusal::DayInvalid,
            Refusal::ServiceCodeInvalid { typed: s("X Y") },
            Refusal::ServiceNotOffered {
                centre: s("HC-GPO"),
                service: s("DIS-PASSPORT"),
            },
            Refusal::NameRequired,
            Refusal::NameTooLong { max: 120 },
            Refusal::ReasonRequired,
            Refusal::ReasonTooLong { max: 120 },
            Refusal::PhoneInvalid,
            Refusal::IdNumberInvalid,
            Refusal::StartPast,
            Refusal::StartTooFar { days: 30 },
            Refusal::DayClosed {
                centre: s("GPO"),
                day: s("2026-12-25"),
                reason: s("Christmas"),
            },
            Refusal::NoSlot {
                centre: s("HC-GPO"),
                service: s("DIS-PASSPORT"),
                at: s("2026-12-24T09:00:00+03:00"),
            },
            Refusal::SlotFull,
            Refusal::DayTaken {
                service: s("DIS-PASSPORT"),
                day: s("2026-12-24"),
            },
            Refusal::AlreadyBooked {
                day: s("2026-12-24"),
            },
            Refusal::DayFull {
                service: s("DIS-PASSPORT"),
            },
            Refusal::AppointmentUnknown {
                reference: s("M12345"),
            },
            Refusal::NotCancellable {
                reference: s("M12345"),
                status: s("no_show"),
            },
            Refusal::AppointmentStatus {
                reference: s("M12345"),
                status: s("cancelled"),
            },
            Refusal::NoLongerBooked {
                reference: s("M12345"),
            },
            Refusal::AppointmentReferenceInvalid,
            Refusal::AppointmentNotHere {
                reference: s("M12345"),
                centre: s("HC-GPO"),
            },
            Refusal::AppointmentNotToday {
                reference: s("M12345"),
                day: s("2026-12-24"),
            },
            Refusal::LaneUnknown {
                centre: s("HC-GPO"),
                lane: s("elderly"),
            },
            Refusal::CentreClosed {
                centre: s("HC-GPO"),
            },
            Refusal::CounterUnknown {
                counter: s("9"),
                centre: None,
            },
            Refusal::TicketUnknown {
                number: s("A001"),
                centre: Some(s("HC-GPO")),
            },
            Refusal::TicketElsewhere {
                number: s("A001"),
                counter: s("2"),
            },
            Refusal::TicketStatus {
                number: s("A001"),
                status: s("served"),
            },
            Refusal::TicketChanged { number: s("A001") },
            Refusal::TransferCounterUnknown {
                centre: s("HC-GPO"),
                counter: s("9"),
            },
            Refusal::TransferNowhere,
            Refusal::TicketTaken,
            Refusal::QueueBusy,
            Refusal::ClosureUnknown {
                day: s("2026-12-25"),
            },
        ]
    }

    #[test]
    fn every_centres_refusal_has_words_with_what_it_carries_in_both_languages() {
        for r in every_refusal() {
            assert!(has(r.code()), "{} has no words", r.code());
            for lang in [Lang::En, Lang::Sw] {
                let words = worded(lang, &r);
                assert!(!words.contains('%'), "{} {lang:?}: {words}", r.code());
            }
        }
        let served = Refusal::TicketStatus {
            number: "A001".into(),
            status: "served".into(),
        };
        assert_eq!(worded(Lang::En, &served), "Ticket A001 is served");
        assert_eq!(
            worded(Lang::Sw, &served),
            "Tiketi A001 iko katika hali ya imehudumiwa"
        );
        let e = Error::from(Refusal::QueueBusy);
        assert_eq!(
            worded_error(Lang::Sw, &e).as_deref(),
            Some("Foleni ina shughuli nyingi: ita tena")
        );
        assert_eq!(worded_error(Lang::Sw, &Error::NotFound("x".into())), None);
    }
}
