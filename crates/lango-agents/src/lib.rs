//! Registered agents (cyber cafés, county agents): businesses vetted by platform staff to
//! apply and pay for people who are present, each time with that person's consent (a code
//! sent to their phone), for a commission that accrues in the ledger when the bill is paid
//! and is listed on monthly statements.

pub mod accrual;
pub mod commission;
pub mod documents;
pub mod figures;
pub mod fraud;
pub mod model;
pub mod payout;
pub mod registry;
pub mod rules;
pub mod seed;
pub mod statement;

use lango_core::db::{Db, Migrations};
use std::time::Duration;

/// This crate's tables.
pub fn migrations() -> Migrations {
    Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}

/// Sweeps commission every `every` on this node until the database closes (see
/// [`accrual::sweep`]); a failed sweep is logged and tried again.
pub fn sweep_in_background(db: Db, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !db.pool().is_closed() {
            tokio::time::sleep(every).await;
            match accrual::sweep(&db).await {
                Ok(s) if s.accrued + s.clawed_back > 0 => {
                    tracing::debug!(
                        accrued = s.accrued,
                        clawed_back = s.clawed_back,
                        "agent commission swept"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "agent commission sweep failed; trying again"),
            }
        }
    })
}
