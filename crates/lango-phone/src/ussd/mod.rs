//! The USSD session engine, for Africa's Talking's gateway: each request carries the
//! session's id, the phone and `text`, every input so far joined by `*`. The screen is a
//! function of the phone, its language and those inputs, so a repeated or out-of-order
//! request answers the same screen; what changes something (a payment request, the
//! language) is recorded per session and step in `ussd_actions` and never done twice.
//!
//! Navigation, before any menu sees the inputs: `00` anywhere goes home (what came before
//! is dropped), `0` goes back one step (drops the input before it), `98` is the next page
//! of a long list. An input a screen cannot take is dropped with a word of why, so the
//! person types again on the same screen.
//!
//! Adding a menu is one module with a [`Menu`] constant, named in [`home::MENUS`].

pub mod actions;
mod appointments;
pub mod home;
mod language;
mod pay;
mod rate;
pub mod screen;
mod status;
mod stops;
mod ticket;
pub mod words;
mod words_centres;

pub use home::Menu;
pub use screen::Screen;

use crate::prefs::{self, Lang};
use lango_cases::Cases;
use lango_catalogue::Catalogue;
use lango_core::db::Db;
use lango_payments::stk::{Msisdn, Prompter};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Most characters of `text` a session may carry; an honest session is far shorter, and a
/// longer one is answered with a screen saying so rather than read.
pub const MAX_TEXT_CHARS: usize = 400;
/// Most inputs in one session.
pub const MAX_INPUTS: usize = 40;

/// What the menus reach: the node's rooms.
#[derive(Clone)]
pub struct Ussd {
    /// The database.
    pub db: Db,
    /// Applications and their definitions (menu 1).
    pub cases: Cases,
    /// Service names.
    pub catalogue: Arc<Catalogue>,
    /// Where M-Pesa Express prompts start (menu 2), shared with the payment page.
    pub prompter: Prompter,
    /// The paybill number, for bills a prompt cannot take.
    pub paybill: String,
    /// Centres, appointments and queue tickets (menus 3 and 4, and tickets' ratings).
    pub centres: lango_centres::Centres,
    /// Applications' satisfaction surveys (menu 5).
    pub insights: lango_insights::Insights,
    /// Where each session's screens are counted for the drop-off figures.
    pub steps: crate::figures::Steps,
}

/// A request as the gateway sent it; a field it left out is `None`.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `sessionId`.
    pub session_id: Option<String>,
    /// `phoneNumber`, as the network gives it (`+2547…`).
    pub phone: Option<String>,
    /// `text`: the inputs so far, joined by `*` (empty at first).
    pub text: Option<String>,
}

/// One input of the session, with its place in `text` (which keys its actions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Its index among the `*`-separated parts of `text`.
    pub at: usize,
    /// What was typed, trimmed.
    pub text: String,
}

/// One request's view of the session, as the menus see it.
#[derive(Clone, Copy)]
pub struct Session<'a> {
    /// The node's rooms.
    pub ussd: &'a Ussd,
    /// The gateway's session id.
    pub id: &'a str,
    /// The phone, in E.164 (`+2547…`).
    pub phone: &'a str,
    /// The language the screens are in.
    pub lang: Lang,
    /// Where in `text` the input that chose the current menu is.
    pub chosen_at: usize,
}

/// A menu's answer, boxed so that menus can be listed together and call home again.
pub type Answer<'a> = Pin<Box<dyn Future<Output = lango_core::Result<Screen>> + Send + 'a>>;

/// The inputs after navigation: `00` clears, `0` drops the input before it.
pub fn path(text: &str) -> Vec<Input> {
    let mut out: Vec<Input> = Vec::new();
    if text.is_empty() {
        return out;
    }
    for (at, raw) in text.split('*').enumerate() {
        match raw.trim() {
            "00" => out.clear(),
            "0" => {
                out.pop();
            }
            t => out.push(Input {
                at,
                text: t.to_string(),
            }),
        }
    }
    out
}

/// The phone as E.164: a Kenyan mobile number read as M-Pesa reads it, else `+` and 8 to 15
/// digits as the network gave it; anything else is not a phone.
pub fn phone_of(raw: &str) -> Option<String> {
    if let Some(m) = Msisdn::parse(raw) {
        return Some(format!("+{}", m.as_str()));
    }
    let digits = raw.trim().strip_prefix('+')?;
    ((8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("+{digits}"))
}

/// Answers one request of a session. Never fails: what cannot be read or done gets a
/// screen that says so.
pub async fn answer(ussd: &Ussd, req: &Request) -> Screen {
    let readable = |s: &Option<String>| {
        s.as_deref()
            .filter(|v| !v.is_empty() && v.len() <= 128 && !v.chars().any(char::is_control))
            .map(str::to_string)
    };
    let (Some(id), Some(phone)) = (
        readable(&req.session_id),
        readable(&req.phone).and_then(|p| phone_of(&p)),
    ) else {
        return Screen::End(words::unreadable(Lang::En).into());
    };
    let lang = match prefs::lang(&ussd.db, &phone).await {
        Ok(lang) => lang,
        Err(e) => {
            tracing::error!(error = %e, "USSD: the phone's language could not be read");
            return Screen::End(words::failed(Lang::En).into());
        }
    };
    let text = req.text.as_deref().unwrap_or("");
    // Measured before it is split: a body of tens of kilobytes is never cut into parts.
    if text.chars().count() > MAX_TEXT_CHARS {
        return Screen::End(words::too_long(lang).into());
    }
    let inputs = path(text);
    if inputs.len() > MAX_INPUTS {
        return Screen::End(words::too_long(lang).into());
    }
    let session = Session {
        ussd,
        id: &id,
        phone: &phone,
        lang,
        chosen_at: 0,
    };
    let screen = match home::answer(&session, &inputs).await {
        Ok(screen) => screen,
        Err(e) => {
            tracing::error!(error = %e, "USSD step failed");
            Screen::End(words::failed(lang).into())
        }
    };
    ussd.steps
        .seen(&id, crate::figures::step_of(&inputs), screen.is_end());
    screen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<String> {
        path(t).into_iter().map(|i| i.text).collect()
    }

    #[test]
    fn navigation_is_applied_before_the_menus() {
        assert!(texts("").is_empty());
        assert_eq!(texts("1"), ["1"]);
        assert_eq!(texts("2*ABCD2345*0"), ["2"]);
        assert_eq!(texts("2*0"), Vec::<String>::new());
        assert_eq!(texts("0*0*1"), ["1"]);
        assert_eq!(texts("1*98*00*2* x "), ["2", "x"]);
        assert_eq!(texts("1**"), ["1", "", ""]);
        let at: Vec<usize> = path("6*0*6*1").into_iter().map(|i| i.at).collect();
        assert_eq!(at, [2, 3], "an input keeps its place in text");
    }

    #[test]
    fn phones_read_as_e164() {
        assert_eq!(phone_of("+254712345678").as_deref(), Some("+254712345678"));
        assert_eq!(phone_of("0712345678").as_deref(), Some("+254712345678"));
        assert_eq!(phone_of("+60123456789").as_deref(), Some("+60123456789"));
        for bad in [
            "",
            "abc",
            "+",
            "+12",
            "+2547123456789012",
            "+2547\u{202e}12345678",
        ] {
            assert_eq!(phone_of(bad), None, "{bad:?}");
        }
    }
}

/// Every screen the words make, in every language, with the longest values they carry,
/// fits without the safety net cutting it.
#[cfg(test)]
mod fits {
    use super::screen::{clip, MAX_TEXT};
    use super::words::{self, Awaited};
    use super::{home, Lang};

    #[test]
    fn every_screen_fits_in_both_languages() {
        let service = clip(&"Apply for a very long named service ".repeat(4), 60);
        let money = "KES 250,000.00";
        let bill = "ABCD-2345";
        for lang in [Lang::En, Lang::Sw, Lang::Ms] {
            let back = words::back(lang);
            let mut screens: Vec<String> = vec![
                home::screen(lang, words::home_title(lang)).text().into(),
                home::screen(lang, words::choose_listed(lang)).text().into(),
                home::screen(lang, words::language_now(lang)).text().into(),
                words::unreadable(lang).into(),
                words::too_long(lang).into(),
                words::failed(lang).into(),
                format!("{}\n{}\n{back}", words::typo(lang), words::ask_bill(lang)),
                format!(
                    "{}\n{}\n{back}",
                    words::bill_not_ref(lang),
                    words::ask_bill(lang)
                ),
                format!(
                    "{}\n{}\n{back}",
                    words::bill_unknown(lang, "ABCD2345"),
                    words::ask_bill(lang)
                ),
                format!(
                    "{}\n{}\n{back}",
                    words::choose_pay(lang),
                    words::bill(lang, bill, &service, money)
                ),
                {
                    // As `pay` shows it: the bill without its `1` line, then the paybill.
                    let full = words::bill(lang, bill, &service, money);
                    let shown = full.rsplit_once('\n').unwrap().0.to_string();
                    format!(
                        "{shown}\n{}",
                        words::paybill(lang, "ABCD2345", money, "2222222")
                    )
                },
                words::prompt_sent(lang, money),
                words::prompt_pending(lang).into(),
                words::prompt_later(lang).into(),
                format!(
                    "{}\n{}\n{back}",
                    words::app_unknown(lang, "A7K3M9QX2"),
                    words::type_app_ref(lang)
                ),
                format!(
                    "{}\n{}\n{back}",
                    words::app_not_ref(lang),
                    words::type_app_ref(lang)
                ),
            ];
            for status in ["paid", "cancelled", "expired", "open"] {
                screens.push(words::bill_closed(lang, bill, status));
            }
            for a in [
                Awaited::Nothing,
                Awaited::Pay(bill.into()),
                Awaited::Reply,
                Awaited::Book,
                Awaited::Finish,
            ] {
                screens.push(format!(
                    "A7K3M9QX2\n{service}\n{}: {}\n{}",
                    words::status_word(lang),
                    "A state label of forty characters long..",
                    words::awaited(lang, &a)
                ));
            }
            for s in screens {
                assert!(
                    s.chars().count() <= MAX_TEXT,
                    "{lang:?}: {} characters: {s}",
                    s.chars().count()
                );
            }
        }
    }
}
