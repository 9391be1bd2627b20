//! Open data: every published figure as a dataset with a data dictionary, served as CSV
//! and JSON. Each room of this crate describes its datasets ([`Dataset`]) and fills their
//! rows; this module lists them and writes them out.

use crate::Insights;
use lango_core::{Error, Result};

/// What kind of value a column holds (the data dictionary's "type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Free text or a code.
    Text,
    /// A whole number.
    Integer,
    /// An exact decimal written with a point, e.g. `4550.00` or `87.5`.
    Decimal,
    /// A day, `YYYY-MM-DD` (East Africa Time).
    Date,
    /// A month, `YYYY-MM` (East Africa Time).
    Month,
}

/// One column of a dataset.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Column {
    /// Its name in CSV headers and JSON keys.
    pub name: &'static str,
    /// Its kind of value.
    pub kind: Kind,
    /// What it means, in a sentence.
    pub meaning: &'static str,
}

/// A published dataset and its dictionary.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Dataset {
    /// Its name in URLs (`/api/v1/open-data/{name}.csv`).
    pub name: &'static str,
    /// Its title.
    pub title: &'static str,
    /// What one row is and where the figures come from.
    pub description: &'static str,
    /// Its columns, in order.
    pub columns: &'static [Column],
}

/// One value in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text (also codes, dates and months).
    Text(String),
    /// A whole number.
    Int(i64),
    /// An exact decimal, already written (`"4550.00"`).
    Decimal(String),
    /// No value: "no data", never a zero in disguise.
    Missing,
}

/// Which rows to publish.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// First day (or month) included, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day (or month) included, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Only this agency.
    pub agency: Option<String>,
    /// Only this service.
    pub service: Option<String>,
}

/// A dataset's rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// The dataset.
    pub dataset: Dataset,
    /// Its rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// Every published dataset, in the order the open-data page lists them.
pub fn datasets() -> Vec<Dataset> {
    [
        crate::usage::DATASETS,
        crate::kpi::DATASETS,
        crate::survey::DATASETS,
        crate::digitisation::DATASETS,
        crate::performance::DATASETS,
    ]
    .concat()
}

/// The dataset named `name`.
pub fn dataset(name: &str) -> Option<Dataset> {
    datasets().into_iter().find(|d| d.name == name)
}

impl Insights {
    /// The rows of dataset `name` that `filter` selects.
    pub async fn open_data(&self, name: &str, filter: &Filter) -> Result<Table> {
        let dataset = dataset(name).ok_or_else(|| Error::NotFound("dataset".into()))?;
        for (field, value) in [("from", &filter.from), ("to", &filter.to)] {
            if let Some(v) = value {
                if !is_date(v) {
                    return Err(Error::invalid(field, "expected a date like 2026-11-23"));
                }
            }
        }
        let rows = match crate::usage::rows(self, name, filter).await? {
            Some(rows) => rows,
            None => match crate::kpi::rows(self, name, filter).await? {
                Some(rows) => rows,
                None => match crate::survey::rows(self, name, filter).await? {
                    Some(rows) => rows,
                    None => match crate::digitisation::rows(self, name, filter).await? {
                        Some(rows) => rows,
                        None => crate::performance::rows(self, name, filter)
                            .await?
                            .unwrap_or_default(),
                    },
                },
            },
        };
        Ok(Table { dataset, rows })
    }
}

/// True for a real `YYYY-MM-DD` date.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i64>().ok();
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) && d >= 1 => {
            let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let days = lango_core::clock::days_from_civil(next.0, next.1, 1)
                - lango_core::clock::days_from_civil(y, m, 1);
            d <= days && s[0..4].bytes().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

impl Table {
    /// The table as CSV (RFC 4180, a header row of column names).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<&str> = self.dataset.columns.iter().map(|c| c.name).collect();
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => csv_text(t),
                    Cell::Int(n) => n.to_string(),
                    Cell::Decimal(d) => d.clone(),
                    Cell::Missing => String::new(),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The table as JSON: `{"dataset", "columns": [...], "rows": [{column: value}]}`, with
    /// decimals as strings (exact) and missing values as `null`.
    pub fn to_json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                let mut object = serde_json::Map::new();
                for (column, cell) in self.dataset.columns.iter().zip(row) {
                    let value = match cell {
                        Cell::Text(t) | Cell::Decimal(t) => serde_json::Value::String(t.clone()),
                        Cell::Int(n) => serde_json::Value::from(*n),
                        Cell::Missing => serde_json::Value::Null,
                    };
                    object.insert(column.name.to_string(), value);
                }
                serde_json::Value::Object(object)
            })
            .collect();
        serde_json::json!({
            "dataset": self.dataset.name,
            "title": self.dataset.title,
            "columns": self.dataset.columns,
            "rows": rows,
        })
    }
}

/// A CSV field: quoted when it holds a comma, quote or line break, and never a formula
/// (`lango_core::spreadsheet::cell`).
fn csv_text(t: &str) -> String {
    let t = lango_core::spreadsheet::cell(t);
    if t.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "name",
            kind: Kind::Text,
            meaning: "A name",
        },
        Column {
            name: "count",
            kind: Kind::Integer,
            meaning: "How many",
        },
        Column {
            name: "share",
            kind: Kind::Decimal,
            meaning: "A percentage",
        },
    ];

    fn table() -> Table {
        Table {
            dataset: Dataset {
                name: "test",
                title: "Test",
                description: "A test",
                columns: COLUMNS,
            },
            rows: vec![
                vec![
                    Cell::Text("Kamau, \"Jr\"".into()),
                    Cell::Int(3),
                    Cell::Decimal("87.5".into()),
                ],
                vec![Cell::Text("=SUM(A1)".into()), Cell::Int(0), Cell::Missing],
            ],
        }
    }

    #[test]
    fn csv_quotes_and_defuses_formulas_and_leaves_missing_empty() {
        assert_eq!(
            table().to_csv(),
            "name,count,share\r\n\"Kamau, \"\"Jr\"\"\",3,87.5\r\n'=SUM(A1),0,\r\n"
        );
    }

    #[test]
    fn json_keeps_decimals_exact_and_missing_null() {
        let json = table().to_json();
        assert_eq!(json["rows"][0]["share"], "87.5");
        assert_eq!(json["rows"][1]["share"], serde_json::Value::Null);
        assert_eq!(json["columns"][1]["kind"], "integer");
    }

    #[test]
    fn dates_are_real_dates() {
        assert!(is_date("2026-02-28"));
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2026-02-29"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("26-01-01"));
        assert!(!is_date("2026-1-01x"));
    }

    #[test]
    fn dataset_names_are_unique() {
        let all = datasets();
        let mut names: Vec<&str> = all.iter().map(|d| d.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
