//! The M-Pesa organisation portal statement, as Safaricom's portal exports it (CSV).
//!
//! The file opens with a few preamble lines (account holder, short code, `Time Period:`),
//! then a header row, then one row per transaction. Columns are found by their header
//! names, so their order and any extra columns do not matter. Only money in counts: rows
//! whose `Transaction Status` is `Completed` and whose `Paid In` is above zero. A row that
//! cannot be read is reported with its line number and the rest of the file still counts;
//! only a file that is not UTF-8 CSV, or that lacks a needed column, is refused whole.
//!
//! Pure: no I/O, so the CLI, the pages and the tests share one reading of the file.

pub mod reversal;

pub use lango_core::clock::EAT_OFFSET_MS;
use lango_core::money::{Currency, Money};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The columns a statement must have, as the portal names them.
pub const REQUIRED: [&str; 5] = [
    "Receipt No.",
    "Completion Time",
    "Transaction Status",
    "Paid In",
    "A/C No.",
];

/// How many lines may come before the header row.
const PREAMBLE_LIMIT: usize = 50;

/// One payment the statement shows (money in, completed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Line number in the file, from 1.
    pub line: u64,
    /// `Receipt No.`: M-Pesa's TransID.
    pub receipt: String,
    /// `Completion Time`, unix milliseconds.
    pub completed_at: i64,
    /// `Paid In`.
    pub amount: Money,
    /// `A/C No.`: the account number the payer typed.
    pub account: String,
    /// Every column of the row by its header name, as JSON (kept as the receipt's raw body).
    pub raw: String,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Line number in the file, from 1.
    pub line: u64,
    /// What is wrong with it.
    pub reason: String,
}

/// A statement, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    /// The `Time Period:` of the preamble (unix ms, both ends included), when given.
    pub period: Option<(i64, i64)>,
    /// The payments.
    pub rows: Vec<Row>,
    /// Rows that are not money in (withdrawals, reversals, failed or pending transactions).
    pub skipped: u64,
    /// Payments M-Pesa took back, with their line (see [`reversal`]); counted in `skipped`
    /// too.
    pub reversals: Vec<(u64, crate::refunds::reversal::Reversal)>,
    /// Rows that could not be read.
    pub bad: Vec<BadRow>,
}

impl Statement {
    /// The span the statement covers: its `Time Period:`, else its first to last payment.
    pub fn span(&self) -> Option<(i64, i64)> {
        self.period.or_else(|| {
            let times = self.rows.iter().map(|r| r.completed_at);
            Some((times.clone().min()?, times.max()?))
        })
    }
}

/// Why a file cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// Not UTF-8 text, or not CSV.
    #[error("the file cannot be read as a CSV statement: {0}")]
    Unreadable(String),
    /// No header row with the needed columns.
    #[error("the statement has no column {}", .0.join(", no column "))]
    MissingColumns(Vec<&'static str>),
}

/// Reads a statement file.
pub fn parse(bytes: &[u8]) -> Result<Statement, StatementError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| StatementError::Unreadable(format!("it is not UTF-8 text ({e})")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut statement = Statement::default();
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut extra: Vec<Option<usize>> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let mut best_missing: Vec<&'static str> = REQUIRED.to_vec();
    let mut seen = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| StatementError::Unreadable(e.to_string()))?;
        let line = record.position().map_or(index as u64 + 1, |p| p.line());
        let cells: Vec<&str> = record.iter().map(str::trim).collect();
        let Some(cols) = &columns else {
            if let Some(period) = preamble_period(&cells) {
                statement.period = Some(period);
            }
            let found: Vec<Option<usize>> = REQUIRED
                .iter()
                .map(|name| cells.iter().position(|c| c.eq_ignore_ascii_case(name)))
                .collect();
            let missing: Vec<&'static str> = REQUIRED
                .iter()
                .zip(&found)
                .filter(|(_, f)| f.is_none())
                .map(|(n, _)| *n)
                .collect();
            if missing.is_empty() {
                extra = reversal::COLUMNS
                    .iter()
                    .map(|name| cells.iter().position(|c| c.eq_ignore_ascii_case(name)))
                    .collect();
                headers = cells.iter().map(|c| c.to_string()).collect();
                columns = Some(found);
            } else if missing.len() < best_missing.len() {
                best_missing = missing;
            }
            if columns.is_none() && index + 1 >= PREAMBLE_LIMIT {
                break;
            }
            continue;
        };
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let cell = |i: usize| cols[i].and_then(|c| cells.get(c).copied()).unwrap_or("");
        let more = |i: usize| extra[i].and_then(|c| cells.get(c).copied()).unwrap_or("");
        let reversed = reversal::read([
            cell(0),
            cell(1),
            cell(2),
            more(0),
            more(1),
            more(2),
            more(3),
        ]);
        statement.reversals.extend(reversed.map(|r| (line, r)));
        match read_row(
            line,
            &cells,
            &headers,
            [cell(0), cell(1), cell(2), cell(3), cell(4)],
        ) {
            Ok(None) => statement.skipped += 1,
            Ok(Some(row)) if !seen.insert(row.receipt.clone()) => statement.bad.push(BadRow {
                line,
                reason: format!("receipt {} is listed twice", row.receipt),
            }),
            Ok(Some(row)) => statement.rows.push(row),
            Err(reason) => statement.bad.push(BadRow { line, reason }),
        }
    }
    if columns.is_none() {
        return Err(StatementError::MissingColumns(best_missing));
    }
    Ok(statement)
}

/// Reads one data row: `None` when it is not money in.
fn read_row(
    line: u64,
    cells: &[&str],
    headers: &[String],
    [receipt, completed, status, paid_in, account]: [&str; 5],
) -> Result<Option<Row>, String> {
    if !status.eq_ignore_ascii_case("Completed") {
        return Ok(None);
    }
    let amount = if paid_in.is_empty() {
        Money::from_minor(0, Currency::Kes)
    } else {
        parse_amount(paid_in).ok_or_else(|| format!("Paid In {paid_in:?} is not an amount"))?
    };
    if amount.minor() == 0 {
        return Ok(None);
    }
    if receipt.is_empty()
        || receipt.len() > 20
        || !receipt.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(format!(
            "Receipt No. {receipt:?} is not 1-20 letters and digits"
        ));
    }
    let completed_at = eat_ms(completed).ok_or_else(|| {
        format!("Completion Time {completed:?} is not a YYYY-MM-DD HH:MM:SS time")
    })?;
    let mut raw = Map::new();
    for (i, h) in headers.iter().enumerate() {
        if !h.is_empty() {
            let v = cells.get(i).copied().unwrap_or("");
            raw.insert(h.clone(), Value::String(v.to_string()));
        }
    }
    raw.insert("line".into(), Value::from(line));
    Ok(Some(Row {
        line,
        receipt: receipt.to_ascii_uppercase(),
        completed_at,
        amount,
        account: account.chars().take(40).collect(),
        raw: Value::Object(raw).to_string(),
    }))
}

/// A Kenyan shilling amount as the portal or a spreadsheet writes it: `4600.00` or
/// `4,600.00` (separators only between groups of three digits).
pub fn parse_amount(s: &str) -> Option<Money> {
    let (whole, frac) = s.split_once('.').map_or((s, None), |(w, f)| (w, Some(f)));
    if whole.contains(',') {
        let mut groups = whole.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
            return None;
        }
    }
    let plain: String = whole.chars().filter(|c| *c != ',').collect();
    let plain = match frac {
        Some(f) => format!("{plain}.{f}"),
        None => plain,
    };
    Money::parse_decimal(&plain, Currency::Kes).ok()
}

/// Unix ms of an East Africa Time `YYYY-MM-DD HH:MM:SS` (a `T` between is accepted).
pub fn eat_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let shape = b.len() == 19
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    crate::daraja::trans_time_ms(&digits)
}

/// Unix ms of a UTC ISO-8601 time as Pull Transactions sends it: `2026-11-22T10:30:15Z`
/// (fractional seconds, or an offset such as `+03:00`, are read too).
pub fn iso_ms(s: &str) -> Option<i64> {
    let base = s.get(..19)?;
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &r[n..];
    }
    let offset_ms = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let b = rest.as_bytes();
            let sign = match b.first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm: String = rest[1..].chars().filter(|c| *c != ':').collect();
            if hm.len() != 4 || !hm.bytes().all(|d| d.is_ascii_digit()) {
                return None;
            }
            let h: i64 = hm[..2].parse().ok()?;
            let m: i64 = hm[2..].parse().ok()?;
            sign * (h * 3_600_000 + m * 60_000)
        }
    };
    // Read as East Africa Time, then move to the time the offset names.
    Some(eat_ms(base)? + EAT_OFFSET_MS - offset_ms)
}

/// `YYYY-MM-DD HH:MM:SS` in East Africa Time for unix ms (Daraja's Pull date format).
pub fn eat_string(ms: i64) -> String {
    let eat = ms + EAT_OFFSET_MS;
    let c = lango_core::clock::Civil::from_ms(eat);
    let second = eat.div_euclid(1000).rem_euclid(60);
    format!("{} {:02}:{:02}:{second:02}", c.date(), c.hour, c.minute)
}

/// The `Time Period:,From … To …` preamble line.
fn preamble_period(cells: &[&str]) -> Option<(i64, i64)> {
    let label = cells.first()?;
    if !label.to_ascii_lowercase().starts_with("time period") {
        return None;
    }
    let text = cells[1..].join(" ");
    let text = text.trim();
    let rest = text
        .strip_prefix("From ")
        .or_else(|| text.strip_prefix("from "))?;
    let (from, to) = rest
        .split_once(" To ")
        .or_else(|| rest.split_once(" to "))?;
    let (from, to) = (eat_ms(from.trim())?, eat_ms(to.trim())?);
    // The end is a whole second: everything within it counts.
    (from <= to).then_some((from, to + 999))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.";

    fn file(rows: &[&str]) -> String {
        let mut s = String::from("Account Holder:,Lango Payments\nShort Code:,222222\nTime Period:,From 2026-11-21 00:00:00 To 2026-11-22 23:59:59\n");
        s.push_str(HEADER);
        s.push('\n');
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s
    }

    #[test]
    fn reads_payments_and_skips_what_is_not_money_in() {
        let text = file(&[
            "TKA0000001,2026-11-22 13:30:15,2026-11-22 13:30:15,Pay Bill from 254712***678 - WANJIKU KAMAU Acc. AB12CD3,Completed,4600.00,,49197.00,true,Pay Bill Online,254712***678 - WANJIKU KAMAU,,AB12CD3",
            "TKA0000002,2026-11-22 14:00:00,2026-11-22 14:00:00,x,Completed,\"4,600.50\",,1,true,Pay Bill Online,y,,ab12 cd3",
            "TKA0000003,2026-11-22 14:00:00,2026-11-22 14:00:00,x,Failed,10.00,,1,true,Pay Bill Online,y,,X",
            "TKA0000004,2026-11-22 14:00:00,2026-11-22 14:00:00,x,Completed,,500.00,1,true,Withdrawal,y,,",
            ",,,,,,,,,,,,",
        ]);
        let s = parse(text.as_bytes()).unwrap();
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.skipped, 2);
        assert!(s.bad.is_empty());
        let r = &s.rows[0];
        assert_eq!(
            (r.line, r.receipt.as_str(), r.amount.minor()),
            (5, "TKA0000001", 460_000)
        );
        assert_eq!(r.account, "AB12CD3");
        // 13:30:15 in Nairobi is 10:30:15 UTC.
        assert_eq!(r.completed_at, iso_ms("2026-11-22T10:30:15Z").unwrap());
        assert_eq!(s.rows[1].amount.minor(), 460_050);
        let raw: Value = serde_json::from_str(&r.raw).unwrap();
        assert_eq!(raw["Paid In"], "4600.00");
        let (from, to) = s.period.unwrap();
        assert_eq!(eat_string(from), "2026-11-21 00:00:00");
        assert_eq!(eat_string(to), "2026-11-22 23:59:59");
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_the_rest_counts() {
        let text = file(&[
            "TKA0000001,2026-11-22 13:30:15,,x,Completed,46OO.00,,,,,,,A",
            "TKA0000002,22/11/2026 13:30,,x,Completed,10.00,,,,,,,A",
            "TKA-0003,2026-11-22 13:30:15,,x,Completed,10.00,,,,,,,A",
            "TKA0000004,2026-11-22 13:30:15,,x,Completed,10.00,,,,,,,A",
            "TKA0000004,2026-11-22 13:30:15,,x,Completed,10.00,,,,,,,A",
            "TKA0000005,2026-11-22 13:30:15,,x,Completed,\"46,00.00\",,,,,,,A",
        ]);
        let s = parse(text.as_bytes()).unwrap();
        assert_eq!(s.rows.len(), 1);
        let lines: Vec<u64> = s.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [5, 6, 7, 9, 10]);
        assert!(s.bad[0].reason.contains("Paid In"));
        assert!(s.bad[3].reason.contains("twice"));
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_naming_them() {
        let text = "Receipt No.,Completion Time,Transaction Status,Withdrawn\nTKA1,2026-11-22 13:30:15,Completed,1\n";
        let e = parse(text.as_bytes()).unwrap_err();
        assert_eq!(
            e,
            StatementError::MissingColumns(vec!["Paid In", "A/C No."])
        );
        assert_eq!(
            e.to_string(),
            "the statement has no column Paid In, no column A/C No."
        );
        assert!(matches!(
            parse(b"hello\nworld\n").unwrap_err(),
            StatementError::MissingColumns(m) if m.len() == 5
        ));
        assert!(matches!(
            parse(&[0xff, 0xfe, 0x00]).unwrap_err(),
            StatementError::Unreadable(_)
        ));
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_without_a_preamble() {
        let text = "\u{feff}a/c no.,Paid In,Receipt No.,Transaction Status,Completion Time\nAB12CD3,200,tka9,completed,2026-11-22T08:00:00\n";
        let s = parse(text.as_bytes()).unwrap();
        assert_eq!(s.rows[0].receipt, "TKA9");
        assert_eq!(s.rows[0].amount.minor(), 20_000);
        assert_eq!(s.period, None);
        assert_eq!(
            s.span(),
            Some((s.rows[0].completed_at, s.rows[0].completed_at))
        );
    }

    #[test]
    fn times_and_amounts() {
        assert_eq!(
            iso_ms("2026-11-22T10:30:15Z"),
            iso_ms("2026-11-22T13:30:15+03:00")
        );
        assert_eq!(
            iso_ms("2026-11-22T10:30:15.250Z"),
            iso_ms("2026-11-22T10:30:15Z")
        );
        assert_eq!(iso_ms("2026-11-22T10:30:15Q"), None);
        assert_eq!(eat_ms("2026-02-30 10:00:00"), None);
        let t = eat_ms("2026-11-22 13:30:15").unwrap();
        assert_eq!(eat_string(t), "2026-11-22 13:30:15");
        assert_eq!(parse_amount("1,234,567.89").unwrap().minor(), 123_456_789);
        for bad in ["1,23.00", ",100", "1e3", "-5", "10.001", "1,0000"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
