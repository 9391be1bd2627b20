//! `lango-bench ussd`: USSD steps through a real server process over HTTP on SQLite, next
//! to the same server's `/healthz` rate measured in the same run.
//!
//! Each connection is a gateway carrying one phone's sessions one after another, as
//! Africa's Talking does: a session starts with `text` empty and each step adds the input
//! typed. The mix: application status (a demo person's phone, whose account is found and
//! its applications listed; other phones type a reference of the demo's 5,000-application
//! history), a bill looked up by reference, the queue ticket, and the home screen. Every answer must be `200`, start `CON ` or `END ` and fit 182
//! characters; anything else counts as an error. The payment step (`2*REF*1`, which asks
//! M-Pesa) is left out: it measures the gateway to Safaricom, not the menus.

use crate::load::{self, Call, Check, MakeCall, Measured};
use crate::server::Server;
use lango_core::db::Db;
use std::sync::Arc;
use std::time::Duration;

/// The demo people's phones (their applications are listed by menu 1).
const DEMO_PHONES: [&str; 3] = ["+254712345678", "+254722000111", "+254733000222"];
/// Connections 1 in this many carry a demo person's phone; the others a phone with no account.
const DEMO_SHARE: usize = 4;
/// Calls numbered per connection from `connection × SPAN`.
const SPAN: usize = 1_000_000_000;
/// The longest screen a gateway shows.
const MAX_SCREEN: usize = 182;

/// The benchmark's settings.
pub struct Args {
    /// Concurrent gateway connections.
    pub connections: usize,
    /// Seconds per measurement.
    pub duration: Duration,
    /// Rounds (medians are reported).
    pub rounds: usize,
}

/// Runs the rounds and prints the table against the bar.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let db = Db::connect(&url, 4).await?;
    db.migrate(&lango::migrations()).await?;
    // The demo's country: its people (whose phones have accounts) and its application
    // history (references typed in menu 1: another person's, shown by state only).
    lango_core::sample_data::mark(&db, lango_core::sample_data::Mark::Demo).await?;
    let bills = Arc::new(crate::mpesa::raise_bills(&db, 1_000).await?);
    lango::demo::seed_people(&db, "http://127.0.0.1").await?;
    lango::demo::load_definitions(&db).await?;
    lango::demo::seed_history(&db).await?;
    let apps = Arc::new(application_references(&db).await?);
    db.close().await;
    let server = Server::start(Some(&url), dir.path(), &[]).await?;
    let addr = server.addr.clone();
    println!(
        "ussd: {} connections, {} rounds of {} s; {} bills, {} demo applications; SQLite",
        args.connections,
        args.rounds,
        args.duration.as_secs(),
        bills.len(),
        apps.len()
    );
    let steps = steps(bills, apps);
    let check: Check = Arc::new(|body: &[u8]| screen_ok(body));
    let health = Arc::new(vec!["/healthz".to_string()]);
    // Warm-up: caches filled as a running server's would be.
    measure(
        &addr,
        args.connections,
        Duration::from_secs(2),
        &steps,
        &check,
    )
    .await?;
    let (mut healthz, mut ussd) = (Vec::new(), Vec::new());
    for round in 0..args.rounds {
        healthz.push(load::run(&addr, args.connections, args.duration, health.clone()).await?);
        ussd.push(measure(&addr, args.connections, args.duration, &steps, &check).await?);
        eprintln!("round {} done", round + 1);
    }
    let (healthz, ussd) = (Measured::median(healthz), Measured::median(ussd));
    load::print_table(&[("/healthz (baseline)", &healthz), ("USSD steps", &ussd)]);
    let met = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "\nUSSD: {:.0} steps/s (target ≥ 5,000/s: {}), p99 {:.2} ms (target ≤ 30 ms: {}), {:.3}× /healthz; {} answers not a 200 screen of ≤ {MAX_SCREEN} characters",
        ussd.rate,
        met(ussd.rate >= 5_000.0),
        ussd.p99_ms,
        met(ussd.p99_ms <= 30.0),
        ussd.rate / healthz.rate.max(1.0),
        ussd.errors
    );
    anyhow::ensure!(
        ussd.errors == 0,
        "{} USSD answers were not screens",
        ussd.errors
    );
    Ok(())
}

async fn measure(
    addr: &str,
    connections: usize,
    duration: Duration,
    make: &MakeCall,
    check: &Check,
) -> anyhow::Result<Measured> {
    load::run_checked(
        addr,
        connections,
        duration,
        make.clone(),
        |c| c * SPAN,
        Some(check.clone()),
    )
    .await
}

/// A screen as a gateway takes it: `CON ` or `END `, at most [`MAX_SCREEN`] characters.
fn screen_ok(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|s| {
        (s.starts_with("CON ") || s.starts_with("END ")) && s.chars().count() <= MAX_SCREEN
    })
}

/// The `i`-th step: connection `i / SPAN`'s phone, in its sessions one after another.
fn steps(bills: Arc<Vec<String>>, apps: Arc<Vec<String>>) -> MakeCall {
    Arc::new(move |i| {
        let (connection, k) = (i / SPAN, i % SPAN);
        let demo = connection % DEMO_SHARE == 0;
        let phone = if demo {
            DEMO_PHONES[connection / DEMO_SHARE % DEMO_PHONES.len()].to_string()
        } else {
            format!("+2547{:08}", 10_000_000 + connection)
        };
        let bill = &bills[(k / 7 + connection * 31) % bills.len()];
        let app = apps
            .get((k / 7 + connection) % apps.len().max(1))
            .map_or("LNG-0000-0000", String::as_str);
        // One cycle: four sessions, seven steps.
        let script: [(usize, String); 7] = [
            (0, String::new()),
            (0, "1".into()),
            (1, String::new()),
            (1, "2".into()),
            (1, format!("2*{bill}")),
            (2, format!("1*{}", if demo { "1" } else { app })),
            (3, "4".into()),
        ];
        let (session, text) = &script[k % script.len()];
        let session_id = format!("ATUid_bench_{connection}_{}_{session}", k / script.len());
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("sessionId", &session_id)
            .append_pair("serviceCode", "*384*222#")
            .append_pair("phoneNumber", &phone)
            .append_pair("networkCode", "63902")
            .append_pair("text", text)
            .finish();
        Call::Form("/channels/ussd".into(), body.into())
    })
}

/// The demo's application references (for status by reference).
async fn application_references(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT reference FROM applications ORDER BY reference LIMIT 200")
            .fetch_all(db.pool())
            .await?,
    )
}
