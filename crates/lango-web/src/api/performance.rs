//! Performance contracts as JSON: the periods, the league of a period, one agency's scores
//! with every step, and (for the performance office) saving a period or a contract.
//!
//! Reading is public. Saving is done by a signed-in member of the performance office: the
//! browser session's cookie and, against cross-site requests, its CSRF token in the
//! `X-CSRF-Token` header (the `csrf` value of any form on the pages). Agency API keys
//! cannot save: targets are set by the office, not by the agencies measured against them.

use crate::error::{ApiError, ErrorBody};
use crate::visitor::{cookie_name, read_cookie, SESSION};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRef, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_identity::policy::Actor;
use lango_insights::performance::{League, Problem, Standing};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This module's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(periods))
        .routes(routes!(league))
        .routes(routes!(score))
        .routes(routes!(put_period))
        .routes(routes!(put_contract))
}

/// A period.
#[derive(Serialize, ToSchema)]
pub struct PeriodBody {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub starts: String,
    /// Last day, included.
    pub ends: String,
}

/// A point of the achievement → raw score map.
#[derive(Serialize, ToSchema)]
pub struct AnchorBody {
    /// Achievement, percent of target (decimal string).
    pub achievement: String,
    /// Raw score there (decimal string).
    pub raw: String,
}

/// A grade band.
#[derive(Serialize, ToSchema)]
pub struct GradeBody {
    /// Its name.
    pub name: String,
    /// Lowest composite in it.
    pub from: String,
    /// Highest composite in it.
    pub to: String,
}

/// The scale of a period.
#[derive(Serialize, ToSchema)]
pub struct ScaleBody {
    /// The best raw score.
    pub best: String,
    /// The worst raw score.
    pub worst: String,
    /// True when a lower score is better.
    pub lower_is_better: bool,
    /// Achievement → raw score.
    pub anchors: Vec<AnchorBody>,
    /// Grade bands.
    pub grades: Vec<GradeBody>,
}

/// An agency in the league.
#[derive(Serialize, ToSchema)]
pub struct StandingBody {
    /// Its code.
    pub agency: String,
    /// Its name.
    pub name: String,
    /// Its rank in its category (1 best); `null` when unranked (no data).
    pub rank: Option<u32>,
    /// Composite score to 4 places (decimal string); `null` when there is no data.
    pub composite: Option<String>,
    /// Its grade; `null` when there is no composite.
    pub grade: Option<String>,
}

/// A category's ranking.
#[derive(Serialize, ToSchema)]
pub struct CategoryBody {
    /// The category.
    pub category: String,
    /// Its agencies, best first, unranked last.
    pub agencies: Vec<StandingBody>,
}

/// A period's league.
#[derive(Serialize, ToSchema)]
pub struct LeagueBody {
    /// The period.
    pub period: PeriodBody,
    /// Its scale.
    pub scale: ScaleBody,
    /// Each category, alphabetically.
    pub categories: Vec<CategoryBody>,
}

/// One indicator's score, step by step.
#[derive(Serialize, ToSchema)]
pub struct IndicatorBody {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `measure:NAME` (computed) or `entered:UNIT`.
    pub source: String,
    /// The currency of an amount.
    pub currency: Option<String>,
    /// `higher_is_better` or `lower_is_better`.
    pub direction: String,
    /// Weight, percent (decimal string).
    pub weight: String,
    /// Target (decimal string).
    pub target: String,
    /// Actual value to 4 places (decimal string); `null` when there is no data.
    pub actual: Option<String>,
    /// What the actual was made of (`1035 of 1100`, an amount, the evidence).
    pub basis: Option<String>,
    /// Achievement, percent to 2 places; `"∞"` when lower is better and the actual is 0.
    pub achievement: Option<String>,
    /// Raw score to 4 places.
    pub raw: Option<String>,
    /// Weighted score, exact.
    pub weighted: Option<String>,
}

/// An agency's scores in a period and how they were computed.
#[derive(Serialize, ToSchema)]
pub struct ScoreBody {
    /// The period's code.
    pub period: String,
    /// The agency's code.
    pub agency: String,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: String,
    /// Rank in the category; `null` when unranked.
    pub rank: Option<u32>,
    /// How many agencies of the category are ranked.
    pub ranked: usize,
    /// Composite to 4 places; `null` when there is no data.
    pub composite: Option<String>,
    /// Grade.
    pub grade: Option<String>,
    /// Each indicator.
    pub indicators: Vec<IndicatorBody>,
}

fn scale_body(l: &League) -> ScaleBody {
    let s = &l.period.scale;
    let p = s.precision();
    ScaleBody {
        best: s.best.to_string(),
        worst: s.worst.to_string(),
        lower_is_better: s.lower_is_better(),
        anchors: s
            .anchors
            .iter()
            .map(|a| AnchorBody {
                achievement: a.achievement.to_string(),
                raw: a.raw.to_string(),
            })
            .collect(),
        grades: s
            .grades
            .iter()
            .map(|g| GradeBody {
                name: g.name.clone(),
                from: g.from.fixed(p),
                to: g.to.fixed(p),
            })
            .collect(),
    }
}

/// The agency's name in the catalogue (its code when unknown).
fn agency_name(state: &AppState, code: &str) -> String {
    let snap = state.catalogue.snapshot();
    lango_catalogue::AgencyCode::parse(code)
        .ok()
        .and_then(|c| snap.agency(&c).map(|a| a.name.clone()))
        .unwrap_or_else(|| code.to_string())
}

fn period_body(p: &lango_insights::performance::Period) -> PeriodBody {
    PeriodBody {
        code: p.code.clone(),
        name: p.name.clone(),
        starts: p.starts.clone(),
        ends: p.ends.clone(),
    }
}

fn standing_body(state: &AppState, s: &Standing) -> StandingBody {
    StandingBody {
        agency: s.agency.clone(),
        name: agency_name(state, &s.agency),
        rank: s.rank,
        composite: s.composite.map(|c| c.fixed(4)),
        grade: s.grade.clone(),
    }
}

/// Every period, the latest start first.
#[utoipa::path(get, path = "/api/v1/performance/periods", tag = "insights",
    responses((status = 200, body = Vec<PeriodBody>)))]
async fn periods(State(state): State<AppState>) -> Result<Json<Vec<PeriodBody>>, ApiError> {
    let all = state.insights.performance_periods().await?;
    Ok(Json(all.iter().map(|p| period_body(&p.value)).collect()))
}

/// Which period.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LeagueParams {
    /// The period's code; the latest that has started when absent.
    period: Option<String>,
}

fn not_found(what: &str) -> ApiError {
    ApiError::from(lango_core::Error::NotFound(what.into()))
}

/// A period's league: each category's agencies ranked, with composite and grade.
#[utoipa::path(get, path = "/api/v1/performance/league", tag = "insights", params(LeagueParams),
    responses((status = 200, body = LeagueBody), (status = 404, body = ErrorBody)))]
async fn league(
    State(state): State<AppState>,
    params: Result<Query<LeagueParams>, QueryRejection>,
) -> Result<Json<LeagueBody>, ApiError> {
    let Query(p) = params?;
    let code = match p.period {
        Some(code) => code,
        None => match state.insights.latest_performance_period().await? {
            Some(p) => p.value.code,
            None => return Err(not_found("period")),
        },
    };
    let l = state
        .insights
        .league(&code)
        .await?
        .ok_or_else(|| not_found("period"))?;
    Ok(Json(LeagueBody {
        period: period_body(&l.period),
        scale: scale_body(&l),
        categories: l
            .tables
            .iter()
            .map(|t| CategoryBody {
                category: t.category.clone(),
                agencies: t
                    .standings
                    .iter()
                    .map(|s| standing_body(&state, s))
                    .collect(),
            })
            .collect(),
    }))
}

/// An agency's scores in a period, with each indicator's actual, target, achievement, raw
/// and weighted score: how the composite was computed.
#[utoipa::path(get, path = "/api/v1/performance/league/{period}/{agency}", tag = "insights",
    params(("period" = String, Path, description = "The period's code"), ("agency" = String, Path, description = "The agency's code")),
    responses((status = 200, body = ScoreBody), (status = 404, body = ErrorBody)))]
async fn score(
    State(state): State<AppState>,
    Path((period, agency)): Path<(String, String)>,
) -> Result<Json<ScoreBody>, ApiError> {
    let l = state
        .insights
        .league(&period)
        .await?
        .ok_or_else(|| not_found("period"))?;
    let (s, ranked) = l.of(&agency).ok_or_else(|| not_found("contract"))?;
    Ok(Json(ScoreBody {
        period: l.period.code.clone(),
        agency: s.agency.clone(),
        name: agency_name(&state, &s.agency),
        category: s.category.clone(),
        rank: s.rank,
        ranked,
        composite: s.composite.map(|c| c.fixed(4)),
        grade: s.grade.clone(),
        indicators: s
            .indicators
            .iter()
            .map(|i| IndicatorBody {
                id: i.indicator.id.clone(),
                name: i.indicator.name.clone(),
                source: i.indicator.source_name(),
                currency: i.indicator.currency().map(str::to_string),
                direction: i.indicator.direction.as_str().to_string(),
                weight: i.indicator.weight.to_string(),
                target: i.indicator.target.to_string(),
                actual: i.actual.as_ref().map(|a| a.value.to_dec().to_string()),
                basis: i.actual.as_ref().map(|a| a.basis.clone()),
                achievement: i.achievement.map(|a| a.display()),
                raw: i.raw.map(|r| r.fixed(4)),
                weighted: i.weighted_text(),
            })
            .collect(),
    }))
}

/// A signed-in person whose session sent its CSRF token: who may try to save.
pub struct SessionActor(pub Actor);

impl<S> FromRequestParts<S> for SessionActor
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(s);
        let unauthorised = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "sign in, then send the session cookie and its CSRF token in the X-CSRF-Token header",
            )
        };
        let token =
            read_cookie(&parts.headers, &cookie_name(&state, SESSION)).ok_or_else(unauthorised)?;
        let session = lango_identity::session::lookup(&state.db, &token)
            .await?
            .filter(|s| !s.mfa_pending)
            .ok_or_else(unauthorised)?;
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !lango_identity::token::same(sent, &session.csrf) {
            return Err(unauthorised());
        }
        let account = lango_identity::account::get(&state.db, &session.account_id).await?;
        if account.status == "disabled" {
            return Err(unauthorised());
        }
        let person = lango_identity::account::actor(&state.db, &session.account_id).await?;
        Ok(SessionActor(Actor::Person(person)))
    }
}

/// What was saved.
#[derive(Serialize, ToSchema)]
pub struct SavedBody {
    /// The period's code.
    pub period: String,
    /// The agency, for a contract.
    pub agency: Option<String>,
}

/// A refused text: every problem with its place and line.
#[derive(Serialize, ToSchema)]
pub struct RefusedBody {
    /// `invalid_request` and all problems in one sentence.
    pub error: RefusedDetail,
}

/// What was wrong.
#[derive(Serialize, ToSchema)]
pub struct RefusedDetail {
    /// Always `invalid_request`.
    pub code: &'static str,
    /// Every problem, joined by `; `.
    pub message: String,
    /// Each problem.
    pub problems: Vec<ProblemBody>,
}

/// One problem.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    /// 1-based line in the text, when known.
    pub line: Option<usize>,
    /// Where, e.g. `indicators[2].weight`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn refused(problems: &[Problem]) -> Response {
    let body = RefusedBody {
        error: RefusedDetail {
            code: "invalid_request",
            message: lango_insights::performance::model::describe(problems),
            problems: problems
                .iter()
                .map(|p| ProblemBody {
                    line: p.line,
                    path: p.path.clone(),
                    message: p.message.clone(),
                })
                .collect(),
        },
    };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// Saves (creates or replaces) a period from its YAML or JSON text, for the performance
/// office; refused as a whole, with every problem, when anything is wrong.
#[utoipa::path(put, path = "/api/v1/performance/periods/{period}", tag = "insights",
    params(("period" = String, Path, description = "The period's code; the text must be for it"),
        ("X-CSRF-Token" = String, Header, description = "The signed-in session's CSRF token")),
    request_body(content = String, description = "The period, YAML or JSON (see docs/performance-contracting.md)", content_type = "application/yaml"),
    responses((status = 200, body = SavedBody), (status = 400, body = RefusedBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn put_period(
    State(state): State<AppState>,
    SessionActor(actor): SessionActor,
    Path(period): Path<String>,
    text: String,
) -> Result<Response, ApiError> {
    match state
        .insights
        .save_period(&actor, &text, Some(&period))
        .await?
    {
        Ok(p) => Ok(Json(SavedBody {
            period: p.code,
            agency: None,
        })
        .into_response()),
        Err(problems) => Ok(refused(&problems)),
    }
}

/// Saves (creates or replaces) an agency's contract in a period from its YAML or JSON
/// text, for the performance office; refused as a whole when anything is wrong.
#[utoipa::path(put, path = "/api/v1/performance/periods/{period}/contracts/{agency}", tag = "insights",
    params(("period" = String, Path, description = "The period's code"), ("agency" = String, Path, description = "The agency's code"),
        ("X-CSRF-Token" = String, Header, description = "The signed-in session's CSRF token")),
    request_body(content = String, description = "The contract, YAML or JSON (see docs/performance-contracting.md)", content_type = "application/yaml"),
    responses((status = 200, body = SavedBody), (status = 400, body = RefusedBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn put_contract(
    State(state): State<AppState>,
    SessionActor(actor): SessionActor,
    Path((period, agency)): Path<(String, String)>,
    text: String,
) -> Result<Response, ApiError> {
    match state
        .insights
        .save_contract(&actor, &text, Some(&period), Some(&agency))
        .await?
    {
        Ok(c) => Ok(Json(SavedBody {
            period: c.period,
            agency: Some(c.agency),
        })
        .into_response()),
        Err(problems) => Ok(refused(&problems)),
    }
}
