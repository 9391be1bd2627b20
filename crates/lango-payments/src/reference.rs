//! Bill references people type into a phone: short, case-insensitive, spaces and hyphens
//! ignored, no look-alike characters, and a check character that catches every single typo
//! and swap of neighbours (the scheme every reference shares: `lango_core::reference`).

use lango_core::reference::{self, Fault};
use rand::Rng;
use std::fmt;

/// Random symbols before the check symbol: 29⁷ ≈ 17 billion references.
pub const BODY_LEN: usize = 7;

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
        BillReference(reference::generate(rng, "", BODY_LEN))
    }

    /// Parses what a person typed: case, spaces and hyphens are forgiven; a typo is not.
    pub fn parse(typed: &str) -> Result<BillReference, ReferenceError> {
        reference::parse(typed, "", BODY_LEN + 1)
            .map(BillReference)
            .map_err(|fault| match fault {
                Fault::Length => ReferenceError::Length,
                Fault::Symbol => ReferenceError::Symbol,
                Fault::Check => ReferenceError::Check,
            })
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

    proptest! {
        #[test]
        fn every_single_typo_is_caught(seed: u64, pos in 0..BODY_LEN + 1, sym in 0..29usize) {
            let r = reference(seed);
            let mut bytes = r.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != reference::ALPHABET[sym]);
            bytes[pos] = reference::ALPHABET[sym];
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
