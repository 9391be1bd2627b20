//! Whether a database may hold synthetic (sample) data. `lango demo` marks its database
//! `demo`; a test or benchmark marks its own `test`. Seeding synthetic applications or
//! services asks [`require`] first, so they can never reach a real deployment's published
//! figures.

use crate::db::Db;
use crate::{Error, Result};

/// The setting's name in `database_settings`.
const SETTING: &str = "sample_data";

/// Why a database may hold sample data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The demo country (`lango demo`).
    Demo,
    /// A database made by a test or a benchmark, or marked so by its operator.
    Test,
}

impl Mark {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Demo => "demo",
            Mark::Test => "test",
        }
    }
}

/// Marks the database as one that may hold sample data. A demo database stays `demo`
/// (marking it `test` changes nothing); marking twice is harmless.
pub async fn mark(db: &Db, mark: Mark) -> Result<()> {
    sqlx::query(
        "INSERT INTO database_settings (name, value, set_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(SETTING)
    .bind(mark.as_str())
    .bind(crate::clock::now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The database's mark, if it has one.
pub async fn marked(db: &Db) -> Result<Option<Mark>> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM database_settings WHERE name = $1")
            .bind(SETTING)
            .fetch_optional(db.pool())
            .await?;
    Ok(match value.as_deref() {
        Some("demo") => Some(Mark::Demo),
        Some("test") => Some(Mark::Test),
        _ => None,
    })
}

/// Refuses (`Forbidden`, saying what to do) unless the database is marked.
pub async fn require(db: &Db) -> Result<Mark> {
    marked(db).await?.ok_or_else(|| {
        Error::Forbidden(
            "this database is not a demo or test database, and synthetic data seeded into it \
             would be counted in its published figures: seed the database `lango demo` made, \
             or, only if this database is a test database, pass \
             --i-know-this-is-a-test-database to mark it as one for good"
                .into(),
        )
    })
}
