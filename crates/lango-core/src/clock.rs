//! Time as Lango stores it: integer unix milliseconds, UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the unix epoch, the unit of every stored timestamp.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (the inverse of [`Civil::from_ms`]'s
/// day arithmetic, Howard Hinnant's days-from-civil).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// East Africa Time is UTC+3 all year (no daylight saving): Safaricom's time, in which M-Pesa
/// writes its timestamps whatever country a node serves.
pub const EAT_OFFSET_MS: i64 = 3 * 3_600_000;

/// The served country's offset from UTC in milliseconds (its pack's `utc_offset_minutes`):
/// the time people there read, and the one working days and "today" are counted in.
pub fn local_offset_ms() -> i64 {
    crate::country::current().utc_offset_minutes * 60_000
}

/// The served country's offset as RFC 3339 writes it (`+03:00`, `+08:00`).
pub fn local_offset_text() -> String {
    let minutes = local_offset_ms() / 60_000;
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

/// RFC 3339 in the served country's time, to the second (`2026-11-22T10:30:15+03:00` in
/// Kenya): how exports and the API write a moment people there read.
pub fn local_rfc3339(ms: i64) -> String {
    let local = ms + local_offset_ms();
    let c = Civil::from_ms(local);
    let second = local.div_euclid(1000).rem_euclid(60);
    format!(
        "{}T{:02}:{:02}:{second:02}{}",
        c.date(),
        c.hour,
        c.minute,
        local_offset_text()
    )
}

/// A UTC calendar time: year, month, day, hour, minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year.
    pub year: i64,
    /// Month, 1–12.
    pub month: i64,
    /// Day, 1–31.
    pub day: i64,
    /// Hour, 0–23.
    pub hour: i64,
    /// Minute, 0–59.
    pub minute: i64,
}

impl Civil {
    /// The UTC calendar time of unix milliseconds (Howard Hinnant's days-to-civil).
    pub fn from_ms(ms: i64) -> Civil {
        let secs = ms.div_euclid(1000);
        let rem = secs.rem_euclid(86_400);
        let z = secs.div_euclid(86_400) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Civil {
            year: yoe + era * 400 + i64::from(month <= 2),
            month,
            day: doy - (153 * mp + 2) / 5 + 1,
            hour: rem / 3600,
            minute: rem % 3600 / 60,
        }
    }

    /// The served country's calendar time of unix milliseconds ([`local_offset_ms`]).
    pub fn local(ms: i64) -> Civil {
        Civil::from_ms(ms + local_offset_ms())
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// RFC 3339 in UTC with seconds, `YYYY-MM-DDTHH:MM:SSZ`, of unix milliseconds: the
    /// times the API, CloudEvents and the trust list carry.
    pub fn rfc3339(ms: i64) -> String {
        let c = Civil::from_ms(ms);
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            c.date(),
            c.hour,
            c.minute,
            ms.div_euclid(1000).rem_euclid(60)
        )
    }

    /// `YYYY-MM-DD HH:MM`.
    pub fn date_time(&self) -> String {
        format!("{} {:02}:{:02}", self.date(), self.hour, self.minute)
    }
}

#[cfg(test)]
mod tests {
    use super::Civil;

    #[test]
    fn civil_times() {
        assert_eq!(Civil::from_ms(0).date_time(), "1970-01-01 00:00");
        // 2024-02-29 13:45 UTC, a leap day.
        assert_eq!(
            Civil::from_ms(1_709_214_300_000).date_time(),
            "2024-02-29 13:45"
        );
        assert_eq!(Civil::from_ms(-86_400_000).date(), "1969-12-31");
    }
}
