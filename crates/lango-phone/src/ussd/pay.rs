//! Menu 2: pay a bill. `2` asks for the reference; `2*REF` (any case, spaces or hyphens;
//! the check character catches a typo) shows the service and what is left to pay with `1`;
//! `2*REF*1` ends the session and sends an M-Pesa Express request for that balance to this
//! phone, through the prompt start the payment page uses, once per session and bill.
//! A paid, cancelled or expired bill says so. The rules on what may be prompted for are
//! `lango_payments::stk`'s; this module only words them.

use super::home::Menu;
use super::screen::clip;
use super::words::{self, pick};
use super::{actions, Answer, Input, Screen, Session};
use crate::prefs::Lang;
use lango_catalogue::ServiceCode;
use lango_core::Result;
use lango_payments::reference::{BillReference, ReferenceError};
use lango_payments::stk::{self, PayView, Refusal};
use lango_payments::BillStatus;

/// The pay-a-bill option.
pub const MENU: Menu = Menu {
    key: "2",
    label,
    run,
};

fn label(lang: Lang) -> &'static str {
    pick(lang, "Pay a bill", "Lipa bili", "Bayar bil")
}

fn run<'a>(s: &'a Session<'a>, rest: &'a [Input]) -> Answer<'a> {
    Box::pin(answer(s, rest))
}

/// Where the inputs have led.
enum At {
    /// Waiting for a reference; the word about the last one that was not taken.
    Asking(Option<String>),
    /// A payable bill on screen; `true` when the last input was not `1`.
    Bill(Box<PayView>, bool),
}

async fn answer(s: &Session<'_>, inputs: &[Input]) -> Result<Screen> {
    let lang = s.lang;
    let mut at = At::Asking(None);
    for (i, input) in inputs.iter().enumerate() {
        at = match at {
            At::Asking(_) => {
                let reference = match BillReference::parse(&input.text) {
                    Ok(r) => r,
                    Err(ReferenceError::Check) => {
                        at = At::Asking(Some(words::typo(lang).into()));
                        continue;
                    }
                    Err(_) => {
                        at = At::Asking(Some(words::bill_not_ref(lang).into()));
                        continue;
                    }
                };
                let Some(view) = stk::pay_view(&s.ussd.db, reference.as_str()).await? else {
                    at = At::Asking(Some(words::bill_unknown(lang, &reference.to_string())));
                    continue;
                };
                // Confirmed already: the recorded action answers, whatever the bill has
                // become since (paid by that very prompt, say).
                if inputs.get(i + 1).is_some_and(|next| next.text == "1") {
                    return pay(s, &view).await;
                }
                if let Some(end) = cannot_prompt(s, &view) {
                    return Ok(end);
                }
                At::Bill(Box::new(view), false)
            }
            At::Bill(view, _) if input.text == "1" => return pay(s, &view).await,
            At::Bill(view, _) => At::Bill(view, true),
        };
    }
    Ok(match at {
        At::Asking(word) => {
            let head = word.map(|w| format!("{w}\n")).unwrap_or_default();
            Screen::Con(format!(
                "{head}{}\n{}",
                words::ask_bill(lang),
                words::back(lang)
            ))
        }
        At::Bill(view, strayed) => {
            let head = if strayed {
                format!("{}\n", words::choose_pay(lang))
            } else {
                String::new()
            };
            Screen::Con(format!(
                "{head}{}\n{}",
                bill_text(s, &view),
                words::back(lang)
            ))
        }
    })
}

/// The bill's lines: reference, service, what is left, `1`.
fn bill_text(s: &Session<'_>, view: &PayView) -> String {
    words::bill(
        s.lang,
        &shown(&view.bill.reference),
        &service_name(s, &view.service_code),
        &view.bill.balance().display(),
    )
}

/// `ABCD-2345`, as people read a reference out.
fn shown(reference: &str) -> String {
    BillReference::parse(reference)
        .map(|r| r.to_string())
        .unwrap_or_else(|_| reference.to_string())
}

/// The service's name in the session's language (its code when the catalogue lacks it).
pub(super) fn service_name(s: &Session<'_>, code: &str) -> String {
    let name = ServiceCode::parse(code)
        .ok()
        .and_then(|c| s.ussd.catalogue.snapshot().service(&c))
        .map(|hit| match s.lang {
            l if l.is_local() && !hit.entry.service.name_sw.is_empty() => {
                hit.entry.service.name_sw.clone()
            }
            _ => hit.entry.service.name.clone(),
        })
        .unwrap_or_else(|| code.to_string());
    clip(&name, 60)
}

/// The end of the session when no prompt can be offered: the bill is closed, or only the
/// paybill takes its balance (cents, too large, M-Pesa Express not set up).
fn cannot_prompt(s: &Session<'_>, view: &PayView) -> Option<Screen> {
    let bill = &view.bill;
    if !bill.status.is_payable() {
        return Some(Screen::End(closed(s.lang, &bill.reference, bill.status)));
    }
    if !view.prompt_possible || !s.ussd.prompter.is_configured() {
        return Some(Screen::End(format!(
            "{}\n{}",
            bill_text_without_pay(s, view),
            words::paybill(
                s.lang,
                &bill.reference,
                &bill.balance().display(),
                &s.ussd.paybill
            )
        )));
    }
    None
}

fn bill_text_without_pay(s: &Session<'_>, view: &PayView) -> String {
    let full = bill_text(s, view);
    full.rsplit_once('\n')
        .map_or(full.clone(), |(head, _)| head.to_string())
}

fn closed(lang: Lang, reference: &str, status: BillStatus) -> String {
    words::bill_closed(lang, &shown(reference), status.as_str())
}

/// `1`: the prompt, once per session and bill. The outcome is recorded so that a repeat
/// answers the same screen; it is stored as `kind:detail`.
async fn pay(s: &Session<'_>, view: &PayView) -> Result<Screen> {
    let db = &s.ussd.db;
    let reference = &view.bill.reference;
    let action = format!("pay:{reference}");
    let outcome = match actions::claim(db, s.id, &action, s.phone).await? {
        actions::Claim::Done(o) => o,
        actions::Claim::Underway => "pending:".to_string(),
        actions::Claim::First => {
            let outcome = if !view.bill.status.is_payable() {
                format!("closed:{}", view.bill.status.as_str())
            } else {
                match s.ussd.prompter.start(db, reference, s.phone).await {
                    Ok(Ok(req)) => format!("sent:{}", req.amount.display()),
                    Ok(Err(why)) => refused(s, view, why).await?,
                    Err(e) => {
                        tracing::error!(error = %e, bill = %reference, "USSD payment request failed");
                        "failed:".to_string()
                    }
                }
            };
            actions::settle(db, s.id, &action, &outcome).await?;
            outcome
        }
    };
    let (kind, detail) = outcome.split_once(':').unwrap_or((outcome.as_str(), ""));
    let lang = s.lang;
    Ok(Screen::End(match kind {
        "sent" => words::prompt_sent(lang, detail),
        "pending" => words::prompt_pending(lang).into(),
        "later" => words::prompt_later(lang).into(),
        "paybill" => words::paybill(lang, reference, detail, &s.ussd.paybill),
        "closed" => closed(
            lang,
            reference,
            BillStatus::parse(detail).unwrap_or(BillStatus::Cancelled),
        ),
        _ => words::failed(lang).into(),
    }))
}

/// How a refused prompt is recorded.
async fn refused(s: &Session<'_>, view: &PayView, why: Refusal) -> Result<String> {
    Ok(match why {
        Refusal::Pending => "pending:".into(),
        Refusal::TooMany | Refusal::Busy => "later:".into(),
        Refusal::Phone | Refusal::Cents | Refusal::TooLarge | Refusal::Unavailable => {
            format!("paybill:{}", view.bill.balance().display())
        }
        Refusal::NotPayable => {
            // Closed meanwhile (paid by another channel, cancelled): say which, as it is now.
            let now = lango_payments::bills::get(&s.ussd.db, &view.bill.reference).await?;
            let status = now.map_or(view.bill.status, |b| b.status);
            format!("closed:{}", status.as_str())
        }
    })
}
