//! Lango's shared foundation: the pieces every domain crate stands on.

pub mod attached;
pub mod audit;
pub mod audit_checkpoint;
pub mod clock;
pub mod committer;
pub mod config;
pub mod country;
pub mod db;
pub mod error;
pub mod keys;
pub mod local_path;
pub mod money;
pub mod net;
pub mod own_thread;
pub mod reference;
pub mod sample_data;
pub mod sealed;
pub mod spreadsheet;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod testdb;
pub mod word_enum;

pub use error::{Error, Result};
