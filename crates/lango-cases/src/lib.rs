//! Applications: a service is a definition (pages, fields, rules, fees, workflow,
//! outputs) that this crate parses and runs; applications move through its workflow.

pub mod activity;
pub mod application;
pub mod channel;
pub mod definition;
pub mod documents;
pub mod outputs;
mod paid;
pub mod reference;
pub mod registry;
pub mod seed;
pub mod service;
pub mod sla;
pub mod standard;
pub mod store;
mod submit;
pub mod tell;

pub use application::Application;
pub use channel::Channel;
pub use definition::Definition;
pub use service::Cases;

/// The cases room's tables for both backends.
pub fn migrations() -> lango_core::db::Migrations {
    lango_core::db::Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}
