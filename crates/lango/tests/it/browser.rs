//! Real Chromium (Debian's, driven over WebDriver) with axe-core checking every page.
//!
//! Runs when /usr/bin/chromium and /usr/bin/chromedriver exist; CI sets
//! LANGO_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

use crate::support::{Backend, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
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

fn axe_source() -> String {
    let path = std::env::var("LANGO_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/browser/node_modules/axe-core/axe.min.js"
        )
        .to_string()
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core not found at {path} ({e}); run npm ci in tests/browser")
    })
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
    let process = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=360,800", format!("--user-data-dir={}", profile.keep().display())]
        }
    });
    let caps: serde_json::Map<String, Value> = caps.as_object().unwrap().clone();
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some(Driver { process, client }),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start: {last:?}");
}

/// Runs axe-core on the current page and fails on any violation.
async fn assert_accessible(client: &Client, axe: &str, page: &str) {
    client.execute(axe, vec![]).await.expect("inject axe");
    let result = client
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_service_page_and_language_switch_in_chromium() {
    let Some(d) = driver().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let axe = axe_source();
    let c = &d.client;

    c.goto(&format!("{}/", app.base)).await.unwrap();
    assert_accessible(c, &axe, "home").await;
    let q = c.find(Locator::Id("q")).await.unwrap();
    q.send_keys("pasport").await.unwrap();
    c.find(Locator::Css("form.search button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("#count")).await.unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("/services?q=pasport"));
    assert_accessible(c, &axe, "results").await;

    c.find(Locator::Css("a[href='/services/DIS-PASSPORT']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Apply for a passport");
    assert_accessible(c, &axe, "service page").await;

    c.find(Locator::Id("language-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("html[lang=sw] h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Omba pasipoti");
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/services/DIS-PASSPORT"));
    assert_accessible(c, &axe, "Kiswahili service page").await;

    for path in [
        "/agencies",
        "/agencies/NTSA",
        "/services?page=0",
        "/no-such-page",
        "/services/DIS-PASSPORT/apply",
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        assert_accessible(c, &axe, path).await;
    }
    d.client.clone().close().await.unwrap();
}
