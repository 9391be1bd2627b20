//! An agent's monthly statement: each bill paid in the month with the commission it
//! earned, and each commission clawed back in the month (a refund) as a negative line; the
//! total is what the month owes the agent, and it agrees with the agent's ledger account.

use crate::accrual;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use lango_identity::policy::Actor;
use serde::Serialize;
use sqlx::Row;

/// One line of a statement.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The bill's reference (the payment number).
    pub bill_reference: String,
    /// The application it paid for.
    #[serde(skip)]
    pub application: String,
    /// The service.
    pub service: String,
    /// When it was paid (RFC 3339, East Africa Time).
    pub paid_at: String,
    /// The bill's service amount (major units, as the API writes money).
    pub amount: String,
    /// The commission, negative for a clawback.
    pub commission: String,
    /// Minor units of `commission`, for sums.
    #[serde(skip)]
    pub commission_minor: i64,
    /// True for a clawback line.
    #[serde(skip)]
    pub clawback: bool,
}

/// An agent's statement for one month.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// The agent's code.
    pub agent: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The currency.
    pub currency: String,
    /// Its lines, in the order they happened.
    pub lines: Vec<Line>,
    /// What the month owes the agent.
    pub total_commission: String,
}

/// Parses `YYYY-MM` (an empty month is this month).
pub fn parse_month(raw: &str) -> Result<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(accrual::month_of(now_ms()));
    }
    let ok = raw.len() == 7
        && raw.as_bytes()[4] == b'-'
        && raw[..4].bytes().all(|b| b.is_ascii_digit())
        && (1..=12).contains(&raw[5..].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(Error::invalid(
            "month",
            "month must be YYYY-MM, for example 2026-11",
        ))
    }
}

/// The statement of agent `code` for `month`, if `actor` may read it (the agent's own
/// people and key, finance, auditors, platform staff). Each node's sweeper accrues
/// commission every two seconds: a read does not sweep again.
pub async fn statement(db: &Db, actor: &Actor, code: &str, month: &str) -> Result<Statement> {
    let agent = crate::registry::get_for(db, actor, code).await?;
    let month = parse_month(month)?;
    let rows = sqlx::query(
        "SELECT bill_reference, application_reference, service_code, currency, amount, commission, paid_at, \
         clawed_back_at, month, clawback_month FROM agent_commissions \
         WHERE agent_code = $1 AND (month = $2 OR clawback_month = $2) ORDER BY paid_at, bill_reference",
    )
    .bind(&agent.code)
    .bind(&month)
    .fetch_all(db.pool())
    .await?;
    let money = |m: i64| Money::from_minor(m, Currency::Kes).to_decimal();
    let mut lines = Vec::new();
    for r in &rows {
        let commission: i64 = r.try_get("commission")?;
        let amount: i64 = r.try_get("amount")?;
        let paid_at: i64 = r.try_get("paid_at")?;
        let mut line = Line {
            bill_reference: r.try_get("bill_reference")?,
            application: r.try_get("application_reference")?,
            service: r.try_get("service_code")?,
            paid_at: lango_core::clock::Civil::rfc3339(paid_at),
            amount: money(amount),
            commission: money(commission),
            commission_minor: commission,
            clawback: false,
        };
        if r.try_get::<String, _>("month")? == month {
            lines.push(line.clone());
        }
        if r.try_get::<Option<String>, _>("clawback_month")?.as_deref() == Some(month.as_str()) {
            let at: i64 = r
                .try_get::<Option<i64>, _>("clawed_back_at")?
                .unwrap_or(paid_at);
            line.paid_at = lango_core::clock::Civil::rfc3339(at);
            line.commission = money(-commission);
            line.commission_minor = -commission;
            line.clawback = true;
            lines.push(line);
        }
    }
    let total: i64 = lines.iter().map(|l| l.commission_minor).sum();
    Ok(Statement {
        agent: agent.code,
        month,
        currency: "KES".into(),
        lines,
        total_commission: money(total),
    })
}

/// The statement as the CSV a clerk opens in a spreadsheet.
pub fn csv(s: &Statement) -> String {
    let mut out =
        String::from("agent,month,bill_reference,service,paid_at,amount,commission,kind\r\n");
    for l in &s.lines {
        let kind = if l.clawback { "clawback" } else { "commission" };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{kind}\r\n",
            s.agent, s.month, l.bill_reference, l.service, l.paid_at, l.amount, l.commission
        ));
    }
    out.push_str(&format!(
        "{},{},,,,,{},total\r\n",
        s.agent, s.month, s.total_commission
    ));
    out
}

/// Every agent's statement of `month` in one pass (one ordered read of the month's lines
/// and clawbacks): for finance's export, the payouts and the benchmark. Agents with no
/// line that month are left out. Callers check that the reader may see every agent's.
pub async fn month_all(db: &Db, month: &str) -> Result<Vec<Statement>> {
    let month = parse_month(month)?;
    let rows = sqlx::query(
        "SELECT agent_code, bill_reference, service_code, amount, commission, paid_at AS at, 0 AS clawback \
         FROM agent_commissions WHERE month = $1 \
         UNION ALL SELECT agent_code, bill_reference, service_code, amount, -commission, clawed_back_at, 1 \
         FROM agent_commissions WHERE clawback_month = $1 ORDER BY 1, 6, 2",
    )
    .bind(&month)
    .fetch_all(db.pool())
    .await?;
    let money = |m: i64| Money::from_minor(m, Currency::Kes).to_decimal();
    let mut out: Vec<(Statement, i64)> = Vec::new();
    for r in &rows {
        let agent: String = r.try_get("agent_code")?;
        let commission: i64 = r.try_get("commission")?;
        let at: i64 = r.try_get("at")?;
        let line = Line {
            bill_reference: r.try_get("bill_reference")?,
            application: String::new(),
            service: r.try_get("service_code")?,
            paid_at: lango_core::clock::Civil::rfc3339(at),
            amount: money(r.try_get("amount")?),
            commission: money(commission),
            commission_minor: commission,
            clawback: r.try_get::<i64, _>("clawback")? == 1,
        };
        match out.last_mut() {
            Some((s, total)) if s.agent == agent => {
                *total += commission;
                s.lines.push(line);
            }
            _ => out.push((
                Statement {
                    agent,
                    month: month.clone(),
                    currency: "KES".into(),
                    lines: vec![line],
                    total_commission: String::new(),
                },
                commission,
            )),
        }
    }
    Ok(out
        .into_iter()
        .map(|(mut s, total)| {
            s.total_commission = money(total);
            s
        })
        .collect())
}
