//! Monthly payouts to agents, made by finance once a month is over: each agent is paid
//! what its statements up to that month owe it beyond what earlier batches paid (ledger:
//! its commission account down, its payouts account up), and the batch gives the file the
//! bank or M-Pesa (B2C) takes. An agent whose clawbacks exceed its earnings is paid
//! nothing; the difference comes off its next payout, so no money is lost either way.

use crate::accrual;
use crate::statement::parse_month;
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use lango_identity::policy::{check, Action, Actor, Object};
use lango_payments::ledger::{Account, Posting, Transaction};
use serde::Serialize;
use sqlx::Row;

/// One agent's payout in a batch.
#[derive(Debug, Clone, Serialize)]
pub struct Payout {
    /// The agent.
    pub agent: String,
    /// Its name.
    pub name: String,
    /// The phone paid by M-Pesa.
    pub phone: String,
    /// Minor units.
    pub amount: i64,
}

/// A month's batch.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    /// Its id.
    pub id: String,
    /// `YYYY-MM`.
    pub month: String,
    /// `mpesa_b2c` or `bank`.
    pub method: String,
    /// Minor units, all payouts.
    pub total: i64,
    /// When it was made (unix ms).
    pub created_at: i64,
    /// Its payouts, by agent.
    pub payouts: Vec<Payout>,
}

/// What each agent is owed up to the end of `month`: earned in months up to it, less
/// clawed back up to it, less paid by earlier batches: (agent, name, phone, owed). (Cast:
/// PostgreSQL's SUM of BIGINT is NUMERIC.)
pub async fn owed(db: &Db, month: &str) -> Result<Vec<(String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT g.code, g.name, g.phone, CAST(\
         COALESCE((SELECT SUM(k.commission) FROM agent_commissions k WHERE k.agent_code = g.code AND k.month <= $1), 0) \
         - COALESCE((SELECT SUM(k.commission) FROM agent_commissions k WHERE k.agent_code = g.code AND k.clawback_month <= $1), 0) \
         - COALESCE((SELECT SUM(p.amount) FROM agent_payouts p WHERE p.agent_code = g.code), 0) AS BIGINT) AS owed \
         FROM agents g ORDER BY g.code",
    )
    .bind(month)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("code")?,
                r.try_get("name")?,
                r.try_get("phone")?,
                r.try_get("owed")?,
            ))
        })
        .collect()
}

/// Makes the batch for `month` (a month that is over; once), paying by `method`.
pub async fn run(db: &Db, actor: &Actor, month: &str, method: &str) -> Result<Batch> {
    check(actor, Action::Edit, Object::Finance)?;
    let month = parse_month(month)?;
    if month >= accrual::month_of(now_ms()) {
        return Err(Error::invalid(
            "month",
            "a month is paid out once it is over",
        ));
    }
    if !["mpesa_b2c", "bank"].contains(&method) {
        return Err(Error::invalid("method", "method must be mpesa_b2c or bank"));
    }
    accrual::sweep(db).await?;
    let by = lango_identity::account::actor_label(actor);
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = lango_core::db::begin_write(&mut conn).await?;
    let claimed = sqlx::query(
        "INSERT INTO agent_payout_batches (id, month, method, currency, total, agents, created_by, created_at) \
         VALUES ($1, $2, $3, 'KES', 0, 0, $4, $5) ON CONFLICT (month) DO NOTHING",
    )
    .bind(&id)
    .bind(&month)
    .bind(method)
    .bind(&by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "the payouts of {month} were already made"
        )));
    }
    // Read inside the batch's transaction: what it pays is what it records as paid.
    let owed = owed(db, &month).await?;
    let mut total = 0i64;
    let mut payouts = Vec::new();
    for (agent, name, phone, amount) in owed.into_iter().filter(|o| o.3 > 0) {
        let currency = Currency::Kes;
        let t = Transaction::new(
            format!("agent payout {agent} {month}"),
            vec![
                Posting {
                    account: Account::AgentCommissions {
                        agent: agent.clone(),
                        currency,
                    },
                    amount,
                },
                Posting {
                    account: Account::AgentPayouts {
                        agent: agent.clone(),
                        currency,
                    },
                    amount: -amount,
                },
            ],
        )
        .map_err(|e| Error::Internal(e.to_string()))?;
        let ledger = lango_payments::store::post(&mut tx, &t).await?;
        sqlx::query(
            "INSERT INTO agent_payouts (batch_id, agent_code, phone, amount, ledger_transaction) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(&agent)
        .bind(&phone)
        .bind(amount)
        .bind(&ledger)
        .execute(&mut *tx)
        .await?;
        total += amount;
        payouts.push(Payout {
            agent,
            name,
            phone,
            amount,
        });
    }
    sqlx::query("UPDATE agent_payout_batches SET total = $1, agents = $2 WHERE id = $3")
        .bind(total)
        .bind(payouts.len() as i64)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        Entry {
            actor: &by,
            action: "agent_payout.batch",
            object: &format!("agent_payout_batch:{id}"),
            subject: "",
            detail: &format!(
                "{month}: {} agents, KES {} by {method}",
                payouts.len(),
                Money::from_minor(total, Currency::Kes).to_decimal()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Batch {
        id,
        month,
        method: method.into(),
        total,
        created_at: now,
        payouts,
    })
}

/// The batches made, newest first (without their payouts).
pub async fn batches(db: &Db, actor: &Actor) -> Result<Vec<Batch>> {
    check(actor, Action::View, Object::Finance)?;
    let rows = sqlx::query(
        "SELECT id, month, method, total, created_at FROM agent_payout_batches ORDER BY month DESC LIMIT 120",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Batch {
                id: r.try_get("id")?,
                month: r.try_get("month")?,
                method: r.try_get("method")?,
                total: r.try_get("total")?,
                created_at: r.try_get("created_at")?,
                payouts: Vec::new(),
            })
        })
        .collect()
}

/// The batch of `month` with its payouts.
pub async fn batch(db: &Db, actor: &Actor, month: &str) -> Result<Batch> {
    check(actor, Action::View, Object::Finance)?;
    let month = parse_month(month)?;
    let b = sqlx::query(
        "SELECT id, month, method, total, created_at FROM agent_payout_batches WHERE month = $1",
    )
    .bind(&month)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| Error::NotFound("payout batch".into()))?;
    let id: String = b.try_get("id")?;
    let rows = sqlx::query(
        "SELECT p.agent_code, g.name, p.phone, p.amount FROM agent_payouts p JOIN agents g ON g.code = p.agent_code \
         WHERE p.batch_id = $1 ORDER BY p.agent_code",
    )
    .bind(&id)
    .fetch_all(db.pool())
    .await?;
    Ok(Batch {
        month: b.try_get("month")?,
        method: b.try_get("method")?,
        total: b.try_get("total")?,
        created_at: b.try_get("created_at")?,
        payouts: rows
            .iter()
            .map(|r| {
                Ok(Payout {
                    agent: r.try_get("agent_code")?,
                    name: r.try_get("name")?,
                    phone: r.try_get("phone")?,
                    amount: r.try_get("amount")?,
                })
            })
            .collect::<Result<_>>()?,
        id,
    })
}

/// The file the payer takes: M-Pesa B2C (phone, amount, remarks) or a bank's bulk list.
pub fn file(b: &Batch) -> String {
    let money = |m: i64| Money::from_minor(m, Currency::Kes).to_decimal();
    let mut out = String::from(if b.method == "bank" {
        "agent,name,amount,currency,reference\r\n"
    } else {
        "phone,amount,agent,remarks\r\n"
    });
    for p in &b.payouts {
        if b.method == "bank" {
            out.push_str(&format!(
                "{},\"{}\",{},KES,LANGO-AGENT-{}-{}\r\n",
                p.agent,
                p.name.replace('"', "\"\""),
                money(p.amount),
                b.month,
                p.agent
            ));
        } else {
            out.push_str(&format!(
                "{},{},{},Lango agent commission {}\r\n",
                p.phone.trim_start_matches('+'),
                money(p.amount),
                p.agent,
                b.month
            ));
        }
    }
    out
}
