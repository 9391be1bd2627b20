//! `cargo run --release -p lango-bench -- catalogue`: the catalogue benchmark.
//!
//! It imports 20,000 services from CSV (timed), starts a real server process on
//! loopback, and measures in rounds: the `/healthz` rate (the baseline), the search API
//! under a realistic query mix, and the service page over every service. Rates are
//! reported as medians over the rounds and as ratios to the baseline of the same run.

/// mimalloc, not glibc's malloc: see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod agents;
mod backup;
mod cases;
mod centres;
mod documents;
mod fpx;
mod insights;
mod load;
mod mpesa;
mod oidc;
mod queries;
mod server;
mod signin;
mod ussd;
mod webhooks;

use clap::{Parser, Subcommand};
use lango_catalogue::service::import_services;
use lango_catalogue::{csv, seed, store, AgencyCode};
use lango_core::config::Config;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Agents: every agent's monthly statement over a month of agent work, on SQLite, next
    /// to the raw read of the same rows.
    Agents {
        /// Agents.
        #[arg(long, default_value_t = 10_000)]
        agents: usize,
        /// Commission lines in the month.
        #[arg(long, default_value_t = 2_000_000)]
        transactions: usize,
        /// Rounds (the median is reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Catalogue: import, search API and service pages against the /healthz baseline.
    Catalogue {
        /// Services to import.
        #[arg(long, default_value_t = 20_000)]
        services: usize,
        /// Concurrent connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds of the three measurements (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// USSD: menu steps per second over HTTP on SQLite, next to /healthz.
    Ussd {
        /// Concurrent gateway connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Documents: QR codes sealed and verified per second on one core, next to bare Ed25519.
    Documents {
        /// Seconds per measurement.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Sign in with Lango: authorization + token exchange per second on SQLite, next to
    /// /healthz and the raw commit rate.
    Oidc {
        /// Concurrent sign-ins.
        #[arg(long, default_value_t = 16)]
        workers: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Sign-in: password sign-ins per second per core, next to the raw commit rate.
    Signin {
        /// Concurrent sign-ins.
        #[arg(long, default_value_t = 8)]
        workers: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Webhooks: signed deliveries per second to a local sink, next to plain POSTs to it.
    Webhooks {
        /// Events per round.
        #[arg(long, default_value_t = 50_000)]
        events: usize,
        /// Order keys (cases) they are spread over.
        #[arg(long, default_value_t = 5_000)]
        cases: usize,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// FPX: signed confirmations posted (each payment confirmed twice), on SQLite, in the
    /// country LANGO_COUNTRY names, next to /healthz and the raw commit rate.
    Fpx {
        /// Concurrent connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// M-Pesa: C2B confirmations committed in groups, on SQLite and PostgreSQL, next to
    /// /healthz, the raw commit rate and pgbench's TPC-B.
    Mpesa {
        /// Concurrent connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// PostgreSQL to measure on (a database is created and dropped); `none` to skip.
        #[arg(
            long,
            env = "LANGO_BENCH_POSTGRES_URL",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        postgres: String,
    },
    /// Applications: durable submissions (form over HTTP and the engine) at N connections,
    /// and the officer's queue over a million seeded applications, next to /healthz.
    Cases {
        /// Concurrent connections (and engine tasks).
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Longest measurement, seconds (a submission run also ends when its drafts run out).
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Complete drafts prepared beforehand (half submitted over HTTP, half directly).
        #[arg(long, default_value_t = 60_000)]
        drafts: usize,
        /// Signed-in citizens the drafts belong to.
        #[arg(long, default_value_t = 200)]
        citizens: usize,
        /// Applications seeded for the queue measurements (0 skips them).
        #[arg(long, default_value_t = 1_000_000)]
        applications: usize,
    },
    /// Dashboards: the public pages, the JSON API and open data over N seeded
    /// applications, next to /healthz.
    Insights {
        /// Concurrent connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds (medians are reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Applications seeded.
        #[arg(long, default_value_t = 10_000_000)]
        applications: usize,
    },
    /// Service centres: one Huduma day of queue tickets (issued, called at 400 counters,
    /// served) and a booking rush with exact capacity, on SQLite and PostgreSQL, next to
    /// /healthz and the raw commit rate.
    Centres {
        /// Centres, 8 counters each.
        #[arg(long, default_value_t = 50)]
        centres: usize,
        /// Tickets in the day.
        #[arg(long, default_value_t = 60_000)]
        tickets: usize,
        /// Reception clients issuing tickets (one connection each).
        #[arg(long, default_value_t = 50)]
        reception: usize,
        /// Connections for /healthz and the bookings.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Seconds of the /healthz, raw-commit and free-places booking measurements.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Rounds, each on a fresh database (medians are reported).
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        /// Milliseconds a counter that found nobody waiting waits before calling again (on
        /// average: each pause is drawn from half to one and a half times it).
        #[arg(long, default_value_t = 250)]
        idle_ms: u64,
        /// Seconds the scaled day's arrivals are spread over (a real day's 9 hours); 0 with
        /// --serve-ms 0 is a closed loop (every client asks again at once).
        #[arg(long, default_value_t = 40.0)]
        day_s: f64,
        /// Milliseconds a counter serves each ticket before calling the next, on average
        /// (each drawn from half to one and a half times it; scaled with the day).
        #[arg(long, default_value_t = 200)]
        serve_ms: u64,
        /// Leave out the measurements over HTTP (the room in this process only).
        #[arg(long)]
        no_http: bool,
        /// PostgreSQL to measure on (a database per round is created and dropped); `none`
        /// to skip.
        #[arg(
            long,
            env = "LANGO_BENCH_POSTGRES_URL",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        postgres: String,
    },
    /// Backup: `lango backup` of a large SQLite database while the server confirms
    /// payments (the longest write pause), then `lango restore`, next to a raw file copy.
    Backup {
        /// The database's size, MB.
        #[arg(long, default_value_t = 1_000)]
        size_mb: u64,
        /// Connections confirming payments meanwhile.
        #[arg(long, default_value_t = 16)]
        connections: usize,
    },
    /// (internal) the server process the benchmark starts.
    #[command(hide = true)]
    ServeChild,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The country `LANGO_COUNTRY` names (Kenya unless set): its demo is what is measured.
    lango_core::country::install(Config::load(None)?.country);
    let rt = tokio::runtime::Runtime::new()?;
    match cli.command {
        Cmd::ServeChild => rt.block_on(async {
            let config = Config::load(None)?;
            // Quiet unless asked (`LANGO_BENCH_LOG`): the load's own log lines would be measured.
            if std::env::var_os("LANGO_BENCH_LOG").is_some() {
                tracing_subscriber::fmt()
                    .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log))
                    .with_writer(std::io::stderr)
                    .init();
            }
            let listener = tokio::net::TcpListener::bind(config.listen).await?;
            lango::Node::open(config, vec![])
                .await?
                .serve(listener, lango::shutdown_signal())
                .await
        }),
        Cmd::Backup {
            size_mb,
            connections,
        } => rt.block_on(backup::run(size_mb, connections)),
        Cmd::Fpx {
            connections,
            seconds,
            rounds,
        } => rt.block_on(fpx::run(connections, Duration::from_secs(seconds), rounds)),
        Cmd::Mpesa {
            connections,
            seconds,
            rounds,
            postgres,
        } => rt.block_on(mpesa::run(
            connections,
            Duration::from_secs(seconds),
            rounds,
            (postgres != "none").then_some(postgres),
        )),
        Cmd::Centres {
            centres,
            tickets,
            reception,
            connections,
            seconds,
            rounds,
            idle_ms,
            day_s,
            serve_ms,
            no_http,
            postgres,
        } => rt.block_on(centres::run(centres::Args {
            centres,
            tickets,
            reception,
            connections,
            duration: Duration::from_secs(seconds),
            rounds,
            idle: Duration::from_millis(idle_ms),
            day: Duration::from_secs_f64(day_s.max(0.0)),
            serve: Duration::from_millis(serve_ms),
            http: !no_http,
            postgres: (postgres != "none").then_some(postgres),
        })),
        Cmd::Cases {
            connections,
            seconds,
            rounds,
            drafts,
            citizens,
            applications,
        } => rt.block_on(cases::run(cases::Args {
            connections,
            duration: Duration::from_secs(seconds),
            rounds,
            drafts,
            citizens,
            applications,
        })),
        Cmd::Agents {
            agents,
            transactions,
            rounds,
        } => rt.block_on(agents::run(agents::Args {
            agents,
            transactions,
            rounds,
        })),
        Cmd::Insights {
            connections,
            seconds,
            rounds,
            applications,
        } => rt.block_on(insights::run(insights::Args {
            connections,
            duration: Duration::from_secs(seconds),
            rounds,
            applications,
        })),
        Cmd::Ussd {
            connections,
            seconds,
            rounds,
        } => rt.block_on(ussd::run(ussd::Args {
            connections,
            duration: Duration::from_secs(seconds),
            rounds,
        })),
        Cmd::Documents { seconds, rounds } => documents::run(seconds, rounds),
        Cmd::Webhooks {
            events,
            cases,
            rounds,
        } => rt.block_on(webhooks::run(events, cases, rounds)),
        Cmd::Oidc {
            workers,
            seconds,
            rounds,
        } => rt.block_on(oidc::run(workers, Duration::from_secs(seconds), rounds)),
        Cmd::Signin {
            workers,
            seconds,
            rounds,
        } => rt.block_on(signin::run(workers, Duration::from_secs(seconds), rounds)),
        Cmd::Catalogue {
            services,
            connections,
            seconds,
            rounds,
        } => rt.block_on(catalogue(
            services,
            connections,
            Duration::from_secs(seconds),
            rounds,
        )),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn rss_mb(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn catalogue(
    n: usize,
    connections: usize,
    duration: Duration,
    rounds: usize,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::env::set_var("LANGO_DATA_DIR", dir.path());
    let config = Config::load(None)?;
    let db = lango::open_db(&config).await?;
    lango::demo::load(&db).await?;
    let mut agencies: Vec<AgencyCode> = store::agency_codes(&db)
        .await?
        .into_iter()
        .filter_map(|c| AgencyCode::parse(&c).ok())
        .collect();
    agencies.sort();
    let synthetic = seed::synthetic_services(n, &agencies, 42);
    let file = dir.path().join("services.csv");
    csv::write_services(std::fs::File::create(&file)?, &synthetic)?;
    let started = Instant::now();
    let report = import_services(&db, std::fs::File::open(&file)?, &mut |_, _| {}).await?;
    let import_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(report.rejected.is_empty(), "import refused rows");
    let all = store::services_since(&db, 0).await?;
    db.close().await;
    println!(
        "import: {} services from CSV in {import_s:.2} s (SQLite, one transaction)",
        report.created
    );

    let server = server::Server::start(None, dir.path(), &[]).await?;
    let (addr, pid) = (server.addr.clone(), server.pid());

    let (distinct, search) = queries::search_mix(&all, 2500, 200_000, 7);
    let mut pages: Vec<String> = all
        .iter()
        .map(|s| format!("/services/{}", s.code))
        .collect();
    pages.shuffle(&mut rand::rngs::StdRng::seed_from_u64(3));
    let health = Arc::new(vec!["/healthz".to_string()]);
    let search = Arc::new(search);
    let pages = Arc::new(pages);
    println!(
        "server: pid {pid}, {} services; load: {connections} connections, {rounds} rounds of {} s each; {distinct} distinct queries (Zipf), {} service pages",
        all.len(),
        duration.as_secs(),
        pages.len()
    );
    // Warm-up: the first pass fills caches as a running server's would be.
    load::run(&addr, connections, Duration::from_secs(2), search.clone()).await?;

    let mut results: Vec<(&str, Vec<load::Measured>)> = vec![
        ("healthz", vec![]),
        ("search API", vec![]),
        ("service page", vec![]),
    ];
    for round in 0..rounds {
        for (i, paths) in [&health, &search, &pages].into_iter().enumerate() {
            let m = load::run(&addr, connections, duration, paths.clone()).await?;
            anyhow::ensure!(
                m.errors == 0 || i == 1,
                "{} answered {} errors",
                results[i].0,
                m.errors
            );
            results[i].1.push(m);
        }
        eprintln!("round {} done", round + 1);
    }
    let rss = rss_mb(pid, "VmRSS:");
    let hwm = rss_mb(pid, "VmHWM:");
    let base = median(results[0].1.iter().map(|m| m.rate).collect());
    println!(
        "\n{:<14} {:>10} {:>9} {:>9} {:>8}",
        "endpoint", "req/s", "p50 ms", "p99 ms", "× base"
    );
    for (name, ms) in &results {
        let rate = median(ms.iter().map(|m| m.rate).collect());
        let p50 = median(ms.iter().map(|m| m.p50_ms).collect());
        let p99 = median(ms.iter().map(|m| m.p99_ms).collect());
        println!(
            "{name:<14} {rate:>10.0} {p50:>9.2} {p99:>9.2} {:>8.2}",
            rate / base
        );
    }
    println!("\nserver RSS: {rss:.0} MB now, {hwm:.0} MB peak");
    drop(server);
    Ok(())
}
