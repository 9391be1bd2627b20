//! Payments from the shell: reconcile M-Pesa's record with the ledger (`lango reconcile
//! statement FILE.csv`, `lango reconcile pull`) and settle agencies (`lango settle
//! [--date YYYY-MM-DD]`, `lango settle file BATCH_ID`).

use crate::open_db;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use lango_core::config::Config;
use lango_core::money::Money;
use lango_payments::daraja_api::DarajaClient;
use lango_payments::finance::{eat_time, Day};
use lango_payments::reconcile::{self, Run};
use lango_payments::{pull, settlement};
use std::path::PathBuf;
use std::process::ExitCode;

/// Who the shell acts as in the audit log.
const BY: &str = "cli";

/// `lango reconcile …`
#[derive(clap::Subcommand)]
pub enum ReconcileWhat {
    /// Import an M-Pesa portal statement or an FPX settlement report (CSV) and compare it
    /// with the ledger.
    Statement {
        /// The statement file as the portal exported it.
        file: PathBuf,
    },
    /// Ask Pull Transactions for the last 48 hours and compare them with the ledger.
    Pull,
}

/// `lango settle …`
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SettleArgs {
    /// The East Africa Time day to settle (default: yesterday).
    #[arg(long)]
    pub date: Option<String>,
    #[command(subcommand)]
    pub what: Option<SettleWhat>,
}

/// `lango settle file …`
#[derive(clap::Subcommand)]
pub enum SettleWhat {
    /// Print a batch's settlement file (CSV for the bank), or with --statement the agency's
    /// statement of the batch.
    File {
        /// The batch, e.g. ST-20261122-DIS-KES.
        batch: String,
        /// The agency's statement (one line per receipt) instead of the bank's file.
        #[arg(long)]
        statement: bool,
    },
}

/// Runs `lango reconcile …`; exits 1 when the file or Daraja cannot be used.
pub async fn reconcile(config: Config, what: ReconcileWhat) -> anyhow::Result<ExitCode> {
    match what {
        ReconcileWhat::Statement { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let db = open_db(&config).await?;
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message("matching");
            let seller = config
                .fpx
                .as_ref()
                .map(lango_payments::fpx::Seller::new)
                .transpose()
                .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
            let outcome = reconcile::import_file(
                &db,
                seller.as_ref(),
                &name,
                &bytes,
                BY,
                &mut |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                },
            )
            .await;
            bar.finish_and_clear();
            let outcome = match outcome {
                Ok(o) => o,
                Err(e) => {
                    db.close().await;
                    return Err(e.into());
                }
            };
            let code = match outcome {
                Ok((run, new)) => {
                    if !new {
                        println!(
                            "{name}: already imported as run {} on {}; nothing changed",
                            run.id,
                            eat_time(run.created_at)
                        );
                    }
                    print_run(&db, &run).await?;
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("lango: {}: {e}", file.display());
                    ExitCode::FAILURE
                }
            };
            db.close().await;
            Ok(code)
        }
        ReconcileWhat::Pull => {
            let Some(daraja) = config.daraja.clone() else {
                eprintln!(
                    "lango: Daraja is not configured (set LANGO_DARAJA_BASE_URL and its keys)"
                );
                return Ok(ExitCode::FAILURE);
            };
            let client = DarajaClient::new(daraja, config.mpesa_shortcode.clone());
            let db = open_db(&config).await?;
            let outcome = pull::sweep(&db, &client, BY).await;
            let code = match outcome {
                Ok(run) => {
                    print_run(&db, &run).await?;
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("lango: pull transactions: {e}");
                    ExitCode::FAILURE
                }
            };
            db.close().await;
            Ok(code)
        }
    }
}

/// Prints a run's counts and what needs looking into.
async fn print_run(db: &lango_core::db::Db, run: &Run) -> anyhow::Result<()> {
    let currency = reconcile::currency_of(&run.source);
    let kes = |m: i64| Money::from_minor(m, currency).display();
    println!("run {} ({})", run.id, run.source);
    if let Some((from, to)) = run.period {
        println!(
            "  period: {} to {} (UTC{})",
            eat_time(from),
            eat_time(to),
            lango_core::clock::local_offset_text()
        );
    }
    println!(
        "  rows read: {} ({} not money in)",
        run.rows_read, run.skipped
    );
    println!(
        "  matched: {} ({} newly verified)",
        run.matched, run.verified
    );
    println!("  amount mismatch: {}", run.amount_mismatch);
    println!("  missing in ledger: {}", run.missing_in_ledger);
    println!("  missing in statement: {}", run.missing_in_statement);
    println!("  bad rows: {}", run.bad_rows);
    for kind in [
        "amount_mismatch",
        "missing_in_ledger",
        "missing_in_statement",
        "bad_row",
        "reversed",
    ] {
        for i in reconcile::items(db, &run.id, kind, 50).await? {
            let line = i.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            let detail = match kind {
                "bad_row" | "reversed" => i.note.clone(),
                _ => format!(
                    "{} statement {} ledger {} account {:?}",
                    i.receipt,
                    i.statement_amount.map(kes).unwrap_or_else(|| "-".into()),
                    i.ledger_amount.map(kes).unwrap_or_else(|| "-".into()),
                    i.account
                ),
            };
            println!("  {}: {line}{detail}", kind.replace('_', " "));
        }
    }
    Ok(())
}

/// Runs `lango settle …`.
pub async fn settle(config: Config, args: SettleArgs) -> anyhow::Result<ExitCode> {
    let db = open_db(&config).await?;
    let out = settle_with(&db, args).await;
    db.close().await;
    out
}

async fn settle_with(db: &lango_core::db::Db, args: SettleArgs) -> anyhow::Result<ExitCode> {
    if let Some(SettleWhat::File { batch, statement }) = args.what {
        let Some(b) = settlement::batch(db, &batch).await? else {
            eprintln!("lango: no settlement batch {batch}");
            return Ok(ExitCode::FAILURE);
        };
        let text = if statement {
            let items = settlement::items(db, &b).await?;
            settlement::agency_statement(&b, &items)?
        } else {
            settlement::settlement_file(&b)?
        };
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let day = match args.date.as_deref() {
        None => Day::today().plus(-1),
        Some(d) => match Day::parse(d) {
            Some(day) => day,
            None => {
                eprintln!("lango: --date must be a real date like 2026-11-22");
                return Ok(ExitCode::FAILURE);
            }
        },
    };
    let settled = match settlement::settle_day(db, day, BY).await {
        Ok(s) => s,
        Err(lango_core::Error::Invalid { message, .. }) => {
            eprintln!("lango: {message}");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    println!(
        "settlement for {}: {} new batches, {} made before",
        day.date(),
        settled.created.len(),
        settled.existing.len()
    );
    for (b, note) in settled
        .created
        .iter()
        .map(|b| (b, "new"))
        .chain(settled.existing.iter().map(|b| (b, "before")))
    {
        println!(
            "  {} {} {} receipts ({note})",
            b.id,
            b.amount.display(),
            b.receipts
        );
    }
    Ok(ExitCode::SUCCESS)
}
