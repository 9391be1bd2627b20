//! The database handle: one pool over SQLite or PostgreSQL, chosen by URL at run time.
//!
//! Queries are written once in portable SQL (`$1` placeholders, TEXT ids, BIGINT minor
//! units and unix-millisecond times); DDL that must differ lives in per-backend migration
//! folders, one pair per crate that owns tables.

use crate::sealed::Keyring;
use crate::Result;
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::{Migration, Migrator};
use sqlx::{AnyPool, Executor};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

/// The core migration that makes the database's own key-encryption key's table.
const SEALED_MIGRATION: i64 = 10020;

/// Which engine sits behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (WAL, foreign keys on).
    Sqlite,
    /// PostgreSQL, for several nodes and scale.
    Postgres,
}

/// A cheap-to-clone handle to the database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// What seals secrets at rest: set from configuration, else the database's own KEK.
    keyring: Arc<OnceCell<Arc<Keyring>>>,
    /// Where the node's group committers queue for SQLite's one writer (see [`Db::write_turn`]).
    write_gate: Arc<tokio::sync::Mutex<()>>,
    /// The database's address, for the committers' connections of their own ([`Held`]).
    url: Arc<str>,
    /// What the node keeps in memory beside this handle (see [`Db::attached`]).
    attached: Arc<crate::attached::Attached>,
}

/// Every SQLite connection's settings. FULL: an acknowledged write survives power loss, not
/// only a crash. A larger WAL before a commit checkpoints it itself: a serving node
/// checkpoints in the background (`checkpoint_in_background`). Temporary storage in memory:
/// a multi-row statement's journal (kept in case it fails halfway) went to a file: 8% of
/// the receipt committer's database thread in a profile.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA wal_autocheckpoint = 10000; PRAGMA temp_store = MEMORY;";

/// A crate's migrations for both backends.
pub struct Migrations {
    /// Migrations for SQLite.
    pub sqlite: Migrator,
    /// Migrations for PostgreSQL.
    pub postgres: Migrator,
}

/// The core crate's own tables (counters shared by every room).
pub fn migrations() -> Migrations {
    Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}

impl Db {
    /// Opens a pool for `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            create_sqlite_parent_dir(url)?;
            // A file in this process does not drop its connections: the liveness ping
            // before each use was a round trip to the connection's thread for nothing
            // (on a busy node, thread hand-offs are most of the database's cost).
            options = options.test_before_acquire(false);
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_SETTINGS).await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await?;
        Ok(Db {
            pool,
            backend,
            keyring: Arc::default(),
            write_gate: Arc::default(),
            url: url.into(),
            attached: Arc::default(),
        })
    }

    /// The pool, for stores to run their queries on.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The engine behind the pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This handle's `T`, shared by all its clones (made with `T::default()` on first use):
    /// what a room remembers about the database in this process.
    pub fn attached<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.attached.get::<T>()
    }

    /// A listener for PostgreSQL's notifications on `channel` (from `pg_notify`, delivered
    /// when the sender commits), on a connection of its own. Refused on SQLite.
    pub async fn listen(&self, channel: &str) -> Result<sqlx::postgres::PgListener> {
        if self.backend != Backend::Postgres {
            return Err(crate::Error::Internal(
                "notifications are PostgreSQL's".into(),
            ));
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        // A lost connection is the caller's to notice (notices sent meanwhile are lost), not
        // mended unseen inside `try_recv`.
        listener.eager_reconnect(false);
        listener.listen(channel).await?;
        Ok(listener)
    }

    /// A group committer's turn to write, held until its transaction ends. On SQLite the
    /// committers of a node (queue, audit, receipts, submissions) take turns here, first come first
    /// served, instead of meeting at the file's write lock, whose busy handler sleeps up to
    /// 100 ms between tries: that sleep was a counter's call latency tail. `None` on
    /// PostgreSQL, whose row locks order writers.
    pub async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_gate.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// Applies every pending migration of the given crates, in version order.
    pub async fn migrate(&self, sets: &[Migrations]) -> Result<()> {
        let mut all: Vec<Migration> = Vec::new();
        for set in sets {
            let m = match self.backend {
                Backend::Sqlite => &set.sqlite,
                Backend::Postgres => &set.postgres,
            };
            all.extend(m.iter().cloned());
        }
        all.sort_by_key(|m| m.version);
        let sealing = all.iter().any(|m| m.version == SEALED_MIGRATION);
        let mut migrator = Migrator {
            migrations: Cow::Owned(all),
            ..Migrator::DEFAULT
        };
        migrator.set_locking(self.backend == Backend::Postgres);
        // During a rolling upgrade a newer release's nodes may have migrated the database
        // already: its migrations only add (docs/operations.md, expand then contract), so
        // this release serves on it (and applies its own as ever).
        migrator.set_ignore_missing(true);
        let newer = self.newer_migrations(&migrator).await;
        if !newer.is_empty() {
            tracing::info!(?newer, "the database holds migrations of a newer release");
            // A newer release's contract step removed what older releases read: it names
            // the oldest migration a node must know to serve the database.
            if let Some(needed) = self.serves_from_migration().await {
                if !migrator.iter().any(|m| m.version == needed) {
                    return Err(crate::Error::Internal(format!(
                        "a newer Lango has changed this database so that only a release \
                         knowing migration {needed} can serve it; run that release or a later one"
                    )));
                }
            }
        }
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| crate::Error::Internal(format!("migration failed: {e}")))?;
        // Settled now, not on first use: a first use inside a SQLite write transaction
        // would wait on itself to store a new key.
        if sealing {
            self.keyring().await?;
        }
        Ok(())
    }

    /// Applied migrations `migrator` does not know (a newer release's), by version.
    async fn newer_migrations(&self, migrator: &Migrator) -> Vec<i64> {
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(&self.pool)
            .await
            .unwrap_or_default();
        let known: std::collections::HashSet<i64> = migrator.iter().map(|m| m.version).collect();
        applied.into_iter().filter(|v| !known.contains(v)).collect()
    }

    /// The oldest migration a node must know to serve this database, when a contract step
    /// recorded one (`database_settings.serves_from_migration`).
    async fn serves_from_migration(&self) -> Option<i64> {
        let value: Option<String> = sqlx::query_scalar(
            "SELECT value FROM database_settings WHERE name = 'serves_from_migration'",
        )
        .fetch_optional(&self.pool)
        .await
        .ok()
        .flatten();
        value.and_then(|v| v.trim().parse().ok())
    }

    /// Seals secrets with `keyring` from now on (a configured key-encryption key). Call it
    /// before [`Db::migrate`]; refused once a keyring is in use.
    pub fn use_keyring(&self, keyring: Keyring) -> Result<()> {
        self.keyring
            .set(Arc::new(keyring))
            .map_err(|_| crate::Error::Internal("the key-encryption key is already chosen".into()))
    }

    /// What seals and opens secrets at rest: the configured keyring, else one of the
    /// database's own key (made on first use, shared by every node and clone).
    pub async fn keyring(&self) -> Result<Arc<Keyring>> {
        self.keyring
            .get_or_try_init(|| async {
                let kek: Arc<dyn crate::sealed::Kek> =
                    Arc::new(crate::sealed::database_kek(self).await?);
                Ok::<_, crate::Error>(Arc::new(Keyring::new(kek, Vec::new())))
            })
            .await
            .cloned()
    }

    /// On SQLite, copies the write-ahead log into the database every `every` from a task of
    /// its own, so that commits on the hot path rarely pay for a checkpoint. `None` on
    /// PostgreSQL, which checkpoints itself.
    pub fn checkpoint_in_background(&self, every: Duration) -> Option<tokio::task::JoinHandle<()>> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let pool = self.pool.clone();
        Some(tokio::spawn(async move {
            while !pool.is_closed() {
                tokio::time::sleep(every).await;
                // PASSIVE: never waits for readers or writers; what it cannot copy now it
                // copies next time.
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    tracing::debug!(error = %e, "checkpoint skipped");
                }
            }
        }))
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A group committer's connection of its own, kept from one group to the next: outside the
/// pool, so a committer neither queues behind the readers of hundreds of requests for a
/// connection each group (up to 15 ms a group under load) nor holds one the pool's readers
/// need; closed after an error, so the next group opens a fresh one.
#[derive(Default)]
pub struct Held(Option<Kept>);

/// What a [`Held`] keeps.
enum Kept {
    Own(sqlx::AnyConnection),
    /// An in-memory SQLite database is one per connection: there the pool's is kept.
    Pooled(sqlx::pool::PoolConnection<sqlx::Any>),
}

impl Held {
    /// The connection, opened with the pool's settings when none is held.
    pub async fn get(&mut self, db: &Db) -> Result<&mut sqlx::AnyConnection> {
        let kept = match self.0.take() {
            Some(k) => k,
            None if sqlite_path(&db.url) == Some(":memory:") => {
                Kept::Pooled(db.pool.acquire().await?)
            }
            None => {
                let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await?;
                if db.backend == Backend::Sqlite {
                    c.execute(SQLITE_SETTINGS).await?;
                }
                Kept::Own(c)
            }
        };
        Ok(match self.0.insert(kept) {
            Kept::Own(c) => c,
            Kept::Pooled(c) => c,
        })
    }

    /// Lets the connection go (it may be what failed).
    pub fn release(&mut self) {
        self.0 = None;
    }
}

/// Begins a transaction that will write: on SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`, waiting out the busy timeout), where a transaction that read first
/// would be refused outright on its first write if another writer had committed meanwhile.
pub async fn begin_write(
    conn: &mut sqlx::AnyConnection,
) -> Result<sqlx::Transaction<'_, sqlx::Any>> {
    Ok(match backend_of(conn) {
        Backend::Sqlite => sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await?,
        Backend::Postgres => sqlx::Connection::begin(conn).await?,
    })
}

/// Advances the named counter inside `tx` and returns its new value.
///
/// The row lock taken by the update orders concurrent writers, so a reader that has seen
/// value N has also seen every change stamped below N.
pub async fn next_counter(tx: &mut sqlx::AnyConnection, name: &str) -> Result<i64> {
    let value: i64 = sqlx::query_scalar(
        "INSERT INTO counters (name, value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .bind(name)
    .fetch_one(&mut *tx)
    .await?;
    Ok(value)
}

/// Advances the named counter by `n` inside `tx`; returns the first of the `n` values taken.
pub async fn take_counter(tx: &mut sqlx::AnyConnection, name: &str, n: i64) -> Result<i64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO counters (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value",
    )
    .bind(name)
    .bind(n)
    .fetch_one(&mut *tx)
    .await?;
    Ok(last - n + 1)
}

/// Most rows in one multi-row statement: well inside SQLite's and PostgreSQL's limits on
/// bound parameters for the widest rows written in groups.
pub const ROWS_PER_STATEMENT: usize = 256;

/// Splits `items` into runs whose lengths are powers of two (at most
/// [`ROWS_PER_STATEMENT`]), so multi-row statements come in a few shapes that stay in each
/// connection's prepared-statement cache instead of being prepared afresh for every size.
pub fn pow2_chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = ROWS_PER_STATEMENT.min(1 << rest.len().ilog2());
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Some(head)
    })
}

/// `($1, $2), ($3, $4)…`: the placeholders of `rows` rows of `width` values each.
pub fn values_list(rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * width + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// The backend `conn` is connected to.
pub fn backend_of(conn: &sqlx::AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// `n` placeholders for values bound in order, comma-separated: `?, ?, ?` on SQLite and
/// `$1, $2, $3` on PostgreSQL. SQLite finds each numbered placeholder's name by a linear
/// search, so binding `$1`…`$n` costs n² (a 256-row insert spent longer binding than
/// writing); plain `?`s are bound by position. Only for statements whose every placeholder
/// comes from here, in binding order.
pub fn marks(backend: Backend, n: usize) -> String {
    marks_from(backend, 1, n)
}

/// [`marks`] for the values bound from the `first`-th on: `$first, …` on PostgreSQL, and
/// on SQLite the same `?`s, which are positional (the statement's earlier placeholders
/// must be `?`s too, bound first).
pub fn marks_from(backend: Backend, first: usize, n: usize) -> String {
    match backend {
        Backend::Sqlite => {
            let mut out = String::with_capacity(n * 3);
            for i in 0..n {
                out.push_str(if i == 0 { "?" } else { ", ?" });
            }
            out
        }
        Backend::Postgres => (first..first + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A run of at most [`ROWS_PER_STATEMENT`] rows for one multi-row statement, padded to a
/// power of two: a group of any size is one statement, in a few shapes that stay in the
/// prepared-statement cache (one trip to the database each, where [`pow2_chunks`] makes up
/// to eight). The padding repeats the last row, marked 0: [`kept_rows`] leaves it out of a
/// write, and an `IN (…)` list ignores the repeat.
pub struct Padded<'a, T> {
    rows: &'a [T],
    listed: usize,
}

impl<'a, T> Padded<'a, T> {
    /// Rows in the statement, padding included.
    pub fn listed(&self) -> usize {
        self.listed
    }

    /// Each row of the statement with its "keep" mark (1, or 0 for padding).
    pub fn rows(&self) -> impl Iterator<Item = (i64, &'a T)> + '_ {
        let rows = self.rows;
        (0..self.listed).map(move |i| {
            if i < rows.len() {
                (1, &rows[i])
            } else {
                (0, &rows[rows.len() - 1])
            }
        })
    }
}

/// `items` in padded runs, one statement each.
pub fn padded<T>(items: &[T]) -> impl Iterator<Item = Padded<'_, T>> {
    items.chunks(ROWS_PER_STATEMENT).map(|rows| Padded {
        rows,
        listed: rows.len().next_power_of_two(),
    })
}

/// The rows of a padded write as a query: `SELECT column2, … FROM (VALUES (keep, …), …) AS v
/// WHERE column1 = 1`, for `INSERT INTO t (…) <this>` with `width` columns per row.
pub fn kept_rows(backend: Backend, rows: usize, width: usize) -> String {
    let columns: Vec<String> = (2..=width + 1).map(|c| format!("column{c}")).collect();
    format!(
        "SELECT {} FROM (VALUES {}) AS v WHERE column1 = 1",
        columns.join(", "),
        values_marks(backend, rows, width + 1)
    )
}

/// [`values_list`] with [`marks`]: `(?, ?), (?, ?)` on SQLite, `($1, $2), ($3, $4)` on
/// PostgreSQL. The same rule holds: every placeholder of the statement comes from here.
pub fn values_marks(backend: Backend, rows: usize, width: usize) -> String {
    if backend == Backend::Postgres {
        return values_list(rows, width);
    }
    let row = format!("({})", marks(backend, width));
    let mut out = String::with_capacity(rows * (row.len() + 2));
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push_str(&row);
    }
    out
}

/// Reads the named counter (0 when it was never advanced).
pub async fn read_counter(db: &Db, name: &str) -> Result<i64> {
    let value: Option<i64> = sqlx::query_scalar("SELECT value FROM counters WHERE name = $1")
        .bind(name)
        .fetch_optional(db.pool())
        .await?;
    Ok(value.unwrap_or(0))
}

/// The file path of a SQLite `url` (`:memory:` for an in-memory database); `None` for
/// another engine's.
fn sqlite_path(url: &str) -> Option<&str> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(path.split('?').next().unwrap_or(""))
}

fn create_sqlite_parent_dir(url: &str) -> Result<()> {
    let path = sqlite_path(url).unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| {
                crate::Error::Internal(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pow2_chunks_cover_everything_in_power_of_two_runs() {
        for n in [0usize, 1, 2, 3, 7, 64, 100, 257, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let chunks: Vec<&[usize]> = pow2_chunks(&items).collect();
            assert!(chunks
                .iter()
                .all(|c| c.len().is_power_of_two() && c.len() <= ROWS_PER_STATEMENT));
            assert_eq!(chunks.concat(), items);
        }
        assert_eq!(values_list(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_marks(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_marks(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(marks(Backend::Sqlite, 3), "?, ?, ?");
        assert_eq!(marks(Backend::Postgres, 2), "$1, $2");
        assert_eq!(marks_from(Backend::Postgres, 2, 2), "$2, $3");
        assert_eq!(marks_from(Backend::Sqlite, 2, 2), "?, ?");
        let runs: Vec<Vec<(i64, &usize)>> =
            padded(&[7, 8, 9]).map(|p| p.rows().collect()).collect();
        assert_eq!(runs, vec![vec![(1, &7), (1, &8), (1, &9), (0, &9)]]);
        assert_eq!(
            kept_rows(Backend::Sqlite, 1, 2),
            "SELECT column2, column3 FROM (VALUES (?, ?, ?)) AS v WHERE column1 = 1"
        );
    }
}
