//! Public pages of service centres: the directory (`/centres`, by county and service), a
//! centre's page, the display board of its hall, and the list of centres on a service page.

use super::{render, render_status_page, Chrome, PageLang};
use crate::i18n::Lang;
use crate::words::tr;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use lango_centres::model::{clock, Centre, Kind, DAYS};
use serde::Deserialize;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/centres", get(directory))
        .route("/centres/{code}", get(centre))
        .route("/centres/{code}/board", get(board))
}

/// A service's name in `lang`, from the live catalogue (its code when it has none).
pub fn service_name(state: &AppState, lang: Lang, code: &str) -> String {
    lango_catalogue::ServiceCode::parse(code)
        .ok()
        .and_then(|c| state.catalogue.snapshot().service(&c))
        .map(|h| {
            lang.pick(&h.entry.service.name, &h.entry.service.name_sw)
                .to_string()
        })
        .unwrap_or_else(|| code.to_string())
}

/// A centre as a list shows it.
pub struct CentreRow {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// What sort of place, in words.
    pub kind: &'static str,
    /// Its address.
    pub address: String,
    /// Its county.
    pub county: String,
}

fn row(lang: Lang, c: &Centre) -> CentreRow {
    CentreRow {
        code: c.code.clone(),
        name: c.name_in(lang.tag()).to_string(),
        kind: tr(lang, &format!("centre_kind_{}", c.kind.as_str())),
        address: c.address.clone(),
        county: c.county.clone(),
    }
}

#[derive(Template)]
#[template(path = "centres.html")]
struct DirectoryPage {
    c: Chrome,
    counties: Vec<(String, bool)>,
    services: Vec<(String, String, bool)>,
    groups: Vec<(String, Vec<CentreRow>)>,
    total: usize,
}

/// The directory's filters.
#[derive(Deserialize, Default)]
pub struct DirectoryParams {
    county: Option<String>,
    service: Option<String>,
}

/// `GET /centres`: every open centre by county, filtered by county and service.
async fn directory(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    params: Result<Query<DirectoryParams>, QueryRejection>,
) -> Response {
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let county = p.county.filter(|s| !s.trim().is_empty());
    let service = p.service.filter(|s| !s.trim().is_empty());
    let all = match state.centres.list(None, None).await {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let mut counties: Vec<String> = all.iter().map(|c| c.county.clone()).collect();
    counties.sort();
    counties.dedup();
    let mut offered: Vec<String> = all
        .iter()
        .flat_map(|c| c.offers.iter().map(|o| o.service.clone()))
        .collect();
    offered.sort();
    offered.dedup();
    let shown = match state
        .centres
        .list(county.as_deref(), service.as_deref())
        .await
    {
        Ok(a) => a,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let mut groups: Vec<(String, Vec<CentreRow>)> = Vec::new();
    for c in &shown {
        match groups.last_mut() {
            Some((k, rows)) if *k == c.county => rows.push(row(lang, c)),
            _ => groups.push((c.county.clone(), vec![row(lang, c)])),
        }
    }
    let mut services: Vec<(String, String, bool)> = offered
        .iter()
        .map(|code| {
            (
                code.clone(),
                service_name(&state, lang, code),
                service
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(code)),
            )
        })
        .collect();
    services.sort_by(|a, b| a.1.cmp(&b.1));
    let page = DirectoryPage {
        c: Chrome::new(lang, state.config.demo, "/centres"),
        counties: counties
            .into_iter()
            .map(|k| (k.clone(), county.as_deref() == Some(k.as_str())))
            .collect(),
        services,
        total: shown.len(),
        groups,
    };
    render(StatusCode::OK, &page)
}

/// A service at a centre, as its page lists it.
pub struct OfferRow {
    /// The service's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Places a day.
    pub cap: u32,
    /// Minutes at the counter.
    pub minutes: u16,
    /// Bookable here (some counter serves it).
    pub bookable: bool,
}

#[derive(Template)]
#[template(path = "centre.html")]
struct CentrePage {
    c: Chrome,
    r: CentreRow,
    mobile: bool,
    hours: Vec<(&'static str, String)>,
    schedule: Vec<(String, String, String)>,
    closures: Vec<(String, String)>,
    offers: Vec<OfferRow>,
    map: String,
}

/// `GET /centres/{code}`: where it is, when it opens, what it offers, with booking links.
async fn centre(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path(code): Path<String>,
) -> Response {
    let c = match state.centres.get(&code).await {
        Ok(c) => c,
        Err(_) => return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
    };
    let closures = state.centres.closures(&c).await.unwrap_or_default();
    let today = lango_centres::calendar::today();
    let (lat, lon) = c.coordinates();
    let page = CentrePage {
        c: Chrome::new(lang, state.config.demo, &format!("/centres/{}", c.code)),
        mobile: c.kind == Kind::Mobile,
        hours: (0..7u8)
            .map(|d| {
                let day = tr(lang, &format!("day_{}", DAYS[d as usize]));
                let hours = c.hours.iter().find(|h| h.day == d).map_or_else(
                    || tr(lang, "centre_closed_day").to_string(),
                    |h| format!("{}–{}", clock(h.opens), clock(h.closes)),
                );
                (day, hours)
            })
            .collect(),
        schedule: c
            .schedule
            .iter()
            .filter(|v| v.date >= today)
            .take(14)
            .map(|v| {
                (
                    v.date.clone(),
                    format!("{}–{}", clock(v.opens), clock(v.closes)),
                    format!("{}, {}", v.place, v.county),
                )
            })
            .collect(),
        closures: closures
            .into_iter()
            .take(10)
            .map(|k| {
                let reason = lango_centres::calendar::reason_in(&k.reason, lang.tag()).to_string();
                (k.day, reason)
            })
            .collect(),
        offers: c
            .offers
            .iter()
            .map(|o| OfferRow {
                code: o.service.clone(),
                name: service_name(&state, lang, &o.service),
                cap: o.daily_cap,
                minutes: o.minutes,
                bookable: c.counters_for(&o.service) > 0,
            })
            .collect(),
        map: format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"),
        r: row(lang, &c),
    };
    render(StatusCode::OK, &page)
}

/// One call on the board.
pub struct BoardCall {
    /// The ticket's number.
    pub number: String,
    /// The counter.
    pub counter: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    name: String,
    name_sw: String,
    latest: Option<BoardCall>,
    earlier: Vec<BoardCall>,
    lines: Vec<(char, String, i64)>,
    code: String,
    still: bool,
}

impl BoardPage {
    fn en(&self, key: &str) -> &'static str {
        tr(Lang::En, key)
    }

    fn local(&self, key: &str) -> &'static str {
        tr(Lang::local(), key)
    }

    fn local_tag(&self) -> &'static str {
        Lang::local().tag()
    }
}

/// Whether the board should stay still.
#[derive(Deserialize, Default)]
pub struct BoardParams {
    still: Option<String>,
}

/// `GET /centres/{code}/board`: the hall's display board, in large type and both languages,
/// refreshing itself every five seconds without JavaScript (the HTTP `Refresh` header), with
/// a link that stops it for someone reading at their own pace (WCAG 2.2.1).
async fn board(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Path(code): Path<String>,
    params: Result<Query<BoardParams>, QueryRejection>,
) -> Response {
    let still = params.map(|Query(p)| p.still.is_some()).unwrap_or(false);
    let c = match state.centres.get(&code).await {
        Ok(c) => c,
        Err(_) => return render_status_page(StatusCode::NOT_FOUND, lang, state.config.demo),
    };
    let hall = match state.centres.hall(&c).await {
        Ok(h) => h,
        Err(e) => return crate::error::page_error(&state, lang, e),
    };
    let mut calls = hall.called.into_iter().map(|k| BoardCall {
        number: k.number,
        counter: k.counter,
    });
    let page = BoardPage {
        name: c.name.clone(),
        name_sw: c.name_sw.clone(),
        latest: calls.next(),
        earlier: calls.collect(),
        code: c.code.clone(),
        still,
        lines: hall
            .lines
            .iter()
            .filter(|l| l.waiting > 0)
            .map(|l| {
                (
                    l.letter,
                    service_name(&state, Lang::En, &l.service),
                    l.waiting,
                )
            })
            .collect(),
    };
    let mut res = render(StatusCode::OK, &page);
    if !still {
        res.headers_mut()
            .insert("refresh", axum::http::HeaderValue::from_static("5"));
    }
    res
}

/// The centres offering service `code`, for its page: (code, name, county).
pub async fn offering(state: &AppState, lang: Lang, code: &str) -> Vec<CentreRow> {
    state
        .centres
        .list(None, Some(code))
        .await
        .unwrap_or_default()
        .iter()
        .map(|c| row(lang, c))
        .collect()
}
