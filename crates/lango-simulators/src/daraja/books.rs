//! M-Pesa's own books of the paybill: every completed payment, and the two ways Safaricom
//! lets an organisation read them back: Pull Transactions (`/pulltransactions/v1/*`) and the
//! portal's statement export (`/simulator/statement.csv`, the file finance staff download).

use super::{bad_request, field, invalid_payload, json_object, lock, request_id, time, Sim};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

/// How a payment reached the paybill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The payer chose Pay Bill and typed the account number.
    C2b,
    /// The payer accepted an M-Pesa Express prompt.
    Stk,
}

/// One completed payment into the paybill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// The receipt number (`TransID`, `MpesaReceiptNumber`).
    pub trans_id: String,
    /// C2B or STK.
    pub kind: Kind,
    /// When M-Pesa completed it (unix ms).
    pub completed_ms: i64,
    /// The payer's full number (M-Pesa's own books are not masked).
    pub msisdn: String,
    /// The payer's name as M-Pesa registered it.
    pub name: String,
    /// The account number typed (C2B) or the prompt's `AccountReference` (STK).
    pub bill_ref: String,
    /// Paid in, cents.
    pub amount_minor: i64,
    /// The paybill's balance after it, cents.
    pub balance_minor: i64,
    /// Whether its callback reached Lango and was acknowledged.
    pub delivered: bool,
}

/// The paybill's books.
#[derive(Default)]
pub(crate) struct Books {
    rows: Vec<Transaction>,
}

impl Books {
    /// Enters a payment; its balance follows from the last one.
    pub(crate) fn enter(&mut self, mut t: Transaction) {
        let before = self.rows.last().map_or(0, |r| r.balance_minor);
        t.balance_minor = before + t.amount_minor;
        self.rows.push(t);
    }

    /// Marks a payment's callback as acknowledged.
    pub(crate) fn delivered(&mut self, trans_id: &str) {
        if let Some(t) = self.rows.iter_mut().find(|t| t.trans_id == trans_id) {
            t.delivered = true;
        }
    }

    /// Every payment, in the order entered.
    pub(crate) fn all(&self) -> &[Transaction] {
        &self.rows
    }
}

/// `12.50` from cents.
pub(crate) fn decimal(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// `254712***678`, as statements show a payer.
fn statement_msisdn(msisdn: &str) -> String {
    if msisdn.len() < 9 {
        return msisdn.to_string();
    }
    format!("{}***{}", &msisdn[..6], &msisdn[msisdn.len() - 3..])
}

/// `POST /pulltransactions/v1/register`
pub(crate) async fn pull_register(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return invalid_payload();
    };
    let shortcode = field(&body, "ShortCode").unwrap_or_default();
    if shortcode != sim.settings.shortcode {
        return bad_request("ShortCode");
    }
    if field(&body, "RequestType").as_deref() != Some("Pull") {
        return bad_request("RequestType");
    }
    let callback = field(&body, "CallBackURL").unwrap_or_default();
    if !(callback.starts_with("http://") || callback.starts_with("https://")) {
        return bad_request("CallBackURL");
    }
    Json(json!({
        "ResponseRefID": uuid::Uuid::new_v4().to_string(),
        "ResponseStatus": "1000",
        "ShortCode": shortcode,
        "ResponseDescription": "ShortCode Registered Successfully",
    }))
    .into_response()
}

/// `POST /pulltransactions/v1/query`: payments between two East Africa Times, at most the
/// last 48 hours (an earlier start is moved up to that limit), a page at a time.
pub(crate) async fn pull_query(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return invalid_payload();
    };
    if field(&body, "ShortCode").as_deref() != Some(sim.settings.shortcode.as_str()) {
        return bad_request("ShortCode");
    }
    let Some(start) = field(&body, "StartDate").and_then(|s| time::parse(&s)) else {
        return bad_request("StartDate");
    };
    let Some(end) = field(&body, "EndDate").and_then(|s| time::parse(&s)) else {
        return bad_request("EndDate");
    };
    let offset = field(&body, "OffSetValue").unwrap_or_else(|| "0".into());
    let Ok(offset) = offset.parse::<usize>() else {
        return bad_request("OffSetValue");
    };
    if end < start {
        return bad_request("EndDate");
    }
    let floor = lango_core::clock::now_ms() - 48 * 3_600_000;
    let start = start.max(floor);
    let books = lock(&sim.books);
    let mut rows: Vec<&Transaction> = books
        .all()
        .iter()
        // Whole seconds: the query's dates carry no milliseconds.
        .filter(|t| t.completed_ms / 1000 * 1000 >= start && t.completed_ms / 1000 * 1000 <= end)
        .collect();
    // Stable: payments in the same millisecond stay in the order M-Pesa entered them.
    rows.sort_by_key(|t| t.completed_ms);
    let page: Vec<serde_json::Value> = rows
        .into_iter()
        .skip(offset)
        .take(sim.settings.pull_page_size)
        .map(|t| {
            json!({
                "transactionId": t.trans_id,
                "trxDate": time::utc_iso(t.completed_ms),
                "msisdn": t.msisdn.parse::<u64>().unwrap_or(0),
                "sender": t.name,
                "transactiontype": "c2b-pay-bill-debit",
                "billreference": t.bill_ref,
                "amount": decimal(t.amount_minor),
                "organizationname": sim.settings.organization_name,
            })
        })
        .collect();
    Json(json!({
        "ResponseRefID": request_id(),
        "ResponseCode": "1000",
        "ResponseMessage": "Success",
        "Response": [page],
    }))
    .into_response()
}

/// The statement's period, as East Africa Time dates (both days included).
#[derive(Deserialize)]
pub(crate) struct Period {
    from: Option<String>,
    to: Option<String>,
}

/// Quotes a CSV cell when it needs it.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `GET /simulator/statement.csv?from=YYYY-MM-DD&to=YYYY-MM-DD` (today when absent): the
/// organisation portal's export, preamble and all.
pub(crate) async fn statement(
    State(sim): State<Arc<Sim>>,
    period: Result<Query<Period>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(period)) = period else {
        return (StatusCode::BAD_REQUEST, "from and to are YYYY-MM-DD").into_response();
    };
    let today = time::day(lango_core::clock::now_ms());
    let from = period.from.unwrap_or_else(|| today.clone());
    let to = period.to.unwrap_or(today);
    let (Some(start), Some(end)) = (
        time::parse(&from).filter(|_| from.len() == 10),
        time::parse(&to).filter(|_| to.len() == 10),
    ) else {
        return (StatusCode::BAD_REQUEST, "from and to are YYYY-MM-DD").into_response();
    };
    let end = end + 86_400_000 - 1;
    let mut out = String::new();
    out.push_str(&format!(
        "Account Holder:,{}\r\nShort Code:,{}\r\nTime Period:,From {} To {}\r\n",
        cell(&sim.settings.organization_name),
        sim.settings.shortcode,
        time::readable(start),
        time::readable(end),
    ));
    out.push_str(
        "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,\
         Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.\r\n",
    );
    for t in lock(&sim.books).all() {
        if t.completed_ms < start || t.completed_ms > end {
            continue;
        }
        let party = format!("{} - {}", statement_msisdn(&t.msisdn), t.name);
        let via = match t.kind {
            Kind::C2b => "Pay Bill",
            Kind::Stk => "Pay Bill Online",
        };
        let when = time::readable(t.completed_ms);
        let row = [
            t.trans_id.clone(),
            when.clone(),
            when,
            format!("{via} from {party} Acc. {}", t.bill_ref),
            "Completed".into(),
            decimal(t.amount_minor),
            String::new(),
            decimal(t.balance_minor),
            "true".into(),
            "Pay Bill Online".into(),
            party,
            String::new(),
            t.bill_ref.clone(),
        ];
        let row: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    let name = format!(
        "attachment; filename=\"statement-{}-{from}-{to}.csv\"",
        sim.settings.shortcode
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        out,
    )
        .into_response()
}

/// `GET /simulator/transactions`: every payment the simulator holds, as JSON.
pub(crate) async fn transactions(State(sim): State<Arc<Sim>>) -> Response {
    let rows: Vec<serde_json::Value> = lock(&sim.books)
        .all()
        .iter()
        .map(|t| {
            json!({
                "TransID": t.trans_id,
                "kind": t.kind,
                "TransTime": time::compact(t.completed_ms),
                "completed_ms": t.completed_ms,
                "msisdn": t.msisdn,
                "name": t.name,
                "bill_ref": t.bill_ref,
                "amount": decimal(t.amount_minor),
                "balance": decimal(t.balance_minor),
                "delivered": t.delivered,
            })
        })
        .collect();
    Json(rows).into_response()
}
