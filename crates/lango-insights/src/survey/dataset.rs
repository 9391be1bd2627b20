//! The `satisfaction` open dataset: survey results per month, agency, service, survey
//! channel and the groups people chose to say, with small groups left out.

use super::ATTRIBUTES;
use crate::open_data::{Cell, Column, Dataset, Filter, Kind};
use crate::Insights;
use lango_core::Result;
use sqlx::Row;

/// Groups with fewer responses than this are not published: with so few answers, the
/// people behind a row could be recognised.
pub const MIN_PUBLISHED_RESPONSES: i64 = 5;

const fn col(name: &'static str, kind: Kind, meaning: &'static str) -> Column {
    Column {
        name,
        kind,
        meaning,
    }
}

const COLUMNS: &[Column] = &[
    col("month", Kind::Month, "The month the answers were given (the country's time)"),
    col("agency", Kind::Text, "The code of the agency that delivered the service"),
    col("service", Kind::Text, "The code of the service in the catalogue"),
    col("channel", Kind::Text, "How the survey was answered: page (the survey page), sms (a reply to the one-question SMS) or ussd (the phone menu, rate a service)"),
    col("sex", Kind::Text, "female, male or intersex; empty when the person chose not to say"),
    col("age_band", Kind::Text, "18-24, 25-34, 35-44, 45-54, 55-64 or 65+; empty when the person chose not to say"),
    col("county", Kind::Text, "The person's county (one of Kenya's 47); empty when the person chose not to say"),
    col("responses", Kind::Integer, "Survey responses in the group (always 5 or more: smaller groups are not published)"),
    col("satisfied", Kind::Integer, "Responses of 4 (satisfied) or 5 (very satisfied) on the 5-point scale"),
    col("satisfaction", Kind::Decimal, "User satisfaction: satisfied ÷ responses, as a percentage with one decimal place"),
    col("access_yes", Kind::Decimal, "Of those who answered, the percentage who found the service easy to reach (SDG 16.6.2 access); empty when nobody answered"),
    col("affordability_yes", Kind::Decimal, "Of those who answered, the percentage who found the cost affordable (SDG 16.6.2 affordability); empty when nobody answered"),
    col("effective_delivery_yes", Kind::Decimal, "Of those who answered, the percentage who got what they needed (SDG 16.6.2 effective delivery); empty when nobody answered"),
    col("equal_treatment_yes", Kind::Decimal, "Of those who answered, the percentage who were treated the same as anyone else (SDG 16.6.2 equal treatment); empty when nobody answered"),
    col("timeliness_yes", Kind::Decimal, "Of those who answered, the percentage for whom it was done in reasonable time (SDG 16.6.2 timeliness); empty when nobody answered"),
];

/// This room's published datasets.
pub const DATASETS: &[Dataset] = &[Dataset {
    name: "satisfaction",
    title: "User satisfaction after completed services",
    description: "One row per month, agency, service, survey channel, sex, age band and county: the answers \
        to the survey offered after every completed application (overall satisfaction on a 5-point scale and \
        SDG 16.6.2's five attributes, yes or no). To protect the people who answered, a row with fewer than \
        5 responses is not published; the totals shown on the dashboards include every response.",
    columns: COLUMNS,
}];

/// `numerator ÷ denominator` as a percentage with one decimal, rounded half up; missing
/// when there is nothing to divide by.
pub(crate) fn percent(numerator: i64, denominator: i64) -> Cell {
    if denominator <= 0 {
        return Cell::Missing;
    }
    let tenths = (2000 * numerator + denominator) / (2 * denominator);
    Cell::Decimal(format!("{}.{}", tenths / 10, tenths % 10))
}

/// The `YYYY-MM` of a `YYYY-MM-DD` day (the filter's days are checked before).
fn month_part(day: &str) -> String {
    day.get(..7).unwrap_or(day).to_string()
}

/// A group column: empty (not said) is missing.
fn group(value: String) -> Cell {
    if value.is_empty() {
        Cell::Missing
    } else {
        Cell::Text(value)
    }
}

/// The rows of dataset `name` when it is one of this room's.
pub(crate) async fn rows(
    insights: &Insights,
    name: &str,
    filter: &Filter,
) -> Result<Option<Vec<Vec<Cell>>>> {
    if name != "satisfaction" {
        return Ok(None);
    }
    let mut sql = String::from("SELECT * FROM insight_satisfaction WHERE responses >= $1");
    let mut binds: Vec<String> = Vec::new();
    let conditions = [
        ("month >=", filter.from.as_deref().map(month_part)),
        ("month <=", filter.to.as_deref().map(month_part)),
        ("agency =", filter.agency.clone()),
        ("service =", filter.service.clone()),
    ];
    for (condition, value) in conditions {
        if let Some(v) = value {
            binds.push(v);
            sql.push_str(&format!(" AND {condition} ${}", binds.len() + 1));
        }
    }
    sql.push_str(" ORDER BY month, agency, service, channel, sex, age_band, county");
    let mut q = sqlx::query(&sql).bind(MIN_PUBLISHED_RESPONSES);
    for b in &binds {
        q = q.bind(b);
    }
    let mut out = Vec::new();
    for row in q.fetch_all(insights.db().pool()).await? {
        let responses: i64 = row.try_get("responses")?;
        let satisfied: i64 = row.try_get("satisfied")?;
        let mut cells = vec![
            Cell::Text(row.try_get("month")?),
            Cell::Text(row.try_get("agency")?),
            Cell::Text(row.try_get("service")?),
            Cell::Text(row.try_get("channel")?),
            group(row.try_get("sex")?),
            group(row.try_get("age_band")?),
            group(row.try_get("county")?),
            Cell::Int(responses),
            Cell::Int(satisfied),
            percent(satisfied, responses),
        ];
        for (_, prefix) in ATTRIBUTES {
            let answered: i64 = row.try_get(format!("{prefix}_n").as_str())?;
            let yes: i64 = row.try_get(format!("{prefix}_yes").as_str())?;
            cells.push(percent(yes, answered));
        }
        out.push(cells);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_exact_with_one_place() {
        assert_eq!(percent(7, 8), Cell::Decimal("87.5".into()));
        assert_eq!(percent(2, 3), Cell::Decimal("66.7".into()));
        assert_eq!(percent(1, 3), Cell::Decimal("33.3".into()));
        assert_eq!(percent(5, 5), Cell::Decimal("100.0".into()));
        assert_eq!(percent(0, 5), Cell::Decimal("0.0".into()));
        // 1 ÷ 8 = 12.5 exactly; 1 ÷ 16 = 6.25 rounds half up to 6.3.
        assert_eq!(percent(1, 16), Cell::Decimal("6.3".into()));
        assert_eq!(percent(0, 0), Cell::Missing);
    }

    #[test]
    fn the_dictionary_says_small_groups_are_left_out() {
        let d = DATASETS[0];
        assert!(d
            .description
            .contains("fewer than 5 responses is not published"));
        assert_eq!(d.columns.len(), 10 + ATTRIBUTES.len());
    }
}
