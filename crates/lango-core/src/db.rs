//! The database handle: one pool over SQLite or PostgreSQL, chosen by URL at run time.
//!
//! Queries are written once in portable SQL (`$1` placeholders, TEXT ids, BIGINT minor
//! units and unix-millisecond times); DDL that must differ lives in per-backend migration
//! folders, one pair per crate that owns tables.

use crate::Result;
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::{Migration, Migrator};
use sqlx::{AnyPool, Executor};
use std::borrow::Cow;
use std::time::Duration;

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
}

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
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    // FULL: an acknowledged write survives power loss, not only a crash.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await?;
        Ok(Db { pool, backend })
    }

    /// The pool, for stores to run their queries on.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The engine behind the pool.
    pub fn backend(&self) -> Backend {
        self.backend
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
        let mut migrator = Migrator {
            migrations: Cow::Owned(all),
            ..Migrator::DEFAULT
        };
        migrator.set_locking(self.backend == Backend::Postgres);
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| crate::Error::Internal(format!("migration failed: {e}")))
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

/// Reads the named counter (0 when it was never advanced).
pub async fn read_counter(db: &Db, name: &str) -> Result<i64> {
    let value: Option<i64> = sqlx::query_scalar("SELECT value FROM counters WHERE name = $1")
        .bind(name)
        .fetch_optional(db.pool())
        .await?;
    Ok(value.unwrap_or(0))
}

fn create_sqlite_parent_dir(url: &str) -> Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or("");
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
