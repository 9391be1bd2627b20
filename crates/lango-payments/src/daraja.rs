//! M-Pesa C2B as Safaricom's Daraja specifies it: the Validation/Confirmation body, the
//! checks a payment must pass before it may touch a bill, and the exact replies.
//!
//! Pure: no I/O and no database, so the web layer, the simulator and the reconciliation
//! code share one reading of what Safaricom sends. MSISDN is never used for matching
//! (Safaricom masks it or sends a SHA-256 hash); the bill reference and TransID are.

use crate::reference::{BillReference, ReferenceError};
use lango_core::clock::days_from_civil;
use lango_core::clock::EAT_OFFSET_MS;
use lango_core::money::{Currency, Money};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

/// The body of a C2B Validation or Confirmation request, field for field as Daraja sends
/// it: every value a JSON string, kept exactly as given. Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct C2bRequest {
    /// "Pay Bill" or "Buy Goods".
    #[serde(rename = "TransactionType", default, deserialize_with = "optional")]
    pub transaction_type: String,
    /// M-Pesa's receipt number; the key that stops a retried callback being posted twice.
    #[serde(rename = "TransID")]
    pub trans_id: String,
    /// `YYYYMMDDHHmmss` in East Africa Time; see [`trans_time_ms`].
    #[serde(rename = "TransTime", default, deserialize_with = "optional")]
    pub trans_time: String,
    /// Decimal major units, "10" or "200.00".
    #[serde(rename = "TransAmount")]
    pub trans_amount: String,
    /// The paybill the customer paid into.
    #[serde(rename = "BusinessShortCode")]
    pub business_short_code: String,
    /// The account number a person typed: up to 20 characters, our bill reference.
    #[serde(rename = "BillRefNumber")]
    pub bill_ref_number: String,
    /// Usually empty.
    #[serde(rename = "InvoiceNumber", default, deserialize_with = "optional")]
    pub invoice_number: String,
    /// The paybill's balance after the payment; empty at validation.
    #[serde(rename = "OrgAccountBalance", default, deserialize_with = "optional")]
    pub org_account_balance: String,
    /// Echoed from the validation reply, if any.
    #[serde(rename = "ThirdPartyTransID", default, deserialize_with = "optional")]
    pub third_party_trans_id: String,
    /// Masked (`2547*****149`) or a SHA-256 hex hash: stored as given, never matched on.
    #[serde(rename = "MSISDN", default, deserialize_with = "optional")]
    pub msisdn: String,
    /// Payer's first name, as M-Pesa has it.
    #[serde(rename = "FirstName", default, deserialize_with = "optional")]
    pub first_name: String,
    /// Often empty.
    #[serde(rename = "MiddleName", default, deserialize_with = "optional")]
    pub middle_name: String,
    /// Often empty.
    #[serde(rename = "LastName", default, deserialize_with = "optional")]
    pub last_name: String,
}

/// An optional field may also arrive as `null`: read it as empty, because refusing a
/// confirmation over a missing middle name would lose track of money already paid.
fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Every field Daraja sends and whether it is required, in the order errors are reported.
const FIELDS: [(&str, bool); 13] = [
    ("TransactionType", false),
    ("TransID", true),
    ("TransTime", false),
    ("TransAmount", true),
    ("BusinessShortCode", true),
    ("BillRefNumber", true),
    ("InvoiceNumber", false),
    ("OrgAccountBalance", false),
    ("ThirdPartyTransID", false),
    ("MSISDN", false),
    ("FirstName", false),
    ("MiddleName", false),
    ("LastName", false),
];

/// Why a request body is not a Daraja C2B body at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Not JSON (or cut short).
    #[error("body is not valid JSON: {0}")]
    Malformed(String),
    /// JSON, but not an object.
    #[error("body is not a JSON object")]
    NotAnObject,
    /// A field Daraja always sends is absent.
    #[error("required field {0} is missing")]
    MissingField(&'static str),
    /// A field holds a number, object, array or boolean: Daraja sends only strings.
    #[error("field {0} must be a JSON string")]
    NotAString(&'static str),
    /// Anything else serde refuses, such as a field given twice (which copy would count?).
    #[error("body is not a C2B request: {0}")]
    Other(String),
}

/// Reads a Validation or Confirmation body.
pub fn parse_body(bytes: &[u8]) -> Result<C2bRequest, BodyError> {
    match serde_json::from_slice::<C2bRequest>(bytes) {
        // serde also accepts a struct written as an array; Daraja never sends one.
        Ok(req) if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Ok(req),
        Ok(_) => Err(BodyError::NotAnObject),
        Err(e) if e.is_syntax() || e.is_eof() => Err(BodyError::Malformed(e.to_string())),
        Err(e) => Err(explain(bytes, e)),
    }
}

/// Names the field at fault: serde's own messages are prose, not kinds.
fn explain(bytes: &[u8], e: serde_json::Error) -> BodyError {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(bytes) else {
        return BodyError::NotAnObject;
    };
    for (name, required) in FIELDS {
        match map.get(name) {
            None if required => return BodyError::MissingField(name),
            None | Some(Value::String(_)) => {}
            Some(Value::Null) if !required => {}
            Some(_) => return BodyError::NotAString(name),
        }
    }
    BodyError::Other(e.to_string())
}

/// Unix milliseconds of a Daraja `TransTime` (`YYYYMMDDHHmmss`, East Africa Time), or
/// `None` unless it is exactly 14 digits naming a real calendar second.
pub fn trans_time_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 14 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0_i64, |acc, d| acc * 10 + i64::from(d - b'0'))
    };
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    let (hour, minute, second) = (num(8..10), num(10..12), num(12..14));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(secs * 1000 - EAT_OFFSET_MS)
}

/// Why a C2B payment is refused, each with the result code Daraja expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// C2B00011: MSISDN is empty (masked or hashed values are fine: we never read them).
    #[error("the payer's MSISDN is empty")]
    Msisdn,
    /// C2B00012: BillRefNumber is not a bill reference (too long, bad symbol, or a typo).
    #[error("the account number is not a bill reference: {0}")]
    AccountNumber(ReferenceError),
    /// C2B00013: TransAmount is not an exact positive amount the currency can hold.
    #[error("the amount is not an exact positive decimal amount")]
    Amount,
    /// C2B00015: paid into a paybill that is not ours.
    #[error("the payment was made to another shortcode")]
    Shortcode,
    /// C2B00016: TransID is not 1–20 letters and digits, so it cannot key deduplication.
    #[error("the transaction ID is not 1-20 letters and digits")]
    TransId,
    /// C2B00016: TransTime is not a real `YYYYMMDDHHmmss` time.
    #[error("the transaction time is not a real YYYYMMDDHHmmss time")]
    TransTime,
}

impl Rejection {
    /// Daraja's result code for the validation reply.
    pub fn code(&self) -> &'static str {
        self.daraja().0
    }

    /// Daraja's short name for the code; `Display` gives the precise reason for logs.
    pub fn description(&self) -> &'static str {
        self.daraja().1
    }

    /// One table, so a code and its name cannot drift apart.
    fn daraja(&self) -> (&'static str, &'static str) {
        match self {
            Rejection::Msisdn => ("C2B00011", "Invalid MSISDN"),
            Rejection::AccountNumber(_) => ("C2B00012", "Invalid Account Number"),
            Rejection::Amount => ("C2B00013", "Invalid Amount"),
            Rejection::Shortcode => ("C2B00015", "Invalid ShortCode"),
            Rejection::TransId | Rejection::TransTime => ("C2B00016", "Other Error"),
        }
    }
}

/// A C2B request that passed [`check`]: the values a bill and the ledger need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// M-Pesa's receipt number, as sent.
    pub trans_id: String,
    /// The amount paid, greater than zero.
    pub amount: Money,
    /// The bill reference the payer typed, checked and canonical.
    pub reference: BillReference,
    /// When M-Pesa took the money, unix milliseconds.
    pub trans_time_ms: i64,
}

/// The longest BillRefNumber Daraja carries; checked before folding so that a huge string
/// costs nothing.
const MAX_BILL_REF_CHARS: usize = 20;
/// The longest TransID we accept (M-Pesa's are 10 today).
const MAX_TRANS_ID_CHARS: usize = 20;

/// Checks a request against our paybill and currency. When several things are wrong the
/// first in this order is reported: shortcode, TransID, MSISDN, amount, account number,
/// time. Whether the reference matches an open bill is the caller's question.
pub fn check(
    req: &C2bRequest,
    expected_shortcode: &str,
    currency: Currency,
) -> Result<Checked, Rejection> {
    if req.business_short_code != expected_shortcode {
        return Err(Rejection::Shortcode);
    }
    let id = &req.trans_id;
    if id.is_empty()
        || id.len() > MAX_TRANS_ID_CHARS
        || !id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Rejection::TransId);
    }
    if req.msisdn.is_empty() {
        return Err(Rejection::Msisdn);
    }
    let amount = Money::parse_decimal(&req.trans_amount, currency)
        .ok()
        .filter(|m| m.minor() > 0)
        .ok_or(Rejection::Amount)?;
    if req.bill_ref_number.chars().count() > MAX_BILL_REF_CHARS {
        return Err(Rejection::AccountNumber(ReferenceError::Length));
    }
    let reference = BillReference::parse(&req.bill_ref_number).map_err(Rejection::AccountNumber)?;
    let trans_time_ms = trans_time_ms(&req.trans_time).ok_or(Rejection::TransTime)?;
    Ok(Checked {
        trans_id: id.clone(),
        amount,
        reference,
        trans_time_ms,
    })
}

/// Validation reply accepting the payment: `{"ResultCode":"0","ResultDesc":"Accepted"}`
/// (the code is a string here, unlike the confirmation's).
pub fn validation_accepted() -> Value {
    json!({"ResultCode": "0", "ResultDesc": "Accepted"})
}

/// Validation reply refusing the payment: `{"ResultCode":"C2B00012","ResultDesc":"Rejected"}`.
pub fn validation_rejected(rejection: &Rejection) -> Value {
    json!({"ResultCode": rejection.code(), "ResultDesc": "Rejected"})
}

/// Confirmation acknowledgement: `{"ResultCode":0,"ResultDesc":"Success"}` (a number).
/// Sent for every confirmation, repeated or not, so Safaricom stops retrying.
pub fn confirmation_ack() -> Value {
    json!({"ResultCode": 0, "ResultDesc": "Success"})
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    const SHORTCODE: &str = "600638";

    fn good_ref() -> BillReference {
        BillReference::generate(&mut rand::rngs::StdRng::seed_from_u64(7))
    }

    /// The shape of Daraja's documented confirmation body.
    fn body(bill_ref: &str) -> Value {
        json!({
            "TransactionType": "Pay Bill", "TransID": "RKTQDM7W6S",
            "TransTime": "20191122063845", "TransAmount": "10",
            "BusinessShortCode": SHORTCODE, "BillRefNumber": bill_ref,
            "InvoiceNumber": "", "OrgAccountBalance": "49197.00", "ThirdPartyTransID": "",
            "MSISDN": "25470****149", "FirstName": "John", "MiddleName": "", "LastName": "Doe"
        })
    }

    fn request(bill_ref: &str) -> C2bRequest {
        parse_body(body(bill_ref).to_string().as_bytes()).expect("Daraja body parses")
    }

    fn checked(req: &C2bRequest) -> Result<Checked, Rejection> {
        check(req, SHORTCODE, Currency::Kes)
    }

    #[test]
    fn a_documented_body_parses_and_checks() {
        let r = good_ref();
        let mut v = body(&r.to_string());
        v["SomethingNew"] = json!(42); // Safaricom adds fields; they must not break us.
        let req = parse_body(v.to_string().as_bytes()).unwrap();
        assert_eq!(req.msisdn, "25470****149");
        assert_eq!(req.org_account_balance, "49197.00");
        let ok = checked(&req).unwrap();
        assert_eq!(ok.trans_id, "RKTQDM7W6S");
        assert_eq!(ok.amount, Money::from_minor(1000, Currency::Kes));
        assert_eq!(ok.reference, r);
        assert_eq!(ok.trans_time_ms, 1_574_393_925_000); // 2019-11-22T03:38:45Z
    }

    #[test]
    fn bodies_parse_or_say_why() {
        // Optional fields may be omitted or null; required ones may not.
        let least = r#"{"TransID":"A1","TransAmount":"1","BusinessShortCode":"2","BillRefNumber":"x","MiddleName":null}"#;
        let want = C2bRequest {
            trans_id: "A1".into(),
            trans_amount: "1".into(),
            business_short_code: "2".into(),
            bill_ref_number: "x".into(),
            ..C2bRequest::default()
        };
        assert_eq!(parse_body(least.as_bytes()), Ok(want));
        let err = |t: &str| parse_body(t.as_bytes()).unwrap_err();
        let mut v = body("X");
        v.as_object_mut().unwrap().remove("TransID");
        assert_eq!(err(&v.to_string()), BodyError::MissingField("TransID"));
        let mut v = body("X");
        v["TransAmount"] = json!(10);
        assert_eq!(err(&v.to_string()), BodyError::NotAString("TransAmount"));
        v["TransAmount"] = json!("10");
        v["BillRefNumber"] = Value::Null;
        assert_eq!(err(&v.to_string()), BodyError::NotAString("BillRefNumber"));
        for text in [r#"{"TransID":"#, "not json", ""] {
            assert!(matches!(err(text), BodyError::Malformed(_)), "{text}");
        }
        // An array of thirteen strings would satisfy serde's struct reader; not ours.
        let array = serde_json::to_string(&["1"; 13]).unwrap();
        for text in [r#"["a"]"#, r#""TransID""#, "null", &array] {
            assert_eq!(err(text), BodyError::NotAnObject, "{text}");
        }
        let twice = least.replace(r#""TransAmount""#, r#""TransID":"B","TransAmount""#);
        assert!(matches!(err(&twice), BodyError::Other(_)), "{twice}");
    }

    #[test]
    fn bad_amounts_are_c2b00013() {
        let r = good_ref().to_string();
        let bad = "1e3|-5|10.001|| 100|0|0.00|9223372036854775808|1,000|10.|+5|0x10";
        for amount in bad.split('|') {
            let mut req = request(&r);
            req.trans_amount = amount.into();
            assert_eq!(checked(&req), Err(Rejection::Amount), "{amount:?}");
        }
        assert_eq!(Rejection::Amount.code(), "C2B00013");
        let mut req = request(&r);
        req.trans_amount = "200.50".into();
        assert_eq!(checked(&req).unwrap().amount.minor(), 20_050);
    }

    #[test]
    fn references_forgive_case_and_spacing_but_not_typos() {
        let r = good_ref();
        let c = r.as_str();
        let (a, b) = c.split_at(4);
        let typed = [
            c.to_lowercase(),
            r.to_string(),
            format!(" {a} {b} "),
            format!("{a}-{b}"),
        ];
        for t in typed {
            assert_eq!(checked(&request(&t)).unwrap().reference, r, "{t:?}");
        }
        let mut typo = c.as_bytes().to_vec();
        typo[2] = if typo[2] == b'2' { b'3' } else { b'2' };
        let typo = String::from_utf8(typo).unwrap();
        // The last folds to a good reference but is longer than Daraja's 20 characters.
        let bad = [
            typo,
            "invoice008".into(),
            String::new(),
            format!("{c}{}", " -".repeat(7)),
        ];
        for t in bad {
            let err = checked(&request(&t)).unwrap_err();
            assert!(matches!(err, Rejection::AccountNumber(_)), "{t:?}");
            let reply = validation_rejected(&err).to_string();
            assert_eq!(
                reply,
                r#"{"ResultCode":"C2B00012","ResultDesc":"Rejected"}"#
            );
        }
    }

    #[test]
    fn other_rejections_have_their_codes() {
        let ok = request(&good_ref().to_string());
        let err = check(&ok, "222222", Currency::Kes).unwrap_err();
        assert_eq!((err, err.code()), (Rejection::Shortcode, "C2B00015"));
        type Spoil = fn(&mut C2bRequest);
        let cases: [(Spoil, &str); 7] = [
            (|q| q.msisdn.clear(), "C2B00011"),
            (|q| q.trans_id = "RKT-QDM7".into(), "C2B00016"),
            (|q| q.trans_id = "A".repeat(21), "C2B00016"),
            (|q| q.trans_id.clear(), "C2B00016"),
            (|q| q.trans_time = "20190230063845".into(), "C2B00016"),
            (|q| q.trans_time.clear(), "C2B00016"),
            (|q| q.business_short_code = " 600638".into(), "C2B00015"),
        ];
        for (spoil, code) in cases {
            let mut req = ok.clone();
            spoil(&mut req);
            let err = checked(&req).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(!err.description().is_empty());
        }
    }

    #[test]
    fn trans_times_are_east_africa_time() {
        assert_eq!(trans_time_ms("20191122063845"), Some(1_574_393_925_000));
        assert_eq!(trans_time_ms("19700101030000"), Some(0));
        assert_eq!(trans_time_ms("20240229235959"), Some(1_709_240_399_000));
        // 2000 is divisible by 400, so leap.
        assert!(trans_time_ms("20000229120000").is_some());
        // Not leap (2023, 2100), month 13 and 0, day 0 and 31 Nov, hour 24, minute and
        // second 60, too short and too long, not all (ASCII) digits.
        let bad = "20230229000000 21000229000000 20191322063845 20190022063845 \
                   20191100063845 20191131063845 20191122243845 20191122066045 \
                   20191122063860 2019112206384 201911220638450 2019-11-22T0638 \
                   +0191122063845 2019112206384\u{661}";
        for t in bad.split_whitespace().chain([""]) {
            assert_eq!(trans_time_ms(t), None, "{t}");
        }
    }

    #[test]
    fn replies_are_exactly_darajas() {
        let text = |v: Value| v.to_string();
        let rejected = validation_rejected(&Rejection::Amount);
        let accepted = r#"{"ResultCode":"0","ResultDesc":"Accepted"}"#;
        assert_eq!(text(validation_accepted()), accepted);
        assert_eq!(
            text(rejected),
            r#"{"ResultCode":"C2B00013","ResultDesc":"Rejected"}"#
        );
        assert_eq!(
            text(confirmation_ack()),
            r#"{"ResultCode":0,"ResultDesc":"Success"}"#
        );
    }

    proptest! {
        #[test]
        fn parse_body_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(req) = parse_body(&bytes) {
                let _ = check(&req, SHORTCODE, Currency::Kes);
            }
        }

        #[test]
        fn check_never_panics(fields in proptest::collection::vec(any::<String>(), 6)) {
            let mut v = body("");
            let names =
                ["TransID", "TransTime", "TransAmount", "BusinessShortCode", "BillRefNumber", "MSISDN"];
            for (name, value) in names.into_iter().zip(&fields) {
                v[name] = json!(value);
            }
            let req = parse_body(v.to_string().as_bytes()).unwrap();
            prop_assert_eq!(&req.bill_ref_number, &fields[4]);
            let _ = check(&req, &fields[3], Currency::Kes);
            let _ = trans_time_ms(&fields[1]);
        }

        #[test]
        fn trans_time_inverts_lango_core_civil(ms in -2_000_000_000_000_i64..250_000_000_000_000) {
            let secs = ms.div_euclid(1000);
            let c = lango_core::clock::Civil::from_ms(secs * 1000 + EAT_OFFSET_MS);
            prop_assume!((0..=9999).contains(&c.year));
            let (y, mo, d, h, mi) = (c.year, c.month, c.day, c.hour, c.minute);
            let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{:02}", secs.rem_euclid(60));
            prop_assert_eq!(trans_time_ms(&text), Some(secs * 1000));
        }
    }
}
