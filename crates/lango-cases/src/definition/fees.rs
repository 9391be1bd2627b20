//! Working out what an application costs from its answers.
//!
//! An item whose `when` does not hold, or whose field is unanswered, is not charged.
//! A formula that cannot be worked out (division by zero, a result too large, or a
//! negative amount) is not charged either and is reported as a fault on the first field
//! it names, so submission is refused with that error rather than billing a wrong sum.

use super::condition::holds;
use super::formula::Fault;
use super::model::Words;
use super::values::Dec;
use super::{Answers, Definition, Fee, Today};
use lango_core::country::in_local as local;
use lango_core::money::Money;

/// The fee, and the faults met on the way (field id, error).
pub(crate) fn work_out(
    def: &Definition,
    answers: &Answers,
    today: Today,
) -> Option<(Fee, Vec<(String, Words)>)> {
    let fees = def.file().fees.as_ref()?;
    let cur = def.currency();
    let money = |s: &str| Money::parse_decimal(s.trim(), cur).ok();
    let answer = |id: &str| answers.get(id).and_then(|v| v.as_str());
    let mut items = Vec::new();
    let mut faults = Vec::new();
    for (i, item) in fees.items.iter().enumerate() {
        if item
            .when
            .as_ref()
            .is_some_and(|w| !holds(def, w, answers, today))
        {
            continue;
        }
        let amount = if let Some(a) = &item.amount {
            money(a)
        } else if let Some(bc) = &item.by_choice {
            answer(&bc.field)
                .and_then(|v| bc.amounts.get(v))
                .and_then(|a| money(a))
        } else if let Some(bb) = &item.by_bands {
            answer(&bb.field).and_then(Dec::parse).and_then(|v| {
                let band = bb.bands.iter().find(|b| {
                    b.up_to
                        .as_deref()
                        .and_then(Dec::parse)
                        .is_none_or(|u| v <= u)
                })?;
                money(&band.amount)
            })
        } else if let Some(Some(expr)) = def.idx.formulas.get(i) {
            let value = |id: &str| answer(id).and_then(Dec::parse);
            let fault_field = || expr.fields().into_iter().next().unwrap_or_default();
            match expr.eval(&value) {
                Ok(d) => match d.to_minor(cur.exponent()) {
                    Some(minor) if minor >= 0 => Some(Money::from_minor(minor, cur)),
                    _ => {
                        faults.push((fault_field(), fault_words(&item.label)));
                        None
                    }
                },
                Err(Fault::Unanswered(_)) => None,
                Err(Fault::Arithmetic) => {
                    faults.push((fault_field(), fault_words(&item.label)));
                    None
                }
            }
        } else {
            None
        };
        if let Some(m) = amount {
            items.push((item.label.clone(), m));
        }
    }
    let total = items
        .iter()
        .try_fold(0_i64, |acc, (_, m)| acc.checked_add(m.minor()))
        .unwrap_or_else(|| {
            faults.push((String::new(), fault_words(&fees.items[0].label)));
            0
        });
    Some((
        Fee {
            items,
            total: Money::from_minor(total, cur),
        },
        faults,
    ))
}

fn fault_words(label: &Words) -> Words {
    Words {
        en: format!(
            "The fee \"{}\" cannot be worked out from this answer: check it",
            label.en
        ),
        sw: Some(format!(
            "{} \"{}\" {}",
            local("Ada", "Yuran", "The fee"),
            label.sw.as_deref().unwrap_or(&label.en),
            local(
                "haiwezi kukokotolewa kutokana na jibu hili: likague",
                "tidak dapat dikira daripada jawapan ini: semak semula",
                "cannot be worked out from this answer: check it",
            )
        )),
    }
}
