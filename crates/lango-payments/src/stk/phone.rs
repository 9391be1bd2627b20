//! Kenyan mobile numbers as people type them, read into the form M-Pesa wants (`2547…`).

use std::fmt;

/// A Kenyan mobile number in international form without the plus: `2547XXXXXXXX` or
/// `2541XXXXXXXX` (the newer 01… range).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msisdn(String);

impl Msisdn {
    /// Reads `0712 345 678`, `+254 712 345 678`, `254712345678`, `712345678` or the same
    /// with `01…`; spaces, hyphens, dots and brackets are ignored. Anything else is `None`.
    pub fn parse(typed: &str) -> Option<Msisdn> {
        let t = typed.trim();
        let (plus, rest) = match t.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let mut digits = String::with_capacity(12);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return None,
            }
        }
        let national = match digits.len() {
            12 if digits.starts_with("254") => &digits[3..],
            10 if !plus && digits.starts_with('0') => &digits[1..],
            9 if !plus => &digits[..],
            _ => return None,
        };
        if !(national.starts_with('7') || national.starts_with('1')) {
            return None;
        }
        Some(Msisdn(format!("254{national}")))
    }

    /// `2547XXXXXXXX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as M-Pesa shows it in C2B callbacks, `2547*****678`: enough for a payer
    /// to recognise, not enough to call.
    pub fn masked(&self) -> String {
        format!("{}*****{}", &self.0[..4], &self.0[9..])
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Msisdn;
    use proptest::prelude::*;

    #[test]
    fn typed_forms() {
        for typed in [
            "0712345678",
            "0712 345 678",
            "+254712345678",
            "+254 712 345 678",
            "254712345678",
            "712345678",
            "(0712) 345-678",
        ] {
            assert_eq!(
                Msisdn::parse(typed).map(|m| m.0),
                Some("254712345678".to_string()),
                "{typed}"
            );
        }
        assert_eq!(
            Msisdn::parse("0110 123456").unwrap().as_str(),
            "254110123456"
        );
        assert_eq!(
            Msisdn::parse("0712345678").unwrap().masked(),
            "2547*****678"
        );
    }

    #[test]
    fn refused_forms() {
        for typed in [
            "",
            "0812345678",    // not a mobile range
            "071234567",     // too short
            "07123456789",   // too long
            "+0712345678",   // plus without the country code
            "+255712345678", // Tanzania
            "25471234567x",
            "0712\u{0}345678",
            "٠٧١٢٣٤٥٦٧٨", // digits of another script
            "+712345678",
        ] {
            assert_eq!(Msisdn::parse(typed), None, "{typed:?}");
        }
    }

    proptest! {
        #[test]
        fn every_national_number_reads_the_same_in_every_form(rest in "[71][0-9]{8}") {
            let want = format!("254{rest}");
            for typed in [
                format!("0{rest}"),
                format!("+254{rest}"),
                format!("254{rest}"),
                format!("+254 {} {} {}", &rest[..3], &rest[3..6], &rest[6..]),
                format!("0{}-{}", &rest[..3], &rest[3..]),
            ] {
                prop_assert_eq!(Msisdn::parse(&typed).map(|m| m.0), Some(want.clone()));
            }
        }

        #[test]
        fn a_parsed_number_is_always_twelve_digits(s in "\\PC{0,20}") {
            if let Some(m) = Msisdn::parse(&s) {
                prop_assert!(m.0.len() == 12 && m.0.bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(m.0.starts_with("2547") || m.0.starts_with("2541"));
                // Reading it again gives the same number.
                prop_assert_eq!(Msisdn::parse(&m.0), Some(m.clone()));
            }
        }
    }
}
