//! Cash taken at the counter of a service centre.
//!
//! Each counter has one till (`{centre}/{counter}`, in one currency). A till session opens
//! explicitly ([`open`]) or with the day's first receipt, and ends when the staff count the
//! drawer and close it ([`close`]); the next receipt opens a new session.
//!
//! 1. [`receipt`] posts cash through [`crate::posting::post_one`] (channel `cash`, so the
//!    money lands in `collection:cash:{currency}`) in the same transaction as the receipt's
//!    row, numbered `CSH…`. It refuses an unknown, paid, cancelled or expired bill, a bill in
//!    another currency, nothing or less, more than the balance (the cashier gives change) and
//!    a session closed while the form was open. A form sent twice carries the same one-time
//!    key (unique in the table): the second gets the first's receipt and posts nothing.
//! 2. [`close`] reads what the ledger holds for the session's receipts (their postings to the
//!    cash collection account), records the count and the difference (a difference needs a
//!    reason) and writes an audit record with both amounts and who counted.
//!
//! What staff can put right is refused with a [`Refusal`] (inside `Ok`), so pages word it by
//! its [`Refusal::code`] rather than by reading English; `Err` is left for faults.
//!
//! Every operation on a till takes its row lock first (PostgreSQL; SQLite has one writer), so
//! receipts and the close of one till never interleave.

mod receipt;
mod till;

pub use receipt::{get_receipt, parse_reference, payer_phone, receipt, Submission};
pub use till::{close, closings, now, open, open_session, Closing, Counter, TillNow};

use crate::BillStatus;
use lango_core::money::{Currency, Money};
use lango_core::Error;
use std::fmt;

/// The channel name in ledger accounts (`collection:cash:KES`).
pub const CHANNEL: &str = "cash";

/// The longest reason for a difference, in characters.
pub const REASON_MAX: usize = 500;

/// A counter's till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Till {
    /// The centre's code.
    pub centre: String,
    /// The counter's code.
    pub counter: String,
    /// The one currency it takes.
    pub currency: Currency,
}

impl Till {
    /// The till of `counter` at `centre`, taking `currency`.
    pub fn new(centre: &str, counter: &str, currency: Currency) -> Till {
        Till {
            centre: centre.trim().to_ascii_uppercase(),
            counter: counter.trim().to_ascii_uppercase(),
            currency,
        }
    }

    /// `{centre}/{counter}`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.centre, self.counter)
    }

    /// The ledger account its cash is collected in.
    pub fn account(&self) -> String {
        format!("collection:{CHANNEL}:{}", self.currency.code())
    }
}

/// A till session: from its opening to its close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its id.
    pub id: String,
    /// The till's id.
    pub till: String,
    /// The day it opened (East Africa Time, `YYYY-MM-DD`).
    pub day: String,
    /// Who opened it (account id).
    pub opened_by: String,
    /// When, unix ms.
    pub opened_at: i64,
    /// Its close, once counted.
    pub closed: Option<Closed>,
}

/// How a session was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// Who counted (account id).
    pub by: String,
    /// Their name as shown.
    pub by_name: String,
    /// When, unix ms.
    pub at: i64,
    /// What the ledger held for the session's receipts.
    pub expected: Money,
    /// What was in the drawer.
    pub counted: Money,
    /// `counted − expected`.
    pub difference: Money,
    /// Why they differ (empty when they do not).
    pub reason: String,
}

/// A cash receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashReceipt {
    /// `CSH…`
    pub number: String,
    /// The till session it belongs to.
    pub session: String,
    /// The till's id.
    pub till: String,
    /// The bill paid.
    pub bill_reference: String,
    /// What was taken.
    pub amount: Money,
    /// What remained to pay on the bill afterwards.
    pub balance_after: Money,
    /// The bill's status afterwards.
    pub status_after: BillStatus,
    /// Who took it (account id).
    pub staff: String,
    /// The ledger transaction of its posting.
    pub ledger_transaction: String,
    /// When, unix ms.
    pub created_at: i64,
}

/// Why a receipt, an opening or a close was refused: each names the form field to correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The receipt form's one-time key is missing or too long.
    KeyInvalid,
    /// No bill reference was typed.
    BillRequired,
    /// The reference's check letter does not match: a typing mistake.
    BillTypo,
    /// The text is not a bill reference at all.
    BillInvalid,
    /// No bill has this (well-formed) reference.
    BillUnknown {
        /// The reference, canonical.
        reference: String,
    },
    /// The bill is paid, cancelled or expired.
    BillNotPayable {
        /// The reference, canonical.
        reference: String,
        /// Its status.
        status: BillStatus,
    },
    /// The bill is in another currency than the till takes.
    BillCurrency {
        /// The reference, canonical.
        reference: String,
        /// The bill's currency.
        bill: Currency,
        /// The till's.
        till: Currency,
    },
    /// The amount received is 0 or less.
    AmountNotPositive,
    /// The amount received is more than the bill's balance.
    AmountOver {
        /// The balance.
        balance: Money,
    },
    /// The till session the form was shown with has been closed since.
    SessionClosed,
    /// The open session began on an earlier day and must be closed first.
    SessionStale {
        /// The day it opened (`YYYY-MM-DD`).
        day: String,
    },
    /// The till was first used with another currency.
    TillCurrency {
        /// The till's id.
        till: String,
        /// The currency it takes.
        currency: Currency,
    },
    /// The count is in another currency than the till's.
    CountedCurrency {
        /// The till's currency.
        currency: Currency,
    },
    /// The count is below 0.
    CountedNegative,
    /// The reason is longer than [`REASON_MAX`] characters or not on one line.
    ReasonTooLong,
    /// The count differs from what the ledger holds and no reason was given.
    ReasonRequired {
        /// `counted − expected`.
        difference: Money,
    },
    /// The till has no open session to close.
    TillNotOpen,
    /// The session the close form was shown with was closed already.
    CloseSessionGone,
}

impl Refusal {
    /// The form field to correct.
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::KeyInvalid => "key",
            Refusal::BillRequired
            | Refusal::BillTypo
            | Refusal::BillInvalid
            | Refusal::BillUnknown { .. }
            | Refusal::BillNotPayable { .. }
            | Refusal::BillCurrency { .. } => "bill",
            Refusal::AmountNotPositive | Refusal::AmountOver { .. } => "amount",
            Refusal::SessionClosed
            | Refusal::SessionStale { .. }
            | Refusal::TillNotOpen
            | Refusal::CloseSessionGone => "session",
            Refusal::TillCurrency { .. } => "till",
            Refusal::CountedCurrency { .. } | Refusal::CountedNegative => "counted",
            Refusal::ReasonTooLong | Refusal::ReasonRequired { .. } => "reason",
        }
    }

    /// The word key that explains it (stable: pages look their words up by it).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::KeyInvalid => "cash_key_invalid",
            Refusal::BillRequired => "cash_bill_required",
            Refusal::BillTypo => "cash_bill_typo",
            Refusal::BillInvalid => "cash_bill_invalid",
            Refusal::BillUnknown { .. } => "cash_bill_unknown",
            Refusal::BillNotPayable { .. } => "cash_bill_not_payable",
            Refusal::BillCurrency { .. } => "cash_bill_currency",
            Refusal::AmountNotPositive => "cash_amount_positive",
            Refusal::AmountOver { .. } => "cash_amount_over",
            Refusal::SessionClosed => "cash_session_closed",
            Refusal::SessionStale { .. } => "cash_session_stale",
            Refusal::TillCurrency { .. } => "cash_till_currency",
            Refusal::CountedCurrency { .. } => "cash_counted_currency",
            Refusal::CountedNegative => "cash_counted_invalid",
            Refusal::ReasonTooLong => "cash_reason_too_long",
            Refusal::ReasonRequired { .. } => "cash_reason_required",
            Refusal::TillNotOpen => "cash_till_not_open",
            Refusal::CloseSessionGone => "cash_close_session_gone",
        }
    }
}

/// English, for logs and the API (pages use [`Refusal::code`]).
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::KeyInvalid => f.write_str("the form has no valid key: reload it"),
            Refusal::BillRequired => f.write_str("enter the bill's reference"),
            Refusal::BillTypo => {
                f.write_str("this reference has a typing mistake: check it against the bill")
            }
            Refusal::BillInvalid => f.write_str("this is not a bill reference"),
            Refusal::BillUnknown { reference } => {
                write!(f, "no bill has the reference {reference}")
            }
            Refusal::BillNotPayable { reference, status } => {
                write!(f, "bill {reference} is {status} and takes no payment")
            }
            Refusal::BillCurrency {
                reference,
                bill,
                till,
            } => write!(
                f,
                "bill {reference} is in {}; this till takes {} only",
                bill.code(),
                till.code()
            ),
            Refusal::AmountNotPositive => f.write_str("enter the amount received, more than 0"),
            Refusal::AmountOver { balance } => write!(
                f,
                "that is more than the balance of {}: take the balance and give change",
                balance.display()
            ),
            Refusal::SessionClosed => f.write_str(
                "the till was closed while this form was open; nothing was recorded. \
                 Take the payment again",
            ),
            Refusal::SessionStale { day } => write!(
                f,
                "the till is still open from {day}: count and close it before taking cash today"
            ),
            Refusal::TillCurrency { till, currency } => {
                write!(f, "till {till} takes {} only", currency.code())
            }
            Refusal::CountedCurrency { currency } => {
                write!(f, "count the till in {}", currency.code())
            }
            Refusal::CountedNegative => f.write_str("enter what the drawer holds, 0 or more"),
            Refusal::ReasonTooLong => write!(
                f,
                "the reason must be at most {REASON_MAX} characters on one line"
            ),
            Refusal::ReasonRequired { difference } => write!(
                f,
                "the count differs from what is expected by {}: say why",
                difference.display()
            ),
            Refusal::TillNotOpen => {
                f.write_str("this till has no open session: it was closed already")
            }
            Refusal::CloseSessionGone => {
                f.write_str("the session on this form was closed already; check the till again")
            }
        }
    }
}

fn currency_of(code: &str) -> lango_core::Result<Currency> {
    code.parse()
        .map_err(|_| Error::Internal(format!("cash currency {code}")))
}

/// For callers that answer with an [`Error`] (an API): the field and the English words.
impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::invalid(r.field(), r.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_till_is_named_by_its_centre_and_counter() {
        let t = Till::new("hc-gpo", " 3 ", Currency::Kes);
        assert_eq!(t.id(), "HC-GPO/3");
        assert_eq!(t.account(), "collection:cash:KES");
    }

    #[test]
    fn a_cash_refusal_says_its_amounts_and_becomes_an_invalid_field() {
        let kes = |minor| Money::from_minor(minor, Currency::Kes);
        let over = Refusal::AmountOver {
            balance: kes(455_000),
        };
        assert_eq!((over.field(), over.code()), ("amount", "cash_amount_over"));
        assert!(over.to_string().contains("KES 4,550.00"), "{over}");
        let short = Refusal::ReasonRequired {
            difference: kes(-10_000),
        };
        assert!(short.to_string().contains("KES -100.00"), "{short}");
        let foreign = Refusal::BillCurrency {
            reference: "ABCD2345".into(),
            bill: Currency::Usd,
            till: Currency::Kes,
        };
        assert!(matches!(
            Error::from(foreign),
            Error::Invalid { field, message } if field == "bill" && message.contains("USD")
        ));
    }
}
