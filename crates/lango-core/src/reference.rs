//! The check-character scheme of every reference people read out or type: bills, applications
//! and correction requests. One scheme, so a rule about typos is written once.
//!
//! The alphabet has 29 symbols (digits 2–9 and letters without I, L, O, U, V), so each symbol
//! is a value below the prime 29. The check symbol makes Σ vᵢ·2^(n−i) ≡ 0 (mod 29) with the
//! check at weight 1. Every weight is non-zero mod 29, so any single wrong symbol changes the
//! sum; neighbouring weights differ (2 is a primitive root mod 29), so swapping two
//! different neighbours changes it too: every single typo and adjacent transposition is
//! caught. A kind's leading letter is part of the sum.

use rand::Rng;

/// The symbols, in value order: no look-alikes.
pub const ALPHABET: &[u8; 29] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
const P: u32 = 29;

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The weighted sum of `values` (last at weight 1), mod 29.
fn weighted(values: &[u32]) -> u32 {
    values.iter().fold(0, |acc, v| (acc * 2 + v) % P)
}

/// Why a typed reference was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Wrong number of symbols, or not the kind's leading letter.
    Length,
    /// A character that is never in a reference.
    Symbol,
    /// The check character does not match: a typo.
    Check,
}

/// A new random reference: `prefix` (symbols of the alphabet), `body` random symbols and the
/// check symbol.
pub fn generate(rng: &mut impl Rng, prefix: &str, body: usize) -> String {
    let mut values: Vec<u32> = prefix
        .bytes()
        .map(|c| value(c).expect("a prefix is made of reference symbols"))
        .collect();
    values.extend((0..body).map(|_| rng.gen_range(0..P)));
    values.push(0);
    let sum = weighted(&values);
    *values.last_mut().expect("check slot") = (P - sum) % P;
    values
        .iter()
        .map(|&v| ALPHABET[v as usize] as char)
        .collect()
}

/// Reads what a person typed as a reference of `len` symbols starting with `prefix`: case,
/// spaces and hyphens are forgiven; a typo is not. Answers the canonical form.
pub fn parse(typed: &str, prefix: &str, len: usize) -> Result<String, Fault> {
    let folded: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if folded.len() != len || !folded.starts_with(prefix.as_bytes()) {
        return Err(Fault::Length);
    }
    let values: Vec<u32> = folded
        .iter()
        .map(|&c| value(c).ok_or(Fault::Symbol))
        .collect::<Result<_, _>>()?;
    if weighted(&values) != 0 {
        return Err(Fault::Check);
    }
    Ok(String::from_utf8(folded).expect("ASCII"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in [b'0', b'1', b'I', b'L', b'O', b'U', b'V'] {
            assert!(value(c).is_none(), "{}", c as char);
        }
        assert_eq!(ALPHABET.len() as u32, P);
    }

    #[test]
    fn every_single_typo_and_neighbour_swap_is_caught_with_or_without_a_prefix() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for prefix in ["", "A", "C"] {
            for _ in 0..200 {
                let r = generate(&mut rng, prefix, 6);
                let len = r.len();
                assert_eq!(parse(&r.to_lowercase(), prefix, len), Ok(r.clone()));
                for pos in 0..len {
                    for &sym in ALPHABET {
                        let mut typo = r.clone().into_bytes();
                        if typo[pos] == sym {
                            continue;
                        }
                        typo[pos] = sym;
                        let typo = String::from_utf8(typo).unwrap();
                        assert!(parse(&typo, prefix, len).is_err(), "{r} → {typo}");
                    }
                    if pos + 1 < len && r.as_bytes()[pos] != r.as_bytes()[pos + 1] {
                        let mut swap = r.clone().into_bytes();
                        swap.swap(pos, pos + 1);
                        let swap = String::from_utf8(swap).unwrap();
                        assert!(parse(&swap, prefix, len).is_err(), "{r} → {swap}");
                    }
                }
            }
        }
        assert_eq!(parse("", "", 8), Err(Fault::Length));
        assert_eq!(parse("AB3D7KQI", "", 8), Err(Fault::Symbol));
    }
}
