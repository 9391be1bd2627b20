//! `lango backup FILE` and `lango restore FILE`: a consistent copy of the database taken
//! while the server runs, and its restore into an empty data dir or database.
//!
//! - **SQLite**: `VACUUM INTO` copies the database inside one read transaction, so the copy
//!   is one instant's state and writers (WAL) go on meanwhile. The copy is checked
//!   (`PRAGMA integrity_check`) before it gets its name. The backup is a plain SQLite file.
//! - **PostgreSQL**: `pg_dump --format=custom`, the same file a DBA makes with pg_dump
//!   (one snapshot, writers go on), restored with `pg_restore` in one transaction. A DBA can
//!   run either tool directly, and point-in-time recovery stays the DBA's (see
//!   docs/operations.md).
//!
//! Both write to `FILE.partial` and rename it only once it is whole: an interrupted backup
//! never leaves a file that looks complete. A restore refuses a database that holds any
//! table, a file that is not a Lango backup, a truncated or damaged one, and one made by a
//! newer Lango; a refused restore changes nothing. The document store's index is in the
//! database, so it travels with the backup; the documents stay in their object store.

use anyhow::{bail, Context};
use lango_core::config::Config;
use lango_core::db::{Backend, Db};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first bytes of an SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The first bytes of a pg_dump custom-format archive.
const PG_MAGIC: &[u8] = b"PGDMP";

/// Where a backup is written until it is whole.
fn partial(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Removes an SQLite file and the WAL files opening it may have left beside it.
fn remove_db_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// The file an `sqlite:` URL names (its query, such as `?mode=rwc`, left off).
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn backend_of(url: &str) -> Backend {
    if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// A spinner with the time taken, for work whose size is not known ahead.
fn spinner(what: &str) -> indicatif::ProgressBar {
    let s = indicatif::ProgressBar::new_spinner();
    s.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    s.set_message(what.to_string());
    s.enable_steady_tick(std::time::Duration::from_millis(120));
    s
}

/// `lango backup FILE`, with a spinner while it copies and a line when done.
pub async fn run_backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let s = spinner("copying the database");
    let size = backup(config, file).await;
    s.finish_and_clear();
    let size = size?;
    println!(
        "backup written: {} ({:.1} MB in {:.1} s)",
        file.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `lango restore FILE`, with a spinner while it restores and a line when done.
pub async fn run_restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let s = spinner("restoring the database");
    let done = restore(config, file).await;
    s.finish_and_clear();
    done?;
    println!(
        "restored from {} in {:.1} s: start the server, then check with `lango ledger verify` and `lango audit verify`",
        file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes a consistent copy of the configured database to `file` (refusing to overwrite
/// one); returns its size in bytes.
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<u64> {
    if file.exists() {
        bail!("{} exists: choose a new file name", file.display());
    }
    let url = config.effective_database_url();
    let part = partial(file);
    remove_db_files(&part);
    let made = match backend_of(&url) {
        Backend::Sqlite => sqlite_backup(&url, &part).await,
        Backend::Postgres => pg_dump(&url, &part),
    };
    if let Err(e) = made {
        remove_db_files(&part);
        return Err(e);
    }
    std::fs::File::open(&part)
        .and_then(|f| f.sync_all())
        .context("cannot flush the backup to disk")?;
    std::fs::rename(&part, file).context("cannot name the finished backup")?;
    Ok(std::fs::metadata(file)?.len())
}

async fn sqlite_backup(url: &str, part: &Path) -> anyhow::Result<()> {
    let db = Db::connect(url, 2)
        .await
        .context("cannot open the database")?;
    let pacer = Pacer::start(part);
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(part.display().to_string())
        .execute(db.pool())
        .await;
    pacer.stop();
    db.close().await;
    copied.context("the copy failed")?;
    check_sqlite(part).await?;
    Ok(())
}

/// Hands the copy's pages to the disk while `VACUUM INTO` writes them, every 20 ms.
///
/// Left to the kernel, a gigabyte of copy piles up in memory and is written back in one
/// burst at the end; the serving node's commits (each an fsync of its WAL) then queue
/// behind it, and writes stalled for 687 ms. Starting the write-back as the copy grows
/// keeps that pile small (measured: the longest stall 17–43 ms instead of 130–256 ms).
struct Pacer {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Pacer {
    fn start(part: &Path) -> Pacer {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, path) = (stop.clone(), part.to_path_buf());
        let thread = std::thread::Builder::new()
            .name("backup-pacer".into())
            .spawn(move || {
                let mut file = None;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    if file.is_none() {
                        file = std::fs::File::open(&path).ok();
                    }
                    if let Some(f) = &file {
                        start_write_back(f);
                    }
                }
            })
            .ok();
        Pacer { stop, thread }
    }

    fn stop(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts writing `file`'s dirty pages to the disk without waiting for them.
#[cfg(target_os = "linux")]
fn start_write_back(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on a descriptor `file` keeps open; it reads no memory.
    let _ = unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
}

/// Elsewhere the kernel's own write-back has to do.
#[cfg(not(target_os = "linux"))]
fn start_write_back(_file: &std::fs::File) {}

/// Opens `file` (an SQLite copy) and checks it whole and Lango's; returns the migrations
/// it holds.
async fn check_sqlite(file: &Path) -> anyhow::Result<Vec<i64>> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    // One plain connection: a damaged file fails at once, with SQLite's own words.
    let url = format!("sqlite://{}?mode=rw", file.display());
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .map_err(|e| anyhow::anyhow!("the file is damaged or not a database: {e}"))?;
    let checked = async {
        let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| anyhow::anyhow!("the file is damaged or truncated: {e}"))?;
        if verdict != "ok" {
            bail!("the file is damaged: {verdict}");
        }
        let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(&mut conn)
            .await
            .map_err(|_| anyhow::anyhow!("the file is not a Lango database (no migrations)"))?;
        if versions.is_empty() {
            bail!("the file is not a Lango database (no migrations)");
        }
        Ok(versions)
    }
    .await;
    let _ = conn.close().await;
    checked
}

/// Refuses a backup holding a migration this binary does not know (made by a newer
/// Lango: migrations are numbered per room, so any unknown one counts, not just the last).
fn known_migrations(backend: Backend, held: &[i64]) -> anyhow::Result<()> {
    let known: std::collections::HashSet<i64> = crate::migrations()
        .iter()
        .flat_map(|m| match backend {
            Backend::Sqlite => m.sqlite.iter(),
            Backend::Postgres => m.postgres.iter(),
        })
        .map(|m| m.version)
        .collect();
    match held.iter().find(|v| !known.contains(v)) {
        Some(v) => bail!(
            "the backup was made by a newer Lango (it holds migration {v}, unknown here): restore it with that version"
        ),
        None => Ok(()),
    }
}

/// A PostgreSQL URL without its password (which goes to the tools in `PGPASSWORD`, never
/// on a command line others can read), and the password.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return (url.to_string(), None);
    };
    match userinfo.split_once(':') {
        Some((user, password)) => (
            format!("{scheme}://{user}@{host}"),
            Some(percent_decoded(password)),
        ),
        None => (url.to_string(), None),
    }
}

/// `%XX` escapes of a URL part decoded (a password may hold `@`, `:` or `/`).
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a PostgreSQL client tool with `args`, the URL's password in its environment.
fn pg_tool(tool: &str, url: &str, args: &[&str]) -> anyhow::Result<()> {
    let (bare, password) = split_password(url);
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(format!("--dbname={bare}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {tool}: install the PostgreSQL client tools"))?;
    if !out.status.success() {
        bail!(
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn pg_dump(url: &str, part: &Path) -> anyhow::Result<()> {
    let file = format!("--file={}", part.display());
    pg_tool(
        "pg_dump",
        url,
        &["--format=custom", "--no-owner", "--no-privileges", &file],
    )
}

/// Fills the configured (empty) database from backup `file`.
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let mut head = [0u8; 16];
    let read = {
        use std::io::Read;
        let mut f =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        f.read(&mut head)?
    };
    let url = config.effective_database_url();
    match backend_of(&url) {
        Backend::Sqlite => {
            if read < SQLITE_MAGIC.len() || head != SQLITE_MAGIC {
                bail!("{} is not a Lango SQLite backup", file.display());
            }
            sqlite_restore(config, file).await
        }
        Backend::Postgres => {
            if !head.starts_with(PG_MAGIC) {
                bail!(
                    "{} is not a PostgreSQL backup (pg_dump --format=custom)",
                    file.display()
                );
            }
            pg_restore(&url, file).await
        }
    }
}

async fn sqlite_restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    // Where the server opens its database: the data dir's, or the configured file.
    let target = sqlite_path(&config.effective_database_url());
    let mut wal = target.as_os_str().to_owned();
    wal.push("-wal");
    for f in [target.clone(), PathBuf::from(wal)] {
        if f.exists() {
            bail!(
                "{} already holds a database: restore into an empty data dir",
                f.display()
            );
        }
    }
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).context("cannot make the database's folder")?;
    }
    let part = partial(&target);
    std::fs::copy(file, &part).context("cannot copy the backup into the data dir")?;
    let checked = check_sqlite(&part)
        .await
        .and_then(|held| known_migrations(Backend::Sqlite, &held));
    if let Err(e) = checked {
        remove_db_files(&part);
        return Err(e);
    }
    std::fs::rename(&part, &target).context("cannot put the database in place")?;
    Ok(())
}

async fn pg_restore(url: &str, file: &Path) -> anyhow::Result<()> {
    let db = Db::connect(url, 1)
        .await
        .context("cannot open the database")?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(db.pool())
    .await?;
    db.close().await;
    if tables > 0 {
        bail!("the database already holds {tables} tables: restore into an empty database");
    }
    let path = file.display().to_string();
    known_migrations(Backend::Postgres, &pg_migrations(&path)?)?;
    pg_tool(
        "pg_restore",
        url,
        &[
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            &path,
        ],
    )?;
    Ok(())
}

/// The migrations a pg_dump archive holds, read from its `_sqlx_migrations` rows without
/// restoring anything; an error for an archive that is not Lango's or is damaged.
fn pg_migrations(path: &str) -> anyhow::Result<Vec<i64>> {
    // Without --dbname pg_restore writes the rows as a script: no connection needed.
    let out = Command::new("pg_restore")
        .args(["--data-only", "--table=_sqlx_migrations", "--file=-", path])
        .output()
        .context("cannot run pg_restore: install the PostgreSQL client tools")?;
    if !out.status.success() {
        bail!(
            "the backup cannot be read: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let rows = text
        .lines()
        .skip_while(|l| !l.starts_with("COPY "))
        .skip(1)
        .take_while(|l| *l != "\\.");
    let versions: Vec<i64> = rows
        .filter_map(|l| l.split('\t').next()?.parse::<i64>().ok())
        .collect();
    if versions.is_empty() {
        bail!("the backup is not a Lango database (no migrations)");
    }
    Ok(versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_reaches_the_command_line() {
        let (bare, password) = split_password("postgres://lango:s3cr%40t@db.example:5432/lango");
        assert_eq!(bare, "postgres://lango@db.example:5432/lango");
        assert_eq!(password.as_deref(), Some("s3cr@t"));
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1/test"),
            ("postgres://postgres@127.0.0.1/test".to_string(), None)
        );
    }

    #[test]
    fn an_sqlite_url_names_its_file() {
        assert_eq!(
            sqlite_path("sqlite:///srv/lango/lango.db?mode=rwc"),
            PathBuf::from("/srv/lango/lango.db")
        );
        assert_eq!(sqlite_path("sqlite:data/x.db"), PathBuf::from("data/x.db"));
    }

    #[test]
    fn a_backup_with_a_migration_unknown_here_is_refused() {
        let mine: Vec<i64> = crate::migrations()
            .iter()
            .flat_map(|m| m.sqlite.iter().map(|x| x.version))
            .collect();
        assert!(known_migrations(Backend::Sqlite, &mine).is_ok());
        let newer = [mine.clone(), vec![50_999]].concat();
        let refused = known_migrations(Backend::Sqlite, &newer).unwrap_err();
        assert!(refused.to_string().contains("50999"), "{refused}");
    }

    #[test]
    fn a_backup_is_written_beside_its_name_until_whole() {
        assert_eq!(
            partial(Path::new("/backups/lango-2026-12-06.db")),
            PathBuf::from("/backups/lango-2026-12-06.db.partial")
        );
    }
}
