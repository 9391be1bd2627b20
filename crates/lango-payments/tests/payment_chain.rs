//! A bill's payments are found by walking back from the bill (no index on events by bill):
//! receipts committed in groups, several to one bill in a group, repeats and suspense among
//! them, must all be listed in order, on SQLite and (when LANGO_TEST_POSTGRES_URL is set) on
//! PostgreSQL.

use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_payments::mpesa::{Confirmed, Incoming};
use lango_payments::{receipts, stk, store, BillReference};

fn reference(seed: u64) -> String {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    BillReference::generate(&mut rng).as_str().to_string()
}

async fn raise(db: &Db, reference: &str) {
    sqlx::query(
        "INSERT INTO bills (reference, agency_code, service_code, agency_reference, description, \
         payer_name, payer_phone, payer_email, currency, service_amount, fee, service_paid, \
         fee_paid, excess, status, created_by, created_at, updated_at) \
         VALUES ($1, 'DIS', 'DIS-PASSPORT', 'A-1', '', '', '', '', 'KES', 1000000, 5000, 0, 0, 0, \
         'open', 'test', 1, 1)",
    )
    .bind(reference)
    .execute(db.pool())
    .await
    .unwrap();
}

fn receipt(trans_id: &str, bill: Option<&str>, minor: i64) -> Incoming {
    Incoming {
        trans_id: trans_id.into(),
        bill_ref: bill.unwrap_or("NOBILL").into(),
        reference: bill.and_then(|b| BillReference::parse(b).ok()),
        amount: Money::from_minor(minor, Currency::Kes),
        trans_time_ms: None,
        raw: "{}".into(),
    }
}

async fn check(db: &Db) {
    db.migrate(&[
        lango_core::db::migrations(),
        lango_notify::migrations(),
        lango_payments::migrations(),
    ])
    .await
    .unwrap();
    let (a, b) = (reference(1), reference(2));
    raise(db, &a).await;
    raise(db, &b).await;
    let first = [
        receipt("CHAIN1", Some(&a), 100),
        receipt("CHAIN2", Some(&b), 200),
        receipt("CHAIN3", Some(&a), 300),
        receipt("CHAIN4", None, 400),
        receipt("CHAIN1", Some(&a), 100),
    ];
    let out = receipts::record_group(db, &first.iter().collect::<Vec<_>>())
        .await
        .unwrap();
    assert!(matches!(out[0], Confirmed::Posted { .. }));
    assert_eq!(
        (&out[3], &out[4]),
        (&Confirmed::Suspense, &Confirmed::Repeat)
    );
    let second = [
        receipt("CHAIN5", Some(&a), 500),
        receipt("CHAIN2", Some(&b), 200),
    ];
    let out = receipts::record_group(db, &second.iter().collect::<Vec<_>>())
        .await
        .unwrap();
    assert_eq!(out[1], Confirmed::Repeat);
    let listed = |v: Vec<stk::BillPayment>| {
        v.into_iter()
            .map(|p| (p.receipt, p.amount))
            .collect::<Vec<_>>()
    };
    let s = |x: &str, y: &str| (x.to_string(), y.to_string());
    assert_eq!(
        listed(stk::bill_payments(db, &a).await.unwrap()),
        vec![
            s("CHAIN1", "1.00"),
            s("CHAIN3", "3.00"),
            s("CHAIN5", "5.00")
        ]
    );
    assert_eq!(
        listed(stk::bill_payments(db, &b).await.unwrap()),
        vec![s("CHAIN2", "2.00")]
    );
    // The bill names its latest payment event.
    let latest: Option<i64> =
        sqlx::query_scalar("SELECT last_payment FROM bills WHERE reference = $1")
            .bind(&a)
            .fetch_one(db.pool())
            .await
            .unwrap();
    let max: i64 = sqlx::query_scalar(
        "SELECT MAX(seq) FROM events WHERE type = 'payment.received' AND order_key = $1",
    )
    .bind(&a)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(latest, Some(max));
    assert!(stk::bill_payments(db, "NOBILL").await.unwrap().is_empty());
    let (_, faults) = store::verify(db).await.unwrap();
    assert!(faults.is_empty(), "{faults:?}");
}

#[tokio::test]
async fn a_bills_payments_are_listed_from_the_bill_on_sqlite() {
    let db = Db::connect("sqlite::memory:", 1).await.unwrap();
    check(&db).await;
}

#[tokio::test]
async fn a_bills_payments_are_listed_from_the_bill_on_postgres() {
    let Some(admin_url) = lango_core::testdb::postgres_url() else {
        return lango_core::testdb::skip_postgres();
    };
    let name = format!("lango_chain_{:016x}", rand::random::<u64>());
    let admin = Db::connect(&admin_url, 1).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.pool())
        .await
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => format!("{admin_url}/{name}"),
    };
    let db = Db::connect(&url, 2).await.unwrap();
    check(&db).await;
    db.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(admin.pool())
        .await
        .unwrap();
}
