//! What a phone number has chosen: its language, and whether it takes non-essential SMS (kept
//! by the outbox, `lango_notify::optout`, which every sender obeys).

use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;

/// The languages a phone's screens and replies come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, the default.
    #[default]
    En,
    /// Kiswahili.
    Sw,
}

impl Lang {
    /// `en` or `sw`, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sw => "sw",
        }
    }

    /// The stored code read back (anything else is English).
    pub fn of(code: &str) -> Lang {
        if code == "sw" {
            Lang::Sw
        } else {
            Lang::En
        }
    }

    /// The other language (the menu's language option toggles).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Sw,
            Lang::Sw => Lang::En,
        }
    }
}

/// A phone's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prefs {
    /// The language of its screens and replies.
    pub lang: Lang,
    /// It sent STOP (and no START since): only essential messages reach it.
    pub opted_out: bool,
}

/// Reads `phone`'s choices (the defaults when it never chose).
pub async fn get(db: &Db, phone: &str) -> Result<Prefs> {
    let mut conn = db.pool().acquire().await?;
    let lang: Option<String> = sqlx::query_scalar("SELECT lang FROM phone_prefs WHERE phone = $1")
        .bind(phone)
        .fetch_optional(&mut *conn)
        .await?;
    // The opt-out is the outbox's to keep (every sender obeys it there): read, not copied.
    let opted_out = lango_notify::optout::opted_out_at(&mut conn, phone)
        .await?
        .is_some();
    Ok(Prefs {
        lang: lang.as_deref().map(Lang::of).unwrap_or_default(),
        opted_out,
    })
}

/// Remembers `lang` for `phone`.
pub async fn set_lang(db: &Db, phone: &str, lang: Lang) -> Result<()> {
    sqlx::query(
        "INSERT INTO phone_prefs (phone, lang, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (phone) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at",
    )
    .bind(phone)
    .bind(lang.code())
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Opts `phone` out of non-essential messages (`true`: STOP) or back in (`false`: START).
pub async fn set_opted_out(db: &Db, phone: &str, out: bool) -> Result<()> {
    let mut conn = db.pool().acquire().await?;
    lango_notify::optout::set_opted_out(&mut conn, phone, out).await
}
