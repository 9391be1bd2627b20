//! Payments: the parts every channel shares. A bill's short reference with its check
//! character, the convenience fee bands, and the double-entry transaction that every
//! receipt becomes. Channels (M-Pesa, card), reconciliation and settlement build on these.

pub mod bill_events;
pub mod bill_status;
pub mod bills;
pub mod bills_in_tx;
pub mod callbacks;
pub mod cards;
pub mod cash;
pub mod daraja;
pub mod daraja_api;
pub mod fees;
pub mod finance;
pub mod fpx;
pub mod ledger;
pub mod mpesa;
mod outbound;
pub mod posting;
pub mod pull;
pub mod receipts;
pub mod reconcile;
pub mod reference;
pub mod refunds;
pub mod settlement;
pub mod statement;
pub mod stk;
pub mod store;

pub use bill_status::BillStatus;
pub use reference::BillReference;

/// This crate's tables.
pub fn migrations() -> lango_core::db::Migrations {
    lango_core::db::Migrations {
        sqlite: sqlx::migrate!("./migrations/sqlite"),
        postgres: sqlx::migrate!("./migrations/postgres"),
    }
}
