//! Finance: what finance staff and auditors read and do. Revenue by day, agency, channel
//! and currency from the ledger (`revenue`), the suspense queue and matching its money to
//! a bill (`suspense`), and the auditor's export of every receipt with its ledger entries
//! (`export`). Days are East Africa Time days; currencies are never added together.
//!
//! Access is decided by the caller through `lango_identity::policy` (finance `View` to
//! read, `Edit` to match); these operations take the actor's label for the record.

pub mod export;
pub mod revenue;
pub mod suspense;

use lango_core::clock::local_offset_ms;
use lango_core::clock::{now_ms, Civil};

/// One day.
pub const DAY_MS: i64 = 86_400_000;
/// The longest period a report or an export covers.
pub const MAX_DAYS: i64 = 366;

/// A calendar day in East Africa Time, counted in days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Day {
    /// Parses `YYYY-MM-DD` (a real calendar date), or `None`.
    pub fn parse(s: &str) -> Option<Day> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let compact = format!("{}{}{}000000", &s[0..4], &s[5..7], &s[8..10]);
        // Daraja's time parser checks the calendar and reads East Africa Time.
        crate::daraja::trans_time_ms(&compact).map(Day::of_ms)
    }

    /// The East Africa Time day of a unix-ms instant.
    pub fn of_ms(ms: i64) -> Day {
        Day((ms + local_offset_ms()).div_euclid(DAY_MS))
    }

    /// Today in East Africa Time.
    pub fn today() -> Day {
        Day::of_ms(now_ms())
    }

    /// The instant this day begins (midnight East Africa Time), unix ms.
    pub fn start_ms(self) -> i64 {
        self.0 * DAY_MS - local_offset_ms()
    }

    /// `YYYY-MM-DD`.
    pub fn date(self) -> String {
        Civil::from_ms(self.0 * DAY_MS).date()
    }

    /// The day `n` days later (earlier when negative).
    pub fn plus(self, n: i64) -> Day {
        Day(self.0 + n)
    }
}

/// `YYYY-MM-DD HH:MM` in East Africa Time, as finance pages show times.
pub fn eat_time(ms: i64) -> String {
    Civil::local(ms).date_time()
}

/// RFC 3339 in the country's time to the second, for exports.
pub use lango_core::clock::local_rfc3339;

/// An inclusive range of East Africa Time days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: Day,
    /// Last day (included).
    pub to: Day,
}

/// Why a period was refused; each names its field and the words that explain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// `from` is not a real `YYYY-MM-DD` date.
    From,
    /// `to` is not a real `YYYY-MM-DD` date.
    To,
    /// `to` is before `from`.
    Backwards,
    /// Longer than [`MAX_DAYS`].
    TooLong,
}

impl PeriodError {
    /// The form field it concerns.
    pub fn field(self) -> &'static str {
        match self {
            PeriodError::From => "from",
            PeriodError::To | PeriodError::Backwards | PeriodError::TooLong => "to",
        }
    }

    /// The problem code (words in the web crate).
    pub fn code(self) -> &'static str {
        match self {
            PeriodError::From | PeriodError::To => "finance_period_date_invalid",
            PeriodError::Backwards => "finance_period_backwards",
            PeriodError::TooLong => "finance_period_too_long",
        }
    }
}

impl Period {
    /// The last `days` days up to and including today.
    pub fn last(days: i64) -> Period {
        let to = Day::today();
        Period {
            from: to.plus(1 - days),
            to,
        }
    }

    /// Parses `from` and `to` (`YYYY-MM-DD`); every problem is returned, in field order.
    pub fn parse(from: &str, to: &str) -> Result<Period, Vec<PeriodError>> {
        let f = Day::parse(from);
        let t = Day::parse(to);
        let mut problems = Vec::new();
        if f.is_none() {
            problems.push(PeriodError::From);
        }
        if t.is_none() {
            problems.push(PeriodError::To);
        }
        let (Some(from), Some(to)) = (f, t) else {
            return Err(problems);
        };
        if to < from {
            return Err(vec![PeriodError::Backwards]);
        }
        if to.0 - from.0 + 1 > MAX_DAYS {
            return Err(vec![PeriodError::TooLong]);
        }
        Ok(Period { from, to })
    }

    /// Its days, in order.
    pub fn days(&self) -> impl Iterator<Item = Day> {
        (self.from.0..=self.to.0).map(Day)
    }

    /// The instants it covers: `[start, end)` in unix ms.
    pub fn span_ms(&self) -> (i64, i64) {
        (self.from.start_ms(), self.to.plus(1).start_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_east_africa_days() {
        let d = Day::parse("2026-11-22").unwrap();
        assert_eq!(d.date(), "2026-11-22");
        // Midnight in Nairobi is 21:00 the evening before in UTC.
        assert_eq!(Civil::from_ms(d.start_ms()).date_time(), "2026-11-21 21:00");
        assert_eq!(Day::of_ms(d.start_ms()), d);
        assert_eq!(Day::of_ms(d.start_ms() - 1), d.plus(-1));
        assert_eq!(eat_time(d.start_ms() + 90_000), "2026-11-22 00:01");
        assert_eq!(
            local_rfc3339(d.start_ms() + 90_500),
            "2026-11-22T00:01:30+03:00"
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-11-22",
            "2026/11/22",
            "",
            "2026-11-2x",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
        assert_eq!(Day::parse("2024-02-29").unwrap().date(), "2024-02-29");
    }

    #[test]
    fn periods_are_checked() {
        let p = Period::parse("2026-11-01", "2026-11-30").unwrap();
        assert_eq!(p.days().count(), 30);
        assert_eq!(p.span_ms().1 - p.span_ms().0, 30 * DAY_MS);
        assert_eq!(
            Period::parse("x", "y").unwrap_err(),
            vec![PeriodError::From, PeriodError::To]
        );
        assert_eq!(
            Period::parse("2026-11-30", "2026-11-01").unwrap_err(),
            vec![PeriodError::Backwards]
        );
        assert_eq!(
            Period::parse("2024-01-01", "2026-01-01").unwrap_err(),
            vec![PeriodError::TooLong]
        );
        assert_eq!(Period::last(30).days().count(), 30);
        assert_eq!(Period::last(30).to, Day::today());
    }
}
