//! Prometheus metrics: the recorder every `counter!`/`histogram!` in the crate writes to,
//! the names in one place, and the text `GET /metrics` serves. Labels stay bounded:
//! reasons, sources, outcomes, lifecycles and upstream hosts, never domains.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};

use ::metrics::{Counter, Histogram, counter, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::domain::lifecycle::Lifecycle;
use crate::store::admin::StoreStats;

/// Recovery checks answered, by `reason` and `source` (`live`, `cache`).
pub const CHECKS: &str = "lapseguard_checks_total";
/// Time to answer a recovery check, in seconds.
pub const CHECK_DURATION: &str = "lapseguard_check_duration_seconds";
/// Lookups, by `source` (`rdap`, `dns`, `fastly`), `host` and `outcome` (an answer's kind,
/// or the failure's code).
pub const LOOKUPS: &str = "lapseguard_lookups_total";
/// Time a lookup took, by `source` and `host`, in seconds.
pub const LOOKUP_DURATION: &str = "lapseguard_lookup_duration_seconds";
/// The request path's memory, by `result` (`hit`: a fresh status; `miss`).
pub const MEMORY: &str = "lapseguard_memory_lookups_total";
/// Transitions published, by the lifecycle they moved `to`.
pub const TRANSITIONS: &str = "lapseguard_transitions_total";
/// 1 while this replica holds the scheduler lease.
pub const LEADER: &str = "lapseguard_leader";
/// Until when (Unix seconds) an upstream host is paused after a 429, by `host`; in the
/// past once the pause is over.
pub const HOST_PAUSED_UNTIL: &str = "lapseguard_host_paused_until_seconds";
/// Pauses of an upstream host after a 429, by `host`.
pub const HOST_PAUSES: &str = "lapseguard_host_pauses_total";
/// Webhook deliveries that failed (each is retried), by `error` (`http`, `timeout`,
/// `unreachable`).
pub const WEBHOOK_FAILURES: &str = "lapseguard_webhook_delivery_failures_total";
/// 1 while checks do not ask an upstream host (its breaker is open), by `host`.
pub const BREAKER_OPEN: &str = "lapseguard_breaker_open";
/// Checks' lookups not made because the host's breaker was open, by `host`.
pub const BREAKER_REJECTIONS: &str = "lapseguard_breaker_rejections_total";
/// Checks' lookups not made because the host's pace had no slot within the deadline,
/// by `host`: those checks answered without that source's evidence.
pub const CHECKS_PACED: &str = "lapseguard_checks_paced_total";
/// 1 while the DNS resolver's latest trust probe passed (its NXDOMAIN counts as
/// undelegated), 0 while it failed.
pub const DNS_RESOLVER_TRUSTED: &str = "lapseguard_dns_resolver_trusted";
/// Observations waiting in the spool for the store to answer again.
pub const SPOOLED: &str = "lapseguard_spooled_observations";
/// Spooled observations dropped (the spool was full, or the store refused one for good).
pub const SPOOL_DROPPED: &str = "lapseguard_spool_dropped_total";
/// Webhook deliveries made.
pub const WEBHOOK_DELIVERIES: &str = "lapseguard_webhook_deliveries_total";
/// Transitions the mass-change guard held instead of publishing, by the lifecycle they
/// moved `to`.
pub const TRANSITIONS_HELD: &str = "lapseguard_transitions_held_total";
/// Expiry notices published, by `threshold_days`.
pub const EXPIRY_NOTICES: &str = "lapseguard_expiry_notices_total";
/// Transitions waiting under a host's open hold, by `host` (0 once released or
/// discarded).
pub const HELD_TRANSITIONS: &str = "lapseguard_held_transitions";

/// Histogram buckets, in seconds: a cached check is well under a millisecond, a lookup
/// up to the deadline (seconds).
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use (tests start many apps in one process:
/// they share it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed already; /metrics shows only its own");
        }
        handle
    })
}

/// Handles of the request path's metrics, by their static labels: registering a metric
/// builds its key (an allocation and a hash); a handle costs an atomic add.
#[derive(Default)]
struct RequestPath {
    checks: RwLock<HashMap<(&'static str, &'static str), Counter>>,
    memory: OnceLock<[Counter; 2]>,
    duration: OnceLock<Histogram>,
}

fn request_path() -> &'static RequestPath {
    static PATH: OnceLock<RequestPath> = OnceLock::new();
    PATH.get_or_init(RequestPath::default)
}

pub fn check_answered(reason: &'static str, source: &'static str, took: Duration) {
    let path = request_path();
    let known = path
        .checks
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(reason, source))
        .cloned();
    let checks = known.unwrap_or_else(|| {
        let handle = counter!(CHECKS, "reason" => reason, "source" => source);
        path.checks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((reason, source), handle.clone());
        handle
    });
    checks.increment(1);
    path.duration
        .get_or_init(|| histogram!(CHECK_DURATION))
        .record(took.as_secs_f64());
}

pub fn lookup_done(source: &'static str, host: String, outcome: &'static str, took: Duration) {
    histogram!(LOOKUP_DURATION, "source" => source, "host" => host.clone())
        .record(took.as_secs_f64());
    counter!(LOOKUPS, "source" => source, "host" => host, "outcome" => outcome).increment(1);
}

pub fn memory_lookup(hit: bool) {
    let [hits, misses] = request_path().memory.get_or_init(|| {
        [
            counter!(MEMORY, "result" => "hit"),
            counter!(MEMORY, "result" => "miss"),
        ]
    });
    if hit { hits } else { misses }.increment(1);
}

pub fn transition_published(to: &'static str) {
    counter!(TRANSITIONS, "to" => to).increment(1);
}

pub fn expiry_notice_published(threshold_days: u32) {
    counter!(EXPIRY_NOTICES, "threshold_days" => threshold_days.to_string()).increment(1);
}

pub fn transition_held(to: &'static str) {
    counter!(TRANSITIONS_HELD, "to" => to).increment(1);
}

/// Sets each held host's gauge, and 0 for hosts held before but not now.
fn held_transitions(holds: &[(String, u64)]) {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    for host in seen.iter() {
        if !holds.iter().any(|(held, _)| held == host) {
            gauge!(HELD_TRANSITIONS, "host" => host.clone()).set(0.0);
        }
    }
    for (host, n) in holds {
        gauge!(HELD_TRANSITIONS, "host" => host.clone()).set(*n as f64);
        seen.insert(host.clone());
    }
}

/// A host paused for `duration` from now (the wall clock: a gauge for alerts).
pub fn host_paused(host: &str, duration: Duration) {
    let now = Utc::now();
    let until = chrono::Duration::from_std(duration)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(now);
    counter!(HOST_PAUSES, "host" => host.to_owned()).increment(1);
    gauge!(HOST_PAUSED_UNTIL, "host" => host.to_owned()).set(until.timestamp() as f64);
}

pub fn breaker_state(host: &str, open: bool) {
    gauge!(BREAKER_OPEN, "host" => host.to_owned()).set(if open { 1.0 } else { 0.0 });
}

pub fn breaker_rejected(host: &str) {
    counter!(BREAKER_REJECTIONS, "host" => host.to_owned()).increment(1);
}

pub fn check_paced(host: &str) {
    counter!(CHECKS_PACED, "host" => host.to_owned()).increment(1);
}

pub fn dns_resolver_trusted(trusted: bool) {
    gauge!(DNS_RESOLVER_TRUSTED).set(if trusted { 1.0 } else { 0.0 });
}

pub fn spool_size(n: usize) {
    gauge!(SPOOLED).set(n as f64);
}

pub fn spool_dropped() {
    counter!(SPOOL_DROPPED).increment(1);
}

pub fn webhook_delivered() {
    counter!(WEBHOOK_DELIVERIES).increment(1);
}

pub fn webhook_failed(error: &'static str) {
    counter!(WEBHOOK_FAILURES, "error" => error).increment(1);
}

pub fn leading(leads: bool) {
    gauge!(LEADER).set(if leads { 1.0 } else { 0.0 });
}

/// The text format, with the store's counts as of `computed_at` (shared with
/// `GET /v1/stats`) as gauges.
pub fn render(counts: Option<(&StoreStats, DateTime<Utc>)>) -> String {
    if let Some((stats, computed_at)) = counts {
        // Every stage, 0 when none is in it: a stage that empties must not keep its count.
        for lifecycle in Lifecycle::ALL {
            let n = stats
                .lifecycles
                .iter()
                .find(|(l, _)| *l == lifecycle)
                .map_or(0, |(_, n)| *n);
            gauge!("lapseguard_watched_domains", "lifecycle" => lifecycle.as_str()).set(n as f64);
        }
        gauge!("lapseguard_due_domains").set(stats.due as f64);
        gauge!("lapseguard_overdue_domains").set(stats.overdue as f64);
        gauge!("lapseguard_failing_domains").set(stats.failing as f64);
        gauge!("lapseguard_webhook_deliveries_pending").set(stats.webhooks_pending as f64);
        let age = |seconds: Option<i64>| seconds.unwrap_or(0) as f64;
        gauge!("lapseguard_webhook_oldest_pending_age_seconds")
            .set(age(stats.oldest_webhook_age(computed_at)));
        gauge!("lapseguard_oldest_check_age_seconds").set(age(stats.oldest_check_age(computed_at)));
        held_transitions(&stats.holds);
    }
    let handle = handle();
    handle.run_upkeep();
    handle.render()
}
