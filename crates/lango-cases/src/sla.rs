//! Service levels: a state's SLA counts working days (Monday to Friday, East Africa Time)
//! from when the application entered it.

use lango_core::clock::local_offset_ms;
const DAY_MS: i64 = 86_400_000;

/// The queue's sort key for an application with no SLA: after every real due time.
pub const NO_DUE: i64 = 9_000_000_000_000_000;

/// Milliseconds in a day, for "at risk" (due within a day).
pub const AT_RISK_MS: i64 = DAY_MS;

/// Monday = 0 … Sunday = 6 for an EAT day counted from 1970-01-01 (a Thursday).
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// When an SLA of `days` working days, started at unix ms `from`, runs out: the same time of
/// day on the `days`-th working day after it (a start on a weekend counts from Monday).
pub fn due_at(from: i64, days: u32) -> i64 {
    let local = from + local_offset_ms();
    let mut day = local.div_euclid(DAY_MS);
    let mut time = local.rem_euclid(DAY_MS);
    if weekday(day) >= 5 {
        // Received on a weekend: the clock starts on Monday morning.
        day += 7 - weekday(day);
        time = 0;
    }
    let mut left = days;
    while left > 0 {
        day += 1;
        if weekday(day) < 5 {
            left -= 1;
        }
    }
    day * DAY_MS + time - local_offset_ms()
}

/// The queue key for an optional due time.
pub fn due_key(due: Option<i64>) -> i64 {
    due.unwrap_or(NO_DUE)
}

/// The EAT calendar day (days since 1970-01-01) of unix ms `ms`, for validation's "today".
pub fn eat_day(ms: i64) -> i64 {
    (ms + local_offset_ms()).div_euclid(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_core::clock::days_from_civil;

    /// Unix ms of `y-m-d h:00` EAT.
    fn eat(y: i64, m: i64, d: i64, h: i64) -> i64 {
        days_from_civil(y, m, d) * DAY_MS + h * 3_600_000 - local_offset_ms()
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-20 is a Friday.
        assert_eq!(weekday(days_from_civil(2026, 11, 20)), 4);
        // Friday 10:00 + 1 working day = Monday 10:00.
        assert_eq!(due_at(eat(2026, 11, 20, 10), 1), eat(2026, 11, 23, 10));
        // Monday 09:00 + 5 = next Monday 09:00.
        assert_eq!(due_at(eat(2026, 11, 23, 9), 5), eat(2026, 11, 30, 9));
        // Wednesday + 2 = Friday.
        assert_eq!(due_at(eat(2026, 11, 25, 14), 2), eat(2026, 11, 27, 14));
        // Saturday: counts from Monday 00:00, so 1 day = Tuesday 00:00.
        assert_eq!(due_at(eat(2026, 11, 21, 15), 1), eat(2026, 11, 24, 0));
        // 0 days: due when entered (on a weekday).
        assert_eq!(due_at(eat(2026, 11, 25, 14), 0), eat(2026, 11, 25, 14));
        // Late evening EAT is still the same EAT day even though UTC has moved on.
        assert_eq!(due_at(eat(2026, 11, 20, 23), 1), eat(2026, 11, 23, 23));
        assert_eq!(
            eat_day(eat(2026, 11, 20, 23)),
            days_from_civil(2026, 11, 20)
        );
    }
}
