//! What a phone number has chosen: the language of its screens and replies. (Whether it
//! takes non-essential SMS is the outbox's to keep, `lango_notify::optout`, which every
//! sender obeys.)

use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::Result;

/// The languages a phone's screens and replies come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default where nothing else is known).
    #[default]
    En,
    /// Kiswahili.
    Sw,
    /// Bahasa Melayu.
    Ms,
}

impl Lang {
    /// `en`, `sw` or `ms`, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sw => "sw",
            Lang::Ms => "ms",
        }
    }

    /// The stored code read back (anything else is English).
    pub fn of(code: &str) -> Lang {
        match code {
            "sw" => Lang::Sw,
            "ms" => Lang::Ms,
            _ => Lang::En,
        }
    }

    /// True for a country's own language, whose names live in the catalogue's `name_sw`.
    pub fn is_local(self) -> bool {
        matches!(self, Lang::Sw | Lang::Ms)
    }

    /// The served country's own language: Bahasa Melayu where the pack's is `ms`, else Kiswahili.
    pub fn local() -> Lang {
        match lango_core::country::current().local_language() {
            Some("ms") => Lang::Ms,
            _ => Lang::Sw,
        }
    }

    /// The language a phone that never chose gets: the country's first (English in Kenya,
    /// Bahasa Melayu in Malaysia).
    pub fn first() -> Lang {
        match lango_core::country::current()
            .languages
            .first()
            .map(String::as_str)
        {
            Some(code) => Lang::of(code),
            None => Lang::En,
        }
    }

    /// The other language (the menu's option toggles English and the country's own).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::local(),
            Lang::Sw | Lang::Ms => Lang::En,
        }
    }
}

/// The language `phone` chose (the country's first when it never chose). The SMS opt-out is the
/// outbox's to keep (`lango_notify::optout`), not a choice stored here.
pub async fn lang(db: &Db, phone: &str) -> Result<Lang> {
    let lang: Option<String> = sqlx::query_scalar("SELECT lang FROM phone_prefs WHERE phone = $1")
        .bind(phone)
        .fetch_optional(db.pool())
        .await?;
    Ok(lang.as_deref().map_or_else(Lang::first, Lang::of))
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
