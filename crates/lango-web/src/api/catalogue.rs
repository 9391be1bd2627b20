//! `GET /api/v1/services`, `/api/v1/services/{code}`, `/api/v1/agencies`, `/api/v1/agencies/{code}`.

use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use lango_catalogue::search::RawSearch;
use lango_catalogue::{Agency, AgencyCode, SearchHit, SearchRequest, ServiceCode};
use lango_core::Error;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The catalogue routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_services))
        .routes(routes!(get_service))
        .routes(routes!(list_agencies))
        .routes(routes!(get_agency))
}

/// Search and filter parameters, shared by the API and the results page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to search for, in English or Kiswahili; typos are forgiven.
    pub q: Option<String>,
    /// Agency code.
    pub agency: Option<String>,
    /// `information`, `downloadable`, `partial` or `end_to_end`.
    pub stage: Option<String>,
    /// Topic slug.
    pub category: Option<String>,
    /// `online`, `centre`, `ussd` or `mobile`.
    pub channel: Option<String>,
    /// Life-event slug.
    pub life_event: Option<String>,
    /// Page number, from 1 (results are listed to a depth of 10,000).
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

impl SearchParams {
    /// Parses into a domain search request.
    pub fn parse(&self) -> Result<SearchRequest, Error> {
        SearchRequest::parse(RawSearch {
            q: self.q.as_deref(),
            agency: self.agency.as_deref(),
            stage: self.stage.as_deref(),
            category: self.category.as_deref(),
            channel: self.channel.as_deref(),
            life_event: self.life_event.as_deref(),
            page: self.page.as_deref(),
            per_page: self.per_page.as_deref(),
        })
    }
}

/// An agency as named in a service.
#[derive(Serialize, ToSchema)]
pub struct AgencyRef {
    code: String,
    name: String,
}

/// A fee: a decimal amount in major units.
#[derive(Serialize, ToSchema)]
pub struct FeeDto {
    /// What the fee is for; empty for a single fee.
    label: String,
    /// The label in Kiswahili; empty when it has none.
    label_sw: String,
    /// Decimal string in major units, e.g. "4550.00".
    amount: String,
    /// ISO 4217 code.
    currency: String,
}

/// A service in a list.
#[derive(Serialize, ToSchema)]
pub struct ServiceSummary {
    code: String,
    name: String,
    summary: String,
    agency: AgencyRef,
    /// `information`, `downloadable`, `partial` or `end_to_end`.
    stage: String,
    fees: Vec<FeeDto>,
    /// The service's page on the portal.
    url: String,
}

/// A page of services.
#[derive(Serialize, ToSchema)]
pub struct ServiceList {
    items: Vec<ServiceSummary>,
    total: u64,
    page: u32,
    per_page: u32,
}

/// A service in full, in both languages.
#[derive(Serialize, ToSchema)]
pub struct ServiceDetail {
    code: String,
    name: String,
    name_sw: String,
    summary: String,
    summary_sw: String,
    description: String,
    description_sw: String,
    eligibility: String,
    eligibility_sw: String,
    agency: AgencyRef,
    category: String,
    life_events: Vec<String>,
    channels: Vec<String>,
    stage: String,
    fees: Vec<FeeDto>,
    /// Working days promised, if any.
    sla_days: Option<u32>,
    documents: Vec<String>,
    /// The documents in Kiswahili, item for item (an untranslated one in English).
    documents_sw: Vec<String>,
    keywords: Vec<String>,
    /// `active` or `retired`.
    status: String,
    url: String,
    /// Where the service is applied for, when it runs on the agency's own system (people
    /// sign in there with their Lango account); absent when it runs on Lango.
    #[serde(skip_serializing_if = "Option::is_none")]
    apply_url: Option<String>,
}

/// An agency.
#[derive(Serialize, ToSchema)]
pub struct AgencyDto {
    code: String,
    name: String,
    name_sw: String,
    /// `national`, `regional` or `local`.
    level: String,
    parent_code: Option<String>,
    website: String,
    /// Number of active services.
    services: usize,
    url: String,
}

/// Every agency.
#[derive(Serialize, ToSchema)]
pub struct AgencyList {
    items: Vec<AgencyDto>,
    total: usize,
}

fn fees(hit: &SearchHit) -> Vec<FeeDto> {
    hit.entry
        .service
        .fees
        .iter()
        .map(|f| FeeDto {
            label: f.label.clone(),
            label_sw: f.label_sw.clone(),
            amount: f.amount.to_decimal(),
            currency: f.amount.currency().code().to_string(),
        })
        .collect()
}

fn summary(base: &str, hit: &SearchHit) -> ServiceSummary {
    let s = &hit.entry.service;
    ServiceSummary {
        code: s.code.to_string(),
        name: s.name.clone(),
        summary: s.summary.clone(),
        agency: AgencyRef {
            code: hit.agency.code.to_string(),
            name: hit.agency.name.clone(),
        },
        stage: s.stage.as_str().to_string(),
        fees: fees(hit),
        url: format!("{base}/services/{}", s.code),
    }
}

fn agency_dto(base: &str, a: &Agency, services: usize) -> AgencyDto {
    AgencyDto {
        code: a.code.to_string(),
        name: a.name.clone(),
        name_sw: a.name_sw.clone(),
        level: a.level.as_str().to_string(),
        parent_code: a.parent_code.as_ref().map(|p| p.to_string()),
        website: a.website.clone(),
        services,
        url: format!("{base}/agencies/{}", a.code),
    }
}

/// Search the catalogue.
#[utoipa::path(
    get, path = "/api/v1/services", tag = "catalogue",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of services, best match first (by name when there is no query)", body = ServiceList),
        (status = 400, description = "A parameter was refused", body = ErrorBody)
    )
)]
async fn list_services(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<ServiceList>, ApiError> {
    let Query(params) = params?;
    // Pages send empty numbers from their forms (read as the default); an API call that
    // names one gives a number.
    for (field, v) in [("page", &params.page), ("per_page", &params.per_page)] {
        if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err(Error::invalid(field, format!("{field} must be a whole number")).into());
        }
    }
    let req = params.parse()?;
    let page = state.catalogue.search(&req).await?;
    state.insights.record_search(&req.q, page.total);
    let base = &state.config.public_url;
    Ok(Json(ServiceList {
        items: page.items.iter().map(|h| summary(base, h)).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One service in full.
#[utoipa::path(
    get, path = "/api/v1/services/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Service code, e.g. DIS-PASSPORT")),
    responses(
        (status = 200, description = "The service", body = ServiceDetail),
        (status = 404, description = "No such service", body = ErrorBody)
    )
)]
async fn get_service(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
) -> Result<Json<ServiceDetail>, ApiError> {
    let code = code.map(|Path(c)| c).unwrap_or_default();
    let not_found = || {
        Error::NotFound(format!(
            "service {:?}",
            code.chars().take(40).collect::<String>()
        ))
    };
    let code_parsed = ServiceCode::parse(&code).map_err(|_| not_found())?;
    let hit = state
        .catalogue
        .snapshot()
        .service(&code_parsed)
        .ok_or_else(not_found)?;
    let s = &hit.entry.service;
    Ok(Json(ServiceDetail {
        code: s.code.to_string(),
        name: s.name.clone(),
        name_sw: s.name_sw.clone(),
        summary: s.summary.clone(),
        summary_sw: s.summary_sw.clone(),
        description: s.description.clone(),
        description_sw: s.description_sw.clone(),
        eligibility: s.eligibility.clone(),
        eligibility_sw: s.eligibility_sw.clone(),
        agency: AgencyRef {
            code: hit.agency.code.to_string(),
            name: hit.agency.name.clone(),
        },
        category: s.category.clone(),
        life_events: s.life_events.clone(),
        channels: s.channels.iter().map(|c| c.as_str().to_string()).collect(),
        stage: s.stage.as_str().to_string(),
        fees: fees(&hit),
        sla_days: s.sla_days,
        documents: s.documents.clone(),
        documents_sw: s.documents_in(true),
        keywords: s.keywords.clone(),
        status: s.status.as_str().to_string(),
        url: format!("{}/services/{}", state.config.public_url, s.code),
        apply_url: s.apply_url.clone(),
    }))
}

/// Every agency, by code.
#[utoipa::path(
    get, path = "/api/v1/agencies", tag = "catalogue",
    responses((status = 200, description = "Every agency", body = AgencyList))
)]
async fn list_agencies(State(state): State<AppState>) -> Json<AgencyList> {
    let snap = state.catalogue.snapshot();
    let base = &state.config.public_url;
    let items: Vec<AgencyDto> = snap
        .agencies()
        .map(|a| agency_dto(base, a, snap.active_services_of(&a.code)))
        .collect();
    Json(AgencyList {
        total: items.len(),
        items,
    })
}

/// One agency.
#[utoipa::path(
    get, path = "/api/v1/agencies/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Agency code, e.g. NTSA")),
    responses(
        (status = 200, description = "The agency", body = AgencyDto),
        (status = 404, description = "No such agency", body = ErrorBody)
    )
)]
async fn get_agency(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
) -> Result<Json<AgencyDto>, ApiError> {
    let code = code.map(|Path(c)| c).unwrap_or_default();
    let not_found = || {
        Error::NotFound(format!(
            "agency {:?}",
            code.chars().take(40).collect::<String>()
        ))
    };
    let code = AgencyCode::parse(&code).map_err(|_| not_found())?;
    let snap = state.catalogue.snapshot();
    let a = snap.agency(&code).ok_or_else(not_found)?;
    Ok(Json(agency_dto(
        &state.config.public_url,
        a,
        snap.active_services_of(&a.code),
    )))
}
