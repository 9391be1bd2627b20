//! View models: catalogue records turned into the strings a page shows.

use crate::i18n::Lang;
use lango_catalogue::{SearchHit, SearchPage};

/// A service as a result card.
pub struct Card {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub agency_name: String,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub fee: String,
}

/// A result card in `lang`.
pub fn card(hit: &SearchHit, lang: Lang) -> Card {
    let s = &hit.entry.service;
    let fee = match s.fees.as_slice() {
        [] => String::new(),
        [one] => one.amount.display(),
        many => {
            let least = many
                .iter()
                .map(|f| f.amount)
                .min_by_key(|m| m.minor())
                .map(|m| m.display());
            let from = crate::words::tr(lang, "site_fee_from");
            format!("{from} {}", least.unwrap_or_default())
        }
    };
    Card {
        code: s.code.to_string(),
        name: lang.pick(&s.name, &s.name_sw).to_string(),
        summary: lang.pick(&s.summary, &s.summary_sw).to_string(),
        agency_name: lang.pick(&hit.agency.name, &hit.agency.name_sw).to_string(),
        stage: s.stage.as_str(),
        stage_label: lang.strings().stage(s.stage),
        fee,
    }
}

/// A linked list entry with a count.
pub struct Counted {
    pub slug: String,
    pub name: String,
    pub count: usize,
}

/// An option of a filter select.
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One filter of the results page.
pub struct Filter {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<SelectOption>,
}

/// Previous and next links for a page of results.
pub struct Pager {
    pub page: u32,
    pub pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Links for `page` under `path`, keeping the other parameters in `params`.
    pub fn new(path: &str, params: &[(&str, String)], page: &SearchPage) -> Pager {
        let pages = page.total.div_ceil(u64::from(page.per_page.max(1))).max(1);
        let link = |n: u32| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in params.iter().filter(|(k, v)| *k != "page" && !v.is_empty()) {
                q.append_pair(k, v);
            }
            q.append_pair("page", &n.to_string());
            format!("{path}?{}", q.finish())
        };
        Pager {
            page: page.page,
            pages,
            prev: (page.page > 1).then(|| link(page.page - 1)),
            next: (u64::from(page.page) < pages).then(|| link(page.page + 1)),
        }
    }
}

/// Fees as (label in the page's language, amount) rows.
pub fn fee_rows(hit: &SearchHit, lang: crate::i18n::Lang) -> Vec<(String, String)> {
    let sw = lang.is_local();
    hit.entry
        .service
        .fees
        .iter()
        .map(|f| (f.label_in(sw).to_string(), f.amount.display()))
        .collect()
}

/// The documents a service asks for, in the page's language.
pub fn document_rows(hit: &SearchHit, lang: crate::i18n::Lang) -> Vec<String> {
    hit.entry.service.documents_in(lang.is_local())
}
