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

/// Suffixes, each with the least root it leaves.
const SUFFIXES: [(&str, usize); 3] = [("kan", 4), ("an", 4), ("i", 5)];

/// The stem of a lower-case Malay word.
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    if let Some((prefix, with)) = PREFIXES
        .iter()
        .find(|(p, with)| w.starts_with(p) && w.len() - p.len() + with.len() >= 4)
    {
        w = format!("{with}{}", &w[prefix.len()..]);
    }
    if let Some((suffix, _)) = SUFFIXES
        .iter()
        .find(|(s, least)| w.ends_with(s) && w.len() - s.len() >= *least)
    {
        w.truncate(w.len() - suffix.len());
    }
    w
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
        let token = self.0.token_mut();
        token.text = stem(&token.text);
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
