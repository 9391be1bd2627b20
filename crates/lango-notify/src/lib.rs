//! Telling people and agency systems what happened: the message outbox (SMS, e-mail),
//! domain events, signed webhooks to agency systems, and the exchange log.

pub mod dispatch;
pub mod events;
pub mod nats;
pub mod optout;
pub mod outbox;
pub mod receiver;
pub mod webhooks;

pub mod backlog;
pub mod channels;
mod defaults;
pub mod email;
mod notify;
pub mod sms;
pub mod templates;

pub use notify::{notify, Preference, Recipient};
pub use outbox::*;

use lango_core::db::Migrations;

/// This crate's tables.
pub fn migrations() -> Migrations {
    Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}
