//! SMS opt-out: a phone that sent STOP gets only the messages it cannot do without.
//!
//! The one list of what is essential and what is not lives here, so every sender (the
//! applications' follower, the centres' queue, the surveys) obeys the same rule through
//! [`crate::notify()`]. Replies to a message the phone itself sent (an SMS keyword's answer)
//! always go: the person asked.

use lango_core::clock::now_ms;
use lango_core::Result;

/// Event types a phone that opted out no longer gets by SMS: invitations, nudges and
/// reminders it can live without. Everything else is essential and always goes: one-time
/// codes and sign-in notices (sent with [`crate::enqueue`], no event), payment receipts,
/// refunds and bills, decisions on applications and requests for information, documents
/// issued or revoked, appointments booked, moved or cancelled, account and claim notices.
pub const NON_ESSENTIAL: &[&str] = &[
    // Satisfaction surveys after an application and after a centre visit.
    "survey.invitation",
    "ticket.survey",
    // "Three from the front": the ticket still holds its place if the person does not come.
    "ticket.near",
    // The day-before reminder of an appointment already confirmed when it was booked.
    "appointment.reminder",
];

/// True when the event's messages reach a phone that opted out.
pub fn is_essential(event_type: &str) -> bool {
    !NON_ESSENTIAL.contains(&event_type)
}

/// True when an SMS of `event_type` may go to `phone`: the event is essential, or the phone
/// has not opted out. Senders that remember who they asked (surveys) check it first, so a
/// phone never answers a question it was not sent.
pub async fn sms_allowed(
    conn: &mut sqlx::AnyConnection,
    event_type: &str,
    phone: &str,
) -> Result<bool> {
    Ok(is_essential(event_type) || opted_out_at(conn, phone).await?.is_none())
}

/// Opts `phone` (E.164) out of non-essential SMS (`true`: STOP) or back in (`false`: START).
/// Repeating either changes nothing.
pub async fn set_opted_out(conn: &mut sqlx::AnyConnection, phone: &str, out: bool) -> Result<()> {
    if out {
        sqlx::query(
            "INSERT INTO sms_opt_outs (phone, opted_out_at) VALUES ($1, $2) \
             ON CONFLICT (phone) DO NOTHING",
        )
        .bind(phone)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("DELETE FROM sms_opt_outs WHERE phone = $1")
            .bind(phone)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// When `phone` opted out (unix ms), if it has and not opted back in.
pub async fn opted_out_at(conn: &mut sqlx::AnyConnection, phone: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT opted_out_at FROM sms_opt_outs WHERE phone = $1")
            .bind(phone)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_receipts_and_decisions_are_essential_surveys_and_nudges_are_not() {
        for e in ["payment.received", "application.approved", "bill.raised"] {
            assert!(is_essential(e), "{e}");
        }
        for e in NON_ESSENTIAL {
            assert!(!is_essential(e), "{e}");
            assert!(
                crate::templates::event_type(e).is_some(),
                "{e} is a real event type"
            );
        }
    }
}
