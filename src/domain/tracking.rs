//! What one observation changes about a tracked domain: its status, what has been
//! published about it, its failure count and its next check.

use chrono::{DateTime, Utc};

use super::ownership;
use super::schedule::{ScheduleInput, ScheduleSettings, next_check_at};
use super::status::{DomainStatus, EvidenceSource, Observation};
use super::transition::{Publication, Transition};

/// Everything lapseguard keeps about one domain besides its history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracked {
    pub status: Option<DomainStatus>,
    pub publication: Publication,
    /// Failed lookups in a row since the last success.
    pub failures: u32,
}

/// The result of folding one observation in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    pub tracked: Tracked,
    pub transition: Option<Transition>,
    pub next_check_at: DateTime<Utc>,
}

impl Tracked {
    pub fn fold(&self, observation: &Observation, settings: &ScheduleSettings) -> Folded {
        let mut status = ownership::observe(
            self.status.as_ref(),
            observation,
            settings.nameserver_classes,
        );
        let succeeded = observation.lifecycle().is_some();
        let (publication, transition, failures) = match (&status, succeeded) {
            (Some(current), true) => {
                let (publication, transition) =
                    self.publication.advance(current, settings.confirm_after);
                (publication, transition, 0)
            }
            _ => (self.publication, None, self.failures.saturating_add(1)),
        };
        // A lapse only DNS has seen becomes lapse memory when its confirming look
        // publishes it, not at the first sighting (one resolver's bad minute).
        if let Some(current) = status.as_mut()
            && current.evidence == EvidenceSource::Dns
            && publication.pending.is_some()
        {
            current.last_lapse_at = self.status.as_ref().and_then(|s| s.last_lapse_at);
        }
        let input = ScheduleInput {
            status: status.as_ref(),
            failures,
            pending: publication.pending,
        };
        let next_check_at = next_check_at(
            input,
            &observation.domain,
            observation.observed_at,
            settings,
        );
        Folded {
            tracked: Tracked {
                status,
                publication,
                failures,
            },
            transition,
            next_check_at,
        }
    }
}
