//! Service centres for the public and for centres' own systems: the directory
//! (`GET /api/v1/centres`), a centre's slots, appointments (`appointments:write`), and the
//! queue for ticket printers, counter keypads and boards (`queue:write`).

use super::auth::{Agent, AgentCall};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_centres::appointments::{Booking, Channel};
use lango_centres::calendar::{local_rfc3339, parse_rfc3339};
use lango_centres::model::{clock, Centre, DAYS};
use lango_centres::queue::{Act, Issue, Ticket};
use lango_core::Error;
use lango_identity::policy::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The centre routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(slots))
        .routes(routes!(book))
        .routes(routes!(cancel))
        .routes(routes!(issue))
        .routes(routes!(call))
        .routes(routes!(done))
}

/// Filters of the directory.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only centres in this county (a mobile centre: also where it stops).
    pub county: Option<String>,
    /// Only centres offering this service code.
    pub service: Option<String>,
}

/// Opening hours on one day.
#[derive(Serialize, ToSchema)]
pub struct HoursDto {
    /// `mon` … `sun`.
    pub day: &'static str,
    /// `HH:MM`, East Africa Time.
    pub opens: String,
    /// `HH:MM`, East Africa Time.
    pub closes: String,
}

/// A centre in the directory.
#[derive(Serialize, ToSchema)]
pub struct CentreDto {
    /// Its code, e.g. `HC-GPO`.
    pub code: String,
    /// Its name.
    pub name: String,
    /// `huduma`, `office` or `mobile`.
    pub kind: String,
    /// Its county.
    pub county: String,
    /// Its address.
    pub address: String,
    /// Latitude, degrees.
    pub latitude: String,
    /// Longitude, degrees.
    pub longitude: String,
    /// Weekly hours (a mobile centre: none; see its schedule).
    pub hours: Vec<HoursDto>,
    /// Service codes it offers.
    pub services: Vec<String>,
}

/// A counter.
#[derive(Serialize, ToSchema)]
pub struct CounterDto {
    /// Its code, as the board shows it.
    pub code: String,
    /// The services it serves.
    pub services: Vec<String>,
}

/// A mobile centre's stop.
#[derive(Serialize, ToSchema)]
pub struct StopDto {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Where.
    pub place: String,
    /// The county.
    pub county: String,
    /// `HH:MM`.
    pub opens: String,
    /// `HH:MM`.
    pub closes: String,
}

/// A centre with its counters (and a mobile centre's schedule).
#[derive(Serialize, ToSchema)]
pub struct CentreDetail {
    #[serde(flatten)]
    centre: CentreDto,
    /// Its counters.
    pub counters: Vec<CounterDto>,
    /// A mobile centre's stops from today on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<StopDto>>,
}

/// The directory.
#[derive(Serialize, ToSchema)]
pub struct CentreList {
    /// The centres.
    pub items: Vec<CentreDto>,
    /// How many.
    pub total: usize,
}

fn dto(c: &Centre) -> CentreDto {
    let (latitude, longitude) = c.coordinates();
    CentreDto {
        code: c.code.clone(),
        name: c.name.clone(),
        kind: c.kind.to_string(),
        county: c.county.clone(),
        address: c.address.clone(),
        latitude,
        longitude,
        hours: c
            .hours
            .iter()
            .map(|h| HoursDto {
                day: DAYS[h.day as usize],
                opens: clock(h.opens),
                closes: clock(h.closes),
            })
            .collect(),
        services: c.offers.iter().map(|o| o.service.clone()).collect(),
    }
}

/// Every open centre, by county then name; filter by county or service.
#[utoipa::path(get, path = "/api/v1/centres", tag = "centres", params(ListParams),
    responses((status = 200, body = CentreList)))]
async fn list(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Json<CentreList>, ApiError> {
    let county = p.county.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let service = p
        .service
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let items: Vec<CentreDto> = state
        .centres
        .list(county, service)
        .await?
        .iter()
        .map(dto)
        .collect();
    Ok(Json(CentreList {
        total: items.len(),
        items,
    }))
}

/// One centre, with its counters and, for a mobile centre, its schedule.
#[utoipa::path(get, path = "/api/v1/centres/{code}", tag = "centres",
    params(("code" = String, Path, description = "The centre's code, e.g. HC-GPO")),
    responses((status = 200, body = CentreDetail), (status = 404, body = ErrorBody)))]
async fn one(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<CentreDetail>, ApiError> {
    let c = state.centres.get(&code).await?;
    let today = lango_centres::calendar::today();
    Ok(Json(CentreDetail {
        centre: dto(&c),
        counters: c
            .counters
            .iter()
            .map(|k| CounterDto {
                code: k.code.clone(),
                services: k.services.clone(),
            })
            .collect(),
        schedule: (c.kind == lango_centres::model::Kind::Mobile).then(|| {
            c.schedule
                .iter()
                .filter(|v| v.date >= today)
                .map(|v| StopDto {
                    date: v.date.clone(),
                    place: v.place.clone(),
                    county: v.county.clone(),
                    opens: clock(v.opens),
                    closes: clock(v.closes),
                })
                .collect()
        }),
    }))
}

/// A day's slots.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotParams {
    /// The service's code.
    pub service: String,
    /// `YYYY-MM-DD`, East Africa Time.
    pub date: String,
}

/// A slot.
#[derive(Serialize, ToSchema)]
pub struct SlotDto {
    /// Its start, RFC 3339 in East Africa Time.
    pub start: String,
    /// Places left.
    pub available: u32,
}

/// A day's slots.
#[derive(Serialize, ToSchema)]
pub struct SlotList {
    /// The slots still to come that day, full ones included (`available` 0).
    pub items: Vec<SlotDto>,
}

/// The appointment slots of a service at a centre on a day (empty when it is closed).
#[utoipa::path(get, path = "/api/v1/centres/{code}/slots", tag = "centres",
    params(("code" = String, Path, description = "The centre's code"), SlotParams),
    responses((status = 200, body = SlotList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn slots(
    State(state): State<AppState>,
    Path(code): Path<String>,
    params: Result<Query<SlotParams>, QueryRejection>,
) -> Result<Json<SlotList>, ApiError> {
    let Query(p) = params?;
    let c = state.centres.get(&code).await?;
    let items = state
        .centres
        .slots(&c, &p.service, p.date.trim())
        .await?
        .into_iter()
        .map(|s| SlotDto {
            start: local_rfc3339(s.start_ms),
            available: s.available,
        })
        .collect();
    Ok(Json(SlotList { items }))
}

/// A booking by a centre's system.
#[derive(Deserialize, ToSchema)]
pub struct BookRequest {
    /// The centre's code.
    pub centre: String,
    /// The service's code.
    pub service: String,
    /// The slot's start, RFC 3339 with its offset (any zone; `…T09:00:00+03:00`).
    pub start: String,
    /// The person's name.
    pub name: String,
    /// Their mobile number (the confirmation and reminder go there).
    pub phone: String,
    /// Their ID or passport number: one booking per number, service and day.
    pub id_number: String,
}

/// An appointment.
#[derive(Serialize, ToSchema)]
pub struct AppointmentDto {
    /// Its reference, e.g. `M7K3M9QX`.
    pub reference: String,
    /// `booked`, `checked_in`, `cancelled` or `no_show`.
    pub status: String,
    /// The centre's code.
    pub centre: String,
    /// The service's code.
    pub service: String,
    /// Its start, RFC 3339 in East Africa Time.
    pub start: String,
}

fn appointment_dto(a: &lango_centres::appointments::Appointment) -> AppointmentDto {
    AppointmentDto {
        reference: a.reference.clone(),
        status: a.status.to_string(),
        centre: a.centre.clone(),
        service: a.service.clone(),
        start: a.start(),
    }
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text()))
}

/// Books an appointment for a person at one of the calling agency's centres. A full slot
/// is `409 slot_full`; the same ID number twice for one service on one day is
/// `409 already_booked`; a past, closed or unknown slot, centre or service is `400`.
#[utoipa::path(post, path = "/api/v1/appointments", tag = "centres", security(("api_key" = [])),
    request_body = BookRequest,
    responses((status = 201, body = AppointmentDto), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn book(
    State(state): State<AppState>,
    agent: Agent,
    body: Result<Json<BookRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<AppointmentDto>), ApiError> {
    let req = json_body(body)?;
    let start_ms = parse_rfc3339(&req.start).ok_or_else(|| {
        ApiError::from(Error::invalid(
            "start",
            "give the start as RFC 3339 with its offset, such as 2026-12-07T09:00:00+03:00",
        ))
    })?;
    let booking = Booking {
        centre: req.centre,
        service: req.service,
        start_ms,
        name: req.name,
        phone: req.phone,
        id_number: req.id_number,
        account_id: None,
        channel: Channel::Api,
        language: "en".into(),
    };
    let a = state
        .centres
        .book(&Actor::ApiClient(agent.0), &booking)
        .await
        .map_err(|e| match e {
            // An unknown centre named in the body is a bad request, not a missing resource.
            Error::NotFound(what) => Error::invalid("centre", format!("no such centre: {what}")),
            other => other,
        })?;
    Ok((StatusCode::CREATED, Json(appointment_dto(&a))))
}

/// Cancels an appointment, giving its place back; cancelling again answers the same.
#[utoipa::path(post, path = "/api/v1/appointments/{reference}/cancel", tag = "centres", security(("api_key" = [])),
    params(("reference" = String, Path, description = "The appointment's reference")),
    responses((status = 200, body = AppointmentDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    agent: Agent,
    Path(reference): Path<String>,
) -> Result<Json<AppointmentDto>, ApiError> {
    let a = state
        .centres
        .cancel(&Actor::ApiClient(agent.0), &reference, "en")
        .await?;
    Ok(Json(appointment_dto(&a)))
}

/// A ticket to issue.
#[derive(Deserialize, ToSchema)]
pub struct TicketRequest {
    /// The service's code (left out when checking in an appointment).
    #[serde(default)]
    pub service: String,
    /// True for the centre's first priority lane (elderly, disability, pregnancy);
    /// `lane` names one.
    #[serde(default)]
    pub priority: bool,
    /// A priority lane the centre runs: `elderly`, `disability`, `pregnancy`.
    #[serde(default)]
    pub lane: Option<String>,
    /// The reference of an appointment checking in (today's, at this centre).
    #[serde(default)]
    pub appointment: Option<String>,
    /// A mobile number for the "nearly your turn" SMS.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A ticket.
#[derive(Serialize, ToSchema)]
pub struct TicketDto {
    /// Its number, e.g. `A012`.
    pub number: String,
    /// The service's code.
    pub service: String,
    /// `waiting`, `called`, `held`, `served` or `no_show`.
    pub status: String,
    /// The counter it was called to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<String>,
    /// People ahead of it, itself included (on issue).
    pub position: i64,
    /// Minutes it may wait (on issue).
    pub estimated_wait_minutes: i64,
    /// When it was issued, RFC 3339 UTC.
    pub issued_at: String,
}

fn ticket_dto(t: &Ticket) -> TicketDto {
    TicketDto {
        number: t.number.clone(),
        service: t.service.clone(),
        status: t.status.to_string(),
        counter: t.counter.clone(),
        position: t.position,
        estimated_wait_minutes: t.estimated_wait_minutes,
        issued_at: lango_core::clock::Civil::rfc3339(t.issued_at),
    }
}

/// Issues a queue ticket at a centre: a walk-in for a service, or an appointment checking in.
#[utoipa::path(post, path = "/api/v1/centres/{code}/tickets", tag = "centres", security(("api_key" = [])),
    request_body = TicketRequest,
    params(("code" = String, Path, description = "The centre's code")),
    responses((status = 201, body = TicketDto), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn issue(
    State(state): State<AppState>,
    agent: AgentCall,
    Path(code): Path<String>,
    body: Result<Json<TicketRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<TicketDto>), ApiError> {
    agent
        .logged(&state, async |actor, line| {
            let req = json_body(body)?;
            let c = state.centres.get(&code).await?;
            let lane = req.lane.or_else(|| {
                req.priority.then(|| {
                    c.lanes
                        .iter()
                        .find(|l| *l != "appointment")
                        .cloned()
                        .unwrap_or_default()
                })
            });
            let issue = Issue {
                service: req.service,
                lane,
                appointment: req.appointment.filter(|a| !a.trim().is_empty()),
                phone: req.phone,
                channel: "api".into(),
            };
            let t = state.centres.issue_with(actor, &c, issue, line).await?;
            Ok((StatusCode::CREATED, Json(ticket_dto(&t))))
        })
        .await
}

/// Calls the next ticket for a counter's services (finishing the one it served), or `204`
/// when nobody waits.
#[utoipa::path(post, path = "/api/v1/centres/{code}/counters/{counter}/call", tag = "centres", security(("api_key" = [])),
    params(("code" = String, Path, description = "The centre's code"), ("counter" = String, Path, description = "The counter's code")),
    responses((status = 200, body = TicketDto), (status = 204, description = "Nobody waits for this counter's services"), (status = 404, body = ErrorBody)))]
async fn call(
    State(state): State<AppState>,
    agent: AgentCall,
    Path((code, counter)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    agent
        .logged(&state, async |actor, line| {
            let c = state.centres.get(&code).await?;
            Ok(
                match state.centres.call_with(actor, &c, &counter, line).await? {
                    Some(t) => Json(ticket_dto(&t)).into_response(),
                    None => StatusCode::NO_CONTENT.into_response(),
                },
            )
        })
        .await
}

/// Finishes a ticket being served.
#[utoipa::path(post, path = "/api/v1/centres/{code}/tickets/{number}/done", tag = "centres", security(("api_key" = [])),
    params(("code" = String, Path, description = "The centre's code"), ("number" = String, Path, description = "The ticket's number, e.g. A012")),
    responses((status = 200, body = TicketDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn done(
    State(state): State<AppState>,
    agent: AgentCall,
    Path((code, number)): Path<(String, String)>,
) -> Result<Json<TicketDto>, ApiError> {
    agent
        .logged(&state, async |actor, line| {
            let c = state.centres.get(&code).await?;
            let t = state
                .centres
                .act_with(actor, &c, &number, Act::Done, None, line)
                .await?;
            Ok(Json(ticket_dto(&t)))
        })
        .await
}
