//! Where an assistance happens: a centre's counter (`/desk/{code}/counters/{counter}/assist`)
//! or a registered agent (`/agent/{code}/assist`). Both run the same pages; what differs
//! (who may, what is offered, whether a person can be registered or a document stand in
//! for their code) is asked of the desk.

use crate::pages::render_status_page;
use crate::visitor::SignedIn;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use lango_agents::model::Agent;
use lango_centres::model::Centre;
use lango_centres::Centres;
use lango_identity::assist::{Assist, Helper};
use lango_identity::policy::{check, Action, Object};
use std::collections::HashMap;

/// A place someone is helped.
pub(crate) enum Desk {
    /// A centre's counter.
    Counter(Box<Centre>, String),
    /// A registered agent, approved.
    Agent(Box<Agent>),
}

impl Desk {
    /// The desk the path names, if `s` may help people there; else the page to show.
    pub(crate) async fn of(
        state: &AppState,
        s: &SignedIn,
        path: &HashMap<String, String>,
    ) -> Result<Desk, Response> {
        let not_found = || render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
        let code = path.get("code").ok_or_else(not_found)?;
        match path.get("counter") {
            Some(counter) => {
                let c = state.centres.get(code).await.map_err(|_| not_found())?;
                Centres::check(&s.v.actor, Action::Assist, &c)
                    .map_err(|e| crate::error::page_error(state, s.v.lang, e))?;
                if c.counter(counter).is_none() {
                    return Err(not_found());
                }
                Ok(Desk::Counter(Box::new(c), counter.clone()))
            }
            None => {
                let a = lango_agents::registry::get(&state.db, code)
                    .await
                    .map_err(|_| not_found())?;
                let object = Object::Agent {
                    code: &a.code,
                    business: &a.business_id,
                };
                check(&s.v.actor, Action::Assist, object)
                    .map_err(|e| crate::error::page_error(state, s.v.lang, e))?;
                Ok(Desk::Agent(Box::new(a)))
            }
        }
    }

    /// Where its assistance pages live.
    pub(crate) fn at(&self) -> String {
        match self {
            Desk::Counter(c, counter) => super::base(&c.code, counter),
            Desk::Agent(a) => format!("/agent/{}/assist", a.code),
        }
    }

    /// The page to go back to from the find form, with its words' key.
    pub(crate) fn back(&self) -> (String, &'static str) {
        match self {
            Desk::Counter(c, counter) => (
                format!("/desk/{}/counters/{counter}", c.code),
                "assist_back_counter",
            ),
            Desk::Agent(a) => (format!("/agent/{}", a.code), "agent_back_desk"),
        }
    }

    /// The assistance of `s`'s session, if it is at this desk.
    pub(crate) fn assisting<'a>(&self, s: &'a SignedIn) -> Option<&'a Assist> {
        s.v.assisting.as_ref().filter(|a| match self {
            Desk::Counter(c, counter) => {
                a.agent.is_none() && a.centre == c.code && a.counter == *counter
            }
            Desk::Agent(g) => a.agent.as_deref() == Some(g.code.as_str()),
        })
    }

    /// The services offered here, by code.
    pub(crate) fn offered(&self) -> Vec<String> {
        match self {
            Desk::Counter(c, _) => c.offers.iter().map(|o| o.service.clone()).collect(),
            Desk::Agent(a) => a.services.clone(),
        }
    }

    /// Who the person's code names, in their language.
    pub(crate) fn helper<'a>(&'a self, lang: &str) -> Helper<'a> {
        match self {
            Desk::Counter(c, _) => Helper::Centre(&c.code, c.name_in(lang)),
            Desk::Agent(a) => Helper::Agent(&a.code, &a.name),
        }
    }

    /// The agent's code, at an agent's desk.
    pub(crate) fn agent(&self) -> Option<&str> {
        match self {
            Desk::Counter(..) => None,
            Desk::Agent(a) => Some(&a.code),
        }
    }

    /// True at a centre: staff may register a person and record a document they
    /// inspected. An agent acts only on the code the person gives it.
    pub(crate) fn is_centre(&self) -> bool {
        matches!(self, Desk::Counter(..))
    }
}
