//! The provider's JSON API: create and read payments, refund them (guarded by the amount
//! the caller believes is still available), list refunds. Errors are GOV.UK Pay's:
//! `{"code","field"?,"description"}` with its P-codes.

use super::{new_id, webhook, Payment, Refund, Shared, State};
use axum::body::Bytes;
use axum::extract::{Path, State as AxState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lango_core::clock::now_ms;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// GOV.UK Pay's upper limit on one payment, in minor units.
const MAX_AMOUNT: i64 = 10_000_000;

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/payments", post(create))
        .route("/v1/payments/{id}", get(read))
        .route("/v1/payments/{id}/refunds", post(refund).get(refunds))
        .route("/v1/payments/{id}/refunds/{refund_id}", get(one_refund))
}

/// A refusal in GOV.UK Pay's shape.
struct Refused {
    status: StatusCode,
    code: &'static str,
    field: Option<String>,
    description: String,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut body = json!({"code": self.code, "description": self.description});
        if let Some(f) = self.field {
            body["field"] = json!(f);
        }
        (self.status, Json(body)).into_response()
    }
}

fn error(
    status: StatusCode,
    code: &'static str,
    field: Option<&str>,
    description: &str,
) -> Refused {
    Refused {
        status,
        code,
        field: field.map(str::to_string),
        description: description.to_string(),
    }
}

fn authorised(shared: &Shared, headers: &HeaderMap) -> Result<(), Refused> {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if sent == Some(shared.settings.api_key.as_str()) {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "P0920",
            None,
            "Credentials are required to access this service",
        ))
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Refused> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "P0197",
            None,
            "Unable to parse JSON",
        )),
    }
}

/// A request's JSON object body, once its credentials are checked (the provider answers
/// 401 before it looks at the body).
fn authorised_object(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, Refused> {
    authorised(shared, headers)?;
    parse_object(body)
}

fn missing(code: &'static str, field: &str) -> Refused {
    error(
        StatusCode::BAD_REQUEST,
        code,
        Some(field),
        &format!("Missing mandatory attribute: {field}"),
    )
}

fn invalid(code: &'static str, field: &str, why: &str) -> Refused {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        code,
        Some(field),
        &format!("Invalid attribute value: {field}. {why}"),
    )
}

fn text(m: &Map<String, Value>, field: &str, max: usize) -> Result<String, Refused> {
    match m.get(field) {
        None | Some(Value::Null) => Err(missing("P0101", field)),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => Ok(s.clone()),
        Some(_) => Err(invalid(
            "P0102",
            field,
            &format!("Must be text of 1 to {max} characters"),
        )),
    }
}

/// `POST /v1/payments`
async fn create(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let m = match authorised_object(&shared, &headers, &body) {
        Ok(m) => m,
        Err(r) => return r.into_response(),
    };
    let amount = match m.get("amount") {
        None | Some(Value::Null) => return missing("P0101", "amount").into_response(),
        Some(v) => match v.as_i64() {
            Some(a) if (1..=MAX_AMOUNT).contains(&a) => a,
            _ => {
                return invalid(
                    "P0102",
                    "amount",
                    &format!("Must be a whole number from 1 to {MAX_AMOUNT}"),
                )
                .into_response()
            }
        },
    };
    let fields = (
        text(&m, "reference", 255),
        text(&m, "description", 255),
        text(&m, "return_url", 2000),
    );
    let (reference, description, return_url) = match fields {
        (Ok(r), Ok(d), Ok(u)) => (r, d, u),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return e.into_response(),
    };
    if !(return_url.starts_with("https://") || return_url.starts_with("http://")) {
        return invalid("P0102", "return_url", "Must be a valid URL").into_response();
    }
    let metadata = match m.get("metadata") {
        None | Some(Value::Null) => json!({}),
        Some(Value::Object(o)) if o.len() <= 10 => Value::Object(o.clone()),
        Some(_) => {
            return invalid("P0102", "metadata", "Must be an object of at most 10 keys")
                .into_response()
        }
    };
    let payment = Payment {
        id: new_id(),
        amount,
        reference,
        description,
        return_url,
        metadata,
        state: State::Created,
        created_ms: now_ms(),
        card: None,
        refunds: Vec::new(),
    };
    let body = payment.json(&shared.base_url);
    if let Ok(mut all) = shared.payments.lock() {
        all.insert(payment.id.clone(), payment);
    }
    (StatusCode::CREATED, Json(body)).into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "P0200", None, "Not found").into_response()
}

/// Runs `f` on the payment `id` (after expiring it if its time is up); `None` when unknown.
pub(super) fn with_payment<T>(
    shared: &Arc<Shared>,
    id: &str,
    f: impl FnOnce(&mut Payment) -> T,
) -> Option<T> {
    let (out, expired) = {
        let mut all = shared.payments.lock().ok()?;
        let p = all.get_mut(id)?;
        let expired = shared.expire_if_due(p).then(|| p.clone());
        (f(p), expired)
    };
    if let Some(p) = expired {
        webhook::enqueue(shared, "card_payment_failed", &p);
    }
    Some(out)
}

/// `GET /v1/payments/{id}`
async fn read(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorised(&shared, &headers) {
        return r.into_response();
    }
    match with_payment(&shared, &id, |p| p.json(&shared.base_url)) {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

/// `POST /v1/payments/{id}/refunds`: 202 when accepted; 412 when the caller's idea of the
/// available amount is not the provider's, so a repeated request refunds nothing.
async fn refund(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let m = match authorised_object(&shared, &headers, &body) {
        Ok(m) => m,
        Err(r) => return r.into_response(),
    };
    let Some(amount) = m.get("amount").and_then(Value::as_i64) else {
        return missing("P0601", "amount").into_response();
    };
    let Some(stated) = m.get("refund_amount_available").and_then(Value::as_i64) else {
        return missing("P0601", "refund_amount_available").into_response();
    };
    let outcome = with_payment(&shared, &id, |p| {
        if p.state != State::Success {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "P0603",
                None,
                "The payment is not available for refund. Payment refund status: unavailable",
            ));
        }
        if stated != p.available() {
            return Err(error(
                StatusCode::PRECONDITION_FAILED,
                "P0604",
                None,
                "Refund amount available mismatch.",
            ));
        }
        if amount <= 0 {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "P0602",
                Some("amount"),
                "Invalid attribute value: amount. Must be greater than zero",
            ));
        }
        if amount > p.available() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "P0603",
                None,
                "The payment is not available for refund. Refund amount is greater than the amount available",
            ));
        }
        let r = Refund {
            id: new_id(),
            amount,
            status: "submitted",
            created_ms: now_ms(),
        };
        let body = p.refund_json(&r, &shared.base_url);
        p.refunds.push(r.clone());
        Ok((r.id, body))
    });
    match outcome {
        None => not_found(),
        Some(Err(r)) => r.into_response(),
        Some(Ok((refund_id, body))) => {
            let later = shared.clone();
            let payment = id.clone();
            tokio::spawn(async move {
                tokio::time::sleep(later.settings.refund_delay).await;
                let done = with_payment(&later, &payment, |p| {
                    if let Some(r) = p.refunds.iter_mut().find(|r| r.id == refund_id) {
                        r.status = "success";
                    }
                    p.clone()
                });
                if let Some(p) = done {
                    webhook::enqueue(&later, "card_payment_refunded", &p);
                }
            });
            (StatusCode::ACCEPTED, Json(body)).into_response()
        }
    }
}

/// `GET /v1/payments/{id}/refunds`
async fn refunds(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorised(&shared, &headers) {
        return r.into_response();
    }
    let base = shared.base_url.clone();
    match with_payment(&shared, &id, |p| {
        let list: Vec<Value> = p.refunds.iter().map(|r| p.refund_json(r, &base)).collect();
        json!({
            "payment_id": p.id,
            "_links": {
                "self": {"href": format!("{base}/v1/payments/{}/refunds", p.id), "method": "GET"},
                "payment": {"href": format!("{base}/v1/payments/{}", p.id), "method": "GET"},
            },
            "_embedded": {"refunds": list},
        })
    }) {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

/// `GET /v1/payments/{id}/refunds/{refund_id}`
async fn one_refund(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    Path((id, refund_id)): Path<(String, String)>,
) -> Response {
    if let Err(r) = authorised(&shared, &headers) {
        return r.into_response();
    }
    let base = shared.base_url.clone();
    let found = with_payment(&shared, &id, |p| {
        p.refunds
            .iter()
            .find(|r| r.id == refund_id)
            .map(|r| p.refund_json(r, &base))
    });
    match found.flatten() {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}
