//! The `bill.raised` event, emitted in the transaction that writes the bill (by an agency's
//! system or an application's submission): it carries what telling the payer needs (their
//! contacts as on the bill, what is owed, until when), so that the message follows from the
//! event alone.

use crate::bills::Payer;
use crate::bills_in_tx::NewBill;
use lango_core::money::Money;
use lango_core::Result;

/// A bill just written, as its event tells it.
#[derive(Debug, Clone, Copy)]
pub struct Raised<'a> {
    /// The bill's reference (the payment number).
    pub reference: &'a str,
    /// The agency owed.
    pub agency: &'a str,
    /// The catalogue service paid for.
    pub service_code: &'a str,
    /// The raiser's own reference (an application's reference).
    pub agency_reference: &'a str,
    /// What it is for.
    pub description: &'a str,
    /// Who pays, as on the bill.
    pub payer: &'a Payer,
    /// What the agency asks for.
    pub service_amount: Money,
    /// The convenience fee on top.
    pub fee: Money,
    /// The end (unix ms) of the last day it may be paid, if it expires.
    pub expires_at: Option<i64>,
    /// Who raised it (`application`, an account, an API key).
    pub created_by: &'a str,
}

impl<'a> From<&'a NewBill> for Raised<'a> {
    fn from(b: &'a NewBill) -> Raised<'a> {
        Raised {
            reference: &b.reference,
            agency: &b.agency,
            service_code: &b.service_code,
            agency_reference: &b.agency_reference,
            description: &b.description,
            payer: &b.payer,
            service_amount: b.amount,
            fee: b.fee,
            expires_at: None,
            created_by: &b.created_by,
        }
    }
}

impl Raised<'_> {
    /// The event's data.
    pub fn data(&self) -> serde_json::Value {
        let total = Money::from_minor(
            self.service_amount.minor() + self.fee.minor(),
            self.service_amount.currency(),
        );
        serde_json::json!({
            "reference": self.reference,
            "agency_reference": self.agency_reference,
            "service_code": self.service_code,
            "description": self.description,
            "currency": self.service_amount.currency().code(),
            "service_amount": self.service_amount.to_decimal(),
            "convenience_fee": self.fee.to_decimal(),
            "amount": total.to_decimal(),
            "expires_at": self.expires_at,
            "created_by": self.created_by,
            "payer": {
                "name": self.payer.name,
                "phone": self.payer.phone,
                "email": self.payer.email,
            },
        })
    }
}

impl<'a> Raised<'a> {
    /// Its `bill.raised` event, for the caller to emit with the rest of its transaction's.
    pub fn event(&self) -> lango_notify::events::NewEvent<'a> {
        lango_notify::events::NewEvent {
            kind: "bill.raised",
            agency: self.agency,
            order_key: self.reference,
            data: self.data(),
        }
    }
}

/// Emits one `bill.raised` event per bill inside `tx` (one counter step for them all).
pub async fn emit_raised(tx: &mut sqlx::AnyConnection, bills: &[Raised<'_>]) -> Result<()> {
    let events: Vec<_> = bills.iter().map(Raised::event).collect();
    lango_notify::events::emit_many(tx, &events).await?;
    Ok(())
}
