//! A form-filling client for the HTTP tests: keeps cookies like a browser and puts the
//! page's CSRF token into every form it posts, as a real browser submitting the form would.
//! Also the real-Chromium kit (chromedriver start-up, axe-core checks, form steps) that every
//! browser test shares.

use crate::support::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// One person's browser against a test app.
pub struct Browser<'a> {
    app: &'a TestApp,
    /// Cookies by name.
    pub cookies: HashMap<String, String>,
    /// The CSRF token of the last page that had a form.
    pub csrf: String,
}

/// A response, read.
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// `Location`, for redirects.
    pub location: String,
    /// Body.
    pub html: String,
    /// Every `Set-Cookie` header.
    pub set_cookies: Vec<String>,
}

impl<'a> Browser<'a> {
    /// A browser with no cookies.
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: HashMap::new(),
            csrf: String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, res: reqwest::Response) -> Page {
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let set_cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let html = res.text().await.unwrap_or_default();
        if let Some(t) = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            self.csrf = t.to_string();
        }
        Page {
            status,
            location,
            html,
            set_cookies,
        }
    }

    /// GET a page.
    pub async fn get(&mut self, path: &str) -> Page {
        let res = self
            .app
            .client
            .get(format!("{}{path}", self.app.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.read(res).await
    }

    /// POST a form with the current CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        all.extend_from_slice(fields);
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        self.post_raw(path, body).await
    }

    /// POST a body exactly as given (for CSRF tests).
    pub async fn post_raw(&mut self, path: &str, body: String) -> Page {
        let res = self
            .app
            .client
            .post(format!("{}{path}", self.app.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST");
        self.read(res).await
    }

    /// Signs in (fetching the form first for its token); returns the response.
    pub async fn sign_in(&mut self, identifier: &str, password: &str) -> Page {
        self.get("/signin").await;
        self.post(
            "/signin",
            &[
                ("identifier", identifier),
                ("password", password),
                ("next", "/account"),
            ],
        )
        .await
    }
}

/// A chromedriver process and its WebDriver session; the process and the Chromium it
/// started end when this is dropped.
pub(crate) struct Driver {
    process: Child,
    /// The WebDriver session.
    pub(crate) client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole process group: killing chromedriver alone left its Chromium running
        // (a CI run left 210 Chromium processes behind).
        let group = format!("-{}", self.process.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Where the axe-core script is: `LANGO_AXE_JS`, or the copy `npm ci` puts under tests/browser.
fn axe_path() -> String {
    std::env::var("LANGO_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/browser/node_modules/axe-core/axe.min.js"
        )
        .to_string()
    })
}

/// The axe-core script ([`driver`] has checked it is there).
pub(crate) fn axe_source() -> String {
    let path = axe_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core not found at {path} ({e}); run npm ci in tests/browser")
    })
}

/// Starts Debian's chromedriver with headless Chromium (phone-sized window, fresh profile).
/// `None` (test skipped, saying which command installs what is missing) when Chromium,
/// ChromeDriver or axe-core is missing, unless LANGO_REQUIRE_BROWSER is set, as CI does, so
/// that a missing part fails there; nothing is ever downloaded.
pub(crate) async fn driver() -> Option<Driver> {
    let present = std::path::Path::new("/usr/bin/chromium").exists()
        && std::path::Path::new("/usr/bin/chromedriver").exists();
    let axe = std::path::Path::new(&axe_path()).exists();
    let missing = match (present, axe) {
        (true, true) => None,
        (false, _) => {
            Some("chromium or chromedriver missing (apt-get install chromium chromium-driver)")
        }
        (true, false) => Some("axe-core missing (cd tests/browser && npm ci)"),
    };
    if let Some(missing) = missing {
        assert!(
            std::env::var("LANGO_REQUIRE_BROWSER").is_err(),
            "LANGO_REQUIRE_BROWSER is set but {missing}"
        );
        eprintln!("{missing}: browser test skipped");
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
        // A group of its own, which Chromium joins: ended together (see `Driver`'s drop).
        .process_group(0)
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
    let _ = process.kill();
    let _ = process.wait();
    panic!("chromedriver did not start: {last:?}");
}

/// Runs axe-core (WCAG 2.2 AA and axe's best practices, such as all content inside
/// landmarks) on the current page and fails on any violation.
pub(crate) async fn assert_accessible(client: &Client, axe: &str, page: &str) {
    client.execute(axe, vec![]).await.expect("inject axe");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']}})\
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

/// Replaces the text of the field with this id.
pub(crate) async fn fill(c: &Client, id: &str, text: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the element `css` finds (panicking with what was missing).
pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

/// Waits for the element `css` finds to appear on the page.
pub(crate) async fn wait_for(c: &Client, css: &str) {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
}

/// Clicks the main form's submit button.
pub(crate) async fn submit(c: &Client) {
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits (up to ten seconds) for the page's heading to read `expected`: a click starts a
/// navigation, and the old page's heading is still there for a moment.
pub(crate) async fn heading_is(c: &Client, expected: &str) {
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
