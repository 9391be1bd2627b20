//! The ledger's SQL: post a balanced transaction (entries and balances in the caller's
//! transaction), read balances, and verify everything from the shell.

use crate::ledger::Transaction;
use lango_core::clock::now_ms;
use lango_core::db::{backend_of, kept_rows, padded, Db};
use lango_core::Result;
use sqlx::Row;
use std::collections::BTreeMap;

/// Writes `t`'s entries and moves the balances, inside `tx`; returns the transaction id.
pub async fn post(tx: &mut sqlx::AnyConnection, t: &Transaction) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO ledger_transactions (id, memo, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(&t.memo)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    for (line, p) in t.postings().iter().enumerate() {
        let account = p.account.to_string();
        let currency = p.account.currency().code();
        sqlx::query(
            "INSERT INTO ledger_entries (transaction_id, line, account, currency, amount) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(line as i64)
        .bind(&account)
        .bind(currency)
        .bind(p.amount)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ledger_balances (account, currency, balance) VALUES ($1, $2, $3) \
             ON CONFLICT (account) DO UPDATE SET balance = ledger_balances.balance + excluded.balance",
        )
        .bind(&account)
        .bind(currency)
        .bind(p.amount)
        .execute(&mut *tx)
        .await?;
    }
    Ok(id)
}

/// Writes many transactions inside `tx` with multi-row inserts, moving each touched balance
/// once by the group's sum (the path of writes committed in groups); returns their ids.
pub async fn post_many(tx: &mut sqlx::AnyConnection, ts: &[Transaction]) -> Result<Vec<String>> {
    let now = now_ms();
    let backend = backend_of(tx);
    let ids: Vec<String> = ts
        .iter()
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    let rows: Vec<(&Transaction, &String)> = ts.iter().zip(&ids).collect();
    for run in padded(&rows) {
        let sql = format!(
            "INSERT INTO ledger_transactions (id, memo, created_at) {}",
            kept_rows(backend, run.listed(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (keep, (t, id)) in run.rows() {
            q = q.bind(keep).bind(*id).bind(&t.memo).bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    let mut entries: Vec<(&str, i64, String, &'static str, i64)> = Vec::new();
    let mut deltas: BTreeMap<String, (&'static str, i64)> = BTreeMap::new();
    for (t, id) in ts.iter().zip(&ids) {
        for (line, p) in t.postings().iter().enumerate() {
            let account = p.account.to_string();
            let currency = p.account.currency().code();
            deltas.entry(account.clone()).or_insert((currency, 0)).1 += p.amount;
            entries.push((id, line as i64, account, currency, p.amount));
        }
    }
    for run in padded(&entries) {
        let sql = format!(
            "INSERT INTO ledger_entries (transaction_id, line, account, currency, amount) {}",
            kept_rows(backend, run.listed(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (keep, (id, line, account, currency, amount)) in run.rows() {
            q = q
                .bind(keep)
                .bind(*id)
                .bind(*line)
                .bind(account)
                .bind(*currency)
                .bind(*amount);
        }
        q.execute(&mut *tx).await?;
    }
    // Accounts in name order, so two nodes posting at once take balance locks in one order.
    let deltas: Vec<_> = deltas.into_iter().collect();
    for run in padded(&deltas) {
        let sql = format!(
            "INSERT INTO ledger_balances (account, currency, balance) {} \
             ON CONFLICT (account) DO UPDATE SET balance = ledger_balances.balance + excluded.balance",
            kept_rows(backend, run.listed(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (keep, (account, (currency, amount))) in run.rows() {
            q = q.bind(keep).bind(account).bind(*currency).bind(*amount);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(ids)
}

/// The balance of one account (0 if it never moved).
pub async fn balance(db: &Db, account: &str) -> Result<i64> {
    let b: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM ledger_balances WHERE account = $1")
            .bind(account)
            .fetch_optional(db.pool())
            .await?;
    Ok(b.unwrap_or(0))
}

/// What `verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerFault {
    /// A transaction's entries do not sum to zero in a currency.
    Unbalanced {
        transaction: String,
        currency: String,
    },
    /// A stored balance differs from the sum of its account's entries.
    BalanceMismatch {
        account: String,
        stored: i64,
        entries: i64,
    },
    /// An entry's currency is not its account's.
    WrongCurrency {
        transaction: String,
        account: String,
    },
}

impl std::fmt::Display for LedgerFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LedgerFault::Unbalanced {
                transaction,
                currency,
            } => {
                write!(
                    f,
                    "transaction {transaction} does not balance in {currency}"
                )
            }
            LedgerFault::BalanceMismatch {
                account,
                stored,
                entries,
            } => {
                write!(
                    f,
                    "account {account}: balance {stored} but its entries sum to {entries}"
                )
            }
            LedgerFault::WrongCurrency {
                transaction,
                account,
            } => {
                write!(
                    f,
                    "transaction {transaction}: an entry on {account} is in another currency"
                )
            }
        }
    }
}

/// Proves every transaction balances and every balance equals its entries; returns how many
/// transactions were checked and each fault.
pub async fn verify(db: &Db) -> Result<(u64, Vec<LedgerFault>)> {
    let mut faults = Vec::new();
    let unbalanced = sqlx::query(
        "SELECT transaction_id, currency FROM ledger_entries GROUP BY transaction_id, currency \
         HAVING SUM(amount) <> 0 ORDER BY transaction_id",
    )
    .fetch_all(db.pool())
    .await?;
    for r in &unbalanced {
        faults.push(LedgerFault::Unbalanced {
            transaction: r.try_get("transaction_id")?,
            currency: r.try_get("currency")?,
        });
    }
    let entries = sqlx::query("SELECT transaction_id, account, currency FROM ledger_entries")
        .fetch_all(db.pool())
        .await?;
    for r in &entries {
        let account: String = r.try_get("account")?;
        let currency: String = r.try_get("currency")?;
        if !account.ends_with(&format!(":{currency}")) {
            faults.push(LedgerFault::WrongCurrency {
                transaction: r.try_get("transaction_id")?,
                account,
            });
        }
    }
    let sums = sqlx::query(
        "SELECT account, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_entries GROUP BY account",
    )
    .fetch_all(db.pool())
    .await?;
    let mut by_account: BTreeMap<String, i64> = BTreeMap::new();
    for r in &sums {
        // Cast in SQL: PostgreSQL's SUM of BIGINT is NUMERIC.
        let total: i64 = r.try_get("total")?;
        by_account.insert(r.try_get("account")?, total);
    }
    let balances = sqlx::query("SELECT account, balance FROM ledger_balances")
        .fetch_all(db.pool())
        .await?;
    for r in &balances {
        let account: String = r.try_get("account")?;
        let stored: i64 = r.try_get("balance")?;
        let entries = by_account.remove(&account).unwrap_or(0);
        if stored != entries {
            faults.push(LedgerFault::BalanceMismatch {
                account,
                stored,
                entries,
            });
        }
    }
    for (account, entries) in by_account {
        faults.push(LedgerFault::BalanceMismatch {
            account,
            stored: 0,
            entries,
        });
    }
    let checked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_transactions")
        .fetch_one(db.pool())
        .await?;
    Ok((checked as u64, faults))
}
