//! Published pages and figures, kept for a few seconds: the dashboards read many
//! aggregate rows per page, and thousands of people reading the same page in the same
//! seconds need it computed once. Figures follow the event log within a second or two, so
//! a page is at most [`FRESH`] older than its figures. Only public pages that look the
//! same to every visitor (no account, no form token) may be kept here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a kept page is served.
pub const FRESH: Duration = Duration::from_secs(5);
/// Most pages kept; past this the oldest are dropped (a scan of query strings cannot
/// grow memory without bound).
const MOST: usize = 1024;

/// Kept pages by key (path, query and language).
#[derive(Debug, Default)]
pub struct Published {
    pages: Mutex<HashMap<String, (Instant, String)>>,
}

impl Published {
    /// The page kept under `key`, when it is fresh.
    pub fn get(&self, key: &str) -> Option<String> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .get(key)
            .filter(|(at, _)| at.elapsed() < FRESH)
            .map(|(_, body)| body.clone())
    }

    /// The page kept under `key`, or the one `make` (a future: it does nothing when the
    /// page is kept) makes, which is then kept. A failure is not kept. `make` runs as for a
    /// visitor who is not signed in, so a kept page never carries one person's sign-out
    /// form and its token to the next.
    pub async fn get_or_make<E>(
        &self,
        key: String,
        make: impl std::future::Future<Output = Result<String, E>>,
    ) -> Result<String, E> {
        if let Some(body) = self.get(&key) {
            return Ok(body);
        }
        let body = crate::pages::FRAME
            .scope(crate::pages::Frame::default(), make)
            .await?;
        self.put(key, body.clone());
        Ok(body)
    }

    /// Keeps `body` under `key`.
    pub fn put(&self, key: String, body: String) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MOST {
            pages.retain(|_, (at, _)| at.elapsed() < FRESH);
            if pages.len() >= MOST {
                pages.clear();
            }
        }
        pages.insert(key, (Instant::now(), body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_kept_and_bounded() {
        let p = Published::default();
        assert_eq!(p.get("a"), None);
        p.put("a".into(), "A".into());
        assert_eq!(p.get("a").as_deref(), Some("A"));
        for i in 0..(2 * MOST) {
            p.put(format!("k{i}"), String::new());
        }
        assert!(p.pages.lock().unwrap().len() <= MOST);
    }
}
