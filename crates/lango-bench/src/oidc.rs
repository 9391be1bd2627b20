//! `lango-bench oidc`: Sign in with Lango. One sign-in is what an agency's system costs
//! Lango for a person already signed in who agreed before: the authorization request (the
//! session read, the code stored) and the token exchange (client authentication, the code
//! spent, a refresh token stored, the audit record, two ES256 signatures). The password
//! hash is not part of it (issue 21: "excluding the password hash"). A real server process
//! on SQLite, next to its `/healthz` rate and the raw commit rate of the same database.

use crate::load::Measured;
use hdrhistogram::Histogram;
use lango_core::config::Config;
use lango_identity::model::{AccountKind, Role};
use lango_identity::policy::Actor;
use lango_identity::provider::clients::{self, Registration};
use lango_identity::seed::{self, PersonSeed};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "benchmark password long enough";
const COOKIE: &str = "__Host-lango_session";
const REDIRECT: &str = "https://agency.example/callback";
/// The PKCE pair every sign-in uses (S256 of the verifier).
const VERIFIER: &str = "bench-verifier-bench-verifier-bench-verifier-0001";

/// What the workers share.
struct Flow {
    addr: String,
    client_id: String,
    secret: String,
    challenge: String,
    sessions: Vec<String>,
}

/// Runs the benchmark.
pub async fn run(workers: usize, duration: Duration, rounds: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    std::env::set_var("LANGO_DATA_DIR", dir.path());
    std::env::set_var("LANGO_DATABASE_URL", &url);
    let config = Config::load(None)?;
    let db = lango::open_db(&config).await?;
    lango::demo::load(&db).await?;
    let admin = seed::person(
        &db,
        &PersonSeed {
            kind: AccountKind::Staff,
            id_number: None,
            given_name: "Bench",
            family_name: "Admin",
            email: "bench-admin@example.com",
            phone: None,
            password: PASSWORD,
            county: "",
        },
    )
    .await?;
    seed::grant(&db, &admin, Role::PlatformAdmin, None, None).await?;
    let admin = Actor::Person(lango_identity::account::actor(&db, &admin).await?);
    let form = Registration {
        name: "Bench system".into(),
        redirect_uris: REDIRECT.into(),
        ..Registration::default()
    };
    let (client_id, secret) = clients::register(&db, &admin, "NTSA", &form)
        .await?
        .map_err(|p| anyhow::anyhow!("client refused: {p:?}"))?;
    let people = 256;
    let mut sessions = Vec::with_capacity(people);
    for i in 0..people {
        let id = seed::person(
            &db,
            &PersonSeed {
                kind: AccountKind::Citizen,
                id_number: Some(&format!("{}", 32_000_000 + i)),
                given_name: "Bench",
                family_name: "Person",
                email: &format!("bench-oidc{i}@example.com"),
                phone: Some("+254700000009"),
                password: PASSWORD,
                county: "Nairobi",
            },
        )
        .await?;
        let person = Actor::Person(lango_identity::account::actor(&db, &id).await?);
        let mut tx = db.pool().begin().await?;
        sessions
            .push(lango_identity::session::create(&mut tx, &id, false, &Default::default()).await?);
        // Agreed once before, as on every sign-in after the first.
        lango_identity::provider::consent::grant(
            &mut tx,
            &person,
            &id,
            &client_id,
            &["openid", "profile", "phone"],
        )
        .await?;
        tx.commit().await?;
    }
    sqlx::query("CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)")
        .execute(db.pool())
        .await?;
    let server = crate::server::Server::start(Some(&url), dir.path(), &[]).await?;
    use base64::Engine;
    use sha2::Digest;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(VERIFIER.as_bytes()));
    let flow = Arc::new(Flow {
        addr: server.addr.clone(),
        client_id,
        secret,
        challenge,
        sessions,
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Sign in with Lango: {people} people signed in who agreed before; {workers} concurrent; {rounds} rounds of {} s; SQLite; {cores} cores",
        duration.as_secs()
    );
    let health = Arc::new(vec!["/healthz".to_string()]);
    crate::load::run(
        &server.addr,
        workers,
        Duration::from_secs(1),
        health.clone(),
    )
    .await?;
    sign_ins(&flow, workers, Duration::from_secs(1)).await?;
    let (mut commits, mut h, mut s) = (vec![], vec![], vec![]);
    let mut next_id = 0i64;
    for round in 0..rounds {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < duration {
            sqlx::query("INSERT INTO bench_commits (id, at) VALUES ($1, $2)")
                .bind(next_id)
                .bind(next_id)
                .execute(db.pool())
                .await?;
            next_id += 1;
            n += 1;
        }
        commits.push(n as f64 / start.elapsed().as_secs_f64());
        h.push(crate::load::run(&server.addr, workers, duration, health.clone()).await?);
        s.push(sign_ins(&flow, workers, duration).await?);
        eprintln!("round {} done", round + 1);
    }
    let commit = crate::median(commits);
    let (h, s) = (Measured::median(h), Measured::median(s));
    anyhow::ensure!(s.errors == 0, "{} sign-ins failed", s.errors);
    println!(
        "\n{:<28} {:>10} {:>9} {:>9} {:>10}",
        "what", "per s", "p50 ms", "p99 ms", "× healthz"
    );
    println!(
        "{:<28} {commit:>10.0} {:>9} {:>9} {:>10}",
        "raw commits (one row)", "-", "-", "-"
    );
    for (what, m) in [
        ("/healthz (baseline)", &h),
        ("sign-ins (authorize+token)", &s),
    ] {
        println!(
            "{what:<28} {:>10.0} {:>9.2} {:>9.2} {:>10.4}",
            m.rate,
            m.p50_ms,
            m.p99_ms,
            m.rate / h.rate
        );
    }
    println!("\nsign-ins per second: {:.0} (required: 500)", s.rate);
    db.close().await;
    Ok(())
}

/// Runs sign-ins from `workers` loops for `duration`.
async fn sign_ins(
    flow: &Arc<Flow>,
    workers: usize,
    duration: Duration,
) -> anyhow::Result<Measured> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (flow, stop) = (flow.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?;
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut ok, mut errors, mut i) = (0u64, 0u64, w);
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                match one(&http, &flow, i % flow.sessions.len()).await {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        errors += 1;
                        if errors == 1 {
                            eprintln!("sign-in failed: {e}");
                        }
                    }
                }
                hist.record(start.elapsed().as_micros().max(1) as u64)?;
                i += workers;
            }
            anyhow::Ok((hist, ok, errors))
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut ok, mut errors) = (0, 0);
    for t in tasks {
        let (h, o, e) = t.await??;
        all.add(h)?;
        ok += o;
        errors += e;
    }
    Ok(Measured {
        rate: ok as f64 / started.elapsed().as_secs_f64(),
        p50_ms: all.value_at_quantile(0.5) as f64 / 1000.0,
        p99_ms: all.value_at_quantile(0.99) as f64 / 1000.0,
        errors,
    })
}

/// One sign-in: the authorization request with the person's session, then the exchange.
async fn one(http: &reqwest::Client, flow: &Flow, person: usize) -> anyhow::Result<()> {
    let base = format!("http://{}", flow.addr);
    let res = http
        .get(format!("{base}/oidc/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", &flow.client_id),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile phone"),
            ("state", "s"),
            ("nonce", "n"),
            ("code_challenge", &flow.challenge),
            ("code_challenge_method", "S256"),
        ])
        .header("cookie", format!("{COOKIE}={}", flow.sessions[person]))
        .send()
        .await?;
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let code = location
        .split_once("code=")
        .map(|(_, r)| r.split('&').next().unwrap_or(""))
        .filter(|c| !c.is_empty())
        .ok_or_else(|| anyhow::anyhow!("no code: {} {location}", res.status()))?;
    let res = http
        .post(format!("{base}/oidc/token"))
        .basic_auth(&flow.client_id, Some(&flow.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await?;
    anyhow::ensure!(res.status() == 200, "token: {}", res.status());
    let body = res.bytes().await?;
    anyhow::ensure!(body.windows(8).any(|w| w == b"id_token"), "no id_token");
    Ok(())
}
