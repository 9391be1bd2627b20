//! The applicant's journey: start a draft, answer its pages, submit it, follow it.

use super::{audit_label, label, object, Cases};
use crate::application::{Application, Message, Transition, DRAFT};
use crate::definition::model::{Actor as StateActor, StateDef};
use crate::definition::{FieldError, FileAnswer, PageInput, Profile, Today};
use crate::sla;
use crate::store;
use crate::submit::Prepared;
use crate::Channel;
use lango_core::clock::now_ms;
use lango_core::{Error, Result};
use lango_identity::policy::{check, may, Action, Actor, Object, Person};
use lango_payments::bills::Payer;
use lango_payments::bills_in_tx::NewBill;

/// Most characters in a message.
const MESSAGE_MAX: usize = 5000;

/// True for a state nothing leaves: the application is closed.
pub(crate) fn is_final(state: &StateDef) -> bool {
    state.outcome.is_some() || (state.actions.is_empty() && state.paid_to.is_none())
}

/// The applicant's county as published usage counts it: the answer to the definition's
/// first county question (pages and fields in order), or `None` when it has none or it was
/// not answered.
pub(crate) fn county_of(
    definition: &crate::Definition,
    answers: &serde_json::Map<String, serde_json::Value>,
) -> Option<String> {
    definition
        .file()
        .pages
        .iter()
        .flat_map(|p| &p.fields)
        .filter(|f| f.kind == crate::definition::model::FieldType::County)
        .find_map(|f| answers.get(&f.id).and_then(|v| v.as_str()))
        .map(str::to_string)
}

/// Validation's "today" (East Africa Time).
pub(crate) fn today(now: i64) -> Today {
    Today {
        days: sla::eat_day(now),
    }
}

/// The name shown for the actor on a timeline.
pub(crate) async fn actor_name(conn: &mut sqlx::AnyConnection, actor: &Actor) -> Result<String> {
    Ok(match actor {
        Actor::Person(p) => store::account_name(conn, &p.account_id)
            .await?
            .unwrap_or_else(|| "Unknown".into()),
        Actor::ApiClient(c) => format!("{} agency system", c.agency),
        Actor::Anonymous => "Anonymous".into(),
    })
}

impl Cases {
    /// An application by reference, without a policy check (callers check).
    pub(crate) async fn load(&self, reference: &str) -> Result<Application> {
        let canonical = crate::reference::parse(reference)
            .ok_or_else(|| Error::NotFound("application".into()))?;
        let mut conn = self.db.pool().acquire().await?;
        store::by_reference(&mut conn, &canonical)
            .await?
            .ok_or_else(|| Error::NotFound("application".into()))
    }

    /// Starts a draft for the actor (or the business they represent), prefilled from the
    /// profile, made by the applicant on the portal's pages (channel `online`).
    pub async fn start(
        &self,
        actor: &Actor,
        service: &str,
        business: Option<&str>,
        profile: &Profile,
    ) -> Result<Application> {
        self.start_via(actor, service, business, profile, Channel::Online)
            .await
    }

    /// [`Cases::start`] through another entry point: `channel` is that entry point's own,
    /// so usage by channel and digital take-up count how it really came in.
    pub async fn start_via(
        &self,
        actor: &Actor,
        service: &str,
        business: Option<&str>,
        profile: &Profile,
        channel: Channel,
    ) -> Result<Application> {
        let Actor::Person(person) = actor else {
            return Err(Error::Forbidden("only a person can apply".into()));
        };
        self.start_of(
            actor,
            &person.account_id,
            service,
            business,
            profile,
            (channel, None),
        )
        .await
    }

    /// Starts a draft of `applicant`'s, made for them by centre staff assisting them at a
    /// counter (channel `centre`) or by registered agent `agent` (channel `agent`, the
    /// application then names it); the policy lets only those assisting that person do it.
    pub async fn start_assisted(
        &self,
        actor: &Actor,
        applicant: &str,
        service: &str,
        profile: &Profile,
        agent: Option<&str>,
    ) -> Result<Application> {
        let how = match agent {
            Some(a) => (Channel::Agent, Some(a)),
            None => (Channel::Centre, None),
        };
        self.start_of(actor, applicant, service, None, profile, how)
            .await
    }

    async fn start_of(
        &self,
        actor: &Actor,
        applicant: &str,
        service: &str,
        business: Option<&str>,
        profile: &Profile,
        (channel, agent): (Channel, Option<&str>),
    ) -> Result<Application> {
        let versioned = self
            .definition(service, None)
            .await?
            .ok_or_else(|| Error::NotFound("service".into()))?;
        match lango_catalogue::store::service_owner(&self.db, service).await? {
            Some((_, true)) => {}
            Some(_) => return Err(Error::Conflict("this service is retired".into())),
            None => return Err(Error::NotFound("service".into())),
        }
        check(
            actor,
            Action::Edit,
            Object::Case {
                applicant,
                business,
                agency: &versioned.agency,
            },
        )?;
        let answers = versioned.definition.prefill(profile);
        let answers_json = serde_json::Value::Object(answers.clone()).to_string();
        let mut conn = self.db.pool().acquire().await?;
        let name = match profile.values.iter().find(|(k, _)| k == "full_name") {
            Some((_, v)) if !v.trim().is_empty() => v.trim().to_string(),
            _ => store::account_name(&mut conn, applicant)
                .await?
                .unwrap_or_default(),
        };
        let now = now_ms();
        for _ in 0..5 {
            let app = Application {
                id: uuid::Uuid::now_v7().to_string(),
                reference: crate::reference::generate(&mut rand::thread_rng()),
                service: service.to_string(),
                agency: versioned.agency.clone(),
                version: versioned.version,
                applicant: applicant.to_string(),
                applicant_name: name.clone(),
                business: business.map(str::to_string),
                state: DRAFT.to_string(),
                answers: answers.clone(),
                assigned_to: None,
                bill_reference: None,
                channel,
                created_at: now,
                submitted_at: None,
                state_since: now,
                due_at: None,
                revision: 1,
                open: false,
                awaiting_payment: false,
            };
            // The draft and its `application.started` event commit together (usage counts it).
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let inserted = sqlx::query(
                "INSERT INTO applications (id, reference, service, version, agency, applicant, applicant_name, \
                 business, state, queued, awaiting_payment, answers, channel, created_at, state_since, due_key, \
                 revision, updated_at, agent) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10, $11, $12, $12, $13, 1, $12, $14)",
            )
            .bind(&app.id)
            .bind(&app.reference)
            .bind(&app.service)
            .bind(app.version)
            .bind(&app.agency)
            .bind(&app.applicant)
            .bind(&app.applicant_name)
            .bind(&app.business)
            .bind(&app.state)
            .bind(&answers_json)
            .bind(app.channel.as_str())
            .bind(now)
            .bind(sla::NO_DUE)
            .bind(agent)
            .execute(&mut *tx)
            .await;
            match inserted {
                // A taken reference: the transaction is dropped (rolled back), try another.
                Err(sqlx::Error::Database(d)) if d.is_unique_violation() => continue,
                other => {
                    other?;
                }
            }
            let mut data = serde_json::json!({
                "reference": app.reference,
                "service": app.service,
                "channel": app.channel,
                "at": now,
            });
            if let Some(a) = agent {
                data["agent"] = a.into();
            }
            lango_notify::events::emit(
                &mut tx,
                &lango_notify::events::NewEvent {
                    kind: "application.started",
                    agency: &app.agency,
                    order_key: &app.reference,
                    data,
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(app);
        }
        Err(Error::Internal(
            "could not find a free application reference".into(),
        ))
    }

    /// One application, if the actor may see it. Staff looking at a citizen's application
    /// is written to the audit log (the citizen sees who looked). A waiting application
    /// whose bill is now paid moves on first.
    pub async fn get(&self, actor: &Actor, reference: &str) -> Result<Application> {
        let mut app = self.load(reference).await?;
        check(actor, Action::View, object(&app))?;
        if app.awaiting_payment && self.advance_one(&app.id).await? {
            app = self.load(&app.reference).await?;
        }
        if !may(actor, Action::Edit, object(&app)) {
            // A draft is the applicant's own until it is submitted.
            if app.state == DRAFT {
                return Err(Error::NotFound("application".into()));
            }
            lango_core::audit::record(
                &self.db,
                lango_core::audit::Entry {
                    actor: &audit_label(actor),
                    action: "application.view",
                    object: &format!("application:{}", app.reference),
                    subject: &app.applicant,
                    detail: &format!("{} ({})", app.service, app.state),
                },
            )
            .await?;
        }
        Ok(app)
    }

    /// The applications of an account and of the businesses and dependants it acts for, newest first.
    pub async fn mine(&self, actor: &Actor) -> Result<Vec<Application>> {
        let Actor::Person(p) = actor else {
            return Ok(Vec::new());
        };
        let mut people = vec![p.account_id.clone()];
        people.extend(p.dependants.iter().cloned());
        let mut sql = format!(
            "SELECT {} FROM applications WHERE applicant IN ({})",
            store::COLUMNS,
            (1..=people.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !p.represents.is_empty() {
            let from = people.len() + 1;
            sql.push_str(&format!(
                " OR business IN ({})",
                (from..from + p.represents.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        sql.push_str(" ORDER BY created_at DESC LIMIT 200");
        let mut q = sqlx::query(&sql);
        for v in people.iter().chain(&p.represents) {
            q = q.bind(v);
        }
        let rows = q.fetch_all(self.db.pool()).await?;
        rows.iter().map(store::application_of).collect()
    }

    /// The own applications of the person `actor` is assisting at a counter, newest first
    /// (none when they assist nobody).
    pub async fn assisted(&self, actor: &Actor) -> Result<Vec<Application>> {
        let Actor::Person(Person {
            assisting: Some(person),
            ..
        }) = actor
        else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(&format!(
            "SELECT {} FROM applications WHERE applicant = $1 AND business IS NULL \
             ORDER BY created_at DESC LIMIT 50",
            store::COLUMNS
        ))
        .bind(person)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(store::application_of).collect()
    }

    /// Saves one page's answers of a draft (or of an application returned to the applicant
    /// for more information). Errors leave it unchanged.
    pub async fn answer(
        &self,
        actor: &Actor,
        reference: &str,
        page: &str,
        input: &PageInput,
    ) -> Result<std::result::Result<Application, Vec<FieldError>>> {
        let mut app = self.load(reference).await?;
        check(actor, Action::Edit, object(&app))?;
        let versioned = self.definition_of(&app).await?;
        let definition = &versioned.definition;
        let editable = app.state == DRAFT
            || definition
                .state(&app.state)
                .is_some_and(|s| s.actor == StateActor::Applicant);
        if !editable {
            return Err(Error::Conflict(
                "a submitted application cannot be changed".into(),
            ));
        }
        let now = now_ms();
        if !definition
            .pages_at(&app.answers, today(now))
            .iter()
            .any(|p| p.id == page)
        {
            return Err(Error::NotFound("page".into()));
        }
        let mut answers = app.answers.clone();
        if let Err(errors) = definition.answer_page(page, input, today(now), &mut answers) {
            return Ok(Err(errors));
        }
        let changed = sqlx::query(
            "UPDATE applications SET answers = $1, revision = revision + 1, updated_at = $2 \
             WHERE id = $3 AND revision = $4 AND state = $5",
        )
        .bind(serde_json::Value::Object(answers.clone()).to_string())
        .bind(now)
        .bind(&app.id)
        .bind(app.revision)
        .bind(&app.state)
        .execute(self.db.pool())
        .await?;
        if changed.rows_affected() == 0 {
            return Err(Error::Conflict(
                "the application changed meanwhile; look at it again".into(),
            ));
        }
        app.answers = answers;
        app.revision += 1;
        Ok(Ok(app))
    }

    /// Submits a draft the applicant has declared true: checks every answer, raises the
    /// fee's bill, enters the start state. Committed in groups; answered after commit.
    pub async fn submit(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> Result<std::result::Result<Application, Vec<FieldError>>> {
        let app = self.load(reference).await?;
        check(actor, Action::Edit, object(&app))?;
        if app.state != DRAFT {
            return Err(Error::Conflict(
                "this application was already submitted".into(),
            ));
        }
        let versioned = self.definition_of(&app).await?;
        let definition = &versioned.definition;
        let now = now_ms();
        let answers = match definition.check_all(&app.answers, today(now)) {
            Ok(a) => a,
            Err(errors) => return Ok(Err(errors)),
        };
        let mut conn = self.db.pool().acquire().await?;
        // One read gives the payer's contacts and, when the applicant submits, their name.
        let (name, phone, email) = store::account_contacts(&mut conn, &app.applicant)
            .await?
            .unwrap_or_default();
        let who = match actor {
            Actor::Person(p) if p.account_id == app.applicant => name.clone(),
            _ => actor_name(&mut conn, actor).await?,
        };
        drop(conn);
        let bill = match definition.fee(&answers).filter(|f| f.total.minor() > 0) {
            Some(fee) => {
                let payer = Payer {
                    name: if app.applicant_name.is_empty() {
                        name
                    } else {
                        app.applicant_name.clone()
                    },
                    phone,
                    email,
                };
                let title: String = definition.file().title.en.chars().take(500).collect();
                Some(NewBill::prepare(
                    &app.agency,
                    &app.service,
                    fee.total,
                    &app.reference,
                    &title,
                    &payer,
                    "application",
                    &self.settings.fees,
                )?)
            }
            None => None,
        };
        let start = definition.start_state();
        let mut transitions = vec![Transition {
            at: now,
            actor: label(actor),
            actor_name: who,
            from: DRAFT.into(),
            to: start.id.clone(),
            action: "submit".into(),
            reason: None,
        }];
        let mut entered = start;
        if let (Some(to), None) = (&start.paid_to, &bill) {
            // Nothing to pay: the payment state is passed at once.
            if let Some(next) = definition.state(to) {
                transitions.push(Transition {
                    at: now,
                    actor: "system".into(),
                    actor_name: "Lango".into(),
                    from: start.id.clone(),
                    to: next.id.clone(),
                    action: "paid".into(),
                    reason: Some("no fee to pay".into()),
                });
                entered = next;
            }
        }
        let due_at = entered.sla_days.map(|d| sla::due_at(now, d));
        let mut submitted = app.clone();
        submitted.state = entered.id.clone();
        submitted.answers = answers;
        submitted.bill_reference = bill.as_ref().map(|b| b.reference.clone());
        submitted.submitted_at = Some(now);
        submitted.state_since = now;
        submitted.due_at = due_at;
        submitted.revision = app.revision + transitions.len() as i64;
        submitted.open = !is_final(entered);
        submitted.awaiting_payment = entered.paid_to.is_some() && bill.is_some();
        let event = serde_json::json!({
            "reference": submitted.reference,
            "service": submitted.service,
            "version": submitted.version,
            "state": submitted.state,
            "submitted_at": now,
            "channel": submitted.channel,
            "county": county_of(definition, &submitted.answers),
            "bill": bill.as_ref().map(|b| serde_json::json!({
                "reference": b.reference,
                "amount": b.total().to_decimal(),
                "currency": b.amount.currency().code(),
            })),
        });
        let prepared = Prepared {
            answers_json: serde_json::Value::Object(submitted.answers.clone()).to_string(),
            due_key: sla::due_key(due_at),
            seen_revision: app.revision,
            app: submitted,
            bill,
            transitions,
            event,
            audit_actor: audit_label(actor),
        };
        self.submissions.submit(prepared).await.map(Ok)
    }

    /// The application's history, oldest first.
    pub async fn history(&self, actor: &Actor, reference: &str) -> Result<Vec<Transition>> {
        let app = self.load(reference).await?;
        check(actor, Action::View, object(&app))?;
        let mut conn = self.db.pool().acquire().await?;
        store::transitions(&mut conn, &app.id).await
    }

    /// Its messages, oldest first.
    pub async fn messages(&self, actor: &Actor, reference: &str) -> Result<Vec<Message>> {
        let app = self.load(reference).await?;
        check(actor, Action::View, object(&app))?;
        let mut conn = self.db.pool().acquire().await?;
        store::messages(&mut conn, &app.id).await
    }

    /// Sends a message (applicant or officer), with documents already uploaded.
    pub async fn send_message(
        &self,
        actor: &Actor,
        reference: &str,
        body: &str,
        documents: Vec<FileAnswer>,
    ) -> Result<Message> {
        let app = self.load(reference).await?;
        let from_applicant = may(actor, Action::Edit, object(&app));
        if !from_applicant {
            check(actor, Action::Work, object(&app))?;
        }
        if app.state == DRAFT {
            return Err(Error::Conflict(
                "submit the application before writing about it".into(),
            ));
        }
        let body = message_body(body, &documents)?;
        let mut conn = self.db.pool().acquire().await?;
        let message = Message {
            at: now_ms(),
            from_applicant,
            author: actor_name(&mut conn, actor).await?,
            body,
            documents,
        };
        store::insert_message(&mut conn, &app.id, &label(actor), &message).await?;
        Ok(message)
    }

    /// The applicant answers a request for more information: the message is stored and
    /// the application takes its state's action back to the officer, in one commit.
    pub async fn respond(
        &self,
        actor: &Actor,
        reference: &str,
        body: &str,
        documents: Vec<FileAnswer>,
    ) -> Result<Application> {
        let app = self.load(reference).await?;
        check(actor, Action::Edit, object(&app))?;
        let versioned = self.definition_of(&app).await?;
        let state = versioned
            .definition
            .state(&app.state)
            .filter(|s| s.actor == StateActor::Applicant)
            .ok_or_else(|| Error::Conflict("nothing was asked of the applicant".into()))?;
        let action = state
            .actions
            .first()
            .ok_or_else(|| Error::Conflict("nothing was asked of the applicant".into()))?;
        let body = message_body(body, &documents)?;
        self.transition(
            actor,
            &app,
            &versioned,
            action,
            None,
            Some((body, documents)),
        )
        .await
    }
}

/// A message's text, trimmed; refused when empty (without documents) or too long.
fn message_body(body: &str, documents: &[FileAnswer]) -> Result<String> {
    let body = body.trim();
    if body.is_empty() && documents.is_empty() {
        return Err(Error::invalid("body", "write a message"));
    }
    if body.chars().count() > MESSAGE_MAX {
        return Err(Error::invalid(
            "body",
            format!("a message has at most {MESSAGE_MAX} characters"),
        ));
    }
    Ok(body.to_string())
}
