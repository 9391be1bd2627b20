//! The benchmark's own closed loop: N keep-alive connections, each signed in with a
//! session cookie, sending its next request (a page, or a form with the session's CSRF
//! token) as soon as the last is answered.

use super::{Args, Signed, COOKIE};
use crate::load::Measured;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Instant;

/// What a run measured, and how many requests succeeded.
pub struct Run {
    pub m: Measured,
    pub ok: u64,
}

/// A measuring task: its latencies and its failures.
pub type Task = tokio::task::JoinHandle<anyhow::Result<(Histogram<u64>, u64)>>;

/// One request of the closed loop.
pub struct Request {
    pub post: bool,
    pub path: String,
    /// Whose session it is sent with.
    pub citizen: usize,
    pub body: Bytes,
}

/// The next request, or `None` when there is no more work.
pub type MakeRequest = Arc<dyn Fn() -> Option<Request> + Send + Sync>;

/// N keep-alive connections, each sending its next request when the last is answered,
/// signed in with `sessions[request.citizen]`; forms carry that session's CSRF token.
pub async fn closed_loop(
    addr: &str,
    args: &Args,
    make: MakeRequest,
    sessions: Arc<Vec<Signed>>,
    ok: fn(u16) -> bool,
) -> anyhow::Result<Run> {
    let deadline = Instant::now() + args.duration;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let (make, sessions, addr) = (make.clone(), sessions.clone(), addr.to_string());
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut errors = 0u64;
            let stream = tokio::net::TcpStream::connect(&addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            while Instant::now() < deadline {
                let Some(r) = make() else { break };
                let s = &sessions[r.citizen];
                let builder = if r.post {
                    hyper::Request::post(&r.path)
                } else {
                    hyper::Request::get(&r.path)
                }
                .header("host", &addr)
                .header("cookie", format!("{COOKIE}={}", s.token));
                let req = if r.post {
                    let mut body = format!("csrf={}&declaration=yes", s.csrf).into_bytes();
                    body.extend_from_slice(&r.body);
                    builder
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(Full::new(Bytes::from(body)))?
                } else {
                    builder.body(Full::new(Bytes::new()))?
                };
                let t = Instant::now();
                let res = sender.send_request(req).await?;
                let status = res.status().as_u16();
                res.into_body().collect().await?;
                hist.record(t.elapsed().as_micros().max(1) as u64)?;
                errors += u64::from(!ok(status));
            }
            anyhow::Ok((hist, errors))
        }));
    }
    gather(tasks, start).await
}

pub async fn gather(tasks: Vec<Task>, start: Instant) -> anyhow::Result<Run> {
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut errors = 0;
    for t in tasks {
        let (h, e) = t.await??;
        all.add(h)?;
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let ok = all.len() - errors.min(all.len());
    Ok(Run {
        m: Measured {
            rate: ok as f64 / elapsed,
            p50_ms: all.value_at_quantile(0.50) as f64 / 1000.0,
            p99_ms: all.value_at_quantile(0.99) as f64 / 1000.0,
            errors,
        },
        ok,
    })
}
