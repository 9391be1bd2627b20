//! Middleware and operations endpoints: security headers, metrics, tracing, health.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The strict policy (no inline script or style, nothing from elsewhere) every page gets
/// unless it names its own.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if !state.config.demo {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}

/// Counts requests and times them per route template (never per raw path).
pub async fn record_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

/// One span per request carrying its id; responses are logged at INFO.
pub fn trace_layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, impl Fn(&Request) -> tracing::Span + Clone>
{
    TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            let path = loggable(req.uri().path());
            tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO))
}

/// The path as logged: an M-Pesa callback path's secret segment (`mpesa_callback_token`)
/// is replaced, so the token never reaches a log.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/channels/mpesa/") {
        Some(rest) if !rest.starts_with("c2b/") && !rest.starts_with("stk/") => {
            let tail = rest.split_once('/').map_or("", |(_, t)| t);
            format!("/channels/mpesa/{{token}}/{tail}").into()
        }
        _ => path.into(),
    }
}

/// Reads the gauges that come from the database (backlogs, reconciliation findings) now
/// and then every `every`, from a task of its own: a scrape never waits on the database.
pub fn spawn_gauges(state: AppState, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            read_queues(&state).await;
        }
    })
}

/// Backlogs and reconciliation findings (a failed read leaves the last value, logged).
async fn read_queues(state: &AppState) {
    use lango_core::telemetry;
    match lango_notify::backlog::read(&state.db, state.config.nats_url.is_some()).await {
        Ok(b) => {
            telemetry::backlog("notifications", b.notifications);
            telemetry::backlog("webhooks", b.webhooks);
            if let Some(events) = b.events {
                telemetry::backlog("events", events);
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the backlogs"),
    }
    match lango_payments::reconcile::review::open_findings(&state.db).await {
        Ok(n) => telemetry::reconciliation_open(n),
        Err(e) => tracing::warn!(error = %e, "cannot read the reconciliation findings"),
    }
}

/// Histogram buckets: seconds for timings, members for group sizes.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const MEMBERS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
/// People's waits at centres, seconds (a minute to two hours).
const WAITS: &[f64] = &[
    60.0, 300.0, 600.0, 900.0, 1800.0, 2700.0, 3600.0, 5400.0, 7200.0,
];

/// The process-wide Prometheus recorder, installed once.
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        use metrics_exporter_prometheus::Matcher;
        // Buckets rather than quantiles: several nodes' histograms add up in Prometheus.
        let mut builder = PrometheusBuilder::new();
        for (name, buckets) in [
            ("http_request_duration_seconds", SECONDS),
            ("lango_committer_commit_seconds", SECONDS),
            ("lango_search_seconds", SECONDS),
            ("lango_committer_group_size", MEMBERS),
            ("lango_centre_wait_seconds", WAITS),
        ] {
            builder = builder
                .set_buckets_for_metric(Matcher::Full(name.into()), buckets)
                .expect("bucket lists are not empty");
        }
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (several apps in one test process).
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// `/healthz`, `/readyz` and `/metrics`.
pub fn ops_router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(prometheus))
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "live"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        // Still serving, but stopping: the load balancer sends new work elsewhere.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "draining"})),
        )
            .into_response();
    }
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "database unreachable"})),
            )
                .into_response()
        }
    }
}

/// True when `client` may read `/metrics`: loopback always; then `metrics_networks` when
/// set, else anyone in the demo and no one else.
fn may_read_metrics(state: &AppState, client: Option<std::net::IpAddr>) -> bool {
    let Some(ip) = client else {
        return false;
    };
    let nets = &state.config.metrics_networks;
    ip.is_loopback()
        || nets.iter().any(|n| n.contains(ip))
        || (nets.is_empty() && state.config.demo)
}

async fn prometheus(State(state): State<AppState>, req: Request) -> Response {
    let client = crate::client::of(&state, &req);
    if !may_read_metrics(&state, client) {
        // As if there were nothing here: the figures and their names stay private.
        return crate::pages::render_status_page(
            StatusCode::NOT_FOUND,
            crate::pages::lang_of(req.headers()),
            state.config.demo,
        );
    }
    let snap = state.catalogue.snapshot();
    metrics::gauge!("lango_catalogue_services").set(snap.len() as f64);
    metrics::gauge!("lango_catalogue_revision").set(snap.revision as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics_handle().render(),
    )
        .into_response()
}
