//! The test kit: spawns the real app on port 0 with a fresh database per test.

use lango::{demo, Node};
use lango_core::config::Config;
use lango_core::testdb::PostgresTestDatabase;
use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use tempfile::TempDir;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running Lango on a loopback port, with the demo catalogue loaded.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// A client that does not follow redirects.
    pub client: reqwest::Client,
    /// The data directory (SQLite file, demo credentials).
    pub data_dir: TempDir,
    /// The database URL the app uses.
    pub db_url: String,
    _pg: Option<PostgresTestDatabase>,
    server: tokio::task::JoinHandle<()>,
}

/// Runs each test body once per backend: `mod name { fn sqlite; fn postgres }`. Starting with
/// `spawn = PATH;` makes each app with that function (as [`TestApp::spawn`] is called).
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($app:ident : TestApp) $body:block)*) => {
        $crate::backend_tests! {
            spawn = $crate::support::TestApp::spawn;
            $(async fn $name($app: TestApp) $body)*
        }
    };
    (spawn = $spawn:path; $(async fn $name:ident($app:ident : TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($app: $crate::support::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($spawn($crate::support::Backend::Sqlite).await.unwrap()).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $spawn($crate::support::Backend::Postgres).await {
                        Some(app) => run(app).await,
                        // Skipped, or failed when LANGO_REQUIRE_POSTGRES is set (CI).
                        None => lango_core::testdb::skip_postgres(),
                    }
                }
            }
        )*
    };
}

impl TestApp {
    /// Spawns an app; `None` when PostgreSQL was asked for but is not configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, false).await
    }

    /// Spawns an app that believes M-Pesa callbacks from loopback, as Safaricom's would be.
    pub async fn spawn_mpesa(backend: Backend) -> Option<TestApp> {
        let loopback = [("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string())];
        TestApp::spawn_configured(backend, false, &loopback).await
    }

    /// Spawns an app, in demo mode (plain cookies over http, simulators) when `demo`.
    pub async fn spawn_with(backend: Backend, demo: bool) -> Option<TestApp> {
        TestApp::spawn_configured(backend, demo, &[]).await
    }

    /// Spawns an app with extra `LANGO_*` settings (e.g. pointing at the SMS simulator).
    pub async fn spawn_configured(
        backend: Backend,
        demo: bool,
        settings: &[(&str, String)],
    ) -> Option<TestApp> {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (db_url, pg_database) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}/lango.db?mode=rwc", data_dir.path().display()),
                None,
            ),
            Backend::Postgres => {
                let pg = PostgresTestDatabase::create().await?;
                (pg.url.clone(), Some(pg))
            }
        };
        // Bound first, so links and callback URLs the app hands out name its real port.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut config = test_config(data_dir.path(), &db_url, settings);
        config.demo = demo;
        if !settings.iter().any(|(k, _)| *k == "LANGO_PUBLIC_URL") {
            config.public_url = base.clone();
        }
        let popular = demo_popular(&db_url, &config).await;
        let app = TestApp::serving(config, popular, listener, data_dir, db_url, pg_database);
        Some(app.await)
    }

    /// Another node serving this app's database, as a second server behind the load
    /// balancer would (PostgreSQL: SQLite has one node).
    pub async fn second_node(&self) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let mut config = test_config(data_dir.path(), &self.db_url, &[]);
        config.public_url = format!("http://{}", listener.local_addr().expect("addr"));
        let db_url = self.db_url.clone();
        TestApp::serving(config, demo::popular(), listener, data_dir, db_url, None).await
    }

    /// A node opened with `config`, serving on `listener`.
    async fn serving(
        config: Config,
        popular: Vec<String>,
        listener: tokio::net::TcpListener,
        data_dir: TempDir,
        db_url: String,
        pg: Option<PostgresTestDatabase>,
    ) -> TestApp {
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let node = Node::open(config, popular).await.expect("node opens");
        let server = tokio::spawn(async move {
            node.serve(listener, std::future::pending())
                .await
                .expect("serve");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            base,
            client,
            data_dir,
            db_url,
            _pg: pg,
            server,
        }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    /// GET a page as a reader who chose Kiswahili, and its text.
    pub async fn get_sw(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", "lang=sw")
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("text")
    }

    /// GET a path and parse JSON, asserting the status.
    pub async fn get_json(&self, path: &str, status: u16) -> serde_json::Value {
        let res = self.get(path).await;
        assert_eq!(res.status().as_u16(), status, "GET {path}");
        res.json().await.expect("JSON body")
    }

    /// Runs the real `lango` binary against this app's database.
    pub fn cli(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_lango"))
            .args(args)
            .env("LANGO_DATA_DIR", self.data_dir.path())
            .env("LANGO_DATABASE_URL", &self.db_url)
            .env("LANGO_LOG", "warn")
            .output()
            .expect("run lango")
    }

    /// Polls `check` until it holds, for at most ten seconds.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..100 {
            if check().await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("never happened: {what}");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The server goes first; then `_pg` drops the PostgreSQL database.
        self.server.abort();
    }
}

fn test_config(data_dir: &Path, db_url: &str, settings: &[(&str, String)]) -> Config {
    let mut env: HashMap<String, String> = [
        ("LANGO_DATA_DIR", data_dir.display().to_string()),
        ("LANGO_DATABASE_URL", db_url.to_string()),
        ("LANGO_SEARCH_REFRESH_MS", "100".to_string()),
        ("LANGO_DB_MAX_CONNECTIONS", "4".to_string()),
        // Test receivers (webhooks) run on loopback over plain http; tests of the rule
        // itself set this back to false.
        ("LANGO_WEBHOOK_ALLOW_PRIVATE", "true".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(settings.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Config::from_sources(None, &env).expect("test config")
}

async fn demo_popular(_db_url: &str, config: &Config) -> Vec<String> {
    let db = lango::open_db(config).await.expect("database");
    demo::load(&db).await.expect("demo data");
    db.close().await;
    demo::popular()
}

impl TestApp {
    /// The settings the app was started with (the default ones of tests).
    pub fn config(&self) -> Config {
        let mut config = test_config(self.data_dir.path(), &self.db_url, &[]);
        config.public_url = self.base.clone();
        config
    }

    /// A connection pool of its own to the app's database.
    pub async fn db(&self) -> lango_core::db::Db {
        lango_core::db::Db::connect(&self.db_url, 2)
            .await
            .expect("test db")
    }

    /// The newest six-digit code sent to `recipient` (the SMS and e-mail simulators' inbox).
    pub async fn last_code(&self, recipient: &str) -> String {
        let db = self.db().await;
        let messages = lango_notify::to_recipient(&db, recipient, 1)
            .await
            .expect("messages");
        db.close().await;
        let body = messages.first().map(|m| m.body.clone()).unwrap_or_default();
        body.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap_or_else(|| panic!("no code sent to {recipient}: {body:?}"))
            .to_string()
    }

    /// An active person with verified contacts; returns the account id.
    pub async fn person(&self, id_number: &str, email: &str, password: &str) -> String {
        let db = self.db().await;
        let id = citizen_in(&db, id_number, email, password, Some("+254700000001")).await;
        db.close().await;
        id
    }

    /// A staff member holding `role` (at `agency` for agency roles); returns the account id.
    pub async fn staff(
        &self,
        email: &str,
        password: &str,
        role: lango_identity::model::Role,
        agency: Option<&str>,
    ) -> String {
        let db = self.db().await;
        let id = staff_in(&db, email, password, role, agency).await;
        db.close().await;
        id
    }

    /// Approves every pending claim of `account_id` (a business, a child) as platform staff
    /// do once the registry agrees; tests that need the access a proven claim gives use it.
    pub async fn approve_claims(&self, account_id: &str) {
        let db = self.db().await;
        let checker: Option<String> =
            sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'claims@lango.test'")
                .fetch_optional(db.pool())
                .await
                .expect("checker");
        let checker = match checker {
            Some(id) => id,
            None => {
                use lango_identity::model::Role;
                self.staff(
                    "claims@lango.test",
                    "claims checker password",
                    Role::PlatformAdmin,
                    None,
                )
                .await
            }
        };
        let actor = lango_identity::policy::Actor::Person(
            lango_identity::account::actor(&db, &checker)
                .await
                .expect("actor"),
        );
        let form = lango_identity::claim::DecisionForm {
            outcome: "approve".into(),
            reason: String::new(),
        };
        for c in lango_identity::claim::of_account(&db, account_id)
            .await
            .expect("claims")
        {
            if c.is_pending() {
                lango_identity::claim::decide(&db, &actor, &c.reference, &form)
                    .await
                    .expect("decide")
                    .expect("a valid decision");
            }
        }
        db.close().await;
    }

    /// Counts the rows of a table (to prove a refused request stored nothing).
    pub async fn count(&self, table: &str) -> i64 {
        let db = self.db().await;
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await
            .expect("count");
        db.close().await;
        n
    }

    /// Calls the agency API with `key`: the status and the JSON reply (`null` when none).
    pub async fn api(
        &self,
        method: reqwest::Method,
        key: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Raises a bill through the agency API with `key` and `body`; returns its reference.
    pub async fn raise_bill(&self, key: &str, body: serde_json::Value) -> String {
        let res = self
            .client
            .post(format!("{}/api/v1/bills", self.base))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .expect("POST /api/v1/bills");
        let status = res.status().as_u16();
        let reply: serde_json::Value = res.json().await.unwrap_or_default();
        assert_eq!(status, 201, "bill raised: {reply}");
        reply["reference"].as_str().expect("reference").to_string()
    }

    /// The one integer `sql` selects with `$1` bound to `arg`.
    pub async fn scalar(&self, sql: &str, arg: &str) -> i64 {
        let db = self.db().await;
        let n: i64 = sqlx::query_scalar(sql)
            .bind(arg)
            .fetch_one(db.pool())
            .await
            .expect("scalar");
        db.close().await;
        n
    }

    /// The ledger balance of `account` (minor units; debits positive).
    pub async fn balance(&self, account: &str) -> i64 {
        let db = self.db().await;
        let b = lango_payments::store::balance(&db, account)
            .await
            .expect("balance");
        db.close().await;
        b
    }
}

/// Posts a Daraja C2B confirmation, as Safaricom sends it (every value a string), to the app
/// at `base` and checks that it is acknowledged. `time` is the `TransTime` (EAT,
/// `yyyyMMddHHmmss`). Takes a client and base rather than the app so tasks can send many.
pub async fn c2b_confirmation(
    client: &reqwest::Client,
    base: &str,
    trans_id: &str,
    amount: &str,
    typed: &str,
    time: &str,
) {
    let body = serde_json::json!({
        "TransactionType": "Pay Bill", "TransID": trans_id, "TransTime": time,
        "TransAmount": amount, "BusinessShortCode": "222222", "BillRefNumber": typed,
        "InvoiceNumber": "", "OrgAccountBalance": "", "ThirdPartyTransID": "",
        "MSISDN": "2547*****149", "FirstName": "WANJIKU", "MiddleName": "", "LastName": "KAMAU"
    });
    let res = client
        .post(format!("{base}/channels/mpesa/c2b/confirmation"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "confirmation of {trans_id}");
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"ResultCode": 0, "ResultDesc": "Success"}),
        "confirmation of {trans_id}"
    );
}

impl TestApp {
    /// An API key of `agency` with `permissions`, made by a new administrator of that agency.
    pub async fn agency_key(&self, agency: &str, permissions: &[&str]) -> String {
        let db = self.db().await;
        let key = agency_key_in(&db, agency, permissions).await;
        db.close().await;
        key
    }
}

/// A process of the test's own, killed (SIGKILL) when dropped, so a failing test leaves
/// none behind.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `binary serve` (this build's `lango`, or another release's) on `listen`, on the data
/// dir and database given (SQLite in the data dir without one), with extra `LANGO_*`
/// `settings`; logs at `error` unless a setting says otherwise.
pub fn serve_process(
    binary: &Path,
    data_dir: &Path,
    db_url: Option<&str>,
    listen: &str,
    settings: &[(&str, &str)],
) -> Running {
    let mut cmd = std::process::Command::new(binary);
    cmd.arg("serve")
        .env("LANGO_DATA_DIR", data_dir)
        .env("LANGO_LISTEN", listen)
        .env("LANGO_LOG", "error")
        .env_remove("LANGO_DATABASE_URL");
    if let Some(url) = db_url {
        cmd.env("LANGO_DATABASE_URL", url);
    }
    for (k, v) in settings {
        cmd.env(k, v);
    }
    Running(cmd.spawn().expect("start lango serve"))
}

/// Asks `process` to stop as systemd does (SIGTERM).
pub fn terminate(process: &Running) {
    let term = std::process::Command::new("kill")
        .args(["-TERM", &process.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
}

/// This build's `lango`.
pub fn this_lango() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_lango"))
}

/// Polls `base`'s `/readyz` until it answers `status` (at most a minute).
pub async fn until_readyz(base: &str, status: u16) {
    let start = std::time::Instant::now();
    loop {
        if let Ok(res) = reqwest::get(format!("{base}/readyz")).await {
            if res.status() == status {
                return;
            }
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "{base}/readyz never {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The password of people seeded by [`signed_in_person`].
pub const PASSWORD: &str = "correct horse battery";

/// An active citizen in `db`; returns the account id.
pub async fn citizen_in(
    db: &lango_core::db::Db,
    id_number: &str,
    email: &str,
    password: &str,
    phone: Option<&str>,
) -> String {
    lango_identity::seed::person(
        db,
        &lango_identity::seed::PersonSeed {
            kind: lango_identity::model::AccountKind::Citizen,
            id_number: Some(id_number),
            given_name: "Test",
            family_name: "Person",
            email,
            phone,
            password,
            county: "Nairobi",
        },
    )
    .await
    .expect("seed person")
}

/// A staff member in `db` holding `role` (at `agency` for agency roles); returns the
/// account id.
pub async fn staff_in(
    db: &lango_core::db::Db,
    email: &str,
    password: &str,
    role: lango_identity::model::Role,
    agency: Option<&str>,
) -> String {
    let id = lango_identity::seed::person(
        db,
        &lango_identity::seed::PersonSeed {
            kind: lango_identity::model::AccountKind::Staff,
            id_number: None,
            given_name: "Staff",
            family_name: "Member",
            email,
            phone: None,
            password,
            county: "",
        },
    )
    .await
    .expect("seed staff");
    lango_identity::seed::grant(db, &id, role, agency, None)
        .await
        .expect("grant");
    id
}

/// An API key of `agency` with `permissions` in `db`, made by a new administrator of that
/// agency.
pub async fn agency_key_in(db: &lango_core::db::Db, agency: &str, permissions: &[&str]) -> String {
    let email = format!("admin-{}@{agency}.example", uuid::Uuid::new_v4().simple());
    let role = lango_identity::model::Role::AgencyAdmin;
    let admin = staff_in(db, &email, PASSWORD, role, Some(agency)).await;
    let actor = lango_identity::policy::Actor::Person(
        lango_identity::account::actor(db, &admin)
            .await
            .expect("actor"),
    );
    let permissions: Vec<String> = permissions.iter().map(|p| p.to_string()).collect();
    let (_, key) = lango_identity::apikey::create(db, &actor, agency, "test key", &permissions)
        .await
        .expect("key")
        .expect("key accepted");
    key
}

/// A citizen with password [`PASSWORD`] and a session, as signing in makes one: the account
/// id, and the session's (token, CSRF token).
pub async fn signed_in_person(
    db: &lango_core::db::Db,
    id_number: &str,
    email: &str,
) -> (String, (String, String)) {
    let account = citizen_in(db, id_number, email, PASSWORD, None).await;
    let mut tx = db.pool().begin().await.unwrap();
    let token = lango_identity::session::create(&mut tx, &account, false, &Default::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let session = lango_identity::session::lookup(db, &token)
        .await
        .unwrap()
        .expect("the session just made");
    (account, (token, session.csrf))
}
