//! Exact decimals and calendar dates, shared by answers, conditions and fees.
//!
//! Numbers are i128 fixed point with six decimals so that fees and comparisons never
//! touch a float; dates are days since 1970-01-01 so that ranges are plain integers.

use super::Today;
use lango_core::clock::{days_from_civil, Civil};

/// One unit in fixed point.
pub(crate) const SCALE: i128 = 1_000_000;

/// An exact decimal with six places (value × 10⁶).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Dec(pub(crate) i128);

impl Dec {
    /// Parses `-?digits(.digits)?` with at most 18 whole digits and 6 decimals.
    pub(crate) fn parse(s: &str) -> Option<Dec> {
        let (neg, rest) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let (whole, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 18
            || frac.len() > 6
            || !digits(whole)
            || !digits(frac)
            || (rest.contains('.') && frac.is_empty())
        {
            return None;
        }
        let w: i128 = whole.parse().ok()?;
        let mut f: i128 = 0;
        for i in 0..6 {
            let d = frac.as_bytes().get(i).map_or(0, |b| i128::from(b - b'0'));
            f = f * 10 + d;
        }
        let v = w * SCALE + f;
        Some(Dec(if neg { -v } else { v }))
    }

    /// A whole number.
    pub(crate) fn from_int(i: i64) -> Dec {
        Dec(i128::from(i) * SCALE)
    }

    /// Digits after the point once trailing zeros are dropped.
    pub(crate) fn decimals(self) -> u32 {
        let mut f = (self.0 % SCALE).abs();
        if f == 0 {
            return 0;
        }
        let mut n = 6;
        while f % 10 == 0 {
            f /= 10;
            n -= 1;
        }
        n
    }

    /// The shortest exact decimal form (`42`, `-3.5`, `0.125`).
    pub(crate) fn canonical(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / SCALE as u128;
        let frac = abs % SCALE as u128;
        if frac == 0 {
            return format!("{sign}{whole}");
        }
        let frac = format!("{frac:06}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }

    /// Sum, `None` on overflow.
    pub(crate) fn add(self, o: Dec) -> Option<Dec> {
        self.0.checked_add(o.0).map(Dec)
    }

    /// Difference, `None` on overflow.
    pub(crate) fn sub(self, o: Dec) -> Option<Dec> {
        self.0.checked_sub(o.0).map(Dec)
    }

    /// Product rounded half away from zero to six places, `None` on overflow.
    pub(crate) fn mul(self, o: Dec) -> Option<Dec> {
        let p = self.0.checked_mul(o.0)?;
        Some(Dec(div_round(p, SCALE)))
    }

    /// Quotient rounded half away from zero to six places, `None` on overflow or zero divisor.
    pub(crate) fn div(self, o: Dec) -> Option<Dec> {
        if o.0 == 0 {
            return None;
        }
        let n = self.0.checked_mul(SCALE)?;
        Some(Dec(div_round(n, o.0)))
    }

    /// Minor units of a currency with `exp` decimals, rounded half up (away from zero).
    pub(crate) fn to_minor(self, exp: u32) -> Option<i64> {
        let unit = 10_i128.pow(6 - exp.min(6));
        i64::try_from(div_round(self.0, unit)).ok()
    }
}

/// `n / d` rounded half away from zero.
fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r.unsigned_abs() * 2 >= d.unsigned_abs() {
        if (n < 0) ^ (d < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    }
}

/// Days in a month of a year.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a real calendar date written `YYYY-MM-DD` (years 1000–9999).
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    ymd_days(num(0..4)?, num(5..7)?, num(8..10)?)
}

/// Days of a year, month and day when they make a real date.
pub(crate) fn ymd_days(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn format_date(days: i64) -> String {
    Civil::from_ms(days * 86_400_000).date()
}

/// A date bound: `YYYY-MM-DD`, `today`, or `today±N(d|m|y)` (months and years keep the
/// day of the month, clamped to the month's last day).
pub(crate) fn date_bound(s: &str, today: Today) -> Option<i64> {
    let s = s.trim();
    if let Some(d) = parse_date(s) {
        return Some(d);
    }
    let rest = s.strip_prefix("today")?;
    if rest.is_empty() {
        return Some(today.days);
    }
    let (sign, rest) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    if rest.len() < 2 || rest.len() > 6 {
        return None;
    }
    let (n, unit) = rest.split_at(rest.len() - 1);
    if !n.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i64 = n.parse().ok()?;
    let n = n * sign;
    match unit {
        "d" => Some(today.days + n),
        "m" | "y" => {
            let c = Civil::from_ms(today.days * 86_400_000);
            let months = if unit == "y" { n * 12 } else { n };
            let total = c.year * 12 + (c.month - 1) + months;
            let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
            if !(1000..=9999).contains(&y) {
                return None;
            }
            Some(days_from_civil(y, m, c.day.min(days_in_month(y, m))))
        }
        _ => None,
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_SW: [&str; 12] = [
    "Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba",
    "Oktoba", "Novemba", "Desemba",
];

const MONTHS_MS: [&str; 12] = [
    "Januari",
    "Februari",
    "Mac",
    "April",
    "Mei",
    "Jun",
    "Julai",
    "Ogos",
    "September",
    "Oktober",
    "November",
    "Disember",
];

/// A date as people write it: `5 March 2026` (`5 Machi 2026` in Kiswahili, `5 Mac 2026` in
/// Bahasa Melayu).
pub(crate) fn long_date(days: i64, lang: &str) -> String {
    let c = Civil::from_ms(days * 86_400_000);
    let names = match lang {
        "sw" => MONTHS_SW,
        "ms" => MONTHS_MS,
        _ => MONTHS_EN,
    };
    let month = names[(c.month - 1).clamp(0, 11) as usize];
    format!("{} {month} {}", c.day, c.year)
}
