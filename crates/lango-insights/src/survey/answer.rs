//! Answering the survey: on the page (the applicant, or someone acting for them, of a
//! completed application) and by SMS reply (matched to the latest open invitation of the
//! number). One response per application, attempts rate-limited per application, and the
//! aggregate written in the same transaction as the response.

use super::model::{sms_score, Answer, Problem, RawAnswer, SurveyChannel};
use super::store::{self, Target};
use crate::Insights;
use lango_cases::definition::model::Outcome as CaseOutcome;
use lango_core::clock::now_ms;
use lango_core::{Error, Result};
use lango_identity::policy::{may, Action, Actor, Object};
use sqlx::Row;

/// Attempts to answer allowed per application in one window…
pub const ATTEMPTS_PER_WINDOW: i64 = 5;
/// …of this long (an hour).
pub const ATTEMPT_WINDOW_MS: i64 = 3_600_000;
/// An SMS reply is matched to an invitation sent at most this long ago (30 days).
pub const SMS_REPLY_OPEN_MS: i64 = 30 * 86_400_000;

/// A completed application's survey, as its applicant sees it.
#[derive(Debug, Clone)]
pub struct Survey {
    /// The application's reference.
    pub reference: String,
    /// The service's catalogue code.
    pub service: String,
    /// The agency that delivered it.
    pub agency: String,
    /// True once the survey has its response.
    pub answered: bool,
}

/// What became of an attempt to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored and counted.
    Recorded,
    /// The application already had its response: nothing changed.
    AlreadyAnswered,
    /// Too many attempts for this application in the window: nothing stored.
    TooManyAttempts,
    /// The answers had problems: nothing stored.
    Invalid(Vec<Problem>),
}

impl Insights {
    /// The application `reference` if `actor` may answer its survey: it must be theirs (or
    /// one they act for) and completed. `NotFound` for no such application, `Forbidden` for
    /// someone else's, `Conflict` while it is not completed.
    async fn target_for(&self, actor: &Actor, reference: &str) -> Result<Target> {
        let canonical = lango_cases::reference::parse(reference)
            .ok_or_else(|| Error::NotFound("application".into()))?;
        let app = {
            let mut conn = self.db.pool().acquire().await?;
            lango_cases::store::by_reference(&mut conn, &canonical).await?
        }
        .ok_or_else(|| Error::NotFound("application".into()))?;
        let object = Object::Case {
            applicant: &app.applicant,
            business: app.business.as_deref(),
            agency: &app.agency,
        };
        // Editing is the applicant's (and their representatives' and guardians'): staff
        // who may only view the case do not answer for the citizen.
        if !may(actor, Action::Edit, object) {
            return Err(Error::Forbidden("you are not allowed to do that".into()));
        }
        let versioned = self
            .cases
            .definition(&app.service, Some(app.version))
            .await?
            .ok_or_else(|| {
                Error::Internal(format!(
                    "definition {} v{} missing",
                    app.service, app.version
                ))
            })?;
        let completed = versioned
            .definition
            .state(&app.state)
            .is_some_and(|s| s.outcome == Some(CaseOutcome::Completed));
        if !completed {
            return Err(Error::Conflict(
                "the survey opens once the application is completed".into(),
            ));
        }
        Ok(Target {
            application_id: app.id,
            reference: app.reference,
            agency: app.agency,
            service: app.service,
        })
    }

    /// The survey of application `reference` for `actor` (see the errors of answering).
    pub async fn survey(&self, actor: &Actor, reference: &str) -> Result<Survey> {
        let t = self.target_for(actor, reference).await?;
        let mut conn = self.db.pool().acquire().await?;
        let answered = store::answered(&mut conn, &t.application_id).await?;
        Ok(Survey {
            reference: t.reference,
            service: t.service,
            agency: t.agency,
            answered,
        })
    }

    /// Answers the survey of application `reference` from the page.
    pub async fn answer_survey(
        &self,
        actor: &Actor,
        reference: &str,
        raw: &RawAnswer,
    ) -> Result<Outcome> {
        self.answer_survey_on(actor, reference, raw, SurveyChannel::Page)
            .await
    }

    /// [`Insights::answer_survey`] from another channel (the USSD menu), counted as its.
    pub async fn answer_survey_on(
        &self,
        actor: &Actor,
        reference: &str,
        raw: &RawAnswer,
        channel: SurveyChannel,
    ) -> Result<Outcome> {
        let t = self.target_for(actor, reference).await?;
        self.decide(&t, channel, Answer::parse(raw)).await
    }

    /// Answers by SMS: `text` from the number `from` (as the gateway writes it) answers the
    /// latest open invitation sent to that number. `None` when no invitation matches.
    pub async fn answer_sms(&self, from: &str, text: &str) -> Result<Option<Outcome>> {
        let Ok(phone) = lango_identity::model::Phone::parse(from) else {
            return Ok(None);
        };
        // Open invitations first, newest first; an answered one only when no other is open
        // (so its reply is told "already answered").
        let row = sqlx::query(
            "SELECT i.application_id, i.reference FROM survey_invitations i \
             WHERE i.phone = $1 AND i.invited_at >= $2 \
             ORDER BY CASE WHEN EXISTS (SELECT 1 FROM survey_responses r WHERE r.application_id = i.application_id) \
               THEN 1 ELSE 0 END, i.invited_at DESC LIMIT 1",
        )
        .bind(phone.as_str())
        .bind(now_ms() - SMS_REPLY_OPEN_MS)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let reference: String = row.try_get("reference")?;
        let app = {
            let mut conn = self.db.pool().acquire().await?;
            lango_cases::store::by_reference(&mut conn, &reference).await?
        };
        let Some(app) = app else {
            return Ok(None);
        };
        let t = Target {
            application_id: app.id,
            reference: app.reference,
            agency: app.agency,
            service: app.service,
        };
        let parsed = sms_score(text).map(Answer::overall_only).ok_or_else(|| {
            vec![Problem {
                field: "overall",
                code: "survey_sms_unreadable",
            }]
        });
        let outcome = self.decide(&t, SurveyChannel::Sms, parsed).await?;
        tracing::info!(reference = %t.reference, outcome = ?outcome, "survey SMS reply");
        Ok(Some(outcome))
    }

    /// One attempt, in one transaction: count it, refuse a second response or too many
    /// attempts, else store the response and add it to the aggregate.
    async fn decide(
        &self,
        t: &Target,
        channel: SurveyChannel,
        parsed: std::result::Result<Answer, Vec<Problem>>,
    ) -> Result<Outcome> {
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        // Written first: SQLite takes its write lock here, PostgreSQL locks the row.
        store::ensure_invitation(&mut tx, t, now).await?;
        let attempts =
            store::count_attempt(&mut tx, &t.application_id, now, ATTEMPT_WINDOW_MS).await?;
        let outcome = if store::answered(&mut tx, &t.application_id).await? {
            Outcome::AlreadyAnswered
        } else if attempts > ATTEMPTS_PER_WINDOW {
            Outcome::TooManyAttempts
        } else {
            match parsed {
                Err(problems) => Outcome::Invalid(problems),
                Ok(answer) => {
                    if store::insert_response(&mut tx, t, channel, &answer, now).await? {
                        Outcome::Recorded
                    } else {
                        Outcome::AlreadyAnswered
                    }
                }
            }
        };
        // Committed whatever the outcome: the attempt counts.
        tx.commit().await?;
        Ok(outcome)
    }
}
