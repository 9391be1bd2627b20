//! Checks for the settings that guard the web edge: shared secrets and switches.

use super::{config_error, ConfigError};
use secrecy::SecretString;

/// The shortest shared secret accepted (a guessable one protects nothing).
pub(super) const SECRET_MIN: usize = 32;

/// A shared secret of at least [`SECRET_MIN`] characters.
pub(super) fn long_secret(setting: &str, v: String) -> Result<SecretString, ConfigError> {
    if v.chars().count() < SECRET_MIN {
        return Err(config_error(
            setting,
            format!("must be at least {SECRET_MIN} characters"),
        ));
    }
    Ok(SecretString::from(v))
}

/// A secret that travels as a URL path segment: long, and letters, digits, `-` and `_` only.
pub(super) fn path_token(setting: &str, v: String) -> Result<SecretString, ConfigError> {
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(config_error(
            setting,
            "expected letters, digits, - and _ only (it is part of a URL path)",
        ));
    }
    long_secret(setting, v)
}

/// A key-encryption key: exactly 32 bytes, as 64 hex digits or base64 (`openssl rand
/// -base64 32`); anything shorter is refused rather than stretched.
pub(super) fn encryption_key(setting: &str, v: String) -> Result<SecretString, ConfigError> {
    if crate::sealed::parse_key(&v).is_none() {
        return Err(config_error(
            setting,
            "expected 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)",
        ));
    }
    Ok(SecretString::from(v.trim().to_string()))
}

/// `true` or `false`.
pub(super) fn flag(setting: &str, v: &str) -> Result<bool, ConfigError> {
    match v.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(config_error(
            setting,
            format!("expected true or false, got {other:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn edge_settings_are_checked_and_hidden() {
        let token = "Abcdefghijklmnopqrstuvwxyz_0123456789-hunter5";
        let c = Config::from_sources(
            None,
            &env(&[
                ("LANGO_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1"),
                ("LANGO_METRICS_NETWORKS", "10.1.0.0/16"),
                ("LANGO_MPESA_CALLBACK_TOKEN", token),
                ("LANGO_WEBHOOK_ALLOW_PRIVATE", "true"),
            ]),
        )
        .unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!(c.metrics_networks.len(), 1);
        assert!(c.webhook_allow_private);
        assert!(!format!("{c:?}").contains("hunter5"));
        let d = Config::from_sources(None, &env(&[])).unwrap();
        assert!(d.trusted_proxies.is_empty() && d.mpesa_callback_token.is_none());
        assert!(!d.webhook_allow_private);
        for (key, bad) in [
            ("LANGO_MPESA_CALLBACK_TOKEN", "short"),
            (
                "LANGO_MPESA_CALLBACK_TOKEN",
                "a/b/cdefghijklmnopqrstuvwxyz0123456789",
            ),
            ("LANGO_WEBHOOK_ALLOW_PRIVATE", "yes"),
            ("LANGO_TRUSTED_PROXIES", "proxy.local"),
        ] {
            let err = Config::from_sources(None, &env(&[(key, bad)])).unwrap_err();
            assert_eq!(err.setting, key, "{bad}");
        }
    }

    #[test]
    fn key_encryption_keys_are_32_bytes_and_hidden() {
        let hex_key = "ab".repeat(32);
        let b64_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let c = Config::from_sources(
            None,
            &env(&[
                ("LANGO_KEY_ENCRYPTION_KEY", &hex_key),
                ("LANGO_PREVIOUS_KEY_ENCRYPTION_KEYS", b64_key),
            ]),
        )
        .unwrap();
        assert!(c.key_encryption_key.is_some());
        assert_eq!(c.previous_key_encryption_keys.len(), 1);
        let shown = format!("{c:?}");
        assert!(
            !shown.contains(&hex_key) && !shown.contains(b64_key),
            "{shown}"
        );
        assert!(Config::from_sources(None, &env(&[]))
            .unwrap()
            .key_encryption_key
            .is_none());
        // Too short (16 bytes), not a key, or previous keys without a current one: refused.
        for (key, bad) in [
            ("LANGO_KEY_ENCRYPTION_KEY", "ab".repeat(16)),
            (
                "LANGO_KEY_ENCRYPTION_KEY",
                "a passphrase is not a key at all!".into(),
            ),
            ("LANGO_PREVIOUS_KEY_ENCRYPTION_KEYS", hex_key.clone()),
        ] {
            let err = Config::from_sources(None, &env(&[(key, &bad)])).unwrap_err();
            assert!(
                err.to_string()
                    .to_lowercase()
                    .contains(&key[6..].to_lowercase()),
                "{err}"
            );
        }
    }

    #[test]
    fn card_webhook_secret_must_be_long() {
        let card = |secret: &'static str| {
            env(&[
                ("LANGO_CARD_PROVIDER_URL", "https://pay.example"),
                ("LANGO_CARD_API_KEY", "k"),
                ("LANGO_CARD_WEBHOOK_SECRET", secret),
            ])
        };
        let err = Config::from_sources(None, &card("too-short")).unwrap_err();
        assert_eq!(err.setting, "LANGO_CARD_WEBHOOK_SECRET");
        assert!(err.to_string().contains("32"), "{err}");
        assert!(Config::from_sources(None, &card("0123456789abcdef0123456789abcdef")).is_ok());
    }
}
