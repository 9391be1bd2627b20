//! The NATS publisher against the local NATS server with JetStream (127.0.0.1:4222, or
//! `LANGO_TEST_NATS_URL`), on a fresh SQLite database and, when `LANGO_TEST_POSTGRES_URL`
//! is set, on PostgreSQL too. Each test has its own stream and subject prefix, so runs
//! never see each other's messages. Without a server the tests skip, unless
//! `LANGO_REQUIRE_NATS` is set.

use async_nats::jetstream::{self, consumer, message::StreamMessage};
use futures_util::StreamExt;
use lango_core::db::Db;
use lango_core::testdb::PostgresTestDatabase;
use lango_notify::events::{self, NewEvent};
use lango_notify::nats::{self, Publisher, Settings};
use std::time::Duration;

async fn migrated(url: &str) -> Db {
    let db = Db::connect(url, 4).await.expect("connect");
    db.migrate(&[lango_core::db::migrations(), lango_notify::migrations()])
        .await
        .expect("migrate");
    db
}

/// A database for one test; the PostgreSQL one is dropped afterwards.
struct TestDb {
    db: Db,
    _dir: Option<tempfile::TempDir>,
    _pg: Option<PostgresTestDatabase>,
}

impl TestDb {
    async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
        TestDb {
            db: migrated(&url).await,
            _dir: Some(dir),
            _pg: None,
        }
    }

    /// `None` when `LANGO_TEST_POSTGRES_URL` is unset.
    async fn postgres() -> Option<TestDb> {
        let pg = PostgresTestDatabase::create().await?;
        Some(TestDb {
            db: migrated(&pg.url).await,
            _dir: None,
            _pg: Some(pg),
        })
    }
}

/// Runs async clean-up from `Drop` on a thread with its own runtime.
fn block_on_thread<F: std::future::Future<Output = ()> + Send + 'static>(f: F) {
    let _ = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    })
    .join();
}

fn nats_url() -> String {
    std::env::var("LANGO_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A stream and subject prefix of this test's own on the local server, deleted on drop.
struct Nats {
    js: jetstream::Context,
    settings: Settings,
}

impl Nats {
    /// `None` (after saying so) when no server answers and `LANGO_REQUIRE_NATS` is unset.
    async fn start() -> Option<Nats> {
        let url = nats_url();
        let connected = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(3))
            .connect(url.as_str())
            .await;
        let client = match connected {
            Ok(c) => c,
            Err(e) if std::env::var_os("LANGO_REQUIRE_NATS").is_none() => {
                eprintln!("NATS at {url} is unreachable ({e}): NATS test skipped");
                return None;
            }
            Err(e) => panic!("LANGO_REQUIRE_NATS is set but NATS at {url} is unreachable: {e}"),
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut settings = Settings::new(url);
        settings.stream = format!("LANGO_T_{}", id.to_uppercase());
        settings.prefix = format!("lango_t_{id}");
        settings.batch = 2; // small, so that several batches and cursor moves happen
        settings.duplicate_window = Duration::from_secs(120);
        settings.max_age = Duration::from_secs(3600); // leftovers of a failed run expire
        settings.poll = Duration::from_millis(50);
        let js = jetstream::new(client);
        // nats-server 2.9 can fail a stream create while another test deletes the last
        // stream of the account (it removes the directory both need): try again.
        for attempt in 1..=5 {
            match js.get_or_create_stream(settings.stream_config()).await {
                Ok(_) => break,
                Err(e) if attempt < 5 => {
                    eprintln!("creating stream {}: {e}; retrying", settings.stream);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot create stream {}: {e}", settings.stream),
            }
        }
        Some(Nats { js, settings })
    }

    /// Every message in the stream, in stream order.
    async fn stored(&self) -> Vec<StreamMessage> {
        let mut stream = self
            .js
            .get_stream(&self.settings.stream)
            .await
            .expect("stream");
        let state = stream.info().await.expect("stream info").state.clone();
        let mut out = Vec::new();
        if state.messages > 0 {
            for seq in state.first_sequence..=state.last_sequence {
                out.push(stream.get_raw_message(seq).await.expect("message"));
            }
        }
        out
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let (url, stream) = (self.settings.url.clone(), self.settings.stream.clone());
        block_on_thread(async move {
            if let Ok(client) = async_nats::connect(url.as_str()).await {
                let _ = jetstream::new(client).delete_stream(&stream).await;
            }
        });
    }
}

/// Emits an event in a transaction that commits or rolls back.
async fn emit(db: &Db, agency: &str, kind: &str, key: &str, commit: bool) {
    let mut tx = db.pool().begin().await.expect("begin");
    let data = serde_json::json!({ "key": key });
    let event = NewEvent {
        kind,
        agency,
        order_key: key,
        data,
    };
    events::emit(&mut tx, &event).await.expect("emit");
    if commit {
        tx.commit().await.expect("commit");
    } else {
        tx.rollback().await.expect("rollback");
    }
}

/// Three committed events (two for DIS, one for KRA) and one rolled back between them.
async fn emit_sample(db: &Db) {
    let sample = [
        ("DIS", "application.received", "case-1", true),
        ("DIS", "application.approved", "case-9", false),
        ("KRA", "bill.raised", "bill-7", true),
        ("DIS", "application.approved", "case-1", true),
    ];
    for (agency, kind, key, commit) in sample {
        emit(db, agency, kind, key, commit).await;
    }
}

macro_rules! backend_tests {
    ($(async fn $name:ident($db:ident: Db, $nats:ident: Nats) $body:block)*) => {
        $(
            mod $name {
                use super::*;
                async fn run($db: Db, $nats: Nats) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let Some(n) = Nats::start().await else { return };
                    let t = TestDb::sqlite().await;
                    run(t.db.clone(), n).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(n) = Nats::start().await else { return };
                    match TestDb::postgres().await {
                        Some(t) => run(t.db.clone(), n).await,
                        None => {
                            eprintln!("LANGO_TEST_POSTGRES_URL is not set: PostgreSQL run skipped")
                        }
                    }
                }
            }
        )*
    };
}

backend_tests! {
    async fn committed_events_arrive_in_order_as_cloudevents(db: Db, n: Nats) {
        emit_sample(&db).await;
        let publisher = Publisher::connect(db.clone(), n.settings.clone()).await.expect("connect");
        let done = publisher.publish_pending().await.expect("publish");
        assert_eq!((done.acked, done.duplicates), (3, 0));

        let stored = events::since(&db, 0, 100).await.expect("events");
        assert_eq!(stored.len(), 3, "the rolled-back event was never stored");
        let got = n.stored().await;
        let p = &n.settings.prefix;
        let subjects: Vec<&str> = got.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(subjects, [
            format!("{p}.dis.application.received"),
            format!("{p}.kra.bill.raised"),
            format!("{p}.dis.application.approved"),
        ]);
        for (m, e) in got.iter().zip(&stored) {
            assert_eq!(m.headers.get("Nats-Msg-Id").map(|v| v.as_str()), Some(e.id.as_str()));
            assert_eq!(
                m.headers.get("Content-Type").map(|v| v.as_str()),
                Some("application/cloudevents+json")
            );
            let ce: serde_json::Value = serde_json::from_slice(&m.payload).expect("json body");
            // The same CloudEvent a webhook receiver gets for this event.
            let webhook: serde_json::Value =
                serde_json::from_str(&lango_notify::webhooks::cloudevent(e)).unwrap();
            assert_eq!(ce, webhook);
            assert_eq!(ce["specversion"], "1.0");
            assert_eq!(ce["id"], e.id.as_str());
            assert!(ce["type"].as_str().unwrap().ends_with(&format!(".{}", e.kind)), "{ce}");
            assert_eq!(ce["subject"], e.order_key.as_str());
            assert_eq!(ce["datacontenttype"], "application/json");
            let time = ce["time"].as_str().unwrap();
            assert!(time.len() >= 20 && &time[10..11] == "T" && time.ends_with('Z'), "{time}");
            assert_eq!(ce["data"], serde_json::from_str::<serde_json::Value>(&e.data).unwrap());
        }
        assert!(got.iter().all(|m| !m.payload.windows(6).any(|w| w == b"case-9")));
        assert_eq!(events::cursor(&db, "nats").await.unwrap(), stored[2].seq);

        // An agency's durable consumer, as the README shows: only its events, in order.
        let stream = n.js.get_stream(&n.settings.stream).await.expect("stream");
        let dis: consumer::PullConsumer = stream
            .get_or_create_consumer("dis-case-system", consumer::pull::Config {
                durable_name: Some("dis-case-system".into()),
                filter_subject: format!("{p}.dis.>"),
                ..Default::default()
            })
            .await
            .expect("consumer");
        let mut messages = dis.messages().await.expect("messages");
        let mut seen = Vec::new();
        while seen.len() < 2 {
            let next = tokio::time::timeout(Duration::from_secs(10), messages.next()).await;
            let msg = next.expect("a DIS event in time").expect("open").expect("message");
            let ce: serde_json::Value = serde_json::from_slice(&msg.payload).expect("json");
            seen.push(ce["id"].as_str().unwrap().to_string());
            msg.ack().await.expect("ack");
        }
        assert_eq!(seen, [stored[0].id.clone(), stored[2].id.clone()]);
    }

    async fn restarting_the_publisher_does_not_duplicate(db: Db, n: Nats) {
        emit_sample(&db).await;
        let first = Publisher::connect(db.clone(), n.settings.clone()).await.expect("connect");
        assert_eq!(first.publish_pending().await.expect("publish").acked, 3);
        drop(first);

        // A new process: the cursor says everything was published.
        let second = Publisher::connect(db.clone(), n.settings.clone()).await.expect("connect");
        assert_eq!(second.publish_pending().await.expect("publish").acked, 0);
        emit(&db, "DIS", "document.issued", "case-1", true).await;
        let done = second.publish_pending().await.expect("publish");
        assert_eq!((done.acked, done.duplicates), (1, 0));
        let got = n.stored().await;
        assert_eq!(got.len(), 4);
        assert!(got[3].subject.ends_with(".dis.document.issued"));
    }

    async fn a_republish_before_the_cursor_moved_is_deduplicated(db: Db, n: Nats) {
        emit_sample(&db).await;
        let publisher = Publisher::connect(db.clone(), n.settings.clone()).await.expect("connect");
        // Published and acknowledged, then a crash before the cursor moved.
        let pending = events::since(&db, 0, 100).await.expect("events");
        let sent = publisher.send(&pending).await.expect("send");
        assert_eq!((sent.acked, sent.duplicates), (3, 0));
        assert_eq!(events::cursor(&db, "nats").await.unwrap(), 0);

        let again = publisher.publish_pending().await.expect("publish");
        assert_eq!((again.acked, again.duplicates), (3, 3), "the stream knew every id");
        assert_eq!(n.stored().await.len(), 3);
        assert_eq!(events::cursor(&db, "nats").await.unwrap(), pending[2].seq);
    }

    async fn the_background_publisher_follows_new_events(db: Db, n: Nats) {
        let task = nats::spawn(db.clone(), n.settings.clone());
        emit_sample(&db).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let count = match n.js.get_stream(&n.settings.stream).await {
                Ok(mut s) => s.info().await.map(|i| i.state.messages).unwrap_or(0),
                Err(_) => 0,
            };
            if count == 3 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "only {count} of 3 events arrived");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        task.abort();
        let stored = n.stored().await;
        let subjects: Vec<&str> = stored.iter().map(|m| m.subject.as_str()).collect();
        assert!(subjects[0].ends_with(".dis.application.received"), "{subjects:?}");
        assert!(subjects[2].ends_with(".dis.application.approved"), "{subjects:?}");
    }
}

/// No server at all: connecting fails quickly, and the background publisher keeps retrying
/// without holding up the database or the rest of the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_blocks_nothing() {
    let t = TestDb::sqlite().await;
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let settings = Settings::new("nats://127.0.0.1:1");
    let started = std::time::Instant::now();
    assert!(Publisher::connect(t.db.clone(), settings.clone())
        .await
        .is_err());
    assert!(started.elapsed() < Duration::from_secs(10));

    let task = nats::spawn(t.db.clone(), settings);
    emit_sample(&t.db).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!task.is_finished(), "the publisher keeps retrying");
    assert_eq!(events::cursor(&t.db, "nats").await.unwrap(), 0);
    assert_eq!(events::since(&t.db, 0, 100).await.unwrap().len(), 3);
    task.abort();
}

/// NATS is down when Lango starts and comes up later: the publisher's retry connects and
/// every event that waited arrives, in order. "Coming up" is a loopback forwarder to the
/// real server that starts listening on a port that refused connections before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_that_waited_for_nats_arrive_when_it_returns() {
    let Some(n) = Nats::start().await else { return };
    let t = TestDb::sqlite().await;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("probe");
        probe.local_addr().expect("addr").port()
    };
    let mut settings = n.settings.clone();
    settings.url = format!("nats://127.0.0.1:{port}");
    let task = nats::spawn(t.db.clone(), settings);
    emit_sample(&t.db).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        events::cursor(&t.db, "nats").await.unwrap(),
        0,
        "nothing to publish to"
    );

    let upstream = nats_url().trim_start_matches("nats://").to_string();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let forwarder = tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut out) = tokio::net::TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                }
            });
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while n.stored().await.len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "events did not follow"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    task.abort();
    forwarder.abort();
    let stored = n.stored().await;
    let subjects: Vec<&str> = stored.iter().map(|m| m.subject.as_str()).collect();
    assert!(
        subjects[0].ends_with(".dis.application.received"),
        "{subjects:?}"
    );
    assert!(subjects[1].ends_with(".kra.bill.raised"), "{subjects:?}");
    assert!(
        subjects[2].ends_with(".dis.application.approved"),
        "{subjects:?}"
    );
}
