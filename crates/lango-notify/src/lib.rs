//! Telling people and agency systems what happened: the message outbox (SMS, e-mail),
//! domain events, signed webhooks to agency systems, and the exchange log.

pub mod events;
pub mod outbox;
pub mod webhooks;

pub use outbox::*;

use lango_core::db::Migrations;

/// This crate's tables.
pub fn migrations() -> Migrations {
    Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}
