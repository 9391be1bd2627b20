//! PostgreSQL restarted under load: two `lango serve` nodes take the deployment test's
//! mixed load while their PostgreSQL server stops as if it crashed (`pg_ctl stop -m
//! immediate`: connections cut, no checkpoint) and comes back. The nodes are not
//! restarted: they answer 503 on /readyz while the database is away, reconnect by
//! themselves, and afterwards nothing acknowledged is missing and nothing is doubled.
//!
//! The server is the test's own (initdb into a temporary directory, on a free port), so the
//! machine's PostgreSQL, which other tests use at the same time, is never touched.

use crate::deploy_load;
use crate::mpesa_crash::free_port;
use crate::support::{serve_process, this_lango, until_readyz, Running};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// A PostgreSQL server of the test's own.
struct Server {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Running as root, the server runs as the `postgres` user (it refuses root).
    root: bool,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate"]);
    }
}

impl Server {
    /// A new server, or `None` (said) when PostgreSQL's server programs are not installed.
    fn create() -> Option<Server> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .find(|b| b.join("initdb").exists());
        let Some(bin) = bin else {
            eprintln!("no PostgreSQL server programs: the restart test is skipped");
            return None;
        };
        let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
        let dir = tempfile::tempdir().unwrap();
        if root {
            let owned = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(owned.success());
        }
        let server = Server {
            dir,
            bin,
            port: free_port(),
            root,
        };
        let data = server.data();
        let init = server
            .command("initdb")
            .args([
                "--auth=trust",
                "--username=postgres",
                "--no-instructions",
                "-D",
            ])
            .arg(&data)
            .output()
            .unwrap();
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        Some(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// One of the server's programs, run as the user that owns the data.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> std::process::ExitStatus {
        self.command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-w")
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
    }

    fn start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={}",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        let log = log.to_str().unwrap();
        assert!(self.pg_ctl(&["-o", &options, "-l", log, "start"]).success());
    }

    /// Stops as a crash does: connections cut, no checkpoint.
    fn crash(&self) {
        assert!(self.pg_ctl(&["stop", "-m", "immediate"]).success());
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_reconnect_after_postgresql_restarts_under_load_losing_nothing() {
    if std::env::var_os("LANGO_TEST_POSTGRES_URL").is_none() {
        eprintln!("LANGO_TEST_POSTGRES_URL is not set: the PostgreSQL restart test is skipped");
        return;
    }
    let Some(server) = Server::create() else {
        return;
    };
    server.start();
    let documents = tempfile::tempdir().unwrap();
    let (db, mut work) = crate::deploy::prepare(&server.url(), documents.path()).await;
    db.close().await;
    let dir = tempfile::tempdir().unwrap();
    let listens: Vec<String> = (0..2)
        .map(|_| format!("127.0.0.1:{}", free_port()))
        .collect();
    let url = server.url();
    let settings = [
        ("LANGO_LOG", "off"),
        ("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8"),
    ];
    let _nodes: Vec<Running> = listens
        .iter()
        .map(|l| serve_process(this_lango(), dir.path(), Some(&url), l, &settings))
        .collect();
    let bases: Vec<String> = listens.iter().map(|l| format!("http://{l}")).collect();
    for b in &bases {
        until_readyz(b, 200).await;
    }
    // Each worker sends to one node or the other.
    work.targets = bases.clone();
    let work = Arc::new(work);
    let load = deploy_load::start(work.clone());
    load.until_more_confirmed(200).await;

    server.crash();
    for b in &bases {
        until_readyz(b, 503).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.start();
    for b in &bases {
        until_readyz(b, 200).await;
    }
    load.until_more_confirmed(200).await;
    let failed = load.tally.failures();
    let outcome = load.finish().await;
    eprintln!(
        "PostgreSQL crashed and restarted under load:\n{}",
        outcome.report
    );
    assert!(
        failed > 0,
        "requests failed while the database was away: the outage was real"
    );

    let db = lango_core::db::Db::connect(&server.url(), 2).await.unwrap();
    crate::deploy::check(&db, dir.path(), &server.url(), &outcome, &work).await;
    db.close().await;
}
