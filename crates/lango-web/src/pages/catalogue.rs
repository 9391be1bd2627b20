//! Catalogue pages: home, results, service, start page, agencies.

use super::views::{card, document_rows, fee_rows, Card, Counted, Filter, Pager, SelectOption};
use super::{render, render_status_page, Chrome, PageLang};
use crate::api::SearchParams;
use crate::i18n::{slug_name, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use lango_catalogue::{
    AgencyCode, Channel, Level, SearchHit, SearchRequest, ServiceCode, Stage, Status,
};
use lango_core::Error;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    q: String,
    cards: Vec<Card>,
    life_events: Vec<Counted>,
    topics: Vec<Counted>,
}

/// The home page: search, popular services, life events and topics.
pub async fn home(State(state): State<AppState>, PageLang(lang): PageLang) -> Response {
    let snap = state.catalogue.snapshot();
    let cards = state
        .popular
        .iter()
        .filter_map(|code| ServiceCode::parse(code).ok())
        .filter_map(|code| snap.service(&code))
        .filter(|h| h.entry.service.status == Status::Active)
        .map(|h| card(&h, lang))
        .collect();
    let counted = |items: &[(String, usize)]| {
        items
            .iter()
            .map(|(slug, count)| Counted {
                slug: slug.clone(),
                name: slug_name(slug, lang),
                count: *count,
            })
            .collect()
    };
    let page = HomePage {
        c: Chrome::new(lang, state.config.demo, "/"),
        q: String::new(),
        cards,
        life_events: counted(snap.life_events()),
        topics: counted(snap.categories()),
    };
    render(StatusCode::OK, &page)
}

/// A field error shown in the summary.
pub struct FieldError {
    field: String,
    message: String,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    c: Chrome,
    q: String,
    heading: String,
    error: Option<FieldError>,
    filters: Vec<Filter>,
    cards: Vec<Card>,
    total: u64,
    pager: Pager,
}

/// Search results with filters; a refused parameter is shown in an error summary.
pub async fn results(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    OriginalUri(uri): OriginalUri,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let t = lang.strings();
    let parsed = match params {
        Ok(Query(params)) => params.parse(),
        Err(r) => Err(Error::invalid("q", r.body_text())),
    };
    let (req, error) = match parsed {
        Ok(req) => (req, None),
        Err(e) => {
            let field = match &e {
                Error::Invalid { field, .. } if field != "page" && field != "per_page" => {
                    field.clone()
                }
                _ => "q".to_string(),
            };
            (
                SearchRequest {
                    page: 1,
                    per_page: 20,
                    ..Default::default()
                },
                Some(FieldError {
                    field,
                    message: e.to_string(),
                }),
            )
        }
    };
    let page = match state.catalogue.search(&req).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "search failed");
            return render_status_page(StatusCode::INTERNAL_SERVER_ERROR, lang, state.config.demo);
        }
    };
    state.insights.record_search(&req.q, page.total);
    let heading = if req.q.is_empty() {
        t.all_services.to_string()
    } else {
        format!("{} “{}”", t.results_for, req.q)
    };
    let kept: Vec<(&str, String)> = vec![
        ("q", req.q.clone()),
        (
            "agency",
            req.agency
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default(),
        ),
        (
            "stage",
            req.stage
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        ),
        ("category", req.category.clone().unwrap_or_default()),
        (
            "channel",
            req.channel
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        ("life_event", req.life_event.clone().unwrap_or_default()),
    ];
    let here = uri
        .path_and_query()
        .map_or("/services".to_string(), |p| p.to_string());
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let view = ResultsPage {
        c: Chrome::new(lang, state.config.demo, &here),
        q: req.q.clone(),
        heading,
        error,
        filters: filters(&state, lang, &req),
        cards: page.items.iter().map(|h| card(h, lang)).collect(),
        total: page.total,
        pager: Pager::new("/services", &kept, &page),
    };
    render(status, &view)
}

fn filters(state: &AppState, lang: Lang, req: &SearchRequest) -> Vec<Filter> {
    let t = lang.strings();
    let snap = state.catalogue.snapshot();
    let opt = |value: &str, label: String, selected: bool| SelectOption {
        value: value.to_string(),
        label,
        selected,
    };
    let mut agencies: Vec<SelectOption> = snap
        .agencies()
        .filter(|a| snap.active_services_of(&a.code) > 0)
        .map(|a| {
            opt(
                a.code.as_str(),
                lang.pick(&a.name, &a.name_sw).to_string(),
                req.agency.as_ref() == Some(&a.code),
            )
        })
        .collect();
    agencies.sort_by(|a, b| a.label.cmp(&b.label));
    let slugs = |items: &[(String, usize)], chosen: &Option<String>| {
        items
            .iter()
            .map(|(s, _)| opt(s, slug_name(s, lang), chosen.as_deref() == Some(s)))
            .collect()
    };
    vec![
        Filter {
            name: "agency",
            label: t.filter_agency,
            options: agencies,
        },
        Filter {
            name: "stage",
            label: t.filter_stage,
            options: Stage::ALL
                .iter()
                .rev()
                .map(|s| opt(s.as_str(), t.stage(*s).to_string(), req.stage == Some(*s)))
                .collect(),
        },
        Filter {
            name: "channel",
            label: t.filter_channel,
            options: Channel::ALL
                .iter()
                .map(|c| {
                    opt(
                        c.as_str(),
                        t.channel(*c).to_string(),
                        req.channel == Some(*c),
                    )
                })
                .collect(),
        },
        Filter {
            name: "category",
            label: t.filter_category,
            options: slugs(snap.categories(), &req.category),
        },
        Filter {
            name: "life_event",
            label: t.filter_life_event,
            options: slugs(snap.life_events(), &req.life_event),
        },
    ]
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    c: Chrome,
    code: String,
    name: String,
    summary: String,
    description: String,
    eligibility: String,
    agency_code: String,
    agency_name: String,
    website: String,
    stage: &'static str,
    stage_label: &'static str,
    retired: bool,
    can_apply: bool,
    documents: Vec<String>,
    fees: Vec<(String, String)>,
    sla_days: Option<u32>,
    channels: Vec<&'static str>,
    in_person: Vec<super::centres::CentreRow>,
}

fn find_service(state: &AppState, code: &str) -> Option<SearchHit> {
    let code = ServiceCode::parse(code).ok()?;
    state.catalogue.snapshot().service(&code)
}

/// The service page: what it is, who can apply, documents, fee, time, channels, agency.
pub async fn service(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    let code = code.map(|Path(c)| c).unwrap_or_default();
    let Some(hit) = find_service(&state, &code) else {
        return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    };
    let s = &hit.entry.service;
    let t = lang.strings();
    let page = ServicePage {
        c: Chrome::new(lang, state.config.demo, &format!("/services/{}", s.code)),
        code: s.code.to_string(),
        name: lang.pick(&s.name, &s.name_sw).to_string(),
        summary: lang.pick(&s.summary, &s.summary_sw).to_string(),
        description: lang.pick(&s.description, &s.description_sw).to_string(),
        eligibility: lang.pick(&s.eligibility, &s.eligibility_sw).to_string(),
        agency_code: hit.agency.code.to_string(),
        agency_name: lang.pick(&hit.agency.name, &hit.agency.name_sw).to_string(),
        website: hit.agency.website.clone(),
        stage: s.stage.as_str(),
        stage_label: t.stage(s.stage),
        retired: s.status == Status::Retired,
        can_apply: s.is_online(),
        documents: document_rows(&hit, lang),
        fees: fee_rows(&hit, lang),
        sla_days: s.sla_days,
        channels: s.channels.iter().map(|c| t.channel(*c)).collect(),
        in_person: super::centres::offering(&state, lang, s.code.as_str()).await,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    c: Chrome,
    code: String,
    name: String,
    summary: String,
    website: String,
    documents: Vec<String>,
    fees: Vec<(String, String)>,
    sla_days: Option<u32>,
    /// The agency's own system, where this service is applied for.
    apply_url: Option<String>,
    agency: String,
}

/// The start page of an end-to-end service: what to have ready before applying.
pub async fn apply(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    let code = code.map(|Path(c)| c).unwrap_or_default();
    let hit = find_service(&state, &code).filter(|h| h.entry.service.is_online());
    let Some(hit) = hit else {
        return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    };
    let s = &hit.entry.service;
    let page = ApplyPage {
        c: Chrome::new(
            lang,
            state.config.demo,
            &format!("/services/{}/apply", s.code),
        ),
        code: s.code.to_string(),
        name: lang.pick(&s.name, &s.name_sw).to_string(),
        summary: lang.pick(&s.summary, &s.summary_sw).to_string(),
        website: hit.agency.website.clone(),
        documents: document_rows(&hit, lang),
        fees: fee_rows(&hit, lang),
        sla_days: s.sla_days,
        apply_url: s.apply_url.clone(),
        agency: lang.pick(&hit.agency.name, &hit.agency.name_sw).to_string(),
    };
    render(StatusCode::OK, &page)
}

struct AgencyItem {
    code: String,
    name: String,
    services: usize,
}

struct AgencyGroup {
    id: &'static str,
    label: String,
    agencies: Vec<AgencyItem>,
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    c: Chrome,
    groups: Vec<AgencyGroup>,
}

/// Every agency, grouped by level.
pub async fn agencies(State(state): State<AppState>, PageLang(lang): PageLang) -> Response {
    let snap = state.catalogue.snapshot();
    let t = lang.strings();
    let regional = lang.pick(
        &state.config.regional_label,
        &state.config.regional_label_sw,
    );
    let groups = Level::ALL
        .iter()
        .map(|level| {
            let mut agencies: Vec<AgencyItem> = snap
                .agencies()
                .filter(|a| a.level == *level)
                .map(|a| AgencyItem {
                    code: a.code.to_string(),
                    name: lang.pick(&a.name, &a.name_sw).to_string(),
                    services: snap.active_services_of(&a.code),
                })
                .collect();
            agencies.sort_by(|a, b| a.name.cmp(&b.name));
            AgencyGroup {
                id: level.as_str(),
                label: t.level(*level, regional).to_string(),
                agencies,
            }
        })
        .filter(|g| !g.agencies.is_empty())
        .collect();
    render(
        StatusCode::OK,
        &AgenciesPage {
            c: Chrome::new(lang, state.config.demo, "/agencies"),
            groups,
        },
    )
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    c: Chrome,
    name: String,
    level: String,
    parent: Option<(String, String)>,
    website: String,
    email: String,
    phone: String,
    phone_href: String,
    total: u64,
    cards: Vec<Card>,
    pager: Pager,
}

/// One agency and its services, a page at a time.
pub async fn agency(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    code: Result<Path<String>, PathRejection>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let code = code.map(|Path(c)| c).unwrap_or_default();
    let snap = state.catalogue.snapshot();
    let Some(a) = AgencyCode::parse(&code)
        .ok()
        .and_then(|c| snap.agency(&c).cloned())
    else {
        return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo);
    };
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let page_no = SearchParams {
        page: params.page,
        ..Default::default()
    }
    .parse()
    .map(|r| r.page)
    .unwrap_or(1);
    let req = SearchRequest {
        agency: Some(a.code.clone()),
        page: page_no,
        per_page: 20,
        ..Default::default()
    };
    let page = match state.catalogue.search(&req).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "agency listing failed");
            return render_status_page(StatusCode::INTERNAL_SERVER_ERROR, lang, state.config.demo);
        }
    };
    let regional = lang.pick(
        &state.config.regional_label,
        &state.config.regional_label_sw,
    );
    let parent = a
        .parent_code
        .as_ref()
        .and_then(|p| snap.agency(p))
        .map(|p| {
            (
                p.code.to_string(),
                lang.pick(&p.name, &p.name_sw).to_string(),
            )
        });
    let path = format!("/agencies/{}", a.code);
    let view = AgencyPage {
        c: Chrome::new(lang, state.config.demo, &path),
        name: lang.pick(&a.name, &a.name_sw).to_string(),
        level: lang.strings().level(a.level, regional).to_string(),
        parent,
        website: a.website.clone(),
        email: a.email.clone(),
        phone: a.phone.clone(),
        phone_href: a.phone.chars().filter(|c| !c.is_whitespace()).collect(),
        total: page.total,
        cards: page.items.iter().map(|h| card(h, lang)).collect(),
        pager: Pager::new(&path, &[], &page),
    };
    render(StatusCode::OK, &view)
}
