//! The usage datasets of the open data: usage per day, per county and month, revenue per
//! day, and the search gaps.

use crate::open_data::{Cell, Column, Dataset, Filter, Kind};
use crate::Insights;
use lango_core::money::Money;
use lango_core::Result;
use sqlx::Row;

const fn col(name: &'static str, kind: Kind, meaning: &'static str) -> Column {
    Column {
        name,
        kind,
        meaning,
    }
}

/// Tables keyed by both agency and service.
const BOTH: &[&str] = &["agency", "service"];

const AGENCY: Column = col(
    "agency",
    Kind::Text,
    "The code of the agency that handles the service",
);
const SERVICE: Column = col("service", Kind::Text, "The service's code in the catalogue");

/// This room's published datasets.
pub const DATASETS: &[Dataset] = &[
    Dataset {
        name: "usage",
        title: "Applications per day, service and channel",
        description: "One row per day (the country's time), agency, service and channel through \
            which the application was made, counted from the platform's live transactions.",
        columns: &[
            col("day", Kind::Date, "The day it happened"),
            AGENCY,
            SERVICE,
            col("channel", Kind::Text, "How the application was made: online, centre (assisted), ussd, api or mobile"),
            col("started", Kind::Integer, "Applications started that day"),
            col("submitted", Kind::Integer, "Applications submitted that day"),
            col("completed", Kind::Integer, "Applications completed (the service delivered) that day"),
            col("rejected", Kind::Integer, "Applications rejected that day"),
            col("decided_in_sla", Kind::Integer, "Of those completed or rejected that day, how many within the service's published service level (working days from submission)"),
        ],
    },
    Dataset {
        name: "usage_by_county",
        title: "Applications per month and county",
        description: "One row per month (the country's time), agency, service and the county the \
            applicant gave in the application (empty when the service does not ask).",
        columns: &[
            col("month", Kind::Month, "The month it happened"),
            AGENCY,
            SERVICE,
            col("county", Kind::Text, "The county answered in the application; empty when not asked"),
            col("submitted", Kind::Integer, "Applications submitted that month"),
            col("completed", Kind::Integer, "Applications completed that month"),
            col("rejected", Kind::Integer, "Applications rejected that month"),
        ],
    },
    Dataset {
        name: "revenue",
        title: "Money received per day, service and payment channel",
        description: "One row per day (the country's time), agency, service, payment channel and \
            currency: payments received against the platform's bills.",
        columns: &[
            col("day", Kind::Date, "The day the payment was received"),
            AGENCY,
            col("service", Kind::Text, "The service the bill was raised for"),
            col("channel", Kind::Text, "How it was paid, e.g. mpesa, card, bank"),
            col("currency", Kind::Text, "ISO 4217 currency code"),
            col("payments", Kind::Integer, "Payments received"),
            col("bills_paid", Kind::Integer, "Bills that became fully paid"),
            col("amount", Kind::Decimal, "The sum received in major units (service amounts and convenience fees)"),
        ],
    },
    crate::search_gaps::DATASET,
];

/// `WHERE …` for `filter` over a table keyed by `period` (a day or, when `monthly`, a
/// month column) and, among `keys`, by `agency` and `service`; and the values to bind in
/// order. A filter on a key the table does not have selects nothing from it.
pub(crate) fn where_clause(
    filter: &Filter,
    period: &str,
    monthly: bool,
    keys: &[&str],
) -> (String, Vec<String>) {
    let cut = |d: &String| {
        if monthly {
            d.chars().take(7).collect()
        } else {
            d.clone()
        }
    };
    let mut terms = Vec::new();
    let mut binds = Vec::new();
    for (value, test) in [
        (filter.from.as_ref().map(cut), format!("{period} >= ")),
        (filter.to.as_ref().map(cut), format!("{period} <= ")),
        (filter.agency.clone(), "agency = ".to_string()),
        (filter.service.clone(), "service = ".to_string()),
    ] {
        let Some(v) = value else { continue };
        let key = test.trim_end_matches(" = ");
        if test.ends_with(" = ") && !keys.contains(&key) {
            terms.push("1 = 0".to_string());
            continue;
        }
        binds.push(v);
        terms.push(format!("{test}${}", binds.len()));
    }
    let sql = if terms.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", terms.join(" AND "))
    };
    (sql, binds)
}

/// The rows of dataset `name` when it is one of this room's.
pub(crate) async fn rows(
    insights: &Insights,
    name: &str,
    filter: &Filter,
) -> Result<Option<Vec<Vec<Cell>>>> {
    let pool = insights.db().pool();
    let text =
        |row: &sqlx::any::AnyRow, c: &str| -> Result<Cell> { Ok(Cell::Text(row.try_get(c)?)) };
    let int = |row: &sqlx::any::AnyRow, c: &str| -> Result<Cell> { Ok(Cell::Int(row.try_get(c)?)) };
    Ok(Some(match name {
        "usage" => {
            let (clause, binds) = where_clause(filter, "day", false, BOTH);
            let sql = format!(
                "SELECT day, agency, service, channel, started, submitted, completed, rejected, \
                 decided_in_sla FROM insight_usage{clause} ORDER BY day, agency, service, channel"
            );
            let mut q = sqlx::query(&sql);
            for b in binds {
                q = q.bind(b);
            }
            let mut out = Vec::new();
            for row in q.fetch_all(pool).await? {
                let mut cells = Vec::with_capacity(9);
                for c in ["day", "agency", "service", "channel"] {
                    cells.push(text(&row, c)?);
                }
                for c in [
                    "started",
                    "submitted",
                    "completed",
                    "rejected",
                    "decided_in_sla",
                ] {
                    cells.push(int(&row, c)?);
                }
                out.push(cells);
            }
            out
        }
        "usage_by_county" => {
            let (clause, binds) = where_clause(filter, "month", true, BOTH);
            let sql = format!(
                "SELECT month, agency, service, county, submitted, completed, rejected \
                 FROM insight_usage_county{clause} ORDER BY month, agency, service, county"
            );
            let mut q = sqlx::query(&sql);
            for b in binds {
                q = q.bind(b);
            }
            let mut out = Vec::new();
            for row in q.fetch_all(pool).await? {
                let mut cells = Vec::with_capacity(7);
                for c in ["month", "agency", "service", "county"] {
                    cells.push(text(&row, c)?);
                }
                for c in ["submitted", "completed", "rejected"] {
                    cells.push(int(&row, c)?);
                }
                out.push(cells);
            }
            out
        }
        "revenue" => {
            let (clause, binds) = where_clause(filter, "day", false, BOTH);
            let sql = format!(
                "SELECT day, agency, service, channel, currency, payments, bills_paid, amount \
                 FROM insight_revenue{clause} ORDER BY day, agency, service, channel, currency"
            );
            let mut q = sqlx::query(&sql);
            for b in binds {
                q = q.bind(b);
            }
            let mut out = Vec::new();
            for row in q.fetch_all(pool).await? {
                let code: String = row.try_get("currency")?;
                let amount = Money::from_minor(row.try_get("amount")?, super::currency(&code)?);
                let mut cells = Vec::with_capacity(8);
                for c in ["day", "agency", "service", "channel", "currency"] {
                    cells.push(text(&row, c)?);
                }
                cells.push(int(&row, "payments")?);
                cells.push(int(&row, "bills_paid")?);
                cells.push(Cell::Decimal(amount.to_decimal()));
                out.push(cells);
            }
            out
        }
        "search_gaps" => crate::search_gaps::rows(insights, filter).await?,
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_numbered_terms_in_order() {
        let filter = Filter {
            from: Some("2026-11-01".into()),
            to: None,
            agency: Some("DIS".into()),
            service: None,
        };
        assert_eq!(
            where_clause(&filter, "month", true, BOTH),
            (
                " WHERE month >= $1 AND agency = $2".to_string(),
                vec!["2026-11".to_string(), "DIS".to_string()]
            )
        );
        assert_eq!(where_clause(&Filter::default(), "day", false, BOTH).0, "");
        assert_eq!(
            where_clause(&filter, "day", false, &[]).0,
            " WHERE day >= $1 AND 1 = 0"
        );
    }

    #[test]
    fn every_dataset_has_columns() {
        for d in DATASETS {
            assert!(!d.columns.is_empty(), "{}", d.name);
        }
    }
}
