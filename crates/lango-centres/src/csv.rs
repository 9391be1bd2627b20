//! Centres as a spreadsheet (UTF-8 CSV, header row), the way a clerk keeps them: one row a
//! centre, multi-valued cells split by `;`. Export and import are inverses.

use crate::model::Centre;
use crate::{CentreInput, Problems};
use lango_core::spreadsheet::{cell, uncell};
use lango_core::{Error, Result};

/// The columns, in order. `schedule` is only for mobile centres.
pub const COLUMNS: [&str; 15] = [
    "code",
    "name",
    "name_sw",
    "kind",
    "county",
    "address",
    "latitude",
    "longitude",
    "operator",
    "hours",
    "services",
    "counters",
    "priority_lanes",
    "schedule",
    "status",
];

/// Reads every row of `bytes`; an unknown or missing column is refused by name. A byte-order
/// mark (spreadsheets write one) is skipped.
pub fn read(bytes: &[u8]) -> std::result::Result<Vec<CentreInput>, Problems> {
    let one = |m: String| Problems(vec![("file".into(), m)]);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = ::csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| one(format!("the file is not CSV: {e}")))?
        .iter()
        .map(|h| lango_core::country::column_in(&h.trim().to_ascii_lowercase()))
        .collect();
    if let Some(h) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(one(format!(
            "unknown column {h:?}: the columns are {}",
            COLUMNS.join(", ")
        )));
    }
    for required in &COLUMNS[..12] {
        if !headers.iter().any(|h| h == required) {
            return Err(one(format!("the column {required:?} is missing")));
        }
    }
    let mut out = Vec::new();
    for (i, record) in r.records().enumerate() {
        let record = record.map_err(|e| one(format!("row {}: {e}", i + 2)))?;
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|p| record.get(p))
                .map(|v| uncell(v).to_string())
                .unwrap_or_default()
        };
        out.push(CentreInput {
            code: get("code"),
            name: get("name"),
            name_sw: get("name_sw"),
            kind: get("kind"),
            county: get("county"),
            address: get("address"),
            latitude: get("latitude"),
            longitude: get("longitude"),
            operator: get("operator"),
            hours: get("hours"),
            services: get("services"),
            counters: get("counters"),
            priority_lanes: get("priority_lanes"),
            schedule: get("schedule").replace('\n', ";"),
            status: get("status"),
        });
    }
    if out.is_empty() {
        return Err(one("the file has no centres".into()));
    }
    Ok(out)
}

/// Writes `centres` in [`COLUMNS`] order.
pub fn write(centres: &[Centre]) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| Error::Internal(format!("CSV: {e}"));
    w.write_record(COLUMNS.map(lango_core::country::column_out))
        .map_err(fail)?;
    for c in centres {
        let i = CentreInput::of(c);
        let schedule = i.schedule.replace('\n', "; ");
        let row = [
            &i.code,
            &i.name,
            &i.name_sw,
            &i.kind,
            &i.county,
            &i.address,
            &i.latitude,
            &i.longitude,
            &i.operator,
            &i.hours,
            &i.services,
            &i.counters,
            &i.priority_lanes,
            &schedule,
            &i.status,
        ];
        w.write_record(row.iter().map(|v| cell(v).into_owned()))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("CSV: {e}")))
}
