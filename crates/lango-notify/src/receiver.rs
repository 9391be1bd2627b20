//! Where webhooks may go: an agency's https endpoint on the public internet, never an
//! address inside Lango's own network (the cloud metadata service, a database, loopback).
//!
//! Checked twice: when a subscription is made (the name is resolved and every address must
//! be public), and at every delivery, where the dispatcher's resolver refuses a name that now
//! resolves to a private address and the connection goes to the address that was checked,
//! so a name cannot pass the check and then rebind elsewhere. `webhook_allow_private` (the
//! demo and tests, whose receivers run on this machine) lifts both rules, and https.

use lango_core::net::is_public;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, SocketAddr};

/// What receivers may be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Plain http and private, loopback and link-local addresses allowed (demo and tests).
    pub allow_private: bool,
}

/// Why a receiver address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not an https:// URL.
    NotHttps,
    /// It is, or resolves to, an address that is not on the public internet.
    NotPublic,
    /// Its name does not resolve.
    Unresolvable,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Refused {}

impl Refused {
    /// The problem code (a word key on pages, the reason in the API).
    pub fn code(self) -> &'static str {
        match self {
            Refused::NotHttps => "url_not_https",
            Refused::NotPublic => "url_not_public",
            Refused::Unresolvable => "url_unresolvable",
        }
    }

    /// In English, for the API and the delivery log.
    pub fn message(self) -> &'static str {
        match self {
            Refused::NotHttps => "the receiver must be an https:// address",
            Refused::NotPublic => "the receiver's address is not on the public internet",
            Refused::Unresolvable => "the receiver's name does not resolve",
        }
    }

    /// The refusal whose code is `code`, if it is one.
    pub fn from_code(code: &str) -> Option<Refused> {
        [Refused::NotHttps, Refused::NotPublic, Refused::Unresolvable]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// The checks that need no network: the scheme, and an address written in the URL.
pub fn check_form(url: &str, policy: Policy) -> Result<(), Refused> {
    if policy.allow_private {
        return Ok(());
    }
    let url = Url::parse(url).map_err(|_| Refused::Unresolvable)?;
    if url.scheme() != "https" {
        return Err(Refused::NotHttps);
    }
    match host(&url) {
        Host::Address(ip) if !is_public(ip) => Err(Refused::NotPublic),
        Host::Address(_) | Host::Name(_) => Ok(()),
        Host::Missing => Err(Refused::Unresolvable),
    }
}

/// A URL's host: an address written out, or a name to resolve.
enum Host<'a> {
    Address(IpAddr),
    Name(&'a str),
    Missing,
}

fn host(url: &Url) -> Host<'_> {
    match url.host_str() {
        None | Some("") => Host::Missing,
        Some(h) => match h.trim_start_matches('[').trim_end_matches(']').parse() {
            Ok(ip) => Host::Address(ip),
            Err(_) => Host::Name(h),
        },
    }
}

/// Every check, resolving the name: for a new subscription.
pub async fn check(url: &str, policy: Policy) -> Result<(), Refused> {
    check_form(url, policy)?;
    if policy.allow_private {
        return Ok(());
    }
    let parsed = Url::parse(url).map_err(|_| Refused::Unresolvable)?;
    if let Host::Name(name) = host(&parsed) {
        resolve_public(name, parsed.port_or_known_default().unwrap_or(443)).await?;
    }
    Ok(())
}

/// The addresses of `name`, all of them public, or why not.
pub async fn resolve_public(name: &str, port: u16) -> Result<Vec<SocketAddr>, Refused> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
        .await
        .map_err(|_| Refused::Unresolvable)?
        .collect();
    if addrs.is_empty() {
        return Err(Refused::Unresolvable);
    }
    // One private address among public ones is refused too: the connection could use it.
    if addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(Refused::NotPublic);
    }
    Ok(addrs)
}

/// The dispatcher's resolver: public addresses only. The HTTP client connects to exactly
/// the addresses returned here, so what was checked is what is reached.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let name = name.as_str().to_string();
        Box::pin(async move {
            match resolve_public(&name, 0).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as Addrs),
                Err(refused) => Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

/// The refusal behind a failed request, when the resolver refused it.
pub fn refusal_in(e: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<Refused>() {
            return Some(*r);
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Policy = Policy {
        allow_private: false,
    };

    #[tokio::test]
    async fn only_public_https_receivers() {
        assert_eq!(
            check_form("http://8.8.8.8/x", STRICT),
            Err(Refused::NotHttps)
        );
        for private in [
            "https://127.0.0.1/x",
            "https://10.0.0.8/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[fd00::1]/x",
            "https://0.0.0.0/x",
        ] {
            assert_eq!(
                check_form(private, STRICT),
                Err(Refused::NotPublic),
                "{private}"
            );
        }
        assert_eq!(
            check("https://localhost:9/x", STRICT).await,
            Err(Refused::NotPublic)
        );
        assert!(check_form("https://8.8.8.8/x", STRICT).is_ok());
        let open = Policy {
            allow_private: true,
        };
        assert!(check("http://127.0.0.1:9/x", open).await.is_ok());
    }

    #[test]
    fn codes_round_trip() {
        for r in [Refused::NotHttps, Refused::NotPublic, Refused::Unresolvable] {
            assert_eq!(Refused::from_code(r.code()), Some(r));
        }
    }
}
