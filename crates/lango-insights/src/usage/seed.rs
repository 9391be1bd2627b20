//! The seed's applications into the aggregates (`lango seed applications`): each
//! transaction's applications are tallied in memory and added in the same transaction,
//! by the statements the follower uses, so seeded history shows on the dashboards.

use super::tally::{Decision, Slas, Tally};
use lango_cases::definition::model::Outcome;
use lango_cases::seed::{Outline, Sink};
use lango_core::Result;
use std::future::Future;
use std::pin::Pin;

/// Adds seeded applications to the usage aggregates. Keeps services' SLAs between
/// transactions.
#[derive(Debug, Default)]
pub struct SeedSink {
    slas: Slas,
    added: u64,
    /// Also answer the survey for some completed applications (the demo's history).
    surveys: bool,
    answered: u64,
}

impl SeedSink {
    /// A sink that also writes sample survey answers for about a third of the completed
    /// applications (`crate::survey::sample`), so the demo's satisfaction KPI has figures.
    pub fn with_sample_surveys() -> SeedSink {
        SeedSink {
            surveys: true,
            ..SeedSink::default()
        }
    }

    /// Sample survey answers written so far.
    pub fn answered(&self) -> u64 {
        self.answered
    }

    /// Applications added so far.
    pub fn added(&self) -> u64 {
        self.added
    }
}

/// The counts of `seeded` (SLAs already loaded).
pub(crate) fn tally_of(slas: &Slas, seeded: &[Outline]) -> Tally {
    let mut tally = Tally::default();
    for o in seeded {
        tally.started(o.started_at, &o.agency, &o.service, o.channel.as_str());
        tally.submitted(
            o.submitted_at,
            &o.agency,
            &o.service,
            o.channel.as_str(),
            o.county,
        );
        let decision = match o.outcome {
            Some((Outcome::Completed, at)) => Some((Decision::Completed, at)),
            Some((Outcome::Rejected, at)) => Some((Decision::Rejected, at)),
            // Withdrawn (or still open): not decided.
            _ => None,
        };
        if let Some((decision, at)) = decision {
            let in_sla = slas.in_sla(&o.service, Some(o.submitted_at), at);
            tally.decided(
                at,
                &o.agency,
                &o.service,
                o.channel.as_str(),
                o.county,
                decision,
                in_sla,
            );
        }
    }
    tally
}

impl Sink for SeedSink {
    fn add<'a>(
        &'a mut self,
        tx: &'a mut sqlx::AnyConnection,
        seeded: &'a [Outline],
    ) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>> {
        Box::pin(async move {
            self.slas
                .load(tx, seeded.iter().map(|o| o.service.as_str()))
                .await?;
            tally_of(&self.slas, seeded).write(tx).await?;
            if self.surveys {
                self.answered += crate::survey::sample::answer_seeded(tx, seeded).await?;
            }
            self.added += seeded.len() as u64;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_applications_count_as_started_submitted_and_decided() {
        let day = 86_400_000;
        let outline = |outcome| Outline {
            id: "id".into(),
            reference: "A00000000".into(),
            service: "X".into(),
            agency: "A".into(),
            channel: lango_cases::Channel::Online,
            county: Some("Kisumu"),
            started_at: 10 * day,
            submitted_at: 11 * day,
            outcome,
        };
        let seeded = [
            outline(None),
            outline(Some((Outcome::Completed, 12 * day))),
            outline(Some((Outcome::Rejected, 12 * day))),
            outline(Some((Outcome::Withdrawn, 12 * day))),
        ];
        let mut expected = Tally::default();
        for _ in 0..4 {
            expected.started(10 * day, "A", "X", "online");
            expected.submitted(11 * day, "A", "X", "online", Some("Kisumu"));
        }
        expected.decided(
            12 * day,
            "A",
            "X",
            "online",
            Some("Kisumu"),
            Decision::Completed,
            true,
        );
        expected.decided(
            12 * day,
            "A",
            "X",
            "online",
            Some("Kisumu"),
            Decision::Rejected,
            true,
        );
        assert_eq!(tally_of(&Slas::default(), &seeded), expected);
    }
}
