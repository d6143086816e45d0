//! What recording one observation writes: the recording rules, as one pure function.
//!
//! [`plan`] takes what the store holds about a domain (its tracked state and its
//! watch-list row), the observation and how it was made, and returns a [`WritePlan`]: the
//! status row and whether it is a new fact (a new revision in the change log), the
//! transition to put before the mass-change guard and the guard's key, whether an allow
//! override ends, the schedule, and the watch list's copies. The store loads the rows,
//! calls `plan`, and runs the statements the plan names (`store/sql.rs`, `record_in`);
//! the simulator (`simulate.rs`) calls the same `plan`, so its rules cannot drift.
//!
//! The rules, each tested below:
//! - evidence is folded into the status ([`Tracked::fold`]); a signal (DNS beside a
//!   registry) leaves the status and its publication alone but for its DNS nameservers
//!   and the nameserver signals they raise ([`Tracked::fold_delegation`]);
//! - the status row is written when the status or its publication changed; a change of
//!   the facts (not only of `checked_at`) is a new revision;
//! - a new registration or a new lapse ends an allow override ([`ends_allow`]);
//! - a check's failed lookup leaves the schedule (and its backoff) to the scheduler: a
//!   client looping on a failing domain must not push it out;
//! - a delegation change (or a first answer already out of the zone) makes the registry
//!   check due now; a DNS observation that is the domain's evidence also schedules the
//!   next DNS look as soon as the registry schedule wants (a lapse awaiting its
//!   confirming look);
//! - the watch list copies the host of the domain's evidence (the guard counts each
//!   host's domains) and the status's lifecycle (for the lists' filters and counts),
//!   written only when they change.

use chrono::{DateTime, Utc};

use super::delegation::Delegation;
use super::guard::guard_key;
use super::lifecycle::Lifecycle;
use super::overrides::ends_allow;
use super::ownership;
use super::schedule::{ScheduleSettings, next_dns_check_at};
use super::status::{EvidenceSource, Finding, Observation};
use super::tracking::{Folded, Tracked};
use super::transition::Transition;

/// Who made an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The refresh scheduler: its failures back the domain's schedule off.
    Schedule,
    /// A recovery check: its failures leave the schedule alone.
    Request,
}

/// What an observation is to its domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// It is the domain's evidence: folded into the status, transitions and schedule.
    Evidence,
    /// A DNS observation of a domain another source answers for: kept in the history and
    /// as the domain's delegation; a change of delegation (see
    /// [`Delegation::differs_from`]) makes the domain's registry check due at once.
    Signal,
}

/// How one observation came to be recorded: per call, beside the service's
/// configuration (`store::RecordSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recording {
    pub origin: Origin,
    pub role: Role,
}

impl Recording {
    /// The scheduler's look at a domain's evidence.
    pub const SCHEDULED: Self = Self {
        origin: Origin::Schedule,
        role: Role::Evidence,
    };
}

/// A domain's row on the watch list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    pub added_at: DateTime<Utc>,
    pub next_check_at: DateTime<Utc>,
    /// Failed lookups in a row.
    pub failures: u32,
    /// The latest DNS answer (`None` until one came).
    pub delegation: Option<Delegation>,
    /// When the delegation sweep asks DNS next.
    pub next_dns_check_at: DateTime<Utc>,
    /// The upstream host of the domain's latest evidence (`None` until one answered).
    pub host: Option<String>,
}

/// What the store holds about a domain before the observation.
#[derive(Debug, Clone, Copy)]
pub struct Before<'a> {
    pub tracked: &'a Tracked,
    pub watch: Option<&'a WatchEntry>,
}

/// The writes one observation needs, in the order the store runs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritePlan {
    /// The domain's state afterwards.
    pub tracked: Tracked,
    /// Write the status row (`tracked.status`, with its publication).
    pub write_status: bool,
    /// The status's facts changed: a new revision in the change log.
    pub new_fact: bool,
    /// A new registration or lapse ends the domain's allow override.
    pub end_allow: bool,
    /// The transition to put before the mass-change guard.
    pub transition: Option<Transition>,
    /// Signals that appeared or went away: published as they are (the guard weighs
    /// lapses only).
    pub signal_transitions: Vec<Transition>,
    /// The guard's key for it: the evidence's host, or the resolver and TLD for DNS.
    pub guard_key: Option<String>,
    pub schedule: ScheduleWrite,
    /// The watch list's copies, where they change.
    pub copies: WatchCopies,
    /// When the registry check is due next (for the caller).
    pub next_check_at: DateTime<Utc>,
}

/// What the observation does to the watch list's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleWrite {
    /// A check's failed lookup: the domain is watched if it is new, and an existing
    /// schedule (with its backoff) is left alone.
    WatchIfNew,
    /// The registry's schedule: the next check and the failures in a row; the watch
    /// list's copies go with it.
    Registry { failures: u32 },
    /// A DNS observation: the delegation seen (`None` for a failed lookup), the registry
    /// check's time ([`WritePlan::next_check_at`]) and the next DNS look.
    Delegation {
        seen: Option<Delegation>,
        next_dns_check_at: DateTime<Utc>,
    },
}

impl ScheduleWrite {
    /// Whether the schedule's statement also writes the watch list's copies.
    pub fn carries_copies(&self) -> bool {
        matches!(self, Self::Registry { .. })
    }
}

/// What the watch list copies from a recorded observation; `None` when unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchCopies {
    pub host: Option<String>,
    pub lifecycle: Option<Lifecycle>,
}

impl WatchCopies {
    pub fn any(&self) -> bool {
        self.host.is_some() || self.lifecycle.is_some()
    }
}

/// The recording rules (see the module's documentation).
pub fn plan(
    before: Before<'_>,
    observation: &Observation,
    recording: Recording,
    schedule: &ScheduleSettings,
) -> WritePlan {
    let Folded {
        tracked: after,
        transition,
        signal_transitions,
        next_check_at: evidence_next,
    } = match recording.role {
        Role::Evidence => with_kept_delegation(
            before.tracked.fold(observation, schedule),
            before.watch,
            observation,
            schedule,
        ),
        Role::Signal => before.tracked.fold_delegation(observation, schedule),
    };
    let previous = before.tracked.status.as_ref();
    let write_status = after.status.is_some()
        && (after.status != before.tracked.status
            || after.publication != before.tracked.publication);
    let (new_fact, end_allow) = match (&after.status, write_status) {
        (Some(status), true) => (
            previous.is_none_or(|earlier| !earlier.same_facts(status)),
            ends_allow(previous, status),
        ),
        _ => (false, false),
    };
    let guard_key = guard_key(
        observation.source,
        observation.host.as_deref(),
        &observation.domain,
    );
    let watched_host = before.watch.and_then(|w| w.host.as_deref());
    let copies =
        WatchCopies {
            host: guard_key
                .clone()
                .filter(|host| recording.role == Role::Evidence && watched_host != Some(host)),
            lifecycle: after.status.as_ref().map(|s| s.lifecycle).filter(|now| {
                before.watch.is_none() || previous.map(|s| s.lifecycle) != Some(*now)
            }),
        };
    let (schedule_write, next_check_at) = if observation.source == EvidenceSource::Dns {
        delegation_schedule(
            before.watch,
            observation,
            recording.role,
            evidence_next,
            schedule,
        )
    } else if recording.origin == Origin::Request && observation.lifecycle().is_none() {
        (ScheduleWrite::WatchIfNew, evidence_next)
    } else {
        let failures = after.failures;
        (ScheduleWrite::Registry { failures }, evidence_next)
    };
    WritePlan {
        tracked: after,
        write_status,
        new_fact,
        end_allow,
        transition,
        signal_transitions,
        guard_key,
        schedule: schedule_write,
        copies,
        next_check_at,
    }
}

/// A DNS answer recorded before the domain had a status (a check's registry and DNS
/// lookups are written in either order) is kept on the watch list only: the first status
/// takes its nameservers, and their signals, as if it had come after.
fn with_kept_delegation(
    mut folded: Folded,
    watch: Option<&WatchEntry>,
    observation: &Observation,
    schedule: &ScheduleSettings,
) -> Folded {
    let kept = watch
        .and_then(|w| w.delegation.as_ref())
        .filter(|d| d.delegated && !d.nameservers.is_empty());
    let Some(status) = folded.tracked.status.as_ref() else {
        return folded;
    };
    let Some(delegation) = kept.filter(|_| status.dns_nameservers.is_empty()) else {
        return folded;
    };
    let dns = Observation {
        domain: observation.domain.clone(),
        source: EvidenceSource::Dns,
        observed_at: status.checked_at,
        http_status: None,
        finding: Finding::Delegation(delegation.clone()),
        host: None,
        routes: None,
    };
    if let Some(next) = ownership::observe_delegation(status, &dns, schedule.nameserver_classes) {
        folded.tracked.status = Some(next);
    }
    folded
}

/// A DNS observation's schedule. As evidence, the registry schedule is `evidence_next`
/// and DNS looks again as soon as it wants; as a signal, a change of delegation (or a
/// first answer already out of the zone: an import can meet a deletion) makes the
/// registry check due now (a domain not yet watched is due anyway).
fn delegation_schedule(
    watch: Option<&WatchEntry>,
    observation: &Observation,
    role: Role,
    evidence_next: DateTime<Utc>,
    settings: &ScheduleSettings,
) -> (ScheduleWrite, DateTime<Utc>) {
    let now = observation.observed_at;
    let seen = match &observation.finding {
        Finding::Delegation(delegation) => Some(delegation),
        _ => None,
    };
    let next_check_at = match (role, watch) {
        (Role::Evidence, _) => evidence_next,
        (Role::Signal, None) => now,
        (Role::Signal, Some(watch)) => {
            if delegation_changed(watch.delegation.as_ref(), seen) {
                watch.next_check_at.min(now)
            } else {
                watch.next_check_at
            }
        }
    };
    let dns_next = next_dns_check_at(now, seen.is_some(), settings);
    let next_dns_check_at = match role {
        Role::Evidence => dns_next.min(evidence_next.max(now)),
        Role::Signal => dns_next,
    };
    let write = ScheduleWrite::Delegation {
        seen: seen.cloned(),
        next_dns_check_at,
    };
    (write, next_check_at)
}

/// Whether a DNS answer changes what is known of the delegation enough to ask the
/// registry now: a different delegation, or a first answer already out of the zone.
pub fn delegation_changed(before: Option<&Delegation>, seen: Option<&Delegation>) -> bool {
    match (before, seen) {
        (Some(before), Some(seen)) => seen.differs_from(before),
        (None, Some(seen)) => !seen.delegated,
        (_, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::name::RegistrableDomain;
    use crate::domain::status::Registration;
    use chrono::{Duration, TimeZone};

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid")
            + Duration::minutes(minute)
    }

    fn name() -> RegistrableDomain {
        RegistrableDomain::parse("example.com").expect("valid")
    }

    fn settings() -> ScheduleSettings {
        crate::domain::schedule::example_settings()
    }

    fn planned(
        tracked: &Tracked,
        watch: Option<&WatchEntry>,
        observation: &Observation,
        recording: Recording,
    ) -> WritePlan {
        plan(
            Before { tracked, watch },
            observation,
            recording,
            &settings(),
        )
    }

    fn registered(minute: i64, statuses: &[&str], registered_at: i64) -> Observation {
        Observation {
            domain: name(),
            source: EvidenceSource::Rdap,
            observed_at: at(minute),
            http_status: Some(200),
            finding: Finding::Registered(Registration {
                statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
                registered_at: Some(at(registered_at)),
                expires_at: Some(at(registered_at) + Duration::days(400)),
                ..Registration::default()
            }),
            host: Some("rdap.example:443".to_owned()),
            routes: None,
        }
    }

    fn failed(minute: i64) -> Observation {
        Observation {
            finding: Finding::Failed {
                error: "timeout".to_owned(),
            },
            http_status: None,
            ..registered(minute, &[], 0)
        }
    }

    fn dns(minute: i64, delegated: bool) -> Observation {
        Observation {
            domain: name(),
            source: EvidenceSource::Dns,
            observed_at: at(minute),
            http_status: None,
            finding: Finding::Delegation(if delegated {
                Delegation {
                    delegated: true,
                    nameservers: vec!["ns1.example.net".to_owned()],
                    mail: Some(true),
                    mail_route: None,
                }
            } else {
                Delegation::undelegated()
            }),
            host: Some("dns".to_owned()),
            routes: None,
        }
    }

    fn watch(next: i64, delegation: Option<Delegation>, host: Option<&str>) -> WatchEntry {
        WatchEntry {
            added_at: at(0),
            next_check_at: at(next),
            failures: 0,
            delegation,
            next_dns_check_at: at(next),
            host: host.map(str::to_owned),
        }
    }

    /// The state after recording `observation` as the scheduler's evidence.
    fn tracked_after(tracked: &Tracked, observation: &Observation) -> Tracked {
        let before = Before {
            tracked,
            watch: None,
        };
        plan(before, observation, Recording::SCHEDULED, &settings()).tracked
    }

    #[test]
    fn a_first_answer_writes_a_new_fact_and_copies_host_and_lifecycle() {
        let tracked = Tracked::default();
        let before = Before {
            tracked: &tracked,
            watch: None,
        };
        let plan = plan(
            before,
            &registered(1, &["active"], -9000),
            Recording::SCHEDULED,
            &settings(),
        );
        assert!(plan.write_status && plan.new_fact);
        assert!(!plan.end_allow);
        assert_eq!(plan.guard_key.as_deref(), Some("rdap.example:443"));
        assert_eq!(plan.copies.host.as_deref(), Some("rdap.example:443"));
        assert_eq!(plan.copies.lifecycle, Some(Lifecycle::Active));
        assert_eq!(plan.schedule, ScheduleWrite::Registry { failures: 0 });
    }

    #[test]
    fn the_same_facts_again_write_nothing_new_and_copy_nothing() {
        let first = tracked_after(&Tracked::default(), &registered(1, &["active"], -9000));
        let entry = watch(100, None, Some("rdap.example:443"));
        let before = Before {
            tracked: &first,
            watch: Some(&entry),
        };
        let plan = plan(
            before,
            &registered(2, &["active"], -9000),
            Recording::SCHEDULED,
            &settings(),
        );
        // `checked_at` moved: the row is written, but it is not a new revision.
        assert!(plan.write_status);
        assert!(!plan.new_fact);
        assert_eq!(plan.copies, WatchCopies::default());
        assert!(plan.transition.is_none());
    }

    #[test]
    fn a_lapse_is_a_new_fact_that_ends_an_allow_and_copies_the_lifecycle() {
        let first = tracked_after(&Tracked::default(), &registered(1, &["active"], -9000));
        let entry = watch(100, None, Some("rdap.example:443"));
        let before = Before {
            tracked: &first,
            watch: Some(&entry),
        };
        let seen = registered(2, &["auto renew period"], -9000);
        let plan = plan(before, &seen, Recording::SCHEDULED, &settings());
        assert!(plan.new_fact && plan.end_allow);
        assert_eq!(plan.copies.lifecycle, Some(Lifecycle::AutoRenewGrace));
        assert_eq!(plan.copies.host, None, "same host");
        let transition = plan.transition.expect("a lapse is published");
        assert_eq!(
            (transition.from, transition.to),
            (Lifecycle::Active, Lifecycle::AutoRenewGrace)
        );
    }

    #[test]
    fn a_new_registration_ends_an_allow() {
        let first = tracked_after(&Tracked::default(), &registered(1, &["active"], -9000));
        let before = Before {
            tracked: &first,
            watch: None,
        };
        let plan = plan(
            before,
            &registered(2, &["active"], 1),
            Recording::SCHEDULED,
            &settings(),
        );
        assert!(plan.end_allow);
    }

    #[test]
    fn a_checks_failure_leaves_the_schedule_and_the_schedulers_backs_off() {
        let first = tracked_after(&Tracked::default(), &registered(1, &["active"], -9000));
        let entry = watch(100, None, Some("rdap.example:443"));
        let before = Before {
            tracked: &first,
            watch: Some(&entry),
        };
        let request = Recording {
            origin: Origin::Request,
            role: Role::Evidence,
        };
        let by_check = plan(before, &failed(2), request, &settings());
        assert_eq!(by_check.schedule, ScheduleWrite::WatchIfNew);
        assert!(!by_check.write_status, "a failure changes no status");
        let by_scheduler = plan(before, &failed(2), Recording::SCHEDULED, &settings());
        assert_eq!(
            by_scheduler.schedule,
            ScheduleWrite::Registry { failures: 1 }
        );
        assert!(by_scheduler.next_check_at > at(2));
    }

    #[test]
    fn a_delegation_change_makes_the_registry_check_due_now() {
        let mut tracked = tracked_after(&Tracked::default(), &registered(1, &["active"], -9000));
        let signal = Recording {
            origin: Origin::Schedule,
            role: Role::Signal,
        };
        let delegated = match dns(0, true).finding {
            Finding::Delegation(d) => d,
            _ => unreachable!("built above"),
        };
        // The status keeps the latest DNS nameservers (a first DNS answer writes them).
        let first_look = planned(&tracked, None, &dns(5, true), signal);
        assert!(first_look.write_status);
        tracked = first_look.tracked;
        let same = watch(500, Some(delegated.clone()), Some("rdap.example:443"));
        let unchanged = planned(&tracked, Some(&same), &dns(10, true), signal);
        assert_eq!(unchanged.next_check_at, at(500));
        assert!(!unchanged.write_status && unchanged.transition.is_none());
        assert_eq!(
            unchanged.copies.host, None,
            "a signal's host is not the evidence's"
        );
        let gone = planned(&tracked, Some(&same), &dns(10, false), signal);
        assert_eq!(gone.next_check_at, at(10));
        // A first answer already out of the zone; a first delegated one is not a change.
        let fresh = watch(500, None, None);
        let first_out = planned(&tracked, Some(&fresh), &dns(10, false), signal);
        assert_eq!(first_out.next_check_at, at(10));
        let first_in = planned(&tracked, Some(&fresh), &dns(10, true), signal);
        assert_eq!(first_in.next_check_at, at(500));
        // Not watched yet: due now.
        let new = planned(&tracked, None, &dns(10, true), signal);
        assert_eq!(new.next_check_at, at(10));
    }

    #[test]
    fn dns_as_evidence_looks_again_when_the_schedule_wants() {
        let tracked = Tracked::default();
        let evidence = Recording {
            origin: Origin::Schedule,
            role: Role::Evidence,
        };
        let plan = planned(&tracked, None, &dns(10, false), evidence);
        let ScheduleWrite::Delegation {
            seen,
            next_dns_check_at,
        } = &plan.schedule
        else {
            panic!("a DNS observation schedules DNS: {:?}", plan.schedule);
        };
        assert_eq!(seen.as_ref().map(|d| d.delegated), Some(false));
        // The unconfirmed lapse wants its confirming look before the daily sweep.
        assert!(*next_dns_check_at <= next_dns_check_at_for(10));
        assert!(*next_dns_check_at <= plan.next_check_at.max(at(10)));
        assert_eq!(plan.guard_key.as_deref(), Some("dns:com"));
        assert!(
            plan.transition.is_none(),
            "a DNS lapse waits for its confirmation"
        );
        assert!(plan.tracked.publication.pending.is_some());
    }

    fn next_dns_check_at_for(minute: i64) -> DateTime<Utc> {
        next_dns_check_at(at(minute), true, &settings())
    }

    #[test]
    fn a_failed_dns_lookup_keeps_no_delegation() {
        let tracked = Tracked::default();
        let signal = Recording {
            origin: Origin::Request,
            role: Role::Signal,
        };
        let failed_dns = Observation {
            finding: Finding::Failed {
                error: "timeout".to_owned(),
            },
            ..dns(5, true)
        };
        let plan = planned(&tracked, None, &failed_dns, signal);
        assert!(matches!(
            plan.schedule,
            ScheduleWrite::Delegation { seen: None, .. }
        ));
    }
}
