//! A mobile centre's schedule changing under people who booked: when a stop is dropped its
//! appointments are cancelled (their places given back) and each person is told by SMS to
//! book again; when a stop moves or its hours change, each person is told where and when
//! it now is (and an appointment the new hours no longer hold is cancelled, and told so).
//! Runs inside the transaction that saves the centre, so the change and the notices commit
//! together.

use crate::appointments::{self, Appointment};
use crate::calendar::today;
use crate::model::{clock, Centre, Visit};
use lango_core::Result;

/// Tells everyone booked on a stop of `before` that `after` dropped or changed, inside
/// `tx`; returns how many were told.
pub(crate) async fn tell_changes(
    tx: &mut sqlx::AnyConnection,
    before: &Centre,
    after: &Centre,
) -> Result<u64> {
    let from = today();
    let mut told = 0;
    // Its booked appointments' places may be given back (see `centre_locks`).
    crate::centre_locks::lock(tx, [after.code.as_str()]).await?;
    for old in before.schedule.iter().filter(|v| v.date >= from) {
        let new = after.schedule.iter().find(|v| v.date == old.date);
        if new.is_some_and(|n| same(n, old)) {
            continue;
        }
        for a in appointments::booked_on(&mut *tx, &after.code, &old.date).await? {
            let minute = crate::calendar::minute_of(a.start_ms);
            let kept = new.filter(|n| n.opens <= minute && minute < n.closes);
            match kept {
                Some(n) => {
                    let hours = format!("{}-{}", clock(n.opens), clock(n.closes));
                    let extra = [("place", n.place.as_str()), ("hours", hours.as_str())];
                    appointments::tell_about(tx, after, &a, "appointment.stop_moved", &extra)
                        .await?;
                }
                None => cancel(tx, after, &a).await?,
            }
            told += 1;
        }
    }
    Ok(told)
}

fn same(a: &Visit, b: &Visit) -> bool {
    a.place == b.place && a.county == b.county && a.opens == b.opens && a.closes == b.closes
}

async fn cancel(tx: &mut sqlx::AnyConnection, c: &Centre, a: &Appointment) -> Result<()> {
    if appointments::release_in(&mut *tx, a).await? {
        appointments::tell_about(tx, c, a, "appointment.stop_cancelled", &[]).await?;
    }
    Ok(())
}
