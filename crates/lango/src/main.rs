//! `lango`: serve the platform, run the demo, and operate the catalogue from the shell.

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use lango::{demo, open_db, shutdown_signal, Node};
use lango_catalogue::service::{
    export_agencies, export_services, import_agencies, import_services, ImportReport,
};
use lango_catalogue::{seed, store, AgencyCode};
use lango_core::config::{Config, LogFormat};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc, not glibc's malloc: see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "lango",
    version,
    about = "One gateway to every government service"
)]
struct Cli {
    /// A TOML configuration file (LANGO_* environment variables override it).
    #[arg(long, global = true, env = "LANGO_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve on LANGO_LISTEN using LANGO_DATABASE_URL (or SQLite in the data dir).
    Serve,
    /// Serve the demo country on embedded SQLite, with demo data and simulators.
    Demo {
        /// The country pack (packs/<code>; default LANGO_COUNTRY, else ke).
        #[arg(long)]
        country: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Make a new Sign in with Lango signing key now (nodes take it within a minute).
    RotateSignInKey {
        /// Also retire every other key at once: tokens they signed stop verifying (for a
        /// key thought exposed).
        #[arg(long)]
        retire_old: bool,
    },
    /// Import agencies or services from CSV (upsert by code).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export agencies or services as CSV, in the import format.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Write a consistent copy of the database to FILE while the server runs (SQLite: an
    /// online copy; PostgreSQL: pg_dump's custom format). See docs/operations.md.
    Backup {
        /// The new file (never overwritten).
        file: PathBuf,
    },
    /// Fill the configured database (an empty data dir or PostgreSQL database) from a
    /// backup FILE; refuses one that holds data.
    Restore {
        /// The backup.
        file: PathBuf,
    },
    /// Check the double-entry ledger.
    Ledger {
        #[command(subcommand)]
        what: LedgerWhat,
    },
    /// Check the hash-chained audit log.
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// Reconcile M-Pesa's record (statement file or Pull Transactions) with the ledger.
    Reconcile {
        #[command(subcommand)]
        what: lango::payments_cli::ReconcileWhat,
    },
    /// Settle agencies for a day (default yesterday, East Africa Time), or print a batch's file.
    Settle(lango::payments_cli::SettleArgs),
    /// Check a signed document offline (no network, no database): exit 0 valid, 1 invalid,
    /// 2 revoked.
    Verify(lango::documents_cli::VerifyArgs),
    /// Check a folder of translated word files as a node would at start-up (no database).
    Words {
        #[command(subcommand)]
        what: WordsWhat,
    },
    /// Generate synthetic data for benchmarks.
    Seed {
        #[command(subcommand)]
        what: SeedWhat,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Services: code,name,name_sw,summary,summary_sw,agency_code,category,… (see README).
    Services { file: PathBuf },
    /// Agencies: code,name,name_sw,level,parent_code,website.
    Agencies { file: PathBuf },
    /// Service centres: code,name,name_sw,kind,county,address,latitude,longitude,operator,
    /// hours,services,counters[,priority_lanes,schedule,status] (all or nothing).
    Centres { file: PathBuf },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// Every service.
    Services {
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Every agency, parents first.
    Agencies {
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Every service centre, as `import centres` takes it back.
    Centres {
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum WordsWhat {
    /// Every word of every language present, each using only values its pages give; exit
    /// 1 naming the first fault otherwise.
    Check {
        /// The folder (`sw.ftl`, `en.ftl`); default the configured `words_dir`, else the
        /// built-in words.
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum LedgerWhat {
    /// Prove every transaction balances and every balance equals its entries; exit 1 otherwise.
    Verify,
}

#[derive(Subcommand)]
enum AuditWhat {
    /// Walk the whole chain; exit 1 naming every altered, removed or reordered record.
    Verify,
}

#[derive(Subcommand)]
enum SeedWhat {
    /// Synthetic services spread over the existing agencies (the demo's when there are none).
    /// Only into a demo or test database.
    Catalogue {
        /// How many services to create.
        #[arg(long, default_value_t = 20_000)]
        services: usize,
        #[command(flatten)]
        marker: lango::cases_cli::TestDatabaseFlag,
    },
    /// Submitted applications of the loaded definitions (officer queue benchmarks). Only into
    /// a demo or test database.
    Applications(lango::cases_cli::SeedApplicationsArgs),
}

fn main() -> ExitCode {
    // A usage error exits 64 (EX_USAGE), not clap's 2: `lango verify` answers 2 for revoked.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 64 } else { 0 });
        }
    };
    // `demo --country` is the `country` setting for this run.
    let overrides: Vec<(&str, String)> = match &cli.command {
        Command::Demo {
            country: Some(code),
        } => vec![("LANGO_COUNTRY", code.clone())],
        _ => Vec::new(),
    };
    let mut config = match Config::load_with(cli.config.as_deref(), &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lango: {e}");
            return ExitCode::from(78);
        }
    };
    // One country a process, from the first thing it does (a command's set-up reads it).
    lango_core::country::install(config.country);
    if matches!(cli.command, Command::Demo { .. }) {
        config.demo = true;
        // The demo's webhook receivers are on this machine, over plain http.
        config.webhook_allow_private = true;
        // The demo is always the embedded database, whatever the environment says.
        config.database_url = None;
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let traces = match init_logging(&config, runtime.handle()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lango: cannot send traces to otlp_traces_url: {e:#}");
            return ExitCode::from(78);
        }
    };
    let code = match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lango: {e:#}");
            ExitCode::FAILURE
        }
    };
    if let Some(t) = traces {
        t.shutdown();
    }
    code
}

/// Logs to standard error (at `log`, plain or JSON) and, with `otlp_traces_url`, sends the
/// request spans to an OpenTelemetry collector whatever `log` says.
fn init_logging(
    config: &Config,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<Option<lango::traces::Traces>> {
    use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, Layer};
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = match config.log_format {
        LogFormat::Json => fmt.json().with_filter(filter).boxed(),
        LogFormat::Pretty => fmt.with_filter(filter).boxed(),
    };
    let traces = match &config.otlp_traces_url {
        Some(url) => Some(lango::traces::Traces::start(url, runtime.clone())?),
        None => None,
    };
    let otel = traces.as_ref().map(|t| {
        t.layer()
            .with_filter(tracing_subscriber::filter::LevelFilter::INFO)
    });
    tracing_subscriber::registry().with(fmt).with(otel).init();
    Ok(traces)
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Verify(args) => return Ok(lango::documents_cli::run(args, &config.data_dir)),
        Command::Words {
            what: WordsWhat::Check { dir },
        } => {
            let dir = dir.or(config.words_dir);
            match lango_web::words::check(dir.as_deref()) {
                Ok(keys) => println!("words: {keys} keys, every one in every language"),
                Err(e) => {
                    println!("words: {e}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Serve => {
            let popular = std::env::var("LANGO_POPULAR_SERVICES")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            serve(config, popular).await?;
        }
        Command::Demo { .. } => {
            let db = open_db(&config).await?;
            // Its history is synthetic: the mark lets it be seeded and says so.
            lango_core::sample_data::mark(&db, lango_core::sample_data::Mark::Demo).await?;
            let (agencies, services) = demo::load(&db).await?;
            let mut credentials = demo::seed_people(&db, &config.public_url).await?;
            let cases =
                lango_cases::Cases::open(db.clone(), lango::cases_settings(&config)?).await?;
            demo::seed_document(&cases).await?;
            // M-Pesa, its agents and the sample agency system are Kenya's.
            let kenya = config.country.code == "ke";
            if kenya {
                credentials["agent"] = demo::agents(&db, &cases, &config.mpesa_shortcode).await?;
            }
            demo::seed_history(&db).await?;
            lango_insights::performance::load_texts(&db, demo::current().performance).await?;
            // The sample agency system signs people in with Lango; its port is taken first
            // so that its address can be registered.
            let system = if kenya {
                let port = lango_simulators::agency_system::bind(([127, 0, 0, 1], 8091).into())
                    .await
                    .context("cannot start the sample agency system")?;
                let base = lango_simulators::agency_system::base_of(&port)?;
                let client = demo::agency_system(&db, &base).await?;
                credentials["oidc_client"] = client.clone();
                Some((port, base, client))
            } else {
                None
            };
            db.close().await;
            demo::write_credentials(&config.data_dir, &credentials)?;
            eprintln!(
                "Lango demo ({}): {agencies} agencies, {services} services. Open {} (credentials in {}).",
                config.country.code,
                config.public_url,
                config.data_dir.join("demo-credentials.json").display()
            );
            let mut config = config;
            // M-Pesa is the Daraja simulator; it runs as long as the server does.
            let _daraja = if kenya {
                Some(demo_daraja(&mut config).await?)
            } else {
                None
            };
            // Cards are the card provider simulator; its webhooks come back to this server.
            let webhook = format!("{}/channels/card/webhook", config.public_url);
            let settings = lango_simulators::card::Settings::new(
                "demo-card-key",
                "demo-card-webhook-secret-for-the-demo-only",
                &webhook,
            );
            let card = lango_simulators::card::start(settings).await?;
            config.card = Some(card.config());
            // FPX online banking is the gateway simulator where the country pays by FPX; its
            // confirmations come back to this server.
            let _fpx = if config.country.pays_by("fpx") {
                let sim = lango_simulators::fpx::start(lango_simulators::fpx::Settings::new(
                    &config.public_url,
                ))
                .await?;
                eprintln!(
                    "FPX: the gateway simulator is at {} (settlement reports at {}/FPXMain/settlement/YYYYMMDD).",
                    sim.base_url(),
                    sim.base_url()
                );
                config.fpx = Some(sim.config());
                Some(sim)
            } else {
                None
            };
            let _system = match system {
                Some((port, base, client)) => {
                    let running = lango_simulators::agency_system::start(
                        port,
                        lango_simulators::agency_system::Settings {
                            issuer: config.public_url.clone(),
                            client_id: client["client_id"].as_str().unwrap_or_default().into(),
                            client_secret: client["client_secret"]
                                .as_str()
                                .unwrap_or_default()
                                .into(),
                            title: "NTSA sample licensing system".into(),
                            scopes: ["profile", "phone", "email", "national_id"]
                                .map(String::from)
                                .to_vec(),
                        },
                    )?;
                    eprintln!(
                        "Sign in with Lango: the sample agency system is at {base} (service {}).",
                        demo::AGENCY_SYSTEM_SERVICE
                    );
                    Some(running)
                }
                None => None,
            };
            serve(config, demo::popular()).await?;
        }
        Command::Backup { file } => lango::backup::run_backup(&config, &file).await?,
        Command::Restore { file } => lango::backup::run_restore(&config, &file).await?,
        Command::Migrate => {
            open_db(&config).await?.close().await;
            eprintln!("migrations applied");
        }
        Command::RotateSignInKey { retire_old } => {
            let db = open_db(&config).await?;
            let kid = lango_identity::provider::keys::rotate(&db, retire_old).await?;
            db.close().await;
            println!("{kid}");
        }
        Command::Import { what } => {
            let db = open_db(&config).await?;
            if let ImportWhat::Centres { file } = &what {
                let bytes = std::fs::read(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let result = lango_centres::seed::load_csv(&db, &bytes, "cli").await;
                db.close().await;
                return Ok(match result {
                    Ok(n) => {
                        eprintln!("{}: {n} centres imported", file.display());
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("{}: nothing imported: {e}", file.display());
                        ExitCode::FAILURE
                    }
                });
            }
            let (file, report) = match what {
                ImportWhat::Agencies { file } => {
                    let input = std::fs::File::open(&file)
                        .with_context(|| format!("cannot open {}", file.display()))?;
                    let report = import_agencies(&db, input).await?;
                    (file, report)
                }
                ImportWhat::Services { file } => {
                    let input = std::fs::File::open(&file)
                        .with_context(|| format!("cannot open {}", file.display()))?;
                    let bar = progress_bar("importing");
                    let report = import_services(&db, input, &mut |done, total| {
                        bar.set_length(total);
                        bar.set_position(done);
                    })
                    .await?;
                    bar.finish_and_clear();
                    (file, report)
                }
                ImportWhat::Centres { .. } => unreachable!("imported above"),
            };
            db.close().await;
            return Ok(print_report(&file, &report));
        }
        Command::Export { what } => {
            let db = open_db(&config).await?;
            let (output, count) = match what {
                ExportWhat::Services { output } => {
                    let mut w = writer(output.as_ref())?;
                    (output, export_services(&db, &mut w).await?)
                }
                ExportWhat::Agencies { output } => {
                    let mut w = writer(output.as_ref())?;
                    (output, export_agencies(&db, &mut w).await?)
                }
                ExportWhat::Centres { output } => {
                    let centres = lango_centres::Centres::new(db.clone());
                    let all = centres.all().await?;
                    let mut w = writer(output.as_ref())?;
                    w.write_all(&lango_centres::csv::write(&all)?)?;
                    (output, all.len())
                }
            };
            if let Some(path) = output {
                eprintln!("{count} rows written to {}", path.display());
            }
            db.close().await;
        }
        Command::Ledger {
            what: LedgerWhat::Verify,
        } => {
            let db = open_db(&config).await?;
            let (checked, faults) = lango_payments::store::verify(&db).await?;
            db.close().await;
            for f in &faults {
                println!("fault: {f}");
            }
            println!(
                "ledger: {checked} transactions checked, {} faults",
                faults.len()
            );
            if !faults.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Audit {
            what: AuditWhat::Verify,
        } => {
            let db = open_db(&config).await?;
            let mut faulty = false;
            for (name, chain) in [
                ("audit", lango_core::audit::AUDIT),
                ("exchange", lango_core::audit::EXCHANGE),
            ] {
                let bar = progress_bar(name);
                let (checked, faults) =
                    lango_core::audit::verify(&db, chain, &mut |done, total| {
                        bar.set_length(total);
                        bar.set_position(done);
                    })
                    .await?;
                bar.finish_and_clear();
                for f in &faults {
                    println!("fault in the {name} log: {f}");
                }
                println!(
                    "{name} log: {checked} records checked, {} faults",
                    faults.len()
                );
                faulty |= !faults.is_empty();
            }
            // The signed checkpoints: a rewrite of the chain and all its hashes fails here.
            let key = lango_core::audit_checkpoint::platform_key(
                &db,
                lango::platform_key(&config).as_deref(),
            )
            .await?;
            let (checked, faults) = lango_core::audit_checkpoint::verify(&db, &key).await?;
            for f in &faults {
                println!("fault in the audit log: {f}");
            }
            println!(
                "audit checkpoints: {checked} checked, {} faults",
                faults.len()
            );
            faulty |= !faults.is_empty();
            db.close().await;
            if faulty {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Reconcile { what } => return lango::payments_cli::reconcile(config, what).await,
        Command::Settle(args) => return lango::payments_cli::settle(config, args).await,
        Command::Seed {
            what: SeedWhat::Applications(args),
        } => return lango::cases_cli::run(config, args).await,
        Command::Seed {
            what: SeedWhat::Catalogue { services, marker },
        } => {
            let db = open_db(&config).await?;
            if let Some(refused) = marker.check(&db).await? {
                db.close().await;
                return Ok(refused);
            }
            let mut agencies: Vec<AgencyCode> = store::agency_codes(&db)
                .await?
                .into_iter()
                .filter_map(|c| AgencyCode::parse(&c).ok())
                .collect();
            if agencies.is_empty() {
                demo::load(&db).await?;
                agencies = store::agency_codes(&db)
                    .await?
                    .into_iter()
                    .filter_map(|c| AgencyCode::parse(&c).ok())
                    .collect();
            }
            agencies.sort();
            let rows = seed::synthetic_services(services, &agencies, 42);
            let bar = progress_bar("seeding");
            store::upsert_services(&db, &rows, &mut |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await?;
            bar.finish_and_clear();
            eprintln!("{services} synthetic services written");
            db.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: Config, popular: Vec<String>) -> anyhow::Result<()> {
    let listen = config.listen;
    let node = Node::open(config, popular).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listen, "listening");
    node.serve(listener, shutdown_signal()).await
}

fn progress_bar(what: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

fn writer(output: Option<&PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}

/// Prints the import report; exits 2 when any row was refused so scripts notice.
fn print_report(file: &std::path::Path, report: &ImportReport) -> ExitCode {
    println!(
        "{}: {} created, {} updated, {} rejected",
        file.display(),
        report.created,
        report.updated,
        report.rejected.len()
    );
    for r in &report.rejected {
        let code = r
            .code
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        println!("  line {}{code}: {}", r.line, r.reason);
    }
    if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Starts the demo's Daraja simulator (on 127.0.0.1:8090 when free), points
/// `config.daraja` at it and registers the C2B callback URLs through the Daraja client.
async fn demo_daraja(
    config: &mut Config,
) -> anyhow::Result<lango_simulators::daraja::DarajaSimulator> {
    use lango_simulators::daraja::{start, Settings};
    let settings = Settings {
        listen: ([127, 0, 0, 1], 8090).into(),
        shortcode: config.mpesa_shortcode.clone(),
        ..Settings::default()
    };
    let simulator = match start(settings.clone()).await {
        Ok(s) => s,
        Err(_) => start(Settings {
            listen: ([127, 0, 0, 1], 0).into(),
            ..settings
        })
        .await
        .context("cannot start the Daraja simulator")?,
    };
    config.daraja = Some(simulator.config());
    let client = lango_payments::daraja_api::DarajaClient::new(
        simulator.config(),
        config.mpesa_shortcode.clone(),
    );
    use lango_payments::callbacks::{Callback, CallbackPaths};
    let paths = CallbackPaths::new(config.mpesa_callback_token.clone());
    client
        .register_c2b_urls(
            &paths.url(&config.public_url, Callback::Validation),
            &paths.url(&config.public_url, Callback::Confirmation),
        )
        .await
        .context("cannot register the C2B URLs with the Daraja simulator")?;
    eprintln!(
        "M-Pesa is the Daraja simulator at {0}: pay a bill by paybill with POST {0}/simulator/pay.",
        simulator.base_url()
    );
    Ok(simulator)
}
