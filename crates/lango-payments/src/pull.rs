//! The Pull Transactions sweep: every few minutes, ask Daraja for the paybill's transactions
//! of the last 48 hours (the most Pull Transactions keeps), page by page, and reconcile them
//! like a statement (a run with source `pull`). Receipts seen there become verified.

use crate::daraja_api::{DarajaClient, DarajaError};
use crate::reconcile::{self, Comparison, Run, Seen};
use crate::statement::{eat_string, iso_ms, BadRow};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// How far back Pull Transactions reaches.
pub const WINDOW_MS: i64 = 48 * 3_600_000;

/// Most rows in one Pull answer; a page with fewer is the last.
pub const PAGE_SIZE: usize = 1000;

/// Receipts younger than this are not yet called missing: M-Pesa's own record may lag the
/// callback by a little.
pub const GRACE_MS: i64 = 2 * 60_000;

/// Why Pull Transactions could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    /// The call failed.
    #[error(transparent)]
    Daraja(#[from] DarajaError),
    /// Daraja answered, but not with success.
    #[error("Pull Transactions answered {code}: {message}")]
    Refused {
        /// `ResponseCode`.
        code: String,
        /// `ResponseMessage`.
        message: String,
    },
}

/// Reads one Pull answer: the rows it holds (payments and unreadable ones, numbered from
/// `first_line`) and how many rows it had.
pub fn read_page(
    answer: &Value,
    first_line: u64,
) -> Result<(Vec<Seen>, Vec<BadRow>, usize), PullError> {
    let code = text(answer, "ResponseCode");
    if code != "1000" && code != "0" {
        return Err(PullError::Refused {
            message: text(answer, "ResponseMessage"),
            code,
        });
    }
    // `[[row, row…]]`; tolerate a flat list as well.
    let rows: Vec<&Value> = match answer.get("Response") {
        Some(Value::Array(outer)) => outer
            .iter()
            .flat_map(|v| match v {
                Value::Array(inner) => inner.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .collect(),
        _ => Vec::new(),
    };
    let (mut seen, mut bad) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let line = first_line + i as u64;
        match read_row(row) {
            Ok(Some(mut s)) => {
                s.line = line;
                seen.push(s);
            }
            Ok(None) => {}
            Err(reason) => bad.push(BadRow { line, reason }),
        }
    }
    Ok((seen, bad, rows.len()))
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// One Pull row; `None` when it moves no money in.
fn read_row(row: &Value) -> Result<Option<Seen>, String> {
    let receipt = text(row, "transactionId");
    if receipt.is_empty()
        || receipt.len() > 20
        || !receipt.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(format!(
            "transactionId {receipt:?} is not 1-20 letters and digits"
        ));
    }
    let amount_text = text(row, "amount");
    let amount = Money::parse_decimal(&amount_text, Currency::Kes)
        .map_err(|_| format!("amount {amount_text:?} of {receipt} is not an amount"))?;
    if amount.minor() == 0 {
        return Ok(None);
    }
    let date = text(row, "trxDate");
    let completed_at =
        iso_ms(&date).ok_or_else(|| format!("trxDate {date:?} of {receipt} is not a time"))?;
    Ok(Some(Seen {
        line: 0,
        receipt: receipt.to_ascii_uppercase(),
        amount,
        completed_at,
        account: text(row, "billreference").chars().take(40).collect(),
        raw: row.to_string(),
    }))
}

/// Every transaction of the paybill between `from` and `to` (unix ms), all pages.
pub async fn fetch(
    client: &DarajaClient,
    from: i64,
    to: i64,
) -> Result<(Vec<Seen>, Vec<BadRow>), PullError> {
    let (mut seen, mut bad) = (Vec::new(), Vec::new());
    let mut ids = HashSet::new();
    let mut offset = 0_usize;
    // A bound on pages, so a provider that never stops paging cannot hold the sweep forever.
    for _ in 0..10_000 {
        let body = json!({
            "ShortCode": client.shortcode(),
            "StartDate": eat_string(from),
            "EndDate": eat_string(to),
            "OffSetValue": offset.to_string(),
        });
        let answer = client
            .post_json("/pulltransactions/v1/query", &body)
            .await?;
        let (page, page_bad, n) = read_page(&answer, offset as u64 + 1)?;
        // A row on two pages (new transactions shift the pages) counts once.
        seen.extend(page.into_iter().filter(|s| ids.insert(s.receipt.clone())));
        bad.extend(page_bad);
        offset += n;
        if n < PAGE_SIZE {
            break;
        }
    }
    Ok((seen, bad))
}

/// Sweeps the last 48 hours once and stores the run.
pub async fn sweep(db: &Db, client: &DarajaClient, by: &str) -> Result<Run, SweepError> {
    let to = now_ms();
    let from = to - WINDOW_MS + 60_000;
    let (seen, bad) = fetch(client, from, to).await?;
    let comparison = Comparison {
        source: reconcile::PULL,
        ledger: &reconcile::MPESA,
        file_name: "",
        sha256: None,
        period: Some((from, to - GRACE_MS)),
        seen,
        bad,
        skipped: 0,
        by,
    };
    let (run, _) = reconcile::compare(db, comparison, &mut |_, _| {}).await?;
    Ok(run)
}

/// Why a sweep did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Daraja could not be asked.
    #[error(transparent)]
    Pull(#[from] PullError),
    /// The database refused.
    #[error(transparent)]
    Db(#[from] lango_core::Error),
}

/// Sweeps every `every`, starting after one interval; a failed sweep is logged and tried
/// again at the next tick. Several nodes may sweep: verifying is idempotent.
pub fn spawn(db: Db, client: Arc<DarajaClient>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            match sweep(&db, &client, "system").await {
                Ok(run) => tracing::info!(
                    run = %run.id,
                    matched = run.matched,
                    verified = run.verified,
                    missing_in_ledger = run.missing_in_ledger,
                    missing_in_statement = run.missing_in_statement,
                    amount_mismatch = run.amount_mismatch,
                    "pull transactions sweep"
                ),
                Err(e) => tracing::warn!(error = %e, "pull transactions sweep failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pages_as_daraja_sends_them() {
        let answer = json!({"ResponseRefID": "x", "ResponseCode": "1000", "ResponseMessage": "Success",
        "Response": [[
            {"transactionId": "TKA0000001", "trxDate": "2026-11-22T10:30:15Z", "msisdn": 254712345678_i64,
             "sender": "WANJIKU KAMAU", "transactiontype": "c2b-pay-bill-debit",
             "billreference": "AB12 CD3", "amount": "4600.00", "organizationname": "Lango"},
            {"transactionId": "TKA0000002", "trxDate": "yesterday", "amount": "1.00"},
            {"transactionId": "TKA0000003", "trxDate": "2026-11-22T10:30:15Z", "amount": "1e3"}
        ]]});
        let (seen, bad, n) = read_page(&answer, 1001).unwrap();
        assert_eq!(n, 3);
        assert_eq!(seen.len(), 1);
        assert_eq!((seen[0].line, seen[0].amount.minor()), (1001, 460_000));
        assert_eq!(seen[0].account, "AB12 CD3");
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [1002, 1003]);
        let empty = json!({"ResponseCode": "1000", "Response": [[]]});
        assert_eq!(read_page(&empty, 1).unwrap().2, 0);
        let refused = json!({"ResponseCode": "1001", "ResponseMessage": "Invalid shortcode"});
        assert!(matches!(
            read_page(&refused, 1),
            Err(PullError::Refused { .. })
        ));
    }
}
