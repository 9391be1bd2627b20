//! Inviting the applicants of completed applications: follows `application.completed`
//! events with a cursor of its own (`surveys`) and, in the transaction that moves it, records
//! each invitation and puts the one-question SMS (or, for those who chose e-mail, the
//! invitation to the page) in the notification outbox. Each event invites once, also when
//! several nodes follow at the same time.

use super::store;
use crate::Insights;
use lango_core::clock::now_ms;
use lango_core::Result;
use lango_notify::Channel;
use sqlx::Row;
use std::collections::HashMap;

/// This follower's cursor in `event_cursors`.
pub const CURSOR: &str = "surveys";
/// Events read per transaction.
const BATCH: i64 = 200;
/// Batches per round at most, so one round never runs long.
const ROUNDS: usize = 20;
/// The notification that asks the survey question.
pub const INVITATION_EVENT: &str = "survey.invitation";

impl Insights {
    /// Invites the applicants of newly completed applications to the survey (one SMS
    /// question when they have a phone); follows `application.completed` events.
    pub async fn invite_surveys(&self) -> Result<()> {
        for _ in 0..ROUNDS {
            if self.invite_batch().await? < BATCH {
                break;
            }
        }
        Ok(())
    }

    /// One batch of invitations; returns how many completions it read.
    async fn invite_batch(&self) -> Result<i64> {
        // A cheap look without a transaction: an idle node writes nothing.
        let cursor = lango_notify::events::cursor(&self.db, CURSOR).await?;
        let head = lango_notify::events::head(self.db.pool()).await?;
        if head <= cursor {
            return Ok(0);
        }
        // Whom the batch will invite, read before the transaction so that it never waits
        // for a pooled connection while holding the write lock.
        let mut people: HashMap<String, Option<Invitee>> = HashMap::new();
        {
            let mut conn = self.db.pool().acquire().await?;
            for (_, reference) in completed_after(&mut conn, cursor, head).await? {
                let invitee = self.invitee(&mut conn, &reference).await?;
                people.insert(reference, invitee);
            }
        }
        let mut tx = self.db.pool().begin().await?;
        let cursor = lango_notify::events::hold_cursor(&mut tx, CURSOR).await?;
        let head = lango_notify::events::head(&mut *tx).await?;
        let events = completed_after(&mut tx, cursor, head).await?;
        let mut to = if events.len() as i64 == BATCH {
            events.last().map_or(head, |(seq, _)| *seq)
        } else {
            head
        };
        let mut read = 0;
        for (seq, reference) in &events {
            match people.get(reference) {
                Some(Some(invitee)) => self.invite_one(&mut tx, invitee).await?,
                Some(None) => {}
                // Completed after the look above: the next round invites from here.
                None => {
                    to = seq - 1;
                    break;
                }
            }
            read += 1;
        }
        lango_notify::events::set_cursor(&mut tx, CURSOR, to).await?;
        tx.commit().await?;
        Ok(read)
    }

    /// The applicant of application `reference` and how to reach them; `None` when either is
    /// gone (nobody to invite).
    async fn invitee(
        &self,
        conn: &mut sqlx::AnyConnection,
        reference: &str,
    ) -> Result<Option<Invitee>> {
        let Some(app) = lango_cases::store::by_reference(conn, reference).await? else {
            tracing::warn!(
                reference,
                "completed application not found: no survey invitation"
            );
            return Ok(None);
        };
        let account = match lango_identity::account::get(&self.db, &app.applicant).await {
            Ok(a) => a,
            Err(lango_core::Error::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(Invitee {
            application_id: app.id,
            reference: app.reference,
            service: app.service,
            to: lango_identity::messages::recipient(&account),
        }))
    }

    /// Invites `who` inside `tx`, unless the application is already answered (on the page,
    /// before the follower came by).
    async fn invite_one(&self, tx: &mut sqlx::AnyConnection, who: &Invitee) -> Result<()> {
        if store::answered(tx, &who.application_id).await? {
            return Ok(());
        }
        let phone = who
            .to
            .routes()
            .into_iter()
            .find(|(c, _)| *c == Channel::Sms)
            .map(|(_, p)| p.to_string());
        // A phone that opted out (SMS STOP) is not asked, so its later "5" answers nothing.
        let phone = match phone {
            Some(p) if !lango_notify::optout::sms_allowed(tx, INVITATION_EVENT, &p).await? => None,
            p => p,
        };
        sqlx::query(
            "INSERT INTO survey_invitations (application_id, reference, phone, invited_at, attempts, window_start) \
             VALUES ($1, $2, $3, $4, 0, 0) \
             ON CONFLICT (application_id) DO UPDATE SET phone = excluded.phone, invited_at = excluded.invited_at",
        )
        .bind(&who.application_id)
        .bind(&who.reference)
        .bind(phone)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let names = sqlx::query("SELECT name, name_sw FROM services WHERE code = $1")
            .bind(&who.service)
            .fetch_optional(&mut *tx)
            .await?;
        let service = match names {
            Some(r) => {
                let (en, sw): (String, String) = (r.try_get("name")?, r.try_get("name_sw")?);
                if who.to.language != "en" && !sw.is_empty() {
                    sw
                } else {
                    en
                }
            }
            None => who.service.clone(),
        };
        let values = HashMap::from([
            ("reference", who.reference.as_str()),
            ("service", service.as_str()),
        ]);
        lango_notify::notify(tx, &who.to, INVITATION_EVENT, &values).await?;
        Ok(())
    }
}

/// A completed application's applicant, to invite.
struct Invitee {
    application_id: String,
    reference: String,
    service: String,
    to: lango_notify::Recipient,
}

/// The `application.completed` events after `cursor` up to `head`, oldest first, at most a
/// batch: (seq, application reference).
async fn completed_after(
    conn: &mut sqlx::AnyConnection,
    cursor: i64,
    head: i64,
) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT seq, order_key, data FROM events WHERE seq > $1 AND seq <= $2 \
         AND type = 'application.completed' ORDER BY seq LIMIT $3",
    )
    .bind(cursor)
    .bind(head)
    .bind(BATCH)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let data: String = row.try_get("data")?;
            let order_key: String = row.try_get("order_key")?;
            // The order key is the reference too; the data says so explicitly.
            let reference = serde_json::from_str::<serde_json::Value>(&data)
                .ok()
                .and_then(|d| d["reference"].as_str().map(str::to_string))
                .unwrap_or(order_key);
            Ok((row.try_get("seq")?, reference))
        })
        .collect()
}
