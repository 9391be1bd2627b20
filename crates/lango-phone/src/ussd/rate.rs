//! Menu 5: rate a service. Lists what this phone may rate: the completed applications of
//! the accounts that verified it whose satisfaction survey has no answer yet
//! (`lango_insights`' survey, the one the survey page and the SMS question answer), and
//! the tickets served today with this phone that have no rating (`lango_centres::survey`,
//! the centre's exit question). One is chosen, then a score 1–5 answers it. The rooms keep
//! one answer each; the rating is also an action of its step, so a repeated request says
//! "thank you" again rather than "rated already".

use super::appointments::{accounts, actor_of, recorded};
use super::home::Menu;
use super::pay::service_name;
use super::screen::{clip, list_page, pick, Pick};
use super::words;
use super::words_centres as w;
use super::{actions, Answer, Input, Screen, Session};
use lango_cases::definition::model::Outcome as CaseOutcome;
use lango_centres::calendar;
use lango_centres::model::Centre;
use lango_centres::survey::{Rated, Rating};
use lango_core::Result;
use lango_identity::policy::Actor;
use lango_insights::survey::{Outcome, RawAnswer, SurveyChannel};
use sqlx::Row;

/// The rating option.
pub const MENU: Menu = Menu {
    key: "5",
    label: w::rating,
    run,
};

fn run<'a>(s: &'a Session<'a>, rest: &'a [Input]) -> Answer<'a> {
    Box::pin(answer(s, rest))
}

/// Most items listed (`98` is never an item's number).
const MAX_ITEMS: usize = 20;

/// Something this phone may rate.
enum Target {
    /// A completed application, by reference, for the account that made it.
    Application {
        actor: Box<Actor>,
        reference: String,
        service: String,
    },
    /// A ticket served today.
    Ticket { centre: Box<Centre>, number: String },
}

impl Target {
    /// What it is, whatever its place in the list: an application's reference, a ticket's
    /// centre and number.
    fn key(&self) -> String {
        match self {
            Target::Application { reference, .. } => reference.clone(),
            Target::Ticket { centre, number } => format!("{}/{number}", centre.code),
        }
    }

    /// Its line in the list and over the question.
    fn label(&self, s: &Session<'_>) -> String {
        match self {
            Target::Application {
                reference, service, ..
            } => format!("{reference} {}", clip(&service_name(s, service), 32)),
            Target::Ticket { centre, number } => format!(
                "{} {number} {}",
                w::ticket_word(s.lang),
                clip(centre.name_in(s.lang.code()), 32)
            ),
        }
    }
}

/// What may be rated: today's served tickets first (fresh in mind), then applications,
/// newest first.
async fn targets(s: &Session<'_>) -> Result<Vec<Target>> {
    let mut out = Vec::new();
    let rows = sqlx::query(
        "SELECT centre, number FROM tickets WHERE phone = $1 AND day = $2 AND status = 'served' \
         ORDER BY finished_at DESC LIMIT 5",
    )
    .bind(s.phone)
    .bind(calendar::today())
    .fetch_all(s.ussd.db.pool())
    .await?;
    for r in &rows {
        let code: String = r.try_get("centre")?;
        let number: String = r.try_get("number")?;
        let c = s.ussd.centres.get(&code).await?;
        if matches!(s.ussd.centres.rating(&c, &number).await?, Rating::Open(_)) {
            out.push(Target::Ticket {
                centre: Box::new(c),
                number,
            });
        }
    }
    for account in accounts(s).await? {
        let actor = actor_of(s, &account.id).await?;
        // Newest first, as `mine` gives them.
        for app in s.ussd.cases.mine(&actor).await? {
            if out.len() >= MAX_ITEMS {
                return Ok(out);
            }
            let def = s
                .ussd
                .cases
                .definition(&app.service, Some(app.version))
                .await?;
            let completed = def
                .as_deref()
                .and_then(|d| d.definition.state(&app.state))
                .is_some_and(|st| st.outcome == Some(CaseOutcome::Completed));
            // Someone acting for a business or a dependant lists theirs too; the room
            // decides whose survey this phone may answer.
            if !completed {
                continue;
            }
            match s.ussd.insights.survey(&actor, &app.reference).await {
                Ok(survey) if !survey.answered => out.push(Target::Application {
                    actor: Box::new(actor.clone()),
                    reference: app.reference.clone(),
                    service: app.service.clone(),
                }),
                Ok(_) | Err(lango_core::Error::Forbidden(_) | lango_core::Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    out.truncate(MAX_ITEMS);
    Ok(out)
}

async fn answer(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    let lang = s.lang;
    // A repeat of the request that rated: the recorded outcome (the rated item has left
    // the list since).
    let score = |i: &Input| lango_insights::survey::Overall::parse(&i.text).is_some();
    let repeat = inputs
        .last()
        .filter(|l| score(l))
        .map(|l| format!("rate:{}", l.at));
    if let Some(done) = repeated(s, repeat.as_deref()).await? {
        return Ok(done);
    }
    let all = targets(s).await?;
    let (chosen, page, word) = match pick(
        inputs,
        &all,
        score,
        w::rate_choose(lang),
        words::choose_listed(lang),
    ) {
        Pick::Confirmed {
            item: t,
            chosen_at,
            confirm,
        } => {
            let action = format!("rate:{}", confirm.at);
            if actions::same_as_shown(&s.ussd.db, s.id, chosen_at, s.phone, &t.key()).await? {
                return rate(s, &action, Some(t), &confirm.text).await;
            }
            // A copy of this request may have rated it meanwhile: a repeat.
            if let Some(done) = repeated(s, Some(&action)).await? {
                return Ok(done);
            }
            (None, 0, Some(words::list_changed(lang)))
        }
        Pick::Open {
            chosen: Some((t, at)),
            page,
            word,
        } => {
            if actions::same_as_shown(&s.ussd.db, s.id, at, s.phone, &t.key()).await? {
                (Some(t), page, word)
            } else {
                (None, 0, Some(words::list_changed(lang)))
            }
        }
        Pick::Open { page, word, .. } => {
            // A copy of this request may have rated it between the check above and the
            // list: the rated item left the list, so the score no longer picks it.
            if let Some(done) = repeated(s, repeat.as_deref()).await? {
                return Ok(done);
            }
            (None, page, word)
        }
    };
    let word = word.map(|wd| format!("{wd}\n")).unwrap_or_default();
    let back = words::back(lang);
    if let Some(t) = chosen {
        let q = w::rate_question(lang, &clip(&t.label(s), 44));
        return Ok(Screen::Con(format!("{word}{q}\n{back}")));
    }
    if all.is_empty() {
        return Ok(Screen::End(w::rate_none(lang).into()));
    }
    let head = format!("{word}{}", w::rate_head(lang));
    let items: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {}", i + 1, t.label(s)))
        .collect();
    let (text, _) = list_page(&head, &items, back, words::more(lang), page);
    Ok(Screen::Con(text))
}

/// The recorded outcome's screen when a copy of this request already claimed `action`.
async fn repeated(s: &Session<'_>, action: Option<&str>) -> Result<Option<Screen>> {
    match action {
        Some(action) if recorded(s, action).await? => Ok(Some(rate(s, action, None, "").await?)),
        _ => Ok(None),
    }
}

/// Rates `target` `score` once for this session's `action` (`None`: a repeat, answered
/// from the record).
async fn rate(
    s: &Session<'_>,
    action: &str,
    target: Option<&Target>,
    score: &str,
) -> Result<Screen> {
    let db = &s.ussd.db;
    let outcome = match actions::claim(db, s.id, action, s.phone).await? {
        actions::Claim::Done(o) => o,
        actions::Claim::Underway => "failed".to_string(),
        actions::Claim::First => {
            let outcome = match target {
                Some(t) => rating(s, t, score).await?,
                None => "failed".to_string(),
            };
            actions::settle(db, s.id, action, &outcome).await?;
            outcome
        }
    };
    let lang = s.lang;
    Ok(Screen::End(
        match outcome.as_str() {
            "rated" => w::rated(lang),
            "before" => w::rated_before(lang),
            "later" => w::rate_later(lang),
            _ => words::failed(lang),
        }
        .into(),
    ))
}

/// Gives `t` its score through its room; the outcome to record.
async fn rating(s: &Session<'_>, t: &Target, score: &str) -> Result<String> {
    let done = match t {
        Target::Application {
            actor, reference, ..
        } => {
            let raw = RawAnswer {
                overall: score.to_string(),
                ..RawAnswer::default()
            };
            s.ussd
                .insights
                .answer_survey_on(actor, reference, &raw, SurveyChannel::Ussd)
                .await
                .map(|o| match o {
                    Outcome::Recorded => "rated",
                    Outcome::AlreadyAnswered => "before",
                    Outcome::TooManyAttempts => "later",
                    Outcome::Invalid(_) => "failed",
                })
        }
        Target::Ticket { centre, number } => {
            let score: i64 = score.parse().unwrap_or(0);
            s.ussd
                .centres
                .rate_on(centre, number, score, "ussd")
                .await
                .map(|r| match r {
                    Rated::Recorded => "rated",
                    Rated::AlreadyRated => "before",
                    Rated::NotServed => "failed",
                })
        }
    };
    Ok(match done {
        Ok(o) => o.to_string(),
        Err(e) => {
            tracing::error!(error = %e, "USSD rating failed");
            "failed".to_string()
        }
    })
}
