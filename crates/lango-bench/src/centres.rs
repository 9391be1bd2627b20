//! `lango-bench centres`: service centres through a real server process over HTTP, on
//! SQLite and on PostgreSQL, next to the same server's `/healthz` rate and the raw one-row
//! commit rate of the same database, measured in the same run.
//!
//! 1. **One Huduma day.** 50 centres of 8 counters (a CSV made here, imported with
//!    `lango_centres::seed::load_csv`) and 60,000 walk-in tickets: reception clients issue
//!    them (`POST /api/v1/centres/{code}/tickets`) while 400 counters, each on its own
//!    keep-alive connection, call the next ticket (`…/counters/{counter}/call`, which
//!    finishes the one the counter was serving, even when it finds nobody) until every
//!    ticket is served. The day is a real one scaled down in time: people arrive evenly
//!    over [`Args::day`] (reception issues ticket i at i × day / tickets, or at once when
//!    behind) and a counter serves each ticket for [`Args::serve`] before calling the next,
//!    as a counter does for minutes in a real day; with both zero, every client asks again
//!    the moment it is answered (a closed loop: the most the node can take). Once its centre's reception is done, a counter finishes each ticket
//!    with `…/tickets/{number}/done` before calling again, so its last one is finished by
//!    "done". Afterwards the database must hold every ticket once, served, at the counter
//!    that was answered it.
//! 2. **A booking rush.** Clients book one centre's service on one day (every place the
//!    slots endpoint shows, four times over, each with its own ID number): exactly the
//!    places are booked and the rest refused `409 slot_full`. Then bookings spread over
//!    every other centre's free places, where nearly all succeed: bookings per second.
//! 3. **The same without HTTP** at 50 more centres, through `lango_centres::Centres` in
//!    this process once the server has stopped: what the handlers do after HTTP and the key.
//!
//! Each round runs on a fresh database with a fresh server.

use crate::load::{self, Measured};
use crate::mpesa;
use crate::server::Server;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use lango_centres::calendar;
use lango_core::db::Db;
use lango_identity::model::{AccountKind, Role};
use lango_identity::policy::Actor;
use lango_identity::seed::PersonSeed;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The agency that runs the centres (its key calls the API).
const OPERATOR: &str = "HUDUMA";
/// What every centre offers: service, minutes at the counter, ticket letter.
const SERVICES: [(&str, u16, char); 4] = [
    ("DIS-PASSPORT", 15, 'A'),
    ("NRB-ID-REPLACE", 5, 'B'),
    ("CRS-BIRTH-CERT", 10, 'C'),
    ("DCI-GOOD-CONDUCT", 2, 'D'),
];
/// Each counter's services (indexes into [`SERVICES`]): one to three, every service served.
const COUNTERS: [&[usize]; 8] = [
    &[0],
    &[0, 1],
    &[1],
    &[1, 2],
    &[2],
    &[2, 3],
    &[3],
    &[0, 1, 3],
];
/// Each service's daily cap at each centre: large, so the day is not cut short.
const DAILY_CAP: u32 = 5_000;
/// The service of the booking rush (at the first centre).
const RUSH_SERVICE: &str = "DCI-GOOD-CONDUCT";
/// No loop of the benchmark runs longer than this.
const LIMIT: Duration = Duration::from_secs(600);

/// The benchmark's settings.
pub struct Args {
    /// Centres (8 counters each).
    pub centres: usize,
    /// Tickets in the day.
    pub tickets: usize,
    /// Reception clients issuing tickets (connections).
    pub reception: usize,
    /// Connections for `/healthz` and the bookings.
    pub connections: usize,
    /// Longest booking run and the `/healthz` and raw-commit measurements.
    pub duration: Duration,
    /// Rounds (each on a fresh database; medians are reported).
    pub rounds: usize,
    /// How long a counter that found nobody waiting waits before it calls again (on
    /// average: each pause is drawn from half to one and a half times it).
    pub idle: Duration,
    /// The scaled day: tickets arrive evenly over it (zero: as fast as reception can).
    pub day: Duration,
    /// How long a counter serves a ticket between calling it and its next call or "done"
    /// (zero: it calls again at once).
    pub serve: Duration,
    /// Measure over HTTP too (not only in this process).
    pub http: bool,
    /// PostgreSQL to measure on too (a database per round is created and dropped).
    pub postgres: Option<String>,
}

/// What one round measured.
struct Round {
    healthz: Measured,
    commits: f64,
    /// Over HTTP (when measured).
    http: Option<Part>,
    /// The same calls on the room in this process: what a handler does once HTTP and the
    /// key are dealt with.
    direct: Part,
}

/// The day and the bookings, over one way in.
struct Part {
    day: Day,
    rush: Bookings,
    capacity: u64,
    booking: Bookings,
}

/// What the day measured.
struct Day {
    /// From the first ticket issued to the last counter's last ticket finished.
    wall_s: f64,
    /// Ticket issue: rate over the time until the last ticket was issued.
    issue: Measured,
    /// Calls that answered a ticket: rate over the time until the last one.
    call: Measured,
    /// Calls that found nobody waiting (204).
    idle: Measured,
    /// The counters' last tickets finished.
    done: Measured,
}

/// What a booking run measured.
struct Bookings {
    /// Successful bookings per second; latencies of every answer.
    m: Measured,
    booked: u64,
    refused: u64,
    sent: u64,
}

/// Runs the rounds on SQLite, then on PostgreSQL when given, and prints the table.
pub async fn run(args: Args) -> anyhow::Result<()> {
    println!(
        "centres: {} centres × {} counters, {} tickets in a day ({} reception clients, {} counters calling; {} ms pause after a call that finds nobody); bookings from {} connections; {} rounds",
        args.centres,
        COUNTERS.len(),
        args.tickets,
        args.reception,
        args.centres * COUNTERS.len(),
        args.idle.as_millis(),
        args.connections,
        args.rounds
    );
    if args.day.is_zero() && args.serve.is_zero() {
        println!("the day is a closed loop: every client asks again the moment it is answered");
    } else {
        // A real day: 9 opening hours (08:00-17:00).
        let scale = 9.0 * 3_600.0 / args.day.as_secs_f64().max(1e-3);
        println!(
            "the day scaled {scale:.0}×: tickets arrive evenly over {:.0} s ({:.0}/s offered; 9 hours of a real centre), and a counter serves each ticket for {} ms before calling the next ({:.1} min in real time)",
            args.day.as_secs_f64(),
            args.tickets as f64 / args.day.as_secs_f64().max(1e-3),
            args.serve.as_millis(),
            args.serve.as_secs_f64() * scale / 60.0,
        );
    }
    let dir = tempfile::tempdir()?;
    let mut reports = Vec::new();
    let mut rounds = Vec::new();
    for r in 0..args.rounds {
        let url = format!("sqlite://{}/centres-{r}.db?mode=rwc", dir.path().display());
        rounds.push(round("SQLite", &url, dir.path(), &args).await?);
        eprintln!("SQLite: round {} done", r + 1);
    }
    reports.push(("SQLite", rounds));
    if let Some(admin) = &args.postgres {
        let mut rounds = Vec::new();
        for r in 0..args.rounds {
            let name = format!("lango_centres_{:016x}", rand::random::<u64>());
            let url = mpesa::create_database(admin, &name).await?;
            let result = round("PostgreSQL", &url, dir.path(), &args).await;
            mpesa::drop_database(admin, &name).await?;
            rounds.push(result?);
            eprintln!("PostgreSQL: round {} done", r + 1);
        }
        reports.push(("PostgreSQL", rounds));
    }
    for (backend, rounds) in &reports {
        print_report(backend, rounds, &args);
    }
    Ok(())
}

/// A way in (HTTP or not) and its part of a round.
type Way = (&'static str, fn(&Round) -> &Part);

/// The median over `rounds` of the measurement `f` picks (errors added up).
fn med(rounds: &[Round], f: impl Fn(&Round) -> &Measured) -> Measured {
    Measured {
        rate: crate::median(rounds.iter().map(|r| f(r).rate).collect()),
        p50_ms: crate::median(rounds.iter().map(|r| f(r).p50_ms).collect()),
        p99_ms: crate::median(rounds.iter().map(|r| f(r).p99_ms).collect()),
        errors: rounds.iter().map(|r| f(r).errors).sum(),
    }
}

fn print_report(backend: &str, rounds: &[Round], args: &Args) {
    let n = rounds.len().max(1) as u64;
    let commits = crate::median(rounds.iter().map(|r| r.commits).collect());
    let h = med(rounds, |r| &r.healthz);
    println!("\n{backend}: medians of {} round(s)", rounds.len());
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>10}",
        "what", "per s", "p50 ms", "p99 ms", "× healthz"
    );
    let line = |what: &str, m: &Measured| {
        println!(
            "{what:<44} {:>9.0} {:>9.2} {:>9.2} {:>10.3}",
            m.rate,
            m.p50_ms,
            m.p99_ms,
            m.rate / h.rate.max(1.0)
        )
    };
    line("/healthz (baseline)", &h);
    let mut ways: Vec<Way> = Vec::new();
    if args.http {
        ways.push(("HTTP", |r| r.http.as_ref().expect("measured over HTTP")));
    }
    ways.push(("no HTTP", |r| &r.direct));
    println!(
        "{:<44} {commits:>9.0} {:>9} {:>9} {:>10.3}",
        "raw one-row commits",
        "-",
        "-",
        commits / h.rate.max(1.0)
    );
    for &(way, part) in &ways {
        line(
            &format!("day, {way}: tickets issued"),
            &med(rounds, |r| &part(r).day.issue),
        );
        line(
            &format!("day, {way}: calls answering a ticket"),
            &med(rounds, |r| &part(r).day.call),
        );
        line(
            &format!("day, {way}: calls finding nobody (204)"),
            &med(rounds, |r| &part(r).day.idle),
        );
        line(
            &format!("day, {way}: done"),
            &med(rounds, |r| &part(r).day.done),
        );
        line(
            &format!("rush, {way}: bookings, exact capacity"),
            &med(rounds, |r| &part(r).rush.m),
        );
        line(
            &format!("bookings, {way}: places free"),
            &med(rounds, |r| &part(r).booking.m),
        );
    }
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    for &(way, part) in &ways {
        let wall = crate::median(rounds.iter().map(|r| part(r).day.wall_s).collect());
        let call = med(rounds, |r| &part(r).day.call);
        let book = med(rounds, |r| &part(r).booking.m);
        let capacity = rounds.first().map_or(0, |r| part(r).capacity);
        let refused = rounds.iter().map(|r| part(r).rush.refused).sum::<u64>() / n;
        let rush_sent = rounds.iter().map(|r| part(r).rush.sent).sum::<u64>() / n;
        let booked = rounds.iter().map(|r| part(r).booking.booked).sum::<u64>() / n;
        let booking_sent = rounds.iter().map(|r| part(r).booking.sent).sum::<u64>() / n;
        println!(
            "{way}: the day: {} tickets issued, called and served once each in {wall:.1} s (target < 60 s: {}); call p99 {:.2} ms (target ≤ 20 ms: {}); calls {:.3}× /healthz, {:.2}× raw commits",
            args.tickets,
            verdict(wall < 60.0),
            call.p99_ms,
            verdict(call.p99_ms <= 20.0),
            call.rate / h.rate.max(1.0),
            call.rate / commits.max(1.0),
        );
        println!(
            "{way}: the rush: {rush_sent} bookings sent for the {capacity} places of {RUSH_SERVICE} at one centre on one day: {capacity} booked, {refused} refused slot_full (the database holds exactly {capacity})"
        );
        println!(
            "{way}: bookings with places free: {booked} of {booking_sent} booked, {:.0}/s (target ≥ 2,000/s: {}), {:.3}× /healthz, {:.2}× raw commits",
            book.rate,
            verdict(book.rate >= 2_000.0),
            book.rate / h.rate.max(1.0),
            book.rate / commits.max(1.0),
        );
    }
}

/// One round on a fresh database `url`: seed, start a server, measure over HTTP, stop it,
/// measure in this process, verify each part.
async fn round(
    backend: &str,
    url: &str,
    data_dir: &std::path::Path,
    args: &Args,
) -> anyhow::Result<Round> {
    let db = Db::connect(url, 4).await?;
    db.migrate(&lango::migrations()).await?;
    sqlx::query("CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)")
        .execute(db.pool())
        .await?;
    lango::demo::load(&db).await?;
    // Centres BC-… are measured over HTTP, BD-… in this process.
    let codes = |prefix: &str| -> Vec<String> {
        (1..=args.centres)
            .map(|i| format!("{prefix}-{i:02}"))
            .collect()
    };
    let (http_codes, direct_codes) = (codes("BC"), codes("BD"));
    for c in [&http_codes, &direct_codes] {
        let loaded = lango_centres::seed::load_csv(&db, centres_csv(c).as_bytes(), "bench").await?;
        anyhow::ensure!(loaded == c.len(), "{loaded} centres loaded");
    }
    let key = Arc::new(centre_key(&db).await?);
    let server = Server::start(Some(url), data_dir, &[]).await?;
    let addr = server.addr.clone();
    let health = Arc::new(vec!["/healthz".to_string()]);
    load::run(
        &addr,
        args.connections,
        Duration::from_secs(1),
        health.clone(),
    )
    .await?;
    let healthz = load::run(&addr, args.connections, args.duration, health).await?;
    let commits = mpesa::raw_commits(&db, args.duration, 0).await?;
    let via = Via::Http {
        addr: addr.clone(),
        key: key.clone(),
    };
    let http = match args.http {
        true => Some(part(backend, "HTTP", 'H', &db, &via, &http_codes, args).await?),
        false => None,
    };
    drop(server);

    // The same in this process, with the server's pool size and a room of its own.
    let pool = Db::connect(url, 16).await?;
    // Checkpointed in the background as the node does: commits rarely pay for one.
    let checkpoint = pool.checkpoint_in_background(Duration::from_millis(200));
    let client = lango_identity::apikey::authenticate(&pool, &key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the bench key does not authenticate"))?;
    let via = Via::Direct {
        centres: lango_centres::Centres::new(pool.clone()),
        actor: Arc::new(Actor::ApiClient(client)),
    };
    let direct = part(backend, "no HTTP", 'D', &db, &via, &direct_codes, args).await?;
    drop(via);
    if let Some(c) = checkpoint {
        c.abort();
    }
    pool.close().await;
    db.close().await;
    Ok(Round {
        healthz,
        commits,
        http,
        direct,
    })
}

/// The day, the rush and the bookings at `codes`, through `via`, each verified.
async fn part(
    backend: &str,
    way: &str,
    tag: char,
    db: &Db,
    via: &Via,
    codes: &[String],
    args: &Args,
) -> anyhow::Result<Part> {
    let (day, answered) = day(via, codes, args)
        .await
        .map_err(|e| e.context(format!("{way}: the day")))?;
    verify_day(db, codes, &answered, args.tickets).await?;
    eprintln!(
        "{backend}, {way}: day of {} tickets in {:.1} s, verified",
        args.tickets, day.wall_s
    );
    let mut desk = Desk::open(via).await?;
    let rush_centre = &codes[0];
    let date = booking_day(&mut desk, rush_centre).await?;
    let slots = desk.slots(rush_centre, RUSH_SERVICE, &date).await?;
    let capacity: u64 = slots.iter().map(|(_, n)| u64::from(*n)).sum();
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let rush_list: Vec<Place> = (0..capacity * 4)
        .map(|_| Place {
            centre: rush_centre.clone(),
            service: RUSH_SERVICE,
            start: slots[rng.gen_range(0..slots.len())].0.clone(),
        })
        .collect();
    let rush = book(via, args.connections, rush_list, &format!("{tag}R"), LIMIT)
        .await
        .map_err(|e| e.context(format!("{way}: the rush")))?;
    verify_rush(db, rush_centre, &date, capacity, &rush).await?;
    let left: u64 = desk
        .slots(rush_centre, RUSH_SERVICE, &date)
        .await?
        .iter()
        .map(|(_, n)| u64::from(*n))
        .sum();
    anyhow::ensure!(left == 0, "{left} places still shown after the rush");

    let places = free_places(&mut desk, &codes[1..], &date).await?;
    let booking = book(
        via,
        args.connections,
        places,
        &format!("{tag}T"),
        args.duration,
    )
    .await
    .map_err(|e| e.context(format!("{way}: the bookings")))?;
    verify_bookings(db, codes, &date, &booking).await?;
    eprintln!(
        "{backend}, {way}: bookings on {date}: rush {} of {} sent for {capacity} places, then {} booked at {:.0}/s; verified",
        rush.booked, rush.sent, booking.booked, booking.m.rate
    );
    Ok(Part {
        day,
        rush,
        capacity,
        booking,
    })
}

/// The centres as a spreadsheet: every centre offers [`SERVICES`] at [`COUNTERS`].
fn centres_csv(codes: &[String]) -> String {
    let services = SERVICES
        .iter()
        .map(|(s, minutes, letter)| format!("{s}:{DAILY_CAP}:{minutes}:{letter}"))
        .collect::<Vec<_>>()
        .join("; ");
    let counters = COUNTERS
        .iter()
        .enumerate()
        .map(|(i, ss)| {
            let names: Vec<&str> = ss.iter().map(|&s| SERVICES[s].0).collect();
            format!("{}:{}", i + 1, names.join("+"))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = lango_centres::csv::COLUMNS.join(",");
    out.push('\n');
    for (i, code) in codes.iter().enumerate() {
        let _ = writeln!(
            out,
            "{code},Bench Centre {n},Kituo cha Majaribio {n},huduma,Nairobi,Bench Street {n},-1.{:06},36.{:06},{OPERATOR},mon-fri 08:00-17:00; sat 09:00-13:00,{services},{counters},appointment; elderly,,open",
            280_000 + i,
            810_000 + i,
            n = i + 1,
        );
    }
    out
}

/// A key of the centres' operator with `queue:write` and `appointments:write`, made by an
/// administrator of that agency.
async fn centre_key(db: &Db) -> anyhow::Result<String> {
    let id = lango_identity::seed::person(
        db,
        &PersonSeed {
            kind: AccountKind::Staff,
            id_number: None,
            given_name: "Bench",
            family_name: "Administrator",
            email: "bench-admin@huduma.example",
            phone: None,
            password: "benchmark password long enough",
            county: "",
        },
    )
    .await?;
    lango_identity::seed::grant(db, &id, Role::AgencyAdmin, Some(OPERATOR), None).await?;
    let actor = Actor::Person(lango_identity::account::actor(db, &id).await?);
    let perms = vec!["queue:write".to_string(), "appointments:write".to_string()];
    let (_, key) =
        lango_identity::apikey::create(db, &actor, OPERATOR, "Bench centre systems", &perms)
            .await?
            .map_err(|p| anyhow::anyhow!("bench key refused: {p:?}"))?;
    Ok(key)
}

/// One keep-alive connection calling the API with the operator's key.
struct Client {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
    auth: String,
}

impl Client {
    async fn connect(addr: &str, key: &str) -> anyhow::Result<Client> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Client {
            sender,
            host: addr.to_string(),
            auth: format!("Bearer {key}"),
        })
    }

    /// Sends a GET (no body) or a POST (a JSON body, or none); the status and the body.
    async fn send(
        &mut self,
        post: bool,
        path: &str,
        json: Option<String>,
    ) -> anyhow::Result<(u16, Bytes)> {
        let builder = if post {
            hyper::Request::post(path)
        } else {
            hyper::Request::get(path)
        }
        .header("host", &self.host)
        .header("authorization", &self.auth);
        let req = match json {
            Some(j) => builder
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(j)))?,
            None => builder.body(Full::new(Bytes::new()))?,
        };
        // A keep-alive connection takes its next request once it has read the last answer.
        self.sender.ready().await?;
        let res = self.sender.send_request(req).await?;
        let status = res.status().as_u16();
        Ok((status, res.into_body().collect().await?.to_bytes()))
    }
}

/// How desks reach the centres.
enum Via {
    /// The API of a server process, with the operator's key.
    Http { addr: String, key: Arc<String> },
    /// The room in this process, as the key's client.
    Direct {
        centres: lango_centres::Centres,
        actor: Arc<Actor>,
    },
}

/// A reception desk, a counter or a booking client: one keep-alive connection, or the room.
enum Desk {
    Http(Client),
    Direct(lango_centres::Centres, Arc<Actor>),
}

/// An answer as the API gives it: its status and, on success, the ticket's number.
struct Answer {
    status: u16,
    number: Option<String>,
    text: String,
}

impl Answer {
    fn of_http(status: u16, body: &[u8]) -> Answer {
        let number = (status == 200 || status == 201)
            .then(|| serde_json::from_slice::<serde_json::Value>(body).ok())
            .flatten()
            .and_then(|v| v["number"].as_str().map(String::from));
        Answer {
            status,
            number,
            text: String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// The status the API answers `r` with (a clash carries its code, as the API's body).
    fn of_direct<T>(
        r: lango_core::Result<T>,
        ok: u16,
        number: impl FnOnce(T) -> Option<String>,
    ) -> Answer {
        use lango_core::Error;
        match r {
            Ok(v) => {
                let number = number(v);
                Answer {
                    status: if number.is_none() && ok == 200 {
                        204
                    } else {
                        ok
                    },
                    number,
                    text: String::new(),
                }
            }
            // A typed refusal answers as the plain error it stands for, as in the API.
            Err(e) => {
                let e = e.plain();
                Answer {
                    status: match &e {
                        Error::Clash { .. } | Error::Conflict(_) => 409,
                        Error::Invalid { .. } => 400,
                        Error::NotFound(_) => 404,
                        Error::Forbidden(_) => 403,
                        _ => 500,
                    },
                    text: match &e {
                        Error::Clash { code, .. } => format!("{code}: {e}"),
                        _ => e.to_string(),
                    },
                    number: None,
                }
            }
        }
    }
}

impl Desk {
    async fn open(via: &Via) -> anyhow::Result<Desk> {
        Ok(match via {
            Via::Http { addr, key } => Desk::Http(Client::connect(addr, key).await?),
            Via::Direct { centres, actor } => Desk::Direct(centres.clone(), actor.clone()),
        })
    }

    /// Issues a walk-in ticket for `service` at `centre` (201).
    async fn issue(&mut self, centre: &str, service: &str) -> anyhow::Result<Answer> {
        Ok(match self {
            Desk::Http(client) => {
                let body = serde_json::json!({"service": service, "phone": null}).to_string();
                let path = format!("/api/v1/centres/{centre}/tickets");
                let (status, text) = client.send(true, &path, Some(body)).await?;
                Answer::of_http(status, &text)
            }
            Desk::Direct(centres, actor) => {
                let issue = lango_centres::queue::Issue {
                    service: service.into(),
                    lane: None,
                    appointment: None,
                    phone: None,
                    channel: "api".into(),
                };
                let r = match centres.get(centre).await {
                    Ok(c) => centres.issue(actor, &c, issue).await,
                    Err(e) => Err(e),
                };
                Answer::of_direct(r, 201, |t| Some(t.number))
            }
        })
    }

    /// Calls the next ticket at `counter` of `centre` (200 with its number, 204 for none).
    async fn call(&mut self, centre: &str, counter: usize) -> anyhow::Result<Answer> {
        Ok(match self {
            Desk::Http(client) => {
                let path = format!("/api/v1/centres/{centre}/counters/{counter}/call");
                let (status, text) = client.send(true, &path, None).await?;
                Answer::of_http(status, &text)
            }
            Desk::Direct(centres, actor) => {
                let r = match centres.get(centre).await {
                    Ok(c) => centres.call(actor, &c, &counter.to_string()).await,
                    Err(e) => Err(e),
                };
                Answer::of_direct(r, 200, |t| t.map(|t| t.number))
            }
        })
    }

    /// Finishes ticket `number` at `centre` (200).
    async fn done(&mut self, centre: &str, number: &str) -> anyhow::Result<Answer> {
        Ok(match self {
            Desk::Http(client) => {
                let path = format!("/api/v1/centres/{centre}/tickets/{number}/done");
                let (status, text) = client.send(true, &path, None).await?;
                Answer::of_http(status, &text)
            }
            Desk::Direct(centres, actor) => {
                let r = match centres.get(centre).await {
                    Ok(c) => {
                        centres
                            .act(actor, &c, number, lango_centres::queue::Act::Done, None)
                            .await
                    }
                    Err(e) => Err(e),
                };
                Answer::of_direct(r, 200, |t| Some(t.number))
            }
        })
    }

    /// Books `place` for ID number `id_number` (201; 409 `slot_full`).
    async fn book(&mut self, place: &Place, id_number: &str) -> anyhow::Result<Answer> {
        const NAME: &str = "Bench Person";
        const PHONE: &str = "0712345678";
        Ok(match self {
            Desk::Http(client) => {
                let body = serde_json::json!({
                    "centre": place.centre, "service": place.service, "start": place.start,
                    "name": NAME, "phone": PHONE, "id_number": id_number,
                });
                let (status, text) = client
                    .send(true, "/api/v1/appointments", Some(body.to_string()))
                    .await?;
                Answer::of_http(status, &text)
            }
            Desk::Direct(centres, actor) => {
                let start_ms = calendar::parse_rfc3339(&place.start)
                    .ok_or_else(|| anyhow::anyhow!("a slot's start does not read"))?;
                let booking = lango_centres::appointments::Booking {
                    centre: place.centre.clone(),
                    service: place.service.into(),
                    start_ms,
                    name: NAME.into(),
                    phone: PHONE.into(),
                    id_number: id_number.into(),
                    account_id: None,
                    channel: lango_centres::appointments::Channel::Api,
                    language: "en".into(),
                };
                Answer::of_direct(centres.book(actor, &booking).await, 201, |_| None)
            }
        })
    }

    /// The slots of `service` at `centre` on `date`: start (RFC 3339) and places left.
    async fn slots(
        &mut self,
        centre: &str,
        service: &str,
        date: &str,
    ) -> anyhow::Result<Vec<(String, u32)>> {
        match self {
            Desk::Http(client) => {
                let path = format!("/api/v1/centres/{centre}/slots?service={service}&date={date}");
                let (status, body) = client.send(false, &path, None).await?;
                anyhow::ensure!(status == 200, "slots answered {status}");
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                let items = v["items"]
                    .as_array()
                    .ok_or_else(|| anyhow::anyhow!("slots without items"))?;
                items
                    .iter()
                    .map(|s| {
                        Ok((
                            s["start"]
                                .as_str()
                                .ok_or_else(|| anyhow::anyhow!("a slot without a start"))?
                                .to_string(),
                            s["available"].as_u64().unwrap_or(0) as u32,
                        ))
                    })
                    .collect()
            }
            Desk::Direct(centres, _) => {
                let c = centres.get(centre).await?;
                Ok(centres
                    .slots(&c, service, date)
                    .await?
                    .into_iter()
                    .map(|s| (calendar::local_rfc3339(s.start_ms), s.available))
                    .collect())
            }
        }
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram")
}

/// Records the time since `t` in microseconds.
fn record(h: &mut Histogram<u64>, t: Instant) {
    let _ = h.record(t.elapsed().as_micros().max(1) as u64);
}

fn measured(h: &Histogram<u64>, count: u64, seconds: f64, errors: u64) -> Measured {
    Measured {
        rate: count as f64 / seconds.max(1e-9),
        p50_ms: h.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: h.value_at_quantile(0.99) as f64 / 1000.0,
        errors,
    }
}

/// A ticket a counter was answered: centre index, number, counter.
type Answered = (usize, String, usize);

/// What one counter did.
struct CounterRun {
    answered: Vec<Answered>,
    calls: Histogram<u64>,
    idle: Histogram<u64>,
    done: Histogram<u64>,
    errors: u64,
    last_call_s: f64,
}

/// The day: reception issues every ticket while every counter calls, until all are served.
async fn day(via: &Via, codes: &[String], args: &Args) -> anyhow::Result<(Day, Vec<Answered>)> {
    let n = codes.len();
    // Ticket i is for centre i % n; its service is drawn in proportion to the counters that
    // serve it, so that every line moves at about the same pace.
    let weights: Vec<usize> = (0..SERVICES.len())
        .map(|s| COUNTERS.iter().filter(|k| k.contains(&s)).count())
        .collect();
    let total: usize = weights.iter().sum();
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let plan: Arc<Vec<u8>> = Arc::new(
        (0..args.tickets)
            .map(|_| {
                let mut x = rng.gen_range(0..total);
                let mut s = 0;
                while x >= weights[s] {
                    x -= weights[s];
                    s += 1;
                }
                s as u8
            })
            .collect(),
    );
    let due: Arc<Vec<usize>> = Arc::new(
        (0..n)
            .map(|c| (args.tickets + n - 1 - c) / n)
            .collect::<Vec<_>>(),
    );
    // Tickets of each centre answered (201 or not): when all are, reception is closed.
    let issued: Arc<Vec<AtomicUsize>> = Arc::new((0..n).map(|_| AtomicUsize::new(0)).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let codes = Arc::new(codes.to_vec());
    // Seconds between two people arriving (zero: reception issues as fast as it can).
    let pace = args.day.as_secs_f64() / args.tickets.max(1) as f64;
    let mut desks = Vec::new();
    for _ in 0..args.reception + n * COUNTERS.len() {
        desks.push(Desk::open(via).await?);
    }
    let start = Instant::now();

    let mut reception = Vec::new();
    for _ in 0..args.reception {
        let (plan, issued, next, codes) =
            (plan.clone(), issued.clone(), next.clone(), codes.clone());
        let mut desk = desks.pop().expect("a desk each");
        reception.push(tokio::spawn(async move {
            let mut h = histogram();
            let (mut errors, mut last) = (0u64, 0.0f64);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= plan.len() {
                    break;
                }
                let c = i % codes.len();
                if pace > 0.0 {
                    // The person arrives at their time; a desk that is behind issues at once.
                    let due = start + Duration::from_secs_f64(i as f64 * pace);
                    tokio::time::sleep_until(due.into()).await;
                }
                let t = Instant::now();
                let a = desk.issue(&codes[c], SERVICES[plan[i] as usize].0).await?;
                record(&mut h, t);
                if a.status != 201 {
                    if errors == 0 {
                        eprintln!("issue answered {}: {}", a.status, a.text);
                    }
                    errors += 1;
                }
                issued[c].fetch_add(1, Ordering::Release);
                last = start.elapsed().as_secs_f64();
            }
            anyhow::Ok((h, errors, last))
        }));
    }

    let mut counters = Vec::new();
    for c in 0..n {
        for k in 1..=COUNTERS.len() {
            let (issued, due, codes) = (issued.clone(), due.clone(), codes.clone());
            let mut desk = desks.pop().expect("a desk each");
            let (idle_pause, serve) = (args.idle, args.serve);
            // Each counter's own draws: 400 counters pausing for the same time would call
            // in lockstep, bursts no hall makes.
            let mut rng = rand::rngs::StdRng::seed_from_u64((c * COUNTERS.len() + k) as u64);
            counters.push(tokio::spawn(async move {
                let mut run = CounterRun {
                    answered: Vec::new(),
                    calls: histogram(),
                    idle: histogram(),
                    done: histogram(),
                    errors: 0,
                    last_call_s: 0.0,
                };
                let mut last: Option<String> = None;
                // Each counter opens at its own moment of the first pause, for the same
                // reason: 400 first calls in one millisecond are a burst no hall makes.
                tokio::time::sleep(idle_pause.mul_f64(rng.gen_range(0.0..1.0))).await;
                loop {
                    anyhow::ensure!(start.elapsed() < LIMIT, "the day did not end");
                    // Reception closed before this call: nobody waiting means nobody will.
                    let closed = issued[c].load(Ordering::Acquire) >= due[c];
                    // From then on the counter finishes each ticket with "done" before it
                    // calls again, so its last ticket is finished by "done" (a call
                    // finishes the counter's ticket even when it finds nobody waiting).
                    if let Some(number) = last.take().filter(|_| closed) {
                        let t = Instant::now();
                        let a = desk.done(&codes[c], &number).await?;
                        record(&mut run.done, t);
                        if a.status != 200 {
                            eprintln!("done answered {}: {}", a.status, a.text);
                            run.errors += 1;
                        }
                    }
                    let t = Instant::now();
                    let a = desk.call(&codes[c], k).await?;
                    match (a.status, a.number) {
                        (200, Some(number)) => {
                            record(&mut run.calls, t);
                            run.last_call_s = start.elapsed().as_secs_f64();
                            run.answered.push((c, number.clone(), k));
                            last = Some(number);
                            if !serve.is_zero() {
                                // Serving the person (scaled: from half to one and a half
                                // times the mean); the next call or "done" finishes it.
                                tokio::time::sleep(serve.mul_f64(rng.gen_range(0.5..1.5))).await;
                            }
                        }
                        (204, _) => {
                            record(&mut run.idle, t);
                            if closed {
                                break;
                            }
                            tokio::time::sleep(idle_pause.mul_f64(rng.gen_range(0.5..1.5))).await;
                        }
                        (status, _) => {
                            if run.errors == 0 {
                                eprintln!("call answered {status}: {}", a.text);
                            }
                            run.errors += 1;
                            anyhow::ensure!(run.errors < 100, "calls keep failing");
                            tokio::time::sleep(idle_pause.mul_f64(rng.gen_range(0.5..1.5))).await;
                        }
                    }
                }
                anyhow::Ok(run)
            }));
        }
    }

    let mut issue_h = histogram();
    let (mut issue_errors, mut issue_s) = (0, 0.0f64);
    for t in reception {
        let (h, e, last) = t.await??;
        issue_h.add(h)?;
        issue_errors += e;
        issue_s = issue_s.max(last);
    }
    let (mut calls, mut idle, mut done) = (histogram(), histogram(), histogram());
    let (mut errors, mut last_call) = (0, 0.0f64);
    let mut answered = Vec::with_capacity(args.tickets);
    for t in counters {
        let run = t.await??;
        calls.add(&run.calls)?;
        idle.add(&run.idle)?;
        done.add(&run.done)?;
        errors += run.errors;
        last_call = last_call.max(run.last_call_s);
        answered.extend(run.answered);
    }
    let wall_s = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        issue_errors == 0 && errors == 0,
        "{issue_errors} issues and {errors} calls failed"
    );
    let day = Day {
        wall_s,
        issue: measured(&issue_h, issue_h.len(), issue_s, issue_errors),
        call: measured(&calls, calls.len(), last_call, errors),
        idle: measured(&idle, idle.len(), wall_s, 0),
        done: measured(&done, done.len(), wall_s, 0),
    };
    Ok((day, answered))
}

/// Every ticket of `codes` is in the database once, served, at the counter that was
/// answered it; no two counters were answered the same ticket.
async fn verify_day(
    db: &Db,
    codes: &[String],
    answered: &[Answered],
    tickets: usize,
) -> anyhow::Result<()> {
    let like = format!("{}%", &codes[0][..3]);
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN status = 'served' AND finished_at IS NOT NULL AND called_at IS NOT NULL THEN 1 ELSE 0 END) AS served, \
         COUNT(DISTINCT centre || ' ' || day || ' ' || number) AS distinct_numbers FROM tickets WHERE centre LIKE $1",
    )
    .bind(&like)
    .fetch_one(db.pool())
    .await?;
    let (n, served, distinct): (i64, Option<i64>, i64) = (
        row.try_get("n")?,
        row.try_get("served")?,
        row.try_get("distinct_numbers")?,
    );
    anyhow::ensure!(
        n as usize == tickets && distinct == n && served.unwrap_or(0) as usize == tickets,
        "{n} tickets stored ({distinct} distinct numbers), {served:?} served; {tickets} issued"
    );
    let mut seen = HashSet::with_capacity(answered.len());
    for (c, number, _) in answered {
        anyhow::ensure!(
            seen.insert((*c, number.as_str())),
            "ticket {number} at {} was answered twice",
            codes[*c]
        );
    }
    anyhow::ensure!(
        answered.len() == tickets,
        "{} calls answered a ticket; {tickets} issued",
        answered.len()
    );
    let index: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let stored: HashMap<(usize, String), String> =
        sqlx::query("SELECT centre, number, counter FROM tickets WHERE centre LIKE $1")
            .bind(&like)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| {
                let centre: String = r.try_get("centre")?;
                let counter: Option<String> = r.try_get("counter")?;
                Ok((
                    (
                        index.get(centre.as_str()).copied().unwrap_or(usize::MAX),
                        r.try_get("number")?,
                    ),
                    counter.unwrap_or_default(),
                ))
            })
            .collect::<anyhow::Result<_>>()?;
    for (c, number, k) in answered {
        let at = stored
            .get(&(*c, number.clone()))
            .ok_or_else(|| anyhow::anyhow!("ticket {number} at {} is not stored", codes[*c]))?;
        anyhow::ensure!(
            *at == k.to_string(),
            "ticket {number} at {} was answered to counter {k} but stored at {at}",
            codes[*c]
        );
    }
    Ok(())
}

/// The first weekday from the day after tomorrow on that `centre` opens (it shows slots; a
/// holiday or closure shows none). Tomorrow is left out: the node's chores send tomorrow's
/// reminders, a write load of their own.
async fn booking_day(desk: &mut Desk, centre: &str) -> anyhow::Result<String> {
    let today = calendar::today();
    for n in 2..lango_centres::appointments::BOOKING_DAYS {
        let date = calendar::add_days(&today, n);
        if calendar::weekday(&date) >= 5 {
            continue;
        }
        if !desk.slots(centre, RUSH_SERVICE, &date).await?.is_empty() {
            return Ok(date);
        }
    }
    anyhow::bail!("no open weekday in the booking window")
}

/// A booking to send.
struct Place {
    centre: String,
    service: &'static str,
    start: String,
}

/// Every free place of every service at `centres` on `date`, each once, taken in turn
/// from each centre and service so that neighbouring requests go to different slots.
async fn free_places(
    desk: &mut Desk,
    centres: &[String],
    date: &str,
) -> anyhow::Result<Vec<Place>> {
    let mut lists = Vec::new();
    for c in centres {
        for (service, _, _) in SERVICES {
            let mut list = Vec::new();
            for (start, n) in desk.slots(c, service, date).await? {
                for _ in 0..n {
                    list.push(Place {
                        centre: c.clone(),
                        service,
                        start: start.clone(),
                    });
                }
            }
            lists.push(list.into_iter());
        }
    }
    let mut out = Vec::new();
    loop {
        let before = out.len();
        for l in lists.iter_mut() {
            out.extend(l.next());
        }
        if out.len() == before {
            return Ok(out);
        }
    }
}

/// Books `places` from `connections` desks, each booking with its own ID number (`tag` and
/// its index; ID numbers are one a service and day at any centre), until they are all sent or `limit` has passed.
async fn book(
    via: &Via,
    connections: usize,
    places: Vec<Place>,
    tag: &str,
    limit: Duration,
) -> anyhow::Result<Bookings> {
    let places = Arc::new(places);
    let next = Arc::new(AtomicUsize::new(0));
    let mut desks = Vec::new();
    for _ in 0..connections {
        desks.push(Desk::open(via).await?);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mut desk in desks {
        let (places, next, tag) = (places.clone(), next.clone(), tag.to_string());
        tasks.push(tokio::spawn(async move {
            let mut h = histogram();
            let (mut booked, mut refused, mut errors) = (0u64, 0u64, 0u64);
            while start.elapsed() < limit {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = places.get(i) else { break };
                let t = Instant::now();
                let a = desk.book(p, &format!("{tag}{i:08}")).await?;
                record(&mut h, t);
                match a.status {
                    201 => booked += 1,
                    409 if a.text.contains(lango_centres::appointments::SLOT_FULL) => refused += 1,
                    status => {
                        if errors == 0 {
                            eprintln!("booking answered {status}: {}", a.text);
                        }
                        errors += 1;
                    }
                }
            }
            anyhow::Ok((h, booked, refused, errors))
        }));
    }
    let mut all = histogram();
    let (mut booked, mut refused, mut errors) = (0, 0, 0);
    for t in tasks {
        let (h, b, r, e) = t.await??;
        all.add(h)?;
        booked += b;
        refused += r;
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    anyhow::ensure!(errors == 0, "{errors} bookings failed");
    Ok(Bookings {
        m: measured(&all, booked, elapsed, errors),
        booked,
        refused,
        sent: all.len(),
    })
}

/// The rush booked exactly the places: in the database, as answered, and no slot over its
/// capacity or out of step with its appointments.
async fn verify_rush(
    db: &Db,
    centre: &str,
    date: &str,
    capacity: u64,
    rush: &Bookings,
) -> anyhow::Result<()> {
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointments WHERE centre = $1 AND service = $2 AND day = $3 AND status = 'booked'",
    )
    .bind(centre)
    .bind(RUSH_SERVICE)
    .bind(date)
    .fetch_one(db.pool())
    .await?;
    anyhow::ensure!(
        stored as u64 == capacity && rush.booked == capacity,
        "rush: {capacity} places, {} answered booked, {stored} stored",
        rush.booked
    );
    anyhow::ensure!(
        rush.booked + rush.refused == rush.sent,
        "rush: answers other than booked or slot_full"
    );
    slots_consistent(db).await
}

/// No slot is booked past its capacity, and each slot's count is its appointments'.
async fn slots_consistent(db: &Db) -> anyhow::Result<()> {
    let over: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM appointment_slots WHERE booked > capacity")
            .fetch_one(db.pool())
            .await?;
    let off: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointment_slots s WHERE s.booked <> (SELECT COUNT(*) FROM appointments a \
         WHERE a.centre = s.centre AND a.service = s.service AND a.start_ms = s.start_ms AND a.status = 'booked')",
    )
    .fetch_one(db.pool())
    .await?;
    anyhow::ensure!(
        over == 0 && off == 0,
        "{over} slots over capacity, {off} out of step"
    );
    Ok(())
}

/// Every booking answered 201 at `codes` other than the rush centre is stored, and nothing
/// else.
async fn verify_bookings(
    db: &Db,
    codes: &[String],
    date: &str,
    b: &Bookings,
) -> anyhow::Result<()> {
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointments WHERE centre <> $1 AND centre LIKE $2 AND day = $3 AND status = 'booked'",
    )
    .bind(&codes[0])
    .bind(format!("{}%", &codes[0][..3]))
    .bind(date)
    .fetch_one(db.pool())
    .await?;
    anyhow::ensure!(
        stored as u64 == b.booked,
        "{} bookings answered booked, {stored} stored",
        b.booked
    );
    slots_consistent(db).await
}
