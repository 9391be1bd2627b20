//! `lango-bench fpx`: FPX confirmations per second through a real server process on SQLite,
//! in the country `LANGO_COUNTRY` names (Kenya billing in ringgit too, or Malaysia), next to
//! the same server's `/healthz` rate and the raw one-row commit rate. Every payment is
//! confirmed twice, as FPX does (direct, then through the browser): the first posts it, the
//! second finds it posted. Run it once per country; the ratios to `/healthz` compare them.

use crate::load::{self, Call, MakeCall, Measured};
use lango_core::db::Db;
use lango_core::money::Currency;
use lango_payments::bills::{self, BillRequest, Payer};
use lango_payments::fees::FeeTable;
use lango_payments::fpx::message::{self, Message};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::RsaPrivateKey;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Payments made ready before the run (each confirmed twice; more requests repeat them).
const PAYMENTS: usize = 4_000;

/// The agency and service bills are raised for, in the country's demo catalogue.
fn service() -> (&'static str, &'static str) {
    if lango_core::country::current().code == "my" {
        ("JIM", "JIM-PASSPORT-RENEW")
    } else {
        ("DIS", "DIS-PASSPORT")
    }
}

/// Runs the benchmark.
pub async fn run(connections: usize, duration: Duration, rounds: usize) -> anyhow::Result<()> {
    let country = lango_core::country::current();
    println!(
        "FPX confirmations ({}): {connections} connections, {rounds} rounds of {} s; {PAYMENTS} payments, each confirmed twice",
        country.code,
        duration.as_secs()
    );
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/lango.db?mode=rwc", dir.path().display());
    let db = Db::connect(&url, 4).await?;
    db.migrate(&lango::migrations()).await?;
    sqlx::query("CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)")
        .execute(db.pool())
        .await?;
    lango::demo::load(&db).await?;
    eprintln!("raising {PAYMENTS} ringgit bills and their FPX payments…");
    let (agency, code) = service();
    let home = country.currency;
    let fees =
        FeeTable::parse_in(&country.convenience_fees, home)?.billing_in(&[home, Currency::Myr]);
    let mut payments = Vec::with_capacity(PAYMENTS);
    for i in 0..PAYMENTS {
        let req = BillRequest {
            service_code: code.into(),
            amount: "150.00".into(),
            currency: "MYR".into(),
            agency_reference: format!("FPX-BENCH-{i}"),
            payer: Payer::default(),
            description: String::new(),
            shares: Vec::new(),
            expires_on: String::new(),
        };
        let (bill, _) = bills::raise(&db, agency, "bench", &req, None, &fees).await?;
        let id = format!("bench{i:08}");
        sqlx::query(
            "INSERT INTO fpx_payments (id, bill_reference, amount, currency, bank_id, status, fpx_txn_id, \
             debit_auth_code, posted, outcome, created_at, updated_at) \
             VALUES ($1, $2, $3, 'MYR', 'MB2U0227', 'created', NULL, '', 0, '', 0, 0)",
        )
        .bind(&id)
        .bind(&bill.reference)
        .bind(bill.balance().minor())
        .execute(db.pool())
        .await?;
        let amount = message::amount_text(bill.balance().minor());
        payments.push((id, bill.reference, amount));
    }
    eprintln!("signing {PAYMENTS} confirmations as the gateway…");
    let (seller, gateway) = {
        let mut rng = rand::thread_rng();
        (
            RsaPrivateKey::new(&mut rng, 2048)?,
            RsaPrivateKey::new(&mut rng, 2048)?,
        )
    };
    let bodies = sign_all(&payments, &gateway);
    let seller_file = dir.path().join("seller.pem");
    let gateway_file = dir.path().join("gateway.pem");
    std::fs::write(
        &seller_file,
        seller.to_pkcs8_pem(LineEnding::LF)?.as_bytes(),
    )?;
    std::fs::write(
        &gateway_file,
        gateway.to_public_key().to_public_key_pem(LineEnding::LF)?,
    )?;
    let currencies = format!("{},MYR", home.code());
    let server = crate::server::Server::start(
        Some(&url),
        dir.path(),
        &[
            ("LANGO_BILL_CURRENCIES", currencies.as_str()),
            ("LANGO_FPX_GATEWAY_URL", "http://127.0.0.1:9"),
            ("LANGO_FPX_EXCHANGE_ID", "EX00012345"),
            ("LANGO_FPX_SELLER_ID", "SE00054321"),
            (
                "LANGO_FPX_SELLER_KEY_FILE",
                seller_file.to_str().unwrap_or(""),
            ),
            (
                "LANGO_FPX_GATEWAY_KEY_FILE",
                gateway_file.to_str().unwrap_or(""),
            ),
        ],
    )
    .await?;
    let addr = server.addr.clone();
    let bodies = Arc::new(bodies);
    let counter = Arc::new(AtomicUsize::new(0));
    let make: MakeCall = {
        let (bodies, counter) = (bodies.clone(), counter.clone());
        Arc::new(move |_| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            // Payment n/2, twice in a row; past the end, from the start again.
            let body = bodies[(n / 2) % bodies.len()].clone();
            Call::Post("/channels/fpx/direct".into(), body.into())
        })
    };
    let health = Arc::new(vec!["/healthz".to_string()]);
    load::run_calls(
        &addr,
        connections,
        Duration::from_secs(1),
        make.clone(),
        |c| c,
    )
    .await?;
    let (mut h, mut c, mut commits) = (vec![], vec![], vec![]);
    for round in 0..rounds {
        h.push(load::run(&addr, connections, duration, health.clone()).await?);
        commits.push(crate::mpesa::raw_commits(&db, duration, (round as i64) << 32).await?);
        let m = load::run_calls(&addr, connections, duration, make.clone(), |c| c).await?;
        anyhow::ensure!(m.errors == 0, "{} confirmations refused", m.errors);
        c.push(m);
        eprintln!("round {} done", round + 1);
    }
    drop(server);
    // Each payment confirmed is posted once, and the ledger balances.
    let sent = counter.load(Ordering::Relaxed);
    let posted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fpx_payments WHERE posted = 1")
        .fetch_one(db.pool())
        .await?;
    let postings: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_transactions WHERE memo LIKE 'fpx %'")
            .fetch_one(db.pool())
            .await?;
    anyhow::ensure!(posted == postings, "{posted} payments, {postings} postings");
    anyhow::ensure!(
        posted as usize == (sent / 2).min(PAYMENTS)
            || posted as usize == sent.div_ceil(2).min(PAYMENTS),
        "{posted} posted of {sent} sent"
    );
    let (_, faults) = lango_payments::store::verify(&db).await?;
    anyhow::ensure!(faults.is_empty(), "ledger faults: {faults:?}");
    db.close().await;
    let health = Measured::median(h);
    let confirmations = Measured::median(c);
    let commits = crate::median(commits);
    let base = health.rate;
    println!(
        "\n{:<8} {:<26} {:>10} {:>9} {:>9} {:>9}",
        "country", "what", "per s", "p50 ms", "p99 ms", "× healthz"
    );
    println!(
        "{:<8} {:<26} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
        country.code, "/healthz (baseline)", base, health.p50_ms, health.p99_ms, 1.0
    );
    println!(
        "{:<8} {:<26} {:>10.0} {:>9} {:>9} {:>9.2}",
        country.code,
        "raw one-row commits",
        commits,
        "-",
        "-",
        commits / base
    );
    println!(
        "{:<8} {:<26} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
        country.code,
        "FPX confirmations",
        confirmations.rate,
        confirmations.p50_ms,
        confirmations.p99_ms,
        confirmations.rate / base
    );
    println!(
        "{:<8} {:<26} ({sent} sent, {posted} payments posted once each, ledger verified)",
        "", ""
    );
    Ok(())
}

/// Each payment's approved confirmation, signed by `gateway`, as form bodies (two threads:
/// RSA signing is the slow part of setting up).
fn sign_all(payments: &[(String, String, String)], gateway: &RsaPrivateKey) -> Vec<String> {
    let half = payments.len() / 2;
    let sign = |part: &[(String, String, String)], offset: usize| -> Vec<String> {
        part.iter()
            .enumerate()
            .map(|(i, (id, reference, amount))| {
                let mut m = Message::new(message::AUTH_CONFIRMATION);
                m.set("fpx_sellerExId", "EX00012345")
                    .set("fpx_sellerId", "SE00054321")
                    .set("fpx_sellerExOrderNo", id)
                    .set("fpx_sellerOrderNo", reference)
                    .set("fpx_sellerTxnTime", "20261206120000")
                    .set("fpx_fpxTxnId", format!("26120612{:08}", offset + i))
                    .set("fpx_fpxTxnTime", "20261206120030")
                    .set("fpx_txnCurrency", "MYR")
                    .set("fpx_txnAmount", amount)
                    .set("fpx_buyerBankId", "MB2U0227")
                    .set("fpx_buyerBankBranch", "Maybank2U")
                    .set("fpx_buyerName", "BENCH PAYER")
                    .set("fpx_debitAuthCode", "00")
                    .set("fpx_debitAuthNo", "10000001")
                    .set("fpx_creditAuthCode", "00")
                    .set("fpx_creditAuthNo", "20000001");
                m.sign(gateway);
                m.to_form()
            })
            .collect()
    };
    std::thread::scope(|s| {
        let first = s.spawn(|| sign(&payments[..half], 0));
        let second = sign(&payments[half..], half);
        let mut out = first.join().unwrap_or_default();
        out.extend(second);
        out
    })
}
