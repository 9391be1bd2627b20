//! Wiring: turns a [`Config`] into a running node, and loads the demo country.

pub mod backup;
pub mod cases_cli;
pub mod demo;
pub mod documents_cli;
pub mod payments_cli;
pub mod traces;

use anyhow::Context;
use lango_catalogue::Catalogue;
use lango_core::config::Config;
use lango_core::db::Db;
use lango_web::state::Shared;
use lango_web::AppState;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Every crate's migrations, in the order their tables depend on each other.
pub fn migrations() -> Vec<lango_core::db::Migrations> {
    vec![
        lango_core::db::migrations(),
        lango_catalogue::migrations(),
        lango_centres::migrations(),
        lango_notify::migrations(),
        lango_identity::migrations(),
        lango_payments::migrations(),
        lango_cases::migrations(),
        lango_insights::migrations(),
        lango_documents::migrations(),
        lango_phone::migrations(),
        lango_agents::migrations(),
    ]
}

/// Every column that holds secrets sealed with the key-encryption key.
pub const SEALED: [lango_core::sealed::Column; 4] = [
    lango_core::keys::SEALED,
    lango_documents::keys::SEALED,
    lango_identity::totp::SEALED,
    lango_notify::webhooks::SEALED,
];

/// Connects to the configured database, applies pending migrations and seals what is not
/// yet sealed with the configured key-encryption key (rows from before sealing existed,
/// or from before a rotation).
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.effective_database_url(), config.db_max_connections)
        .await
        .context("cannot open the database")?;
    if let Some(keyring) = keyring(config) {
        db.use_keyring(keyring)?;
    }
    db.migrate(&migrations())
        .await
        .context("cannot migrate the database")?;
    lango_core::country::claim(&db, config.country)
        .await
        .context("country")?;
    let sealed = lango_core::sealed::reseal(&db, &SEALED)
        .await
        .context("cannot seal the secrets at rest")?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "secrets at rest sealed with the current key-encryption key"
        );
    }
    Ok(db)
}

/// The configured key-encryption key and the previous ones; `None` when none is
/// configured (the database's own key is used). A KMS or HSM would be wired in here.
pub fn keyring(config: &Config) -> Option<lango_core::sealed::Keyring> {
    use lango_core::sealed::{parse_key, Kek, LocalKek};
    use secrecy::ExposeSecret;
    // Checked when the configuration was read: a key that does not parse is not there.
    let kek = |k: &secrecy::SecretString| -> Option<Arc<dyn Kek>> {
        parse_key(k.expose_secret()).map(|k| Arc::new(LocalKek::new(&k)) as Arc<dyn Kek>)
    };
    let current = kek(config.key_encryption_key.as_ref()?)?;
    let previous = config
        .previous_key_encryption_keys
        .iter()
        .filter_map(kek)
        .collect();
    Some(lango_core::sealed::Keyring::new(current, previous))
}

/// Where the cases room keeps documents, how it signs what it issues, and the
/// convenience fees it adds to application fees' bills.
pub fn cases_settings(config: &Config) -> anyhow::Result<lango_cases::service::Settings> {
    let fees =
        lango_payments::fees::FeeTable::parse_in(&config.convenience_fees, config.country.currency)
            .map_err(|e| anyhow::anyhow!("configuration: convenience_fees: {e}"))?
            .billing_in(&config.bill_currencies);
    Ok(lango_cases::service::Settings {
        object_store_url: config
            .documents_url
            .clone()
            .unwrap_or_else(|| config.data_dir.join("documents").display().to_string()),
        // Empty: the cases room keeps a key of its own in the database, shared by every node.
        signing_key: platform_key(config).unwrap_or_default(),
        fees,
        public_url: config.public_url.clone(),
        s3_options: Vec::new(),
    })
}

/// The configured platform key (`signing_key`), which signs issued documents and the audit
/// chain's checkpoints.
pub fn platform_key(config: &Config) -> Option<Vec<u8>> {
    use secrecy::ExposeSecret;
    config
        .signing_key
        .as_ref()
        .map(|k| k.expose_secret().as_bytes().to_vec())
}

/// A node ready to serve: its state and the task that keeps its catalogue current.
pub struct Node {
    /// What handlers see.
    pub state: AppState,
    follower: tokio::task::JoinHandle<()>,
    notifier: tokio::task::JoinHandle<()>,
    /// Publishes domain events to NATS JetStream, when `nats_url` is configured.
    nats: Option<tokio::task::JoinHandle<()>>,
    webhooks: tokio::task::JoinHandle<()>,
    /// Reconciliation's Pull Transactions sweep, when Daraja is configured.
    pull: Option<tokio::task::JoinHandle<()>>,
    /// The daily settlement of agencies.
    settlement: tokio::task::JoinHandle<()>,
    /// SQLite's background checkpoints.
    checkpoint: Option<tokio::task::JoinHandle<()>>,
    /// Marks unpaid bills past their expiry day.
    expiry: tokio::task::JoinHandle<()>,
    /// Moves applications whose bills are paid out of their payment state.
    paid: tokio::task::JoinHandle<()>,
    /// Follows events into the published measures.
    measures: tokio::task::JoinHandle<()>,
    /// Follows events into messages to the people they concern.
    teller: tokio::task::JoinHandle<()>,
    /// Signs the audit chain's head every hour.
    audit_checkpoints: tokio::task::JoinHandle<()>,
    /// Centres' holidays, reminders and day closing.
    centre_chores: tokio::task::JoinHandle<()>,
    /// Accrues agents' commission on paid bills and claws back refunded ones.
    commission: tokio::task::JoinHandle<()>,
    /// Hears other nodes' API-key revocations, on PostgreSQL.
    key_revocations: Option<tokio::task::JoinHandle<()>>,
    /// Reads the database's gauges (backlogs, reconciliation findings) for /metrics.
    gauges: tokio::task::JoinHandle<()>,
}

/// The webhook retry schedule and limits from configuration.
pub fn webhook_settings(config: &Config) -> lango_notify::dispatch::Settings {
    let ms = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    lango_notify::dispatch::Settings {
        backoff_ms: ms(config.webhook_backoff_ms),
        backoff_cap_ms: ms(config.webhook_backoff_cap_ms),
        max_attempts: ms(config.webhook_max_attempts),
        timeout_ms: config.webhook_timeout_ms,
        receivers: lango_notify::receiver::Policy {
            allow_private: config.webhook_allow_private,
        },
        ..lango_notify::dispatch::Settings::default()
    }
}

/// Makes `pack` the country this process serves, once its languages are known to have words.
fn serve_country(pack: &'static lango_core::country::Pack) -> anyhow::Result<()> {
    if let Some(lang) = pack
        .languages
        .iter()
        .find(|l| lango_web::i18n::Lang::parse(l).is_none())
    {
        anyhow::bail!(
            "configuration: country: the {} pack's language {lang} has no words (docs/translating.md)",
            pack.code
        );
    }
    if !lango_core::country::install(pack) {
        anyhow::bail!(
            "configuration: country: this process already serves {}",
            lango_core::country::current().code
        );
    }
    Ok(())
}

impl Node {
    /// Opens the database, loads and indexes the catalogue, and starts following changes.
    pub async fn open(config: Config, popular: Vec<String>) -> anyhow::Result<Node> {
        if config.key_encryption_key.is_none() && !config.demo {
            tracing::warn!(
                "no key_encryption_key is configured: secrets at rest are sealed with a key \
                 kept in the database itself; configure one in production"
            );
        }
        // The country first (its pack has words of its own), then the words, before the
        // database: a words file a translator broke stops the node at once.
        serve_country(config.country)?;
        lango_web::words::load(config.words_dir.as_deref())
            .map_err(|e| anyhow::anyhow!("configuration: words_dir: {e}"))?;
        let db = open_db(&config).await?;
        let catalogue = Catalogue::open(db.clone())
            .await
            .context("cannot load the catalogue")?;
        let follower = catalogue.follow(Duration::from_millis(config.search_refresh_ms));
        lango_web::middleware::metrics_handle();
        lango_core::telemetry::register();
        // The SMS gateway and SMTP relay when configured; the log channel for the rest.
        let sender = lango_notify::channels::sender(&config)
            .map_err(|e| anyhow::anyhow!("cannot set up the notification channels: {e}"))?;
        let oidc = match &config.oidc {
            Some(o) => {
                use secrecy::ExposeSecret;
                let settings = lango_identity::oidc::OidcSettings {
                    issuer_url: o.issuer.clone(),
                    client_id: o.client_id.clone(),
                    client_secret: o.client_secret.expose_secret().to_string(),
                    redirect_url: format!("{}/signin/national-id/callback", config.public_url),
                };
                let provider = lango_identity::oidc::Provider::discover(settings)
                    .await
                    .context("cannot reach the national identity provider (oidc_issuer)")?;
                Some(Arc::new(provider))
            }
            None => None,
        };
        let notifier = lango_notify::spawn_worker(db.clone(), sender, Duration::from_millis(250));
        // A task of its own: an unreachable NATS server is retried and blocks nothing.
        let nats = config.nats_url.as_ref().map(|url| {
            use secrecy::ExposeSecret;
            let settings = lango_notify::nats::Settings::new(url.expose_secret());
            lango_notify::nats::spawn(db.clone(), settings)
        });
        let webhooks = lango_notify::dispatch::spawn(db.clone(), webhook_settings(&config));
        let pull = config.daraja.clone().map(|d| {
            let client = lango_payments::daraja_api::DarajaClient::new(d, &config.mpesa_shortcode);
            let every = Duration::from_millis(config.reconcile_sweep_ms);
            lango_payments::pull::spawn(db.clone(), Arc::new(client), every)
        });
        let settlement = lango_payments::settlement::spawn(db.clone(), config.settlement_hour);
        let checkpoint = db.checkpoint_in_background(Duration::from_millis(200));
        let expiry = lango_payments::bills::spawn_expiry(db.clone(), Duration::from_secs(60));
        let fees = lango_payments::fees::FeeTable::parse_in(
            &config.convenience_fees,
            config.country.currency,
        )
        .map_err(|e| anyhow::anyhow!("configuration: convenience_fees: {e}"))?
        .billing_in(&config.bill_currencies);
        let cases = lango_cases::Cases::open(db.clone(), cases_settings(&config)?)
            .await
            .context("cannot open the cases room")?;
        if let Some(dir) = &config.definitions_dir {
            let loaded = cases.load_definitions(dir).await.with_context(|| {
                format!("cannot load service definitions from {}", dir.display())
            })?;
            tracing::info!(loaded, dir = %dir.display(), "service definitions loaded");
        }
        let paid = cases.spawn_paid_sweeper(Duration::from_secs(1));
        let teller = cases.spawn_teller(Duration::from_millis(500));
        let target = lango_insights::digitisation::Target::parse(&config.digitisation_target)
            .map_err(|e| anyhow::anyhow!("configuration: digitisation_target: {e}"))?;
        let insights = lango_insights::Insights::new(
            db.clone(),
            cases.clone(),
            lango_insights::Settings {
                digitisation_target: target,
            },
        );
        let measures = insights.spawn_follower(Duration::from_secs(1));
        let audit_checkpoints =
            lango_core::audit_checkpoint::spawn(db.clone(), platform_key(&config));
        let centres = lango_centres::Centres::new(db.clone());
        let issuer = lango_identity::provider::Issuer::open(db.clone(), &config.public_url)
            .await
            .context("cannot open Sign in with Lango")?;
        let centre_chores = centres.spawn_chores(Duration::from_secs(60));
        let commission = lango_agents::sweep_in_background(db.clone(), Duration::from_secs(2));
        let key_revocations =
            lango_identity::apikey::hear_revocations(db.clone(), Duration::from_secs(1));
        let daraja = config.daraja.clone().map(|d| {
            Arc::new(lango_payments::daraja_api::DarajaClient::new(
                d,
                config.mpesa_shortcode.clone(),
            ))
        });
        // Built once: every channel that asks M-Pesa for a payment starts its prompt here.
        let prompter = lango_payments::stk::Prompter::new(
            daraja.clone(),
            &lango_payments::callbacks::CallbackPaths::new(config.mpesa_callback_token.clone()),
            &config.public_url,
        );
        let ussd = lango_phone::ussd::Ussd {
            db: db.clone(),
            cases: cases.clone(),
            catalogue: catalogue.clone(),
            prompter: prompter.clone(),
            paybill: config.mpesa_shortcode.clone(),
            centres: centres.clone(),
            insights: insights.clone(),
            steps: lango_phone::figures::Steps::start(db.clone()),
        };
        // FPX's keys are read once, here: a key that cannot be read stops the node now.
        let fpx = match &config.fpx {
            Some(f) => Some(Arc::new(
                lango_payments::fpx::Seller::new(f)
                    .map_err(|e| anyhow::anyhow!("configuration: {e}"))?,
            )),
            None => None,
        };
        let state = AppState::new(Shared {
            fpx,
            cases,
            centres,
            insights,
            published: Default::default(),
            mpesa: lango_payments::mpesa::Receipts::start(db.clone()),
            audit: lango_core::audit::Committer::start(db.clone()),
            ussd,
            prompter,
            fees: Arc::new(fees),
            db,
            catalogue,
            config: Arc::new(config),
            popular: Arc::new(popular),
            limits: Default::default(),
            draining: Default::default(),
            oidc,
            issuer,
        });
        let gauges = lango_web::middleware::spawn_gauges(state.clone(), Duration::from_secs(30));
        Ok(Node {
            state,
            follower,
            notifier,
            nats,
            webhooks,
            pull,
            settlement,
            checkpoint,
            expiry,
            paid,
            measures,
            teller,
            audit_checkpoints,
            centre_chores,
            commission,
            key_revocations,
            gauges,
        })
    }

    /// Serves on `listener` until `shutdown` resolves, then drains: `/readyz` answers 503
    /// for `drain_ms` while everything is still served (the load balancer takes the node
    /// out), then the node stops accepting, finishes the requests in flight (each answered
    /// only once its commit is durable) for at most `shutdown_grace_ms`, and closes the
    /// database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = lango_web::app(self.state.clone());
        let (drain, grace) = (
            Duration::from_millis(self.state.config.drain_ms),
            Duration::from_millis(self.state.config.shutdown_grace_ms),
        );
        let draining = self.state.draining.clone();
        let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown.await;
            draining.store(true, std::sync::atomic::Ordering::Relaxed);
            lango_core::telemetry::draining(true);
            tracing::info!(drain_ms = drain.as_millis() as u64, "draining");
            tokio::time::sleep(drain).await;
            let _ = stopping.send(());
        };
        let server = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .into_future();
        // In-flight requests get `grace` once the node stops accepting; then they are cut.
        let cut = async move {
            if stopped.await.is_ok() {
                tokio::time::sleep(grace).await;
                tracing::warn!("requests still running after shutdown_grace_ms: stopping");
            } else {
                std::future::pending::<()>().await;
            }
        };
        let cut_off = tokio::select! {
            served = server => {
                served.context("server failed")?;
                false
            }
            () = cut => true,
        };
        self.follower.abort();
        self.notifier.abort();
        if let Some(nats) = &self.nats {
            nats.abort();
        }
        self.webhooks.abort();
        if let Some(pull) = &self.pull {
            pull.abort();
        }
        self.settlement.abort();
        if let Some(checkpoint) = &self.checkpoint {
            checkpoint.abort();
        }
        self.expiry.abort();
        self.paid.abort();
        self.measures.abort();
        self.teller.abort();
        self.audit_checkpoints.abort();
        self.centre_chores.abort();
        self.commission.abort();
        if let Some(key_revocations) = &self.key_revocations {
            key_revocations.abort();
        }
        self.gauges.abort();
        if cut_off {
            // Requests cut off may still hold connections: close what comes back soon.
            let _ = tokio::time::timeout(Duration::from_secs(2), self.state.db.close()).await;
        } else {
            self.state.db.close().await;
        }
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
