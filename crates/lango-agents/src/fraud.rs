//! Fraud controls: an agent's daily cap on applications it starts, and the patterns that
//! make platform staff look closer, each with its evidence: many different people's
//! applications within minutes, many refunds, and one phone consenting for many people.
//! Staff act on them by suspending the agent (see `registry::decide`).

use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use serde::Serialize;
use sqlx::Row;

/// Applications for different people this close together are a burst.
pub const BURST_WINDOW_MS: i64 = 10 * 60 * 1000;
/// This many different people within the window make a burst.
pub const BURST_PEOPLE: usize = 5;
/// This many refunded bills in 30 days make an alert.
pub const REFUNDS: i64 = 3;
/// One phone that consented for this many people makes an alert.
pub const SHARED_PHONE: i64 = 3;

const DAY_MS: i64 = 86_400_000;

/// Refuses a new application when agent `code` has started its daily cap of them in the
/// last 24 hours. (Two started at the same instant may pass the cap by one: it is a
/// brake on runaway use, not a ledger.)
pub async fn within_cap(db: &Db, code: &str) -> Result<()> {
    let row = sqlx::query(
        "SELECT g.daily_cap, (SELECT COUNT(*) FROM applications p WHERE p.agent = g.code AND p.created_at > $2) AS started \
         FROM agents g WHERE g.code = $1",
    )
    .bind(code)
    .bind(now_ms() - DAY_MS)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| Error::NotFound("agent".into()))?;
    let cap: i64 = row.try_get("daily_cap")?;
    let started: i64 = row.try_get("started")?;
    if started >= cap {
        return Err(Error::Clash {
            code: "agent_daily_cap",
            message: format!(
                "agent {code} has started its {cap} applications of the last 24 hours"
            ),
        });
    }
    Ok(())
}

/// Most a daily cap may be.
pub const MAX_CAP: i64 = 10_000;

/// Platform staff set agent `code`'s daily cap (1 to [`MAX_CAP`]); audited.
pub async fn set_cap(
    db: &Db,
    actor: &lango_identity::policy::Actor,
    code: &str,
    cap: i64,
) -> Result<()> {
    use lango_identity::policy::{check, Action, Object};
    let a = crate::registry::get(db, code).await?;
    check(
        actor,
        Action::Edit,
        Object::Agent {
            code: &a.code,
            business: &a.business_id,
        },
    )?;
    if !(1..=MAX_CAP).contains(&cap) {
        return Err(Error::invalid(
            "daily_cap",
            format!("a daily cap is a whole number from 1 to {MAX_CAP}"),
        ));
    }
    let by = lango_identity::account::actor_label(actor);
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE agents SET daily_cap = $1 WHERE code = $2")
        .bind(cap)
        .bind(&a.code)
        .execute(&mut *tx)
        .await?;
    lango_core::audit::append(
        &mut tx,
        lango_core::audit::Entry {
            actor: &by,
            action: "agent.daily_cap",
            object: &format!("agent:{}", a.code),
            subject: "",
            detail: &cap.to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Agent `code`'s daily cap.
pub async fn cap_of(db: &Db, code: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT daily_cap FROM agents WHERE code = $1")
            .bind(code)
            .fetch_optional(db.pool())
            .await?
            .unwrap_or(0),
    )
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Many different people's applications within minutes.
    Burst,
    /// Many of its bills refunded.
    Refunds,
    /// One phone consenting for many people.
    SharedPhone,
}

impl Kind {
    /// The word pages translate.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Burst => "burst",
            Kind::Refunds => "refunds",
            Kind::SharedPhone => "shared_phone",
        }
    }
}

/// One alert with what shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// What it is about.
    pub kind: Kind,
    /// The evidence, one item a line (references, times, masked phones).
    pub evidence: Vec<String>,
}

/// The alerts about agent `code` over the last `days` days.
pub async fn alerts(db: &Db, code: &str, days: i64) -> Result<Vec<Alert>> {
    let since = now_ms() - days * DAY_MS;
    let mut out = Vec::new();
    let started: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT reference, applicant, created_at FROM applications WHERE agent = $1 AND created_at > $2 \
         ORDER BY created_at",
    )
    .bind(code)
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    if let Some(window) = burst(&started) {
        out.push(Alert {
            kind: Kind::Burst,
            evidence: window
                .iter()
                .map(|(reference, _, at)| {
                    format!("{reference} {}", lango_core::clock::Civil::rfc3339(*at))
                })
                .collect(),
        });
    }
    let refunded: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT f.bill_reference FROM refunds f JOIN applications p ON p.bill_reference = f.bill_reference \
         WHERE p.agent = $1 AND f.status <> 'failed' AND f.created_at > $2 ORDER BY f.bill_reference",
    )
    .bind(code)
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    if refunded.len() as i64 >= REFUNDS {
        out.push(Alert {
            kind: Kind::Refunds,
            evidence: refunded,
        });
    }
    let shared = sqlx::query(
        "SELECT a.phone, COUNT(DISTINCT s.person_id) AS people FROM assists s JOIN accounts a ON a.id = s.person_id \
         WHERE s.agent = $1 AND s.started_at > $2 AND a.phone IS NOT NULL GROUP BY a.phone \
         HAVING COUNT(DISTINCT s.person_id) >= $3 ORDER BY 2 DESC",
    )
    .bind(code)
    .bind(since)
    .bind(SHARED_PHONE)
    .fetch_all(db.pool())
    .await?;
    if !shared.is_empty() {
        let mut evidence = Vec::new();
        for r in &shared {
            let phone: String = r.try_get("phone")?;
            let people: i64 = r.try_get("people")?;
            // Masked: the page shows which phone without spreading the number.
            let shown = format!("…{}", &phone[phone.len().saturating_sub(4)..]);
            evidence.push(format!("{shown}: {people}"));
        }
        out.push(Alert {
            kind: Kind::SharedPhone,
            evidence,
        });
    }
    Ok(out)
}

/// The first run of applications for at least [`BURST_PEOPLE`] different people within
/// [`BURST_WINDOW_MS`], from `started` in time order.
fn burst(started: &[(String, String, i64)]) -> Option<&[(String, String, i64)]> {
    let mut from = 0;
    for to in 0..started.len() {
        while started[to].2 - started[from].2 > BURST_WINDOW_MS {
            from += 1;
        }
        let window = &started[from..=to];
        let mut people: Vec<&str> = window.iter().map(|(_, who, _)| who.as_str()).collect();
        people.sort_unstable();
        people.dedup();
        if people.len() >= BURST_PEOPLE {
            return Some(window);
        }
    }
    None
}

/// Every approved or suspended agent with an alert over the last `days` days.
pub async fn flagged(db: &Db, days: i64) -> Result<Vec<(String, String, Vec<Alert>)>> {
    let agents: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name FROM agents WHERE status IN ('approved', 'suspended') ORDER BY code",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for (code, name) in agents {
        let found = alerts(db, &code, days).await?;
        if !found.is_empty() {
            out.push((code, name, found));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(r: &str, who: &str, minute: i64) -> (String, String, i64) {
        (r.into(), who.into(), minute * 60_000)
    }

    #[test]
    fn five_people_within_ten_minutes_is_a_burst_and_one_person_many_times_is_not() {
        let spread: Vec<_> = (0..10)
            .map(|i| app(&format!("A{i}"), &format!("p{i}"), i * 3))
            .collect();
        assert!(burst(&spread).is_none(), "one every three minutes");
        let same: Vec<_> = (0..10).map(|i| app(&format!("A{i}"), "p", i)).collect();
        assert!(burst(&same).is_none(), "one person's applications");
        let mut rush = spread.clone();
        rush.extend((0..5).map(|i| app(&format!("B{i}"), &format!("q{i}"), 100 + i)));
        let found = burst(&rush).unwrap();
        assert_eq!(found.len(), 5);
        assert_eq!(found[0].0, "B0");
    }
}
