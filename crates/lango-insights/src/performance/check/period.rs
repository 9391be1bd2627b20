//! A period: its file format and its checks (dates, the scale's anchors and bands).

use super::{period_code_ok, read, Check};
use crate::performance::decimal::{Dec, Num};
use crate::performance::model::*;
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodFile {
    code: Option<Num>,
    name: Option<Num>,
    starts: Option<Num>,
    ends: Option<Num>,
    scale: Option<ScaleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleFile {
    best: Option<Num>,
    worst: Option<Num>,
    anchors: Option<Vec<AnchorFile>>,
    grades: Option<Vec<GradeFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnchorFile {
    achievement: Option<Num>,
    raw: Option<Num>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeFile {
    name: Option<Num>,
    from: Option<Num>,
    to: Option<Num>,
}

/// Reads and checks a period.
pub fn parse_period(text: &str) -> Result<Period, Vec<Problem>> {
    let (f, lines) = read::<PeriodFile>(text, "period")?;
    let mut c = Check {
        lines,
        problems: Vec::new(),
    };
    let code = c.code(
        "code",
        &f.code,
        period_code_ok,
        "use 1 to 40 letters, digits, '-' or '_', e.g. FY2025-26",
    );
    let name = c.text("name", &f.name, 200);
    let starts = c.date("starts", &f.starts);
    let ends = c.date("ends", &f.ends);
    if let (Some(s), Some(e)) = (&starts, &ends) {
        if e < s {
            c.add(
                "ends",
                format!(
                    "{e} is before the start, {s}: a period must end on or after the day it starts"
                ),
            );
        }
    }
    let scale = match &f.scale {
        Some(s) => check_scale(&mut c, s),
        None => {
            c.add(
                "scale",
                "is missing; it is required (best, worst, anchors and grades)",
            );
            None
        }
    };
    let period = match (code, name, starts, ends, scale) {
        (Some(code), Some(name), Some(starts), Some(ends), Some(scale)) => Some(Period {
            code,
            name,
            starts,
            ends,
            scale,
        }),
        _ => None,
    };
    c.done(period)
}

fn check_scale(c: &mut Check, f: &ScaleFile) -> Option<Scale> {
    let best = c.dec("scale.best", &f.best);
    let worst = c.dec("scale.worst", &f.worst);
    let (Some(best), Some(worst)) = (best, worst) else {
        return None;
    };
    if best == worst {
        c.add(
            "scale.worst",
            format!("equals best ({best}): the best and worst scores must differ"),
        );
        return None;
    }
    let (lo, hi) = (best.min(worst), best.max(worst));
    let anchors = check_anchors(c, f.anchors.as_deref(), best, worst, lo, hi);
    let grades = check_grades(c, f.grades.as_deref(), lo, hi);
    Some(Scale {
        best,
        worst,
        anchors: anchors?,
        grades: grades?,
    })
}

fn check_anchors(
    c: &mut Check,
    f: Option<&[AnchorFile]>,
    best: Dec,
    worst: Dec,
    lo: Dec,
    hi: Dec,
) -> Option<Vec<Anchor>> {
    let Some(list) = f.filter(|l| l.len() >= 2) else {
        c.add("scale.anchors", "needs at least two points (achievement % of target → raw score), e.g. 70 → 5.0, 100 → 3.0, 130 → 1.0");
        return None;
    };
    let before = c.problems.len();
    let mut out: Vec<Anchor> = Vec::new();
    for (i, a) in list.iter().enumerate() {
        let at = format!("scale.anchors[{i}]");
        let achievement = c.dec(&format!("{at}.achievement"), &a.achievement);
        let raw = c.dec(&format!("{at}.raw"), &a.raw);
        let (Some(achievement), Some(raw)) = (achievement, raw) else {
            continue;
        };
        if raw < lo || raw > hi {
            c.add(
                &format!("{at}.raw"),
                format!(
                    "{raw} is outside the scale, which runs from {best} (best) to {worst} (worst)"
                ),
            );
        }
        if let Some(prev) = out.last() {
            if achievement <= prev.achievement {
                c.add(&format!("{at}.achievement"), format!("{achievement} must be greater than the achievement before it ({}): list the points from the lowest achievement to the highest", prev.achievement));
            } else {
                // Towards best as achievement rises: lower raw when lower is better.
                let worse = if best < worst {
                    raw > prev.raw
                } else {
                    raw < prev.raw
                };
                if worse {
                    c.add(&format!("{at}.raw"), format!("{raw} is worse than {} at the lower achievement before it: a higher achievement must never score worse", prev.raw));
                }
            }
        }
        out.push(Anchor { achievement, raw });
    }
    (c.problems.len() == before && out.len() == list.len()).then_some(out)
}

fn check_grades(c: &mut Check, f: Option<&[GradeFile]>, lo: Dec, hi: Dec) -> Option<Vec<Grade>> {
    let Some(list) = f.filter(|l| !l.is_empty()) else {
        c.add("scale.grades", "needs at least one band (name, from, to)");
        return None;
    };
    let before = c.problems.len();
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, g) in list.iter().enumerate() {
        let at = format!("scale.grades[{i}]");
        let name = c.text(&format!("{at}.name"), &g.name, 60);
        let from = c.dec(&format!("{at}.from"), &g.from);
        let to = c.dec(&format!("{at}.to"), &g.to);
        let (Some(name), Some(from), Some(to)) = (name, from, to) else {
            continue;
        };
        if !names.insert(name.to_lowercase()) {
            c.add(
                &format!("{at}.name"),
                format!("{name:?} is the name of another band too"),
            );
        }
        if to < from {
            c.add(
                &format!("{at}.to"),
                format!("{to} is below the band's start ({from})"),
            );
        }
        out.push((i, Grade { name, from, to }));
    }
    if c.problems.len() != before || out.len() != list.len() {
        return None;
    }
    let p = out
        .iter()
        .flat_map(|(_, g)| [g.from.places(), g.to.places()])
        .max()
        .unwrap_or(0);
    let step = Dec::from_units(10_i64.pow(4 - p));
    let show = |d: Dec| d.fixed(p);
    let mut sorted: Vec<&(usize, Grade)> = out.iter().collect();
    sorted.sort_by_key(|(_, g)| (g.from, g.to));
    let (first, last) = (sorted[0], sorted[sorted.len() - 1]);
    if first.1.from != lo {
        c.add(&format!("scale.grades[{}].from", first.0), format!("the lowest band starts at {} but the scale starts at {}: every composite from {} to {} needs a band", show(first.1.from), show(lo), show(lo), show(hi)));
    }
    let top = sorted.iter().map(|(_, g)| g.to).max().unwrap_or(hi);
    if top != hi {
        c.add(&format!("scale.grades[{}].to", last.0), format!("the highest band ends at {} but the scale ends at {}: every composite from {} to {} needs a band", show(top), show(hi), show(lo), show(hi)));
    }
    for pair in sorted.windows(2) {
        let ((i, a), (j, b)) = (pair[0], pair[1]);
        let next = Dec::from_units(a.to.units() + step.units());
        if b.from <= a.to {
            c.add(&format!("scale.grades[{j}].from"), format!("{} ({}) starts at {}, inside {} (scale.grades[{i}], {} to {}): bands must not overlap", b.name, show(b.from), show(b.from), a.name, show(a.from), show(a.to)));
        } else if b.from > next {
            c.add(&format!("scale.grades[{j}].from"), format!("{} starts at {} but {} (scale.grades[{i}]) ends at {}: {} is in no band (bands are written to {p} places, so the next band must start at {})", b.name, show(b.from), a.name, show(a.to), show(next), show(next)));
        }
    }
    (c.problems.len() == before).then(|| out.into_iter().map(|(_, g)| g).collect())
}
