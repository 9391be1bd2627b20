//! The commission rules in force: platform staff add a rule (refused when it overlaps one
//! in force, naming that rule) and retire one; a retired rule stops applying to bills paid
//! afterwards, and lines already accrued keep the rule they were accrued under.

use crate::commission::{self, Refused, Rule, Scope, Source};
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use lango_identity::policy::{check, Action, Actor, Object};
use serde::Deserialize;
use sqlx::Row;

const COLUMNS: &str =
    "id, scope, scope_value, channel, currency, band_min, band_max, flat, percent_bps, cap, \
     source, valid_from, valid_to";

fn rule_of(r: &sqlx::any::AnyRow) -> Result<Rule> {
    let scope: String = r.try_get("scope")?;
    let value: String = r.try_get("scope_value")?;
    let channel: String = r.try_get("channel")?;
    let source: String = r.try_get("source")?;
    Ok(Rule {
        id: r.try_get("id")?,
        scope: Scope::from_parts(&scope, &value)
            .ok_or_else(|| Error::Internal(format!("rule scope {scope}")))?,
        channel: (channel != "any").then_some(channel),
        currency: r.try_get("currency")?,
        band_min: r.try_get("band_min")?,
        band_max: r.try_get("band_max")?,
        flat: r.try_get("flat")?,
        percent_bps: r.try_get("percent_bps")?,
        cap: r.try_get("cap")?,
        source: Source::parse(&source)
            .ok_or_else(|| Error::Internal(format!("rule source {source}")))?,
        valid_from: r.try_get("valid_from")?,
        valid_to: r.try_get("valid_to")?,
    })
}

/// Every rule not retired.
pub async fn in_force(db: &Db) -> Result<Vec<Rule>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM commission_rules WHERE retired_at IS NULL ORDER BY created_at, id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(rule_of).collect()
}

/// The rules in force, for platform staff and finance.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<Rule>> {
    if !lango_identity::policy::may(actor, Action::View, Object::Finance) {
        check(actor, Action::View, Object::Platform)?;
    }
    in_force(db).await
}

/// A rule as typed on the form (amounts in major units, the percentage as `2.5`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleForm {
    /// `all`, `category` or `service`.
    #[serde(default)]
    pub scope: String,
    /// The category or service code.
    #[serde(default)]
    pub scope_value: String,
    /// `any`, `mpesa`, `card` or `cash`.
    #[serde(default)]
    pub channel: String,
    /// The band's start.
    #[serde(default)]
    pub band_min: String,
    /// The band's end (exclusive), empty for none.
    #[serde(default)]
    pub band_max: String,
    /// Flat amount.
    #[serde(default)]
    pub flat: String,
    /// Percentage.
    #[serde(default)]
    pub percent: String,
    /// Most per bill, empty for none.
    #[serde(default)]
    pub cap: String,
    /// `platform_fee` or `agency`.
    #[serde(default)]
    pub source: String,
    /// First day.
    #[serde(default)]
    pub valid_from: String,
    /// Last day, empty for none.
    #[serde(default)]
    pub valid_to: String,
}

/// The payment channels a rule may name.
pub const CHANNELS: [&str; 4] = ["any", "mpesa", "card", "cash"];

fn amount(
    raw: &str,
    field: &'static str,
    optional: bool,
) -> std::result::Result<Option<i64>, Refused> {
    let raw = raw.trim().replace(',', "");
    if raw.is_empty() {
        return if optional {
            Ok(None)
        } else {
            Err(Refused::Field(field, "required"))
        };
    }
    Money::parse_decimal(&raw, Currency::Kes)
        .map(|m| Some(m.minor()))
        .map_err(|_| Refused::Field(field, "commission_amount_invalid"))
}

fn day(raw: &str, field: &'static str) -> std::result::Result<Option<String>, Refused> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let ok = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && (1..=12).contains(&raw[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&raw[8..10].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(Some(raw.to_string()))
    } else {
        Err(Refused::Field(field, "commission_date_invalid"))
    }
}

impl RuleForm {
    /// Parses the form into a rule with a fresh id (overlap is checked on save).
    pub fn parse(&self) -> std::result::Result<Rule, Refused> {
        let value = self.scope_value.trim();
        let scope = match self.scope.as_str() {
            "all" => Scope::All,
            "category" if !value.is_empty() => Scope::Category(value.to_ascii_lowercase()),
            "service" if !value.is_empty() => Scope::Service(value.to_ascii_uppercase()),
            "category" | "service" => return Err(Refused::Field("scope_value", "required")),
            _ => return Err(Refused::Field("scope", "choose_one")),
        };
        if !CHANNELS.contains(&self.channel.as_str()) {
            return Err(Refused::Field("channel", "choose_one"));
        }
        let source = Source::parse(&self.source).ok_or(Refused::Field("source", "choose_one"))?;
        let percent = self.percent.trim();
        let percent_bps = if percent.is_empty() {
            0
        } else {
            // Two decimals of a percent: basis points, as money's two decimals are cents.
            Money::parse_decimal(percent, Currency::Kes)
                .map(|m| m.minor())
                .map_err(|_| Refused::Field("percent", "commission_percent_invalid"))?
        };
        Ok(Rule {
            id: format!("CR-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]),
            scope,
            channel: (self.channel != "any").then(|| self.channel.clone()),
            currency: "KES".into(),
            band_min: amount(&self.band_min, "band_min", true)?.unwrap_or(0),
            band_max: amount(&self.band_max, "band_max", true)?,
            flat: amount(&self.flat, "flat", true)?.unwrap_or(0),
            percent_bps,
            cap: amount(&self.cap, "cap", true)?,
            source,
            valid_from: day(&self.valid_from, "valid_from")?
                .ok_or(Refused::Field("valid_from", "required"))?,
            valid_to: day(&self.valid_to, "valid_to")?,
        })
    }
}

/// Adds `rule` when it is sound and overlaps no rule in force; audited.
pub async fn add(db: &Db, actor: &Actor, rule: &Rule) -> Result<std::result::Result<(), Refused>> {
    check(actor, Action::Edit, Object::Platform)?;
    let by = lango_identity::account::actor_label(actor);
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = lango_core::db::begin_write(&mut conn).await?;
    // Read inside the write: two staff adding overlapping rules at once cannot both pass.
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM commission_rules WHERE retired_at IS NULL"
    ))
    .fetch_all(&mut *tx)
    .await?;
    let in_force: Vec<Rule> = rows.iter().map(rule_of).collect::<Result<_>>()?;
    if let Err(r) = commission::check(rule, &in_force) {
        return Ok(Err(r));
    }
    let (scope, value) = rule.scope.parts();
    sqlx::query(
        "INSERT INTO commission_rules (id, scope, scope_value, channel, currency, band_min, band_max, flat, \
         percent_bps, cap, source, valid_from, valid_to, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&rule.id)
    .bind(scope)
    .bind(value)
    .bind(rule.channel.as_deref().unwrap_or("any"))
    .bind(&rule.currency)
    .bind(rule.band_min)
    .bind(rule.band_max)
    .bind(rule.flat)
    .bind(rule.percent_bps)
    .bind(rule.cap)
    .bind(rule.source.as_str())
    .bind(&rule.valid_from)
    .bind(&rule.valid_to)
    .bind(&by)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        Entry {
            actor: &by,
            action: "commission_rule.added",
            object: &format!("commission_rule:{}", rule.id),
            subject: "",
            detail: &describe(rule),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Retires rule `id`; audited. Unknown or already retired: not found.
pub async fn retire(db: &Db, actor: &Actor, id: &str) -> Result<()> {
    check(actor, Action::Edit, Object::Platform)?;
    let by = lango_identity::account::actor_label(actor);
    let _turn = db.write_turn().await;
    let mut conn = db.pool().acquire().await?;
    let mut tx = lango_core::db::begin_write(&mut conn).await?;
    let done = sqlx::query(
        "UPDATE commission_rules SET retired_by = $1, retired_at = $2 WHERE id = $3 AND retired_at IS NULL",
    )
    .bind(&by)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("commission rule".into()));
    }
    audit::append(
        &mut tx,
        Entry {
            actor: &by,
            action: "commission_rule.retired",
            object: &format!("commission_rule:{id}"),
            subject: "",
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A rule in one line of English, as the audit log and an overlap refusal name it.
pub fn describe(r: &Rule) -> String {
    let money = |m: i64| Money::from_minor(m, Currency::Kes).to_decimal();
    let scope = match &r.scope {
        Scope::All => "every service".to_string(),
        Scope::Category(c) => format!("category {c}"),
        Scope::Service(s) => format!("service {s}"),
    };
    let band = match r.band_max {
        Some(m) => format!("{} {}–{}", r.currency, money(r.band_min), money(m)),
        None => format!("{} {} and above", r.currency, money(r.band_min)),
    };
    let days = match &r.valid_to {
        Some(t) => format!("{} to {t}", r.valid_from),
        None => format!("from {}", r.valid_from),
    };
    format!(
        "{} ({scope}, {} channel, {band}, {days})",
        r.id,
        r.channel.as_deref().unwrap_or("any")
    )
}
