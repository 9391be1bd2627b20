//! Card payments through a hosted payment page provider (GOV.UK Pay's API; see `provider`).
//!
//! 1. `start`: for an open or partly paid bill, a `card_payments` row is written (its id goes
//!    into the return URL), the provider is asked for a payment of what is due, in the bill's
//!    currency, and the payer is sent to the provider's page.
//! 2. The payer comes back to the return page, which asks the provider for the payment's
//!    state (`refresh`): a redirect alone proves nothing. The provider also sends a signed
//!    webhook (`webhook`). Either one posts a success.
//! 3. Posting happens exactly once, whichever comes first and however often each repeats: the
//!    row is claimed with `UPDATE … SET posted = 1 WHERE posted = 0` in the same transaction
//!    as `posting::post_one`; the loser of the race updates no row and posts nothing.

mod provider;

pub use provider::{
    sign, verify_signature, CardProvider, HttpCardProvider, NewPayment, PaymentState,
    ProviderError, ProviderPayment, ProviderRefund, RefundSummary,
};

use crate::posting::{self, Payment};
use crate::reference::BillReference;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sqlx::Row;

/// The channel name in ledger accounts (`collection:card:KES`).
pub const CHANNEL: &str = "card";

lango_core::word_enum! {
    /// Where a card payment attempt stands.
    pub enum CardStatus {
        /// Being asked of the provider.
        Creating = "creating",
        /// The provider made the payment; the payer has not started.
        Created = "created",
        /// The payer is on the provider's page.
        Started = "started",
        /// Authorised; waiting for capture.
        Submitted = "submitted",
        /// Paid.
        Success = "success",
        /// Ended without money.
        Failed = "failed",
        /// The payer or the service cancelled it.
        Cancelled = "cancelled",
        /// The provider could not be reached to make it.
        Error = "error",
    }
}

/// One card payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardPayment {
    /// Lango's id (in the return URL).
    pub id: String,
    /// The provider's payment id, once it made one.
    pub provider_payment_id: Option<String>,
    /// The bill paid.
    pub bill_reference: String,
    /// What was asked of the card.
    pub amount: Money,
    /// Where it stands.
    pub status: CardStatus,
    /// The provider's failure code (`P0010`…), if it failed.
    pub failure_code: String,
    /// The provider's words for it.
    pub failure_message: String,
    /// The hosted page.
    pub next_url: String,
    /// Posted to the ledger (exactly once).
    pub posted: bool,
    /// `bill` or `suspense` once posted.
    pub outcome: String,
    /// The ledger transaction of the posting.
    pub ledger_transaction: Option<String>,
    /// When the attempt began, unix ms.
    pub created_at: i64,
    /// When it was posted, unix ms.
    pub posted_at: Option<i64>,
}

impl CardPayment {
    /// True once the attempt is over (paid, failed, cancelled or never reached the provider).
    pub fn finished(&self) -> bool {
        matches!(
            self.status,
            CardStatus::Success | CardStatus::Failed | CardStatus::Cancelled | CardStatus::Error
        )
    }
}

const COLUMNS: &str =
    "id, provider_payment_id, bill_reference, amount, currency, status, failure_code, \
     failure_message, next_url, posted, outcome, ledger_transaction, created_at, posted_at";

fn row_to_payment(r: &sqlx::any::AnyRow) -> Result<CardPayment> {
    let currency: String = r.try_get("currency")?;
    let currency: Currency = currency
        .parse()
        .map_err(|_| Error::Internal(format!("card payment currency {currency}")))?;
    Ok(CardPayment {
        id: r.try_get("id")?,
        provider_payment_id: r.try_get("provider_payment_id")?,
        bill_reference: r.try_get("bill_reference")?,
        amount: Money::from_minor(r.try_get("amount")?, currency),
        status: r.try_get::<String, _>("status")?.parse()?,
        failure_code: r.try_get("failure_code")?,
        failure_message: r.try_get("failure_message")?,
        next_url: r.try_get("next_url")?,
        posted: r.try_get::<i64, _>("posted")? == 1,
        outcome: r.try_get("outcome")?,
        ledger_transaction: r.try_get("ledger_transaction")?,
        created_at: r.try_get("created_at")?,
        posted_at: r.try_get("posted_at")?,
    })
}

/// A card payment by Lango's id.
pub async fn get(db: &Db, id: &str) -> Result<Option<CardPayment>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM card_payments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(row_to_payment).transpose()
}

/// A card payment by the provider's id.
pub async fn by_provider_id(db: &Db, provider_payment_id: &str) -> Result<Option<CardPayment>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM card_payments WHERE provider_payment_id = $1"
    ))
    .bind(provider_payment_id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(row_to_payment).transpose()
}

/// A bill's card payments, newest first.
pub async fn for_bill(db: &Db, reference: &str) -> Result<Vec<CardPayment>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM card_payments WHERE bill_reference = $1 ORDER BY created_at DESC, id"
    ))
    .bind(reference)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_payment).collect()
}

/// Where to send the payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// Lango's id of the attempt.
    pub id: String,
    /// The provider's hosted page.
    pub next_url: String,
}

/// Starts paying what is due on bill `reference` by card. `public_url` is Lango's own base
/// URL (the payer comes back to `{public_url}/pay/{reference}/card/{id}`). A bill that is not
/// open or partly paid is a conflict; the provider's failure is returned as is (nothing was
/// taken, and the attempt is recorded as `error`).
pub async fn start<P: CardProvider>(
    db: &Db,
    provider: &P,
    public_url: &str,
    reference: &str,
) -> Result<std::result::Result<Started, ProviderError>> {
    let reference = BillReference::parse(reference)
        .map_err(|_| Error::NotFound("bill".into()))?
        .as_str()
        .to_string();
    let bill = crate::bills::get(db, &reference)
        .await?
        .ok_or_else(|| Error::NotFound("bill".into()))?;
    if !bill.status.is_payable() {
        return Err(Error::Conflict(format!(
            "bill {reference} is {} and takes no payment",
            bill.status
        )));
    }
    let due = bill.balance();
    if due.minor() <= 0 {
        return Err(Error::Conflict(format!(
            "nothing is due on bill {reference}"
        )));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO card_payments (id, provider_payment_id, bill_reference, amount, currency, status, \
         failure_code, failure_message, next_url, posted, outcome, created_at, updated_at) \
         VALUES ($1, NULL, $2, $3, $4, 'creating', '', '', '', 0, '', $5, $5)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(due.minor())
    .bind(due.currency().code())
    .bind(now)
    .execute(db.pool())
    .await?;
    let request = NewPayment {
        amount: due.minor(),
        reference: reference.clone(),
        description: format!("Bill {reference} ({})", bill.agency),
        return_url: format!(
            "{}/pay/{reference}/card/{id}",
            public_url.trim_end_matches('/')
        ),
        metadata: serde_json::json!({"lango_payment": id, "currency": due.currency().code()}),
    };
    let created = provider.create_payment(&request).await;
    let next = created.as_ref().ok().and_then(|p| {
        p.links
            .next_url
            .as_ref()
            .map(|l| (p.payment_id.clone(), l.href.clone()))
    });
    let Some((provider_id, next_url)) = next else {
        let why = match &created {
            Err(e) => e.to_string(),
            Ok(_) => "the provider gave no payment page".to_string(),
        };
        tracing::warn!(payment = %id, error = %why, "card payment could not be created");
        sqlx::query(
            "UPDATE card_payments SET status = 'error', failure_message = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(why.chars().take(500).collect::<String>())
        .bind(now_ms())
        .bind(&id)
        .execute(db.pool())
        .await?;
        return Ok(Err(created
            .err()
            .unwrap_or(ProviderError::Unreachable(why))));
    };
    sqlx::query(
        "UPDATE card_payments SET provider_payment_id = $1, next_url = $2, status = 'created', \
         updated_at = $3 WHERE id = $4",
    )
    .bind(&provider_id)
    .bind(&next_url)
    .bind(now_ms())
    .bind(&id)
    .execute(db.pool())
    .await?;
    Ok(Ok(Started { id, next_url }))
}

/// Our status for the provider's state: a payer's cancel (`P0030`) and a service's (`P0040`)
/// are `cancelled`; every other end without money is `failed`.
pub fn status_of(state: &PaymentState) -> CardStatus {
    let code = state.code.as_deref().unwrap_or("");
    match state.status.as_str() {
        "success" => CardStatus::Success,
        "cancelled" => CardStatus::Cancelled,
        "failed" if matches!(code, "P0030" | "P0040") => CardStatus::Cancelled,
        "failed" | "error" => CardStatus::Failed,
        "started" => CardStatus::Started,
        "submitted" | "capturable" => CardStatus::Submitted,
        _ => CardStatus::Created,
    }
}

/// Brings the attempt in line with what the provider says of it, posting a success exactly
/// once. The provider's payment must be this attempt's (same id, amount and reference).
pub async fn apply_state(
    db: &Db,
    card: &CardPayment,
    reported: &ProviderPayment,
) -> Result<CardPayment> {
    if !is_ours(card, reported) {
        tracing::error!(payment = %card.id, provider = %reported.payment_id, "card provider reported a payment that does not match ours");
        return Err(Error::Internal(
            "the card provider's payment does not match".into(),
        ));
    }
    let status = status_of(&reported.state);
    let now = now_ms();
    if status == CardStatus::Success {
        claim_and_post(db, card).await?;
    } else if !card.posted {
        // A finished attempt never goes back to an earlier state.
        sqlx::query(
            "UPDATE card_payments SET status = $1, failure_code = $2, failure_message = $3, updated_at = $4 \
             WHERE id = $5 AND posted = 0 AND status NOT IN ('success', 'failed', 'cancelled', 'error')",
        )
        .bind(status.as_str())
        .bind(reported.state.code.clone().unwrap_or_default())
        .bind(reported.state.message.clone().unwrap_or_default())
        .bind(now)
        .bind(&card.id)
        .execute(db.pool())
        .await?;
    }
    get(db, &card.id)
        .await?
        .ok_or_else(|| Error::Internal("card payment vanished".into()))
}

/// True when the provider's payment is this attempt (same id, amount and reference).
fn is_ours(card: &CardPayment, reported: &ProviderPayment) -> bool {
    card.provider_payment_id.as_deref() == Some(reported.payment_id.as_str())
        && reported.amount == card.amount.minor()
        && reported.reference == card.bill_reference
}

/// Claims the attempt (posted 0 → 1) and posts it to its bill in one transaction; a second
/// caller finds nothing to claim and posts nothing.
async fn claim_and_post(db: &Db, card: &CardPayment) -> Result<()> {
    let Some(receipt) = card.provider_payment_id.clone() else {
        return Err(Error::Internal("card payment without provider id".into()));
    };
    let mut tx = db.pool().begin().await?;
    let now = now_ms();
    let claimed = sqlx::query(
        "UPDATE card_payments SET posted = 1, status = 'success', failure_code = '', failure_message = '', \
         updated_at = $1, posted_at = $1 WHERE id = $2 AND posted = 0",
    )
    .bind(now)
    .bind(&card.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Ok(());
    }
    let payment = Payment {
        channel: CHANNEL.to_string(),
        receipt,
        amount: card.amount,
    };
    let (outcome, ledger) =
        posting::post_named(&mut tx, db.backend(), &card.bill_reference, &payment).await?;
    sqlx::query("UPDATE card_payments SET outcome = $1, ledger_transaction = $2 WHERE id = $3")
        .bind(outcome)
        .bind(&ledger)
        .bind(&card.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(payment = %card.id, bill = %card.bill_reference, outcome, "card payment posted");
    Ok(())
}

/// The return page's question: what has become of attempt `id` of bill `reference`? Asks
/// the provider (unless the attempt is already settled) and applies the answer. `None` when
/// there is no such attempt for that bill.
pub async fn refresh<P: CardProvider>(
    db: &Db,
    provider: &P,
    reference: &str,
    id: &str,
) -> Result<Option<std::result::Result<CardPayment, ProviderError>>> {
    let Some(card) = get(db, id).await? else {
        return Ok(None);
    };
    let same_bill = BillReference::parse(reference)
        .map(|r| r.as_str() == card.bill_reference)
        .unwrap_or(false);
    if !same_bill {
        return Ok(None);
    }
    let Some(provider_id) = card.provider_payment_id.clone() else {
        return Ok(Some(Ok(card)));
    };
    if card.posted
        || matches!(
            card.status,
            CardStatus::Failed | CardStatus::Cancelled | CardStatus::Error
        )
    {
        return Ok(Some(Ok(card)));
    }
    match provider.get_payment(&provider_id).await {
        Ok(reported) => Ok(Some(Ok(apply_state(db, &card, &reported).await?))),
        Err(e) => Ok(Some(Err(e))),
    }
}

/// What a webhook came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The signature is missing or wrong: nothing was read or done.
    BadSignature,
    /// Signed, but not a webhook we can read.
    Malformed(String),
    /// About a payment Lango did not make: acknowledged, nothing done.
    Unknown,
    /// Applied (or already applied: repeats change nothing).
    Handled {
        /// The event type.
        event_type: String,
        /// The attempt's status afterwards.
        status: CardStatus,
    },
}

#[derive(serde::Deserialize)]
struct WebhookBody {
    webhook_message_id: String,
    event_type: String,
    resource_id: String,
    #[serde(default)]
    resource_type: String,
    resource: serde_json::Value,
}

/// Handles a provider webhook: verifies `Pay-Signature` over the raw body, keeps the body for
/// the auditor, and applies the payment state it carries (or, for a refund, asks the
/// provider for the payment's refunds). Safe to repeat.
pub async fn webhook<P: CardProvider>(
    db: &Db,
    provider: &P,
    body: &[u8],
    signature: Option<&str>,
) -> Result<WebhookOutcome> {
    if !signature.is_some_and(|s| provider.verify_signature(body, s)) {
        return Ok(WebhookOutcome::BadSignature);
    }
    let msg: WebhookBody = match serde_json::from_slice(body) {
        Ok(m) => m,
        Err(e) => return Ok(WebhookOutcome::Malformed(e.to_string())),
    };
    if msg.resource_type != "payment" {
        return Ok(WebhookOutcome::Malformed(format!(
            "resource_type {:?}",
            msg.resource_type
        )));
    }
    sqlx::query(
        "INSERT INTO card_webhooks (message_id, event_type, resource_id, raw, received_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(msg.webhook_message_id.chars().take(100).collect::<String>())
    .bind(msg.event_type.chars().take(100).collect::<String>())
    .bind(msg.resource_id.chars().take(100).collect::<String>())
    .bind(String::from_utf8_lossy(body).into_owned())
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    let Some(card) = by_provider_id(db, &msg.resource_id).await? else {
        return Ok(WebhookOutcome::Unknown);
    };
    let card = if msg.event_type == "card_payment_refunded" {
        crate::refunds::sync_card(db, provider, &card).await?;
        card
    } else {
        let reported: ProviderPayment = match serde_json::from_value(msg.resource) {
            Ok(p) => p,
            Err(e) => return Ok(WebhookOutcome::Malformed(e.to_string())),
        };
        if !is_ours(&card, &reported) {
            return Ok(WebhookOutcome::Malformed(
                "the resource does not match the payment Lango made".into(),
            ));
        }
        apply_state(db, &card, &reported).await?
    };
    Ok(WebhookOutcome::Handled {
        event_type: msg.event_type,
        status: card.status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: &str, code: Option<&str>) -> PaymentState {
        PaymentState {
            status: status.into(),
            finished: true,
            code: code.map(Into::into),
            message: None,
        }
    }

    #[test]
    fn provider_states_map_to_ours() {
        use CardStatus::*;
        for (provider, code, ours) in [
            ("success", None, Success),
            ("failed", Some("P0010"), Failed),
            ("failed", Some("P0020"), Failed),
            ("failed", Some("P0030"), Cancelled),
            ("cancelled", Some("P0040"), Cancelled),
            ("error", Some("P0050"), Failed),
            ("started", None, Started),
            ("created", None, Created),
        ] {
            assert_eq!(
                status_of(&state(provider, code)),
                ours,
                "{provider} {code:?}"
            );
        }
    }
}
