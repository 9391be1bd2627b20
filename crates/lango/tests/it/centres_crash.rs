//! Killing real `lango serve` processes with SIGKILL during a booking rush loses no
//! acknowledged booking and books nobody twice or past a slot's capacity. Every client
//! retries until it has an answer that settles its request (booked, the slot is full,
//! already booked), as a centre's system would.
//!
//! One node on SQLite; two nodes sharing one PostgreSQL with one killed and restarted.

use crate::centres::test_centre_csv;
use crate::mpesa_crash::{free_port, kill, start};
use lango_core::db::Db;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PEOPLE: usize = 1_500;
const SENDERS: usize = 48;

/// A centre with 4 counters, 10-minute slots from 08:00 to 12:00 (24 slots of 4 places: 96
/// places), and its operator's key.
async fn prepare(db_url: &str) -> (Db, String, Vec<String>) {
    let db = Db::connect(db_url, 4).await.unwrap();
    db.migrate(&lango::migrations()).await.unwrap();
    lango::demo::load(&db).await.expect("demo catalogue");
    lango_centres::seed::load_csv(
        &db,
        test_centre_csv("T-KILL", 4, "08:00-12:00", 10, 10_000).as_bytes(),
        "test",
    )
    .await
    .unwrap();
    let admin = lango_identity::seed::person(
        &db,
        &lango_identity::seed::PersonSeed {
            kind: lango_identity::model::AccountKind::Staff,
            id_number: None,
            given_name: "Admin",
            family_name: "Huduma",
            email: "admin@huduma.example",
            phone: None,
            password: "correct horse battery",
            county: "",
        },
    )
    .await
    .unwrap();
    lango_identity::seed::grant(
        &db,
        &admin,
        lango_identity::model::Role::AgencyAdmin,
        Some("HUDUMA"),
        None,
    )
    .await
    .unwrap();
    let actor = lango_identity::policy::Actor::Person(
        lango_identity::account::actor(&db, &admin).await.unwrap(),
    );
    let (_, key) = lango_identity::apikey::create(
        &db,
        &actor,
        "HUDUMA",
        "desk",
        &["appointments:write".to_string()],
    )
    .await
    .unwrap()
    .unwrap();
    let centres = lango_centres::Centres::new(db.clone());
    let centre = centres.get("T-KILL").await.unwrap();
    let today = lango_centres::calendar::today();
    let day = (1..30)
        .map(|n| lango_centres::calendar::add_days(&today, n))
        .find(|d| lango_centres::calendar::weekday(d) < 5)
        .unwrap();
    let mut starts = Vec::new();
    let mut d = day.clone();
    // The first day with slots (a holiday has none).
    for _ in 0..30 {
        let slots = centres.slots(&centre, "NRB-ID-REPLACE", &d).await.unwrap();
        if !slots.is_empty() {
            starts = slots
                .iter()
                .map(|s| lango_centres::calendar::local_rfc3339(s.start_ms))
                .collect();
            break;
        }
        d = lango_centres::calendar::add_days(&d, 1);
    }
    assert_eq!(starts.len(), 24);
    (db, key, starts)
}

/// Every person books (each their own ID number, slots in turn) until settled, spread over
/// `nodes`; records what each was told.
async fn rush(
    nodes: Vec<String>,
    key: String,
    starts: Arc<Vec<String>>,
    acked: Arc<AtomicUsize>,
    told: Arc<Mutex<HashMap<usize, (u16, String)>>>,
) {
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let (nodes, key, starts, acked, told, next, client) = (
            nodes.clone(),
            key.clone(),
            starts.clone(),
            acked.clone(),
            told.clone(),
            next.clone(),
            client.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let began = Instant::now();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= PEOPLE {
                    return;
                }
                let body = crate::centres::booking(
                    "T-KILL",
                    &starts[i % starts.len()],
                    &format!("7{i:07}"),
                );
                for attempt in 0.. {
                    assert!(
                        began.elapsed() < Duration::from_secs(300),
                        "booking {i} never settled"
                    );
                    let node = &nodes[(i + s + attempt) % nodes.len()];
                    if let Ok(res) = client
                        .post(format!("{node}/api/v1/appointments"))
                        .bearer_auth(&key)
                        .json(&body)
                        .send()
                        .await
                    {
                        let status = res.status().as_u16();
                        if let Ok(v) = res.json::<serde_json::Value>().await {
                            let settled = match status {
                                201 => {
                                    Some(v["reference"].as_str().unwrap_or_default().to_string())
                                }
                                409 => Some(
                                    v["error"]["code"].as_str().unwrap_or_default().to_string(),
                                ),
                                _ => None,
                            };
                            if let Some(what) = settled {
                                told.lock().unwrap().insert(i, (status, what));
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

/// Each acknowledged booking is stored; nobody holds two; no slot past its capacity; the
/// slots' counts match the bookings.
async fn check(db: &Db, told: &HashMap<usize, (u16, String)>) {
    assert_eq!(told.len(), PEOPLE, "every request settled");
    for (i, (status, what)) in told {
        match status {
            201 => {
                let id: Option<String> = sqlx::query_scalar(
                    "SELECT id_number FROM appointments WHERE reference = $1 AND status = 'booked'",
                )
                .bind(what)
                .fetch_optional(db.pool())
                .await
                .unwrap();
                assert_eq!(
                    id,
                    Some(format!("7{i:07}")),
                    "acknowledged booking {what} kept"
                );
            }
            _ => assert!(what == "slot_full" || what == "already_booked", "{what}"),
        }
    }
    let doubles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT id_number FROM appointments WHERE status = 'booked' GROUP BY id_number HAVING COUNT(*) > 1) d")
        .fetch_one(db.pool()).await.unwrap();
    assert_eq!(doubles, 0, "nobody booked twice");
    let over: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointment_slots s WHERE s.booked > s.capacity OR s.booked <> \
         (SELECT COUNT(*) FROM appointments a WHERE a.centre = s.centre AND a.service = s.service AND a.start_ms = s.start_ms AND a.status = 'booked')",
    )
    .fetch_one(db.pool()).await.unwrap();
    assert_eq!(over, 0, "every slot within capacity and counted exactly");
    let booked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM appointments WHERE status = 'booked'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(booked, 96, "every place taken once");
}

async fn wait_until(acked: &AtomicUsize, at_least: usize) {
    let start = Instant::now();
    while acked.load(Ordering::SeqCst) < at_least {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "never reached {at_least}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_a_booking_rush_sqlite_loses_nothing_and_books_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let (db, key, starts) = prepare(&db_url).await;
    let listen = format!("127.0.0.1:{}", free_port());
    let node = start(dir.path(), &db_url, &listen);
    let (acked, told) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(Mutex::new(HashMap::new())),
    );
    let sending = tokio::spawn(rush(
        vec![format!("http://{listen}")],
        key,
        Arc::new(starts),
        acked.clone(),
        told.clone(),
    ));
    wait_until(&acked, PEOPLE / 4).await;
    kill(node);
    assert!(acked.load(Ordering::SeqCst) < PEOPLE, "killed mid-rush");
    let node = start(dir.path(), &db_url, &listen);
    sending.await.unwrap();
    kill(node);
    let told = told.lock().unwrap().clone();
    check(&db, &told).await;
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_one_of_two_nodes_postgres_loses_nothing_and_books_nothing_twice() {
    let Some(pg) = lango_core::testdb::PostgresTestDatabase::create().await else {
        lango_core::testdb::skip_postgres();
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (db, key, starts) = prepare(&pg.url).await;
    let listens = [
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    ];
    let first = start(dir.path(), &pg.url, &listens[0]);
    let second = start(dir.path(), &pg.url, &listens[1]);
    let (acked, told) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(Mutex::new(HashMap::new())),
    );
    let nodes = listens.iter().map(|l| format!("http://{l}")).collect();
    let sending = tokio::spawn(rush(
        nodes,
        key,
        Arc::new(starts),
        acked.clone(),
        told.clone(),
    ));
    wait_until(&acked, PEOPLE / 4).await;
    kill(first);
    let at_kill = acked.load(Ordering::SeqCst);
    assert!(at_kill < PEOPLE, "killed mid-rush");
    let restarted = start(dir.path(), &pg.url, &listens[0]);
    sending.await.unwrap();
    kill(second);
    kill(restarted);
    let told = told.lock().unwrap().clone();
    check(&db, &told).await;
    db.close().await;
}
