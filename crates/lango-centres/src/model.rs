//! A centre as data: what it is, where, when it opens, what it offers and at which counters.
//! Each part parses from the text a clerk types in a form or a spreadsheet cell, so a value
//! that reaches the store is already known to be good.

use lango_core::{word_enum, Error, Result};
use serde::Serialize;

word_enum! {
    /// What sort of place a centre is.
    pub enum Kind {
        /// A Huduma one-stop centre: many agencies under one roof.
        Huduma = "huduma",
        /// One agency's own office.
        Office = "office",
        /// A van or tent that visits places on a schedule.
        Mobile = "mobile",
    }
}

word_enum! {
    /// Whether a centre takes people.
    pub enum Status {
        /// Open to bookings and walk-ins.
        Open = "open",
        /// Closed for good (kept for its history and figures).
        Closed = "closed",
    }
}

/// The days of the week, Monday first, as the API names them.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Minutes after midnight, East Africa Time.
pub type Minute = u16;

/// `HH:MM` of minutes after midnight.
pub fn clock(m: Minute) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Reads `HH:MM` (24-hour) as minutes after midnight.
pub fn parse_clock(s: &str) -> Option<Minute> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Opening hours on one weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hours {
    /// 0 = Monday … 6 = Sunday.
    pub day: u8,
    /// Opens, minutes after midnight.
    pub opens: Minute,
    /// Closes, later the same day.
    pub closes: Minute,
}

fn parse_span(s: &str, field: &str) -> Result<(Minute, Minute)> {
    let (a, b) = s.split_once('-').ok_or_else(|| {
        Error::invalid(field, format!("{s:?}: write opening hours as 08:00-17:00"))
    })?;
    let (opens, closes) = match (parse_clock(a), parse_clock(b)) {
        (Some(o), Some(c)) => (o, c),
        _ => {
            return Err(Error::invalid(
                field,
                format!("{s:?}: times are 24-hour HH:MM, such as 08:00-17:00"),
            ))
        }
    };
    if closes <= opens {
        return Err(Error::invalid(
            field,
            format!("{s:?}: closing comes after opening on the same day (hours past midnight belong to the next day's line)"),
        ));
    }
    Ok((opens, closes))
}

fn day_index(s: &str) -> Option<u8> {
    DAYS.iter()
        .position(|d| d.eq_ignore_ascii_case(s.trim()))
        .map(|i| i as u8)
}

/// Reads opening hours such as `mon-fri 08:00-17:00; sat 09:00-13:00`. A day named twice
/// is refused; a day not named is closed.
pub fn parse_hours(text: &str) -> Result<Vec<Hours>> {
    const FIELD: &str = "hours";
    let mut out: Vec<Hours> = Vec::new();
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (days, span) = item.split_once(' ').ok_or_else(|| {
            Error::invalid(
                FIELD,
                format!("{item:?}: write a day and hours, such as mon-fri 08:00-17:00"),
            )
        })?;
        let (opens, closes) = parse_span(span.trim(), FIELD)?;
        let range: Vec<u8> = match days.split_once('-') {
            Some((a, b)) => match (day_index(a), day_index(b)) {
                (Some(a), Some(b)) if a <= b => (a..=b).collect(),
                _ => return Err(Error::invalid(FIELD, format!("{days:?}: days are mon, tue, wed, thu, fri, sat, sun, and a range runs forward (mon-fri)"))),
            },
            None => days
                .split(',')
                .map(|d| {
                    day_index(d).ok_or_else(|| {
                        Error::invalid(FIELD, format!("{d:?} is not a day: use mon, tue, wed, thu, fri, sat or sun"))
                    })
                })
                .collect::<Result<_>>()?,
        };
        for day in range {
            if out.iter().any(|h| h.day == day) {
                return Err(Error::invalid(
                    FIELD,
                    format!("{} is given twice", DAYS[day as usize]),
                ));
            }
            out.push(Hours { day, opens, closes });
        }
    }
    out.sort_by_key(|h| h.day);
    Ok(out)
}

/// Opening hours as [`parse_hours`] reads them, one line per day.
pub fn hours_text(hours: &[Hours]) -> String {
    hours
        .iter()
        .map(|h| {
            format!(
                "{} {}-{}",
                DAYS[h.day as usize],
                clock(h.opens),
                clock(h.closes)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A service a centre offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// The catalogue's service code.
    pub service: String,
    /// Most people served (appointments and walk-ins) in one day.
    pub daily_cap: u32,
    /// Minutes at the counter: an appointment slot's length.
    pub minutes: u16,
    /// The letter its tickets are numbered with (`A` → `A001`); services may share one.
    pub letter: char,
}

/// Reads a service code: capitals, digits and hyphens.
pub fn parse_service_code(s: &str, field: &str) -> Result<String> {
    let s = s.trim().to_ascii_uppercase();
    let ok =
        (2..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then_some(s.clone())
        .ok_or_else(|| Error::invalid(field, format!("{s:?} is not a service code")))
}

/// Reads what a centre offers: `DIS-PASSPORT:500:15:A; NRB-ID-REPLACE:200:5:B` (service,
/// daily cap, minutes at the counter, ticket letter; the letter may be left out and is then
/// the next unused one).
pub fn parse_offers(text: &str) -> Result<Vec<Offer>> {
    const FIELD: &str = "services";
    let mut out: Vec<Offer> = Vec::new();
    let mut pending_letter = Vec::new();
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = item.split(':').map(str::trim).collect();
        if !(3..=4).contains(&parts.len()) {
            return Err(Error::invalid(
                FIELD,
                format!("{item:?}: write SERVICE:daily cap:minutes, such as DIS-PASSPORT:500:15"),
            ));
        }
        let service = parse_service_code(parts[0], FIELD)?;
        if out.iter().any(|o| o.service == service) {
            return Err(Error::invalid(FIELD, format!("{service} is given twice")));
        }
        let daily_cap = parts[1]
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| {
                Error::invalid(
                    FIELD,
                    format!("{item:?}: the daily cap is a whole number from 1 to 100000"),
                )
            })?;
        let minutes = parts[2]
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=240).contains(n))
            .ok_or_else(|| {
                Error::invalid(
                    FIELD,
                    format!("{item:?}: minutes at the counter are a whole number from 1 to 240"),
                )
            })?;
        let letter = match parts.get(3) {
            Some(l) => {
                let mut chars = l.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
                    _ => {
                        return Err(Error::invalid(
                            FIELD,
                            format!("{item:?}: the ticket letter is one letter, A to Z"),
                        ))
                    }
                }
            }
            None => {
                pending_letter.push(out.len());
                ' '
            }
        };
        out.push(Offer {
            service,
            daily_cap,
            minutes,
            letter,
        });
    }
    for i in pending_letter {
        let free = ('A'..='Z').find(|c| !out.iter().any(|o| o.letter == *c));
        out[i].letter = free.ok_or_else(|| {
            Error::invalid(
                FIELD,
                "more than 26 ticket letters: give services a shared letter",
            )
        })?;
    }
    Ok(out)
}

/// What a centre offers as [`parse_offers`] reads it.
pub fn offers_text(offers: &[Offer]) -> String {
    offers
        .iter()
        .map(|o| format!("{}:{}:{}:{}", o.service, o.daily_cap, o.minutes, o.letter))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A counter (window, desk) and the services it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counter {
    /// Its number or name as shown on the board (`3`, `B2`).
    pub code: String,
    /// The services it serves, codes.
    pub services: Vec<String>,
}

/// Reads a counter's code: 1 to 8 letters and digits.
pub fn parse_counter_code(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_uppercase();
    ((1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(s)
}

/// Reads counters: `1:DIS-PASSPORT+NRB-ID-REPLACE; 2:NRB-ID-REPLACE`. Every service a
/// counter names must be one the centre offers.
pub fn parse_counters(text: &str, offers: &[Offer]) -> Result<Vec<Counter>> {
    const FIELD: &str = "counters";
    let mut out: Vec<Counter> = Vec::new();
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (code, services) = item.split_once(':').ok_or_else(|| {
            Error::invalid(FIELD, format!("{item:?}: write COUNTER:SERVICE+SERVICE, such as 1:DIS-PASSPORT+NRB-ID-REPLACE"))
        })?;
        let code = parse_counter_code(code).ok_or_else(|| {
            Error::invalid(
                FIELD,
                format!("{code:?}: a counter is 1 to 8 letters and digits"),
            )
        })?;
        if out.iter().any(|c| c.code == code) {
            return Err(Error::invalid(
                FIELD,
                format!("counter {code} is given twice"),
            ));
        }
        let mut list = Vec::new();
        for s in services.split('+').map(str::trim).filter(|s| !s.is_empty()) {
            let s = parse_service_code(s, FIELD)?;
            if !offers.iter().any(|o| o.service == s) {
                return Err(Error::invalid(
                    FIELD,
                    format!("counter {code} serves {s}, which the centre does not offer"),
                ));
            }
            if !list.contains(&s) {
                list.push(s);
            }
        }
        if list.is_empty() {
            return Err(Error::invalid(
                FIELD,
                format!("counter {code} serves no service"),
            ));
        }
        out.push(Counter {
            code,
            services: list,
        });
    }
    Ok(out)
}

/// Counters as [`parse_counters`] reads them.
pub fn counters_text(counters: &[Counter]) -> String {
    counters
        .iter()
        .map(|c| format!("{}:{}", c.code, c.services.join("+")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lanes served before walk-ins, in the order they go first.
pub const LANES: [&str; 4] = ["appointment", "elderly", "disability", "pregnancy"];

/// Reads a centre's priority lanes: `elderly; disability; pregnancy; appointment`.
pub fn parse_lanes(text: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for l in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let l = l.to_ascii_lowercase();
        if !LANES.contains(&l.as_str()) {
            return Err(Error::invalid(
                "priority_lanes",
                format!("{l:?} is not a lane: use appointment, elderly, disability or pregnancy"),
            ));
        }
        if !out.contains(&l) {
            out.push(l);
        }
    }
    Ok(out)
}

/// One stop of a mobile centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    /// `YYYY-MM-DD`, East Africa Time.
    pub date: String,
    /// Where it stands.
    pub place: String,
    /// The county it is in.
    pub county: String,
    /// Opens.
    pub opens: Minute,
    /// Closes.
    pub closes: Minute,
}

/// True for a real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        s[..4].parse::<i64>(),
        s[5..7].parse::<i64>(),
        s[8..].parse::<i64>(),
    ) else {
        return false;
    };
    (1..=12).contains(&m) && (1..=crate::calendar::days_in_month(y, m)).contains(&d)
}

/// Reads a mobile centre's schedule: `2026-12-07 09:00-16:00 Kajiado | Kajiado Town Hall`,
/// one stop a day.
pub fn parse_schedule(text: &str) -> Result<Vec<Visit>> {
    const FIELD: &str = "schedule";
    let mut out: Vec<Visit> = Vec::new();
    for item in text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let bad = || {
            Error::invalid(
                FIELD,
                format!("{item:?}: write YYYY-MM-DD HH:MM-HH:MM County | Place"),
            )
        };
        let (date, rest) = item.split_once(' ').ok_or_else(bad)?;
        let (span, rest) = rest.trim().split_once(' ').ok_or_else(bad)?;
        let (county, place) = rest.split_once('|').ok_or_else(bad)?;
        if !is_date(date) {
            return Err(Error::invalid(
                FIELD,
                format!("{date:?} is not a date (YYYY-MM-DD)"),
            ));
        }
        let (opens, closes) = parse_span(span, FIELD)?;
        let (county, place) = (county.trim(), place.trim());
        if county.is_empty() || place.is_empty() || county.len() > 60 || place.len() > 120 {
            return Err(bad());
        }
        if out.iter().any(|v| v.date == date) {
            return Err(Error::invalid(
                FIELD,
                format!("{date} is given twice: one stop a day"),
            ));
        }
        out.push(Visit {
            date: date.into(),
            place: place.into(),
            county: county.into(),
            opens,
            closes,
        });
    }
    out.sort_by(|a, b| a.date.cmp(&b.date));
    Ok(out)
}

/// A schedule as [`parse_schedule`] reads it.
pub fn schedule_text(visits: &[Visit]) -> String {
    visits
        .iter()
        .map(|v| {
            format!(
                "{} {}-{} {} | {}",
                v.date,
                clock(v.opens),
                clock(v.closes),
                v.county,
                v.place
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A service centre, whole.
#[derive(Debug, Clone, Serialize)]
pub struct Centre {
    /// Its code, e.g. `HC-GPO`.
    pub code: String,
    /// Its name in English.
    pub name: String,
    /// Its name in Kiswahili.
    pub name_sw: String,
    /// What sort of place it is.
    #[serde(serialize_with = "as_word")]
    pub kind: Kind,
    /// The county it is in (a mobile centre: its base).
    pub county: String,
    /// Its street address.
    pub address: String,
    /// Latitude in millionths of a degree.
    pub lat_e6: i64,
    /// Longitude in millionths of a degree.
    pub lon_e6: i64,
    /// The agency that runs it: that agency's systems hold its keys.
    pub operator: String,
    /// Weekly opening hours (a mobile centre opens on its schedule instead).
    pub hours: Vec<Hours>,
    /// Priority lanes, served before walk-ins.
    pub lanes: Vec<String>,
    /// Open or closed for good.
    #[serde(serialize_with = "as_word")]
    pub status: Status,
    /// What it offers.
    pub offers: Vec<Offer>,
    /// Its counters.
    pub counters: Vec<Counter>,
    /// A mobile centre's stops.
    pub schedule: Vec<Visit>,
}

fn as_word<S: serde::Serializer, T: std::fmt::Display>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl Centre {
    /// Its name in `lang` (its second name in the country's own language, else English).
    pub fn name_in(&self, lang: &str) -> &str {
        if lang != "en" && !self.name_sw.is_empty() {
            &self.name_sw
        } else {
            &self.name
        }
    }

    /// What it offers of `service`.
    pub fn offer(&self, service: &str) -> Option<&Offer> {
        self.offers.iter().find(|o| o.service == service)
    }

    /// How many counters serve `service`: how many people one slot of it can take.
    pub fn counters_for(&self, service: &str) -> usize {
        self.counters
            .iter()
            .filter(|c| c.services.iter().any(|s| s == service))
            .count()
    }

    /// The counter `code`.
    pub fn counter(&self, code: &str) -> Option<&Counter> {
        self.counters
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// Latitude and longitude, as text in degrees.
    pub fn coordinates(&self) -> (String, String) {
        (micro_text(self.lat_e6), micro_text(self.lon_e6))
    }
}

/// Millionths of a degree as a decimal.
pub fn micro_text(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", v.abs() / 1_000_000, v.abs() % 1_000_000)
}

/// Reads a coordinate in degrees (up to six decimals) within ±`limit`, as millionths.
pub fn parse_degrees(s: &str, limit: i64, field: &str) -> Result<i64> {
    let s = s.trim();
    let bad = || {
        Error::invalid(
            field,
            format!("{s:?} is not a coordinate in degrees within ±{limit}, such as -1.286389"),
        )
    };
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || frac.len() > 6
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    let v = whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)?;
    if v > limit * 1_000_000 {
        return Err(bad());
    }
    Ok(if neg { -v } else { v })
}

/// Reads a centre's code: `HC-GPO`, capitals, digits and hyphens.
pub fn parse_centre_code(s: &str) -> Result<String> {
    let s = s.trim().to_ascii_uppercase();
    let ok =
        (2..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then_some(s.clone()).ok_or_else(|| {
        Error::invalid(
            "code",
            format!(
                "{s:?}: a centre's code is 2 to 20 capitals, digits and hyphens, such as HC-GPO"
            ),
        )
    })
}

/// Text of one line, required, at most `max` characters.
pub fn parse_line(s: &str, field: &str, max: usize) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Error::invalid(
            field,
            format!("enter the {}", field.replace('_', " ")),
        ));
    }
    if s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!(
                "the {} is one line of at most {max} characters",
                field.replace('_', " ")
            ),
        ));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_ranges_lists_and_refuse_overlaps_and_midnight() {
        let h = parse_hours("mon-fri 08:00-17:00; sat 09:00-13:00").unwrap();
        assert_eq!(h.len(), 6);
        assert_eq!(hours_text(&h), "mon 08:00-17:00; tue 08:00-17:00; wed 08:00-17:00; thu 08:00-17:00; fri 08:00-17:00; sat 09:00-13:00");
        assert_eq!(parse_hours(&hours_text(&h)).unwrap(), h);
        assert!(
            parse_hours("mon 22:00-02:00").is_err(),
            "past midnight is the next day's line"
        );
        assert!(parse_hours("mon 08:00-17:00; mon-tue 08:00-12:00").is_err());
        assert!(parse_hours("fri-mon 08:00-17:00").is_err());
        assert!(parse_hours("mon 8-17").is_err());
        assert!(parse_hours("mon 24:00-25:00").is_err());
        assert_eq!(parse_hours("").unwrap(), vec![]);
    }

    #[test]
    fn offers_and_counters_parse_and_letters_fill_in() {
        let o = parse_offers("DIS-PASSPORT:500:15:A; nrb-id-replace:200:5").unwrap();
        assert_eq!(o[1].service, "NRB-ID-REPLACE");
        assert_eq!(o[1].letter, 'B');
        assert!(parse_offers("DIS-PASSPORT:0:15").is_err());
        assert!(parse_offers("DIS-PASSPORT:10:15; DIS-PASSPORT:10:15").is_err());
        let c = parse_counters("1:DIS-PASSPORT+NRB-ID-REPLACE; 2:NRB-ID-REPLACE", &o).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(parse_counters(&counters_text(&c), &o).unwrap(), c);
        assert!(parse_counters("3:KRA-PIN", &o).is_err());
        assert!(parse_counters("1:DIS-PASSPORT; 1:DIS-PASSPORT", &o).is_err());
    }

    #[test]
    fn coordinates_and_schedules() {
        assert_eq!(
            parse_degrees("-1.286389", 90, "latitude").unwrap(),
            -1_286_389
        );
        assert_eq!(micro_text(-1_286_389), "-1.286389");
        assert_eq!(micro_text(36_817_223), "36.817223");
        assert!(parse_degrees("91", 90, "latitude").is_err());
        assert!(parse_degrees("1.1234567", 90, "latitude").is_err());
        let s = parse_schedule(
            "2026-12-08 09:00-16:00 Kajiado | Town Hall\n2026-12-07 10:00-15:00 Narok | Market",
        )
        .unwrap();
        assert_eq!(s[0].date, "2026-12-07");
        assert_eq!(parse_schedule(&schedule_text(&s)).unwrap(), s);
        assert!(parse_schedule("2026-02-30 09:00-16:00 Narok | Market").is_err());
    }
}
