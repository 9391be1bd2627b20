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
            | Account::Settlements { currency, .. } => *currency,
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
    let currency = paid.currency();
    let to_service = paid.minor().min(due.service.minor()).max(0);
    let to_fee = (paid.minor() - to_service).min(due.fee.minor()).max(0);
    let excess = paid.minor() - to_service - to_fee;
    let mut postings = vec![Posting {
        account: Account::Collection {
            channel: channel.to_string(),
            currency,
        },
        amount: paid.minor(),
    }];
    let credits = [
        (
            Account::Revenue {
                agency: agency.to_string(),
                currency,
            },
            to_service,
        ),
        (Account::PlatformFees { currency }, to_fee),
        (Account::RefundsPayable { currency }, excess),
    ];
    postings.extend(
        credits
            .into_iter()
            .filter(|(_, a)| *a > 0)
            .map(|(account, a)| Posting {
                account,
                amount: -a,
            }),
    );
    Ok(Split {
        transaction: Transaction::new(memo, postings)?,
        due: Due {
            service: Money::from_minor(due.service.minor() - to_service, currency),
            fee: Money::from_minor(due.fee.minor() - to_fee, currency),
        },
        excess,
    })
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

    proptest! {
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
