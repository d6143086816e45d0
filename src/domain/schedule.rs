//! When to look at a watched domain next: a pure function of what is known about it.
//!
//! | state | next check |
//! |---|---|
//! | last lookup failed (n in a row) | 5 min x 2^(n-1), at most 1 day; status unchanged |
//! | a stage-skipping change awaits confirmation | `confirm_after` after it was first seen |
//! | active, expiry known and ahead | 1 day after the expiry, but within `max_interval` (90 days) |
//! | active, no expiry published | `no_expiry_interval` (30 days) |
//! | grace, redemption, pending delete, hold, inactive, expired | daily |
//! | unregistered | weekly |
//!
//! A domain cannot lapse before its expiry date, so with a known expiry one check just
//! after it catches the lapse in auto-renew grace, and the ceiling is only a safety net.
//! Without a published expiry a lapse can begin any day and must be caught within the
//! 35 days of redemption and pending delete: hence the shorter interval. (`lapseguard
//! simulate` measures the trade: see docs/evidence.md.)
//!
//! Every interval is shortened by up to 10% (never lengthened) by a jitter that depends on
//! the domain and the time, so that a million domains imported at once spread out.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Duration, Utc};

use super::lifecycle::Lifecycle;
use super::name::RegistrableDomain;
use super::nameservers::NameserverClasses;
use super::signals::Signal;
use super::status::DomainStatus;
use super::transition::Pending;

const FIRST_BACKOFF: Duration = Duration::minutes(5);
const MAX_BACKOFF: Duration = Duration::days(1);
const AFTER_EXPIRY: Duration = Duration::days(1);
const LAPSED_INTERVAL: Duration = Duration::days(1);
const UNREGISTERED_INTERVAL: Duration = Duration::weeks(1);

/// The knobs of the schedule.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleSettings {
    /// `LAPSEGUARD_MAX_CHECK_INTERVAL_DAYS`: no watched domain waits longer.
    pub max_interval: Duration,
    /// `LAPSEGUARD_NO_EXPIRY_CHECK_INTERVAL_DAYS`: for active domains whose registry
    /// publishes no expiry date (capped by `max_interval`).
    pub no_expiry_interval: Duration,
    /// `LAPSEGUARD_CONFIRM_AFTER_SECONDS`.
    pub confirm_after: Duration,
    /// `LAPSEGUARD_DNS_CHECK_INTERVAL_SECONDS`: every watched domain's delegation is
    /// asked of DNS this often.
    pub dns_interval: Duration,
    /// `LAPSEGUARD_NAMESERVER_CLASSES`: which nameservers raise a signal when a status is
    /// folded (`signals.rs`); a `registrar_expired` one brings the next check within a day.
    pub nameserver_classes: &'static NameserverClasses,
}

/// How soon to ask DNS again after a failed DNS lookup (capped by the interval).
const DNS_RETRY: Duration = Duration::hours(1);

/// The next time to ask DNS about the domain, after a DNS lookup at `now`: exactly the
/// interval (no jitter: the resolver's rate already spreads a large import, and a daily
/// interval must stay at 365 queries a year), or within the hour after a failure.
pub fn next_dns_check_at(
    now: DateTime<Utc>,
    succeeded: bool,
    settings: &ScheduleSettings,
) -> DateTime<Utc> {
    let interval = if succeeded {
        settings.dns_interval
    } else {
        DNS_RETRY.min(settings.dns_interval)
    };
    now + interval
}

/// What the schedule looks at.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleInput<'a> {
    pub status: Option<&'a DomainStatus>,
    /// Failed lookups in a row since the last success.
    pub failures: u32,
    pub pending: Option<Pending>,
}

/// The next time to look the domain up, after a lookup at `now`.
pub fn next_check_at(
    input: ScheduleInput<'_>,
    domain: &RegistrableDomain,
    now: DateTime<Utc>,
    settings: &ScheduleSettings,
) -> DateTime<Utc> {
    let jitter = jitter(domain, now);
    let shorten = |interval: Duration| {
        let cut = interval.num_seconds() as f64 * 0.1 * jitter;
        interval - Duration::seconds(cut as i64)
    };
    if input.failures > 0 {
        let doublings = (input.failures - 1).min(16);
        let backoff = (FIRST_BACKOFF * 2_i32.pow(doublings)).min(MAX_BACKOFF);
        return now + shorten(backoff);
    }
    if let Some(pending) = input.pending {
        return (pending.since + settings.confirm_after).max(now + Duration::seconds(1));
    }
    let Some(status) = input.status else {
        return now + shorten(FIRST_BACKOFF);
    };
    now + status_interval(status, now, settings, shorten)
}

/// The longest the schedule waits after a lookup that found `status` (at its
/// `checked_at`, with no jitter): how old a watched domain's status can get while the
/// background refresh keeps its promise. A check answers from a stale status no older
/// than this plus the freshness limit (`LAPSEGUARD_STALE_ANSWER_SECONDS`' default).
pub fn promised_interval(status: &DomainStatus, settings: &ScheduleSettings) -> Duration {
    status_interval(status, status.checked_at, settings, |interval| interval)
}

fn status_interval(
    status: &DomainStatus,
    now: DateTime<Utc>,
    settings: &ScheduleSettings,
    shorten: impl Fn(Duration) -> Duration,
) -> Duration {
    let registrar_expired = status
        .signals
        .iter()
        .any(|s| s.signal == Signal::RegistrarExpired);
    match status.lifecycle {
        Lifecycle::Active if registrar_expired => shorten(LAPSED_INTERVAL),
        Lifecycle::Active => match status.expires_at.map(|e| e + AFTER_EXPIRY - now) {
            Some(until_expiry) if until_expiry > Duration::zero() => {
                until_expiry.min(shorten(settings.max_interval))
            }
            _ => shorten(settings.no_expiry_interval.min(settings.max_interval)),
        },
        Lifecycle::Unregistered => shorten(UNREGISTERED_INTERVAL),
        Lifecycle::AutoRenewGrace
        | Lifecycle::Redemption
        | Lifecycle::PendingDelete
        | Lifecycle::OnHold
        | Lifecycle::Inactive
        | Lifecycle::Expired
        | Lifecycle::Unknown => shorten(LAPSED_INTERVAL),
    }
}

/// A fraction in [0, 1) fixed by the domain and the time: reproducible, yet spread.
pub fn jitter(domain: &RegistrableDomain, now: DateTime<Utc>) -> f64 {
    // DefaultHasher::new() has fixed keys: the same input hashes alike in every process.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    domain.as_str().hash(&mut hasher);
    now.timestamp().hash(&mut hasher);
    (hasher.finish() >> 11) as f64 / (1_u64 << 53) as f64
}

/// The settings the rules' unit tests share: 90-day cap, 30 days without an expiry
/// date, 10 minutes to confirm, a daily DNS look.
#[cfg(test)]
pub(crate) fn example_settings() -> ScheduleSettings {
    ScheduleSettings {
        max_interval: Duration::days(90),
        no_expiry_interval: Duration::days(30),
        confirm_after: Duration::minutes(10),
        dns_interval: Duration::days(1),
        nameserver_classes: NameserverClasses::shipped_static(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn settings() -> ScheduleSettings {
        example_settings()
    }

    fn domain() -> RegistrableDomain {
        RegistrableDomain::parse("example.com").expect("valid")
    }

    fn status(lifecycle: Lifecycle, expires_in_days: Option<i64>) -> DomainStatus {
        DomainStatus {
            domain: domain(),
            lifecycle,
            statuses: vec![],
            registered_at: None,
            first_registered_at: None,
            expires_at: expires_in_days.map(|d| now() + Duration::days(d)),
            last_changed_at: None,
            transferred_at: None,
            last_lapse_at: None,
            checked_at: now(),
            evidence: crate::domain::status::EvidenceSource::Rdap,
            handle: None,
            registrar_id: None,
            nameservers: vec![],
            dns_nameservers: vec![],
            signals: vec![],
        }
    }

    fn wait(lifecycle: Lifecycle, expires: Option<i64>, failures: u32) -> Duration {
        let status = status(lifecycle, expires);
        let input = ScheduleInput {
            status: Some(&status),
            failures,
            pending: None,
        };
        next_check_at(input, &domain(), now(), &settings()) - now()
    }

    #[test]
    fn an_active_domain_is_checked_just_after_expiry_or_within_the_ceiling() {
        assert_eq!(wait(Lifecycle::Active, Some(5), 0), Duration::days(6));
        assert_eq!(wait(Lifecycle::Active, Some(60), 0), Duration::days(61));
        let ceiling = wait(Lifecycle::Active, Some(300), 0);
        assert!(
            ceiling <= Duration::days(90) && ceiling >= Duration::days(81),
            "{ceiling}"
        );
        let no_expiry = wait(Lifecycle::Active, None, 0);
        assert!(no_expiry <= Duration::days(30) && no_expiry >= Duration::days(27));
        // An expiry long past (and still active) counts as no expiry.
        let past = wait(Lifecycle::Active, Some(-40), 0);
        assert!(past <= Duration::days(30) && past >= Duration::days(27));
    }

    #[test]
    fn lapsed_domains_are_daily_and_unregistered_ones_weekly() {
        for lifecycle in [
            Lifecycle::AutoRenewGrace,
            Lifecycle::Redemption,
            Lifecycle::PendingDelete,
            Lifecycle::OnHold,
            Lifecycle::Expired,
        ] {
            let wait = wait(lifecycle, Some(-1), 0);
            assert!(
                wait <= Duration::days(1) && wait >= Duration::hours(21),
                "{lifecycle:?} {wait}"
            );
        }
        let weekly = wait(Lifecycle::Unregistered, None, 0);
        assert!(weekly <= Duration::weeks(1) && weekly >= Duration::days(6));
    }

    #[test]
    fn failures_back_off_from_five_minutes_to_a_day() {
        let waits: Vec<Duration> = [1, 2, 3, 10, 40]
            .into_iter()
            .map(|n| wait(Lifecycle::Active, Some(300), n))
            .collect();
        assert!(waits[0] <= Duration::minutes(5) && waits[0] >= Duration::seconds(270));
        assert!(waits[1] <= Duration::minutes(10) && waits[1] > Duration::minutes(5));
        assert!(waits[2] <= Duration::minutes(20) && waits[2] > Duration::minutes(10));
        assert!(waits[3] <= Duration::days(1) && waits[3] >= Duration::hours(21));
        assert!(waits[4] <= Duration::days(1) && waits[4] >= Duration::hours(21));
    }

    #[test]
    fn a_pending_change_is_confirmed_after_the_confirmation_delay() {
        let input = ScheduleInput {
            status: None,
            failures: 0,
            pending: Some(Pending {
                lifecycle: Lifecycle::Unregistered,
                since: now(),
            }),
        };
        assert_eq!(
            next_check_at(input, &domain(), now(), &settings()),
            now() + Duration::minutes(10)
        );
    }

    #[test]
    fn jitter_is_reproducible_and_spreads_domains() {
        let a = jitter(&domain(), now());
        assert_eq!(a, jitter(&domain(), now()));
        assert!((0.0..1.0).contains(&a));
        let spread: std::collections::HashSet<u64> = (0..100)
            .map(|i| {
                let d = RegistrableDomain::parse(&format!("d{i}.com")).expect("valid");
                (jitter(&d, now()) * 10.0) as u64
            })
            .collect();
        assert!(spread.len() >= 8, "{spread:?}");
    }
}
