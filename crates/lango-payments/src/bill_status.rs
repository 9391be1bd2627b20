//! Where a bill stands, as a type: the stored word parses into it, and the rules that read it
//! (may it be paid? may money still be posted?) live here, not in pages.

use lango_core::Error;
use std::fmt;

/// A bill's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillStatus {
    /// Nothing paid yet.
    Open,
    /// Some paid, some still owed.
    PartlyPaid,
    /// Paid in full.
    Paid,
    /// Cancelled by the agency.
    Cancelled,
    /// Past its expiry unpaid.
    Expired,
}

impl BillStatus {
    /// The word stored, sent in events and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BillStatus::Open => "open",
            BillStatus::PartlyPaid => "partly_paid",
            BillStatus::Paid => "paid",
            BillStatus::Cancelled => "cancelled",
            BillStatus::Expired => "expired",
        }
    }

    /// Every status, in the order a bill goes through them.
    pub const ALL: [BillStatus; 5] = [
        BillStatus::Open,
        BillStatus::PartlyPaid,
        BillStatus::Paid,
        BillStatus::Cancelled,
        BillStatus::Expired,
    ];

    /// Reads a stored word.
    pub fn parse(word: &str) -> Option<BillStatus> {
        BillStatus::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// True when a payer may be asked to pay it (a prompt, a card, the pay page's button).
    pub fn is_payable(self) -> bool {
        matches!(self, BillStatus::Open | BillStatus::PartlyPaid)
    }

    /// True when money arriving may still be posted to it: a paid bill takes an overpayment
    /// as excess, held for refund.
    pub fn takes_money(self) -> bool {
        self.is_payable() || self == BillStatus::Paid
    }

    /// The status after a payment that leaves `balance` (minor units) to pay.
    pub fn after_payment(balance: i64) -> BillStatus {
        if balance == 0 {
            BillStatus::Paid
        } else {
            BillStatus::PartlyPaid
        }
    }
}

impl fmt::Display for BillStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for BillStatus {
    type Err = Error;

    fn from_str(word: &str) -> Result<BillStatus, Error> {
        BillStatus::parse(word)
            .ok_or_else(|| Error::Internal(format!("stored bill status {word:?} is not one")))
    }
}

#[cfg(test)]
mod tests {
    use super::BillStatus;

    #[test]
    fn every_status_parses_back_and_only_open_ones_are_payable() {
        for s in BillStatus::ALL {
            assert_eq!(BillStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        let payable: Vec<_> = BillStatus::ALL
            .into_iter()
            .filter(|s| s.is_payable())
            .collect();
        assert_eq!(payable, [BillStatus::Open, BillStatus::PartlyPaid]);
        assert_eq!(BillStatus::parse("unpaid"), None);
        assert!(BillStatus::Paid.takes_money() && !BillStatus::Expired.takes_money());
    }
}
