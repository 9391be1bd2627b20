//! The platform's own measures, named in one place: deploy/prometheus/alerts.yml and
//! deploy/grafana/lango.json read these names, and a test checks that every name they use
//! is served at /metrics. The web node installs the Prometheus recorder; without one (the
//! shell commands, the library in tests) these record nothing.

use std::time::Duration;

/// Committers whose groups are measured (`committer` label).
pub mod committer {
    /// The audit and exchange log's committer.
    pub const AUDIT: &str = "audit";
    /// M-Pesa receipts (C2B confirmations, STK callbacks).
    pub const RECEIPTS: &str = "mpesa_receipts";
    /// Application submissions.
    pub const SUBMISSIONS: &str = "submissions";
    /// Centre queues: tickets, calls, bookings.
    pub const QUEUE: &str = "centre_queue";
}

/// A committer's group of `size` committed in `took` (`lango_committer_group_size`,
/// `lango_committer_commit_seconds`).
pub fn group_committed(committer: &'static str, size: usize, took: Duration) {
    metrics::histogram!("lango_committer_group_size", "committer" => committer).record(size as f64);
    metrics::histogram!("lango_committer_commit_seconds", "committer" => committer)
        .record(took.as_secs_f64());
}

/// A catalogue search answered in `took`, from the cache or the index
/// (`lango_search_seconds`).
pub fn searched(took: Duration) {
    metrics::histogram!("lango_search_seconds").record(took.as_secs_f64());
}

/// A ticket at `centre` called after waiting `waited_ms` since it was issued
/// (`lango_centre_wait_seconds`).
pub fn queue_waited(centre: &str, waited_ms: i64) {
    metrics::histogram!("lango_centre_wait_seconds", "centre" => centre.to_string())
        .record(waited_ms.max(0) as f64 / 1000.0);
}

/// Settlement has run for the day starting at `day_start_ms` (UTC ms)
/// (`lango_settlement_settled_day_timestamp_seconds`).
pub fn settled(day_start_ms: i64) {
    metrics::gauge!("lango_settlement_settled_day_timestamp_seconds")
        .set(day_start_ms as f64 / 1000.0);
}

/// Whether yesterday is due (past `settlement_hour`) and this node has not seen it settled
/// (`lango_settlement_behind`, 1 or 0).
pub fn settlement_behind(behind: bool) {
    metrics::gauge!("lango_settlement_behind").set(if behind { 1.0 } else { 0.0 });
}

/// A settlement run failed; the node tries again (`lango_settlement_failures_total`).
pub fn settlement_failed() {
    metrics::counter!("lango_settlement_failures_total").increment(1);
}

/// Work waiting in `queue` (`lango_backlog`): notifications, webhooks, events.
pub fn backlog(queue: &'static str, waiting: i64) {
    metrics::gauge!("lango_backlog", "queue" => queue).set(waiting as f64);
}

/// Reconciliation findings no finance officer has dealt with yet
/// (`lango_reconciliation_open_items`).
pub fn reconciliation_open(items: i64) {
    metrics::gauge!("lango_reconciliation_open_items").set(items as f64);
}

/// Whether this node is draining before it stops (`lango_draining`, 1 or 0).
pub fn draining(on: bool) {
    metrics::gauge!("lango_draining").set(if on { 1.0 } else { 0.0 });
}

/// Registers the measures that exist before anything has happened (no settlement failure
/// yet, the node not draining), so alerts and dashboards find them from the start.
pub fn register() {
    metrics::counter!("lango_settlement_failures_total").increment(0);
    draining(false);
}
