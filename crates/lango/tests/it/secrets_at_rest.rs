//! Secrets at rest: rows written before sealing existed are sealed when a node starts and
//! keep working; a configured key-encryption key takes over from the database's own, and a
//! rotated one from the previous; a node without the key that sealed refuses to start.

use crate::backend_tests;
use crate::support::TestApp;
use lango_core::config::Config;
use lango_core::db::Db;
use std::collections::HashMap;

const PASSWORD: &str = "correct horse battery";
const TOTP_PLAIN: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const WEBHOOK_PLAIN: &str = "whsec_0123456789abcdef0123456789abcdef";

/// The app's configuration as a restarted node would read it, with `settings` added.
fn config(app: &TestApp, settings: &[(&str, String)]) -> Config {
    let mut env: HashMap<String, String> = HashMap::from([
        (
            "LANGO_DATA_DIR".into(),
            app.data_dir.path().display().to_string(),
        ),
        ("LANGO_DATABASE_URL".into(), app.db_url.clone()),
    ]);
    env.extend(settings.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Config::from_sources(None, &env).expect("config")
}

fn kek(byte: u8) -> String {
    hex::encode([byte; 32])
}

fn kid(byte: u8) -> String {
    use lango_core::sealed::Kek;
    lango_core::sealed::LocalKek::new(&[byte; 32])
        .id()
        .to_string()
}

/// The three sealed columns' raw values: (core_keys `legacy`, the TOTP secret, the webhook's).
async fn raw(db: &Db, account: &str) -> (String, String, String) {
    let key: String = sqlx::query_scalar("SELECT secret FROM core_keys WHERE name = 'legacy'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let totp: String = sqlx::query_scalar("SELECT totp_secret FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let hook: String =
        sqlx::query_scalar("SELECT secret FROM webhook_subscriptions WHERE id = 'wh-old'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    (key, totp, hook)
}

/// Rows as a version before sealing wrote them: every secret in plain text, no pass done.
async fn plaintext_rows(app: &TestApp, account: &str) {
    let db = app.db().await;
    sqlx::query("INSERT INTO core_keys (name, secret, created_at) VALUES ('legacy', $1, 0)")
        .bind("ab".repeat(32))
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE accounts SET totp_secret = $1, totp_last_step = 0 WHERE id = $2")
        .bind(TOTP_PLAIN)
        .bind(account)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO webhook_subscriptions (id, agency_code, url, secret, event_types, active, created_by, created_at) \
         VALUES ('wh-old', 'DIS', 'https://example.org/hook', $1, '[]', 0, 'test', 0)",
    )
    .bind(WEBHOOK_PLAIN)
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query("DELETE FROM core_sealing")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
}

/// Every secret opens to what it was, and the second factor signs in with it.
async fn still_works(db: &Db, account: &str) {
    let ring = db.keyring().await.unwrap();
    let (key, totp, hook) = raw(db, account).await;
    assert_eq!(
        ring.open(&lango_notify::webhooks::SEALED, "wh-old", &hook)
            .unwrap(),
        WEBHOOK_PLAIN
    );
    assert_eq!(
        ring.open(&lango_identity::totp::SEALED, account, &totp)
            .unwrap(),
        TOTP_PLAIN
    );
    let mut conn = db.pool().acquire().await.unwrap();
    let kept = lango_core::keys::kept(&mut conn, &ring, "legacy")
        .await
        .unwrap();
    drop(conn);
    assert_eq!(hex::encode(kept), "ab".repeat(32));
    assert_eq!(
        ring.open(&lango_core::keys::SEALED, "legacy", &key)
            .unwrap(),
        "ab".repeat(32)
    );
    // A fresh step each time: the check uses up the step it accepts.
    sqlx::query("UPDATE accounts SET totp_last_step = 0 WHERE id = $1")
        .bind(account)
        .execute(db.pool())
        .await
        .unwrap();
    let code = lango_identity::totp::current_code(TOTP_PLAIN).unwrap();
    assert!(
        lango_identity::totp::verify(db, account, &code)
            .await
            .unwrap(),
        "the second factor still signs in"
    );
}

/// Asserts no raw value is its secret and each is sealed with key `id`.
async fn sealed_with(db: &Db, account: &str, id: &str) {
    let (key, totp, hook) = raw(db, account).await;
    let prefix = format!("v1:{id}:");
    for (value, plain) in [
        (&key, "ab".repeat(32)),
        (&totp, TOTP_PLAIN.into()),
        (&hook, WEBHOOK_PLAIN.into()),
    ] {
        assert!(value.starts_with(&prefix), "{value} is sealed with {id}");
        assert!(!value.contains(&plain), "{value} does not hold the secret");
    }
}

/// Asserts `stored` is a SHA-256 digest (hex) that does not hold `secret`.
fn digest_of_nothing_readable(stored: &str, secret: &str) {
    assert_eq!(stored.len(), 64, "{stored}");
    assert!(stored.bytes().all(|b| b.is_ascii_hexdigit()), "{stored}");
    assert!(!stored.contains(secret), "{stored} holds {secret}");
}

backend_tests! {
    async fn codes_api_keys_and_session_tokens_are_stored_as_digests(app: TestApp) {
        let account = app.person("63636363", "digest@example.com", PASSWORD).await;
        let key = app.agency_key("DIS", &["webhooks:manage"]).await;
        let db = app.db().await;
        let mut conn = db.pool().acquire().await.unwrap();
        let code = lango_identity::otp::issue(&mut conn, &account, lango_identity::otp::Purpose::ResetPassword).await.unwrap();
        let client = lango_identity::session::Client { user_agent: "test".into(), ip: "127.0.0.1".into() };
        let token = lango_identity::session::create(&mut conn, &account, false, &client).await.unwrap();
        drop(conn);
        let stored: String = sqlx::query_scalar("SELECT code_hash FROM otp_codes WHERE account_id = $1")
            .bind(&account).fetch_one(db.pool()).await.unwrap();
        digest_of_nothing_readable(&stored, &code);
        let stored: String = sqlx::query_scalar("SELECT id FROM sessions WHERE account_id = $1")
            .bind(&account).fetch_one(db.pool()).await.unwrap();
        digest_of_nothing_readable(&stored, &token);
        // `lango_<id>_<secret>`: the id is public, the secret is only digested.
        let (id, secret) = key.strip_prefix("lango_").unwrap().split_once('_').unwrap();
        let stored: String = sqlx::query_scalar("SELECT secret_hash FROM api_keys WHERE id = $1")
            .bind(id).fetch_one(db.pool()).await.unwrap();
        digest_of_nothing_readable(&stored, secret);
        // And each still works: the code checks once, the session and key are found.
        let ok = lango_identity::otp::check(&db, &account, lango_identity::otp::Purpose::ResetPassword, &code).await.unwrap();
        assert_eq!(ok, Ok(()));
        db.close().await;
        let res = app.client.get(format!("{}/api/v1/webhooks", app.base)).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
    }

    async fn plaintext_secrets_from_before_sealing_are_sealed_on_start_and_still_work(app: TestApp) {
        let account = app.person("61616161", "old@example.com", PASSWORD).await;
        plaintext_rows(&app, &account).await;
        // Before the restart the plaintext rows are read as they are.
        let db = app.db().await;
        still_works(&db, &account).await;
        db.close().await;

        // The node restarts on the same database: every row is sealed with the database's
        // own key (none configured here), and everything opens to what it was.
        let db = lango::open_db(&config(&app, &[])).await.expect("restart");
        let own = db.keyring().await.unwrap().current_id().to_string();
        sealed_with(&db, &account, &own).await;
        still_works(&db, &account).await;
        db.close().await;
    }

    async fn a_configured_key_takes_over_rotates_and_is_required(app: TestApp) {
        let account = app.person("62626262", "kek@example.com", PASSWORD).await;
        plaintext_rows(&app, &account).await;
        lango::open_db(&config(&app, &[])).await.expect("sealed with the database's key").close().await;

        // A key is configured: everything moves onto it and the database's own is deleted.
        let first = [("LANGO_KEY_ENCRYPTION_KEY", kek(1))];
        let db = lango::open_db(&config(&app, &first)).await.expect("configured key");
        sealed_with(&db, &account, &kid(1)).await;
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM core_kek").fetch_one(db.pool()).await.unwrap();
        assert_eq!(kept, 0, "no key-encryption key is left in the database");
        still_works(&db, &account).await;
        db.close().await;

        // Rotated: the new key seals, the previous one opens what it sealed until resealed.
        let rotated = [("LANGO_KEY_ENCRYPTION_KEY", kek(2)), ("LANGO_PREVIOUS_KEY_ENCRYPTION_KEYS", kek(1))];
        let db = lango::open_db(&config(&app, &rotated)).await.expect("rotated key");
        sealed_with(&db, &account, &kid(2)).await;
        still_works(&db, &account).await;
        db.close().await;

        // Without the key that sealed, a node refuses to start rather than lose secrets.
        for settings in [vec![("LANGO_KEY_ENCRYPTION_KEY", kek(3))], vec![]] {
            let err = lango::open_db(&config(&app, &settings)).await.expect_err("refused");
            let text = format!("{err:#}");
            assert!(text.contains(&kid(2)) && text.contains("not configured"), "{text}");
        }
    }
}
