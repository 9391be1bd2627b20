//! `GET /account/activity`: who has seen or changed a person's data, in plain words and
//! grouped by East Africa Time day, and the messages Lango sent them. Who is named how is
//! decided in `lango_cases::activity`; this page only puts it into words.

use super::{render, when, Chrome};
use crate::i18n::Lang;
use crate::visitor::SignedIn;
use crate::words::{tr, tr_with};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use lango_cases::activity::{Day, Line, Named, Who};

/// One day of the activity page.
struct DayRows {
    date: String,
    rows: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    c: Chrome,
    days: Vec<DayRows>,
    messages: Vec<(String, String, String)>,
}

/// `GET /account/activity`
pub async fn activity(State(state): State<AppState>, s: SignedIn) -> Response {
    let days = lango_cases::activity::for_person(&state.db, &s.account.id, 100).await;
    let messages = lango_notify::for_account(&state.db, &s.account.id, 50).await;
    let lang = s.v.lang;
    match (days, messages) {
        (Ok(days), Ok(messages)) => render(
            StatusCode::OK,
            &ActivityPage {
                c: Chrome::for_visitor(&s.v, state.config.demo, "/account/activity"),
                days: days.into_iter().map(|d| day_rows(lang, d)).collect(),
                messages: messages.into_iter().map(|m| message_row(lang, m)).collect(),
            },
        ),
        (Err(e), _) | (_, Err(e)) => crate::error::page_error(&state, lang, e),
    }
}

fn day_rows(lang: Lang, d: Day) -> DayRows {
    DayRows {
        date: d.date,
        rows: d
            .lines
            .iter()
            .map(|l| (time_of(&when(l.at)), sentence(lang, l)))
            .collect(),
    }
}

/// `HH:MM EAT` of a `when` stamp (the day is the heading).
fn time_of(stamp: &str) -> String {
    stamp
        .split_once(' ')
        .map(|(_, t)| t)
        .unwrap_or(stamp)
        .to_string()
}

fn in_lang(lang: Lang, n: &Named) -> &str {
    lang.pick(&n.en, &n.sw)
}

/// How the one who did it is named, in `lang`.
pub fn who(lang: Lang, w: &Who) -> String {
    match w {
        Who::You => tr(lang, "who_you").to_string(),
        Who::Person(name) => name.clone(),
        Who::Platform => tr(lang, "who_lango").to_string(),
        Who::AgencySystem(Some(a)) => {
            tr_with(lang, "who_system_of", [FluentValue::from(in_lang(lang, a))])
        }
        Who::AgencySystem(None) => tr(lang, "who_system").to_string(),
        Who::Staff { role, agency, name } => {
            let role = match role {
                Some(r) => tr(lang, &format!("who_role_{}", r.as_str())),
                None => tr(lang, "who_staff"),
            };
            let office = match agency {
                Some(a) => tr_with(
                    lang,
                    "who_of",
                    [FluentValue::from(role), FluentValue::from(in_lang(lang, a))],
                ),
                None => role.to_string(),
            };
            match name {
                Some(n) => tr_with(
                    lang,
                    "who_named",
                    [FluentValue::from(n), FluentValue::from(&office)],
                ),
                None => office,
            }
        }
    }
}

/// The line as one sentence in `lang`, starting with a capital.
pub fn sentence(lang: Lang, l: &Line) -> String {
    let service = l.service.as_ref().map(|s| in_lang(lang, s));
    let values = [
        who(lang, &l.who).into(),
        l.reference.as_str().into(),
        service.unwrap_or_default().into(),
    ];
    let mut text = tr_with(lang, &l.sentence, values);
    if service.is_none() {
        // The words name the service in brackets after the reference; without one, neither.
        text = text.replace(" ()", "");
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// A line of the message history: when, what (the event, or an account message such as a
/// code) and how, and its delivery status, in the reader's language.
fn message_row(lang: Lang, m: lango_notify::Stored) -> (String, String, String) {
    let what = match &m.event_type {
        Some(e) => tr(lang, &format!("event_{e}")),
        None => tr(lang, "msg_other"),
    };
    let how = tr(lang, &format!("channel_{}", m.channel));
    (
        when(m.created_at),
        format!("{what} ({how})"),
        tr(lang, &format!("msg_{}", m.status)).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_identity::model::Role;

    fn line(sentence: &str, who: Who) -> Line {
        Line {
            at: 0,
            sentence: sentence.into(),
            who,
            reference: "DIS-1".into(),
            service: Some(Named {
                en: "Apply for a passport".into(),
                sw: "Omba pasipoti".into(),
            }),
        }
    }

    #[test]
    fn an_officer_who_looked_is_shown_by_role_and_agency_in_both_languages() {
        let officer = Who::Staff {
            role: Some(Role::Officer),
            agency: Some(Named {
                en: "Directorate of Immigration Services".into(),
                sw: "Kurugenzi ya Huduma za Uhamiaji".into(),
            }),
            name: None,
        };
        let l = line("act_application_view", officer);
        assert_eq!(
            sentence(Lang::En, &l),
            "An officer of the Directorate of Immigration Services opened your application \
             DIS-1 (Apply for a passport)"
        );
        assert_eq!(
            sentence(Lang::Sw, &l),
            "Ombi lako DIS-1 (Omba pasipoti) lilifunguliwa na afisa wa Kurugenzi ya Huduma \
             za Uhamiaji"
        );
    }

    #[test]
    fn every_action_has_a_sentence_and_every_role_a_name() {
        for action in lango_cases::activity::ACTIONS {
            assert!(
                crate::words::has(&lango_cases::activity::sentence_key(action)),
                "{action}"
            );
        }
        for role in lango_identity::model::ROLES {
            assert!(crate::words::has(&format!("who_role_{}", role.as_str())));
        }
        let you = line("act_session_start", Who::You);
        assert_eq!(sentence(Lang::En, &you), "You signed in to your account");
    }
}
