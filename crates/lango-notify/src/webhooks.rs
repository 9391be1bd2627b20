//! Signed webhooks to agency systems (filled in below).

use crate::events::NewEvent;
use lango_core::Result;

/// Creates, inside `tx`, one delivery per matching subscription of the event's agency.
pub async fn fan_out(
    _tx: &mut sqlx::AnyConnection,
    _seq: i64,
    _event: &NewEvent<'_>,
) -> Result<()> {
    Ok(())
}
