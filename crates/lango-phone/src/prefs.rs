//! What a phone number has chosen: the language of its screens and replies. (Whether it
//! takes non-essential SMS is the outbox's to keep, `lango_notify::optout`, which every
//! sender obeys.)

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

/// The language `phone` chose (English when it never chose). The SMS opt-out is the
/// outbox's to keep (`lango_notify::optout`), not a choice stored here.
pub async fn lang(db: &Db, phone: &str) -> Result<Lang> {
    let lang: Option<String> = sqlx::query_scalar("SELECT lang FROM phone_prefs WHERE phone = $1")
        .bind(phone)
        .fetch_optional(db.pool())
        .await?;
    Ok(lang.as_deref().map(Lang::of).unwrap_or_default())
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
