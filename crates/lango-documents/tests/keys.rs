//! Signing keys on both databases: one root key however often (or however concurrently) it
//! is asked for, an agency key made once and reused, rotation keeping the old key listed.

use lango_core::db::Db;
use lango_core::testdb::PostgresTestDatabase;
use lango_documents::keys;

async fn migrated(url: &str) -> Db {
    let db = Db::connect(url, 4).await.expect("connect");
    db.migrate(&[lango_core::db::migrations(), lango_documents::migrations()])
        .await
        .expect("migrate");
    db
}

async fn check(db: &Db) {
    // Asked for at once: one root key all the same.
    let (a, b) = tokio::join!(
        keys::signing_key(db, keys::ROOT),
        keys::signing_key(db, keys::ROOT)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.verifying_key(), b.verifying_key());
    let roots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM document_keys WHERE agency = ''")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(roots, 1);
    let dis = keys::signing_key(db, "DIS").await.unwrap();
    assert_eq!(
        keys::signing_key(db, "DIS").await.unwrap().verifying_key(),
        dis.verifying_key()
    );
    let list = keys::trust_list(db, "https://lango.test").await.unwrap();
    assert_eq!(
        list.keys.len(),
        1,
        "the root signs the list but is not an agency key"
    );
    list.check_signature(Some(&a.verifying_key()))
        .expect("signed by the one root");
    // Private halves are stored sealed, never as the raw seed.
    let stored: String =
        sqlx::query_scalar("SELECT private_key FROM document_keys WHERE agency = 'DIS'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(stored.starts_with("v1:"), "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = migrated(&format!(
        "sqlite://{}/lango.db?mode=rwc",
        dir.path().display()
    ))
    .await;
    check(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_on_postgres() {
    let Some(pg) = PostgresTestDatabase::create().await else {
        return lango_core::testdb::skip_postgres();
    };
    check(&migrated(&pg.url).await).await;
}
