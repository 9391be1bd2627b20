//! Bills raised by agency systems (and, later, by applications): parse the request, price
//! the convenience fee, give the bill a reference, and make a repeated request idempotent.

use crate::fees::FeeTable;
use crate::reference::BillReference;
use lango_core::clock::local_offset_ms;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A bill request as an agency system sends it (`POST /api/v1/bills`).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct BillRequest {
    /// The catalogue service being paid for.
    pub service_code: String,
    /// Decimal string in major units, e.g. `"4550.00"`.
    pub amount: String,
    /// ISO 4217, e.g. `KES`.
    pub currency: String,
    /// The agency's own reference (its case or invoice number).
    #[serde(default)]
    pub agency_reference: String,
    /// Who pays.
    #[serde(default)]
    pub payer: Payer,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// The last day (East Africa Time, `YYYY-MM-DD`) an unpaid bill may be paid; none: never
    /// expires.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub expires_on: String,
    /// Parts of `amount` owed to other agencies (the raising agency keeps the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<ShareRequest>,
}

/// A part of a bill owed to another agency, as requested.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct ShareRequest {
    /// The agency owed this part.
    pub agency_code: String,
    /// Decimal string in major units.
    pub amount: String,
}

/// One agency's part of a bill's service amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// The agency.
    pub agency: String,
    /// Its part.
    pub amount: Money,
    /// Received toward it so far.
    pub paid: Money,
}

/// The payer's contacts.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct Payer {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
}

/// A bill as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    /// Its reference.
    pub reference: String,
    /// The agency.
    pub agency: String,
    /// The agency's own reference.
    pub agency_reference: String,
    /// Where it stands.
    pub status: crate::BillStatus,
    /// What the agency asked for.
    pub service_amount: Money,
    /// The convenience fee.
    pub fee: Money,
    /// Paid so far (service and fee).
    pub paid: Money,
    /// The agencies' parts when the bill is owed to several (empty when to one).
    pub shares: Vec<Share>,
}

impl Bill {
    /// What the payer owes in all.
    pub fn amount(&self) -> Money {
        Money::from_minor(
            self.service_amount.minor() + self.fee.minor(),
            self.fee.currency(),
        )
    }

    /// What remains to pay.
    pub fn balance(&self) -> Money {
        Money::from_minor(
            (self.amount().minor() - self.paid.minor()).max(0),
            self.fee.currency(),
        )
    }
}

pub(crate) fn text(field: &str, v: &str, max: usize) -> Result<String> {
    let t = v.trim();
    if t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("{field} must be at most {max} characters of text"),
        ));
    }
    Ok(t.to_string())
}

fn request_hash(agency: &str, req: &BillRequest) -> String {
    let body = serde_json::to_string(req).unwrap_or_default();
    hex::encode(Sha256::digest(format!("{agency}\n{body}").as_bytes()))
}

/// Raises a bill for `agency` (whose service it must be). With an idempotency `key`, the same
/// key and request give the same bill; the same key with another request is a conflict.
/// Returns the bill and whether it was created now.
pub async fn raise(
    db: &Db,
    agency: &str,
    created_by: &str,
    req: &BillRequest,
    key: Option<&str>,
    fees: &FeeTable,
) -> Result<(Bill, bool)> {
    let currency: Currency = req.currency.trim().parse().map_err(|_| {
        Error::invalid(
            "currency",
            "currency must be an ISO 4217 code Lango supports, e.g. KES",
        )
    })?;
    fees.check_currency(currency)?;
    let amount = Money::parse_decimal(&req.amount, currency)
        .map_err(|e| Error::invalid("amount", e.to_string()))?;
    if amount.minor() <= 0 {
        return Err(Error::invalid("amount", "amount must be more than zero"));
    }
    match lango_catalogue::store::service_owner(db, req.service_code.trim()).await? {
        Some((owner, true)) if owner == agency => {}
        Some((owner, _)) if owner != agency => {
            return Err(Error::invalid(
                "service_code",
                "the service belongs to another agency",
            ))
        }
        Some(_) => return Err(Error::invalid("service_code", "the service is retired")),
        None => {
            return Err(Error::invalid(
                "service_code",
                "no such service in the catalogue",
            ))
        }
    }
    let shares = parse_shares(db, agency, amount, &req.shares).await?;
    let expires_at = expiry(&req.expires_on)?;
    let agency_reference = text("agency_reference", &req.agency_reference, 100)?;
    let description = text("description", &req.description, 500)?;
    let payer = Payer {
        name: text("payer.name", &req.payer.name, 200)?,
        phone: text("payer.phone", &req.payer.phone, 30)?,
        email: text("payer.email", &req.payer.email, 254)?,
    };
    let key = key
        .map(|k| text("Idempotency-Key", k, 200))
        .transpose()?
        .filter(|k| !k.is_empty());
    let hash = request_hash(agency, req);
    if let Some(k) = &key {
        if let Some(bill) = replay(db, agency, k, &hash).await? {
            return Ok((bill, false));
        }
    }
    let fee = fees.fee_for(amount);
    let now = now_ms();
    for _ in 0..5 {
        let reference = BillReference::generate(&mut rand::thread_rng())
            .as_str()
            .to_string();
        let mut tx = db.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO bills (reference, agency_code, service_code, agency_reference, description, payer_name, \
             payer_phone, payer_email, currency, service_amount, fee, service_paid, fee_paid, excess, status, \
             created_by, created_at, updated_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, 0, 'open', $12, $13, $13, $14)",
        )
        .bind(&reference)
        .bind(agency)
        .bind(req.service_code.trim())
        .bind(&agency_reference)
        .bind(&description)
        .bind(&payer.name)
        .bind(&payer.phone)
        .bind(&payer.email)
        .bind(currency.code())
        .bind(amount.minor())
        .bind(fee.minor())
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
        for (position, (code, part)) in shares.iter().enumerate() {
            sqlx::query(
                "INSERT INTO bill_shares (reference, position, agency_code, amount, paid) VALUES ($1, $2, $3, $4, 0)",
            )
            .bind(&reference)
            .bind(position as i64)
            .bind(code)
            .bind(part)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(k) = &key {
            let claimed = sqlx::query(
                "INSERT INTO bill_requests (agency_code, key, request_hash, reference, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(agency)
            .bind(k)
            .bind(&hash)
            .bind(&reference)
            .bind(now)
            .execute(&mut *tx)
            .await;
            if let Err(sqlx::Error::Database(d)) = &claimed {
                if d.is_unique_violation() {
                    // Another request with this key won the race: answer as it was answered.
                    drop(tx);
                    return replay(db, agency, k, &hash)
                        .await?
                        .map(|b| (b, false))
                        .ok_or_else(|| Error::Conflict("idempotency key in use".into()));
                }
            }
            claimed?;
        }
        let raised = crate::bill_events::Raised {
            reference: &reference,
            agency,
            service_code: req.service_code.trim(),
            agency_reference: &agency_reference,
            description: &description,
            payer: &payer,
            service_amount: amount,
            fee,
            expires_at,
            created_by,
        };
        // The payer is told from this event (the cases room's teller).
        crate::bill_events::emit_raised(&mut tx, &[raised]).await?;
        tx.commit().await?;
        return Ok((
            get(db, &reference)
                .await?
                .ok_or_else(|| Error::Internal("bill vanished".into()))?,
            true,
        ));
    }
    Err(Error::Internal(
        "could not find a free bill reference".into(),
    ))
}

/// The end (unix ms) of the East Africa Time day `YYYY-MM-DD`, which must not be past.
fn expiry(day: &str) -> Result<Option<i64>> {
    let day = day.trim();
    if day.is_empty() {
        return Ok(None);
    }
    let bad = || Error::invalid("expires_on", "expires_on must be a date like 2026-12-31");
    let parts: Vec<&str> = day.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let days = lango_core::clock::days_from_civil(y, m, d);
    // A date that does not exist (2026-02-30) reads back as another one.
    let back = lango_core::clock::Civil::from_ms(days * 86_400_000).date();
    if y < 2000 || back != format!("{y:04}-{m:02}-{d:02}") {
        return Err(bad());
    }
    let end = (days + 1) * 86_400_000 - local_offset_ms();
    if end <= now_ms() {
        return Err(Error::invalid(
            "expires_on",
            "expires_on must be today or later",
        ));
    }
    Ok(Some(end))
}

/// A bill's status as of unix ms `now` (a literal or a placeholder such as `$1`): an open bill
/// past its expiry is expired even before the sweep marks it so. The one definition every
/// reader of `bills.status` that decides on money uses.
pub fn status_at(now: &str) -> String {
    format!(
        "CASE WHEN status = 'open' AND expires_at IS NOT NULL AND expires_at < {now} \
         THEN 'expired' ELSE status END"
    )
}

/// Cancels an agency's bill that is not yet fully paid: it takes no more money (payments
/// that still arrive go to suspense), and what was paid can be refunded in full.
pub async fn cancel(db: &Db, agency: &str, reference: &str, by: &str) -> Result<Bill> {
    let mut tx = db.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE bills SET status = 'cancelled', updated_at = $1 \
         WHERE reference = $2 AND agency_code = $3 AND status IN ('open', 'partly_paid')",
    )
    .bind(now_ms())
    .bind(reference)
    .bind(agency)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        drop(tx);
        return match get(db, reference).await? {
            Some(b) if b.agency == agency => Err(Error::Conflict(format!(
                "a {} bill cannot be cancelled",
                b.status.as_str().replace('_', " ")
            ))),
            _ => Err(Error::NotFound("no such bill".into())),
        };
    }
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: by,
            action: "bill.cancel",
            object: &format!("bill:{reference}"),
            subject: "",
            detail: agency,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, reference)
        .await?
        .ok_or_else(|| Error::Internal("bill vanished".into()))
}

/// Marks unpaid bills past their expiry as `expired`; returns how many.
pub async fn expire_due(db: &Db) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE bills SET status = 'expired', updated_at = $1 \
         WHERE status = 'open' AND expires_at IS NOT NULL AND expires_at < $2",
    )
    .bind(now_ms())
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Expires due bills every `every`, from a task of its own.
pub fn spawn_expiry(db: Db, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = expire_due(&db).await {
                tracing::warn!(error = %e, "expiring bills failed; trying again later");
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Most agencies one bill may be owed to.
const MOST_SHARES: usize = 10;

/// Checks the requested shares: known agencies other than the raising one, each once, each a
/// positive amount, together less than the service amount (the raising agency keeps the
/// rest). Returns every share in order, the raising agency's first; empty when none asked.
async fn parse_shares(
    db: &Db,
    agency: &str,
    amount: Money,
    requested: &[ShareRequest],
) -> Result<Vec<(String, i64)>> {
    if requested.is_empty() {
        return Ok(Vec::new());
    }
    if requested.len() > MOST_SHARES {
        return Err(Error::invalid(
            "shares",
            format!("a bill may be shared by at most {MOST_SHARES} other agencies"),
        ));
    }
    let mut out: Vec<(String, i64)> = Vec::with_capacity(requested.len() + 1);
    for (i, s) in requested.iter().enumerate() {
        let field = format!("shares[{i}]");
        let code = s.agency_code.trim().to_uppercase();
        if code == agency || out.iter().any(|(c, _)| *c == code) {
            return Err(Error::invalid(
                &field,
                "each other agency may appear once, and not the agency raising the bill",
            ));
        }
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM agencies WHERE code = $1")
            .bind(&code)
            .fetch_optional(db.pool())
            .await?;
        if known.is_none() {
            return Err(Error::invalid(&field, "no such agency in the catalogue"));
        }
        let part = Money::parse_decimal(&s.amount, amount.currency())
            .map_err(|e| Error::invalid(&field, e.to_string()))?;
        if part.minor() <= 0 {
            return Err(Error::invalid(&field, "a share must be more than zero"));
        }
        out.push((code, part.minor()));
    }
    let others: i64 = out.iter().map(|(_, p)| *p).sum();
    if others >= amount.minor() {
        return Err(Error::invalid(
            "shares",
            "the other agencies' shares must add up to less than the amount",
        ));
    }
    out.insert(0, (agency.to_string(), amount.minor() - others));
    Ok(out)
}

async fn replay(db: &Db, agency: &str, key: &str, hash: &str) -> Result<Option<Bill>> {
    let row = sqlx::query(
        "SELECT request_hash, reference FROM bill_requests WHERE agency_code = $1 AND key = $2",
    )
    .bind(agency)
    .bind(key)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stored: String = row.try_get("request_hash")?;
    if stored != hash {
        return Err(Error::Conflict(
            "this Idempotency-Key was used with a different request".into(),
        ));
    }
    get(db, &row.try_get::<String, _>("reference")?).await
}

/// A bill by its (canonical) reference.
pub async fn get(db: &Db, reference: &str) -> Result<Option<Bill>> {
    let row = sqlx::query(&format!(
        "SELECT reference, agency_code, agency_reference, {} AS status, currency, service_amount, \
         fee, service_paid, fee_paid FROM bills WHERE reference = $2",
        status_at("$1")
    ))
    .bind(now_ms())
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let currency: Currency = r
        .try_get::<String, _>("currency")?
        .parse()
        .map_err(|_| Error::Internal("stored currency unknown".into()))?;
    let paid = r.try_get::<i64, _>("service_paid")? + r.try_get::<i64, _>("fee_paid")?;
    Ok(Some(Bill {
        reference: r.try_get("reference")?,
        agency: r.try_get("agency_code")?,
        agency_reference: r.try_get("agency_reference")?,
        status: r.try_get::<String, _>("status")?.parse()?,
        service_amount: Money::from_minor(r.try_get("service_amount")?, currency),
        fee: Money::from_minor(r.try_get("fee")?, currency),
        paid: Money::from_minor(paid, currency),
        shares: shares_of(db, reference, currency).await?,
    }))
}

async fn shares_of(db: &Db, reference: &str, currency: Currency) -> Result<Vec<Share>> {
    let rows = sqlx::query(
        "SELECT agency_code, amount, paid FROM bill_shares WHERE reference = $1 ORDER BY position",
    )
    .bind(reference)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Share {
                agency: r.try_get("agency_code")?,
                amount: Money::from_minor(r.try_get("amount")?, currency),
                paid: Money::from_minor(r.try_get("paid")?, currency),
            })
        })
        .collect()
}
