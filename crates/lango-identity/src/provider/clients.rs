//! Agency systems registered to sign people in with Lango: exact redirect and sign-out
//! addresses, a secret shown once and kept as a digest, revocation, and the platform's
//! suspension of an agency's sign-in.

use crate::account::{actor_label, audit_by};
use crate::model::{parse_name, Problem, Problems};
use crate::policy::{check, Action, Actor, Object};
use crate::token::{digest, random_token, same};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use rand::RngCore;
use sqlx::Row;

/// Most addresses a client may register of each kind.
const MAX_URIS: usize = 10;
/// Longest address accepted.
const MAX_URI: usize = 500;

/// A registered client, as Lango checks it (never its secret).
#[derive(Debug, Clone)]
pub struct Client {
    /// `client_id`.
    pub id: String,
    /// The agency whose system it is.
    pub agency: String,
    /// What the agency called it ("NTSA licensing system").
    pub name: String,
    /// Where codes may be sent, exactly.
    pub redirect_uris: Vec<String>,
    /// Where people may be sent after signing out, exactly.
    pub logout_uris: Vec<String>,
    /// Allowed the national ID number (scope `national_id`).
    pub national_id: bool,
    /// Registered at, unix ms.
    pub created_at: i64,
    /// Revoked at, unix ms.
    pub revoked_at: Option<i64>,
    /// Its agency's sign-in is suspended by the platform.
    pub suspended: bool,
}

impl Client {
    /// True when it may sign people in now.
    pub fn usable(&self) -> bool {
        self.revoked_at.is_none() && !self.suspended
    }
}

/// A registration as typed on the agency administrator's form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Registration {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Redirect URIs, one a line.
    #[serde(default)]
    pub redirect_uris: String,
    /// Sign-out return addresses, one a line.
    #[serde(default)]
    pub logout_uris: String,
    /// `yes` to allow the national ID number (platform administrators only).
    #[serde(default)]
    pub national_id: String,
}

/// One redirect address: `https://` with a host (`http://` only on this machine, for
/// development and the demo), no fragment, no user name, no spaces.
pub fn parse_uri(field: &'static str, raw: &str) -> std::result::Result<String, Problem> {
    let bad = Err(Problem {
        field,
        code: "oidc_uri_invalid",
    });
    let v = raw.trim();
    if v.len() > MAX_URI || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad;
    }
    let Ok(url) = url::Url::parse(v) else {
        return bad;
    };
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok
        || url.host_str().is_none_or(str::is_empty)
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return bad;
    }
    Ok(v.to_string())
}

/// One address a line; `required` when at least one must be given.
fn parse_uris(p: &mut Problems, field: &'static str, raw: &str, required: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match parse_uri(field, line) {
            Ok(u) if !out.contains(&u) => out.push(u),
            Ok(_) => {}
            Err(e) => {
                p.0.push(e);
                return out;
            }
        }
    }
    if required && out.is_empty() {
        p.add(field, "required");
    } else if out.len() > MAX_URIS {
        p.add(field, "oidc_too_many_uris");
    }
    out
}

/// Registers a client for `agency`; returns its `client_id` and secret (shown once).
pub async fn register(
    db: &Db,
    actor: &Actor,
    agency: &str,
    form: &Registration,
) -> Result<std::result::Result<(String, String), Problems>> {
    check(actor, Action::ManageApiKeys, Object::Agency(agency))?;
    let mut p = Problems::default();
    let name = p.take(parse_name("name", &form.name));
    let redirects = parse_uris(&mut p, "redirect_uris", &form.redirect_uris, true);
    let logouts = parse_uris(&mut p, "logout_uris", &form.logout_uris, false);
    let national_id = form.national_id == "yes";
    // Only the platform decides who may receive national ID numbers.
    if national_id && check(actor, Action::Edit, Object::Platform).is_err() {
        p.add("national_id", "oidc_national_id_platform");
    }
    let Some(name) = name.filter(|_| p.is_empty()) else {
        return Ok(Err(p));
    };
    let mut raw = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let id = format!("{}-{}", agency.to_ascii_lowercase(), hex::encode(raw));
    let secret = random_token();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO oidc_clients (id, agency, name, secret_hash, redirect_uris, logout_uris, \
         national_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(agency)
    .bind(&name)
    .bind(digest(&[&id, &secret]))
    .bind(redirects.join("\n"))
    .bind(logouts.join("\n"))
    .bind(i64::from(national_id))
    .bind(actor_label(actor))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    let detail = format!("{agency}: {}", redirects.join(" "));
    audit_by(
        &mut tx,
        actor,
        "oidc.client.create",
        &format!("oidc_client:{id}"),
        "",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok((id, secret)))
}

/// Gives the demo's sample agency system a fresh secret and `redirect`, registering it
/// the first time (a demo restarted on the same data keeps its `client_id`).
pub async fn ensure_demo(
    db: &Db,
    agency: &str,
    name: &str,
    redirect: &str,
    logout: &str,
) -> Result<(String, String)> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM oidc_clients WHERE agency = $1 AND name = $2 AND revoked_at IS NULL",
    )
    .bind(agency)
    .bind(name)
    .fetch_optional(db.pool())
    .await?;
    let secret = random_token();
    let id = match found {
        Some(id) => id,
        None => {
            let id = format!("{}-demo", agency.to_ascii_lowercase());
            sqlx::query(
                "INSERT INTO oidc_clients (id, agency, name, secret_hash, redirect_uris, \
                 logout_uris, national_id, created_by, created_at) \
                 VALUES ($1, $2, $3, '', '', '', 1, 'demo', $4)",
            )
            .bind(&id)
            .bind(agency)
            .bind(name)
            .bind(now_ms())
            .execute(db.pool())
            .await?;
            id
        }
    };
    sqlx::query(
        "UPDATE oidc_clients SET secret_hash = $1, redirect_uris = $2, logout_uris = $3 WHERE id = $4",
    )
    .bind(digest(&[&id, &secret]))
    .bind(redirect)
    .bind(logout)
    .bind(&id)
    .execute(db.pool())
    .await?;
    Ok((id, secret))
}

const COLUMNS: &str = "c.id, c.agency, c.name, c.redirect_uris, c.logout_uris, c.national_id, \
    c.created_at, c.revoked_at, s.agency AS suspended";

fn client_of(r: &sqlx::any::AnyRow) -> Result<Client> {
    let lines = |s: String| -> Vec<String> {
        s.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(Client {
        id: r.try_get("id")?,
        agency: r.try_get("agency")?,
        name: r.try_get("name")?,
        redirect_uris: lines(r.try_get("redirect_uris")?),
        logout_uris: lines(r.try_get("logout_uris")?),
        national_id: r.try_get::<i64, _>("national_id")? != 0,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
        suspended: r.try_get::<Option<String>, _>("suspended")?.is_some(),
    })
}

/// The client called `id`, whatever its state.
pub async fn get(db: &Db, id: &str) -> Result<Option<Client>> {
    if id.contains('\0') {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM oidc_clients c LEFT JOIN oidc_suspensions s ON s.agency = c.agency \
         WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(client_of).transpose()
}

/// The client whose `id` and `secret` these are, if it may sign people in now.
pub async fn authenticate(db: &Db, id: &str, secret: &str) -> Result<Option<Client>> {
    if id.len() > 100 || id.contains('\0') || secret.len() != 43 {
        return Ok(None);
    }
    // One read on the token endpoint's path: the client and its secret's digest together.
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, c.secret_hash FROM oidc_clients c \
         LEFT JOIN oidc_suspensions s ON s.agency = c.agency WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let stored: String = row.try_get("secret_hash")?;
    if !same(&digest(&[id, secret]), &stored) {
        return Ok(None);
    }
    Ok(Some(client_of(&row)?).filter(Client::usable))
}

/// The agency's clients, newest first, and whether its sign-in is suspended.
pub async fn list(db: &Db, actor: &Actor, agency: &str) -> Result<(Vec<Client>, bool)> {
    check(actor, Action::View, Object::Agency(agency))?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM oidc_clients c LEFT JOIN oidc_suspensions s ON s.agency = c.agency \
         WHERE c.agency = $1 ORDER BY c.created_at DESC, c.id"
    ))
    .bind(agency)
    .fetch_all(db.pool())
    .await?;
    let suspended: Option<String> =
        sqlx::query_scalar("SELECT agency FROM oidc_suspensions WHERE agency = $1")
            .bind(agency)
            .fetch_optional(db.pool())
            .await?;
    Ok((
        rows.iter().map(client_of).collect::<Result<_>>()?,
        suspended.is_some(),
    ))
}

/// Revokes a client of `agency` and every grant made to it: its tokens stop working.
pub async fn revoke(db: &Db, actor: &Actor, agency: &str, id: &str) -> Result<()> {
    check(actor, Action::ManageApiKeys, Object::Agency(agency))?;
    if id.contains('\0') {
        return Err(Error::NotFound("sign-in client".into()));
    }
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let r = sqlx::query(
        "UPDATE oidc_clients SET revoked_at = $1 WHERE id = $2 AND agency = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(agency)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(Error::NotFound("sign-in client".into()));
    }
    sqlx::query(
        "UPDATE oidc_grants SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit_by(
        &mut tx,
        actor,
        "oidc.client.revoke",
        &format!("oidc_client:{id}"),
        "",
        agency,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Suspends (`reason` given) or restores (`None`) every client of `agency`: platform
/// administrators only.
pub async fn suspend(db: &Db, actor: &Actor, agency: &str, reason: Option<&str>) -> Result<()> {
    check(actor, Action::Edit, Object::Platform)?;
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM oidc_suspensions WHERE agency = $1")
        .bind(agency)
        .execute(&mut *tx)
        .await?;
    if let Some(reason) = reason {
        sqlx::query(
            "INSERT INTO oidc_suspensions (agency, reason, suspended_by, suspended_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(agency)
        .bind(reason.trim())
        .bind(actor_label(actor))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    let action = if reason.is_some() {
        "oidc.agency.suspend"
    } else {
        "oidc.agency.restore"
    };
    audit_by(
        &mut tx,
        actor,
        action,
        &format!("agency:{agency}"),
        "",
        reason.unwrap_or(""),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_uri;

    #[test]
    fn redirect_addresses_are_https_or_this_machine() {
        for good in [
            "https://ntsa.go.ke/callback",
            "https://ntsa.go.ke:8443/cb?x=1",
            "http://127.0.0.1:8091/callback",
            "http://localhost/cb",
        ] {
            assert!(parse_uri("f", good).is_ok(), "{good}");
        }
        for bad in [
            "http://ntsa.go.ke/callback",
            "https://ntsa.go.ke/cb#frag",
            "https://user@ntsa.go.ke/cb",
            "javascript:alert(1)",
            "ntsa.go.ke/cb",
            "https:// ntsa.go.ke/cb",
            "",
        ] {
            assert!(parse_uri("f", bad).is_err(), "{bad}");
        }
    }
}
