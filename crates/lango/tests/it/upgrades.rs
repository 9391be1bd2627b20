//! Upgrades without downtime: during a rolling upgrade, nodes of release N and N+1 serve
//! one database, so migrations only expand (docs/operations.md, "Upgrades without
//! downtime").
//!
//! - Every migration is read: none drops, renames or retypes a table or column, or adds a
//!   `NOT NULL` column without a default, except the contract steps listed below, each
//!   made once no release in service read what it removed.
//! - A node starts and serves on a database a newer release has migrated (a migration it
//!   does not know, a new table, a new column), on SQLite and PostgreSQL.
//! - With `LANGO_PREVIOUS_BIN` (the previous release's `lango`, built by `.ci/run` from
//!   `deploy/PREVIOUS_RELEASE`), that binary serves on a database this one migrated.

use crate::mpesa_crash::free_port;
use crate::support::{serve_process, until_readyz, Running};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Contract steps: migrations allowed to remove something, and why that was safe.
const CONTRACTS: &[(&str, &str)] = &[(
    "60018",
    "cases_keys: its keys had moved to core_keys in an earlier release, which no longer read it",
)];

/// Every migration file of every crate, both backends.
fn migration_files() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in std::fs::read_dir(crates).unwrap() {
        for backend in ["sqlite", "postgres"] {
            let dir = krate
                .as_ref()
                .unwrap()
                .path()
                .join("migrations")
                .join(backend);
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            files.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    files.sort();
    files
}

/// What in `sql` an older node could trip over, one line each.
fn contractions(sql: &str) -> Vec<String> {
    let mut found = Vec::new();
    for statement in sql.split(';') {
        let s = statement
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let bad = s.starts_with("DROP TABLE")
            || s.starts_with("DROP VIEW")
            || s.starts_with("DROP TRIGGER")
            || s.contains(" DROP COLUMN ")
            || s.contains(" RENAME ")
            || s.contains(" ALTER COLUMN ")
            || s.contains(" ADD CONSTRAINT ")
            || (s.starts_with("ALTER TABLE")
                && s.contains(" ADD ")
                && s.contains("NOT NULL")
                && !s.contains("DEFAULT"));
        if bad {
            found.push(s);
        }
    }
    found
}

#[test]
fn migrations_only_expand_except_the_listed_contract_steps() {
    let files = migration_files();
    assert!(
        files.len() > 100,
        "every crate's migrations are read: {}",
        files.len()
    );
    let mut refused = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let allowed = CONTRACTS
            .iter()
            .any(|(v, _)| name.starts_with(&format!("{v}_")));
        let found = contractions(&std::fs::read_to_string(file).unwrap());
        if !found.is_empty() && !allowed {
            refused.push(format!("{}: {found:?}", file.display()));
        }
    }
    assert!(
        refused.is_empty(),
        "migrations that would break the previous release's nodes:\n{}",
        refused.join("\n")
    );
    // The rule itself catches what it must.
    assert_eq!(
        contractions("ALTER TABLE bills DROP COLUMN payer;").len(),
        1
    );
    assert_eq!(
        contractions("ALTER TABLE bills RENAME TO invoices").len(),
        1
    );
    assert_eq!(
        contractions("ALTER TABLE bills ADD COLUMN x TEXT NOT NULL").len(),
        1
    );
    assert_eq!(
        contractions("ALTER TABLE bills ADD x TEXT NOT NULL").len(),
        1
    );
    let constraint = "ALTER TABLE bills ADD CONSTRAINT c CHECK (amount > 0)";
    assert_eq!(contractions(constraint).len(), 1);
    assert!(contractions("ALTER TABLE bills ADD COLUMN x TEXT NOT NULL DEFAULT ''").is_empty());
    assert!(contractions("CREATE INDEX a ON b (c); -- DROP TABLE nothing").is_empty());
}

/// Starts `binary serve` on `db_url`; waits until it answers /readyz.
async fn serve(binary: &Path, dir: &Path, db_url: &str) -> (Running, String) {
    let listen = format!("127.0.0.1:{}", free_port());
    let node = serve_process(binary, dir, Some(db_url), &listen, &[]);
    let base = format!("http://{listen}");
    until_readyz(&base, 200).await;
    (node, base)
}

/// Pages and API answers a node must still give.
async fn serves(base: &str) {
    for path in ["/", "/services", "/api/v1/services?q=passport", "/centres"] {
        let res = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
}

/// What release N+1 might have added: a migration this binary does not know, applied, with
/// a new table and a new nullable column.
async fn expand_as_a_newer_release(db_url: &str) {
    let db = lango_core::db::Db::connect(db_url, 1).await.unwrap();
    for sql in [
        "CREATE TABLE from_a_newer_release (id TEXT PRIMARY KEY, note TEXT)",
        "ALTER TABLE bills ADD COLUMN newer_release_note TEXT",
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999999001, 'from a newer release', TRUE, X'00', 1)",
    ] {
        let sql = if db.backend() == lango_core::db::Backend::Postgres {
            sql.replace("X'00'", "'\\x00'::bytea")
        } else {
            sql.to_string()
        };
        sqlx::query(&sql).execute(db.pool()).await.unwrap();
    }
    db.close().await;
}

/// This binary migrates a fresh database, a newer release expands it, and `binary` still
/// starts and serves on it.
async fn serves_after_a_newer_migration(binary: &Path, db_url: &str, dir: &Path) {
    let migrate = Command::new(env!("CARGO_BIN_EXE_lango"))
        .arg("migrate")
        .env("LANGO_DATA_DIR", dir)
        .env("LANGO_DATABASE_URL", db_url)
        .env("LANGO_LOG", "error")
        .status()
        .unwrap();
    assert!(migrate.success());
    expand_as_a_newer_release(db_url).await;
    let (_node, base) = serve(binary, dir, db_url).await;
    serves(&base).await;
}

#[tokio::test]
async fn a_node_serves_on_a_database_a_newer_release_migrated() {
    let this = Path::new(env!("CARGO_BIN_EXE_lango"));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    serves_after_a_newer_migration(this, &url, dir.path()).await;
    if let Some(pg) = lango_core::testdb::PostgresTestDatabase::create().await {
        let dir = tempfile::tempdir().unwrap();
        serves_after_a_newer_migration(this, &pg.url, dir.path()).await;
    }
}

#[tokio::test]
async fn the_previous_release_serves_on_a_database_this_release_migrated() {
    let Some(previous) = std::env::var_os("LANGO_PREVIOUS_BIN").map(PathBuf::from) else {
        assert!(
            std::env::var_os("LANGO_REQUIRE_PREVIOUS_BIN").is_none(),
            "LANGO_REQUIRE_PREVIOUS_BIN is set but LANGO_PREVIOUS_BIN is not"
        );
        eprintln!("LANGO_PREVIOUS_BIN is not set: the previous release's run is skipped");
        return;
    };
    let Some(pg) = lango_core::testdb::PostgresTestDatabase::create().await else {
        eprintln!("LANGO_TEST_POSTGRES_URL is not set: the previous release's run is skipped");
        return;
    };
    // The previous release makes its database, this one migrates it (the rolling upgrade's
    // first step), and the previous release's nodes go on serving on it.
    let dir = tempfile::tempdir().unwrap();
    drop(serve(&previous, dir.path(), &pg.url).await);
    let this = Path::new(env!("CARGO_BIN_EXE_lango"));
    let (_new, base) = serve(this, dir.path(), &pg.url).await;
    serves(&base).await;
    let (_old, old_base) = serve(&previous, dir.path(), &pg.url).await;
    serves(&old_base).await;
}

/// A contract step records that only releases knowing a given migration may serve the
/// database: a node that does not know it refuses to start, saying which, and changes
/// nothing.
#[tokio::test]
async fn a_node_refuses_a_database_contracted_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let migrate = || {
        Command::new(env!("CARGO_BIN_EXE_lango"))
            .arg("migrate")
            .env("LANGO_DATA_DIR", dir.path())
            .env("LANGO_DATABASE_URL", &url)
            .env("LANGO_LOG", "error")
            .output()
            .unwrap()
    };
    assert!(migrate().status.success());
    expand_as_a_newer_release(&url).await;
    let db = lango_core::db::Db::connect(&url, 1).await.unwrap();
    sqlx::query(
        "INSERT INTO database_settings (name, value, set_at) \
         VALUES ('serves_from_migration', '999999001', 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;
    let refused = migrate();
    let said = String::from_utf8_lossy(&refused.stderr).to_string();
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains("migration 999999001"), "{said}");
}
