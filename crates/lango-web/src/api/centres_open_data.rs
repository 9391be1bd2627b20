//! The service centres' figures as an open dataset (`/api/v1/open-data/centres.csv` and
//! `.json`), listed with the insights datasets: the rows of `lango_centres::figures` over a
//! period, the last 30 days unless `from` and `to` say otherwise.

use crate::AppState;
use lango_centres::calendar::{add_days, today};
use lango_core::{Error, Result};
use lango_insights::open_data::{is_date, Cell, Column, Dataset, Filter, Kind, Table};

const COLUMNS: [Column; 17] = [
    Column {
        name: "from",
        kind: Kind::Date,
        meaning: "First day of the period (the country's time).",
    },
    Column {
        name: "to",
        kind: Kind::Date,
        meaning: "Last day of the period, included.",
    },
    Column {
        name: "centre",
        kind: Kind::Text,
        meaning: "The centre's code, e.g. HC-GPO.",
    },
    Column {
        name: "centre_name",
        kind: Kind::Text,
        meaning: "The centre's name.",
    },
    Column {
        name: "county",
        kind: Kind::Text,
        meaning: "The county the centre is in (a mobile centre: its base).",
    },
    Column {
        name: "operator",
        kind: Kind::Text,
        meaning: "The code of the agency that runs the centre.",
    },
    Column {
        name: "service",
        kind: Kind::Text,
        meaning: "The service's code; empty for the centre as a whole.",
    },
    Column {
        name: "tickets",
        kind: Kind::Integer,
        meaning: "Queue tickets issued.",
    },
    Column {
        name: "tickets_per_day",
        kind: Kind::Decimal,
        meaning: "Tickets a day, over the days the centre issued any.",
    },
    Column {
        name: "wait_median_minutes",
        kind: Kind::Decimal,
        meaning: "Median minutes from taking a ticket to being called; empty without tickets.",
    },
    Column {
        name: "wait_p90_minutes",
        kind: Kind::Decimal,
        meaning: "90th percentile of the same: nine in ten waited at most this long.",
    },
    Column {
        name: "service_median_minutes",
        kind: Kind::Decimal,
        meaning: "Median minutes at the counter, from being called to being finished.",
    },
    Column {
        name: "no_show_rate",
        kind: Kind::Decimal,
        meaning: "Share (0 to 1) of finished tickets whose holder did not come when called.",
    },
    Column {
        name: "appointments",
        kind: Kind::Integer,
        meaning: "Appointments booked for days in the period (cancelled ones left out).",
    },
    Column {
        name: "appointments_kept",
        kind: Kind::Integer,
        meaning: "Of those, the appointments whose holder checked in.",
    },
    Column {
        name: "satisfaction_responses",
        kind: Kind::Integer,
        meaning: "Exit satisfaction answers (1 to 5, by SMS or the counter's tablet) for tickets of the period.",
    },
    Column {
        name: "satisfied_share",
        kind: Kind::Decimal,
        meaning: "Share (0 to 1) of those answers that were 4 or 5 (satisfied or very satisfied); empty without answers.",
    },
];

/// The dataset and its dictionary.
pub const DATASET: Dataset = Dataset {
    name: "centres",
    title: "Service centres: tickets, waiting and service times, satisfaction",
    description: "One row per service centre (service empty) and per centre and service, over the period from–to (the last 30 days unless from and to are given): queue tickets, waiting and service times, no-shows, appointments kept and exit satisfaction. The agency filter is the centre's operator.",
    columns: &COLUMNS,
};

/// The dataset's rows that `filter` selects.
pub async fn table(state: &AppState, filter: &Filter) -> Result<Table> {
    for (field, value) in [("from", &filter.from), ("to", &filter.to)] {
        if let Some(v) = value {
            if !is_date(v) {
                return Err(Error::invalid(field, "expected a date like 2026-11-23"));
            }
        }
    }
    let to = filter.to.clone().unwrap_or_else(today);
    let from = filter
        .from
        .clone()
        .unwrap_or_else(|| add_days(&to, -(crate::pages::centre_figures::DAYS - 1)));
    let centres = state.centres.all().await?;
    let figures = state.centres.figures(&from, &to).await?;
    let decimal = |v: f64, places: usize| Cell::Decimal(format!("{v:.places$}"));
    let rows = figures
        .iter()
        .filter_map(|f| {
            let c = centres.iter().find(|c| c.code == f.centre)?;
            let agency_ok = filter
                .agency
                .as_deref()
                .is_none_or(|a| c.operator.eq_ignore_ascii_case(a.trim()));
            let service_ok = filter
                .service
                .as_deref()
                .is_none_or(|s| f.service.eq_ignore_ascii_case(s.trim()));
            if !(agency_ok && service_ok) {
                return None;
            }
            let ticketed = |cell: Cell| if f.tickets > 0 { cell } else { Cell::Missing };
            Some(vec![
                Cell::Text(from.clone()),
                Cell::Text(to.clone()),
                Cell::Text(c.code.clone()),
                Cell::Text(c.name.clone()),
                Cell::Text(c.county.clone()),
                Cell::Text(c.operator.clone()),
                Cell::Text(f.service.clone()),
                Cell::Int(f.tickets),
                ticketed(decimal(f.tickets_per_day, 1)),
                ticketed(decimal(f.wait_median_minutes, 1)),
                ticketed(decimal(f.wait_p90_minutes, 1)),
                ticketed(decimal(f.service_median_minutes, 1)),
                ticketed(decimal(f.no_show_rate, 3)),
                Cell::Int(f.appointments),
                Cell::Int(f.appointments_kept),
                Cell::Int(f.satisfaction_responses),
                if f.satisfaction_responses > 0 {
                    decimal(f.satisfied_share, 3)
                } else {
                    Cell::Missing
                },
            ])
        })
        .collect();
    Ok(Table {
        dataset: DATASET,
        rows,
    })
}
