//! Agency systems authenticate with `Authorization: Bearer <api key>`; `GET /api/v1/me`
//! tells a system what its key may do.

use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Json;
use lango_core::audit::Line;
use lango_identity::apikey;
use lango_identity::policy::{Actor, ApiClient};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The authentication routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// Adds the bearer-key scheme to the OpenAPI document.
pub struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("lango_<id>_<secret>")
                    .description(Some(
                        "An agency API key, created by the agency's administrator",
                    ))
                    .build(),
            ),
        );
    }
}

/// Documents, on every operation that asks for a key, the two refusals the key check and the
/// permission check give (401 and 403 with the error body), where a route did not say more.
pub struct AuthResponses;

impl AuthResponses {
    /// Adds the responses to `openapi`'s secured operations.
    pub fn apply(openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let refusal = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                if op.security.as_ref().is_none_or(|s| s.is_empty()) {
                    continue;
                }
                let responses = &mut op.responses.responses;
                for (status, what) in [
                    ("401", "Missing, unknown or revoked key"),
                    (
                        "403",
                        "The key lacks the permission, or acts for another agency",
                    ),
                ] {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| refusal(what).into());
                }
            }
        }
    }
}

/// The agency system calling, from its bearer key; its call is in the exchange log before
/// the handler acts.
pub struct Agent(pub ApiClient);

impl<S> FromRequestParts<S> for Agent
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(s);
        let AgentCall { client, line } = AgentCall::from_request_parts(parts, s).await?;
        // Every call by an agency system goes into the exchange log, durably, before it
        // acts; the committer lets concurrent calls share that commit.
        state
            .audit
            .record(lango_core::audit::EXCHANGE, line.entry())
            .await?;
        Ok(Agent(client))
    }
}

/// The agency system calling, whose exchange-log line goes with the change it asks for
/// (the queue's routes: one commit a call, not two); see [`AgentCall::logged`].
pub struct AgentCall {
    client: ApiClient,
    line: Line,
}

impl AgentCall {
    /// Runs `act` as the calling system with its exchange-log line, which `act` hands to
    /// the change it asks for; a line left over (a refusal before any change, a call that
    /// changed nothing) is logged on its own, so every call is on record before it is
    /// answered, as for [`Agent`].
    pub async fn logged<T>(
        self,
        state: &AppState,
        act: impl AsyncFnOnce(&Actor, &mut Option<Line>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let actor = Actor::ApiClient(self.client);
        let mut line = Some(self.line);
        let answer = act(&actor, &mut line).await;
        if let Some(line) = line {
            state
                .audit
                .record(lango_core::audit::EXCHANGE, line.entry())
                .await?;
        }
        answer
    }
}

impl<S> FromRequestParts<S> for AgentCall
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
                "send a valid agency API key as 'Authorization: Bearer <key>'",
            )
        };
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(unauthorised)?;
        let client = apikey::authenticate(&state.db, key.trim())
            .await?
            .ok_or_else(unauthorised)?;
        let call = format!("{} {}", parts.method, parts.uri.path());
        let actor = format!("apikey:{}", client.key_id);
        let line = Line::of(&lango_core::audit::Entry {
            actor: &actor,
            action: "api.call",
            object: &call,
            subject: &client.agency,
            detail: "",
        });
        Ok(AgentCall { client, line })
    }
}

/// What a key is and may do.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The key's id.
    pub key_id: String,
    /// The agency it acts for.
    pub agency: String,
    /// Its permissions, e.g. `cases:read`.
    pub permissions: Vec<&'static str>,
}

/// The calling key's agency and permissions.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "access",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The key is valid", body = Me),
        (status = 401, description = "Missing, unknown or revoked key", body = ErrorBody)
    )
)]
async fn me(agent: Agent) -> Json<Me> {
    let c = agent.0;
    Json(Me {
        key_id: c.key_id,
        agency: c.agency,
        permissions: c.permissions.iter().map(|p| p.as_str()).collect(),
    })
}
