//! `lango-bench agents`: every agent's monthly statement over a month of agent work, on
//! SQLite, next to the raw read rate of the same rows in the same run.
//!
//! N agents (each a business with an owner) and M paid bills' commission lines spread
//! over the agents and the month are written with multi-row inserts (timed, not
//! measured). Then `lango_agents::statement::month_all` makes every agent's statement of
//! the month, `--rounds` times, checked against the database each time (every agent,
//! every line, the same totals), and the median is reported next to the baseline: the
//! raw rate at which the same database sums the month's lines with one `SELECT`.

use lango_core::db::Db;
use std::time::Instant;

/// The benchmark's settings.
pub struct Args {
    /// Agents.
    pub agents: usize,
    /// Commission lines (paid bills of agents' applications) in the month.
    pub transactions: usize,
    /// Rounds (the median is reported).
    pub rounds: usize,
}

/// The month the lines fall in.
const MONTH: &str = "2026-11";

/// Runs the benchmark and prints its table.
pub async fn run(a: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = Db::connect(&url, 4).await?;
    db.migrate(&lango::migrations()).await?;
    let started = Instant::now();
    seed(&db, &a).await?;
    eprintln!(
        "seeded {} agents and {} lines in {:.1} s",
        a.agents,
        a.transactions,
        started.elapsed().as_secs_f64()
    );
    let (expected_total, expected_lines): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(commission) AS BIGINT), COUNT(*) FROM agent_commissions WHERE month = $1",
    )
    .bind(MONTH)
    .fetch_one(db.pool())
    .await?;
    let mut statements = Vec::new();
    let mut scans = Vec::new();
    for _ in 0..a.rounds.max(1) {
        let t = Instant::now();
        let (total, lines): (i64, i64) = sqlx::query_as(
            "SELECT CAST(SUM(commission) AS BIGINT), COUNT(*) FROM agent_commissions WHERE month = $1",
        )
        .bind(MONTH)
        .fetch_one(db.pool())
        .await?;
        scans.push(t.elapsed().as_secs_f64());
        anyhow::ensure!((total, lines) == (expected_total, expected_lines));
        let t = Instant::now();
        let all = lango_agents::statement::month_all(&db, MONTH).await?;
        statements.push(t.elapsed().as_secs_f64());
        anyhow::ensure!(
            all.len() == a.agents,
            "{} statements for {} agents",
            all.len(),
            a.agents
        );
        let lines: usize = all.iter().map(|s| s.lines.len()).sum();
        let total: i64 = all
            .iter()
            .flat_map(|s| s.lines.iter().map(|l| l.commission_minor))
            .sum();
        anyhow::ensure!(
            lines as i64 == expected_lines && total == expected_total,
            "statements disagree with the lines"
        );
    }
    let statement_s = crate::median(statements);
    let scan_s = crate::median(scans);
    let n = a.transactions as f64;
    println!(
        "| what | seconds (median of {}) | lines per s | × baseline |",
        a.rounds.max(1)
    );
    println!("|---|---|---|---|");
    println!("| raw read: one SELECT summing the month's lines (baseline) | {scan_s:.2} | {:.0} | 1.00 |", n / scan_s);
    println!(
        "| every agent's statement ({} agents, {} lines) | {statement_s:.2} | {:.0} | {:.3} |",
        a.agents,
        a.transactions,
        n / statement_s,
        scan_s / statement_s
    );
    let at_bar = a.agents >= 10_000 && a.transactions >= 2_000_000;
    let verdict = match (at_bar, statement_s < 30.0) {
        (false, _) => "not judged at this size (the bar is for 10,000 agents and 2,000,000 lines)",
        (true, true) => "met",
        (true, false) => "NOT met",
    };
    println!("bar: every statement under 30 s for 10,000 agents over 2,000,000 lines: {verdict}");
    db.close().await;
    Ok(())
}

/// Rows per multi-row insert (under SQLite's bound-parameter limit at 11 columns).
const CHUNK: usize = 2_000;

async fn seed(db: &Db, a: &Args) -> anyhow::Result<()> {
    let owner = "bench-owner";
    sqlx::query(
        "INSERT INTO accounts (id, kind, given_name, family_name, status, language, created_at, updated_at) \
         VALUES ($1, 'citizen', 'Bench', 'Owner', 'active', 'en', 0, 0)",
    )
    .bind(owner)
    .execute(db.pool())
    .await?;
    for start in (0..a.agents).step_by(CHUNK) {
        let end = (start + CHUNK).min(a.agents);
        let mut tx = db.pool().begin().await?;
        for (table, sql) in [
            ("businesses", "(id, registration_number, name, created_by, created_at)"),
            ("agents", "(code, business_id, name, county, location, phone, permit_number, status, reason, applied_by, applied_at)"),
        ] {
            let values: Vec<String> = (start..end)
                .map(|i| match table {
                    "businesses" => format!("('b{i}', 'BN-{i:06}', 'Agent {i}', '{owner}', 0)"),
                    _ => format!(
                        "('AG{i:05}', 'b{i}', 'Agent {i}', 'Nairobi City', 'Stall {i}', '+2547110{i:05}', 'SBP/{i}', 'approved', '', '{owner}', 0)"
                    ),
                })
                .collect();
            // Values made here from numbers only: nothing from outside reaches the SQL.
            sqlx::query(&format!("INSERT INTO {table} {sql} VALUES {}", values.join(", ")))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    let month_start = 1_793_480_400_000i64; // 2026-11-01 00:00 EAT
    let mut written = 0usize;
    let step = (a.transactions / 10).max(1);
    while written < a.transactions {
        let end = (written + CHUNK).min(a.transactions);
        let mut q = String::from(
            "INSERT INTO agent_commissions (bill_reference, agent_code, application_reference, service_code, \
             currency, amount, commission, rule_id, source, paid_at, month) VALUES ",
        );
        for i in written..end {
            let agent = i % a.agents;
            let amount = 5_000 + (i % 97) as i64 * 1_000;
            let commission = (5_000 + amount * 2 / 100).min(30_000);
            let at = month_start + (i as i64 * 1_296_000_000 / a.transactions as i64);
            if i > written {
                q.push_str(", ");
            }
            q.push_str(&format!(
                "('B{i:09}', 'AG{agent:05}', 'A{i:09}', 'KPS-ABSTRACT', 'KES', {amount}, {commission}, 'CR-bench', 'platform_fee', {at}, '{MONTH}')"
            ));
        }
        let mut tx = db.pool().begin().await?;
        sqlx::query(&q).execute(&mut *tx).await?;
        tx.commit().await?;
        if end / step != written / step {
            eprintln!("  lines: {end} of {}", a.transactions);
        }
        written = end;
    }
    Ok(())
}
