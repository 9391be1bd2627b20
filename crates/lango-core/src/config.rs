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

/// Lango's settings after parsing.
#[derive(Clone)]
pub struct Config {
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
            .field(
                "oidc_issuer",
                &self.oidc.as_ref().map(|o| o.issuer.as_str()),
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
    regional_label: Option<String>,
    regional_label_sw: Option<String>,
    public_url: Option<String>,
    search_refresh_ms: Option<u64>,
    db_max_connections: Option<u32>,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
}

impl Config {
    /// Loads the file at `path` (if any) and then the process environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("LANGO_"))
            .collect();
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
        let regional_label = pick("regional_label", file.regional_label)
            .map_or_else(|| "County".to_string(), |(_, v)| v);
        let regional_label_sw = pick("regional_label_sw", file.regional_label_sw)
            .map_or_else(|| "Kaunti".to_string(), |(_, v)| v);
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
        Ok(Config {
            data_dir,
            database_url,
            listen,
            log,
            log_format,
            regional_label,
            regional_label_sw,
            public_url,
            search_refresh_ms,
            db_max_connections,
            demo: false,
            oidc,
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
