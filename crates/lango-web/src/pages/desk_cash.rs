//! Payment at the counter of a service centre: staff find a bill by its reference (or come
//! from the assisted application with `?bill=REF`), see its balance and take it either as
//! an M-Pesa Express prompt to the payer's phone or as cash received (a printable receipt
//! numbered `CSH…`). The till page lists today's cash receipts with what the ledger expects
//! in the drawer, and counts and closes it. Rules live in `lango_payments::cash`.
//!
//! [`pay`] has the pay page and its form, [`receipt`] what follows it (the prompt's status,
//! the cash receipt) and [`till`] the till page; this file has what they share.

mod pay;
mod receipt;
mod till;

use crate::i18n::Lang;
use crate::pages::render_status_page;
use crate::visitor::SignedIn;
use crate::words::tr_with;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use fluent_bundle::FluentValue;
use lango_centres::model::Centre;
use lango_centres::Centres;
use lango_core::money::Currency;
use lango_identity::policy::Action;
use lango_payments::cash::{Refusal, Till, REASON_MAX};

/// The currency a centre's tills take: the country's own.
const TILL_CURRENCY: Currency = Currency::Kes;

/// This module's routes (merged into the desk's).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/desk/{code}/counters/{counter}/pay",
            get(pay::pay_page).post(pay::take),
        )
        .route(
            "/desk/{code}/counters/{counter}/pay/mpesa/{checkout}",
            get(receipt::prompt_status),
        )
        .route(
            "/desk/{code}/counters/{counter}/receipts/{number}",
            get(receipt::receipt_page),
        )
        .route(
            "/desk/{code}/counters/{counter}/till",
            get(till::till_page).post(till::till_act),
        )
}

/// The centre and its counter, if `s` serves there.
async fn counter_for(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    counter: &str,
) -> Result<(Centre, String), Response> {
    let not_found = || render_status_page(StatusCode::NOT_FOUND, s.v.lang, state.config.demo);
    let c = state.centres.get(code).await.map_err(|_| not_found())?;
    Centres::check(&s.v.actor, Action::Assist, &c)
        .map_err(|e| crate::error::page_error(state, s.v.lang, e))?;
    let Some(k) = c.counter(counter).map(|k| k.code.clone()) else {
        return Err(not_found());
    };
    Ok((c, k))
}

fn till_of(c: &Centre, counter: &str) -> Till {
    Till::new(&c.code, counter, TILL_CURRENCY)
}

/// A refusal of `lango_payments::cash` in the reader's language: its words by its code, with
/// what it carries in the placeholders. Every variant is named (no `_`) so that a new
/// refusal cannot reach a page without someone deciding what fills its words.
fn worded(lang: Lang, r: &Refusal) -> String {
    let values: Vec<FluentValue> = match r {
        Refusal::AmountOver { balance } => vec![balance.display().into()],
        Refusal::ReasonRequired { difference } => vec![difference.display().into()],
        Refusal::BillCurrency { bill, till, .. } => vec![bill.code().into(), till.code().into()],
        Refusal::TillCurrency { currency, .. } | Refusal::CountedCurrency { currency } => {
            vec![currency.code().into()]
        }
        Refusal::SessionStale { day } => vec![day.as_str().into()],
        Refusal::ReasonTooLong => vec![REASON_MAX.into()],
        // The form shows the reference and the bill its status: the words need neither.
        Refusal::BillUnknown { .. }
        | Refusal::BillNotPayable { .. }
        | Refusal::KeyInvalid
        | Refusal::BillRequired
        | Refusal::BillTypo
        | Refusal::BillInvalid
        | Refusal::AmountNotPositive
        | Refusal::SessionClosed
        | Refusal::CountedNegative
        | Refusal::TillNotOpen
        | Refusal::CloseSessionGone => vec![],
    };
    tr_with(lang, r.code(), values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_core::money::Money;
    use lango_payments::BillStatus;

    /// One of each refusal.
    fn every_refusal() -> Vec<Refusal> {
        let kes = |minor| Money::from_minor(minor, Currency::Kes);
        let reference = "ABCD2345".to_string();
        vec![
            Refusal::KeyInvalid,
            Refusal::BillRequired,
            Refusal::BillTypo,
            Refusal::BillInvalid,
            Refusal::BillUnknown {
                reference: reference.clone(),
            },
            Refusal::BillNotPayable {
                reference: reference.clone(),
                status: BillStatus::Paid,
            },
            Refusal::BillCurrency {
                reference,
                bill: Currency::Usd,
                till: Currency::Kes,
            },
            Refusal::AmountNotPositive,
            Refusal::AmountOver {
                balance: kes(455_000),
            },
            Refusal::SessionClosed,
            Refusal::SessionStale {
                day: "2026-01-02".into(),
            },
            Refusal::TillCurrency {
                till: "HC-GPO/1".into(),
                currency: Currency::Usd,
            },
            Refusal::CountedCurrency {
                currency: Currency::Kes,
            },
            Refusal::CountedNegative,
            Refusal::ReasonTooLong,
            Refusal::ReasonRequired {
                difference: kes(-10_000),
            },
            Refusal::TillNotOpen,
            Refusal::CloseSessionGone,
        ]
    }

    #[test]
    fn every_cash_refusal_has_words_with_its_amounts_in_both_languages() {
        for r in every_refusal() {
            assert!(crate::words::has(r.code()), "{} has no words", r.code());
            for lang in [Lang::En, Lang::Sw] {
                let words = worded(lang, &r);
                assert!(!words.contains('%'), "{} {lang:?}: {words}", r.code());
            }
        }
        let over = Refusal::AmountOver {
            balance: Money::from_minor(455_000, Currency::Kes),
        };
        assert!(worded(Lang::En, &over).contains("KES 4,550.00: take the balance"));
        assert!(worded(Lang::Sw, &over).contains("salio la KES 4,550.00"));
    }
}
