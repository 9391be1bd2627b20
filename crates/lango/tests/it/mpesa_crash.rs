//! Killing real `lango serve` processes with SIGKILL while M-Pesa confirmations are in
//! flight loses nothing and posts nothing twice. Confirmations are sent the way Safaricom
//! sends them: 10% of TransIDs arrive twice, 5% name no bill, and every confirmation not
//! acknowledged is sent again until it is. Afterwards every TransID is posted exactly once,
//! the totals equal what was sent, and `lango ledger verify` is clean.
//!
//! One node on SQLite; two nodes sharing one PostgreSQL, with confirmations spread across
//! both and one of them killed and restarted.

use lango_core::db::Db;
use lango_payments::bills::{self, BillRequest, Payer};
use lango_payments::fees::FeeTable;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONFIRMATIONS: usize = 10_000;
const BILLS: usize = 400;
const SENDERS: usize = 64;

/// One confirmation as Safaricom would send it.
#[derive(Clone)]
pub(crate) struct Confirmation {
    trans_id: String,
    cents: i64,
    known: bool,
    /// The JSON body Safaricom posts.
    pub(crate) body: String,
}

fn body(trans_id: &str, cents: i64, reference: &str) -> String {
    serde_json::json!({
        "TransactionType": "Pay Bill", "TransID": trans_id, "TransTime": "20261122103015",
        "TransAmount": format!("{}.{:02}", cents / 100, cents % 100),
        "BusinessShortCode": "222222", "BillRefNumber": reference, "InvoiceNumber": "",
        "OrgAccountBalance": "", "ThirdPartyTransID": "", "MSISDN": "2547*****149",
        "FirstName": "WANJIKU", "MiddleName": "", "LastName": "KAMAU"
    })
    .to_string()
}

/// The stream to send: `total` confirmations of unique TransIDs, every tenth one sent
/// again later.
fn confirmations(references: &[String], total: usize) -> Vec<Confirmation> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(222_222);
    let unique = total * 9 / 10;
    let mut out: Vec<Confirmation> = (0..unique)
        .map(|n| {
            let trans_id = format!("TK{n:08}");
            let cents = rng.gen_range(100..900_000);
            // One in twenty names no bill (well-formed but unknown, or a typo).
            let known = rng.gen_range(0..20) != 0;
            let reference = if known {
                references[rng.gen_range(0..references.len())].clone()
            } else {
                format!("NOBILL{n}")
            };
            let body = body(&trans_id, cents, &reference);
            Confirmation {
                trans_id,
                cents,
                known,
                body,
            }
        })
        .collect();
    for i in 0..total - unique {
        let again = out[i * 9].clone();
        let at = rng.gen_range(i * 9..out.len());
        out.insert(at, again);
    }
    out
}

async fn raise_bills(db: &Db) -> Vec<String> {
    lango::demo::load(db).await.expect("demo catalogue");
    let mut refs = Vec::with_capacity(BILLS);
    for n in 0..BILLS {
        let req = BillRequest {
            service_code: "DIS-PASSPORT".into(),
            amount: format!("{}.00", 1_000 + n * 37),
            currency: "KES".into(),
            agency_reference: format!("CRASH-{n}"),
            payer: Payer::default(),
            description: String::new(),
            shares: Vec::new(),
            expires_on: String::new(),
        };
        let (bill, _) = bills::raise(db, "DIS", "test", &req, None, &FeeTable::kenya())
            .await
            .expect("bill");
        refs.push(bill.reference);
    }
    refs
}

pub(crate) fn start(data_dir: &Path, db_url: &str, listen: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lango"))
        .arg("serve")
        .env("LANGO_DATA_DIR", data_dir)
        .env("LANGO_DATABASE_URL", db_url)
        .env("LANGO_LISTEN", listen)
        .env("LANGO_LOG", "error")
        .env("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8")
        .spawn()
        .expect("start lango serve")
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends every confirmation until acknowledged, spread across `nodes`; returns when all are.
/// `acked` counts acknowledgements as they happen, so the caller can kill mid-flight.
async fn send_all(stream: Arc<Vec<Confirmation>>, nodes: Vec<String>, acked: Arc<AtomicUsize>) {
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(SENDERS)
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let (stream, nodes, next, acked, client) = (
            stream.clone(),
            nodes.clone(),
            next.clone(),
            acked.clone(),
            client.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= stream.len() {
                    return;
                }
                // Unacknowledged: Safaricom tries again, here at another node in turn.
                for attempt in 0.. {
                    assert!(
                        started.elapsed() < Duration::from_secs(600),
                        "confirmation {i} never acknowledged"
                    );
                    let node = &nodes[(i + s + attempt) % nodes.len()];
                    let res = client
                        .post(format!("{node}/channels/mpesa/c2b/confirmation"))
                        .header("content-type", "application/json")
                        .body(stream[i].body.clone())
                        .send()
                        .await;
                    if let Ok(res) = res {
                        if res.status() == 200 {
                            let v: serde_json::Value = res.json().await.unwrap_or_default();
                            if v["ResultCode"] == 0 {
                                acked.fetch_add(1, Ordering::SeqCst);
                                break;
                            }
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

async fn wait_until(what: &str, acked: &AtomicUsize, at_least: usize) {
    let start = Instant::now();
    while acked.load(Ordering::SeqCst) < at_least {
        assert!(start.elapsed() < Duration::from_secs(300), "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Every TransID once, the totals, and `lango ledger verify`.
pub(crate) async fn check(db: &Db, stream: &[Confirmation], data_dir: &Path, db_url: &str) {
    let mut unique: HashMap<&str, &Confirmation> = HashMap::new();
    for c in stream {
        unique.insert(&c.trans_id, c);
    }
    let receipts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mpesa_receipts")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(receipts as usize, unique.len(), "each TransID stored once");
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE outcome = 'pending'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(pending, 0, "no receipt left half-recorded");
    let transactions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_transactions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(
        transactions as usize,
        unique.len(),
        "each TransID posted once"
    );
    let sent: i64 = unique.values().map(|c| c.cents).sum();
    let unknown: i64 = unique.values().filter(|c| !c.known).map(|c| c.cents).sum();
    let balance = |a: &'static str| lango_payments::store::balance(db, a);
    assert_eq!(balance("collection:mpesa:KES").await.unwrap(), sent);
    assert_eq!(balance("suspense:KES").await.unwrap(), -unknown);
    let credited = balance("revenue:DIS:KES").await.unwrap()
        + balance("platform_fees:KES").await.unwrap()
        + balance("refunds_payable:KES").await.unwrap();
    assert_eq!(-credited, sent - unknown, "known money reached bills");
    let paid: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(service_paid + fee_paid + excess) AS BIGINT) FROM bills",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(
        paid,
        sent - unknown,
        "bills add up to what was paid to them"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_lango"))
        .args(["ledger", "verify"])
        .env("LANGO_DATA_DIR", data_dir)
        .env("LANGO_DATABASE_URL", db_url)
        .env("LANGO_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

async fn prepare(db_url: &str) -> (Db, Arc<Vec<Confirmation>>) {
    let (db, stream) = prepare_stream(db_url, CONFIRMATIONS).await;
    (db, Arc::new(stream))
}

/// A migrated database with the demo catalogue and open bills, and `total` confirmations
/// to them (some to no bill, some repeated).
pub(crate) async fn prepare_stream(db_url: &str, total: usize) -> (Db, Vec<Confirmation>) {
    let db = Db::connect(db_url, 4).await.unwrap();
    db.migrate(&lango::migrations()).await.unwrap();
    let refs = raise_bills(&db).await;
    (db, confirmations(&refs, total))
}

pub(crate) fn kill(mut node: Child) {
    node.kill().unwrap(); // SIGKILL
    node.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_one_node_sqlite_posts_each_receipt_once() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let (db, stream) = prepare(&db_url).await;
    let listen = format!("127.0.0.1:{}", free_port());
    let node = start(dir.path(), &db_url, &listen);
    let acked = Arc::new(AtomicUsize::new(0));
    let sending = tokio::spawn(send_all(
        stream.clone(),
        vec![format!("http://{listen}")],
        acked.clone(),
    ));
    wait_until("a third acknowledged", &acked, CONFIRMATIONS / 3).await;
    kill(node);
    let at_kill = acked.load(Ordering::SeqCst);
    assert!(at_kill < CONFIRMATIONS, "killed mid-flight");
    let node = start(dir.path(), &db_url, &listen);
    sending.await.unwrap();
    kill(node);
    check(&db, &stream, dir.path(), &db_url).await;
    eprintln!("{at_kill} of {CONFIRMATIONS} acknowledged at SIGKILL");
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_two_nodes_postgres_posts_each_receipt_once() {
    let Some(pg) = lango_core::testdb::PostgresTestDatabase::create().await else {
        eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (db, stream) = prepare(&pg.url).await;
    let listens = [
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    ];
    let first = start(dir.path(), &pg.url, &listens[0]);
    let second = start(dir.path(), &pg.url, &listens[1]);
    let acked = Arc::new(AtomicUsize::new(0));
    let sending = tokio::spawn(send_all(
        stream.clone(),
        listens.iter().map(|l| format!("http://{l}")).collect(),
        acked.clone(),
    ));
    wait_until("a third acknowledged", &acked, CONFIRMATIONS / 3).await;
    kill(first);
    let at_kill = acked.load(Ordering::SeqCst);
    assert!(at_kill < CONFIRMATIONS, "killed mid-flight");
    // The other node goes on alone for a while, then the first comes back.
    wait_until("more acknowledged by the survivor", &acked, at_kill + 500).await;
    let restarted = start(dir.path(), &pg.url, &listens[0]);
    sending.await.unwrap();
    kill(second);
    kill(restarted);
    check(&db, &stream, dir.path(), &pg.url).await;
    eprintln!("{at_kill} of {CONFIRMATIONS} acknowledged when the first node was killed");
    db.close().await;
}
