//! Menu 6: English ↔ the country's own language (Kiswahili, Bahasa Melayu), remembered for
//! the phone. The switch is an action of the session's step, so a repeated request does not
//! switch back; the home screen follows in the new language, and inputs after `6` go on
//! from there.

use super::home::{self, other_language, Menu};
use super::{actions, words, Answer, Input, Screen, Session};
use crate::prefs::{self, Lang};

/// The language option.
pub const MENU: Menu = Menu {
    key: "6",
    label: other_language,
    run,
};

fn run<'a>(s: &'a Session<'a>, rest: &'a [Input]) -> Answer<'a> {
    Box::pin(answer(s, rest))
}

async fn answer(s: &Session<'_>, rest: &[Input]) -> lango_core::Result<Screen> {
    let db = &s.ussd.db;
    let wanted = s.lang.other();
    let action = format!("lang:{}", s.chosen_at);
    let now = match actions::record_once(db, s.id, &action, s.phone, wanted.code()).await? {
        None => {
            prefs::set_lang(db, s.phone, wanted).await?;
            wanted
        }
        // Switched by an earlier copy of this request: the same language, not a second switch.
        Some(code) => Lang::of(&code),
    };
    let switched = Session { lang: now, ..*s };
    if rest.is_empty() {
        return Ok(home::screen(now, words::language_now(now)));
    }
    home::answer(&switched, rest).await
}
