//! Any phone: the feature-phone channel. USSD menus (Africa's Talking's gateway format) and
//! SMS keywords reach the people with no browser or no data, over the same rooms as the web:
//! applications, bills and M-Pesa Express, appointments, queue tickets and surveys.

pub mod figures;
pub mod prefs;
pub mod sms;
pub mod sms_inbound;
pub mod ussd;

use lango_core::db::Migrations;

/// This crate's tables for both backends.
pub fn migrations() -> Migrations {
    Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}
