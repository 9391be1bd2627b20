//! The agents' and the mobile centres' figures as open datasets, listed with the others:
//! `agents` (month by month and county: what agents applied for, the money paid on it and
//! their commission, from `lango_agents::figures`) and `mobile-stops` (each stop of a
//! mobile centre: tickets, appointments, people helped and cash, from
//! `lango_centres::stop_figures`).

use crate::AppState;
use lango_centres::calendar::{add_days, today};
use lango_core::money::{Currency, Money};
use lango_core::{Error, Result};
use lango_insights::open_data::{is_date, Cell, Column, Dataset, Filter, Kind, Table};

const AGENT_COLUMNS: [Column; 9] = [
    Column {
        name: "month",
        kind: Kind::Month,
        meaning: "The month, in the country's time.",
    },
    Column {
        name: "county",
        kind: Kind::Text,
        meaning: "The county of the agents (where their premises are).",
    },
    Column {
        name: "currency",
        kind: Kind::Text,
        meaning: "The currency of the amounts.",
    },
    Column {
        name: "applications",
        kind: Kind::Integer,
        meaning: "Applications registered agents started for people present, with their consent (channel agent).",
    },
    Column {
        name: "bills_paid",
        kind: Kind::Integer,
        meaning: "Bills of agents' applications paid in the month.",
    },
    Column {
        name: "service_amount",
        kind: Kind::Decimal,
        meaning: "The service amounts of those bills (the agencies' money, fees left out).",
    },
    Column {
        name: "commission_earned",
        kind: Kind::Decimal,
        meaning: "Commission the agents earned on those bills, under the rules in force when each was paid.",
    },
    Column {
        name: "commission_clawed_back",
        kind: Kind::Decimal,
        meaning: "Commission taken back in the month because a bill's service money was refunded or its payment reversed.",
    },
    Column {
        name: "commission_net",
        kind: Kind::Decimal,
        meaning: "Earned less clawed back: what the month adds to what agents are owed.",
    },
];

/// The agents' dataset and its dictionary.
pub const AGENTS: Dataset = Dataset {
    name: "agents",
    title: "Registered agents: applications, money paid and commission",
    description: "One row per month and county in which registered agents worked (the last 12 months unless from and to are given): the applications agents made for people present, the bills of them paid, and the commission earned and clawed back. Counted from the applications and the commission lines in the ledger. The service filter narrows to one service; there is no agency filter.",
    columns: &AGENT_COLUMNS,
};

const STOP_COLUMNS: [Column; 8] = [
    Column {
        name: "date",
        kind: Kind::Date,
        meaning: "The day of the stop (the country's time).",
    },
    Column {
        name: "centre",
        kind: Kind::Text,
        meaning: "The mobile centre's code.",
    },
    Column {
        name: "place",
        kind: Kind::Text,
        meaning: "Where it stood.",
    },
    Column {
        name: "county",
        kind: Kind::Text,
        meaning: "The county of the stop.",
    },
    Column {
        name: "tickets",
        kind: Kind::Integer,
        meaning: "Queue tickets issued at the stop.",
    },
    Column {
        name: "appointments",
        kind: Kind::Integer,
        meaning: "Appointments booked for the stop (cancelled ones left out).",
    },
    Column {
        name: "people_helped",
        kind: Kind::Integer,
        meaning: "People staff helped to apply at the stop.",
    },
    Column {
        name: "cash_kes",
        kind: Kind::Decimal,
        meaning: "Cash taken at the stop's counters, KES.",
    },
];

/// The mobile stops' dataset and its dictionary.
pub const STOPS: Dataset = Dataset {
    name: "mobile-stops",
    title: "Mobile centres: each stop's tickets, appointments, people helped and cash",
    description: "One row per stop of a mobile centre on its published schedule, from–to (the last 30 days unless from and to are given). The agency filter is the centre's operator.",
    columns: &STOP_COLUMNS,
};

/// Refuses a `from` or `to` that is not a date.
fn check_dates(filter: &Filter) -> Result<()> {
    for (field, value) in [("from", &filter.from), ("to", &filter.to)] {
        if value.as_deref().is_some_and(|v| !is_date(v)) {
            return Err(Error::invalid(field, "expected a date like 2026-11-23"));
        }
    }
    Ok(())
}

fn money(minor: i64, currency: &str) -> Cell {
    let currency = Currency::ALL
        .into_iter()
        .find(|c| c.code() == currency)
        .unwrap_or(Currency::Kes);
    Cell::Decimal(Money::from_minor(minor, currency).to_decimal())
}

/// The agents' rows that `filter` selects.
pub async fn agents(state: &AppState, filter: &Filter) -> Result<Table> {
    check_dates(filter)?;
    let to = filter.to.clone().unwrap_or_else(today);
    let from = filter.from.clone().unwrap_or_else(|| add_days(&to, -365));
    let months = (&from[..7], &to[..7]);
    let found =
        lango_agents::figures::by_county_month(&state.db, months, filter.service.as_deref())
            .await?;
    let rows = found
        .into_iter()
        .map(|r| {
            vec![
                Cell::Text(r.month),
                Cell::Text(r.county),
                Cell::Text(r.currency.clone()),
                Cell::Int(r.applications),
                Cell::Int(r.paid),
                money(r.money, &r.currency),
                money(r.earned, &r.currency),
                money(r.clawed_back, &r.currency),
                money(r.earned - r.clawed_back, &r.currency),
            ]
        })
        .collect();
    Ok(Table {
        dataset: AGENTS,
        rows,
    })
}

/// The mobile stops' rows that `filter` selects.
pub async fn stops(state: &AppState, filter: &Filter) -> Result<Table> {
    check_dates(filter)?;
    let to = filter.to.clone().unwrap_or_else(today);
    let from = filter.from.clone().unwrap_or_else(|| add_days(&to, -29));
    let centres = state.centres.all().await?;
    let rows = state
        .centres
        .stop_figures(&from, &to)
        .await?
        .into_iter()
        .filter(|s| {
            filter.agency.as_deref().is_none_or(|a| {
                centres
                    .iter()
                    .any(|c| c.code == s.centre && c.operator.eq_ignore_ascii_case(a.trim()))
            })
        })
        .map(|s| {
            vec![
                Cell::Text(s.date),
                Cell::Text(s.centre),
                Cell::Text(s.place),
                Cell::Text(s.county),
                Cell::Int(s.tickets),
                Cell::Int(s.appointments),
                Cell::Int(s.helped),
                money(s.cash, "KES"),
            ]
        })
        .collect();
    Ok(Table {
        dataset: STOPS,
        rows,
    })
}
