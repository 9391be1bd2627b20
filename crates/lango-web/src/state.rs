//! What every handler can reach.

use lango_catalogue::Catalogue;
use lango_core::config::Config;
use lango_core::db::Db;
use std::sync::Arc;

/// Shared application state: one `Arc`, so the clone every layer and handler takes is one
/// counter, where a struct of a dozen shared parts cost a dozen contended counters per clone
/// (a fifth of the server's time under load, measured with perf).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Wraps the node's parts.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    /// Which webhook receivers subscriptions may name (`webhook_allow_private`).
    pub fn webhook_receivers(&self) -> lango_notify::receiver::Policy {
        lango_notify::receiver::Policy {
            allow_private: self.config.webhook_allow_private,
        }
    }
}

/// What every handler can reach, behind [`AppState`].
pub struct Shared {
    /// The database.
    pub db: Db,
    /// The node's audit committer: the exchange-log record of every agency call shares a
    /// commit with the others waiting at that moment instead of taking one of its own.
    pub audit: lango_core::audit::Committer,
    /// The live catalogue and its search index.
    pub catalogue: Arc<Catalogue>,
    /// Settings in force.
    pub config: Arc<Config>,
    /// Service codes featured on the home page, in order.
    pub popular: Arc<Vec<String>>,
    /// Sign in with Lango: the OpenID provider of agency systems.
    pub issuer: lango_identity::provider::Issuer,
    /// The national identity provider, when configured.
    pub oidc: Option<Arc<lango_identity::oidc::Provider>>,
    /// Lango as an FPX seller (its keys read once), when FPX is configured.
    pub fpx: Option<Arc<lango_payments::fpx::Seller>>,
    /// The node's M-Pesa receipt committer (C2B confirmations, STK callbacks).
    pub mpesa: lango_payments::mpesa::Receipts,
    /// Applications: definitions, the journey, the workflow, documents.
    pub cases: lango_cases::Cases,
    /// Service centres: appointments, queue tickets, counters.
    pub centres: lango_centres::Centres,
    /// Published measures: usage, KPIs, satisfaction, digitisation, performance contracts.
    pub insights: lango_insights::Insights,
    /// Public dashboards and figures kept for a few seconds.
    pub published: Arc<crate::published::Published>,
    /// The convenience-fee bands in force (`convenience_fees`).
    pub fees: Arc<lango_payments::fees::FeeTable>,
    /// The USSD menus over this node's rooms (`/channels/ussd`, the demo's phone).
    pub ussd: lango_phone::ussd::Ussd,
    /// Where this node's M-Pesa Express prompts start (every channel shares it).
    pub prompter: lango_payments::stk::Prompter,
    /// Per-client rate limits (forms, bill look-ups).
    pub limits: Arc<crate::limits::Limits>,
    /// Set when the node has been asked to stop: `/readyz` answers 503 while it drains.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}
