//! What the web and the CLI call: save a period or a contract (the performance office),
//! enter a value with evidence (an agency's administrator), and read the league and each
//! agency's scores, computed afresh from the contracts, entered values and platform data.

use super::check::{parse_contract, parse_period, parse_value};
use super::decimal::{Dec, Q};
use super::model::{Contract, Indicator, Period, Problem, Source};
use super::score::{rank, standing, Actual, CategoryTable, Standing};
use super::store::{self, Entry, Saved};
use crate::kpi::Figure;
use crate::{Insights, Scope};
use lango_core::clock::now_ms;
use lango_core::db::Db;
use lango_core::{Error, Result};
use lango_identity::account::actor_label;
use lango_identity::policy::{check, Action, Actor, Object};
use std::collections::HashMap;

/// The longest evidence accepted.
pub const MAX_EVIDENCE: usize = 1000;

/// A period's league: its scale and every contract scored, per category.
#[derive(Debug, Clone)]
pub struct League {
    /// The period.
    pub period: Period,
    /// The categories in alphabetical order, each ranked.
    pub tables: Vec<CategoryTable>,
}

impl League {
    /// The standing of `agency`, and how many agencies its category ranks.
    pub fn of(&self, agency: &str) -> Option<(&Standing, usize)> {
        self.tables.iter().find_map(|t| {
            let ranked = t.standings.iter().filter(|s| s.rank.is_some()).count();
            t.standings
                .iter()
                .find(|s| s.agency == agency)
                .map(|s| (s, ranked))
        })
    }
}

fn one(path: &str, message: impl Into<String>) -> Vec<Problem> {
    vec![Problem {
        line: None,
        path: path.to_string(),
        message: message.into(),
    }]
}

/// Saves a checked period as `by`; the text must be for `code` when one is given.
pub(super) async fn store_period(
    db: &Db,
    text: &str,
    code: Option<&str>,
    by: &str,
) -> Result<Result<Period, Vec<Problem>>> {
    let period = match parse_period(text) {
        Ok(p) => p,
        Err(problems) => return Ok(Err(problems)),
    };
    if let Some(code) = code.filter(|c| *c != period.code) {
        return Ok(Err(one(
            "code",
            format!(
                "the text is for period {} but this is period {code}",
                period.code
            ),
        )));
    }
    store::put_period(db, &period, text, by).await?;
    Ok(Ok(period))
}

/// Saves a checked contract as `by`, for a saved period and an agency in the catalogue.
pub(super) async fn store_contract(
    db: &Db,
    text: &str,
    at: (Option<&str>, Option<&str>),
    by: &str,
) -> Result<Result<Contract, Vec<Problem>>> {
    let contract = match parse_contract(text) {
        Ok(c) => c,
        Err(problems) => return Ok(Err(problems)),
    };
    if let Some(period) = at.0.filter(|p| *p != contract.period) {
        return Ok(Err(one(
            "period",
            format!(
                "the text is a contract for period {} but this is period {period}",
                contract.period
            ),
        )));
    }
    if let Some(agency) = at.1.filter(|a| *a != contract.agency) {
        return Ok(Err(one(
            "agency",
            format!(
                "the text is the contract of {} but this is {agency}'s",
                contract.agency
            ),
        )));
    }
    if store::period(db, &contract.period).await?.is_none() {
        return Ok(Err(one(
            "period",
            format!(
                "no period {} has been saved: save the period first",
                contract.period
            ),
        )));
    }
    if !lango_catalogue::store::agency_codes(db)
        .await?
        .contains(&contract.agency)
    {
        return Ok(Err(one(
            "agency",
            format!("there is no agency {} in the catalogue", contract.agency),
        )));
    }
    store::put_contract(db, &contract, text, by).await?;
    Ok(Ok(contract))
}

impl Insights {
    /// Saves a period from its YAML or JSON text (the performance office only); `code`, when
    /// given, is the period the text must be for. A refused text stores nothing.
    pub async fn save_period(
        &self,
        actor: &Actor,
        text: &str,
        code: Option<&str>,
    ) -> Result<Result<Period, Vec<Problem>>> {
        check(actor, Action::Edit, Object::Performance(None))?;
        store_period(self.db(), text, code, &actor_label(actor)).await
    }

    /// Saves an agency's contract from its YAML or JSON text (the performance office only);
    /// `period` and `agency`, when given, are what the text must be for.
    pub async fn save_contract(
        &self,
        actor: &Actor,
        text: &str,
        period: Option<&str>,
        agency: Option<&str>,
    ) -> Result<Result<Contract, Vec<Problem>>> {
        check(actor, Action::Edit, Object::Performance(None))?;
        store_contract(self.db(), text, (period, agency), &actor_label(actor)).await
    }

    /// Enters the value of an entered indicator with its evidence (the agency's
    /// administrators only). Problems name `value` or `evidence`.
    pub async fn enter_value(
        &self,
        actor: &Actor,
        period: &str,
        agency: &str,
        indicator: &str,
        value: &str,
        evidence: &str,
    ) -> Result<Result<Dec, Vec<Problem>>> {
        check(actor, Action::Edit, Object::Performance(Some(agency)))?;
        let indicator = self.entered_indicator(period, agency, indicator).await?;
        let mut problems = Vec::new();
        let parsed = match parse_value(&indicator, value) {
            Ok(v) => Some(v),
            Err(m) => {
                problems.extend(one("value", m));
                None
            }
        };
        let evidence = evidence.trim();
        if evidence.is_empty() {
            problems.extend(one(
                "evidence",
                "is missing: say where the value comes from (a report, a document, a link)",
            ));
        } else if evidence.chars().count() > MAX_EVIDENCE {
            problems.extend(one(
                "evidence",
                format!("must be at most {MAX_EVIDENCE} characters"),
            ));
        }
        let Some(parsed) = parsed.filter(|_| problems.is_empty()) else {
            return Ok(Err(problems));
        };
        let entry = Entry {
            agency: agency.to_string(),
            indicator: indicator.id.clone(),
            value: parsed.to_string(),
            evidence: evidence.to_string(),
            entered_by: actor_label(actor),
            entered_at: now_ms(),
        };
        store::put_entry(self.db(), period, &entry).await?;
        Ok(Ok(parsed))
    }

    /// The entered indicator `id` of `agency`'s contract in `period`.
    pub async fn entered_indicator(
        &self,
        period: &str,
        agency: &str,
        id: &str,
    ) -> Result<Indicator> {
        let contract = self
            .contract(period, agency)
            .await?
            .ok_or_else(|| Error::NotFound("contract".into()))?;
        contract
            .value
            .indicators
            .into_iter()
            .find(|i| i.id == id && i.is_entered())
            .ok_or_else(|| Error::NotFound("entered indicator".into()))
    }

    /// Every period, the latest start first.
    pub async fn performance_periods(&self) -> Result<Vec<Saved<Period>>> {
        store::periods(self.db()).await
    }

    /// The period `code`.
    pub async fn performance_period(&self, code: &str) -> Result<Option<Saved<Period>>> {
        store::period(self.db(), code).await
    }

    /// The period the league shows by default: the latest that has started (East Africa
    /// Time), else the latest.
    pub async fn latest_performance_period(&self) -> Result<Option<Saved<Period>>> {
        let today = crate::day_of(now_ms());
        let all = store::periods(self.db()).await?;
        let started = all.iter().position(|p| p.value.starts <= today);
        Ok(started
            .or((!all.is_empty()).then_some(0))
            .map(|i| all[i].clone()))
    }

    /// The contracts of `period`, by agency.
    pub async fn contracts(&self, period: &str) -> Result<Vec<Saved<Contract>>> {
        store::contracts(self.db(), period, None).await
    }

    /// `agency`'s contract in `period`.
    pub async fn contract(&self, period: &str, agency: &str) -> Result<Option<Saved<Contract>>> {
        Ok(store::contracts(self.db(), period, Some(agency))
            .await?
            .pop())
    }

    /// The periods in which `agency` has a contract, the latest first.
    pub async fn contract_periods(&self, agency: &str) -> Result<Vec<String>> {
        store::periods_of(self.db(), agency).await
    }

    /// The values entered in `period` (only `agency`'s when given).
    pub async fn entries(&self, period: &str, agency: Option<&str>) -> Result<Vec<Entry>> {
        store::entries(self.db(), period, agency).await
    }

    /// The league of `period`: every contract scored and ranked within its category.
    pub async fn league(&self, period: &str) -> Result<Option<League>> {
        let Some(period) = store::period(self.db(), period).await? else {
            return Ok(None);
        };
        let period = period.value;
        let contracts = store::contracts(self.db(), &period.code, None).await?;
        let entries: HashMap<(String, String), Entry> =
            store::entries(self.db(), &period.code, None)
                .await?
                .into_iter()
                .map(|e| ((e.agency.clone(), e.indicator.clone()), e))
                .collect();
        let mut standings = Vec::with_capacity(contracts.len());
        for c in contracts {
            let mut actuals = Vec::with_capacity(c.value.indicators.len());
            for i in &c.value.indicators {
                actuals.push(self.actual(&period, &c.value.agency, i, &entries).await?);
            }
            standings.push(standing(&period.scale, &c.value, actuals));
        }
        let tables = rank(&period.scale, standings);
        Ok(Some(League { period, tables }))
    }

    /// An indicator's actual value: the entered one, or the measure over the period's days.
    async fn actual(
        &self,
        period: &Period,
        agency: &str,
        i: &Indicator,
        entries: &HashMap<(String, String), Entry>,
    ) -> Result<Option<Actual>> {
        match &i.source {
            Source::Entered { .. } => Ok(entries
                .get(&(agency.to_string(), i.id.clone()))
                .and_then(|e| {
                    Dec::parse(&e.value).ok().map(|v| Actual {
                        value: v.q(),
                        basis: e.evidence.clone(),
                    })
                })),
            Source::Measure { measure, currency } => {
                let scope = Scope::Agency(agency.to_string());
                let figure = self
                    .measure(
                        measure,
                        &scope,
                        &period.starts,
                        &period.ends,
                        currency.as_deref().unwrap_or(""),
                    )
                    .await?;
                Ok(figure.and_then(actual_of))
            }
        }
    }
}

/// A measured figure as an actual value: a ratio as a percentage, money in major units.
pub fn actual_of(figure: Figure) -> Option<Actual> {
    match figure {
        Figure::Ratio {
            numerator,
            denominator,
        } if denominator > 0 => Some(Actual {
            value: Q::new(i128::from(numerator) * 100, i128::from(denominator)),
            basis: format!("{numerator} of {denominator}"),
        }),
        Figure::Ratio { .. } => None,
        Figure::Amount(m) => Some(Actual {
            value: Q::new(i128::from(m.minor()), 10_i128.pow(m.currency().exponent())),
            basis: m.display(),
        }),
    }
}
