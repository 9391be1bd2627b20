//! The numbers people write that differ between countries: mobile numbers, and the national
//! identity number with its checks (Kenya's ID card, Malaysia's MyKad).

use serde::Deserialize;

/// How a country's mobile numbers are written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhonePlan {
    /// The E.164 country code, digits only (`254`).
    pub country_code: String,
    /// How many digits a mobile number has after the trunk `0` (Kenya 9; Malaysia 9 or 10).
    pub national_digits: Vec<usize>,
    /// What a mobile number's national digits begin with (Kenya `7` or `1`; Malaysia `1`).
    pub mobile_starts: Vec<String>,
    /// A number as people there write it, for hints and error messages (`0712 345 678`).
    pub example: String,
    /// How the national digits are grouped for reading, one pattern a length (`### ### ###`;
    /// `##-### ####` and `##-#### ####` in Malaysia): `#` a digit, anything else as written.
    pub groups: Vec<String>,
}

impl PhonePlan {
    /// A mobile number of this country in E.164 (`+254712345678`), from the ways people write
    /// it: `0712 345 678`, `712345678`, `254712345678`, `+254 712-345-678`.
    pub fn mobile(&self, raw: &str) -> Option<String> {
        let s: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = s.strip_prefix('+').unwrap_or(&s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let cc = self.country_code.as_str();
        let national = if s.starts_with('+') {
            digits.strip_prefix(cc)?
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest
        } else if let Some(rest) = digits
            .strip_prefix(cc)
            .filter(|r| self.national_digits.contains(&r.len()))
        {
            rest
        } else {
            digits
        };
        self.is_mobile(national).then(|| format!("+{cc}{national}"))
    }

    /// True when `national` (digits after the trunk `0`) is one of this country's mobiles.
    fn is_mobile(&self, national: &str) -> bool {
        self.national_digits.contains(&national.len())
            && national.bytes().all(|b| b.is_ascii_digit())
            && self.mobile_starts.iter().any(|p| national.starts_with(p))
    }

    /// True when E.164 digits (`254…`, no `+`) are this country's but of a length its
    /// numbers never have (a landline of the right length is a number of it).
    pub fn is_bad_home_length(&self, digits: &str) -> bool {
        digits
            .strip_prefix(self.country_code.as_str())
            .is_some_and(|national| !self.national_digits.contains(&national.len()))
    }

    /// An E.164 number of this country grouped for reading (`+254 712 345 678`); any other
    /// number as it is.
    pub fn display(&self, e164: &str) -> String {
        let home = e164
            .strip_prefix('+')
            .and_then(|d| d.strip_prefix(self.country_code.as_str()))
            .filter(|n| self.is_mobile(n));
        let pattern = home.and_then(|n| {
            self.groups
                .iter()
                .find(|g| g.chars().filter(|c| *c == '#').count() == n.len())
                .map(|g| (n, g))
        });
        match pattern {
            Some((n, g)) => {
                let mut digits = n.chars();
                let grouped: String = g
                    .chars()
                    .map(|c| match c {
                        '#' => digits.next().unwrap_or(c),
                        other => other,
                    })
                    .collect();
                format!("+{} {grouped}", self.country_code)
            }
            None => e164.to_string(),
        }
    }
}

/// How a country's national identity number is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdFormat {
    /// Kenya's ID card: 7 or 8 digits (older cards have fewer; the register accepts 5 to 9).
    Kenya,
    /// Malaysia's MyKad: 12 digits, `YYMMDD-PB-###G`: a birth date and a place-of-birth code.
    Mykad,
}

/// Why a national identity number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// Not the country's length or not digits.
    Shape,
    /// Its birth date is not a date, or is in the future.
    BirthDate,
    /// Its place-of-birth code is not one the register gives.
    BirthPlace,
}

impl IdProblem {
    /// The problem code forms and the API name (`id_number_invalid`…).
    pub fn code(self) -> &'static str {
        match self {
            IdProblem::Shape => "id_number_invalid",
            IdProblem::BirthDate => "id_number_birth_date",
            IdProblem::BirthPlace => "id_number_birth_place",
        }
    }
}

impl IdFormat {
    /// The number as stored (digits only), or why it cannot be one; `today` is the local
    /// date as (year, month, day), for a MyKad's birth date.
    pub fn parse(self, raw: &str, today: (i64, i64, i64)) -> Result<String, IdProblem> {
        let d: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !d.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdProblem::Shape);
        }
        match self {
            IdFormat::Kenya if (5..=9).contains(&d.len()) => Ok(d),
            IdFormat::Mykad if d.len() == 12 => {
                let n = |i: usize| d[i..i + 2].parse::<i64>().unwrap_or(-1);
                mykad_birth_date(n(0), n(2), n(4), today)?;
                if !mykad_birth_place(n(6)) {
                    return Err(IdProblem::BirthPlace);
                }
                Ok(d)
            }
            _ => Err(IdProblem::Shape),
        }
    }

    /// The number written the way the card shows it (`900101-14-5678` for a MyKad).
    pub fn display(self, stored: &str) -> String {
        match self {
            IdFormat::Mykad if stored.len() == 12 => {
                format!("{}-{}-{}", &stored[..6], &stored[6..8], &stored[8..])
            }
            _ => stored.to_string(),
        }
    }
}

/// Checks a MyKad's `YYMMDD`: a real date in the last hundred years, not after `today`.
fn mykad_birth_date(yy: i64, mm: i64, dd: i64, today: (i64, i64, i64)) -> Result<(), IdProblem> {
    let century = today.0 - today.0 % 100;
    // The card gives two digits of the year: a date after today is the last century's.
    let year = if (century + yy, mm, dd) > today {
        century - 100 + yy
    } else {
        century + yy
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match mm {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    };
    if (1..=days).contains(&dd) {
        Ok(())
    } else {
        Err(IdProblem::BirthDate)
    }
}

/// The National Registration Department's place-of-birth codes: the states (01–16 and again
/// 21–59), and the codes for those born abroad (60–68, 71–72, 74–79, 82–93, 98–99).
fn mykad_birth_place(code: i64) -> bool {
    matches!(code, 1..=16 | 21..=59 | 60..=68 | 71 | 72 | 74..=79 | 82..=93 | 98 | 99)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i64, i64, i64) = (2026, 12, 6);

    #[test]
    fn mykad_numbers_are_checked_for_their_date_and_place_of_birth() {
        let f = IdFormat::Mykad;
        assert_eq!(
            f.parse("900101-14-5678", TODAY).as_deref(),
            Ok("900101145678")
        );
        assert_eq!(
            f.parse("000229 10 1234", TODAY).as_deref(),
            Ok("000229101234")
        );
        assert_eq!(
            f.parse("261206-01-0001", TODAY).as_deref(),
            Ok("261206010001")
        );
        assert_eq!(f.display("900101145678"), "900101-14-5678");
        for (bad, why) in [
            ("901301-14-5678", IdProblem::BirthDate),
            ("900230-14-5678", IdProblem::BirthDate),
            ("010229-14-5678", IdProblem::BirthDate),
            ("900100-14-5678", IdProblem::BirthDate),
            ("900101-00-5678", IdProblem::BirthPlace),
            ("900101-17-5678", IdProblem::BirthPlace),
            ("900101-70-5678", IdProblem::BirthPlace),
            ("900101-14-567", IdProblem::Shape),
            ("90010114567X", IdProblem::Shape),
            ("12345678", IdProblem::Shape),
        ] {
            assert_eq!(f.parse(bad, TODAY), Err(why), "{bad}");
        }
        // Two-digit years after today are the last century's: 27 is 1927, 26-12-07 is 1926.
        assert!(f.parse("270101-14-0001", TODAY).is_ok());
        assert!(f.parse("261207-14-0001", TODAY).is_ok());
    }

    #[test]
    fn kenyan_ids_are_digits_of_their_length() {
        let f = IdFormat::Kenya;
        assert_eq!(f.parse("1234 5678", TODAY).as_deref(), Ok("12345678"));
        assert_eq!(f.parse("1234", TODAY), Err(IdProblem::Shape));
        assert_eq!(f.parse("12A45678", TODAY), Err(IdProblem::Shape));
    }

    fn plan(cc: &str, digits: &[usize], starts: &[&str], groups: &[&str]) -> PhonePlan {
        PhonePlan {
            country_code: cc.into(),
            national_digits: digits.to_vec(),
            mobile_starts: starts.iter().map(|s| s.to_string()).collect(),
            example: String::new(),
            groups: groups.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn mobile_numbers_are_read_the_ways_people_write_them() {
        let ke = plan("254", &[9], &["7", "1"], &["### ### ###"]);
        for raw in [
            "0712 345 678",
            "712345678",
            "254712345678",
            "+254 712-345-678",
        ] {
            assert_eq!(ke.mobile(raw).as_deref(), Some("+254712345678"), "{raw}");
        }
        for bad in ["0612345678", "+60123456789", "07123", "25471234567", ""] {
            assert_eq!(ke.mobile(bad), None, "{bad}");
        }
        assert_eq!(ke.display("+254712345678"), "+254 712 345 678");
        let my = plan("60", &[9, 10], &["1"], &["##-### ####", "##-#### ####"]);
        assert_eq!(my.mobile("012-345 6789").as_deref(), Some("+60123456789"));
        assert_eq!(my.mobile("011-1234 5678").as_deref(), Some("+601112345678"));
        assert_eq!(
            my.mobile("+60 12-345 6789").as_deref(),
            Some("+60123456789")
        );
        assert_eq!(my.mobile("03-2161 1234"), None, "a fixed line");
        assert_eq!(my.display("+601112345678"), "+60 11-1234 5678");
        assert_eq!(my.display("+60123456789"), "+60 12-345 6789");
        assert_eq!(my.display("+4420794600"), "+4420794600", "not Malaysian");
        assert!(my.is_bad_home_length("6032161"));
        assert!(!my.is_bad_home_length("60321611234"), "a landline");
        assert!(!my.is_bad_home_length("254712345678"));
    }
}
