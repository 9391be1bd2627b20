//! What delivering services cost, entered by each agency per month (all channels), and the
//! cost side of "cost per transaction".
//!
//! An agency enters a cost per service and month, or one for the agency as a whole
//! (`service` empty). For a month with a whole-agency cost, the agency's cost is that and
//! its transactions are all its completions; otherwise its cost is the sum of the services'
//! costs and its transactions are those services' completions. So a cost is only ever
//! divided by the completions it paid for.

use crate::usage::range;
use crate::{Insights, Scope};
use lango_core::clock::now_ms;
use lango_core::money::Money;
use lango_core::{Error, Result};
use lango_identity::policy::{check, Action, Actor, Object};
use std::collections::BTreeMap;

/// Longest note on a cost, in characters.
pub const NOTE_MAX: usize = 500;

/// A cost entered by an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    /// The agency's code.
    pub agency: String,
    /// The service's code, or `None` for the agency as a whole.
    pub service: Option<String>,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// What it cost in all channels.
    pub amount: Money,
    /// What the figure covers, as the agency says.
    pub note: String,
    /// Who entered it (account id).
    pub entered_by: String,
    /// When (unix ms).
    pub entered_at: i64,
}

/// The costs of a scope over some months and the completions they paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Costed {
    /// The sum of the costs (`None`: none entered).
    pub cost: Option<Money>,
    /// Completions in the costed months (see the module's rule).
    pub completed: i64,
}

impl Insights {
    /// Enters (or replaces) what `agency` spent delivering `service` (or, with `None`, all
    /// its services) in `month` (`YYYY-MM`), in all channels. Only the agency's
    /// administrators (and platform administrators) may; audited. Every cost is in one
    /// currency, so that costs can be added up.
    pub async fn set_cost(
        &self,
        actor: &Actor,
        agency: &str,
        service: Option<&str>,
        month: &str,
        amount: Money,
        note: &str,
    ) -> Result<()> {
        let Actor::Person(person) = actor else {
            return Err(Error::Forbidden("costs are entered by a person".into()));
        };
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM agencies WHERE code = $1")
            .bind(agency)
            .fetch_optional(self.db.pool())
            .await?;
        if known.is_none() {
            return Err(Error::NotFound("agency".into()));
        }
        check(actor, Action::Edit, Object::Agency(agency))?;
        let month = month.trim();
        if !range::is_month(month) {
            return Err(Error::invalid("month", "enter a month like 2026-11"));
        }
        if amount.minor() <= 0 {
            return Err(Error::invalid(
                "amount",
                "enter what it cost, more than zero",
            ));
        }
        let note = note.trim();
        if note.chars().count() > NOTE_MAX {
            return Err(Error::invalid(
                "note",
                format!("a note has at most {NOTE_MAX} characters"),
            ));
        }
        let service = service.map(str::trim).filter(|s| !s.is_empty());
        if let Some(code) = service {
            match lango_catalogue::store::service_owner(&self.db, code).await? {
                Some((owner, _)) if owner == agency => {}
                _ => {
                    return Err(Error::invalid(
                        "service",
                        format!("{code} is not a service of {agency}"),
                    ))
                }
            }
        }
        let currency = amount.currency().code();
        let now = now_ms();
        let mut tx = self.db.pool().begin().await?;
        sqlx::query(
            "INSERT INTO insight_costs (agency, service, month, amount, currency, note, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (agency, service, month) DO UPDATE SET \
             amount = excluded.amount, currency = excluded.currency, note = excluded.note, \
             entered_by = excluded.entered_by, entered_at = excluded.entered_at",
        )
        .bind(agency)
        .bind(service.unwrap_or_default())
        .bind(month)
        .bind(amount.minor())
        .bind(currency)
        .bind(note)
        .bind(&person.account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let other: Option<String> =
            sqlx::query_scalar("SELECT currency FROM insight_costs WHERE currency <> $1 LIMIT 1")
                .bind(currency)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(other) = other {
            // Dropping the transaction takes the write back.
            return Err(Error::invalid(
                "amount",
                format!("costs are entered in {other}: enter this one in {other} too"),
            ));
        }
        let object = format!("cost:{agency}/{}/{month}", service.unwrap_or("*"));
        let detail = format!("{} {currency}; {note}", amount.to_decimal());
        lango_core::audit::append(
            &mut tx,
            lango_core::audit::Entry {
                actor: &lango_identity::account::actor_label(actor),
                action: "insights.cost",
                object: &object,
                subject: "",
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The costs `agency` has entered, newest month first.
    pub async fn costs(&self, agency: &str) -> Result<Vec<Cost>> {
        let rows = sqlx::query_as::<_, (String, String, String, i64, String, String, String, i64)>(
            "SELECT agency, service, month, amount, currency, note, entered_by, entered_at \
             FROM insight_costs WHERE agency = $1 ORDER BY month DESC, service",
        )
        .bind(agency)
        .fetch_all(self.db.pool())
        .await?;
        rows.into_iter()
            .map(
                |(agency, service, month, amount, currency, note, entered_by, entered_at)| {
                    Ok(Cost {
                        agency,
                        service: (!service.is_empty()).then_some(service),
                        month,
                        amount: Money::from_minor(amount, crate::usage::currency(&currency)?),
                        note,
                        entered_by,
                        entered_at,
                    })
                },
            )
            .collect()
    }

    /// Costs of `scope` per month of `from..=to` (`YYYY-MM`) with the completions they paid
    /// for; months without a cost are absent.
    pub(crate) async fn costed_by_month(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
    ) -> Result<BTreeMap<String, Costed>> {
        range::check_months(from, to)?;
        let filter = match scope {
            Scope::National => "",
            Scope::Agency(_) => " AND c.agency = $3",
            // A service's cost is its own: whole-agency costs are not split.
            Scope::Service(_) => " AND c.service = $3",
        };
        let sql = format!(
            "SELECT c.month, c.agency, c.service, c.amount, c.currency, \
             CAST(COALESCE((SELECT SUM(u.completed) FROM insight_usage u WHERE u.agency = c.agency \
               AND (c.service = '' OR u.service = c.service) \
               AND u.day >= c.month || '-01' AND u.day <= c.month || '-31'), 0) AS BIGINT) AS completed \
             FROM insight_costs c WHERE c.month >= $1 AND c.month <= $2{filter} \
             ORDER BY c.month, c.agency, c.service"
        );
        let mut q = sqlx::query_as::<_, (String, String, String, i64, String, i64)>(&sql)
            .bind(from)
            .bind(to);
        if let Some(code) = crate::usage::scope_code(scope) {
            q = q.bind(code);
        }
        let rows = q.fetch_all(self.db.pool()).await?;
        // (month, agency) → (whole-agency cost, sum of service costs), each with completions.
        type Cell = (Option<(i64, i64)>, (i64, i64), Option<String>);
        let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
        for (month, agency, service, amount, currency, completed) in rows {
            let cell = cells.entry((month, agency)).or_insert((None, (0, 0), None));
            if service.is_empty() {
                cell.0 = Some((amount, completed));
            } else {
                cell.1 .0 += amount;
                cell.1 .1 += completed;
            }
            cell.2 = Some(currency);
        }
        let mut out: BTreeMap<String, Costed> = BTreeMap::new();
        for ((month, _), (whole, services, currency)) in cells {
            let (amount, completed) = whole.unwrap_or(services);
            let currency = crate::usage::currency(currency.as_deref().unwrap_or_default())?;
            let slot = out.entry(month).or_insert(Costed {
                cost: None,
                completed: 0,
            });
            let before = slot.cost.map_or(0, Money::minor);
            slot.cost = Some(Money::from_minor(before + amount, currency));
            slot.completed += completed;
        }
        Ok(out)
    }
}

/// `cost ÷ completed`, rounded half up to the currency's minor unit; `None` with nothing
/// to divide by.
pub fn per_transaction(cost: Option<Money>, completed: i64) -> Option<Money> {
    let cost = cost?;
    if completed <= 0 {
        return None;
    }
    let (c, n) = (i128::from(cost.minor()), i128::from(completed));
    let minor = (2 * c + n) / (2 * n);
    Some(Money::from_minor(
        i64::try_from(minor).ok()?,
        cost.currency(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lango_core::money::Currency;

    #[test]
    fn cost_per_transaction_rounds_half_up_and_needs_completions() {
        let kes = |m| Money::from_minor(m, Currency::Kes);
        assert_eq!(per_transaction(Some(kes(100_000)), 3), Some(kes(33_333)));
        assert_eq!(
            per_transaction(Some(kes(5)), 2),
            Some(kes(3)),
            "2.5 rounds up"
        );
        assert_eq!(per_transaction(Some(kes(100)), 0), None);
        assert_eq!(per_transaction(None, 10), None);
    }
}
