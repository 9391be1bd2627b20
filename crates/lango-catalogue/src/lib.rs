//! The one catalogue: every agency's services, searchable in English and Kiswahili.
//!
//! `model` holds the parsed types, `csv` the import and export format, `store` the SQL,
//! `search` the in-memory index each node keeps, and `service` the operations the web
//! crate and the CLI call; `edit` and `admin` are agency administrators' edits of their
//! own entries, with their history.

pub mod admin;
pub mod csv;
pub mod edit;
pub mod malay;
pub mod model;
pub mod search;
pub mod seed;
pub mod service;
pub mod snapshot;
pub mod store;
pub mod topics;

pub use model::*;
pub use search::{SearchHit, SearchPage, SearchRequest};
pub use service::Catalogue;

/// Migrations for the catalogue's tables.
pub fn migrations() -> lango_core::db::Migrations {
    lango_core::db::Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}
