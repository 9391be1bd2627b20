//! Accounts and access: people, businesses and the people acting for them, staff roles,
//! sessions, one-time codes, second factors, API keys, and the one authorisation policy.
//!
//! Modules are the features: each holds its rules and its SQL. `model` has the types that
//! parse; `policy` decides every access question.

pub mod account;
pub mod apikey;
pub mod assist;
pub mod business;
pub mod claim;
pub mod correction;
pub mod landing;
pub mod messages;
pub mod model;
pub mod oidc;
pub mod otp;
pub mod password;
pub mod policy;
pub mod provider;
pub mod recovery;
pub mod seed;
pub mod session;
pub mod signin;
pub mod staff;
pub mod throttle;
pub mod token;
pub mod totp;

use lango_core::db::Migrations;

/// This crate's tables.
pub fn migrations() -> Migrations {
    Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}
