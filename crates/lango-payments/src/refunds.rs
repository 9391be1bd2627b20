//! Refunds of a bill's payments: partial and repeated, guarded against double refunds the
//! way GOV.UK Pay guards them.
//!
//! **What is refundable.** What the payer paid beyond the bill (the excess, already held in
//! `refunds_payable`) and what they paid toward the agency's service amount, less every
//! refund so far. The convenience fee stays with the platform: it paid for the transaction,
//! which happened. Only when the bill is `cancelled` is the fee paid refundable too. The
//! bill's own amounts (`service_paid`, `fee_paid`, `excess`) are what was paid and are never
//! changed by a refund; refunds are their own records.
//!
//! **The guard.** Every request states the amount and `refund_amount_available`, the amount
//! the caller believes may still be refunded. If that is not the current amount the request
//! is refused (`refund_amount_available_mismatch`) and nothing changes: a request sent twice,
//! or made from a page that is out of date, cannot refund twice. The amount must be more than
//! zero and at most what is available. Each request is decided under the bill's row lock.
//!
//! **Which money goes back, and how.** A refund draws first on the excess, then on the service
//! amount, then (cancelled bills only) on the fee. It goes back through one payment: the newest
//! card payment of the bill that can take all of it (the provider is asked to refund that
//! payment, stating what it believes is still available there too), else as a payout to the
//! payer of money paid by M-Pesa or any other channel. Lango does not send M-Pesa payouts (B2C
//! is not in scope): such a refund is recorded as `pending_payout`, owed to the payer's phone
//! and shown to finance, who pay it outside Lango. A refund larger than any one payment can
//! take is refused with the most that can go back in one refund.
//!
//! **Ledger.** A card refund debits `refunds_payable` (excess part), `revenue:<AGENCY>`
//! (service part) and `platform_fees` (fee part) and credits `collection:card`: the money
//! leaves through the card acquirer. A payout debits `revenue` and `platform_fees` and credits
//! `refunds_payable`: the money is now owed to the payer (the excess part already was). Each
//! issued refund also has an audit record (who, why) and a `refund.issued` event.
//!
//! **Nothing half-done.** A card refund is first written as `requested` (which holds its amount
//! against the bill so that a concurrent request sees it), then the provider is called, and
//! only when the provider accepted it does it become `submitted` with its ledger transaction,
//! audit record and event. A refusal marks it `failed` (it counts for nothing). If the
//! provider cannot be reached, the provider's list of refunds decides later whether it
//! happened (see `card::resolve`).

mod card;
mod issue;
pub mod reversal;
mod store;

pub use card::sync_card;
pub use issue::issue;
pub use store::{
    find, list, preview, recent, summary, PaymentLine, Refund, RefundRequest, RefundStatus, Summary,
};

use crate::ledger::{self, Account, LedgerError, Posting, Transaction};
use lango_core::money::{Currency, Money};

/// Money by where it came from on the bill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    /// Paid beyond the bill.
    pub excess: i64,
    /// Paid toward the agency's service amount.
    pub service: i64,
    /// Paid toward the convenience fee.
    pub fee: i64,
}

impl Parts {
    /// All of it.
    pub fn total(&self) -> i64 {
        self.excess + self.service + self.fee
    }
}

/// An agency's part of what a bill's payments paid toward its service amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyShare {
    /// The agency.
    pub agency: String,
    /// What it received.
    pub received: i64,
    /// What refunds took back from it so far.
    pub refunded: i64,
}

/// A card payment a refund can go back through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRoute {
    /// Lango's id of the card payment.
    pub card_payment_id: String,
    /// The provider's id.
    pub provider_payment_id: String,
    /// What it paid.
    pub paid: i64,
    /// Refunded through it so far (or being refunded).
    pub refunded: i64,
    /// A refund through it is waiting for the provider's answer.
    pub in_flight: bool,
}

impl CardRoute {
    /// What may still go back through it.
    pub fn capacity(&self) -> i64 {
        self.paid - self.refunded
    }
}

/// Everything a refund decision stands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The bill's currency.
    pub currency: Currency,
    /// What was paid, by part.
    pub paid: Parts,
    /// The bill is cancelled, so its fee goes back too.
    pub fee_refundable: bool,
    /// Refunded so far (every refund that did not fail), by part.
    pub refunded: Parts,
    /// The agencies the service amount was owed to, with what each received and gave back.
    pub agencies: Vec<AgencyShare>,
    /// Its card payments, newest first.
    pub cards: Vec<CardRoute>,
    /// Paid through channels other than card.
    pub payout_paid: i64,
    /// Refunded as payouts so far.
    pub payout_refunded: i64,
}

impl Position {
    /// What is still left of each part.
    fn left(&self) -> Parts {
        Parts {
            excess: (self.paid.excess - self.refunded.excess).max(0),
            service: (self.paid.service - self.refunded.service).max(0),
            fee: if self.fee_refundable {
                (self.paid.fee - self.refunded.fee).max(0)
            } else {
                0
            },
        }
    }

    /// What may still be refunded: the `refund_amount_available` a request must state.
    pub fn available(&self) -> i64 {
        self.left().total()
    }

    /// Applies a planned refund to this position (what the store does when it records one).
    pub fn record(&mut self, plan: &Plan) {
        self.refunded.excess += plan.parts.excess;
        self.refunded.service += plan.parts.service;
        self.refunded.fee += plan.parts.fee;
        for (agency, part) in &plan.service_by_agency {
            if let Some(a) = self.agencies.iter_mut().find(|a| &a.agency == agency) {
                a.refunded += part;
            }
        }
        match plan.route {
            Route::Card(i) => self.cards[i].refunded += plan.amount,
            Route::Payout => self.payout_refunded += plan.amount,
        }
    }
}

/// How a refund goes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Through the card payment at this index of [`Position::cards`].
    Card(usize),
    /// Paid to the payer outside Lango.
    Payout,
}

/// A refund that may go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Minor units.
    pub amount: i64,
    /// Which parts of the bill it draws on.
    pub parts: Parts,
    /// The service part, by agency (in proportion to what each still holds).
    pub service_by_agency: Vec<(String, i64)>,
    /// How it goes back.
    pub route: Route,
}

/// Why a refund was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The amount is not a decimal in the bill's currency.
    AmountInvalid,
    /// `refund_amount_available` is not a decimal in the bill's currency.
    AvailableInvalid,
    /// No reason was given.
    ReasonRequired,
    /// The reason is longer than 500 characters or has control characters.
    ReasonInvalid,
    /// The stated available amount is not the current one (another refund came first, or the
    /// request is a repeat).
    Mismatch {
        /// What is available now, minor units.
        available: i64,
    },
    /// Zero or less.
    NotPositive,
    /// More than is available.
    TooMuch {
        /// What is available, minor units.
        available: i64,
    },
    /// No one payment can take it all back.
    SplitNeeded {
        /// The most one refund can be now, minor units.
        most: i64,
    },
    /// A card refund of this bill is waiting for the provider's answer.
    InFlight,
    /// The card provider refused the refund or could not be reached; nothing was refunded.
    Provider(String),
}

impl Refusal {
    /// The stable code (API error code and the key of the page's words).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::AmountInvalid => "refund_amount_invalid",
            Refusal::AvailableInvalid => "refund_available_invalid",
            Refusal::ReasonRequired => "refund_reason_required",
            Refusal::ReasonInvalid => "refund_reason_invalid",
            Refusal::Mismatch { .. } => "refund_amount_available_mismatch",
            Refusal::NotPositive => "refund_amount_not_positive",
            Refusal::TooMuch { .. } => "refund_amount_too_large",
            Refusal::SplitNeeded { .. } => "refund_split_needed",
            Refusal::InFlight => "refund_in_progress",
            Refusal::Provider(_) => "refund_provider_refused",
        }
    }

    /// The request field it is about.
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::AvailableInvalid | Refusal::Mismatch { .. } => "refund_amount_available",
            Refusal::ReasonRequired | Refusal::ReasonInvalid => "reason",
            _ => "amount",
        }
    }

    /// A sentence for an agency system's developer.
    pub fn message(&self, currency: Currency) -> String {
        let m = |v: i64| Money::from_minor(v, currency).to_decimal();
        match self {
            Refusal::AmountInvalid => "amount must be a decimal string in the bill's currency, e.g. \"100.00\"".into(),
            Refusal::AvailableInvalid => "refund_amount_available must be a decimal string in the bill's currency".into(),
            Refusal::ReasonRequired => "give a reason for the refund".into(),
            Refusal::ReasonInvalid => "reason must be at most 500 characters of text".into(),
            Refusal::Mismatch { available } => format!(
                "refund_amount_available does not match the amount available now ({}); nothing was refunded",
                m(*available)
            ),
            Refusal::NotPositive => "amount must be more than zero".into(),
            Refusal::TooMuch { available } => format!("amount is more than is available ({})", m(*available)),
            Refusal::SplitNeeded { most } => format!(
                "no single payment can take this much back; refund at most {} now and the rest in another refund",
                m(*most)
            ),
            Refusal::InFlight => "a card refund of this bill is waiting for the provider; try again shortly".into(),
            Refusal::Provider(why) => format!("the card provider did not refund: {why}; nothing was refunded"),
        }
    }
}

/// Decides a request for `amount` that believes `stated` is still available.
pub fn plan(pos: &Position, amount: i64, stated: i64) -> Result<Plan, Refusal> {
    let available = pos.available();
    if stated != available {
        return Err(Refusal::Mismatch { available });
    }
    if amount <= 0 {
        return Err(Refusal::NotPositive);
    }
    if amount > available {
        return Err(Refusal::TooMuch { available });
    }
    let left = pos.left();
    let excess = amount.min(left.excess);
    let service = (amount - excess).min(left.service);
    let parts = Parts {
        excess,
        service,
        fee: amount - excess - service,
    };
    if pos.cards.iter().any(|c| c.in_flight) {
        return Err(Refusal::InFlight);
    }
    let route = match pos.cards.iter().position(|c| c.capacity() >= amount) {
        Some(i) => Route::Card(i),
        None if pos.payout_paid - pos.payout_refunded >= amount => Route::Payout,
        None => {
            let most = pos
                .cards
                .iter()
                .map(CardRoute::capacity)
                .chain([pos.payout_paid - pos.payout_refunded])
                .max()
                .unwrap_or(0)
                .min(available);
            return Err(Refusal::SplitNeeded { most });
        }
    };
    let held: Vec<(String, i64)> = pos
        .agencies
        .iter()
        .map(|a| (a.agency.clone(), (a.received - a.refunded).max(0)))
        .collect();
    let service_by_agency = apportion(parts.service, &held)
        .into_iter()
        .zip(held)
        .filter(|(part, _)| *part > 0)
        .map(|(part, (agency, _))| (agency, part))
        .collect();
    Ok(Plan {
        amount,
        parts,
        service_by_agency,
        route,
    })
}

/// Divides `amount` between `holders` in proportion to what each holds, as
/// [`ledger::apportion`] does (largest remainder, earlier first on ties, never more than one
/// holds). When they hold `amount` or less in all (records that disagree), each gives all it
/// holds and the rest goes to the first.
pub fn apportion(amount: i64, holders: &[(String, i64)]) -> Vec<i64> {
    let total: i64 = holders.iter().map(|(_, h)| h).sum();
    if holders.is_empty() || amount < total {
        return ledger::apportion(amount, holders);
    }
    let mut parts: Vec<i64> = holders.iter().map(|(_, h)| *h).collect();
    parts[0] += amount - total;
    parts
}

/// The ledger transaction of a refund of `parts` of a bill, its service part taken from the
/// agencies' revenue as `service_by_agency` says: through a channel (`through`: the money
/// leaves through that collection account, as a card refund or an M-Pesa reversal does) or
/// as a payout (`None`: owed to the payer). `None` when nothing moves (a payout of excess
/// only: it is already in `refunds_payable`).
pub fn transaction(
    memo: &str,
    through: Option<&str>,
    currency: Currency,
    parts: Parts,
    service_by_agency: &[(String, i64)],
) -> Result<Option<Transaction>, LedgerError> {
    let payable = Account::RefundsPayable { currency };
    let mut postings: Vec<(Account, i64)> = service_by_agency
        .iter()
        .map(|(agency, part)| {
            (
                Account::Revenue {
                    agency: agency.clone(),
                    currency,
                },
                *part,
            )
        })
        .collect();
    postings.push((Account::PlatformFees { currency }, parts.fee));
    if let Some(channel) = through {
        postings.push((payable, parts.excess));
        postings.push((
            Account::Collection {
                channel: channel.to_string(),
                currency,
            },
            -parts.total(),
        ));
    } else {
        postings.push((payable, -(parts.service + parts.fee)));
    }
    let postings: Vec<Posting> = postings
        .into_iter()
        .filter(|(_, a)| *a != 0)
        .map(|(account, amount)| Posting { account, amount })
        .collect();
    if postings.is_empty() {
        return Ok(None);
    }
    Transaction::new(memo, postings).map(Some)
}

#[cfg(test)]
mod tests;
