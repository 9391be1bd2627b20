//! FPX online banking (Malaysia's direct-debit gateway, run by PayNet).
//!
//! 1. `start`: for an open or partly paid MYR bill, an `fpx_payments` row is written (its id
//!    is the seller exchange order number) and a signed authorisation request (`AR`) is made
//!    for the payer's browser to post to the gateway, naming the bank they chose.
//! 2. The payer signs in at their bank and approves (or not). The gateway then sends a signed
//!    authorisation confirmation (`AC`) twice: *direct*, server to server (retried until Lango
//!    answers `OK`), and *indirect*, through the payer's browser on its way back.
//! 3. Either one, or an enquiry (`AE`) Lango makes while the payer waits, posts a debit
//!    authorisation code `00` exactly once: the row is claimed with
//!    `UPDATE … SET posted = 1 WHERE posted = 0` in the same transaction as `posting::post_one`.
//! 4. A notification whose signature is wrong changes nothing (answered 401). One about a
//!    transaction Lango did not start, or that does not match the one it started (another
//!    amount, bill or seller), is kept for a finance officer's review and never posted.
//! 5. The gateway's daily settlement report is reconciled like M-Pesa's statement
//!    (`settlement`); only payments it shows are settled to agencies.

mod banks;
mod gateway;
pub mod message;
mod review;
pub mod settlement;

pub use banks::{bank_name, Bank};
pub use gateway::{banks, enquire_gateway, GatewayError};
pub use message::{FpxStatus, Message};
pub use review::{mark_reviewed, to_review, Notification};

use crate::posting::{self, Payment};
use crate::reference::BillReference;
use lango_core::clock::now_ms;
use lango_core::config::FpxConfig;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use message::{AUTH_CONFIRMATION, AUTH_REQUEST};
use rsa::{RsaPrivateKey, RsaPublicKey};
use secrecy::ExposeSecret;
use sqlx::Row;

/// The channel name in ledger accounts (`collection:fpx:MYR`).
pub const CHANNEL: &str = "fpx";
/// The smallest B2C payment FPX takes, sen (RM 1.00).
pub const MIN_AMOUNT: i64 = 100;
/// The largest B2C payment FPX takes, sen (RM 30,000.00).
pub const MAX_AMOUNT: i64 = 3_000_000;

/// Lango as an FPX seller: its identity and keys, read from the configuration.
#[derive(Clone)]
pub struct Seller {
    /// The gateway's base URL.
    pub gateway_url: String,
    /// `fpx_sellerExId`.
    pub exchange_id: String,
    /// `fpx_sellerId`.
    pub seller_id: String,
    key: RsaPrivateKey,
    gateway_key: RsaPublicKey,
}

impl Seller {
    /// The seller `config` describes; a key that cannot be read is a configuration error.
    pub fn new(config: &FpxConfig) -> Result<Seller> {
        let key = message::private_key(config.seller_key.expose_secret()).ok_or_else(|| {
            Error::Internal("fpx_seller_key_file: not an RSA private key in PEM".into())
        })?;
        let gateway_key = message::public_key(&config.gateway_key).ok_or_else(|| {
            Error::Internal("fpx_gateway_key_file: not an RSA public key in PEM".into())
        })?;
        Ok(Seller {
            gateway_url: config.gateway_url.trim_end_matches('/').to_string(),
            exchange_id: config.exchange_id.clone(),
            seller_id: config.seller_id.clone(),
            key,
            gateway_key,
        })
    }

    /// Where the payer's browser posts the authorisation request.
    pub fn authorisation_url(&self) -> String {
        format!("{}/FPXMain/seller2DReceiver.jsp", self.gateway_url)
    }

    /// Signs `m` as this seller.
    pub fn sign(&self, m: &mut Message) {
        m.sign(&self.key);
    }

    /// True when the gateway signed `m`.
    pub fn from_gateway(&self, m: &Message) -> bool {
        m.verify(&self.gateway_key)
    }
}

/// One FPX payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FpxPayment {
    /// Lango's id: the seller exchange order number.
    pub id: String,
    /// The bill paid (the seller order number).
    pub bill_reference: String,
    /// What was asked of the bank.
    pub amount: Money,
    /// The payer's bank (`fpx_buyerBankId`).
    pub bank_id: String,
    /// Where it stands.
    pub status: FpxStatus,
    /// The gateway's transaction id, once it gave one.
    pub fpx_txn_id: Option<String>,
    /// The bank's debit authorisation code (`00` approved), once known.
    pub debit_auth_code: String,
    /// Posted to the ledger (exactly once).
    pub posted: bool,
    /// `bill` or `suspense` once posted.
    pub outcome: String,
    /// When the settlement report showed it, unix ms.
    pub settled_at: Option<i64>,
    /// When the attempt began, unix ms.
    pub created_at: i64,
    /// When it was posted, unix ms.
    pub posted_at: Option<i64>,
}

const COLUMNS: &str = "id, bill_reference, amount, currency, bank_id, status, fpx_txn_id, \
     debit_auth_code, posted, outcome, settled_at, created_at, posted_at";

fn row_to_payment(r: &sqlx::any::AnyRow) -> Result<FpxPayment> {
    let currency: String = r.try_get("currency")?;
    let currency: Currency = currency
        .parse()
        .map_err(|_| Error::Internal(format!("fpx payment currency {currency}")))?;
    Ok(FpxPayment {
        id: r.try_get("id")?,
        bill_reference: r.try_get("bill_reference")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        bank_id: r.try_get("bank_id")?,
        status: r.try_get::<String, _>("status")?.parse()?,
        fpx_txn_id: r.try_get("fpx_txn_id")?,
        debit_auth_code: r.try_get("debit_auth_code")?,
        posted: r.try_get::<i64, _>("posted")? == 1,
        outcome: r.try_get("outcome")?,
        settled_at: r.try_get("settled_at")?,
        created_at: r.try_get("created_at")?,
        posted_at: r.try_get("posted_at")?,
    })
}

/// An FPX payment by Lango's id.
pub async fn get(db: &Db, id: &str) -> Result<Option<FpxPayment>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM fpx_payments WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(row_to_payment).transpose()
}

/// What the payer's browser posts to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    /// Lango's id of the attempt.
    pub id: String,
    /// Where the form goes.
    pub action: String,
    /// The signed authorisation request's fields, in order.
    pub fields: Vec<(String, String)>,
    /// What is asked.
    pub amount: Money,
}

/// Why a payment could not start (each a clear refusal; nothing was recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The bill is not open or partly paid, or nothing is due.
    NotPayable,
    /// FPX takes ringgit only.
    Currency(Currency),
    /// Below RM 1.00 or above RM 30,000.00.
    Amount(Money),
    /// No such bank, or not a bank the gateway lists as online.
    Bank,
}

/// Starts paying what is due on bill `reference` through the payer's `bank`: records the
/// attempt and returns the signed request for their browser to post.
pub async fn start(
    db: &Db,
    seller: &Seller,
    reference: &str,
    bank: &Bank,
) -> Result<std::result::Result<Authorisation, Refusal>> {
    let reference = BillReference::parse(reference)
        .map_err(|_| Error::NotFound("bill".into()))?
        .as_str()
        .to_string();
    let bill = crate::bills::get(db, &reference)
        .await?
        .ok_or_else(|| Error::NotFound("bill".into()))?;
    let due = bill.balance();
    if !bill.status.is_payable() || due.minor() <= 0 {
        return Ok(Err(Refusal::NotPayable));
    }
    if due.currency() != Currency::Myr {
        return Ok(Err(Refusal::Currency(due.currency())));
    }
    if !(MIN_AMOUNT..=MAX_AMOUNT).contains(&due.minor()) {
        return Ok(Err(Refusal::Amount(due)));
    }
    if !bank.online {
        return Ok(Err(Refusal::Bank));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO fpx_payments (id, bill_reference, amount, currency, bank_id, status, fpx_txn_id, \
         debit_auth_code, posted, outcome, created_at, updated_at) \
         VALUES ($1, $2, $3, 'MYR', $4, 'created', NULL, '', 0, '', $5, $5)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(due.minor())
    .bind(&bank.id)
    .bind(now)
    .execute(db.pool())
    .await?;
    let mut m = Message::new(AUTH_REQUEST);
    m.set("fpx_sellerExId", &seller.exchange_id)
        .set("fpx_sellerExOrderNo", &id)
        .set("fpx_sellerTxnTime", fpx_time(now))
        .set("fpx_sellerOrderNo", &reference)
        .set("fpx_sellerId", &seller.seller_id)
        .set("fpx_sellerBankCode", "01")
        .set("fpx_txnCurrency", "MYR")
        .set("fpx_txnAmount", message::amount_text(due.minor()))
        .set("fpx_buyerEmail", "")
        .set("fpx_buyerName", "")
        .set("fpx_buyerBankId", &bank.id)
        .set("fpx_buyerBankBranch", "")
        .set("fpx_buyerAccNo", "")
        .set("fpx_buyerId", "")
        .set("fpx_makerName", "")
        .set("fpx_buyerIban", "")
        .set(
            "fpx_productDesc",
            format!("Bill {reference} ({})", bill.agency),
        )
        .set("fpx_version", message::VERSION);
    seller.sign(&mut m);
    Ok(Ok(Authorisation {
        id,
        action: seller.authorisation_url(),
        fields: m.fields(),
        amount: due,
    }))
}

/// FPX's clock: Malaysia Time (UTC+08:00), whatever country the node serves.
pub const FPX_OFFSET_MS: i64 = 8 * 3_600_000;

/// `YYYYMMDDHHMMSS` in Malaysia's time, as FPX writes times.
pub fn fpx_time(ms: i64) -> String {
    let t = lango_core::clock::Civil::from_ms(ms + FPX_OFFSET_MS);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        ms.div_euclid(1000).rem_euclid(60)
    )
}

/// How a confirmation reached Lango.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Server to server.
    Direct,
    /// Through the payer's browser.
    Indirect,
    /// The answer to Lango's enquiry.
    Enquiry,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Direct => "direct",
            Via::Indirect => "indirect",
            Via::Enquiry => "enquiry",
        }
    }
}

/// What a confirmation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// The signature is missing or wrong: nothing was recorded or done.
    BadSignature,
    /// Signed, but not a confirmation.
    Malformed(String),
    /// About a transaction Lango did not start, or not matching it: kept for review, not posted.
    Review(String),
    /// Applied (or already applied: repeats change nothing).
    Applied(FpxPayment),
}

/// Handles a confirmation (`AC`) from the gateway: checks its signature, keeps it for the
/// auditor, and applies it to the attempt it names. Safe to repeat.
pub async fn receive(db: &Db, seller: &Seller, m: &Message, via: Via) -> Result<Received> {
    if !seller.from_gateway(m) {
        return Ok(Received::BadSignature);
    }
    if m.get("fpx_msgType") != AUTH_CONFIRMATION {
        return Ok(Received::Malformed(format!(
            "fpx_msgType {:?} is not AC",
            m.get("fpx_msgType")
        )));
    }
    let id = m.get("fpx_sellerExOrderNo");
    let code = m.get("fpx_debitAuthCode");
    let payment = get(db, id).await?;
    let problem = match &payment {
        None => Some("a transaction Lango did not start".to_string()),
        Some(p) => mismatch(seller, p, m),
    };
    record(db, m, via, problem.as_deref()).await?;
    if let Some(why) = problem {
        tracing::warn!(order = %id, txn = %m.get("fpx_fpxTxnId"), %why, "FPX confirmation kept for review");
        return Ok(Received::Review(why));
    }
    let payment = payment.ok_or_else(|| Error::Internal("fpx payment vanished".into()))?;
    apply(db, &payment, m.get("fpx_fpxTxnId"), code).await?;
    let now = get(db, &payment.id)
        .await?
        .ok_or_else(|| Error::Internal("fpx payment vanished".into()))?;
    Ok(Received::Applied(now))
}

/// Why a confirmation does not belong to attempt `p`, if it does not.
fn mismatch(seller: &Seller, p: &FpxPayment, m: &Message) -> Option<String> {
    if m.get("fpx_sellerExId") != seller.exchange_id || m.get("fpx_sellerId") != seller.seller_id {
        return Some("another seller's transaction".into());
    }
    if m.get("fpx_sellerOrderNo") != p.bill_reference {
        return Some(format!("the order number is not bill {}", p.bill_reference));
    }
    if message::parse_amount(m.get("fpx_txnAmount")) != Some(p.amount.minor())
        || m.get("fpx_txnCurrency") != "MYR"
    {
        return Some(format!(
            "MYR {} is not the {} asked",
            m.get("fpx_txnAmount"),
            p.amount.display()
        ));
    }
    let txn = m.get("fpx_fpxTxnId");
    if txn.is_empty() {
        return Some("no FPX transaction id".into());
    }
    if p.fpx_txn_id.as_deref().is_some_and(|t| t != txn) {
        return Some("another FPX transaction for the same order".into());
    }
    None
}

/// Keeps a signed confirmation as received; `problem` marks it for review.
async fn record(db: &Db, m: &Message, via: Via, problem: Option<&str>) -> Result<()> {
    let cut = |s: &str| s.chars().take(100).collect::<String>();
    let raw = serde_json::to_string(&m.fields().into_iter().collect::<Vec<_>>())
        .map_err(|e| Error::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO fpx_notifications (id, via, fpx_txn_id, seller_order_no, payment_id, \
         debit_auth_code, amount, outcome, note, raw, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(uuid::Uuid::new_v4().simple().to_string())
    .bind(via.as_str())
    .bind(cut(m.get("fpx_fpxTxnId")))
    .bind(cut(m.get("fpx_sellerOrderNo")))
    .bind(cut(m.get("fpx_sellerExOrderNo")))
    .bind(cut(m.get("fpx_debitAuthCode")))
    .bind(cut(m.get("fpx_txnAmount")))
    .bind(if problem.is_some() {
        "review"
    } else {
        "applied"
    })
    .bind(problem.unwrap_or(""))
    .bind(raw)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Brings attempt `p` in line with debit code `code` of transaction `txn`, posting an
/// approval exactly once. A finished attempt never goes back to an earlier state.
async fn apply(db: &Db, p: &FpxPayment, txn: &str, code: &str) -> Result<()> {
    let status = message::status_of(code);
    if status == FpxStatus::Success {
        return claim_and_post(db, p, txn, code).await;
    }
    sqlx::query(
        "UPDATE fpx_payments SET status = $1, debit_auth_code = $2, fpx_txn_id = $3, updated_at = $4 \
         WHERE id = $5 AND posted = 0 AND status IN ('created', 'pending')",
    )
    .bind(status.as_str())
    .bind(code)
    .bind(txn)
    .bind(now_ms())
    .bind(&p.id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Claims the attempt (posted 0 → 1) and posts it to its bill in one transaction; a second
/// caller finds nothing to claim and posts nothing.
async fn claim_and_post(db: &Db, p: &FpxPayment, txn: &str, code: &str) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    let now = now_ms();
    let claimed = sqlx::query(
        "UPDATE fpx_payments SET posted = 1, status = 'success', debit_auth_code = $1, fpx_txn_id = $2, \
         updated_at = $3, posted_at = $3 WHERE id = $4 AND posted = 0",
    )
    .bind(code)
    .bind(txn)
    .bind(now)
    .bind(&p.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Ok(());
    }
    let payment = Payment {
        channel: CHANNEL.to_string(),
        receipt: txn.to_string(),
        amount: p.amount,
    };
    let (outcome, ledger) =
        posting::post_named(&mut tx, db.backend(), &p.bill_reference, &payment).await?;
    sqlx::query("UPDATE fpx_payments SET outcome = $1, ledger_transaction = $2 WHERE id = $3")
        .bind(outcome)
        .bind(&ledger)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(payment = %p.id, bill = %p.bill_reference, txn, outcome, "FPX payment posted");
    Ok(())
}

/// What asking the gateway about an attempt came to.
enum Enquired {
    /// The gateway never saw it (`76`: the payer never reached their bank).
    NotSeen,
    /// Its signed answer, applied (an approval posts the payment).
    Answered(Box<Received>),
}

/// Asks the gateway how attempt `p` stands and applies its answer.
async fn enquire(
    db: &Db,
    seller: &Seller,
    p: &FpxPayment,
) -> Result<std::result::Result<Enquired, GatewayError>> {
    let answer = match enquire_gateway(seller, p).await {
        Ok(m) => m,
        Err(e) => return Ok(Err(e)),
    };
    if answer.get("fpx_debitAuthCode") == "76" {
        return Ok(Ok(Enquired::NotSeen));
    }
    let received = receive(db, seller, &answer, Via::Enquiry).await?;
    Ok(Ok(Enquired::Answered(Box::new(received))))
}

/// The return page's question: what has become of attempt `id` of bill `reference`? Asks the
/// gateway (unless the attempt is already over) and applies its signed answer. `None` when
/// there is no such attempt for that bill.
pub async fn refresh(
    db: &Db,
    seller: &Seller,
    reference: &str,
    id: &str,
) -> Result<Option<std::result::Result<FpxPayment, GatewayError>>> {
    let Some(p) = get(db, id).await? else {
        return Ok(None);
    };
    let same_bill = BillReference::parse(reference)
        .map(|r| r.as_str() == p.bill_reference)
        .unwrap_or(false);
    if !same_bill {
        return Ok(None);
    }
    if !matches!(p.status, FpxStatus::Created | FpxStatus::Pending) {
        return Ok(Some(Ok(p)));
    }
    let answered = match enquire(db, seller, &p).await? {
        Ok(Enquired::Answered(r)) => *r,
        // A transaction the gateway has not seen yet stays as it is.
        Ok(Enquired::NotSeen) => return Ok(Some(Ok(p))),
        Err(e) => return Ok(Some(Err(e))),
    };
    match answered {
        Received::Applied(now) => Ok(Some(Ok(now))),
        Received::BadSignature => Ok(Some(Err(GatewayError::Unreadable(
            "the enquiry's answer is not signed by the gateway".into(),
        )))),
        Received::Malformed(why) | Received::Review(why) => {
            Ok(Some(Err(GatewayError::Unreadable(why))))
        }
    }
}
