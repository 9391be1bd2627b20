//! The first screen and the menus it offers. The numbers are fixed (the contract in
//! DESIGN.md): `1` application status, `2` pay a bill, `3` appointments, `4` my queue
//! ticket, `5` rate a service, `6` language; then `7` mobile centres' next stops.

use super::words;
use super::{
    appointments, language, pay, rate, status, stops, ticket, Answer, Input, Screen, Session,
};
use crate::prefs::Lang;

/// One option of the home screen.
pub struct Menu {
    /// The number that chooses it.
    pub key: &'static str,
    /// Its line on the home screen (after the number).
    pub label: fn(Lang) -> &'static str,
    /// Its screens: given the session (whose `chosen_at` is this menu's input) and the
    /// inputs after the menu's number, already past navigation.
    pub run: for<'a> fn(&'a Session<'a>, &'a [Input]) -> Answer<'a>,
}

/// The home screen's options, in order. A new menu replaces its placeholder here.
pub static MENUS: [Menu; 7] = [
    status::MENU,
    pay::MENU,
    appointments::MENU,
    ticket::MENU,
    rate::MENU,
    language::MENU,
    stops::MENU,
];

/// The menu the inputs choose (the first input that names one), that input, and the
/// inputs after it.
pub fn chosen(inputs: &[Input]) -> Option<(&'static Menu, &Input, &[Input])> {
    inputs.iter().enumerate().find_map(|(i, input)| {
        MENUS
            .iter()
            .find(|m| m.key == input.text)
            .map(|m| (m, input, &inputs[i + 1..]))
    })
}

/// The home screen under `head` (the title, or a word about the last input).
pub fn screen(lang: Lang, head: &str) -> Screen {
    let mut text = head.to_string();
    for m in &MENUS {
        text.push('\n');
        text.push_str(m.key);
        text.push(' ');
        text.push_str((m.label)(lang));
    }
    Screen::Con(text)
}

/// The screen for `inputs` from home: the chosen menu's, or home itself. An input that
/// chooses nothing is dropped (the home screen says so unless another input follows).
pub async fn answer(s: &Session<'_>, inputs: &[Input]) -> lango_core::Result<Screen> {
    if let Some((menu, first, tail)) = chosen(inputs) {
        let chosen = Session {
            chosen_at: first.at,
            ..*s
        };
        return (menu.run)(&chosen, tail).await;
    }
    // Every input so far chose nothing.
    let head = if !inputs.is_empty() {
        words::choose_listed(s.lang)
    } else {
        words::home_title(s.lang)
    };
    Ok(screen(s.lang, head))
}

/// The label of the language option: the language it switches to, in that language.
pub(super) fn other_language(lang: Lang) -> &'static str {
    match lang.other() {
        Lang::En => "English",
        Lang::Sw => "Kiswahili",
        Lang::Ms => "Bahasa Melayu",
    }
}
