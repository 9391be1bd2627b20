//! Applications from the shell: `lango seed applications --count N [--agency CODE]` fills
//! the database with submitted applications of the loaded service definitions, for
//! benchmarks (the officer queue with a million applications, the dashboards with ten
//! million) and demos. Each transaction's applications are added to the published usage
//! aggregates in that transaction.

use crate::open_db;
use indicatif::{ProgressBar, ProgressStyle};
use lango_core::config::Config;
use std::process::ExitCode;
use std::time::Instant;

/// `lango seed applications …`
#[derive(clap::Args)]
pub struct SeedApplicationsArgs {
    /// How many applications to create.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    /// Only services of this agency (every agency with definitions otherwise).
    #[arg(long)]
    pub agency: Option<String>,
    /// Seed of the random spread (services, states, dates, assignments).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[command(flatten)]
    pub marker: TestDatabaseFlag,
}

/// The seed commands' consent: synthetic data goes only into a database marked as a demo
/// or test database (`lango_core::sample_data`).
#[derive(clap::Args)]
pub struct TestDatabaseFlag {
    /// Marks this database, for good, as a test database that may hold synthetic data
    /// (a demo database is marked already). Never use it on a real deployment's database:
    /// what is seeded is counted in the published figures.
    #[arg(long = "i-know-this-is-a-test-database")]
    pub test_database: bool,
}

impl TestDatabaseFlag {
    /// Marks the database when asked; then `None` when it may be seeded, or the exit code
    /// after saying why not.
    pub async fn check(&self, db: &lango_core::db::Db) -> anyhow::Result<Option<ExitCode>> {
        use lango_core::sample_data::{mark, require, Mark};
        if self.test_database {
            mark(db, Mark::Test).await?;
        }
        match require(db).await {
            Ok(_) => Ok(None),
            Err(lango_core::Error::Forbidden(message)) => {
                eprintln!("lango: {message}");
                Ok(Some(ExitCode::from(2)))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Seeds applications with a progress bar; exits non-zero when nothing can be seeded.
pub async fn run(config: Config, args: SeedApplicationsArgs) -> anyhow::Result<ExitCode> {
    let db = open_db(&config).await?;
    if let Some(refused) = args.marker.check(&db).await? {
        db.close().await;
        return Ok(refused);
    }
    // Definitions from the configured folder, as a serving node would load them.
    if let Some(dir) = &config.definitions_dir {
        lango_cases::registry::load_texts(&db, &lango_cases::registry::read_dir(dir)?).await?;
    }
    let bar = ProgressBar::new(args.count as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("seeding applications");
    let plan = lango_cases::seed::Plan {
        count: args.count,
        agency: args.agency.map(|a| a.trim().to_ascii_uppercase()),
        seed: args.seed,
    };
    let started = Instant::now();
    let mut usage = lango_insights::usage::SeedSink::default();
    let result = lango_cases::seed::applications_into(
        &db,
        &plan,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
        &mut usage,
    )
    .await;
    bar.finish_and_clear();
    db.close().await;
    match result {
        Ok(n) => {
            eprintln!(
                "{n} applications written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(lango_core::Error::Invalid { message, .. }) => {
            eprintln!("lango: {message}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
