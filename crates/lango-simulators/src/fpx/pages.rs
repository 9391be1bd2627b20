//! The gateway's endpoints and the bank's pages (plain HTML forms, no JavaScript).

use super::{sign, to_form, verify, Delivery, Shared, Txn, BANKS};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use lango_core::clock::{now_ms, Civil};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/FPXMain/RetrieveBankList", post(bank_list))
        .route("/FPXMain/seller2DReceiver.jsp", post(authorise))
        .route("/FPXMain/bank/{txn}", post(decision))
        .route("/FPXMain/sellerNVPTxnStatus.jsp", post(enquiry))
        .route("/FPXMain/settlement/{day}", get(settlement))
}

type Fields = BTreeMap<String, String>;

fn read(body: &[u8]) -> Fields {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get_field<'a>(f: &'a Fields, k: &str) -> &'a str {
    f.get(k).map(String::as_str).unwrap_or("")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{t} – FPX (simulator)</title></head>\
         <body><main><p>FPX simulator</p><h1>{t}</h1>{body}</main></body></html>",
        t = escape(title)
    );
    (status, Html(html)).into_response()
}

fn form_answer(fields: &Fields) -> Response {
    (
        [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
        to_form(fields),
    )
        .into_response()
}

/// True when the seller signed `f` as the seller the gateway knows.
fn from_seller(shared: &Shared, f: &Fields) -> bool {
    let exchange = shared
        .settings
        .read()
        .map(|s| s.exchange_id.clone())
        .unwrap_or_default();
    get_field(f, "fpx_sellerExId") == exchange && verify(f, &shared.seller_key.to_public_key())
}

fn offline(shared: &Shared) -> Vec<String> {
    shared
        .settings
        .read()
        .map(|s| s.offline.clone())
        .unwrap_or_default()
}

async fn bank_list(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let f = read(&body);
    if get_field(&f, "fpx_msgType") != "BE" || !from_seller(&shared, &f) {
        return (StatusCode::BAD_REQUEST, "ERROR: checksum or seller").into_response();
    }
    let off = offline(&shared);
    let list = BANKS
        .iter()
        .map(|(code, _)| {
            let state = if off.iter().any(|o| o == code) {
                "B"
            } else {
                "A"
            };
            format!("{code}~{state}")
        })
        .collect::<Vec<_>>()
        .join(",");
    let mut answer: Fields = [
        ("fpx_msgType", "BC"),
        ("fpx_msgToken", "01"),
        ("fpx_sellerExId", get_field(&f, "fpx_sellerExId")),
        ("fpx_bankList", list.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    sign(&mut answer, &shared.key);
    form_answer(&answer)
}

/// `YYYYMMDDHHMMSS` in Malaysia's time (UTC+08:00), FPX's clock.
fn fpx_now() -> String {
    let ms = now_ms();
    let t = Civil::from_ms(ms + 8 * 3_600_000);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        ms.div_euclid(1000).rem_euclid(60)
    )
}

fn bank_name(code: &str) -> &str {
    BANKS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or("")
}

async fn authorise(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let f = read(&body);
    let refuse = |why: &str| {
        page(
            StatusCode::BAD_REQUEST,
            "Transaction refused",
            &format!("<p>{}</p>", escape(why)),
        )
    };
    if get_field(&f, "fpx_msgType") != "AR" {
        return refuse("Not an authorisation request.");
    }
    if !from_seller(&shared, &f) {
        return refuse("Invalid checksum or seller (code 98).");
    }
    let amount = get_field(&f, "fpx_txnAmount");
    let sen = amount
        .split_once('.')
        .and_then(|(a, b)| Some(a.parse::<i64>().ok()? * 100 + b.parse::<i64>().ok()?));
    if !sen.is_some_and(|s| (100..=3_000_000).contains(&s))
        || get_field(&f, "fpx_txnCurrency") != "MYR"
    {
        return refuse("Invalid amount (code 13).");
    }
    let bank = get_field(&f, "fpx_buyerBankId");
    if bank_name(bank).is_empty() || offline(&shared).iter().any(|o| o == bank) {
        return refuse("The bank's internet banking is unavailable (code 90).");
    }
    let order = get_field(&f, "fpx_sellerExOrderNo").to_string();
    let id = {
        let mut n = shared.counter.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        format!("{}{:04}", &fpx_now()[2..], *n % 10_000)
    };
    let txn = Txn {
        id: id.clone(),
        request: f.clone(),
        code: None,
        time: fpx_now(),
    };
    if let Ok(mut t) = shared.txns.lock() {
        if t.values()
            .any(|x| get_field(&x.request, "fpx_sellerExOrderNo") == order)
        {
            return refuse("Duplicate seller order number (code 45).");
        }
        t.insert(id.clone(), txn);
    }
    let button = |code: &str, label: &str| {
        format!(
            "<p><button type=\"submit\" name=\"decision\" value=\"{code}\">{label}</button></p>"
        )
    };
    page(
        StatusCode::OK,
        bank_name(bank),
        &format!(
            "<p>Pay <strong>RM {}</strong> to {} (order {}).</p>\
             <form method=\"post\" action=\"/FPXMain/bank/{id}\">{}{}{}{}</form>",
            escape(amount),
            escape(get_field(&f, "fpx_productDesc")),
            escape(&order),
            button("00", "Approve"),
            button("09", "Approve later (pending)"),
            button("51", "Decline: insufficient funds"),
            button("1C", "Cancel"),
        ),
    )
}

/// The signed confirmation of `txn` as it stands.
pub(super) fn confirmation(shared: &Shared, txn: &str) -> Option<Fields> {
    let t = shared.txns.lock().ok()?.get(txn).cloned()?;
    let code = t.code.clone().unwrap_or_else(|| "09".into());
    let r = &t.request;
    let approved = code == "00";
    let mut f: Fields = [
        ("fpx_msgType", "AC"),
        ("fpx_msgToken", "01"),
        ("fpx_sellerExId", get_field(r, "fpx_sellerExId")),
        ("fpx_sellerExOrderNo", get_field(r, "fpx_sellerExOrderNo")),
        ("fpx_sellerTxnTime", get_field(r, "fpx_sellerTxnTime")),
        ("fpx_sellerOrderNo", get_field(r, "fpx_sellerOrderNo")),
        ("fpx_sellerId", get_field(r, "fpx_sellerId")),
        ("fpx_txnCurrency", get_field(r, "fpx_txnCurrency")),
        ("fpx_txnAmount", get_field(r, "fpx_txnAmount")),
        ("fpx_buyerBankId", get_field(r, "fpx_buyerBankId")),
        (
            "fpx_buyerBankBranch",
            bank_name(get_field(r, "fpx_buyerBankId")),
        ),
        ("fpx_buyerName", "SIMULATED BUYER"),
        ("fpx_buyerIban", ""),
        ("fpx_buyerId", ""),
        ("fpx_makerName", ""),
        ("fpx_fpxTxnId", t.id.as_str()),
        ("fpx_fpxTxnTime", t.time.as_str()),
        ("fpx_debitAuthCode", code.as_str()),
        ("fpx_debitAuthNo", if approved { "10000001" } else { "" }),
        ("fpx_creditAuthCode", if approved { "00" } else { "" }),
        ("fpx_creditAuthNo", if approved { "20000001" } else { "" }),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    sign(&mut f, &shared.key);
    Some(f)
}

/// Records the bank's decision on `txn` and sends the confirmation direct.
pub(super) fn decide(shared: &Arc<Shared>, txn: &str, code: &str) -> Option<Fields> {
    {
        let mut t = shared.txns.lock().ok()?;
        let x = t.get_mut(txn)?;
        // A decided transaction stays decided; a pending one may still be decided.
        if x.code.as_deref().is_some_and(|c| c != "09") {
            return None;
        }
        x.code = Some(code.to_string());
        x.time = fpx_now();
    }
    let fields = confirmation(shared, txn)?;
    deliver(shared.clone(), fields.clone());
    Some(fields)
}

/// Sends a confirmation to the seller's direct URL until it answers `OK`.
pub(super) fn deliver(shared: Arc<Shared>, fields: Fields) {
    let index = match shared.deliveries.lock() {
        Ok(mut d) => {
            d.push(Delivery {
                fpx_txn_id: get_field(&fields, "fpx_fpxTxnId").to_string(),
                code: get_field(&fields, "fpx_debitAuthCode").to_string(),
                attempts: 0,
                delivered: false,
            });
            d.len() - 1
        }
        Err(_) => return,
    };
    tokio::spawn(async move {
        let (url, mut wait, max) = match shared.settings.read() {
            Ok(s) => (s.direct_url.clone(), s.backoff, s.max_attempts),
            Err(_) => return,
        };
        for _ in 0..max {
            let answer = shared
                .http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(to_form(&fields))
                .send()
                .await;
            let ok = match answer {
                Ok(r) if r.status().is_success() => {
                    r.text().await.map(|t| t.trim() == "OK").unwrap_or(false)
                }
                _ => false,
            };
            if let Ok(mut d) = shared.deliveries.lock() {
                d[index].attempts += 1;
                d[index].delivered = ok;
            }
            if ok {
                return;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    });
}

async fn decision(
    State(shared): State<Arc<Shared>>,
    Path(txn): Path<String>,
    body: Bytes,
) -> Response {
    let f = read(&body);
    let code = get_field(&f, "decision");
    if !["00", "09", "51", "1C"].contains(&code) {
        return page(
            StatusCode::BAD_REQUEST,
            "Choose an answer",
            "<p>No decision.</p>",
        );
    }
    let Some(fields) = decide(&shared, &txn, code) else {
        return page(
            StatusCode::NOT_FOUND,
            "Transaction not found",
            "<p>Code 76.</p>",
        );
    };
    let indirect = shared
        .settings
        .read()
        .map(|s| s.indirect_url.clone())
        .unwrap_or_default();
    let hidden: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let said = match code {
        "00" => "Your payment is approved.",
        "09" => "Your bank will confirm this payment later.",
        "51" => "Your payment was declined: insufficient funds.",
        _ => "You cancelled the payment.",
    };
    page(
        StatusCode::OK,
        said,
        &format!(
            "<form method=\"post\" action=\"{}\">{hidden}<p><button type=\"submit\">Return to the merchant</button></p></form>",
            escape(&indirect)
        ),
    )
}

async fn enquiry(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let f = read(&body);
    if get_field(&f, "fpx_msgType") != "AE" || !from_seller(&shared, &f) {
        return (StatusCode::BAD_REQUEST, "ERROR: checksum or seller").into_response();
    }
    let order = get_field(&f, "fpx_sellerExOrderNo");
    let txn = shared.txns.lock().ok().and_then(|t| {
        t.values()
            .find(|x| get_field(&x.request, "fpx_sellerExOrderNo") == order)
            .map(|x| x.id.clone())
    });
    match txn.and_then(|t| confirmation(&shared, &t)) {
        Some(answer) => form_answer(&answer),
        None => {
            // Not seen: a confirmation of the request's own fields with code 76, signed.
            let mut answer: Fields = f
                .iter()
                .filter(|(k, _)| super::signed_fields("AC").contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            answer.insert("fpx_msgType".into(), "AC".into());
            answer.insert("fpx_debitAuthCode".into(), "76".into());
            answer.insert("fpx_fpxTxnId".into(), String::new());
            sign(&mut answer, &shared.key);
            form_answer(&answer)
        }
    }
}

/// The settlement report of day `yyyymmdd`: every decided transaction of that day.
pub(super) fn report(shared: &Shared, day: &str) -> String {
    let mut out = String::from(
        "Settlement Date,FPX Txn ID,Seller Exchange Order No,Seller Order No,Buyer Bank,Txn Time,Txn Amount,Currency,Debit Auth Code\n",
    );
    let mut rows: Vec<Txn> = shared
        .txns
        .lock()
        .map(|t| t.values().cloned().collect())
        .unwrap_or_default();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    for t in rows {
        let Some(code) = t.code.as_deref().filter(|c| *c != "09") else {
            continue;
        };
        if !t.time.starts_with(day) {
            continue;
        }
        let r = &t.request;
        out.push_str(&format!(
            "{day},{},{},{},{},{},{},MYR,{code}\n",
            t.id,
            get_field(r, "fpx_sellerExOrderNo"),
            get_field(r, "fpx_sellerOrderNo"),
            get_field(r, "fpx_buyerBankId"),
            t.time,
            get_field(r, "fpx_txnAmount"),
        ));
    }
    out
}

async fn settlement(State(shared): State<Arc<Shared>>, Path(day): Path<String>) -> Response {
    if day.len() != 8 || !day.bytes().all(|b| b.is_ascii_digit()) {
        return (StatusCode::BAD_REQUEST, "day is YYYYMMDD").into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        report(&shared, &day),
    )
        .into_response()
}
