//! Commission arithmetic: which rule applies to a paid bill and what it earns the agent.
//! Pure: no database, so every property (never negative, never above the cap, never a
//! fraction of a cent made up) is tested on its own.

use serde::Serialize;

/// What a rule covers, most specific last: a service's rule beats its category's, which
/// beats the rule for everything.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "scope", content = "value", rename_all = "snake_case")]
pub enum Scope {
    /// Every service.
    All,
    /// The services of one catalogue category.
    Category(String),
    /// One service, by code.
    Service(String),
}

impl Scope {
    /// The stored (scope, value) pair.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            Scope::All => ("all", ""),
            Scope::Category(c) => ("category", c),
            Scope::Service(s) => ("service", s),
        }
    }

    /// Reads the stored pair back.
    pub fn from_parts(scope: &str, value: &str) -> Option<Scope> {
        match scope {
            "all" => Some(Scope::All),
            "category" if !value.is_empty() => Some(Scope::Category(value.into())),
            "service" if !value.is_empty() => Some(Scope::Service(value.into())),
            _ => None,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Scope::All => 0,
            Scope::Category(_) => 1,
            Scope::Service(_) => 2,
        }
    }

    fn covers(&self, service: &str, category: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Category(c) => c == category,
            Scope::Service(s) => s == service,
        }
    }
}

/// Who pays the commission: the platform out of its convenience fee, or the agency out of
/// its revenue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The platform's fees account.
    PlatformFee,
    /// The agency whose service it is.
    Agency,
}

impl Source {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::PlatformFee => "platform_fee",
            Source::Agency => "agency",
        }
    }

    /// Parses the stored word.
    pub fn parse(s: &str) -> Option<Source> {
        [Source::PlatformFee, Source::Agency]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One commission rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// What it covers.
    pub scope: Scope,
    /// The payment channel (`mpesa`, `card`, `cash`), or `None` for any.
    pub channel: Option<String>,
    /// The bill's currency.
    pub currency: String,
    /// The band of the bill's service amount, in minor units: from (inclusive) …
    pub band_min: i64,
    /// … to (exclusive); `None` has no top.
    pub band_max: Option<i64>,
    /// A flat amount, in minor units.
    pub flat: i64,
    /// A share of the amount, in basis points (100 = 1%).
    pub percent_bps: i64,
    /// The most it pays on one bill, in minor units.
    pub cap: Option<i64>,
    /// Who pays it.
    pub source: Source,
    /// The first day it applies (`YYYY-MM-DD`, East Africa Time).
    pub valid_from: String,
    /// The last day it applies, if it ends.
    pub valid_to: Option<String>,
}

/// A paid bill, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Paid<'a> {
    /// The service code.
    pub service: &'a str,
    /// The service's catalogue category.
    pub category: &'a str,
    /// The payment's channel.
    pub channel: &'a str,
    /// The bill's currency.
    pub currency: &'a str,
    /// The service amount, minor units.
    pub amount: i64,
    /// The day it was paid (`YYYY-MM-DD`, East Africa Time).
    pub day: &'a str,
}

impl Rule {
    /// True when the rule applies to `p`.
    pub fn applies(&self, p: &Paid<'_>) -> bool {
        self.scope.covers(p.service, p.category)
            && self.channel.as_deref().is_none_or(|c| c == p.channel)
            && self.currency == p.currency
            && p.amount >= self.band_min
            && self.band_max.is_none_or(|m| p.amount < m)
            && self.valid_from.as_str() <= p.day
            && self.valid_to.as_deref().is_none_or(|t| p.day <= t)
    }

    /// What the rule earns on `amount`: the flat part plus the percentage rounded down
    /// (no fraction of a cent is made up), at most the cap, never negative.
    pub fn earns(&self, amount: i64) -> i64 {
        let share = i128::from(amount.max(0)) * i128::from(self.percent_bps) / 10_000;
        let total = i128::from(self.flat) + share;
        let capped = match self.cap {
            Some(c) => total.min(i128::from(c)),
            None => total,
        };
        capped.clamp(0, i128::from(i64::MAX)) as i64
    }

    /// True when this rule and `other` could both apply to one bill at the same level.
    pub fn overlaps(&self, other: &Rule) -> bool {
        let channels = match (&self.channel, &other.channel) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let bands = self.band_max.is_none_or(|m| other.band_min < m)
            && other.band_max.is_none_or(|m| self.band_min < m);
        let days = self
            .valid_to
            .as_deref()
            .is_none_or(|t| other.valid_from.as_str() <= t)
            && other
                .valid_to
                .as_deref()
                .is_none_or(|t| self.valid_from.as_str() <= t);
        self.scope == other.scope && self.currency == other.currency && channels && bands && days
    }
}

/// Why a rule is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A field is wrong: (field, problem code).
    Field(&'static str, &'static str),
    /// It overlaps a rule in force: that rule.
    Overlaps(Box<Rule>),
}

/// Checks `rule` on its own and against the rules in force; the first overlap is named.
pub fn check(rule: &Rule, in_force: &[Rule]) -> Result<(), Refused> {
    if rule.band_min < 0 {
        return Err(Refused::Field("band_min", "commission_amount_invalid"));
    }
    if rule.band_max.is_some_and(|m| m <= rule.band_min) {
        return Err(Refused::Field("band_max", "commission_band_empty"));
    }
    if rule.flat < 0 || rule.cap.is_some_and(|c| c < 0) {
        return Err(Refused::Field("flat", "commission_amount_invalid"));
    }
    if !(0..=10_000).contains(&rule.percent_bps) {
        return Err(Refused::Field("percent", "commission_percent_invalid"));
    }
    if rule.flat == 0 && rule.percent_bps == 0 {
        return Err(Refused::Field("flat", "commission_nothing"));
    }
    if rule
        .valid_to
        .as_deref()
        .is_some_and(|t| t < rule.valid_from.as_str())
    {
        return Err(Refused::Field("valid_to", "commission_dates_reversed"));
    }
    match in_force
        .iter()
        .find(|r| r.id != rule.id && r.overlaps(rule))
    {
        Some(r) => Err(Refused::Overlaps(Box::new(r.clone()))),
        None => Ok(()),
    }
}

/// The rule that applies to `p` (the most specific scope that has one) and what it earns.
pub fn commission<'r>(rules: &'r [Rule], p: &Paid<'_>) -> Option<(&'r Rule, i64)> {
    rules
        .iter()
        .filter(|r| r.applies(p))
        .max_by_key(|r| r.scope.rank())
        .map(|r| (r, r.earns(p.amount)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(id: &str, scope: Scope, band: (i64, Option<i64>)) -> Rule {
        Rule {
            id: id.into(),
            scope,
            channel: None,
            currency: "KES".into(),
            band_min: band.0,
            band_max: band.1,
            flat: 5_000,
            percent_bps: 100,
            cap: Some(20_000),
            source: Source::PlatformFee,
            valid_from: "2026-01-01".into(),
            valid_to: None,
        }
    }

    fn paid(service: &str, amount: i64) -> Paid<'_> {
        Paid {
            service,
            category: "transport",
            channel: "mpesa",
            currency: "KES",
            amount,
            day: "2026-06-01",
        }
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let rules = vec![
            rule("A", Scope::All, (0, None)),
            rule("C", Scope::Category("transport".into()), (0, None)),
            rule("S", Scope::Service("NTSA-DL".into()), (0, None)),
        ];
        assert_eq!(
            commission(&rules, &paid("NTSA-DL", 100_000)).unwrap().0.id,
            "S"
        );
        assert_eq!(
            commission(&rules, &paid("NTSA-XX", 100_000)).unwrap().0.id,
            "C"
        );
        let mut other = paid("DIS-ETA", 100_000);
        other.category = "travel";
        assert_eq!(commission(&rules, &other).unwrap().0.id, "A");
    }

    #[test]
    fn bands_dates_channels_and_currency_limit_a_rule() {
        let mut r = rule("R", Scope::All, (10_000, Some(50_000)));
        r.channel = Some("cash".into());
        r.valid_to = Some("2026-05-31".into());
        assert!(!r.applies(&paid("X", 20_000)), "mpesa and after the end");
        r.channel = None;
        r.valid_to = None;
        assert!(r.applies(&paid("X", 10_000)));
        assert!(!r.applies(&paid("X", 50_000)), "the top is exclusive");
        assert!(!r.applies(&paid("X", 9_999)));
        let mut usd = paid("X", 20_000);
        usd.currency = "USD";
        assert!(!r.applies(&usd));
    }

    #[test]
    fn flat_plus_percent_rounded_down_and_capped() {
        let r = rule("R", Scope::All, (0, None));
        assert_eq!(r.earns(0), 5_000);
        assert_eq!(r.earns(99), 5_000, "1% of 99 cents is no cent");
        assert_eq!(r.earns(100_000), 6_000);
        assert_eq!(r.earns(10_000_000), 20_000, "capped");
    }

    #[test]
    fn overlapping_rules_are_named_and_neighbours_pass() {
        let a = rule("A", Scope::Service("S".into()), (0, Some(10_000)));
        let b = rule("B", Scope::Service("S".into()), (10_000, None));
        assert_eq!(
            check(&b, std::slice::from_ref(&a)),
            Ok(()),
            "bands that touch"
        );
        let c = rule("C", Scope::Service("S".into()), (5_000, Some(20_000)));
        assert_eq!(
            check(&c, &[a.clone(), b.clone()]),
            Err(Refused::Overlaps(Box::new(a.clone())))
        );
        let mut later = c.clone();
        later.valid_from = "2027-01-01".into();
        let mut ended = a.clone();
        ended.valid_to = Some("2026-12-31".into());
        assert_eq!(
            check(&later, &[ended]),
            Ok(()),
            "one ends before the other starts"
        );
        let mut cash = c.clone();
        cash.channel = Some("cash".into());
        let mut card = a.clone();
        card.channel = Some("card".into());
        assert_eq!(check(&cash, &[card]), Ok(()), "different channels");
        let other_scope = rule("D", Scope::All, (0, None));
        assert_eq!(
            check(&other_scope, &[a, b]),
            Ok(()),
            "scopes are levels, not overlaps"
        );
    }

    #[test]
    fn a_rule_that_earns_nothing_or_has_an_empty_band_is_refused() {
        let mut r = rule("R", Scope::All, (100, Some(100)));
        assert_eq!(
            check(&r, &[]),
            Err(Refused::Field("band_max", "commission_band_empty"))
        );
        r.band_max = None;
        r.flat = 0;
        r.percent_bps = 0;
        assert_eq!(
            check(&r, &[]),
            Err(Refused::Field("flat", "commission_nothing"))
        );
        r.percent_bps = 10_001;
        assert_eq!(
            check(&r, &[]),
            Err(Refused::Field("percent", "commission_percent_invalid"))
        );
    }

    proptest! {
        /// Over a month of bills, no cent is made up or lost: each commission is within
        /// [0, cap], at most flat + the exact share, and the month's total is the sum of
        /// its lines whatever their order.
        #[test]
        fn a_month_of_commission_adds_up(
            flat in 0i64..100_000,
            bps in 0i64..=10_000,
            cap in proptest::option::of(0i64..500_000),
            amounts in proptest::collection::vec(0i64..10_000_000_000, 0..300),
        ) {
            let mut r = rule("R", Scope::All, (0, None));
            r.flat = flat;
            r.percent_bps = bps;
            r.cap = cap;
            let lines: Vec<i64> = amounts.iter().map(|a| r.earns(*a)).collect();
            for (a, c) in amounts.iter().zip(&lines) {
                prop_assert!(*c >= 0);
                if let Some(cap) = cap { prop_assert!(*c <= cap); }
                let exact = i128::from(flat) * 10_000 + i128::from(*a) * i128::from(bps);
                prop_assert!(i128::from(*c) * 10_000 <= exact, "never more than earned");
                if cap.is_none_or(|k| i128::from(k) * 10_000 >= exact) {
                    prop_assert!(exact - i128::from(*c) * 10_000 < 10_000, "less than a cent kept back");
                }
            }
            let forward: i128 = lines.iter().map(|c| i128::from(*c)).sum();
            let backward: i128 = lines.iter().rev().map(|c| i128::from(*c)).sum();
            prop_assert_eq!(forward, backward);
        }

        /// Overlap is symmetric, and two rules that both apply to one bill at one level
        /// always overlap (so saving refuses the second).
        #[test]
        fn rules_that_could_meet_overlap(
            a_min in 0i64..1_000, a_len in proptest::option::of(1i64..1_000),
            b_min in 0i64..1_000, b_len in proptest::option::of(1i64..1_000),
            amount in 0i64..2_000,
        ) {
            let a = rule("A", Scope::All, (a_min, a_len.map(|l| a_min + l)));
            let b = rule("B", Scope::All, (b_min, b_len.map(|l| b_min + l)));
            prop_assert_eq!(a.overlaps(&b), b.overlaps(&a));
            let p = paid("X", amount);
            if a.applies(&p) && b.applies(&p) {
                prop_assert!(a.overlaps(&b));
            }
        }
    }
}
