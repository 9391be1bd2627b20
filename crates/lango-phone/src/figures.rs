//! Where USSD sessions end: each session's last screen and whether it was a final one, for
//! the drop-off figures the service owners read (`/performance/phone`). A step is recorded
//! off the request's path: the request hands it to a recorder thread that writes what
//! arrived in one transaction every moment, so a menu never waits on a figure's commit.
//! A figure is not an acknowledged write: a step still in the recorder when the node dies
//! is not counted, and a full queue drops steps rather than slow the menus.

use crate::prefs::Lang;
use crate::ussd::home::MENUS;
use crate::ussd::words::pick;
use lango_core::clock::{now_ms, Civil};
use lango_core::db::{begin_write, Db};
use lango_core::Result;
use sqlx::Row;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// Steps waiting for the recorder at most (beyond it a step is not counted).
const QUEUE: usize = 16_384;
/// How long the recorder gathers steps before writing them.
const GATHER: Duration = Duration::from_millis(250);
/// Rows in one statement (seven parameters each).
const CHUNK: usize = 100;
/// A session whose last screen waited for an answer this long has been given up: gateways
/// close a session after about three minutes.
pub const GIVEN_UP_AFTER_MS: i64 = 180_000;

struct Seen {
    session: String,
    step: String,
    ended: bool,
    at: i64,
}

/// The node's step recorder: cheap to clone.
#[derive(Clone)]
pub struct Steps {
    queue: mpsc::Sender<Seen>,
}

impl Steps {
    /// Starts the recorder on a thread of its own.
    pub fn start(db: Db) -> Steps {
        let (queue, rx) = mpsc::channel(QUEUE);
        lango_core::own_thread::spawn(
            "ussd-steps",
            db.backend() == lango_core::db::Backend::Postgres,
            record(db, rx),
        );
        Steps { queue }
    }

    /// Notes that `session` showed `step` (`ended`: a final screen).
    pub fn seen(&self, session: &str, step: String, ended: bool) {
        let seen = Seen {
            session: session.to_string(),
            step,
            ended,
            at: now_ms(),
        };
        if self.queue.try_send(seen).is_err() {
            tracing::debug!("USSD step not counted: the recorder is behind");
        }
    }
}

async fn record(db: Db, mut rx: mpsc::Receiver<Seen>) {
    let mut got: Vec<Seen> = Vec::new();
    while rx.recv_many(&mut got, QUEUE).await > 0 {
        tokio::time::sleep(GATHER).await;
        while let Ok(s) = rx.try_recv() {
            got.push(s);
        }
        if let Err(e) = write(&db, &std::mem::take(&mut got)).await {
            tracing::warn!(error = %e, "USSD steps not recorded");
        }
    }
}

/// One session of a batch: its first and last step's times, its last step, its step count.
struct SessionSteps<'a> {
    first: i64,
    last: i64,
    step: &'a str,
    ended: bool,
    steps: i64,
}

async fn write(db: &Db, got: &[Seen]) -> Result<()> {
    let mut rows: HashMap<&str, SessionSteps> = HashMap::new();
    for s in got {
        let r = rows.entry(&s.session).or_insert(SessionSteps {
            first: s.at,
            last: s.at,
            step: &s.step,
            ended: s.ended,
            steps: 0,
        });
        if s.at >= r.last {
            (r.last, r.step, r.ended) = (s.at, &s.step, s.ended);
        }
        r.first = r.first.min(s.at);
        r.steps += 1;
    }
    let rows: Vec<(&str, SessionSteps)> = rows.into_iter().collect();
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO ussd_sessions (session_id, day, started_at, updated_at, last_step, ended, steps) \
             VALUES {} ON CONFLICT (session_id) DO UPDATE SET \
             updated_at = CASE WHEN excluded.updated_at >= ussd_sessions.updated_at THEN excluded.updated_at ELSE ussd_sessions.updated_at END, \
             last_step = CASE WHEN excluded.updated_at >= ussd_sessions.updated_at THEN excluded.last_step ELSE ussd_sessions.last_step END, \
             ended = CASE WHEN excluded.updated_at >= ussd_sessions.updated_at THEN excluded.ended ELSE ussd_sessions.ended END, \
             steps = ussd_sessions.steps + excluded.steps",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (session, r) in chunk {
            q = q
                .bind(*session)
                .bind(Civil::local(r.first).date())
                .bind(r.first)
                .bind(r.last)
                .bind(r.step)
                .bind(i16::from(r.ended))
                .bind(r.steps);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sessions that ended at one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepEnd {
    /// The step's name, e.g. `pay.bill`.
    pub step: String,
    /// Sessions whose last screen was this step.
    pub sessions: i64,
    /// Of those, the ones left unanswered on a screen that asked for more: given up here.
    pub given_up: i64,
}

/// Where the sessions that started from `from` to `to` (East Africa Time dates, inclusive)
/// ended, most given up first; a session still within [`GIVEN_UP_AFTER_MS`] of its last
/// step is not counted yet.
pub async fn ends(db: &Db, from: &str, to: &str) -> Result<Vec<StepEnd>> {
    let rows = sqlx::query(
        "SELECT last_step, CAST(COUNT(*) AS BIGINT) AS sessions, \
         CAST(COALESCE(SUM(CASE WHEN ended = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS given_up \
         FROM ussd_sessions WHERE day >= $1 AND day <= $2 AND (ended = 1 OR updated_at < $3) \
         GROUP BY last_step ORDER BY given_up DESC, sessions DESC, last_step",
    )
    .bind(from)
    .bind(to)
    .bind(now_ms() - GIVEN_UP_AFTER_MS)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StepEnd {
                step: r.try_get("last_step")?,
                sessions: r.try_get("sessions")?,
                given_up: r.try_get("given_up")?,
            })
        })
        .collect()
}

/// The step the inputs reach (past navigation), as [`Steps::seen`] records it: `home`, or
/// the menu chosen and how many inputs follow it (`2.1`: the second screen of menu 2).
pub fn step_of(inputs: &[crate::ussd::Input]) -> String {
    match crate::ussd::home::chosen(inputs) {
        Some((menu, _, tail)) => format!("{}.{}", menu.key, tail.len()),
        None => "home".to_string(),
    }
}

/// A step's name for people: "Home menu", or the menu's label and the screen's number.
pub fn label(step: &str, lang: Lang) -> String {
    let Some((key, depth)) = step.split_once('.') else {
        return pick(lang, "Home menu", "Menyu kuu", "Menu utama").to_string();
    };
    let screen = depth.parse::<usize>().map_or(1, |d| d + 1);
    match MENUS.iter().find(|m| m.key == key) {
        Some(m) => format!(
            "{}, {} {screen}",
            (m.label)(lang),
            pick(lang, "screen", "skrini", "skrin")
        ),
        None => step.to_string(),
    }
}
