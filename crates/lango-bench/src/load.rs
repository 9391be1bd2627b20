//! A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its
//! next request as soon as the previous answer is read.

use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Empty};
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

/// Sends `paths` (cycled, each connection from its own offset) for `duration`.
pub async fn run(
    addr: &str,
    connections: usize,
    duration: Duration,
    paths: Arc<Vec<String>>,
) -> anyhow::Result<Measured> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let paths = paths.clone();
        let addr = addr.to_string();
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            let mut errors = 0u64;
            let stream = tokio::net::TcpStream::connect(&addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut i = c * paths.len() / connections.max(1);
            while Instant::now() < deadline {
                let path = &paths[i % paths.len()];
                i += 1;
                let req = hyper::Request::get(path.as_str())
                    .header("host", &addr)
                    .body(Empty::<Bytes>::new())?;
                let start = Instant::now();
                let res = sender.send_request(req).await?;
                let ok = res.status().is_success();
                res.into_body().collect().await?;
                hist.record(start.elapsed().as_micros().max(1) as u64)?;
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
