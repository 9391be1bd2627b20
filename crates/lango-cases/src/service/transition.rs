//! A workflow step: one transaction that moves an application, records why, tells the
//! agency's systems and issues what the step issues.

use super::journey::{actor_name, county_of, is_final};
use super::work::stale;
use super::{audit_label, label, Cases, Versioned};
use crate::application::{Application, Message, Transition};
use crate::definition::model::{ActionDef, Outcome};
use crate::definition::FileAnswer;
use crate::sla;
use crate::store::{self, NewTransition};
use lango_core::clock::now_ms;
use lango_core::{Error, Result};
use lango_identity::policy::Actor;

impl Cases {
    /// Moves `app` (as last read) by `action` in one transaction: the state, its SLA, the
    /// history, the messages (a request's reason, an applicant's answer), the events and
    /// the output the action issues. Refused when the application changed meanwhile.
    pub(crate) async fn transition(
        &self,
        actor: &Actor,
        app: &Application,
        versioned: &Versioned,
        action: &ActionDef,
        reason: Option<String>,
        applicant_message: Option<(String, Vec<FileAnswer>)>,
    ) -> Result<Application> {
        let definition = &versioned.definition;
        let target = definition
            .state(&action.to)
            .ok_or_else(|| Error::Internal(format!("state {} missing", action.to)))?;
        let now = now_ms();
        let due_at = target.sla_days.map(|d| sla::due_at(now, d));
        let mut after = app.clone();
        after.state = target.id.clone();
        after.state_since = now;
        after.due_at = due_at;
        after.revision = app.revision + 1;
        after.open = !is_final(target);
        after.awaiting_payment = target.paid_to.is_some() && app.bill_reference.is_some();
        let mut tx = self.db.pool().begin().await?;
        let changed = sqlx::query(
            "UPDATE applications SET state = $1, state_since = $2, due_at = $3, due_key = $4, queued = $5, \
             awaiting_payment = $6, revision = $7, updated_at = $2 WHERE id = $8 AND revision = $9 AND state = $10",
        )
        .bind(&after.state)
        .bind(now)
        .bind(due_at)
        .bind(sla::due_key(due_at))
        .bind(i64::from(after.open))
        .bind(i64::from(after.awaiting_payment))
        .bind(after.revision)
        .bind(&app.id)
        .bind(app.revision)
        .bind(&app.state)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(stale());
        }
        let who = actor_name(&mut tx, actor).await?;
        let transition = Transition {
            at: now,
            actor: label(actor),
            actor_name: who.clone(),
            from: app.state.clone(),
            to: after.state.clone(),
            action: action.id.clone(),
            reason: reason.clone(),
        };
        store::insert_transitions(
            &mut tx,
            &[NewTransition {
                application_id: &app.id,
                seq: after.revision,
                agency: &app.agency,
                transition: &transition,
            }],
        )
        .await?;
        if let (true, Some(r)) = (action.request_info, &reason) {
            let message = Message {
                at: now,
                from_applicant: false,
                author: who.clone(),
                body: r.clone(),
                documents: Vec::new(),
            };
            store::insert_message(&mut tx, &app.id, &label(actor), &message).await?;
        }
        if let Some((body, documents)) = applicant_message {
            let message = Message {
                at: now,
                from_applicant: true,
                author: who.clone(),
                body,
                documents,
            };
            store::insert_message(&mut tx, &app.id, &label(actor), &message).await?;
        }
        let kind = if action.request_info {
            Some("application.information_requested")
        } else if target.outcome == Some(Outcome::Rejected) {
            Some("application.rejected")
        } else if action.id.starts_with("approve") {
            Some("application.approved")
        } else if target.outcome == Some(Outcome::Completed) {
            let approved: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM application_transitions WHERE application_id = $1 AND action LIKE 'approve%' LIMIT 1",
            )
            .bind(&app.id)
            .fetch_optional(&mut *tx)
            .await?;
            approved.is_none().then_some("application.approved")
        } else {
            None
        };
        let mut events = Vec::new();
        // What published usage counts a decision by: how it came in, where from, and when
        // it was submitted (the SLA clock).
        let decision = |data: serde_json::Value| {
            let mut data = data;
            if let serde_json::Value::Object(map) = &mut data {
                map.insert("channel".into(), after.channel.as_str().into());
                map.insert("county".into(), county_of(definition, &app.answers).into());
                map.insert("submitted_at".into(), after.submitted_at.into());
            }
            data
        };
        if let Some(kind) = kind {
            let data = serde_json::json!({
                "reference": after.reference,
                "service": after.service,
                "state": after.state,
                "action": action.id,
                "reason": reason,
                "at": now,
                // When the new state's SLA runs out: for a request, the applicant's last day.
                "due_at": after.due_at,
            });
            events.push((
                kind,
                if kind == "application.rejected" {
                    decision(data)
                } else {
                    data
                },
            ));
        }
        if target.outcome == Some(Outcome::Completed) {
            // In addition to approved/issued: the one event that says the service was delivered.
            events.push((
                "application.completed",
                decision(serde_json::json!({
                    "reference": after.reference,
                    "service": after.service,
                    "state": after.state,
                    "action": action.id,
                    "at": now,
                })),
            ));
        }
        if let Some(output) = action.issues.as_deref().and_then(|o| definition.output(o)) {
            let issued =
                crate::outputs::issue(self, &mut tx, &after, output, &app.applicant_name, now)
                    .await?;
            events.push((
                "document.issued",
                serde_json::json!({
                    "reference": after.reference,
                    "service": after.service,
                    "output": issued.output,
                    "number": issued.number,
                    "valid_until": issued.valid_until,
                    "at": now,
                }),
            ));
        }
        for (kind, data) in events {
            lango_notify::events::emit(
                &mut tx,
                &lango_notify::events::NewEvent {
                    kind,
                    agency: &app.agency,
                    order_key: &app.reference,
                    data,
                },
            )
            .await?;
        }
        lango_core::audit::append(
            &mut tx,
            lango_core::audit::Entry {
                actor: &audit_label(actor),
                action: "application.act",
                object: &format!("application:{}", app.reference),
                subject: &app.applicant,
                detail: &format!("{}: {} -> {}", action.id, app.state, after.state),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
