//! Registered agents: the public directory (`GET /api/v1/agents`) and an agent's monthly
//! commission statement for its own key (`statements:read`).

use super::auth::Agent as Caller;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use lango_agents::model::Agent;
use lango_agents::statement::{self, Statement};
use lango_identity::policy::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The agent routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(statement_of))
}

/// Filters of the directory.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only agents in this county.
    pub county: Option<String>,
    /// Only agents that help with this service code.
    pub service: Option<String>,
}

/// An approved agent in the directory.
#[derive(Serialize, ToSchema)]
pub struct AgentDto {
    /// Its code, e.g. `AG00001`.
    pub code: String,
    /// The name people know it by.
    pub name: String,
    /// Its county.
    pub county: String,
    /// Where to find it.
    pub location: String,
    /// Its phone.
    pub phone: String,
    /// The service codes it helps with.
    pub services: Vec<String>,
}

/// The directory.
#[derive(Serialize, ToSchema)]
pub struct AgentList {
    /// The agents.
    pub items: Vec<AgentDto>,
    /// How many.
    pub total: usize,
}

fn dto(a: Agent) -> AgentDto {
    AgentDto {
        code: a.code,
        name: a.name,
        county: a.county,
        location: a.location,
        phone: a.phone,
        services: a.services,
    }
}

/// Approved agents, by county and service when asked ("find help near you").
#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", params(ListParams),
    responses((status = 200, body = AgentList)))]
async fn list(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Json<AgentList>, ApiError> {
    let items: Vec<AgentDto> =
        lango_agents::registry::directory(&state.db, p.county.as_deref(), p.service.as_deref())
            .await?
            .into_iter()
            .map(dto)
            .collect();
    Ok(Json(AgentList {
        total: items.len(),
        items,
    }))
}

/// Which month.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthParams {
    /// `YYYY-MM` (East Africa Time); this month when left out.
    pub month: Option<String>,
}

/// One line of a statement.
#[derive(Serialize, ToSchema)]
pub struct LineDto {
    /// The bill's reference (its payment number).
    pub bill_reference: String,
    /// The service.
    pub service: String,
    /// When it was paid (for a clawback: when it was clawed back), RFC 3339.
    pub paid_at: String,
    /// The bill's service amount, e.g. `"50.00"`.
    pub amount: String,
    /// The commission; negative for a clawback.
    pub commission: String,
}

/// An agent's statement for a month.
#[derive(Serialize, ToSchema)]
pub struct StatementDto {
    /// The agent's code.
    pub agent: String,
    /// `YYYY-MM`.
    pub month: String,
    /// ISO 4217.
    pub currency: String,
    /// Bills paid in the month and commission clawed back in it.
    pub lines: Vec<LineDto>,
    /// What the month owes the agent.
    pub total_commission: String,
}

impl From<Statement> for StatementDto {
    fn from(s: Statement) -> StatementDto {
        StatementDto {
            agent: s.agent,
            month: s.month,
            currency: s.currency,
            lines: s
                .lines
                .into_iter()
                .map(|l| LineDto {
                    bill_reference: l.bill_reference,
                    service: l.service,
                    paid_at: l.paid_at,
                    amount: l.amount,
                    commission: l.commission,
                })
                .collect(),
            total_commission: s.total_commission,
        }
    }
}

/// An agent's commission statement for a month, for the agent's own key.
#[utoipa::path(get, path = "/api/v1/agents/{code}/statement", tag = "agents",
    params(("code" = String, Path, description = "The agent's code"), MonthParams),
    security(("api_key" = [])),
    responses((status = 200, body = StatementDto), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn statement_of(
    State(state): State<AppState>,
    Caller(client): Caller,
    Path(code): Path<String>,
    Query(p): Query<MonthParams>,
) -> Result<Json<StatementDto>, ApiError> {
    let month = p.month.unwrap_or_default();
    let s = statement::statement(&state.db, &Actor::ApiClient(client), &code, &month).await?;
    Ok(Json(s.into()))
}
