//! A form-filling client for the HTTP tests: keeps cookies like a browser and puts the
//! page's CSRF token into every form it posts, as a real browser submitting the form would.

use crate::support::TestApp;
use std::collections::HashMap;

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
