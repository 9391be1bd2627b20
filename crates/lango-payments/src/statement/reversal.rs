//! Reversals in the portal statement: Safaricom took a payment back from the paybill (the
//! payer paid the wrong account and asked for it back). The portal writes such a row as
//! money out (`Withdrawn`) whose `Reason Type` (or `Details`) says `Reversal`, linked to
//! the payment it undoes by `Linked Transaction ID` (or, in older exports, by the receipt
//! named in `Details`).

use super::{eat_ms, parse_amount};
use crate::refunds::reversal::Reversal;

/// The optional columns a reversal is read from, as the portal names them.
pub const COLUMNS: [&str; 4] = [
    "Withdrawn",
    "Reason Type",
    "Details",
    "Linked Transaction ID",
];

/// A receipt number as M-Pesa writes it: 10 letters and digits (upper case).
fn is_receipt(s: &str) -> bool {
    s.len() == 10
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Reads one data row as a reversal: `None` when it is not one. `cells` are the row's
/// receipt, completion time, status and the [`COLUMNS`] (empty when the file lacks one).
pub fn read(
    [receipt, completed, status, withdrawn, reason, details, linked]: [&str; 7],
) -> Option<Reversal> {
    let says = |s: &str| s.to_ascii_lowercase().contains("reversal");
    if !status.eq_ignore_ascii_case("Completed") || !(says(reason) || says(details)) {
        return None;
    }
    let amount = parse_amount(withdrawn.trim_start_matches('-'))?.minor();
    let original = if is_receipt(&linked.to_ascii_uppercase()) {
        linked.to_ascii_uppercase()
    } else {
        details
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_ascii_uppercase)
            .find(|w| is_receipt(w) && *w != receipt.to_ascii_uppercase())?
    };
    (amount > 0 && is_receipt(&receipt.to_ascii_uppercase())).then(|| Reversal {
        receipt: receipt.to_ascii_uppercase(),
        original,
        amount,
        completed_at: eat_ms(completed).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reversal_is_read_from_its_reason_and_link_and_nothing_else_is() {
        let r = read([
            "TKR0000001",
            "2026-11-22 15:00:00",
            "Completed",
            "6,050.00",
            "Reversal",
            "Reversal of transaction",
            "tka0000001",
        ])
        .unwrap();
        assert_eq!(
            (r.receipt.as_str(), r.original.as_str(), r.amount),
            ("TKR0000001", "TKA0000001", 605_000)
        );
        assert!(r.completed_at > 0);
        let older = read([
            "TKR0000002",
            "2026-11-22 15:00:00",
            "Completed",
            "-100.00",
            "",
            "Reversal of TKA0000009 to 2547***",
            "",
        ])
        .unwrap();
        assert_eq!(
            (older.original.as_str(), older.amount),
            ("TKA0000009", 10_000)
        );
        assert!(read([
            "TKR0000003",
            "2026-11-22 15:00:00",
            "Completed",
            "500.00",
            "Withdrawal",
            "x",
            ""
        ])
        .is_none());
        assert!(read([
            "TKR0000004",
            "2026-11-22 15:00:00",
            "Failed",
            "500.00",
            "Reversal",
            "x",
            "TKA0000001"
        ])
        .is_none());
        assert!(read([
            "TKR0000005",
            "2026-11-22 15:00:00",
            "Completed",
            "500.00",
            "Reversal",
            "no receipt named",
            ""
        ])
        .is_none());
    }
}
