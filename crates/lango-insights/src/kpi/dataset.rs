//! The `kpis` dataset: the four KPIs per month, agency and service, with their inputs.

use super::per_transaction;
use crate::open_data::{Cell, Column, Dataset, Filter, Kind};
use crate::{percent, Insights};
use lango_core::money::Money;
use lango_core::Result;
use std::collections::BTreeMap;

const fn col(name: &'static str, kind: Kind, meaning: &'static str) -> Column {
    Column {
        name,
        kind,
        meaning,
    }
}

/// SQL summing the completions made through a digital channel (`super::DIGITAL_CHANNELS`).
pub(super) const DIGITAL_SUM: &str =
    "CAST(SUM(CASE WHEN channel IN ('online', 'api', 'mobile', 'ussd') THEN completed ELSE 0 END) AS BIGINT)";

/// This room's published datasets.
pub const DATASETS: &[Dataset] = &[Dataset {
    name: "kpis",
    title: "The four service KPIs per month and service",
    description: "One row per month (the country's time), agency and service, with the GOV.UK \
        Service Standard's four KPIs and what they are computed from. A row with an empty \
        service is the agency as a whole, present for months in which the agency entered one \
        cost for all its services (it repeats the agency's totals). An empty KPI means no data \
        (nothing to divide by), never zero.",
    columns: &[
        col("month", Kind::Month, "The month"),
        col("agency", Kind::Text, "The agency's code"),
        col("service", Kind::Text, "The service's code; empty for the agency as a whole"),
        col("cost", Kind::Decimal, "What delivering it cost in all channels that month, as entered by the agency (major units)"),
        col("completed", Kind::Integer, "Applications completed in all channels"),
        col("cost_per_transaction", Kind::Decimal, "cost ÷ completed (major units)"),
        col("started", Kind::Integer, "Applications started"),
        col("completion_rate", Kind::Decimal, "completed ÷ started, percent with one decimal place"),
        col("digital_completed", Kind::Integer, "Applications completed online, through the API, a mobile app or USSD"),
        col("digital_take_up", Kind::Decimal, "digital_completed ÷ completed, percent with one decimal place"),
        col("responses", Kind::Integer, "Satisfaction survey responses"),
        col("satisfied", Kind::Integer, "Responses saying satisfied or very satisfied"),
        col("satisfaction", Kind::Decimal, "satisfied ÷ responses, percent with one decimal place"),
    ],
}];

/// One row's inputs.
#[derive(Debug, Default, Clone, Copy)]
struct Inputs {
    cost: Option<Money>,
    completed: i64,
    started: i64,
    digital_completed: i64,
    responses: i64,
    satisfied: i64,
}

/// The rows of dataset `name` when it is one of this room's.
pub(crate) async fn rows(
    insights: &Insights,
    name: &str,
    filter: &Filter,
) -> Result<Option<Vec<Vec<Cell>>>> {
    if name != "kpis" {
        return Ok(None);
    }
    let pool = insights.db().pool();
    let mut rows: BTreeMap<(String, String, String), Inputs> = BTreeMap::new();
    let (clause, binds) = crate::usage::where_clause(filter, "day", false, &["agency", "service"]);
    let sql = format!(
        "SELECT SUBSTR(day, 1, 7) AS month, agency, service, \
         CAST(SUM(completed) AS BIGINT) AS completed, CAST(SUM(started) AS BIGINT) AS started, \
         {DIGITAL_SUM} AS digital \
         FROM insight_usage{clause} GROUP BY SUBSTR(day, 1, 7), agency, service"
    );
    let mut q = sqlx::query_as::<_, (String, String, String, i64, i64, i64)>(&sql);
    for b in &binds {
        q = q.bind(b.clone());
    }
    let mut agency_totals: BTreeMap<(String, String), Inputs> = BTreeMap::new();
    for (month, agency, service, completed, started, digital) in q.fetch_all(pool).await? {
        let r = rows
            .entry((month.clone(), agency.clone(), service))
            .or_default();
        r.completed += completed;
        r.started += started;
        r.digital_completed += digital;
        let t = agency_totals.entry((month, agency)).or_default();
        t.completed += completed;
        t.started += started;
        t.digital_completed += digital;
    }
    let (clause, binds) = crate::usage::where_clause(filter, "month", true, &["agency", "service"]);
    let sql = format!(
        "SELECT month, agency, service, CAST(SUM(responses) AS BIGINT) AS responses, \
         CAST(SUM(satisfied) AS BIGINT) AS satisfied FROM insight_satisfaction{clause} \
         GROUP BY month, agency, service"
    );
    let mut q = sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql);
    for b in &binds {
        q = q.bind(b.clone());
    }
    for (month, agency, service, responses, satisfied) in q.fetch_all(pool).await? {
        let r = rows
            .entry((month.clone(), agency.clone(), service))
            .or_default();
        r.responses += responses;
        r.satisfied += satisfied;
        let t = agency_totals.entry((month, agency)).or_default();
        t.responses += responses;
        t.satisfied += satisfied;
    }
    // Costs: a service's own; the agency's whole-agency cost gets a row of its own with the
    // agency's totals (filtered out when the filter names a service).
    let (clause, binds) = crate::usage::where_clause(filter, "month", true, &["agency", "service"]);
    let sql = format!("SELECT month, agency, service, amount, currency FROM insight_costs{clause}");
    let mut q = sqlx::query_as::<_, (String, String, String, i64, String)>(&sql);
    for b in &binds {
        q = q.bind(b.clone());
    }
    for (month, agency, service, amount, currency) in q.fetch_all(pool).await? {
        let amount = Money::from_minor(amount, crate::usage::currency(&currency)?);
        let r = if service.is_empty() {
            let totals = agency_totals
                .get(&(month.clone(), agency.clone()))
                .copied()
                .unwrap_or_default();
            rows.entry((month, agency, service)).or_insert(totals)
        } else {
            rows.entry((month, agency, service)).or_default()
        };
        r.cost = Some(amount);
    }
    let decimal = |p: Option<String>| p.map_or(Cell::Missing, Cell::Decimal);
    Ok(Some(
        rows.into_iter()
            .map(|((month, agency, service), r)| {
                vec![
                    Cell::Text(month),
                    Cell::Text(agency),
                    Cell::Text(service),
                    decimal(r.cost.map(Money::to_decimal)),
                    Cell::Int(r.completed),
                    decimal(per_transaction(r.cost, r.completed).map(Money::to_decimal)),
                    Cell::Int(r.started),
                    decimal(percent(r.completed, r.started)),
                    Cell::Int(r.digital_completed),
                    decimal(percent(r.digital_completed, r.completed)),
                    Cell::Int(r.responses),
                    Cell::Int(r.satisfied),
                    decimal(percent(r.satisfied, r.responses)),
                ]
            })
            .collect(),
    ))
}
