//! English and Kiswahili text of the portal. Adding a language is adding one `Strings`.

use lango_catalogue::{Channel, Level, Stage};

/// A language the portal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Kiswahili.
    Sw,
}

impl Lang {
    /// The BCP 47 tag, for `lang` attributes and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sw => "sw",
        }
    }

    /// Parses a tag; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "sw" => Some(Lang::Sw),
            _ => None,
        }
    }

    /// The other language, offered by the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Sw,
            Lang::Sw => Lang::En,
        }
    }

    /// The text of the portal in this language.
    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Sw => &SW,
        }
    }

    /// Picks the first of two texts for English, the second for Kiswahili; an empty
    /// translation falls back to English rather than show nothing.
    pub fn pick<'a>(self, en: &'a str, sw: &'a str) -> &'a str {
        match self {
            Lang::Sw if !sw.is_empty() => sw,
            _ => en,
        }
    }
}

/// Every fixed text of the portal.
pub struct Strings {
    /// Name of this language, in itself (shown on the switch).
    pub language_name: &'static str,
    /// The site's one-line promise.
    pub tagline: &'static str,
    /// Link that skips the header.
    pub skip_link: &'static str,
    /// Banner shown in demo mode.
    pub demo_banner: &'static str,
    /// Navigation: services.
    pub nav_services: &'static str,
    /// Navigation: agencies.
    pub nav_agencies: &'static str,
    /// Label of the search box.
    pub search_label: &'static str,
    /// Hint under the search box.
    pub search_hint: &'static str,
    /// Search button.
    pub search_button: &'static str,
    /// Heading of popular services.
    pub popular: &'static str,
    /// Heading of life events.
    pub life_events: &'static str,
    /// Heading of topics.
    pub topics: &'static str,
    /// Results heading, after the count.
    pub results: &'static str,
    /// Results heading for a query, before the query.
    pub results_for: &'static str,
    /// Nothing found.
    pub no_results: &'static str,
    /// What to try when nothing is found.
    pub no_results_help: &'static str,
    /// Filter heading.
    pub filters: &'static str,
    /// Filter: agency.
    pub filter_agency: &'static str,
    /// Filter: stage.
    pub filter_stage: &'static str,
    /// Filter: channel.
    pub filter_channel: &'static str,
    /// Filter: topic.
    pub filter_category: &'static str,
    /// Filter: life event.
    pub filter_life_event: &'static str,
    /// Option meaning no filter.
    pub any: &'static str,
    /// Button that applies the filters.
    pub apply_filters: &'static str,
    /// Pagination: previous.
    pub previous: &'static str,
    /// Pagination: next.
    pub next: &'static str,
    /// Pagination: "page".
    pub page: &'static str,
    /// Pagination: "of".
    pub of: &'static str,
    /// Service page: who can apply.
    pub who_can_apply: &'static str,
    /// Service page: documents.
    pub what_you_need: &'static str,
    /// Service page: nothing listed.
    pub nothing_listed: &'static str,
    /// Service page: fee.
    pub fee: &'static str,
    /// Service page: free.
    pub free: &'static str,
    /// Service page: how long.
    pub how_long: &'static str,
    /// Unit after the SLA number.
    pub working_days: &'static str,
    /// No SLA published.
    pub no_sla: &'static str,
    /// Service page: channels.
    pub where_to_use: &'static str,
    /// Service page: agency.
    pub provided_by: &'static str,
    /// Apply button.
    pub apply_online: &'static str,
    /// Stage label.
    pub online_status: &'static str,
    /// Retired service notice.
    pub retired_notice: &'static str,
    /// About the service.
    pub about: &'static str,
    /// Agencies page title.
    pub agencies_title: &'static str,
    /// After a number of services.
    pub services_word: &'static str,
    /// Agency page: website.
    pub website: &'static str,
    /// Agency page: part of.
    pub part_of: &'static str,
    /// Agency page: level.
    pub level: &'static str,
    /// 404 title.
    pub not_found_title: &'static str,
    /// 404 body.
    pub not_found_body: &'static str,
    /// 404 search suggestion.
    pub not_found_search: &'static str,
    /// Error summary title.
    pub problem: &'static str,
    /// 500 title.
    pub server_error_title: &'static str,
    /// 500 body.
    pub server_error_body: &'static str,
    /// Start page: before you start.
    pub before_you_start: &'static str,
    /// Start page: how to apply until online applications open.
    pub apply_not_open: &'static str,
    /// Start page: link to the agency's website.
    pub agency_website: &'static str,
    /// Footer text.
    pub footer: &'static str,
    /// Label of the language switch.
    pub switch_language: &'static str,
    /// Heading of the list of all services.
    pub all_services: &'static str,
    /// Name of the national level.
    pub level_national: &'static str,
    /// Name of the local level.
    pub level_local: &'static str,
    /// Stage names.
    pub stages: [&'static str; 4],
    /// Channel names.
    pub channels: [&'static str; 4],
}

/// English.
pub static EN: Strings = Strings {
    language_name: "English",
    tagline: "Government services in one place",
    skip_link: "Skip to main content",
    demo_banner: "Demonstration: the agencies, services, fees, applications and every figure here are sample data.",
    nav_services: "Services",
    nav_agencies: "Agencies",
    search_label: "Search for a government service",
    search_hint: "For example: passport, driving licence, business name",
    search_button: "Search",
    popular: "Popular services",
    life_events: "Services for life events",
    topics: "Browse by topic",
    results: "services",
    results_for: "Search results for",
    no_results: "No services match your search.",
    no_results_help: "Check the spelling, try fewer or other words, or browse the agencies.",
    filters: "Filter the results",
    filter_agency: "Agency",
    filter_stage: "How much is online",
    filter_channel: "Where you can use it",
    filter_category: "Topic",
    filter_life_event: "Life event",
    any: "Any",
    apply_filters: "Apply filters",
    previous: "Previous",
    next: "Next",
    page: "Page",
    of: "of",
    who_can_apply: "Who can apply",
    what_you_need: "What you need",
    nothing_listed: "The agency lists no documents.",
    fee: "Fee",
    free: "Free",
    how_long: "How long it takes",
    working_days: "working days",
    no_sla: "The agency has not published a time.",
    where_to_use: "Where you can use it",
    provided_by: "Provided by",
    apply_online: "Apply online",
    online_status: "Online",
    retired_notice: "This service is no longer offered.",
    about: "About this service",
    agencies_title: "Government agencies",
    services_word: "services",
    website: "Website",
    part_of: "Part of",
    level: "Level",
    not_found_title: "Page not found",
    not_found_body: "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.",
    not_found_search: "You can search for the service you need instead.",
    problem: "There is a problem",
    server_error_title: "Sorry, there is a problem with the service",
    server_error_body: "Try again later. Nothing you entered has been lost.",
    before_you_start: "Before you start",
    apply_not_open: "Online applications through Lango are not open for this service yet. Until they are, apply at a service centre or on the agency's own website.",
    agency_website: "Agency website",
    footer: "Lango is open-source software for delivering government services.",
    switch_language: "Language",
    all_services: "All services",
    level_national: "National",
    level_local: "Local",
    stages: ["Information only", "Paper form", "Partly online", "Fully online"],
    channels: ["Online", "Service centre", "USSD", "Mobile app"],
};

/// Kiswahili.
pub static SW: Strings = Strings {
    language_name: "Kiswahili",
    tagline: "Huduma za serikali mahali pamoja",
    skip_link: "Ruka hadi maudhui makuu",
    demo_banner: "Maonyesho: taasisi, huduma, ada, maombi na kila takwimu iliyo hapa ni data ya mfano.",
    nav_services: "Huduma",
    nav_agencies: "Taasisi",
    search_label: "Tafuta huduma ya serikali",
    search_hint: "Kwa mfano: pasipoti, leseni ya udereva, jina la biashara",
    search_button: "Tafuta",
    popular: "Huduma maarufu",
    life_events: "Huduma kwa matukio ya maisha",
    topics: "Vinjari kwa mada",
    results: "huduma",
    results_for: "Matokeo ya utafutaji wa",
    no_results: "Hakuna huduma inayolingana na utafutaji wako.",
    no_results_help: "Kagua tahajia, jaribu maneno machache au mengine, au vinjari taasisi.",
    filters: "Chuja matokeo",
    filter_agency: "Taasisi",
    filter_stage: "Kiasi kilicho mtandaoni",
    filter_channel: "Mahali unapoweza kuitumia",
    filter_category: "Mada",
    filter_life_event: "Tukio la maisha",
    any: "Yoyote",
    apply_filters: "Tumia vichujio",
    previous: "Iliyotangulia",
    next: "Inayofuata",
    page: "Ukurasa",
    of: "kati ya",
    who_can_apply: "Nani anaweza kuomba",
    what_you_need: "Unachohitaji",
    nothing_listed: "Taasisi haijaorodhesha nyaraka.",
    fee: "Ada",
    free: "Bila malipo",
    how_long: "Muda unaochukua",
    working_days: "siku za kazi",
    no_sla: "Taasisi haijachapisha muda.",
    where_to_use: "Mahali unapoweza kuitumia",
    provided_by: "Inatolewa na",
    apply_online: "Omba mtandaoni",
    online_status: "Mtandaoni",
    retired_notice: "Huduma hii haitolewi tena.",
    about: "Kuhusu huduma hii",
    agencies_title: "Taasisi za serikali",
    services_word: "huduma",
    website: "Tovuti",
    part_of: "Sehemu ya",
    level: "Ngazi",
    not_found_title: "Ukurasa haujapatikana",
    not_found_body: "Ikiwa uliandika anwani, hakikisha ni sahihi. Ikiwa uliibandika, hakikisha ulinakili anwani yote.",
    not_found_search: "Unaweza kutafuta huduma unayohitaji badala yake.",
    problem: "Kuna tatizo",
    server_error_title: "Samahani, kuna tatizo na huduma",
    server_error_body: "Jaribu tena baadaye. Hakuna ulichoingiza kilichopotea.",
    before_you_start: "Kabla hujaanza",
    apply_not_open: "Maombi ya mtandaoni kupitia Lango bado hayajafunguliwa kwa huduma hii. Hadi yafunguliwe, omba katika kituo cha huduma au kwenye tovuti ya taasisi.",
    agency_website: "Tovuti ya taasisi",
    footer: "Lango ni programu huria ya kutoa huduma za serikali.",
    switch_language: "Lugha",
    all_services: "Huduma zote",
    level_national: "Kitaifa",
    level_local: "Serikali ya mtaa",
    stages: ["Maelezo tu", "Fomu ya karatasi", "Sehemu mtandaoni", "Kikamilifu mtandaoni"],
    channels: ["Mtandaoni", "Kituo cha huduma", "USSD", "Programu ya simu"],
};

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
    match lango_catalogue::topics::names(slug) {
        Some((en, sw)) => lang.pick(en, sw).to_string(),
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
