//! The reference deployment (deploy/) on loopback: HAProxy, from Debian's package, with
//! deploy/haproxy/haproxy.cfg as shipped, in front of three `lango serve` nodes on one
//! PostgreSQL and one NATS.
//!
//! A mixed load (searches, sign-ins, bills, M-Pesa confirmations, submissions) runs through
//! HAProxy while every node is restarted in turn as systemd restarts it (SIGTERM, then a
//! new process): not one request fails. Then a node is killed with SIGKILL under the same
//! load: requests it held fail or are replayed as documented, and afterwards every
//! TransID is posted once, every Idempotency-Key made one bill, every submission is
//! recorded once, and `lango ledger verify` is clean.

use crate::deploy_load::{self, Work};
use crate::mpesa_crash::{self, free_port};
use crate::support::{serve_process, terminate, this_lango, until_readyz, Running};
use lango_core::db::Db;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a stopping node keeps serving while /readyz says 503 (HAProxy's fall × inter
/// is 1 s in the shipped configuration).
const DRAIN_MS: &str = "1500";

/// Whether HAProxy is installed (said when not; refused when `LANGO_REQUIRE_HAPROXY` is set).
fn haproxy_installed() -> bool {
    let found = Command::new("haproxy").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("LANGO_REQUIRE_HAPROXY").is_none(),
            "LANGO_REQUIRE_HAPROXY is set but haproxy is not installed"
        );
        eprintln!("haproxy is not installed: the deployment test is skipped");
    }
    found
}

/// The shipped load balancer configuration.
fn haproxy_cfg() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/haproxy/haproxy.cfg")
}

/// The NATS server the nodes publish to, when one answers.
fn nats_url() -> Option<String> {
    let up = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:4222".parse().unwrap(),
        Duration::from_millis(500),
    )
    .is_ok();
    up.then(|| "nats://127.0.0.1:4222".to_string())
}

/// HAProxy and three nodes, each on a free loopback port.
struct Layout {
    dir: tempfile::TempDir,
    db_url: String,
    lb: String,
    stats: String,
    listens: Vec<String>,
    /// The nodes' settings (the same for all but `LANGO_LISTEN`).
    settings: Vec<(&'static str, String)>,
    nodes: Vec<Option<Running>>,
    haproxy: Running,
    client: reqwest::Client,
}

impl Layout {
    async fn start(db_url: &str) -> Layout {
        let dir = tempfile::tempdir().unwrap();
        let listens: Vec<String> = (0..3)
            .map(|_| format!("127.0.0.1:{}", free_port()))
            .collect();
        let lb = format!("127.0.0.1:{}", free_port());
        let stats = format!("127.0.0.1:{}", free_port());
        let haproxy = Command::new("haproxy")
            .args(["-db", "-f"])
            .arg(haproxy_cfg())
            .env("LANGO_LB_BIND", &lb)
            .env("LANGO_LB_STATS", &stats)
            .env("LANGO_NODE1", &listens[0])
            .env("LANGO_NODE2", &listens[1])
            .env("LANGO_NODE3", &listens[2])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start haproxy");
        let mut settings = vec![
            ("LANGO_PUBLIC_URL", format!("http://{lb}")),
            ("LANGO_TRUSTED_PROXIES", "127.0.0.1/32".into()),
            ("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".into()),
            ("LANGO_DRAIN_MS", DRAIN_MS.into()),
        ];
        if let Some(nats) = nats_url() {
            settings.push(("LANGO_NATS_URL", nats));
        }
        let mut layout = Layout {
            dir,
            db_url: db_url.to_string(),
            lb: format!("http://{lb}"),
            stats: format!("http://{stats}"),
            listens,
            settings,
            nodes: vec![None, None, None],
            haproxy: Running(haproxy),
            client: reqwest::Client::new(),
        };
        for i in 0..3 {
            layout.nodes[i] = Some(layout.node(i));
        }
        for i in 0..3 {
            layout.until_serving(i).await;
        }
        layout
    }

    /// Starts node `i` as the shipped systemd unit does (`lango serve`, configured by the
    /// environment).
    fn node(&self, i: usize) -> Running {
        let settings: Vec<(&str, &str)> = self
            .settings
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let (dir, db) = (self.dir.path(), Some(self.db_url.as_str()));
        serve_process(this_lango(), dir, db, &self.listens[i], &settings)
    }

    /// Waits until node `i` answers /readyz and HAProxy has it in the pool again.
    async fn until_serving(&mut self, i: usize) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.haproxy.0.try_wait().unwrap() {
                panic!("haproxy stopped: {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "node {} never came up",
                i + 1
            );
            if self.haproxy_status(i).await.as_deref() == Some("UP") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The status HAProxy gives node `i` (`UP`, `DOWN`, …) on its status page.
    async fn haproxy_status(&self, i: usize) -> Option<String> {
        let csv = self
            .client
            .get(format!("{}/;csv", self.stats))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let header: Vec<&str> = csv
            .lines()
            .next()?
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let at = header.iter().position(|h| *h == "status")?;
        let name = format!("node{}", i + 1);
        csv.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f.first() == Some(&"nodes") && f.get(1) == Some(&name.as_str()))
            .and_then(|f| f.get(at).map(|s| s.to_string()))
    }

    /// Restarts node `i` as `systemctl restart` does: SIGTERM, wait for the exit, start.
    async fn restart(&mut self, i: usize) {
        let mut node = self.nodes[i].take().unwrap();
        terminate(&node);
        let status = tokio::task::spawn_blocking(move || node.0.wait().unwrap())
            .await
            .unwrap();
        assert!(
            status.success(),
            "node {} exits cleanly on SIGTERM: {status}",
            i + 1
        );
        self.nodes[i] = Some(self.node(i));
        self.until_serving(i).await;
    }

    /// Kills node `i` with SIGKILL and starts it again.
    async fn kill_and_start(&mut self, i: usize) {
        self.nodes[i] = None; // SIGKILL, as the guard drops
        self.nodes[i] = Some(self.node(i));
        self.until_serving(i).await;
    }
}

/// The service the load applies for: one page, a fee, and a review.
const ONE_PAGE: &str = r#"
service: CRS-BIRTH-CERT-COPY
title: { en: Get a copy of a birth certificate }
declaration: { en: I declare that the information I have given is true. }
pages:
  - id: certificate
    title: { en: The birth certificate }
    fields:
      - { id: full_name, type: text, label: { en: Name on the certificate }, required: true }
fees:
  currency: KES
  items:
    - { label: { en: Certified copy }, amount: "200.00" }
workflow:
  start: awaiting_payment
  states:
    - { id: awaiting_payment, label: { en: Waiting for payment }, actor: system, paid_to: review }
    - id: review
      label: { en: Being checked }
      actor: officer
      actions:
        - { id: approve, label: { en: Approve }, to: approved }
    - { id: approved, label: { en: Approved }, actor: system, outcome: completed }
"#;

/// Citizens with passwords and sessions, drafts ready to submit, an agency key, and the
/// M-Pesa stream (its bills raised).
pub(crate) async fn prepare(db_url: &str, documents: &Path) -> (Db, Work) {
    let (db, confirmations) = mpesa_crash::prepare_stream(db_url, 3_000).await;
    let definition = [("copy.yaml".to_string(), ONE_PAGE.to_string())];
    let stored = lango_cases::registry::load_texts(&db, &definition)
        .await
        .unwrap();
    assert_eq!(stored, 1, "the definition is valid");
    let settings = lango_cases::service::Settings::new(documents.display().to_string(), Vec::new());
    let cases = lango_cases::Cases::open(db.clone(), settings)
        .await
        .unwrap();
    let (mut people, mut sessions, mut drafts) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..40 {
        let email = format!("deploy{i}@example.com");
        let id_number = format!("{}", 32_000_000 + i);
        let (account, session) = crate::support::signed_in_person(&db, &id_number, &email).await;
        people.push((email, crate::support::PASSWORD.to_string()));
        let actor = lango_identity::policy::Actor::Person(
            lango_identity::account::actor(&db, &account).await.unwrap(),
        );
        for d in 0..30 {
            let draft = cases
                .start(&actor, "CRS-BIRTH-CERT-COPY", None, &Default::default())
                .await
                .unwrap();
            let input = lango_cases::definition::PageInput {
                values: vec![("full_name".into(), format!("Deploy Child {i}-{d}"))],
                files: Vec::new(),
            };
            let answered = cases
                .answer(&actor, &draft.reference, "certificate", &input)
                .await;
            answered.unwrap().expect("answers accepted");
            drafts.push((draft.reference, sessions.len()));
        }
        sessions.push(session);
    }
    let key = crate::support::agency_key_in(&db, "DIS", &["bills:write"]).await;
    let work = Work {
        targets: Vec::new(),
        key,
        people,
        sessions,
        drafts,
        confirmations,
    };
    (db, work)
}

/// What the load must have left: each bill once per key, each submission once, and the
/// M-Pesa stream posted exactly once with a clean ledger.
pub(crate) async fn check(
    db: &Db,
    data_dir: &Path,
    db_url: &str,
    load: &deploy_load::Outcome,
    work: &Work,
) {
    let scalar = |sql: &'static str| async move {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap();
        n as usize
    };
    let bills = scalar("SELECT COUNT(*) FROM bills WHERE agency_reference LIKE 'LOAD-%'").await;
    assert_eq!(bills, load.bills, "one bill per Idempotency-Key");
    let submissions =
        scalar("SELECT COUNT(*) FROM application_transitions WHERE from_state = 'draft'").await;
    assert_eq!(submissions, load.submitted, "each submission recorded once");
    let drafts_left = scalar("SELECT COUNT(*) FROM applications WHERE state = 'draft'").await;
    assert_eq!(
        drafts_left,
        work.drafts.len() - load.submitted,
        "the rest still drafts"
    );
    mpesa_crash::check(db, &work.confirmations, data_dir, db_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_behind_haproxy_restart_and_die_under_load_losing_nothing() {
    if !haproxy_installed() {
        return;
    }
    let Some(pg) = lango_core::testdb::PostgresTestDatabase::create().await else {
        eprintln!("LANGO_TEST_POSTGRES_URL is not set: the deployment test is skipped");
        return;
    };
    let documents = tempfile::tempdir().unwrap();
    let (db, mut work) = prepare(&pg.url, documents.path()).await;
    let mut layout = Layout::start(&pg.url).await;
    work.targets = vec![layout.lb.clone()];
    let work = Arc::new(work);
    let load = deploy_load::start(work.clone());
    load.until_more_confirmed(100).await;

    // A rolling restart, as systemd does it: not one request may fail.
    let rolling = Instant::now();
    for i in 0..3 {
        layout.restart(i).await;
        load.until_more_confirmed(100).await;
    }
    let during = rolling.elapsed();
    eprintln!(
        "rolling restart of 3 nodes under load, {:.1} s:\n{}",
        during.as_secs_f64(),
        load.tally.report(during)
    );
    assert_eq!(
        load.tally.failures(),
        0,
        "no request fails through a rolling restart:\n{}",
        load.tally.report(during)
    );

    // A node killed outright: what it held is replayed or retried as documented; nothing
    // is lost or doubled.
    let before = load.tally.succeeded("submission");
    layout.kill_and_start(1).await;
    load.until_more_confirmed(100).await;
    assert!(
        load.tally.succeeded("submission") > before,
        "submissions went on around the kill"
    );
    let outcome = load.finish().await;
    eprintln!(
        "in all, a node killed after the rolling restart:\n{}",
        outcome.report
    );
    check(&db, layout.dir.path(), &layout.db_url, &outcome, &work).await;
    db.close().await;
}

/// A node asked to stop (SIGTERM, as systemd asks) first drains: `/readyz` says so with a
/// 503 while pages, the API and /metrics are still served; then it exits cleanly.
#[tokio::test]
async fn a_stopping_node_drains_before_it_exits() {
    let dir = tempfile::tempdir().unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let settings = [("LANGO_LOG", "off"), ("LANGO_DRAIN_MS", "3000")];
    let mut node = serve_process(this_lango(), dir.path(), None, &listen, &settings);
    let base = format!("http://{listen}");
    until_readyz(&base, 200).await;
    terminate(&node);
    until_readyz(&base, 503).await;
    let ready: serde_json::Value = reqwest::get(format!("{base}/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "draining");
    let services = reqwest::get(format!("{base}/api/v1/services?q=passport"))
        .await
        .unwrap();
    assert_eq!(services.status(), 200, "still serving while it drains");
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("lango_draining 1"), "{metrics}");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = node.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the node never stopped"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a drained node exits cleanly: {status}");
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "it no longer listens"
    );
}
