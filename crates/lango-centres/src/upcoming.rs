//! The mobile centres' next stops, soonest first: what the SMS keyword `MOBILE [county]`
//! and the USSD menu tell people who cannot look at a centre's page.

use crate::calendar::{add_days, today};
use crate::model::clock;
use crate::Centres;
use lango_core::Result;

/// One stop to come.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Upcoming {
    /// `YYYY-MM-DD`, East Africa Time.
    pub date: String,
    /// Where it stands.
    pub place: String,
    /// The stop's county.
    pub county: String,
    /// Its hours, `HH:MM-HH:MM`.
    pub hours: String,
    /// The mobile centre's code.
    pub centre: String,
}

impl Centres {
    /// Every mobile centre's stops from today to `days` days on, soonest first.
    pub async fn upcoming_stops(&self, days: i64) -> Result<Vec<Upcoming>> {
        let from = today();
        let until = add_days(&from, days);
        let mut out = Vec::new();
        for c in self.list(None, None).await? {
            for v in &c.schedule {
                if v.date >= from && v.date <= until {
                    out.push(Upcoming {
                        date: v.date.clone(),
                        place: v.place.clone(),
                        county: v.county.clone(),
                        hours: format!("{}-{}", clock(v.opens), clock(v.closes)),
                        centre: c.code.clone(),
                    });
                }
            }
        }
        out.sort();
        Ok(out)
    }
}
