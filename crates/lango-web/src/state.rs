//! What every handler can reach.

use lango_catalogue::Catalogue;
use lango_core::config::Config;
use lango_core::db::Db;
use std::sync::Arc;

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The live catalogue and its search index.
    pub catalogue: Arc<Catalogue>,
    /// Settings in force.
    pub config: Arc<Config>,
    /// Service codes featured on the home page, in order.
    pub popular: Arc<Vec<String>>,
}
