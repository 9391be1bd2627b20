//! Menu 4: my queue ticket. The tickets issued today with this phone (reception or a kiosk
//! asks for it, for the "nearly your turn" SMS): one is shown at once, several are listed
//! to choose from. Where a ticket stands, its place in the queue and the wait are the
//! centres room's look-up ([`lango_centres::Centres::ticket`]), the same estimate the
//! ticket was issued with.

use super::home::Menu;
use super::pay::service_name;
use super::screen::{clip, list_page, pick, Pick};
use super::words;
use super::words_centres as w;
use super::{Answer, Input, Screen, Session};
use lango_centres::calendar;
use lango_centres::model::Centre;
use lango_centres::queue::{Status, Ticket};
use lango_core::Result;
use sqlx::Row;

/// The queue-ticket option.
pub const MENU: Menu = Menu {
    key: "4",
    label: w::ticket,
    run,
};

fn run<'a>(s: &'a Session<'a>, rest: &'a [Input]) -> Answer<'a> {
    Box::pin(answer(s, rest))
}

/// Most tickets shown: a phone rarely holds more than a couple in a day.
const MAX_TICKETS: i64 = 9;

/// This phone's tickets today, newest first, each with its centre.
async fn todays(s: &Session<'_>) -> Result<Vec<(Centre, Ticket)>> {
    let rows = sqlx::query(
        "SELECT centre, number FROM tickets WHERE phone = $1 AND day = $2 \
         ORDER BY issued_at DESC, number DESC LIMIT $3",
    )
    .bind(s.phone)
    .bind(calendar::today())
    .bind(MAX_TICKETS)
    .fetch_all(s.ussd.db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let code: String = r.try_get("centre")?;
        let number: String = r.try_get("number")?;
        let c = s.ussd.centres.get(&code).await?;
        let t = s.ussd.centres.ticket(&c, &number).await?;
        out.push((c, t));
    }
    Ok(out)
}

async fn answer(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    let lang = s.lang;
    let mine = todays(s).await?;
    match mine.as_slice() {
        [] => return Ok(Screen::End(w::tickets_none(lang).into())),
        [(c, t)] => return Ok(Screen::End(shown(s, c, t))),
        _ => {}
    }
    // Choosing a ticket ends the session: nothing to confirm.
    let listed = words::choose_listed(lang);
    let (page, word) = match pick(inputs, &mine, |_| false, listed, listed) {
        Pick::Confirmed { item: (c, t), .. }
        | Pick::Open {
            chosen: Some(((c, t), _)),
            ..
        } => return Ok(Screen::End(shown(s, c, t))),
        Pick::Open { page, word, .. } => (page, word),
    };
    let head = match word {
        Some(wd) => format!("{wd}\n{}", w::tickets_head(lang)),
        None => w::tickets_head(lang).to_string(),
    };
    let items: Vec<String> = mine
        .iter()
        .enumerate()
        .map(|(i, (c, t))| {
            format!(
                "{} {} {}",
                i + 1,
                t.number,
                clip(c.name_in(lang.code()), 40)
            )
        })
        .collect();
    let (text, _) = list_page(&head, &items, words::back(lang), words::more(lang), page);
    Ok(Screen::Con(text))
}

/// One ticket: number, centre, service, and where it stands.
fn shown(s: &Session<'_>, c: &Centre, t: &Ticket) -> String {
    let lang = s.lang;
    let stands = match t.status {
        Status::Waiting => w::waiting(lang, t.position, t.estimated_wait_minutes),
        Status::Called => w::called(lang, t.counter.as_deref().unwrap_or("")),
        Status::Held => w::held(lang).into(),
        Status::Served => w::served(lang).into(),
        Status::NoShow => w::missed(lang).into(),
    };
    format!(
        "{} {}\n{}\n{}\n{stands}",
        w::ticket_word(lang),
        t.number,
        clip(c.name_in(lang.code()), 40),
        clip(&service_name(s, &t.service), 40),
    )
}
