//! The auditor's export: every receipt received in a period with its bill, agency, outcome,
//! verified time, settlement batch, and every entry of every ledger transaction it made, so
//! each total can be recomputed independently. CSV (one row per ledger entry) or JSON (one
//! item per receipt).
//!
//! It streams: [`Export::next_chunk`] reads the next page of receipts and renders it, so a
//! large period never becomes one string. Everything is read in one read-only snapshot, so
//! the counts and totals at the head agree with the rows below them even while money keeps
//! arriving.

mod read;

use super::{local_rfc3339, Period};
use lango_core::db::{Backend, Db};
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use read::{Channel, Item, PAGE};

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, one row per ledger entry.
    Csv,
    /// JSON, one item per receipt with its transactions and entries.
    Json,
}

impl Format {
    /// `csv` or `json`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The CSV columns, in order.
pub const COLUMNS: [&str; 18] = [
    "channel",
    "receipt",
    "received_at",
    "trans_time",
    "amount",
    "currency",
    "typed_reference",
    "bill",
    "agency",
    "outcome",
    "verified_at",
    "settlement_batch",
    "transaction",
    "transaction_at",
    "transaction_memo",
    "line",
    "account",
    "entry_amount",
];

/// What the export holds: counted before the first row, in the same snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Receipts.
    pub receipts: i64,
    /// CSV rows (ledger entries; a receipt without entries is one row).
    pub rows: i64,
    /// Per currency: how many receipts and what they add up to.
    pub totals: Vec<(Currency, i64, Money)>,
}

enum Stage {
    Head,
    Receipts {
        channel: Channel,
        after: (i64, String),
    },
    Tail,
    Done,
}

/// Where a channel's pages begin.
fn first_page(channel: Channel) -> Stage {
    Stage::Receipts {
        channel,
        after: (i64::MIN, String::new()),
    }
}

/// An export being written, one chunk at a time.
pub struct Export {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    period: Period,
    format: Format,
    summary: Summary,
    stage: Stage,
    first_item: bool,
}

impl Export {
    /// Opens the snapshot and counts what the export holds.
    pub async fn start(db: &Db, period: Period, format: Format) -> Result<Export> {
        let mut tx = db.pool().begin().await?;
        if db.backend() == Backend::Postgres {
            // One snapshot for the counts and every page (SQLite's read transaction is one).
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let summary = read::summary(&mut tx, period).await?;
        Ok(Export {
            tx,
            period,
            format,
            summary,
            stage: Stage::Head,
            first_item: true,
        })
    }

    /// The counts and totals.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// A file name for the download.
    pub fn file_name(&self) -> String {
        format!(
            "lango-receipts-{}-{}.{}",
            self.period.from.date(),
            self.period.to.date(),
            self.format.extension()
        )
    }

    /// The next piece of the file, or `None` when it is complete.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Head => {
                self.stage = first_page(Channel::Mpesa);
                Ok(Some(self.head()?))
            }
            Stage::Receipts { channel, after } => {
                let items = read::page(&mut self.tx, channel, self.period, &after).await?;
                self.stage = match (items.last(), channel) {
                    (Some(last), _) if items.len() as i64 == PAGE => Stage::Receipts {
                        channel,
                        after: (last.received_at, last.receipt.clone()),
                    },
                    (_, Channel::Mpesa) => first_page(Channel::Card),
                    (_, Channel::Card) => first_page(Channel::Fpx),
                    (_, Channel::Fpx) => Stage::Tail,
                };
                Ok(Some(self.body(&items)?))
            }
            Stage::Tail => Ok(Some(match self.format {
                Format::Csv => Vec::new(),
                Format::Json => b"]}\n".to_vec(),
            })),
            Stage::Done => Ok(None),
        }
    }

    fn head(&self) -> Result<Vec<u8>> {
        let s = &self.summary;
        match self.format {
            Format::Csv => {
                let mut line = format!(
                    "# lango receipts from={} to={} timezone={} receipts={} rows={}",
                    self.period.from.date(),
                    self.period.to.date(),
                    lango_core::clock::local_offset_text(),
                    s.receipts,
                    s.rows
                );
                for (c, n, total) in &s.totals {
                    line.push_str(&format!(
                        " {c}_receipts={n} {c}_total={}",
                        total.to_decimal()
                    ));
                }
                line.push_str(" entry_amount=debit_positive_credit_negative\n");
                let mut w = csv::Writer::from_writer(line.into_bytes());
                w.write_record(COLUMNS).map_err(csv_error)?;
                w.into_inner().map_err(|e| Error::Internal(e.to_string()))
            }
            Format::Json => {
                let totals: serde_json::Map<String, serde_json::Value> = s
                    .totals
                    .iter()
                    .map(|(c, n, total)| {
                        (
                            c.code().to_string(),
                            serde_json::json!({"receipts": n, "amount": total.to_decimal()}),
                        )
                    })
                    .collect();
                let head = serde_json::json!({
                    "from": self.period.from.date(),
                    "to": self.period.to.date(),
                    "timezone": lango_core::clock::local_offset_text(),
                    "receipts": s.receipts,
                    "rows": s.rows,
                    "totals": totals,
                    "amounts": "decimal strings in major units; entries: debit positive, credit negative",
                })
                .to_string();
                // The items follow inside the same object.
                let open = head
                    .strip_suffix('}')
                    .ok_or_else(|| Error::Internal("head is not an object".into()))?;
                Ok(format!("{open},\"items\":[").into_bytes())
            }
        }
    }

    fn body(&mut self, items: &[Item]) -> Result<Vec<u8>> {
        match self.format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(Vec::new());
                for i in items {
                    for row in csv_rows(i) {
                        w.write_record(&row).map_err(csv_error)?;
                    }
                }
                w.into_inner().map_err(|e| Error::Internal(e.to_string()))
            }
            Format::Json => {
                let mut out = Vec::new();
                for i in items {
                    if !std::mem::take(&mut self.first_item) {
                        out.push(b',');
                    }
                    serde_json::to_writer(&mut out, &json_item(i))
                        .map_err(|e| Error::Internal(e.to_string()))?;
                }
                Ok(out)
            }
        }
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Internal(e.to_string())
}

fn opt_time(ms: Option<i64>) -> String {
    ms.map(local_rfc3339).unwrap_or_default()
}

fn csv_rows(i: &Item) -> Vec<Vec<String>> {
    let receipt = vec![
        i.channel.name().to_string(),
        i.receipt.clone(),
        local_rfc3339(i.received_at),
        opt_time(i.trans_time),
        i.amount.to_decimal(),
        i.amount.currency().code().to_string(),
        lango_core::spreadsheet::cell(&i.typed).into_owned(),
        i.bill.clone().unwrap_or_default(),
        i.agency.clone().unwrap_or_default(),
        i.outcome.clone(),
        opt_time(i.verified_at),
        i.batch.clone().unwrap_or_default(),
    ];
    let mut rows = Vec::new();
    for t in &i.transactions {
        for (line, account, amount) in &t.entries {
            let mut row = receipt.clone();
            row.extend([
                t.id.clone(),
                local_rfc3339(t.at),
                t.memo.clone(),
                line.to_string(),
                account.clone(),
                amount.to_decimal(),
            ]);
            rows.push(row);
        }
    }
    if rows.is_empty() {
        let mut row = receipt;
        row.extend(std::iter::repeat_n(String::new(), 6));
        rows.push(row);
    }
    rows
}

fn json_item(i: &Item) -> serde_json::Value {
    serde_json::json!({
        "channel": i.channel.name(),
        "receipt": i.receipt,
        "received_at": local_rfc3339(i.received_at),
        "trans_time": i.trans_time.map(local_rfc3339),
        "amount": i.amount.to_decimal(),
        "currency": i.amount.currency().code(),
        "typed_reference": i.typed,
        "bill": i.bill,
        "agency": i.agency,
        "outcome": i.outcome,
        "verified_at": i.verified_at.map(local_rfc3339),
        "settlement_batch": i.batch,
        "transactions": i.transactions.iter().map(|t| serde_json::json!({
            "id": t.id,
            "at": local_rfc3339(t.at),
            "memo": t.memo,
            "entries": t.entries.iter().map(|(line, account, amount)| serde_json::json!({
                "line": line, "account": account, "amount": amount.to_decimal(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bills_are_read_from_posting_memos_only() {
        assert_eq!(
            read::bill_of_memo("mpesa TK1 bill ABCD2345", "mpesa", "TK1"),
            Some("ABCD2345".into())
        );
        assert_eq!(
            read::bill_of_memo("mpesa TK1 unmatched", "mpesa", "TK1"),
            None
        );
        assert_eq!(
            read::bill_of_memo("mpesa TK12 bill X", "mpesa", "TK1"),
            None
        );
    }

    #[test]
    fn a_receipt_without_entries_is_one_row() {
        let item = Item {
            channel: Channel::Mpesa,
            receipt: "TK1".into(),
            received_at: 0,
            trans_time: None,
            amount: Money::from_minor(100, Currency::Kes),
            typed: "x".into(),
            bill: None,
            agency: None,
            outcome: "pending".into(),
            verified_at: None,
            batch: None,
            transactions: Vec::new(),
        };
        let rows = csv_rows(&item);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].len(), COLUMNS.len());
        assert_eq!(json_item(&item)["transactions"], serde_json::json!([]));
    }
}
