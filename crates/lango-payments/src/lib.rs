//! Payments: the parts every channel shares. A bill's short reference with its check
//! character, the convenience fee bands, and the double-entry transaction that every
//! receipt becomes. Channels (M-Pesa, card), reconciliation and settlement build on these.

pub mod fees;
pub mod ledger;
pub mod reference;

pub use reference::BillReference;
