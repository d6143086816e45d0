//! Transitions: what lapseguard publishes when a domain changes stage, and the
//! confirmation rule for changes that skip stages.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lifecycle::Lifecycle;
use super::name::RegistrableDomain;
use super::notices::ExpiryNotice;
use super::signals::SignalChange;
use super::status::{DomainStatus, EvidenceSource, SAME_REGISTRATION, registered_anew};

/// One published change of a domain's lifecycle or registration date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub domain: RegistrableDomain,
    pub from: Lifecycle,
    pub to: Lifecycle,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub observed_at: DateTime<Utc>,
    /// The source of the observation that made it.
    pub source: EvidenceSource,
    /// For a transition of kind `signal`: which signal appeared or went away (`from` and
    /// `to` are then both the current lifecycle). `None` for a lifecycle transition.
    pub signal: Option<SignalChange>,
    /// For a transition of kind `expiry_notice`: the notice (`from` and `to` are both
    /// `active`). `None` otherwise.
    pub notice: Option<ExpiryNotice>,
}

/// What a transition is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransitionKind {
    /// A change of lifecycle stage or of registration date.
    Lifecycle,
    /// An ownership signal appeared or went away (`signal`, `change`, `since`).
    Signal,
    /// The domain's expiration date came within a notice threshold (`days_left`,
    /// `threshold_days`; `from` and `to` are both `active`).
    ExpiryNotice,
}

impl TransitionKind {
    /// The word the log and the feed use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lifecycle => "lifecycle",
            Self::Signal => "signal",
            Self::ExpiryNotice => "expiry_notice",
        }
    }
}

impl Transition {
    /// What the transition is about: a signal's, a notice's, else a lifecycle's.
    pub fn kind(&self) -> TransitionKind {
        match (self.signal, self.notice) {
            (Some(_), _) => TransitionKind::Signal,
            (None, Some(_)) => TransitionKind::ExpiryNotice,
            (None, None) => TransitionKind::Lifecycle,
        }
    }
}

/// A stage-skipping change seen once, waiting for a second lookup to confirm it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub lifecycle: Lifecycle,
    pub since: DateTime<Utc>,
}

/// What the transitions log last said about a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publication {
    /// `Unknown` until the first successful observation.
    pub lifecycle: Lifecycle,
    pub registered_at: Option<DateTime<Utc>>,
    pub pending: Option<Pending>,
}

impl Default for Publication {
    fn default() -> Self {
        Self {
            lifecycle: Lifecycle::Unknown,
            registered_at: None,
            pending: None,
        }
    }
}

/// The gTLD path a lapsing domain walks; its position tells whether a change skips stages.
fn stage(lifecycle: Lifecycle) -> Option<u8> {
    match lifecycle {
        Lifecycle::Active => Some(0),
        Lifecycle::AutoRenewGrace => Some(1),
        Lifecycle::Redemption => Some(2),
        Lifecycle::PendingDelete => Some(3),
        Lifecycle::Unregistered => Some(4),
        _ => None,
    }
}

/// A forward jump of more than one stage along the lapse path (active straight to
/// unregistered, say): a registry glitch looks exactly like this, so it is confirmed first.
/// Backward moves (renewal, restore, re-registration) and side stages do not skip.
pub fn skips_stages(from: Lifecycle, to: Lifecycle) -> bool {
    matches!((stage(from), stage(to)), (Some(f), Some(t)) if t > f + 1)
}

impl Publication {
    /// Folds in the status a successful observation produced. Returns the new
    /// publication and the transition to publish, if any.
    ///
    /// - The first observation publishes a transition from `unknown` only when the domain
    ///   is not `active`: watching a million healthy domains sends nothing.
    /// - A change of lifecycle, or of registration date, is published at once, unless it
    ///   skips stages or is a lapse only DNS has seen: then it waits until a lookup at
    ///   least `confirm_after` after the first one still shows it.
    pub fn advance(
        &self,
        status: &DomainStatus,
        confirm_after: Duration,
    ) -> (Publication, Option<Transition>) {
        let observed = status.lifecycle;
        let now = status.checked_at;
        // Dates less than a day apart are one registration written by two servers.
        let registration_changed = match (self.registered_at, status.registered_at) {
            (Some(before), Some(after)) => {
                registered_anew(before, after, status.last_lapse_at)
                    || before - after >= SAME_REGISTRATION
            }
            _ => false,
        };
        let published = Publication {
            lifecycle: observed,
            registered_at: status.registered_at.or(self.registered_at),
            pending: None,
        };
        let transition = Transition {
            domain: status.domain.clone(),
            from: self.lifecycle,
            to: observed,
            registered_at: status.registered_at,
            expires_at: status.expires_at,
            observed_at: now,
            source: status.evidence,
            signal: None,
            notice: None,
        };
        // A lapse only DNS has seen (a DNS-only TLD) waits for a second look, as a skip
        // does: one resolver's bad minute must not un-verify a TLD's worth of addresses.
        let dns_lapse = status.evidence == EvidenceSource::Dns
            && !matches!(observed, Lifecycle::Active | Lifecycle::Unknown)
            && observed != self.lifecycle;
        if self.lifecycle == Lifecycle::Unknown && !dns_lapse {
            let announce = observed != Lifecycle::Active;
            return (published, announce.then_some(transition));
        }
        if observed == self.lifecycle && !registration_changed {
            return (published, None);
        }
        if !skips_stages(self.lifecycle, observed) && !dns_lapse {
            return (published, Some(transition));
        }
        match self.pending {
            Some(pending)
                if pending.lifecycle == observed && now - pending.since >= confirm_after =>
            {
                (published, Some(transition))
            }
            Some(pending) if pending.lifecycle == observed => (*self, None),
            _ => (
                Publication {
                    pending: Some(Pending {
                        lifecycle: observed,
                        since: now,
                    }),
                    ..*self
                },
                None,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn minute(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
            .single()
            .expect("valid")
            + Duration::minutes(n)
    }

    fn status(lifecycle: Lifecycle, at: i64, registered: i64) -> DomainStatus {
        DomainStatus {
            domain: RegistrableDomain::parse("example.com").expect("valid"),
            lifecycle,
            statuses: vec![],
            registered_at: (lifecycle != Lifecycle::Unregistered).then(|| minute(registered)),
            first_registered_at: Some(minute(0)),
            expires_at: None,
            last_changed_at: None,
            transferred_at: None,
            last_lapse_at: None,
            checked_at: minute(at),
            evidence: crate::domain::status::EvidenceSource::Rdap,
            handle: None,
            registrar_id: None,
            nameservers: vec![],
            dns_nameservers: vec![],
            signals: vec![],
        }
    }

    const CONFIRM: Duration = Duration::minutes(10);

    #[test]
    fn a_healthy_first_sight_is_silent_and_a_lapsed_one_is_announced() {
        let start = Publication::default();
        let (_, t) = start.advance(&status(Lifecycle::Active, 1, 0), CONFIRM);
        assert_eq!(t, None);
        let (_, t) = start.advance(&status(Lifecycle::Redemption, 1, 0), CONFIRM);
        assert_eq!(
            t.map(|t| (t.from, t.to)),
            Some((Lifecycle::Unknown, Lifecycle::Redemption))
        );
    }

    #[test]
    fn the_lapse_path_publishes_each_step_once() {
        let mut publication = Publication::default();
        let mut published = vec![];
        let walk = [
            (Lifecycle::Active, 1),
            (Lifecycle::Active, 2),
            (Lifecycle::AutoRenewGrace, 3),
            (Lifecycle::AutoRenewGrace, 4),
            (Lifecycle::Redemption, 5),
            (Lifecycle::PendingDelete, 6),
            (Lifecycle::Unregistered, 7),
            (Lifecycle::Unregistered, 8),
        ];
        for (lifecycle, at) in walk {
            let (next, t) = publication.advance(&status(lifecycle, at, 0), CONFIRM);
            publication = next;
            published.extend(t.map(|t| t.to));
        }
        assert_eq!(
            published,
            [
                Lifecycle::AutoRenewGrace,
                Lifecycle::Redemption,
                Lifecycle::PendingDelete,
                Lifecycle::Unregistered
            ]
        );
    }

    #[test]
    fn a_skipped_stage_waits_for_a_confirming_lookup() {
        let (active, _) = Publication::default().advance(&status(Lifecycle::Active, 0, 0), CONFIRM);
        let (waiting, t) = active.advance(&status(Lifecycle::Unregistered, 1, 0), CONFIRM);
        assert_eq!(t, None);
        assert_eq!(waiting.lifecycle, Lifecycle::Active);
        // Too soon: still waiting.
        let (waiting, t) = waiting.advance(&status(Lifecycle::Unregistered, 5, 0), CONFIRM);
        assert_eq!(t, None);
        let (confirmed, t) = waiting.advance(&status(Lifecycle::Unregistered, 11, 0), CONFIRM);
        assert_eq!(
            t.map(|t| (t.from, t.to)),
            Some((Lifecycle::Active, Lifecycle::Unregistered))
        );
        assert_eq!(confirmed.pending, None);
    }

    #[test]
    fn a_glitch_that_heals_publishes_nothing() {
        let (active, _) = Publication::default().advance(&status(Lifecycle::Active, 0, 0), CONFIRM);
        let (waiting, _) = active.advance(&status(Lifecycle::PendingDelete, 1, 0), CONFIRM);
        let (healed, t) = waiting.advance(&status(Lifecycle::Active, 12, 0), CONFIRM);
        assert_eq!(t, None);
        assert_eq!(
            healed,
            Publication {
                pending: None,
                ..active
            }
        );
    }

    #[test]
    fn a_new_registration_date_is_a_transition_even_without_a_stage_change() {
        let day = 24 * 60;
        let (active, _) = Publication::default().advance(&status(Lifecycle::Active, 0, 0), CONFIRM);
        let (_, t) = active.advance(&status(Lifecycle::Active, 5, day), CONFIRM);
        let t = t.expect("published");
        assert_eq!((t.from, t.to), (Lifecycle::Active, Lifecycle::Active));
        assert_eq!(t.registered_at, Some(minute(day)));
    }

    #[test]
    fn a_lapse_only_dns_has_seen_waits_for_a_second_look() {
        let dns = |lifecycle, at| DomainStatus {
            evidence: EvidenceSource::Dns,
            registered_at: None,
            ..status(lifecycle, at, 0)
        };
        // First seen undelegated: nothing yet, even from `unknown`.
        let (first, t) = Publication::default().advance(&dns(Lifecycle::Inactive, 0), CONFIRM);
        assert_eq!(t, None);
        assert_eq!(first.lifecycle, Lifecycle::Unknown);
        let (_, t) = first.advance(&dns(Lifecycle::Inactive, 1), CONFIRM);
        assert_eq!(t, None, "too soon");
        let (_, t) = first.advance(&dns(Lifecycle::Inactive, 11), CONFIRM);
        assert_eq!(t.map(|t| t.to), Some(Lifecycle::Inactive));
        // From active too; back in the zone before the second look, nothing is published.
        let (active, _) = Publication::default().advance(&dns(Lifecycle::Active, 0), CONFIRM);
        let (waiting, t) = active.advance(&dns(Lifecycle::Inactive, 1), CONFIRM);
        assert_eq!(t, None);
        let (_, t) = waiting.advance(&dns(Lifecycle::Active, 2), CONFIRM);
        assert_eq!(t, None, "the unconfirmed lapse is forgotten");
    }

    #[test]
    fn two_servers_writing_one_registration_differently_publish_nothing() {
        // Verisign's 04:00Z and MarkMonitor's 07:00+0000 for one registration.
        let (active, _) = Publication::default().advance(&status(Lifecycle::Active, 0, 0), CONFIRM);
        let (_, t) = active.advance(&status(Lifecycle::Active, 5, 180), CONFIRM);
        assert_eq!(t, None);
        let (_, t) = active.advance(&status(Lifecycle::Active, 5, -180), CONFIRM);
        assert_eq!(t, None);
        // After an observed lapse, any later date is a new registration.
        let mut after_lapse = status(Lifecycle::Active, 300, 200);
        after_lapse.last_lapse_at = Some(minute(100));
        let (_, t) = active.advance(&after_lapse, CONFIRM);
        assert!(t.is_some());
    }

    #[test]
    fn skipping_is_only_forward_along_the_lapse_path() {
        assert!(skips_stages(Lifecycle::Active, Lifecycle::Redemption));
        assert!(skips_stages(
            Lifecycle::AutoRenewGrace,
            Lifecycle::Unregistered
        ));
        assert!(!skips_stages(Lifecycle::Active, Lifecycle::AutoRenewGrace));
        assert!(!skips_stages(Lifecycle::Unregistered, Lifecycle::Active));
        assert!(!skips_stages(Lifecycle::Active, Lifecycle::OnHold));
    }
}
