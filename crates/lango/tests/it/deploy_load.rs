//! The mixed load of the deployment test, sent through the load balancer as people and
//! agencies send it: catalogue searches, sign-ins, bills raised by an agency system,
//! M-Pesa confirmations and application submissions. Each request is tallied; when one
//! fails it is sent again as its documented retry semantics allow (every kind here may be
//! retried: reads, a new sign-in, a bill with its Idempotency-Key, a confirmation with its
//! TransID, a submission whose repeat answers "already submitted").

use crate::mpesa_crash::Confirmation;
use crate::sign_in_with_lango::cookies_of;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The kinds of request, in the tally's order.
pub(crate) const KINDS: [&str; 5] = ["search", "sign-in", "bill", "confirmation", "submission"];
const SEARCH: usize = 0;
const SIGN_IN: usize = 1;
const BILL: usize = 2;
const CONFIRMATION: usize = 3;
const SUBMISSION: usize = 4;

/// Requests answered as expected and requests that failed, per kind.
#[derive(Default)]
pub(crate) struct Tally {
    ok: [AtomicU64; 5],
    failed: [AtomicU64; 5],
    examples: Mutex<Vec<String>>,
}

impl Tally {
    fn ok(&self, kind: usize) {
        self.ok[kind].fetch_add(1, Ordering::Relaxed);
    }

    fn failed(&self, kind: usize, what: String) {
        self.failed[kind].fetch_add(1, Ordering::Relaxed);
        let mut examples = self.examples.lock().unwrap();
        if examples.len() < 10 {
            examples.push(format!("{}: {what}", KINDS[kind]));
        }
    }

    /// Failed requests of every kind.
    pub(crate) fn failures(&self) -> u64 {
        self.failed.iter().map(|f| f.load(Ordering::Relaxed)).sum()
    }

    /// Successful requests of `kind`.
    pub(crate) fn succeeded(&self, kind: &str) -> u64 {
        let i = KINDS.iter().position(|k| *k == kind).expect("a kind");
        self.ok[i].load(Ordering::Relaxed)
    }

    /// One line per kind: answered, failed, and the rate over `elapsed`; then examples.
    pub(crate) fn report(&self, elapsed: Duration) -> String {
        let mut out = String::new();
        for (i, kind) in KINDS.iter().enumerate() {
            let ok = self.ok[i].load(Ordering::Relaxed);
            out.push_str(&format!(
                "{kind:>12}: {ok:>6} ok, {:>3} failed, {:>6.1}/s\n",
                self.failed[i].load(Ordering::Relaxed),
                ok as f64 / elapsed.as_secs_f64()
            ));
        }
        for e in self.examples.lock().unwrap().iter() {
            out.push_str(&format!("  e.g. {e}\n"));
        }
        out
    }
}

/// What the load works on, made before it starts.
pub(crate) struct Work {
    /// Where requests go, `http://host:port`: the load balancer, or nodes (worker by worker).
    pub targets: Vec<String>,
    /// An agency system's key with `bills:write`.
    pub key: String,
    /// Citizens who sign in: (e-mail, password).
    pub people: Vec<(String, String)>,
    /// Signed-in citizens' sessions: (session token, CSRF token).
    pub sessions: Vec<(String, String)>,
    /// Complete drafts ready to submit: (reference, index into `sessions`).
    pub drafts: Vec<(String, usize)>,
    /// The M-Pesa confirmations to deliver, every one until acknowledged.
    pub confirmations: Vec<Confirmation>,
}

/// A running load; [`Load::finish`] stops it and waits for every confirmation.
pub(crate) struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The tally so far.
    pub tally: Arc<Tally>,
    started: Instant,
}

/// What a finished load did.
pub(crate) struct Outcome {
    /// The tally, per kind, with rates.
    pub report: String,
    /// Bills acknowledged (one per Idempotency-Key).
    pub bills: usize,
    /// Submissions acknowledged.
    pub submitted: usize,
}

/// The session cookie's name.
const COOKIE: &str = "__Host-lango_session";

/// Starts the load against `work.targets`.
pub(crate) fn start(work: Arc<Work>) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    let next_confirmation = Arc::new(AtomicUsize::new(0));
    let next_draft = Arc::new(AtomicUsize::new(0));
    let next_bill = Arc::new(AtomicUsize::new(0));
    for worker in 0..12 {
        let (work, stop, tally, client) =
            (work.clone(), stop.clone(), tally.clone(), client.clone());
        let (nc, nd, nb) = (
            next_confirmation.clone(),
            next_draft.clone(),
            next_bill.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let w = Worker {
                work: &work,
                tally: &tally,
                client: &client,
                base: &work.targets[worker % work.targets.len()],
            };
            match worker {
                0..=2 => {
                    while !stop.load(Ordering::Relaxed) {
                        w.search(worker).await;
                    }
                }
                3 => {
                    while !stop.load(Ordering::Relaxed) {
                        w.sign_in(worker).await;
                        tokio::time::sleep(Duration::from_millis(1500)).await;
                    }
                }
                4 | 5 => {
                    while !stop.load(Ordering::Relaxed) {
                        w.bill(nb.fetch_add(1, Ordering::Relaxed)).await;
                    }
                }
                6 | 7 => {
                    while !stop.load(Ordering::Relaxed) {
                        let i = nd.fetch_add(1, Ordering::Relaxed);
                        let Some((reference, who)) = work.drafts.get(i) else {
                            break;
                        };
                        w.submit(reference, *who).await;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
                // Confirmations run to the end of the stream, paced while the rest runs.
                _ => loop {
                    let i = nc.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = work.confirmations.get(i) else {
                        break;
                    };
                    w.confirm(c).await;
                    if !stop.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(15)).await;
                    }
                },
            }
        }));
    }
    Load {
        stop,
        tasks,
        tally,
        started: Instant::now(),
    }
}

impl Load {
    /// Stops the load (confirmations go on to the end of their stream) and waits for it.
    pub(crate) async fn finish(self) -> Outcome {
        self.stop.store(true, Ordering::Relaxed);
        let elapsed = self.started.elapsed();
        for t in self.tasks {
            t.await.unwrap();
        }
        Outcome {
            report: self.tally.report(elapsed),
            // Each acknowledged once in the tally: one bill per key, one submission a draft.
            bills: self.tally.ok[BILL].load(Ordering::Relaxed) as usize,
            submitted: self.tally.ok[SUBMISSION].load(Ordering::Relaxed) as usize,
        }
    }

    /// Waits until `n` more confirmations than now have been acknowledged.
    pub(crate) async fn until_more_confirmed(&self, n: u64) {
        let target = self.tally.succeeded("confirmation") + n;
        let start = Instant::now();
        while self.tally.succeeded("confirmation") < target {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "the load stalled"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// One worker's view.
struct Worker<'a> {
    work: &'a Work,
    base: &'a str,
    tally: &'a Tally,
    client: &'a reqwest::Client,
}

/// A response's status and body, or the transport error.
type Answer = Result<(u16, String), String>;

async fn read(res: Result<reqwest::Response, reqwest::Error>) -> Answer {
    let res = res.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    Ok((status, res.text().await.map_err(|e| e.to_string())?))
}

impl Worker<'_> {
    /// Sends until `accept` takes the answer, tallying each failure and the success.
    async fn until<F, Fut>(&self, kind: usize, send: F, accept: impl Fn(u16, &str) -> bool)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Answer>,
    {
        let start = Instant::now();
        loop {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "{} never answered",
                KINDS[kind]
            );
            match send().await {
                Ok((status, body)) if accept(status, &body) => {
                    self.tally.ok(kind);
                    return;
                }
                Ok((status, body)) => self.tally.failed(
                    kind,
                    format!("{status} {}", body.chars().take(120).collect::<String>()),
                ),
                Err(e) => self.tally.failed(kind, e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn search(&self, n: usize) {
        let q = ["passport", "birth", "business", "driving"][n % 4];
        let url = format!("{}/api/v1/services?q={q}&per_page=5", self.base);
        self.until(
            SEARCH,
            || read_get(self.client, &url),
            |s, b| s == 200 && b.contains("\"items\""),
        )
        .await;
    }

    async fn sign_in(&self, n: usize) {
        let (email, password) = &self.work.people[n % self.work.people.len()];
        let lb = &self.base;
        self.until(
            SIGN_IN,
            || async move {
                // The form first, for its token and the cookie that goes with it.
                let form = self
                    .client
                    .get(format!("{lb}/signin"))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let cookies = cookies_of(&form);
                let html = form.text().await.map_err(|e| e.to_string())?;
                let csrf = html
                    .split("name=\"csrf\" value=\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or("");
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([
                        ("csrf", csrf),
                        ("identifier", email),
                        ("password", password),
                        ("next", "/account"),
                    ])
                    .finish();
                let res = self
                    .client
                    .post(format!("{lb}/signin"))
                    .header("cookie", cookies)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await;
                read(res)
                    .await
                    .map(|(s, b)| (s, if s == 303 { "signed in".into() } else { b }))
            },
            |s, _| s == 303,
        )
        .await;
    }

    /// Raises bill `n` with its own Idempotency-Key.
    async fn bill(&self, n: usize) {
        let key = format!("load-{n}");
        let body = serde_json::json!({
            "service_code": "DIS-PASSPORT", "amount": format!("{}.00", 1000 + n),
            "currency": "KES", "agency_reference": format!("LOAD-{n}"),
        });
        let url = format!("{}/api/v1/bills", self.base);
        self.until(
            BILL,
            || {
                let req = self
                    .client
                    .post(&url)
                    .bearer_auth(&self.work.key)
                    .header("idempotency-key", &key)
                    .json(&body)
                    .send();
                async move { read(req.await).await }
            },
            |s, _| s == 201,
        )
        .await;
    }

    async fn confirm(&self, c: &Confirmation) {
        let url = format!("{}/channels/mpesa/c2b/confirmation", self.base);
        self.until(
            CONFIRMATION,
            || {
                let req = self
                    .client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(c.body.clone())
                    .send();
                async move { read(req.await).await }
            },
            |s, b| s == 200 && b.contains("\"ResultCode\":0"),
        )
        .await;
    }

    /// Submits a draft; a repeat that finds it submitted ("already submitted", 409) is done.
    async fn submit(&self, reference: &str, who: usize) {
        let (token, csrf) = &self.work.sessions[who];
        let url = format!("{}/applications/{reference}/submit", self.base);
        let body = format!("csrf={csrf}&declaration=yes");
        self.until(
            SUBMISSION,
            || {
                let req = self
                    .client
                    .post(&url)
                    .header("cookie", format!("{COOKIE}={token}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send();
                async move { read(req.await).await }
            },
            |s, _| s == 303 || s == 409,
        )
        .await;
    }
}

async fn read_get(client: &reqwest::Client, url: &str) -> Answer {
    read(client.get(url).send().await).await
}
