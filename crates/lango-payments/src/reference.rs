//! Bill references people type into a phone: short, case-insensitive, spaces and hyphens
//! ignored, no look-alike characters, and a check character.
//!
//! The alphabet has 29 symbols (digits 2–9 and letters without I, L, O, U, V), so each symbol
//! is a value below the prime 29. The check symbol makes Σ vᵢ·2^(n−i) ≡ 0 (mod 29) with the
//! check at weight 1. Every weight is non-zero mod 29, so any single wrong symbol changes the
//! sum; neighbouring weights differ (2 is a primitive root mod 29), so swapping two
//! different neighbours changes it too: every single typo and adjacent transposition is
//! caught.

use rand::Rng;
use std::fmt;

/// The symbols, in value order.
const ALPHABET: &[u8; 29] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
const P: u32 = 29;
/// Random symbols before the check symbol: 29⁷ ≈ 17 billion references.
pub const BODY_LEN: usize = 7;

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The weighted sum of `values` (last at weight 1), mod 29.
fn weighted(values: &[u32]) -> u32 {
    values.iter().fold(0, |acc, v| (acc * 2 + v) % P)
}

/// Why a typed reference was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// Wrong number of symbols.
    #[error("a bill reference has {} characters", BODY_LEN + 1)]
    Length,
    /// A character that is never in a reference.
    #[error("a bill reference has only digits 2–9 and letters other than I, L, O, U and V")]
    Symbol,
    /// The check character does not match: a typo.
    #[error("this reference has a typo: check it against the bill")]
    Check,
}

/// A bill reference that passed its check.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BillReference(String);

impl BillReference {
    /// A new random reference.
    pub fn generate(rng: &mut impl Rng) -> BillReference {
        let mut values: Vec<u32> = (0..BODY_LEN).map(|_| rng.gen_range(0..P)).collect();
        values.push(0);
        let sum = weighted(&values);
        *values.last_mut().expect("check slot") = (P - sum) % P;
        BillReference(
            values
                .iter()
                .map(|&v| ALPHABET[v as usize] as char)
                .collect(),
        )
    }

    /// Parses what a person typed: case, spaces and hyphens are forgiven; a typo is not.
    pub fn parse(typed: &str) -> Result<BillReference, ReferenceError> {
        let folded: Vec<u8> = typed
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if folded.len() != BODY_LEN + 1 {
            return Err(ReferenceError::Length);
        }
        let values: Vec<u32> = folded
            .iter()
            .map(|&c| value(c).ok_or(ReferenceError::Symbol))
            .collect::<Result<_, _>>()?;
        if weighted(&values) != 0 {
            return Err(ReferenceError::Check);
        }
        Ok(BillReference(String::from_utf8(folded).expect("ASCII")))
    }

    /// The canonical form, as stored and matched (`AB3D7KQ9`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shown to people in two groups: `AB3D-7KQ9`.
impl fmt::Display for BillReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..4], &self.0[4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn reference(seed: u64) -> BillReference {
        BillReference::generate(&mut rand::rngs::StdRng::seed_from_u64(seed))
    }

    #[test]
    fn typed_forms_are_forgiven() {
        let r = reference(1);
        let shown = r.to_string();
        assert_eq!(shown.len(), BODY_LEN + 2);
        for typed in [
            shown.clone(),
            shown.to_lowercase(),
            format!(" {} ", shown.replace('-', " ")),
            r.as_str().to_string(),
        ] {
            assert_eq!(BillReference::parse(&typed), Ok(r.clone()), "{typed:?}");
        }
        assert_eq!(BillReference::parse(""), Err(ReferenceError::Length));
        assert_eq!(BillReference::parse("AB3D7KQ"), Err(ReferenceError::Length));
        assert_eq!(
            BillReference::parse("0B3D7KQ9"),
            Err(ReferenceError::Symbol)
        );
        assert_eq!(
            BillReference::parse("AB3D7KQ9\u{e9}"),
            Err(ReferenceError::Length)
        );
    }

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in [b'0', b'1', b'I', b'L', b'O', b'U', b'V'] {
            assert!(value(c).is_none(), "{}", c as char);
        }
        assert_eq!(ALPHABET.len() as u32, P);
    }

    #[test]
    fn every_typo_and_swap_of_many_references_is_caught() {
        for seed in 0..300 {
            let r = reference(seed);
            let good = r.as_str().as_bytes().to_vec();
            for pos in 0..good.len() {
                for &sym in ALPHABET.iter().filter(|&&a| a != good[pos]) {
                    let mut bad = good.clone();
                    bad[pos] = sym;
                    assert_eq!(
                        BillReference::parse(std::str::from_utf8(&bad).unwrap()),
                        Err(ReferenceError::Check)
                    );
                }
                if pos + 1 < good.len() && good[pos] != good[pos + 1] {
                    let mut bad = good.clone();
                    bad.swap(pos, pos + 1);
                    assert_eq!(
                        BillReference::parse(std::str::from_utf8(&bad).unwrap()),
                        Err(ReferenceError::Check)
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn every_single_typo_is_caught(seed: u64, pos in 0..BODY_LEN + 1, sym in 0..29usize) {
            let r = reference(seed);
            let mut bytes = r.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != ALPHABET[sym]);
            bytes[pos] = ALPHABET[sym];
            let typed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(BillReference::parse(&typed), Err(ReferenceError::Check));
        }

        #[test]
        fn every_adjacent_swap_is_caught(seed: u64, pos in 0..BODY_LEN) {
            let r = reference(seed);
            let mut bytes = r.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let typed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(BillReference::parse(&typed), Err(ReferenceError::Check));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,30}") {
            let _ = BillReference::parse(&s);
        }
    }
}
