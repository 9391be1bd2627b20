//! An agency system's webhook receiver, for tests: an axum server on a loopback port that
//! records what it is sent and can be switched to be down, hang, or redirect.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 204 and the event is recorded.
    Up,
    /// 503.
    Down,
    /// Never answers in time.
    Hang,
    /// 302 to elsewhere.
    Redirect,
}

/// One received delivery.
#[derive(Debug, Clone)]
pub struct Received {
    /// The `Lango-Signature` header.
    pub signature: String,
    /// The body.
    pub body: String,
    /// The body as JSON.
    pub json: serde_json::Value,
}

struct Inner {
    mode: Mode,
    received: Vec<Received>,
}

/// A running receiver.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    /// Its URL.
    pub url: String,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: String) -> Response {
    let mode = r.inner.lock().unwrap().mode;
    match mode {
        Mode::Down => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Mode::Redirect => {
            (StatusCode::FOUND, [("location", "http://127.0.0.1:9/")]).into_response()
        }
        Mode::Hang => {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Mode::Up => {
            let signature = headers
                .get("lango-signature")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
            r.inner.lock().unwrap().received.push(Received {
                signature,
                body,
                json,
            });
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

impl Receiver {
    /// Starts a receiver in `mode`.
    pub async fn start(mode: Mode) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/events", listener.local_addr().expect("addr"));
        let r = Receiver {
            inner: Arc::new(Mutex::new(Inner {
                mode,
                received: Vec::new(),
            })),
            url,
        };
        let app = axum::Router::new()
            .route("/events", axum::routing::post(receive))
            .with_state(r.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        r
    }

    /// Switches how it answers.
    pub fn set(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = mode;
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
}
