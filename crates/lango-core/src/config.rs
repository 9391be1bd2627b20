//! Configuration: an optional TOML file, overridden by `LANGO_*` environment variables.
//!
//! Every value is parsed at start-up; a wrong one stops Lango with a message that names
//! the setting, so a typo never becomes a silent default. Secrets are wrapped so that
//! `Debug` and logs never show them.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod edge;

/// Lango's settings after parsing.
#[derive(Clone)]
pub struct Config {
    /// The country this node serves (`country`, default `ke`): its pack's defaults fill
    /// the settings below that are not set.
    pub country: &'static crate::country::Pack,
    /// Where the embedded database, search index and files live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; `None` means the SQLite file in `data_dir`.
    pub database_url: Option<SecretString>,
    /// The address the web server listens on.
    pub listen: SocketAddr,
    /// A `tracing` filter such as `info` or `lango_web=debug,info`.
    pub log: String,
    /// `json` for machines, `pretty` for people.
    pub log_format: LogFormat,
    /// What the country calls its regional level ("County" in Kenya, "State" in Malaysia).
    pub regional_label: String,
    /// The same label in Kiswahili ("Kaunti").
    pub regional_label_sw: String,
    /// The address people reach this service at, used in links the API returns.
    pub public_url: String,
    /// How often each node looks for catalogue changes made elsewhere, in milliseconds.
    pub search_refresh_ms: u64,
    /// Most database connections one node opens.
    pub db_max_connections: u32,
    /// True when serving the demo country: outside parties are simulators, cookies not Secure.
    pub demo: bool,
    /// Sign-in with a national identity provider (OpenID Connect), when configured.
    pub oidc: Option<OidcConfig>,
    /// Webhook retries: first wait, ms (doubling each time).
    pub webhook_backoff_ms: u64,
    /// Webhook retries: longest wait, ms.
    pub webhook_backoff_cap_ms: u64,
    /// Webhook attempts before a delivery is dead.
    pub webhook_max_attempts: u64,
    /// How long a webhook receiver gets to answer, ms.
    pub webhook_timeout_ms: u64,
    /// The NATS server domain events are also published to (JetStream), when configured.
    pub nats_url: Option<SecretString>,
    /// The SMS gateway (Africa's Talking style), when configured; else SMS go to the log.
    pub sms: Option<SmsConfig>,
    /// Networks whose SMS delivery reports are believed (loopback too in demo mode).
    pub sms_report_networks: Vec<IpNetwork>,
    /// The M-Pesa paybill (Daraja `BusinessShortCode`) confirmations must be for.
    pub mpesa_shortcode: String,
    /// Networks M-Pesa callbacks are believed from (Safaricom's published ranges; loopback
    /// is also allowed in the demo).
    pub mpesa_source_networks: Vec<IpNetwork>,
    /// Networks the USSD gateway's requests are believed from (default: loopback only).
    pub ussd_source_networks: Vec<IpNetwork>,
    /// The SMTP relay for e-mail, when configured; else e-mail goes to the log.
    pub email: Option<EmailConfig>,
    /// Safaricom's Daraja API (STK push, Pull Transactions), when configured.
    pub daraja: Option<DarajaConfig>,
    /// The hosted card-payment page provider, when configured.
    pub card: Option<CardConfig>,
    /// FPX online banking (Malaysia's direct-debit gateway), when configured.
    pub fpx: Option<FpxConfig>,
    /// How often the Pull Transactions sweep runs, ms (when Daraja is configured).
    pub reconcile_sweep_ms: u64,
    /// The hour (0–23, East Africa Time) after which yesterday's settlement batches are made.
    pub settlement_hour: u8,
    /// How long a stopping node keeps serving with `/readyz` at 503, so its load balancer
    /// takes it out before it stops accepting, ms (0: stop at once).
    pub drain_ms: u64,
    /// The longest a stopping node waits for requests in flight, ms.
    pub shutdown_grace_ms: u64,
    /// Where OpenTelemetry traces go (OTLP/HTTP, JSON), such as
    /// `http://collector:4318/v1/traces`; none are sent when unset.
    pub otlp_traces_url: Option<String>,
    /// The convenience-fee bands for the home currency, `below:fee,…,*:fee` in whole units
    /// (checked by the payments room when a node starts).
    pub convenience_fees: String,
    /// The currencies agencies may bill in (`bill_currencies`, a comma list; default the
    /// pack's), the home currency first.
    pub bill_currencies: Vec<crate::money::Currency>,
    /// A folder of service definitions (`*.yaml`) loaded when a node starts, when set.
    pub definitions_dir: Option<PathBuf>,
    /// A folder of Fluent word files (`sw.ftl`, `en.ftl`) read in place of the built-in
    /// ones when a node starts, when set (docs/translating.md).
    pub words_dir: Option<PathBuf>,
    /// Where documents are stored: a directory path or `file:///…`, or `s3://bucket/prefix`
    /// (S3-compatible); `None` means `documents` inside `data_dir`.
    pub documents_url: Option<String>,
    /// The key that signs issued documents' verification codes; `None` means a key kept in
    /// `data_dir` (made on first use). Every node of one platform must share it.
    pub signing_key: Option<SecretString>,
    /// The digitisation target published beside progress, `80% by 2027-06-30` (checked by
    /// the insights room when a node starts).
    pub digitisation_target: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed; empty: the peer is the client.
    pub trusted_proxies: Vec<IpNetwork>,
    /// Networks that may read `/metrics` besides loopback; empty: anyone in the demo,
    /// loopback only elsewhere.
    pub metrics_networks: Vec<IpNetwork>,
    /// A secret path segment M-Pesa callbacks must carry (`/channels/mpesa/{token}/…`), when set.
    pub mpesa_callback_token: Option<SecretString>,
    /// Lets webhook receivers be plain http and on private or loopback addresses (demo and
    /// tests only: elsewhere a receiver must be https on a public address).
    pub webhook_allow_private: bool,
    /// The key-encryption key that seals secrets at rest (32 bytes, hex or base64); `None`
    /// means a key kept in the database (demo and tests). Every node must share it.
    pub key_encryption_key: Option<SecretString>,
    /// Keys that sealed before a rotation: they still open, and a node starting reseals
    /// with `key_encryption_key` what they sealed.
    pub previous_key_encryption_keys: Vec<SecretString>,
}

/// Safaricom's Daraja API as Lango calls it.
#[derive(Clone)]
pub struct DarajaConfig {
    /// `https://api.safaricom.co.ke` in production, a simulator in the demo and tests.
    pub base_url: String,
    /// The app's consumer key (OAuth client id).
    pub consumer_key: String,
    /// The app's consumer secret.
    pub consumer_secret: SecretString,
    /// The Lipa na M-Pesa Online passkey (STK push password).
    pub passkey: SecretString,
}

/// A hosted card-payment page provider (GOV.UK Pay style).
#[derive(Clone)]
pub struct CardConfig {
    /// The provider's API base URL.
    pub provider_url: String,
    /// Lango's API key there.
    pub api_key: SecretString,
    /// The secret the provider signs its webhooks with.
    pub webhook_secret: SecretString,
}

/// FPX online banking: the gateway, Lango's seller identity there and the keys that sign
/// both ways (RSA, PEM). Messages Lango sends are signed with `seller_key`; the gateway's
/// are checked with `gateway_key`.
#[derive(Clone)]
pub struct FpxConfig {
    /// The gateway's base URL (its pages and its server-to-server endpoints).
    pub gateway_url: String,
    /// Lango's seller exchange id (`fpx_sellerExId`).
    pub exchange_id: String,
    /// Lango's seller id (`fpx_sellerId`).
    pub seller_id: String,
    /// Lango's private key (PKCS#8 or PKCS#1 PEM).
    pub seller_key: SecretString,
    /// The gateway's public key (SPKI or PKCS#1 PEM).
    pub gateway_key: String,
}

/// The national identity provider Lango signs people in with.
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer URL (its discovery document is at `/.well-known/openid-configuration`).
    pub issuer: String,
    /// Lango's client id there.
    pub client_id: String,
    /// Lango's client secret there.
    pub client_secret: SecretString,
}

/// An SMS gateway that speaks Africa's Talking's API.
#[derive(Clone)]
pub struct SmsConfig {
    /// Where messages are posted (`…/version1/messaging`).
    pub gateway_url: String,
    /// The account's username there.
    pub username: String,
    /// The account's API key.
    pub api_key: SecretString,
    /// The sender id or short code shown to people, when the account has one.
    pub sender: Option<String>,
}

/// The SMTP relay e-mail leaves through.
#[derive(Clone)]
pub struct EmailConfig {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…`, or `smtp://localhost:25`.
    pub smtp_url: SecretString,
    /// The From address, e.g. `Lango <no-reply@lango.go.ke>`.
    pub from: String,
}

/// An address range such as `196.201.214.0/24` (a bare address is a range of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    /// The range's first address.
    pub addr: std::net::IpAddr,
    /// How many leading bits are fixed.
    pub prefix: u8,
}

impl IpNetwork {
    /// Parses `ADDRESS` or `ADDRESS/PREFIX`.
    pub fn parse(s: &str) -> Option<IpNetwork> {
        let (a, p) = s.trim().split_once('/').unwrap_or((s.trim(), ""));
        let addr: std::net::IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if p.is_empty() { max } else { p.parse().ok()? };
        (prefix <= max).then_some(IpNetwork { addr, prefix })
    }

    /// True when `ip` lies in the range (IPv4 peers seen as `::ffff:a.b.c.d` included).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        let ip = match ip {
            V6(v6) => v6.to_ipv4_mapped().map_or(ip, V4),
            v4 => v4,
        };
        let (a, b, bits) = match (self.addr, ip) {
            (V4(a), V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
            (V6(a), V6(b)) => (u128::from(a), u128::from(b), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        shift >= bits || (a >> shift) == (b >> shift)
    }
}

/// The format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable lines.
    Pretty,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("country", &self.country.code)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "[redacted]"),
            )
            .field("listen", &self.listen)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("regional_label", &self.regional_label)
            .field("regional_label_sw", &self.regional_label_sw)
            .field("public_url", &self.public_url)
            .field("search_refresh_ms", &self.search_refresh_ms)
            .field("db_max_connections", &self.db_max_connections)
            .field("demo", &self.demo)
            .field("webhook_backoff_ms", &self.webhook_backoff_ms)
            .field("webhook_backoff_cap_ms", &self.webhook_backoff_cap_ms)
            .field("webhook_max_attempts", &self.webhook_max_attempts)
            .field("webhook_timeout_ms", &self.webhook_timeout_ms)
            .field(
                "oidc_issuer",
                &self.oidc.as_ref().map(|o| o.issuer.as_str()),
            )
            .field("nats_url", &self.nats_url.as_ref().map(|_| "[redacted]"))
            .field(
                "sms_gateway_url",
                &self.sms.as_ref().map(|s| s.gateway_url.as_str()),
            )
            .field("sms_report_networks", &self.sms_report_networks)
            .field("mpesa_shortcode", &self.mpesa_shortcode)
            .field("mpesa_source_networks", &self.mpesa_source_networks)
            .field("ussd_source_networks", &self.ussd_source_networks)
            .field("email_from", &self.email.as_ref().map(|e| e.from.as_str()))
            .field(
                "daraja_base_url",
                &self.daraja.as_ref().map(|d| d.base_url.as_str()),
            )
            .field(
                "card_provider_url",
                &self.card.as_ref().map(|c| c.provider_url.as_str()),
            )
            .field(
                "fpx_gateway_url",
                &self.fpx.as_ref().map(|f| f.gateway_url.as_str()),
            )
            .field("reconcile_sweep_ms", &self.reconcile_sweep_ms)
            .field("settlement_hour", &self.settlement_hour)
            .field("drain_ms", &self.drain_ms)
            .field("shutdown_grace_ms", &self.shutdown_grace_ms)
            // The collector's address may carry credentials: only whether it is set.
            .field(
                "otlp_traces_url",
                &self.otlp_traces_url.as_ref().map(|_| "(set)"),
            )
            .field("convenience_fees", &self.convenience_fees)
            .field("bill_currencies", &self.bill_currencies)
            .field("definitions_dir", &self.definitions_dir)
            .field("words_dir", &self.words_dir)
            .field("documents_url", &self.documents_url)
            .field("digitisation_target", &self.digitisation_target)
            .field(
                "signing_key",
                &self.signing_key.as_ref().map(|_| "[redacted]"),
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_networks", &self.metrics_networks)
            .field(
                "mpesa_callback_token",
                &self.mpesa_callback_token.as_ref().map(|_| "[redacted]"),
            )
            .field("webhook_allow_private", &self.webhook_allow_private)
            .field(
                "key_encryption_key",
                &self.key_encryption_key.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "previous_key_encryption_keys",
                &self.previous_key_encryption_keys.len(),
            )
            .finish()
    }
}

/// A setting that could not be used, named as the operator wrote it.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {message}")]
pub struct ConfigError {
    /// The file key or environment variable at fault.
    pub setting: String,
    /// What was wrong and what is expected.
    pub message: String,
}

/// A comma-separated list of addresses or ranges (`196.201.214.0/24`), empty when unset.
fn networks(value: Option<(String, String)>) -> Result<Vec<IpNetwork>, ConfigError> {
    let Some((setting, v)) = value else {
        return Ok(Vec::new());
    };
    v.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|part| {
            IpNetwork::parse(part).ok_or_else(|| {
                config_error(
                    &setting,
                    format!("expected addresses or ranges like 196.201.214.0/24, got {part:?}"),
                )
            })
        })
        .collect()
}

/// An `http://` or `https://` URL without its trailing slash.
fn http_url(setting: &str, v: &str) -> Result<String, ConfigError> {
    if v.starts_with("https://") || v.starts_with("http://") {
        Ok(v.trim_end_matches('/').to_string())
    } else {
        Err(config_error(setting, "expected an https:// URL"))
    }
}

/// A whole number that must be at least 1, or `default` when not set.
fn positive(setting: &str, value: Option<u64>, default: u64) -> Result<u64, ConfigError> {
    match value {
        Some(0) => Err(config_error(setting, "must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

fn config_error(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_string(),
        message: message.into(),
    }
}

/// The file's keys, each also settable as `LANGO_<KEY>` in upper case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<String>,
    database_url: Option<String>,
    listen: Option<String>,
    log: Option<String>,
    log_format: Option<String>,
    country: Option<String>,
    regional_label: Option<String>,
    regional_label_sw: Option<String>,
    public_url: Option<String>,
    search_refresh_ms: Option<u64>,
    db_max_connections: Option<u32>,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    webhook_backoff_ms: Option<u64>,
    webhook_backoff_cap_ms: Option<u64>,
    webhook_max_attempts: Option<u64>,
    webhook_timeout_ms: Option<u64>,
    nats_url: Option<String>,
    sms_gateway_url: Option<String>,
    sms_username: Option<String>,
    sms_api_key: Option<String>,
    sms_sender: Option<String>,
    sms_report_networks: Option<String>,
    mpesa_shortcode: Option<String>,
    mpesa_source_networks: Option<String>,
    ussd_source_networks: Option<String>,
    smtp_url: Option<String>,
    email_from: Option<String>,
    daraja_base_url: Option<String>,
    daraja_consumer_key: Option<String>,
    daraja_consumer_secret: Option<String>,
    daraja_passkey: Option<String>,
    card_provider_url: Option<String>,
    card_api_key: Option<String>,
    card_webhook_secret: Option<String>,
    fpx_gateway_url: Option<String>,
    fpx_exchange_id: Option<String>,
    fpx_seller_id: Option<String>,
    fpx_seller_key_file: Option<String>,
    fpx_gateway_key_file: Option<String>,
    reconcile_sweep_ms: Option<u64>,
    settlement_hour: Option<u64>,
    drain_ms: Option<u64>,
    shutdown_grace_ms: Option<u64>,
    otlp_traces_url: Option<String>,
    convenience_fees: Option<String>,
    bill_currencies: Option<String>,
    definitions_dir: Option<String>,
    words_dir: Option<String>,
    documents_url: Option<String>,
    signing_key: Option<String>,
    digitisation_target: Option<String>,
    trusted_proxies: Option<String>,
    metrics_networks: Option<String>,
    mpesa_callback_token: Option<String>,
    webhook_allow_private: Option<bool>,
    key_encryption_key: Option<String>,
    previous_key_encryption_keys: Option<String>,
}

impl Config {
    /// Loads the file at `path` (if any) and then the process environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_with(path, &[])
    }

    /// As `load`, with `overrides` (`LANGO_…` names) taking the place of the environment's
    /// (a command's own flags, such as `demo --country`).
    pub fn load_with(
        path: Option<&Path>,
        overrides: &[(&str, String)],
    ) -> Result<Config, ConfigError> {
        let mut env: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("LANGO_"))
            .collect();
        env.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Config::from_sources(path, &env)
    }

    /// Loads from an explicit file and environment map (tests use this).
    pub fn from_sources(
        path: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let path = path
            .map(Path::to_path_buf)
            .or_else(|| env.get("LANGO_CONFIG").map(PathBuf::from));
        let file = match &path {
            Some(p) => {
                let label = p.display().to_string();
                let text = std::fs::read_to_string(p)
                    .map_err(|e| config_error(&label, format!("cannot read: {e}")))?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| config_error(&label, e.message().to_string()))?
            }
            None => FileConfig::default(),
        };
        // The environment wins over the file, key by key.
        let pick = |key: &str, from_file: Option<String>| -> Option<(String, String)> {
            let var = format!("LANGO_{}", key.to_uppercase());
            match env.get(&var) {
                Some(v) => Some((var, v.clone())),
                None => from_file.map(|v| (key.to_string(), v)),
            }
        };
        let num = |key: &str, from_file: Option<u64>| -> Result<Option<u64>, ConfigError> {
            match pick(key, from_file.map(|n| n.to_string())) {
                Some((setting, v)) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                    config_error(&setting, format!("expected a whole number, got {v:?}"))
                }),
                None => Ok(None),
            }
        };

        let data_dir = pick("data_dir", file.data_dir)
            .map(|(_, v)| PathBuf::from(v))
            .unwrap_or_else(|| PathBuf::from("./lango-data"));
        let database_url = match pick("database_url", file.database_url) {
            Some((setting, v)) => {
                if !(v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://"))
                {
                    return Err(config_error(
                        &setting,
                        "expected a sqlite://… or postgres://… URL",
                    ));
                }
                Some(SecretString::from(v))
            }
            None => None,
        };
        let listen = match pick("listen", file.listen) {
            Some((setting, v)) => v.parse::<SocketAddr>().map_err(|_| {
                config_error(
                    &setting,
                    format!("expected an address such as 127.0.0.1:8080, got {v:?}"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let log = pick("log", file.log).map_or_else(|| "info".to_string(), |(_, v)| v);
        let log_format = match pick("log_format", file.log_format) {
            Some((setting, v)) => match v.as_str() {
                "json" => LogFormat::Json,
                "pretty" => LogFormat::Pretty,
                _ => {
                    return Err(config_error(
                        &setting,
                        format!("expected json or pretty, got {v:?}"),
                    ))
                }
            },
            None => LogFormat::Pretty,
        };
        let country = match pick("country", file.country) {
            Some((setting, v)) => {
                crate::country::Pack::named(v.trim()).map_err(|e| config_error(&setting, e))?
            }
            None => crate::country::Pack::named(crate::country::DEFAULT)
                .map_err(|e| config_error("country", e))?,
        };
        let label = |lang: &str| country.regional_label.in_or_first(lang, country);
        let regional_label =
            pick("regional_label", file.regional_label).map_or_else(|| label("en"), |(_, v)| v);
        // The second label is in the country's own language (Kaunti; Negeri).
        let local = country.local_language().unwrap_or("sw");
        let regional_label_sw = pick("regional_label_sw", file.regional_label_sw)
            .map_or_else(|| label(local), |(_, v)| v);
        let public_url = match pick("public_url", file.public_url) {
            Some((setting, v)) => {
                if !(v.starts_with("https://") || v.starts_with("http://")) {
                    return Err(config_error(
                        &setting,
                        "expected an http:// or https:// URL",
                    ));
                }
                v.trim_end_matches('/').to_string()
            }
            None => format!("http://{listen}"),
        };
        let search_refresh_ms = num("search_refresh_ms", file.search_refresh_ms)?.unwrap_or(1000);
        if search_refresh_ms == 0 {
            return Err(config_error("search_refresh_ms", "must be at least 1"));
        }
        let db_max_connections =
            match num("db_max_connections", file.db_max_connections.map(u64::from))? {
                Some(0) => return Err(config_error("db_max_connections", "must be at least 1")),
                Some(n) => {
                    u32::try_from(n).map_err(|_| config_error("db_max_connections", "too large"))?
                }
                None => 16,
            };
        // Optional: without it events stay in the database for webhooks and cursors only.
        let nats_url = match pick("nats_url", file.nats_url) {
            Some((setting, v)) => {
                if !(v.starts_with("nats://") || v.starts_with("tls://")) {
                    return Err(config_error(
                        &setting,
                        "expected a nats://host:4222 or tls://… URL",
                    ));
                }
                Some(SecretString::from(v))
            }
            None => None,
        };
        let oidc = match (
            pick("oidc_issuer", file.oidc_issuer),
            pick("oidc_client_id", file.oidc_client_id),
            pick("oidc_client_secret", file.oidc_client_secret),
        ) {
            (None, None, None) => None,
            (Some((setting, issuer)), Some((_, client_id)), Some((_, secret))) => {
                if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                    return Err(config_error(&setting, "expected the issuer's https:// URL"));
                }
                Some(OidcConfig {
                    issuer,
                    client_id,
                    client_secret: SecretString::from(secret),
                })
            }
            _ => {
                return Err(config_error(
                    "oidc_issuer",
                    "set oidc_issuer, oidc_client_id and oidc_client_secret together",
                ))
            }
        };
        let sms = match (
            pick("sms_gateway_url", file.sms_gateway_url),
            pick("sms_username", file.sms_username),
            pick("sms_api_key", file.sms_api_key),
        ) {
            (None, None, None) => None,
            (Some((setting, gateway_url)), Some((_, username)), Some((_, key))) => {
                if !(gateway_url.starts_with("https://") || gateway_url.starts_with("http://")) {
                    return Err(config_error(
                        &setting,
                        "expected the gateway's https:// URL",
                    ));
                }
                Some(SmsConfig {
                    gateway_url,
                    username,
                    api_key: SecretString::from(key),
                    sender: pick("sms_sender", file.sms_sender).map(|(_, v)| v),
                })
            }
            _ => {
                return Err(config_error(
                    "sms_gateway_url",
                    "set sms_gateway_url, sms_username and sms_api_key together",
                ))
            }
        };
        let sms_report_networks = networks(pick("sms_report_networks", file.sms_report_networks))?;
        let mpesa_source_networks =
            networks(pick("mpesa_source_networks", file.mpesa_source_networks))?;
        // Unset: loopback only, where the demo's phone and a local gateway run; a real
        // gateway's ranges are configured.
        let ussd_source_networks = networks(Some(
            pick("ussd_source_networks", file.ussd_source_networks)
                .unwrap_or_else(|| ("ussd_source_networks".into(), "127.0.0.0/8, ::1/128".into())),
        ))?;
        let mpesa_shortcode = match pick("mpesa_shortcode", file.mpesa_shortcode) {
            Some((setting, v))
                if !(5..=7).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_digit()) =>
            {
                return Err(config_error(
                    &setting,
                    format!("expected a paybill number such as 222222, got {v:?}"),
                ))
            }
            Some((_, v)) => v,
            None => "222222".to_string(),
        };
        let email = match (
            pick("smtp_url", file.smtp_url),
            pick("email_from", file.email_from),
        ) {
            (None, None) => None,
            (Some((setting, url)), Some((from_setting, from))) => {
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    return Err(config_error(
                        &setting,
                        "expected an smtp:// or smtps:// URL",
                    ));
                }
                if !from.contains('@') {
                    return Err(config_error(
                        &from_setting,
                        "expected an address like Lango <no-reply@example.go.ke>",
                    ));
                }
                Some(EmailConfig {
                    smtp_url: SecretString::from(url),
                    from,
                })
            }
            _ => {
                return Err(config_error(
                    "smtp_url",
                    "set smtp_url and email_from together",
                ))
            }
        };
        let daraja = match (
            pick("daraja_base_url", file.daraja_base_url),
            pick("daraja_consumer_key", file.daraja_consumer_key),
            pick("daraja_consumer_secret", file.daraja_consumer_secret),
            pick("daraja_passkey", file.daraja_passkey),
        ) {
            (None, None, None, None) => None,
            (Some((setting, url)), Some((_, key)), Some((_, secret)), Some((_, passkey))) => {
                Some(DarajaConfig {
                    base_url: http_url(&setting, &url)?,
                    consumer_key: key,
                    consumer_secret: SecretString::from(secret),
                    passkey: SecretString::from(passkey),
                })
            }
            _ => {
                return Err(config_error(
                    "daraja_base_url",
                    "set daraja_base_url, daraja_consumer_key, daraja_consumer_secret and daraja_passkey together",
                ))
            }
        };
        let card = match (
            pick("card_provider_url", file.card_provider_url),
            pick("card_api_key", file.card_api_key),
            pick("card_webhook_secret", file.card_webhook_secret),
        ) {
            (None, None, None) => None,
            (Some((setting, url)), Some((_, key)), Some((secret_setting, secret))) => {
                Some(CardConfig {
                    provider_url: http_url(&setting, &url)?,
                    api_key: SecretString::from(key),
                    webhook_secret: edge::long_secret(&secret_setting, secret)?,
                })
            }
            _ => {
                return Err(config_error(
                    "card_provider_url",
                    "set card_provider_url, card_api_key and card_webhook_secret together",
                ))
            }
        };
        let bill_currencies = match pick("bill_currencies", file.bill_currencies) {
            None => country.bill_currencies.clone(),
            Some((setting, v)) => {
                let listed: Vec<String> = v
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect();
                crate::country::bill_currencies(country.currency, &listed)
                    .map_err(|e| config_error(&setting, e))?
            }
        };
        let fpx = match (
            pick("fpx_gateway_url", file.fpx_gateway_url),
            pick("fpx_exchange_id", file.fpx_exchange_id),
            pick("fpx_seller_id", file.fpx_seller_id),
            pick("fpx_seller_key_file", file.fpx_seller_key_file),
            pick("fpx_gateway_key_file", file.fpx_gateway_key_file),
        ) {
            (None, None, None, None, None) => None,
            (
                Some((setting, url)),
                Some((_, exchange_id)),
                Some((_, seller_id)),
                Some((key_setting, key_file)),
                Some((gateway_setting, gateway_file)),
            ) => {
                let read = |setting: &str, file: &str| {
                    std::fs::read_to_string(file)
                        .map_err(|e| config_error(setting, format!("cannot read {file}: {e}")))
                };
                Some(FpxConfig {
                    gateway_url: http_url(&setting, &url)?,
                    exchange_id,
                    seller_id,
                    seller_key: SecretString::from(read(&key_setting, &key_file)?),
                    gateway_key: read(&gateway_setting, &gateway_file)?,
                })
            }
            _ => {
                return Err(config_error(
                    "fpx_gateway_url",
                    "set fpx_gateway_url, fpx_exchange_id, fpx_seller_id, fpx_seller_key_file and fpx_gateway_key_file together",
                ))
            }
        };
        let settlement_hour = match num("settlement_hour", file.settlement_hour)? {
            Some(h) if h > 23 => return Err(config_error("settlement_hour", "expected 0 to 23")),
            Some(h) => h as u8,
            None => 2,
        };
        let definitions_dir =
            pick("definitions_dir", file.definitions_dir).map(|(_, v)| PathBuf::from(v));
        let words_dir = pick("words_dir", file.words_dir).map(|(_, v)| PathBuf::from(v));
        let documents_url = match pick("documents_url", file.documents_url) {
            Some((setting, v)) if v.trim().is_empty() => {
                return Err(config_error(
                    &setting,
                    "expected a directory, a file:///… URL or an s3://bucket/prefix URL",
                ))
            }
            Some((setting, v)) if v.contains("://") && !(v.starts_with("file://") || v.starts_with("s3://")) => {
                return Err(config_error(
                    &setting,
                    format!("expected a directory, a file:///… URL or an s3://bucket/prefix URL, got {v:?}"),
                ))
            }
            other => other.map(|(_, v)| v.trim().to_string()),
        };
        let signing_key = match pick("signing_key", file.signing_key) {
            Some((setting, v)) if v.len() < 32 => {
                return Err(config_error(&setting, "must be at least 32 characters"))
            }
            other => other.map(|(_, v)| SecretString::from(v)),
        };
        let mpesa_callback_token = pick("mpesa_callback_token", file.mpesa_callback_token)
            .map(|(setting, v)| edge::path_token(&setting, v))
            .transpose()?;
        let webhook_allow_private = pick(
            "webhook_allow_private",
            file.webhook_allow_private.map(|b| b.to_string()),
        )
        .map(|(setting, v)| edge::flag(&setting, &v))
        .transpose()?
        .unwrap_or(false);
        let key_encryption_key = pick("key_encryption_key", file.key_encryption_key)
            .map(|(setting, v)| edge::encryption_key(&setting, v))
            .transpose()?;
        let previous_key_encryption_keys = match pick(
            "previous_key_encryption_keys",
            file.previous_key_encryption_keys,
        ) {
            Some((setting, v)) => v
                .split(',')
                .filter(|k| !k.trim().is_empty())
                .map(|k| edge::encryption_key(&setting, k.trim().to_string()))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        if key_encryption_key.is_none() && !previous_key_encryption_keys.is_empty() {
            return Err(config_error(
                "previous_key_encryption_keys",
                "set key_encryption_key too: previous keys only open, the current one seals",
            ));
        }
        Ok(Config {
            data_dir,
            database_url,
            listen,
            log,
            log_format,
            country,
            regional_label,
            regional_label_sw,
            public_url,
            search_refresh_ms,
            db_max_connections,
            demo: false,
            oidc,
            webhook_backoff_ms: positive(
                "webhook_backoff_ms",
                num("webhook_backoff_ms", file.webhook_backoff_ms)?,
                1_000,
            )?,
            webhook_backoff_cap_ms: positive(
                "webhook_backoff_cap_ms",
                num("webhook_backoff_cap_ms", file.webhook_backoff_cap_ms)?,
                600_000,
            )?,
            webhook_max_attempts: positive(
                "webhook_max_attempts",
                num("webhook_max_attempts", file.webhook_max_attempts)?,
                20,
            )?,
            webhook_timeout_ms: positive(
                "webhook_timeout_ms",
                num("webhook_timeout_ms", file.webhook_timeout_ms)?,
                10_000,
            )?,
            nats_url,
            sms,
            sms_report_networks,
            mpesa_shortcode,
            mpesa_source_networks,
            ussd_source_networks,
            email,
            daraja,
            card,
            fpx,
            reconcile_sweep_ms: positive(
                "reconcile_sweep_ms",
                num("reconcile_sweep_ms", file.reconcile_sweep_ms)?,
                900_000,
            )?,
            settlement_hour,
            drain_ms: num("drain_ms", file.drain_ms)?.unwrap_or(0),
            shutdown_grace_ms: positive(
                "shutdown_grace_ms",
                num("shutdown_grace_ms", file.shutdown_grace_ms)?,
                30_000,
            )?,
            otlp_traces_url: pick("otlp_traces_url", file.otlp_traces_url).map(|(_, v)| v),
            bill_currencies,
            convenience_fees: pick("convenience_fees", file.convenience_fees)
                .map_or_else(|| country.convenience_fees.clone(), |(_, v)| v),
            definitions_dir,
            words_dir,
            documents_url,
            signing_key,
            digitisation_target: pick("digitisation_target", file.digitisation_target)
                .map_or_else(|| country.digitisation_target.clone(), |(_, v)| v),
            trusted_proxies: networks(pick("trusted_proxies", file.trusted_proxies))?,
            metrics_networks: networks(pick("metrics_networks", file.metrics_networks))?,
            mpesa_callback_token,
            webhook_allow_private,
            key_encryption_key,
            previous_key_encryption_keys,
        })
    }

    /// The database URL in force: the configured one, or SQLite inside the data dir.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose_secret().to_string(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("lango.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./lango-data"));
        assert!(c
            .effective_database_url()
            .starts_with("sqlite://./lango-data/lango.db"));
    }

    #[test]
    fn environment_overrides_file_and_errors_name_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lango.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\n").unwrap();
        let c = Config::from_sources(Some(&file), &env(&[("LANGO_LOG", "warn")])).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.log, "warn");

        let err = Config::from_sources(None, &env(&[("LANGO_LISTEN", "nowhere")])).unwrap_err();
        assert_eq!(err.setting, "LANGO_LISTEN");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let err = Config::from_sources(Some(&file), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
        let err =
            Config::from_sources(None, &env(&[("LANGO_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert_eq!(err.setting, "LANGO_DATABASE_URL");
    }

    #[test]
    fn the_ussd_gateway_is_believed_from_loopback_unless_configured() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        let nets = &c.ussd_source_networks;
        assert!(nets
            .iter()
            .any(|n| n.contains("127.0.0.1".parse().unwrap())));
        assert!(nets.iter().any(|n| n.contains("::1".parse().unwrap())));
        assert!(!nets.iter().any(|n| n.contains("10.1.2.3".parse().unwrap())));
        let c = Config::from_sources(
            None,
            &env(&[("LANGO_USSD_SOURCE_NETWORKS", "196.201.214.0/24")]),
        )
        .unwrap();
        assert!(c.ussd_source_networks[0].contains("196.201.214.9".parse().unwrap()));
        assert!(!c.ussd_source_networks[0].contains("127.0.0.1".parse().unwrap()));
        let err = Config::from_sources(None, &env(&[("LANGO_USSD_SOURCE_NETWORKS", "nope")]))
            .unwrap_err();
        assert!(
            err.to_string().contains("LANGO_USSD_SOURCE_NETWORKS"),
            "{err}"
        );
    }

    #[test]
    fn channels_are_set_together_and_secrets_stay_hidden() {
        let c = Config::from_sources(
            None,
            &env(&[
                (
                    "LANGO_SMS_GATEWAY_URL",
                    "https://sms.example/version1/messaging",
                ),
                ("LANGO_SMS_USERNAME", "lango"),
                ("LANGO_SMS_API_KEY", "atsk_hunter2"),
                ("LANGO_SMS_REPORT_NETWORKS", "196.201.214.0/24, ::1"),
                ("LANGO_SMTP_URL", "smtp://u:hunter3@mail.example:587"),
                ("LANGO_EMAIL_FROM", "Lango <no-reply@example.go.ke>"),
            ]),
        )
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("hunter3"),
            "{shown}"
        );
        let nets = &c.sms_report_networks;
        assert!(nets[0].contains("196.201.214.77".parse().unwrap()));
        assert!(!nets[0].contains("196.201.215.1".parse().unwrap()));
        assert!(nets[1].contains("::1".parse().unwrap()));
        let err = Config::from_sources(None, &env(&[("LANGO_SMS_USERNAME", "x")])).unwrap_err();
        assert!(err.to_string().contains("sms_gateway_url"), "{err}");
        let err = Config::from_sources(None, &env(&[("LANGO_SMS_REPORT_NETWORKS", "10.0.0.0/40")]))
            .unwrap_err();
        assert_eq!(err.setting, "LANGO_SMS_REPORT_NETWORKS");
    }

    #[test]
    fn nats_url_is_optional_and_checked() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        assert!(c.nats_url.is_none());
        let c = Config::from_sources(None, &env(&[("LANGO_NATS_URL", "nats://127.0.0.1:4222")]))
            .unwrap();
        assert_eq!(c.nats_url.unwrap().expose_secret(), "nats://127.0.0.1:4222");
        let err =
            Config::from_sources(None, &env(&[("LANGO_NATS_URL", "127.0.0.1:4222")])).unwrap_err();
        assert_eq!(err.setting, "LANGO_NATS_URL");
    }

    #[test]
    fn the_country_pack_fills_what_is_not_set_and_an_unknown_one_is_refused() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(c.country.code, "ke");
        assert_eq!(
            (c.regional_label.as_str(), c.regional_label_sw.as_str()),
            ("County", "Kaunti")
        );
        assert_eq!(c.convenience_fees, c.country.convenience_fees);
        assert_eq!(c.digitisation_target, "80% by 2027-06-30");
        let c = Config::from_sources(
            None,
            &env(&[("LANGO_COUNTRY", "ke"), ("LANGO_REGIONAL_LABEL", "Region")]),
        )
        .unwrap();
        assert_eq!(
            (c.regional_label.as_str(), c.regional_label_sw.as_str()),
            ("Region", "Kaunti")
        );
        let err = Config::from_sources(None, &env(&[("LANGO_COUNTRY", "zz")])).unwrap_err();
        assert_eq!(err.setting, "LANGO_COUNTRY");
        assert!(err.to_string().contains("packs: ke"), "{err}");
    }

    #[test]
    fn cases_settings_are_optional_and_checked() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        assert!(
            c.definitions_dir.is_none() && c.documents_url.is_none() && c.signing_key.is_none()
        );
        let c = Config::from_sources(
            None,
            &env(&[
                ("LANGO_DEFINITIONS_DIR", "/etc/lango/services"),
                ("LANGO_DOCUMENTS_URL", "s3://bucket/docs"),
                (
                    "LANGO_SIGNING_KEY",
                    "0123456789abcdef0123456789abcdef-hunter4",
                ),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.definitions_dir,
            Some(PathBuf::from("/etc/lango/services"))
        );
        assert_eq!(c.documents_url.as_deref(), Some("s3://bucket/docs"));
        assert!(!format!("{c:?}").contains("hunter4"));
        let err =
            Config::from_sources(None, &env(&[("LANGO_DOCUMENTS_URL", "ftp://x/y")])).unwrap_err();
        assert_eq!(err.setting, "LANGO_DOCUMENTS_URL");
        let err = Config::from_sources(None, &env(&[("LANGO_SIGNING_KEY", "short")])).unwrap_err();
        assert_eq!(err.setting, "LANGO_SIGNING_KEY");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let c = Config::from_sources(
            None,
            &env(&[("LANGO_DATABASE_URL", "postgres://u:hunter2@db/lango")]),
        )
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
