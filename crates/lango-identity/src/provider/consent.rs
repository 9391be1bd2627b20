//! What a person allowed each agency system to receive: asked once per client (again when
//! the system asks for more), remembered, and withdrawn by the person at `/account`, which
//! also ends everything issued to that system for them.

use crate::account::audit_by;
use crate::policy::{check, Action, Actor, Object};
use lango_core::clock::now_ms;
use lango_core::db::{begin_write, Db};
use lango_core::Result;
use sqlx::Row;

/// A consent as the person's account page lists it.
#[derive(Debug, Clone)]
pub struct Consent {
    /// The client.
    pub client_id: String,
    /// The client's name.
    pub client_name: String,
    /// Its agency's code.
    pub agency: String,
    /// Its agency's name in English and Kiswahili.
    pub agency_name: (String, String),
    /// The scopes allowed.
    pub scopes: Vec<String>,
    /// Given at, unix ms.
    pub granted_at: i64,
}

/// The scopes `account` allowed `client`, if they did.
pub async fn granted(db: &Db, account: &str, client: &str) -> Result<Option<Vec<String>>> {
    let scope: Option<String> = sqlx::query_scalar(
        "SELECT scope FROM oidc_consents WHERE account_id = $1 AND client_id = $2",
    )
    .bind(account)
    .bind(client)
    .fetch_optional(db.pool())
    .await?;
    Ok(scope.map(|s| s.split(' ').map(str::to_string).collect()))
}

/// True when what `account` allowed `client` covers `scopes`.
pub async fn covers(db: &Db, account: &str, client: &str, scopes: &[&str]) -> Result<bool> {
    Ok(granted(db, account, client)
        .await?
        .is_some_and(|g| scopes.iter().all(|s| g.iter().any(|h| h == s))))
}

/// Records that `account` allows `client` `scopes` (added to what they allowed before).
pub async fn grant(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    account: &str,
    client: &str,
    scopes: &[&str],
) -> Result<()> {
    let before: Option<String> = sqlx::query_scalar(
        "SELECT scope FROM oidc_consents WHERE account_id = $1 AND client_id = $2",
    )
    .bind(account)
    .bind(client)
    .fetch_optional(&mut *tx)
    .await?;
    let mut all: Vec<String> = before
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for s in scopes {
        if !all.iter().any(|a| a == s) {
            all.push(s.to_string());
        }
    }
    if before.as_deref() == Some(all.join(" ").as_str()) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO oidc_consents (account_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
    )
    .bind(account)
    .bind(client)
    .bind(all.join(" "))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit_by(
        tx,
        actor,
        "oidc.consent.grant",
        &format!("oidc_client:{client}"),
        account,
        &all.join(" "),
    )
    .await
}

/// Every agency system `account` allowed, newest first.
pub async fn list(db: &Db, actor: &Actor, account: &str) -> Result<Vec<Consent>> {
    check(actor, Action::View, Object::Account(account))?;
    let rows = sqlx::query(
        "SELECT k.client_id, k.scope, k.granted_at, c.name, c.agency, a.name AS agency_en, \
         a.name_sw AS agency_sw FROM oidc_consents k JOIN oidc_clients c ON c.id = k.client_id \
         LEFT JOIN agencies a ON a.code = c.agency WHERE k.account_id = $1 \
         ORDER BY k.granted_at DESC, k.client_id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let agency: String = r.try_get("agency")?;
            let en: Option<String> = r.try_get("agency_en")?;
            let sw: Option<String> = r.try_get("agency_sw")?;
            Ok(Consent {
                client_id: r.try_get("client_id")?,
                client_name: r.try_get("name")?,
                agency_name: (
                    en.clone().unwrap_or_else(|| agency.clone()),
                    sw.or(en).unwrap_or_else(|| agency.clone()),
                ),
                agency,
                scopes: r
                    .try_get::<String, _>("scope")?
                    .split(' ')
                    .map(str::to_string)
                    .collect(),
                granted_at: r.try_get("granted_at")?,
            })
        })
        .collect()
}

/// Withdraws what `account` allowed `client` and revokes every grant it holds for them;
/// false when there was nothing to withdraw.
pub async fn withdraw(db: &Db, actor: &Actor, account: &str, client: &str) -> Result<bool> {
    check(actor, Action::Edit, Object::Account(account))?;
    if client.contains('\0') {
        return Ok(false);
    }
    // SQLite's writers take turns in the node rather than sleeping in its busy handler.
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = begin_write(&mut conn).await?;
    let gone = sqlx::query("DELETE FROM oidc_consents WHERE account_id = $1 AND client_id = $2")
        .bind(account)
        .bind(client)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE oidc_grants SET revoked_at = $1 WHERE account_id = $2 AND client_id = $3 \
         AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(account)
    .bind(client)
    .execute(&mut *tx)
    .await?;
    audit_by(
        &mut tx,
        actor,
        "oidc.consent.withdraw",
        &format!("oidc_client:{client}"),
        account,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
