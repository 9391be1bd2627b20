//! Where a person may be sent back to: a path on this site, never anywhere else.
//!
//! Every `next` parameter (sign-in, second factor, language switch) is parsed here, so an
//! open redirect cannot slip in through one handler's own idea of "local". Browsers forgive
//! a lot (`/\evil`, `/<TAB>/evil` and `//evil` all leave the site), so the rule is strict:
//! one leading `/`, then printable ASCII only, no second `/` at the start, no backslash.

/// The longest path kept; a longer one is not a link a page of ours made.
const MAX_LEN: usize = 2048;

/// A path on this site (`/account?tab=1`), safe to put in a `Location` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    /// Parses a path as sent; `None` for anything that could lead off the site.
    pub fn parse(raw: &str) -> Option<LocalPath> {
        let b = raw.as_bytes();
        let ok = b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/' | b'\\'))
            && b.len() <= MAX_LEN
            // Printable ASCII only: no control character a browser would strip (turning
            // `/\t/evil` into `//evil`), no space, nothing a header cannot carry.
            && b.iter().all(|c| (0x21..=0x7e).contains(c) && *c != b'\\');
        ok.then(|| LocalPath(raw.to_string()))
    }

    /// Parses `raw` when given, else `fallback` (which must itself be local).
    pub fn or(raw: Option<&str>, fallback: &'static str) -> LocalPath {
        raw.and_then(LocalPath::parse)
            .unwrap_or_else(|| LocalPath(fallback.to_string()))
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocalPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_local_paths() {
        for ok in [
            "/",
            "/account",
            "/services?q=pasport&page=2",
            "/a/b#c",
            "/%2F%2Fx",
        ] {
            assert_eq!(LocalPath::parse(ok).map(|p| p.0), Some(ok.to_string()));
        }
    }

    #[test]
    fn refuses_everything_that_leaves_the_site() {
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/\u{7f}",
            "/caf\u{e9}",
            "https://evil.example/",
            "javascript:alert(1)",
            " /account",
            "/a\\b",
        ] {
            assert_eq!(LocalPath::parse(bad), None, "{bad:?}");
        }
        assert_eq!(LocalPath::parse(&format!("/{}", "a".repeat(MAX_LEN))), None);
        assert_eq!(LocalPath::or(Some("//x"), "/account").as_str(), "/account");
    }
}
