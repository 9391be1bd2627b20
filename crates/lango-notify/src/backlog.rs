//! How much work waits in the node-shared queues, for the operators' alerts: messages not
//! yet sent, webhook deliveries not yet made, events not yet on NATS.

use lango_core::db::Db;
use lango_core::Result;

/// Work waiting, per queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    /// Notifications created or failing for now (SMS, e-mail) and not yet sent.
    pub notifications: i64,
    /// Webhook deliveries pending (due now or waiting for their retry).
    pub webhooks: i64,
    /// Events after the NATS publisher's cursor (`None` when NATS is not configured).
    pub events: Option<i64>,
}

/// Reads the backlogs (counts over the queues' own status indexes).
pub async fn read(db: &Db, nats: bool) -> Result<Backlog> {
    let notifications: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE status IN ('created', 'temporary-failure')",
    )
    .fetch_one(db.pool())
    .await?;
    let webhooks: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
            .fetch_one(db.pool())
            .await?;
    let events = if nats {
        let head = crate::events::head(db.pool()).await?;
        let at = crate::events::cursor(db, crate::nats::CURSOR).await?;
        Some((head - at).max(0))
    } else {
        None
    };
    Ok(Backlog {
        notifications,
        webhooks,
        events,
    })
}
