//! The double-entry ledger's rules: accounts, transactions that balance to zero in every
//! currency, and how one receipt is split between the agency, the platform and refunds.
//!
//! Sign convention: debits are positive, credits negative, in minor units. Entries are never
//! changed; a correction is a reversing transaction.

use lango_core::money::{Currency, Money};
use std::collections::BTreeMap;
use std::fmt;

/// A ledger account. Every account holds exactly one currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// Money received through a channel (M-Pesa paybill, card acquirer, bank).
    Collection { channel: String, currency: Currency },
    /// What is owed to an agency for its services.
    Revenue { agency: String, currency: Currency },
    /// The platform's convenience fees.
    PlatformFees { currency: Currency },
    /// Money received for no known bill, waiting to be matched.
    Suspense { currency: Currency },
    /// Money owed back to payers (overpayments, refunds).
    RefundsPayable { currency: Currency },
    /// Money paid out to an agency.
    Settlements { agency: String, currency: Currency },
    /// Commission owed to a registered agent for the bills it brought (a liability until
    /// paid out).
    AgentCommissions { agent: String, currency: Currency },
    /// Commission paid out to an agent.
    AgentPayouts { agent: String, currency: Currency },
}

impl Account {
    /// The account's currency.
    pub fn currency(&self) -> Currency {
        match self {
            Account::Collection { currency, .. }
            | Account::Revenue { currency, .. }
            | Account::PlatformFees { currency }
            | Account::Suspense { currency }
            | Account::RefundsPayable { currency }
            | Account::Settlements { currency, .. }
            | Account::AgentCommissions { currency, .. }
            | Account::AgentPayouts { currency, .. } => *currency,
        }
    }
}

/// The stored name: `revenue:DIS:KES`, `collection:mpesa:KES`, `platform_fees:KES`…
impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Account::Collection { channel, currency } => {
                write!(f, "collection:{channel}:{currency}")
            }
            Account::Revenue { agency, currency } => write!(f, "revenue:{agency}:{currency}"),
            Account::PlatformFees { currency } => write!(f, "platform_fees:{currency}"),
            Account::Suspense { currency } => write!(f, "suspense:{currency}"),
            Account::RefundsPayable { currency } => write!(f, "refunds_payable:{currency}"),
            Account::Settlements { agency, currency } => {
                write!(f, "settlements:{agency}:{currency}")
            }
            Account::AgentCommissions { agent, currency } => {
                write!(f, "agent_commissions:{agent}:{currency}")
            }
            Account::AgentPayouts { agent, currency } => {
                write!(f, "agent_payouts:{agent}:{currency}")
            }
        }
    }
}

/// One line of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// The account.
    pub account: Account,
    /// Minor units: debit positive, credit negative.
    pub amount: i64,
}

/// Why a transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// Fewer than two postings.
    #[error("a transaction needs at least two postings")]
    TooFew,
    /// A posting of nothing.
    #[error("a posting to {0} is zero")]
    Zero(String),
    /// Debits and credits differ in a currency.
    #[error("the transaction does not balance in {0}")]
    Unbalanced(Currency),
}

/// A balanced transaction, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// What it is for (a receipt id, a settlement batch).
    pub memo: String,
    postings: Vec<Posting>,
}

impl Transaction {
    /// Checks that the postings balance to zero in every currency.
    pub fn new(
        memo: impl Into<String>,
        postings: Vec<Posting>,
    ) -> Result<Transaction, LedgerError> {
        if postings.len() < 2 {
            return Err(LedgerError::TooFew);
        }
        let mut sums: BTreeMap<Currency, i128> = BTreeMap::new();
        for p in &postings {
            if p.amount == 0 {
                return Err(LedgerError::Zero(p.account.to_string()));
            }
            *sums.entry(p.account.currency()).or_default() += i128::from(p.amount);
        }
        if let Some((currency, _)) = sums.iter().find(|(_, s)| **s != 0) {
            return Err(LedgerError::Unbalanced(*currency));
        }
        Ok(Transaction {
            memo: memo.into(),
            postings,
        })
    }

    /// Its postings.
    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }

    /// The transaction that undoes this one.
    pub fn reversal(&self, memo: impl Into<String>) -> Transaction {
        Transaction {
            memo: memo.into(),
            postings: self
                .postings
                .iter()
                .map(|p| Posting {
                    account: p.account.clone(),
                    amount: -p.amount,
                })
                .collect(),
        }
    }
}

/// What is still due on a bill, split as it will be credited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The agency's part still unpaid.
    pub service: Money,
    /// The convenience fee still unpaid.
    pub fee: Money,
}

/// How a receipt was split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The ledger transaction.
    pub transaction: Transaction,
    /// What remains due afterwards.
    pub due: Due,
    /// Paid beyond what was due, held for refund.
    pub excess: i64,
}

/// Splits a receipt of `paid` through `channel` against a bill of `agency`: the agency's part
/// first (a partly paid bill has paid for its service before its fee), then the fee, then any
/// excess to refunds payable. Amounts are in the bill's currency.
pub fn receipt(
    memo: &str,
    channel: &str,
    agency: &str,
    due: Due,
    paid: Money,
) -> Result<Split, LedgerError> {
    let shares = [(agency.to_string(), due.service.minor())];
    receipt_apportioned(memo, channel, &shares, due.fee, paid).map(|(split, _)| split)
}

/// [`receipt`] for a bill whose service amount is owed to several agencies: `shares` are
/// (agency, still due) and the service part of the receipt is apportioned between them in
/// proportion to what each is still due (largest remainder, earlier shares first on ties),
/// so no agency is ever paid beyond its share and a bill paid in full pays each exactly.
/// Also returns what each share received.
pub fn receipt_apportioned(
    memo: &str,
    channel: &str,
    shares: &[(String, i64)],
    fee_due: Money,
    paid: Money,
) -> Result<(Split, Vec<i64>), LedgerError> {
    let currency = paid.currency();
    let service_due: i64 = shares.iter().map(|(_, d)| (*d).max(0)).sum();
    let to_service = paid.minor().min(service_due).max(0);
    let to_fee = (paid.minor() - to_service).min(fee_due.minor()).max(0);
    let excess = paid.minor() - to_service - to_fee;
    let parts = apportion(to_service, shares);
    let mut postings = vec![Posting {
        account: Account::Collection {
            channel: channel.to_string(),
            currency,
        },
        amount: paid.minor(),
    }];
    let mut credits: Vec<(Account, i64)> = shares
        .iter()
        .zip(&parts)
        .map(|((agency, _), part)| {
            (
                Account::Revenue {
                    agency: agency.clone(),
                    currency,
                },
                *part,
            )
        })
        .collect();
    credits.push((Account::PlatformFees { currency }, to_fee));
    credits.push((Account::RefundsPayable { currency }, excess));
    postings.extend(
        credits
            .into_iter()
            .filter(|(_, a)| *a > 0)
            .map(|(account, a)| Posting {
                account,
                amount: -a,
            }),
    );
    let split = Split {
        transaction: Transaction::new(memo, postings)?,
        due: Due {
            service: Money::from_minor(service_due - to_service, currency),
            fee: Money::from_minor(fee_due.minor() - to_fee, currency),
        },
        excess,
    };
    Ok((split, parts))
}

/// Divides `amount` (at most the sum of the dues; a negative due counts as none) between
/// `shares` (name, due) in proportion to their dues: largest remainder, earlier shares first
/// on ties, never more than a share's due. The parts are in the order of `shares`.
pub fn apportion(amount: i64, shares: &[(String, i64)]) -> Vec<i64> {
    let total: i128 = shares.iter().map(|(_, d)| i128::from((*d).max(0))).sum();
    if total == 0 {
        return vec![0; shares.len()];
    }
    let mut parts = Vec::with_capacity(shares.len());
    let mut remainders = Vec::with_capacity(shares.len());
    for (i, (_, due)) in shares.iter().enumerate() {
        let exact = i128::from(amount) * i128::from((*due).max(0));
        parts.push((exact / total) as i64);
        remainders.push((exact % total, i));
    }
    let mut left = amount - parts.iter().sum::<i64>();
    // Largest remainder first; on ties the earlier share.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        if parts[i] < shares[i].1 {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

/// A receipt for no known bill: all of it to suspense until finance staff match it.
pub fn unmatched(memo: &str, channel: &str, paid: Money) -> Result<Transaction, LedgerError> {
    let currency = paid.currency();
    Transaction::new(
        memo,
        vec![
            Posting {
                account: Account::Collection {
                    channel: channel.to_string(),
                    currency,
                },
                amount: paid.minor(),
            },
            Posting {
                account: Account::Suspense { currency },
                amount: -paid.minor(),
            },
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kes(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Kes)
    }

    fn due() -> Due {
        Due {
            service: kes(455_000),
            fee: kes(5_000),
        }
    }

    #[test]
    fn exact_partial_and_over_payments() {
        let exact = receipt("r1", "mpesa", "DIS", due(), kes(460_000)).unwrap();
        assert_eq!(
            (exact.due, exact.excess),
            (
                Due {
                    service: kes(0),
                    fee: kes(0)
                },
                0
            )
        );
        assert_eq!(exact.transaction.postings().len(), 3);
        let part = receipt("r2", "mpesa", "DIS", due(), kes(100_000)).unwrap();
        assert_eq!(
            part.due,
            Due {
                service: kes(355_000),
                fee: kes(5_000)
            }
        );
        assert_eq!(part.transaction.postings().len(), 2);
        let rest = receipt("r3", "mpesa", "DIS", part.due, kes(360_000)).unwrap();
        assert_eq!(
            (rest.due.service, rest.due.fee, rest.excess),
            (kes(0), kes(0), 0)
        );
        let over = receipt("r4", "mpesa", "DIS", due(), kes(500_000)).unwrap();
        assert_eq!(over.excess, 40_000);
        assert!(over
            .transaction
            .postings()
            .iter()
            .any(|p| p.account.to_string() == "refunds_payable:KES" && p.amount == -40_000));
    }

    #[test]
    fn unbalanced_and_degenerate_transactions_are_refused() {
        let a = Account::Suspense {
            currency: Currency::Kes,
        };
        let b = Account::PlatformFees {
            currency: Currency::Kes,
        };
        let u = Account::PlatformFees {
            currency: Currency::Usd,
        };
        assert_eq!(
            Transaction::new(
                "x",
                vec![Posting {
                    account: a.clone(),
                    amount: 5
                }]
            ),
            Err(LedgerError::TooFew)
        );
        assert!(matches!(
            Transaction::new(
                "x",
                vec![
                    Posting {
                        account: a.clone(),
                        amount: 0
                    },
                    Posting {
                        account: b.clone(),
                        amount: 0
                    }
                ]
            ),
            Err(LedgerError::Zero(_))
        ));
        assert_eq!(
            Transaction::new(
                "x",
                vec![
                    Posting {
                        account: a.clone(),
                        amount: 5
                    },
                    Posting {
                        account: b.clone(),
                        amount: -4
                    }
                ]
            ),
            Err(LedgerError::Unbalanced(Currency::Kes))
        );
        // KES and USD are kept apart: a KES debit cannot be balanced by a USD credit.
        assert_eq!(
            Transaction::new(
                "x",
                vec![
                    Posting {
                        account: a,
                        amount: 5
                    },
                    Posting {
                        account: u,
                        amount: -5
                    }
                ]
            ),
            Err(LedgerError::Unbalanced(Currency::Kes))
        );
        let t = unmatched("s", "mpesa", kes(100)).unwrap();
        let r = t.reversal("undo");
        let sum: i64 = t
            .postings()
            .iter()
            .chain(r.postings())
            .map(|p| p.amount)
            .sum();
        assert_eq!(sum, 0);
        assert_eq!(t.postings()[1].account.to_string(), "suspense:KES");
    }

    #[test]
    fn shared_bills_pay_each_agency_its_part() {
        let shares = vec![
            ("CG-NBI".to_string(), 300_000),
            ("NEMA".to_string(), 100_000),
        ];
        let (split, parts) =
            receipt_apportioned("a", "mpesa", &shares, kes(5_000), kes(100_001)).unwrap();
        assert_eq!(parts, vec![75_001, 25_000]);
        assert_eq!(split.due.service, kes(299_999));
        let (_, parts) =
            receipt_apportioned("b", "mpesa", &shares, kes(5_000), kes(405_000)).unwrap();
        assert_eq!(parts, vec![300_000, 100_000]);
    }

    proptest! {
        #[test]
        fn apportioned_parts_sum_and_stay_within_each_share(
            dues in proptest::collection::vec(0i64..5_000_000, 1..6),
            paid in 1i64..30_000_000,
        ) {
            let shares: Vec<(String, i64)> =
                dues.iter().enumerate().map(|(i, d)| (format!("A{i}"), *d)).collect();
            let (split, parts) = receipt_apportioned("p", "mpesa", &shares, kes(0), kes(paid)).unwrap();
            let service: i64 = dues.iter().sum();
            prop_assert_eq!(parts.iter().sum::<i64>(), paid.min(service));
            for (part, due) in parts.iter().zip(&dues) {
                prop_assert!(*part >= 0 && part <= due);
            }
            prop_assert_eq!(split.excess, (paid - service).max(0));
        }

        #[test]
        fn every_receipt_balances_and_nothing_is_lost(service in 0i64..10_000_000, fee in 0i64..10_000, paid in 1i64..20_000_000) {
            let split = receipt("p", "mpesa", "DIS", Due { service: kes(service), fee: kes(fee) }, kes(paid)).unwrap();
            let credited: i64 = split.transaction.postings().iter().filter(|p| p.amount < 0).map(|p| -p.amount).sum();
            prop_assert_eq!(credited, paid);
            prop_assert_eq!(split.due.service.minor() + split.due.fee.minor() + paid - split.excess, service + fee);
            prop_assert!(split.due.service.minor() >= 0 && split.due.fee.minor() >= 0 && split.excess >= 0);
        }
    }
}
