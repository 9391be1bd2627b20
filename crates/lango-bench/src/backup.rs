//! `lango-bench backup`: `lango backup` of a large SQLite database while a real server
//! process takes C2B confirmations over HTTP, then `lango restore` of it.
//!
//! The database is grown to the size asked with filler rows (1 KiB each) beside a demo
//! catalogue and 1,000 open bills; the backup's cost is in the bytes it copies. Writers keep
//! confirming payments on keep-alive connections the whole time. Reported: the writes'
//! latency before and during the backup (p50, p99, the longest) and the longest time no
//! write completed while it ran (how long writes were paused), the backup's and the
//! restore's times, and the raw copy of the file (`std::fs::copy`) as the baseline of the
//! same run. The restored database is checked: the filler rows all there, the ledger
//! verifies.

use crate::mpesa::raise_bills;
use crate::server::Server;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use lango_core::config::Config;
use lango_core::db::Db;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Filler rows are this many bytes of text.
const ROW_BYTES: usize = 1024;
/// Rows per transaction while filling.
const BATCH: usize = 2_000;

/// Grows the database to about `mb` megabytes with filler rows.
async fn fill(db: &Db, mb: u64) -> anyhow::Result<u64> {
    sqlx::query("CREATE TABLE bench_filler (id BIGINT PRIMARY KEY, body TEXT NOT NULL)")
        .execute(db.pool())
        .await?;
    let rows = mb * 1_000_000 / ROW_BYTES as u64;
    let body: String = (0..ROW_BYTES)
        .map(|i| (b'a' + (i % 26) as u8) as char)
        .collect();
    let started = Instant::now();
    let mut id = 0u64;
    while id < rows {
        let n = BATCH.min((rows - id) as usize);
        let marks: Vec<String> = (0..n)
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO bench_filler (id, body) VALUES {}",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for i in 0..n {
            q = q.bind((id + i as u64) as i64).bind(&body);
        }
        let mut tx = db.pool().begin().await?;
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        id += n as u64;
        if id % 200_000 < n as u64 {
            eprintln!(
                "  filled {} MB of {mb} ({:.0} s)",
                id * ROW_BYTES as u64 / 1_000_000,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(rows)
}

/// One completed write: when it started and how long it took.
type Write = (Instant, Duration);

/// Confirms payments on one keep-alive connection until `stop`; every write's time.
async fn writer(
    addr: String,
    bills: Arc<Vec<String>>,
    first: usize,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Vec<Write>> {
    let stream = tokio::net::TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut out = Vec::new();
    let mut n = first;
    while !stop.load(Ordering::Relaxed) {
        let body = serde_json::json!({
            "TransactionType": "Pay Bill", "TransID": format!("BK{n:08}"),
            "TransTime": "20261122103015", "TransAmount": "10.00", "BusinessShortCode": "222222",
            "BillRefNumber": bills[n % bills.len()], "InvoiceNumber": "", "OrgAccountBalance": "",
            "ThirdPartyTransID": "", "MSISDN": "2547*****149", "FirstName": "BENCH",
            "MiddleName": "", "LastName": "PAYER"
        })
        .to_string();
        let req = hyper::Request::post("/channels/mpesa/c2b/confirmation")
            .header("host", &addr)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))?;
        let start = Instant::now();
        let res = sender.send_request(req).await?;
        let ok = res.status().is_success();
        res.into_body().collect().await?;
        anyhow::ensure!(ok, "a confirmation was refused");
        out.push((start, start.elapsed()));
        n += 1_000_000;
    }
    Ok(out)
}

/// p50, p99 and the longest of `writes`, milliseconds.
fn latencies(writes: &[&Write]) -> (f64, f64, f64) {
    let mut h = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3).expect("histogram");
    for (_, d) in writes {
        let _ = h.record(d.as_micros().max(1) as u64);
    }
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    (ms(0.5), ms(0.99), h.max() as f64 / 1000.0)
}

/// The longest time within `from..to` in which no write completed, milliseconds.
fn longest_pause(writes: &[&Write], from: Instant, to: Instant) -> f64 {
    let mut ends: Vec<Instant> = writes.iter().map(|(s, d)| *s + *d).collect();
    ends.retain(|e| *e >= from && *e <= to);
    ends.sort();
    let mut last = from;
    let mut longest = Duration::ZERO;
    for e in ends.into_iter().chain([to]) {
        longest = longest.max(e.saturating_duration_since(last));
        last = e;
    }
    longest.as_secs_f64() * 1000.0
}

/// Runs the benchmark on a database of about `mb` megabytes with `connections` writers.
pub async fn run(mb: u64, connections: usize) -> anyhow::Result<()> {
    println!("backup: a {mb} MB SQLite database, backed up while {connections} connections confirm M-Pesa payments over HTTP, then restored");
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let db = Db::connect(&url, 4).await?;
    db.migrate(&lango::migrations()).await?;
    let bills = Arc::new(raise_bills(&db, 1_000).await?);
    let rows = fill(&db, mb).await?;
    db.close().await;
    let size = std::fs::metadata(dir.path().join("lango.db"))?.len();
    let out = tempfile::tempdir()?;
    // The baseline: the file copied as bytes, nothing else running.
    let started = Instant::now();
    std::fs::copy(dir.path().join("lango.db"), out.path().join("raw-copy.db"))?;
    let raw_copy = started.elapsed().as_secs_f64();
    std::fs::remove_file(out.path().join("raw-copy.db"))?;

    let server = Server::start(
        Some(&url),
        dir.path(),
        &[("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8")],
    )
    .await?;
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..connections)
        .map(|c| tokio::spawn(writer(server.addr.clone(), bills.clone(), c, stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut config = Config::load(None)?;
    config.data_dir = dir.path().to_path_buf();
    config.database_url = None;
    let file = out.path().join("lango.backup");
    let began = Instant::now();
    let written = lango::backup::backup(&config, &file).await?;
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mut writes = Vec::new();
    for t in tasks {
        writes.extend(t.await??);
    }
    drop(server);
    let before: Vec<&Write> = writes.iter().filter(|(s, _)| *s < began).collect();
    let during: Vec<&Write> = writes
        .iter()
        .filter(|(s, d)| *s < ended && *s + *d > began)
        .collect();
    let (b50, b99, bmax) = latencies(&before);
    let (d50, d99, dmax) = latencies(&during);
    let pause = longest_pause(&writes.iter().collect::<Vec<_>>(), began, ended);
    let backup_s = (ended - began).as_secs_f64();

    let mut restored = Config::load(None)?;
    restored.data_dir = out.path().join("restored");
    restored.database_url = None;
    let started = Instant::now();
    lango::backup::restore(&restored, &file).await?;
    let restore_s = started.elapsed().as_secs_f64();
    let check = Db::connect(&restored.effective_database_url(), 2).await?;
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bench_filler")
        .fetch_one(check.pool())
        .await?;
    let (_, faults) = lango_payments::store::verify(&check).await?;
    check.close().await;
    anyhow::ensure!(
        held as u64 == rows,
        "the restore holds {held} of {rows} rows"
    );
    anyhow::ensure!(faults.is_empty(), "the restored ledger: {faults:?}");

    println!(
        "\n{:<40} {:>10} {:>10} {:>10} {:>10}",
        "", "writes", "p50 ms", "p99 ms", "max ms"
    );
    println!(
        "{:<40} {:>10} {b50:>10.2} {b99:>10.2} {bmax:>10.2}",
        "confirmations before the backup",
        before.len()
    );
    println!(
        "{:<40} {:>10} {d50:>10.2} {d99:>10.2} {dmax:>10.2}",
        "confirmations during the backup",
        during.len()
    );
    println!(
        "\ndatabase {:.0} MB; backup {:.0} MB in {backup_s:.1} s ({:.2}× the raw copy's {raw_copy:.1} s); longest time no write completed during it: {pause:.0} ms (target < 100 ms: {})",
        size as f64 / 1e6,
        written as f64 / 1e6,
        backup_s / raw_copy.max(0.001),
        if pause < 100.0 { "met" } else { "not met" }
    );
    println!(
        "restore in {restore_s:.1} s (target < 60 s: {}); restored: {held} filler rows, ledger verified",
        if restore_s < 60.0 { "met" } else { "not met" }
    );
    Ok(())
}
