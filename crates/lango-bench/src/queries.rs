//! A realistic search mix: distinct queries drawn from the catalogue's own words, sampled
//! with a Zipf-like skew as real search traffic is.

use lango_catalogue::{Service, Stage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// One edit of the kind people make: swap, drop, double or replace a letter.
fn typo(word: &str, rng: &mut StdRng) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() < 4 {
        return word.to_string();
    }
    let i = rng.gen_range(1..c.len() - 1);
    match rng.gen_range(0..4) {
        0 => c.swap(i, i + 1),
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, c[i]),
        _ => c[i] = (b'a' + rng.gen_range(0..26)) as char,
    }
    c.into_iter().collect()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// At least `distinct` different query paths, then `count` of them drawn with Zipf skew.
pub fn search_mix(
    services: &[Service],
    distinct: usize,
    count: usize,
    seed: u64,
) -> (usize, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut set = BTreeSet::new();
    let mut ordered = Vec::new();
    let stages = [Stage::EndToEnd, Stage::Partial, Stage::Information];
    while ordered.len() < distinct {
        let s = &services[rng.gen_range(0..services.len())];
        let en = words(&s.name);
        let sw = words(&s.name_sw);
        if en.is_empty() || sw.is_empty() {
            continue;
        }
        let pick = |v: &Vec<String>, rng: &mut StdRng| v[rng.gen_range(0..v.len())].clone();
        let mut q = match rng.gen_range(0..10) {
            0..=2 => pick(&en, &mut rng),
            3 => {
                let w = pick(&en, &mut rng);
                let n = rng.gen_range(3..=w.len().clamp(3, 6));
                w.chars().take(n).collect()
            }
            4..=5 => {
                let start = rng.gen_range(0..en.len());
                en[start..(start + rng.gen_range(2..=3)).min(en.len())].join(" ")
            }
            6..=7 => {
                let start = rng.gen_range(0..sw.len());
                sw[start..(start + rng.gen_range(1..=2)).min(sw.len())].join(" ")
            }
            _ => pick(&en, &mut rng),
        };
        if rng.gen_bool(0.2) {
            let parts: Vec<String> = q.split(' ').map(|w| typo(w, &mut rng)).collect();
            q = parts.join(" ");
        }
        let mut path = format!("/api/v1/services?q={}", encode(&q));
        if rng.gen_bool(0.15) {
            if rng.gen_bool(0.5) {
                path.push_str(&format!("&agency={}", s.agency_code));
            } else {
                path.push_str(&format!(
                    "&stage={}",
                    stages[rng.gen_range(0..stages.len())].as_str()
                ));
            }
        }
        if set.insert(path.clone()) {
            ordered.push(path);
        }
    }
    // Zipf-like: the query of rank r is asked in proportion to 1 / r.
    let weights: Vec<f64> = (1..=ordered.len()).map(|r| 1.0 / r as f64).collect();
    let total: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut acc = 0.0;
    for w in &weights {
        acc += w / total;
        cumulative.push(acc);
    }
    let draws = (0..count)
        .map(|_| {
            let x: f64 = rng.gen();
            let i = cumulative
                .partition_point(|c| *c < x)
                .min(ordered.len() - 1);
            ordered[i].clone()
        })
        .collect();
    (ordered.len(), draws)
}
