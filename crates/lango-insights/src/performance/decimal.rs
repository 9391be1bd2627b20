//! Exact numbers for performance contracts: [`Dec`], a decimal with at most four places
//! (weights, targets, anchors, bands, raw scores, composites), [`Q`], an exact fraction
//! (actual values and achievements, which need not end), and [`Num`], a number as the file
//! wrote it. No float ever takes part in a score: YAML and JSON numbers are read back to the
//! decimal text they were written as, then parsed exactly.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// Places a [`Dec`] keeps.
pub const PLACES: u32 = 4;
/// One, in a [`Dec`]'s units (ten-thousandths).
const ONE: i64 = 10_000;
/// The largest whole part accepted (12 digits), so products of three figures fit in `i128`.
const MAX_WHOLE: i64 = 999_999_999_999;

/// An exact, non-negative decimal with at most four places, kept in ten-thousandths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dec(i64);

impl Dec {
    /// Zero.
    pub const ZERO: Dec = Dec(0);

    /// The decimal of `units` ten-thousandths.
    pub fn from_units(units: i64) -> Dec {
        Dec(units)
    }

    /// The whole number `n`.
    pub fn int(n: i64) -> Dec {
        Dec(n * ONE)
    }

    /// Its value in ten-thousandths.
    pub fn units(self) -> i64 {
        self.0
    }

    /// Parses `12`, `2.40` or `0.5`: digits with at most one point, at most four places,
    /// at most twelve digits before the point; never a sign, exponent or space.
    pub fn parse(text: &str) -> Result<Dec, String> {
        let s = text.trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if s.is_empty()
            || whole.is_empty()
            || !digits(whole)
            || !digits(frac)
            || (s.contains('.') && frac.is_empty())
        {
            return Err(format!(
                "{s:?} is not a number; write digits with an optional decimal point, e.g. 87.5"
            ));
        }
        if frac.len() > PLACES as usize {
            return Err(format!("{s} has more than {PLACES} decimal places"));
        }
        let whole: i64 = whole
            .parse()
            .ok()
            .filter(|w| *w <= MAX_WHOLE)
            .ok_or_else(|| format!("{s} is too large (at most 12 digits before the point)"))?;
        let mut f: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().unwrap_or(0)
        };
        for _ in frac.len()..PLACES as usize {
            f *= 10;
        }
        Ok(Dec(whole * ONE + f))
    }

    /// How many places it needs (0 to 4): `2.4` needs one, `3` none.
    pub fn places(self) -> u32 {
        let mut n = PLACES;
        let mut u = self.0;
        while n > 0 && u % 10 == 0 {
            u /= 10;
            n -= 1;
        }
        n
    }

    /// Written with exactly `places` places (at most four), rounding half up if it has more.
    pub fn fixed(self, places: u32) -> String {
        let places = places.min(PLACES);
        let step = 10_i64.pow(PLACES - places);
        let rounded = (self.0 + step / 2) / step;
        write_scaled(i128::from(rounded), places, places)
    }

    /// As an exact fraction.
    pub fn q(self) -> Q {
        Q::new(i128::from(self.0), i128::from(ONE))
    }
}

impl fmt::Display for Dec {
    /// The shortest exact writing: `90`, `2.4`, `0.0005`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&write_scaled(i128::from(self.0), PLACES, 0))
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dec, D::Error> {
        let n = Num::deserialize(d)?;
        Dec::parse(&n.0).map_err(de::Error::custom)
    }
}

/// `value` (scaled by 10^`scale`) written with at least `min` places and no trailing zeros
/// beyond them.
pub fn write_scaled(value: i128, scale: u32, min: u32) -> String {
    let neg = value < 0;
    let v = value.unsigned_abs();
    let unit = 10_u128.pow(scale);
    let whole = v / unit;
    let mut frac = format!("{:0width$}", v % unit, width = scale as usize);
    while frac.len() > min as usize && frac.ends_with('0') {
        frac.pop();
    }
    let sign = if neg { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

/// A number exactly as a YAML or JSON file wrote it (or as near as its reader kept it: a
/// file's `2.40` comes back as `2.4`, the same value). Quoted strings are taken as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Num(pub String);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number such as 87.5, or a text")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                // Rust writes the shortest text that reads back as the same f64, which is
                // the text written whenever it has at most 15 significant digits; beyond
                // that the file must quote the number.
                if v.is_finite() && v.abs() < 1e15 {
                    Ok(Num(format!("{v}")))
                } else {
                    Err(E::custom(
                        "this number is too large to read exactly; write it in quotes",
                    ))
                }
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Num, E> {
                // YAML reads an unquoted `true` as a boolean; as a name it is just a word.
                Ok(Num(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                Ok(Num(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An exact fraction, always reduced, its denominator above zero.
#[derive(Debug, Clone, Copy)]
pub struct Q {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl Q {
    /// `num ÷ den`; `den` must not be zero.
    pub fn new(num: i128, den: i128) -> Q {
        assert!(den != 0, "a fraction over zero");
        let g = gcd(num, den);
        let s = if den < 0 { -1 } else { 1 };
        Q {
            num: s * num / g,
            den: s * den / g,
        }
    }

    /// The whole number `n`.
    pub fn int(n: i64) -> Q {
        Q::new(i128::from(n), 1)
    }

    /// True when it is zero.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// `self ÷ o`; `None` when `o` is zero.
    pub fn checked_div(self, o: Q) -> Option<Q> {
        (o.num != 0).then(|| self * Q::new(o.den, o.num))
    }

    /// Rounded half up (half away from zero) to `places`, scaled by 10^`places`.
    pub fn round(self, places: u32) -> i128 {
        let scaled = self.num.abs() * 10_i128.pow(places);
        let r = (2 * scaled + self.den) / (2 * self.den);
        if self.num < 0 {
            -r
        } else {
            r
        }
    }

    /// Rounded half up to four places, as a [`Dec`] (negative values become zero: scores
    /// never go below zero because the scale's anchors never do).
    pub fn to_dec(self) -> Dec {
        Dec::from_units(i64::try_from(self.round(PLACES).max(0)).unwrap_or(i64::MAX))
    }

    /// Written rounded half up to `places` places, trailing zeros kept.
    pub fn display(self, places: u32) -> String {
        write_scaled(self.round(places), places, places)
    }
}

impl std::ops::Add for Q {
    type Output = Q;
    fn add(self, o: Q) -> Q {
        Q::new(self.num * o.den + o.num * self.den, self.den * o.den)
    }
}

impl std::ops::Sub for Q {
    type Output = Q;
    fn sub(self, o: Q) -> Q {
        Q::new(self.num * o.den - o.num * self.den, self.den * o.den)
    }
}

impl std::ops::Mul for Q {
    type Output = Q;
    fn mul(self, o: Q) -> Q {
        // Cross-reduce first so the products stay small.
        let g1 = gcd(self.num, o.den);
        let g2 = gcd(o.num, self.den);
        Q::new(
            (self.num / g1) * (o.num / g2),
            (self.den / g2) * (o.den / g1),
        )
    }
}

impl PartialEq for Q {
    fn eq(&self, o: &Q) -> bool {
        self.num == o.num && self.den == o.den
    }
}

impl Eq for Q {}

impl PartialOrd for Q {
    fn partial_cmp(&self, o: &Q) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Q {
    fn cmp(&self, o: &Q) -> Ordering {
        (self.num * o.den).cmp(&(o.num * self.den))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly_or_not_at_all() {
        assert_eq!(Dec::parse("2.40").unwrap(), Dec::from_units(24_000));
        assert_eq!(Dec::parse("90").unwrap(), Dec::int(90));
        assert_eq!(Dec::parse("0.0005").unwrap().to_string(), "0.0005");
        assert_eq!(Dec::parse("1500000.00").unwrap().to_string(), "1500000");
        for bad in [
            "",
            "-1",
            "1e3",
            "1.",
            ".5",
            "1.23456",
            "1 000",
            "abc",
            "1000000000000",
        ] {
            assert!(Dec::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Dec::parse("2.41").unwrap().places(), 2);
        assert_eq!(Dec::int(3).places(), 0);
        assert!(Dec::parse("2.91115").is_err());
        assert_eq!(Dec::parse("2.9115").unwrap().fixed(2), "2.91");
        assert_eq!(Dec::parse("2.405").unwrap().fixed(2), "2.41");
        assert_eq!(Dec::int(3).fixed(4), "3.0000");
    }

    #[test]
    fn yaml_and_json_numbers_come_back_as_written() {
        let n: Vec<Num> = serde_json::from_str("[70, 5.0, 2.41, 0.1, \"12.5\"]").unwrap();
        let texts: Vec<&str> = n.iter().map(|n| n.0.as_str()).collect();
        assert_eq!(texts, ["70", "5", "2.41", "0.1", "12.5"]);
        let d: Vec<Dec> = serde_json::from_str("[2.4, 3.0001]").unwrap();
        assert_eq!(d, [Dec::from_units(24_000), Dec::from_units(30_001)]);
    }

    #[test]
    fn fractions_are_exact_and_round_half_up() {
        let third = Q::new(1, 3);
        assert_eq!(third + third + third, Q::int(1));
        assert_eq!(Q::new(2, -4), Q::new(-1, 2));
        assert_eq!(
            Q::new(29_111_115, 10_000_000).to_dec().to_string(),
            "2.9111"
        );
        assert_eq!(Q::new(5, 100_000).to_dec().to_string(), "0.0001");
        assert_eq!(Q::new(-5, 10).round(0), -1);
        assert_eq!(Q::new(91, 90).display(2), "1.01");
        assert!(Q::new(1, 3) < Q::new(34, 100));
        assert_eq!(Q::int(1).checked_div(Q::int(0)), None);
    }
}
