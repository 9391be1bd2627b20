//! A light stemmer for Bahasa Melayu, so that a search for "pendaftaran" (registration)
//! finds "daftar" (register) and "berdaftar" (registered): Malay builds words by affixes
//! around a root (meN-/peN-/ber-/ter-/di-/ke-/se-/per- before it, -kan/-an/-i after it).
//! It strips one prefix and one suffix, keeping at least four letters of root, the way
//! light stemmers for Malay and Indonesian do; it is not a dictionary stemmer, so some roots
//! come out changed ("memandu" and "pemandu" both give "andu"), but every form of a word
//! gives the same stem, which is what search needs.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Prefixes, longest first; each with what replaces it (meny-/peny- drop an initial s).
const PREFIXES: [(&str, &str); 16] = [
    ("memper", ""),
    ("meng", ""),
    ("meny", "s"),
    ("mem", ""),
    ("men", ""),
    ("me", ""),
    ("peng", ""),
    ("peny", "s"),
    ("pem", ""),
    ("pen", ""),
    ("per", ""),
    ("ber", ""),
    ("ter", ""),
    ("di", ""),
    ("ke", ""),
    ("se", ""),
];

/// Suffixes, each with the least root it leaves: after a verb's prefix (di-, meN-, ber-,
/// ter-) `-kan` is tried first ("diluluskan"); otherwise `-an` is, as nouns take it
/// ("penyemakan" is semak + an, not sema + kan).
const VERB_SUFFIXES: [(&str, usize); 3] = [("kan", 4), ("an", 4), ("i", 5)];
const NOUN_SUFFIXES: [(&str, usize); 3] = [("an", 4), ("kan", 4), ("i", 5)];

/// The prefixes that make verbs.
const VERB_PREFIXES: [&str; 9] = [
    "memper", "meng", "meny", "mem", "men", "me", "ber", "ter", "di",
];

/// The stem of a lower-case Malay word.
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    stem_in_place(&mut w);
    w
}

/// Stems `w` where it is, allocating only when a prefix leaves a letter (meny- → s).
fn stem_in_place(w: &mut String) {
    let prefix = PREFIXES
        .iter()
        .find(|(p, with)| w.starts_with(p) && w.len() - p.len() + with.len() >= 4);
    if let Some((p, with)) = prefix {
        w.replace_range(..p.len(), with);
    }
    let suffixes = match prefix {
        Some((p, _)) if VERB_PREFIXES.contains(p) => &VERB_SUFFIXES,
        _ => &NOUN_SUFFIXES,
    };
    if let Some((suffix, _)) = suffixes
        .iter()
        .find(|(s, least)| w.ends_with(s) && w.len() - s.len() >= *least)
    {
        w.truncate(w.len() - suffix.len());
    }
}

/// The token filter: every token to its Malay stem.
#[derive(Clone)]
pub struct MalayStemmer;

impl TokenFilter for MalayStemmer {
    type Tokenizer<T: Tokenizer> = MalayStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MalayStemmerFilter<T> {
        MalayStemmerFilter(tokenizer)
    }
}

/// A tokenizer whose tokens are stemmed.
#[derive(Clone)]
pub struct MalayStemmerFilter<T>(T);

impl<T: Tokenizer> Tokenizer for MalayStemmerFilter<T> {
    type TokenStream<'a> = MalayStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MalayStemmerStream(self.0.token_stream(text))
    }
}

/// The stream of stemmed tokens.
pub struct MalayStemmerStream<S>(S);

impl<S: TokenStream> TokenStream for MalayStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        stem_in_place(&mut self.0.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn forms_of_a_word_share_its_stem() {
        for (forms, root) in [
            (
                &["daftar", "pendaftaran", "mendaftar", "berdaftar"][..],
                "daftar",
            ),
            (
                &["baharu", "pembaharuan", "membaharui", "memperbaharui"][..],
                "baharu",
            ),
            (
                &["bayar", "bayaran", "pembayaran", "membayar", "dibayar"][..],
                "bayar",
            ),
            (&["urus", "pengurusan", "mengurus"][..], "urus"),
            (&["semak", "menyemak", "penyemakan"][..], "semak"),
            (&["lahir", "kelahiran"][..], "lahir"),
            (&["niaga", "perniagaan", "berniaga"][..], "niaga"),
            (&["lulus", "kelulusan", "diluluskan"][..], "lulus"),
            (&["tindak", "tindakan", "bertindak"][..], "tindak"),
        ] {
            for form in forms {
                assert_eq!(stem(form), root, "{form}");
            }
        }
    }

    #[test]
    fn short_words_and_loanwords_are_left_alone() {
        for word in [
            "cukai", "pasport", "lesen", "kad", "semak", "diri", "tanah", "mykad",
        ] {
            assert_eq!(stem(word), word);
        }
    }
}
