//! `lango-bench mpesa`: M-Pesa C2B confirmations per second through a real server process,
//! committed in groups, on SQLite and on PostgreSQL. Baselines from the same run: the
//! server's `/healthz` rate, the raw one-row commit rate of the same database, and on
//! PostgreSQL pgbench's TPC-B rate at the same number of connections.

use crate::load::{self, Call, MakeCall, Measured};
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_payments::bills::{self, BillRequest, Payer};
use lango_payments::fees::FeeTable;
use lango_payments::mpesa::{Incoming, Receipts};
use lango_payments::BillReference;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one backend measured (medians over the rounds).
struct Report {
    backend: &'static str,
    healthz: Measured,
    commits: f64,
    committer: f64,
    confirmations: Measured,
    sent: usize,
}

/// Runs the benchmark on SQLite and, when PostgreSQL is reachable, on PostgreSQL.
pub async fn run(
    connections: usize,
    duration: Duration,
    rounds: usize,
    postgres: Option<String>,
) -> anyhow::Result<()> {
    println!(
        "M-Pesa C2B confirmations: {connections} connections, {rounds} rounds of {} s; 95% to 1,000 open bills, 5% to no bill (suspense)",
        duration.as_secs()
    );
    let dir = tempfile::tempdir()?;
    let sqlite_url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let mut reports = vec![
        measure(
            "SQLite",
            &sqlite_url,
            dir.path(),
            connections,
            duration,
            rounds,
        )
        .await?,
    ];
    let mut tpcb = None;
    if let Some(admin) = postgres {
        let name = format!("lango_bench_{}", uuid_like());
        let url = create_database(&admin, &name).await?;
        reports.push(
            measure(
                "PostgreSQL",
                &url,
                dir.path(),
                connections,
                duration,
                rounds,
            )
            .await?,
        );
        tpcb = pgbench(&admin, connections, duration).await.ok();
        drop_database(&admin, &name).await?;
    }
    println!(
        "\n{:<12} {:<24} {:>10} {:>9} {:>9} {:>9}",
        "backend", "what", "per s", "p50 ms", "p99 ms", "× healthz"
    );
    for r in &reports {
        let base = r.healthz.rate;
        println!(
            "{:<12} {:<24} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
            r.backend, "/healthz (baseline)", base, r.healthz.p50_ms, r.healthz.p99_ms, 1.0
        );
        println!(
            "{:<12} {:<24} {:>10.0} {:>9} {:>9} {:>9.2}",
            r.backend,
            "raw one-row commits",
            r.commits,
            "-",
            "-",
            r.commits / base
        );
        println!(
            "{:<12} {:<24} {:>10.0} {:>9} {:>9} {:>9.2}",
            r.backend,
            "committer, no HTTP",
            r.committer,
            "-",
            "-",
            r.committer / base
        );
        println!(
            "{:<12} {:<24} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
            r.backend,
            "C2B confirmations",
            r.confirmations.rate,
            r.confirmations.p50_ms,
            r.confirmations.p99_ms,
            r.confirmations.rate / base
        );
        println!(
            "{:<12} {:<24} {:>10} ({} sent, {} errors; each posted once, ledger verified)",
            "", "", "", r.sent, r.confirmations.errors
        );
    }
    if let (Some(tps), Some(pg)) = (tpcb, reports.get(1)) {
        println!(
            "\nPostgreSQL: pgbench TPC-B at {connections} clients: {tps:.0} tps; confirmations {:.0}/s = {:.2}× TPC-B",
            pg.confirmations.rate,
            pg.confirmations.rate / tps
        );
    }
    Ok(())
}

fn uuid_like() -> String {
    format!("{:016x}", rand::random::<u64>())
}

pub(crate) async fn raise_bills(db: &Db, n: usize) -> anyhow::Result<Vec<String>> {
    lango::demo::load(db).await?;
    let mut refs = Vec::with_capacity(n);
    for i in 0..n {
        let req = BillRequest {
            service_code: "DIS-PASSPORT".into(),
            // Large enough to stay open through the whole run.
            amount: "90000000.00".into(),
            currency: "KES".into(),
            agency_reference: format!("BENCH-{i}"),
            payer: Payer::default(),
            description: String::new(),
            shares: Vec::new(),
            expires_on: String::new(),
        };
        refs.push(
            bills::raise(db, "DIS", "bench", &req, None, &FeeTable::kenya())
                .await?
                .0
                .reference,
        );
    }
    Ok(refs)
}

/// The raw commit rate: one-row transactions back to back on the same database.
pub(crate) async fn raw_commits(db: &Db, duration: Duration, from: i64) -> anyhow::Result<f64> {
    let start = Instant::now();
    let mut n = 0i64;
    while start.elapsed() < duration {
        let mut tx = db.pool().begin().await?;
        sqlx::query("INSERT INTO bench_commits (id, at) VALUES ($1, $2)")
            .bind(from + n)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

fn confirmation(n: usize, reference: &str) -> String {
    serde_json::json!({
        "TransactionType": "Pay Bill", "TransID": format!("BX{n:08}"),
        "TransTime": "20261122103015", "TransAmount": "10.00", "BusinessShortCode": "222222",
        "BillRefNumber": reference, "InvoiceNumber": "", "OrgAccountBalance": "",
        "ThirdPartyTransID": "", "MSISDN": "2547*****149", "FirstName": "BENCH",
        "MiddleName": "", "LastName": "PAYER"
    })
    .to_string()
}

async fn measure(
    backend: &'static str,
    db_url: &str,
    data_dir: &std::path::Path,
    connections: usize,
    duration: Duration,
    rounds: usize,
) -> anyhow::Result<Report> {
    let db = Db::connect(db_url, 4).await?;
    db.migrate(&lango::migrations()).await?;
    sqlx::query("CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)")
        .execute(db.pool())
        .await?;
    let refs = Arc::new(raise_bills(&db, 1_000).await?);
    let server = crate::server::Server::start(
        Some(db_url),
        data_dir,
        &[("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8")],
    )
    .await?;
    let addr = server.addr.clone();
    let counter = Arc::new(AtomicUsize::new(0));
    let make: MakeCall = {
        let counter = counter.clone();
        let refs = refs.clone();
        Arc::new(move |_| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            // A fixed scramble of n: the same mix every run, spread over all bills.
            let h = (n as u64 ^ 0x5bd1_e995).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let reference = if h.is_multiple_of(20) {
                "NOBILL".to_string()
            } else {
                refs[((h >> 16) % refs.len() as u64) as usize].clone()
            };
            Call::Post(
                "/channels/mpesa/c2b/confirmation".into(),
                confirmation(n, &reference).into(),
            )
        })
    };
    let health = Arc::new(vec!["/healthz".to_string()]);
    // Warm-up.
    load::run_calls(
        &addr,
        connections,
        Duration::from_secs(1),
        make.clone(),
        |c| c,
    )
    .await?;
    let (mut h, mut c, mut commits, mut direct) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        h.push(load::run(&addr, connections, duration, health.clone()).await?);
        commits.push(raw_commits(&db, duration, (round as i64) << 32).await?);
        direct.push(committer(&db, connections, duration, round, &refs).await?);
        let m = load::run_calls(&addr, connections, duration, make.clone(), |c| c).await?;
        anyhow::ensure!(
            m.errors == 0,
            "{backend}: {} confirmations refused",
            m.errors
        );
        c.push(m);
        eprintln!("{backend}: round {} done", round + 1);
    }
    drop(server);
    // Every acknowledged confirmation is there once, and the ledger balances.
    let sent = counter.load(Ordering::Relaxed);
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM mpesa_receipts WHERE trans_id LIKE 'BX%'")
            .fetch_one(db.pool())
            .await?;
    anyhow::ensure!(stored as usize <= sent, "more receipts than sent");
    let (_, faults) = lango_payments::store::verify(&db).await?;
    anyhow::ensure!(faults.is_empty(), "ledger faults: {faults:?}");
    db.close().await;
    Ok(Report {
        backend,
        healthz: Measured::median(h),
        commits: crate::median(commits),
        committer: crate::median(direct),
        confirmations: Measured::median(c),
        sent: stored as usize,
    })
}

/// Receipts recorded per second by a committer in this process, from `callers` tasks in a
/// closed loop: the storage side of a confirmation without HTTP.
async fn committer(
    db: &Db,
    callers: usize,
    duration: Duration,
    round: usize,
    refs: &Arc<Vec<String>>,
) -> anyhow::Result<f64> {
    let receipts = Receipts::start(db.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let (receipts, next, refs) = (receipts.clone(), next.clone(), refs.clone());
        tasks.push(tokio::spawn(async move {
            while start.elapsed() < duration {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let reference = refs[n % refs.len()].clone();
                receipts
                    .record(Incoming {
                        trans_id: format!("DX{round}{n:08}"),
                        bill_ref: reference.clone(),
                        reference: BillReference::parse(&reference).ok(),
                        amount: Money::from_minor(1_000, Currency::Kes),
                        trans_time_ms: None,
                        raw: confirmation(n, &reference),
                    })
                    .await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(next.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

fn with_database(admin: &str, name: &str) -> String {
    match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => format!("{admin}/{name}"),
    }
}

pub(crate) async fn create_database(admin: &str, name: &str) -> anyhow::Result<String> {
    let db = Db::connect(admin, 1).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(db.pool())
        .await?;
    db.close().await;
    Ok(with_database(admin, name))
}

pub(crate) async fn drop_database(admin: &str, name: &str) -> anyhow::Result<()> {
    let db = Db::connect(admin, 1).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(db.pool())
        .await?;
    db.close().await;
    Ok(())
}

/// pgbench's TPC-B (scale 10) at `clients` connections on a database of its own.
async fn pgbench(admin: &str, clients: usize, duration: Duration) -> anyhow::Result<f64> {
    let name = format!("lango_tpcb_{}", uuid_like());
    let url = create_database(admin, &name).await?;
    let init = Command::new("pgbench")
        .args(["-i", "-q", "-s", "10", &url])
        .output()?;
    anyhow::ensure!(init.status.success(), "pgbench -i failed");
    let out = Command::new("pgbench")
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &duration.as_secs().max(5).to_string(),
            &url,
        ])
        .output()?;
    drop_database(admin, &name).await?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("pgbench printed no tps: {text}"))
}
