//! Signed webhooks to agency systems: subscriptions, the fan-out of each event to them,
//! the CloudEvents body and its HMAC signature, and the delivery log.
//!
//! Signature: header `Lango-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>`. Receivers recompute it and refuse a `t` more than five minutes old, so a
//! captured delivery cannot be replayed later.

use crate::events::{is_event_type, Event, NewEvent};
use hmac::{Hmac, Mac};
use lango_core::clock::{now_ms, Civil};
use lango_core::db::Db;
use lango_core::{Error, Result};
use rand::RngCore;
use sha2::Sha256;
use sqlx::Row;

/// How long receivers should accept a signature's timestamp.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// A subscription as its agency sees it (never its secret).
#[derive(Debug, Clone)]
pub struct Subscription {
    /// Its id.
    pub id: String,
    /// The agency.
    pub agency: String,
    /// Where deliveries go.
    pub url: String,
    /// Event types it wants (empty: all).
    pub event_types: Vec<String>,
    /// Still delivering.
    pub active: bool,
    /// Created at, unix ms.
    pub created_at: i64,
}

/// Checks a receiver URL: http(s), at most 500 characters, no credentials in it.
pub fn parse_url(raw: &str) -> std::result::Result<String, &'static str> {
    let url = raw.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("url_invalid")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if url.len() > 500
        || host.is_empty()
        || host.contains('@')
        || url.chars().any(char::is_whitespace)
    {
        return Err("url_invalid");
    }
    Ok(url.to_string())
}

/// Where subscriptions' signing secrets are stored, sealed with the key-encryption key:
/// delivery signs with the secret itself, so it cannot be hashed.
pub const SEALED: lango_core::sealed::Column = lango_core::sealed::Column {
    table: "webhook_subscriptions",
    id: "id",
    column: "secret",
};

/// Creates a subscription; returns its id and its signing secret (shown once). The receiver
/// must be one `policy` allows ([`crate::receiver::check`]: https, public addresses).
pub async fn create(
    db: &Db,
    agency: &str,
    url: &str,
    event_types: &[String],
    created_by: &str,
    policy: crate::receiver::Policy,
) -> Result<std::result::Result<(String, String), &'static str>> {
    let url = match parse_url(url) {
        Ok(u) => u,
        Err(code) => return Ok(Err(code)),
    };
    if let Err(refused) = crate::receiver::check(&url, policy).await {
        return Ok(Err(refused.code()));
    }
    if event_types.iter().any(|t| !is_event_type(t)) {
        return Ok(Err("event_type_unknown"));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let secret = format!("whsec_{}", hex::encode(raw));
    let sealed = db.keyring().await?.seal(&SEALED, &id, &secret)?;
    sqlx::query(
        "INSERT INTO webhook_subscriptions (id, agency_code, url, secret, event_types, active, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(&id)
    .bind(agency)
    .bind(&url)
    .bind(sealed)
    .bind(serde_json::to_string(event_types).unwrap_or_else(|_| "[]".into()))
    .bind(created_by)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(Ok((id, secret)))
}

fn subscription_of(r: &sqlx::any::AnyRow) -> Result<Subscription> {
    let types: String = r.try_get("event_types")?;
    Ok(Subscription {
        id: r.try_get("id")?,
        agency: r.try_get("agency_code")?,
        url: r.try_get("url")?,
        event_types: serde_json::from_str(&types).unwrap_or_default(),
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

/// The agency's subscriptions, newest first.
pub async fn list(db: &Db, agency: &str) -> Result<Vec<Subscription>> {
    let rows = sqlx::query(
        "SELECT id, agency_code, url, event_types, active, created_at FROM webhook_subscriptions \
         WHERE agency_code = $1 ORDER BY created_at DESC",
    )
    .bind(agency)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(subscription_of).collect()
}

/// Stops a subscription of `agency` (its pending deliveries are dropped as `cancelled`).
pub async fn deactivate(db: &Db, agency: &str, id: &str) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    let r = sqlx::query("UPDATE webhook_subscriptions SET active = 0 WHERE id = $1 AND agency_code = $2 AND active = 1")
        .bind(id)
        .bind(agency)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(Error::NotFound("webhook subscription".into()));
    }
    sqlx::query("UPDATE webhook_deliveries SET status = 'cancelled' WHERE subscription_id = $1 AND status = 'pending'")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates, inside `tx`, one delivery per matching active subscription of the event's agency.
pub async fn fan_out(tx: &mut sqlx::AnyConnection, seq: i64, event: &NewEvent<'_>) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, event_types FROM webhook_subscriptions WHERE agency_code = $1 AND active = 1",
    )
    .bind(event.agency)
    .fetch_all(&mut *tx)
    .await?;
    let now = now_ms();
    for r in &rows {
        let types: Vec<String> =
            serde_json::from_str(&r.try_get::<String, _>("event_types")?).unwrap_or_default();
        if !types.is_empty() && !types.iter().any(|t| t == event.kind) {
            continue;
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, subscription_id, event_seq, order_key, status, attempts, \
             next_attempt_at, lease_until, last_error, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, 0, '', $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(r.try_get::<String, _>("id")?)
        .bind(seq)
        .bind(event.order_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// [`fan_out`] for events numbered from `first_seq` in order: each agency's subscriptions
/// are read once, and the deliveries written in multi-row inserts.
pub async fn fan_out_many(
    tx: &mut sqlx::AnyConnection,
    first_seq: i64,
    events: &[NewEvent<'_>],
) -> Result<()> {
    use lango_core::db::{backend_of, kept_rows, padded};
    let mut subscriptions: std::collections::HashMap<&str, Vec<(String, Vec<String>)>> =
        std::collections::HashMap::new();
    let mut rows: Vec<(String, i64, &str)> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if !subscriptions.contains_key(event.agency) {
            let found = sqlx::query(
                "SELECT id, event_types FROM webhook_subscriptions WHERE agency_code = $1 AND active = 1",
            )
            .bind(event.agency)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                let types: Vec<String> =
                    serde_json::from_str(&r.try_get::<String, _>("event_types")?)
                        .unwrap_or_default();
                Ok((r.try_get::<String, _>("id")?, types))
            })
            .collect::<Result<Vec<_>>>()?;
            subscriptions.insert(event.agency, found);
        }
        for (id, types) in &subscriptions[event.agency] {
            if types.is_empty() || types.iter().any(|t| t == event.kind) {
                rows.push((id.clone(), first_seq + i as i64, event.order_key));
            }
        }
    }
    let now = now_ms();
    let backend = backend_of(tx);
    for run in padded(&rows) {
        let sql = format!(
            "INSERT INTO webhook_deliveries (id, subscription_id, event_seq, order_key, status, attempts, \
             next_attempt_at, lease_until, last_error, created_at) {}",
            kept_rows(backend, run.listed(), 10)
        );
        let mut q = sqlx::query(&sql);
        for (keep, (subscription, seq, order_key)) in run.rows() {
            q = q
                .bind(keep)
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(subscription)
                .bind(*seq)
                .bind(*order_key)
                .bind("pending")
                .bind(0_i64)
                .bind(now)
                .bind(0_i64)
                .bind("")
                .bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The CloudEvents 1.0 JSON (structured mode) of an event.
pub fn cloudevent(e: &Event) -> String {
    let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "specversion": "1.0",
        "id": e.id,
        "source": format!("/agencies/{}", e.agency),
        "type": format!("ke.lango.{}", e.kind),
        "subject": e.order_key,
        "time": Civil::rfc3339(e.occurred_at),
        "datacontenttype": "application/json",
        "langoseq": e.seq,
        "data": data,
    })
    .to_string()
}

/// The `Lango-Signature` header value for `body` signed at `t` (unix seconds).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// What a receiver does with the header: true when it is genuine and fresh at `now` (unix s).
pub fn verify_signature(secret: &str, header: &str, body: &str, now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let Ok(sent) = hex::decode(v1) else {
        return false;
    };
    (now - t).abs() <= REPLAY_WINDOW_SECS && mac.verify_slice(&sent).is_ok()
}

/// A delivery as the delivery log shows it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Its id.
    pub id: String,
    /// The subscription.
    pub subscription_id: String,
    /// The event's seq and type.
    pub event_seq: i64,
    /// Event type.
    pub event_type: String,
    /// `pending`, `delivered`, `dead` or `cancelled`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Last HTTP status, if an answer came.
    pub last_status: Option<i64>,
    /// Last error (timeout, refused, redirect…).
    pub last_error: String,
    /// Last attempt's duration.
    pub last_duration_ms: Option<i64>,
    /// When it was delivered.
    pub delivered_at: Option<i64>,
}

/// The agency's newest deliveries, optionally only those with `status` (e.g. `dead`).
pub async fn deliveries(
    db: &Db,
    agency: &str,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<Delivery>> {
    let rows = sqlx::query(
        "SELECT d.id, d.subscription_id, d.event_seq, e.type, d.status, d.attempts, d.last_status, d.last_error, \
         d.last_duration_ms, d.delivered_at FROM webhook_deliveries d \
         JOIN webhook_subscriptions s ON s.id = d.subscription_id JOIN events e ON e.seq = d.event_seq \
         WHERE s.agency_code = $1 AND ($2 = '' OR d.status = $2) ORDER BY d.event_seq DESC LIMIT $3",
    )
    .bind(agency)
    .bind(status.unwrap_or(""))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Delivery {
                id: r.try_get("id")?,
                subscription_id: r.try_get("subscription_id")?,
                event_seq: r.try_get("event_seq")?,
                event_type: r.try_get("type")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                last_status: r.try_get("last_status")?,
                last_error: r.try_get("last_error")?,
                last_duration_ms: r.try_get("last_duration_ms")?,
                delivered_at: r.try_get("delivered_at")?,
            })
        })
        .collect()
}

/// Sends a dead delivery of `agency` again from the start of its schedule.
pub async fn redeliver(db: &Db, agency: &str, id: &str) -> Result<()> {
    let r = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_until = 0 \
         WHERE id = $2 AND status = 'dead' AND subscription_id IN \
         (SELECT id FROM webhook_subscriptions WHERE agency_code = $3 AND active = 1)",
    )
    .bind(now_ms())
    .bind(id)
    .bind(agency)
    .execute(db.pool())
    .await?;
    if r.rows_affected() == 0 {
        return Err(Error::NotFound("dead delivery".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_expire() {
        let h = signature("whsec_x", 1_700_000_000, "{\"a\":1}");
        assert!(verify_signature("whsec_x", &h, "{\"a\":1}", 1_700_000_100));
        assert!(!verify_signature("whsec_x", &h, "{\"a\":2}", 1_700_000_100));
        assert!(!verify_signature("whsec_y", &h, "{\"a\":1}", 1_700_000_100));
        assert!(!verify_signature(
            "whsec_x",
            &h,
            "{\"a\":1}",
            1_700_000_000 + REPLAY_WINDOW_SECS + 1
        ));
        assert!(!verify_signature("whsec_x", "t=1,v1=zz", "", 1));
    }

    #[test]
    fn urls() {
        assert!(parse_url("https://agency.example/hooks").is_ok());
        assert!(parse_url("http://127.0.0.1:9000/x").is_ok());
        for bad in [
            "",
            "ftp://x",
            "https://",
            "https://user:pw@host/",
            "https://a b",
            &format!("https://x/{}", "a".repeat(500)),
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
