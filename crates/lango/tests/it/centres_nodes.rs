//! Two nodes sharing one PostgreSQL take bookings for the same centre at once: every booking
//! is answered, the slots hold exactly their places, and the nodes' queue groups never
//! deadlock each other (PostgreSQL's own count of deadlocks in the database stays put).

use crate::centres::{booking, next_open_day, test_centre};
use crate::support::{Backend, TestApp};
use lango_core::db::Db;

/// The database's deadlocks so far, once every other connection to it has ended (a
/// backend reports its counts when it exits).
async fn deadlocks(db: &Db) -> i64 {
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .execute(db.pool())
        .await
        .unwrap();
    for _ in 0..100 {
        let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            .fetch_one(db.pool())
            .await
            .unwrap();
        if others == 0 {
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
async fn two_nodes_booking_one_centre_never_deadlock_postgres() {
    let Some(one) = TestApp::spawn(Backend::Postgres).await else {
        return lango_core::testdb::skip_postgres();
    };
    let two = one.second_node().await;
    // Four counters, 10-minute slots from 08:00 to 12:00: 24 slots of 4 places.
    test_centre(&one, "T-TWO", 4, "08:00-12:00", 10, 10_000).await;
    let key = one.agency_key("HUDUMA", &["appointments:write"]).await;
    let (_, slots) = next_open_day(&one, "T-TWO", "NRB-ID-REPLACE").await;
    assert_eq!(slots.len(), 24);

    let mut rush = Vec::new();
    for n in 0..600usize {
        let node = if n % 2 == 0 { &one } else { &two };
        // Each node's groups take the slots in an order of their own.
        let slot = if n % 2 == 0 {
            (n / 2 * 7) % 24
        } else {
            23 - (n / 2 * 5) % 24
        };
        let url = format!("{}/api/v1/appointments", node.base);
        let body = booking(
            "T-TWO",
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
    assert_eq!(booked, 96, "every place taken, none twice");
    // The test's database is new: any deadlock in it was the rush's.
    let db = Db::connect(&one.db_url, 1).await.unwrap();
    assert_eq!(
        deadlocks(&db).await,
        0,
        "the nodes' groups deadlocked each other"
    );
    db.close().await;
}
