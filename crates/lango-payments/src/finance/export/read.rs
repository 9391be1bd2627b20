//! The export's reading: counts and totals, then receipts a page at a time with their
//! bills, agencies, settlement batches and ledger entries. M-Pesa receipts by the time Lango
//! received them; card payments by the time they were posted (a card payment is posted only
//! once the provider has confirmed it, so that is also when it was verified).

use super::Summary;
use crate::finance::Period;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Receipts read per page.
pub const PAGE: i64 = 200;

/// Where receipts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `mpesa_receipts`.
    Mpesa,
    /// `card_payments` that were posted.
    Card,
    /// `fpx_payments` that were posted.
    Fpx,
}

impl Channel {
    /// The channel's name in ledger accounts, memos and settlement items.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Mpesa => "mpesa",
            Channel::Card => "card",
            Channel::Fpx => "fpx",
        }
    }
}

/// One ledger transaction of a receipt.
pub struct Txn {
    /// Its id.
    pub id: String,
    /// When it was posted.
    pub at: i64,
    /// Its memo.
    pub memo: String,
    /// (line, account, amount), debits positive.
    pub entries: Vec<(i64, String, Money)>,
}

/// One receipt, ready to write.
pub struct Item {
    /// Its channel.
    pub channel: Channel,
    /// The channel's receipt id (TransID, the card provider's payment id).
    pub receipt: String,
    /// When Lango received it (M-Pesa) or posted it (card): the export's order.
    pub received_at: i64,
    /// When the channel completed it, when known.
    pub trans_time: Option<i64>,
    /// What was paid.
    pub amount: Money,
    /// What the payer typed (M-Pesa's account number).
    pub typed: String,
    /// The bill it paid.
    pub bill: Option<String>,
    /// The bill's agency.
    pub agency: Option<String>,
    /// How it was posted.
    pub outcome: String,
    /// When it was verified.
    pub verified_at: Option<i64>,
    /// The settlement batches that paid its share out.
    pub batch: Option<String>,
    /// Its ledger transactions in the order they were made.
    pub transactions: Vec<Txn>,
}

fn currency_of(code: &str) -> Result<Currency> {
    code.parse()
        .map_err(|_| Error::Internal(format!("stored currency {code}")))
}

fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The bill a posting paid, from the memo `posting` writes (`mpesa ID bill REF`).
pub fn bill_of_memo(memo: &str, channel: &str, receipt: &str) -> Option<String> {
    memo.strip_prefix(&format!("{channel} {receipt} bill "))
        .map(str::to_string)
}

/// The ids of every ledger transaction an M-Pesa receipt in the period made: its own
/// posting, and for a match the suspense posting and its reversal.
const MPESA_TRANSACTIONS: &str = "SELECT ledger_transaction AS tid FROM mpesa_receipts \
     WHERE received_at >= $1 AND received_at < $2 AND ledger_transaction IS NOT NULL \
     UNION ALL SELECT m.suspense_transaction FROM suspense_matches m JOIN mpesa_receipts r \
     ON r.trans_id = m.trans_id WHERE r.received_at >= $1 AND r.received_at < $2 \
     UNION ALL SELECT m.reversal_transaction FROM suspense_matches m JOIN mpesa_receipts r \
     ON r.trans_id = m.trans_id WHERE r.received_at >= $1 AND r.received_at < $2";

/// The ledger transactions of the period's posted card payments.
const CARD_TRANSACTIONS: &str = "SELECT ledger_transaction AS tid FROM card_payments \
     WHERE posted = 1 AND posted_at >= $1 AND posted_at < $2 AND ledger_transaction IS NOT NULL";

/// The ledger transactions of the period's posted FPX payments.
const FPX_TRANSACTIONS: &str = "SELECT ledger_transaction AS tid FROM fpx_payments \
     WHERE posted = 1 AND posted_at >= $1 AND posted_at < $2 AND ledger_transaction IS NOT NULL";

/// (how many, what they add up to per currency, how many have no ledger transaction).
const COUNTS: [(&str, &str); 3] = [
    (
        "SELECT currency, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS total, \
         CAST(SUM(CASE WHEN ledger_transaction IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS bare \
         FROM mpesa_receipts WHERE received_at >= $1 AND received_at < $2 GROUP BY currency",
        MPESA_TRANSACTIONS,
    ),
    (
        "SELECT currency, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS total, \
         CAST(SUM(CASE WHEN ledger_transaction IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS bare \
         FROM card_payments WHERE posted = 1 AND posted_at >= $1 AND posted_at < $2 GROUP BY currency",
        CARD_TRANSACTIONS,
    ),
    (
        "SELECT currency, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS total, \
         CAST(SUM(CASE WHEN ledger_transaction IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS bare \
         FROM fpx_payments WHERE posted = 1 AND posted_at >= $1 AND posted_at < $2 GROUP BY currency",
        FPX_TRANSACTIONS,
    ),
];

/// Counts the period's receipts, their rows and their totals per currency.
pub async fn summary(tx: &mut sqlx::AnyConnection, period: Period) -> Result<Summary> {
    let (start, end) = period.span_ms();
    let mut totals: BTreeMap<Currency, (i64, i64)> = BTreeMap::new();
    let mut rows = 0;
    for (sums, transactions) in COUNTS {
        for r in sqlx::query(sums)
            .bind(start)
            .bind(end)
            .fetch_all(&mut *tx)
            .await?
        {
            let c = currency_of(&r.try_get::<String, _>("currency")?)?;
            let t = totals.entry(c).or_default();
            t.0 += r.try_get::<i64, _>("n")?;
            t.1 += r.try_get::<i64, _>("total")?;
            rows += r.try_get::<i64, _>("bare")?;
        }
        let entries: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM ledger_entries e JOIN ({transactions}) x ON e.transaction_id = x.tid"
        ))
        .bind(start)
        .bind(end)
        .fetch_one(&mut *tx)
        .await?;
        rows += entries;
    }
    Ok(Summary {
        receipts: totals.values().map(|t| t.0).sum(),
        rows,
        totals: totals
            .into_iter()
            .map(|(c, (n, total))| (c, n, Money::from_minor(total, c)))
            .collect(),
    })
}

/// The next page of `channel`'s receipts after `after` (time, id), complete with their
/// bills, agencies, settlement batches and ledger entries.
pub async fn page(
    tx: &mut sqlx::AnyConnection,
    channel: Channel,
    period: Period,
    after: &(i64, String),
) -> Result<Vec<Item>> {
    let (start, end) = period.span_ms();
    let sql = match channel {
        Channel::Mpesa => {
            "SELECT r.trans_id AS receipt, r.bill_reference AS typed, r.amount, r.currency, \
             r.trans_time, r.received_at AS at, r.outcome, r.verified_at, r.ledger_transaction, \
             m.bill_reference AS bill, m.suspense_transaction, m.reversal_transaction \
             FROM mpesa_receipts r LEFT JOIN suspense_matches m ON m.trans_id = r.trans_id \
             WHERE r.received_at >= $1 AND r.received_at < $2 \
               AND (r.received_at > $3 OR (r.received_at = $3 AND r.trans_id > $4)) \
             ORDER BY r.received_at, r.trans_id LIMIT $5"
        }
        Channel::Card => {
            "SELECT COALESCE(provider_payment_id, id) AS receipt, '' AS typed, amount, currency, \
             posted_at AS trans_time, posted_at AS at, outcome, posted_at AS verified_at, \
             ledger_transaction, bill_reference AS bill, \
             CAST(NULL AS TEXT) AS suspense_transaction, CAST(NULL AS TEXT) AS reversal_transaction \
             FROM card_payments WHERE posted = 1 AND posted_at >= $1 AND posted_at < $2 \
               AND (posted_at > $3 OR (posted_at = $3 AND COALESCE(provider_payment_id, id) > $4)) \
             ORDER BY posted_at, COALESCE(provider_payment_id, id) LIMIT $5"
        }
        // Settled once the gateway's settlement report showed it.
        Channel::Fpx => {
            "SELECT fpx_txn_id AS receipt, '' AS typed, amount, currency, \
             posted_at AS trans_time, posted_at AS at, outcome, settled_at AS verified_at, \
             ledger_transaction, bill_reference AS bill, \
             CAST(NULL AS TEXT) AS suspense_transaction, CAST(NULL AS TEXT) AS reversal_transaction \
             FROM fpx_payments WHERE posted = 1 AND posted_at >= $1 AND posted_at < $2 \
               AND (posted_at > $3 OR (posted_at = $3 AND fpx_txn_id > $4)) \
             ORDER BY posted_at, fpx_txn_id LIMIT $5"
        }
    };
    let rows = sqlx::query(sql)
        .bind(start)
        .bind(end)
        .bind(after.0)
        .bind(&after.1)
        .bind(PAGE)
        .fetch_all(&mut *tx)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    // Each receipt's transaction ids in time order: suspense, reversal, then its posting.
    let mut txn_ids: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for r in &rows {
        let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
        let ids: Vec<String> = [
            "suspense_transaction",
            "reversal_transaction",
            "ledger_transaction",
        ]
        .iter()
        .filter_map(|c| r.try_get::<Option<String>, _>(*c).transpose())
        .collect::<std::result::Result<_, _>>()?;
        txn_ids.push(ids);
        items.push(Item {
            channel,
            receipt: r.try_get("receipt")?,
            received_at: r.try_get("at")?,
            trans_time: r.try_get("trans_time")?,
            amount: Money::from_minor(r.try_get("amount")?, currency),
            typed: r.try_get("typed")?,
            bill: r.try_get("bill")?,
            agency: None,
            outcome: r.try_get("outcome")?,
            verified_at: r.try_get("verified_at")?,
            batch: None,
            transactions: Vec::new(),
        });
    }
    let all: Vec<String> = txn_ids.iter().flatten().cloned().collect();
    let mut txns = transactions(tx, &all).await?;
    for (item, ids) in items.iter_mut().zip(txn_ids) {
        item.transactions = ids.iter().filter_map(|id| txns.remove(id)).collect();
        if item.bill.is_none() {
            item.bill = item
                .transactions
                .iter()
                .find_map(|t| bill_of_memo(&t.memo, channel.name(), &item.receipt));
        }
    }
    fill_agencies(tx, &mut items).await?;
    fill_batches(tx, channel, &mut items).await?;
    Ok(items)
}

/// The transactions with `ids` and their entries, by id.
async fn transactions(
    tx: &mut sqlx::AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, Txn>> {
    let mut out: HashMap<String, Txn> = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT t.id, t.created_at, t.memo, e.line, e.account, e.currency, e.amount \
             FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id \
             WHERE t.id IN ({}) ORDER BY t.id, e.line",
            marks(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *tx).await? {
            let id: String = r.try_get("id")?;
            let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
            let entry = (
                r.try_get::<i64, _>("line")?,
                r.try_get::<String, _>("account")?,
                Money::from_minor(r.try_get("amount")?, currency),
            );
            match out.get_mut(&id) {
                Some(t) => t.entries.push(entry),
                None => {
                    let t = Txn {
                        id: id.clone(),
                        at: r.try_get("created_at")?,
                        memo: r.try_get("memo")?,
                        entries: vec![entry],
                    };
                    out.insert(id, t);
                }
            }
        }
    }
    Ok(out)
}

async fn fill_agencies(tx: &mut sqlx::AnyConnection, items: &mut [Item]) -> Result<()> {
    let mut bills: Vec<String> = items.iter().filter_map(|i| i.bill.clone()).collect();
    bills.sort();
    bills.dedup();
    let mut agencies: HashMap<String, String> = HashMap::new();
    for chunk in bills.chunks(500) {
        let sql = format!(
            "SELECT reference, agency_code FROM bills WHERE reference IN ({})",
            marks(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for b in chunk {
            q = q.bind(b);
        }
        for r in q.fetch_all(&mut *tx).await? {
            agencies.insert(r.try_get("reference")?, r.try_get("agency_code")?);
        }
    }
    for i in items {
        i.agency = i.bill.as_ref().and_then(|b| agencies.get(b).cloned());
    }
    Ok(())
}

async fn fill_batches(
    tx: &mut sqlx::AnyConnection,
    channel: Channel,
    items: &mut [Item],
) -> Result<()> {
    let mut batches: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in items.chunks(500) {
        let sql = format!(
            "SELECT receipt, batch_id FROM settlement_items WHERE channel = $1 AND receipt IN ({}) \
             ORDER BY batch_id",
            marks(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(channel.name());
        for i in chunk {
            q = q.bind(&i.receipt);
        }
        for r in q.fetch_all(&mut *tx).await? {
            let batch: String = r.try_get("batch_id")?;
            let list = batches.entry(r.try_get("receipt")?).or_default();
            if !list.contains(&batch) {
                list.push(batch);
            }
        }
    }
    for i in items {
        i.batch = batches.remove(&i.receipt).map(|b| b.join(";"));
    }
    Ok(())
}
