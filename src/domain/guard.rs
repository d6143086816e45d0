//! The mass-change guard: when too many domains of one upstream host lapse within an hour,
//! their transitions are held instead of published, until an admin releases or discards
//! them. A registry's bad deploy (404 or `pending delete` for everything) then costs no
//! caller an un-verified account.
//!
//! Checks are not held: a held lapse still denies a reset (failing closed for resets is
//! safe; the damage of a false lapse is in un-verification, which callers drive from
//! transitions and webhooks).

use chrono::{DateTime, Duration, Utc};

use super::lifecycle::Lifecycle;
use super::name::RegistrableDomain;
use super::signals::Change;
use super::status::EvidenceSource;
use super::transition::{Pending, Publication, Transition, skips_stages};

/// How far back the guard counts a host's lapses.
pub const WINDOW: Duration = Duration::hours(1);

/// The share of a host's watched domains that may lapse within the window without a
/// hold, in percent, when it is larger than the configured limit.
pub const SHARE_PERCENT: u64 = 1;

/// A lapse's weight in the guard's count, in tenths of a lapse.
pub const FULL_WEIGHT: u64 = 10;
/// The weight of a lapse of a domain that entered the watch list through a check (not
/// `POST /v1/watch` or `import`) less than [`LIGHT_FOR`] before: an attacker checks his
/// own domains into the list, lets them lapse together and opens the hold that hides a
/// real lapse. Counted as a tenth, that costs him ten times the domains, while a
/// registry's bad deploy over the sites' own watch lists still holds at once.
pub const LIGHT_WEIGHT: u64 = 1;
/// How long a domain checked into the watch list counts light.
pub const LIGHT_FOR: Duration = Duration::days(30);

/// A lapse's weight: light for a domain that a check put on the watch list (`explicit`
/// false) less than [`LIGHT_FOR`] before `now`.
pub fn lapse_weight(explicit: bool, added_at: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    if !explicit && now - added_at < LIGHT_FOR {
        LIGHT_WEIGHT
    } else {
        FULL_WEIGHT
    }
}

/// The key the guard counts a lapse under (and a watched domain's `host` copy): the
/// upstream host whose answer made it, except for DNS, counted per TLD (`dns:it`): one
/// resolver answers for every TLD, and a mass undelegation is one zone's (a registry's
/// bad zone push, a resolver that fails for one TLD).
pub fn guard_key(
    source: EvidenceSource,
    host: Option<&str>,
    domain: &RegistrableDomain,
) -> Option<String> {
    let host = host?;
    Some(match source {
        EvidenceSource::Dns => {
            let tld = domain.tld();
            format!("{host}:{tld}")
        }
        _ => host.to_owned(),
    })
}

/// `LAPSEGUARD_MASS_CHANGE_LIMIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardSettings {
    /// Lapses per host per hour published without a hold (at least; see
    /// [`GuardSettings::threshold`]). 0 turns the guard off.
    pub limit: u64,
}

impl Default for GuardSettings {
    fn default() -> Self {
        Self { limit: 50 }
    }
}

impl GuardSettings {
    pub fn enabled(&self) -> bool {
        self.limit > 0
    }

    /// How many lapses of a host with `watched` domains may be published within the
    /// window: the limit, or 1% of the host's domains, whichever is larger.
    pub fn threshold(&self, watched: u64) -> u64 {
        self.limit.max(watched.div_ceil(100 / SHARE_PERCENT))
    }
}

/// Whether the guard counts a transition: a move from `active` into any other known
/// stage, or an ownership signal appearing (the changes a caller un-verifies on: a
/// registry that renumbers its handles, or a registrar that swaps every name's
/// nameservers, must not publish a signal for each of its names at once either).
pub fn is_lapse(transition: &Transition) -> bool {
    match transition.signal {
        Some(change) => change.change == Change::Appeared,
        None => {
            transition.notice.is_none()
                && transition.from == Lifecycle::Active
                && !matches!(transition.to, Lifecycle::Active | Lifecycle::Unknown)
        }
    }
}

/// What is held already, read before a transition is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held<'a> {
    /// The hold the transition's domain already has transitions under, if any.
    pub domain: Option<&'a str>,
    /// Whether the transition's host (its guard key) has an open hold.
    pub host: bool,
}

/// What becomes of a transition before any count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precheck {
    /// Held under this hold.
    Hold(String),
    Publish,
    /// The host's recent lapses decide ([`judge`]).
    Count,
}

/// Whether the guard weighs a transition against its host at all: the guard is on and the
/// transition is a lapse. Only then does the host's hold or count matter (the store reads
/// them only then).
pub fn weighs(transition: &Transition, settings: &GuardSettings) -> bool {
    settings.enabled() && is_lapse(transition)
}

/// The guard's rules before counting, in order: a domain that has held transitions
/// holds the next one too (its transitions are published in order or not at all); a
/// transition without a host, or that is not a lapse, or with the guard off, is
/// published; a lapse of a host with an open hold is held; else the count decides.
pub fn precheck(
    transition: &Transition,
    host: Option<&str>,
    held: Held<'_>,
    settings: &GuardSettings,
) -> Precheck {
    if let Some(hold) = held.domain {
        return Precheck::Hold(hold.to_owned());
    }
    let Some(host) = host else {
        return Precheck::Publish;
    };
    if !weighs(transition, settings) {
        Precheck::Publish
    } else if held.host {
        Precheck::Hold(host.to_owned())
    } else {
        Precheck::Count
    }
}

/// What the guard knows about a host when one of its domains lapses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostCount {
    /// The weight (in tenths, see [`lapse_weight`]) of the host's lapses published within
    /// the window (since the last release or discard, if later), not counting this one.
    pub recent_weight: u64,
    /// This lapse's weight.
    pub weight: u64,
    /// The host's watched domains, when they had to be counted (`None` while the recent
    /// lapses are within the configured limit alone: no need to count).
    pub watched: Option<u64>,
}

/// What becomes of a lapse of a host without an open hold (a host with one holds it
/// without asking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Publish,
    /// This lapse is one too many: the host's hold opens and holds it.
    OpenHold,
}

/// Decides a lapse transition of a host that has no open hold. `count` is `None` when
/// the configured limit alone lets it pass, which the caller learns by asking
/// [`needs_count`] first.
pub fn judge(settings: &GuardSettings, count: HostCount) -> Verdict {
    if !settings.enabled() {
        return Verdict::Publish;
    }
    let after = count.recent_weight + count.weight;
    let threshold = settings.threshold(count.watched.unwrap_or(0));
    if after > threshold.saturating_mul(FULL_WEIGHT) {
        Verdict::OpenHold
    } else {
        Verdict::Publish
    }
}

/// Whether the host's watched domains must be counted to judge a lapse of `weight`: only
/// when the configured limit alone would hold it.
pub fn needs_count(settings: &GuardSettings, recent_weight: u64, weight: u64) -> bool {
    settings.enabled() && recent_weight + weight > settings.limit.saturating_mul(FULL_WEIGHT)
}

/// Where the guard's count of a host's lapses starts: an hour back, or the last release
/// or discard if later (what an admin settled is not counted again).
pub fn window_start(now: DateTime<Utc>, settled_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let hour_ago = now - WINDOW;
    settled_at.map_or(hour_ago, |settled| settled.max(hour_ago))
}

/// A domain's held transitions, oldest first, as a discard sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRun {
    /// What the transitions log last said before the first held transition.
    pub published: Lifecycle,
    pub published_registered_at: Option<DateTime<Utc>>,
    /// The domain's last lapse before the first held transition: a discard puts it back,
    /// so that a sighting the admin judged false does not deny resets for the lapse
    /// memory's length (the status itself stays as observed until the second look).
    pub last_lapse_before: Option<DateTime<Utc>>,
    /// What the latest held transition moved to.
    pub held_to: Lifecycle,
    /// When the first held transition was observed.
    pub first_observed_at: DateTime<Utc>,
}

impl HeldRun {
    /// The publication a discard puts back: what the log last said, so that the next
    /// lookup publishes the change again only if it still shows it. A stage-skipping
    /// change counts the held sighting as its first look, so the second look confirms it
    /// (as [`Publication::advance`] confirms any skip).
    pub fn restored_publication(&self) -> Publication {
        let pending = skips_stages(self.published, self.held_to).then_some(Pending {
            lifecycle: self.held_to,
            since: self.first_observed_at,
        });
        Publication {
            lifecycle: self.published,
            registered_at: self.published_registered_at,
            pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .expect("valid")
            + Duration::minutes(minute)
    }

    fn transition(from: Lifecycle, to: Lifecycle) -> Transition {
        Transition {
            domain: RegistrableDomain::parse("example.com").expect("valid"),
            from,
            to,
            registered_at: None,
            expires_at: None,
            observed_at: at(0),
            source: EvidenceSource::Rdap,
            signal: None,
            notice: None,
        }
    }

    #[test]
    fn what_is_held_decides_before_any_count() {
        let on = GuardSettings { limit: 50 };
        let off = GuardSettings { limit: 0 };
        let lapse = transition(Lifecycle::Active, Lifecycle::Redemption);
        let healing = transition(Lifecycle::Redemption, Lifecycle::Active);
        let nothing = Held {
            domain: None,
            host: false,
        };
        let host_held = Held {
            domain: None,
            host: true,
        };
        let domain_held = Held {
            domain: Some("rdap.a:443"),
            host: false,
        };
        let host = Some("rdap.b:443");
        // A domain with held transitions holds the next one, lapse or not, guard on or
        // off, under the hold it has.
        for (t, settings) in [(&lapse, &on), (&healing, &on), (&lapse, &off)] {
            assert_eq!(
                precheck(t, host, domain_held, settings),
                Precheck::Hold("rdap.a:443".to_owned())
            );
        }
        assert_eq!(
            precheck(&lapse, None, host_held, &on),
            Precheck::Publish,
            "no host"
        );
        assert_eq!(
            precheck(&healing, host, host_held, &on),
            Precheck::Publish,
            "not a lapse"
        );
        assert_eq!(
            precheck(&lapse, host, host_held, &off),
            Precheck::Publish,
            "guard off"
        );
        assert_eq!(
            precheck(&lapse, host, host_held, &on),
            Precheck::Hold("rdap.b:443".to_owned())
        );
        assert_eq!(precheck(&lapse, host, nothing, &on), Precheck::Count);
    }

    #[test]
    fn a_signal_appearing_counts_and_one_going_or_a_notice_does_not() {
        use crate::domain::notices::ExpiryNotice;
        use crate::domain::signals::{Signal, SignalChange};
        let signal = |change| Transition {
            signal: Some(SignalChange {
                signal: Signal::ForSale,
                change,
                since: at(0),
            }),
            ..transition(Lifecycle::Active, Lifecycle::Active)
        };
        assert!(is_lapse(&signal(Change::Appeared)));
        assert!(!is_lapse(&signal(Change::Gone)));
        let notice = Transition {
            notice: Some(ExpiryNotice {
                days_left: 7,
                threshold: 7,
            }),
            ..transition(Lifecycle::Active, Lifecycle::Active)
        };
        assert!(!is_lapse(&notice));
    }

    #[test]
    fn only_moves_out_of_active_into_a_known_stage_are_lapses() {
        assert!(is_lapse(&transition(
            Lifecycle::Active,
            Lifecycle::Unregistered
        )));
        assert!(is_lapse(&transition(
            Lifecycle::Active,
            Lifecycle::AutoRenewGrace
        )));
        assert!(is_lapse(&transition(Lifecycle::Active, Lifecycle::OnHold)));
        assert!(!is_lapse(&transition(
            Lifecycle::Active,
            Lifecycle::Unknown
        )));
        assert!(!is_lapse(&transition(Lifecycle::Active, Lifecycle::Active)));
        assert!(!is_lapse(&transition(
            Lifecycle::Redemption,
            Lifecycle::PendingDelete
        )));
        assert!(!is_lapse(&transition(
            Lifecycle::Unknown,
            Lifecycle::Unregistered
        )));
    }

    #[test]
    fn the_threshold_is_the_limit_or_one_percent_of_the_host() {
        let settings = GuardSettings::default();
        assert_eq!(settings.threshold(0), 50);
        assert_eq!(settings.threshold(5_000), 50);
        assert_eq!(settings.threshold(5_001), 51);
        assert_eq!(settings.threshold(1_000_000), 10_000);
        assert_eq!(GuardSettings { limit: 3 }.threshold(10), 3);
    }

    #[test]
    fn the_lapse_past_the_threshold_opens_the_hold() {
        let settings = GuardSettings { limit: 3 };
        let judged = |recent_lapses: u64, watched| {
            judge(
                &settings,
                HostCount {
                    recent_weight: recent_lapses * FULL_WEIGHT,
                    weight: FULL_WEIGHT,
                    watched,
                },
            )
        };
        assert_eq!(judged(0, None), Verdict::Publish);
        assert_eq!(judged(2, None), Verdict::Publish);
        assert!(!needs_count(&settings, 20, FULL_WEIGHT));
        assert!(needs_count(&settings, 30, FULL_WEIGHT));
        assert_eq!(judged(3, Some(10)), Verdict::OpenHold);
        // A host of 1,000 domains may lose 10 in an hour.
        assert_eq!(judged(9, Some(1_000)), Verdict::Publish);
        assert_eq!(judged(10, Some(1_000)), Verdict::OpenHold);
    }

    #[test]
    fn lapses_of_domains_checked_into_the_list_weigh_a_tenth() {
        let settings = GuardSettings { limit: 50 };
        let added = at(0);
        assert_eq!(
            lapse_weight(false, added, added + Duration::days(29)),
            LIGHT_WEIGHT
        );
        assert_eq!(
            lapse_weight(false, added, added + Duration::days(30)),
            FULL_WEIGHT
        );
        assert_eq!(lapse_weight(true, added, added), FULL_WEIGHT);
        // 51 of the attacker's own domains: no hold; 500 of them do not open it either.
        let attacker = |lapses: u64| HostCount {
            recent_weight: lapses * LIGHT_WEIGHT,
            weight: LIGHT_WEIGHT,
            watched: Some(600),
        };
        assert_eq!(judge(&settings, attacker(50)), Verdict::Publish);
        assert_eq!(judge(&settings, attacker(499)), Verdict::Publish);
        assert_eq!(judge(&settings, attacker(500)), Verdict::OpenHold);
        // Then a real lapse of an imported domain still publishes.
        let real = HostCount {
            recent_weight: 51 * LIGHT_WEIGHT,
            weight: FULL_WEIGHT,
            watched: Some(600),
        };
        assert_eq!(judge(&settings, real), Verdict::Publish);
    }

    #[test]
    fn dns_lapses_count_per_tld() {
        let it = RegistrableDomain::parse("example.it").expect("valid");
        assert_eq!(
            guard_key(EvidenceSource::Dns, Some("dns"), &it).as_deref(),
            Some("dns:it")
        );
        assert_eq!(
            guard_key(EvidenceSource::Rdap, Some("rdap.example:443"), &it).as_deref(),
            Some("rdap.example:443")
        );
        assert_eq!(guard_key(EvidenceSource::Dns, None, &it), None);
    }

    #[test]
    fn a_limit_of_zero_turns_the_guard_off() {
        let off = GuardSettings { limit: 0 };
        assert!(!needs_count(&off, 1_000_000, FULL_WEIGHT));
        let count = HostCount {
            recent_weight: 1_000_000,
            weight: FULL_WEIGHT,
            watched: Some(1),
        };
        assert_eq!(judge(&off, count), Verdict::Publish);
    }

    #[test]
    fn the_window_starts_at_the_last_settlement_within_the_hour() {
        assert_eq!(window_start(at(120), None), at(60));
        assert_eq!(window_start(at(120), Some(at(30))), at(60));
        assert_eq!(window_start(at(120), Some(at(100))), at(100));
    }

    #[test]
    fn a_discard_puts_back_what_the_log_last_said() {
        let run = HeldRun {
            published: Lifecycle::Active,
            published_registered_at: Some(at(-1000)),
            last_lapse_before: None,
            held_to: Lifecycle::Unregistered,
            first_observed_at: at(5),
        };
        let restored = run.restored_publication();
        assert_eq!(restored.lifecycle, Lifecycle::Active);
        assert_eq!(restored.registered_at, Some(at(-1000)));
        assert_eq!(
            restored.pending,
            Some(Pending {
                lifecycle: Lifecycle::Unregistered,
                since: at(5)
            })
        );
        let grace = HeldRun {
            held_to: Lifecycle::AutoRenewGrace,
            ..run
        };
        assert_eq!(grace.restored_publication().pending, None);
    }
}
