//! Menu 3: appointments at a centre. `3*1` books (county → centre → service → day → time,
//! only days and times with free places, then `1` to confirm); `3*2` lists this phone's
//! coming appointments, one of which `1` cancels. Booking and cancelling are the centres
//! room's own calls, as the web's booking pages make them: the booking is the person's
//! own (`Channel::Online`, their account as the actor), so it shows in their account; the
//! room decides capacity, one booking per ID number and day, and what may be cancelled.
//!
//! The person is the account that verified this phone: a booking needs a name and an ID
//! number, which a bare phone does not have, so a phone with no account is told how to
//! register. Booking and cancelling are actions of their step ([`actions`]): a repeat of
//! the confirming request answers the recorded outcome, never books again.

use super::home::Menu;
use super::pay::service_name;
use super::screen::{clip, list_page, pick, Pick};
use super::words;
use super::words_centres as w;
use super::{actions, Answer, Input, Screen, Session};
use crate::prefs::Lang;
use lango_centres::appointments::{Appointment, Booking, Channel, Status};
use lango_centres::calendar::{self, minute_of};
use lango_centres::model::{clock, Centre};
use lango_centres::Refusal;
use lango_core::Result;
use lango_identity::account::Account;
use lango_identity::policy::Actor;

/// The appointments option.
pub const MENU: Menu = Menu {
    key: "3",
    label: w::appointments,
    run,
};

fn run<'a>(s: &'a Session<'a>, rest: &'a [Input]) -> Answer<'a> {
    Box::pin(answer(s, rest))
}

/// Most items a list numbers: `98` (more) is never an item's number.
const MAX_ITEMS: usize = 97;

/// The active accounts that verified this phone (a family may share one), oldest first.
pub(super) async fn accounts(s: &Session<'_>) -> Result<Vec<Account>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE phone = $1 AND phone_verified_at IS NOT NULL \
         AND status = 'active' AND kind <> 'dependant' ORDER BY id",
    )
    .bind(s.phone)
    .fetch_all(s.ussd.db.pool())
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(lango_identity::account::get(&s.ussd.db, &id).await?);
    }
    Ok(out)
}

/// The policy's actor for `account`.
pub(super) async fn actor_of(s: &Session<'_>, account: &str) -> Result<Actor> {
    Ok(Actor::Person(
        lango_identity::account::actor(&s.ussd.db, account).await?,
    ))
}

/// True when this session already claimed `action` (a repeat of its request).
pub(super) async fn recorded(s: &Session<'_>, action: &str) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT action FROM ussd_actions WHERE session_id = $1 AND action = $2")
            .bind(s.id)
            .bind(action)
            .fetch_optional(s.ussd.db.pool())
            .await?;
    Ok(found.is_some())
}

/// `Mon 07/12 09:30`, as the screens say when.
fn when(lang: Lang, start_ms: i64) -> String {
    let day = calendar::date_of(start_ms);
    format!("{} {}", short_day(lang, &day), clock(minute_of(start_ms)))
}

/// `Mon 07/12` for `2026-12-07`.
fn short_day(lang: Lang, day: &str) -> String {
    let wd = w::weekday(lang, usize::from(calendar::weekday(day)));
    format!(
        "{wd} {}/{}",
        day.get(8..10).unwrap_or(""),
        day.get(5..7).unwrap_or("")
    )
}

/// The centre's name in the session's language, short enough for a line.
fn centre_name(lang: Lang, c: &Centre) -> String {
    clip(c.name_in(lang.code()), 40)
}

async fn answer(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    // A repeat of the request that booked or cancelled: the recorded outcome, whatever the
    // lists have become since (the booked place is no longer free).
    // Both are confirmed by `1`; another input at that place in `text` is not a repeat.
    if let Some(last) = inputs.last().filter(|l| l.text == "1") {
        for kind in ["book", "cancel"] {
            let action = format!("{kind}:{}", last.at);
            if recorded(s, &action).await? {
                return act(s, &action, Doing::Repeat).await;
            }
        }
    }
    let mut strayed = false;
    for (i, input) in inputs.iter().enumerate() {
        match input.text.as_str() {
            "1" => return book(s, &inputs[i + 1..]).await,
            "2" => return mine(s, &inputs[i + 1..]).await,
            _ => strayed = true,
        }
    }
    let head = if strayed {
        format!("{}\n", words::choose_listed(s.lang))
    } else {
        String::new()
    };
    Ok(Screen::Con(format!(
        "{head}{}\n{}",
        w::appointments_menu(s.lang),
        words::back(s.lang)
    )))
}

/// Where the booking has got to.
#[derive(Clone)]
enum Step {
    County,
    Centre(String),
    Service(Box<Centre>),
    Day(Box<Centre>, String),
    Time(Box<Centre>, String, String),
    Confirm(Box<Centre>, String, i64),
}

/// The person who books: the first account that verified this phone and has an ID number.
async fn booker(s: &Session<'_>) -> Result<std::result::Result<Account, &'static str>> {
    let all = accounts(s).await?;
    if all.is_empty() {
        return Ok(Err(w::needs_account(s.lang)));
    }
    Ok(all
        .into_iter()
        .find(|a| a.id_number.as_deref().is_some_and(|n| !n.is_empty()))
        .ok_or(w::needs_id(s.lang)))
}

/// A step's head and its choices, each with the step it leads to.
async fn choices(s: &Session<'_>, step: &Step) -> Result<(&'static str, Vec<(String, Step)>)> {
    let lang = s.lang;
    let centres = &s.ussd.centres;
    let bookable = |c: &Centre| c.offers.iter().any(|o| c.counters_for(&o.service) > 0);
    let mut out: Vec<(String, Step)> = match step {
        Step::County => {
            let mut counties: Vec<String> = Vec::new();
            for c in centres
                .list(None, None)
                .await?
                .iter()
                .filter(|c| bookable(c))
            {
                let places = std::iter::once(&c.county).chain(c.schedule.iter().map(|v| &v.county));
                for county in places {
                    if !counties.iter().any(|k| k.eq_ignore_ascii_case(county)) {
                        counties.push(county.clone());
                    }
                }
            }
            counties.sort();
            counties
                .into_iter()
                .map(|k| (clip(&k, 30), Step::Centre(k)))
                .collect()
        }
        Step::Centre(county) => centres
            .list(Some(county), None)
            .await?
            .into_iter()
            .filter(|c| bookable(c))
            .map(|c| (centre_name(lang, &c), Step::Service(Box::new(c))))
            .collect(),
        Step::Service(c) => c
            .offers
            .iter()
            .filter(|o| c.counters_for(&o.service) > 0)
            .map(|o| {
                (
                    clip(&service_name(s, &o.service), 40),
                    Step::Day(c.clone(), o.service.clone()),
                )
            })
            .collect(),
        Step::Day(c, service) => centres
            .open_days(c, service)
            .await?
            .into_iter()
            .map(|(day, n)| {
                (
                    format!("{} {}", short_day(lang, &day), w::free(lang, n)),
                    Step::Time(c.clone(), service.clone(), day),
                )
            })
            .collect(),
        Step::Time(c, service, day) => centres
            .slots(c, service, day)
            .await?
            .into_iter()
            .filter(|slot| slot.available > 0)
            .map(|slot| {
                (
                    format!(
                        "{} {}",
                        clock(minute_of(slot.start_ms)),
                        w::free(lang, slot.available)
                    ),
                    Step::Confirm(c.clone(), service.clone(), slot.start_ms),
                )
            })
            .collect(),
        Step::Confirm(..) => Vec::new(),
    };
    out.truncate(MAX_ITEMS);
    let head = match step {
        Step::County => w::choose_county(lang),
        Step::Centre(_) => w::choose_centre(lang),
        Step::Service(_) => w::choose_service(lang),
        Step::Day(..) => w::choose_day(lang),
        Step::Time(..) | Step::Confirm(..) => w::choose_time(lang),
    };
    Ok((head, out))
}

/// `3*1…`: the booking's steps, then the booking itself on `1` at the confirmation.
/// The list moved between the screen that showed a choice and its confirmation: nothing
/// is done; `0` goes back to the list as it is now.
fn changed(lang: Lang) -> Screen {
    Screen::Con(format!(
        "{}\n{}",
        words::list_changed(lang),
        words::back(lang)
    ))
}

async fn book(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    let lang = s.lang;
    let account = match booker(s).await? {
        Ok(a) => a,
        Err(why) => return Ok(Screen::Con(format!("{why}\n{}", words::back(lang)))),
    };
    let mut step = Step::County;
    let (mut head, mut items) = choices(s, &step).await?;
    let mut page = 0usize;
    let mut word: Option<&'static str> = None;
    // Where in `text` the input that chose the time is: the confirmation books only the
    // time that screen showed (the list of times moves as they pass or fill).
    let mut chosen_at = 0usize;
    let shown =
        |c: &Centre, service: &str, start_ms: i64| format!("{}|{service}|{start_ms}", c.code);
    for input in inputs {
        if let Step::Confirm(c, service, start_ms) = &step {
            if input.text == "1" {
                let key = shown(c, service, *start_ms);
                let action = format!("book:{}", input.at);
                if !actions::same_as_shown(&s.ussd.db, s.id, chosen_at, s.phone, &key).await? {
                    // A copy of this request may have booked the time meanwhile (so it left
                    // the list): then this is a repeat.
                    if recorded(s, &action).await? {
                        return act(s, &action, Doing::Repeat).await;
                    }
                    return Ok(changed(lang));
                }
                let b = Booking {
                    centre: c.code.clone(),
                    service: service.clone(),
                    start_ms: *start_ms,
                    name: account.display_name(),
                    phone: s.phone.to_string(),
                    id_number: account.id_number.clone().unwrap_or_default(),
                    account_id: Some(account.id.clone()),
                    channel: Channel::Ussd,
                    language: lang.code().to_string(),
                };
                return act(s, &action, Doing::Book(&b)).await;
            }
            word = Some(words::choose_listed(lang));
            continue;
        }
        if input.text == "98" {
            page += 1;
            continue;
        }
        let chosen = input
            .text
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| items.get(n));
        match chosen {
            Some((_, next)) => {
                step = next.clone();
                (head, items) = choices(s, &step).await?;
                page = 0;
                word = None;
                chosen_at = input.at;
            }
            None => word = Some(words::choose_listed(lang)),
        }
    }
    let back = words::back(lang);
    let word = word.map(|w| format!("{w}\n")).unwrap_or_default();
    if let Step::Confirm(c, service, start_ms) = &step {
        let key = shown(c, service, *start_ms);
        if !actions::same_as_shown(&s.ussd.db, s.id, chosen_at, s.phone, &key).await? {
            return Ok(changed(lang));
        }
        let text = w::confirm_booking(
            lang,
            &clip(&service_name(s, service), 40),
            &centre_name(lang, c),
            &when(lang, *start_ms),
        );
        return Ok(Screen::Con(format!("{word}{text}\n{back}")));
    }
    let head = if items.is_empty() {
        format!("{word}{}", w::none_free(lang))
    } else {
        format!("{word}{head}")
    };
    let numbered: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, (label, _))| format!("{} {label}", i + 1))
        .collect();
    let (text, _) = list_page(&head, &numbered, back, words::more(lang), page);
    Ok(Screen::Con(text))
}

/// `3*2…`: the coming appointments of this phone's accounts; one chosen, `1` cancels it.
async fn mine(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    let lang = s.lang;
    let mut coming: Vec<Appointment> = Vec::new();
    for account in accounts(s).await? {
        let all = s.ussd.centres.appointments_of(&account.id).await?;
        coming.extend(all.into_iter().filter(|a| a.status == Status::Booked));
    }
    coming.sort_by_key(|a| a.start_ms);
    coming.truncate(MAX_ITEMS);
    let listed = words::choose_listed(lang);
    let db = &s.ussd.db;
    let (chosen, page, word) = match pick(inputs, &coming, |i| i.text == "1", listed, listed) {
        Pick::Confirmed {
            item: a,
            chosen_at,
            confirm,
        } => {
            let action = format!("cancel:{}", confirm.at);
            if actions::same_as_shown(db, s.id, chosen_at, s.phone, &a.reference).await? {
                return act(s, &action, Doing::Cancel(a)).await;
            }
            // A copy of this request may have cancelled it meanwhile: a repeat.
            if recorded(s, &action).await? {
                return act(s, &action, Doing::Repeat).await;
            }
            (None, 0, Some(words::list_changed(lang)))
        }
        Pick::Open {
            chosen: Some((a, at)),
            page,
            word,
        } => {
            if actions::same_as_shown(db, s.id, at, s.phone, &a.reference).await? {
                (Some(a), page, word)
            } else {
                (None, 0, Some(words::list_changed(lang)))
            }
        }
        Pick::Open { page, word, .. } => (None, page, word),
    };
    let back = words::back(lang);
    let word = word.map(|w| format!("{w}\n")).unwrap_or_default();
    if let Some(a) = chosen {
        let c = s.ussd.centres.get(&a.centre).await?;
        let text = w::appointment(
            lang,
            &a.reference,
            &clip(&service_name(s, &a.service), 40),
            &centre_name(lang, &c),
            &when(lang, a.start_ms),
        );
        return Ok(Screen::Con(format!("{word}{text}\n{back}")));
    }
    let head = if coming.is_empty() {
        format!("{word}{}", w::mine_none(lang))
    } else {
        format!("{word}{}", w::mine_head(lang))
    };
    let items: Vec<String> = coming
        .iter()
        .map(|a| a.start_ms)
        .enumerate()
        .map(|(i, start)| format!("{} {}", i + 1, when(lang, start)))
        .zip(coming.iter())
        .map(|(line, a)| format!("{line} {}", a.reference))
        .collect();
    let (text, _) = list_page(&head, &items, back, words::more(lang), page);
    Ok(Screen::Con(text))
}

/// What the claimed action is to do.
enum Doing<'a> {
    /// Book this.
    Book(&'a Booking),
    /// Cancel this.
    Cancel(&'a Appointment),
    /// Nothing: a repeat, answered from the record.
    Repeat,
}

/// Does `doing` once for this session's `action` and says how it ended; a repeat answers
/// the recorded outcome. Outcomes are stored as `kind:reference:start_ms:centre`.
async fn act(s: &Session<'_>, action: &str, doing: Doing<'_>) -> Result<Screen> {
    let db = &s.ussd.db;
    let outcome = match actions::claim(db, s.id, action, s.phone).await? {
        actions::Claim::Done(o) => o,
        actions::Claim::Underway => "failed:".to_string(),
        actions::Claim::First => {
            let outcome = match doing {
                Doing::Book(b) => booking(s, b).await?,
                Doing::Cancel(a) => cancelling(s, a).await?,
                // Claimed by this repeat: the first copy's row was there a moment ago.
                Doing::Repeat => "failed:".to_string(),
            };
            actions::settle(db, s.id, action, &outcome).await?;
            outcome
        }
    };
    let lang = s.lang;
    let (kind, rest) = outcome.split_once(':').unwrap_or((outcome.as_str(), ""));
    let mut parts = rest.splitn(3, ':');
    let (reference, start, centre) = (
        parts.next().unwrap_or(""),
        parts
            .next()
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(0),
        parts.next().unwrap_or(""),
    );
    Ok(Screen::End(match kind {
        "booked" => {
            let name = match s.ussd.centres.get(centre).await {
                Ok(c) => centre_name(lang, &c),
                Err(_) => centre.to_string(),
            };
            w::booked(lang, reference, &name, &when(lang, start))
        }
        "already" => w::already_booked(lang).into(),
        "gone" => w::place_gone(lang).into(),
        "cancelled" => w::cancelled(lang, reference),
        "kept" => w::not_cancellable(lang, reference),
        _ => words::failed(lang).into(),
    }))
}

/// Books `b` for the account it names; the outcome to record.
async fn booking(s: &Session<'_>, b: &Booking) -> Result<String> {
    let actor = actor_of(s, b.account_id.as_deref().unwrap_or_default()).await?;
    Ok(match s.ussd.centres.book(&actor, b).await {
        Ok(a) => format!("booked:{}:{}:{}", a.reference, a.start_ms, a.centre),
        Err(e) => match e.refusal::<Refusal>() {
            Some(Refusal::AlreadyBooked { .. }) => "already:".into(),
            // Full, the day's places gone, the time past or no longer offered: the place
            // went meanwhile.
            Some(_) => "gone:".into(),
            None => {
                tracing::error!(error = %e, "USSD booking failed");
                "failed:".into()
            }
        },
    })
}

/// Cancels `a` for the account that holds it; the outcome to record.
async fn cancelling(s: &Session<'_>, a: &Appointment) -> Result<String> {
    let actor = actor_of(s, a.account_id.as_deref().unwrap_or_default()).await?;
    let r = &a.reference;
    Ok(
        match s.ussd.centres.cancel(&actor, r, s.lang.code()).await {
            Ok(done) if done.status == Status::Cancelled => format!("cancelled:{r}"),
            Ok(_) => format!("kept:{r}"),
            Err(e) => match e.refusal::<Refusal>() {
                Some(_) => format!("kept:{r}"),
                None => {
                    tracing::error!(error = %e, "USSD cancellation failed");
                    "failed:".into()
                }
            },
        },
    )
}
