//! A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its
//! next request as soon as the previous answer is read.

use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one run measured.
pub struct Measured {
    /// Requests answered per second.
    pub rate: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency, milliseconds.
    pub p99_ms: f64,
    /// Answers that were not 2xx.
    pub errors: u64,
}

impl Measured {
    /// The medians of several runs' rates and latencies, with all their errors.
    pub fn median(ms: Vec<Measured>) -> Measured {
        Measured {
            rate: crate::median(ms.iter().map(|m| m.rate).collect()),
            p50_ms: crate::median(ms.iter().map(|m| m.p50_ms).collect()),
            p99_ms: crate::median(ms.iter().map(|m| m.p99_ms).collect()),
            errors: ms.iter().map(|m| m.errors).sum(),
        }
    }
}

/// One request to send: a GET of a path, or a POST of a JSON body.
pub enum Call {
    /// `GET path`
    Get(String),
    /// `POST path` with a JSON body.
    Post(String, Bytes),
    /// `POST path` with a form body (`application/x-www-form-urlencoded`).
    Form(String, Bytes),
}

/// Makes the `i`-th request.
pub type MakeCall = Arc<dyn Fn(usize) -> Call + Send + Sync>;

/// Judges a 2xx answer's body: `false` counts it as an error.
pub type Check = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// Sends `paths` (cycled, each connection from its own offset) for `duration`.
pub async fn run(
    addr: &str,
    connections: usize,
    duration: Duration,
    paths: Arc<Vec<String>>,
) -> anyhow::Result<Measured> {
    let n = paths.len();
    let offset = move |c: usize| c * n / connections.max(1);
    let make: MakeCall = Arc::new(move |i| Call::Get(paths[i % paths.len()].clone()));
    run_calls(addr, connections, duration, make, offset).await
}

/// Sends the calls `make` builds, numbered from `offset(connection)` on each connection.
pub async fn run_calls(
    addr: &str,
    connections: usize,
    duration: Duration,
    make: MakeCall,
    offset: impl Fn(usize) -> usize,
) -> anyhow::Result<Measured> {
    run_checked(addr, connections, duration, make, offset, None).await
}

/// [`run_calls`], each 2xx answer's body also judged by `check` when given.
pub async fn run_checked(
    addr: &str,
    connections: usize,
    duration: Duration,
    make: MakeCall,
    offset: impl Fn(usize) -> usize,
    check: Option<Check>,
) -> anyhow::Result<Measured> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let make = make.clone();
        let check = check.clone();
        let start_at = offset(c);
        let addr = addr.to_string();
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            let mut errors = 0u64;
            let stream = tokio::net::TcpStream::connect(&addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut i = start_at;
            while Instant::now() < deadline {
                let call = make(i);
                i += 1;
                let req = match call {
                    Call::Get(path) => hyper::Request::get(path)
                        .header("host", &addr)
                        .body(Full::new(Bytes::new()))?,
                    Call::Post(path, body) => hyper::Request::post(path)
                        .header("host", &addr)
                        .header("content-type", "application/json")
                        .body(Full::new(body))?,
                    Call::Form(path, body) => hyper::Request::post(path)
                        .header("host", &addr)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(Full::new(body))?,
                };
                let start = Instant::now();
                let res = sender.send_request(req).await?;
                let mut ok = res.status().is_success();
                let body = res.into_body().collect().await?.to_bytes();
                hist.record(start.elapsed().as_micros().max(1) as u64)?;
                if let (true, Some(check)) = (ok, &check) {
                    ok = check(&body);
                }
                if !ok {
                    errors += 1;
                }
            }
            anyhow::Ok((hist, errors))
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut errors = 0;
    for t in tasks {
        let (h, e) = t.await??;
        all.add(h)?;
        errors += e;
    }
    Ok(Measured {
        rate: all.len() as f64 / duration.as_secs_f64(),
        p50_ms: all.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: all.value_at_quantile(0.99) as f64 / 1000.0,
        errors,
    })
}

/// Prints runs as a table: rate, latencies and the rate as a multiple of the first line's
/// (the baseline of the same run).
pub fn print_table(lines: &[(&str, &Measured)]) {
    print_table_against(lines, "× healthz");
}

/// [`print_table`] with the ratio column named for another baseline.
pub fn print_table_against(lines: &[(&str, &Measured)], ratio: &str) {
    let base = lines.first().map_or(1.0, |(_, m)| m.rate.max(1.0));
    println!(
        "\n{:<36} {:>9} {:>9} {:>9} {:>10} {:>7}",
        "what", "per s", "p50 ms", "p99 ms", ratio, "errors"
    );
    for (what, m) in lines {
        println!(
            "{:<36} {:>9.0} {:>9.2} {:>9.2} {:>10.2} {:>7}",
            what,
            m.rate,
            m.p50_ms,
            m.p99_ms,
            m.rate / base,
            m.errors
        );
    }
}
