//! `lango-bench cases`: durable submissions and the officer's queue, through a real server
//! process on SQLite, next to its `/healthz` rate in the same run.
//!
//! (a) Submissions: complete drafts of many signed-in citizens are prepared through the
//! engine beforehand (not timed); then N connections post the submit form
//! (`POST /applications/{reference}/submit`, CSRF token and declaration), each answered only
//! after its group commit; and the same through `Cases::submit` without HTTP.
//! (b) The queue: a million submitted applications are seeded (`lango_cases::seed`, timed),
//! then an officer's queue page `GET /work/{agency}` is read with and without filters, and
//! the engine's `Cases::queue` directly.

mod http;

use crate::load::Measured;
use hdrhistogram::Histogram;
use http::{closed_loop, gather, MakeRequest, Request, Run};
use hyper::body::Bytes;
use lango_cases::application::{QueueFilter, SlaFilter};
use lango_cases::definition::{PageInput, Profile};
use lango_cases::service::Settings;
use lango_cases::Cases;
use lango_core::db::Db;
use lango_identity::model::{AccountKind, Role};
use lango_identity::policy::Actor;
use lango_identity::seed::{self, PersonSeed};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SERVICE: &str = "CRS-BIRTH-CERT-COPY";
const AGENCY: &str = "CRS";
const PASSWORD: &str = "benchmark password long enough";
/// The session cookie of a node that is not in demo mode.
const COOKIE: &str = "__Host-lango_session";

/// A birth certificate copy: one page of questions, a fee, payment, an officer's review
/// with a request for information, approval and issue.
const DEFINITION: &str = include_str!("cases/definition.yaml");

/// The benchmark's settings.
pub struct Args {
    /// Concurrent connections (and engine tasks).
    pub connections: usize,
    /// Longest measurement.
    pub duration: Duration,
    /// Rounds (medians are reported).
    pub rounds: usize,
    /// Drafts prepared for the submission measurements (half over HTTP, half direct).
    pub drafts: usize,
    /// Signed-in citizens the drafts belong to.
    pub citizens: usize,
    /// Applications seeded for the queue (0: skip the queue).
    pub applications: usize,
}

/// A signed-in person: the cookie token and the form token.
#[derive(Clone)]
struct Signed {
    token: String,
    csrf: String,
}

/// One row of the table.
struct Line {
    what: String,
    m: Measured,
}

/// Runs both parts and prints the table.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let db = Db::connect(&url, 16).await?;
    db.migrate(&lango::migrations()).await?;
    // The benchmark's own database, in a temporary directory: it may hold synthetic data.
    lango_core::sample_data::mark(&db, lango_core::sample_data::Mark::Test).await?;
    lango::demo::load(&db).await?;
    let stored =
        lango_cases::registry::load_texts(&db, &[("bench.yaml".into(), DEFINITION.into())]).await?;
    anyhow::ensure!(stored == 1, "the benchmark's definition was refused");
    let mut settings = Settings::new(
        dir.path().join("documents").display().to_string(),
        Vec::new(),
    );
    settings.public_url = "http://127.0.0.1".into();
    let cases = Cases::open(db.clone(), settings).await?;
    println!(
        "applications on SQLite: {} connections, {} rounds of at most {} s; {} drafts of {} citizens; queue over {} applications",
        args.connections,
        args.rounds,
        args.duration.as_secs(),
        args.drafts,
        args.citizens,
        args.applications
    );

    let started = Instant::now();
    let citizens = people(&db, args.citizens).await?;
    let drafts = prepare(&cases, &citizens, args.drafts).await?;
    println!(
        "prepared {} drafts in {:.1} s (not timed below)",
        drafts.len(),
        started.elapsed().as_secs_f64()
    );
    let server = crate::server::Server::start(Some(&url), dir.path(), &[]).await?;
    let addr = server.addr.clone();

    let health = Arc::new(vec!["/healthz".to_string()]);
    crate::load::run(
        &addr,
        args.connections,
        Duration::from_secs(1),
        health.clone(),
    )
    .await?;
    let share = drafts.len() / 2 / args.rounds.max(1);
    let drafts = Arc::new(drafts);
    let sessions = Arc::new(citizens.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
    let (mut h, mut http, mut direct) = (vec![], vec![], vec![]);
    for round in 0..args.rounds {
        h.push(crate::load::run(&addr, args.connections, args.duration, health.clone()).await?);
        let from = 2 * round * share;
        http.push(submit_http(&addr, &args, &sessions, &drafts, from, share).await?);
        direct.push(submit_direct(&cases, &citizens, &args, &drafts, from + share, share).await?);
        eprintln!("submissions: round {} done", round + 1);
    }
    // Every acknowledged submission is durable: count them in the database.
    let submitted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE service = $1 AND state <> 'draft'",
    )
    .bind(SERVICE)
    .fetch_one(db.pool())
    .await?;
    let acknowledged: u64 = http.iter().chain(direct.iter()).map(|r| r.ok).sum();
    anyhow::ensure!(
        submitted as u64 >= acknowledged,
        "{acknowledged} submissions acknowledged but {submitted} stored"
    );
    let mut lines = vec![
        Line {
            what: "/healthz (baseline)".into(),
            m: Measured::median(h),
        },
        Line {
            what: "submit form (HTTP)".into(),
            m: Measured::median(http.into_iter().map(|r| r.m).collect()),
        },
        Line {
            what: "Cases::submit (no HTTP)".into(),
            m: Measured::median(direct.into_iter().map(|r| r.m).collect()),
        },
    ];
    println!("{submitted} submissions stored, {acknowledged} acknowledged");

    if args.applications > 0 {
        queue(&db, &cases, &addr, &args, &mut lines).await?;
    }
    drop(server);
    let table: Vec<(&str, &Measured)> = lines.iter().map(|l| (l.what.as_str(), &l.m)).collect();
    crate::load::print_table(&table);
    db.close().await;
    Ok(())
}

/// Citizens with sessions: accounts made as the sign-up makes them, a session each.
async fn people(db: &Db, n: usize) -> anyhow::Result<Vec<(Actor, Signed)>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = seed::person(
            db,
            &PersonSeed {
                kind: AccountKind::Citizen,
                id_number: Some(&format!("{}", 31_000_000 + i)),
                given_name: "Bench",
                family_name: "Citizen",
                email: &format!("bench-citizen{i}@example.com"),
                phone: None,
                password: PASSWORD,
                county: "Nairobi",
            },
        )
        .await?;
        out.push(signed_in(db, &id).await?);
    }
    Ok(out)
}

async fn signed_in(db: &Db, account: &str) -> anyhow::Result<(Actor, Signed)> {
    let mut tx = db.pool().begin().await?;
    let token =
        lango_identity::session::create(&mut tx, account, false, &Default::default()).await?;
    tx.commit().await?;
    let session = lango_identity::session::lookup(db, &token)
        .await?
        .ok_or_else(|| anyhow::anyhow!("session not found"))?;
    let actor = Actor::Person(lango_identity::account::actor(db, account).await?);
    Ok((
        actor,
        Signed {
            token,
            csrf: session.csrf,
        },
    ))
}

/// Complete drafts, round-robin over the citizens: (reference, citizen index).
async fn prepare(
    cases: &Cases,
    citizens: &[(Actor, Signed)],
    n: usize,
) -> anyhow::Result<Vec<(String, usize)>> {
    let next = Arc::new(AtomicUsize::new(0));
    let citizens = Arc::new(citizens.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (cases, next, citizens) = (cases.clone(), next.clone(), citizens.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let who = i % citizens.len();
                let actor = &citizens[who];
                let draft = cases
                    .start(actor, SERVICE, None, &Profile::default())
                    .await?;
                let input = PageInput {
                    values: vec![
                        ("full_name".into(), format!("Bench Child {i}")),
                        ("date_of_birth".into(), "2015-06-30".into()),
                        ("entry_number".into(), format!("{:08}", i)),
                        ("copies".into(), "2".into()),
                    ],
                    files: Vec::new(),
                };
                cases
                    .answer(actor, &draft.reference, "certificate", &input)
                    .await?
                    .map_err(|e| anyhow::anyhow!("bench answers refused: {e:?}"))?;
                mine.push((draft.reference, who));
            }
            anyhow::Ok(mine)
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

async fn submit_http(
    addr: &str,
    args: &Args,
    sessions: &Arc<Vec<Signed>>,
    drafts: &Arc<Vec<(String, usize)>>,
    from: usize,
    n: usize,
) -> anyhow::Result<Run> {
    let next = Arc::new(AtomicUsize::new(from));
    let end = from + n;
    let make: MakeRequest = {
        let drafts = drafts.clone();
        Arc::new(move || {
            let i = next.fetch_add(1, Ordering::Relaxed);
            (i < end).then(|| {
                let (reference, who) = &drafts[i];
                Request {
                    post: true,
                    path: format!("/applications/{reference}/submit"),
                    citizen: *who,
                    body: Bytes::new(),
                }
            })
        })
    };
    closed_loop(addr, args, make, sessions.clone(), |s| s == 303).await
}

async fn submit_direct(
    cases: &Cases,
    citizens: &[(Actor, Signed)],
    args: &Args,
    drafts: &Arc<Vec<(String, usize)>>,
    from: usize,
    n: usize,
) -> anyhow::Result<Run> {
    let next = Arc::new(AtomicUsize::new(from));
    let end = from + n;
    let actors = Arc::new(citizens.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>());
    let deadline = Instant::now() + args.duration;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let (cases, next, actors, drafts) =
            (cases.clone(), next.clone(), actors.clone(), drafts.clone());
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                let (reference, who) = &drafts[i];
                let t = Instant::now();
                let ok = matches!(cases.submit(&actors[*who], reference).await, Ok(Ok(_)));
                hist.record(t.elapsed().as_micros().max(1) as u64)?;
                errors += u64::from(!ok);
            }
            anyhow::Ok((hist, errors))
        }));
    }
    gather(tasks, start).await
}

/// The officer's queue over `args.applications` seeded applications.
async fn queue(
    db: &Db,
    cases: &Cases,
    addr: &str,
    args: &Args,
    lines: &mut Vec<Line>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let plan = lango_cases::seed::Plan {
        count: args.applications,
        agency: Some(AGENCY.into()),
        seed: 7,
    };
    let mut last = Instant::now();
    let seeded = lango_cases::seed::applications(db, &plan, &mut |done, total| {
        if last.elapsed() > Duration::from_secs(10) || done == total {
            eprintln!("seeding: {done}/{total}");
            last = Instant::now();
        }
    })
    .await?;
    let seed_s = started.elapsed().as_secs_f64();
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applications")
        .fetch_one(db.pool())
        .await?;
    println!(
        "seeded {seeded} applications in {seed_s:.1} s ({:.0}/s); {total} in the database",
        seeded as f64 / seed_s
    );
    sqlx::query(if db.backend() == lango_core::db::Backend::Sqlite {
        "ANALYZE"
    } else {
        "ANALYZE applications"
    })
    .execute(db.pool())
    .await?;
    let officer_id = seed::person(
        db,
        &PersonSeed {
            kind: AccountKind::Staff,
            id_number: None,
            given_name: "Bench",
            family_name: "Officer",
            email: "bench-officer@crs.example",
            phone: None,
            password: PASSWORD,
            county: "",
        },
    )
    .await?;
    seed::grant(db, &officer_id, Role::Officer, Some(AGENCY), None).await?;
    let (officer, signed) = signed_in(db, &officer_id).await?;
    let pages = [
        ("queue page", format!("/work/{AGENCY}")),
        (
            "queue ?sla=breached",
            format!("/work/{AGENCY}?sla=breached"),
        ),
        (
            "queue ?assigned=unassigned",
            format!("/work/{AGENCY}?assigned=unassigned"),
        ),
        (
            "queue ?state=review",
            format!("/work/{AGENCY}?state=review"),
        ),
    ];
    let filters = [
        ("Cases::queue", QueueFilter::default()),
        (
            "Cases::queue breached",
            QueueFilter {
                sla: Some(SlaFilter::Breached),
                ..QueueFilter::default()
            },
        ),
        (
            "Cases::queue unassigned",
            QueueFilter {
                unassigned: true,
                ..QueueFilter::default()
            },
        ),
    ];
    let health = Arc::new(vec!["/healthz".to_string()]);
    let one_citizen = Arc::new(vec![signed]);
    let mut h = vec![];
    let mut got: Vec<Vec<Measured>> = (0..pages.len() + filters.len())
        .map(|_| Vec::new())
        .collect();
    for round in 0..args.rounds {
        h.push(crate::load::run(addr, args.connections, args.duration, health.clone()).await?);
        for (i, (_, path)) in pages.iter().enumerate() {
            let path = path.clone();
            let make: MakeRequest = Arc::new(move || {
                Some(Request {
                    post: false,
                    path: path.clone(),
                    citizen: 0,
                    body: Bytes::new(),
                })
            });
            let m = closed_loop(addr, args, make, one_citizen.clone(), |s| s == 200)
                .await?
                .m;
            anyhow::ensure!(m.errors == 0, "{}: {} errors", pages[i].0, m.errors);
            got[i].push(m);
        }
        for (j, (_, filter)) in filters.iter().enumerate() {
            got[pages.len() + j].push(queue_direct(cases, &officer, filter, args).await?.m);
        }
        eprintln!("queue: round {} done", round + 1);
    }
    lines.push(Line {
        what: format!("/healthz (with {total} applications)"),
        m: Measured::median(h),
    });
    let names = pages
        .iter()
        .map(|(n, _)| *n)
        .chain(filters.iter().map(|(n, _)| *n));
    for (name, ms) in names.zip(got) {
        lines.push(Line {
            what: name.to_string(),
            m: Measured::median(ms),
        });
    }
    Ok(())
}

async fn queue_direct(
    cases: &Cases,
    officer: &Actor,
    filter: &QueueFilter,
    args: &Args,
) -> anyhow::Result<Run> {
    let deadline = Instant::now() + args.duration;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let (cases, officer, filter) = (cases.clone(), officer.clone(), filter.clone());
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = cases
                    .queue(&officer, AGENCY, &filter, None, 50)
                    .await
                    .is_ok_and(|p| !p.items.is_empty());
                hist.record(t.elapsed().as_micros().max(1) as u64)?;
                errors += u64::from(!ok);
            }
            anyhow::Ok((hist, errors))
        }));
    }
    gather(tasks, start).await
}
