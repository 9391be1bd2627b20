//! Menu 1: application status. `1` lists the applications of the accounts that verified
//! this phone (newest first, `98` for more), each with its state and what is awaited from
//! the person; `1*REF` answers one application. Someone else's application shows its state
//! only, never whose it is or what it is for: a reference is short, and a phone proves
//! nothing about who holds the paper it was read from.

use super::home::Menu;
use super::pay::service_name;
use super::screen::list_page;
use super::words::{self, pick, Awaited};
use super::{Answer, Input, Screen, Session};
use crate::prefs::Lang;
use lango_cases::application::DRAFT;
use lango_cases::definition::model::Actor as StateActor;
use lango_cases::service::Versioned;
use lango_cases::Application;
use lango_core::reference::Fault;
use lango_core::Result;
use lango_identity::policy::Actor;
use lango_payments::reference::BillReference;
use std::sync::Arc;

/// The application-status option.
pub const MENU: Menu = Menu {
    key: "1",
    label,
    run,
};

fn label(lang: Lang) -> &'static str {
    pick(
        lang,
        "Application status",
        "Hali ya ombi",
        "Status permohonan",
    )
}

fn run<'a>(s: &'a Session<'a>, rest: &'a [Input]) -> Answer<'a> {
    Box::pin(answer(s, rest))
}

/// One of this phone's applications as the screens need it.
struct Row {
    app: Application,
    def: Option<Arc<Versioned>>,
}

async fn answer(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    let lang = s.lang;
    let mine = linked(s).await?;
    let mut page = 0usize;
    let mut word: Option<String> = None;
    for input in inputs {
        if input.text == "98" {
            page += 1;
            word = None;
            continue;
        }
        let reference =
            match lango_core::reference::parse(&input.text, "A", lango_cases::reference::LEN) {
                Ok(r) => r,
                Err(Fault::Check) => {
                    word = Some(words::typo(lang).into());
                    continue;
                }
                Err(_) => {
                    word = Some(words::app_not_ref(lang).into());
                    continue;
                }
            };
        if let Some(row) = mine.iter().find(|r| r.app.reference == reference) {
            return Ok(Screen::End(own(s, row)));
        }
        match others(s, &reference).await? {
            Some(screen) => return Ok(screen),
            None => word = Some(words::app_unknown(lang, &reference)),
        }
    }
    let head = word.unwrap_or_else(|| {
        if mine.is_empty() {
            words::apps_none(lang).into()
        } else {
            words::apps_head(lang).into()
        }
    });
    let items: Vec<String> = mine.iter().map(|r| item(lang, r)).collect();
    let foot = format!("{}\n{}", words::type_app_ref(lang), words::back(lang));
    // `98` past the last page stays on it rather than showing an empty page.
    let (text, _) = list_page(&head, &items, &foot, words::more(lang), page);
    Ok(Screen::Con(text))
}

/// The applications of every active account that verified this phone (a family may share
/// one), with those of their dependants and businesses, newest first.
async fn linked(s: &Session<'_>) -> Result<Vec<Row>> {
    let db = &s.ussd.db;
    let accounts: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE phone = $1 AND phone_verified_at IS NOT NULL \
         AND status = 'active' AND kind <> 'dependant' ORDER BY id",
    )
    .bind(s.phone)
    .fetch_all(db.pool())
    .await?;
    let mut apps: Vec<Application> = Vec::new();
    for account in accounts {
        let person = lango_identity::account::actor(db, &account).await?;
        for app in s.ussd.cases.mine(&Actor::Person(person)).await? {
            if !apps.iter().any(|a| a.id == app.id) {
                apps.push(app);
            }
        }
    }
    apps.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then(b.reference.cmp(&a.reference))
    });
    let mut rows = Vec::with_capacity(apps.len());
    for app in apps {
        let def = s
            .ussd
            .cases
            .definition(&app.service, Some(app.version))
            .await?;
        rows.push(Row { app, def });
    }
    Ok(rows)
}

/// An application that is not this phone's: its state only; an unsent draft is nobody's
/// business but its author's, so it is as if there were none.
async fn others(s: &Session<'_>, reference: &str) -> Result<Option<Screen>> {
    let mut conn = s.ussd.db.pool().acquire().await?;
    let found = lango_cases::store::by_reference(&mut conn, reference).await?;
    drop(conn);
    let Some(app) = found.filter(|a| a.state != DRAFT) else {
        return Ok(None);
    };
    let def = s
        .ussd
        .cases
        .definition(&app.service, Some(app.version))
        .await?;
    Ok(Some(Screen::End(format!(
        "{reference}\n{}: {}",
        words::status_word(s.lang),
        state_label(s.lang, def.as_deref(), &app.state)
    ))))
}

/// One of the phone's own applications, in full.
fn own(s: &Session<'_>, row: &Row) -> String {
    let lang = s.lang;
    let awaited = words::awaited(lang, &awaited(row));
    let mut text = format!(
        "{}\n{}\n{}: {}",
        row.app.reference,
        service_name(s, &row.app.service),
        words::status_word(lang),
        state_label(lang, row.def.as_deref(), &row.app.state)
    );
    if !awaited.is_empty() {
        text.push('\n');
        text.push_str(&awaited);
    }
    text
}

/// A line of the list: reference, state, and what is awaited.
fn item(lang: Lang, row: &Row) -> String {
    let state = state_label(lang, row.def.as_deref(), &row.app.state);
    let awaited = words::awaited(lang, &awaited(row));
    if awaited.is_empty() {
        format!("{} {state}", row.app.reference)
    } else {
        format!("{} {state}. {awaited}", row.app.reference)
    }
}

/// A state's label in `lang` (English when the definition has none in the country's own
/// language, the second text).
fn state_label(lang: Lang, def: Option<&Versioned>, state: &str) -> String {
    if state == DRAFT {
        return pick(lang, "Not sent", "Haijatumwa", "Belum dihantar").into();
    }
    def.and_then(|d| d.definition.state(state))
        .map(|st| match (lang, &st.label.sw) {
            (l, Some(sw)) if l.is_local() && !sw.is_empty() => sw.clone(),
            _ => st.label.en.clone(),
        })
        .unwrap_or_else(|| state.to_string())
}

/// What the application waits for from its applicant, read from where it stands in its
/// definition's workflow (the same marks the track page reads).
fn awaited(row: &Row) -> Awaited {
    let app = &row.app;
    if app.state == DRAFT {
        return Awaited::Finish;
    }
    let Some(st) = row
        .def
        .as_deref()
        .and_then(|d| d.definition.state(&app.state))
    else {
        return Awaited::Nothing;
    };
    if st.outcome.is_some() {
        return Awaited::Closed;
    }
    if app.awaiting_payment {
        if let Some(bill) = &app.bill_reference {
            let shown = BillReference::parse(bill).map_or(bill.clone(), |r| r.to_string());
            return Awaited::Pay(shown);
        }
    }
    if st.actor == StateActor::Applicant {
        return Awaited::Reply;
    }
    if st.appointment.is_some() {
        return Awaited::Book;
    }
    Awaited::Nothing
}
