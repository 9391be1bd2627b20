//! The API keys a node has checked, believed without asking the database again until they
//! are revoked, or for a minute (when a key's last use is due to be written anyway).
//!
//! Why: every agency call read its key, and on SQLite a read is two hand-overs to the
//! connection's thread (the query, and the pool's ping when the connection comes back),
//! which was the largest part of a counter's call over HTTP beyond the queue's own commit.
//!
//! A revocation through Lango is exact, not eventual: the node that revokes forgets the key
//! once the revocation commits. On SQLite one node serves the database, so that is all. On
//! PostgreSQL the revocation also notifies every other node (`pg_notify`, delivered on
//! commit), which forgets the key when it hears; a node believes keys only while it is
//! listening, and forgets everything whenever it starts or stops listening, since it may
//! have missed a notice meanwhile. A read that began before a forgetting is not believed
//! after it, so a key read just before its revocation is not remembered past it.

use crate::policy::ApiClient;
use lango_core::db::{Backend, Db};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where PostgreSQL nodes tell each other of a revoked key (the payload is its id).
pub(super) const REVOKED: &str = "lango_api_key_revoked";

/// A node's believed keys (attached to its database handle).
#[derive(Default)]
pub(super) struct Believed {
    keys: Mutex<HashMap<String, Known>>,
    /// Counts forgettings: a read that began before one is not remembered after it.
    forgettings: AtomicU64,
    /// Whether this node hears other nodes' revocations (PostgreSQL).
    listening: AtomicBool,
}

/// A key as it was read.
#[derive(Clone)]
pub(super) struct Known {
    /// The stored digest of its secret.
    pub secret_hash: String,
    /// Who it is and what it may do.
    pub client: ApiClient,
    /// When it was read (the monotonic clock: a wall clock set back keeps nothing longer).
    pub read_at: Instant,
}

/// A moment in the forgettings, taken before a read ([`Believed::remember`]).
pub(super) struct Mark(u64);

impl Believed {
    /// The key with id `id`, if it is believed (read less than `fresh_for` ago).
    pub fn get(&self, backend: Backend, id: &str, fresh_for: Duration) -> Option<Known> {
        if !self.trusted(backend) {
            return None;
        }
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.get(id)
            .filter(|k| k.read_at.elapsed() < fresh_for)
            .cloned()
    }

    /// Taken before reading a key, for [`Believed::remember`].
    pub fn mark(&self) -> Mark {
        Mark(self.forgettings.load(Ordering::Acquire))
    }

    /// Remembers a key read since `mark`, unless something was forgotten meanwhile.
    pub fn remember(&self, backend: Backend, mark: Mark, id: &str, known: Known) {
        if !self.trusted(backend) {
            return;
        }
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        // Under the lock, as forgetting is: no forgetting can fall between check and insert.
        if self.forgettings.load(Ordering::Acquire) == mark.0 {
            keys.insert(id.to_string(), known);
        }
    }

    /// Forgets key `id` (revoked).
    pub fn forget(&self, id: &str) {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        self.forgettings.fetch_add(1, Ordering::AcqRel);
        keys.remove(id);
    }

    /// Starts or stops believing on PostgreSQL, forgetting everything either way.
    fn listening(&self, on: bool) {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        self.forgettings.fetch_add(1, Ordering::AcqRel);
        self.listening.store(on, Ordering::Release);
        keys.clear();
    }

    fn trusted(&self, backend: Backend) -> bool {
        backend == Backend::Sqlite || self.listening.load(Ordering::Acquire)
    }
}

/// On PostgreSQL, hears other nodes' revocations for as long as the node runs, listening
/// again (after `retry`) whenever its connection is lost. `None` on SQLite.
pub fn hear_revocations(db: Db, retry: Duration) -> Option<tokio::task::JoinHandle<()>> {
    if db.backend() != Backend::Postgres {
        return None;
    }
    Some(tokio::spawn(async move {
        let believed = db.attached::<Believed>();
        while !db.pool().is_closed() {
            match db.listen(REVOKED).await {
                Ok(mut listener) => {
                    believed.listening(true);
                    let lost = hear(&believed, &mut listener).await;
                    believed.listening(false);
                    tracing::warn!(error = %lost, "API-key revocations unheard: listening again");
                }
                Err(e) => tracing::warn!(error = %e, "cannot listen for API-key revocations"),
            }
            tokio::time::sleep(retry).await;
        }
    }))
}

/// How long the listener waits for a notice before it checks that its connection still
/// answers (a connection cut without a word, half open, would otherwise wait for ever).
const QUIET: Duration = Duration::from_secs(20);

/// Forgets every key revoked elsewhere until the listener's connection is lost; why it was.
async fn hear(believed: &Believed, listener: &mut sqlx::postgres::PgListener) -> String {
    loop {
        match tokio::time::timeout(QUIET, listener.try_recv()).await {
            Ok(Ok(Some(notice))) => believed.forget(notice.payload()),
            // `try_recv` answers `None` when the connection is lost, rather than reconnecting
            // silently past the notices sent meanwhile.
            Ok(Ok(None)) => return "connection lost".into(),
            Ok(Err(e)) => return e.to_string(),
            Err(_quiet) => {
                let answered =
                    tokio::time::timeout(QUIET, sqlx::query("SELECT 1").execute(&mut *listener));
                match answered.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return e.to_string(),
                    Err(_) => return "the connection stopped answering".into(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn known(read_at: Instant) -> Known {
        Known {
            secret_hash: "h".into(),
            client: ApiClient {
                key_id: "k".into(),
                agency: "MOI".into(),
                permissions: Vec::new(),
            },
            read_at,
        }
    }

    #[test]
    fn a_read_that_began_before_a_forgetting_is_not_remembered() {
        let b = Believed::default();
        let mark = b.mark();
        b.forget("k");
        b.remember(Backend::Sqlite, mark, "k", known(Instant::now()));
        assert!(b.get(Backend::Sqlite, "k", MINUTE).is_none());
        b.remember(Backend::Sqlite, b.mark(), "k", known(Instant::now()));
        assert!(b.get(Backend::Sqlite, "k", MINUTE).is_some());
        let old = Instant::now() - Duration::from_secs(61);
        b.remember(Backend::Sqlite, b.mark(), "k", known(old));
        assert!(b.get(Backend::Sqlite, "k", MINUTE).is_none(), "stale");
        b.forget("k");
        assert!(b.get(Backend::Sqlite, "k", MINUTE).is_none(), "revoked");
    }

    #[test]
    fn on_postgres_nothing_is_believed_unless_listening() {
        let b = Believed::default();
        b.remember(Backend::Postgres, b.mark(), "k", known(Instant::now()));
        assert!(b.get(Backend::Postgres, "k", MINUTE).is_none());
        b.listening(true);
        b.remember(Backend::Postgres, b.mark(), "k", known(Instant::now()));
        assert!(b.get(Backend::Postgres, "k", MINUTE).is_some());
        b.listening(false);
        assert!(b.get(Backend::Postgres, "k", MINUTE).is_none());
        b.listening(true);
        assert!(
            b.get(Backend::Postgres, "k", MINUTE).is_none(),
            "forgotten on reconnect"
        );
    }
}
