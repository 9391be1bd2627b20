//! Lango's shared foundation: the pieces every domain crate stands on.

pub mod audit;
pub mod audit_checkpoint;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod money;
pub mod own_thread;
#[cfg(feature = "test-support")]
pub mod testdb;

pub use error::{Error, Result};
