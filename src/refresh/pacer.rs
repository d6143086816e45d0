//! Per-host pacing for the scheduler: each RDAP host gets its requests spaced at its rate.
//!
//! Hand-written rather than `governor`: the scheduler needs to *reserve* a host's next free
//! slot in schedule time (the clock it is given, simulated in `simulate`) and to know how
//! far ahead the backlog reaches, so that a long backlog goes back to the database instead
//! of waiting in memory. A rate limiter that only answers "now or not" against its own
//! clock cannot say either.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Request rates per RDAP host: `LAPSEGUARD_RDAP_HOST_RATE=1,rdap.verisign.com=5` means 1/s
/// for every host but `rdap.verisign.com` (any port; or name `host:port`), which gets 5/s.
#[derive(Debug, Clone, PartialEq)]
pub struct HostRates {
    pub default_per_second: f64,
    pub hosts: Vec<(String, f64)>,
}

/// `1,rdap.verisign.com=5`: a default, then per-host values, each between 0.001 and
/// 1,000,000 per second (below one request in 1,000 s pacing stops meaning anything).
/// A rate in requests per second, between 0.001 and 1,000,000.
pub fn parse_rate(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(rate) if (0.001..=1_000_000.0).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "{value:?} is not a rate between 0.001 and 1000000 per second"
        )),
    }
}

impl std::str::FromStr for HostRates {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut rates = HostRates::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            match entry.split_once('=') {
                Some((host, value)) => rates
                    .hosts
                    .push((host.trim().to_ascii_lowercase(), parse_rate(value)?)),
                None => rates.default_per_second = parse_rate(entry)?,
            }
        }
        Ok(rates)
    }
}

impl Default for HostRates {
    fn default() -> Self {
        Self {
            default_per_second: 1.0,
            hosts: Vec::new(),
        }
    }
}

/// How many requests ahead of the host's rate a burst of checks may go.
const REQUEST_BURST: i32 = 5;

pub struct HostPacer {
    default_interval: Duration,
    intervals: HashMap<String, Duration>,
    slots: Mutex<HashMap<String, HostSlots>>,
}

/// One host's next free slot, and where the backlog beyond the horizon is sent back to.
#[derive(Debug, Clone, Copy)]
struct HostSlots {
    next_free: DateTime<Utc>,
    /// Each domain deferred past the horizon is told to come back one interval after the
    /// previous one, so that a backlog returns at the host's rate instead of all at once.
    deferred_until: DateTime<Utc>,
}

fn interval(per_second: f64) -> Duration {
    Duration::microseconds((1_000_000.0 / per_second).round().max(1.0) as i64)
}

impl HostPacer {
    pub fn new(rates: &HostRates) -> Self {
        Self {
            default_interval: interval(rates.default_per_second),
            intervals: rates
                .hosts
                .iter()
                .map(|(host, rate)| (host.clone(), interval(*rate)))
                .collect(),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The spacing between two requests to `host` (`name:port`, configured by `name`
    /// or `name:port`).
    pub fn interval_for(&self, host: &str) -> Duration {
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        self.intervals
            .get(host)
            .or_else(|| self.intervals.get(name))
            .copied()
            .unwrap_or(self.default_interval)
    }

    /// Reserves the host's next free slot at or after `now`, unless that slot lies more
    /// than `horizon` ahead: then nothing is reserved and `Err` says when to come back,
    /// spread one interval apart from the other deferred domains.
    pub fn reserve(
        &self,
        host: &str,
        now: DateTime<Utc>,
        horizon: Duration,
    ) -> Result<DateTime<Utc>, DateTime<Utc>> {
        let interval = self.interval_for(host);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let host_slots = slots.entry(host.to_owned()).or_insert(HostSlots {
            next_free: now,
            deferred_until: now,
        });
        let slot = host_slots.next_free.max(now);
        if slot - now > horizon {
            let back = host_slots.deferred_until.max(slot);
            host_slots.deferred_until = back + interval;
            return Err(back);
        }
        host_slots.next_free = slot + interval;
        Ok(slot)
    }

    /// Takes a slot for a request to send now, from a check: allowed while the host's
    /// backlog is at most a small burst ahead (five requests, or one second of the host's
    /// rate if that is more). `Err` says how long until the host has room.
    pub fn take_now(&self, host: &str, now: DateTime<Utc>) -> Result<(), std::time::Duration> {
        let interval = self.interval_for(host);
        let burst = (interval * REQUEST_BURST).max(Duration::seconds(1));
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let host_slots = slots.entry(host.to_owned()).or_insert(HostSlots {
            next_free: now,
            deferred_until: now,
        });
        let slot = host_slots.next_free.max(now);
        if slot - now >= burst {
            return Err((slot - now - burst + interval).to_std().unwrap_or_default());
        }
        host_slots.next_free = slot + interval;
        Ok(())
    }

    /// Pushes the host's next free slot to at least `until` (after a 429, say).
    pub fn hold(&self, host: &str, until: DateTime<Utc>) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let host_slots = slots.entry(host.to_owned()).or_insert(HostSlots {
            next_free: until,
            deferred_until: until,
        });
        host_slots.next_free = host_slots.next_free.max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid")
    }

    fn pacer() -> HostPacer {
        HostPacer::new(&HostRates {
            default_per_second: 1.0,
            hosts: vec![("fast.example".into(), 4.0)],
        })
    }

    #[test]
    fn slots_are_spaced_by_the_host_rate() {
        let pacer = pacer();
        let horizon = Duration::seconds(60);
        let slots: Vec<_> = (0..3)
            .map(|_| {
                pacer
                    .reserve("slow.example:443", t0(), horizon)
                    .expect("within")
            })
            .collect();
        assert_eq!(
            slots,
            [
                t0(),
                t0() + Duration::seconds(1),
                t0() + Duration::seconds(2)
            ]
        );
        let fast = pacer.reserve("fast.example:443", t0(), horizon);
        let fast = (fast, pacer.reserve("fast.example:443", t0(), horizon));
        assert_eq!(fast, (Ok(t0()), Ok(t0() + Duration::milliseconds(250))));
    }

    #[test]
    fn a_backlog_beyond_the_horizon_is_not_reserved() {
        let pacer = pacer();
        let horizon = Duration::seconds(2);
        for _ in 0..3 {
            assert!(pacer.reserve("h:443", t0(), horizon).is_ok());
        }
        assert_eq!(
            pacer.reserve("h:443", t0(), horizon),
            Err(t0() + Duration::seconds(3))
        );
        // Time passes: the slot is free again.
        let later = t0() + Duration::seconds(3);
        assert_eq!(pacer.reserve("h:443", later, horizon), Ok(later));
    }

    #[test]
    fn checks_may_burst_a_little_and_are_then_refused() {
        let pacer = pacer();
        let taken = (0..8)
            .filter(|_| pacer.take_now("slow.example:443", t0()).is_ok())
            .count();
        assert_eq!(taken, 5, "five requests at 1/s");
        // The scheduler's next slot comes after the burst.
        assert_eq!(
            pacer.reserve("slow.example:443", t0(), Duration::seconds(60)),
            Ok(t0() + Duration::seconds(5))
        );
        let later = t0() + Duration::seconds(3);
        assert!(pacer.take_now("slow.example:443", later).is_ok());
    }

    #[test]
    fn a_hold_pushes_the_next_slot() {
        let pacer = pacer();
        pacer.hold("h:443", t0() + Duration::seconds(60));
        assert_eq!(
            pacer.reserve("h:443", t0(), Duration::seconds(10)),
            Err(t0() + Duration::seconds(60))
        );
    }
}
