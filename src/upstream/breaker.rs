//! A circuit breaker per upstream host, for the request path: after `failures` timeouts,
//! 5xx answers, SERVFAILs or unreachable connections in a row from one host, checks stop
//! asking it for `cooldown` (they answer at once, from what is stored or by policy); then
//! one check's lookup goes through as a probe, and its result closes the breaker or opens
//! it for another cooldown. Every lookup (the scheduler's too) counts towards the state;
//! only checks are held back: the scheduler has its own pacing and backoff.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::dns::DNS_HOST;
use super::{Failure, LookupError};
use crate::domain::name::RegistrableDomain;
use crate::telemetry::metrics;

/// The resolver's breaker opens on per-name failures only once they span this many
/// TLDs (and `failures` distinct names) with no answer in between.
const MIN_SPREAD_TLDS: usize = 3;

/// Distinct failing names kept per host while counting the spread.
const MAX_FAILED_NAMES: usize = 64;

/// `LAPSEGUARD_BREAKER_FAILURES`, `LAPSEGUARD_BREAKER_COOLDOWN_SECONDS`.
#[derive(Debug, Clone, Copy)]
pub struct BreakerSettings {
    pub failures: u32,
    pub cooldown: Duration,
}

#[derive(Debug, Default)]
struct HostState {
    failures_in_a_row: u32,
    /// While `Some`, open until then.
    open_until: Option<Instant>,
    /// A probe is out: others wait for its result.
    probing: bool,
    /// The resolver's: the distinct names whose lookups failed since the last answer.
    failed_names: Vec<RegistrableDomain>,
}

impl HostState {
    /// Whether the per-name failures so far (with `name`'s) are spread over enough names
    /// and TLDs to blame the resolver rather than the names' own servers.
    fn spread_after(&mut self, name: &RegistrableDomain, failures: u32) -> bool {
        if !self.failed_names.contains(name) && self.failed_names.len() < MAX_FAILED_NAMES {
            self.failed_names.push(name.clone());
        }
        let mut tlds: Vec<&str> = self
            .failed_names
            .iter()
            .map(RegistrableDomain::tld)
            .collect();
        tlds.sort_unstable();
        tlds.dedup();
        self.failed_names.len() >= failures as usize
            && tlds.len() >= MIN_SPREAD_TLDS.min(failures as usize)
    }
}

pub struct Breakers {
    settings: BreakerSettings,
    hosts: Mutex<HashMap<String, HostState>>,
}

/// What a check may do about a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Ask it.
    Closed,
    /// Ask it: this lookup is the probe after a cooldown.
    Probe,
    /// Do not ask; the breaker stays open this long (zero while a probe is out).
    Open { retry_in: Duration },
}

impl Breakers {
    pub fn new(settings: BreakerSettings) -> Self {
        Self {
            settings,
            hosts: Mutex::default(),
        }
    }

    /// Whether a check may ask `host` at `now`.
    pub fn gate(&self, host: &str, now: Instant) -> Gate {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let Some(state) = hosts.get_mut(host) else {
            return Gate::Closed;
        };
        match state.open_until {
            None => Gate::Closed,
            Some(until) if now < until => Gate::Open {
                retry_in: until - now,
            },
            Some(_) if state.probing => Gate::Open {
                retry_in: Duration::ZERO,
            },
            Some(_) => {
                state.probing = true;
                Gate::Probe
            }
        }
    }

    /// Counts a lookup of `name`'s result for its host at `now`.
    ///
    /// For the resolver, a SERVFAIL, REFUSED or timeout is the name's own trouble (broken
    /// DNSSEC, lame servers: an attacker's domains can be made to fail at will), so these
    /// open its breaker only when they span `failures` names and three TLDs with no
    /// answer in between; an unreachable resolver counts at once, like any host's failure.
    pub fn record(
        &self,
        host: &str,
        name: &RegistrableDomain,
        result: &Result<(), LookupError>,
        now: Instant,
    ) {
        let failed = matches!(
            result,
            Err(LookupError::Failed(
                Failure::Timeout | Failure::Transport | Failure::ServerFailure
            )) | Err(LookupError::Failed(Failure::Status(500..=599)))
        );
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if !failed {
            // Any answer (or a failure that says nothing of the host's health) closes it.
            if (result.is_ok() || hosts.get(host).is_some_and(|s| s.probing))
                && let Some(closed) = hosts.remove(host)
                && closed.open_until.is_some()
            {
                metrics::breaker_state(host, false);
            }
            return;
        }
        let per_name = host == DNS_HOST
            && matches!(
                result,
                Err(LookupError::Failed(
                    Failure::Timeout | Failure::ServerFailure
                ))
            );
        let state = hosts.entry(host.to_owned()).or_default();
        state.failures_in_a_row = state.failures_in_a_row.saturating_add(1);
        let enough = if per_name {
            state.spread_after(name, self.settings.failures)
        } else {
            state.failures_in_a_row >= self.settings.failures
        };
        let reopen = state.probing || enough;
        if reopen && state.open_until.is_none_or(|until| until <= now) {
            if !state.probing {
                tracing::warn!(upstream_host = %host, failures = state.failures_in_a_row, cooldown_seconds = self.settings.cooldown.as_secs(), "upstream host failing: checks stop asking it for a while");
            }
            state.open_until = Some(now + self.settings.cooldown);
            metrics::breaker_state(host, true);
        }
        state.probing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "rdap.example:443";

    fn breakers() -> Breakers {
        Breakers::new(BreakerSettings {
            failures: 3,
            cooldown: Duration::from_secs(30),
        })
    }

    fn timeout() -> Result<(), LookupError> {
        Err(Failure::Timeout.into())
    }

    fn name(text: &str) -> RegistrableDomain {
        RegistrableDomain::parse(text).expect("valid")
    }

    #[test]
    fn it_opens_after_failures_in_a_row_then_lets_one_probe_through() {
        let b = breakers();
        let t0 = Instant::now();
        for _ in 0..2 {
            b.record(HOST, &name("example.com"), &timeout(), t0);
        }
        assert_eq!(b.gate(HOST, t0), Gate::Closed);
        b.record(
            HOST,
            &name("example.com"),
            &Err(Failure::Status(503).into()),
            t0,
        );
        assert!(matches!(b.gate(HOST, t0), Gate::Open { .. }));
        let later = t0 + Duration::from_secs(31);
        assert_eq!(b.gate(HOST, later), Gate::Probe);
        assert!(matches!(b.gate(HOST, later), Gate::Open { retry_in } if retry_in.is_zero()));
        // The probe fails: open again for a cooldown.
        b.record(HOST, &name("example.com"), &timeout(), later);
        assert!(matches!(
            b.gate(HOST, later + Duration::from_secs(1)),
            Gate::Open { .. }
        ));
        // The next probe succeeds: closed.
        let much_later = later + Duration::from_secs(31);
        assert_eq!(b.gate(HOST, much_later), Gate::Probe);
        b.record(HOST, &name("example.com"), &Ok(()), much_later);
        assert_eq!(b.gate(HOST, much_later), Gate::Closed);
    }

    #[test]
    fn an_answer_resets_the_count_and_a_404_or_429_is_no_failure() {
        let b = breakers();
        let t0 = Instant::now();
        b.record(HOST, &name("example.com"), &timeout(), t0);
        b.record(HOST, &name("example.com"), &timeout(), t0);
        b.record(HOST, &name("example.com"), &Ok(()), t0);
        b.record(HOST, &name("example.com"), &timeout(), t0);
        b.record(
            HOST,
            &name("example.com"),
            &Err(Failure::RateLimited.into()),
            t0,
        );
        b.record(
            HOST,
            &name("example.com"),
            &Err(Failure::Status(404).into()),
            t0,
        );
        assert_eq!(b.gate(HOST, t0), Gate::Closed);
    }

    #[test]
    fn the_resolver_is_not_blamed_for_one_names_failures() {
        let b = breakers();
        let t0 = Instant::now();
        let servfail = || Err(Failure::ServerFailure.into());
        // The attacker's own domains, all under one TLD, failing again and again.
        for i in 0..20 {
            b.record(
                DNS_HOST,
                &name(&format!("evil{}.com", i % 8)),
                &servfail(),
                t0,
            );
        }
        assert_eq!(b.gate(DNS_HOST, t0), Gate::Closed);
        // Spread over names of three TLDs with no answer between: the resolver.
        for n in ["a.net", "b.org"] {
            b.record(DNS_HOST, &name(n), &timeout(), t0);
        }
        assert!(matches!(b.gate(DNS_HOST, t0), Gate::Open { .. }));
    }

    #[test]
    fn an_answer_forgets_the_failing_names_and_an_unreachable_resolver_counts_at_once() {
        let b = breakers();
        let t0 = Instant::now();
        b.record(DNS_HOST, &name("a.com"), &timeout(), t0);
        b.record(DNS_HOST, &name("b.net"), &timeout(), t0);
        b.record(DNS_HOST, &name("ok.com"), &Ok(()), t0);
        b.record(DNS_HOST, &name("c.org"), &timeout(), t0);
        assert_eq!(b.gate(DNS_HOST, t0), Gate::Closed);
        for _ in 0..3 {
            b.record(
                DNS_HOST,
                &name("a.com"),
                &Err(Failure::Transport.into()),
                t0,
            );
        }
        assert!(matches!(b.gate(DNS_HOST, t0), Gate::Open { .. }));
    }
}
