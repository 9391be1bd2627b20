//! Application references people quote on the phone or at a counter: `A` and eight
//! symbols, the last a check character (e.g. `A7K3M9QX2`), by the scheme every reference
//! shares (`lango_core::reference`). The leading `A` is part of the sum, and an application
//! reference has nine symbols where a bill's has eight, so one is never taken for the other.

use lango_core::reference;
use rand::Rng;

/// Random symbols between the `A` and the check symbol.
const BODY_LEN: usize = 7;
/// Symbols in a reference, the `A` and the check included.
pub const LEN: usize = BODY_LEN + 2;

/// A new random reference.
pub fn generate(rng: &mut impl Rng) -> String {
    reference::generate(rng, "A", BODY_LEN)
}

/// Reads what a person typed: case, spaces and hyphens are forgiven; a typo is not.
pub fn parse(typed: &str) -> Option<String> {
    reference::parse(typed, "A", LEN).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_references_parse_and_forgive_case_and_hyphens() {
        let mut rng = rand::thread_rng();
        for _ in 0..1000 {
            let r = generate(&mut rng);
            assert_eq!(r.len(), LEN);
            assert!(r.starts_with('A'));
            assert_eq!(parse(&r).as_deref(), Some(r.as_str()));
            let typed = format!("{}-{} {}", &r[..3], &r[3..6], &r[6..]).to_lowercase();
            assert_eq!(parse(&typed).as_deref(), Some(r.as_str()));
        }
        assert_eq!(parse("AB2C"), None);
        assert_eq!(parse(""), None);
    }

    proptest! {
        #[test]
        fn every_single_typo_and_adjacent_swap_is_caught(seed in any::<u64>(), pos in 0usize..LEN, sym in 0usize..29) {
            use rand::SeedableRng;
            let r = generate(&mut rand::rngs::StdRng::seed_from_u64(seed));
            let mut typo = r.clone().into_bytes();
            if typo[pos] != reference::ALPHABET[sym] {
                typo[pos] = reference::ALPHABET[sym];
                prop_assert_eq!(parse(std::str::from_utf8(&typo).unwrap()), None);
            }
            if pos + 1 < LEN && r.as_bytes()[pos] != r.as_bytes()[pos + 1] {
                let mut swapped = r.clone().into_bytes();
                swapped.swap(pos, pos + 1);
                prop_assert_eq!(parse(std::str::from_utf8(&swapped).unwrap()), None);
            }
        }
    }
}
