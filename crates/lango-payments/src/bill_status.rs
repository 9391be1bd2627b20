//! Where a bill stands, as a type: the stored word parses into it, and the rules that read it
//! (may it be paid? may money still be posted?) live here, not in pages.

lango_core::word_enum! {
    /// A bill's status.
    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum BillStatus {
        /// Nothing paid yet.
        Open = "open",
        /// Some paid, some still owed.
        PartlyPaid = "partly_paid",
        /// Paid in full.
        Paid = "paid",
        /// Cancelled by the agency.
        Cancelled = "cancelled",
        /// Past its expiry unpaid.
        Expired = "expired",
    }
}

impl BillStatus {
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

#[cfg(test)]
mod tests {
    use super::BillStatus;

    #[test]
    fn every_status_parses_back_and_only_open_ones_are_payable() {
        for &s in BillStatus::ALL {
            assert_eq!(BillStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        let payable: Vec<_> = BillStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_payable())
            .collect();
        assert_eq!(payable, [BillStatus::Open, BillStatus::PartlyPaid]);
        assert_eq!(BillStatus::parse("unpaid"), None);
        assert!(BillStatus::Paid.takes_money() && !BillStatus::Expired.takes_money());
    }
}
