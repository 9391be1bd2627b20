//! Sample survey answers for a demo's synthetic history: about a third of its completed
//! applications answered on the page, each answer drawn from the application's reference
//! (the same history always gets the same answers), so that the satisfaction KPI and the
//! survey's figures are not empty in the demo. Only the seed calls it, and the seed runs
//! only on a database marked as a demo or test database.

use super::model::{Answer, Overall, SurveyChannel, AGE_BANDS, SEXES};
use super::store::{insert_response, Target};
use lango_cases::definition::model::Outcome;
use lango_cases::seed::Outline;
use lango_core::Result;

/// Overall scores to draw from: most satisfied, some not (about 70% score 4 or 5).
const SCORES: [u8; 10] = [5, 4, 4, 5, 3, 4, 2, 5, 4, 1];

/// FNV-1a of the reference: a fixed spread that needs no random state.
fn spread(reference: &str) -> u64 {
    reference.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The answer drawn for `o`, or `None` when it did not answer (or is not completed).
pub(crate) fn drawn(o: &Outline) -> Option<(Answer, i64)> {
    let Some((Outcome::Completed, at)) = o.outcome else {
        return None;
    };
    let h = spread(&o.reference);
    if !h.is_multiple_of(3) {
        return None;
    }
    let bits = h >> 8;
    let score = SCORES[(bits % SCORES.len() as u64) as usize];
    let overall = Overall::parse(&score.to_string())?;
    let mut attributes = [None; 5];
    for (i, a) in attributes.iter_mut().enumerate() {
        // Mostly yes from the satisfied, mostly no from the rest; some left unanswered.
        let draw = (bits >> (4 + 3 * i)) & 7;
        *a = match draw {
            0 => None,
            1 => Some(!overall.satisfied()),
            _ => Some(overall.satisfied()),
        };
    }
    let said = |shift: u64, options: &[&'static str]| {
        let d = (bits >> shift) % (options.len() as u64 + 1);
        options.get(d as usize).copied()
    };
    let answer = Answer {
        overall,
        attributes,
        comment: None,
        sex: said(24, &SEXES),
        age_band: said(28, &AGE_BANDS),
        county: o.county,
    };
    Some((answer, at))
}

/// Writes the drawn answers of `seeded` (and their aggregate) in `tx`; returns how many.
pub(crate) async fn answer_seeded(tx: &mut sqlx::AnyConnection, seeded: &[Outline]) -> Result<u64> {
    let mut written = 0;
    for o in seeded {
        let Some((answer, at)) = drawn(o) else {
            continue;
        };
        let target = Target {
            application_id: o.id.clone(),
            reference: o.reference.clone(),
            agency: o.agency.clone(),
            service: o.service.clone(),
        };
        if insert_response(tx, &target, SurveyChannel::Page, &answer, at).await? {
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_a_third_of_completed_applications_answer_and_most_are_satisfied() {
        let outline = |i: usize, outcome| Outline {
            id: format!("id-{i}"),
            reference: format!("A{i:08}"),
            service: "S".into(),
            agency: "A".into(),
            channel: lango_cases::Channel::Online,
            county: None,
            started_at: 0,
            submitted_at: 1,
            outcome,
        };
        let completed: Vec<Outline> = (0..3000)
            .map(|i| outline(i, Some((Outcome::Completed, 2))))
            .collect();
        let answers: Vec<Answer> = completed.iter().filter_map(drawn).map(|(a, _)| a).collect();
        assert!((800..1200).contains(&answers.len()), "{}", answers.len());
        let satisfied = answers.iter().filter(|a| a.overall.satisfied()).count();
        assert!(satisfied * 10 > answers.len() * 6 && satisfied < answers.len());
        assert_eq!(
            drawn(&completed[0]),
            drawn(&completed[0]),
            "the same every time"
        );
        let open: Vec<Outline> = (0..300).map(|i| outline(i, None)).collect();
        assert!(
            open.iter().all(|o| drawn(o).is_none()),
            "only completed ones answer"
        );
    }
}
