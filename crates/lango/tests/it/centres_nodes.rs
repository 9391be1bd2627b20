//! Two nodes sharing one PostgreSQL take bookings for the same centres at once: every booking
//! is answered, the slots hold exactly their places, and the nodes' queue groups never
//! deadlock each other (PostgreSQL's own count of deadlocks in the database stays put).

use crate::centres::{booking, next_open_day, test_centre};
use crate::support::{Backend, TestApp};
use lango_core::db::Db;

/// The database's deadlocks so far, once every connection to it that was open has ended (a
/// backend reports its counts when it exits; the nodes open new ones).
async fn deadlocks(db: &Db) -> i64 {
    let others =
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let pids: Vec<i32> = sqlx::query_scalar(&format!("SELECT pid {others}"))
        .fetch_all(db.pool())
        .await
        .unwrap();
    let pids = pids
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let ended = format!("{others} AND CAST(pid AS TEXT) = ANY(string_to_array($1, ','))");
    sqlx::query(&format!("SELECT pg_terminate_backend(pid) {ended}"))
        .bind(&pids)
        .execute(db.pool())
        .await
        .unwrap();
    for _ in 0..100 {
        let left: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {ended}"))
            .bind(&pids)
            .fetch_one(db.pool())
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query_scalar("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_booking_the_same_centres_never_deadlock_postgres() {
    let Some(one) = TestApp::spawn(Backend::Postgres).await else {
        return lango_core::testdb::skip_postgres();
    };
    let two = one.second_node().await;
    // Two centres of four counters, 10-minute slots from 08:00 to 12:00: 24 slots of 4
    // places each.
    let centres = ["T-TWO", "T-TOO"];
    for code in centres {
        test_centre(&one, code, 4, "08:00-12:00", 10, 10_000).await;
    }
    let key = one.agency_key("HUDUMA", &["appointments:write"]).await;
    let (day, slots) = next_open_day(&one, "T-TWO", "NRB-ID-REPLACE").await;
    assert_eq!(slots.len(), 24);
    assert_eq!(next_open_day(&one, "T-TOO", "NRB-ID-REPLACE").await.0, day);

    let mut rush = Vec::new();
    for n in 0..600usize {
        let node = if n % 2 == 0 { &one } else { &two };
        // Each node's groups take the centres' slots in an order of their own.
        let (centre, turn) = (centres[n / 2 % 2], n / 4);
        let slot = if n % 2 == 0 {
            (turn * 7) % 24
        } else {
            23 - (turn * 5) % 24
        };
        let url = format!("{}/api/v1/appointments", node.base);
        let body = booking(
            centre,
            slots[slot]["start"].as_str().unwrap(),
            &format!("6{n:07}"),
        );
        let (client, key) = (node.client.clone(), key.clone());
        rush.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.unwrap())
        }));
    }
    let mut booked = 0;
    for r in rush {
        match r.await.unwrap() {
            (201, _) => booked += 1,
            (409, body) => assert_eq!(body["error"]["code"], "slot_full", "{body}"),
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    assert_eq!(booked, 192, "every place taken, none twice");
    // The test's database is new: any deadlock in it was the rush's.
    let db = Db::connect(&one.db_url, 1).await.unwrap();
    assert_eq!(
        deadlocks(&db).await,
        0,
        "the nodes' groups deadlocked each other"
    );
    db.close().await;
}
