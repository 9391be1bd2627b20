//! Time as Lango stores it: integer unix milliseconds, UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the unix epoch, the unit of every stored timestamp.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
