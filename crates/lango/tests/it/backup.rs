//! The restore drill, on both backends, with the real binary: payments keep arriving over
//! HTTP while `lango backup` runs; the backup restores with `lango restore` into an empty
//! data dir (SQLite) or database (PostgreSQL) holding every payment acknowledged before it
//! began, and the restored ledger and audit log verify. A restore into a database that
//! holds data, of a truncated file or of a file that is not a backup is refused and
//! changes nothing; an existing file is never overwritten; a backup killed midway leaves no
//! file that looks complete.

use crate::backend_tests;
use crate::reconciliation::{confirm, raise};
use crate::support::TestApp;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Payments acknowledged before the backup starts.
const BEFORE: usize = 12;

/// The real binary with a data dir and (PostgreSQL) a database of its own.
fn lango(data_dir: &std::path::Path, db_url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lango"));
    cmd.args(args)
        .env("LANGO_DATA_DIR", data_dir)
        .env("LANGO_LOG", "warn")
        .env_remove("LANGO_DATABASE_URL");
    if let Some(url) = db_url {
        cmd.env("LANGO_DATABASE_URL", url);
    }
    cmd.output().expect("run lango")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// How many M-Pesa receipts the database at (`data_dir`, `db_url`) holds of `ids`.
async fn held(data_dir: &std::path::Path, db_url: Option<&str>, ids: &[String]) -> usize {
    let url = db_url
        .map(str::to_string)
        // Read-write: a WAL database without its -shm file cannot be opened read-only.
        .unwrap_or_else(|| format!("sqlite://{}?mode=rw", data_dir.join("lango.db").display()));
    let db = lango_core::db::Db::connect(&url, 1).await.unwrap();
    let mut n = 0;
    for id in ids {
        let found: Option<String> =
            sqlx::query_scalar("SELECT trans_id FROM mpesa_receipts WHERE trans_id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await
                .unwrap();
        n += usize::from(found.is_some());
    }
    db.close().await;
    n
}

backend_tests! {
    spawn = TestApp::spawn_mpesa;

    async fn a_backup_taken_under_load_restores_whole_and_refusals_change_nothing(app: TestApp) {
        let postgres = app.db_url.starts_with("postgres");
        let key = app.agency_key("DIS", &["bills:write", "bills:read"]).await;
        let now = lango_core::clock::now_ms();
        let mut acknowledged = Vec::new();
        for i in 0..BEFORE {
            let bill = raise(&app, &key, "DIS-PASSPORT", "4550.00", &format!("BK-{i}")).await;
            let id = format!("BKA{i:07}");
            confirm(&app, &id, "4600.00", &bill, now - 60_000).await;
            acknowledged.push(id);
        }
        // Payments keep arriving while the backup runs.
        let stop = Arc::new(AtomicBool::new(false));
        let during = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (client, base, stop, during) = (app.client.clone(), app.base.clone(), stop.clone(), during.clone());
            let bill = raise(&app, &key, "DIS-PASSPORT", "4550.00", "BK-LOAD").await;
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let time = lango_payments::daraja_api::eat_timestamp(now);
                    crate::support::c2b_confirmation(&client, &base, &format!("BKB{i:07}"), "10.00", &bill, &time).await;
                    during.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        };
        let backups = tempfile::tempdir().unwrap();
        let file = backups.path().join("lango.backup");
        let path = file.to_str().unwrap();
        // The backup starts with the writer going, and the writer is still going after it.
        app.eventually("the writer going", || async { during.load(Ordering::Relaxed) > 0 }).await;
        let out = app.cli(&["backup", path]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("backup written"), "{}", text(&out));
        let after = during.load(Ordering::Relaxed);
        app.eventually("the writer still going", || async { during.load(Ordering::Relaxed) > after }).await;
        stop.store(true, Ordering::Relaxed);
        writer.await.unwrap();
        assert!(!backups.path().join("lango.backup.partial").exists(), "no partial file left");
        // Never over an existing file.
        let again = app.cli(&["backup", path]);
        assert!(!again.status.success() && text(&again).contains("exists"), "{}", text(&again));

        // Restore into an empty place: every acknowledged payment is there, books verify.
        let target = tempfile::tempdir().unwrap();
        let fresh = if postgres { lango_core::testdb::PostgresTestDatabase::create().await } else { None };
        let url = fresh.as_ref().map(|d| d.url.as_str());
        let restored = lango(target.path(), url, &["restore", path]);
        assert!(restored.status.success(), "{}", text(&restored));
        assert_eq!(held(target.path(), url, &acknowledged).await, BEFORE);
        for check in [["ledger", "verify"], ["audit", "verify"]] {
            let out = lango(target.path(), url, &check);
            assert!(out.status.success(), "{check:?}: {}", text(&out));
        }

        // Refusals change nothing: a database that holds data, a truncated file, a stranger.
        let twice = lango(target.path(), url, &["restore", path]);
        assert!(!twice.status.success() && text(&twice).contains("already holds"), "{}", text(&twice));
        assert_eq!(held(target.path(), url, &acknowledged).await, BEFORE);
        let bytes = std::fs::read(&file).unwrap();
        let cut = backups.path().join("cut.backup");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let foreign = backups.path().join("notes.txt");
        std::fs::write(&foreign, "not a backup at all, just some words\n").unwrap();
        for bad in [&cut, &foreign] {
            let empty = tempfile::tempdir().unwrap();
            let blank = if postgres { lango_core::testdb::PostgresTestDatabase::create().await } else { None };
            let blank_url = blank.as_ref().map(|d| d.url.as_str());
            let refused = lango(empty.path(), blank_url, &["restore", bad.to_str().unwrap()]);
            assert!(!refused.status.success(), "{}: {}", bad.display(), text(&refused));
            if postgres {
                let db = lango_core::db::Db::connect(blank_url.unwrap(), 1).await.unwrap();
                let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
                    .fetch_one(db.pool()).await.unwrap();
                db.close().await;
                assert_eq!(tables, 0, "{}: nothing restored", bad.display());
            } else {
                let left: Vec<_> = std::fs::read_dir(empty.path()).unwrap().collect();
                assert!(left.is_empty(), "{}: nothing left in the data dir: {left:?}", bad.display());
            }
        }
    }

    async fn a_backup_killed_midway_leaves_no_file_that_looks_complete(app: TestApp) {
        // A database big enough (150 MB) that the copy is caught while it writes.
        let postgres = app.db_url.starts_with("postgres");
        let fill = if postgres {
            "CREATE TABLE backup_filler AS SELECT g AS id, repeat(md5(g::text), 32) AS body FROM generate_series(1, 150000) g"
        } else {
            "CREATE TABLE backup_filler AS WITH RECURSIVE s(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM s WHERE id < 150000) SELECT id, randomblob(1000) AS body FROM s"
        };
        let db = app.db().await;
        sqlx::query(fill).execute(db.pool()).await.unwrap();
        db.close().await;
        let backups = tempfile::tempdir().unwrap();
        let file = backups.path().join("lango.backup");
        let partial = backups.path().join("lango.backup.partial");
        let mut backup = Command::new(env!("CARGO_BIN_EXE_lango"))
            .args(["backup", file.to_str().unwrap()])
            .env("LANGO_DATA_DIR", app.data_dir.path())
            .env("LANGO_DATABASE_URL", &app.db_url)
            .env("LANGO_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while !partial.exists() {
            assert!(backup.try_wait().unwrap().is_none(), "the backup ended before it was caught");
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "the copy never began");
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        backup.kill().unwrap(); // SIGKILL, midway
        backup.wait().unwrap();
        assert!(!file.exists(), "a killed backup leaves no file under the name asked for");
        // The next backup replaces what the killed one left and completes.
        let out = app.cli(&["backup", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(file.exists() && !partial.exists());
    }
}
