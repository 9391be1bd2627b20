//! Per-client rate limits: sign-in, code and reset forms, and public bill look-ups (a
//! reference is short, so `/pay/{reference}` must not be a free enumeration oracle).
//!
//! Each limiter keeps one entry per client address it has seen; entries whose quota has
//! fully recovered are pruned at most once a minute, so a flood of addresses cannot grow
//! the state without bound.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, Ordering};

/// Forms (sign-in, codes, resets) per client a minute.
pub const FORMS_PER_MINUTE: u32 = 30;
/// Bill look-ups (`/pay/{reference}`) per client a minute.
pub const LOOKUPS_PER_MINUTE: u32 = 60;
/// How often stale entries are dropped, ms.
const PRUNE_EVERY_MS: i64 = 60_000;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Sign-in, code and reset forms.
    Forms,
    /// Public bill look-ups.
    Lookups,
}

/// The node's per-client limiters.
pub struct Limits {
    forms: DefaultKeyedRateLimiter<IpAddr>,
    lookups: DefaultKeyedRateLimiter<IpAddr>,
    last_prune: AtomicI64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).expect("non-zero"))
}

impl Limits {
    /// Fresh limiters with the quotas above.
    pub fn new() -> Limits {
        Limits {
            forms: RateLimiter::keyed(per_minute(FORMS_PER_MINUTE)),
            lookups: RateLimiter::keyed(per_minute(LOOKUPS_PER_MINUTE)),
            last_prune: AtomicI64::new(lango_core::clock::now_ms()),
        }
    }

    fn limiter(&self, limit: Limit) -> &DefaultKeyedRateLimiter<IpAddr> {
        match limit {
            Limit::Forms => &self.forms,
            Limit::Lookups => &self.lookups,
        }
    }

    /// True when `client` may go ahead (and counts it); a client of unknown address shares
    /// one allowance with every other such client.
    pub fn allow(&self, limit: Limit, client: Option<IpAddr>) -> bool {
        self.prune_if_due();
        let ip = client.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        self.limiter(limit).check_key(&ip).is_ok()
    }

    fn prune_if_due(&self) {
        let now = lango_core::clock::now_ms();
        let last = self.last_prune.load(Ordering::Relaxed);
        if now - last >= PRUNE_EVERY_MS
            && self
                .last_prune
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.prune();
        }
    }

    /// Drops every entry whose quota has fully recovered (it would allow as much as a new one).
    pub fn prune(&self) {
        for l in [&self.forms, &self.lookups] {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Client addresses remembered, across all limiters.
    pub fn len(&self) -> usize {
        self.forms.len() + self.lookups.len()
    }

    /// True when no client address is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
