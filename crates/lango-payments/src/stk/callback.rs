//! The STK callback body as Daraja posts it:
//! `{"Body":{"stkCallback":{"MerchantRequestID","CheckoutRequestID","ResultCode","ResultDesc",
//! "CallbackMetadata":{"Item":[{"Name","Value"}…]}}}}`, metadata only on success, numbers as
//! JSON numbers. Pure: the web layer and the tests share one reading.

use lango_core::money::{Currency, Money};
use serde_json::Value;

/// An STK callback, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StkCallback {
    /// Daraja's id of the request.
    pub merchant_request_id: String,
    /// The id Daraja gave when it accepted the push.
    pub checkout_request_id: String,
    /// `0` paid; `1032` cancelled, `1037` unreachable, `2001` wrong PIN, `1` no funds, …
    pub result_code: i64,
    /// Daraja's words for the outcome.
    pub result_desc: String,
    /// On success: what M-Pesa moved.
    pub paid: Option<Paid>,
}

/// The metadata of a successful prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    /// `MpesaReceiptNumber`, the same key C2B calls TransID.
    pub receipt: String,
    /// `Amount`.
    pub amount: Money,
    /// `TransactionDate` (`YYYYMMDDHHmmss` East Africa Time, sent as a number), as unix ms.
    pub transaction_ms: Option<i64>,
    /// `PhoneNumber`: the phone that paid (`2547…`), when Daraja sent a readable one.
    pub phone: Option<super::Msisdn>,
}

/// Why a body is not an STK callback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// Not JSON.
    #[error("body is not valid JSON")]
    Malformed,
    /// JSON, but a field is missing or of the wrong kind.
    #[error("not an STK callback: {0}")]
    Shape(&'static str),
}

/// Reads a callback body.
pub fn parse(bytes: &[u8]) -> Result<StkCallback, CallbackError> {
    let root: Value = serde_json::from_slice(bytes).map_err(|_| CallbackError::Malformed)?;
    let cb = root
        .get("Body")
        .and_then(|b| b.get("stkCallback"))
        .filter(|c| c.is_object())
        .ok_or(CallbackError::Shape("Body.stkCallback is missing"))?;
    let id = |name: &'static str| -> Result<String, CallbackError> {
        match cb.get(name) {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 100 => Ok(s.clone()),
            _ => Err(CallbackError::Shape(name)),
        }
    };
    let checkout_request_id = id("CheckoutRequestID")?;
    let merchant_request_id = id("MerchantRequestID").unwrap_or_default();
    let result_code = match cb.get("ResultCode") {
        Some(Value::Number(n)) => n.as_i64(),
        // Daraja's own query answer sends it as a string; accept that here too.
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or(CallbackError::Shape("ResultCode"))?;
    let result_desc = match cb.get("ResultDesc") {
        Some(Value::String(s)) => s.chars().take(300).collect(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(CallbackError::Shape("ResultDesc")),
    };
    let paid = if result_code == 0 {
        Some(metadata(cb)?)
    } else {
        None
    };
    Ok(StkCallback {
        merchant_request_id,
        checkout_request_id,
        result_code,
        result_desc,
        paid,
    })
}

/// The items of `CallbackMetadata` that say what was paid.
fn metadata(cb: &Value) -> Result<Paid, CallbackError> {
    let items = cb
        .get("CallbackMetadata")
        .and_then(|m| m.get("Item"))
        .and_then(Value::as_array)
        .ok_or(CallbackError::Shape("CallbackMetadata.Item"))?;
    let item = |name: &str| {
        items
            .iter()
            .find(|i| i.get("Name").and_then(Value::as_str) == Some(name))
            .and_then(|i| i.get("Value"))
    };
    let receipt = match item("MpesaReceiptNumber") {
        Some(Value::String(s))
            if (1..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            s.clone()
        }
        _ => return Err(CallbackError::Shape("MpesaReceiptNumber")),
    };
    let amount = match item("Amount") {
        // A JSON number such as 1.00 or 4600: read its text exactly, never through a float
        // sum. A number with an exponent or more than two decimals is refused.
        Some(Value::Number(n)) => Money::parse_decimal(&n.to_string(), Currency::Kes).ok(),
        Some(Value::String(s)) => Money::parse_decimal(s.trim(), Currency::Kes).ok(),
        _ => None,
    }
    .filter(|m| m.minor() > 0)
    .ok_or(CallbackError::Shape("Amount"))?;
    let transaction_ms = match item("TransactionDate") {
        Some(Value::Number(n)) => crate::daraja::trans_time_ms(&n.to_string()),
        Some(Value::String(s)) => crate::daraja::trans_time_ms(s.trim()),
        _ => None,
    };
    let phone = match item("PhoneNumber") {
        Some(Value::Number(n)) => super::Msisdn::parse(&n.to_string()),
        Some(Value::String(s)) => super::Msisdn::parse(s),
        _ => None,
    };
    Ok(Paid {
        receipt,
        amount,
        transaction_ms,
        phone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUCCESS: &str = r#"{"Body":{"stkCallback":{"MerchantRequestID":"29115-34620561-1","CheckoutRequestID":"ws_CO_191220191020363925","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{"Item":[{"Name":"Amount","Value":1.00},{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"},{"Name":"Balance"},{"Name":"TransactionDate","Value":20191219102115},{"Name":"PhoneNumber","Value":254708374149}]}}}}"#;

    #[test]
    fn reads_daraja_success() {
        let cb = parse(SUCCESS.as_bytes()).unwrap();
        assert_eq!(cb.checkout_request_id, "ws_CO_191220191020363925");
        assert_eq!(cb.result_code, 0);
        let paid = cb.paid.unwrap();
        assert_eq!(paid.receipt, "NLJ7RT61SV");
        assert_eq!(paid.amount, Money::from_minor(100, Currency::Kes));
        assert_eq!(
            paid.transaction_ms,
            crate::daraja::trans_time_ms("20191219102115")
        );
        assert_eq!(paid.phone.unwrap().as_str(), "254708374149");
    }

    #[test]
    fn reads_daraja_failure_without_metadata() {
        let body = r#"{"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"ws_CO_1","ResultCode":1032,"ResultDesc":"Request cancelled by user"}}}"#;
        let cb = parse(body.as_bytes()).unwrap();
        assert_eq!((cb.result_code, cb.paid), (1032, None));
    }

    #[test]
    fn refuses_what_is_not_a_callback() {
        for body in [
            "",
            "{",
            "[]",
            "null",
            r#"{"Body":{}}"#,
            r#"{"Body":{"stkCallback":"x"}}"#,
            r#"{"Body":{"stkCallback":{"CheckoutRequestID":"ws","ResultCode":"zero"}}}"#,
            r#"{"Body":{"stkCallback":{"CheckoutRequestID":7,"ResultCode":0}}}"#,
            // Success without what was paid.
            r#"{"Body":{"stkCallback":{"CheckoutRequestID":"ws","ResultCode":0}}}"#,
            r#"{"Body":{"stkCallback":{"CheckoutRequestID":"ws","ResultCode":0,"CallbackMetadata":{"Item":[{"Name":"Amount","Value":1e400}]}}}}"#,
        ] {
            assert!(parse(body.as_bytes()).is_err(), "{body}");
        }
        let bad_amounts = [
            r#""Value":-5"#,
            r#""Value":1.005"#,
            r#""Value":"abc""#,
            r#""Value":0"#,
        ];
        for amount in bad_amounts {
            let body = SUCCESS.replace(r#""Value":1.00"#, amount);
            assert_eq!(
                parse(body.as_bytes()),
                Err(CallbackError::Shape("Amount")),
                "{amount}"
            );
        }
        let body = SUCCESS.replace("NLJ7RT61SV", "NLJ 7RT61SV");
        assert_eq!(
            parse(body.as_bytes()),
            Err(CallbackError::Shape("MpesaReceiptNumber"))
        );
    }
}
