//! Four eyes on money out of suspense: a match moves money, so one finance officer proposes
//! it and a different one confirms it. The first confirmation of a match records the
//! proposal (one per receipt); a confirmation of the same bill by another officer moves
//! the money; the proposer confirming their own proposal is refused; a confirmation naming
//! another bill replaces the proposal (whoever disagrees proposes anew). Each step is
//! audited; the match itself is [`super::execute`].

use super::{check_entry, claimable, execute, propose, receipt, Matched, Refusal};
use lango_core::audit;
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::Row;

/// A match proposed by one finance officer, waiting for a second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The receipt.
    pub trans_id: String,
    /// The bill it is proposed for.
    pub bill: String,
    /// Why.
    pub reason: String,
    /// Who proposed it (`account:ID`).
    pub proposed_by: String,
    /// When (unix ms).
    pub proposed_at: i64,
}

/// What a confirmation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A second officer confirmed the proposal: the money moved.
    Matched(Box<Matched>),
    /// Proposed: waiting for a different finance officer to confirm it.
    Proposed(Pending),
}

/// The match proposed for a receipt, if one is waiting.
pub async fn pending(db: &Db, trans_id: &str) -> Result<Option<Pending>> {
    let row = sqlx::query(
        "SELECT p.trans_id, p.bill_reference, p.reason, p.proposed_by, p.proposed_at \
         FROM suspense_proposals p JOIN mpesa_receipts r ON r.trans_id = p.trans_id \
         WHERE p.trans_id = $1 AND r.outcome = 'suspense'",
    )
    .bind(trans_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Pending {
        trans_id: r.try_get("trans_id")?,
        bill: r.try_get("bill_reference")?,
        reason: r.try_get("reason")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_at: r.try_get("proposed_at")?,
    }))
}

/// Confirms a match of a receipt held in suspense to the bill `typed` (see the module notes).
/// `actor` is who confirms (`account:ID`), already allowed by the policy.
pub async fn confirm(
    db: &Db,
    trans_id: &str,
    typed: &str,
    reason: &str,
    actor: &str,
) -> Result<std::result::Result<Decision, Refusal>> {
    let (reference, reason) = match check_entry(typed, reason) {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    let held = receipt(db, trans_id)
        .await?
        .ok_or_else(|| Error::NotFound("receipt".into()))?;
    if let Err(r) = claimable(&held) {
        return Ok(Err(r));
    }
    if let Some(p) = pending(db, trans_id).await? {
        if p.bill == reference.as_str() {
            if p.proposed_by == actor {
                refuse_own(db, trans_id, actor, &p).await?;
                return Ok(Err(Refusal::OwnProposal));
            }
            let done = execute(db, trans_id, &p.bill, &p.reason, actor, &p.proposed_by).await?;
            return Ok(done.map(|m| Decision::Matched(Box::new(m))));
        }
    }
    // A new proposal (or one naming another bill): checked as the check page checks it.
    let proposal = match propose(db, trans_id, reference.as_str(), &reason).await? {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO suspense_proposals (trans_id, bill_reference, reason, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (trans_id) DO UPDATE SET \
         bill_reference = excluded.bill_reference, reason = excluded.reason, \
         proposed_by = excluded.proposed_by, proposed_at = excluded.proposed_at",
    )
    .bind(trans_id)
    .bind(&proposal.bill.reference)
    .bind(&reason)
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        audit::Entry {
            actor,
            action: "payment.suspense_match_proposed",
            object: &format!("mpesa_receipt:{trans_id}"),
            subject: "",
            detail: &format!(
                "bill {} of {}, {}; reason: {reason}; a second finance officer must confirm it",
                proposal.bill.reference,
                proposal.bill.agency,
                held.amount.display()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Decision::Proposed(Pending {
        trans_id: trans_id.to_string(),
        bill: proposal.bill.reference,
        reason,
        proposed_by: actor.to_string(),
        proposed_at: now,
    })))
}

/// Audits a proposer's attempt to confirm their own proposal.
async fn refuse_own(db: &Db, trans_id: &str, actor: &str, p: &Pending) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    audit::append(
        &mut tx,
        audit::Entry {
            actor,
            action: "payment.suspense_match_refused",
            object: &format!("mpesa_receipt:{trans_id}"),
            subject: "",
            detail: &format!(
                "bill {}: the officer who proposed the match may not confirm it",
                p.bill
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
