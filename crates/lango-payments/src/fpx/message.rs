//! FPX messages: name–value pairs (`fpx_msgType`, `fpx_sellerExOrderNo`, …) sent as
//! `application/x-www-form-urlencoded`, each signed in `fpx_checkSum`. The signed text is the
//! value of every other field in order of the fields' names, joined by `|` (FPX lists each
//! message's fields alphabetically, so the two are the same); the signature is RSA PKCS#1
//! v1.5 over SHA-256, in upper-case hex.

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use std::collections::BTreeMap;

/// The field that carries the signature.
pub const CHECKSUM: &str = "fpx_checkSum";
/// An authorisation request (seller → gateway, through the payer's browser).
pub const AUTH_REQUEST: &str = "AR";
/// An authorisation confirmation (gateway → seller: direct, indirect or enquiry answer).
pub const AUTH_CONFIRMATION: &str = "AC";
/// An authorisation enquiry (seller → gateway, server to server).
pub const AUTH_ENQUIRY: &str = "AE";
/// A bank-list enquiry and its answer.
pub const BANK_ENQUIRY: &str = "BE";
/// Business to consumer: one person's account.
pub const B2C: &str = "01";
/// The message version Lango speaks.
pub const VERSION: &str = "7.0";
/// The longest field value read.
const MAX_VALUE: usize = 500;

/// The fields of an authorisation request or enquiry, in the order FPX signs them.
const REQUEST_FIELDS: [&str; 20] = [
    "fpx_buyerAccNo",
    "fpx_buyerBankBranch",
    "fpx_buyerBankId",
    "fpx_buyerEmail",
    "fpx_buyerIban",
    "fpx_buyerId",
    "fpx_buyerName",
    "fpx_makerName",
    "fpx_msgToken",
    "fpx_msgType",
    "fpx_productDesc",
    "fpx_sellerBankCode",
    "fpx_sellerExId",
    "fpx_sellerExOrderNo",
    "fpx_sellerId",
    "fpx_sellerOrderNo",
    "fpx_sellerTxnTime",
    "fpx_txnAmount",
    "fpx_txnCurrency",
    "fpx_version",
];

/// The fields of a confirmation, in the order FPX signs them.
const CONFIRMATION_FIELDS: [&str; 21] = [
    "fpx_buyerBankBranch",
    "fpx_buyerBankId",
    "fpx_buyerIban",
    "fpx_buyerId",
    "fpx_buyerName",
    "fpx_creditAuthCode",
    "fpx_creditAuthNo",
    "fpx_debitAuthCode",
    "fpx_debitAuthNo",
    "fpx_fpxTxnId",
    "fpx_fpxTxnTime",
    "fpx_makerName",
    "fpx_msgToken",
    "fpx_msgType",
    "fpx_sellerExId",
    "fpx_sellerExOrderNo",
    "fpx_sellerId",
    "fpx_sellerOrderNo",
    "fpx_sellerTxnTime",
    "fpx_txnAmount",
    "fpx_txnCurrency",
];

/// The fields of a bank-list enquiry, in the order FPX signs them.
const BANK_ENQUIRY_FIELDS: [&str; 4] = [
    "fpx_msgToken",
    "fpx_msgType",
    "fpx_sellerExId",
    "fpx_version",
];

/// The fields of the bank list, in the order FPX signs them.
const BANK_LIST_FIELDS: [&str; 4] = [
    "fpx_bankList",
    "fpx_msgToken",
    "fpx_msgType",
    "fpx_sellerExId",
];

/// The fields message type `msg_type` carries and signs (none for a type Lango does not know).
fn fields_of(msg_type: &str) -> Option<&'static [&'static str]> {
    match msg_type {
        AUTH_REQUEST | AUTH_ENQUIRY => Some(&REQUEST_FIELDS),
        AUTH_CONFIRMATION => Some(&CONFIRMATION_FIELDS),
        BANK_ENQUIRY => Some(&BANK_ENQUIRY_FIELDS),
        "BC" => Some(&BANK_LIST_FIELDS),
        _ => None,
    }
}

/// One FPX message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message(BTreeMap<String, String>);

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// A field came twice.
    #[error("field {0} is repeated")]
    Repeated(String),
    /// A field is longer than any FPX field.
    #[error("field {0} is too long")]
    TooLong(String),
}

impl Message {
    /// An empty message of `msg_type`, B2C, from `exchange_id`.
    pub fn new(msg_type: &str) -> Message {
        let mut m = Message::default();
        m.set("fpx_msgType", msg_type);
        m.set("fpx_msgToken", B2C);
        m
    }

    /// Sets a field.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Message {
        self.0.insert(name.to_string(), value.into());
        self
    }

    /// A field's value, or `""` when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    /// Every field in name order (the checksum last).
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| *k != CHECKSUM)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(sum) = self.0.get(CHECKSUM) {
            out.push((CHECKSUM.to_string(), sum.clone()));
        }
        out
    }

    /// The text the checksum signs: the values of the fields its type carries, in FPX's
    /// order (a field not sent counts as empty). `None` for a type Lango does not know.
    pub fn signed_text(&self) -> Option<String> {
        let fields = fields_of(self.get("fpx_msgType"))?;
        Some(
            fields
                .iter()
                .map(|f| self.get(f))
                .collect::<Vec<_>>()
                .join("|"),
        )
    }

    /// True when every field is one its type carries and no value holds the separator, so
    /// that no two messages sign the same text.
    fn well_formed(&self) -> bool {
        let Some(fields) = fields_of(self.get("fpx_msgType")) else {
            return false;
        };
        self.0
            .iter()
            .all(|(k, v)| k == CHECKSUM || (fields.contains(&k.as_str()) && !v.contains('|')))
    }

    /// Signs the message with `key` (sets `fpx_checkSum`).
    pub fn sign(&mut self, key: &RsaPrivateKey) -> &mut Message {
        let signer = SigningKey::<Sha256>::new(key.clone());
        let signature = signer.sign(self.signed_text().unwrap_or_default().as_bytes());
        let hex = hex::encode_upper(signature.to_bytes());
        self.set(CHECKSUM, hex)
    }

    /// True when `fpx_checkSum` is `key`'s signature of the other fields, and they are the
    /// fields the message's type carries.
    pub fn verify(&self, key: &RsaPublicKey) -> bool {
        let Some(text) = self.signed_text().filter(|_| self.well_formed()) else {
            return false;
        };
        let Ok(bytes) = hex::decode(self.get(CHECKSUM).trim()) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        VerifyingKey::<Sha256>::new(key.clone())
            .verify(text.as_bytes(), &signature)
            .is_ok()
    }

    /// Reads a form body; only `fpx_` fields are kept.
    pub fn from_form(body: &[u8]) -> Result<Message, MessageError> {
        let mut m = Message::default();
        for (k, v) in url::form_urlencoded::parse(body) {
            if !k.starts_with("fpx_") {
                continue;
            }
            if v.len() > MAX_VALUE * 4 {
                return Err(MessageError::TooLong(k.into_owned()));
            }
            if m.0.insert(k.to_string(), v.into_owned()).is_some() {
                return Err(MessageError::Repeated(k.into_owned()));
            }
        }
        Ok(m)
    }

    /// The message as a form body.
    pub fn to_form(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.fields() {
            out.append_pair(&k, &v);
        }
        out.finish()
    }
}

/// `1234.50` for 123450 sen: FPX's amount, two decimals.
pub fn amount_text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Sen from FPX's `1234.50` (`None` for anything else).
pub fn parse_amount(text: &str) -> Option<i64> {
    let (whole, cents) = text.trim().split_once('.')?;
    if whole.is_empty()
        || whole.len() > 12
        || cents.len() != 2
        || !whole
            .bytes()
            .chain(cents.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(whole.parse::<i64>().ok()? * 100 + cents.parse::<i64>().ok()?)
}

/// A private key from PEM (PKCS#8 or PKCS#1).
pub fn private_key(pem: &str) -> Option<RsaPrivateKey> {
    RsaPrivateKey::from_pkcs8_pem(pem)
        .ok()
        .or_else(|| RsaPrivateKey::from_pkcs1_pem(pem).ok())
}

/// A public key from PEM (SPKI or PKCS#1).
pub fn public_key(pem: &str) -> Option<RsaPublicKey> {
    RsaPublicKey::from_public_key_pem(pem)
        .ok()
        .or_else(|| RsaPublicKey::from_pkcs1_pem(pem).ok())
}

lango_core::word_enum! {
    /// Where an FPX payment stands.
    pub enum FpxStatus {
        /// Made; the payer has not come back from the bank.
        Created = "created",
        /// The bank has not confirmed yet (`09`, `99`).
        Pending = "pending",
        /// Debited (`00`).
        Success = "success",
        /// Refused by the bank or the gateway.
        Failed = "failed",
        /// The payer cancelled at the bank (`1C`, `80`) or the seller did (`2X`).
        Cancelled = "cancelled",
    }
}

/// Our status for a debit authorisation code.
pub fn status_of(debit_auth_code: &str) -> FpxStatus {
    match debit_auth_code {
        "00" => FpxStatus::Success,
        "09" | "99" => FpxStatus::Pending,
        "1C" | "80" | "2X" => FpxStatus::Cancelled,
        _ => FpxStatus::Failed,
    }
}

/// What FPX's debit authorisation codes mean, in English (for the auditor's records).
pub fn describe(code: &str) -> &'static str {
    match code {
        "00" => "Approved",
        "09" => "Transaction pending",
        "99" => "Pending authorisation",
        "1A" => "Buyer session timeout at the bank's login page",
        "1C" => "Buyer chose cancel at the bank's login page",
        "2A" => "Amount below the minimum",
        "2X" => "Cancelled by the seller",
        "48" => "Maximum transaction limit exceeded",
        "51" => "Insufficient funds",
        "76" => "Transaction not found",
        "80" => "Buyer cancelled the transaction",
        "90" => "The bank's internet banking is unavailable",
        _ => "Refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RsaPrivateKey {
        // Small keys keep the test quick; the signing is the same.
        RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap()
    }

    #[test]
    fn signed_messages_verify_only_unchanged_and_with_the_right_key() {
        let k = key();
        let other = key();
        let mut m = Message::new(AUTH_CONFIRMATION);
        m.set("fpx_sellerExOrderNo", "abc")
            .set("fpx_txnAmount", "12.50")
            .set("fpx_debitAuthCode", "00");
        m.sign(&k);
        assert!(m.verify(&k.to_public_key()));
        assert!(!m.verify(&other.to_public_key()));
        let read = Message::from_form(m.to_form().as_bytes()).unwrap();
        assert!(read.verify(&k.to_public_key()));
        let mut changed = read.clone();
        changed.set("fpx_txnAmount", "1250.00");
        assert!(!changed.verify(&k.to_public_key()));
        let mut blank = read;
        blank.set(CHECKSUM, "");
        assert!(!blank.verify(&k.to_public_key()));
    }

    #[test]
    fn the_signed_text_is_the_types_fields_in_fpx_order() {
        let mut m = Message::new(BANK_ENQUIRY);
        m.set("fpx_sellerExId", "EX1").set(CHECKSUM, "X");
        assert_eq!(m.signed_text().as_deref(), Some("01|BE|EX1|"));
        assert_eq!(Message::default().signed_text(), None);
    }

    #[test]
    fn fields_renamed_added_or_holding_the_separator_do_not_verify() {
        let k = key();
        let mut m = Message::new(AUTH_CONFIRMATION);
        m.set("fpx_creditAuthCode", "00")
            .set("fpx_debitAuthCode", "51");
        m.sign(&k);
        assert!(m.verify(&k.to_public_key()));
        // The same values under other names sign another text.
        let mut renamed = m.clone();
        renamed.0.remove("fpx_creditAuthCode");
        renamed.set("fpx_buyerName", "00");
        assert!(!renamed.verify(&k.to_public_key()));
        let mut extra = m.clone();
        extra.set("fpx_note", "x");
        assert!(!extra.verify(&k.to_public_key()));
        let mut piped = Message::new(AUTH_CONFIRMATION);
        piped.set("fpx_buyerName", "A|B");
        piped.sign(&k);
        assert!(!piped.verify(&k.to_public_key()));
    }

    #[test]
    fn repeated_fields_are_refused() {
        assert_eq!(
            Message::from_form(b"fpx_a=1&fpx_a=2"),
            Err(MessageError::Repeated("fpx_a".into()))
        );
    }

    #[test]
    fn amounts_read_and_write_with_two_decimals() {
        assert_eq!(amount_text(123450), "1234.50");
        assert_eq!(amount_text(5), "0.05");
        assert_eq!(parse_amount("1234.50"), Some(123450));
        for bad in ["1234.5", "12,00", "", ".50", "-1.00", "1.000", "abc.de"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_map_to_statuses() {
        assert_eq!(status_of("00"), FpxStatus::Success);
        assert_eq!(status_of("09"), FpxStatus::Pending);
        assert_eq!(status_of("1C"), FpxStatus::Cancelled);
        assert_eq!(status_of("51"), FpxStatus::Failed);
    }
}
