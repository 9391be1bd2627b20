//! Killing a real `lango serve` with SIGKILL in the middle of webhook delivery loses no
//! event: after a restart every event reaches the receiver (at least once), each case's
//! events first arrive in order, and the exchange log still verifies.

use crate::webhook_receiver::{Mode, Receiver};
use lango_notify::events::{emit, NewEvent};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const EVENTS: usize = 2_000;
const CASES: usize = 50;

fn start(data_dir: &std::path::Path, db_url: &str, listen: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lango"))
        .arg("serve")
        .env("LANGO_DATA_DIR", data_dir)
        .env("LANGO_DATABASE_URL", db_url)
        .env("LANGO_LISTEN", listen)
        .env("LANGO_LOG", "warn")
        .env("LANGO_WEBHOOK_TIMEOUT_MS", "1000")
        // The receiver is on loopback, over plain http.
        .env("LANGO_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("LANGO_WEBHOOK_BACKOFF_MS", "50")
        .env("LANGO_WEBHOOK_BACKOFF_CAP_MS", "500")
        .spawn()
        .expect("start lango serve")
}

fn distinct(receiver: &Receiver) -> usize {
    receiver
        .received()
        .iter()
        .map(|r| r.json["id"].as_str().unwrap_or("").to_string())
        .collect::<HashSet<_>>()
        .len()
}

async fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_delivery_loses_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let db = lango_core::db::Db::connect(&db_url, 2).await.unwrap();
    db.migrate(&lango::migrations()).await.unwrap();
    let receiver = Receiver::start(Mode::Up).await;
    let loopback = lango_notify::receiver::Policy {
        allow_private: true,
    };
    lango_notify::webhooks::create(&db, "DIS", &receiver.url, &[], "test", loopback)
        .await
        .unwrap()
        .unwrap();
    for batch in 0..EVENTS / 100 {
        let mut tx = db.pool().begin().await.unwrap();
        for i in 0..100 {
            let n = batch * 100 + i;
            let case = format!("case-{}", n % CASES);
            let event = NewEvent {
                kind: "payment.received",
                agency: "DIS",
                order_key: &case,
                data: serde_json::json!({ "n": n }),
            };
            emit(&mut tx, &event).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    db.close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = start(dir.path(), &db_url, &listen);
    wait_for("some deliveries", Duration::from_secs(60), || {
        distinct(&receiver) >= 300
    })
    .await;
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let at_kill = distinct(&receiver);
    assert!(
        at_kill < EVENTS,
        "killed mid-delivery ({at_kill} of {EVENTS})"
    );

    let mut server = start(dir.path(), &db_url, &listen);
    wait_for(
        "every event after the restart",
        Duration::from_secs(120),
        || distinct(&receiver) == EVENTS,
    )
    .await;
    server.kill().unwrap();
    server.wait().unwrap();

    // Each case's events first arrived in the order they happened.
    let mut seen = HashSet::new();
    let mut order: HashMap<String, Vec<i64>> = HashMap::new();
    for r in receiver.received() {
        if seen.insert(r.json["id"].as_str().unwrap().to_string()) {
            order
                .entry(r.json["subject"].as_str().unwrap().to_string())
                .or_default()
                .push(r.json["data"]["n"].as_i64().unwrap());
        }
    }
    assert_eq!(order.len(), CASES);
    for (case, ns) in order {
        assert!(
            ns.windows(2).all(|w| w[0] < w[1]),
            "{case} out of order: {ns:?}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_lango"))
        .args(["audit", "verify"])
        .env("LANGO_DATA_DIR", dir.path())
        .env("LANGO_DATABASE_URL", &db_url)
        .env("LANGO_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    eprintln!(
        "{at_kill} delivered before SIGKILL, {} deliveries received in all for {EVENTS} events",
        receiver.received().len()
    );
}
