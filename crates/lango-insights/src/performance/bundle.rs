//! Bundles: several YAML documents in one text, separated by lines that are exactly `---`,
//! each a period (it has `scale`), a contract (`indicators`) or values entered with evidence
//! (`entries`). The demo loads one, and so does the worked example in
//! docs/performance-contracting.md.

use super::check::{parse_contract, parse_period, parse_value};
use super::decimal::{Dec, Num};
use super::model::{describe, Contract, Period, Problem};
use super::service::{store_contract, store_period};
use super::store::{self, Entry};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};

/// One document of a bundle, checked (entered values are checked against their contract
/// when they are loaded).
#[derive(Debug, Clone)]
pub enum Doc {
    /// A period and the text it was read from.
    Period(Period, String),
    /// A contract and the text it was read from.
    Contract(Contract, String),
    /// Values entered in a period.
    Entries(String, Vec<EnteredValue>),
}

/// A value of an entered indicator, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnteredValue {
    /// The agency.
    pub agency: String,
    /// The indicator's id.
    pub indicator: String,
    /// The value, exact.
    pub value: Dec,
    /// Where it comes from.
    pub evidence: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntriesFile {
    period: String,
    entries: Vec<EntryFile>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    agency: String,
    indicator: String,
    value: Num,
    evidence: String,
}

/// The YAML documents of `text`, split at lines that are exactly `---`, empty ones dropped.
pub fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.lines() {
        if line.trim_end() == "---" {
            docs.push(String::new());
        } else if let Some(d) = docs.last_mut() {
            d.push_str(line);
            d.push('\n');
        }
    }
    docs.into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

fn refused(what: &str, n: usize, problems: &[Problem]) -> Error {
    Error::invalid(
        what,
        format!("document {n} ({what}) refused: {}", describe(problems)),
    )
}

/// Reads and checks every document of a bundle.
pub fn parse_bundle(text: &str) -> Result<Vec<Doc>> {
    let mut out = Vec::new();
    for (i, doc) in split_documents(text).into_iter().enumerate() {
        let n = i + 1;
        let keys: serde_yaml_ng::Value = serde_yaml_ng::from_str(&doc)
            .map_err(|e| Error::invalid("bundle", format!("document {n} is not YAML: {e}")))?;
        let has = |k: &str| keys.get(k).is_some();
        if has("scale") {
            let period = parse_period(&doc).map_err(|p| refused("period", n, &p))?;
            out.push(Doc::Period(period, doc));
        } else if has("indicators") {
            let contract = parse_contract(&doc).map_err(|p| refused("contract", n, &p))?;
            out.push(Doc::Contract(contract, doc));
        } else if has("entries") {
            let f: EntriesFile = serde_yaml_ng::from_str(&doc)
                .map_err(|e| Error::invalid("entries", format!("document {n} (entries): {e}")))?;
            let mut values = Vec::new();
            for e in f.entries {
                let value = Dec::parse(&e.value.0).map_err(|m| {
                    Error::invalid(
                        "entries",
                        format!("document {n}, {} {}: {m}", e.agency, e.indicator),
                    )
                })?;
                values.push(EnteredValue {
                    agency: e.agency,
                    indicator: e.indicator,
                    value,
                    evidence: e.evidence,
                });
            }
            out.push(Doc::Entries(f.period, values));
        } else {
            return Err(Error::invalid(
                "bundle",
                format!(
                    "document {n} is neither a period (scale), a contract (indicators) nor entries"
                ),
            ));
        }
    }
    Ok(out)
}

/// Loads bundles, in order, saving as `system` what is new or changed; returns how many
/// things were saved. For the demo and for set-up scripts (no person acts, so the policy is
/// not asked: whoever can run this can write to the database anyway).
pub async fn load_texts(db: &Db, texts: &[&str]) -> Result<usize> {
    let mut saved = 0;
    for text in texts {
        for doc in parse_bundle(text)? {
            saved += load(db, doc).await?;
        }
    }
    Ok(saved)
}

async fn load(db: &Db, doc: Doc) -> Result<usize> {
    match doc {
        Doc::Period(period, text) => {
            let held = store::period(db, &period.code).await?;
            if held.is_some_and(|h| h.source == text) {
                return Ok(0);
            }
            store_period(db, &text, None, "system")
                .await?
                .map_err(|p| refused("period", 1, &p))?;
            Ok(1)
        }
        Doc::Contract(contract, text) => {
            let held = store::contracts(db, &contract.period, Some(&contract.agency)).await?;
            if held.first().is_some_and(|h| h.source == text) {
                return Ok(0);
            }
            store_contract(db, &text, (None, None), "system")
                .await?
                .map_err(|p| refused("contract", 1, &p))?;
            Ok(1)
        }
        Doc::Entries(period, values) => {
            let held = store::entries(db, &period, None).await?;
            let mut saved = 0;
            for v in values {
                let contract = store::contracts(db, &period, Some(&v.agency)).await?;
                let indicator = contract
                    .first()
                    .and_then(|c| {
                        c.value
                            .indicators
                            .iter()
                            .find(|i| i.id == v.indicator && i.is_entered())
                    })
                    .ok_or_else(|| {
                        Error::invalid(
                            "entries",
                            format!(
                                "{} has no entered indicator {} in {period}",
                                v.agency, v.indicator
                            ),
                        )
                    })?;
                let value = parse_value(indicator, &v.value.to_string())
                    .map_err(|m| Error::invalid("entries", m))?;
                let entry = Entry {
                    agency: v.agency,
                    indicator: v.indicator,
                    value: value.to_string(),
                    evidence: v.evidence,
                    entered_by: "system".into(),
                    entered_at: now_ms(),
                };
                let same = held.iter().any(|h| {
                    h.agency == entry.agency
                        && h.indicator == entry.indicator
                        && h.value == entry.value
                        && h.evidence == entry.evidence
                });
                if !same {
                    store::put_entry(db, &period, &entry).await?;
                    saved += 1;
                }
            }
            Ok(saved)
        }
    }
}
