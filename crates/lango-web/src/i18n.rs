//! The portal's languages, and the fixed text of its frame and catalogue pages (read from
//! the words, `crate::words`).

use crate::words::tr;
use lango_catalogue::{Channel, Level, Stage};
use std::sync::OnceLock;

/// A language the portal has words for; a node speaks those of its country's pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Kiswahili.
    Sw,
    /// Bahasa Melayu.
    Ms,
}

impl Lang {
    /// Every language with words, in the order of the words' tables.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Sw, Lang::Ms];

    /// The BCP 47 tag, for `lang` attributes and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sw => "sw",
            Lang::Ms => "ms",
        }
    }

    /// Parses a tag; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.tag() == s)
    }

    /// The languages this node speaks: its country pack's, the default first (a pack
    /// naming a language without words is refused when the node starts).
    pub fn served() -> &'static [Lang] {
        static SERVED: OnceLock<Vec<Lang>> = OnceLock::new();
        SERVED.get_or_init(|| {
            let pack = lango_core::country::current();
            let served: Vec<Lang> = pack
                .languages
                .iter()
                .filter_map(|t| Lang::parse(t))
                .collect();
            if served.is_empty() {
                vec![Lang::En]
            } else {
                served
            }
        })
    }

    /// The language a reader gets before choosing one: the country's first.
    pub fn default_served() -> Lang {
        Lang::served()[0]
    }

    /// The language the switch offers: the next of the node's languages.
    pub fn other(self) -> Lang {
        let served = Lang::served();
        let at = served.iter().position(|l| *l == self).unwrap_or(0);
        served[(at + 1) % served.len()]
    }

    /// The country's own language: the first it speaks that is not English (Kiswahili for a
    /// pack that speaks only English, so bilingual boards still have a second line).
    pub fn local() -> Lang {
        Lang::served()
            .iter()
            .copied()
            .find(|l| l.is_local())
            .unwrap_or(Lang::Sw)
    }

    /// True for the country's own language: the one stored beside English in the catalogue,
    /// definitions and messages (their second text, `name_sw`, `sw:` or `ms:`).
    pub fn is_local(self) -> bool {
        self != Lang::En
    }

    /// The text of the frame and the catalogue pages in this language.
    pub fn strings(self) -> &'static Strings {
        static ALL: OnceLock<Vec<Strings>> = OnceLock::new();
        &ALL.get_or_init(|| Lang::ALL.into_iter().map(Strings::of).collect())[self as usize]
    }

    /// Picks the first of two texts for English, the second for the country's own language;
    /// an empty translation falls back to English rather than show nothing.
    pub fn pick<'a>(self, en: &'a str, local: &'a str) -> &'a str {
        if self.is_local() && !local.is_empty() {
            local
        } else {
            en
        }
    }
}

/// Declares `Strings` with one `&'static str` field per name, each read from the words
/// (key `site_{name}`) once per language.
macro_rules! strings {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        /// Every fixed text of the frame and the catalogue pages, in one language.
        pub struct Strings {
            $($(#[$doc])* pub $field: &'static str,)*
            /// Stage names, in `Stage::ALL` order.
            stages: Vec<&'static str>,
            /// Channel names, in `Channel::ALL` order.
            channels: Vec<&'static str>,
        }

        impl Strings {
            fn of(lang: Lang) -> Strings {
                Strings {
                    $($field: tr(lang, concat!("site_", stringify!($field))),)*
                    stages: Stage::ALL
                        .iter()
                        .map(|s| tr(lang, &format!("site_stage_{}", s.as_str())))
                        .collect(),
                    channels: Channel::ALL
                        .iter()
                        .map(|c| tr(lang, &format!("site_channel_{}", c.as_str())))
                        .collect(),
                }
            }
        }
    };
}

strings! {
    /// Name of this language, in itself (shown on the switch).
    language_name,
    /// The site's one-line promise.
    tagline,
    /// Link that skips the header.
    skip_link,
    /// Banner shown in demo mode.
    demo_banner,
    /// Navigation: services.
    nav_services,
    /// Navigation: agencies.
    nav_agencies,
    /// Label of the search box.
    search_label,
    /// Hint under the search box.
    search_hint,
    /// Search button.
    search_button,
    /// Heading of popular services.
    popular,
    /// Heading of life events.
    life_events,
    /// Heading of topics.
    topics,
    /// Results heading, after the count.
    results,
    /// Results heading for a query, before the query.
    results_for,
    /// Nothing found.
    no_results,
    /// What to try when nothing is found.
    no_results_help,
    /// Filter heading.
    filters,
    /// Filter: agency.
    filter_agency,
    /// Filter: stage.
    filter_stage,
    /// Filter: channel.
    filter_channel,
    /// Filter: topic.
    filter_category,
    /// Filter: life event.
    filter_life_event,
    /// Option meaning no filter.
    any,
    /// Button that applies the filters.
    apply_filters,
    /// Pagination: previous.
    previous,
    /// Pagination: next.
    next,
    /// Pagination: "page".
    page,
    /// Pagination: "of".
    of,
    /// Service page: who can apply.
    who_can_apply,
    /// Service page: documents.
    what_you_need,
    /// Service page: nothing listed.
    nothing_listed,
    /// Service page: fee.
    fee,
    /// Service page: free.
    free,
    /// Service page: how long.
    how_long,
    /// Unit after the SLA number.
    working_days,
    /// No SLA published.
    no_sla,
    /// Service page: channels.
    where_to_use,
    /// Service page: agency.
    provided_by,
    /// Apply button.
    apply_online,
    /// Stage label.
    online_status,
    /// Retired service notice.
    retired_notice,
    /// About the service.
    about,
    /// Agencies page title.
    agencies_title,
    /// After a number of services.
    services_word,
    /// Agency page: website.
    website,
    /// Agency page: part of.
    part_of,
    /// Agency page: level.
    level,
    /// 404 title.
    not_found_title,
    /// 404 body.
    not_found_body,
    /// 404 search suggestion.
    not_found_search,
    /// Error summary title.
    problem,
    /// 500 title.
    server_error_title,
    /// 500 body.
    server_error_body,
    /// Start page: before you start.
    before_you_start,
    /// Start page: how to apply until online applications open.
    apply_not_open,
    /// Start page: link to the agency's website.
    agency_website,
    /// Footer text.
    footer,
    /// Label of the language switch.
    switch_language,
    /// Heading of the list of all services.
    all_services,
    /// Name of the national level.
    level_national,
    /// Name of the local level.
    level_local,
}

impl Strings {
    /// The name of a stage.
    pub fn stage(&self, s: Stage) -> &'static str {
        self.stages[Stage::ALL.iter().position(|x| *x == s).unwrap_or(0)]
    }

    /// The name of a channel.
    pub fn channel(&self, c: Channel) -> &'static str {
        self.channels[Channel::ALL.iter().position(|x| *x == c).unwrap_or(0)]
    }

    /// The name of a level; the regional one is the country's own word.
    pub fn level<'a>(&self, l: Level, regional: &'a str) -> &'a str {
        match l {
            Level::National => self.level_national,
            Level::Regional => regional,
            Level::Local => self.level_local,
        }
    }
}

/// The name of a topic or life event; unknown slugs are shown in words.
pub fn slug_name(slug: &str, lang: Lang) -> String {
    match lango_catalogue::topics::name_in(slug, lang.tag()) {
        Some(name) => name.to_string(),
        None => {
            let words = slug.replace('-', " ");
            let mut chars = words.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
        }
    }
}
