//! `lango-bench insights`: the public dashboards over millions of applications, through a
//! real server process on SQLite, next to its `/healthz` rate in the same run.
//!
//! The demo catalogue and definitions are loaded and N applications seeded with
//! `lango seed applications`' own code (timed; each transaction also adds its applications
//! to the usage aggregates, as the event follower would). Then a server is started and
//! each dashboard page, the JSON API and an open-data download are read by N connections.

use crate::load::{self, Measured};
use crate::server::Server;
use lango_core::db::Db;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The benchmark's settings.
pub struct Args {
    /// Concurrent connections.
    pub connections: usize,
    /// Seconds per measurement.
    pub duration: Duration,
    /// Rounds (medians are reported).
    pub rounds: usize,
    /// Applications seeded.
    pub applications: usize,
}

/// What is read, in the order of the table. Pages are kept for a few seconds once made
/// (`lango_web::published`); the lines marked "made each time" add a query parameter of
/// their own to every request, so that each is computed from the aggregates.
const PAGES: [(&str, &str); 11] = [
    ("/healthz (baseline)", "/healthz"),
    ("national dashboard, 90 days", "/performance"),
    ("national dashboard, 365 days", "/performance?days=365"),
    ("agency dashboard (DIS)", "/performance/agencies/DIS"),
    (
        "service dashboard (passport)",
        "/performance/services/DIS-PASSPORT",
    ),
    ("digitisation progress", "/performance/digitisation"),
    ("JSON API, national, 365 days", "/api/v1/insights?days=365"),
    (
        "open data: usage.json",
        "/api/v1/open-data/usage.json?agency=DIS",
    ),
    (
        "national, 365 days, made each time",
        "/performance?days=365&n=",
    ),
    (
        "service page, made each time",
        "/performance/services/DIS-PASSPORT?n=",
    ),
    ("JSON API, made each time", "/api/v1/insights?days=365&n="),
];

/// The paths one line reads: its page, or (ending in `n=`) that page numbered afresh.
fn paths_of(path: &str) -> Vec<String> {
    if path.ends_with("n=") {
        (0..1_000_000).map(|i| format!("{path}{i}")).collect()
    } else {
        vec![path.to_string()]
    }
}

/// Seeds, serves and measures; prints the table.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let db = Db::connect(&url, 16).await?;
    db.migrate(&lango::migrations()).await?;
    // The benchmark's own database, in a temporary directory: it may hold synthetic data.
    lango_core::sample_data::mark(&db, lango_core::sample_data::Mark::Test).await?;
    lango::demo::load(&db).await?;
    lango::demo::load_definitions(&db).await?;
    println!(
        "dashboards on SQLite: {} applications; {} connections, {} rounds of {} s; pages kept {} s",
        args.applications,
        args.connections,
        args.rounds,
        args.duration.as_secs(),
        lango_web::published::FRESH.as_secs()
    );
    let started = Instant::now();
    let plan = lango_cases::seed::Plan {
        count: args.applications,
        agency: None,
        seed: 7,
    };
    let mut sink = lango_insights::usage::SeedSink::default();
    let mut shown = 0;
    let seeded = lango_cases::seed::applications_into(
        &db,
        &plan,
        &mut |done, total| {
            // A line per tenth: the benchmark's output is a log, not a terminal.
            let tenth = (done * 10 / total.max(1)) as usize;
            if tenth > shown {
                shown = tenth;
                eprintln!("seeded {done} of {total}");
            }
        },
        &mut sink,
    )
    .await?;
    let seed_s = started.elapsed().as_secs_f64();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM insight_usage")
        .fetch_one(db.pool())
        .await?;
    db.close().await;
    println!(
        "seeded {seeded} applications in {seed_s:.0} s ({:.0}/s); the usage aggregate holds {rows} rows",
        seeded as f64 / seed_s
    );

    let server = Server::start(Some(&url), dir.path(), &[]).await?;
    let addr = server.addr.clone();
    // The first tick of the node takes the day's digitisation snapshot.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let shown = published_total(&addr).await?;
    anyhow::ensure!(
        shown == seeded as i64,
        "the dashboards show {shown} submitted applications, {seeded} were seeded"
    );
    println!("the national figures show all {shown} applications");
    let paths: Vec<Arc<Vec<String>>> = PAGES.iter().map(|(_, p)| Arc::new(paths_of(p))).collect();
    for p in &paths[1..] {
        load::run(&addr, args.connections, Duration::from_secs(1), p.clone()).await?;
    }
    let mut runs: Vec<Vec<Measured>> = PAGES.iter().map(|_| Vec::new()).collect();
    for round in 0..args.rounds {
        for (i, p) in paths.iter().enumerate() {
            let m = load::run(&addr, args.connections, args.duration, p.clone()).await?;
            anyhow::ensure!(m.errors == 0, "{} answered {} errors", PAGES[i].0, m.errors);
            runs[i].push(m);
        }
        eprintln!("round {} done", round + 1);
    }
    drop(server);
    let medians: Vec<Measured> = runs.into_iter().map(Measured::median).collect();
    let lines: Vec<(&str, &Measured)> = PAGES.iter().map(|(name, _)| *name).zip(&medians).collect();
    crate::load::print_table(&lines);
    Ok(())
}

/// The national figures' submitted applications over 365 days, read from the JSON API.
async fn published_total(addr: &str) -> anyhow::Result<i64> {
    let json: serde_json::Value = reqwest::get(format!("http://{addr}/api/v1/insights?days=365"))
        .await?
        .error_for_status()?
        .json()
        .await?;
    json["totals"]["submitted"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no totals in {json}"))
}
