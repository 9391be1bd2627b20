//! The gateway's daily settlement report, reconciled like M-Pesa's statement
//! (`crate::reconcile`): the same runs, findings and pages.
//!
//! The report is CSV with a header row; columns are found by name. Only approved debits
//! (`Debit Auth Code` `00`) are money; other rows are skipped, unreadable ones reported by
//! line. The file itself proves nothing (anyone can write a CSV): for an approved row about
//! an attempt Lango started but never heard the end of (a confirmation lost on the way),
//! Lango asks the gateway, and posts only on its signed answer. A row for a transaction
//! Lango did not start is a finding (`missing_in_ledger`) kept for review, never posted.
//! Posted payments the report shows become settled (`settled_at`), and only those are
//! settled to agencies.

use super::{enquire, get, message, Enquired, Received, Seller};
use crate::reconcile::{self, Comparison, Ledger, Run, Seen};
use crate::statement::{BadRow, StatementError};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::Result;
use sha2::{Digest, Sha256};

/// The source of runs made from a settlement report.
pub const SOURCE: &str = "fpx";

/// The columns a report must have.
pub const REQUIRED: [&str; 6] = [
    "FPX Txn ID",
    "Seller Order No",
    "Seller Exchange Order No",
    "Txn Time",
    "Txn Amount",
    "Debit Auth Code",
];

/// FPX payments that Lango posted.
pub const FPX: Ledger = Ledger {
    held: "SELECT fpx_txn_id AS trans_id, amount, settled_at AS verified_at FROM fpx_payments \
           WHERE posted = 1 AND fpx_txn_id IN ({in})",
    verify:
        "UPDATE fpx_payments SET settled_at = $1 WHERE settled_at IS NULL AND fpx_txn_id IN ({in})",
    within:
        "SELECT fpx_txn_id AS trans_id, amount, bill_reference, posted_at AS at FROM fpx_payments \
             WHERE posted = 1 AND settled_at IS NULL AND posted_at >= $1 AND posted_at <= $2 \
             ORDER BY fpx_txn_id",
};

/// One approved debit the report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The row as reconciliation compares it (receipt = FPX transaction id).
    pub seen: Seen,
    /// Lango's attempt id it names (seller exchange order number).
    pub order: String,
}

/// A report, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Approved debits.
    pub settled: Vec<Settled>,
    /// Rows that could not be read.
    pub bad: Vec<BadRow>,
    /// Rows that are not money (not approved).
    pub skipped: u64,
    /// The first and last transaction time of every row, unix ms.
    pub span: Option<(i64, i64)>,
}

/// True when `bytes` look like a settlement report (its header has FPX's columns).
pub fn is_report(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]);
    REQUIRED.iter().all(|c| head.contains(c))
}

/// `YYYYMMDDHHMMSS` in FPX's time (Malaysia's), unix ms.
fn read_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() != 14 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| t[a..b].parse::<i64>().ok();
    let (y, mo, d, h, mi, s) = (
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = lango_core::clock::days_from_civil(y, mo, d);
    Some(((days * 86_400 + h * 3600 + mi * 60 + s) * 1000) - super::FPX_OFFSET_MS)
}

/// Reads a report file.
pub fn parse(bytes: &[u8]) -> std::result::Result<Report, StatementError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| StatementError::Unreadable(format!("it is not UTF-8 text ({e})")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| StatementError::Unreadable(e.to_string()))?
        .clone();
    let missing: Vec<&'static str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !header.iter().any(|h| h == *c))
        .collect();
    if !missing.is_empty() {
        return Err(StatementError::MissingColumns(missing));
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
    let (txn, order, ex, time, amount, code) = (
        col("FPX Txn ID"),
        col("Seller Order No"),
        col("Seller Exchange Order No"),
        col("Txn Time"),
        col("Txn Amount"),
        col("Debit Auth Code"),
    );
    let currency = header.iter().position(|h| h == "Currency");
    let mut report = Report::default();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let bad = |reason: &str| BadRow {
            line,
            reason: reason.to_string(),
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.bad.push(bad(&e.to_string()));
                continue;
            }
        };
        let field = |i: usize| record.get(i).unwrap_or("");
        let Some(at) = read_time(field(time)) else {
            report.bad.push(bad("Txn Time is not YYYYMMDDHHMMSS"));
            continue;
        };
        report.span = Some(match report.span {
            None => (at, at),
            Some((a, b)) => (a.min(at), b.max(at)),
        });
        if field(code) != "00" {
            report.skipped += 1;
            continue;
        }
        let Some(minor) = message::parse_amount(field(amount)) else {
            report
                .bad
                .push(bad("Txn Amount is not an amount such as 12.50"));
            continue;
        };
        if currency.is_some_and(|c| field(c) != "MYR") {
            report.bad.push(bad("Currency is not MYR"));
            continue;
        }
        if field(txn).is_empty() {
            report.bad.push(bad("FPX Txn ID is empty"));
            continue;
        }
        let raw: serde_json::Map<String, serde_json::Value> = header
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_string(), serde_json::Value::from(v)))
            .collect();
        report.settled.push(Settled {
            seen: Seen {
                line,
                receipt: field(txn).to_string(),
                amount: Money::from_minor(minor, Currency::Myr),
                completed_at: at,
                account: field(order).to_string(),
                raw: serde_json::Value::Object(raw).to_string(),
            },
            order: field(ex).to_string(),
        });
    }
    Ok(report)
}

/// Imports a settlement report: asks the gateway (`seller`, when FPX is configured) about
/// approved debits whose confirmation never came, keeps transactions Lango did not start for
/// review, and compares the report with the ledger. The same file again (same SHA-256)
/// returns the earlier run and changes nothing.
pub async fn import(
    db: &Db,
    seller: Option<&Seller>,
    file_name: &str,
    bytes: &[u8],
    by: &str,
) -> Result<std::result::Result<(Run, bool), StatementError>> {
    let report = match parse(bytes) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let sha256 = hex::encode(Sha256::digest(bytes));
    for s in &report.settled {
        let attempt = get(db, &s.order).await?;
        match attempt {
            Some(p)
                if p.bill_reference == s.seen.account
                    && p.amount == s.seen.amount
                    && p.fpx_txn_id.as_deref().unwrap_or(&s.seen.receipt) == s.seen.receipt =>
            {
                if let (false, Some(seller)) = (p.posted, seller) {
                    ask_gateway(db, seller, &p).await?;
                }
            }
            _ => keep_for_review(db, s).await?,
        }
    }
    let file_name: String = file_name.chars().take(200).collect();
    let comparison = Comparison {
        source: SOURCE,
        ledger: &FPX,
        file_name: &file_name,
        sha256: Some(sha256),
        period: report.span,
        seen: report.settled.into_iter().map(|s| s.seen).collect(),
        bad: report.bad,
        skipped: report.skipped,
        by,
    };
    Ok(Ok(reconcile::compare(db, comparison, &mut |_, _| {}).await?))
}

/// Asks the gateway how attempt `p` ended and applies its signed answer (an approval posts
/// it); a gateway that cannot be asked leaves it a finding for now.
async fn ask_gateway(db: &Db, seller: &Seller, p: &super::FpxPayment) -> Result<()> {
    match enquire(db, seller, p).await? {
        // The gateway never saw it: the file is wrong, and its row stays a finding.
        Ok(Enquired::NotSeen) => {
            tracing::warn!(payment = %p.id, "a settlement report shows a payment the FPX gateway never saw");
        }
        Ok(Enquired::Answered(r)) if matches!(&*r, Received::Applied(now) if now.posted) => {
            tracing::info!(payment = %p.id, "FPX payment posted on the gateway's answer, asked for its settlement report row");
        }
        Ok(Enquired::Answered(other)) => {
            tracing::warn!(payment = %p.id, answer = ?other, "the gateway did not confirm a payment its settlement report shows")
        }
        Err(e) => {
            tracing::warn!(payment = %p.id, error = %e, "cannot ask the FPX gateway about a settled payment")
        }
    }
    Ok(())
}

/// Keeps a settled transaction that matches no attempt of Lango's for review (once).
async fn keep_for_review(db: &Db, s: &Settled) -> Result<()> {
    // One statement, so two imports at once keep it once.
    let kept = sqlx::query(
        "INSERT INTO fpx_notifications (id, via, fpx_txn_id, seller_order_no, payment_id, \
         debit_auth_code, amount, outcome, note, raw, received_at) \
         SELECT $1, 'settlement', $2, $3, $4, '00', $5, 'review', $6, $7, $8 \
         WHERE NOT EXISTS (SELECT 1 FROM fpx_notifications WHERE via = 'settlement' AND fpx_txn_id = $2)",
    )
    .bind(uuid::Uuid::new_v4().simple().to_string())
    .bind(s.seen.receipt.chars().take(100).collect::<String>())
    .bind(s.seen.account.chars().take(100).collect::<String>())
    .bind(s.order.chars().take(100).collect::<String>())
    .bind(message::amount_text(s.seen.amount.minor()))
    .bind(
        "the settlement report shows a transaction Lango did not start, or not as Lango started it",
    )
    .bind(&s.seen.raw)
    .bind(now_ms())
    .execute(db.pool())
    .await?
    .rows_affected();
    if kept == 1 {
        tracing::warn!(txn = %s.seen.receipt, "FPX settlement report shows a transaction Lango did not start: kept for review");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Settlement Date,FPX Txn ID,Seller Exchange Order No,Seller Order No,Buyer Bank,Txn Time,Txn Amount,Currency,Debit Auth Code";

    #[test]
    fn reports_read_approved_rows_and_name_bad_ones() {
        let file = format!(
            "{HEADER}\n20261205,2612051200000001,abc,ABCD2345,MB2U0227,20261205120000,150.00,MYR,00\n\
             20261205,2612051200000002,def,ABCD2346,MB2U0227,20261205120100,10.00,MYR,51\n\
             20261205,2612051200000003,ghi,ABCD2347,MB2U0227,2026-12-05,10.00,MYR,00\n\
             20261205,2612051200000004,jkl,ABCD2348,MB2U0227,20261205120200,10,MYR,00\n"
        );
        let r = parse(file.as_bytes()).unwrap();
        assert_eq!(r.settled.len(), 1);
        assert_eq!(r.settled[0].seen.amount.minor(), 15000);
        assert_eq!(r.settled[0].order, "abc");
        assert_eq!(r.skipped, 1);
        assert_eq!(r.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![4, 5]);
        assert!(is_report(file.as_bytes()));
        assert!(!is_report(b"Receipt No.,Completion Time\n"));
    }

    #[test]
    fn a_report_without_the_columns_is_refused_naming_them() {
        let e = parse(b"FPX Txn ID,Txn Amount\n1,2.00\n").unwrap_err();
        assert!(e.to_string().contains("Seller Order No"), "{e}");
    }
}
