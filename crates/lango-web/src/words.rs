//! The portal's words: one Fluent file per language (`words/en.ftl` and `words/sw.ftl` in
//! this crate), embedded in the binary. The `words_dir` setting may replace a language's file
//! at start-up, so a translator corrects or adds words without a programmer; a file that
//! does not parse, lacks a word, or uses a value no page gives is refused then, named.

mod table;

use crate::i18n::Lang;
use fluent_bundle::FluentValue;
use std::path::Path;
use std::sync::OnceLock;

pub use table::WordsError;

static TABLE: OnceLock<table::Table> = OnceLock::new();

/// Reads and checks the words, each language's file from `dir` where it has one; called once
/// at start-up, before any page is made (a later call with no folder changes nothing).
pub fn load(dir: Option<&Path>) -> Result<(), WordsError> {
    if dir.is_none() && TABLE.get().is_some() {
        return Ok(());
    }
    let read = table::Table::read(dir)?;
    match (TABLE.set(read), dir) {
        // Nodes opening at once in one process (the tests) race here: the built-in words
        // are the same whoever wins.
        (Ok(()), _) | (Err(_), None) => Ok(()),
        (Err(_), Some(_)) => Err(WordsError::AlreadyLoaded),
    }
}

/// Checks the words as `load` would, without putting them in use: the number of keys.
pub fn check(dir: Option<&Path>) -> Result<usize, WordsError> {
    table::Table::read(dir).map(|t| t.keys().count())
}

fn table() -> &'static table::Table {
    TABLE.get_or_init(|| match table::Table::read(None) {
        Ok(t) => t,
        // The embedded files are checked by this crate's tests; a failure here is a build
        // that skipped them, and no page could be made.
        Err(e) => panic!("the embedded words are broken: {e}"),
    })
}

/// The words for `key` in `lang`; an unknown key shows "?", so a gap is visible, not blank.
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match table().text(lang, key) {
        Some(text) => text,
        None => {
            tracing::warn!(key, "no words for key");
            "?"
        }
    }
}

/// The words for `key` in `lang` with the page's values filled in (the first is `$v1`, the
/// next `$v2`…); a number chooses the plural form and is written the language's way.
pub fn tr_with<'a>(
    lang: Lang,
    key: &str,
    values: impl IntoIterator<Item = FluentValue<'a>>,
) -> String {
    match table().format(lang, key, values) {
        Some(text) => text,
        None => {
            tracing::warn!(key, "no words for key");
            "?".to_string()
        }
    }
}

/// True when `key` has words (for the hint of an optional field).
pub fn has(key: &str) -> bool {
    table().text(Lang::En, key).is_some()
}

/// Every key with its English and its Kiswahili words (values not filled in), in the files'
/// order: for checks that a page in one language shows none of the other's words.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    let t = table();
    t.keys().map(move |k| {
        let text = |lang| t.text(lang, k).unwrap_or_default();
        (k, text(Lang::En), text(Lang::Sw))
    })
}

#[cfg(test)]
mod tests;
