//! A USSD screen and the one place its size is enforced: a phone shows at most
//! [`MAX_CHARS`] characters a screen (the `CON `/`END ` prefix included here, to be safe on
//! every gateway), and a longer one is cut by the network, often mid-word.

use super::Input;

/// Most characters in a whole reply, prefix included.
pub const MAX_CHARS: usize = 182;
/// Most characters of the text after the `CON `/`END ` prefix.
pub const MAX_TEXT: usize = MAX_CHARS - 4;

/// What the gateway shows next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The session goes on: the phone waits for the next input.
    Con(String),
    /// The session ends with this text.
    End(String),
}

impl Screen {
    /// The reply body as the gateway wants it: `CON …` or `END …`, never over [`MAX_CHARS`].
    pub fn body(&self) -> String {
        let (prefix, text) = match self {
            Screen::Con(t) => ("CON ", t),
            Screen::End(t) => ("END ", t),
        };
        format!("{prefix}{}", fit(text))
    }

    /// The text without its prefix.
    pub fn text(&self) -> &str {
        match self {
            Screen::Con(t) | Screen::End(t) => t,
        }
    }

    /// True when the session ends here.
    pub fn is_end(&self) -> bool {
        matches!(self, Screen::End(_))
    }
}

/// `text` cut to [`MAX_TEXT`] characters: whole lines while they fit, then an ellipsis.
/// Screens are built to fit; this is the safety net (logged, since it means a screen's
/// words or a name from the catalogue outgrew it).
pub fn fit(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_string();
    }
    tracing::warn!(chars = text.chars().count(), "USSD screen too long: cut");
    let mut out = String::new();
    for line in text.split('\n') {
        let sep = usize::from(!out.is_empty());
        if out.chars().count() + sep + line.chars().count() > MAX_TEXT - 1 {
            break;
        }
        if sep == 1 {
            out.push('\n');
        }
        out.push_str(line);
    }
    if out.is_empty() {
        out = text.chars().take(MAX_TEXT - 1).collect();
    }
    out.push('…');
    out
}

/// `s` cut to `max` characters (an ellipsis marks the cut): for names from the catalogue.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Where the inputs of a numbered list whose chosen item asks for a confirming input got to.
pub enum Pick<'a, 'i, T> {
    /// An item chosen and then confirmed.
    Confirmed {
        /// The item.
        item: &'a T,
        /// Where in `text` the input that chose it is.
        chosen_at: usize,
        /// The confirming input.
        confirm: &'i Input,
    },
    /// Still choosing or confirming.
    Open {
        /// The item chosen (and where in `text` the input that chose it is), awaiting its
        /// confirming input.
        chosen: Option<(&'a T, usize)>,
        /// The list's page (`98` turns it).
        page: usize,
        /// A word about the last input, which the screen could not take.
        word: Option<&'static str>,
    },
}

/// Walks `inputs` over a numbered list of `items` (`98` the next page, a number an item),
/// then an input `confirms` the item chosen; any other input then is answered `unconfirmed`.
pub fn pick<'a, 'i, T>(
    inputs: &'i [Input],
    items: &'a [T],
    confirms: impl Fn(&Input) -> bool,
    unconfirmed: &'static str,
    unlisted: &'static str,
) -> Pick<'a, 'i, T> {
    let mut chosen: Option<(&T, usize)> = None;
    let mut page = 0usize;
    let mut word: Option<&'static str> = None;
    for input in inputs {
        if let Some((item, chosen_at)) = chosen {
            if confirms(input) {
                return Pick::Confirmed {
                    item,
                    chosen_at,
                    confirm: input,
                };
            }
            word = Some(unconfirmed);
            continue;
        }
        if input.text == "98" {
            page += 1;
            continue;
        }
        match input
            .text
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| items.get(n))
        {
            Some(item) => {
                chosen = Some((item, input.at));
                word = None;
            }
            None => word = Some(unlisted),
        }
    }
    Pick::Open { chosen, page, word }
}

/// One page of a list: `head`, as many `items` from the `page`-th page on as fit with
/// `foot`, and `more` (the `98` line) when items remain. Items are never split across pages;
/// one too long for a page alone is clipped. Returns the text and whether the page shown is
/// the last (so `98` past the end stays on it).
pub fn list_page(
    head: &str,
    items: &[String],
    foot: &str,
    more: &str,
    page: usize,
) -> (String, bool) {
    let pages = paginate(head, items, foot, more);
    let last = pages.len() - 1;
    let shown = page.min(last);
    let (from, to) = pages[shown];
    let mut lines = vec![head.to_string()];
    let room = MAX_TEXT.saturating_sub(len_of(head) + 1 + len_of(foot) + 1 + len_of(more) + 1);
    lines.extend(items[from..to].iter().map(|i| clip(i, room)));
    if shown < last {
        lines.push(more.to_string());
    }
    lines.push(foot.to_string());
    (lines.join("\n"), shown == last)
}

fn len_of(s: &str) -> usize {
    s.chars().count()
}

/// The `(from, to)` item ranges of each page (at least one page, maybe empty).
fn paginate(head: &str, items: &[String], foot: &str, more: &str) -> Vec<(usize, usize)> {
    let mut pages = Vec::new();
    let mut from = 0;
    while from < items.len() {
        // Every page but the last carries the `98` line; reserve it, then see whether the
        // rest would all fit without it.
        let fixed = len_of(head) + 1 + len_of(foot);
        let mut used = fixed + 1 + len_of(more);
        let mut to = from;
        while to < items.len() && (to == from || used + 1 + len_of(&items[to]) <= MAX_TEXT) {
            used += 1 + len_of(&items[to]).min(MAX_TEXT);
            to += 1;
        }
        let rest: usize = items[to..].iter().map(|i| 1 + len_of(i)).sum();
        if to < items.len() && used - 1 - len_of(more) + rest <= MAX_TEXT {
            to = items.len();
        }
        pages.push((from, to));
        from = to;
    }
    if pages.is_empty() {
        pages.push((0, 0));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_line() {
        let text = (0..40)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let body = Screen::Con(text).body();
        assert!(body.chars().count() <= MAX_CHARS, "{body}");
        assert!(body.ends_with('…'));
        let one = "x".repeat(500);
        assert_eq!(Screen::End(one).body().chars().count(), MAX_CHARS);
    }

    #[test]
    fn lists_page_without_losing_or_repeating_items() {
        let items: Vec<String> = (0..23)
            .map(|i| format!("A{i:08} Being checked: nothing to do"))
            .collect();
        let mut seen = Vec::new();
        for page in 0..30 {
            let (text, last) = list_page("Your applications:", &items, "0 Back", "98 More", page);
            assert!(text.chars().count() <= MAX_TEXT, "{text}");
            let on: Vec<&String> = items.iter().filter(|i| text.contains(i.as_str())).collect();
            assert!(!on.is_empty());
            if !seen.contains(&on[0].clone()) {
                seen.extend(on.into_iter().cloned());
            }
            assert_eq!(text.contains("98 More"), !last);
            if last {
                break;
            }
        }
        assert_eq!(seen, items);
        let (empty, last) = list_page("None.", &[], "0 Back", "98 More", 3);
        assert_eq!((empty.as_str(), last), ("None.\n0 Back", true));
    }
}
