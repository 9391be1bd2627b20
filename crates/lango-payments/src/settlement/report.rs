//! Reading settlement: each agency's position (owed, settled, outstanding), the batches and
//! their receipts, the bank's settlement file and the agency's statement.

use super::{candidates, Batch, Item};
use crate::finance::{local_rfc3339, Day, Period};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::BTreeMap;

/// Where an agency stands in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The agency.
    pub agency: String,
    /// The currency.
    pub currency: Currency,
    /// All revenue posted to it.
    pub owed: Money,
    /// Paid out in batches.
    pub settled: Money,
    /// Owed and not yet settled.
    pub outstanding: Money,
    /// Of the outstanding, what is verified and would go into the next batch.
    pub ready: Money,
}

/// Every agency's position per currency (only `agency` when given), by agency and currency.
pub async fn positions(db: &Db, agency: Option<&str>) -> Result<Vec<Position>> {
    let mut balances: BTreeMap<(String, Currency), (i64, i64, i64)> = BTreeMap::new();
    let rows =
        sqlx::query("SELECT account, balance FROM ledger_balances WHERE account LIKE 'revenue:%'")
            .fetch_all(db.pool())
            .await?;
    for r in rows {
        let account: String = r.try_get("account")?;
        if let Some(key) = revenue_key(&account) {
            balances.entry(key).or_default().0 += r.try_get::<i64, _>("balance")?;
        }
    }
    let rows = sqlx::query(
        "SELECT agency_code, currency, CAST(SUM(amount) AS BIGINT) AS settled FROM settlement_batches \
         GROUP BY agency_code, currency",
    )
    .fetch_all(db.pool())
    .await?;
    for r in rows {
        let currency: String = r.try_get("currency")?;
        let Ok(currency) = currency.parse::<Currency>() else {
            continue;
        };
        let key = (r.try_get::<String, _>("agency_code")?, currency);
        balances.entry(key).or_default().1 += r.try_get::<i64, _>("settled")?;
    }
    let mut conn = db.pool().acquire().await?;
    for c in candidates(&mut conn, now_ms(), None).await? {
        balances.entry((c.agency, c.currency)).or_default().2 += c.share;
    }
    drop(conn);
    Ok(balances
        .into_iter()
        .filter(|((a, _), _)| agency.is_none_or(|x| x == a))
        .map(|((agency, currency), (balance, settled, ready))| {
            let m = |v: i64| Money::from_minor(v, currency);
            // Revenue is a credit balance: what is still owed is its opposite; settlements
            // debited it, so adding them back gives everything ever posted.
            Position {
                agency,
                currency,
                owed: m(settled - balance),
                settled: m(settled),
                outstanding: m(-balance),
                ready: m(ready),
            }
        })
        .collect())
}

fn revenue_key(account: &str) -> Option<(String, Currency)> {
    let mut parts = account.splitn(3, ':');
    let (_, agency, currency) = (parts.next()?, parts.next()?, parts.next()?);
    Some((agency.to_string(), currency.parse().ok()?))
}

const BATCH_COLUMNS: &str = "id, agency_code, currency, value_date, amount, receipts, \
    ledger_transaction, created_by, created_at";

fn batch_of(r: &sqlx::any::AnyRow) -> Result<Batch> {
    let currency: String = r.try_get("currency")?;
    let currency: Currency = currency
        .parse()
        .map_err(|_| Error::Internal(format!("batch currency {currency}")))?;
    Ok(Batch {
        id: r.try_get("id")?,
        agency: r.try_get("agency_code")?,
        currency,
        value_date: r.try_get("value_date")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        receipts: r.try_get("receipts")?,
        ledger_transaction: r.try_get("ledger_transaction")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The batches of one day.
pub(crate) async fn batches_of_day(db: &Db, day: Day) -> Result<Vec<Batch>> {
    let rows = sqlx::query(&format!(
        "SELECT {BATCH_COLUMNS} FROM settlement_batches WHERE value_date = $1 ORDER BY agency_code, currency"
    ))
    .bind(day.date())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(batch_of).collect()
}

/// Batches, newest day first: of `agency` when given, of the days in `period` when given,
/// at most `limit`.
pub async fn batches(
    db: &Db,
    agency: Option<&str>,
    period: Option<Period>,
    limit: i64,
) -> Result<Vec<Batch>> {
    let (from, to) = period.map_or((String::new(), "9999-12-31".to_string()), |p| {
        (p.from.date(), p.to.date())
    });
    let rows = sqlx::query(&format!(
        "SELECT {BATCH_COLUMNS} FROM settlement_batches WHERE ($1 = '' OR agency_code = $1) \
         AND value_date >= $2 AND value_date <= $3 \
         ORDER BY value_date DESC, agency_code, currency LIMIT $4"
    ))
    .bind(agency.unwrap_or(""))
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(batch_of).collect()
}

/// One batch.
pub async fn batch(db: &Db, id: &str) -> Result<Option<Batch>> {
    let row = sqlx::query(&format!(
        "SELECT {BATCH_COLUMNS} FROM settlement_batches WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(batch_of).transpose()
}

/// A batch's receipts, in the order they were paid.
pub async fn items(db: &Db, batch: &Batch) -> Result<Vec<Item>> {
    let rows = sqlx::query(
        "SELECT channel, receipt, bill_reference, agency_reference, paid_at, amount \
         FROM settlement_items WHERE batch_id = $1 ORDER BY paid_at, channel, receipt",
    )
    .bind(&batch.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Item {
                channel: r.try_get("channel")?,
                receipt: r.try_get("receipt")?,
                bill_reference: r.try_get("bill_reference")?,
                agency_reference: r.try_get("agency_reference")?,
                paid_at: r.try_get("paid_at")?,
                amount: Money::from_minor(r.try_get("amount")?, batch.currency),
            })
        })
        .collect()
}

/// A text cell a spreadsheet would not run as a formula.
fn cell(s: &str) -> String {
    lango_core::spreadsheet::cell(s).into_owned()
}

fn csv_text(rows: Vec<Vec<String>>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r)
            .map_err(|e| Error::Internal(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(e.to_string()))
}

/// The bank's settlement file of a batch (CSV): `batch_id, agency, currency, amount, count,
/// value_date, narrative`.
pub fn settlement_file(b: &Batch) -> Result<String> {
    csv_text(vec![
        [
            "batch_id",
            "agency",
            "currency",
            "amount",
            "count",
            "value_date",
            "narrative",
        ]
        .map(String::from)
        .to_vec(),
        vec![
            b.id.clone(),
            cell(&b.agency),
            b.currency.code().to_string(),
            b.amount.to_decimal(),
            b.receipts.to_string(),
            b.value_date.clone(),
            format!("Lango settlement {} {}", b.agency, b.value_date),
        ],
    ])
}

/// The agency's statement of a batch (CSV), one line per receipt: `batch_id,
/// bill_reference, agency_reference, channel, receipt, paid_at` (East Africa Time),
/// `amount, currency`.
pub fn agency_statement(b: &Batch, items: &[Item]) -> Result<String> {
    let mut rows = vec![[
        "batch_id",
        "bill_reference",
        "agency_reference",
        "channel",
        "receipt",
        "paid_at",
        "amount",
        "currency",
    ]
    .map(String::from)
    .to_vec()];
    rows.extend(items.iter().map(|i| {
        vec![
            b.id.clone(),
            cell(&i.bill_reference),
            cell(&i.agency_reference),
            i.channel.clone(),
            cell(&i.receipt),
            local_rfc3339(i.paid_at),
            i.amount.to_decimal(),
            b.currency.code().to_string(),
        ]
    }));
    csv_text(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_csv_a_spreadsheet_will_not_run() {
        let b = Batch {
            id: "ST-20261122-DIS-KES".into(),
            agency: "DIS".into(),
            currency: Currency::Kes,
            value_date: "2026-11-22".into(),
            amount: Money::from_minor(910_000, Currency::Kes),
            receipts: 2,
            ledger_transaction: None,
            created_by: "system".into(),
            created_at: 0,
        };
        assert_eq!(
            settlement_file(&b).unwrap(),
            "batch_id,agency,currency,amount,count,value_date,narrative\n\
             ST-20261122-DIS-KES,DIS,KES,9100.00,2,2026-11-22,Lango settlement DIS 2026-11-22\n"
        );
        let item = Item {
            channel: "mpesa".into(),
            receipt: "TKA1".into(),
            bill_reference: "AB12CD3".into(),
            agency_reference: "=HYPERLINK(\"x\"),1".into(),
            paid_at: Day::parse("2026-11-22").unwrap().start_ms() + 3_600_000,
            amount: Money::from_minor(455_000, Currency::Kes),
        };
        let text = agency_statement(&b, &[item]).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "ST-20261122-DIS-KES,AB12CD3,\"'=HYPERLINK(\"\"x\"\"),1\",mpesa,TKA1,2026-11-22T01:00:00+03:00,4550.00,KES"
        );
    }
}
