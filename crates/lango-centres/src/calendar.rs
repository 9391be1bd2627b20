//! Days as people at a centre live them: East Africa Time dates, weekdays, and the country's
//! public holidays (from its pack; administrators change them as closures).

use lango_core::clock::{days_from_civil, local_offset_ms, Civil};
use lango_core::country::Pack;

const DAY_MS: i64 = 86_400_000;

/// Days in `month` of `year`.
pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn parts(date: &str) -> (i64, i64, i64) {
    (
        date[..4].parse().unwrap_or(1970),
        date[5..7].parse().unwrap_or(1),
        date[8..10].parse().unwrap_or(1),
    )
}

/// Unix milliseconds of midnight East Africa Time that begins `date` (`YYYY-MM-DD`).
pub fn day_start_ms(date: &str) -> i64 {
    let (y, m, d) = parts(date);
    days_from_civil(y, m, d) * DAY_MS - local_offset_ms()
}

/// The East Africa Time date of unix milliseconds.
pub fn date_of(ms: i64) -> String {
    Civil::local(ms).date()
}

/// Today in East Africa Time.
pub fn today() -> String {
    date_of(lango_core::clock::now_ms())
}

/// The date `n` days after `date`.
pub fn add_days(date: &str, n: i64) -> String {
    date_of(day_start_ms(date) + n * DAY_MS)
}

/// 0 = Monday … 6 = Sunday.
pub fn weekday(date: &str) -> u8 {
    let (y, m, d) = parts(date);
    // 1970-01-01 was a Thursday (3).
    (days_from_civil(y, m, d) + 3).rem_euclid(7) as u8
}

/// Minutes after midnight in the country's time of unix milliseconds.
pub fn minute_of(ms: i64) -> u16 {
    let c = Civil::local(ms);
    (c.hour * 60 + c.minute) as u16
}

/// RFC 3339 in the country's time (`2026-12-07T09:00:00+03:00` in Kenya): how the API
/// shows a slot.
pub use lango_core::clock::local_rfc3339;

/// Reads an RFC 3339 time with any offset (`Z`, `+03:00`, `-05:00`), to the minute;
/// seconds must be zero. Answers unix milliseconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 17 || !s.is_char_boundary(10) || !crate::model::is_date(&s[..10]) {
        return None;
    }
    let rest = s[10..].strip_prefix(['T', 't', ' '])?;
    let time_end = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(time_end);
    let mut t = time.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let m: i64 = t.next()?.parse().ok()?;
    let sec: f64 = t.next().map_or(Some(0.0), |x| x.parse().ok())?;
    if t.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&m) || sec != 0.0 {
        return None;
    }
    let offset_min: i64 = match zone {
        "Z" | "z" => 0,
        z if z.len() == 6 && &z[3..4] == ":" => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (oh, om): (i64, i64) = (z[1..3].parse().ok()?, z[4..6].parse().ok()?);
            if oh > 14 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om)
        }
        _ => return None,
    };
    let (y, mo, d) = parts(&s[..10]);
    Some(days_from_civil(y, mo, d) * DAY_MS + (h * 60 + m - offset_min) * 60_000)
}

/// Western Easter Sunday of `year` (the anonymous Gregorian algorithm), as (month, day).
fn easter(year: i64) -> (i64, i64) {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    (month, day)
}

/// The public holidays of `year` by the served country's pack (`packs/<code>/country.toml`),
/// as (date, name in the pack's first language), in date order.
pub fn public_holidays(year: i64) -> Vec<(String, &'static str)> {
    holidays_of(lango_core::country::current(), year)
}

/// The public holidays of `year` by `pack`'s rules: its fixed days and those counted from
/// Easter and, where the pack says so, a holiday on a Sunday kept again on the next day
/// that is not itself a holiday.
pub fn holidays_of<'a>(pack: &'a Pack, year: i64) -> Vec<(String, &'a str)> {
    let first = &pack.languages[0];
    let rules = &pack.holidays;
    let name = |n: &'a lango_core::country::Words| -> &'a str { n.get(first).unwrap_or_default() };
    let fixed: Vec<(String, &str)> = rules
        .fixed
        .iter()
        .map(|h| (format!("{year:04}-{}", h.date), name(&h.name)))
        .collect();
    let mut out = fixed.clone();
    if rules.sunday_moves_to_next_free_day {
        for (date, holiday) in &fixed {
            if weekday(date) != 6 {
                continue;
            }
            let mut next = add_days(date, 1);
            // Christmas on a Sunday: Boxing Day is the Monday, so the day off is the Tuesday.
            while out.iter().chain(&fixed).any(|(d, _)| *d == next) {
                next = add_days(&next, 1);
            }
            out.push((next, holiday));
        }
    }
    let (m, d) = easter(year);
    let sunday = format!("{year:04}-{m:02}-{d:02}");
    for h in &rules.easter {
        out.push((add_days(&sunday, h.days), name(&h.name)));
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// A closure's reason in `lang`: a public holiday's name in that language when the served
/// country's pack has it; any other reason as the administrator wrote it.
pub fn reason_in<'a>(reason: &'a str, lang: &str) -> &'a str {
    lango_core::country::current()
        .holiday_name(reason, lang)
        .unwrap_or(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_weekdays_and_times_in_east_africa() {
        assert_eq!(weekday("2026-12-07"), 0, "a Monday");
        assert_eq!(weekday("2026-12-06"), 6);
        assert_eq!(date_of(day_start_ms("2026-12-07")), "2026-12-07");
        assert_eq!(date_of(day_start_ms("2026-12-07") - 1), "2026-12-06");
        let nine = day_start_ms("2026-12-07") + 9 * 3_600_000;
        assert_eq!(local_rfc3339(nine), "2026-12-07T09:00:00+03:00");
        assert_eq!(parse_rfc3339("2026-12-07T09:00:00+03:00"), Some(nine));
        assert_eq!(parse_rfc3339("2026-12-07T06:00:00Z"), Some(nine));
        assert_eq!(parse_rfc3339("2026-12-07T01:00:00-05:00"), Some(nine));
        assert_eq!(
            parse_rfc3339("2026-12-07T09:00"),
            None,
            "a time without a zone is ambiguous"
        );
        assert_eq!(parse_rfc3339("2026-12-07T09:00:30+03:00"), None);
        assert_eq!(parse_rfc3339("2026-13-07T09:00:00Z"), None);
        assert_eq!(add_days("2026-12-31", 1), "2027-01-01");
        assert_eq!(minute_of(nine), 540);
    }

    #[test]
    fn every_holiday_has_a_kiswahili_name() {
        for (_, name) in public_holidays(2026) {
            assert_ne!(reason_in(name, "sw"), name, "{name}");
            assert_eq!(reason_in(name, "en"), name);
        }
        assert_eq!(reason_in("Roof repairs", "sw"), "Roof repairs");
    }

    #[test]
    fn kenya_holidays_include_easter_and_sunday_substitutes() {
        let ke = Pack::named("ke").unwrap();
        let h = holidays_of(ke, 2026);
        let dates: Vec<&str> = h.iter().map(|(d, _)| d.as_str()).collect();
        assert!(dates.contains(&"2026-04-03"), "Good Friday 2026");
        assert!(dates.contains(&"2026-04-06"), "Easter Monday 2026");
        assert!(dates.contains(&"2026-12-12"));
        // 2027-12-12 is a Sunday: the Monday after is off.
        let h = holidays_of(ke, 2027);
        assert!(h.iter().any(|(d, _)| d == "2027-12-13"));
        // 2022-12-25 was a Sunday and Boxing Day the Monday: the Tuesday is off.
        let h = holidays_of(ke, 2022);
        assert!(h
            .iter()
            .any(|(d, n)| d == "2022-12-27" && *n == "Christmas Day"));
        assert_eq!(h.len(), 12, "{h:?}");
    }
}
