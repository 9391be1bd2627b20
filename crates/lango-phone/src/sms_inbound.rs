//! Inbound SMS: a message from a phone (Africa's Talking's fields) is read as a keyword
//! ([`crate::sms`]), acted on once, and answered through the SMS outbox.
//!
//! Once: every message is claimed by the gateway's id in `sms_inbound` before anything is
//! done, so a message delivered twice acts once. Rate-limited: a phone gets answers to at
//! most [`PER_WINDOW`] messages in a window of [`WINDOW_MS`] (from its first message); past
//! that one message says so and the rest change nothing (no reply, no opt-out, no M-Pesa
//! request). The count is kept in the database, so it holds across every node behind the
//! gateway.

use crate::prefs::{self, Lang};
use crate::sms::{self, Awaited, BillState, Command, Prompt, Reply};
use lango_cases::definition::model::Actor;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::reference::Fault;
use lango_core::Result;
use lango_notify::{Channel, Message};
use lango_payments::stk::{self, Refusal};
use lango_payments::{BillReference, BillStatus};
use sha2::{Digest, Sha256};

/// Messages from one phone answered in a window.
pub const PER_WINDOW: i64 = 5;
/// The rate-limit window, ms: ten minutes from a phone's first message in it.
pub const WINDOW_MS: i64 = 10 * 60_000;

/// A message as the gateway posts it (form fields `from`, `to`, `text`, `date`, `id`,
/// `linkId`).
#[derive(Debug, Clone, Default)]
pub struct Inbound {
    /// The sender's number.
    pub from: String,
    /// Our short code or long number.
    pub to: String,
    /// What they wrote.
    pub text: String,
    /// When the gateway received it, as it writes it.
    pub date: String,
    /// The gateway's id for the message (unique per message).
    pub id: String,
    /// The gateway's link for a premium reply (unused: replies are ordinary messages).
    pub link_id: String,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Acted on and answered (or, for a survey reply that needs none, acted on).
    Answered(Option<Reply>),
    /// The same message again: nothing done.
    Repeat,
    /// Over the phone's limit: nothing done (the first one over is told so).
    Limited,
    /// Not from a phone number: nothing done.
    Ignored,
}

/// Paying from a phone: M-Pesa Express when configured, else the paybill.
pub struct Mpesa {
    /// Where the node's prompts start (the same as the payment page's).
    pub prompter: stk::Prompter,
    /// The paybill number people pay with by hand.
    pub shortcode: String,
}

/// Everything an inbound message may touch.
pub struct SmsDesk<'a> {
    /// The database.
    pub db: &'a Db,
    /// Applications.
    pub cases: &'a lango_cases::Cases,
    /// Service names.
    pub catalogue: &'a lango_catalogue::Catalogue,
    /// Application surveys (a score answers one).
    pub insights: &'a lango_insights::Insights,
    /// Centre exit surveys.
    pub centres: &'a lango_centres::Centres,
    /// Paying.
    pub mpesa: Mpesa,
}

/// The message's key: the gateway's id, else (a gateway that sends none) a digest of what
/// identifies it, so a redelivery is still recognised; `None` when nothing does.
fn message_key(m: &Inbound) -> Option<String> {
    let id = m.id.trim();
    if !id.is_empty() {
        return Some(id.chars().take(200).collect());
    }
    if m.date.trim().is_empty() {
        return None;
    }
    let digest = Sha256::digest(format!("{}\n{}\n{}\n{}", m.from, m.to, m.date, m.text));
    Some(format!("sha256:{}", hex::encode(digest)))
}

impl SmsDesk<'_> {
    /// Handles one message: claims it, checks the phone's limit, acts, and answers.
    pub async fn receive(&self, m: &Inbound) -> Result<Handled> {
        let Ok(phone) = lango_identity::model::Phone::parse(&m.from) else {
            return Ok(Handled::Ignored);
        };
        let phone = phone.as_str();
        let parsed = sms::parse(&m.text);
        let key = message_key(m).unwrap_or_else(|| format!("anon:{}", uuid::Uuid::new_v4()));
        let now = now_ms();
        let claimed = sqlx::query(
            "INSERT INTO sms_inbound (message_id, phone, kind, received_at, outcome) \
             VALUES ($1, $2, $3, $4, 'received') ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(&key)
        .bind(phone)
        .bind(parsed.command.kind())
        .bind(now)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(Handled::Repeat);
        }
        // One counter row per phone, bumped atomically: every message of a window gets its
        // own number, also when a gateway delivers a flood at once.
        let nth: i64 = sqlx::query_scalar(
            "INSERT INTO sms_senders (phone, window_start, messages) VALUES ($1, $2, 1) \
             ON CONFLICT (phone) DO UPDATE SET \
             messages = CASE WHEN sms_senders.window_start > $3 THEN sms_senders.messages + 1 ELSE 1 END, \
             window_start = CASE WHEN sms_senders.window_start > $3 THEN sms_senders.window_start ELSE $2 END \
             RETURNING messages",
        )
        .bind(phone)
        .bind(now)
        .bind(now - WINDOW_MS)
        .fetch_one(self.db.pool())
        .await?;
        let lang = match parsed.lang {
            Some(l) => l,
            None => prefs::lang(self.db, phone).await?,
        };
        if nth > PER_WINDOW {
            let tell = (nth == PER_WINDOW + 1).then_some(Reply::TooMany {
                minutes: WINDOW_MS / 60_000,
            });
            self.finish(&key, phone, "limited", tell.as_ref(), lang)
                .await?;
            tracing::info!(
                kind = parsed.command.kind(),
                "inbound SMS over the phone's limit"
            );
            return Ok(Handled::Limited);
        }
        let reply = match self.act(phone, &parsed.command, lang).await {
            Ok(r) => r,
            Err(e) => {
                // Unclaimed, so the gateway's retry is handled: nothing was done that a
                // second try repeats (a prompt already sent is refused as pending).
                let _ = sqlx::query("DELETE FROM sms_inbound WHERE message_id = $1")
                    .bind(&key)
                    .execute(self.db.pool())
                    .await;
                return Err(e);
            }
        };
        self.finish(&key, phone, "answered", reply.as_ref(), lang)
            .await?;
        tracing::info!(kind = parsed.command.kind(), "inbound SMS answered");
        Ok(Handled::Answered(reply))
    }

    /// Puts the answer in the outbox and marks the message done, together.
    async fn finish(
        &self,
        key: &str,
        phone: &str,
        outcome: &str,
        reply: Option<&Reply>,
        lang: Lang,
    ) -> Result<()> {
        let mut tx = self.db.pool().begin().await?;
        if let Some(r) = reply {
            let message = Message {
                account_id: None,
                channel: Channel::Sms,
                recipient: phone.to_string(),
                subject: String::new(),
                body: r.text(lang),
            };
            lango_notify::enqueue(&mut tx, &message).await?;
        }
        sqlx::query("UPDATE sms_inbound SET outcome = $1 WHERE message_id = $2")
            .bind(outcome)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Does what the message asks; the answer, if one is due.
    async fn act(&self, phone: &str, command: &Command, lang: Lang) -> Result<Option<Reply>> {
        Ok(Some(match command {
            Command::Help => Reply::Help,
            Command::Mobile(county) => self.stops(county).await?,
            Command::Unknown => Reply::Unknown,
            Command::Stop | Command::Start => {
                let out = *command == Command::Stop;
                let mut conn = self.db.pool().acquire().await?;
                lango_notify::optout::set_opted_out(&mut conn, phone, out).await?;
                if out {
                    Reply::Stopped
                } else {
                    Reply::Started
                }
            }
            Command::Score(score) => return self.score(phone, *score).await,
            Command::Status(typed) => self.status(phone, typed, lang).await?,
            Command::Pay(typed) => self.pay(phone, typed, lang).await?,
        }))
    }

    /// The next three stops of mobile centres in the next 14 days (in `typed` county when
    /// it names one).
    async fn stops(&self, typed: &str) -> Result<Reply> {
        let canon = |c: &str| lango_cases::definition::counties::county(c.trim());
        let county = canon(typed).unwrap_or_default();
        let stops = self
            .centres
            .upcoming_stops(14)
            .await?
            .into_iter()
            .filter(|u| county.is_empty() || canon(&u.county) == Some(county))
            .take(3)
            .map(|u| (u.date, u.place, u.county, u.hours))
            .collect();
        Ok(Reply::Stops {
            stops,
            county: county.to_string(),
        })
    }

    /// A score answers the latest survey sent to the phone: an application's, else a
    /// centre's, by the same rules as `/channels/sms/incoming`.
    async fn score(&self, phone: &str, score: u8) -> Result<Option<Reply>> {
        use lango_insights::survey::Outcome;
        // The score as the keyword reader found it (invisible marks stripped), not the raw
        // text, which the surveys would read again and might not.
        let text = score.to_string();
        let text = text.as_str();
        let reply = match self.insights.answer_sms(phone, text).await? {
            Some(Outcome::Recorded) => Reply::Thanks,
            Some(Outcome::AlreadyAnswered) => Reply::AlreadyAnswered,
            // Too many attempts: the survey's own limit says nothing more.
            Some(_) => return Ok(None),
            None => match self.centres.answer_sms(phone, text).await? {
                Some(true) => Reply::Thanks,
                Some(false) => Reply::AlreadyAnswered,
                // No survey asked this phone: a number alone means nothing else.
                None => Reply::Unknown,
            },
        };
        Ok(Some(reply))
    }

    /// `STATUS REF`: an application's (or a bill's) state.
    async fn status(&self, phone: &str, typed: &str, lang: Lang) -> Result<Reply> {
        if typed.trim().is_empty() {
            return Ok(Reply::NeedReference { pay: false });
        }
        match lango_core::reference::parse(typed, "A", lango_cases::reference::LEN) {
            Ok(reference) => self.application(phone, &reference, lang).await,
            Err(app_fault) => match BillReference::parse(typed) {
                Ok(bill) => self.bill(phone, &bill, false, lang).await,
                Err(lango_payments::reference::ReferenceError::Check) => {
                    Ok(Reply::Typo { pay: false })
                }
                Err(_) if app_fault == Fault::Check => Ok(Reply::Typo { pay: false }),
                Err(_) => Ok(Reply::NotAReference { pay: false }),
            },
        }
    }

    /// `PAY REF`: a bill's service and balance, and an M-Pesa request to this phone.
    async fn pay(&self, phone: &str, typed: &str, lang: Lang) -> Result<Reply> {
        if typed.trim().is_empty() {
            return Ok(Reply::NeedReference { pay: true });
        }
        match BillReference::parse(typed) {
            Ok(bill) => self.bill(phone, &bill, true, lang).await,
            Err(lango_payments::reference::ReferenceError::Check) => Ok(Reply::Typo { pay: true }),
            Err(_) => Ok(Reply::NotAReference { pay: true }),
        }
    }

    /// The service's name in `lang` (its code when the catalogue lacks it).
    fn service_name(&self, code: &str, lang: Lang) -> String {
        lango_catalogue::ServiceCode::parse(code)
            .ok()
            .and_then(|c| self.catalogue.snapshot().service(&c))
            .map(|h| {
                let s = &h.entry.service;
                if lang.is_local() && !s.name_sw.is_empty() {
                    s.name_sw.clone()
                } else {
                    s.name.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    }

    /// Application `reference`: its state to anyone; service and what is awaited only to
    /// the applicant's own confirmed phone.
    async fn application(&self, phone: &str, reference: &str, lang: Lang) -> Result<Reply> {
        let app = {
            let mut conn = self.db.pool().acquire().await?;
            lango_cases::store::by_reference(&mut conn, reference).await?
        };
        // A draft is not an application yet: whether it exists is not told.
        let Some(app) = app.filter(|a| a.state != lango_cases::application::DRAFT) else {
            return Ok(Reply::NotFound {
                reference: reference.to_string(),
            });
        };
        let def = self
            .cases
            .definition(&app.service, Some(app.version))
            .await?;
        let here = def.as_ref().and_then(|d| d.definition.state(&app.state));
        let state = here
            .map(|s| match (&s.label.sw, lang) {
                (Some(sw), l) if l.is_local() && !sw.is_empty() => sw.clone(),
                _ => s.label.en.clone(),
            })
            .unwrap_or_else(|| app.state.clone());
        let applicant = lango_identity::account::get(self.db, &app.applicant)
            .await
            .ok()
            .is_some_and(|a| a.phone_verified && a.phone.as_deref() == Some(phone));
        if !applicant {
            return Ok(Reply::State {
                reference: app.reference,
                state,
            });
        }
        let due = match (&app.bill_reference, app.awaiting_payment) {
            (Some(r), true) => lango_payments::bills::get(self.db, r)
                .await?
                .filter(|b| b.status.is_payable()),
            _ => None,
        };
        let awaited = match (due, here) {
            (Some(bill), _) => Awaited::Payment {
                reference: BillReference::parse(&bill.reference)
                    .map(|r| r.to_string())
                    .unwrap_or(bill.reference.clone()),
                balance: bill.balance().display(),
            },
            (None, Some(s)) if s.actor == Actor::Applicant => Awaited::Answer,
            (None, Some(s)) if s.appointment.is_some() => Awaited::Appointment,
            _ => Awaited::Nothing,
        };
        Ok(Reply::Application {
            service: self.service_name(&app.service, lang),
            reference: app.reference,
            state,
            awaited,
        })
    }

    /// Bill `bill`: service, balance and state; with `prompt`, an M-Pesa request for the
    /// balance to this phone when it can be paid.
    async fn bill(
        &self,
        phone: &str,
        bill: &BillReference,
        prompt: bool,
        lang: Lang,
    ) -> Result<Reply> {
        let Some(view) = stk::pay_view(self.db, bill.as_str()).await? else {
            return Ok(Reply::NotFound {
                reference: bill.to_string(),
            });
        };
        let state = match view.bill.status {
            BillStatus::Open | BillStatus::PartlyPaid => BillState::Due,
            BillStatus::Paid => BillState::Paid,
            BillStatus::Cancelled => BillState::Cancelled,
            BillStatus::Expired => BillState::Expired,
        };
        let paybill = || Prompt::Paybill {
            shortcode: self.mpesa.shortcode.clone(),
        };
        let prompt = match (state, prompt) {
            (BillState::Due, true)
                if view.prompt_possible && self.mpesa.prompter.is_configured() =>
            {
                match self
                    .mpesa
                    .prompter
                    .start(self.db, bill.as_str(), phone)
                    .await?
                {
                    Ok(_) => Prompt::Sent,
                    Err(Refusal::Pending) => Prompt::Waiting,
                    Err(why) => {
                        tracing::info!(reason = why.code(), "no M-Pesa request from SMS");
                        paybill()
                    }
                }
            }
            (BillState::Due, true) => paybill(),
            _ => Prompt::None,
        };
        Ok(Reply::Bill {
            reference: bill.to_string(),
            service: self.service_name(&view.service_code, lang),
            balance: view.bill.balance().display(),
            state,
            prompt,
        })
    }
}
