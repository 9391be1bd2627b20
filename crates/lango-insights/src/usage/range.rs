//! Ranges of days and months as the readers take them (`YYYY-MM-DD`, `YYYY-MM`, both
//! ends included): checked once, then listed so that a trend has a row for every day.

use crate::open_data::is_date;
use lango_core::clock::{days_from_civil, Civil};
use lango_core::{Error, Result};

/// Most days a trend lists (ten years): a longer range is refused, not truncated.
pub const MAX_DAYS: i64 = 3_660;
const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a checked `YYYY-MM-DD`.
pub(crate) fn day_number(day: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| day[r].parse::<i64>().unwrap_or(0);
    days_from_civil(n(0..4), n(5..7), n(8..10))
}

/// Checks a range of days: real dates, `from` not after `to`.
pub fn check_days(from: &str, to: &str) -> Result<()> {
    for (field, value) in [("from", from), ("to", to)] {
        if !is_date(value) {
            return Err(Error::invalid(
                field,
                format!("expected a date like 2026-11-23, not \"{value}\""),
            ));
        }
    }
    if from > to {
        return Err(Error::invalid("from", "the first day comes after the last"));
    }
    Ok(())
}

/// Every day from `from` to `to` (checked, at most [`MAX_DAYS`]), in order.
pub fn days(from: &str, to: &str) -> Result<Vec<String>> {
    check_days(from, to)?;
    let (first, last) = (day_number(from), day_number(to));
    if last - first + 1 > MAX_DAYS {
        return Err(Error::invalid(
            "from",
            format!("a range covers at most {MAX_DAYS} days"),
        ));
    }
    Ok((first..=last)
        .map(|d| Civil::from_ms(d * DAY_MS).date())
        .collect())
}

/// True for a real month `YYYY-MM`.
pub fn is_month(s: &str) -> bool {
    s.len() == 7 && is_date(&format!("{s}-01"))
}

/// Checks a range of months: real months, `from` not after `to`.
pub fn check_months(from: &str, to: &str) -> Result<()> {
    for (field, value) in [("from", from), ("to", to)] {
        if !is_month(value) {
            return Err(Error::invalid(
                field,
                format!("expected a month like 2026-11, not \"{value}\""),
            ));
        }
    }
    if from > to {
        return Err(Error::invalid(
            "from",
            "the first month comes after the last",
        ));
    }
    Ok(())
}

/// Every month from `from` to `to` (checked, at most ten years), in order.
pub fn months(from: &str, to: &str) -> Result<Vec<String>> {
    check_months(from, to)?;
    let n = |s: &str| {
        s[0..4].parse::<i64>().unwrap_or(0) * 12 + s[5..7].parse::<i64>().unwrap_or(1) - 1
    };
    let (first, last) = (n(from), n(to));
    if last - first + 1 > MAX_DAYS / 30 {
        return Err(Error::invalid("from", "a range covers at most ten years"));
    }
    Ok((first..=last)
        .map(|m| format!("{:04}-{:02}", m / 12, m % 12 + 1))
        .collect())
}

/// The first and last day of the months `from..=to` (checked).
pub fn month_days(from: &str, to: &str) -> Result<(String, String)> {
    check_months(from, to)?;
    let (y, m) = (
        to[0..4].parse::<i64>().unwrap_or(0),
        to[5..7].parse::<i64>().unwrap_or(1),
    );
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let last = Civil::from_ms((days_from_civil(next.0, next.1, 1) - 1) * DAY_MS).date();
    Ok((format!("{from}-01"), last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_listed_across_months_and_leap_days() {
        assert_eq!(
            days("2024-02-28", "2024-03-01").unwrap(),
            ["2024-02-28", "2024-02-29", "2024-03-01"]
        );
        assert_eq!(days("2026-11-23", "2026-11-23").unwrap(), ["2026-11-23"]);
        assert!(days("2026-11-24", "2026-11-23").is_err());
        assert!(days("2026-11-31", "2026-12-01").is_err());
        assert!(days("2000-01-01", "2026-01-01").is_err(), "too long");
    }

    #[test]
    fn months_and_their_days() {
        assert_eq!(
            months("2025-11", "2026-02").unwrap(),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert!(months("2026-13", "2026-12").is_err());
        assert!(months("2026-02", "2026-01").is_err());
        assert_eq!(
            month_days("2024-01", "2024-02").unwrap(),
            ("2024-01-01".to_string(), "2024-02-29".to_string())
        );
        assert_eq!(month_days("2026-12", "2026-12").unwrap().1, "2026-12-31");
        assert!(is_month("2026-07") && !is_month("2026-7") && !is_month("2026-00"));
    }
}
