//! What a signed document says: its claims, as a CBOR map with short text keys (the QR
//! must stay small), written and read here only. The format is described for outside
//! verifiers in docs/signed-documents.md.

use crate::Invalid;
use ciborium::Value;
use std::collections::BTreeMap;

/// The version of the claims map this code writes (`v`).
pub const FORMAT: u8 = 1;

/// What a document says about itself and its holder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Claims {
    /// The document number, e.g. `LD-7K3M-9QX2` (`n`).
    pub number: String,
    /// Its type, e.g. `certificate-of-good-conduct` (`t`).
    pub kind: String,
    /// The issuing agency's code, e.g. `DCI` (`a`).
    pub agency: String,
    /// The holder's full name (`h`).
    pub holder: String,
    /// The holder's ID number, masked but for its last four characters (`hid`).
    pub holder_id: String,
    /// The day it was issued, `YYYY-MM-DD` (`iat`).
    pub issued: String,
    /// Its last valid day, `YYYY-MM-DD`, when it expires (`exp`).
    pub expires: Option<String>,
    /// The SHA-256 of the document it seals, hex (`sha`, 32 bytes in the CBOR).
    pub sha256: String,
    /// The document's own key fields, as printed (`f`).
    pub fields: BTreeMap<String, String>,
}

/// An ID number as a verifier may see it: all but the last four characters hidden.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().filter(|c| !c.is_whitespace()).collect();
    let keep = chars.len().min(4);
    let hidden = chars.len() - keep;
    "*".repeat(hidden) + &chars[hidden..].iter().collect::<String>()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

impl Claims {
    /// The claims as the CBOR map that is signed.
    pub fn to_cbor(&self) -> Result<Vec<u8>, Invalid> {
        let sha = hex_bytes(&self.sha256).ok_or(Invalid::Claims("sha256 is not 32 bytes"))?;
        let mut map = vec![
            (text("v"), Value::Integer(FORMAT.into())),
            (text("n"), text(&self.number)),
            (text("t"), text(&self.kind)),
            (text("a"), text(&self.agency)),
            (text("h"), text(&self.holder)),
            (text("hid"), text(&self.holder_id)),
            (text("iat"), text(&self.issued)),
        ];
        if let Some(exp) = &self.expires {
            map.push((text("exp"), text(exp)));
        }
        map.push((text("sha"), Value::Bytes(sha.to_vec())));
        map.push((
            text("f"),
            Value::Map(
                self.fields
                    .iter()
                    .map(|(k, v)| (text(k), text(v)))
                    .collect(),
            ),
        ));
        let mut out = Vec::new();
        ciborium::into_writer(&Value::Map(map), &mut out)
            .map_err(|_| Invalid::Claims("cannot be written"))?;
        Ok(out)
    }

    /// Reads a signed claims map; anything else is a clear refusal, never a panic.
    pub fn from_cbor(bytes: &[u8]) -> Result<Claims, Invalid> {
        let value: Value =
            ciborium::from_reader(bytes).map_err(|_| Invalid::Claims("not a CBOR value"))?;
        let Value::Map(entries) = value else {
            return Err(Invalid::Claims("not a map"));
        };
        let mut by_key: BTreeMap<String, Value> = BTreeMap::new();
        for (k, v) in entries {
            let Value::Text(k) = k else {
                return Err(Invalid::Claims("a key is not text"));
            };
            if by_key.insert(k, v).is_some() {
                return Err(Invalid::Claims("a key appears twice"));
            }
        }
        let get_text = |key: &str| -> Result<String, Invalid> {
            match by_key.get(key) {
                Some(Value::Text(s)) => Ok(s.clone()),
                _ => Err(Invalid::Claims("a required text is missing")),
            }
        };
        match by_key.get("v") {
            Some(Value::Integer(v)) if i128::from(*v) == i128::from(FORMAT) => {}
            _ => return Err(Invalid::Claims("unknown format version")),
        }
        let sha256 = match by_key.get("sha") {
            Some(Value::Bytes(b)) if b.len() == 32 => hex::encode(b),
            _ => return Err(Invalid::Claims("sha is not 32 bytes")),
        };
        let expires = match by_key.get("exp") {
            None => None,
            Some(Value::Text(s)) => Some(s.clone()),
            Some(_) => return Err(Invalid::Claims("exp is not text")),
        };
        let mut fields = BTreeMap::new();
        match by_key.get("f") {
            None => {}
            Some(Value::Map(f)) => {
                for (k, v) in f {
                    let (Value::Text(k), Value::Text(v)) = (k, v) else {
                        return Err(Invalid::Claims("a field is not text"));
                    };
                    fields.insert(k.clone(), v.clone());
                }
            }
            Some(_) => return Err(Invalid::Claims("f is not a map")),
        }
        let claims = Claims {
            number: get_text("n")?,
            kind: get_text("t")?,
            agency: get_text("a")?,
            holder: get_text("h")?,
            holder_id: get_text("hid")?,
            issued: get_text("iat")?,
            expires,
            sha256,
            fields,
        };
        if !is_date(&claims.issued) || claims.expires.as_deref().is_some_and(|e| !is_date(e)) {
            return Err(Invalid::Claims("a date is not YYYY-MM-DD"));
        }
        Ok(claims)
    }
}

/// True for `YYYY-MM-DD` (digits in place; the calendar is the issuer's business).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn hex_bytes(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_last_four() {
        assert_eq!(mask_id("23456789"), "****6789");
        assert_eq!(mask_id("12 34"), "1234");
        assert_eq!(mask_id("AB"), "AB");
    }

    #[test]
    fn dates_are_checked_for_shape() {
        assert!(is_date("2026-12-04"));
        assert!(!is_date("2026-1-04") && !is_date("2026/12/04") && !is_date("２０２６-12-04"));
    }
}
