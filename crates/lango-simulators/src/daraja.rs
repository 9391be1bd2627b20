//! The Daraja simulator: Safaricom's M-Pesa API as Lango meets it, for the demo and tests.
//!
//! A real HTTP server on loopback speaking Daraja's wire format: OAuth (tokens that expire),
//! C2B URL registration and payments (validation, then a confirmation retried until Lango
//! acknowledges it), M-Pesa Express (STK push, its callback after a delay, its status query),
//! Pull Transactions and the organisation portal's statement. Every completed payment lands
//! in the simulator's own ledger, which is what the statement and Pull return: it plays
//! M-Pesa's books, against which Lango reconciles.
//!
//! STK outcomes are chosen by the payer's phone number, as Safaricom's test numbers would:
//! `254700001032` cancels (1032), `254700001037` is unreachable (1037), `254700002001` enters
//! a wrong PIN (2001), `254700000001` has too little money (1), `254700001019` lets the
//! prompt expire (1019), `254700000404` pays but the callback is lost (only the status query
//! and reconciliation learn of it); any other number pays.
//!
//! Control endpoints that Daraja does not have live under `/simulator/` (see [`c2b`] and
//! [`books`]).

mod books;
mod c2b;
mod stk;
mod time;

pub use books::{Kind, Transaction};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where it listens (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The paybill it serves.
    pub shortcode: String,
    /// The app's consumer key.
    pub consumer_key: String,
    /// The app's consumer secret.
    pub consumer_secret: String,
    /// The Lipa na M-Pesa Online passkey.
    pub passkey: String,
    /// How long a token lives (Daraja: 3599 s).
    pub token_lifetime: Duration,
    /// How long the payer takes to answer an STK prompt before the callback is sent.
    pub stk_delay: Duration,
    /// The paybill's owner as statements and Pull name it.
    pub organization_name: String,
    /// Ask the registered validation URL before completing a C2B payment.
    pub external_validation: bool,
    /// How long M-Pesa waits for a validation answer.
    pub validation_timeout: Duration,
    /// First wait before a confirmation is sent again (doubling each time).
    pub confirmation_backoff: Duration,
    /// Longest wait between confirmation attempts.
    pub confirmation_backoff_cap: Duration,
    /// Confirmation attempts before M-Pesa gives up.
    pub confirmation_attempts: u32,
    /// Rows per Pull Transactions page (Daraja: 1000).
    pub pull_page_size: usize,
}

impl Default for Settings {
    /// The demo's simulator: paybill 222222, a two-second STK prompt.
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            shortcode: "222222".into(),
            consumer_key: "lango-demo-consumer-key".into(),
            consumer_secret: "lango-demo-consumer-secret".into(),
            passkey: "d3m0c2b8e1f04a7b9c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b".into(),
            token_lifetime: Duration::from_secs(3599),
            stk_delay: Duration::from_secs(2),
            organization_name: "Lango Payments".into(),
            external_validation: true,
            validation_timeout: Duration::from_secs(8),
            confirmation_backoff: Duration::from_millis(500),
            confirmation_backoff_cap: Duration::from_secs(30),
            confirmation_attempts: 12,
            pull_page_size: 1000,
        }
    }
}

/// What the simulator has done, for tests to read.
#[derive(Debug, Default)]
pub struct Counters {
    /// OAuth tokens issued.
    pub tokens_issued: AtomicU64,
    /// Calls refused for a missing, unknown or expired token.
    pub unauthorized: AtomicU64,
    /// STK pushes accepted.
    pub stk_pushes: AtomicU64,
    /// STK callbacks posted.
    pub stk_callbacks: AtomicU64,
    /// STK status queries answered.
    pub stk_queries: AtomicU64,
    /// C2B validation requests sent.
    pub validations: AtomicU64,
    /// C2B confirmation attempts sent.
    pub confirmations_sent: AtomicU64,
    /// C2B confirmations acknowledged.
    pub confirmations_acknowledged: AtomicU64,
}

/// The simulator's state, shared by its handlers.
pub(crate) struct Sim {
    settings: Settings,
    http: reqwest::Client,
    tokens: Mutex<HashMap<String, Instant>>,
    counters: Counters,
    c2b_urls: Mutex<Option<c2b::Urls>>,
    books: Mutex<books::Books>,
    stk: Mutex<HashMap<String, stk::Prompt>>,
}

/// A running Daraja simulator; stops when dropped.
pub struct DarajaSimulator {
    base_url: String,
    sim: Arc<Sim>,
    server: tokio::task::JoinHandle<()>,
}

/// Starts a simulator with `settings`.
pub async fn start(settings: Settings) -> anyhow::Result<DarajaSimulator> {
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let sim = Arc::new(Sim {
        settings,
        http,
        tokens: Mutex::new(HashMap::new()),
        counters: Counters::default(),
        c2b_urls: Mutex::new(None),
        books: Mutex::new(books::Books::default()),
        stk: Mutex::new(HashMap::new()),
    });
    let app = router(sim.clone());
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "Daraja simulator stopped");
        }
    });
    tracing::info!(%base_url, "Daraja simulator listening");
    Ok(DarajaSimulator {
        base_url,
        sim,
        server,
    })
}

impl DarajaSimulator {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The settings Lango needs to call this simulator.
    pub fn config(&self) -> lango_core::config::DarajaConfig {
        let s = &self.sim.settings;
        lango_core::config::DarajaConfig {
            base_url: self.base_url.clone(),
            consumer_key: s.consumer_key.clone(),
            consumer_secret: s.consumer_secret.clone().into(),
            passkey: s.passkey.clone().into(),
        }
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &Settings {
        &self.sim.settings
    }

    /// What it has done so far.
    pub fn counters(&self) -> &Counters {
        &self.sim.counters
    }

    /// OAuth tokens issued so far.
    pub fn tokens_issued(&self) -> u64 {
        self.sim.counters.tokens_issued.load(Ordering::SeqCst)
    }

    /// Forgets every token, as Safaricom may before they expire (callers then get a 401).
    pub fn revoke_tokens(&self) {
        lock(&self.sim.tokens).clear();
    }

    /// The C2B validation and confirmation URLs registered, if any.
    pub fn c2b_urls(&self) -> Option<(String, String)> {
        lock(&self.sim.c2b_urls)
            .as_ref()
            .map(|u| (u.validation.clone(), u.confirmation.clone()))
    }

    /// Every completed payment, oldest first.
    pub fn transactions(&self) -> Vec<Transaction> {
        lock(&self.sim.books).all().to_vec()
    }
}

impl Drop for DarajaSimulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn router(sim: Arc<Sim>) -> Router {
    let daraja = Router::new()
        .route("/mpesa/c2b/v1/registerurl", post(c2b::register))
        .route("/mpesa/c2b/v1/simulate", post(c2b::simulate))
        .route("/mpesa/stkpush/v1/processrequest", post(stk::push))
        .route("/mpesa/stkpushquery/v1/query", post(stk::query))
        .route("/pulltransactions/v1/register", post(books::pull_register))
        .route("/pulltransactions/v1/query", post(books::pull_query))
        .layer(axum::middleware::from_fn_with_state(sim.clone(), bearer));
    Router::new()
        .route("/oauth/v1/generate", get(oauth))
        .route("/simulator/pay", post(c2b::pay))
        .route("/simulator/statement.csv", get(books::statement))
        .route("/simulator/transactions", get(books::transactions))
        .merge(daraja)
        .with_state(sim)
}

/// Locks a mutex, carrying on after a panic elsewhere (the data is plain values).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Daraja's error body.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({
            "requestId": request_id(),
            "errorCode": code,
            "errorMessage": message,
        })),
    )
        .into_response()
}

/// A 400 naming the field at fault, as Daraja words it.
pub(crate) fn bad_request(field: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "400.002.02",
        &format!("Bad Request - Invalid {field}"),
    )
}

/// A request id in Daraja's style (`16813-1590513-1`).
pub(crate) fn request_id() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    format!(
        "{}-{}-{}",
        rng.gen_range(10_000..100_000),
        rng.gen_range(1_000_000..100_000_000),
        rng.gen_range(1..4)
    )
}

/// `GET /oauth/v1/generate?grant_type=client_credentials` with Basic auth.
async fn oauth(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let grant = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .any(|kv| kv == "grant_type=client_credentials");
    if !grant {
        return error(
            StatusCode::BAD_REQUEST,
            "400.008.02",
            "Invalid grant type passed",
        );
    }
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        sim.settings.consumer_key, sim.settings.consumer_secret
    ));
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(str::trim);
    if given != Some(expected.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            "400.008.01",
            "Invalid Authentication passed",
        );
    }
    let token = random_alnum(28, false);
    let lifetime = sim.settings.token_lifetime;
    lock(&sim.tokens).insert(token.clone(), Instant::now() + lifetime);
    sim.counters.tokens_issued.fetch_add(1, Ordering::SeqCst);
    Json(json!({
        "access_token": token,
        "expires_in": lifetime.as_secs().to_string(),
    }))
    .into_response()
}

/// Every Daraja API call needs a live bearer token.
async fn bearer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let live = token.is_some_and(|t| {
        let mut tokens = lock(&sim.tokens);
        match tokens.get(&t) {
            Some(until) if Instant::now() < *until => true,
            Some(_) => {
                tokens.remove(&t);
                false
            }
            None => false,
        }
    });
    if !live {
        sim.counters.unauthorized.fetch_add(1, Ordering::SeqCst);
        return error(
            StatusCode::UNAUTHORIZED,
            "404.001.03",
            "Invalid Access Token",
        );
    }
    next.run(req).await
}

/// `n` random characters: upper-case letters and digits (or lower-case too).
pub(crate) fn random_alnum(n: usize, upper_only: bool) -> String {
    use rand::Rng;
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const MIXED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let set = if upper_only { UPPER } else { MIXED };
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| set[rng.gen_range(0..set.len())] as char)
        .collect()
}

/// A receipt number in M-Pesa's style: ten upper-case characters, the first three naming
/// the year, month and day (`TKM…` for 22 November 2025), the rest random.
pub(crate) fn receipt_number(ms: i64) -> String {
    let (y, m, d, ..) = time::eat_parts(ms);
    let letter = |n: i64| (b'A' + (n.rem_euclid(26)) as u8) as char;
    let day = if d <= 9 {
        (b'0' + d as u8) as char
    } else {
        letter(d - 10)
    };
    // Safaricom's year letters run S = 2024, T = 2025, …
    format!(
        "{}{}{}{}",
        letter(y - 2006),
        letter(m - 1),
        day,
        random_alnum(7, true)
    )
}

/// A string field of a JSON body, also accepting a number (Daraja's own clients mix them).
pub(crate) fn field(body: &serde_json::Value, name: &str) -> Option<String> {
    match body.get(name) {
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The body as a JSON object, if it is one.
pub(crate) fn json_object(bytes: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .filter(serde_json::Value::is_object)
}

/// Daraja's 400 for a body that is not a JSON object.
pub(crate) fn invalid_payload() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "400.002.05",
        "Invalid Request Payload",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_numbers_look_like_safaricoms() {
        // 2025-11-22 10:30 EAT.
        let r = receipt_number(1_763_796_600_000);
        assert_eq!(r.len(), 10);
        assert!(r.starts_with("TKM"), "{r}");
        assert!(r
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    }
}
