//! Where Daraja calls back: `/channels/mpesa/c2b/validation`, `…/c2b/confirmation` and
//! `…/stk/callback`, or, with `mpesa_callback_token` set, the same under
//! `/channels/mpesa/{token}/`. Daraja signs nothing; a secret path is a second lock beside
//! the source-network check, and with one set the plain paths take nothing.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// One of Daraja's callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    /// C2B validation.
    Validation,
    /// C2B confirmation.
    Confirmation,
    /// M-Pesa Express (STK) result.
    Stk,
}

impl Callback {
    /// The path after `/channels/mpesa/` (and the token, if any).
    pub fn suffix(self) -> &'static str {
        match self {
            Callback::Validation => "c2b/validation",
            Callback::Confirmation => "c2b/confirmation",
            Callback::Stk => "stk/callback",
        }
    }
}

/// The callback paths in force.
#[derive(Clone, Default)]
pub struct CallbackPaths {
    token: Option<SecretString>,
}

impl CallbackPaths {
    /// Paths with `token` (the `mpesa_callback_token` setting), or the plain ones.
    pub fn new(token: Option<SecretString>) -> CallbackPaths {
        CallbackPaths { token }
    }

    /// The URL Daraja should call for `which`, under `public_url`.
    pub fn url(&self, public_url: &str, which: Callback) -> String {
        let base = public_url.trim_end_matches('/');
        match &self.token {
            Some(t) => format!(
                "{base}/channels/mpesa/{}/{}",
                t.expose_secret(),
                which.suffix()
            ),
            None => format!("{base}/channels/mpesa/{}", which.suffix()),
        }
    }

    /// True when a callback that came with `sent` (the path's token, `None` on a plain path)
    /// is at the right address. Compared in constant time.
    pub fn admits(&self, sent: Option<&str>) -> bool {
        match (&self.token, sent) {
            (None, None) => true,
            (Some(t), Some(s)) => {
                // Digests first, so neither the length nor the first differing byte shows.
                let a = Sha256::digest(t.expose_secret().as_bytes());
                let b = Sha256::digest(s.as_bytes());
                a.iter()
                    .zip(b.iter())
                    .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                    == 0
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_without_a_token_and_only_the_token_with_one() {
        let plain = CallbackPaths::new(None);
        assert!(plain.admits(None) && !plain.admits(Some("x")));
        assert_eq!(
            plain.url("https://lango.example/", Callback::Stk),
            "https://lango.example/channels/mpesa/stk/callback"
        );
        let token = "t0ken-t0ken-t0ken-t0ken-t0ken-t0ken";
        let secret = CallbackPaths::new(Some(SecretString::from(token)));
        assert!(secret.admits(Some(token)));
        assert!(!secret.admits(None) && !secret.admits(Some("t0ken")));
        assert_eq!(
            secret.url("https://lango.example", Callback::Confirmation),
            format!("https://lango.example/channels/mpesa/{token}/c2b/confirmation")
        );
    }
}
