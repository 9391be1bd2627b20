//! Exit satisfaction at service centres: when a ticket is finished (served) its holder is
//! asked once how satisfied they were, by SMS when the ticket has a phone (a reply 1–5
//! answers) or on the counter's tablet page. The scores join the centre figures.

use crate::calendar;
use crate::model::Centre;
use crate::Centres;
use lango_core::clock::now_ms;
use lango_core::db::{backend_of, marks_from};
use lango_core::Result;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// How long an SMS invitation can be answered.
pub const SMS_REPLY_OPEN_MS: i64 = 24 * 60 * 60 * 1000;

/// A finished ticket whose holder is to be asked, kept until the end of the queue
/// committer's group: the group's invitations are one insert, not one each.
pub(crate) struct Invite {
    centre: Centre,
    ticket_id: String,
    number: String,
    service: String,
    day: String,
    phone: Option<String>,
}

impl Invite {
    /// The invitation for a finished ticket's row (`id, number, service, day, phone`), as a
    /// change of `queue` returns it.
    pub(crate) fn of_row(centre: &Centre, r: &sqlx::any::AnyRow) -> Result<Invite> {
        Ok(Invite {
            centre: centre.clone(),
            ticket_id: r.try_get("id")?,
            number: r.try_get("number")?,
            service: r.try_get("service")?,
            day: r.try_get("day")?,
            phone: r.try_get("phone")?,
        })
    }
}

/// Records that the tickets of `invites` were finished and asks each holder, by SMS when
/// there is a phone. Once per ticket (a ticket already invited is left as it was).
pub(crate) async fn invite_all(tx: &mut sqlx::AnyConnection, invites: &[Invite]) -> Result<()> {
    let backend = backend_of(tx);
    let now = now_ms();
    // 6 values a row: 100 rows stay far under both engines' bind limits.
    for chunk in invites.chunks(100) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", marks_from(backend, 1 + i * 6, 6)))
            .collect();
        let sql = format!(
            "INSERT INTO ticket_surveys (ticket_id, centre, service, day, phone, invited_at) VALUES {} \
             ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id",
            rows.join(", ")
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for i in chunk {
            q = q
                .bind(&i.ticket_id)
                .bind(&i.centre.code)
                .bind(&i.service)
                .bind(&i.day)
                .bind(&i.phone)
                .bind(now);
        }
        let added: HashSet<String> = q.fetch_all(&mut *tx).await?.into_iter().collect();
        for i in chunk {
            if let Some(phone) = i.phone.as_deref().filter(|_| added.contains(&i.ticket_id)) {
                if lango_notify::optout::sms_allowed(tx, "ticket.survey", phone).await? {
                    ask_by_sms(tx, i, phone).await?;
                } else {
                    // Opted out of surveys (SMS STOP): not asked, so a later "5" from that
                    // phone must not score this visit. The tablet may still rate it.
                    sqlx::query("UPDATE ticket_surveys SET phone = NULL WHERE ticket_id = $1")
                        .bind(&i.ticket_id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// Sends the invitation's SMS (inside the group's transaction, through the outbox).
async fn ask_by_sms(tx: &mut sqlx::AnyConnection, i: &Invite, phone: &str) -> Result<()> {
    // A ticket carries no language: Kiswahili, as the "nearly your turn" SMS.
    let lang = "sw";
    let to = lango_notify::Recipient {
        account_id: None,
        name: String::new(),
        phone: Some(phone.to_string()),
        email: None,
        language: lang.into(),
        preference: lango_notify::Preference::Sms,
    };
    let names: Option<(String, String)> =
        sqlx::query_as("SELECT name, name_sw FROM services WHERE code = $1")
            .bind(&i.service)
            .fetch_optional(&mut *tx)
            .await?;
    let service_name = match names {
        Some((_, sw)) if !sw.is_empty() => sw,
        Some((en, _)) => en,
        None => i.service.clone(),
    };
    let values = HashMap::from([
        ("number", i.number.as_str()),
        ("service", service_name.as_str()),
        ("centre", i.centre.name_in(lang)),
    ]);
    lango_notify::notify(tx, &to, "ticket.survey", &values).await?;
    Ok(())
}

/// Whether a ticket can be rated on the counter's tablet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rating {
    /// Served today at the centre and not yet rated: its service's code.
    Open(String),
    /// Already rated.
    Rated,
    /// No ticket of that number was served today at the centre.
    NotServed,
}

/// What a rating did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rated {
    /// Stored.
    Recorded,
    /// The ticket was already rated: nothing changed.
    AlreadyRated,
    /// Not a ticket served today at the centre: nothing changed.
    NotServed,
}

/// Ticket `number` of `c` served on `day`: (id, service, phone).
async fn served_on(
    db: &lango_core::db::Db,
    c: &Centre,
    number: &str,
    day: &str,
) -> Result<Option<(String, String, Option<String>)>> {
    let row = sqlx::query(
        "SELECT id, service, phone FROM tickets WHERE centre = $1 AND number = $2 AND day = $3 AND status = 'served'",
    )
    .bind(&c.code)
    .bind(number.trim().to_ascii_uppercase())
    .bind(day)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("service")?, r.try_get("phone")?)))
        .transpose()
}

impl Centres {
    /// Answers by SMS: `text` from `from` scores the latest unanswered invitation sent to
    /// that number in the last 24 hours. `None` when there is none; `Some(false)` when the
    /// reply is not a score 1–5 (nothing changes).
    pub async fn answer_sms(&self, from: &str, text: &str) -> Result<Option<bool>> {
        let Ok(phone) = lango_identity::model::Phone::parse(from) else {
            return Ok(None);
        };
        let now = now_ms();
        // A read, then one guarded update: most replies answer no centre survey, and none
        // of them should take the write lock to find that out.
        let id: Option<String> = sqlx::query_scalar(
            "SELECT ticket_id FROM ticket_surveys WHERE phone = $1 AND invited_at >= $2 AND score IS NULL \
             ORDER BY invited_at DESC, ticket_id DESC LIMIT 1",
        )
        .bind(phone.as_str())
        .bind(now - SMS_REPLY_OPEN_MS)
        .fetch_optional(self.db.pool())
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let Some(score) = lango_notify::sms::reply_score(text).map(i64::from) else {
            return Ok(Some(false));
        };
        let done = sqlx::query(
            "UPDATE ticket_surveys SET score = $1, answered_at = $2, channel = 'sms' WHERE ticket_id = $3 AND score IS NULL",
        )
        .bind(score)
        .bind(now)
        .bind(&id)
        .execute(self.db.pool())
        .await?;
        Ok(Some(done.rows_affected() == 1))
    }

    /// Whether ticket `number` of `c` can be rated now.
    pub async fn rating(&self, c: &Centre, number: &str) -> Result<Rating> {
        let today = calendar::date_of(now_ms());
        let Some((id, service, _)) = served_on(&self.db, c, number, &today).await? else {
            return Ok(Rating::NotServed);
        };
        let score: Option<Option<i64>> =
            sqlx::query_scalar("SELECT score FROM ticket_surveys WHERE ticket_id = $1")
                .bind(&id)
                .fetch_optional(self.db.pool())
                .await?;
        Ok(match score {
            Some(Some(_)) => Rating::Rated,
            _ => Rating::Open(service),
        })
    }

    /// Rates ticket `number` of `c` `score` (1–5) from the counter's tablet: only a ticket
    /// served today at `c` and not yet rated.
    pub async fn rate(&self, c: &Centre, number: &str, score: i64) -> Result<Rated> {
        self.rate_on(c, number, score, "page").await
    }

    /// [`Centres::rate`] from another channel (`ussd`: the phone's menu), counted as its.
    pub async fn rate_on(
        &self,
        c: &Centre,
        number: &str,
        score: i64,
        channel: &'static str,
    ) -> Result<Rated> {
        if !(1..=5).contains(&score) {
            return Err(lango_core::Error::invalid(
                "score",
                "choose how satisfied you were",
            ));
        }
        let now = now_ms();
        let day = calendar::date_of(now);
        let Some((id, service, phone)) = served_on(&self.db, c, number, &day).await? else {
            return Ok(Rated::NotServed);
        };
        // One statement: the invitation made answered, or the answer made with its own
        // invitation (a ticket without a phone was never invited); a rated one stays.
        let done = sqlx::query(
            "INSERT INTO ticket_surveys (ticket_id, centre, service, day, phone, invited_at, score, answered_at, channel) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8) \
             ON CONFLICT (ticket_id) DO UPDATE SET score = excluded.score, answered_at = excluded.answered_at, \
             channel = excluded.channel WHERE ticket_surveys.score IS NULL",
        )
        .bind(&id)
        .bind(&c.code)
        .bind(&service)
        .bind(&day)
        .bind(phone)
        .bind(now)
        .bind(score)
        .bind(channel)
        .execute(self.db.pool())
        .await?;
        Ok(if done.rows_affected() == 1 {
            Rated::Recorded
        } else {
            Rated::AlreadyRated
        })
    }

    /// The number of the ticket counter `counter` of `c` finished last today, while it is
    /// not yet rated (the counter page links to its rating).
    pub async fn last_unrated(&self, c: &Centre, counter: &str) -> Result<Option<String>> {
        let number: Option<String> = sqlx::query_scalar(
            "SELECT t.number FROM tickets t WHERE t.centre = $1 AND t.counter = $2 AND t.day = $3 AND t.status = 'served' \
             AND NOT EXISTS (SELECT 1 FROM ticket_surveys s WHERE s.ticket_id = t.id AND s.score IS NOT NULL) \
             AND t.finished_at = (SELECT MAX(u.finished_at) FROM tickets u WHERE u.centre = $1 AND u.counter = $2 AND u.day = $3 AND u.status = 'served') \
             LIMIT 1",
        )
        .bind(&c.code)
        .bind(counter)
        .bind(calendar::date_of(now_ms()))
        .fetch_optional(self.db.pool())
        .await?;
        Ok(number)
    }
}
