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

/// The default `LAPSEGUARD_REQUEST_PACE_SHARE`: the part of each host's rate kept for
/// checks, which the background refresh cannot take.
pub const DEFAULT_REQUEST_SHARE: f64 = 0.25;

/// Each host's rate in two lanes: the background lane (the scheduler reserves its slots
/// there, and checks may borrow what it leaves idle) and the request lane (a share of
/// the rate only checks take), so that a long refresh backlog never leaves a check
/// without a lookup, and a burst of checks never stalls the refresh for good.
pub struct HostPacer {
    default_interval: Duration,
    intervals: HashMap<String, Duration>,
    /// The request lane's part of the rate, `0.0..=0.9`; 0 gives the background lane all.
    request_share: f64,
    slots: Mutex<HashMap<String, HostSlots>>,
}

/// One host's next free slots, and where the backlog beyond the horizon is sent back to.
#[derive(Debug, Clone, Copy)]
struct HostSlots {
    next_free: DateTime<Utc>,
    /// Each domain deferred past the horizon is told to come back one interval after the
    /// previous one, so that a backlog returns at the host's rate instead of all at once.
    deferred_until: DateTime<Utc>,
    /// The request lane's next free slot.
    request_next_free: DateTime<Utc>,
}

impl HostSlots {
    fn new(at: DateTime<Utc>) -> Self {
        Self {
            next_free: at,
            deferred_until: at,
            request_next_free: at,
        }
    }
}

fn interval(per_second: f64) -> Duration {
    Duration::microseconds((1_000_000.0 / per_second).round().max(1.0) as i64)
}

/// A lane's interval when it has `share` of a host whose full rate is one per `full`.
fn lane_interval(full: Duration, share: f64) -> Duration {
    let micros = full.num_microseconds().unwrap_or(i64::MAX) as f64 / share;
    Duration::microseconds(micros.round().clamp(1.0, 1e15) as i64)
}

/// How far ahead of now a check may book a host: five requests at its full rate, or one
/// second if that is more. Both lanes share the window, so a burst of checks sends about
/// as many requests at once as a single lane would.
fn burst_window(full: Duration) -> Duration {
    (full * REQUEST_BURST).max(Duration::seconds(1))
}

/// Takes the next slot of a lane whose next free slot is `next_free`, if the wait for it
/// (a check may book up to `burst` ahead) is at most `wait_limit`. `Ok` is the wait;
/// `Err` the wait it would have been.
fn take_slot(
    next_free: &mut DateTime<Utc>,
    interval: Duration,
    burst: Duration,
    now: DateTime<Utc>,
    wait_limit: Duration,
) -> Result<Duration, Duration> {
    let slot = (*next_free).max(now);
    let wait = if slot - now < burst {
        Duration::zero()
    } else {
        slot - now - burst + interval
    };
    if wait > wait_limit {
        return Err(wait);
    }
    *next_free = slot + interval;
    Ok(wait)
}

impl HostPacer {
    /// Paces every host at its rate, `request_share` of it kept for checks.
    pub fn new(rates: &HostRates, request_share: f64) -> Self {
        Self {
            default_interval: interval(rates.default_per_second),
            intervals: rates
                .hosts
                .iter()
                .map(|(host, rate)| (host.clone(), interval(*rate)))
                .collect(),
            request_share: request_share.clamp(0.0, 0.9),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The spacing between two requests to `host` (`name:port`, configured by `name`
    /// or `name:port`) at its full rate.
    pub fn interval_for(&self, host: &str) -> Duration {
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        self.intervals
            .get(host)
            .or_else(|| self.intervals.get(name))
            .copied()
            .unwrap_or(self.default_interval)
    }

    /// The background lane's spacing for `host`.
    fn background_interval(&self, host: &str) -> Duration {
        lane_interval(self.interval_for(host), 1.0 - self.request_share)
    }

    /// Reserves the background lane's next free slot at or after `now`, unless that slot
    /// lies more than `horizon` ahead: then nothing is reserved and `Err` says when to
    /// come back, spread one interval apart from the other deferred domains.
    pub fn reserve(
        &self,
        host: &str,
        now: DateTime<Utc>,
        horizon: Duration,
    ) -> Result<DateTime<Utc>, DateTime<Utc>> {
        let interval = self.background_interval(host);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let host_slots = slots
            .entry(host.to_owned())
            .or_insert_with(|| HostSlots::new(now));
        let slot = host_slots.next_free.max(now);
        if slot - now > horizon {
            let back = host_slots.deferred_until.max(slot);
            host_slots.deferred_until = back + interval;
            return Err(back);
        }
        host_slots.next_free = slot + interval;
        Ok(slot)
    }

    /// Takes a slot for a check's request: at once from the request lane, or else from
    /// what the background lane leaves idle, or else the first slot of either lane that
    /// comes within `wait_limit`. `Ok` is how long to wait before sending; `Err` how long
    /// until the host has room.
    pub fn take_for_check(
        &self,
        host: &str,
        now: DateTime<Utc>,
        wait_limit: std::time::Duration,
    ) -> Result<std::time::Duration, std::time::Duration> {
        let full = self.interval_for(host);
        let burst = burst_window(full);
        let background = self.background_interval(host);
        let request = (self.request_share > 0.0).then(|| lane_interval(full, self.request_share));
        let limit = Duration::from_std(wait_limit).unwrap_or(Duration::MAX);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let host_slots = slots
            .entry(host.to_owned())
            .or_insert_with(|| HostSlots::new(now));
        let mut tries: Vec<(&mut DateTime<Utc>, Duration)> = Vec::with_capacity(2);
        let HostSlots {
            next_free,
            request_next_free,
            ..
        } = host_slots;
        if let Some(request) = request {
            tries.push((request_next_free, request));
        }
        tries.push((next_free, background));
        let mut soonest: Option<(usize, Duration)> = None;
        for (lane, (next_free, interval)) in tries.iter_mut().enumerate() {
            match take_slot(next_free, *interval, burst, now, Duration::zero()) {
                Ok(_) => return Ok(std::time::Duration::ZERO),
                Err(wait) if soonest.is_none_or(|(_, best)| wait < best) => {
                    soonest = Some((lane, wait));
                }
                Err(_) => {}
            }
        }
        // Then the lane whose slot comes first, if it comes in time.
        let (lane, wait) = soonest.expect("the background lane is always tried");
        let (next_free, interval) = &mut tries[lane];
        match take_slot(next_free, *interval, burst, now, limit) {
            Ok(wait) => Ok(wait.to_std().unwrap_or_default()),
            Err(_) => Err(wait.to_std().unwrap_or_default()),
        }
    }

    /// Pushes the host's next free slots to at least `until` (after a 429, say).
    pub fn hold(&self, host: &str, until: DateTime<Utc>) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let host_slots = slots
            .entry(host.to_owned())
            .or_insert_with(|| HostSlots::new(until));
        host_slots.next_free = host_slots.next_free.max(until);
        host_slots.request_next_free = host_slots.request_next_free.max(until);
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
        HostPacer::new(
            &HostRates {
                default_per_second: 1.0,
                hosts: vec![("fast.example".into(), 4.0)],
            },
            0.0,
        )
    }

    /// Half of each host's rate kept for checks.
    fn shared_pacer() -> HostPacer {
        HostPacer::new(&HostRates::default(), 0.5)
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
        let now = std::time::Duration::ZERO;
        let taken = (0..8)
            .filter(|_| pacer.take_for_check("slow.example:443", t0(), now).is_ok())
            .count();
        assert_eq!(taken, 5, "five requests at 1/s");
        // The scheduler's next slot comes after the burst.
        assert_eq!(
            pacer.reserve("slow.example:443", t0(), Duration::seconds(60)),
            Ok(t0() + Duration::seconds(5))
        );
        let later = t0() + Duration::seconds(3);
        assert!(pacer.take_for_check("slow.example:443", later, now).is_ok());
    }

    #[test]
    fn a_check_waits_for_a_slot_that_comes_within_its_limit() {
        let pacer = pacer();
        let limit = std::time::Duration::from_millis(2500);
        let waits: Vec<_> = (0..9)
            .map(|_| pacer.take_for_check("h:443", t0(), limit))
            .collect();
        let secs = |s| Ok(std::time::Duration::from_secs(s));
        let zero = std::time::Duration::ZERO;
        assert_eq!(
            waits,
            [
                Ok(zero),
                Ok(zero),
                Ok(zero),
                Ok(zero),
                Ok(zero),
                secs(1),
                secs(2),
                Err(std::time::Duration::from_secs(3)),
                Err(std::time::Duration::from_secs(3)),
            ]
        );
    }

    #[test]
    fn the_refresh_cannot_take_the_request_lane() {
        let pacer = shared_pacer();
        // The scheduler books its lane a minute ahead (at half the rate: 2 s apart).
        let booked = (0..100)
            .filter(|_| pacer.reserve("h:443", t0(), Duration::seconds(60)).is_ok())
            .count();
        assert_eq!(booked, 31);
        // Checks still find the request lane's burst: five seconds at 0.5/s.
        let zero = std::time::Duration::ZERO;
        let taken = (0..8)
            .filter(|_| pacer.take_for_check("h:443", t0(), zero).is_ok())
            .count();
        assert_eq!(taken, 3);
    }

    #[test]
    fn checks_borrow_what_the_refresh_leaves_idle() {
        let pacer = shared_pacer();
        let zero = std::time::Duration::ZERO;
        let taken = (0..20)
            .filter(|_| pacer.take_for_check("h:443", t0(), zero).is_ok())
            .count();
        assert_eq!(taken, 6, "five seconds of each lane's half");
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
