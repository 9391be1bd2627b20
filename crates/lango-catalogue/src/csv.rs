//! The catalogue CSV format (DESIGN.md's fixed contract), read row by row.
//!
//! A problem with the header refuses the whole file; a problem with a row refuses that
//! row alone, with its line number and reason, and the others go on.

use crate::model::*;
use crate::topics;
use lango_core::Error;
use std::collections::HashMap;
use std::io::{Read, Write};

/// Columns every services file has.
pub const SERVICE_COLUMNS: [&str; 15] = [
    "code",
    "name",
    "name_sw",
    "summary",
    "summary_sw",
    "agency_code",
    "category",
    "life_events",
    "channels",
    "stage",
    "fees",
    "sla_days",
    "documents",
    "keywords",
    "status",
];
/// Columns a services file may add.
pub const SERVICE_OPTIONAL: [&str; 7] = [
    "description",
    "description_sw",
    "eligibility",
    "eligibility_sw",
    "documents_sw",
    "fees_sw",
    "apply_url",
];
/// Columns every agencies file has.
pub const AGENCY_COLUMNS: [&str; 6] =
    ["code", "name", "name_sw", "level", "parent_code", "website"];

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The row's code, when it could be read.
    pub code: Option<String>,
    /// What was wrong.
    pub reason: String,
}

/// The rows of a file that parsed, with their line numbers, and those that did not.
#[derive(Debug)]
pub struct Parsed<T> {
    /// Rows that parsed, in file order.
    pub rows: Vec<(u64, T)>,
    /// Rows that did not.
    pub rejected: Vec<Rejected>,
}

/// One row's cells by column name.
struct Row<'a> {
    cells: HashMap<&'a str, &'a str>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        // A file Lango exported carries formula-like text after an apostrophe.
        lango_core::spreadsheet::uncell(self.cells.get(column).copied().unwrap_or(""))
    }
}

/// Reads a services file.
pub fn read_services(input: impl Read) -> Result<Parsed<Service>, Error> {
    read_rows(input, &SERVICE_COLUMNS, &SERVICE_OPTIONAL, |row| {
        let code = ServiceCode::parse(row.get("code"))?;
        let stage = Stage::parse(row.get("stage")).ok_or_else(|| {
            Error::invalid(
                "stage",
                format!(
                    "stage must be one of {}, got {:?}",
                    Stage::choices(),
                    row.get("stage")
                ),
            )
        })?;
        let status = match row.get("status").trim() {
            "" => Status::Active,
            s => Status::parse(s).ok_or_else(|| {
                Error::invalid(
                    "status",
                    format!("status must be one of {}, got {s:?}", Status::choices()),
                )
            })?,
        };
        let mut fees = parse_fees(row.get("fees"))?;
        parse_fee_labels_sw(row.get("fees_sw"), &mut fees)?;
        let documents = parse_items("documents", row.get("documents"))?;
        let documents_sw = parse_documents_sw(row.get("documents_sw"), &documents)?;
        let life_events = parse_items("life_events", row.get("life_events"))?
            .iter()
            .map(|s| topics::life_event(s).map(String::from))
            .collect::<Result<_, _>>()?;
        Ok((
            code.to_string(),
            Service {
                code,
                name: parse_text("name", row.get("name"), MAX_NAME, true)?,
                name_sw: parse_text("name_sw", row.get("name_sw"), MAX_NAME, false)?,
                summary: parse_text("summary", row.get("summary"), MAX_SUMMARY, true)?,
                summary_sw: parse_text("summary_sw", row.get("summary_sw"), MAX_SUMMARY, false)?,
                description: parse_text("description", row.get("description"), MAX_TEXT, false)?,
                description_sw: parse_text(
                    "description_sw",
                    row.get("description_sw"),
                    MAX_TEXT,
                    false,
                )?,
                eligibility: parse_text("eligibility", row.get("eligibility"), MAX_TEXT, false)?,
                eligibility_sw: parse_text(
                    "eligibility_sw",
                    row.get("eligibility_sw"),
                    MAX_TEXT,
                    false,
                )?,
                agency_code: AgencyCode::parse(row.get("agency_code"))
                    .map_err(|e| Error::invalid("agency_code", e.to_string()))?,
                category: topics::category(row.get("category"))?.to_string(),
                life_events,
                channels: parse_channels(row.get("channels"))?,
                stage,
                fees,
                sla_days: parse_sla(row.get("sla_days"))?,
                documents,
                documents_sw,
                keywords: parse_items("keywords", row.get("keywords"))?,
                status,
                apply_url: parse_apply_url(row.get("apply_url"))?,
            },
        ))
    })
}

/// Reads an agencies file.
pub fn read_agencies(input: impl Read) -> Result<Parsed<Agency>, Error> {
    read_rows(input, &AGENCY_COLUMNS, &[], |row| {
        let code = AgencyCode::parse(row.get("code"))?;
        let level = Level::parse(row.get("level")).ok_or_else(|| {
            Error::invalid(
                "level",
                format!(
                    "level must be one of {}, got {:?}",
                    Level::choices(),
                    row.get("level")
                ),
            )
        })?;
        let parent_code = match row.get("parent_code").trim() {
            "" => None,
            p => Some(
                AgencyCode::parse(p).map_err(|e| Error::invalid("parent_code", e.to_string()))?,
            ),
        };
        if parent_code.as_ref() == Some(&code) {
            return Err(Error::invalid(
                "parent_code",
                "an agency cannot be its own parent",
            ));
        }
        let website = parse_text("website", row.get("website"), MAX_ITEM, false)?;
        if !(website.is_empty()
            || website.starts_with("https://")
            || website.starts_with("http://"))
        {
            return Err(Error::invalid(
                "website",
                "website must start with https:// or http://",
            ));
        }
        Ok((
            code.to_string(),
            Agency {
                code,
                name: parse_text("name", row.get("name"), MAX_NAME, true)?,
                name_sw: parse_text("name_sw", row.get("name_sw"), MAX_NAME, false)?,
                level,
                parent_code,
                website,
                email: String::new(),
                phone: String::new(),
            },
        ))
    })
}

/// Line numbers of a file's records, counted from the bytes themselves: the csv crate's own
/// `Position::line` is one short after a CRLF line end or a blank line.
struct Lines<'a> {
    bytes: &'a [u8],
    /// The last offset asked about and its line (records come in file order).
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line a record starting at byte `offset` starts on: line ends (and blank lines)
    /// before its first byte belong to the lines before it.
    fn of(&mut self, offset: u64) -> u64 {
        let mut start = (offset as usize).min(self.bytes.len());
        while self
            .bytes
            .get(start)
            .is_some_and(|b| *b == b'\r' || *b == b'\n')
        {
            start += 1;
        }
        if start < self.at {
            // Not expected (records come in order), but never a wrong count.
            self.at = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.at..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.at = start;
        self.line
    }
}

fn read_rows<T>(
    mut input: impl Read,
    required: &[&str],
    optional: &[&str],
    parse: impl Fn(&Row) -> Result<(String, T), Error>,
) -> Result<Parsed<T>, Error> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| Error::invalid("file", format!("cannot read the file: {e}")))?;
    // A spreadsheet's "CSV UTF-8" starts with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut lines = Lines::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| Error::invalid("file", format!("cannot read the header row: {e}")))?
        .clone();
    let mut columns: Vec<String> = Vec::new();
    for h in header.iter() {
        let name = lango_core::country::column_in(
            std::str::from_utf8(h)
                .map_err(|_| Error::invalid("file", "the header row is not valid UTF-8"))?
                .trim(),
        );
        if !required.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
            return Err(Error::invalid("file", format!("unknown column {name:?}")));
        }
        if columns.contains(&name) {
            return Err(Error::invalid(
                "file",
                format!("column {name:?} appears twice"),
            ));
        }
        columns.push(name);
    }
    if let Some(missing) = required.iter().find(|c| !columns.iter().any(|x| x == *c)) {
        return Err(Error::invalid(
            "file",
            format!("missing column {missing:?}"),
        ));
    }

    let mut parsed = Parsed {
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.of(p.byte()));
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return Err(Error::invalid(
                        "file",
                        format!("cannot read line {line}: {e}"),
                    ));
                }
                parsed.rejected.push(Rejected {
                    line,
                    code: None,
                    reason: e.to_string(),
                });
                continue;
            }
        }
        let line = record.position().map_or(0, |p| lines.of(p.byte()));
        let result = row_cells(&record, &columns).and_then(|cells| parse(&Row { cells }));
        match result {
            Ok((code, value)) => {
                if let Some(first) = seen.get(&code) {
                    parsed.rejected.push(Rejected {
                        line,
                        code: Some(code),
                        reason: format!("code already appears on line {first} of this file"),
                    });
                } else {
                    seen.insert(code, line);
                    parsed.rows.push((line, value));
                }
            }
            Err(e) => {
                let code = record
                    .get(columns.iter().position(|c| c == "code").unwrap_or(0))
                    .and_then(|c| std::str::from_utf8(c).ok())
                    .map(|c| c.trim().chars().take(40).collect());
                parsed.rejected.push(Rejected {
                    line,
                    code,
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(parsed)
}

fn row_cells<'a>(
    record: &'a csv::ByteRecord,
    columns: &'a [String],
) -> Result<HashMap<&'a str, &'a str>, Error> {
    if record.len() != columns.len() {
        return Err(Error::invalid(
            "row",
            format!(
                "row has {} fields; the header has {}",
                record.len(),
                columns.len()
            ),
        ));
    }
    let mut cells = HashMap::with_capacity(columns.len());
    for (name, raw) in columns.iter().zip(record.iter()) {
        let text = std::str::from_utf8(raw)
            .map_err(|_| Error::invalid(name.as_str(), format!("{name} is not valid UTF-8")))?;
        cells.insert(name.as_str(), text);
    }
    Ok(cells)
}

/// Writes services in the import format, optional columns included.
pub fn write_services<'a>(
    output: impl Write,
    services: impl IntoIterator<Item = &'a Service>,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(output);
    let header: Vec<String> = SERVICE_COLUMNS
        .iter()
        .chain(SERVICE_OPTIONAL.iter())
        .map(|c| lango_core::country::column_out(c))
        .collect();
    w.write_record(&header).map_err(io_error)?;
    for s in services {
        let sla = s.sla_days.map(|d| d.to_string()).unwrap_or_default();
        let channels: Vec<&str> = s.channels.iter().map(|c| c.as_str()).collect();
        let texts = [
            s.code.as_str().to_string(),
            s.name.clone(),
            s.name_sw.clone(),
            s.summary.clone(),
            s.summary_sw.clone(),
            s.agency_code.as_str().to_string(),
            s.category.clone(),
            s.life_events.join(";"),
            channels.join(";"),
            s.stage.as_str().to_string(),
            format_fees(&s.fees),
            sla,
            s.documents.join(";"),
            s.keywords.join(";"),
            s.status.as_str().to_string(),
            s.description.clone(),
            s.description_sw.clone(),
            s.eligibility.clone(),
            s.eligibility_sw.clone(),
            s.documents_sw.join(";"),
            format_fee_labels_sw(&s.fees),
            s.apply_url.clone().unwrap_or_default(),
        ];
        // Agencies' own text goes to clerks' spreadsheets: never as a formula.
        w.write_record(
            texts
                .iter()
                .map(|t| lango_core::spreadsheet::cell(t).into_owned()),
        )
        .map_err(io_error)?;
    }
    w.flush().map_err(|e| Error::Internal(e.to_string()))
}

/// Writes agencies in the import format.
pub fn write_agencies<'a>(
    output: impl Write,
    agencies: impl IntoIterator<Item = &'a Agency>,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(output);
    w.write_record(AGENCY_COLUMNS.map(lango_core::country::column_out))
        .map_err(io_error)?;
    for a in agencies {
        let parent = a.parent_code.as_ref().map_or("", |p| p.as_str());
        w.write_record(
            [
                a.code.as_str(),
                &a.name,
                &a.name_sw,
                a.level.as_str(),
                parent,
                &a.website,
            ]
            .map(|t| lango_core::spreadsheet::cell(t).into_owned()),
        )
        .map_err(io_error)?;
    }
    w.flush().map_err(|e| Error::Internal(e.to_string()))
}

fn io_error(e: csv::Error) -> Error {
    Error::Internal(format!("cannot write CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::{read_services, write_services};

    #[test]
    fn an_export_never_hands_a_spreadsheet_a_formula_and_imports_as_it_was() {
        let file = "code,name,name_sw,summary,summary_sw,agency_code,category,life_events,channels,stage,fees,sla_days,documents,keywords,status\n\
            MOI-GAZETTE-COPY,=HYPERLINK(\"http://x\"),Nunua,-5 pages,@muhtasari,MOI,justice-and-security,,online,end_to_end,:60.00 KES,1,,,active\n";
        let read = read_services(file.as_bytes()).unwrap();
        assert!(read.rejected.is_empty(), "{:?}", read.rejected);
        let mut out = Vec::new();
        write_services(&mut out, read.rows.iter().map(|(_, s)| s)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
        assert!(text.contains(",'-5 pages,'@muhtasari,"), "{text}");
        let again = read_services(text.as_bytes()).unwrap();
        assert_eq!(again.rows[0].1.name, "=HYPERLINK(\"http://x\")");
        assert_eq!(again.rows[0].1.summary, "-5 pages");
        assert_eq!(again.rows, read.rows);
    }
}
