//! Times as M-Pesa writes them: East Africa Time (UTC+3, no daylight saving) in Daraja's
//! compact form and the portal's readable form; Pull Transactions' UTC ISO-8601.

use lango_core::clock::days_from_civil;
use lango_core::clock::Civil;
use lango_core::clock::EAT_OFFSET_MS;

/// Year, month, day, hour, minute and second in East Africa Time.
pub(crate) fn eat_parts(ms: i64) -> (i64, i64, i64, i64, i64, i64) {
    let eat = ms + EAT_OFFSET_MS;
    let c = Civil::from_ms(eat);
    let second = eat.div_euclid(1000).rem_euclid(60);
    (c.year, c.month, c.day, c.hour, c.minute, second)
}

/// `YYYYMMDDHHmmss`, East Africa Time (C2B `TransTime`, STK `TransactionDate`).
pub(crate) fn compact(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = eat_parts(ms);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

/// `YYYY-MM-DD HH:MM:SS`, East Africa Time (statements, Pull query dates).
pub(crate) fn readable(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = eat_parts(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// `YYYY-MM-DD`, East Africa Time.
pub(crate) fn day(ms: i64) -> String {
    readable(ms)[..10].to_string()
}

/// `YYYY-MM-DDTHH:MM:SSZ`, UTC (Pull Transactions' `trxDate`).
pub(crate) fn utc_iso(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    let s = ms.div_euclid(1000).rem_euclid(60);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{s:02}Z",
        c.year, c.month, c.day, c.hour, c.minute
    )
}

/// Unix ms of an East Africa Time given as digits `YYYYMMDDHHmmss` (any separators in
/// between are dropped first, so `YYYY-MM-DD HH:MM:SS` reads too); a date alone is midnight.
pub(crate) fn parse(s: &str) -> Option<i64> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if !(digits.len() == 14 || digits.len() == 8) || s.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|p| p.parse::<i64>().ok());
    let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (h, mi, se) = if digits.len() == 14 {
        (n(8..10)?, n(10..12)?, n(12..14)?)
    } else {
        (0, 0, 0)
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    // A day that does not exist (31 April) comes back as another date: refuse it.
    if Civil::from_ms(days * 86_400_000).date() != format!("{y:04}-{mo:02}-{d:02}") {
        return None;
    }
    Some((days * 86_400 + h * 3600 + mi * 60 + se) * 1000 - EAT_OFFSET_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_reads_back() {
        // 2026-11-22 10:30:15 UTC = 13:30:15 EAT.
        let ms = 1_795_343_415_000;
        assert_eq!(utc_iso(ms), "2026-11-22T10:30:15Z");
        assert_eq!(readable(ms), "2026-11-22 13:30:15");
        assert_eq!(compact(ms), "20261122133015");
        assert_eq!(day(ms), "2026-11-22");
        assert_eq!(parse("2026-11-22 13:30:15"), Some(ms));
        assert_eq!(parse("20261122133015"), Some(ms));
        assert_eq!(
            parse("2026-11-22"),
            Some(ms - 13 * 3_600_000 - 30 * 60_000 - 15_000)
        );
        assert_eq!(parse("2026-04-31"), None);
        assert_eq!(parse("2026-11-22T13:30:15Z"), None);
        assert_eq!(parse("tomorrow"), None);
    }
}
