//! `lango-bench webhooks`: how fast the outbox delivers signed webhooks to a local HTTP sink,
//! next to the rate at which the same sink takes plain POSTs from one client (the baseline).

use hdrhistogram::Histogram;
use lango_notify::events::{emit, NewEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn sink() -> anyhow::Result<(String, Arc<AtomicU64>)> {
    let count = Arc::new(AtomicU64::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/events", listener.local_addr()?);
    let c = count.clone();
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let c = c.clone();
            async move {
                c.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, count))
}

/// Runs the webhook benchmark.
pub async fn run(events: usize, cases: usize, rounds: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let db = lango_core::db::Db::connect(&url, 16).await?;
    db.migrate(&lango::migrations()).await?;
    let (sink_url, received) = sink().await?;
    // The sink runs on this machine: the demo's allowance for private receivers.
    let receivers = lango_notify::receiver::Policy {
        allow_private: true,
    };
    lango_notify::webhooks::create(&db, "BENCH", &sink_url, &[], "bench", receivers)
        .await?
        .map_err(|e| anyhow::anyhow!(e))?;
    let settings = lango_notify::dispatch::Settings {
        receivers,
        ..lango_notify::dispatch::Settings::default()
    };
    println!(
        "webhooks: {events} events over {cases} cases per round, {rounds} rounds; {} in flight; SQLite; sink on loopback",
        settings.max_in_flight
    );
    let body = "x".repeat(420); // about a CloudEvent's size
    let mut base = Vec::new();
    let mut rates = Vec::new();
    let mut emits = Vec::new();
    for round in 0..rounds {
        // Baseline: the same sink, plain POSTs from one client at the same concurrency.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?;
        let before = received.load(Ordering::Relaxed);
        let start = Instant::now();
        let deadline = start + Duration::from_secs(3);
        let mut tasks = Vec::new();
        for _ in 0..settings.max_in_flight {
            let (client, url, body) = (client.clone(), sink_url.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let _ = client.post(&url).body(body.clone()).send().await;
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
        base.push(
            (received.load(Ordering::Relaxed) - before) as f64 / start.elapsed().as_secs_f64(),
        );

        // Events committed in transactions of 1,000 (the emit rate is reported too).
        let start = Instant::now();
        for chunk in 0..events.div_ceil(1000) {
            let mut tx = db.pool().begin().await?;
            for i in 0..1000.min(events - chunk * 1000) {
                let n = chunk * 1000 + i;
                let case = format!("r{round}-case-{}", n % cases);
                let e = NewEvent {
                    kind: "payment.received",
                    agency: "BENCH",
                    order_key: &case,
                    data: serde_json::json!({ "n": n }),
                };
                emit(&mut tx, &e).await?;
            }
            tx.commit().await?;
        }
        emits.push(events as f64 / start.elapsed().as_secs_f64());

        let before = received.load(Ordering::Relaxed);
        let start = Instant::now();
        let dispatcher = lango_notify::dispatch::spawn(db.clone(), settings.clone());
        loop {
            let pending: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'",
            )
            .fetch_one(db.pool())
            .await?;
            if pending == 0 {
                break;
            }
            anyhow::ensure!(
                start.elapsed() < Duration::from_secs(300),
                "deliveries did not finish"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let secs = start.elapsed().as_secs_f64();
        dispatcher.abort();
        anyhow::ensure!(
            received.load(Ordering::Relaxed) - before >= events as u64,
            "sink missed deliveries"
        );
        rates.push(events as f64 / secs);
        eprintln!("round {} done", round + 1);
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000, 3)?;
    let durations: Vec<i64> = sqlx::query_scalar(
        "SELECT last_duration_ms FROM webhook_deliveries WHERE status = 'delivered'",
    )
    .fetch_all(db.pool())
    .await?;
    for d in durations {
        hist.record(d.max(1) as u64)?;
    }
    let base = crate::median(base);
    let rate = crate::median(rates);
    println!("\n{:<26} {:>10} {:>8}", "what", "per s", "× base");
    println!(
        "{:<26} {base:>10.0} {:>8.2}",
        "plain POSTs to the sink", 1.0
    );
    println!(
        "{:<26} {rate:>10.0} {:>8.2}",
        "webhooks delivered",
        rate / base
    );
    println!(
        "{:<26} {:>10.0}",
        "events emitted (1k/tx)",
        crate::median(emits)
    );
    println!(
        "\nper-request time of delivered webhooks (≥1 ms resolution): p50 {} ms, p99 {} ms (required: ≥ 5,000 deliveries/s)",
        hist.value_at_quantile(0.5),
        hist.value_at_quantile(0.99)
    );
    db.close().await;
    Ok(())
}
