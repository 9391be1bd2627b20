//! Money as integer minor units with an ISO 4217 currency. Never a float.

use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency that Lango knows the minor unit of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    /// Kenyan shilling.
    Kes,
    /// US dollar.
    Usd,
    /// Euro.
    Eur,
    /// Pound sterling.
    Gbp,
    /// Ugandan shilling (no minor unit).
    Ugx,
    /// Tanzanian shilling.
    Tzs,
    /// Rwandan franc (no minor unit).
    Rwf,
    /// Malaysian ringgit.
    Myr,
}

impl Currency {
    /// Every supported currency, in a stable order.
    pub const ALL: [Currency; 8] = [
        Currency::Kes,
        Currency::Usd,
        Currency::Eur,
        Currency::Gbp,
        Currency::Ugx,
        Currency::Tzs,
        Currency::Rwf,
        Currency::Myr,
    ];

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Kes => "KES",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Ugx => "UGX",
            Currency::Tzs => "TZS",
            Currency::Rwf => "RWF",
            Currency::Myr => "MYR",
        }
    }

    /// Digits after the decimal point in the major unit.
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Ugx | Currency::Rwf => 0,
            _ => 2,
        }
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, MoneyError> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| MoneyError::UnknownCurrency(s.chars().take(8).collect()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a decimal string or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not plain digits with an optional decimal point.
    #[error("amount must be written as digits with an optional decimal point, e.g. 4550.00")]
    Malformed,
    /// More decimals than the currency has.
    #[error("amount has more than {0} decimal places")]
    TooPrecise(u32),
    /// Does not fit in 64-bit minor units.
    #[error("amount is too large")]
    TooLarge,
    /// Not a supported ISO 4217 code.
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
}

/// An exact, non-negative amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// Money from minor units (cents); negative amounts are allowed for ledger use.
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses a decimal string in major units exactly ("4550.00", "10", "200.5").
    ///
    /// Refuses signs, exponents, spaces, empty strings, excess decimals and overflow:
    /// these arrive from outside parties and a guess would move the wrong amount.
    pub fn parse_decimal(s: &str, currency: Currency) -> Result<Self, MoneyError> {
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole)
            || !digits(frac)
            || (s.contains('.') && frac.is_empty())
        {
            return Err(MoneyError::Malformed);
        }
        let exp = currency.exponent();
        let frac = frac.trim_end_matches('0');
        if frac.len() as u32 > exp {
            return Err(MoneyError::TooPrecise(exp));
        }
        let mut minor: i64 = 0;
        for b in whole.bytes() {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or(MoneyError::TooLarge)?;
        }
        let mut frac_value: i64 = 0;
        for i in 0..exp as usize {
            let d = frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            frac_value = frac_value * 10 + d;
        }
        let minor = minor
            .checked_mul(10_i64.pow(exp))
            .and_then(|m| m.checked_add(frac_value))
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money { minor, currency })
    }

    /// The amount in minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The amount as a decimal string in major units, with the currency's decimals.
    pub fn to_decimal(self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10_u64.pow(exp);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }

    /// The amount with thousands separators, as people read it ("KES 4,550.00").
    pub fn display(self) -> String {
        let decimal = self.to_decimal();
        let (whole, frac) = decimal.split_once('.').unwrap_or((&decimal, ""));
        let (sign, whole) = whole.strip_prefix('-').map_or(("", whole), |w| ("-", w));
        let mut grouped = String::new();
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let frac = if frac.is_empty() {
            String::new()
        } else {
            format!(".{frac}")
        };
        format!("{} {sign}{grouped}{frac}", self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_exact_amounts() {
        let kes = |s| Money::parse_decimal(s, Currency::Kes).map(Money::minor);
        assert_eq!(kes("4550.00"), Ok(455_000));
        assert_eq!(kes("10"), Ok(1000));
        assert_eq!(kes("200.5"), Ok(20050));
        assert_eq!(kes("0.01"), Ok(1));
        assert_eq!(kes("1.10"), Ok(110));
    }

    #[test]
    fn refuses_what_is_not_a_plain_amount() {
        for bad in [
            "", "1e3", "-5", "+5", " 100", "100 ", "10.", ".5", "1,000", "abc", "١٠",
        ] {
            assert_eq!(
                Money::parse_decimal(bad, Currency::Kes),
                Err(MoneyError::Malformed),
                "{bad:?}"
            );
        }
        assert_eq!(
            Money::parse_decimal("10.001", Currency::Kes),
            Err(MoneyError::TooPrecise(2))
        );
        assert_eq!(
            Money::parse_decimal("10.5", Currency::Ugx),
            Err(MoneyError::TooPrecise(0))
        );
        assert_eq!(
            Money::parse_decimal("99999999999999999999", Currency::Kes),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::parse_decimal("92233720368547758.08", Currency::Kes),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn formats_for_people_and_machines() {
        let m = Money::from_minor(455_000, Currency::Kes);
        assert_eq!(m.to_decimal(), "4550.00");
        assert_eq!(m.display(), "KES 4,550.00");
        assert_eq!(Money::from_minor(5, Currency::Usd).to_decimal(), "0.05");
        assert_eq!(
            Money::from_minor(1_234_567, Currency::Ugx).display(),
            "UGX 1,234,567"
        );
        assert_eq!(
            Money::from_minor(-150, Currency::Kes).display(),
            "KES -1.50"
        );
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in Currency::ALL {
            assert_eq!(c.code().parse::<Currency>(), Ok(c));
        }
        assert!("kes".parse::<Currency>().is_err());
    }

    proptest! {
        #[test]
        fn decimal_round_trips(minor in 0_i64..i64::MAX) {
            let m = Money::from_minor(minor, Currency::Kes);
            prop_assert_eq!(Money::parse_decimal(&m.to_decimal(), Currency::Kes), Ok(m));
        }

        #[test]
        fn any_string_is_parsed_or_refused_without_panic(s in ".{0,40}") {
            let _ = Money::parse_decimal(&s, Currency::Usd);
        }
    }
}
