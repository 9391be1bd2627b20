//! The one HTTP client payment providers are called with (card provider, FPX gateway):
//! connections and TLS set-up are reused across requests, and no redirect is followed.

use std::sync::OnceLock;
use std::time::Duration;

/// The process's client for payment providers.
pub(crate) fn client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(15))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default()
        })
        .clone()
}
