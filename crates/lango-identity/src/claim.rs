//! Claims to act for a business (by its registration number) or a child (by their birth
//! certificate). Typing a number proves nothing, so a claim grants no access: it waits,
//! `pending`, until platform staff have checked the proof (the business registry, the
//! birth certificate itself) and approve it, which makes the business or the guardianship,
//! or refuse it with a reason. Each step is audited and the person is told by their channels.

use crate::account;
use crate::business::DependantForm;
use crate::model::{
    parse_name, parse_registration_number, parse_text, today_utc, Date, IdKind, IdNumber, Problem,
    Problems,
};
use crate::policy::{check, Action, Actor, Object};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use sqlx::Row;
use std::collections::HashMap;

lango_core::word_enum! {
    /// What is claimed.
    pub enum Kind {
        /// To own a business, by its registration number.
        Business = "business",
        /// To be a child's parent or guardian, by their birth certificate.
        Dependant = "dependant",
    }
}

lango_core::word_enum! {
    /// Where a claim stands.
    pub enum Status {
        /// Waiting for staff to check it; grants nothing.
        Pending = "pending",
        /// Proven: the business or guardianship exists.
        Approved = "approved",
        /// Not proven; the reason says why.
        Refused = "refused",
    }
}

/// A claim as stored.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The reference the person quotes, e.g. `K7K3M9QX`.
    pub reference: String,
    /// What is claimed.
    pub kind: Kind,
    /// Who claims it.
    pub account_id: String,
    /// The registration number or the birth certificate number.
    pub number: String,
    /// The business's name, or the child's given name.
    pub name: String,
    /// The child's family name (empty for a business).
    pub family_name: String,
    /// The child's date of birth, `YYYY-MM-DD` (empty for a business).
    pub date_of_birth: String,
    /// `parent` or `guardian` (empty for a business).
    pub relationship: String,
    /// Where it stands.
    pub status: Status,
    /// Why it was refused.
    pub reason: Option<String>,
    /// When it was made, unix ms.
    pub created_at: i64,
}

impl Claim {
    /// What it is about, as people read it: "Test Traders Ltd (PVT-TEST123)", "Baraka Test".
    pub fn subject(&self) -> String {
        match self.kind {
            Kind::Business => format!("{} ({})", self.name, self.number),
            Kind::Dependant => format!("{} {}", self.name, self.family_name),
        }
    }

    /// True while staff have not decided it.
    pub fn is_pending(&self) -> bool {
        self.status == Status::Pending
    }
}

/// A claim as staff see it: who makes it, and who already acts for the same number.
#[derive(Debug, Clone)]
pub struct StaffView {
    /// The claim.
    pub claim: Claim,
    /// The claimant's name.
    pub name: String,
    /// The claimant's ID number, to compare with the registry's record.
    pub id_number: String,
    /// People who already act for this business or child.
    pub others: Vec<String>,
}

/// How staff decide; the decision page offers these, in this order.
pub const OUTCOMES: [&str; 2] = ["approve", "refuse"];

/// Longest reason accepted (it is sent by SMS too).
pub const REASON_MAX: usize = 300;

/// Staff's decision as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DecisionForm {
    /// One of [`OUTCOMES`].
    #[serde(default)]
    pub outcome: String,
    /// Why a claim is refused (and what would prove it); required when refusing.
    #[serde(default)]
    pub reason: String,
}

/// Claims to own the business `registration_number`, or says what is wrong (nothing is
/// stored then). A business already on Lango is not claimed again: its owner adds people.
pub async fn business(
    db: &Db,
    actor: &Actor,
    registration_number: &str,
    name: &str,
) -> Result<std::result::Result<Claim, Problems>> {
    let Actor::Person(p) = actor else {
        return Err(Error::Forbidden("sign in to register a business".into()));
    };
    let mut problems = Problems::default();
    let reg = problems.take(parse_registration_number(registration_number));
    let name = problems.take(parse_name("name", name));
    let (Some(reg), Some(name)) = (reg, name) else {
        return Ok(Err(problems));
    };
    let known: Option<String> =
        sqlx::query_scalar("SELECT id FROM businesses WHERE registration_number = $1")
            .bind(&reg)
            .fetch_optional(db.pool())
            .await?;
    if known.is_some() {
        return Ok(Err(Problems::one(
            "registration_number",
            "registration_number_taken",
        )));
    }
    if waiting(db, &p.account_id, Kind::Business, &reg).await? {
        return Ok(Err(Problems::one("registration_number", "claim_pending")));
    }
    let claim = new_claim(Kind::Business, &p.account_id, reg, name);
    if !record(db, actor, &claim).await? {
        return Ok(Err(Problems::one("registration_number", "claim_pending")));
    }
    Ok(Ok(claim))
}

/// Claims to be the parent or guardian of the child on a birth certificate, or says what is
/// wrong (nothing is stored then).
pub async fn dependant(
    db: &Db,
    actor: &Actor,
    form: &DependantForm,
) -> Result<std::result::Result<Claim, Problems>> {
    let Actor::Person(p) = actor else {
        return Err(Error::Forbidden("sign in to add a dependant".into()));
    };
    let mut problems = Problems::default();
    let given = problems.take(parse_name("given_name", &form.given_name));
    let family = problems.take(parse_name("family_name", &form.family_name));
    let dob = problems.take(Date::parse_past(
        "date_of_birth",
        &form.dob.joined(&form.date_of_birth),
        &today_utc(),
    ));
    let cert = problems.take(
        IdNumber::parse(IdKind::BirthCertificate, &form.birth_certificate).map_err(|_| Problem {
            field: "birth_certificate",
            code: "id_number_invalid",
        }),
    );
    let relationship = match form.relationship.as_str() {
        r @ ("parent" | "guardian") => Some(r),
        _ => {
            problems.add("relationship", "choose_one");
            None
        }
    };
    let (Some(given), Some(family), Some(dob), Some(cert), Some(relationship)) =
        (given, family, dob, cert, relationship)
    else {
        return Ok(Err(problems));
    };
    let holder = sqlx::query("SELECT id, kind FROM accounts WHERE id_number = $1")
        .bind(cert.as_str())
        .fetch_optional(db.pool())
        .await?;
    if let Some(row) = holder {
        let (id, kind): (String, String) = (row.try_get("id")?, row.try_get("kind")?);
        if kind != "dependant" {
            return Ok(Err(Problems::one("birth_certificate", "id_number_taken")));
        }
        if p.dependants.contains(&id) {
            return Ok(Err(Problems::one(
                "birth_certificate",
                "dependant_already_yours",
            )));
        }
    }
    if waiting(db, &p.account_id, Kind::Dependant, cert.as_str()).await? {
        return Ok(Err(Problems::one("birth_certificate", "claim_pending")));
    }
    let mut claim = new_claim(
        Kind::Dependant,
        &p.account_id,
        cert.as_str().to_string(),
        given,
    );
    claim.family_name = family;
    claim.date_of_birth = dob.as_str().to_string();
    claim.relationship = relationship.to_string();
    if !record(db, actor, &claim).await? {
        return Ok(Err(Problems::one("birth_certificate", "claim_pending")));
    }
    Ok(Ok(claim))
}

fn new_claim(kind: Kind, account_id: &str, number: String, name: String) -> Claim {
    Claim {
        // `K` and seven symbols: never taken for an application's (`A`) or a correction's (`C`).
        reference: lango_core::reference::generate(&mut rand::thread_rng(), "K", 6),
        kind,
        account_id: account_id.to_string(),
        number,
        name,
        family_name: String::new(),
        date_of_birth: String::new(),
        relationship: String::new(),
        status: Status::Pending,
        reason: None,
        created_at: now_ms(),
    }
}

/// True when `account_id` already waits on a claim to `number`.
async fn waiting(db: &Db, account_id: &str, kind: Kind, number: &str) -> Result<bool> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT reference FROM claims WHERE account_id = $1 AND kind = $2 AND number = $3 \
         AND status = 'pending'",
    )
    .bind(account_id)
    .bind(kind.as_str())
    .bind(number)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// Stores the claim and its audit record in one transaction; false when the same claim is
/// already waiting.
async fn record(db: &Db, actor: &Actor, c: &Claim) -> Result<bool> {
    let mut tx = db.pool().begin().await?;
    // A double submit meets the one-pending-claim index and stores nothing the second time.
    let stored = sqlx::query(
        "INSERT INTO claims (id, reference, kind, account_id, number, name, family_name, \
         date_of_birth, relationship, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&c.reference)
    .bind(c.kind.as_str())
    .bind(&c.account_id)
    .bind(&c.number)
    .bind(&c.name)
    .bind(&c.family_name)
    .bind(&c.date_of_birth)
    .bind(&c.relationship)
    .bind(c.status.as_str())
    .bind(c.created_at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if stored == 0 {
        return Ok(false);
    }
    account::audit_by(
        &mut tx,
        actor,
        "claim.make",
        &format!("claim:{}", c.reference),
        &c.account_id,
        c.kind.as_str(),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

const COLUMNS: &str = "reference, kind, account_id, number, name, family_name, date_of_birth, \
                       relationship, status, reason, created_at";

fn claim_of(r: &sqlx::any::AnyRow) -> Result<Claim> {
    Ok(Claim {
        reference: r.try_get("reference")?,
        kind: r.try_get::<String, _>("kind")?.parse()?,
        account_id: r.try_get("account_id")?,
        number: r.try_get("number")?,
        name: r.try_get("name")?,
        family_name: r.try_get("family_name")?,
        date_of_birth: r.try_get("date_of_birth")?,
        relationship: r.try_get("relationship")?,
        status: r.try_get::<String, _>("status")?.parse()?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The claims `account_id` has made, newest first.
pub async fn of_account(db: &Db, account_id: &str) -> Result<Vec<Claim>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM claims WHERE account_id = $1 ORDER BY created_at DESC, reference"
    ))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(claim_of).collect()
}

/// One claim of `account_id` by its reference (the confirmation page), if theirs.
pub async fn get(db: &Db, account_id: &str, reference: &str) -> Result<Option<Claim>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM claims WHERE account_id = $1 AND reference = $2"
    ))
    .bind(account_id)
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(claim_of).transpose()
}

/// The claims waiting for a decision, oldest first: for platform staff.
pub async fn pending(db: &Db, actor: &Actor) -> Result<Vec<StaffView>> {
    check(actor, Action::View, Object::Platform)?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM claims WHERE status = 'pending' ORDER BY created_at, reference \
         LIMIT 500"
    ))
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(staff_view(db, claim_of(r)?).await?);
    }
    Ok(out)
}

/// One claim by its reference, for platform staff.
pub async fn for_staff(db: &Db, actor: &Actor, reference: &str) -> Result<Option<StaffView>> {
    check(actor, Action::View, Object::Platform)?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM claims WHERE reference = $1"
    ))
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => Ok(Some(staff_view(db, claim_of(&r)?).await?)),
        None => Ok(None),
    }
}

async fn staff_view(db: &Db, claim: Claim) -> Result<StaffView> {
    let person = account::get(db, &claim.account_id).await?;
    let others_sql = match claim.kind {
        Kind::Business => {
            "SELECT a.given_name, a.family_name FROM businesses b \
             JOIN business_members m ON m.business_id = b.id AND m.revoked_at IS NULL \
             JOIN accounts a ON a.id = m.account_id WHERE b.registration_number = $1 \
             ORDER BY a.given_name"
        }
        Kind::Dependant => {
            "SELECT a.given_name, a.family_name FROM accounts d \
             JOIN guardianships g ON g.dependant_id = d.id AND g.revoked_at IS NULL \
             JOIN accounts a ON a.id = g.guardian_id WHERE d.id_number = $1 \
             ORDER BY a.given_name"
        }
    };
    let others = sqlx::query(others_sql)
        .bind(&claim.number)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            Ok(format!("{given} {family}"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(StaffView {
        claim,
        name: person.display_name(),
        id_number: person.id_number.clone().unwrap_or_default(),
        others,
    })
}

/// Decides claim `reference` (platform staff): approving makes the business (the claimant
/// its owner) or the guardianship (the child's account made on first approval); refusing
/// keeps the reason. Audited and told to the claimant in one transaction, or says what is
/// wrong with the form (nothing is stored then). A decided claim is a conflict.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    reference: &str,
    form: &DecisionForm,
) -> Result<std::result::Result<(), Problems>> {
    check(actor, Action::Edit, Object::Platform)?;
    let mut p = Problems::default();
    if !OUTCOMES.contains(&form.outcome.as_str()) {
        p.add("outcome", "choose_one");
    }
    let reason = p.take(parse_text("reason", &form.reason, REASON_MAX));
    if form.outcome == "refuse" && reason.as_deref() == Some("") {
        p.add("reason", "required");
    }
    let Some(reason) = reason.filter(|_| p.is_empty()) else {
        return Ok(Err(p));
    };
    let Some(view) = for_staff(db, actor, reference).await? else {
        return Err(Error::NotFound("claim".into()));
    };
    let c = &view.claim;
    if !may_decide(actor, c) {
        return Err(Error::Forbidden(
            "you may not decide your own claim: another member of staff does".into(),
        ));
    }
    let approve = form.outcome == "approve";
    let status = if approve {
        Status::Approved
    } else {
        Status::Refused
    };
    let person = account::get(db, &c.account_id).await?;
    let mut tx = db.pool().begin().await?;
    let updated = sqlx::query(
        "UPDATE claims SET status = $1, reason = $2, decided_by = $3, decided_at = $4 \
         WHERE reference = $5 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind((!reason.is_empty()).then_some(reason.as_str()))
    .bind(account::actor_label(actor))
    .bind(now_ms())
    .bind(reference)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::Conflict(
            "this claim has already been decided".into(),
        ));
    }
    if approve {
        match c.kind {
            Kind::Business => grant_business(&mut tx, actor, c).await?,
            Kind::Dependant => grant_dependant(&mut tx, actor, c).await?,
        }
    }
    let action = if approve {
        "claim.approve"
    } else {
        "claim.refuse"
    };
    account::audit_by(
        &mut tx,
        actor,
        action,
        &format!("claim:{reference}"),
        &c.account_id,
        c.kind.as_str(),
    )
    .await?;
    let subject = c.subject();
    let values = HashMap::from([
        ("reference", reference),
        ("subject", subject.as_str()),
        ("reason", reason.as_str()),
    ]);
    let event = if approve {
        "claim.approved"
    } else {
        "claim.refused"
    };
    lango_notify::notify(
        &mut tx,
        &crate::messages::recipient(&person),
        event,
        &values,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// True unless `actor` made the claim: staff never decide their own (separation of duties).
pub fn may_decide(actor: &Actor, claim: &Claim) -> bool {
    !matches!(actor, Actor::Person(p) if p.account_id == claim.account_id)
}

/// The claimant becomes the owner of the business, made now. A business that reached Lango
/// since the claim was made (another claim approved first) is a conflict: its owner adds
/// people, so staff refuse this claim instead.
async fn grant_business(tx: &mut sqlx::AnyConnection, actor: &Actor, c: &Claim) -> Result<()> {
    let now = now_ms();
    let id = uuid::Uuid::new_v4().to_string();
    // DO NOTHING rather than a unique-key error: two approvals racing for one number end
    // in a clear conflict on both databases.
    let made = sqlx::query(
        "INSERT INTO businesses (id, registration_number, name, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (registration_number) DO NOTHING",
    )
    .bind(&id)
    .bind(&c.number)
    .bind(&c.name)
    .bind(&c.account_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if made == 0 {
        return Err(Error::Conflict(
            "this business is already on Lango: its owner adds the people who act for it; \
             refuse this claim saying so"
                .into(),
        ));
    }
    sqlx::query(
        "INSERT INTO business_members (business_id, account_id, role, granted_by, granted_at) \
         VALUES ($1, $2, 'owner', $3, $4) ON CONFLICT (business_id, account_id) DO UPDATE \
         SET role = 'owner', granted_by = excluded.granted_by, granted_at = excluded.granted_at, \
         revoked_at = NULL",
    )
    .bind(&id)
    .bind(&c.account_id)
    .bind(account::actor_label(actor))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    account::audit_by(
        tx,
        actor,
        "business.create",
        &format!("business:{id}"),
        &c.account_id,
        &c.number,
    )
    .await
}

/// The claimant becomes the child's guardian; the child's account (which cannot sign in) is
/// made on the first approved claim and shared by every later one (both parents).
async fn grant_dependant(tx: &mut sqlx::AnyConnection, actor: &Actor, c: &Claim) -> Result<()> {
    let now = now_ms();
    let holder = sqlx::query("SELECT id, kind FROM accounts WHERE id_number = $1")
        .bind(&c.number)
        .fetch_optional(&mut *tx)
        .await?;
    let id = match holder {
        Some(row) if row.try_get::<String, _>("kind")? == "dependant" => row.try_get("id")?,
        Some(_) => {
            return Err(Error::Conflict(
                "this birth certificate number belongs to an adult's account".into(),
            ))
        }
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            let made = sqlx::query(
                "INSERT INTO accounts (id, kind, id_kind, id_number, given_name, family_name, \
                 date_of_birth, status, created_at, updated_at) \
                 VALUES ($1, 'dependant', 'birth_certificate', $2, $3, $4, $5, 'active', $6, $6) \
                 ON CONFLICT (id_number) DO NOTHING",
            )
            .bind(&id)
            .bind(&c.number)
            .bind(&c.name)
            .bind(&c.family_name)
            .bind(&c.date_of_birth)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if made == 0 {
                // Another approval made the child's account a moment ago: try again.
                return Err(Error::Conflict(
                    "the child's account was just made by another decision; decide again".into(),
                ));
            }
            id
        }
    };
    sqlx::query(
        "INSERT INTO guardianships (guardian_id, dependant_id, relationship, granted_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (guardian_id, dependant_id) DO UPDATE \
         SET relationship = excluded.relationship, granted_at = excluded.granted_at, \
         revoked_at = NULL",
    )
    .bind(&c.account_id)
    .bind(&id)
    .bind(&c.relationship)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    account::audit_by(
        tx,
        actor,
        "dependant.add",
        &format!("account:{id}"),
        &id,
        &c.relationship,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_start_with_k_and_carry_a_check_character() {
        let c = new_claim(Kind::Business, "a", "PVT-1".into(), "X".into());
        assert_eq!(
            lango_core::reference::parse(&c.reference, "K", 8),
            Ok(c.reference.clone())
        );
    }
}
