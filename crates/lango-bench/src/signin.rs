//! `lango-bench signin`: password sign-ins per second per core (Argon2id verify, throttle
//! bookkeeping, session and audit writes on SQLite), next to the raw commit rate of the
//! same database as the baseline.

use hdrhistogram::Histogram;
use lango_core::config::Config;
use lango_identity::model::AccountKind;
use lango_identity::seed::{self, PersonSeed};
use lango_identity::session::Client;
use lango_identity::signin::{self, SignIn};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "benchmark password long enough";

/// Runs the sign-in benchmark.
pub async fn run(workers: usize, duration: Duration, rounds: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::env::set_var("LANGO_DATA_DIR", dir.path());
    let config = Config::load(None)?;
    let db = lango::open_db(&config).await?;
    let people = 64;
    for i in 0..people {
        seed::person(
            &db,
            &PersonSeed {
                kind: AccountKind::Citizen,
                id_number: Some(&format!("{}", 30_000_000 + i)),
                given_name: "Bench",
                family_name: "Person",
                email: &format!("bench{i}@example.com"),
                phone: None,
                password: PASSWORD,
                county: "Nairobi",
            },
        )
        .await?;
    }
    sqlx::query("CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)")
        .execute(db.pool())
        .await?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "sign-in: Argon2id m={} KiB t={} p={}; {people} accounts; {workers} concurrent; {rounds} rounds of {} s; {cores} cores",
        lango_identity::password::MEMORY_KIB,
        lango_identity::password::ITERATIONS,
        lango_identity::password::LANES,
        duration.as_secs()
    );
    let mut commits = Vec::new();
    let mut signins = Vec::new();
    let mut next_id = 0i64;
    for _ in 0..rounds {
        // Baseline: one-row transactions committed back to back on the same database.
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < duration {
            let mut tx = db.pool().begin().await?;
            sqlx::query("INSERT INTO bench_commits (id, at) VALUES ($1, $2)")
                .bind(next_id)
                .bind(next_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            next_id += 1;
            n += 1;
        }
        commits.push(n as f64 / start.elapsed().as_secs_f64());

        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for w in 0..workers {
            let db = db.clone();
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let start = Instant::now();
                    let who = format!("bench{}@example.com", i % people);
                    let r = signin::sign_in(&db, &who, PASSWORD, &Client::default()).await?;
                    anyhow::ensure!(matches!(r, SignIn::Done { .. }), "sign-in refused: {r:?}");
                    hist.record(start.elapsed().as_micros().max(1) as u64)?;
                    i += workers;
                }
                anyhow::Ok(hist)
            }));
        }
        let start = Instant::now();
        tokio::time::sleep(duration).await;
        stop.store(true, Ordering::Relaxed);
        let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
        for t in tasks {
            all.add(t.await??)?;
        }
        let secs = start.elapsed().as_secs_f64();
        signins.push((
            all.len() as f64 / secs,
            all.value_at_quantile(0.5) as f64 / 1000.0,
            all.value_at_quantile(0.99) as f64 / 1000.0,
        ));
        eprintln!("round done");
    }
    let commit = crate::median(commits);
    let rate = crate::median(signins.iter().map(|s| s.0).collect());
    let p50 = crate::median(signins.iter().map(|s| s.1).collect());
    let p99 = crate::median(signins.iter().map(|s| s.2).collect());
    println!(
        "\n{:<16} {:>10} {:>9} {:>9} {:>10}",
        "what", "per s", "p50 ms", "p99 ms", "× base"
    );
    println!(
        "{:<16} {commit:>10.0} {:>9} {:>9} {:>10.2}",
        "raw commits", "-", "-", 1.0
    );
    println!(
        "{:<16} {rate:>10.1} {p50:>9.2} {p99:>9.2} {:>10.4}",
        "sign-ins",
        rate / commit
    );
    println!(
        "\nsign-ins per core: {:.1} (required: 20)",
        rate / cores as f64
    );
    db.close().await;
    Ok(())
}
