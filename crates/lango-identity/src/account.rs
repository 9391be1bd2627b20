//! Person accounts: registration, contact verification, the profile entered once, and
//! loading the actor the policy judges.

use crate::messages::code_message;
use crate::model::*;
use crate::otp::{self, Purpose, Refusal};
use crate::password::{self, NewPassword};
use crate::policy::Person;
use crate::session::{self, Client};
use crate::throttle;
use lango_core::audit::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use lango_notify::{enqueue, Channel};
use sqlx::Row;

/// An account as pages show it (never its password hash or second-factor secret).
#[derive(Debug, Clone)]
pub struct Account {
    /// Its id.
    pub id: String,
    /// Citizen, resident, foreigner, dependant or staff.
    pub kind: AccountKind,
    /// Document kind, for people.
    pub id_kind: Option<IdKind>,
    /// Document number, for people.
    pub id_number: Option<String>,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Other names.
    pub other_names: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// E.164 phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone confirmed by a code.
    pub phone_verified: bool,
    /// E-mail confirmed by a code.
    pub email_verified: bool,
    /// A second factor is set up.
    pub totp_enabled: bool,
    /// `pending` (contacts not yet verified), `active` or `disabled`.
    pub status: String,
    /// Postal address.
    pub postal_address: String,
    /// County.
    pub county: String,
    /// Sub-county.
    pub sub_county: String,
    /// Preferred language (`en`, `sw`).
    pub language: String,
    /// How they want to hear from Lango: `sms`, `email` or `both`.
    pub contact_preference: String,
}

impl Account {
    /// The full name for greetings and lists.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

const COLUMNS: &str = "id, kind, id_kind, id_number, given_name, family_name, other_names, date_of_birth, \
    phone, email, phone_verified_at, email_verified_at, totp_secret, status, postal_address, county, \
    sub_county, language, contact_preference";

pub(crate) fn account_of(row: &sqlx::any::AnyRow) -> Result<Account> {
    let kind: String = row.try_get("kind")?;
    let id_kind: Option<String> = row.try_get("id_kind")?;
    Ok(Account {
        id: row.try_get("id")?,
        kind: AccountKind::parse(&kind).unwrap_or(AccountKind::Citizen),
        id_kind: id_kind.as_deref().and_then(IdKind::parse),
        id_number: row.try_get("id_number")?,
        given_name: row.try_get("given_name")?,
        family_name: row.try_get("family_name")?,
        other_names: row.try_get("other_names")?,
        date_of_birth: row.try_get("date_of_birth")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        phone_verified: row
            .try_get::<Option<i64>, _>("phone_verified_at")?
            .is_some(),
        email_verified: row
            .try_get::<Option<i64>, _>("email_verified_at")?
            .is_some(),
        totp_enabled: row.try_get::<Option<String>, _>("totp_secret")?.is_some(),
        status: row.try_get("status")?,
        postal_address: row.try_get("postal_address")?,
        county: row.try_get("county")?,
        sub_county: row.try_get("sub_county")?,
        language: row.try_get("language")?,
        contact_preference: row.try_get("contact_preference")?,
    })
}

/// Reads an account by id.
pub async fn get(db: &Db, id: &str) -> Result<Account> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::NotFound("account".into()))?;
    account_of(&row)
}

/// Finds the account a person signs in with: an e-mail address or an ID/passport number.
pub async fn find_by_identifier(
    db: &Db,
    identifier: &str,
) -> Result<Option<(Account, Option<String>)>> {
    let ident = normalise_identifier(identifier);
    let sql = if ident.contains('@') {
        format!("SELECT {COLUMNS}, password_hash FROM accounts WHERE email = $1")
    } else {
        format!(
            "SELECT {COLUMNS}, password_hash FROM accounts WHERE id_number = $1 \
             AND kind <> 'dependant' ORDER BY id_kind LIMIT 1"
        )
    };
    let row = sqlx::query(&sql)
        .bind(&ident)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| Ok((account_of(&r)?, r.try_get("password_hash")?)))
        .transpose()
}

/// How an identifier is compared: e-mails lower-cased, document numbers upper-cased
/// without spaces or hyphens.
pub fn normalise_identifier(raw: &str) -> String {
    let t = raw.trim();
    if t.contains('@') {
        t.to_lowercase()
    } else {
        t.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase()
    }
}

/// The registration form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RegistrationForm {
    /// `citizen`, `resident` or `foreigner`.
    #[serde(default)]
    pub kind: String,
    /// Document number.
    #[serde(default)]
    pub id_number: String,
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// `YYYY-MM-DD` (API clients and older forms; the boxes win when filled).
    #[serde(default)]
    pub date_of_birth: String,
    /// The date of birth in three boxes.
    #[serde(flatten)]
    pub dob: DobBoxes,
    /// Mobile number.
    #[serde(default)]
    pub phone: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// New password.
    #[serde(default)]
    pub password: String,
    /// The same again.
    #[serde(default)]
    pub password_confirm: String,
}

/// A registration that parsed.
#[derive(Debug)]
pub struct Registration {
    /// Citizen, resident or foreigner.
    pub kind: AccountKind,
    /// Their document.
    pub id: IdNumber,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Mobile.
    pub phone: Phone,
    /// E-mail.
    pub email: Email,
    /// Password.
    pub password: NewPassword,
}

impl RegistrationForm {
    /// Parses every field, collecting every problem for the error summary.
    pub fn parse(&self) -> std::result::Result<Registration, Problems> {
        let mut p = Problems::default();
        let kind = match AccountKind::parse(&self.kind) {
            Some(k @ (AccountKind::Citizen | AccountKind::Resident | AccountKind::Foreigner)) => {
                Some(k)
            }
            _ => {
                p.add("kind", "choose_one");
                None
            }
        };
        let id = kind
            .and_then(|k| k.id_kind())
            .and_then(|k| p.take(IdNumber::parse(k, &self.id_number)));
        let given_name = p.take(parse_name("given_name", &self.given_name));
        let family_name = p.take(parse_name("family_name", &self.family_name));
        let date_of_birth = p.take(Date::parse_past(
            "date_of_birth",
            &self.dob.joined(&self.date_of_birth),
            &today_utc(),
        ));
        let phone = p.take(Phone::parse(&self.phone));
        let email = p.take(Email::parse(&self.email));
        let personal = [
            self.email.trim(),
            self.id_number.trim(),
            self.email.split('@').next().unwrap_or(""),
        ];
        let password = p.take(NewPassword::parse(&self.password, &personal));
        if password.is_some() && self.password != self.password_confirm {
            p.add("password_confirm", "password_mismatch");
        }
        match (
            kind,
            id,
            given_name,
            family_name,
            date_of_birth,
            phone,
            email,
            password,
        ) {
            (
                Some(kind),
                Some(id),
                Some(given_name),
                Some(family_name),
                Some(date_of_birth),
                Some(phone),
                Some(email),
                Some(password),
            ) if p.is_empty() => Ok(Registration {
                kind,
                id,
                given_name,
                family_name,
                date_of_birth,
                phone,
                email,
                password,
            }),
            _ => Err(p),
        }
    }
}

/// The account that already holds this document, whatever kind of document it was
/// registered as (one number, one identity).
async fn holder_of(db: &Db, id: &IdNumber) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE id_number = $1")
            .bind(id.as_str())
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Whether the e-mail is already registered (checked before insert for a clear message;
/// the unique index still decides a race).
async fn email_taken(db: &Db, email: &Email) -> Result<bool> {
    let mail: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(db.pool())
        .await?;
    Ok(mail.is_some())
}

fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// What a registration came to. The registrant is answered the same way either way, so
/// the form cannot be used to learn whether an ID number has an account.
#[derive(Debug)]
pub enum Registered {
    /// A new pending account, signed in.
    New {
        /// The account.
        account_id: String,
        /// The session cookie's token.
        token: String,
    },
    /// The ID number already had an account: none was made and its owner was told; the
    /// token stands behind a code step that looks like any other and accepts no code.
    Held {
        /// The cookie's token (the same cookie a session uses).
        token: String,
    },
}

impl Registered {
    /// The token to set as the session cookie.
    pub fn token(&self) -> &str {
        match self {
            Registered::New { token, .. } | Registered::Held { token } => token,
        }
    }
}

/// Creates a pending account, sends codes to its phone and e-mail, and signs it in. When the
/// ID number already has an account, creates nothing, tells that account's owner that someone
/// tried to register with their ID, and answers as for a new account.
pub async fn register(
    db: &Db,
    reg: Registration,
    lang: &str,
    client: &Client,
) -> Result<std::result::Result<Registered, Problems>> {
    if let Some(owner) = holder_of(db, &reg.id).await? {
        return Ok(Ok(held(db, &owner).await?));
    }
    if email_taken(db, &reg.email).await? {
        return Ok(Err(Problems::one("email", "email_taken")));
    }
    let hash = password::hash(reg.password.expose()).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, kind, id_kind, id_number, given_name, family_name, date_of_birth, phone, email, \
         password_hash, status, language, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $12)",
    )
    .bind(&id)
    .bind(reg.kind.as_str())
    .bind(reg.id.kind.as_str())
    .bind(reg.id.as_str())
    .bind(&reg.given_name)
    .bind(&reg.family_name)
    .bind(reg.date_of_birth.as_str())
    .bind(reg.phone.as_str())
    .bind(reg.email.as_str())
    .bind(&hash)
    .bind(lang)
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        if unique_violation(&e) {
            drop(tx);
            // A race: whoever won holds the number now (or the e-mail).
            return match holder_of(db, &reg.id).await? {
                Some(owner) => Ok(Ok(held(db, &owner).await?)),
                None => Ok(Err(Problems::one("email", "email_taken"))),
            };
        }
        return Err(e.into());
    }
    send_code(&mut tx, &id, Channel::Sms, reg.phone.as_str(), lang).await?;
    send_code(&mut tx, &id, Channel::Email, reg.email.as_str(), lang).await?;
    crate::account::audit_own(&mut tx, &id, "account.register", reg.kind.as_str()).await?;
    let token = session::create(&mut tx, &id, false, client).await?;
    tx.commit().await?;
    Ok(Ok(Registered::New {
        account_id: id,
        token,
    }))
}

/// A registration with `owner`'s ID number: the owner is told (on a confirmed phone, else a
/// confirmed e-mail, else the phone on file), the attempt is audited on their account, and a
/// stand-in for the code step is kept as long as a session would be.
async fn held(db: &Db, owner: &str) -> Result<Registered> {
    let a = get(db, owner).await?;
    let token = crate::token::random_token();
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO registration_attempts (token_hash, account_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(crate::token::digest(&[&token]))
    .bind(owner)
    .bind(now)
    .bind(now + session::ABSOLUTE_MS)
    .execute(&mut *tx)
    .await?;
    let route = match (&a.phone, &a.email) {
        (Some(p), _) if a.phone_verified => Some((Channel::Sms, p)),
        (_, Some(e)) if a.email_verified => Some((Channel::Email, e)),
        (Some(p), _) => Some((Channel::Sms, p)),
        (None, Some(e)) => Some((Channel::Email, e)),
        (None, None) => None,
    };
    if let Some((channel, to)) = route {
        enqueue(
            &mut tx,
            &crate::messages::registration_attempt(&a.id, channel, to, &a.language),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        Entry {
            actor: "anonymous",
            action: "account.register_attempt",
            object: &format!("account:{owner}"),
            subject: owner,
            detail: "someone tried to register with this ID number",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Registered::Held { token })
}

/// Whether a cookie token stands behind a registration that created no account (see
/// [`Registered::Held`]); gives the key its code step is throttled under.
pub async fn held_attempt(db: &Db, token: &str) -> Result<Option<String>> {
    if token.len() != 43 {
        return Ok(None);
    }
    let hash = crate::token::digest(&[token]);
    let found: Option<String> = sqlx::query_scalar(
        "SELECT token_hash FROM registration_attempts WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(&hash)
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?;
    Ok(found)
}

/// The code step behind a held registration: no code is right, and tries lock as on a real
/// account.
pub async fn verify_held(db: &Db, attempt: &str) -> Result<Problems> {
    let key = format!("otp:{attempt}");
    if throttle::locked(db, &key).await?.is_some() {
        return Ok(Problems::one("phone_code", "locked"));
    }
    throttle::fail(db, &key).await?;
    let mut p = Problems::default();
    p.add("phone_code", "code_wrong");
    p.add("email_code", "code_wrong");
    Ok(p)
}

/// "Send new codes" behind a held registration: limited as [`resend_codes`], sends nothing.
pub async fn resend_held(db: &Db, attempt: &str) -> Result<std::result::Result<(), i64>> {
    let key = format!("resend:{attempt}");
    if let Some(m) = throttle::locked(db, &key).await? {
        return Ok(Err(m));
    }
    throttle::fail(db, &key).await?;
    Ok(Ok(()))
}

async fn send_code(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    channel: Channel,
    recipient: &str,
    lang: &str,
) -> Result<()> {
    let purpose = match channel {
        Channel::Sms => Purpose::VerifyPhone,
        Channel::Email => Purpose::VerifyEmail,
    };
    let code = otp::issue(tx, account_id, purpose).await?;
    enqueue(
        tx,
        &code_message(account_id, channel, recipient, purpose, &code, lang),
    )
    .await?;
    Ok(())
}

/// Sends fresh codes for whichever contact is not yet verified (at most five times in
/// fifteen minutes); `Err(minutes)` while locked.
pub async fn resend_codes(db: &Db, account: &Account) -> Result<std::result::Result<(), i64>> {
    let key = format!("resend:{}", account.id);
    if let Some(m) = throttle::locked(db, &key).await? {
        return Ok(Err(m));
    }
    throttle::fail(db, &key).await?;
    let mut tx = db.pool().begin().await?;
    if let (Some(phone), false) = (&account.phone, account.phone_verified) {
        send_code(&mut tx, &account.id, Channel::Sms, phone, &account.language).await?;
    }
    if let (Some(email), false) = (&account.email, account.email_verified) {
        send_code(
            &mut tx,
            &account.id,
            Channel::Email,
            email,
            &account.language,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

pub(crate) fn refusal_problem(field: &'static str, r: Refusal) -> Problem {
    Problem {
        field,
        code: match r {
            Refusal::Wrong => "code_wrong",
            Refusal::Expired => "code_expired",
            Refusal::TooManyTries => "code_too_many",
        },
    }
}

/// Checks the codes sent to the phone and the e-mail; when both contacts are verified the
/// account becomes active.
pub async fn verify_contacts(
    db: &Db,
    account: &Account,
    phone_code: &str,
    email_code: &str,
) -> Result<std::result::Result<(), Problems>> {
    let key = format!("otp:{}", account.id);
    if throttle::locked(db, &key).await?.is_some() {
        return Ok(Err(Problems::one("phone_code", "locked")));
    }
    let mut p = Problems::default();
    let mut checks = Vec::new();
    if !account.phone_verified {
        checks.push((
            "phone_code",
            Purpose::VerifyPhone,
            phone_code,
            "phone_verified_at",
        ));
    }
    if !account.email_verified {
        checks.push((
            "email_code",
            Purpose::VerifyEmail,
            email_code,
            "email_verified_at",
        ));
    }
    let mut verified = Vec::new();
    for (field, purpose, code, column) in checks {
        match otp::check(db, &account.id, purpose, code).await? {
            Ok(()) => verified.push(column),
            Err(r) => {
                throttle::fail(db, &key).await?;
                p.add(field, refusal_problem(field, r).code);
            }
        }
    }
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    for column in &verified {
        mark_verified(&mut tx, &account.id, column, now).await?;
    }
    if !verified.is_empty() {
        crate::account::audit_own(
            &mut tx,
            &account.id,
            "account.verify_contact",
            &verified.join(","),
        )
        .await?;
    }
    tx.commit().await?;
    if p.is_empty() {
        throttle::clear(db, &key).await?;
        Ok(Ok(()))
    } else {
        Ok(Err(p))
    }
}

/// Marks `column` (`phone_verified_at` or `email_verified_at`) of account `id` verified at
/// `now` (kept when it was already), and makes a pending account active once every contact
/// it has is verified: the one rule, whether a code came through the verify page or at a
/// centre's counter (where people may have no e-mail).
pub(crate) async fn mark_verified(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    column: &str,
    now: i64,
) -> Result<()> {
    debug_assert!(matches!(column, "phone_verified_at" | "email_verified_at"));
    sqlx::query(&format!(
        "UPDATE accounts SET {column} = $1, updated_at = $1 WHERE id = $2 AND {column} IS NULL"
    ))
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE accounts SET status = 'active' WHERE id = $1 AND status = 'pending' \
         AND (phone IS NULL OR phone_verified_at IS NOT NULL) \
         AND (email IS NULL OR email_verified_at IS NOT NULL)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The profile form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProfileForm {
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// Other names.
    #[serde(default)]
    pub other_names: String,
    /// `YYYY-MM-DD` (API clients and older forms; the boxes win when filled).
    #[serde(default)]
    pub date_of_birth: String,
    /// The date of birth in three boxes.
    #[serde(flatten)]
    pub dob: DobBoxes,
    /// Mobile.
    #[serde(default)]
    pub phone: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Postal address.
    #[serde(default)]
    pub postal_address: String,
    /// County.
    #[serde(default)]
    pub county: String,
    /// Sub-county.
    #[serde(default)]
    pub sub_county: String,
    /// `en` or `sw`.
    #[serde(default)]
    pub language: String,
    /// `sms`, `email` or `both`.
    #[serde(default)]
    pub contact_preference: String,
    /// The password, needed only to change the phone or e-mail (never filled in again).
    #[serde(default)]
    pub current_password: String,
}

impl ProfileForm {
    /// The form filled from what is stored.
    pub fn from_account(a: &Account) -> ProfileForm {
        ProfileForm {
            given_name: a.given_name.clone(),
            family_name: a.family_name.clone(),
            other_names: a.other_names.clone(),
            date_of_birth: a.date_of_birth.clone().unwrap_or_default(),
            dob: DobBoxes::of(a.date_of_birth.as_deref().unwrap_or_default()),
            phone: a.phone.clone().unwrap_or_default(),
            email: a.email.clone().unwrap_or_default(),
            postal_address: a.postal_address.clone(),
            county: a.county.clone(),
            sub_county: a.sub_county.clone(),
            language: a.language.clone(),
            contact_preference: a.contact_preference.clone(),
            current_password: String::new(),
        }
    }
}

/// Saves a profile edit by `actor` (policy-checked by the caller's `Person`); a changed
/// phone or e-mail must be verified again. Every change is audited with the fields named.
pub async fn update_profile(
    db: &Db,
    actor: &crate::policy::Actor,
    account_id: &str,
    form: &ProfileForm,
) -> Result<std::result::Result<Vec<&'static str>, Problems>> {
    use crate::policy::{check, Action, Object};
    check(actor, Action::Edit, Object::Account(account_id))?;
    let current = get(db, account_id).await?;
    let mut p = Problems::default();
    let given = p.take(parse_name("given_name", &form.given_name));
    let family = p.take(parse_name("family_name", &form.family_name));
    let other = p.take(parse_text("other_names", &form.other_names, 100));
    let dob = p.take(Date::parse_past(
        "date_of_birth",
        &form.dob.joined(&form.date_of_birth),
        &today_utc(),
    ));
    let phone = p.take(Phone::parse(&form.phone));
    let email = p.take(Email::parse(&form.email));
    let postal = p.take(parse_text("postal_address", &form.postal_address, 200));
    let county = p.take(parse_text("county", &form.county, 60));
    let sub_county = p.take(parse_text("sub_county", &form.sub_county, 60));
    // One of the country's languages; anything else is English.
    let language = lango_core::country::current()
        .languages
        .iter()
        .find(|l| **l == form.language)
        .map_or("en", String::as_str);
    // A form without the field (an older page) keeps the stored choice.
    let preference = lango_notify::Preference::parse(if form.contact_preference.is_empty() {
        &current.contact_preference
    } else {
        &form.contact_preference
    });
    if preference.is_none() {
        p.add("contact_preference", "choose_one");
    }
    let (
        Some(given),
        Some(family),
        Some(other),
        Some(dob),
        Some(phone),
        Some(email),
        Some(postal),
        Some(county),
        Some(sub_county),
        Some(preference),
    ) = (
        given, family, other, dob, phone, email, postal, county, sub_county, preference,
    )
    else {
        return Ok(Err(p));
    };
    let phone_changes = current.phone.as_deref() != Some(phone.as_str());
    let email_changes = current.email.as_deref() != Some(email.as_str());
    if phone_changes || email_changes {
        // Where codes and resets go is the key to the account: whoever holds only a session
        // must not move it. Checked before the e-mail's owner, which it would otherwise tell.
        if let Some(problem) = check_password(db, account_id, &form.current_password).await? {
            return Ok(Err(Problems::one("current_password", problem)));
        }
    }
    if email_changes {
        let other_owner: Option<String> =
            sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1 AND id <> $2")
                .bind(email.as_str())
                .bind(account_id)
                .fetch_optional(db.pool())
                .await?;
        if other_owner.is_some() {
            return Ok(Err(Problems::one("email", "email_taken")));
        }
    }
    let mut changed = Vec::new();
    let mut note = |name: &'static str, old: &str, new: &str| {
        if old != new {
            changed.push(name);
        }
    };
    note("given_name", &current.given_name, &given);
    note("family_name", &current.family_name, &family);
    note("other_names", &current.other_names, &other);
    note(
        "date_of_birth",
        current.date_of_birth.as_deref().unwrap_or(""),
        dob.as_str(),
    );
    note(
        "phone",
        current.phone.as_deref().unwrap_or(""),
        phone.as_str(),
    );
    note(
        "email",
        current.email.as_deref().unwrap_or(""),
        email.as_str(),
    );
    note("postal_address", &current.postal_address, &postal);
    note("county", &current.county, &county);
    note("sub_county", &current.sub_county, &sub_county);
    note("language", &current.language, language);
    note(
        "contact_preference",
        &current.contact_preference,
        preference.as_str(),
    );
    if changed.is_empty() {
        return Ok(Ok(changed));
    }
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "UPDATE accounts SET given_name = $1, family_name = $2, other_names = $3, date_of_birth = $4, \
         phone = $5, email = $6, postal_address = $7, county = $8, sub_county = $9, language = $10, \
         contact_preference = $13, phone_verified_at = CASE WHEN phone = $5 THEN phone_verified_at ELSE NULL END, \
         email_verified_at = CASE WHEN email = $6 THEN email_verified_at ELSE NULL END, \
         updated_at = $11 WHERE id = $12",
    )
    .bind(&given)
    .bind(&family)
    .bind(&other)
    .bind(dob.as_str())
    .bind(phone.as_str())
    .bind(email.as_str())
    .bind(&postal)
    .bind(&county)
    .bind(&sub_county)
    .bind(language)
    .bind(now)
    .bind(account_id)
    .bind(preference.as_str())
    .execute(&mut *tx)
    .await?;
    tell_old_contacts(&mut tx, &current, phone_changes, email_changes).await?;
    if changed.contains(&"phone") {
        send_code(&mut tx, account_id, Channel::Sms, phone.as_str(), language).await?;
    }
    if changed.contains(&"email") {
        send_code(
            &mut tx,
            account_id,
            Channel::Email,
            email.as_str(),
            language,
        )
        .await?;
    }
    let detail = format!("changed: {}", changed.join(", "));
    crate::account::audit_by(
        &mut tx,
        actor,
        "profile.update",
        &format!("account:{account_id}"),
        account_id,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(changed))
}

/// Why `password` does not prove the person (a word key), or `None` when it does. Wrong
/// passwords count towards a lockout of their own, like sign-in.
async fn check_password(db: &Db, account_id: &str, password: &str) -> Result<Option<&'static str>> {
    let key = format!("reauth:{account_id}");
    if crate::throttle::locked(db, &key).await?.is_some() {
        return Ok(Some("locked"));
    }
    let hash: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(db.pool())
            .await?;
    let Some(hash) = hash else {
        return Ok(Some("current_password_not_set"));
    };
    if !crate::password::verify(password, Some(&hash)).await? {
        crate::throttle::fail(db, &key).await?;
        return Ok(Some("current_password_wrong"));
    }
    crate::throttle::clear(db, &key).await?;
    Ok(None)
}

/// Tells the old phone and e-mail, when they were confirmed, that they are being replaced:
/// if this was not the person, the old contact is how they find out.
async fn tell_old_contacts(
    tx: &mut sqlx::AnyConnection,
    old: &Account,
    phone_changes: bool,
    email_changes: bool,
) -> Result<()> {
    use lango_notify::{Preference, Recipient};
    let to = |phone: Option<String>, email: Option<String>, preference| Recipient {
        account_id: Some(old.id.clone()),
        name: old.given_name.clone(),
        phone,
        email,
        language: old.language.clone(),
        preference,
    };
    let mut recipients = Vec::new();
    if let Some(p) = old
        .phone
        .clone()
        .filter(|_| phone_changes && old.phone_verified)
    {
        recipients.push(to(Some(p), None, Preference::Sms));
    }
    if let Some(e) = old
        .email
        .clone()
        .filter(|_| email_changes && old.email_verified)
    {
        recipients.push(to(None, Some(e), Preference::Email));
    }
    for r in recipients {
        lango_notify::notify(tx, &r, "account.contact_changed", &Default::default()).await?;
    }
    Ok(())
}

/// Records, inside `tx`, something a person did to their own account.
pub(crate) async fn audit_own(
    tx: &mut sqlx::AnyConnection,
    account_id: &str,
    action: &str,
    detail: &str,
) -> Result<()> {
    let me = format!("account:{account_id}");
    audit::append(
        tx,
        Entry {
            actor: &me,
            action,
            object: &me,
            subject: account_id,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Records, inside `tx`, something `actor` did to `object` that concerns `subject`'s data.
pub(crate) async fn audit_by(
    tx: &mut sqlx::AnyConnection,
    actor: &crate::policy::Actor,
    action: &str,
    object: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    audit::append(
        tx,
        Entry {
            actor: &actor_label(actor),
            action,
            object,
            subject,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// How an actor is named in the audit log.
pub fn actor_label(actor: &crate::policy::Actor) -> String {
    match actor {
        crate::policy::Actor::Anonymous => "anonymous".into(),
        crate::policy::Actor::Person(p) => format!("account:{}", p.account_id),
        crate::policy::Actor::ApiClient(c) => format!("apikey:{}", c.key_id),
    }
}

/// Who a recorded label stands for, as staff pages name people: `account:ID` becomes the
/// person's full name; any other label (`apikey:…`, `system`, a deleted account) stays as it is.
pub async fn name_of_label(db: &Db, label: &str) -> Result<String> {
    let Some(id) = label.strip_prefix("account:") else {
        return Ok(label.to_string());
    };
    match get(db, id).await {
        Ok(a) => Ok(a.display_name()),
        Err(Error::NotFound(_)) => Ok(label.to_string()),
        Err(e) => Err(e),
    }
}

/// Loads everything that grants `account_id` access, fresh from the database.
pub async fn actor(db: &Db, account_id: &str) -> Result<Person> {
    let roles = sqlx::query(
        "SELECT role, agency_code, centre_code FROM account_roles WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    let mut grants = Vec::new();
    for r in &roles {
        let role: String = r.try_get("role")?;
        let agency: String = r.try_get("agency_code")?;
        let centre: String = r.try_get("centre_code")?;
        if let Some(role) = Role::parse(&role) {
            grants.push(Grant {
                role,
                agency: (!agency.is_empty()).then_some(agency),
                centre: (!centre.is_empty()).then_some(centre),
            });
        }
    }
    let dependants: Vec<String> = sqlx::query_scalar(
        "SELECT dependant_id FROM guardianships WHERE guardian_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    let members = sqlx::query(
        "SELECT business_id, role FROM business_members WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    let mut owns = Vec::new();
    let mut represents = Vec::new();
    for m in &members {
        let b: String = m.try_get("business_id")?;
        let role: String = m.try_get("role")?;
        if role == "owner" {
            owns.push(b.clone());
        }
        represents.push(b);
    }
    Ok(Person {
        account_id: account_id.to_string(),
        grants,
        dependants,
        owns,
        represents,
        assisting: None,
        agents: Vec::new(),
    })
}
