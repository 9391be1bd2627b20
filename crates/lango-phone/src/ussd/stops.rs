//! Menu 7: mobile centres. Their stops of the next fortnight, soonest first (`98` for
//! more); choosing one ends the session with where, when and which centre, so a person
//! far from any centre learns when one comes near them.

use super::home::Menu;
use super::screen::{clip, list_page, pick as choose, Pick};
use super::words::{self, pick};
use super::{Answer, Input, Screen, Session};
use crate::prefs::Lang;
use lango_centres::upcoming::Upcoming;
use lango_core::Result;

/// The mobile centres option.
pub const MENU: Menu = Menu {
    key: "7",
    label,
    run,
};

/// The option's line on the home screen.
fn label(lang: Lang) -> &'static str {
    pick(
        lang,
        "Mobile centres",
        "Vituo vinavyohama",
        "Pusat bergerak",
    )
}

/// Days ahead the list covers.
const DAYS: i64 = 14;

fn run<'a>(s: &'a Session<'a>, rest: &'a [Input]) -> Answer<'a> {
    Box::pin(answer(s, rest))
}

async fn answer(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    let lang = s.lang;
    let stops = s.ussd.centres.upcoming_stops(DAYS).await?;
    if stops.is_empty() {
        return Ok(Screen::End(
            pick(
                lang,
                "No mobile centre stops are planned in the next two weeks.",
                "Hakuna vituo vinavyohama vilivyopangwa wiki mbili zijazo.",
                "Tiada persinggahan pusat bergerak dirancang dalam dua minggu akan datang.",
            )
            .into(),
        ));
    }
    // Choosing a stop ends the session: nothing to confirm.
    let listed = words::choose_listed(lang);
    let (page, word) = match choose(inputs, &stops, |_| false, listed, listed) {
        Pick::Confirmed { item, .. }
        | Pick::Open {
            chosen: Some((item, _)),
            ..
        } => return Ok(Screen::End(shown(s, item).await?)),
        Pick::Open { page, word, .. } => (page, word),
    };
    let title = pick(
        lang,
        "Mobile centres' next stops:",
        "Vituo vinavyohama vijavyo:",
        "Persinggahan pusat bergerak seterusnya:",
    );
    let head = match word {
        Some(w) => format!("{w}\n{title}"),
        None => title.to_string(),
    };
    let items: Vec<String> = stops
        .iter()
        .enumerate()
        .map(|(i, u)| format!("{} {} {}", i + 1, &u.date[5..], clip(&u.place, 24)))
        .collect();
    let (text, _) = list_page(&head, &items, words::back(lang), words::more(lang), page);
    Ok(Screen::Con(text))
}

/// One stop: the centre, the day and hours, and where.
async fn shown(s: &Session<'_>, u: &Upcoming) -> Result<String> {
    let c = s.ussd.centres.get(&u.centre).await?;
    Ok(format!(
        "{}\n{} {}\n{}, {}",
        clip(c.name_in(s.lang.code()), 60),
        u.date,
        u.hours,
        clip(&u.place, 40),
        u.county
    ))
}
