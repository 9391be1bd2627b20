//! Application references people quote on the phone or at a counter: `A` and eight
//! symbols, the last a check character (e.g. `A7K3M9QX2`).
//!
//! The scheme is the bill references' (see `lango_payments::reference`): 29 symbols without
//! look-alikes, and a check symbol making Σ vᵢ·2^(n−i) ≡ 0 (mod 29), which catches every
//! single wrong symbol and every swap of two neighbours. The leading `A` is part of the sum,
//! and an application reference has nine symbols where a bill's has eight, so one is never
//! taken for the other.

use rand::Rng;

const ALPHABET: &[u8; 29] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
const P: u32 = 29;
/// Random symbols between the `A` and the check symbol.
const BODY_LEN: usize = 7;
/// Symbols in a reference, the `A` and the check included.
pub const LEN: usize = BODY_LEN + 2;

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

fn weighted(values: &[u32]) -> u32 {
    values.iter().fold(0, |acc, v| (acc * 2 + v) % P)
}

/// A new random reference.
pub fn generate(rng: &mut impl Rng) -> String {
    let mut values = vec![value(b'A').expect("A is a symbol")];
    values.extend((0..BODY_LEN).map(|_| rng.gen_range(0..P)));
    values.push(0);
    let sum = weighted(&values);
    *values.last_mut().expect("check slot") = (P - sum) % P;
    values
        .iter()
        .map(|&v| ALPHABET[v as usize] as char)
        .collect()
}

/// Reads what a person typed: case, spaces and hyphens are forgiven; a typo is not.
pub fn parse(typed: &str) -> Option<String> {
    let folded: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if folded.len() != LEN || folded[0] != b'A' {
        return None;
    }
    let values: Vec<u32> = folded.iter().map(|&c| value(c)).collect::<Option<_>>()?;
    (weighted(&values) == 0).then(|| String::from_utf8(folded).expect("ASCII"))
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
            if typo[pos] != ALPHABET[sym] {
                typo[pos] = ALPHABET[sym];
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
