//! Published measures as JSON: usage, the four KPIs, money received and digitisation, for
//! the whole platform, an agency or a service. The figures of the dashboards, for machines.

use crate::error::{ApiError, ErrorBody};
use crate::pages::insights::views::{known_agency, known_service, Range, RangeParams};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lango_insights::usage::Counts;
use lango_insights::Scope;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This module's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(national))
        .routes(routes!(agency))
        .routes(routes!(service))
        .routes(routes!(digitisation))
}

/// Applications in a period.
#[derive(Serialize, ToSchema)]
pub struct CountsBody {
    /// Drafts started.
    pub started: i64,
    /// Submitted.
    pub submitted: i64,
    /// Completed (delivered).
    pub completed: i64,
    /// Rejected.
    pub rejected: i64,
    /// Completed or rejected within the service's SLA.
    pub decided_in_sla: i64,
}

impl From<&Counts> for CountsBody {
    fn from(c: &Counts) -> Self {
        CountsBody {
            started: c.started,
            submitted: c.submitted,
            completed: c.completed,
            rejected: c.rejected,
            decided_in_sla: c.decided_in_sla,
        }
    }
}

/// A share: `numerator` out of `denominator`, and the percentage (one decimal, exact).
#[derive(Serialize, ToSchema)]
pub struct RatioBody {
    /// What counted.
    pub numerator: i64,
    /// Out of how many (never 0: a KPI with nothing to divide by is `null`).
    pub denominator: i64,
    /// `numerator ÷ denominator` in percent, e.g. `"87.5"`.
    pub percent: String,
}

fn share(r: Option<(i64, i64)>) -> Option<RatioBody> {
    let (numerator, denominator) = r?;
    Some(RatioBody {
        numerator,
        denominator,
        percent: lango_insights::percent(numerator, denominator)?,
    })
}

/// The four KPIs (GOV.UK Service Standard); each `null` when there is no data.
#[derive(Serialize, ToSchema)]
pub struct KpisBody {
    /// The agencies' stated cost ÷ completed applications, a decimal string.
    pub cost_per_transaction: Option<String>,
    /// Its currency.
    pub cost_currency: Option<String>,
    /// Survey answers satisfied or very satisfied ÷ answers.
    pub user_satisfaction: Option<RatioBody>,
    /// Completed ÷ started.
    pub completion_rate: Option<RatioBody>,
    /// Completed in digital channels ÷ completed in all.
    pub digital_take_up: Option<RatioBody>,
}

/// Money received in one currency.
#[derive(Serialize, ToSchema)]
pub struct RevenueBody {
    /// ISO 4217 code.
    pub currency: String,
    /// Payments received.
    pub payments: i64,
    /// Bills paid in full.
    pub bills_paid: i64,
    /// Their sum, a decimal string in major units.
    pub amount: String,
}

/// One day of the trend.
#[derive(Serialize, ToSchema)]
pub struct DayBody {
    /// `YYYY-MM-DD`, East Africa Time.
    pub day: String,
    /// That day's applications.
    #[serde(flatten)]
    pub counts: CountsBody,
}

/// The figures of one scope and period.
#[derive(Serialize, ToSchema)]
pub struct MeasuresBody {
    /// `national`, `agency:CODE` or `service:CODE`.
    pub scope: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// Applications in the period.
    pub totals: CountsBody,
    /// The four KPIs over the period's months.
    pub kpis: KpisBody,
    /// Money received, per currency.
    pub revenue: Vec<RevenueBody>,
    /// Every day of the period.
    pub trend: Vec<DayBody>,
}

async fn measures(
    state: &AppState,
    scope: Scope,
    params: RangeParams,
) -> Result<MeasuresBody, ApiError> {
    let range = Range::of(&params);
    let ins = &state.insights;
    let totals = ins.totals(&scope, &range.from, &range.to).await?;
    let kpis = ins.kpis(&scope, &range.from_month, &range.to_month).await?;
    let revenue = ins.revenue(&scope, &range.from, &range.to).await?;
    let trend = ins.trend(&scope, &range.from, &range.to).await?;
    Ok(MeasuresBody {
        scope: match &scope {
            Scope::National => "national".into(),
            Scope::Agency(a) => format!("agency:{a}"),
            Scope::Service(s) => format!("service:{s}"),
        },
        from: range.from,
        to: range.to,
        totals: (&totals).into(),
        kpis: KpisBody {
            cost_per_transaction: kpis.cost_per_transaction.map(|m| m.to_decimal()),
            cost_currency: kpis
                .cost_per_transaction
                .map(|m| m.currency().code().to_string()),
            user_satisfaction: share(kpis.satisfaction),
            completion_rate: share(kpis.completion_rate),
            digital_take_up: share(kpis.digital_take_up),
        },
        revenue: revenue
            .iter()
            .map(|r| RevenueBody {
                currency: r.currency.clone(),
                payments: r.payments,
                bills_paid: r.bills_paid,
                amount: r.amount.to_decimal(),
            })
            .collect(),
        trend: trend
            .iter()
            .map(|(day, c)| DayBody {
                day: day.clone(),
                counts: c.into(),
            })
            .collect(),
    })
}

/// The figures at `uri`: kept from the last few seconds, or made by `make` and kept.
async fn kept(
    state: &AppState,
    uri: &Uri,
    make: impl std::future::Future<Output = Result<MeasuresBody, ApiError>>,
) -> Result<Response, ApiError> {
    let key = format!("api|{uri}");
    let body = state
        .published
        .get_or_make(key, async {
            serde_json::to_string(&make.await?).map_err(|e| {
                ApiError::from(lango_core::Error::Internal(format!("figures as JSON: {e}")))
            })
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn params(q: Result<Query<RangeParams>, QueryRejection>) -> RangeParams {
    q.map(|Query(p)| p).unwrap_or_default()
}

fn not_found(what: &str) -> ApiError {
    ApiError::from(lango_core::Error::NotFound(what.into()))
}

/// Figures for the whole platform over the last `days` (30, 90 or 365; 90 otherwise).
#[utoipa::path(get, path = "/api/v1/insights", tag = "insights",
    params(("days" = Option<String>, Query, description = "30, 90 (the default) or 365; anything else is taken as 90")),
    responses((status = 200, body = MeasuresBody)))]
async fn national(
    State(state): State<AppState>,
    uri: Uri,
    q: Result<Query<RangeParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    kept(&state, &uri, measures(&state, Scope::National, params(q))).await
}

/// Figures for one agency.
#[utoipa::path(get, path = "/api/v1/insights/agencies/{code}", tag = "insights",
    params(("code" = String, Path, description = "The agency's code"),
        ("days" = Option<String>, Query, description = "30, 90 (the default) or 365; anything else is taken as 90")),
    responses((status = 200, body = MeasuresBody), (status = 404, body = ErrorBody)))]
async fn agency(
    State(state): State<AppState>,
    uri: Uri,
    Path(code): Path<String>,
    q: Result<Query<RangeParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let agency = known_agency(&state, &code).ok_or_else(|| not_found("agency"))?;
    let scope = Scope::Agency(agency.code.to_string());
    kept(&state, &uri, measures(&state, scope, params(q))).await
}

/// Figures for one service.
#[utoipa::path(get, path = "/api/v1/insights/services/{code}", tag = "insights",
    params(("code" = String, Path, description = "The service's code"),
        ("days" = Option<String>, Query, description = "30, 90 (the default) or 365; anything else is taken as 90")),
    responses((status = 200, body = MeasuresBody), (status = 404, body = ErrorBody)))]
async fn service(
    State(state): State<AppState>,
    uri: Uri,
    Path(code): Path<String>,
    q: Result<Query<RangeParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let hit = known_service(&state, &code).ok_or_else(|| not_found("service"))?;
    let scope = Scope::Service(hit.entry.service.code.to_string());
    kept(&state, &uri, measures(&state, scope, params(q))).await
}

/// Services per digitisation stage.
#[derive(Serialize, ToSchema)]
pub struct StagesBody {
    /// Only described.
    pub information: i64,
    /// A paper form to download.
    pub downloadable: i64,
    /// Part online.
    pub partial: i64,
    /// Applied, paid and delivered online.
    pub end_to_end: i64,
    /// `end_to_end` ÷ all, in percent; `null` with no services.
    pub share_end_to_end: Option<String>,
}

impl From<&lango_insights::digitisation::StageCounts> for StagesBody {
    fn from(s: &lango_insights::digitisation::StageCounts) -> Self {
        StagesBody {
            information: s.information,
            downloadable: s.downloadable,
            partial: s.partial,
            end_to_end: s.end_to_end,
            share_end_to_end: lango_insights::percent(s.end_to_end, s.total()),
        }
    }
}

/// Digitisation progress: now, over time, per agency, and the target.
#[derive(Serialize, ToSchema)]
pub struct DigitisationBody {
    /// The catalogue as of the latest snapshot.
    pub latest: StagesBody,
    /// The target share of services end to end, in percent.
    pub target_percent: u8,
    /// The day the target is due, `YYYY-MM-DD`.
    pub target_by: String,
    /// Per agency (code) as of the latest snapshot.
    pub agencies: Vec<AgencyStagesBody>,
}

/// One agency's services per stage.
#[derive(Serialize, ToSchema)]
pub struct AgencyStagesBody {
    /// The agency's code.
    pub agency: String,
    /// Its services per stage.
    #[serde(flatten)]
    pub stages: StagesBody,
}

/// Digitisation progress nationally and per agency, against the target.
#[utoipa::path(get, path = "/api/v1/insights/digitisation", tag = "insights",
    responses((status = 200, body = DigitisationBody)))]
async fn digitisation(State(state): State<AppState>) -> Result<Json<DigitisationBody>, ApiError> {
    let progress = state.insights.digitisation(&Scope::National).await?;
    let agencies = state.insights.digitisation_by_agency().await?;
    Ok(Json(DigitisationBody {
        latest: (&progress.latest).into(),
        target_percent: progress.target.percent,
        target_by: progress.target.by.clone(),
        agencies: agencies
            .iter()
            .map(|(agency, s)| AgencyStagesBody {
                agency: agency.clone(),
                stages: s.into(),
            })
            .collect(),
    }))
}
