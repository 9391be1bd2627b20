//! Settlement: paying agencies their share of what was collected, one batch per agency,
//! currency and East Africa Time day.
//!
//! A batch for day D takes the agency's share (the revenue part of each receipt's ledger
//! transaction) of every receipt paid before D ended that reconciliation has **verified** and
//! no batch has taken yet. Only verified receipts are settled, so a forged callback never
//! moves money out; a receipt verified late joins a later day's batch. Making a batch posts
//! one balanced ledger transaction (debit `revenue:<AGENCY>:<CUR>`, credit
//! `settlements:<AGENCY>:<CUR>`) and records each receipt's batch, in one database
//! transaction. A day's batches are made once: asking again creates nothing new.
//!
//! Receipts come from each channel's own table (`SOURCES`): M-Pesa receipts once verified,
//! card payments once the provider's signed webhook posted them, FPX payments once the
//! gateway's settlement report showed them, and refunds that moved money
//! (a negative share, netted in the next batch; a day whose refunds outweigh its receipts
//! makes no batch and waits). A channel joins settlement by naming its receipts and their
//! ledger transactions.

pub mod report;

use crate::finance::Day;
use crate::ledger::{Account, Posting, Transaction};
use crate::reference::BillReference;
use crate::store;
use lango_core::clock::now_ms;
use lango_core::db::{values_list, Db, ROWS_PER_STATEMENT};
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

pub use report::{agency_statement, batch, batches, items, positions, settlement_file, Position};

/// Where a channel's settleable receipts are: a query giving `receipt`, `reference` (the bill
/// reference as recorded), `paid_at` (unix ms) and `ledger_transaction` of every receipt that
/// may be settled, paid before `$1`.
struct Source {
    channel: &'static str,
    sql: &'static str,
}

const SOURCES: &[Source] = &[
    // M-Pesa receipts once reconciliation has seen them (`verified_at`); one matched out of
    // suspense counts with the bill it was matched to (its `ledger_transaction` is then the
    // bill's posting).
    Source {
        channel: "mpesa",
        sql: "SELECT r.trans_id AS receipt, COALESCE(m.bill_reference, r.bill_reference) AS reference, \
              COALESCE(r.trans_time, r.received_at) AS paid_at, r.ledger_transaction \
              FROM mpesa_receipts r LEFT JOIN suspense_matches m ON m.trans_id = r.trans_id \
              WHERE r.verified_at IS NOT NULL AND r.ledger_transaction IS NOT NULL \
              AND COALESCE(r.trans_time, r.received_at) < $1",
    },
    // Card payments are posted only on the provider's signed word that they succeeded.
    Source {
        channel: "card",
        sql: "SELECT COALESCE(provider_payment_id, id) AS receipt, bill_reference AS reference, \
              posted_at AS paid_at, ledger_transaction FROM card_payments \
              WHERE posted = 1 AND ledger_transaction IS NOT NULL AND posted_at < $1",
    },
    // FPX payments once the gateway's settlement report has shown them (`settled_at`).
    Source {
        channel: "fpx",
        sql: "SELECT fpx_txn_id AS receipt, bill_reference AS reference, posted_at AS paid_at, \
              ledger_transaction FROM fpx_payments \
              WHERE posted = 1 AND settled_at IS NOT NULL AND ledger_transaction IS NOT NULL AND posted_at < $1",
    },
    // A refund that moved money took it back from the agency's revenue: a negative share,
    // netted in the agency's next batch.
    Source {
        channel: "refund",
        sql: "SELECT f.id AS receipt, f.bill_reference AS reference, t.created_at AS paid_at, \
              f.ledger_transaction FROM refunds f JOIN ledger_transactions t ON t.id = f.ledger_transaction \
              WHERE t.created_at < $1",
    },
];

/// A settlement batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Its reference: `ST-YYYYMMDD-AGENCY-CUR`.
    pub id: String,
    /// The agency paid.
    pub agency: String,
    /// The currency paid.
    pub currency: Currency,
    /// The East Africa Time day it settles (`YYYY-MM-DD`).
    pub value_date: String,
    /// What it pays.
    pub amount: Money,
    /// How many receipts it covers.
    pub receipts: i64,
    /// Its ledger transaction.
    pub ledger_transaction: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// When, unix ms.
    pub created_at: i64,
}

/// One receipt's share in a batch (a refund's is negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The channel (`mpesa`, `card`), or `refund`.
    pub channel: String,
    /// The channel's receipt id.
    pub receipt: String,
    /// The bill it paid.
    pub bill_reference: String,
    /// The agency's own reference for the bill.
    pub agency_reference: String,
    /// When it was paid, unix ms.
    pub paid_at: i64,
    /// The agency's share of it.
    pub amount: Money,
}

/// What settling a day came to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settled {
    /// Batches made now.
    pub created: Vec<Batch>,
    /// Batches of that day made before (left as they were).
    pub existing: Vec<Batch>,
}

/// The batch reference of an agency, currency and day.
pub fn batch_id(agency: &str, currency: Currency, day: Day) -> String {
    format!(
        "ST-{}-{agency}-{}",
        day.date().replace('-', ""),
        currency.code()
    )
}

/// Makes the batches of `day` (an East Africa Time day that has ended) for every agency and
/// currency with verified, unsettled receipts paid before it ended.
pub async fn settle_day(db: &Db, day: Day, by: &str) -> Result<Settled> {
    if day >= Day::today() {
        return Err(Error::invalid(
            "date",
            "only a day that has ended can be settled",
        ));
    }
    let cutoff = day.plus(1).start_ms();
    let mut groups: BTreeSet<(String, Currency)> = BTreeSet::new();
    let mut conn = db.pool().acquire().await?;
    for c in candidates(&mut conn, cutoff, None).await? {
        groups.insert((c.agency, c.currency));
    }
    drop(conn);
    let mut out = Settled::default();
    let existing = report::batches_of_day(db, day).await?;
    for (agency, currency) in groups {
        if existing
            .iter()
            .any(|b| b.agency == agency && b.currency == currency)
        {
            continue;
        }
        if let Some(b) = settle_one(db, day, &agency, currency, cutoff, by).await? {
            out.created.push(b);
        }
    }
    out.existing = report::batches_of_day(db, day)
        .await?
        .into_iter()
        .filter(|b| !out.created.iter().any(|c| c.id == b.id))
        .collect();
    Ok(out)
}

/// Makes one batch in one transaction; `None` when another node made it first or nothing is
/// left to settle.
async fn settle_one(
    db: &Db,
    day: Day,
    agency: &str,
    currency: Currency,
    cutoff: i64,
    by: &str,
) -> Result<Option<Batch>> {
    let id = batch_id(agency, currency, day);
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    // The batch row first: it claims the day (and takes SQLite's write lock).
    let claimed = sqlx::query(
        "INSERT INTO settlement_batches (id, agency_code, currency, value_date, amount, receipts, \
         ledger_transaction, created_by, created_at) VALUES ($1, $2, $3, $4, 0, 0, NULL, $5, $6) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(agency)
    .bind(currency.code())
    .bind(day.date())
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let account = Account::Revenue {
        agency: agency.to_string(),
        currency,
    };
    let found = candidates(&mut tx, cutoff, Some(&account.to_string())).await?;
    let total: i64 = found.iter().map(|c| c.share).sum();
    // Refunds larger than the day's receipts wait for receipts to cover them.
    if found.is_empty() || total <= 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let agency_refs = agency_references(&mut tx, &found).await?;
    for chunk in found.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO settlement_items (channel, receipt, account, batch_id, agency_code, currency, \
             bill_reference, agency_reference, paid_at, amount) VALUES {}",
            values_list(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            let agency_reference = agency_refs.get(&c.reference).cloned().unwrap_or_default();
            q = q
                .bind(c.channel)
                .bind(&c.receipt)
                .bind(account.to_string())
                .bind(&id)
                .bind(agency)
                .bind(currency.code())
                .bind(&c.reference)
                .bind(agency_reference)
                .bind(c.paid_at)
                .bind(c.share);
        }
        q.execute(&mut *tx).await?;
    }
    let t = Transaction::new(
        format!("settlement {id}"),
        vec![
            Posting {
                account: account.clone(),
                amount: total,
            },
            Posting {
                account: Account::Settlements {
                    agency: agency.to_string(),
                    currency,
                },
                amount: -total,
            },
        ],
    )
    .map_err(|e| Error::Internal(e.to_string()))?;
    let ledger = store::post(&mut tx, &t).await?;
    sqlx::query(
        "UPDATE settlement_batches SET amount = $1, receipts = $2, ledger_transaction = $3 WHERE id = $4",
    )
    .bind(total)
    .bind(found.len() as i64)
    .bind(&ledger)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    let amount = Money::from_minor(total, currency);
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: by,
            action: "settlement.batch",
            object: &format!("settlement:{id}"),
            subject: "",
            detail: &format!(
                "{agency} {} for {}: {} receipts",
                amount.display(),
                day.date(),
                found.len()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(Batch {
        id,
        agency: agency.to_string(),
        currency,
        value_date: day.date(),
        amount,
        receipts: found.len() as i64,
        ledger_transaction: Some(ledger),
        created_by: by.to_string(),
        created_at: now,
    }))
}

/// A receipt's (or refund's) unsettled share for one agency.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) channel: &'static str,
    pub(crate) receipt: String,
    /// The bill reference, canonical when it reads as one.
    pub(crate) reference: String,
    pub(crate) paid_at: i64,
    pub(crate) agency: String,
    pub(crate) currency: Currency,
    /// Minor units: positive for money in, negative for a refund.
    pub(crate) share: i64,
}

/// Every settleable receipt (and refund) before `cutoff` whose revenue share (on `account`,
/// or on any agency's revenue account) no batch has taken.
pub(crate) async fn candidates(
    conn: &mut sqlx::AnyConnection,
    cutoff: i64,
    account: Option<&str>,
) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for source in SOURCES {
        let only = if account.is_some() {
            " AND e.account = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT c.receipt, c.reference, c.paid_at, e.account, CAST(SUM(e.amount) AS BIGINT) AS amount \
             FROM ({}) c JOIN ledger_entries e ON e.transaction_id = c.ledger_transaction \
             WHERE e.account LIKE 'revenue:%'{only} AND NOT EXISTS (SELECT 1 FROM settlement_items s \
             WHERE s.channel = $2 AND s.receipt = c.receipt AND s.account = e.account) \
             GROUP BY c.receipt, c.reference, c.paid_at, e.account ORDER BY c.paid_at, c.receipt",
            source.sql
        );
        let mut q = sqlx::query(&sql).bind(cutoff).bind(source.channel);
        if let Some(a) = account {
            q = q.bind(a);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let account: String = row.try_get("account")?;
            let mut parts = account.splitn(3, ':').skip(1);
            let (Some(agency), Some(currency)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Ok(currency) = currency.parse::<Currency>() else {
                continue;
            };
            // Revenue is credited (negative); what the agency is owed is its opposite (a
            // refund's debit makes it negative).
            let share = -row.try_get::<i64, _>("amount")?;
            if share == 0 {
                continue;
            }
            let typed: String = row.try_get("reference")?;
            out.push(Candidate {
                channel: source.channel,
                receipt: row.try_get("receipt")?,
                reference: BillReference::parse(&typed)
                    .map(|r| r.as_str().to_string())
                    .unwrap_or(typed),
                paid_at: row.try_get("paid_at")?,
                agency: agency.to_string(),
                currency,
                share,
            });
        }
    }
    Ok(out)
}

/// The agency's own reference of each bill.
async fn agency_references(
    tx: &mut sqlx::AnyConnection,
    found: &[Candidate],
) -> Result<HashMap<String, String>> {
    let mut refs: Vec<&str> = found.iter().map(|c| c.reference.as_str()).collect();
    refs.sort_unstable();
    refs.dedup();
    let mut out = HashMap::new();
    for chunk in refs.chunks(ROWS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT reference, agency_reference FROM bills WHERE reference IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(*r);
        }
        for row in q.fetch_all(&mut *tx).await? {
            out.insert(row.try_get("reference")?, row.try_get("agency_reference")?);
        }
    }
    Ok(out)
}

/// Settles yesterday's receipts once a day, after `hour` (0–23) East Africa Time. Checks
/// every minute, so a node started late still settles; several nodes may run it (a day's
/// batch is claimed once).
pub fn spawn(db: Db, hour: u8) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut done: Option<Day> = None;
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = now_ms();
            let eat_hour = (now + lango_core::clock::local_offset_ms()).div_euclid(3_600_000) % 24;
            let yesterday = Day::of_ms(now).plus(-1);
            let due = eat_hour >= i64::from(hour);
            if due && done != Some(yesterday) {
                match settle_day(&db, yesterday, "system").await {
                    Ok(s) => {
                        done = Some(yesterday);
                        lango_core::telemetry::settled(yesterday.start_ms());
                        tracing::info!(day = %yesterday.date(), batches = s.created.len(), "settlement");
                    }
                    Err(e) => {
                        lango_core::telemetry::settlement_failed();
                        tracing::warn!(error = %e, "settlement failed; trying again");
                    }
                }
            }
            lango_core::telemetry::settlement_behind(due && done != Some(yesterday));
        }
    })
}
