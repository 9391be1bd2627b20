//! The convenience fee a payer adds to a bill, from a banded table.
//!
//! The table is configuration, by default the country pack's: Kenya's
//! `200:5,300:10,500:15,700:20,1000:25,*:50` reads "below KSh 200 pay 5, below 300 pay 10, …,
//! 1,000 and above pay 50". Bills in any currency but the home one pay a flat fee of one
//! major unit (USD 1 for a USD bill).

use lango_core::money::{Currency, Money};

/// Why a fee table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeTableError {
    /// An item is not `below:fee` or `*:fee` with whole shillings.
    #[error("fee band {0:?} is not 'below:fee' (e.g. 200:5) or '*:fee'")]
    Item(String),
    /// Thresholds must rise.
    #[error("fee bands must be in rising order of their thresholds")]
    Order,
    /// The last band must be `*:fee`, so every amount has a fee.
    #[error("the last fee band must be '*:fee' (amounts above every threshold)")]
    NoCatchAll,
}

/// Fee bands for the home currency, thresholds and fees in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeTable {
    /// The currency the bands are in.
    home: Currency,
    /// (amounts below this, pay this); the last band has `i64::MAX`.
    bands: Vec<(i64, i64)>,
    /// The currencies bills may be in (every one Lango keeps unless narrowed).
    takes: Vec<Currency>,
}

impl FeeTable {
    /// Kenya's published bands (its country pack's).
    pub fn kenya() -> FeeTable {
        let ke = lango_core::country::Pack::named("ke").expect("built in");
        FeeTable::parse_in(&ke.convenience_fees, ke.currency)
            .expect("checked by the tests")
            .billing_in(&ke.bill_currencies)
    }

    /// The same bands, for bills in `currencies` only (the country's `bill_currencies`).
    pub fn billing_in(mut self, currencies: &[Currency]) -> FeeTable {
        self.takes = currencies.to_vec();
        self
    }

    /// Refuses a bill in `currency` unless bills here may be in it, naming those they may.
    pub fn check_currency(&self, currency: Currency) -> lango_core::Result<()> {
        if self.takes.contains(&currency) {
            return Ok(());
        }
        let codes: Vec<&str> = self.takes.iter().map(|c| c.code()).collect();
        Err(lango_core::Error::invalid(
            "currency",
            format!(
                "bills here are in {}; {} is not one of them",
                codes.join(", "),
                currency.code()
            ),
        ))
    }

    /// Parses `below:fee,…,*:fee` in whole units of `home`.
    pub fn parse_in(s: &str, home: Currency) -> Result<FeeTable, FeeTableError> {
        let unit = 10_i64.pow(home.exponent());
        let mut bands = Vec::new();
        let items: Vec<&str> = s.split(',').map(str::trim).collect();
        for (i, item) in items.iter().enumerate() {
            let bad = || FeeTableError::Item(item.to_string());
            let (below, fee) = item.split_once(':').ok_or_else(bad)?;
            let fee: i64 = fee.trim().parse().map_err(|_| bad())?;
            if fee < 0 {
                return Err(bad());
            }
            let below = match below.trim() {
                "*" if i + 1 == items.len() => i64::MAX,
                "*" => return Err(FeeTableError::Order),
                b => b
                    .parse::<i64>()
                    .map_err(|_| bad())?
                    .checked_mul(unit)
                    .ok_or_else(bad)?,
            };
            if bands.last().is_some_and(|(prev, _)| *prev >= below) {
                return Err(FeeTableError::Order);
            }
            bands.push((below, fee.checked_mul(unit).ok_or_else(bad)?));
        }
        if bands.last().map(|(b, _)| *b) != Some(i64::MAX) {
            return Err(FeeTableError::NoCatchAll);
        }
        Ok(FeeTable {
            home,
            bands,
            takes: Currency::ALL.to_vec(),
        })
    }

    /// The fee on a bill of `amount`, in the bill's currency.
    pub fn fee_for(&self, amount: Money) -> Money {
        let currency = amount.currency();
        if currency != self.home {
            return Money::from_minor(10_i64.pow(currency.exponent()), currency);
        }
        let fee = self
            .bands
            .iter()
            .find(|(below, _)| amount.minor() < *below)
            .map_or(0, |(_, fee)| *fee);
        Money::from_minor(fee, currency)
    }

    /// What a bill for `amount` will ask the payer for: the convenience fee and the whole
    /// sum (amount and fee), so a person sees the full amount before they send anything.
    pub fn payable(&self, amount: Money) -> (Money, Money) {
        let fee = self.fee_for(amount);
        let whole = Money::from_minor(
            amount.minor().saturating_add(fee.minor()),
            amount.currency(),
        );
        (fee, whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payable_adds_the_band_fee_to_the_amount() {
        let t = FeeTable::kenya();
        let (fee, whole) = t.payable(kes("4550"));
        assert_eq!((fee, whole), (kes("50"), kes("4600")));
        let (fee, whole) = t.payable(kes("150"));
        assert_eq!((fee, whole), (kes("5"), kes("155")));
    }

    fn kes(s: &str) -> Money {
        Money::parse_decimal(s, Currency::Kes).unwrap()
    }

    #[test]
    fn kenya_bands() {
        let t = FeeTable::kenya();
        for (amount, fee) in [
            ("0", 5),
            ("199.99", 5),
            ("200", 10),
            ("299.99", 10),
            ("300", 15),
            ("499", 15),
            ("500", 20),
            ("699.99", 20),
            ("700", 25),
            ("999.99", 25),
            ("1000", 50),
            ("4550.00", 50),
            ("99999999", 50),
        ] {
            assert_eq!(
                t.fee_for(kes(amount)),
                Money::from_minor(fee * 100, Currency::Kes),
                "{amount}"
            );
        }
        assert_eq!(
            t.fee_for(Money::parse_decimal("120", Currency::Usd).unwrap()),
            Money::from_minor(100, Currency::Usd)
        );
        assert_eq!(
            t.fee_for(Money::parse_decimal("120", Currency::Ugx).unwrap()),
            Money::from_minor(1, Currency::Ugx)
        );
    }

    #[test]
    fn bad_tables_are_refused() {
        assert_eq!(
            FeeTable::parse_in("200:5,100:10,*:50", Currency::Kes),
            Err(FeeTableError::Order)
        );
        assert_eq!(
            FeeTable::parse_in("200:5,300:10", Currency::Kes),
            Err(FeeTableError::NoCatchAll)
        );
        assert_eq!(
            FeeTable::parse_in("*:5,300:10", Currency::Kes),
            Err(FeeTableError::Order)
        );
        assert!(matches!(
            FeeTable::parse_in("200:-5,*:50", Currency::Kes),
            Err(FeeTableError::Item(_))
        ));
        assert!(matches!(
            FeeTable::parse_in("abc,*:50", Currency::Kes),
            Err(FeeTableError::Item(_))
        ));
        assert!(matches!(
            FeeTable::parse_in("", Currency::Kes),
            Err(FeeTableError::Item(_))
        ));
        assert_eq!(
            FeeTable::parse_in("*:0", Currency::Kes)
                .unwrap()
                .fee_for(Money::from_minor(1, Currency::Kes)),
            Money::from_minor(0, Currency::Kes)
        );
    }
}
