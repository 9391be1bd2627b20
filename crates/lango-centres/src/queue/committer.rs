//! The node's queue committer: the changes waiting at a moment written in one transaction,
//! in arrival order, each caller answered after the commit.

use super::changes::{act_in, call_in, issue_in, tell_near};
use super::{Act, Issue, Ticket};
use crate::model::Centre;
use lango_core::audit::{self, EXCHANGE};
use lango_core::db::{begin_write, Backend, Db, Held};
use lango_core::{Error, Result};
use tokio::sync::{mpsc, oneshot};

pub(super) enum Op {
    Issue {
        centre: Centre,
        issue: Issue,
    },
    Call {
        centre: Centre,
        counter: String,
    },
    Act {
        centre: Centre,
        number: String,
        act: Act,
        counter: Option<String>,
    },
    /// An appointment checked and ready to write: it takes its places in the group's
    /// transaction like any other change (one durable commit for many bookings).
    Book(Box<crate::appointments::Pending>),
}

impl Op {
    /// The centre the change is at.
    fn centre(&self) -> &str {
        match self {
            Op::Issue { centre, .. } | Op::Call { centre, .. } | Op::Act { centre, .. } => {
                &centre.code
            }
            Op::Book(p) => &p.centre.code,
        }
    }
}

/// What a change answers.
enum Done {
    Ticket(Option<Ticket>),
    Booked(crate::appointments::Appointment),
}

struct Job {
    op: Op,
    /// The exchange log's line of the agency system's call that asked for `op`: written in
    /// the same transaction, so the call is on record exactly when its change is.
    exchange: Option<audit::Line>,
    reply: oneshot::Sender<Result<Done>>,
}

/// Most changes in one transaction.
const GROUP_LIMIT: usize = 256;

/// The node's queue committer: cheap to clone.
#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the committer on a thread of its own.
    pub fn start(db: Db) -> Committer {
        let (jobs, rx) = mpsc::channel(8 * GROUP_LIMIT);
        lango_core::own_thread::spawn(
            "queue-committer",
            db.backend() == Backend::Postgres,
            run(db, rx),
        );
        Committer { jobs }
    }

    pub(super) async fn send(
        &self,
        op: Op,
        exchange: Option<audit::Line>,
    ) -> Result<Option<Ticket>> {
        match self.submit(op, exchange).await? {
            Done::Ticket(t) => Ok(t),
            Done::Booked(_) => Err(Error::Internal("a queue change answered a booking".into())),
        }
    }

    /// Writes the booking `p` in the next group; answered once that group has committed.
    pub(crate) async fn book(
        &self,
        p: crate::appointments::Pending,
    ) -> Result<crate::appointments::Appointment> {
        match self.submit(Op::Book(Box::new(p)), None).await? {
            Done::Booked(a) => Ok(a),
            Done::Ticket(_) => Err(Error::Internal("a booking answered a ticket".into())),
        }
    }

    async fn submit(&self, op: Op, exchange: Option<audit::Line>) -> Result<Done> {
        lango_core::committer::ask(&self.jobs, "queue", |reply| Job {
            op,
            exchange,
            reply,
        })
        .await
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut conn = Held::default();
    let mut jobs: Vec<Job> = Vec::with_capacity(GROUP_LIMIT);
    while lango_core::committer::next_group(&mut rx, &mut jobs, GROUP_LIMIT, 2).await {
        let group: Vec<Job> = std::mem::take(&mut jobs);
        let started = std::time::Instant::now();
        match commit_group(&db, &mut conn, &group).await {
            Ok(answers) => {
                use lango_core::telemetry::{committer, group_committed};
                group_committed(committer::QUEUE, group.len(), started.elapsed());
                for (job, answer) in group.into_iter().zip(answers) {
                    let _ = job.reply.send(answer);
                }
            }
            Err(e) => {
                // Nothing of the group committed: each change alone, so one that fails
                // fails only its own caller.
                tracing::warn!(error = %e, size = group.len(), "queue group failed; one by one");
                for job in group {
                    let answer =
                        match commit_group(&db, &mut conn, std::slice::from_ref(&job)).await {
                            Ok(mut a) => a.pop().unwrap_or(Ok(Done::Ticket(None))),
                            Err(e) => Err(e),
                        };
                    let _ = job.reply.send(answer);
                }
            }
        }
    }
}

/// Applies `group` in one transaction; a database fault fails the whole group (none of it
/// committed), a refusal only its own change (refusals are found before anything is written).
async fn commit_group(db: &Db, held: &mut Held, group: &[Job]) -> Result<Vec<Result<Done>>> {
    let conn = held.get(db).await?;
    let answers = commit_in(db, conn, group).await;
    if answers.is_err() {
        held.release();
    }
    answers
}

async fn commit_in(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    group: &[Job],
) -> Result<Vec<Result<Done>>> {
    let _turn = db.write_turn().await;
    let mut tx = begin_write(conn).await?;
    crate::centre_locks::lock(&mut tx, group.iter().map(|j| j.op.centre())).await?;
    let mut answers = Vec::with_capacity(group.len());
    let mut tells = Vec::new();
    // Finished tickets' survey invitations: one insert at the end of the group.
    let mut invites = Vec::new();
    // First calls' waits (centre, ms), measured once the group has committed.
    let mut waits = Vec::new();
    for job in group {
        let answer = match &job.op {
            Op::Issue { centre, issue } => issue_in(&mut tx, centre, issue)
                .await
                .map(|t| Done::Ticket(Some(t))),
            Op::Call { centre, counter } => {
                let out = (&mut tells, &mut invites, &mut waits);
                call_in(&mut tx, centre, counter, out)
                    .await
                    .map(Done::Ticket)
            }
            Op::Act {
                centre,
                number,
                act,
                counter,
            } => act_in(
                &mut tx,
                centre,
                number,
                act,
                counter.as_deref(),
                &mut invites,
            )
            .await
            .map(|t| Done::Ticket(Some(t))),
            Op::Book(p) => crate::appointments::book_in(&mut tx, p)
                .await
                .map(Done::Booked),
        };
        match answer {
            Err(e @ (Error::Database(_) | Error::Internal(_))) => return Err(e),
            other => answers.push(other),
        }
    }
    crate::survey::invite_all(&mut tx, &invites).await?;
    let calls: Vec<_> = group
        .iter()
        .filter_map(|j| j.exchange.as_ref().map(audit::Line::entry))
        .collect();
    audit::append_many(&mut tx, EXCHANGE, &calls).await?;
    for (centre, number, phone, ahead) in tells {
        tell_near(&mut tx, &centre, &number, &phone, ahead).await?;
    }
    tx.commit().await?;
    for (centre, waited_ms) in waits {
        lango_core::telemetry::queue_waited(&centre, waited_ms);
    }
    Ok(answers)
}
