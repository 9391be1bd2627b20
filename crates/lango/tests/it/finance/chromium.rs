//! The finance pages in real Chromium with axe-core: the dashboard with its chart, the
//! suspense queue, matching with an error summary, the check page, the confirmation, and
//! the export form. Runs when Chromium and chromedriver are installed (as `browser.rs`).

use super::{pay, spawn, PASSWORD};
use crate::support::Backend;
use fantoccini::{Client, ClientBuilder, Locator};
use lango_identity::model::Role;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};

struct Driver {
    process: Child,
    client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn driver() -> Option<Driver> {
    let present = std::path::Path::new("/usr/bin/chromium").exists()
        && std::path::Path::new("/usr/bin/chromedriver").exists();
    if !present {
        assert!(
            std::env::var("LANGO_REQUIRE_BROWSER").is_err(),
            "LANGO_REQUIRE_BROWSER is set but Chromium is missing"
        );
        eprintln!("chromium or chromedriver missing: browser test skipped");
        return None;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut process = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=360,800", format!("--user-data-dir={}", profile.keep().display())]}});
    let caps: serde_json::Map<String, Value> = caps.as_object().unwrap().clone();
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some(Driver { process, client }),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    let _ = process.kill();
    let _ = process.wait();
    panic!("chromedriver did not start");
}

/// Runs axe-core (WCAG 2.2 AA) on the current page and fails on any violation.
async fn accessible(c: &Client, page: &str) {
    let path = std::env::var("LANGO_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/browser/node_modules/axe-core/axe.min.js"
        )
        .to_string()
    });
    let axe = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core not found at {path} ({e})"));
    c.execute(&axe, vec![]).await.expect("inject axe");
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}})\
               .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe");
    let violations = result.as_array().cloned().unwrap_or_default();
    assert!(
        violations.is_empty(),
        "axe found violations on {page}: {violations:#?}"
    );
}

async fn fill(c: &Client, id: &str, text: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the main form's button and waits until the page's heading reads `expected`.
async fn submit_to(c: &Client, expected: &str) {
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, expected).await;
}

async fn heading_is(c: &Client, expected: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(h) = c.find(Locator::Css("h1")).await {
            last = h.text().await.unwrap_or_default();
            if last == expected {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("heading is {last:?}, expected {expected:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_pages_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let key = app.agency_key("DIS", &["bills:write"]).await;
    let reference = super::bill(&app, &key, "DIS-PASSPORT", "4550.00", "KES").await;
    pay(&app, "TFD0000001", "1000.00", &reference).await;
    pay(&app, "TFD0000002", "4600.00", "PASSPORT").await;
    app.staff("fin@treasury.example", PASSWORD, Role::FinanceOfficer, None)
        .await;
    let c = &d.client;
    c.goto(&format!("{}/signin", app.base)).await.unwrap();
    fill(c, "f-identifier", "fin@treasury.example").await;
    fill(c, "f-password", PASSWORD).await;
    submit_to(c, "Staff Member").await;

    c.goto(&format!("{}/finance", app.base)).await.unwrap();
    heading_is(c, "Revenue").await;
    c.find(Locator::Css("svg.chart[role=img]"))
        .await
        .expect("the chart");
    accessible(c, "revenue").await;
    fill(c, "f-from", "2026-02-30").await;
    submit_to(c, "Revenue").await;
    c.find(Locator::Css(".error-summary a[href='#f-from']"))
        .await
        .expect("error summary");
    accessible(c, "revenue with errors").await;

    c.goto(&format!("{}/finance/suspense", app.base))
        .await
        .unwrap();
    heading_is(c, "Suspense queue").await;
    accessible(c, "suspense queue").await;
    c.find(Locator::Css("a[href='/finance/suspense/TFD0000002/match']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_is(c, "Match a payment to a bill").await;
    accessible(c, "match").await;
    fill(c, "f-reference", "NOTABIL").await;
    submit_to(c, "Match a payment to a bill").await;
    c.find(Locator::Css(".error-summary a[href='#f-reference']"))
        .await
        .expect("error summary");
    accessible(c, "match with errors").await;
    fill(c, "f-reference", &reference.to_lowercase()).await;
    fill(c, "f-reason", "The payer phoned with the bill").await;
    submit_to(c, "Check the match before you confirm it").await;
    accessible(c, "check the match").await;
    submit_to(c, "Payment matched to its bill").await;
    accessible(c, "matched").await;

    c.goto(&format!("{}/finance/export", app.base))
        .await
        .unwrap();
    heading_is(c, "Export receipts for audit").await;
    accessible(c, "export").await;
    d.client.clone().close().await.unwrap();
}
