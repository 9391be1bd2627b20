//! What operators watch: every measure the shipped alert rules (deploy/prometheus) and
//! dashboard (deploy/grafana) read is served at /metrics once the rooms have worked, with
//! real traffic behind it; with a collector configured, requests are traced to it. (A
//! draining node's /readyz and `lango_draining`: `deploy.rs`.)

use crate::backend_tests;
use crate::support::{Backend, TestApp};
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

/// The node's own measure names (`lango_…`, `http_…`) an alert or panel reads.
fn names_read() -> BTreeSet<String> {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let mut text = std::fs::read_to_string(deploy.join("prometheus/alerts.yml")).unwrap();
    text.push_str(&std::fs::read_to_string(deploy.join("grafana/lango.json")).unwrap());
    let mut names = BTreeSet::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.starts_with("lango_")
            || word.starts_with("http_requests")
            || word.starts_with("http_request_")
        {
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| word.strip_suffix(s))
                .unwrap_or(word);
            names.insert(base.to_string());
        }
    }
    names
}

/// The metric names in a Prometheus text page (histograms by their base name).
fn names_served(page: &str) -> BTreeSet<String> {
    page.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(|n| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| n.strip_suffix(s))
                .unwrap_or(n)
                .to_string()
        })
        .collect()
}

/// Work in every measured room: a search, an M-Pesa confirmation, an agency call (the
/// exchange log), and a centre's ticket issued and called.
async fn work(app: &TestApp) {
    let res = app.get("/api/v1/services?q=passport").await;
    assert_eq!(res.status(), 200);
    crate::support::c2b_confirmation(
        &app.client,
        &app.base,
        "OBS0000001",
        "150.00",
        "NOBILL1",
        "20261206093015",
    )
    .await;
    crate::centres::test_centre(app, "T-OBS", 2, "00:00-23:59", 5, 100).await;
    let key = app.agency_key("HUDUMA", &["queue:write"]).await;
    let (status, t) = app
        .api(
            Method::POST,
            &key,
            "/api/v1/centres/T-OBS/tickets",
            Some(json!({"service": "NRB-ID-REPLACE"})),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let (status, called) = app
        .api(
            Method::POST,
            &key,
            "/api/v1/centres/T-OBS/counters/1/call",
            None,
        )
        .await;
    assert_eq!((status, &called["number"]), (200, &t["number"]));
    // An agency system's call goes into the exchange log through the audit committer.
    let reader = app.agency_key("DIS", &["bills:read"]).await;
    let (status, _) = app
        .api(Method::GET, &reader, "/api/v1/bills/DIS0000000", None)
        .await;
    assert_eq!(status, 404);
}

async fn spawn(backend: Backend) -> Option<TestApp> {
    // Settlement runs at the node's start from this hour on: from midnight, always.
    let settings = [
        ("LANGO_MPESA_SOURCE_NETWORKS", "127.0.0.0/8".to_string()),
        ("LANGO_SETTLEMENT_HOUR", "0".to_string()),
    ];
    TestApp::spawn_configured(backend, false, &settings).await
}

backend_tests! {
    spawn = crate::observability::spawn;

    async fn every_measure_the_alerts_and_the_dashboard_read_is_served(app: TestApp) {
        let wanted = names_read();
        assert!(wanted.len() >= 10, "the rules and the dashboard read the node's measures: {wanted:?}");
        work(&app).await;
        // Backlogs and settlement are read by the node's own tasks: give them a moment.
        for _ in 0..100 {
            let page = app.get("/metrics").await.text().await.unwrap();
            if wanted.is_subset(&names_served(&page)) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let page = app.get("/metrics").await.text().await.unwrap();
        let served = names_served(&page);
        let missing: Vec<_> = wanted.difference(&served).collect();
        assert!(missing.is_empty(), "read by the alerts or the dashboard but not served: {missing:?}");
        // Histograms have buckets, so nodes' figures add up in Prometheus.
        assert!(page.contains("lango_committer_commit_seconds_bucket{committer=\"mpesa_receipts\""), "{page}");
        assert!(page.contains("lango_committer_group_size_bucket{committer=\"audit\""), "{page}");
        assert!(page.contains("lango_centre_wait_seconds_bucket{centre=\"T-OBS\""), "{page}");
        assert!(page.contains("lango_backlog{queue=\"notifications\"}"), "{page}");
        assert!(page.contains("http_requests_total{method=\"GET\",route=\"/api/v1/services\",status=\"200\"}"), "{page}");
    }
}

/// An OpenTelemetry collector's OTLP/HTTP endpoint on loopback: the JSON bodies it got.
async fn collector() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use axum::routing::post;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |body: axum::body::Bytes| async move {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            kept.lock().unwrap().push(v);
            axum::Json(json!({}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// A span as the collector got it: service name, span name, attributes (key, string value).
type Span = (String, String, Vec<(String, String)>);

/// The spans in OTLP JSON bodies.
fn spans(bodies: &[serde_json::Value]) -> Vec<Span> {
    let mut out = Vec::new();
    for body in bodies {
        for rs in body["resourceSpans"].as_array().into_iter().flatten() {
            let service = rs["resource"]["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["key"] == "service.name")
                .and_then(|a| a["value"]["stringValue"].as_str())
                .unwrap_or("")
                .to_string();
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for span in ss["spans"].as_array().into_iter().flatten() {
                    let attributes = span["attributes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| {
                            let v = &a["value"]["stringValue"];
                            (
                                a["key"].as_str().unwrap_or("").to_string(),
                                v.as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect();
                    out.push((
                        service.clone(),
                        span["name"].as_str().unwrap_or("").to_string(),
                        attributes,
                    ));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_traced_to_an_opentelemetry_collector_when_one_is_configured() {
    let (url, got) = collector().await;
    let dir = tempfile::tempdir().unwrap();
    let listen = format!("127.0.0.1:{}", crate::mpesa_crash::free_port());
    let settings = [
        ("LANGO_OTLP_TRACES_URL", url.as_str()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ];
    let node = crate::support::serve_process(
        crate::support::this_lango(),
        dir.path(),
        None,
        &listen,
        &settings,
    );
    let client = reqwest::Client::new();
    let mut found = None;
    for _ in 0..200 {
        // The same request id each time: the span that carries it is the one looked for.
        let _ = client
            .get(format!("http://{listen}/api/v1/services?q=passport"))
            .header("x-request-id", "trace-me-1")
            .send()
            .await;
        found = spans(&got.lock().unwrap())
            .into_iter()
            .find(|(_, _, a)| a.contains(&("request_id".into(), "trace-me-1".into())));
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(node);
    let (service, name, attributes) = found.expect("the request's span reached the collector");
    assert_eq!((service.as_str(), name.as_str()), ("lango", "request"));
    assert!(
        attributes.contains(&("path".into(), "/api/v1/services".into())),
        "{attributes:?}"
    );
    assert!(
        attributes.contains(&("method".into(), "GET".into())),
        "{attributes:?}"
    );
}

/// The shipped Prometheus configuration and alert rules are valid, and the rules' own unit
/// tests (deploy/prometheus/alerts_test.yml: series in, the alerts that must and must not
/// fire) pass, with Prometheus's `promtool`.
#[test]
fn the_alert_rules_fire_when_they_should_and_only_then() {
    if std::process::Command::new("promtool")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("LANGO_REQUIRE_PROMTOOL").is_none(),
            "LANGO_REQUIRE_PROMTOOL is set but promtool is not installed (Debian: prometheus)"
        );
        eprintln!(
            "promtool is not installed (apt-get install prometheus): the rules' tests are skipped"
        );
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/prometheus");
    for args in [
        ["check", "config", "prometheus.yml"],
        ["test", "rules", "alerts_test.yml"],
    ] {
        let out = std::process::Command::new("promtool")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool {args:?}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
