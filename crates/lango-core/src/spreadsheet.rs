//! Text bound for a spreadsheet. A cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is run as a formula by Excel and LibreOffice (CSV injection), so every CSV
//! Lango writes passes text from outside (payers, agencies, people) through [`cell`].

use std::borrow::Cow;

/// `s` as a spreadsheet shows it and never runs it: after an apostrophe when it would start a
/// formula.
pub fn cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A cell read back from a file Lango wrote: the apostrophe [`cell`] put before a formula
/// is taken off again, so an export imports as it was.
pub fn uncell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::{cell, uncell};

    #[test]
    fn formulas_are_defused_and_plain_text_kept() {
        for formula in ["=HYPERLINK(1)", "+1", "-5", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(cell(formula), format!("'{formula}"));
        }
        assert_eq!(cell("ABCD 2345"), "ABCD 2345");
        for text in ["=HYPERLINK(1)", "-5", "plain", "'quoted", ""] {
            assert_eq!(uncell(&cell(text)), text);
        }
        assert_eq!(cell(""), "");
    }
}
