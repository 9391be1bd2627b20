//! Commission accrues in the ledger when an agent's application's bill is paid, and is
//! clawed back when that bill's service money goes back to the payer: refunded, or its
//! payment reversed by M-Pesa (a reversal is recorded as a refund of method
//! `mpesa_reversal`, so both are the same rows). Each node sweeps every few seconds.
//! Exactly once on any number of nodes: the line's primary key (the bill) is claimed in
//! the transaction that posts it, and a clawback marks the line in the transaction that
//! reverses it.

use crate::commission::{self, Paid, Source};
use crate::rules;
use lango_core::clock::{now_ms, Civil};
use lango_core::db::Db;
use lango_core::money::Currency;
use lango_core::{Error, Result};
use lango_payments::ledger::{Account, Posting, Transaction};
use sqlx::Row;

/// Most bills looked at by one sweep; the rest wait for the next.
const SWEEP_LIMIT: i64 = 500;

/// The month (`YYYY-MM`, East Africa Time) of unix ms `at`.
pub fn month_of(at: i64) -> String {
    Civil::local(at).date()[..7].to_string()
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Paid bills given their commission line (some earn nothing).
    pub accrued: u64,
    /// Commission lines reversed because the bill's payment was refunded or reversed.
    pub clawed_back: u64,
}

/// Accrues the commission of every newly paid bill of an agent's application, and claws
/// back that of every bill whose service money was refunded, or payment reversed, since.
pub async fn sweep(db: &Db) -> Result<Swept> {
    let rules = rules::in_force(db).await?;
    let rows = sqlx::query(
        "SELECT p.reference AS application, p.agent, p.service, b.reference AS bill, b.agency_code, \
         b.currency, b.service_amount, c.category, e.occurred_at, e.data \
         FROM applications p JOIN bills b ON b.reference = p.bill_reference \
         JOIN services c ON c.code = p.service \
         JOIN events e ON e.seq = b.last_payment \
         WHERE p.agent IS NOT NULL AND b.status = 'paid' \
         AND NOT EXISTS (SELECT 1 FROM agent_commissions k WHERE k.bill_reference = b.reference) \
         LIMIT $1",
    )
    .bind(SWEEP_LIMIT)
    .fetch_all(db.pool())
    .await?;
    let mut swept = Swept::default();
    for r in &rows {
        if accrue_one(db, &rules, r).await? {
            swept.accrued += 1;
        }
    }
    let refunded: Vec<String> = sqlx::query_scalar(
        "SELECT k.bill_reference FROM agent_commissions k WHERE k.clawed_back_at IS NULL \
         AND k.commission > 0 AND EXISTS (SELECT 1 FROM refunds f WHERE f.bill_reference = k.bill_reference \
         AND f.status <> 'failed' AND f.from_service > 0) LIMIT $1",
    )
    .bind(SWEEP_LIMIT)
    .fetch_all(db.pool())
    .await?;
    for bill in &refunded {
        if claw_back(db, bill).await? {
            swept.clawed_back += 1;
        }
    }
    Ok(swept)
}

fn currency(code: &str) -> Result<Currency> {
    Currency::ALL
        .into_iter()
        .find(|c| c.code() == code)
        .ok_or_else(|| Error::Internal(format!("currency {code}")))
}

/// Gives one paid bill its line (and its ledger transaction when it earns something);
/// false when another node got there first.
async fn accrue_one(db: &Db, rules: &[commission::Rule], r: &sqlx::any::AnyRow) -> Result<bool> {
    let bill: String = r.try_get("bill")?;
    let agent: String = r.try_get("agent")?;
    let service: String = r.try_get("service")?;
    let agency: String = r.try_get("agency_code")?;
    let code: String = r.try_get("currency")?;
    let amount: i64 = r.try_get("service_amount")?;
    let paid_at: i64 = r.try_get("occurred_at")?;
    let data: String = r.try_get("data")?;
    let channel = serde_json::from_str::<serde_json::Value>(&data)
        .ok()
        .and_then(|d| d["channel"].as_str().map(str::to_string))
        .unwrap_or_default();
    let category: String = r.try_get("category")?;
    let day = Civil::local(paid_at).date();
    let found = commission::commission(
        rules,
        &Paid {
            service: &service,
            category: &category,
            channel: &channel,
            currency: &code,
            amount,
            day: &day,
        },
    );
    let (rule_id, source, earned) = match found {
        Some((rule, earned)) => (Some(rule.id.clone()), rule.source, earned),
        None => (None, Source::PlatformFee, 0),
    };
    // SQLite: in turn with the node's committers, not at the file's lock.
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = lango_core::db::begin_write(&mut conn).await?;
    let claimed = sqlx::query(
        "INSERT INTO agent_commissions (bill_reference, agent_code, application_reference, service_code, \
         currency, amount, commission, rule_id, source, paid_at, month) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (bill_reference) DO NOTHING",
    )
    .bind(&bill)
    .bind(&agent)
    .bind(r.try_get::<String, _>("application")?)
    .bind(&service)
    .bind(&code)
    .bind(amount)
    .bind(earned)
    .bind(&rule_id)
    .bind(source.as_str())
    .bind(paid_at)
    .bind(month_of(paid_at))
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(false);
    }
    if earned > 0 {
        let t = accrual(&bill, &agent, &agency, source, currency(&code)?, earned)?;
        let id = lango_payments::store::post(&mut tx, &t).await?;
        sqlx::query(
            "UPDATE agent_commissions SET ledger_transaction = $1 WHERE bill_reference = $2",
        )
        .bind(&id)
        .bind(&bill)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The ledger transaction of a commission: out of the platform's fees or the agency's
/// revenue, owed to the agent.
pub fn accrual(
    bill: &str,
    agent: &str,
    agency: &str,
    source: Source,
    currency: Currency,
    amount: i64,
) -> Result<Transaction> {
    let from = match source {
        Source::PlatformFee => Account::PlatformFees { currency },
        Source::Agency => Account::Revenue {
            agency: agency.to_string(),
            currency,
        },
    };
    Transaction::new(
        format!("agent commission {agent} bill {bill}"),
        vec![
            Posting {
                account: from,
                amount,
            },
            Posting {
                account: Account::AgentCommissions {
                    agent: agent.to_string(),
                    currency,
                },
                amount: -amount,
            },
        ],
    )
    .map_err(|e| Error::Internal(e.to_string()))
}

/// Reverses the commission of `bill` (its payment was refunded or reversed); false when
/// already done.
async fn claw_back(db: &Db, bill: &str) -> Result<bool> {
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = lango_core::db::begin_write(&mut conn).await?;
    let now = now_ms();
    let row = sqlx::query(
        "UPDATE agent_commissions SET clawed_back_at = $1, clawback_month = $2 \
         WHERE bill_reference = $3 AND clawed_back_at IS NULL \
         RETURNING agent_code, currency, commission, source",
    )
    .bind(now)
    .bind(month_of(now))
    .bind(bill)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let agent: String = row.try_get("agent_code")?;
    let source: String = row.try_get("source")?;
    let agency: String = sqlx::query_scalar("SELECT agency_code FROM bills WHERE reference = $1")
        .bind(bill)
        .fetch_one(&mut *tx)
        .await?;
    let t = accrual(
        bill,
        &agent,
        &agency,
        Source::parse(&source).unwrap_or(Source::PlatformFee),
        currency(&row.try_get::<String, _>("currency")?)?,
        row.try_get("commission")?,
    )?
    .reversal(format!("agent commission clawed back {agent} bill {bill}"));
    let id = lango_payments::store::post(&mut tx, &t).await?;
    sqlx::query("UPDATE agent_commissions SET clawback_transaction = $1 WHERE bill_reference = $2")
        .bind(&id)
        .bind(bill)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}
