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
    /// Signals that appeared (confirmed) or went away: transitions of kind `signal`.
    pub signal_transitions: Vec<Transition>,
    pub next_check_at: DateTime<Utc>,
}

impl Tracked {
    /// A DNS answer about a domain another source answers for: only the status's DNS
    /// nameservers and its nameserver signals change (`ownership::observe_delegation`);
    /// the signal transitions they make are published as for evidence. The schedule is
    /// the caller's (`recording::plan`).
    pub fn fold_delegation(
        &self,
        observation: &Observation,
        settings: &ScheduleSettings,
    ) -> Folded {
        let unchanged = Folded {
            tracked: self.clone(),
            transition: None,
            signal_transitions: Vec::new(),
            next_check_at: observation.observed_at,
        };
        let Some(previous) = &self.status else {
            return unchanged;
        };
        let Some(mut status) =
            ownership::observe_delegation(previous, observation, settings.nameserver_classes)
        else {
            return unchanged;
        };
        let signal_transitions = self.publish_signals(&mut status, observation, settings);
        Folded {
            tracked: Tracked {
                status: Some(status),
                ..self.clone()
            },
            signal_transitions,
            ..unchanged
        }
    }

    /// The signal transitions `current` makes against the signals before (marking those
    /// it publishes).
    fn publish_signals(
        &self,
        current: &mut DomainStatus,
        observation: &Observation,
        settings: &ScheduleSettings,
    ) -> Vec<Transition> {
        let before = self.status.as_ref().map_or(&[][..], |s| &s.signals[..]);
        // A name's first look publishes what it shows at once, as a first lifecycle is.
        let confirm_after = match self.status {
            Some(_) => settings.confirm_after,
            None => chrono::Duration::zero(),
        };
        let changes = ownership::signal_changes(
            before,
            &mut current.signals,
            observation.observed_at,
            confirm_after,
        );
        changes
            .into_iter()
            .map(|change| Transition {
                domain: current.domain.clone(),
                from: current.lifecycle,
                to: current.lifecycle,
                registered_at: current.registered_at,
                expires_at: current.expires_at,
                observed_at: observation.observed_at,
                source: observation.source,
                signal: Some(change),
                notice: None,
            })
            .collect()
    }

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
        let signal_transitions = match status.as_mut() {
            Some(current) if succeeded && current.checked_at == observation.observed_at => {
                self.publish_signals(current, observation, settings)
            }
            _ => Vec::new(),
        };
        let input = ScheduleInput {
            status: status.as_ref(),
            failures,
            pending: publication.pending,
        };
        let mut next_check_at = next_check_at(
            input,
            &observation.domain,
            observation.observed_at,
            settings,
        );
        // A signal awaiting its confirming look is looked at again as a skip is.
        if failures == 0
            && let Some(due) = status
                .as_ref()
                .and_then(|s| ownership::confirmation_due(&s.signals, settings.confirm_after))
        {
            let due = due.max(observation.observed_at + chrono::Duration::seconds(1));
            next_check_at = next_check_at.min(due);
        }
        Folded {
            tracked: Tracked {
                status,
                publication,
                failures,
            },
            transition,
            signal_transitions,
            next_check_at,
        }
    }
}
