//! Agency systems' API keys: `lango_<id>_<secret>`, shown once, stored as a digest,
//! scoped to one agency and chosen permissions, revocable, with the last use recorded.
//! A node believes a key it has checked until it is revoked ([`believed`]).

mod believed;

use crate::account::actor_label;
use crate::model::*;
use crate::policy::{check, Action, Actor, ApiClient, Object};
use crate::token::{digest, random_token, same};
use believed::{Believed, Known};
use lango_core::clock::now_ms;
use lango_core::db::{Backend, Db};
use lango_core::{Error, Result};
use rand::RngCore;
use sqlx::Row;

pub use believed::hear_revocations;

/// The last use is written at most this often.
const TOUCH_EVERY_MS: i64 = 60_000;

/// A key read is believed this long at most ([`believed`]): as long as its last use may go
/// unwritten, so reading it again is when that is due.
const BELIEVED_FOR: std::time::Duration = std::time::Duration::from_millis(TOUCH_EVERY_MS as u64);

/// A key as its agency's administrators see it (never its secret).
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// Its id (the visible part of the key).
    pub id: String,
    /// What the administrator called it.
    pub name: String,
    /// What it may do.
    pub permissions: Vec<Permission>,
    /// Created at, unix ms.
    pub created_at: i64,
    /// Last used at, unix ms.
    pub last_used_at: Option<i64>,
    /// Revoked at, unix ms.
    pub revoked_at: Option<i64>,
}

/// Creates a key for `agency`; returns its id and the whole key, which is never shown again.
pub async fn create(
    db: &Db,
    actor: &Actor,
    agency: &str,
    name: &str,
    permissions: &[String],
) -> Result<std::result::Result<(String, String), Problems>> {
    check(actor, Action::ManageApiKeys, Object::Agency(agency))?;
    insert(db, actor, agency, name, permissions).await
}

/// Creates a statements key for registered agent `agent`, whose business is `business`:
/// its owner (or platform staff) makes it, and it may only read the agent's statements.
pub async fn create_for_agent(
    db: &Db,
    actor: &Actor,
    agent: &str,
    business: &str,
    name: &str,
) -> Result<std::result::Result<(String, String), Problems>> {
    may_manage_agent_keys(actor, business)?;
    let only: Vec<String> = crate::model::AGENT_PERMISSIONS
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    insert(db, actor, agent, name, &only).await
}

async fn insert(
    db: &Db,
    actor: &Actor,
    agency: &str,
    name: &str,
    permissions: &[String],
) -> Result<std::result::Result<(String, String), Problems>> {
    let mut p = Problems::default();
    let name = p.take(parse_name("name", name));
    let perms: Vec<Permission> = permissions
        .iter()
        .filter_map(|s| Permission::parse(s))
        .collect();
    if perms.is_empty() || perms.len() != permissions.len() {
        p.add("permissions", "choose_one");
    }
    let Some(name) = name.filter(|_| p.is_empty()) else {
        return Ok(Err(p));
    };
    let mut raw = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let id = hex::encode(raw);
    let secret = random_token();
    let names: Vec<&str> = perms.iter().map(|p| p.as_str()).collect();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO api_keys (id, agency_code, name, secret_hash, permissions, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(agency)
    .bind(&name)
    .bind(digest(&[&id, &secret]))
    .bind(serde_json::to_string(&names).unwrap_or_default())
    .bind(actor_label(actor))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    crate::account::audit_by(
        &mut tx,
        actor,
        "apikey.create",
        &format!("apikey:{id}"),
        "",
        &format!("{agency}: {}", names.join(" ")),
    )
    .await?;
    key_event(&mut tx, "apikey.created", agency, &id).await?;
    tx.commit().await?;
    Ok(Ok((id.clone(), format!("lango_{id}_{secret}"))))
}

fn permissions_of(json: &str) -> Vec<Permission> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| Permission::parse(s))
        .collect()
}

/// Tells the agency's systems that its keys changed.
async fn key_event(tx: &mut sqlx::AnyConnection, kind: &str, agency: &str, id: &str) -> Result<()> {
    let data = serde_json::json!({ "key_id": id });
    lango_notify::events::emit(
        tx,
        &lango_notify::events::NewEvent {
            kind,
            agency,
            order_key: id,
            data,
        },
    )
    .await?;
    Ok(())
}

/// Agents' keys are managed by the agent business's owners, or platform staff.
fn may_manage_agent_keys(actor: &Actor, business: &str) -> Result<()> {
    if !crate::policy::may(actor, Action::Edit, Object::Business(business)) {
        check(actor, Action::Edit, Object::Platform)?;
    }
    Ok(())
}

/// The keys of agent `agent` (whose business is `business`), newest first, for those who
/// may make them.
pub async fn list_for_agent(
    db: &Db,
    actor: &Actor,
    agent: &str,
    business: &str,
) -> Result<Vec<KeyInfo>> {
    may_manage_agent_keys(actor, business)?;
    keys_of(db, agent).await
}

/// Revokes key `id` of agent `agent` (whose business is `business`).
pub async fn revoke_for_agent(
    db: &Db,
    actor: &Actor,
    agent: &str,
    business: &str,
    id: &str,
) -> Result<()> {
    may_manage_agent_keys(actor, business)?;
    revoke_checked(db, actor, agent, id).await
}

/// The agency's keys, newest first.
pub async fn list(db: &Db, actor: &Actor, agency: &str) -> Result<Vec<KeyInfo>> {
    check(actor, Action::View, Object::Agency(agency))?;
    keys_of(db, agency).await
}

async fn keys_of(db: &Db, agency: &str) -> Result<Vec<KeyInfo>> {
    let rows = sqlx::query(
        "SELECT id, name, permissions, created_at, last_used_at, revoked_at FROM api_keys \
         WHERE agency_code = $1 ORDER BY created_at DESC",
    )
    .bind(agency)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(KeyInfo {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                permissions: permissions_of(&r.try_get::<String, _>("permissions")?),
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
}

/// Revokes a key of `agency`; it stops working on its next call.
pub async fn revoke(db: &Db, actor: &Actor, agency: &str, id: &str) -> Result<()> {
    check(actor, Action::ManageApiKeys, Object::Agency(agency))?;
    revoke_checked(db, actor, agency, id).await
}

async fn revoke_checked(db: &Db, actor: &Actor, agency: &str, id: &str) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    let r = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND agency_code = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .bind(agency)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(Error::NotFound("API key".into()));
    }
    crate::account::audit_by(
        &mut tx,
        actor,
        "apikey.revoke",
        &format!("apikey:{id}"),
        "",
        agency,
    )
    .await?;
    key_event(&mut tx, "apikey.revoked", agency, id).await?;
    if db.backend() == Backend::Postgres {
        // Sent on commit, to every node that believes keys ([`believed`]).
        sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
            .bind(believed::REVOKED)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    // Forgotten however the commit ends: answered, failed after the database committed, or
    // dropped with a request cut off. Forgetting a key still good costs one read.
    let _forget = Forget(db.attached::<Believed>(), id);
    tx.commit().await?;
    Ok(())
}

/// Forgets a revoked key when dropped.
struct Forget<'a>(std::sync::Arc<Believed>, &'a str);

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.0.forget(self.1);
    }
}

/// The agency system behind a bearer key, or `None` for an unknown, revoked or wrong key.
/// A key read in the last minute is believed without reading it again ([`believed`]).
pub async fn authenticate(db: &Db, key: &str) -> Result<Option<ApiClient>> {
    let Some(rest) = key.strip_prefix("lango_") else {
        return Ok(None);
    };
    let Some((id, secret)) = rest.split_once('_') else {
        return Ok(None);
    };
    if id.len() != 16 || secret.len() != 43 {
        return Ok(None);
    }
    let presented = digest(&[id, secret]);
    let believed = db.attached::<Believed>();
    if let Some(known) = believed.get(db.backend(), id, BELIEVED_FOR) {
        return Ok(same(&presented, &known.secret_hash).then_some(known.client));
    }
    let mark = believed.mark();
    let Some((known, last_used)) = read(db, id).await? else {
        return Ok(None);
    };
    if !same(&presented, &known.secret_hash) {
        return Ok(None);
    }
    let now = now_ms();
    if last_used.is_none_or(|l| now - l >= TOUCH_EVERY_MS) {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(db.pool())
            .await?;
    }
    believed.remember(db.backend(), mark, id, known.clone());
    Ok(Some(known.client))
}

/// Key `id` as stored, unless revoked, with its last use.
async fn read(db: &Db, id: &str) -> Result<Option<(Known, Option<i64>)>> {
    let row = sqlx::query(
        "SELECT agency_code, secret_hash, permissions, last_used_at FROM api_keys WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let known = Known {
        secret_hash: row.try_get("secret_hash")?,
        client: ApiClient {
            key_id: id.to_string(),
            agency: row.try_get("agency_code")?,
            permissions: permissions_of(&row.try_get::<String, _>("permissions")?),
        },
        read_at: std::time::Instant::now(),
    };
    Ok(Some((known, row.try_get("last_used_at")?)))
}
